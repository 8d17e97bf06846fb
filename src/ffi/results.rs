//! Read-only result trees handed to C: each page is one allocation of
//! structs plus one arena holding all of its strings, released together by
//! `ci_free` on the page.

use std::ffi::c_char;
use std::ptr;

use super::registry::{self, Tag};
use crate::model::{AiQueue, AiQueuePage, NotifyConfig, PicBucket, PicBucketPage};
use crate::sign::Signature;

/// Every string of one result, NUL-terminated, in one buffer. Offsets are
/// recorded while building and turned into pointers once the buffer no
/// longer grows.
#[derive(Default)]
struct Arena {
    bytes: Vec<u8>,
}

/// Where a string will be in the arena; `NONE` for an absent string.
#[derive(Clone, Copy)]
struct Slot(usize);

impl Slot {
    const NONE: Slot = Slot(usize::MAX);
}

impl Arena {
    fn add(&mut self, s: &str) -> Slot {
        let at = self.bytes.len();
        // The parser rejects NUL in text, so each string is one C string.
        self.bytes.extend_from_slice(s.as_bytes());
        self.bytes.push(0);
        Slot(at)
    }

    fn add_opt(&mut self, s: &Option<String>) -> Slot {
        s.as_deref().map_or(Slot::NONE, |s| self.add(s))
    }

    fn ptr(&self, slot: Slot) -> *const c_char {
        if slot.0 == usize::MAX {
            ptr::null()
        } else {
            // SAFETY: `slot` was returned by `add` on this arena, so it is in bounds.
            unsafe { self.bytes.as_ptr().add(slot.0).cast() }
        }
    }
}

/// One bucket (`PicBucketList`). Strings are NULL when the element was absent.
#[repr(C)]
pub struct ci_pic_bucket {
    /// `BucketId`, e.g. `"examplebucket-1250000000"`.
    pub bucket_id: *const c_char,
    /// `Name`, the same as `BucketId`.
    pub name: *const c_char,
    /// `Region`, e.g. `"ap-beijing"`.
    pub region: *const c_char,
    /// `CreateTime`, as the service wrote it.
    pub create_time: *const c_char,
}

/// One page of DescribePicProcessBucket: read-only, allocated by the library
/// and owned by the caller, who releases it with `ci_free` (which also
/// invalidates every string and array in it).
#[repr(C)]
pub struct ci_pic_bucket_page {
    /// `RequestId`, or NULL.
    pub request_id: *const c_char,
    /// Whether `total_count` was present.
    pub has_total_count: bool,
    /// `TotalCount`: matching buckets across all pages.
    pub total_count: u64,
    /// Whether `page_number` was present.
    pub has_page_number: bool,
    /// `PageNumber`, from 1.
    pub page_number: u64,
    /// Whether `page_size` was present.
    pub has_page_size: bool,
    /// `PageSize`.
    pub page_size: u64,
    /// The buckets, `buckets_len` of them (NULL when there are none).
    pub buckets: *const ci_pic_bucket,
    /// Number of `buckets`.
    pub buckets_len: usize,
}

/// A queue's callback settings (`NotifyConfig`). Strings are NULL when absent.
#[repr(C)]
pub struct ci_notify_config {
    /// `Url`: the callback address.
    pub url: *const c_char,
    /// `Event`, e.g. `"TaskFinish,WorkflowFinish"`.
    pub event: *const c_char,
    /// `Type`: `"Url"` or `"TDMQ"`.
    pub r#type: *const c_char,
    /// `State`: `"On"` or `"Off"`.
    pub state: *const c_char,
    /// `ResultFormat`, e.g. `"JSON"`.
    pub result_format: *const c_char,
    /// `MqMode`: how TDMQ is used.
    pub mq_mode: *const c_char,
    /// `MqRegion`: the TDMQ region.
    pub mq_region: *const c_char,
    /// `MqName`: the TDMQ topic.
    pub mq_name: *const c_char,
}

/// One queue (`QueueList`). Strings are NULL when absent.
#[repr(C)]
pub struct ci_ai_queue {
    /// `QueueId`.
    pub queue_id: *const c_char,
    /// `Name`.
    pub name: *const c_char,
    /// `State`: `"Active"` or `"Paused"`.
    pub state: *const c_char,
    /// `NotifyConfig`, or NULL when the queue has none.
    pub notify_config: *const ci_notify_config,
    /// Whether `max_size` was present.
    pub has_max_size: bool,
    /// `MaxSize`: the queue's maximum length.
    pub max_size: u64,
    /// Whether `max_concurrent` was present.
    pub has_max_concurrent: bool,
    /// `MaxConcurrent`: jobs run in parallel.
    pub max_concurrent: u64,
    /// `Category`, e.g. `"AIProcess"`.
    pub category: *const c_char,
    /// `UpdateTime`, as the service wrote it.
    pub update_time: *const c_char,
    /// `CreateTime`, as the service wrote it.
    pub create_time: *const c_char,
}

