//! `ci_page`: the one result type of every describe call. It keeps the
//! core's [`Page`], whose buffer holds every string NUL-terminated where
//! the answer had it, so the C structs point into the answer's own bytes:
//! no string is copied. Released together by `ci_free` on the page.

use std::ffi::c_char;
use std::ptr;

use super::json;
use super::registry::{self, Tag};
use crate::model::{Bucket, CiBucket, Page, Queue};
use crate::operations::Operation;
use crate::views::{BucketRef, CiBucketRef, KafkaConfigRef, NotifyConfigRef};
use crate::xml::Item;

/// The paging fields of a page: each `has_` flag says whether the
/// element was present (with `queue_ids` the service sends none of them).
#[repr(C)]
pub struct ci_paging {
    /// Whether `total_count` was present.
    pub has_total_count: bool,
    /// `TotalCount`: matching items across all pages.
    pub total_count: u64,
    /// Whether `page_number` was present.
    pub has_page_number: bool,
    /// `PageNumber`, from 1.
    pub page_number: u64,
    /// Whether `page_size` was present.
    pub has_page_size: bool,
    /// `PageSize`.
    pub page_size: u64,
}

/// A bucket of a service's bucket list (`MediaBucketList`, `PicBucketList`,
/// `AiBucketList`, `AsrBucketList`, `DocBucketList`, `FileBucketList`).
/// Strings are NULL when the element was absent.
#[repr(C)]
pub struct ci_bucket {
    /// `BucketId`, e.g. `"examplebucket-1250000000"`.
    pub bucket_id: *const c_char,
    /// `Name`, the same as `BucketId`.
    pub name: *const c_char,
    /// `Region`, e.g. `"ap-beijing"`.
    pub region: *const c_char,
    /// `CreateTime`, as the service wrote it.
    pub create_time: *const c_char,
    /// `AliasBucketId` (document buckets only).
    pub alias_bucket_id: *const c_char,
}

/// A bucket of `DescribeCIBuckets` (`CIBucketList`). Strings are NULL when absent.
#[repr(C)]
pub struct ci_ci_bucket {
    /// `BucketId`, e.g. `"examplebucket-1250000000"`.
    pub bucket_id: *const c_char,
    /// `BucketName`, e.g. `"examplebucket"`.
    pub bucket_name: *const c_char,
    /// `AppId`, e.g. `"1250000000"`.
    pub app_id: *const c_char,
    /// `CreateTime`, as the service wrote it.
    pub create_time: *const c_char,
    /// `Region`, e.g. `"ap-guangzhou"`.
    pub region: *const c_char,
    /// `Status`, e.g. `"on"`.
    pub status: *const c_char,
}

/// A `NotifyConfig`'s CKafka settings (`KafkaConfig`). Strings are NULL when absent.
#[repr(C)]
pub struct ci_kafka_config {
    /// `Region`.
    pub region: *const c_char,
    /// `InstanceId`.
    pub instance_id: *const c_char,
    /// `Topic`.
    pub topic: *const c_char,
}

/// A queue's callback settings (`NotifyConfig`). Strings are NULL when absent.
#[repr(C)]
pub struct ci_notify_config {
    /// `Url`: the callback address.
    pub url: *const c_char,
    /// `Event`, e.g. `"TaskFinish,WorkflowFinish"`.
    pub event: *const c_char,
    /// `Type`: `"Url"`, `"TDMQ"` or `"Kafka"`.
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
    /// `KafkaConfig`, or NULL when absent.
    pub kafka_config: *const ci_kafka_config,
}

/// A queue (`QueueList`). Strings are NULL when absent.
#[repr(C)]
pub struct ci_queue {
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
    /// `Category`, e.g. `"Transcoding"`.
    pub category: *const c_char,
    /// `UpdateTime`, as the service wrote it.
    pub update_time: *const c_char,
    /// `CreateTime`, as the service wrote it.
    pub create_time: *const c_char,
    /// `BucketId`, when the service names the queue's bucket.
    pub bucket_id: *const c_char,
}

