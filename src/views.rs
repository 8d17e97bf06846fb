//! The borrowed views of a page's items: one per item type of the model,
//! with an accessor per field returning `&str` into the page, and
//! `into_owned` for an owned copy.

use std::fmt;

use crate::model::{Bucket, CiBucket, KafkaConfig, NotifyConfig, Queue};
use crate::page::Fields;

/// The number of each field in a page's spans. One numbering for every
/// item type, below 64 (an item keeps a bit per field); a nested
/// element's own number marks it present.
pub(crate) mod field {
    pub(crate) const BUCKET_ID: u8 = 1;
    pub(crate) const NAME: u8 = 2;
    pub(crate) const REGION: u8 = 3;
    pub(crate) const CREATE_TIME: u8 = 4;
    pub(crate) const ALIAS_BUCKET_ID: u8 = 5;
    pub(crate) const BUCKET_NAME: u8 = 6;
    pub(crate) const APP_ID: u8 = 7;
    pub(crate) const STATUS: u8 = 8;
    pub(crate) const QUEUE_ID: u8 = 9;
    pub(crate) const STATE: u8 = 10;
    pub(crate) const MAX_SIZE: u8 = 11;
    pub(crate) const MAX_CONCURRENT: u8 = 12;
    pub(crate) const CATEGORY: u8 = 13;
    pub(crate) const UPDATE_TIME: u8 = 14;
    /// `NotifyConfig` is present; its fields follow.
    pub(crate) const NOTIFY_CONFIG: u8 = 20;
    pub(crate) const NOTIFY_URL: u8 = 21;
    pub(crate) const NOTIFY_EVENT: u8 = 22;
    pub(crate) const NOTIFY_TYPE: u8 = 23;
    pub(crate) const NOTIFY_STATE: u8 = 24;
    pub(crate) const NOTIFY_RESULT_FORMAT: u8 = 25;
    pub(crate) const NOTIFY_MQ_MODE: u8 = 26;
    pub(crate) const NOTIFY_MQ_REGION: u8 = 27;
    pub(crate) const NOTIFY_MQ_NAME: u8 = 28;
    /// `KafkaConfig` (inside `NotifyConfig`) is present; its fields follow.
    pub(crate) const KAFKA_CONFIG: u8 = 30;
    pub(crate) const KAFKA_REGION: u8 = 31;
    pub(crate) const KAFKA_INSTANCE_ID: u8 = 32;
    pub(crate) const KAFKA_TOPIC: u8 = 33;

    /// Whether `f` belongs to a `NotifyConfig` (its `KafkaConfig` included).
    pub(crate) fn in_notify_config(f: u8) -> bool {
        (NOTIFY_CONFIG..=KAFKA_TOPIC).contains(&f)
    }

    /// Whether `f` belongs to a `KafkaConfig`.
    pub(crate) fn in_kafka_config(f: u8) -> bool {
        (KAFKA_CONFIG..=KAFKA_TOPIC).contains(&f)
    }
}