/// One page of DescribeAiProcessQueues: read-only, allocated by the library
/// and owned by the caller, who releases it with `ci_free` (which also
/// invalidates every string and array in it).
/// With `queue_ids` in the query the service sends no paging fields: the
/// `has_` flags are then false.
#[repr(C)]
pub struct ci_ai_queue_page {
    /// `RequestId`, or NULL.
    pub request_id: *const c_char,
    /// Whether `total_count` was present.
    pub has_total_count: bool,
    /// `TotalCount`.
    pub total_count: u64,
    /// Whether `page_number` was present.
    pub has_page_number: bool,
    /// `PageNumber`.
    pub page_number: u64,
    /// Whether `page_size` was present.
    pub has_page_size: bool,
    /// `PageSize`.
    pub page_size: u64,
    /// The queues, `queues_len` of them (NULL when there are none).
    pub queues: *const ci_ai_queue,
    /// Number of `queues`.
    pub queues_len: usize,
    /// `NonExistPIDs`: requested ids that do not exist (NULL when none).
    pub non_exist_pids: *const *const c_char,
    /// Number of `non_exist_pids`.
    pub non_exist_pids_len: usize,
}

/// A computed signature and its intermediate strings (all non-NULL):
/// read-only, owned by the caller, released with `ci_free`. `http_string`
/// holds the signed header values, a session token included.
#[repr(C)]
pub struct ci_signature {
    /// The `Authorization` header value.
    pub authorization: *const c_char,
    /// The signature, 40 lowercase hex digits (`q-signature`).
    pub signature: *const c_char,
    /// Signed header names, `;`-separated (`q-header-list`).
    pub header_list: *const c_char,
    /// Signed parameter names, `;`-separated (`q-url-param-list`).
    pub param_list: *const c_char,
    /// The canonical request that was hashed (`HttpString`).
    pub http_string: *const c_char,
    /// `StringToSign`.
    pub string_to_sign: *const c_char,
}

fn array_ptr<T>(items: &[T]) -> *const T {
    if items.is_empty() {
        ptr::null()
    } else {
        items.as_ptr()
    }
}

fn count(value: Option<u64>) -> (bool, u64) {
    (value.is_some(), value.unwrap_or(0))
}

/// A handed-out pic-bucket page: the C struct first (so a pointer to this
/// is a pointer to it), then what its pointers point into. The vectors and
/// the arena are never touched again once built, so the pointers stay valid.
#[repr(C)]
pub(crate) struct PicBucketPageOwner {
    page: ci_pic_bucket_page,
    buckets: Vec<ci_pic_bucket>,
    arena: Arena,
}

pub(crate) fn hand_out_pic_bucket_page(page: PicBucketPage) -> *mut ci_pic_bucket_page {
    let mut arena = Arena::default();
    let request_id = arena.add_opt(&page.request_id);
    let slots: Vec<[Slot; 4]> = page
        .buckets
        .iter()
        .map(|b: &PicBucket| [arena.add_opt(&b.bucket_id), arena.add_opt(&b.name), arena.add_opt(&b.region), arena.add_opt(&b.create_time)])
        .collect();
    let buckets: Vec<ci_pic_bucket> = slots
        .iter()
        .map(|s| ci_pic_bucket { bucket_id: arena.ptr(s[0]), name: arena.ptr(s[1]), region: arena.ptr(s[2]), create_time: arena.ptr(s[3]) })
        .collect();
    let (has_total_count, total_count) = count(page.total_count);
    let (has_page_number, page_number) = count(page.page_number);
    let (has_page_size, page_size) = count(page.page_size);
    let c_page = ci_pic_bucket_page {
        request_id: arena.ptr(request_id),
        has_total_count,
        total_count,
        has_page_number,
        page_number,
        has_page_size,
        page_size,
        buckets: array_ptr(&buckets),
        buckets_len: buckets.len(),
    };
    // Moving the Vecs and the arena moves only their headers: the heap
    // buffers the pointers refer to stay where they are.
    registry::hand_out(PicBucketPageOwner { page: c_page, buckets, arena }, Tag::PicBucketPage).cast()
}

/// A handed-out AI-queue page, laid out like [`PicBucketPageOwner`].
#[repr(C)]
pub(crate) struct AiQueuePageOwner {
    page: ci_ai_queue_page,
    queues: Vec<ci_ai_queue>,
    notify_configs: Vec<ci_notify_config>,
    non_exist_pids: Vec<*const c_char>,
    arena: Arena,
}