/// One page of any describe call: read-only, allocated by the library and
/// owned by the caller, who releases it with `ci_free` (which also
/// invalidates every string and array in it). Of the item arrays, only the
/// one of the call's shape is filled (`ci_operation_info.shape`): `buckets`
/// for the bucket lists, `ci_buckets` for `DescribeCIBuckets`, `queues`
/// and `non_exist_pids` for the queue lists; the others are NULL with a
/// length of 0.
#[repr(C)]
pub struct ci_page {
    /// The `ci_operation` that answered.
    pub operation: u32,
    /// `RequestId` (or the `x-ci-request-id` header), or NULL.
    pub request_id: *const c_char,
    /// `TotalCount`, `PageNumber` and `PageSize`.
    pub paging: ci_paging,
    /// The buckets, `buckets_len` of them.
    pub buckets: *const ci_bucket,
    /// Number of `buckets`.
    pub buckets_len: usize,
    /// The CI buckets, `ci_buckets_len` of them.
    pub ci_buckets: *const ci_ci_bucket,
    /// Number of `ci_buckets`.
    pub ci_buckets_len: usize,
    /// The queues, `queues_len` of them.
    pub queues: *const ci_queue,
    /// Number of `queues`.
    pub queues_len: usize,
    /// `NonExistPIDs`: requested queue ids that do not exist.
    pub non_exist_pids: *const *const c_char,
    /// Number of `non_exist_pids`.
    pub non_exist_pids_len: usize,
    /// With `CI_PAGE_FORMAT_JSON` (`ci_query.page_format`): the items and
    /// `non_exist_pids` as `json_size` bytes of UTF-8 JSON, followed by a NUL
    /// (the item arrays are then NULL with a length of 0); else NULL.
    /// The text is `{"items":[ROW,...],"non_exist_pids":["id",...]}`,
    /// where the ROW of an item is a JSON array of its struct's fields in
    /// declaration order: a `has_X`/`X` pair is one element (the number, or
    /// null), a string is a string or null, a pointer to a struct is that
    /// struct's ROW or null. Lets a binding read a page in one go.
    pub json: *const c_char,
    /// Bytes of `json`, the NUL not counted.
    pub json_size: usize,
}

/// `ci_query.page_format`: how a page hands out its items.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ci_page_format {
    /// The item arrays of `ci_page` (the default).
    #[default]
    Structs = 0,
    /// `ci_page.json`, and no item arrays.
    Json = 1,
}

/// A handed-out page: the C struct first (so a pointer to this is a
/// pointer to it), then what its pointers point into. Nothing here is
/// touched again once built, so the pointers stay valid.
#[repr(C)]
struct PageOwner {
    page: ci_page,
    buckets: Vec<ci_bucket>,
    ci_buckets: Vec<ci_ci_bucket>,
    queues: Vec<ci_queue>,
    notify_configs: Vec<ci_notify_config>,
    kafka_configs: Vec<ci_kafka_config>,
    non_exist_pids: Vec<*const c_char>,
    json: Vec<u8>,
    /// The buffer of the page this was made from: every string pointer
    /// above points into it.
    buffer: Vec<u8>,
}

// SAFETY: the raw pointers point into the owner's own immutable buffers.
unsafe impl Send for PageOwner {}

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

/// A C string of the page: the page's buffer has a NUL after every string.
fn c_str(s: Option<&str>) -> *const c_char {
    s.map_or(ptr::null(), |s| s.as_ptr().cast())
}

/// A pointer to `item` pushed onto `items`, which must have room for it so
/// that no earlier pointer moves.
fn push_stable<T>(items: &mut Vec<T>, item: T) -> *const T {
    assert!(items.len() < items.capacity(), "sized before it was filled");
    items.push(item);
    items.last().expect("just pushed")
}

