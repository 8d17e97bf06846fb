//! The two calls, their page walkers, the signer, and struct sizes.

use std::ffi::c_char;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::client::{client_from, not_live, ci_client, ci_client_options};
use super::registry::{self, Tag};
use super::results::{
    hand_out_ai_queue_page, hand_out_pic_bucket_page, hand_out_signature, ci_ai_queue, ci_ai_queue_page, ci_notify_config, ci_pic_bucket,
    ci_pic_bucket_page, ci_signature,
};
use super::{ffi_boundary, ffi_result, null_argument, optional_str, required_element, required_str, string_list, ci_error};
use crate::client::{AiQueuePages, Client, PicBucketPages};
use crate::error::Error;
use crate::request::{AiQueueQuery, PicBucketQuery, QueueState};
use crate::sign::{self, Credentials, SignWindow};

/// Parameters of `ci_describe_pic_buckets`. Zero, NULL and empty lists mean
/// "not set" (not sent). Borrowed for the duration of the call only.
///
/// ```c
/// const char *regions[] = {"ap-shanghai", "ap-beijing"};
/// ci_pic_bucket_query q = {0};
/// q.regions = regions; q.regions_len = 2; q.page_size = 100;
/// ```
#[repr(C)]
pub struct ci_pic_bucket_query {
    /// `regions`: only buckets in these regions (`regions_len` strings).
    pub regions: *const *const c_char,
    /// Number of `regions`.
    pub regions_len: usize,
    /// `bucketNames`: only these buckets, exact `BucketName-APPID` names.
    pub bucket_names: *const *const c_char,
    /// Number of `bucket_names`.
    pub bucket_names_len: usize,
    /// `bucketName`: only buckets whose name starts with this.
    pub bucket_name_prefix: *const c_char,
    /// `pageNumber`, from 1 (0: not sent; the service starts at 1).
    pub page_number: u64,
    /// `pageSize`, 1 to 100 (0: not sent; the service uses 10).
    pub page_size: u64,
    /// Not a wire parameter: this call's timeout in milliseconds, all
    /// attempts included (0: the client's `timeout_ms`).
    pub timeout_ms: u64,
}

/// `ci_ai_queue_query.state`.
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

/// Parameters of `ci_describe_ai_queues`. Zero, NULL and empty lists mean
/// "not set" (not sent). Borrowed for the duration of the call only.
#[repr(C)]
pub struct ci_ai_queue_query {
    /// `queueIds`: only these queues (`queue_ids_len` strings). The answer
    /// then has no paging fields and lists unknown ids in `non_exist_pids`.
    pub queue_ids: *const *const c_char,
    /// Number of `queue_ids`.
    pub queue_ids_len: usize,
    /// `state`: one of `ci_queue_state` (0: any).
    pub state: u32,
    /// `category`, e.g. `"AIProcess"`.
    pub category: *const c_char,
    /// `pageNumber`, from 1 (0: not sent).
    pub page_number: u64,
    /// `pageSize`, 1 to 100 (0: not sent).
    pub page_size: u64,
    /// Not a wire parameter: this call's timeout in milliseconds, all
    /// attempts included (0: the client's `timeout_ms`).
    pub timeout_ms: u64,
}

fn nonzero(n: u64) -> Option<u64> {
    (n != 0).then_some(n)
}

/// The client, with the query's timeout if it sets one.
fn client_for_call(client: *const ci_client, timeout_ms: u64) -> Result<Client, Error> {
    let client = client_from(client)?;
    match timeout_ms {
        0 => Ok(client),
        ms => client.with_timeout(Duration::from_millis(ms)),
    }
}

