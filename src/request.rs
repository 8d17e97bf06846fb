//! The calls' requests: one query per shape, validation, hosts and query strings.
//!
//! Everything here is checked before a byte is sent, so that a hostile or
//! mistaken bucket, region or endpoint can never change where a request goes.

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, Result};
use crate::model::{Bucket, CiBucket, Queue};
use crate::operations::{OperationSpec, Param, Shape};
use crate::xml::{Item, MAX_ITEMS_PER_PAGE};
use crate::sign::percent_encode_into;

/// Wire parameters in the order they are sent: name, raw (unencoded) value.
pub type Params = Vec<(&'static str, String)>;

/// Largest `pageSize` the service accepts.
pub const MAX_PAGE_SIZE: u64 = 100;
/// `pageSize` the service uses when none is sent.
pub const DEFAULT_PAGE_SIZE: u64 = 10;

/// Parameters of the bucket lists ([`Shape::Buckets`]): `DescribeMediaBuckets`,
/// `DescribePicProcessBucket` and their siblings. Empty lists and `None` are
/// not sent.
///
/// ```
/// use cloud_infinite::{BucketList, BucketQuery, Operation, Query};
/// let q = BucketQuery {
///     regions: vec!["ap-shanghai".into(), "ap-beijing".into()],
///     page_size: Some(100),
///     ..Default::default()
/// };
/// let spec = Operation::Buckets(BucketList::Media).spec();
/// assert_eq!(q.to_params(spec).unwrap(), [("regions", "ap-shanghai,ap-beijing".to_string()), ("pageSize", "100".to_string())]);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BucketQuery {
    /// `regions`: only buckets in these regions.
    pub regions: Vec<String>,
    /// `bucketNames`: only these buckets (exact names, `name-appid`).
    pub bucket_names: Vec<String>,
    /// `bucketName`: only buckets whose name starts with this.
    pub bucket_name_prefix: Option<String>,
    /// `pageNumber`, from 1.
    pub page_number: Option<u64>,
    /// `pageSize`, 1 to 100 (the service's default is 10).
    pub page_size: Option<u64>,
}

/// Parameters of `DescribeCIBuckets` ([`Shape::CiBuckets`]). `None` is not sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CiBucketQuery {
    /// `bucketName`: only buckets matching this name.
    pub bucket_name: Option<String>,
    /// `tagKey`: only buckets with this tag key.
    pub tag_key: Option<String>,
    /// `region`: only buckets in this region.
    pub region: Option<String>,
    /// `pageNumber`, from 1.
    pub page_number: Option<u64>,
    /// `pageSize`, 1 to 100 (the service's default is 10).
    pub page_size: Option<u64>,
}

/// A queue state to filter on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QueueState {
    /// Jobs in the queue are scheduled.
    Active,
    /// The queue is suspended.
    Paused,
}

impl QueueState {
    /// The wire value, `Active` or `Paused`.
    pub fn as_str(self) -> &'static str {
        match self {
            QueueState::Active => "Active",
            QueueState::Paused => "Paused",
        }
    }
}

impl fmt::Display for QueueState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for QueueState {
    type Err = Error;

    /// `Active` or `Paused`, exactly as the service spells them.
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "Active" => Ok(QueueState::Active),
            "Paused" => Ok(QueueState::Paused),
            other => Err(Error::invalid_argument(format!("state must be \"Active\" or \"Paused\", got {other:?}"))),
        }
    }
}

/// Parameters of the queue lists ([`Shape::Queues`]): `DescribeMediaProcessQueues`,
/// `DescribeAiProcessQueues` and their siblings. Empty lists and `None` are
/// not sent; `category` only where the call takes it.
///
/// With `queue_ids` the service answers those queues (and `NonExistPIDs`)
/// without paging fields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueueQuery {
    /// `queueIds`: only these queues.
    pub queue_ids: Vec<String>,
    /// `state`: only queues in this state.
    pub state: Option<QueueState>,
    /// `category`: only queues of this category (e.g. `Transcoding`);
    /// see [`OperationSpec::categories`].
    pub category: Option<String>,
    /// `pageNumber`, from 1.
    pub page_number: Option<u64>,
    /// `pageSize`, 1 to 100 (the service's default is 10).
    pub page_size: Option<u64>,
}

