//! `ci_struct_size` and `ci_live_objects`: what a binding checks its
//! mirrors and its frees against.

use super::client::ci_client_options;
use super::credentials::ci_credential_values;
use super::ffi_boundary;
use super::operations::ci_operation_info;
use super::page::{ci_bucket, ci_ci_bucket, ci_kafka_config, ci_notify_config, ci_page, ci_paging, ci_queue};
use super::query::ci_query;
use super::registry;
use super::sign::{ci_kv, ci_sign_request, ci_signature};

/// `ci_struct_size` argument: which struct.
#[repr(u32)]
#[derive(Debug, Clone, Copy)]
pub enum ci_struct_id {
    /// `ci_client_options`.
    ClientOptions = 1,
    /// `ci_query`.
    Query = 2,
    /// `ci_page`.
    Page = 3,
    /// `ci_paging`.
    Paging = 4,
    /// `ci_bucket`.
    Bucket = 5,
    /// `ci_ci_bucket`.
    CiBucket = 6,
    /// `ci_queue`.
    Queue = 7,
    /// `ci_notify_config`.
    NotifyConfig = 8,
    /// `ci_kafka_config`.
    KafkaConfig = 9,
    /// `ci_kv`.
    Kv = 10,
    /// `ci_sign_request`.
    SignRequest = 11,
    /// `ci_signature`.
    Signature = 12,
    /// `ci_operation_info`.
    OperationInfo = 13,
    /// `ci_credential_values`.
    CredentialValues = 14,
}

/// The size in bytes of the struct `which` (one of `ci_struct_id`) as this
/// library lays it out, or 0 for an unknown id. Bindings that mirror the
/// structs compare their own sizes with these when they load.
#[no_mangle]
pub extern "C" fn ci_struct_size(which: u32) -> usize {
    use std::mem::size_of;
    ffi_boundary!(0, {
        use ci_struct_id as id;
        const SIZES: [(ci_struct_id, usize); 14] = [
            (id::ClientOptions, size_of::<ci_client_options>()),
            (id::Query, size_of::<ci_query>()),
            (id::Page, size_of::<ci_page>()),
            (id::Paging, size_of::<ci_paging>()),
            (id::Bucket, size_of::<ci_bucket>()),
            (id::CiBucket, size_of::<ci_ci_bucket>()),
            (id::Queue, size_of::<ci_queue>()),
            (id::NotifyConfig, size_of::<ci_notify_config>()),
            (id::KafkaConfig, size_of::<ci_kafka_config>()),
            (id::Kv, size_of::<ci_kv>()),
            (id::SignRequest, size_of::<ci_sign_request>()),
            (id::Signature, size_of::<ci_signature>()),
            (id::OperationInfo, size_of::<ci_operation_info>()),
            (id::CredentialValues, size_of::<ci_credential_values>()),
        ];
        match SIZES.iter().find(|(id, _)| *id as u32 == which) {
            Some((_, size)) => *size,
            _ => 0,
        }
    })
}

/// Number of objects the library has handed out and not yet freed, of
/// every type: lets a test prove it freed everything.
#[no_mangle]
pub extern "C" fn ci_live_objects() -> usize {
    ffi_boundary!(0, registry::live_count())
}
