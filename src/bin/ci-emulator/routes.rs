//! Which call a request is: its host's level (service or bucket) and its path,
//! looked up in [`cloud_infinite::OPERATIONS`]. Nothing here knows a call by name.

use cloud_infinite::{HostLevel, OperationSpec, OPERATIONS};
use hyper::Method;

use crate::answer::ApiError;
use crate::fixture::Fixture;

/// A routed API request: the call, and for bucket-level calls the fixture
/// bucket its host names.
#[derive(Debug, Clone, Copy)]
pub struct Endpoint {
    /// The call's entry in the table.
    pub spec: &'static OperationSpec,
    /// The index of the host's bucket (bucket-level calls only).
    pub bucket: Option<usize>,
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

/// The paths of the calls at one host level, for error messages.
fn paths_at(level: HostLevel) -> String {
    let paths: Vec<&str> = OPERATIONS.iter().filter(|s| s.operation.host_level() == level).map(|s| s.path).collect();
    paths.join(", ")
}

/// Routes a request by host and path; the host is the raw one (port and case
/// as sent), `None` when the request named none.
///
/// A bucket host must name a fixture bucket (in its region, when the host
/// names one) before its path is looked at, as the service answers
/// NoSuchBucket for any path of an unknown bucket.
pub fn route(fixture: &Fixture, method: &Method, path: &str, host: Option<&str>) -> Result<Endpoint, ApiError> {
    let Some(host) = host.map(|h| strip_port(h.trim()).trim_end_matches('.')).filter(|h| !h.is_empty()) else {
        return Err(ApiError::new(400, "MissingHost", "The request carries no Host header."));
    };
    let host = host.to_ascii_lowercase();
    let (level, bucket) = match classify(&host) {
        HostKind::Service => (HostLevel::Service, None),
        HostKind::Bucket { name, region } => {
            let index = fixture
                .bucket_index(name)
                .filter(|&i| region.map_or(true, |r| fixture.file.buckets[i].region == r))
                .ok_or_else(|| ApiError::new(404, "NoSuchBucket", "The specified bucket does not exist."))?;
            (HostLevel::Bucket, Some(index))
        }
    };
    let spec = OPERATIONS
        .iter()
        .find(|s| s.path == path && s.operation.host_level() == level)
        .ok_or_else(|| {
            let what = match level {
                HostLevel::Service => "a service-level",
                HostLevel::Bucket => "a bucket",
            };
            ApiError::new(400, "InvalidURI", format!("{path} is not an API of {what} host (only GET {} are)", paths_at(level)))
        })?;
    if method.as_str() != spec.method {
        return Err(ApiError::new(
            405,
            "MethodNotAllowed",
            format!("{} only accepts {}, not {method}", spec.path, spec.method),
        ));
    }
    Ok(Endpoint { spec, bucket })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builtin::default_fixture;
    use cloud_infinite::Shape;

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
    fn every_call_routes_at_its_level_and_only_there() {
        let f = Fixture::new(default_fixture()).unwrap();
        let service = "ci.ap-guangzhou.myqcloud.com:80";
        let bucket = "examplebucket-1250000000.ci.ap-guangzhou.myqcloud.com";
        for spec in OPERATIONS {
            let (right, wrong) = match spec.operation.host_level() {
                HostLevel::Service => (service, bucket),
                HostLevel::Bucket => (bucket, service),
            };
            let routed = route(&f, &Method::GET, spec.path, Some(right)).unwrap();
            assert_eq!(routed.spec, spec);
            assert_eq!(routed.bucket.is_some(), spec.operation.shape() == Shape::Queues);
            assert_eq!(route(&f, &Method::GET, spec.path, Some(wrong)).unwrap_err().code, "InvalidURI", "{}", spec.name);
            assert_eq!(route(&f, &Method::POST, spec.path, Some(right)).unwrap_err().code, "MethodNotAllowed");
        }
    }

    #[test]
    fn routing_errors() {
        let f = Fixture::new(default_fixture()).unwrap();
        let get = Method::GET;
        let e = |r: Result<Endpoint, ApiError>| r.unwrap_err().code;
        assert_eq!(e(route(&f, &get, "/x", Some("127.0.0.1:9"))), "InvalidURI");
        assert_eq!(e(route(&f, &get, "/picbucket/", Some("127.0.0.1:9"))), "InvalidURI");
        assert_eq!(e(route(&f, &get, "/ai_queue", Some("examplebucket-1250000000.ci.ap-beijing.myqcloud.com"))), "NoSuchBucket");
        assert_eq!(e(route(&f, &get, "/picbucket", Some("nosuch-1250000000.ci.ap-guangzhou.myqcloud.com"))), "NoSuchBucket");
        assert_eq!(e(route(&f, &get, "/ai_queue", None)), "MissingHost");
        let upper = route(&f, &get, "/ai_queue", Some("ExampleBucket-1250000000.ci.ap-guangzhou.myqcloud.com")).unwrap();
        assert_eq!(upper.bucket, Some(0));
    }
}