/// Accessors for the string and number fields of a view.
macro_rules! accessors {
    ($($(#[$doc:meta])* $name:ident: $kind:ident = $field:ident;)*) => {
        $(
            $(#[$doc])*
            pub fn $name(&self) -> accessors!(@type $kind) {
                accessors!(@get self, $kind, field::$field)
            }
        )*
    };
    (@type text) => { Option<&'a str> };
    (@type number) => { Option<u64> };
    (@get $self:ident, text, $field:expr) => { $self.0.text($field) };
    (@get $self:ident, number, $field:expr) => { $self.0.number($field) };
}

/// A view's `Debug` is its owned copy's, so a view prints as the item does.
macro_rules! debug_as_owned {
    ($view:ident) => {
        impl fmt::Debug for $view<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(&self.into_owned(), f)
            }
        }
    };
}

/// One bucket of a bucket list page: see [`Bucket`] for the fields.
///
/// ```
/// use cloud_infinite::{xml, Bucket};
/// let body = b"<Response><PicBucketList><Name>a-1</Name><Region>ap-beijing</Region></PicBucketList></Response>";
/// let page = xml::parse_page::<Bucket>(body.to_vec(), "PicBucketList", 100).unwrap();
/// let bucket = page.item(0).unwrap();
/// assert_eq!((bucket.name(), bucket.region(), bucket.create_time()), (Some("a-1"), Some("ap-beijing"), None));
/// ```
#[derive(Clone, Copy)]
pub struct BucketRef<'a>(pub(crate) Fields<'a>);

impl<'a> BucketRef<'a> {
    accessors! {
        /// `BucketId`, e.g. `examplebucket-1250000000`.
        bucket_id: text = BUCKET_ID;
        /// `Name`, the same as `BucketId`.
        name: text = NAME;
        /// `Region`, e.g. `ap-beijing`.
        region: text = REGION;
        /// `CreateTime`, as the service wrote it.
        create_time: text = CREATE_TIME;
        /// `AliasBucketId` (only `DescribeDocProcessBuckets` answers it).
        alias_bucket_id: text = ALIAS_BUCKET_ID;
    }

    /// An owned copy.
    pub fn into_owned(self) -> Bucket {
        let own = |s: Option<&str>| s.map(str::to_owned);
        Bucket {
            bucket_id: own(self.bucket_id()),
            name: own(self.name()),
            region: own(self.region()),
            create_time: own(self.create_time()),
            alias_bucket_id: own(self.alias_bucket_id()),
        }
    }
}
debug_as_owned!(BucketRef);

/// One bucket of a `DescribeCIBuckets` page: see [`CiBucket`] for the fields.
#[derive(Clone, Copy)]
pub struct CiBucketRef<'a>(pub(crate) Fields<'a>);

impl<'a> CiBucketRef<'a> {
    accessors! {
        /// `BucketId`, e.g. `examplebucket-1250000000`.
        bucket_id: text = BUCKET_ID;
        /// `BucketName`: the name without the APPID.
        bucket_name: text = BUCKET_NAME;
        /// `AppId`, as the service wrote it.
        app_id: text = APP_ID;
        /// `CreateTime`, as the service wrote it.
        create_time: text = CREATE_TIME;
        /// `Region`, e.g. `ap-guangzhou`.
        region: text = REGION;
        /// `Status`, e.g. `on`.
        status: text = STATUS;
    }

    /// An owned copy.
    pub fn into_owned(self) -> CiBucket {
        let own = |s: Option<&str>| s.map(str::to_owned);
        CiBucket {
            bucket_id: own(self.bucket_id()),
            bucket_name: own(self.bucket_name()),
            app_id: own(self.app_id()),
            create_time: own(self.create_time()),
            region: own(self.region()),
            status: own(self.status()),
        }
    }
}
debug_as_owned!(CiBucketRef);

/// One queue of a queue list page: see [`Queue`] for the fields.
///
/// ```
/// use cloud_infinite::{xml, Queue};
/// let body = b"<Response><QueueList><QueueId>p1</QueueId><MaxSize>10</MaxSize>\
///              <NotifyConfig><Url>http://cb.example/?a=1&amp;b=2</Url></NotifyConfig></QueueList></Response>";
/// let page = xml::parse_page::<Queue>(body.to_vec(), "QueueList", 100).unwrap();
/// let queue = page.item(0).unwrap();
/// assert_eq!((queue.queue_id(), queue.max_size(), queue.name()), (Some("p1"), Some(10), None));
/// assert_eq!(queue.notify_config().unwrap().url(), Some("http://cb.example/?a=1&b=2"));
/// ```
#[derive(Clone, Copy)]
pub struct QueueRef<'a>(pub(crate) Fields<'a>);

impl<'a> QueueRef<'a> {
    accessors! {
        /// `QueueId`.
        queue_id: text = QUEUE_ID;
        /// `Name`.
        name: text = NAME;
        /// `State`: `Active` or `Paused`.
        state: text = STATE;
        /// `MaxSize`: the queue's maximum length.
        max_size: number = MAX_SIZE;
        /// `MaxConcurrent`: jobs the queue runs in parallel.
        max_concurrent: number = MAX_CONCURRENT;
        /// `Category`, e.g. `Transcoding`.
        category: text = CATEGORY;
        /// `UpdateTime`, as the service wrote it.
        update_time: text = UPDATE_TIME;
        /// `CreateTime`, as the service wrote it.
        create_time: text = CREATE_TIME;
        /// `BucketId`: the queue's bucket, when the service names it.
        bucket_id: text = BUCKET_ID;
    }

