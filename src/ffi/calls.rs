//! The describe calls through one generic entry point and one generic
//! pager, which take the operation (`ci_operation`); the two calls of ABI 1
//! keep their own names as thin forms of it.

use std::ffi::c_char;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use super::client::{client_from, not_live, ci_client};
use super::page::{ci_page, ci_page_format, hand_out_bucket_page, hand_out_ci_bucket_page, hand_out_queue_page};
use super::query::{ci_query, query_from, CallOptions, ShapedQuery};
use super::registry::{self, Tag};
use super::{ci_error, ffi_result, null_argument, optional_str, required_str};
use crate::client::{Client, Pages};
use crate::error::{Error, ErrorKind};
use super::operations::ci_operation;
use crate::operations::{HostLevel, Operation};
use crate::request::{BucketQuery, CiBucketQuery, QueueQuery};

/// The operation with C ABI id `operation`.
fn operation_from(operation: u32) -> Result<Operation, Error> {
    Operation::from_id(operation).ok_or_else(|| {
        Error::invalid_argument(format!(
            "operation {operation} is not a ci_operation (1 to {}; see ci_operations())",
            crate::operations::OPERATIONS.len()
        ))
    })
}

/// The client, with the query's timeout and cancel handle if it sets them.
fn client_for_call(client: *const ci_client, options: &CallOptions) -> Result<Client, Error> {
    let mut client = client_from(client)?;
    if let Some(timeout) = options.timeout {
        client = client.with_timeout(timeout)?;
    }
    if let Some(token) = &options.cancel {
        client = client.with_cancel(token);
    }
    Ok(client)
}

/// Everything a call needs, read and checked from its C arguments.
struct CallArgs<'a> {
    operation: Operation,
    bucket: Option<&'a str>,
    query: ShapedQuery,
    client: Client,
    /// Pagers only.
    concurrency: Option<usize>,
    page_format: ci_page_format,
}

/// # Safety
/// `bucket` is NULL or a valid C string; `query` is NULL or valid per its contract.
unsafe fn call_args<'a>(client: *const ci_client, operation: u32, bucket: *const c_char, query: *const ci_query) -> Result<CallArgs<'a>, Error> {
    let operation = operation_from(operation)?;
    let spec = operation.spec();
    let bucket = match operation.host_level() {
        // SAFETY: per the contract.
        HostLevel::Bucket => Some(unsafe { required_str(bucket, "bucket") }?),
        HostLevel::Service => {
            // SAFETY: per the contract.
            if unsafe { optional_str(bucket, "bucket") }?.is_some() {
                return Err(Error::invalid_argument(format!("{} lists the account's buckets: pass NULL for bucket", spec.name)));
            }
            None
        }
    };
    if let Some(bucket) = bucket {
        crate::request::validate_bucket(bucket)?;
    }
    // SAFETY: per the contract.
    let (query, options) = unsafe { query_from(query, spec) }?;
    Ok(CallArgs { operation, bucket, query, client: client_for_call(client, &options)?, concurrency: options.concurrency, page_format: options.page_format })
}

fn describe(args: CallArgs<'_>) -> Result<*mut ci_page, Error> {
    let CallArgs { operation, bucket, query, client, concurrency, page_format } = args;
    if concurrency.is_some() {
        return Err(Error::invalid_argument("concurrency is for pagers (ci_pager_new): one call fetches one page; leave has_concurrency 0"));
    }
    let started = Instant::now();
    let page = match query {
        ShapedQuery::Buckets(q) => hand_out_bucket_page(operation, client.describe(operation, bucket, &q)?, page_format),
        ShapedQuery::CiBuckets(q) => hand_out_ci_bucket_page(operation, client.describe(operation, bucket, &q)?, page_format),
        ShapedQuery::Queues(q) => hand_out_queue_page(operation, client.describe(operation, bucket, &q)?, page_format),
    };
    // The timeout covers the whole call, the page's conversion for C included.
    if started.elapsed() > client.timeout() {
        registry::release(page.cast());
        return Err(Error::new(
            ErrorKind::Timeout,
            format!("{}: the answer was read but not converted within the call's {:?} timeout", operation.spec().name, client.timeout()),
        ));
    }
    Ok(page)
}

/// Any describe call: one page of `operation` (a `ci_operation`). `bucket`
/// is the `BucketName-APPID` of a queue call (required) and must be NULL
/// for a bucket call; `query` may be NULL (no parameters). Blocks until the
/// call ends (the client's or the query's timeout at most); safe to call
/// from many threads on one client.
///
/// On success `*out` is a new page the caller owns (release it with
/// `ci_free`) and NULL is returned. On failure `*out` is NULL and the error
/// says why: `NULL_ARGUMENT` (`client`, `out`, a queue call's `bucket`, a
/// list with a length but a NULL array or item), `INVALID_ARGUMENT` (an
/// unknown operation, a handle that is not a live client, a bucket that is
/// not `BucketName-APPID` or given to a bucket call, a parameter the call
/// does not take, a page size outside 1..100, a region that is not a region
/// name, a list item that is empty or holds a comma, a flag other than 0
/// or 1, non-UTF-8), `NETWORK`, `TIMEOUT`, `SERVICE` (see `ci_error_code`;
/// `NoSuchBucket` for an unknown bucket), `PARSE`, `RESPONSE_TOO_LARGE`.
///
/// ```c
/// ci_page *page = NULL;
/// ci_error *err = ci_describe(client, CI_OPERATION_MEDIA_QUEUES, "examplebucket-1250000000", NULL, &page);
/// ```
#[no_mangle]
pub extern "C" fn ci_describe(
    client: *const ci_client,
    operation: u32,
    bucket: *const c_char,
    query: *const ci_query,
    out: *mut *mut ci_page,
) -> *mut ci_error {
    ffi_result(out, || {
        // SAFETY: the pointers are NULL or valid per the contract.
        describe(unsafe { call_args(client, operation, bucket, query) }?)
    })
}

