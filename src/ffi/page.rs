//! `ci_page`: the one result type of every describe call. A page is one
//! allocation of structs plus an arena holding all of its strings,
//! released together by `ci_free` on the page.

use std::ffi::c_char;
use std::ptr;

use super::registry::{self, Tag};
use crate::model::{Bucket, CiBucket, KafkaConfig, NotifyConfig, Page, Queue};
use crate::operations::Operation;

/// The strings of one result, NUL-terminated, in a few buffers that never
/// grow once a string is in them, so a pointer to a string stays valid for
/// as long as the arena lives (moving the arena moves only the headers).
#[derive(Default)]
pub(super) struct Arena {
    chunks: Vec<Vec<u8>>,
}

impl Arena {
    /// An arena whose first buffer holds `bytes` without a second allocation.
    pub(super) fn with_capacity(bytes: usize) -> Self {
        Arena { chunks: vec![Vec::with_capacity(bytes)] }
    }

    /// Copies `s` in and returns its C string.
    pub(super) fn add(&mut self, s: &str) -> *const c_char {
        let needed = s.len() + 1;
        if !self.chunks.last().is_some_and(|c| c.capacity() - c.len() >= needed) {
            let grown = self.chunks.last().map_or(0, |c| c.capacity() * 2);
            self.chunks.push(Vec::with_capacity(needed.max(grown).max(1024)));
        }
        let chunk = self.chunks.last_mut().expect("a chunk with room was just ensured");
        let at = chunk.len();
        // The parser rejects NUL in text, so each string is one C string.
        chunk.extend_from_slice(s.as_bytes());
        chunk.push(0);
        // SAFETY: `at` is within the chunk, which had room for the string,
        // so it was not reallocated and never will be.
        unsafe { chunk.as_ptr().add(at).cast() }
    }

    /// `add` for an optional string: NULL when absent.
    pub(super) fn opt(&mut self, s: &Option<String>) -> *const c_char {
        s.as_deref().map_or(ptr::null(), |s| self.add(s))
    }
}

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
    arena: Arena,
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

/// A pointer to `item` pushed onto `items`, which must have room for it so
/// that no earlier pointer moves.
fn push_stable<T>(items: &mut Vec<T>, item: T) -> *const T {
    assert!(items.len() < items.capacity(), "sized before it was filled");
    items.push(item);
    items.last().expect("just pushed")
}

/// The strings of a page in bytes, to size its arena once.
fn text_bytes<T>(page: &Page<T>, item_text: impl Fn(&T) -> usize) -> usize {
    let len = |s: &Option<String>| s.as_ref().map_or(0, |s| s.len() + 1);
    len(&page.request_id) + page.items.iter().map(item_text).sum::<usize>() + page.non_exist_pids.iter().map(|p| p.len() + 1).sum::<usize>()
}

fn strings_len(strings: &[&Option<String>]) -> usize {
    strings.iter().map(|s| s.as_ref().map_or(0, |s| s.len() + 1)).sum()
}

impl PageOwner {
    fn new<T>(operation: Operation, page: &Page<T>, arena_bytes: usize) -> Self {
        let mut arena = Arena::with_capacity(arena_bytes);
        let request_id = arena.opt(&page.request_id);
        let (has_total_count, total_count) = count(page.total_count);
        let (has_page_number, page_number) = count(page.page_number);
        let (has_page_size, page_size) = count(page.page_size);
        let non_exist_pids: Vec<*const c_char> = page.non_exist_pids.iter().map(|p| arena.add(p)).collect();
        PageOwner {
            page: ci_page {
                operation: operation.id(),
                request_id,
                paging: ci_paging { has_total_count, total_count, has_page_number, page_number, has_page_size, page_size },
                buckets: ptr::null(),
                buckets_len: 0,
                ci_buckets: ptr::null(),
                ci_buckets_len: 0,
                queues: ptr::null(),
                queues_len: 0,
                non_exist_pids: ptr::null(),
                non_exist_pids_len: 0,
            },
            buckets: Vec::new(),
            ci_buckets: Vec::new(),
            queues: Vec::new(),
            notify_configs: Vec::new(),
            kafka_configs: Vec::new(),
            non_exist_pids,
            arena,
        }
    }

    /// Points the C page at the arrays, now complete, and hands it out.
    fn hand_out(mut self) -> *mut ci_page {
        let p = &mut self.page;
        (p.buckets, p.buckets_len) = (array_ptr(&self.buckets), self.buckets.len());
        (p.ci_buckets, p.ci_buckets_len) = (array_ptr(&self.ci_buckets), self.ci_buckets.len());
        (p.queues, p.queues_len) = (array_ptr(&self.queues), self.queues.len());
        (p.non_exist_pids, p.non_exist_pids_len) = (array_ptr(&self.non_exist_pids), self.non_exist_pids.len());
        // Moving the Vecs and the arena moves only their headers: the heap
        // buffers the pointers refer to stay where they are.
        registry::hand_out(self, Tag::Page).cast()
    }
}

