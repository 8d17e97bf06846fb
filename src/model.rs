//! What the describe calls answer, as owned values: one item type per
//! shape of answer, one field per documented XML element. A [`Page`] holds
//! its items in the answer's bytes and hands out views
//! ([`QueueRef`](crate::QueueRef)...); these are their owned copies
//! ([`Page::to_items`], `QueueRef::into_owned`).
//!
//! Strings are `None` when the element was absent; numbers are parsed and
//! `None` when absent, so an absent `TotalCount` (the service omits it when
//! `queueIds` is given) is never mistaken for 0.

pub use crate::page::Page;

/// A page of buckets with one CI service enabled (`DescribeMediaBuckets`,
/// `DescribePicProcessBucket`, `DescribeAIProcessBuckets`,
/// `DescribeASRProcessBuckets`, `DescribeDocProcessBuckets`,
/// `DescribeFileProcessBuckets`).
pub type BucketPage = Page<Bucket>;
/// A page of `DescribeCIBuckets`: the buckets bound to Cloud Infinite.
pub type CiBucketPage = Page<CiBucket>;
/// A page of a bucket's processing queues (`DescribeMediaProcessQueues`,
/// `DescribePicProcessQueues`, `DescribeAiProcessQueues`,
/// `DescribeAsrProcessQueues`, `DescribeDocProcessQueues`,
/// `DescribeFileProcessQueues`).
pub type QueuePage = Page<Queue>;

/// One bucket of a service's bucket list (`MediaBucketList`, `PicBucketList`...).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Bucket {
    /// `BucketId`, e.g. `examplebucket-1250000000`.
    pub bucket_id: Option<String>,
    /// `Name`, the same as `BucketId`.
    pub name: Option<String>,
    /// `Region`, e.g. `ap-beijing`.
    pub region: Option<String>,
    /// `CreateTime`, as the service wrote it (`2019-11-15T12:12:12+0800`).
    pub create_time: Option<String>,
    /// `AliasBucketId`: the bucket's alias for document preview (only
    /// `DescribeDocProcessBuckets` answers it).
    pub alias_bucket_id: Option<String>,
}

/// One `CIBucketList` element of `DescribeCIBuckets`: a bucket bound to CI.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CiBucket {
    /// `BucketId`, e.g. `examplebucket-1250000000`.
    pub bucket_id: Option<String>,
    /// `BucketName`: the name without the APPID, e.g. `examplebucket`.
    pub bucket_name: Option<String>,
    /// `AppId`, e.g. `1250000000`, as the service wrote it.
    pub app_id: Option<String>,
    /// `CreateTime`, as the service wrote it.
    pub create_time: Option<String>,
    /// `Region`, e.g. `ap-guangzhou`.
    pub region: Option<String>,
    /// `Status`: whether CI is on for the bucket, e.g. `on`.
    pub status: Option<String>,
}

/// One `QueueList` element: a processing queue of a bucket.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Queue {
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
    /// `Category`, e.g. `Transcoding`, `AIProcess`, `DocProcess`.
    pub category: Option<String>,
    /// `UpdateTime`, as the service wrote it.
    pub update_time: Option<String>,
    /// `CreateTime`, as the service wrote it.
    pub create_time: Option<String>,
    /// `BucketId`: the queue's bucket (media and some other queues answer it).
    pub bucket_id: Option<String>,
}

/// A queue's `NotifyConfig`: where and how job results are reported.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct NotifyConfig {
    /// `Url`: the callback address.
    pub url: Option<String>,
    /// `Event`, e.g. `TaskFinish,WorkflowFinish`.
    pub event: Option<String>,
    /// `Type`: `Url`, `TDMQ` or `Kafka`.
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
    /// `KafkaConfig`, when `Type` is `Kafka`.
    pub kafka_config: Option<KafkaConfig>,
}

/// A `NotifyConfig`'s `KafkaConfig`: the CKafka topic results go to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct KafkaConfig {
    /// `Region`: the CKafka instance's region.
    pub region: Option<String>,
    /// `InstanceId`: the CKafka instance.
    pub instance_id: Option<String>,
    /// `Topic`: the topic.
    pub topic: Option<String>,
}
