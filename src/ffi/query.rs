//! `ci_query`: the parameters of any describe call, read into the query of
//! the call's shape.

use std::ffi::c_char;
use std::time::Duration;

use super::cancel::{ci_cancel, token_from};
use super::{flag, optional_str, string_list};
use crate::cancel::CancelToken;
use super::calls::CI_MAX_PAGE_CONCURRENCY;
use super::page::ci_page_format;
use crate::error::Error;
use crate::operations::{OperationSpec, Shape};
use crate::request::{BucketQuery, CiBucketQuery, QueueQuery, QueueState};

/// `ci_query.state`.
#[repr(u32)]
#[derive(Debug, Clone, Copy)]
pub enum ci_queue_state {
    /// Not set: every state.
    Any = 0,
    /// Only active queues.
    Active = 1,
    /// Only paused queues.
    Paused = 2,
}

/// The parameters of a describe call. Zero-initialise it and set what you
/// need: NULL strings, empty lists and `has_` flags of 0 are not sent. A
/// field the call does not take (`ci_operation_info.params`) is an
/// `INVALID_ARGUMENT` error when set, never silently dropped. Borrowed for
/// the duration of the call only.
///
/// ```c
/// const char *regions[] = {"ap-shanghai", "ap-beijing"};
/// ci_query q = {0};
/// q.regions = regions; q.regions_len = 2;
/// q.has_page_size = 1; q.page_size = 100;
/// ```
#[repr(C)]
pub struct ci_query {
    /// `regions` (bucket lists): only buckets in these regions (`regions_len` strings).
    pub regions: *const *const c_char,
    /// Number of `regions`.
    pub regions_len: usize,
    /// `bucketNames` (bucket lists): only these buckets, exact `BucketName-APPID` names.
    pub bucket_names: *const *const c_char,
    /// Number of `bucket_names`.
    pub bucket_names_len: usize,
    /// `bucketName` (bucket lists): only buckets whose name starts with this.
    pub bucket_name_prefix: *const c_char,
    /// `bucketName` (`DescribeCIBuckets`): only buckets matching this name.
    pub bucket_name: *const c_char,
    /// `tagKey` (`DescribeCIBuckets`): only buckets with this tag key.
    pub tag_key: *const c_char,
    /// `region` (`DescribeCIBuckets`): only buckets in this region.
    pub region: *const c_char,
    /// `queueIds` (queue lists): only these queues (`queue_ids_len` strings).
    /// The answer then has no paging fields and lists unknown ids in
    /// `non_exist_pids`.
    pub queue_ids: *const *const c_char,
    /// Number of `queue_ids`.
    pub queue_ids_len: usize,
    /// `state` (queue lists): one of `ci_queue_state` (0: any).
    pub state: u32,
    /// `category` (media queues), e.g. `"SpeedTranscoding"`.
    pub category: *const c_char,
    /// 1 when `page_number` is set, else 0.
    pub has_page_number: u8,
    /// `pageNumber`, from 1 (0 is refused when set).
    pub page_number: u64,
    /// 1 when `page_size` is set, else 0 (the service then uses 10).
    pub has_page_size: u8,
    /// `pageSize`, 1 to 100 (0 is refused when set).
    pub page_size: u64,
    /// 1 when `timeout_ms` is set, else 0 (the client's `timeout_ms`).
    pub has_timeout_ms: u8,
    /// Not a wire parameter: this call's timeout in milliseconds (a
    /// pager's: each page's), every attempt and the reading of the answer
    /// included (0 is refused when set).
    pub timeout_ms: u64,
    /// Not a wire parameter: a `ci_cancel` that ends the call (or every page
    /// of a pager, those fetched ahead included) when cancelled; NULL for
    /// none. A pager keeps its own reference to it.
    pub cancel: *const ci_cancel,
    /// 1 when `concurrency` is set, else 0 (pagers then fetch up to
    /// `CI_DEFAULT_PAGE_CONCURRENCY` pages at once).
    pub has_concurrency: u8,
    /// Not a wire parameter, pagers only (`ci_describe` refuses it): how
    /// many pages `ci_pager_next` may fetch at once once the first page's
    /// `TotalCount` is known, 1 to `CI_MAX_PAGE_CONCURRENCY`; 1 fetches one
    /// page at a time. Pages are still handed out in order.
    pub concurrency: u32,
    /// Not a wire parameter: how the page hands out its items, one of
    /// `ci_page_format` (0: the item arrays; `CI_PAGE_FORMAT_JSON`: one
    /// JSON text in `ci_page.json`). For a pager, every page.
    pub page_format: u32,
}

/// What a query asks of the call beyond its wire parameters.
#[derive(Default)]
pub(super) struct CallOptions {
    pub(super) timeout: Option<Duration>,
    pub(super) cancel: Option<CancelToken>,
    pub(super) concurrency: Option<usize>,
    pub(super) page_format: ci_page_format,
}

/// The query of the call's shape, and the call's own timeout if set.
pub(super) enum ShapedQuery {
    Buckets(BucketQuery),
    CiBuckets(CiBucketQuery),
    Queues(QueueQuery),
}

/// A numeric field with its `has_` flag.
fn optional(has: u8, value: u64, name: &str) -> Result<Option<u64>, Error> {
    Ok(flag(has, &format!("has_{name}"))?.then_some(value))
}