/// Hands out a page of a bucket list.
pub(super) fn hand_out_bucket_page(operation: Operation, page: &Page<Bucket>) -> *mut ci_page {
    let bytes = text_bytes(page, |b| strings_len(&[&b.bucket_id, &b.name, &b.region, &b.create_time, &b.alias_bucket_id]));
    let mut owner = PageOwner::new(operation, page, bytes);
    let arena = &mut owner.arena;
    owner.buckets = page
        .items
        .iter()
        .map(|b| ci_bucket {
            bucket_id: arena.opt(&b.bucket_id),
            name: arena.opt(&b.name),
            region: arena.opt(&b.region),
            create_time: arena.opt(&b.create_time),
            alias_bucket_id: arena.opt(&b.alias_bucket_id),
        })
        .collect();
    owner.hand_out()
}

/// Hands out a page of `DescribeCIBuckets`.
pub(super) fn hand_out_ci_bucket_page(operation: Operation, page: &Page<CiBucket>) -> *mut ci_page {
    let bytes = text_bytes(page, |b| strings_len(&[&b.bucket_id, &b.bucket_name, &b.app_id, &b.create_time, &b.region, &b.status]));
    let mut owner = PageOwner::new(operation, page, bytes);
    let arena = &mut owner.arena;
    owner.ci_buckets = page
        .items
        .iter()
        .map(|b| ci_ci_bucket {
            bucket_id: arena.opt(&b.bucket_id),
            bucket_name: arena.opt(&b.bucket_name),
            app_id: arena.opt(&b.app_id),
            create_time: arena.opt(&b.create_time),
            region: arena.opt(&b.region),
            status: arena.opt(&b.status),
        })
        .collect();
    owner.hand_out()
}

fn notify_text(n: &NotifyConfig) -> usize {
    let kafka = n.kafka_config.as_ref().map_or(0, |k: &KafkaConfig| strings_len(&[&k.region, &k.instance_id, &k.topic]));
    kafka + strings_len(&[&n.url, &n.event, &n.r#type, &n.state, &n.result_format, &n.mq_mode, &n.mq_region, &n.mq_name])
}

/// Hands out a page of a queue list.
pub(super) fn hand_out_queue_page(operation: Operation, page: &Page<Queue>) -> *mut ci_page {
    let bytes = text_bytes(page, |q| {
        strings_len(&[&q.queue_id, &q.name, &q.state, &q.category, &q.update_time, &q.create_time, &q.bucket_id])
            + q.notify_config.as_ref().map_or(0, notify_text)
    });
    let mut owner = PageOwner::new(operation, page, bytes);
    let notify_configs = page.items.iter().filter(|q| q.notify_config.is_some()).count();
    let kafka_configs = page.items.iter().filter(|q| q.notify_config.as_ref().is_some_and(|n| n.kafka_config.is_some())).count();
    owner.notify_configs.reserve_exact(notify_configs);
    owner.kafka_configs.reserve_exact(kafka_configs);
    let PageOwner { arena, notify_configs, kafka_configs, .. } = &mut owner;
    let queues = page
        .items
        .iter()
        .map(|q| {
            let notify_config = q.notify_config.as_ref().map_or(ptr::null(), |n| {
                let kafka_config = n.kafka_config.as_ref().map_or(ptr::null(), |k| {
                    let kafka = ci_kafka_config { region: arena.opt(&k.region), instance_id: arena.opt(&k.instance_id), topic: arena.opt(&k.topic) };
                    push_stable(kafka_configs, kafka)
                });
                let notify = ci_notify_config {
                    url: arena.opt(&n.url),
                    event: arena.opt(&n.event),
                    r#type: arena.opt(&n.r#type),
                    state: arena.opt(&n.state),
                    result_format: arena.opt(&n.result_format),
                    mq_mode: arena.opt(&n.mq_mode),
                    mq_region: arena.opt(&n.mq_region),
                    mq_name: arena.opt(&n.mq_name),
                    kafka_config,
                };
                push_stable(notify_configs, notify)
            });
            let (has_max_size, max_size) = count(q.max_size);
            let (has_max_concurrent, max_concurrent) = count(q.max_concurrent);
            ci_queue {
                queue_id: arena.opt(&q.queue_id),
                name: arena.opt(&q.name),
                state: arena.opt(&q.state),
                notify_config,
                has_max_size,
                max_size,
                has_max_concurrent,
                max_concurrent,
                category: arena.opt(&q.category),
                update_time: arena.opt(&q.update_time),
                create_time: arena.opt(&q.create_time),
                bucket_id: arena.opt(&q.bucket_id),
            }
        })
        .collect();
    owner.queues = queues;
    owner.hand_out()
}
