//! The describe calls: one generic call and one generic pager serve every
//! entry of [`OPERATIONS`](crate::operations::OPERATIONS).

use std::time::Instant;

use super::Client;
use crate::error::{Error, ErrorKind, Result, ServiceDetails};
use crate::model::{BucketPage, CiBucketPage, Page, QueuePage};
use crate::operations::{BucketList, HostLevel, Operation, QueueList};
use crate::request::{self, BucketQuery, CiBucketQuery, Query, QueueQuery, DEFAULT_PAGE_SIZE};
use crate::xml;

impl Client {
    /// One page of a service's buckets: `DescribeMediaBuckets`,
    /// `DescribePicProcessBucket`, `DescribeAIProcessBuckets`,
    /// `DescribeASRProcessBuckets`, `DescribeDocProcessBuckets` or
    /// `DescribeFileProcessBuckets`, across the account.
    ///
    /// ```no_run
    /// # let client = cloud_infinite::Client::builder().secret_id("AK").secret_key("k").region("ap-guangzhou").build()?;
    /// use cloud_infinite::{BucketList, BucketQuery};
    /// let page = client.describe_buckets(BucketList::Media, &BucketQuery { page_size: Some(100), ..Default::default() })?;
    /// for bucket in &page.items {
    ///     println!("{:?} in {:?}", bucket.name, bucket.region);
    /// }
    /// # Ok::<(), cloud_infinite::Error>(())
    /// ```
    pub fn describe_buckets(&self, list: BucketList, query: &BucketQuery) -> Result<BucketPage> {
        self.describe(Operation::Buckets(list), None, query)
    }

    /// One page of `DescribeCIBuckets`: the buckets bound to Cloud Infinite.
    pub fn describe_ci_buckets(&self, query: &CiBucketQuery) -> Result<CiBucketPage> {
        self.describe(Operation::CiBuckets, None, query)
    }

    /// One page of a bucket's queues of one service: `DescribeMediaProcessQueues`,
    /// `DescribePicProcessQueues`, `DescribeAiProcessQueues`,
    /// `DescribeAsrProcessQueues`, `DescribeDocProcessQueues` or
    /// `DescribeFileProcessQueues`. `bucket` is `BucketName-APPID`.
    pub fn describe_queues(&self, list: QueueList, bucket: &str, query: &QueueQuery) -> Result<QueuePage> {
        self.describe(Operation::Queues(list), Some(bucket), query)
    }

    /// Every page of [`describe_buckets`](Self::describe_buckets), from
    /// `query.page_number` (default 1) to the last.
    pub fn bucket_pages(&self, list: BucketList, query: BucketQuery) -> Pages<BucketQuery> {
        self.pages(Operation::Buckets(list), None, query)
    }

    /// Every page of [`describe_ci_buckets`](Self::describe_ci_buckets).
    pub fn ci_bucket_pages(&self, query: CiBucketQuery) -> Pages<CiBucketQuery> {
        self.pages(Operation::CiBuckets, None, query)
    }

    /// Every page of [`describe_queues`](Self::describe_queues). With
    /// `queue_ids` there is a single page.
    pub fn queue_pages(&self, list: QueueList, bucket: &str, query: QueueQuery) -> Pages<QueueQuery> {
        self.pages(Operation::Queues(list), Some(bucket), query)
    }

    /// Any call, by its [`Operation`]: the typed methods above in one.
    /// `bucket` is required by queue calls and refused by the others; a
    /// query of another shape than the call's, or setting a parameter the
    /// call does not take, is an [`ErrorKind::InvalidArgument`].
    pub fn describe<Q: Query>(&self, operation: Operation, bucket: Option<&str>, query: &Q) -> Result<Page<Q::Item>> {
        let started = Instant::now();
        let spec = operation.spec();
        let params = query.to_params(spec)?;
        let host = self.host(operation, bucket)?;
        let raw = self.get(&host, spec.path, &params)?;
        let page = xml::parse_page::<Q::Item>(&raw.body, spec.list_element, query.max_items()).map_err(|e| {
            // What the body said wins over the headers; they fill its gaps.
            let details = match e.service_details() {
                Some(body) => ServiceDetails { request_id: body.request_id.clone().or_else(|| raw.request_id.clone()), ..body.clone() },
                None => raw.details(),
            };
            e.with_service_details(details)
        });
        // The call's timeout covers reading the answer too, not only the
        // wire (parsing is bounded by the body cap and the item cap).
        if started.elapsed() > self.timeout {
            return Err(Error::new(
                ErrorKind::Timeout,
                format!("{}: the answer arrived but was not read within the call's {:?} timeout", spec.name, self.timeout),
            )
            .with_service_details(raw.details()));
        }
        let mut page = page?;
        page.request_id = page.request_id.or(raw.request_id);
        Ok(page)
    }

