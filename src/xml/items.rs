//! How each item type of the model fills itself from the elements of one
//! list element (`MediaBucketList`, `CIBucketList`, `QueueList`...).

use std::borrow::Cow;

use super::{parse_count, Tag};
use crate::error::Result;
use crate::model::{Bucket, CiBucket, KafkaConfig, NotifyConfig, Queue};

/// An item of a page: the model types [`Bucket`], [`CiBucket`] and
/// [`Queue`]. Paths are relative to the item's list element.
pub trait Item: Default + Clone + std::fmt::Debug + Send + Sync + 'static {
    /// An element opened inside the item; `path` ends with it.
    #[doc(hidden)]
    fn start(&mut self, path: &[Tag]) {
        let _ = path;
    }

    /// An element with no child elements closed inside the item.
    #[doc(hidden)]
    fn leaf(&mut self, path: &[Tag], text: Cow<'_, str>) -> Result<()>;
}

impl Item for Bucket {
    fn leaf(&mut self, path: &[Tag], text: Cow<'_, str>) -> Result<()> {
        let slot = match path {
            [Tag::BucketId] => &mut self.bucket_id,
            [Tag::Name] => &mut self.name,
            [Tag::Region] => &mut self.region,
            [Tag::CreateTime] => &mut self.create_time,
            [Tag::AliasBucketId] => &mut self.alias_bucket_id,
            _ => return Ok(()),
        };
        *slot = Some(text.into_owned());
        Ok(())
    }
}

impl Item for CiBucket {
    fn leaf(&mut self, path: &[Tag], text: Cow<'_, str>) -> Result<()> {
        let slot = match path {
            [Tag::BucketId] => &mut self.bucket_id,
            [Tag::BucketName] => &mut self.bucket_name,
            [Tag::AppId] => &mut self.app_id,
            [Tag::CreateTime] => &mut self.create_time,
            [Tag::Region] => &mut self.region,
            [Tag::Status] => &mut self.status,
            _ => return Ok(()),
        };
        *slot = Some(text.into_owned());
        Ok(())
    }
}

impl Item for Queue {
    fn start(&mut self, path: &[Tag]) {
        match path {
            [Tag::NotifyConfig] => self.notify_config = Some(NotifyConfig::default()),
            [Tag::NotifyConfig, Tag::KafkaConfig] => {
                self.notify_config.get_or_insert_with(NotifyConfig::default).kafka_config = Some(KafkaConfig::default());
            }
            _ => {}
        }
    }

    fn leaf(&mut self, path: &[Tag], text: Cow<'_, str>) -> Result<()> {
        let slot = match path {
            [Tag::QueueId] => &mut self.queue_id,
            [Tag::Name] => &mut self.name,
            [Tag::State] => &mut self.state,
            [Tag::Category] => &mut self.category,
            [Tag::UpdateTime] => &mut self.update_time,
            [Tag::CreateTime] => &mut self.create_time,
            [Tag::BucketId] => &mut self.bucket_id,
            [Tag::MaxSize] => {
                self.max_size = parse_count("MaxSize", &text)?;
                return Ok(());
            }
            [Tag::MaxConcurrent] => {
                self.max_concurrent = parse_count("MaxConcurrent", &text)?;
                return Ok(());
            }
            // `<NotifyConfig/>` and `<KafkaConfig/>`: present, and empty.
            [Tag::NotifyConfig] | [Tag::NotifyConfig, Tag::KafkaConfig] => return Ok(()),
            [Tag::NotifyConfig, Tag::KafkaConfig, field] => {
                let config = self.notify_config.get_or_insert_with(NotifyConfig::default).kafka_config.get_or_insert_with(KafkaConfig::default);
                let slot = match field {
                    Tag::Region => &mut config.region,
                    Tag::InstanceId => &mut config.instance_id,
                    Tag::Topic => &mut config.topic,
                    _ => return Ok(()),
                };
                *slot = Some(text.into_owned());
                return Ok(());
            }
            [Tag::NotifyConfig, field] => {
                let config = self.notify_config.get_or_insert_with(NotifyConfig::default);
                match field {
                    Tag::Url => &mut config.url,
                    Tag::Event => &mut config.event,
                    Tag::Type => &mut config.r#type,
                    Tag::State => &mut config.state,
                    Tag::ResultFormat => &mut config.result_format,
                    Tag::MqMode => &mut config.mq_mode,
                    Tag::MqRegion => &mut config.mq_region,
                    Tag::MqName => &mut config.mq_name,
                    _ => return Ok(()),
                }
            }
            _ => return Ok(()),
        };
        *slot = Some(text.into_owned());
        Ok(())
    }
}
