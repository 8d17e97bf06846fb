//! `ci_error`: the error handle and its accessors.

use std::any::Any;
use std::ffi::{c_char, CString};
use std::ptr;

use super::registry::{self, Tag};
use super::ffi_boundary;
use crate::error::{Error, ErrorKind};

/// What kind of failure a `ci_error` reports. The numbers are stable.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ci_kind {
    /// Not an error: what `ci_error_kind` says of NULL or a pointer that is not a live `ci_error`.
    None = 0,
    /// Bad input found before anything was sent (also: a handle that is not live, a string that is not UTF-8).
    InvalidArgument = 1,
    /// A required pointer argument was NULL.
    NullArgument = 2,
    /// The connection failed or broke (refused, reset, truncated answer, DNS, TLS).
    Network = 3,
    /// The connect timeout or the whole call's timeout ran out.
    Timeout = 4,
    /// The service answered with an error: see `ci_error_code`, `ci_error_http_status`.
    Service = 5,
    /// The service answered 2xx with a body that is not the expected XML.
    Parse = 6,
    /// The answer was larger than the client's `max_response_bytes`.
    ResponseTooLarge = 7,
    /// A bug: a panic inside the library was caught at the boundary.
    Panic = 8,
    /// No usable credentials: the provider found none, or could not renew
    /// expired ones; the message names the provider and what it tried.
    Credentials = 9,
    /// The call's `ci_cancel` was cancelled before it ended.
    Cancelled = 10,
}

impl From<ErrorKind> for ci_kind {
    fn from(kind: ErrorKind) -> Self {
        match kind {
            ErrorKind::InvalidArgument => ci_kind::InvalidArgument,
            ErrorKind::NullArgument => ci_kind::NullArgument,
            ErrorKind::Network => ci_kind::Network,
            ErrorKind::Timeout => ci_kind::Timeout,
            ErrorKind::Service => ci_kind::Service,
            ErrorKind::Parse => ci_kind::Parse,
            ErrorKind::ResponseTooLarge => ci_kind::ResponseTooLarge,
            ErrorKind::Panic => ci_kind::Panic,
            ErrorKind::Credentials => ci_kind::Credentials,
            ErrorKind::Cancelled => ci_kind::Cancelled,
        }
    }
}

/// An error: opaque; read it with the `ci_error_*` accessors and release it
/// with `ci_free`. Strings it returns live as long as it does.
pub struct ci_error {
    kind: ci_kind,
    message: CString,
    code: Option<CString>,
    request_id: Option<CString>,
    resource: Option<CString>,
    trace_id: Option<CString>,
    http_status: u16,
}

/// A C string of `s`, with any NUL (impossible from the service, possible
/// in a message quoting a Rust string) shown as `\0` rather than cutting it.
pub(crate) fn c_string(s: &str) -> CString {
    CString::new(s).unwrap_or_else(|_| CString::new(s.replace('\0', "\\0")).expect("NULs were replaced"))
}

impl ci_error {
    pub(crate) fn into_raw(e: Error) -> *mut ci_error {
        let details = e.service_details();
        let text = |f: fn(&crate::error::ServiceDetails) -> &Option<String>| details.and_then(|d| f(d).as_deref()).map(c_string);
        let error = ci_error {
            kind: e.kind().into(),
            message: c_string(e.message()),
            code: text(|d| &d.code),
            request_id: text(|d| &d.request_id),
            resource: text(|d| &d.resource),
            trace_id: text(|d| &d.trace_id),
            http_status: e.http_status().unwrap_or(0),
        };
        registry::hand_out(error, Tag::Error)
    }
}

pub(crate) fn panic_message(payload: &(dyn Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic with no message".to_owned())
}

/// The error a caught panic becomes.
pub(crate) fn panic_error(payload: Box<dyn Any + Send>) -> Error {
    Error::new(
        ErrorKind::Panic,
        format!("internal error (a bug in cloud-infinite, please report it): {}", panic_message(&*payload)),
    )
}

/// For exports that cannot return an error: the panic is logged and the
/// export returns its documented fallback value.
pub(crate) fn note_panic(payload: Box<dyn Any + Send>) {
    log::error!("cloud-infinite caught a panic at the C boundary: {}", panic_message(&*payload));
}

fn read<R>(error: *const ci_error, default: R, f: impl FnOnce(&ci_error) -> R) -> R {
    registry::with_live(error, Tag::Error, f).unwrap_or(default)
}

fn opt_ptr(s: &Option<CString>) -> *const c_char {
    s.as_ref().map_or(ptr::null(), |s| s.as_ptr())
}

/// The kind of `error`; `CI_KIND_NONE` for NULL or a pointer that is
/// not a live `ci_error`.
#[no_mangle]
pub extern "C" fn ci_error_kind(error: *const ci_error) -> ci_kind {
    ffi_boundary!(ci_kind::None, read(error, ci_kind::None, |e| e.kind))
}

/// A message for a person, never NULL for a live error (NULL otherwise).
/// Borrowed: valid until `error` is freed.
#[no_mangle]
pub extern "C" fn ci_error_message(error: *const ci_error) -> *const c_char {
    ffi_boundary!(ptr::null(), read(error, ptr::null(), |e| e.message.as_ptr()))
}

/// The service's error code (e.g. `"SignatureDoesNotMatch"`), or NULL when
/// the service did not answer with one. Borrowed: valid until `error` is freed.
#[no_mangle]
pub extern "C" fn ci_error_code(error: *const ci_error) -> *const c_char {
    ffi_boundary!(ptr::null(), read(error, ptr::null(), |e| opt_ptr(&e.code)))
}

/// The request id of the failed request (from the error body or the
/// `x-ci-request-id` header), or NULL. Borrowed: valid until `error` is freed.
#[no_mangle]
pub extern "C" fn ci_error_request_id(error: *const ci_error) -> *const c_char {
    ffi_boundary!(ptr::null(), read(error, ptr::null(), |e| opt_ptr(&e.request_id)))
}

/// The error body's `Resource`, or NULL. Borrowed: valid until `error` is freed.
#[no_mangle]
pub extern "C" fn ci_error_resource(error: *const ci_error) -> *const c_char {
    ffi_boundary!(ptr::null(), read(error, ptr::null(), |e| opt_ptr(&e.resource)))
}

/// The error body's `TraceId`, or NULL. Borrowed: valid until `error` is freed.
#[no_mangle]
pub extern "C" fn ci_error_trace_id(error: *const ci_error) -> *const c_char {
    ffi_boundary!(ptr::null(), read(error, ptr::null(), |e| opt_ptr(&e.trace_id)))
}

/// The HTTP status of the service's answer, or 0 when there was none.
#[no_mangle]
pub extern "C" fn ci_error_http_status(error: *const ci_error) -> u16 {
    ffi_boundary!(0, read(error, 0, |e| e.http_status))
}

/// Always fails with an error of kind `CI_KIND_PANIC`, by panicking
/// inside the library: lets a binding prove that a panic reaches it as an
/// error and never as a crash. `message` may be NULL.
#[no_mangle]
pub extern "C" fn ci_debug_panic(message: *const c_char) -> *mut ci_error {
    super::ffi_status(|| {
        // SAFETY: NULL or a NUL-terminated string per the contract.
        let message = unsafe { super::optional_str(message, "message") }?.unwrap_or("ci_debug_panic");
        panic!("{message}")
    })
}
