//! The two APIs: which host and path reach which endpoint, the query string,
//! and the answers of `GET /picbucket` and `GET /ai_queue`.

use std::borrow::Cow;
use std::collections::HashSet;

use cloud_infinite::sign::percent_decode;
use hyper::Method;

use crate::fixture::{Fixture, QueueSpec};
use crate::xml;

/// Decoded `(name, value)` pairs of a query, in request order.
pub type Params<'a> = Vec<(Cow<'a, str>, Cow<'a, str>)>;

/// Largest accepted `pageSize`.
const MAX_PAGE_SIZE: u64 = 100;

/// An answer with a `<Response>` error body.
#[derive(Debug)]
pub struct ApiError {
    /// HTTP status.
    pub status: u16,
    /// `Code`.
    pub code: &'static str,
    /// `Message`.
    pub message: String,
}

impl ApiError {
    /// An error with this status and code.
    fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        ApiError { status, code, message: message.into() }
    }

    /// 400 InvalidArgument, the answer to any bad parameter.
    fn invalid_argument(message: impl Into<String>) -> Self {
        ApiError::new(400, "InvalidArgument", message)
    }
}

/// Where a request goes once its host and path are understood.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// `GET /picbucket` on a service-level host.
    PicBucket,
    /// `GET /ai_queue` on the host of the fixture bucket with this index.
    AiQueue(usize),
}

/// `host` without its `:port` (IPv6 literals keep their brackets).
pub fn strip_port(host: &str) -> &str {
    if host.starts_with('[') {
        return match host.find(']') {
            Some(end) => &host[..=end],
            None => host,
        };
    }
    match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    }
}

/// What a host names: the service (`ci.<region>.myqcloud.com`, or anything
/// that is not a bucket) or a bucket, in a given region or any.
#[derive(Debug, PartialEq, Eq)]
enum HostKind<'a> {
    Service,
    Bucket { name: &'a str, region: Option<&'a str> },
}

/// `<name>-<digits>`, the shape of `<BucketName-APPID>`.
fn looks_like_bucket(label: &str) -> bool {
    matches!(label.rsplit_once('-'), Some((name, appid))
        if !name.is_empty() && !appid.is_empty() && appid.bytes().all(|b| b.is_ascii_digit()))
}

/// One non-empty DNS label (no dots).
fn is_label(s: &str) -> bool {
    !s.is_empty() && !s.contains('.')
}

/// Classifies a lowercase host with its port already stripped.
fn classify(host: &str) -> HostKind<'_> {
    if let Some(rest) = host.strip_suffix(".myqcloud.com") {
        if let Some(region) = rest.strip_prefix("ci.") {
            if is_label(region) {
                return HostKind::Service;
            }
        }
        if let Some((bucket, region)) = rest.split_once(".ci.") {
            if is_label(bucket) && is_label(region) {
                return HostKind::Bucket { name: bucket, region: Some(region) };
            }
        }
    }
    let first = host.split('.').next().unwrap_or("");
    if looks_like_bucket(first) {
        HostKind::Bucket { name: first, region: None }
    } else {
        HostKind::Service
    }
}

/// Routes a request by host and path; the host is the raw one (port and case
/// as sent), `None` when the request named none.
pub fn route(fixture: &Fixture, method: &Method, path: &str, host: Option<&str>) -> Result<Endpoint, ApiError> {
    let Some(host) = host.map(|h| strip_port(h.trim()).trim_end_matches('.')).filter(|h| !h.is_empty()) else {
        return Err(ApiError::new(400, "MissingHost", "The request carries no Host header."));
    };
    let host = host.to_ascii_lowercase();
    let (endpoint, expected) = match classify(&host) {
        HostKind::Service => (Endpoint::PicBucket, "/picbucket"),
        HostKind::Bucket { name, region } => {
            let index = fixture
                .bucket_index(name)
                .filter(|&i| region.map_or(true, |r| fixture.file.buckets[i].region == r))
                .ok_or_else(|| ApiError::new(404, "NoSuchBucket", "The specified bucket does not exist."))?;
            (Endpoint::AiQueue(index), "/ai_queue")
        }
    };
    if path != expected {
        let level = if expected == "/picbucket" { "a service-level" } else { "a bucket" };
        return Err(ApiError::new(
            400,
            "InvalidURI",
            format!("{path} is not an API of {level} host (only GET {expected} is)"),
        ));
    }
    if method != Method::GET {
        return Err(ApiError::new(405, "MethodNotAllowed", format!("{expected} only accepts GET, not {method}")));
    }
    Ok(endpoint)
}