/// A query of one shape: how the generic call and pager read it.
pub trait Query: Clone + fmt::Debug + Send + Sync + 'static {
    /// The shape of the calls that take it.
    const SHAPE: Shape;

    /// The item type of its pages.
    type Item: Item;

    /// Checks the query against the call and returns its wire parameters in
    /// the documented order, with only the ones that are set. A parameter
    /// that is set but that `spec` does not take is an error, not dropped.
    fn to_params(&self, spec: &OperationSpec) -> Result<Params>;

    /// `pageNumber`, if set.
    fn page_number(&self) -> Option<u64>;

    /// `pageSize`, if set.
    fn page_size(&self) -> Option<u64>;

    /// The same query for another page.
    fn with_page_number(&self, page_number: Option<u64>) -> Self;

    /// Whether the service pages the answer (a queue query naming
    /// `queue_ids` is answered in one unpaged page).
    fn is_paged(&self) -> bool {
        true
    }

    /// The most items an answer to it may hold.
    fn max_items(&self) -> usize {
        MAX_ITEMS_PER_PAGE
    }
}

/// Collects the set parameters, refusing those the call does not take.
struct ParamWriter<'s> {
    spec: &'s OperationSpec,
    params: Params,
}

impl<'s> ParamWriter<'s> {
    fn new(spec: &'s OperationSpec, shape: Shape) -> Result<Self> {
        if spec.operation.shape() != shape {
            return Err(Error::invalid_argument(format!(
                "{} answers {:?}, not {shape:?}: use the query of its shape",
                spec.name,
                spec.operation.shape()
            )));
        }
        Ok(ParamWriter { spec, params: Vec::with_capacity(spec.params.len()) })
    }

    fn push(&mut self, param: Param, value: Option<String>) -> Result<()> {
        let Some(value) = value else { return Ok(()) };
        if !self.spec.takes(param) {
            return Err(Error::invalid_argument(format!("{} takes no {}: leave it unset", self.spec.name, param.field_name())));
        }
        self.params.push((param.wire_name(), value));
        Ok(())
    }

    fn paging(mut self, page_number: Option<u64>, page_size: Option<u64>) -> Result<Params> {
        check_page(page_number, page_size)?;
        self.push(Param::PageNumber, page_number.map(|n| n.to_string()))?;
        self.push(Param::PageSize, page_size.map(|n| n.to_string()))?;
        Ok(self.params)
    }
}

fn list(field: &str, items: &[String], check: impl Fn(&str) -> Result<()>) -> Result<Option<String>> {
    if items.is_empty() {
        Ok(None)
    } else {
        join_list(field, items, check).map(Some)
    }
}

fn text(field: &str, value: &Option<String>) -> Result<Option<String>> {
    check_text(field, value)?;
    Ok(value.clone())
}

impl Query for BucketQuery {
    const SHAPE: Shape = Shape::Buckets;
    type Item = Bucket;

    fn to_params(&self, spec: &OperationSpec) -> Result<Params> {
        let mut w = ParamWriter::new(spec, Self::SHAPE)?;
        w.push(Param::Regions, list("regions", &self.regions, validate_region)?)?;
        w.push(Param::BucketNames, list("bucket_names", &self.bucket_names, |_| Ok(()))?)?;
        w.push(Param::BucketNamePrefix, text("bucket_name_prefix", &self.bucket_name_prefix)?)?;
        w.paging(self.page_number, self.page_size)
    }

    fn page_number(&self) -> Option<u64> {
        self.page_number
    }

    fn page_size(&self) -> Option<u64> {
        self.page_size
    }

    fn with_page_number(&self, page_number: Option<u64>) -> Self {
        BucketQuery { page_number, ..self.clone() }
    }
}

impl Query for CiBucketQuery {
    const SHAPE: Shape = Shape::CiBuckets;
    type Item = CiBucket;