// SAFETY: the raw pointers point into the owner's own immutable buffers.
unsafe impl Send for AiQueuePageOwner {}
// SAFETY: as above.
unsafe impl Send for PicBucketPageOwner {}
// SAFETY: as above.
unsafe impl Send for SignatureOwner {}

pub(crate) fn hand_out_ai_queue_page(page: AiQueuePage) -> *mut ci_ai_queue_page {
    let mut arena = Arena::default();
    let request_id = arena.add_opt(&page.request_id);
    struct QueueSlots {
        strings: [Slot; 6],
        notify: Option<[Slot; 8]>,
    }
    let notify_slots = |arena: &mut Arena, n: &NotifyConfig| {
        [&n.url, &n.event, &n.r#type, &n.state, &n.result_format, &n.mq_mode, &n.mq_region, &n.mq_name].map(|s| arena.add_opt(s))
    };
    let slots: Vec<QueueSlots> = page
        .queues
        .iter()
        .map(|q: &AiQueue| QueueSlots {
            strings: [&q.queue_id, &q.name, &q.state, &q.category, &q.update_time, &q.create_time].map(|s| arena.add_opt(s)),
            notify: q.notify_config.as_ref().map(|n| notify_slots(&mut arena, n)),
        })
        .collect();
    let pid_slots: Vec<Slot> = page.non_exist_pids.iter().map(|p| arena.add(p)).collect();

    // The arena is complete: pointers into it are now stable.
    let notify_configs: Vec<ci_notify_config> = slots
        .iter()
        .filter_map(|s| s.notify)
        .map(|n| ci_notify_config {
            url: arena.ptr(n[0]),
            event: arena.ptr(n[1]),
            r#type: arena.ptr(n[2]),
            state: arena.ptr(n[3]),
            result_format: arena.ptr(n[4]),
            mq_mode: arena.ptr(n[5]),
            mq_region: arena.ptr(n[6]),
            mq_name: arena.ptr(n[7]),
        })
        .collect();
    let mut next_notify = notify_configs.iter();
    let queues: Vec<ci_ai_queue> = slots
        .iter()
        .zip(&page.queues)
        .map(|(s, q)| {
            let (has_max_size, max_size) = count(q.max_size);
            let (has_max_concurrent, max_concurrent) = count(q.max_concurrent);
            ci_ai_queue {
                queue_id: arena.ptr(s.strings[0]),
                name: arena.ptr(s.strings[1]),
                state: arena.ptr(s.strings[2]),
                notify_config: if s.notify.is_some() { next_notify.next().map_or(ptr::null(), |n| n as *const _) } else { ptr::null() },
                has_max_size,
                max_size,
                has_max_concurrent,
                max_concurrent,
                category: arena.ptr(s.strings[3]),
                update_time: arena.ptr(s.strings[4]),
                create_time: arena.ptr(s.strings[5]),
            }
        })
        .collect();
    let non_exist_pids: Vec<*const c_char> = pid_slots.iter().map(|s| arena.ptr(*s)).collect();
    let (has_total_count, total_count) = count(page.total_count);
    let (has_page_number, page_number) = count(page.page_number);
    let (has_page_size, page_size) = count(page.page_size);
    let c_page = ci_ai_queue_page {
        request_id: arena.ptr(request_id),
        has_total_count,
        total_count,
        has_page_number,
        page_number,
        has_page_size,
        page_size,
        queues: array_ptr(&queues),
        queues_len: queues.len(),
        non_exist_pids: array_ptr(&non_exist_pids),
        non_exist_pids_len: non_exist_pids.len(),
    };
    registry::hand_out(AiQueuePageOwner { page: c_page, queues, notify_configs, non_exist_pids, arena }, Tag::AiQueuePage).cast()
}

/// A handed-out signature, laid out like [`PicBucketPageOwner`].
#[repr(C)]
pub(crate) struct SignatureOwner {
    signature: ci_signature,
    arena: Arena,
}

pub(crate) fn hand_out_signature(sig: &Signature) -> *mut ci_signature {
    let mut arena = Arena::default();
    let slots = [sig.authorization(), sig.signature(), sig.header_list(), sig.param_list(), sig.http_string(), sig.string_to_sign()]
        .map(|s| arena.add(s));
    let signature = ci_signature {
        authorization: arena.ptr(slots[0]),
        signature: arena.ptr(slots[1]),
        header_list: arena.ptr(slots[2]),
        param_list: arena.ptr(slots[3]),
        http_string: arena.ptr(slots[4]),
        string_to_sign: arena.ptr(slots[5]),
    };
    registry::hand_out(SignatureOwner { signature, arena }, Tag::Signature).cast()
}