    /// Every page of any call; see [`describe`](Self::describe).
    pub fn pages<Q: Query>(&self, operation: Operation, bucket: Option<&str>, query: Q) -> Pages<Q> {
        Pages {
            client: self.clone(),
            operation,
            bucket: bucket.map(str::to_owned),
            next_page: Some(query.page_number().unwrap_or(1)),
            query,
        }
    }

    /// The host a call goes to, checking the bucket it was given.
    fn host(&self, operation: Operation, bucket: Option<&str>) -> Result<String> {
        let inner = &self.inner;
        match (operation.host_level(), bucket) {
            (HostLevel::Service, None) => Ok(request::service_host(&inner.region, inner.endpoint.as_deref())),
            (HostLevel::Bucket, Some(bucket)) => {
                request::validate_bucket(bucket)?;
                Ok(request::bucket_host(bucket, &inner.region, inner.endpoint.as_deref()))
            }
            (HostLevel::Service, Some(_)) => {
                Err(Error::invalid_argument(format!("{operation} lists the account's buckets: it takes no bucket")))
            }
            (HostLevel::Bucket, None) => {
                Err(Error::invalid_argument(format!("{operation} lists one bucket's queues: give the bucket (BucketName-APPID)")))
            }
        }
    }
}

/// The page after `current`, or `None` when `current` was the last.
///
/// Trusts TotalCount when the answer has it; otherwise a full page means
/// there may be more. An empty page always ends the walk, so a service that
/// ignores paging cannot make it loop forever.
pub(crate) fn next_page_number(current: u64, requested_size: Option<u64>, total: Option<u64>, answered_size: Option<u64>, items: usize) -> Option<u64> {
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

/// Iterator over the pages of one call's query, first to last; see
/// [`Client::pages`]. It stops after the first error.
///
/// ```no_run
/// # let client = cloud_infinite::Client::builder().secret_id("AK").secret_key("k").region("ap-guangzhou").build()?;
/// use cloud_infinite::{QueueList, QueueQuery};
/// for page in client.queue_pages(QueueList::Media, "examplebucket-1250000000", QueueQuery::default()) {
///     for queue in page?.items {
///         println!("{:?} {:?}", queue.queue_id, queue.state);
///     }
/// }
/// # Ok::<(), cloud_infinite::Error>(())
/// ```
#[derive(Debug)]
pub struct Pages<Q: Query> {
    client: Client,
    operation: Operation,
    bucket: Option<String>,
    query: Q,
    next_page: Option<u64>,
}

impl<Q: Query> Pages<Q> {
    /// Every item of every page, in order; the first error ends the walk.
    pub fn collect_items(self) -> Result<Vec<Q::Item>> {
        let mut all = Vec::new();
        for page in self {
            all.extend(page?.items);
        }
        Ok(all)
    }
}

impl<Q: Query> Iterator for Pages<Q> {
    type Item = Result<Page<Q::Item>>;

    fn next(&mut self) -> Option<Self::Item> {
        let current = self.next_page.take()?;
        // The service does not page an answer to queueIds.
        let paged = self.query.is_paged();
        let query = self.query.with_page_number(if paged { Some(current) } else { self.query.page_number() });
        let page = match self.client.describe(self.operation, self.bucket.as_deref(), &query) {
            Ok(page) => page,
            Err(e) => return Some(Err(e)),
        };
        if paged {
            self.next_page = next_page_number(current, self.query.page_size(), page.total_count, page.page_size, page.items.len());
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