    fn to_params(&self, spec: &OperationSpec) -> Result<Params> {
        let mut w = ParamWriter::new(spec, Self::SHAPE)?;
        w.push(Param::BucketName, text("bucket_name", &self.bucket_name)?)?;
        w.push(Param::TagKey, text("tag_key", &self.tag_key)?)?;
        if let Some(region) = &self.region {
            validate_region(region)?;
        }
        w.push(Param::Region, self.region.clone())?;
        w.paging(self.page_number, self.page_size)
    }

    fn page_number(&self) -> Option<u64> {
        self.page_number
    }

    fn page_size(&self) -> Option<u64> {
        self.page_size
    }

    fn with_page_number(&self, page_number: Option<u64>) -> Self {
        CiBucketQuery { page_number, ..self.clone() }
    }
}

impl Query for QueueQuery {
    const SHAPE: Shape = Shape::Queues;
    type Item = Queue;

    fn to_params(&self, spec: &OperationSpec) -> Result<Params> {
        let mut w = ParamWriter::new(spec, Self::SHAPE)?;
        w.push(Param::QueueIds, list("queue_ids", &self.queue_ids, |_| Ok(()))?)?;
        w.push(Param::State, self.state.map(|s| s.as_str().to_owned()))?;
        w.push(Param::Category, text("category", &self.category)?)?;
        w.paging(self.page_number, self.page_size)
    }

    fn page_number(&self) -> Option<u64> {
        self.page_number
    }

    fn page_size(&self) -> Option<u64> {
        self.page_size
    }

    fn with_page_number(&self, page_number: Option<u64>) -> Self {
        QueueQuery { page_number, ..self.clone() }
    }

    fn is_paged(&self) -> bool {
        self.queue_ids.is_empty()
    }

    fn max_items(&self) -> usize {
        MAX_ITEMS_PER_PAGE.max(self.queue_ids.len())
    }
}

fn check_page(page_number: Option<u64>, page_size: Option<u64>) -> Result<()> {
    if page_number == Some(0) {
        return Err(Error::invalid_argument("page_number starts at 1, got 0"));
    }
    if let Some(size) = page_size {
        if !(1..=MAX_PAGE_SIZE).contains(&size) {
            return Err(Error::invalid_argument(format!("page_size must be between 1 and {MAX_PAGE_SIZE}, got {size}")));
        }
    }
    Ok(())
}

/// Joins list items with commas after checking each one is a usable item.
fn join_list(field: &str, items: &[String], check: impl Fn(&str) -> Result<()>) -> Result<String> {
    for (i, item) in items.iter().enumerate() {
        if item.is_empty() {
            return Err(Error::invalid_argument(format!("{field}[{i}] is empty")));
        }
        if item.contains(',') {
            return Err(Error::invalid_argument(format!(
                "{field}[{i}] is {item:?}: a comma would split it into several items; pass each as its own item"
            )));
        }
        check(item).map_err(|e| Error::invalid_argument(format!("{field}[{i}]: {}", e.message())))?;
    }
    Ok(items.join(","))
}

fn check_text(field: &str, value: &Option<String>) -> Result<()> {
    if value.as_deref() == Some("") {
        return Err(Error::invalid_argument(format!("{field} is empty: leave it unset to not filter on it")));
    }
    Ok(())
}

/// Checks a region name such as `ap-guangzhou`: lowercase letters, digits and
/// inner hyphens only, since it becomes part of a host name.
///
/// ```
/// use cloud_infinite::request::validate_region;
/// assert!(validate_region("ap-guangzhou").is_ok());
/// assert!(validate_region("evil.com/x").is_err());
/// ```
pub fn validate_region(region: &str) -> Result<()> {
    let ok = !region.is_empty()
        && region.len() <= 63
        && region.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !region.starts_with('-')
        && !region.ends_with('-');
    if ok {
        Ok(())
    } else {
        Err(Error::invalid_argument(format!(
            "region {region:?} is not a region name like \"ap-guangzhou\" (lowercase letters, digits and hyphens)"
        )))
    }
}