/// # Safety
/// `q` is NULL or points to a valid query whose pointers follow its contract.
unsafe fn pic_query_from(q: *const ci_pic_bucket_query) -> Result<(PicBucketQuery, u64), Error> {
    if q.is_null() {
        return Ok((PicBucketQuery::default(), 0));
    }
    // SAFETY: non-NULL and valid per the contract, as are its pointers.
    let q = unsafe { &*q };
    let query = PicBucketQuery {
        // SAFETY: per the contract.
        regions: unsafe { string_list(q.regions, q.regions_len, "regions") }?,
        // SAFETY: per the contract.
        bucket_names: unsafe { string_list(q.bucket_names, q.bucket_names_len, "bucket_names") }?,
        // SAFETY: per the contract.
        bucket_name_prefix: unsafe { optional_str(q.bucket_name_prefix, "bucket_name_prefix") }?.map(str::to_owned),
        page_number: nonzero(q.page_number),
        page_size: nonzero(q.page_size),
    };
    query.to_params()?;
    Ok((query, q.timeout_ms))
}

/// # Safety
/// `q` is NULL or points to a valid query whose pointers follow its contract.
unsafe fn ai_query_from(q: *const ci_ai_queue_query) -> Result<(AiQueueQuery, u64), Error> {
    if q.is_null() {
        return Ok((AiQueueQuery::default(), 0));
    }
    // SAFETY: non-NULL and valid per the contract, as are its pointers.
    let q = unsafe { &*q };
    const ANY: u32 = ci_queue_state::Any as u32;
    const ACTIVE: u32 = ci_queue_state::Active as u32;
    const PAUSED: u32 = ci_queue_state::Paused as u32;
    let state = match q.state {
        ANY => None,
        ACTIVE => Some(QueueState::Active),
        PAUSED => Some(QueueState::Paused),
        other => return Err(Error::invalid_argument(format!("state {other} is not a ci_queue_state (0 any, 1 active, 2 paused)"))),
    };
    let query = AiQueueQuery {
        // SAFETY: per the contract.
        queue_ids: unsafe { string_list(q.queue_ids, q.queue_ids_len, "queue_ids") }?,
        state,
        // SAFETY: per the contract.
        category: unsafe { optional_str(q.category, "category") }?.map(str::to_owned),
        page_number: nonzero(q.page_number),
        page_size: nonzero(q.page_size),
    };
    query.to_params()?;
    Ok((query, q.timeout_ms))
}

/// DescribePicProcessBucket: one page of the account's image-processing
/// buckets. `query` may be NULL (no parameters). Blocks until the call ends
/// (the client's or the query's timeout at most); safe to call from many
/// threads on one client.
///
/// On success `*out` is a new page the caller owns (release it with
/// `ci_free`) and NULL is returned. On failure `*out` is NULL and the error
/// says why: `NULL_ARGUMENT` (`client`, `out`, a list with a length but a
/// NULL array or item), `INVALID_ARGUMENT` (a handle that is not a live
/// client, a page size outside 1..100, a region that is not a region name,
/// a list item that is empty or holds a comma, non-UTF-8), `NETWORK`,
/// `TIMEOUT`, `SERVICE` (see `ci_error_code`), `PARSE`, `RESPONSE_TOO_LARGE`.
#[no_mangle]
pub extern "C" fn ci_describe_pic_buckets(
    client: *const ci_client,
    query: *const ci_pic_bucket_query,
    out: *mut *mut ci_pic_bucket_page,
) -> *mut ci_error {
    ffi_result(out, || {
        // SAFETY: `query` is NULL or valid per the contract.
        let (query, timeout_ms) = unsafe { pic_query_from(query) }?;
        let client = client_for_call(client, timeout_ms)?;
        Ok(hand_out_pic_bucket_page(client.describe_pic_buckets(&query)?))
    })
}