/// Splits a raw query on `&` and the first `=`, and percent-decodes both
/// sides. `+` stays `+` unless `plus_as_space` (the HTML-form reading).
pub fn parse_query(raw: &str, plus_as_space: bool) -> Params<'_> {
    /// One side of a `name=value` pair, decoded.
    fn decode(s: &str, plus_as_space: bool) -> Cow<'_, str> {
        if plus_as_space && s.contains('+') {
            Cow::Owned(percent_decode(&s.replace('+', "%20")).into_owned())
        } else {
            percent_decode(s)
        }
    }
    raw.split('&')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (name, value) = part.split_once('=').unwrap_or((part, ""));
            (decode(name, plus_as_space), decode(value, plus_as_space))
        })
        .collect()
}

/// The parameter's last value, `None` when absent or empty (the SDKs send
/// every parameter, the unset ones empty).
fn param<'p>(params: &'p Params<'_>, name: &str) -> Option<&'p str> {
    params.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.as_ref()).filter(|v| !v.is_empty())
}

/// The non-empty items of a comma list parameter.
fn list<'p>(params: &'p Params<'_>, name: &str) -> Option<Vec<&'p str>> {
    let items: Vec<&str> = param(params, name)?.split(',').filter(|s| !s.is_empty()).collect();
    (!items.is_empty()).then_some(items)
}

/// A positive integer parameter no larger than `max`.
fn positive(params: &Params<'_>, name: &str, default: u64, max: u64) -> Result<u64, ApiError> {
    let Some(raw) = param(params, name) else { return Ok(default) };
    let parsed = if raw.bytes().all(|b| b.is_ascii_digit()) { raw.parse::<u64>().ok() } else { None };
    match parsed {
        Some(n) if (1..=max).contains(&n) => Ok(n),
        _ if max == u64::MAX => Err(ApiError::invalid_argument(format!(
            "{name} must be a positive integer, got {raw:?}"
        ))),
        _ => Err(ApiError::invalid_argument(format!("{name} must be an integer from 1 to {max}, got {raw:?}"))),
    }
}

/// The page of a filtered listing: which items to write.
struct Page {
    number: u64,
    size: u64,
    skip: u64,
}

impl Page {
    /// Reads and checks `pageNumber` and `pageSize`.
    fn from(params: &Params<'_>) -> Result<Self, ApiError> {
        let number = positive(params, "pageNumber", 1, u64::MAX)?;
        let size = positive(params, "pageSize", 10, MAX_PAGE_SIZE)?;
        Ok(Page { number, size, skip: (number - 1).saturating_mul(size) })
    }

    /// Whether the `position`-th matching item (from 0) is on this page.
    fn contains(&self, position: u64) -> bool {
        position >= self.skip && position - self.skip < self.size
    }

    /// TotalCount, PageNumber and PageSize, in the service's order.
    fn write_header(&self, out: &mut String, total: u64) {
        xml::number_element(out, "TotalCount", total);
        xml::number_element(out, "PageNumber", self.number);
        xml::number_element(out, "PageSize", self.size);
    }
}

/// The normal answer to a routed request (errors are 400 InvalidArgument).
pub fn answer(fixture: &Fixture, endpoint: Endpoint, params: &Params<'_>, request_id: &str) -> Result<String, ApiError> {
    match endpoint {
        Endpoint::PicBucket => pic_buckets(fixture, params, request_id),
        Endpoint::AiQueue(bucket) => ai_queues(fixture, bucket, params, request_id),
    }
}

/// `GET /picbucket`: regions and bucketNames match exactly, bucketName is a
/// prefix; all combine with AND, in fixture order.
fn pic_buckets(fixture: &Fixture, params: &Params<'_>, request_id: &str) -> Result<String, ApiError> {
    let regions = list(params, "regions");
    let names = list(params, "bucketNames");
    let prefix = param(params, "bucketName");
    let page = Page::from(params)?;

    let mut total = 0u64;
    let mut on_page = Vec::with_capacity(page.size as usize);
    for (i, b) in fixture.file.buckets.iter().enumerate() {
        let wanted = b.pic_process
            && regions.as_ref().map_or(true, |r| r.contains(&b.region.as_str()))
            && names.as_ref().map_or(true, |n| n.contains(&b.name.as_str()))
            && prefix.map_or(true, |p| b.name.starts_with(p));
        if wanted {
            if page.contains(total) {
                on_page.push(i);
            }
            total += 1;
        }
    }

    let mut out = xml::document(160 + request_id.len() + on_page.len() * 200);
    xml::open(&mut out, "Response");
    xml::text_element(&mut out, "RequestId", request_id);
    page.write_header(&mut out, total);
    for i in on_page {
        let b = &fixture.file.buckets[i];
        xml::open(&mut out, "PicBucketList");
        xml::text_element(&mut out, "BucketId", &b.name);
        xml::text_element(&mut out, "Name", &b.name);
        xml::text_element(&mut out, "Region", &b.region);
        xml::optional_element(&mut out, "CreateTime", b.create_time.as_deref());
        xml::close(&mut out, "PicBucketList");
    }
    xml::close(&mut out, "Response");
    Ok(out)
}