/// Checks a bucket in the `BucketName-APPID` form (`examplebucket-1250000000`):
/// it becomes the first label of the host name, so it may hold only lowercase
/// letters, digits and hyphens, and must end in `-<APPID>`.
///
/// ```
/// use cloud_infinite::request::validate_bucket;
/// assert!(validate_bucket("examplebucket-1250000000").is_ok());
/// assert!(validate_bucket("examplebucket").is_err()); // no APPID
/// assert!(validate_bucket("a.evil.com/x-1250000000").is_err());
/// ```
pub fn validate_bucket(bucket: &str) -> Result<()> {
    let charset_ok = bucket.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    let appid_ok = bucket
        .rsplit_once('-')
        .is_some_and(|(name, appid)| {
            !name.is_empty() && !name.ends_with('-') && !appid.is_empty() && appid.bytes().all(|b| b.is_ascii_digit())
        });
    if charset_ok && appid_ok && bucket.len() <= 63 && !bucket.starts_with('-') {
        Ok(())
    } else {
        Err(Error::invalid_argument(format!(
            "bucket {bucket:?} is not of the form BucketName-APPID like \"examplebucket-1250000000\" \
             (lowercase letters, digits and hyphens, at most 63 characters)"
        )))
    }
}

/// Checks an endpoint override: a host name (or IPv4 address) with an
/// optional `:port`, and nothing else (no scheme, path, user or query). It
/// is lowercased by the client, as DNS names are case-insensitive and the
/// signature covers the host. An IPv4 endpoint only suits the service-level
/// call: bucket calls prepend `<bucket>.` to it.
///
/// ```
/// use cloud_infinite::request::validate_endpoint;
/// assert!(validate_endpoint("ci.example.com").is_ok());
/// assert!(validate_endpoint("ci.example.com:8443").is_ok());
/// assert!(validate_endpoint("https://ci.example.com").is_err());
/// assert!(validate_endpoint("ci.example.com/x").is_err());
/// ```
pub fn validate_endpoint(endpoint: &str) -> Result<()> {
    let bad = |why: &str| {
        Error::invalid_argument(format!("endpoint {endpoint:?} {why}: give a host name with an optional :port, e.g. \"ci.ap-guangzhou.myqcloud.com\""))
    };
    if endpoint.contains("://") {
        return Err(bad("has a scheme (set the scheme option instead)"));
    }
    let (host, port) = match endpoint.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (endpoint, None),
    };
    if let Some(port) = port {
        // Canonical digits only: `u16::from_str` would also take "+80" and
        // "0080", and the Host header (which is signed) must be unambiguous.
        if port.starts_with('0') || !port.bytes().all(|b| b.is_ascii_digit()) || port.parse::<u16>().is_err() {
            return Err(bad("has a port that is not a number from 1 to 65535"));
        }
    }
    let labels_ok = !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        });
    if labels_ok {
        Ok(())
    } else {
        Err(bad("is not a host name"))
    }
}

/// The host of the service-level call: the endpoint override, else
/// `ci.<region>.myqcloud.com`.
pub fn service_host(region: &str, endpoint: Option<&str>) -> String {
    match endpoint {
        Some(endpoint) => endpoint.to_owned(),
        None => format!("ci.{region}.myqcloud.com"),
    }
}

/// The host of a bucket-level call: `<bucket>.` + [`service_host`].
pub fn bucket_host(bucket: &str, region: &str, endpoint: Option<&str>) -> String {
    format!("{bucket}.{}", service_host(region, endpoint))
}