/// DescribeAiProcessQueues: one page of a bucket's AI queues. `bucket` is
/// `BucketName-APPID` (required); `query` may be NULL. Blocking and
/// thread-safe as `ci_describe_pic_buckets`.
///
/// On success `*out` is a new page the caller owns (release it with
/// `ci_free`). On failure `*out` is NULL and the error says why, as for
/// `ci_describe_pic_buckets`, plus `INVALID_ARGUMENT` for a bucket that is
/// not of the `BucketName-APPID` form (so it cannot change the host) and
/// `SERVICE` with code `NoSuchBucket` for an unknown bucket.
#[no_mangle]
pub extern "C" fn ci_describe_ai_queues(
    client: *const ci_client,
    bucket: *const c_char,
    query: *const ci_ai_queue_query,
    out: *mut *mut ci_ai_queue_page,
) -> *mut ci_error {
    ffi_result(out, || {
        // SAFETY: `bucket` is NULL or a valid C string per the contract.
        let bucket = unsafe { required_str(bucket, "bucket") }?;
        // SAFETY: `query` is NULL or valid per the contract.
        let (query, timeout_ms) = unsafe { ai_query_from(query) }?;
        let client = client_for_call(client, timeout_ms)?;
        Ok(hand_out_ai_queue_page(client.describe_ai_queues(bucket, &query)?))
    })
}

/// Walks every page of a pic-bucket query: opaque; release it with `ci_free`.
/// Calls to `_next` on one pager from several threads are serialised (each
/// gets the next page in turn); separate pagers are independent.
pub struct ci_pic_bucket_pager {
    pages: Arc<Mutex<PicBucketPages>>,
}

/// Walks every page of an AI-queue query; see `ci_pic_bucket_pager`.
pub struct ci_ai_queue_pager {
    pages: Arc<Mutex<AiQueuePages>>,
}

/// Starts walking every page of `query` (NULL: no parameters) from its
/// `page_number` (default 1). Nothing is sent until `ci_pic_bucket_pager_next`.
/// The query is checked now: on failure `*out` is NULL and the error is as
/// for `ci_describe_pic_buckets`. On success `*out` is a pager the caller
/// owns (release it with `ci_free`); it keeps its own reference to the client.
#[no_mangle]
pub extern "C" fn ci_pic_bucket_pager_new(
    client: *const ci_client,
    query: *const ci_pic_bucket_query,
    out: *mut *mut ci_pic_bucket_pager,
) -> *mut ci_error {
    ffi_result(out, || {
        // SAFETY: `query` is NULL or valid per the contract.
        let (query, timeout_ms) = unsafe { pic_query_from(query) }?;
        let client = client_for_call(client, timeout_ms)?;
        let pages = Arc::new(Mutex::new(client.pic_bucket_pages(query)));
        Ok(registry::hand_out(ci_pic_bucket_pager { pages }, Tag::PicBucketPager))
    })
}

/// Fetches the next page. On success NULL is returned and `*out` is the
/// next page (the caller owns it) or NULL when the walk is over. On failure
/// `*out` is NULL, the error is as for `ci_describe_pic_buckets`, and the
/// walk is over.
#[no_mangle]
pub extern "C" fn ci_pic_bucket_pager_next(pager: *mut ci_pic_bucket_pager, out: *mut *mut ci_pic_bucket_page) -> *mut ci_error {
    ffi_result(out, || {
        let pages = pager_pages(pager, Tag::PicBucketPager, |p: &ci_pic_bucket_pager| Arc::clone(&p.pages))?;
        let next = pages.lock().unwrap_or_else(|p| p.into_inner()).next();
        match next {
            None => Ok(std::ptr::null_mut()),
            Some(page) => Ok(hand_out_pic_bucket_page(page?)),
        }
    })
}

/// Starts walking every page of a bucket's AI queues; see
/// `ci_pic_bucket_pager_new`. With `queue_ids` there is a single page.
#[no_mangle]
pub extern "C" fn ci_ai_queue_pager_new(
    client: *const ci_client,
    bucket: *const c_char,
    query: *const ci_ai_queue_query,
    out: *mut *mut ci_ai_queue_pager,
) -> *mut ci_error {
    ffi_result(out, || {
        // SAFETY: `bucket` is NULL or a valid C string per the contract.
        let bucket = unsafe { required_str(bucket, "bucket") }?;
        crate::request::validate_bucket(bucket)?;
        // SAFETY: `query` is NULL or valid per the contract.
        let (query, timeout_ms) = unsafe { ai_query_from(query) }?;
        let client = client_for_call(client, timeout_ms)?;
        let pages = Arc::new(Mutex::new(client.ai_queue_pages(bucket, query)));
        Ok(registry::hand_out(ci_ai_queue_pager { pages }, Tag::AiQueuePager))
    })
}

