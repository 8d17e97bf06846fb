//! The calls and their page walkers.

use super::Client;
use crate::error::Result;
use crate::model::{AiQueue, AiQueuePage, PicBucket, PicBucketPage};
use crate::request::{self, AiQueueQuery, PicBucketQuery, DEFAULT_PAGE_SIZE};
use crate::xml;

impl Client {
    /// `DescribePicProcessBucket`: one page of the buckets with image
    /// processing enabled, across the account.
    pub fn describe_pic_buckets(&self, query: &PicBucketQuery) -> Result<PicBucketPage> {
        let params = query.to_params()?;
        let host = request::service_host(&self.inner.region, self.inner.endpoint.as_deref());
        let raw = self.get(&host, "/picbucket", &params)?;
        let mut page = xml::parse_pic_bucket_page(&raw.body).map_err(|e| e.with_service_details(raw.details()))?;
        page.request_id = page.request_id.or(raw.request_id);
        Ok(page)
    }

    /// `DescribeAiProcessQueues`: one page of a bucket's AI content
    /// recognition queues. `bucket` is `BucketName-APPID`.
    pub fn describe_ai_queues(&self, bucket: &str, query: &AiQueueQuery) -> Result<AiQueuePage> {
        request::validate_bucket(bucket)?;
        let params = query.to_params()?;
        let host = request::bucket_host(bucket, &self.inner.region, self.inner.endpoint.as_deref());
        let raw = self.get(&host, "/ai_queue", &params)?;
        let mut page = xml::parse_ai_queue_page(&raw.body).map_err(|e| e.with_service_details(raw.details()))?;
        page.request_id = page.request_id.or(raw.request_id);
        Ok(page)
    }

    /// Every page of [`describe_pic_buckets`](Self::describe_pic_buckets),
    /// from `query.page_number` (default 1) to the last. Stops after the
    /// first error.
    pub fn pic_bucket_pages(&self, query: PicBucketQuery) -> PicBucketPages {
        PicBucketPages { client: self.clone(), next_page: Some(query.page_number.unwrap_or(1)), query }
    }

    /// Every bucket across all pages.
    pub fn all_pic_buckets(&self, query: PicBucketQuery) -> Result<Vec<PicBucket>> {
        let mut all = Vec::new();
        for page in self.pic_bucket_pages(query) {
            all.extend(page?.buckets);
        }
        Ok(all)
    }

    /// Every page of [`describe_ai_queues`](Self::describe_ai_queues). With
    /// `queue_ids` there is a single page.
    pub fn ai_queue_pages(&self, bucket: &str, query: AiQueueQuery) -> AiQueuePages {
        AiQueuePages {
            client: self.clone(),
            bucket: bucket.to_owned(),
            next_page: Some(query.page_number.unwrap_or(1)),
            query,
        }
    }

    /// Every queue across all pages.
    pub fn all_ai_queues(&self, bucket: &str, query: AiQueueQuery) -> Result<Vec<AiQueue>> {
        let mut all = Vec::new();
        for page in self.ai_queue_pages(bucket, query) {
            all.extend(page?.queues);
        }
        Ok(all)
    }

}

/// The page after `current`, or `None` when `current` was the last.
///
/// Trusts TotalCount when the answer has it; otherwise a full page means
/// there may be more. An empty page always ends the walk, so a service that
/// ignores paging cannot make it loop forever.
fn next_page_number(current: u64, requested_size: Option<u64>, total: Option<u64>, answered_size: Option<u64>, items: usize) -> Option<u64> {
    if items == 0 {
        return None;
    }
    let size = answered_size.or(requested_size).unwrap_or(DEFAULT_PAGE_SIZE).max(1);
    let more = match total {
        Some(total) => current.saturating_mul(size) < total,
        None => items as u64 >= size,
    };
    if more {
        current.checked_add(1)
    } else {
        None
    }
}

/// Iterator over the pages of a pic-bucket query; see [`Client::pic_bucket_pages`].
#[derive(Debug)]
pub struct PicBucketPages {
    client: Client,
    query: PicBucketQuery,
    next_page: Option<u64>,
}

impl Iterator for PicBucketPages {
    type Item = Result<PicBucketPage>;

    fn next(&mut self) -> Option<Self::Item> {
        let current = self.next_page.take()?;
        let query = PicBucketQuery { page_number: Some(current), ..self.query.clone() };
        let page = match self.client.describe_pic_buckets(&query) {
            Ok(page) => page,
            Err(e) => return Some(Err(e)),
        };
        self.next_page = next_page_number(current, self.query.page_size, page.total_count, page.page_size, page.buckets.len());
        Some(Ok(page))
    }
}

/// Iterator over the pages of an AI-queue query; see [`Client::ai_queue_pages`].
#[derive(Debug)]
pub struct AiQueuePages {
    client: Client,
    bucket: String,
    query: AiQueueQuery,
    next_page: Option<u64>,
}

impl Iterator for AiQueuePages {
    type Item = Result<AiQueuePage>;

    fn next(&mut self) -> Option<Self::Item> {
        let current = self.next_page.take()?;
        // The service does not page an answer to queueIds.
        let paged = self.query.queue_ids.is_empty();
        let query = AiQueueQuery { page_number: paged.then_some(current), ..self.query.clone() };
        let page = match self.client.describe_ai_queues(&self.bucket, &query) {
            Ok(page) => page,
            Err(e) => return Some(Err(e)),
        };
        if paged {
            self.next_page = next_page_number(current, self.query.page_size, page.total_count, page.page_size, page.queues.len());
        }
        Some(Ok(page))
    }
}


#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paging_stops_at_total_or_short_or_empty_page() {
        assert_eq!(next_page_number(1, Some(10), Some(25), Some(10), 10), Some(2));
        assert_eq!(next_page_number(3, Some(10), Some(25), Some(10), 5), None);
        assert_eq!(next_page_number(2, None, Some(20), None, 10), None);
        assert_eq!(next_page_number(1, None, None, None, 10), Some(2));
        assert_eq!(next_page_number(1, Some(10), None, None, 3), None);
        assert_eq!(next_page_number(1, Some(10), Some(1000), Some(10), 0), None);
    }
}
