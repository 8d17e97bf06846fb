//! The pages: sinks that fill a page from the elements they know.

use std::borrow::Cow;

use super::{expect_root, parse_count, walk, Sink, Tag};
use crate::error::{Error, ErrorKind, Result};
use crate::model::{AiQueue, AiQueuePage, NotifyConfig, PicBucket, PicBucketPage};

/// Paging fields shared by both answers.
#[derive(Default)]
struct Paging {
    request_id: Option<String>,
    total_count: Option<u64>,
    page_number: Option<u64>,
    page_size: Option<u64>,
    /// A root-level `Code`/`Message`: an error reported with a 2xx status.
    error_code: Option<String>,
    error_message: Option<String>,
}

impl Paging {
    /// An error `Code` in a 2xx answer would otherwise read as an empty page
    /// (and silently end a walk over all pages).
    fn check_no_error(&self) -> Result<()> {
        match &self.error_code {
            None => Ok(()),
            Some(code) => Err(Error::new(
                ErrorKind::Service,
                format!(
                    "the service answered 2xx with error {code}: {}",
                    self.error_message.as_deref().unwrap_or("(no message)")
                ),
            )
            .with_service_details(crate::error::ServiceDetails {
                http_status: 200,
                code: Some(code.clone()),
                request_id: self.request_id.clone(),
                ..Default::default()
            })),
        }
    }

    /// Takes `text` if `tag` (a child of the root) is a paging field.
    fn accept(&mut self, tag: Tag, text: Cow<'_, str>) -> Result<bool> {
        match tag {
            Tag::RequestId => self.request_id = Some(text.into_owned()),
            Tag::TotalCount => self.total_count = parse_count("TotalCount", &text)?,
            Tag::PageNumber => self.page_number = parse_count("PageNumber", &text)?,
            Tag::PageSize => self.page_size = parse_count("PageSize", &text)?,
            Tag::Code => self.error_code = Some(text.into_owned()),
            Tag::Message => self.error_message = Some(text.into_owned()),
            _ => return Ok(false),
        }
        Ok(true)
    }
}

/// Streams `body` into a fresh page sink and checks for a `<Response>` root.
fn parse_page<'a, S: Sink<'a> + Default>(body: &'a [u8]) -> Result<S> {
    let mut sink = S::default();
    expect_root(walk(body, &mut sink)?, Tag::Response)?;
    Ok(sink)
}

/// Room for a page's items up front, saving the copies of a growing list:
/// what this page holds by its paging fields when they came first (the
/// last page of a walk is often short), capped at the service's maximum
/// page size so that hostile values cannot make it allocate much.
fn page_capacity(paging: &Paging) -> usize {
    let page_size = paging.page_size.unwrap_or(10);
    let on_this_page = match (paging.total_count, paging.page_number) {
        (Some(total), Some(number)) => total.saturating_sub(number.saturating_sub(1).saturating_mul(page_size)).min(page_size),
        _ => page_size,
    };
    on_this_page.min(100) as usize
}

#[derive(Default)]
pub(super) struct PicBucketSink {
    paging: Paging,
    buckets: Vec<PicBucket>,
}

impl<'a> Sink<'a> for PicBucketSink {
    fn start(&mut self, path: &[Tag]) {
        if path == [Tag::Response, Tag::PicBucketList] {
            if self.buckets.is_empty() {
                self.buckets.reserve(page_capacity(&self.paging));
            }
            self.buckets.push(PicBucket::default());
        }
    }

    fn leaf(&mut self, path: &[Tag], text: Cow<'a, str>) -> Result<()> {
        match path {
            [Tag::Response, tag] => {
                self.paging.accept(*tag, text)?;
            }
            [Tag::Response, Tag::PicBucketList, tag] => {
                let bucket = self.buckets.last_mut().expect("start() pushed the bucket");
                let slot = match tag {
                    Tag::BucketId => &mut bucket.bucket_id,
                    Tag::Name => &mut bucket.name,
                    Tag::Region => &mut bucket.region,
                    Tag::CreateTime => &mut bucket.create_time,
                    _ => return Ok(()),
                };
                *slot = Some(text.into_owned());
            }
            _ => {}
        }
        Ok(())
    }
}

/// Parses a `DescribePicProcessBucket` answer.
///
/// ```
/// let page = cloud_infinite::xml::parse_pic_bucket_page(
///     b"<Response><RequestId>r1</RequestId><TotalCount>1</TotalCount>\
///       <PicBucketList><BucketId>a-1250000000</BucketId><Region>ap-beijing</Region></PicBucketList></Response>",
/// ).unwrap();
/// assert_eq!(page.total_count, Some(1));
/// assert_eq!(page.buckets[0].region.as_deref(), Some("ap-beijing"));
/// assert_eq!(page.buckets[0].name, None);
/// ```
pub fn parse_pic_bucket_page(body: &[u8]) -> Result<PicBucketPage> {
    finish_pic_bucket_page(parse_page(body)?)
}