/// Fetches the next page of AI queues; see `ci_pic_bucket_pager_next`.
#[no_mangle]
pub extern "C" fn ci_ai_queue_pager_next(pager: *mut ci_ai_queue_pager, out: *mut *mut ci_ai_queue_page) -> *mut ci_error {
    ffi_result(out, || {
        let pages = pager_pages(pager, Tag::AiQueuePager, |p: &ci_ai_queue_pager| Arc::clone(&p.pages))?;
        let next = pages.lock().unwrap_or_else(|p| p.into_inner()).next();
        match next {
            None => Ok(std::ptr::null_mut()),
            Some(page) => Ok(hand_out_ai_queue_page(page?)),
        }
    })
}

fn pager_pages<P, R>(pager: *const P, tag: Tag, get: impl FnOnce(&P) -> R) -> Result<R, Error> {
    if pager.is_null() {
        return Err(null_argument("pager"));
    }
    registry::with_live(pager, tag, get).ok_or_else(|| Error::invalid_argument(not_live("pager", pager.cast(), tag)))
}

/// A name and a value (a query parameter or a header) for `ci_sign`.
#[repr(C)]
pub struct ci_kv {
    /// The raw name (not yet encoded).
    pub name: *const c_char,
    /// The raw value (not yet encoded).
    pub value: *const c_char,
}

/// What `ci_sign` signs. All strings are borrowed for the call only.
#[repr(C)]
pub struct ci_sign_request {
    /// SecretId (`q-ak`). Required.
    pub secret_id: *const c_char,
    /// SecretKey. Required.
    pub secret_key: *const c_char,
    /// HTTP method, e.g. `"GET"`. Required.
    pub method: *const c_char,
    /// Path, e.g. `"/picbucket"`, used as given. Required.
    pub path: *const c_char,
    /// Query parameters (`params_len` of them), all signed.
    pub params: *const ci_kv,
    /// Number of `params`.
    pub params_len: usize,
    /// Headers (`headers_len` of them); those the official SDKs sign are signed
    /// (`host`, content and conditional headers, `x-cos-*`, `x-ci-*`...).
    pub headers: *const ci_kv,
    /// Number of `headers`.
    pub headers_len: usize,
    /// First second of validity (Unix time).
    pub start_time: u64,
    /// Last second of validity (Unix time), not before `start_time`.
    pub end_time: u64,
}

/// # Safety
/// When `len > 0`, `items` points to `len` pairs of NULL or valid C strings,
/// valid for `'a` (the call).
unsafe fn pairs<'a>(items: *const ci_kv, len: usize, name: &str) -> Result<Vec<(&'a str, &'a str)>, Error> {
    if len == 0 {
        return Ok(Vec::new());
    }
    super::check_array(items, len, name)?;
    // SAFETY: `items` holds `len` pairs per the contract.
    let slice = unsafe { std::slice::from_raw_parts(items, len) };
    slice
        .iter()
        .enumerate()
        .map(|(i, kv)| {
            // SAFETY: each string is NULL or valid per the contract.
            let k = unsafe { required_element(kv.name, || format!("{name}[{i}].name")) }?;
            // SAFETY: as above.
            let v = unsafe { required_element(kv.value, || format!("{name}[{i}].value")) }?;
            Ok((k, v))
        })
        .collect()
}