/// Reads `q` (NULL: no parameters) as a query of `spec`'s shape and
/// checks it against `spec`; returns it with the call's options.
///
/// # Safety
/// `q` is NULL or points to a valid query whose pointers follow its contract.
pub(super) unsafe fn query_from(q: *const ci_query, spec: &OperationSpec) -> Result<(ShapedQuery, CallOptions), Error> {
    let shape = spec.operation.shape();
    if q.is_null() {
        let query = match shape {
            Shape::Buckets => ShapedQuery::Buckets(BucketQuery::default()),
            Shape::CiBuckets => ShapedQuery::CiBuckets(CiBucketQuery::default()),
            Shape::Queues => ShapedQuery::Queues(QueueQuery::default()),
        };
        return Ok((query, CallOptions::default()));
    }
    // SAFETY: non-NULL and valid per the contract, as are its pointers.
    let q = unsafe { &*q };
    let text = |p: *const c_char, name: &str| {
        // SAFETY: every string field is NULL or a valid C string per the contract.
        unsafe { optional_str(p, name) }.map(|s| s.map(str::to_owned))
    };
    let page_number = optional(q.has_page_number, q.page_number, "page_number")?;
    let page_size = optional(q.has_page_size, q.page_size, "page_size")?;
    let timeout = match optional(q.has_timeout_ms, q.timeout_ms, "timeout_ms")? {
        Some(0) => return Err(Error::invalid_argument("timeout_ms is 0 with has_timeout_ms set: give a timeout of at least 1 ms")),
        ms => ms.map(Duration::from_millis),
    };
    let concurrency = match optional(q.has_concurrency, u64::from(q.concurrency), "concurrency")? {
        Some(n) if !(1..=u64::from(CI_MAX_PAGE_CONCURRENCY)).contains(&n) => {
            return Err(Error::invalid_argument(format!("concurrency must be 1 to {CI_MAX_PAGE_CONCURRENCY}, got {n}")))
        }
        n => n.map(|n| n as usize),
    };
    const STRUCTS: u32 = ci_page_format::Structs as u32;
    const JSON: u32 = ci_page_format::Json as u32;
    let page_format = match q.page_format {
        STRUCTS => ci_page_format::Structs,
        JSON => ci_page_format::Json,
        other => return Err(Error::invalid_argument(format!("page_format {other} is not a ci_page_format (0 structs, 1 JSON)"))),
    };
    let options = CallOptions { timeout, cancel: token_from(q.cancel)?, concurrency, page_format };

    // Fields of another shape than the call's: refused by name.
    let foreign: &[(&str, bool)] = match shape {
        Shape::Buckets => &[
            ("bucket_name", !q.bucket_name.is_null()),
            ("tag_key", !q.tag_key.is_null()),
            ("region", !q.region.is_null()),
            ("queue_ids", q.queue_ids_len != 0),
            ("state", q.state != 0),
            ("category", !q.category.is_null()),
        ],
        Shape::CiBuckets => &[
            ("regions", q.regions_len != 0),
            ("bucket_names", q.bucket_names_len != 0),
            ("bucket_name_prefix", !q.bucket_name_prefix.is_null()),
            ("queue_ids", q.queue_ids_len != 0),
            ("state", q.state != 0),
            ("category", !q.category.is_null()),
        ],
        Shape::Queues => &[
            ("regions", q.regions_len != 0),
            ("bucket_names", q.bucket_names_len != 0),
            ("bucket_name_prefix", !q.bucket_name_prefix.is_null()),
            ("bucket_name", !q.bucket_name.is_null()),
            ("tag_key", !q.tag_key.is_null()),
            ("region", !q.region.is_null()),
        ],
    };
    if let Some((name, _)) = foreign.iter().find(|(_, set)| *set) {
        return Err(Error::invalid_argument(format!("{} takes no {name}: leave it NULL or 0", spec.name)));
    }

    let query = match shape {
        Shape::Buckets => ShapedQuery::Buckets(BucketQuery {
            // SAFETY: per the contract.
            regions: unsafe { string_list(q.regions, q.regions_len, "regions") }?,
            // SAFETY: per the contract.
            bucket_names: unsafe { string_list(q.bucket_names, q.bucket_names_len, "bucket_names") }?,
            bucket_name_prefix: text(q.bucket_name_prefix, "bucket_name_prefix")?,
            page_number,
            page_size,
        }),
        Shape::CiBuckets => ShapedQuery::CiBuckets(CiBucketQuery {
            bucket_name: text(q.bucket_name, "bucket_name")?,
            tag_key: text(q.tag_key, "tag_key")?,
            region: text(q.region, "region")?,
            page_number,
            page_size,
        }),
        Shape::Queues => {
            const ANY: u32 = ci_queue_state::Any as u32;
            const ACTIVE: u32 = ci_queue_state::Active as u32;
            const PAUSED: u32 = ci_queue_state::Paused as u32;
            let state = match q.state {
                ANY => None,
                ACTIVE => Some(QueueState::Active),
                PAUSED => Some(QueueState::Paused),
                other => return Err(Error::invalid_argument(format!("state {other} is not a ci_queue_state (0 any, 1 active, 2 paused)"))),
            };
            ShapedQuery::Queues(QueueQuery {
                // SAFETY: per the contract.
                queue_ids: unsafe { string_list(q.queue_ids, q.queue_ids_len, "queue_ids") }?,
                state,
                category: text(q.category, "category")?,
                page_number,
                page_size,
            })
        }
    };
    // Checked now, so that a pager refuses a bad query when it is made.
    use crate::request::Query as _;
    match &query {
        ShapedQuery::Buckets(q) => q.to_params(spec).map(drop),
        ShapedQuery::CiBuckets(q) => q.to_params(spec).map(drop),
        ShapedQuery::Queues(q) => q.to_params(spec).map(drop),
    }?;
    Ok((query, options))
}
