//! What the two calls answer, one field per documented XML element.
//!
//! Strings are `None` when the element was absent; numbers are parsed and
//! `None` when absent, so an absent `TotalCount` (the service omits it when
//! `queueIds` is given) is never mistaken for 0.

/// One page of `DescribePicProcessBucket` (`GET /picbucket`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PicBucketPage {
    /// `RequestId` (the `x-ci-request-id` header when the body has none).
    pub request_id: Option<String>,
    /// `TotalCount`: buckets matching the query across all pages.
    pub total_count: Option<u64>,
    /// `PageNumber`, 1-based.
    pub page_number: Option<u64>,
    /// `PageSize`.
    pub page_size: Option<u64>,
    /// Every `PicBucketList` element, in answer order.
    pub buckets: Vec<PicBucket>,
}

/// One `PicBucketList` element: a bucket with image processing enabled.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PicBucket {
    /// `BucketId`, e.g. `examplebucket-1250000000`.
    pub bucket_id: Option<String>,
    /// `Name`, the same as `BucketId`.
    pub name: Option<String>,
    /// `Region`, e.g. `ap-beijing`.
    pub region: Option<String>,
    /// `CreateTime`, as the service wrote it (`2019-11-15T12:12:12+0800`).
    pub create_time: Option<String>,
}

/// One page of `DescribeAiProcessQueues` (`GET /ai_queue`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct AiQueuePage {
    /// `RequestId` (the `x-ci-request-id` header when the body has none).
    pub request_id: Option<String>,
    /// `TotalCount`; absent when the query named `queue_ids`.
    pub total_count: Option<u64>,
    /// `PageNumber`; absent when the query named `queue_ids`.
    pub page_number: Option<u64>,
    /// `PageSize`; absent when the query named `queue_ids`.
    pub page_size: Option<u64>,
    /// Every `QueueList` element, in answer order.
    pub queues: Vec<AiQueue>,
    /// Every `NonExistPIDs` element: requested queue ids that do not exist.
    pub non_exist_pids: Vec<String>,
}

/// One `QueueList` element: an AI content recognition queue.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct AiQueue {
    /// `QueueId`.
    pub queue_id: Option<String>,
    /// `Name`.
    pub name: Option<String>,
    /// `State`: `Active` or `Paused`.
    pub state: Option<String>,
    /// `NotifyConfig`, the callback settings, when the queue has any.
    pub notify_config: Option<NotifyConfig>,
    /// `MaxSize`: the queue's maximum length.
    pub max_size: Option<u64>,
    /// `MaxConcurrent`: jobs the queue runs in parallel.
    pub max_concurrent: Option<u64>,
    /// `Category`, e.g. `AIProcess`.
    pub category: Option<String>,
    /// `UpdateTime`, as the service wrote it.
    pub update_time: Option<String>,
    /// `CreateTime`, as the service wrote it.
    pub create_time: Option<String>,
}

/// A queue's `NotifyConfig`: where and how job results are reported.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct NotifyConfig {
    /// `Url`: the callback address.
    pub url: Option<String>,
    /// `Event`, e.g. `TaskFinish,WorkflowFinish`.
    pub event: Option<String>,
    /// `Type`: `Url` or `TDMQ`.
    pub r#type: Option<String>,
    /// `State`: `On` or `Off`.
    pub state: Option<String>,
    /// `ResultFormat`, e.g. `JSON`.
    pub result_format: Option<String>,
    /// `MqMode`: how TDMQ is used.
    pub mq_mode: Option<String>,
    /// `MqRegion`: the TDMQ region.
    pub mq_region: Option<String>,
    /// `MqName`: the TDMQ topic.
    pub mq_name: Option<String>,
}