/// `path?k=v&...` with names and values encoded exactly as they are signed.
pub fn path_and_query(path: &str, params: &[(&str, String)]) -> String {
    let mut out = String::with_capacity(path.len() + 16 * params.len());
    out.push_str(path);
    for (i, (k, v)) in params.iter().enumerate() {
        out.push(if i == 0 { '?' } else { '&' });
        percent_encode_into(&mut out, k);
        out.push('=');
        percent_encode_into(&mut out, v);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn hostile_names_never_reach_a_host() {
        for bad in ["", "a.evil.com/x-1", "x:80-1", "..-1", "a-b", "UPPER-1", "a b-1", "a-1\r\nX: y", "-a-1", "a--1"] {
            assert_eq!(validate_bucket(bad).unwrap_err().kind(), ErrorKind::InvalidArgument, "{bad:?}");
        }
        for bad in ["", "ap.evil.com", "x:80", "..", "ap-guangzhou/", "-ap", "AP-GZ"] {
            assert!(validate_region(bad).is_err(), "{bad:?}");
        }
        for bad in ["", "a..b", "a/b", "a@b", "a:0", "a:99999", "a:", "a:+80", "a:0080", "[::1]", "a b", "http://a"] {
            assert!(validate_endpoint(bad).is_err(), "{bad:?}");
        }
    }

    use crate::operations::{BucketList, Operation, QueueList};

    fn spec(op: impl Into<Operation>) -> &'static OperationSpec {
        op.into().spec()
    }

    #[test]
    fn queries_reject_bad_values_with_the_field_named() {
        let pic = spec(BucketList::Pic);
        let ai = spec(QueueList::Ai);
        let ci = Operation::CiBuckets.spec();
        let cases: Vec<(Result<Params>, &str)> = vec![
            (BucketQuery { page_size: Some(0), ..Default::default() }.to_params(pic), "page_size"),
            (BucketQuery { page_size: Some(101), ..Default::default() }.to_params(pic), "page_size"),
            (BucketQuery { page_number: Some(0), ..Default::default() }.to_params(pic), "page_number"),
            (BucketQuery { regions: vec!["ap-a,ap-b".into()], ..Default::default() }.to_params(pic), "regions[0]"),
            (BucketQuery { regions: vec!["x/y".into()], ..Default::default() }.to_params(pic), "regions[0]"),
            (BucketQuery { bucket_names: vec!["a".into(), "".into()], ..Default::default() }.to_params(pic), "bucket_names[1]"),
            (BucketQuery { bucket_name_prefix: Some("".into()), ..Default::default() }.to_params(pic), "bucket_name_prefix"),
            (QueueQuery { queue_ids: vec!["".into()], ..Default::default() }.to_params(ai), "queue_ids[0]"),
            (QueueQuery { category: Some("".into()), ..Default::default() }.to_params(spec(QueueList::Media)), "category"),
            (QueueQuery { category: Some("X".into()), ..Default::default() }.to_params(ai), "takes no category"),
            (CiBucketQuery { region: Some("A B".into()), ..Default::default() }.to_params(ci), "region"),
            (CiBucketQuery { tag_key: Some("".into()), ..Default::default() }.to_params(ci), "tag_key"),
            (BucketQuery::default().to_params(ai), "use the query of its shape"),
        ];
        for (result, field) in cases {
            let e = result.unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidArgument);
            assert!(e.message().contains(field), "{field}: {}", e.message());
        }
        assert!("All".parse::<QueueState>().is_err());
    }

    #[test]
    fn only_set_parameters_are_sent_in_documented_order() {
        let q = QueueQuery {
            queue_ids: vec!["pa1".into(), "pb2".into()],
            state: Some(QueueState::Paused),
            category: Some("SpeedTranscoding".into()),
            page_number: Some(2),
            page_size: Some(5),
        };
        let media = spec(QueueList::Media);
        assert_eq!(path_and_query("/queue", &q.to_params(media).unwrap()), "/queue?queueIds=pa1%2Cpb2&state=Paused&category=SpeedTranscoding&pageNumber=2&pageSize=5");
        let ai = spec(QueueList::Ai);
        assert_eq!(path_and_query("/ai_queue", &QueueQuery::default().to_params(ai).unwrap()), "/ai_queue");
        let p = BucketQuery { bucket_name_prefix: Some("测 a&b".into()), ..Default::default() };
        assert_eq!(path_and_query("/picbucket", &p.to_params(spec(BucketList::Pic)).unwrap()), "/picbucket?bucketName=%E6%B5%8B%20a%26b");
        let c = CiBucketQuery { bucket_name: Some("b".into()), tag_key: Some("k".into()), region: Some("ap-beijing".into()), page_number: Some(1), page_size: Some(3) };
        assert_eq!(
            path_and_query("/cibuckets", &c.to_params(Operation::CiBuckets.spec()).unwrap()),
            "/cibuckets?bucketName=b&tagKey=k&region=ap-beijing&pageNumber=1&pageSize=3"
        );
    }
}