/// `GET /ai_queue`: either the queues named by `queueIds` (with
/// `NonExistPIDs`, without paging) or a filtered, paged listing.
fn ai_queues(fixture: &Fixture, bucket: usize, params: &Params<'_>, request_id: &str) -> Result<String, ApiError> {
    let queues = &fixture.file.buckets[bucket].queues;

    if let Some(ids) = list(params, "queueIds") {
        let mut seen = HashSet::with_capacity(ids.len());
        let ids: Vec<&str> = ids.into_iter().filter(|id| seen.insert(*id)).collect();
        let mut out = xml::document(64 + request_id.len() + ids.len() * 500);
        xml::open(&mut out, "Response");
        xml::text_element(&mut out, "RequestId", request_id);
        let mut missing = Vec::new();
        for id in ids {
            match fixture.queue_index(bucket, id) {
                Some(q) => write_queue(&mut out, &queues[q]),
                None => missing.push(id),
            }
        }
        for id in missing {
            xml::text_element(&mut out, "NonExistPIDs", id);
        }
        xml::close(&mut out, "Response");
        return Ok(out);
    }

    let state = match param(params, "state") {
        None | Some("All") => None,
        Some(s @ ("Active" | "Paused")) => Some(s),
        Some(other) => {
            return Err(ApiError::invalid_argument(format!("state must be Active, Paused or All, got {other:?}")))
        }
    };
    let category = param(params, "category");
    let page = Page::from(params)?;

    let mut total = 0u64;
    let mut on_page = Vec::with_capacity(page.size as usize);
    for (i, q) in queues.iter().enumerate() {
        let wanted = state.map_or(true, |s| q.state.as_deref() == Some(s))
            && category.map_or(true, |c| q.category.as_deref() == Some(c));
        if wanted {
            if page.contains(total) {
                on_page.push(i);
            }
            total += 1;
        }
    }
    let mut out = xml::document(160 + request_id.len() + on_page.len() * 500);
    xml::open(&mut out, "Response");
    xml::text_element(&mut out, "RequestId", request_id);
    page.write_header(&mut out, total);
    for i in on_page {
        write_queue(&mut out, &queues[i]);
    }
    xml::close(&mut out, "Response");
    Ok(out)
}

