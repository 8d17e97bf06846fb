//! The two calls' requests: their queries, validation, hosts and query strings.
//!
//! Everything here is checked before a byte is sent, so that a hostile or
//! mistaken bucket, region or endpoint can never change where a request goes.

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, Result};
use crate::sign::percent_encode_into;

/// Wire parameters in the order they are sent: name, raw (unencoded) value.
pub type Params = Vec<(&'static str, String)>;

/// Largest `pageSize` the service accepts.
pub const MAX_PAGE_SIZE: u64 = 100;
/// `pageSize` the service uses when none is sent.
pub const DEFAULT_PAGE_SIZE: u64 = 10;

/// Parameters of `DescribePicProcessBucket` (`GET /picbucket`). Empty lists
/// and `None` are not sent.
///
/// ```
/// use cloud_infinite::PicBucketQuery;
/// let q = PicBucketQuery {
///     regions: vec!["ap-shanghai".into(), "ap-beijing".into()],
///     page_size: Some(100),
///     ..Default::default()
/// };
/// assert_eq!(q.to_params().unwrap(), [("regions", "ap-shanghai,ap-beijing".to_string()), ("pageSize", "100".to_string())]);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PicBucketQuery {
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

/// Parameters of `DescribeAiProcessQueues` (`GET /ai_queue`). Empty lists and
/// `None` are not sent.
///
/// With `queue_ids` the service answers those queues (and `NonExistPIDs`)
/// without paging fields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AiQueueQuery {
    /// `queueIds`: only these queues.
    pub queue_ids: Vec<String>,
    /// `state`: only queues in this state.
    pub state: Option<QueueState>,
    /// `category`: only queues of this category (e.g. `AIProcess`).
    pub category: Option<String>,
    /// `pageNumber`, from 1.
    pub page_number: Option<u64>,
    /// `pageSize`, 1 to 100 (the service's default is 10).
    pub page_size: Option<u64>,
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

impl PicBucketQuery {
    /// Checks the query and returns its wire parameters, in the documented
    /// order, with only the ones that are set.
    pub fn to_params(&self) -> Result<Params> {
        check_page(self.page_number, self.page_size)?;
        check_text("bucket_name_prefix", &self.bucket_name_prefix)?;
        let mut params = Vec::with_capacity(5);
        if !self.regions.is_empty() {
            params.push(("regions", join_list("regions", &self.regions, validate_region)?));
        }
        if !self.bucket_names.is_empty() {
            params.push(("bucketNames", join_list("bucket_names", &self.bucket_names, |_| Ok(()))?));
        }
        if let Some(prefix) = &self.bucket_name_prefix {
            params.push(("bucketName", prefix.clone()));
        }
        push_paging(&mut params, self.page_number, self.page_size);
        Ok(params)
    }
}

impl AiQueueQuery {
    /// Checks the query and returns its wire parameters, in the documented
    /// order, with only the ones that are set.
    pub fn to_params(&self) -> Result<Params> {
        check_page(self.page_number, self.page_size)?;
        check_text("category", &self.category)?;
        let mut params = Vec::with_capacity(5);
        if !self.queue_ids.is_empty() {
            params.push(("queueIds", join_list("queue_ids", &self.queue_ids, |_| Ok(()))?));
        }
        if let Some(state) = self.state {
            params.push(("state", state.as_str().to_owned()));
        }
        if let Some(category) = &self.category {
            params.push(("category", category.clone()));
        }
        push_paging(&mut params, self.page_number, self.page_size);
        Ok(params)
    }
}

fn push_paging(params: &mut Params, page_number: Option<u64>, page_size: Option<u64>) {
    if let Some(n) = page_number {
        params.push(("pageNumber", n.to_string()));
    }
    if let Some(n) = page_size {
        params.push(("pageSize", n.to_string()));
    }
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

    #[test]
    fn queries_reject_bad_values_with_the_field_named() {
        let cases: Vec<(Result<Params>, &str)> = vec![
            (PicBucketQuery { page_size: Some(0), ..Default::default() }.to_params(), "page_size"),
            (PicBucketQuery { page_size: Some(101), ..Default::default() }.to_params(), "page_size"),
            (PicBucketQuery { page_number: Some(0), ..Default::default() }.to_params(), "page_number"),
            (PicBucketQuery { regions: vec!["ap-a,ap-b".into()], ..Default::default() }.to_params(), "regions[0]"),
            (PicBucketQuery { regions: vec!["x/y".into()], ..Default::default() }.to_params(), "regions[0]"),
            (PicBucketQuery { bucket_names: vec!["a".into(), "".into()], ..Default::default() }.to_params(), "bucket_names[1]"),
            (PicBucketQuery { bucket_name_prefix: Some("".into()), ..Default::default() }.to_params(), "bucket_name_prefix"),
            (AiQueueQuery { queue_ids: vec!["".into()], ..Default::default() }.to_params(), "queue_ids[0]"),
            (AiQueueQuery { category: Some("".into()), ..Default::default() }.to_params(), "category"),
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
        let q = AiQueueQuery {
            queue_ids: vec!["pa1".into(), "pb2".into()],
            state: Some(QueueState::Paused),
            category: Some("AIProcess".into()),
            page_number: Some(2),
            page_size: Some(5),
        };
        let params = q.to_params().unwrap();
        assert_eq!(path_and_query("/ai_queue", &params), "/ai_queue?queueIds=pa1%2Cpb2&state=Paused&category=AIProcess&pageNumber=2&pageSize=5");
        assert_eq!(path_and_query("/ai_queue", &AiQueueQuery::default().to_params().unwrap()), "/ai_queue");
        let p = PicBucketQuery { bucket_name_prefix: Some("测 a&b".into()), ..Default::default() };
        assert_eq!(path_and_query("/picbucket", &p.to_params().unwrap()), "/picbucket?bucketName=%E6%B5%8B%20a%26b");
    }
}
