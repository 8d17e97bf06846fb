//! The describe calls: one generic call and one generic pager serve every
//! entry of [`OPERATIONS`](crate::operations::OPERATIONS).

use std::time::Instant;

use super::pages::Pages;
use super::Client;
use crate::error::{Error, ErrorKind, Result, ServiceDetails};
use crate::model::{BucketPage, CiBucketPage, Page, QueuePage};
use crate::operations::{BucketList, HostLevel, Operation, QueueList};
use crate::request::{self, BucketQuery, CiBucketQuery, Query, QueueQuery};
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
    /// for bucket in page.items() {
    ///     println!("{:?} in {:?}", bucket.name(), bucket.region());
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
        let mut raw = self.get(&host, spec.path, &params)?;
        if self.cancel.as_ref().is_some_and(crate::CancelToken::is_cancelled) {
            return Err(crate::cancel::cancelled_error(spec.path));
        }
        // The page keeps the body's bytes as its own.
        let body = std::mem::take(&mut raw.body);
        let page = xml::parse_page::<Q::Item>(body, spec.list_element, query.max_items()).map_err(|e| {
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
        page.set_request_id_if_absent(raw.request_id.as_deref());
        Ok(page)
    }

    /// Every page of any call; see [`describe`](Self::describe) and [`Pages`].
    pub fn pages<Q: Query>(&self, operation: Operation, bucket: Option<&str>, query: Q) -> Pages<Q> {
        Pages::new(self, operation, bucket, query)
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