impl PageOwner {
    fn new<T: Item>(operation: Operation, page: &Page<T>, format: ci_page_format, row: impl Fn(&mut Vec<u8>, T::Ref<'_>)) -> Self {
        let (has_total_count, total_count) = count(page.total_count);
        let (has_page_number, page_number) = count(page.page_number);
        let (has_page_size, page_size) = count(page.page_size);
        let (json, non_exist_pids) = match format {
            ci_page_format::Json => (json::page(page, row), Vec::new()),
            ci_page_format::Structs => (Vec::new(), page.non_exist_pids().map(|p| c_str(Some(p))).collect()),
        };
        PageOwner {
            page: ci_page {
                operation: operation.id(),
                request_id: c_str(page.request_id()),
                paging: ci_paging { has_total_count, total_count, has_page_number, page_number, has_page_size, page_size },
                buckets: ptr::null(),
                buckets_len: 0,
                ci_buckets: ptr::null(),
                ci_buckets_len: 0,
                queues: ptr::null(),
                queues_len: 0,
                non_exist_pids: ptr::null(),
                non_exist_pids_len: 0,
                json: ptr::null(),
                json_size: 0,
            },
            buckets: Vec::new(),
            ci_buckets: Vec::new(),
            queues: Vec::new(),
            notify_configs: Vec::new(),
            kafka_configs: Vec::new(),
            non_exist_pids,
            json,
            buffer: Vec::new(),
        }
    }

    /// Points the C page at the arrays, now complete, and hands it out.
    fn hand_out<T: Item>(mut self, page: Page<T>) -> *mut ci_page {
        self.buffer = page.into_buffer();
        let p = &mut self.page;
        (p.buckets, p.buckets_len) = (array_ptr(&self.buckets), self.buckets.len());
        (p.ci_buckets, p.ci_buckets_len) = (array_ptr(&self.ci_buckets), self.ci_buckets.len());
        (p.queues, p.queues_len) = (array_ptr(&self.queues), self.queues.len());
        (p.non_exist_pids, p.non_exist_pids_len) = (array_ptr(&self.non_exist_pids), self.non_exist_pids.len());
        if !self.json.is_empty() {
            // The NUL json::page ended it with is not counted.
            (p.json, p.json_size) = (self.json.as_ptr().cast(), self.json.len() - 1);
        }
        // Moving the Vecs and the page moves only their headers: the heap
        // buffers the pointers refer to stay where they are.
        registry::hand_out(self, Tag::Page).cast()
    }
}

fn bucket(b: BucketRef<'_>) -> ci_bucket {
    ci_bucket {
        bucket_id: c_str(b.bucket_id()),
        name: c_str(b.name()),
        region: c_str(b.region()),
        create_time: c_str(b.create_time()),
        alias_bucket_id: c_str(b.alias_bucket_id()),
    }
}

fn ci_bucket_of(b: CiBucketRef<'_>) -> ci_ci_bucket {
    ci_ci_bucket {
        bucket_id: c_str(b.bucket_id()),
        bucket_name: c_str(b.bucket_name()),
        app_id: c_str(b.app_id()),
        create_time: c_str(b.create_time()),
        region: c_str(b.region()),
        status: c_str(b.status()),
    }
}

fn kafka_config(k: KafkaConfigRef<'_>) -> ci_kafka_config {
    ci_kafka_config { region: c_str(k.region()), instance_id: c_str(k.instance_id()), topic: c_str(k.topic()) }
}

fn notify_config(n: NotifyConfigRef<'_>, kafka_config: *const ci_kafka_config) -> ci_notify_config {
    ci_notify_config {
        url: c_str(n.url()),
        event: c_str(n.event()),
        r#type: c_str(n.r#type()),
        state: c_str(n.state()),
        result_format: c_str(n.result_format()),
        mq_mode: c_str(n.mq_mode()),
        mq_region: c_str(n.mq_region()),
        mq_name: c_str(n.mq_name()),
        kafka_config,
    }
}

/// Hands out a page of a bucket list.
pub(super) fn hand_out_bucket_page(operation: Operation, page: Page<Bucket>, format: ci_page_format) -> *mut ci_page {
    let mut owner = PageOwner::new(operation, &page, format, json::bucket_row);
    if format == ci_page_format::Structs {
        owner.buckets = page.items().map(bucket).collect();
    }
    owner.hand_out(page)
}

/// Hands out a page of `DescribeCIBuckets`.
pub(super) fn hand_out_ci_bucket_page(operation: Operation, page: Page<CiBucket>, format: ci_page_format) -> *mut ci_page {
    let mut owner = PageOwner::new(operation, &page, format, json::ci_bucket_row);
    if format == ci_page_format::Structs {
        owner.ci_buckets = page.items().map(ci_bucket_of).collect();
    }
    owner.hand_out(page)
}

/// Hands out a page of a queue list.
pub(super) fn hand_out_queue_page(operation: Operation, page: Page<Queue>, format: ci_page_format) -> *mut ci_page {
    let mut owner = PageOwner::new(operation, &page, format, json::queue_row);
    if format == ci_page_format::Structs {
        let notify_configs = page.items().filter(|q| q.notify_config().is_some()).count();
        let kafka_configs = page.items().filter(|q| q.notify_config().is_some_and(|n| n.kafka_config().is_some())).count();
        owner.notify_configs.reserve_exact(notify_configs);
        owner.kafka_configs.reserve_exact(kafka_configs);
        let PageOwner { notify_configs, kafka_configs, .. } = &mut owner;
        let queues = page
            .items()
            .map(|q| {
                let notify = q.notify_config().map_or(ptr::null(), |n| {
                    let kafka = n.kafka_config().map_or(ptr::null(), |k| push_stable(kafka_configs, kafka_config(k)));
                    push_stable(notify_configs, notify_config(n, kafka))
                });
                let (has_max_size, max_size) = count(q.max_size());
                let (has_max_concurrent, max_concurrent) = count(q.max_concurrent());
                ci_queue {
                    queue_id: c_str(q.queue_id()),
                    name: c_str(q.name()),
                    state: c_str(q.state()),
                    notify_config: notify,
                    has_max_size,
                    max_size,
                    has_max_concurrent,
                    max_concurrent,
                    category: c_str(q.category()),
                    update_time: c_str(q.update_time()),
                    create_time: c_str(q.create_time()),
                    bucket_id: c_str(q.bucket_id()),
                }
            })
            .collect();
        owner.queues = queues;
    }
    owner.hand_out(page)
}