/// The page a sink collected, unless the answer held an error `Code`.
pub(super) fn finish_pic_bucket_page(sink: PicBucketSink) -> Result<PicBucketPage> {
    sink.paging.check_no_error()?;
    let Paging { request_id, total_count, page_number, page_size, .. } = sink.paging;
    Ok(PicBucketPage { request_id, total_count, page_number, page_size, buckets: sink.buckets })
}

#[derive(Default)]
pub(super) struct AiQueueSink {
    paging: Paging,
    queues: Vec<AiQueue>,
    non_exist_pids: Vec<String>,
}

impl<'a> Sink<'a> for AiQueueSink {
    fn start(&mut self, path: &[Tag]) {
        match path {
            [Tag::Response, Tag::QueueList] => {
                if self.queues.is_empty() {
                    self.queues.reserve(page_capacity(&self.paging));
                }
                self.queues.push(AiQueue::default());
            }
            [Tag::Response, Tag::QueueList, Tag::NotifyConfig] => {
                let queue = self.queues.last_mut().expect("start() pushed the queue");
                queue.notify_config = Some(NotifyConfig::default());
            }
            _ => {}
        }
    }

    fn leaf(&mut self, path: &[Tag], text: Cow<'a, str>) -> Result<()> {
        match path {
            [Tag::Response, Tag::NonExistPids] => self.non_exist_pids.push(text.into_owned()),
            [Tag::Response, tag] => {
                self.paging.accept(*tag, text)?;
            }
            [Tag::Response, Tag::QueueList, tag] => {
                let queue = self.queues.last_mut().expect("start() pushed the queue");
                let slot = match tag {
                    Tag::QueueId => &mut queue.queue_id,
                    Tag::Name => &mut queue.name,
                    Tag::State => &mut queue.state,
                    Tag::Category => &mut queue.category,
                    Tag::UpdateTime => &mut queue.update_time,
                    Tag::CreateTime => &mut queue.create_time,
                    Tag::MaxSize => {
                        queue.max_size = parse_count("MaxSize", &text)?;
                        return Ok(());
                    }
                    Tag::MaxConcurrent => {
                        queue.max_concurrent = parse_count("MaxConcurrent", &text)?;
                        return Ok(());
                    }
                    // An empty <NotifyConfig/> still says "there is a config".
                    Tag::NotifyConfig => {
                        queue.notify_config.get_or_insert_with(NotifyConfig::default);
                        return Ok(());
                    }
                    _ => return Ok(()),
                };
                *slot = Some(text.into_owned());
            }
            [Tag::Response, Tag::QueueList, Tag::NotifyConfig, tag] => {
                let queue = self.queues.last_mut().expect("start() pushed the queue");
                let config = queue.notify_config.get_or_insert_with(NotifyConfig::default);
                let slot = match tag {
                    Tag::Url => &mut config.url,
                    Tag::Event => &mut config.event,
                    Tag::Type => &mut config.r#type,
                    Tag::State => &mut config.state,
                    Tag::ResultFormat => &mut config.result_format,
                    Tag::MqMode => &mut config.mq_mode,
                    Tag::MqRegion => &mut config.mq_region,
                    Tag::MqName => &mut config.mq_name,
                    _ => return Ok(()),
                };
                *slot = Some(text.into_owned());
            }
            _ => {}
        }
        Ok(())
    }
}

/// Parses a `DescribeAiProcessQueues` answer.
///
/// ```
/// let page = cloud_infinite::xml::parse_ai_queue_page(
///     b"<Response><RequestId>r</RequestId><QueueList><QueueId>p1</QueueId><MaxSize>10000</MaxSize></QueueList>\
///       <NonExistPIDs>A</NonExistPIDs><NonExistPIDs>B</NonExistPIDs></Response>",
/// ).unwrap();
/// assert_eq!(page.total_count, None); // absent when queueIds was given
/// assert_eq!(page.queues[0].max_size, Some(10000));
/// assert_eq!(page.non_exist_pids, ["A", "B"]);
/// ```
pub fn parse_ai_queue_page(body: &[u8]) -> Result<AiQueuePage> {
    finish_ai_queue_page(parse_page(body)?)
}

/// The page a sink collected, unless the answer held an error `Code`.
pub(super) fn finish_ai_queue_page(sink: AiQueueSink) -> Result<AiQueuePage> {
    sink.paging.check_no_error()?;
    let Paging { request_id, total_count, page_number, page_size, .. } = sink.paging;
    Ok(AiQueuePage { request_id, total_count, page_number, page_size, queues: sink.queues, non_exist_pids: sink.non_exist_pids })
}
