//! How each item type of the model reads the elements of one list element
//! (`MediaBucketList`, `CIBucketList`, `QueueList`...): which field each
//! leaf fills, and what opening a nested element does.

use std::fmt;

use super::Tag;
use crate::model::{Bucket, CiBucket, Queue};
use crate::page::{Fields, Span};
use crate::views::{field, BucketRef, CiBucketRef, QueueRef};

/// What a leaf element inside an item fills.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub enum Leaf {
    /// A string field.
    Text(u8),
    /// A number field (its name, for the message when it is not one).
    Number(u8, &'static str),
}

/// The spans of the item being parsed, the last of its page's.
#[doc(hidden)]
pub struct ItemSpans<'p> {
    pub(crate) spans: &'p mut Vec<Span>,
    pub(crate) from: usize,
    /// A bit per field number the item has, so that a field seen for the
    /// first time (nearly always) is pushed without a search.
    pub(crate) seen: &'p mut u64,
}

impl ItemSpans<'_> {
    /// Sets `span` as the item's field (a repeated element replaces the
    /// earlier one, so an item holds each field once).
    pub(crate) fn set(&mut self, span: Span) {
        let bit = 1u64 << span.field();
        if *self.seen & bit == 0 {
            *self.seen |= bit;
            self.spans.push(span);
        } else if let Some(slot) = self.spans[self.from..].iter_mut().find(|s| s.field() == span.field()) {
            *slot = span;
        }
    }

    /// Removes the item's fields for which `drop` holds.
    pub(crate) fn remove(&mut self, drop: impl Fn(u8) -> bool) {
        let mut kept = self.from;
        for i in self.from..self.spans.len() {
            let field = self.spans[i].field();
            if drop(field) {
                *self.seen &= !(1u64 << field);
            } else {
                self.spans[kept] = self.spans[i];
                kept += 1;
            }
        }
        self.spans.truncate(kept);
    }

    /// Marks the nested element `field` present, empty: a repeated one
    /// replaces the earlier one with everything in it.
    fn open_nested(&mut self, field: u8, inside: impl Fn(u8) -> bool) {
        self.remove(inside);
        self.set(Span::new(0, 0, field));
    }
}

/// An item of a page: the model types [`Bucket`], [`CiBucket`] and
/// [`Queue`], each with its borrowed view ([`BucketRef`], [`CiBucketRef`],
/// [`QueueRef`]). Paths are relative to the item's list element.
pub trait Item: Clone + fmt::Debug + PartialEq + Send + Sync + 'static {
    /// The view of one item of a [`Page`](crate::Page).
    type Ref<'a>: Copy + fmt::Debug;

    /// About how many fields an item has, to size a page's spans once.
    #[doc(hidden)]
    const TYPICAL_FIELDS: usize;

    #[doc(hidden)]
    fn view(fields: Fields<'_>) -> Self::Ref<'_>;

    /// The owned copy of a view.
    fn owned(view: Self::Ref<'_>) -> Self;

    /// An element opened inside the item; `path` ends with it.
    #[doc(hidden)]
    fn start(path: &[Tag], item: &mut ItemSpans<'_>) {
        let _ = (path, item);
    }

    /// What the leaf element at `path` fills, if anything.
    #[doc(hidden)]
    fn leaf(path: &[Tag]) -> Option<Leaf>;
}

impl Item for Bucket {
    type Ref<'a> = BucketRef<'a>;
    const TYPICAL_FIELDS: usize = 4;

    fn view(fields: Fields<'_>) -> BucketRef<'_> {
        BucketRef(fields)
    }

    fn owned(view: BucketRef<'_>) -> Bucket {
        view.into_owned()
    }

    fn leaf(path: &[Tag]) -> Option<Leaf> {
        Some(Leaf::Text(match path {
            [Tag::BucketId] => field::BUCKET_ID,
            [Tag::Name] => field::NAME,
            [Tag::Region] => field::REGION,
            [Tag::CreateTime] => field::CREATE_TIME,
            [Tag::AliasBucketId] => field::ALIAS_BUCKET_ID,
            _ => return None,
        }))
    }
}

impl Item for CiBucket {
    type Ref<'a> = CiBucketRef<'a>;
    const TYPICAL_FIELDS: usize = 6;

    fn view(fields: Fields<'_>) -> CiBucketRef<'_> {
        CiBucketRef(fields)
    }

    fn owned(view: CiBucketRef<'_>) -> CiBucket {
        view.into_owned()
    }

    fn leaf(path: &[Tag]) -> Option<Leaf> {
        Some(Leaf::Text(match path {
            [Tag::BucketId] => field::BUCKET_ID,
            [Tag::BucketName] => field::BUCKET_NAME,
            [Tag::AppId] => field::APP_ID,
            [Tag::CreateTime] => field::CREATE_TIME,
            [Tag::Region] => field::REGION,
            [Tag::Status] => field::STATUS,
            _ => return None,
        }))
    }
}

impl Item for Queue {
    type Ref<'a> = QueueRef<'a>;
    const TYPICAL_FIELDS: usize = 15;

    fn view(fields: Fields<'_>) -> QueueRef<'_> {
        QueueRef(fields)
    }

    fn owned(view: QueueRef<'_>) -> Queue {
        view.into_owned()
    }

    fn start(path: &[Tag], item: &mut ItemSpans<'_>) {
        match path {
            [Tag::NotifyConfig] => item.open_nested(field::NOTIFY_CONFIG, field::in_notify_config),
            [Tag::NotifyConfig, Tag::KafkaConfig] => item.open_nested(field::KAFKA_CONFIG, field::in_kafka_config),
            _ => {}
        }
    }

    fn leaf(path: &[Tag]) -> Option<Leaf> {
        Some(Leaf::Text(match path {
            [Tag::QueueId] => field::QUEUE_ID,
            [Tag::Name] => field::NAME,
            [Tag::State] => field::STATE,
            [Tag::Category] => field::CATEGORY,
            [Tag::UpdateTime] => field::UPDATE_TIME,
            [Tag::CreateTime] => field::CREATE_TIME,
            [Tag::BucketId] => field::BUCKET_ID,
            [Tag::MaxSize] => return Some(Leaf::Number(field::MAX_SIZE, "MaxSize")),
            [Tag::MaxConcurrent] => return Some(Leaf::Number(field::MAX_CONCURRENT, "MaxConcurrent")),
            [Tag::NotifyConfig, Tag::KafkaConfig, leaf] => match leaf {
                Tag::Region => field::KAFKA_REGION,
                Tag::InstanceId => field::KAFKA_INSTANCE_ID,
                Tag::Topic => field::KAFKA_TOPIC,
                _ => return None,
            },
            [Tag::NotifyConfig, leaf] => match leaf {
                Tag::Url => field::NOTIFY_URL,
                Tag::Event => field::NOTIFY_EVENT,
                Tag::Type => field::NOTIFY_TYPE,
                Tag::State => field::NOTIFY_STATE,
                Tag::ResultFormat => field::NOTIFY_RESULT_FORMAT,
                Tag::MqMode => field::NOTIFY_MQ_MODE,
                Tag::MqRegion => field::NOTIFY_MQ_REGION,
                Tag::MqName => field::NOTIFY_MQ_NAME,
                _ => return None,
            },
            _ => return None,
        }))
    }
}