/// One `<QueueList>`, members in the service's order, absent ones left out.
fn write_queue(out: &mut String, q: &QueueSpec) {
    xml::open(out, "QueueList");
    xml::text_element(out, "QueueId", &q.queue_id);
    xml::optional_element(out, "Name", q.name.as_deref());
    xml::optional_element(out, "State", q.state.as_deref());
    if let Some(n) = &q.notify_config {
        xml::open(out, "NotifyConfig");
        xml::optional_element(out, "Url", n.url.as_deref());
        xml::optional_element(out, "Event", n.event.as_deref());
        xml::optional_element(out, "Type", n.kind.as_deref());
        xml::optional_element(out, "State", n.state.as_deref());
        xml::optional_element(out, "ResultFormat", n.result_format.as_deref());
        xml::optional_element(out, "MqMode", n.mq_mode.as_deref());
        xml::optional_element(out, "MqRegion", n.mq_region.as_deref());
        xml::optional_element(out, "MqName", n.mq_name.as_deref());
        xml::close(out, "NotifyConfig");
    }
    if let Some(n) = q.max_size {
        xml::number_element(out, "MaxSize", n);
    }
    if let Some(n) = q.max_concurrent {
        xml::number_element(out, "MaxConcurrent", n);
    }
    xml::optional_element(out, "UpdateTime", q.update_time.as_deref());
    xml::optional_element(out, "CreateTime", q.create_time.as_deref());
    xml::optional_element(out, "Category", q.category.as_deref());
    xml::close(out, "QueueList");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::default_fixture;

    #[test]
    fn hosts_classify_like_the_service() {
        assert_eq!(classify("ci.ap-guangzhou.myqcloud.com"), HostKind::Service);
        assert_eq!(
            classify("a-1.ci.ap-beijing.myqcloud.com"),
            HostKind::Bucket { name: "a-1", region: Some("ap-beijing") }
        );
        assert_eq!(classify("127.0.0.1"), HostKind::Service);
        assert_eq!(classify("localhost"), HostKind::Service);
        assert_eq!(classify("b-12.example.com"), HostKind::Bucket { name: "b-12", region: None });
        assert_eq!(classify("b-12x.example.com"), HostKind::Service);
        assert_eq!(strip_port("h:8080"), "h");
        assert_eq!(strip_port("[::1]:80"), "[::1]");
        assert_eq!(strip_port("h"), "h");
    }

    #[test]
    fn query_keeps_plus_and_drops_nothing() {
        let q = parse_query("a=1&b=&c&d=x%2By+z&e=1=2", false);
        let flat: Vec<(&str, &str)> = q.iter().map(|(k, v)| (k.as_ref(), v.as_ref())).collect();
        assert_eq!(flat, vec![("a", "1"), ("b", ""), ("c", ""), ("d", "x+y+z"), ("e", "1=2")]);
        assert_eq!(parse_query("d=x+y", true)[0].1, "x y");
    }

    #[test]
    fn routing_errors() {
        let f = Fixture::new(default_fixture()).unwrap();
        let get = Method::GET;
        let e = |r: Result<Endpoint, ApiError>| r.unwrap_err().code;
        assert_eq!(route(&f, &get, "/picbucket", Some("ci.ap-guangzhou.myqcloud.com:80")).unwrap(), Endpoint::PicBucket);
        assert_eq!(e(route(&f, &get, "/x", Some("127.0.0.1:9"))), "InvalidURI");
        assert_eq!(e(route(&f, &Method::POST, "/picbucket", Some("127.0.0.1"))), "MethodNotAllowed");
        assert_eq!(e(route(&f, &get, "/ai_queue", Some("examplebucket-1250000000.ci.ap-beijing.myqcloud.com"))), "NoSuchBucket");
        assert_eq!(e(route(&f, &get, "/ai_queue", None)), "MissingHost");
        assert!(matches!(
            route(&f, &get, "/ai_queue", Some("ExampleBucket-1250000000.ci.ap-guangzhou.myqcloud.com")),
            Ok(Endpoint::AiQueue(0))
        ));
    }

    #[test]
    fn paging_and_filters() {
        let f = Fixture::new(default_fixture()).unwrap();
        let body = answer(&f, Endpoint::PicBucket, &parse_query("regions=ap-singapore&pageSize=3&pageNumber=2", false), "r")
            .unwrap();
        assert!(body.contains("<TotalCount>5</TotalCount><PageNumber>2</PageNumber><PageSize>3</PageSize>"));
        assert_eq!(body.matches("<PicBucketList>").count(), 2);
        let past = answer(&f, Endpoint::PicBucket, &parse_query("pageNumber=99", false), "r").unwrap();
        assert!(past.contains("<TotalCount>130</TotalCount>") && !past.contains("PicBucketList"));
        for bad in ["pageSize=0", "pageSize=101", "pageNumber=0", "pageNumber=-1", "pageSize=+5", "pageNumber=1.5"] {
            let err = answer(&f, Endpoint::PicBucket, &parse_query(bad, false), "r").unwrap_err();
            assert_eq!(err.code, "InvalidArgument", "{bad}");
        }
        let ids = answer(&f, Endpoint::AiQueue(0), &parse_query("queueIds=A,p4a17eeea29334bf499b7e20e2fbfd99d,A&pageSize=0", false), "r")
            .unwrap();
        assert!(!ids.contains("TotalCount"));
        assert_eq!(ids.matches("<NonExistPIDs>A</NonExistPIDs>").count(), 1);
        assert!(ids.contains("<Name>My-Queue-ai</Name>"));
        let paused = answer(&f, Endpoint::AiQueue(0), &parse_query("state=Paused&pageSize=100", false), "r").unwrap();
        assert!(paused.contains("<TotalCount>8</TotalCount>"));
        assert!(answer(&f, Endpoint::AiQueue(0), &parse_query("state=paused", false), "r").is_err());
    }
}