/// DescribePicProcessBucket: `ci_describe` with `CI_OPERATION_PIC_BUCKETS`
/// and no bucket.
#[no_mangle]
pub extern "C" fn ci_describe_pic_buckets(client: *const ci_client, query: *const ci_query, out: *mut *mut ci_page) -> *mut ci_error {
    ci_describe(client, ci_operation::PicBuckets as u32, std::ptr::null(), query, out)
}

/// DescribeAiProcessQueues: `ci_describe` with `CI_OPERATION_AI_QUEUES`.
#[no_mangle]
pub extern "C" fn ci_describe_ai_queues(
    client: *const ci_client,
    bucket: *const c_char,
    query: *const ci_query,
    out: *mut *mut ci_page,
) -> *mut ci_error {
    ci_describe(client, ci_operation::AiQueues as u32, bucket, query, out)
}

/// How many pages a pager fetches at once when `ci_query` sets no
/// `concurrency`: the first page alone, then up to this many in parallel.
pub const CI_DEFAULT_PAGE_CONCURRENCY: u32 = 10;
/// The most `ci_query.concurrency` may ask.
pub const CI_MAX_PAGE_CONCURRENCY: u32 = 64;


/// The page walk of one query, of whichever shape.
enum ShapedPages {
    Buckets(Pages<BucketQuery>),
    CiBuckets(Pages<CiBucketQuery>),
    Queues(Pages<QueueQuery>),
}

/// Walks every page of one call's query: opaque; release it with `ci_free`.
/// Calls to `ci_pager_next` on one pager from several threads are
/// serialised (each gets the next page in turn); pagers are independent.
/// Once the first page tells the `TotalCount`, the pager fetches the next
/// pages ahead in parallel (`ci_query.concurrency`), on threads of its own,
/// and hands them out in order; freeing the pager cancels them.
pub struct ci_pager {
    operation: Operation,
    format: ci_page_format,
    pages: Arc<Mutex<ShapedPages>>,
}

/// Starts walking every page of `operation`'s `query` (NULL: no
/// parameters) from its `page_number` (default 1); `bucket` as for
/// `ci_describe`. Nothing is sent until `ci_pager_next`. The arguments are
/// checked now: on failure `*out` is NULL and the error is as for
/// `ci_describe`. On success `*out` is a pager the caller owns (release it
/// with `ci_free`); it keeps its own reference to the client.
#[no_mangle]
pub extern "C" fn ci_pager_new(
    client: *const ci_client,
    operation: u32,
    bucket: *const c_char,
    query: *const ci_query,
    out: *mut *mut ci_pager,
) -> *mut ci_error {
    ffi_result(out, || {
        // SAFETY: the pointers are NULL or valid per the contract.
        let CallArgs { operation, bucket, query, client, concurrency, page_format } = unsafe { call_args(client, operation, bucket, query) }?;
        let concurrency = concurrency.unwrap_or(CI_DEFAULT_PAGE_CONCURRENCY as usize);
        let pages = match query {
            ShapedQuery::Buckets(q) => ShapedPages::Buckets(client.pages(operation, bucket, q).with_concurrency(concurrency)?),
            ShapedQuery::CiBuckets(q) => ShapedPages::CiBuckets(client.pages(operation, bucket, q).with_concurrency(concurrency)?),
            ShapedQuery::Queues(q) => ShapedPages::Queues(client.pages(operation, bucket, q).with_concurrency(concurrency)?),
        };
        Ok(registry::hand_out(ci_pager { operation, format: page_format, pages: Arc::new(Mutex::new(pages)) }, Tag::Pager))
    })
}

/// Fetches the next page. On success NULL is returned and `*out` is the
/// next page (the caller owns it) or NULL when the walk is over. On failure
/// `*out` is NULL, the error is as for `ci_describe`, and the walk is over.
#[no_mangle]
pub extern "C" fn ci_pager_next(pager: *mut ci_pager, out: *mut *mut ci_page) -> *mut ci_error {
    ffi_result(out, || {
        if pager.is_null() {
            return Err(null_argument("pager"));
        }
        let (operation, format, pages) = registry::with_live(pager, Tag::Pager, |p: &ci_pager| (p.operation, p.format, Arc::clone(&p.pages)))
            .ok_or_else(|| Error::invalid_argument(not_live("pager", pager.cast(), Tag::Pager)))?;
        let mut pages = pages.lock().unwrap_or_else(|p| p.into_inner());
        Ok(match &mut *pages {
            ShapedPages::Buckets(p) => p.next().transpose()?.map_or(std::ptr::null_mut(), |page| hand_out_bucket_page(operation, page, format)),
            ShapedPages::CiBuckets(p) => p.next().transpose()?.map_or(std::ptr::null_mut(), |page| hand_out_ci_bucket_page(operation, page, format)),
            ShapedPages::Queues(p) => p.next().transpose()?.map_or(std::ptr::null_mut(), |page| hand_out_queue_page(operation, page, format)),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_concurrency_constants_are_the_cores() {
        // Literals in the header (cbindgen writes what it sees), held to the core here.
        assert_eq!(CI_DEFAULT_PAGE_CONCURRENCY as usize, crate::client::DEFAULT_PAGE_CONCURRENCY);
        assert_eq!(CI_MAX_PAGE_CONCURRENCY as usize, crate::client::MAX_PAGE_CONCURRENCY);
    }
}