    /// `NotifyConfig`, when the queue has one.
    pub fn notify_config(&self) -> Option<NotifyConfigRef<'a>> {
        self.0.has(field::NOTIFY_CONFIG).then_some(NotifyConfigRef(self.0))
    }

    /// An owned copy.
    pub fn into_owned(self) -> Queue {
        let own = |s: Option<&str>| s.map(str::to_owned);
        Queue {
            queue_id: own(self.queue_id()),
            name: own(self.name()),
            state: own(self.state()),
            notify_config: self.notify_config().map(NotifyConfigRef::into_owned),
            max_size: self.max_size(),
            max_concurrent: self.max_concurrent(),
            category: own(self.category()),
            update_time: own(self.update_time()),
            create_time: own(self.create_time()),
            bucket_id: own(self.bucket_id()),
        }
    }
}
debug_as_owned!(QueueRef);

/// A queue's `NotifyConfig`: see [`NotifyConfig`] for the fields.
#[derive(Clone, Copy)]
pub struct NotifyConfigRef<'a>(Fields<'a>);

impl<'a> NotifyConfigRef<'a> {
    accessors! {
        /// `Url`: the callback address.
        url: text = NOTIFY_URL;
        /// `Event`, e.g. `TaskFinish,WorkflowFinish`.
        event: text = NOTIFY_EVENT;
        /// `Type`: `Url`, `TDMQ` or `Kafka`.
        r#type: text = NOTIFY_TYPE;
        /// `State`: `On` or `Off`.
        state: text = NOTIFY_STATE;
        /// `ResultFormat`, e.g. `JSON`.
        result_format: text = NOTIFY_RESULT_FORMAT;
        /// `MqMode`: how TDMQ is used.
        mq_mode: text = NOTIFY_MQ_MODE;
        /// `MqRegion`: the TDMQ region.
        mq_region: text = NOTIFY_MQ_REGION;
        /// `MqName`: the TDMQ topic.
        mq_name: text = NOTIFY_MQ_NAME;
    }

    /// `KafkaConfig`, when `Type` is `Kafka`.
    pub fn kafka_config(&self) -> Option<KafkaConfigRef<'a>> {
        self.0.has(field::KAFKA_CONFIG).then_some(KafkaConfigRef(self.0))
    }

    /// An owned copy.
    pub fn into_owned(self) -> NotifyConfig {
        let own = |s: Option<&str>| s.map(str::to_owned);
        NotifyConfig {
            url: own(self.url()),
            event: own(self.event()),
            r#type: own(self.r#type()),
            state: own(self.state()),
            result_format: own(self.result_format()),
            mq_mode: own(self.mq_mode()),
            mq_region: own(self.mq_region()),
            mq_name: own(self.mq_name()),
            kafka_config: self.kafka_config().map(KafkaConfigRef::into_owned),
        }
    }
}
debug_as_owned!(NotifyConfigRef);

/// A `NotifyConfig`'s `KafkaConfig`: see [`KafkaConfig`] for the fields.
#[derive(Clone, Copy)]
pub struct KafkaConfigRef<'a>(Fields<'a>);

impl<'a> KafkaConfigRef<'a> {
    accessors! {
        /// `Region`: the CKafka instance's region.
        region: text = KAFKA_REGION;
        /// `InstanceId`: the CKafka instance.
        instance_id: text = KAFKA_INSTANCE_ID;
        /// `Topic`: the topic.
        topic: text = KAFKA_TOPIC;
    }

    /// An owned copy.
    pub fn into_owned(self) -> KafkaConfig {
        let own = |s: Option<&str>| s.map(str::to_owned);
        KafkaConfig { region: own(self.region()), instance_id: own(self.instance_id()), topic: own(self.topic()) }
    }
}
debug_as_owned!(KafkaConfigRef);