/// Signs any request with `q-sign-algorithm=sha1` exactly as Tencent's SDKs
/// do, for calls this library does not wrap. Pure: nothing is sent.
///
/// On success `*out` is a new signature the caller owns (release it with
/// `ci_free`); its `authorization` goes in the `Authorization` header. On
/// failure `*out` is NULL: `NULL_ARGUMENT` for a NULL `request`, `out` or
/// required string; `INVALID_ARGUMENT` for non-UTF-8, an empty SecretId or
/// SecretKey, a SecretId that is not printable ASCII, or `end_time < start_time`.
#[no_mangle]
pub extern "C" fn ci_sign(request: *const ci_sign_request, out: *mut *mut ci_signature) -> *mut ci_error {
    ffi_result(out, || {
        if request.is_null() {
            return Err(null_argument("request"));
        }
        // SAFETY: non-NULL and valid per the contract.
        let r = unsafe { &*request };
        // SAFETY: the four strings are NULL or valid C strings per the contract.
        let (secret_id, secret_key, method, path) = unsafe {
            (
                required_str(r.secret_id, "secret_id")?,
                required_str(r.secret_key, "secret_key")?,
                required_str(r.method, "method")?,
                required_str(r.path, "path")?,
            )
        };
        // SAFETY: as above.
        let params = unsafe { pairs(r.params, r.params_len, "params") }?;
        // SAFETY: as above.
        let headers = unsafe { pairs(r.headers, r.headers_len, "headers") }?;
        if r.end_time < r.start_time {
            return Err(Error::invalid_argument(format!("end_time {} is before start_time {}", r.end_time, r.start_time)));
        }
        let window = SignWindow { start: r.start_time, end: r.end_time };
        let credentials = Credentials::new(secret_id, secret_key);
        // A SecretId that is not printable ASCII would make an Authorization
        // value no HTTP header can carry.
        credentials.validate()?;
        let signature = sign::sign(&credentials, method, path, &params, &headers, window);
        Ok(hand_out_signature(&signature))
    })
}

/// `ci_struct_size` argument: which struct.
#[repr(u32)]
#[derive(Debug, Clone, Copy)]
pub enum ci_struct_id {
    /// `ci_client_options`.
    ClientOptions = 1,
    /// `ci_pic_bucket_query`.
    PicBucketQuery = 2,
    /// `ci_ai_queue_query`.
    AiQueueQuery = 3,
    /// `ci_pic_bucket`.
    PicBucket = 4,
    /// `ci_pic_bucket_page`.
    PicBucketPage = 5,
    /// `ci_notify_config`.
    NotifyConfig = 6,
    /// `ci_ai_queue`.
    AiQueue = 7,
    /// `ci_ai_queue_page`.
    AiQueuePage = 8,
    /// `ci_kv`.
    Kv = 9,
    /// `ci_sign_request`.
    SignRequest = 10,
    /// `ci_signature`.
    Signature = 11,
}

/// The size in bytes of the struct `which` (one of `ci_struct_id`) as this
/// library lays it out, or 0 for an unknown id. Bindings that mirror the
/// structs compare their own sizes with these when they load.
#[no_mangle]
pub extern "C" fn ci_struct_size(which: u32) -> usize {
    use std::mem::size_of;
    ffi_boundary!(0, {
        use ci_struct_id as id;
        const SIZES: [(ci_struct_id, usize); 11] = [
            (id::ClientOptions, size_of::<ci_client_options>()),
            (id::PicBucketQuery, size_of::<ci_pic_bucket_query>()),
            (id::AiQueueQuery, size_of::<ci_ai_queue_query>()),
            (id::PicBucket, size_of::<ci_pic_bucket>()),
            (id::PicBucketPage, size_of::<ci_pic_bucket_page>()),
            (id::NotifyConfig, size_of::<ci_notify_config>()),
            (id::AiQueue, size_of::<ci_ai_queue>()),
            (id::AiQueuePage, size_of::<ci_ai_queue_page>()),
            (id::Kv, size_of::<ci_kv>()),
            (id::SignRequest, size_of::<ci_sign_request>()),
            (id::Signature, size_of::<ci_signature>()),
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
