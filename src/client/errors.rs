//! Turning a failed answer or a transport failure into an [`Error`].

use std::io;
use std::time::Duration;

use super::{Inner, RawResponse};
use crate::error::{Error, ErrorKind, ServiceDetails};
use crate::xml;

pub(super) fn service_error(raw: &RawResponse) -> Error {
    match xml::parse_error_body(&raw.body) {
        Some(body) => {
            let code = body.code.clone().unwrap_or_else(|| "(no code)".into());
            let message = body.message.clone().unwrap_or_default();
            Error::new(ErrorKind::Service, format!("the service answered HTTP {} {code}: {message}", raw.status)).with_service_details(
                ServiceDetails {
                    http_status: raw.status,
                    code: body.code,
                    request_id: body.request_id.or_else(|| raw.request_id.clone()),
                    resource: body.resource,
                    trace_id: body.trace_id,
                },
            )
        }
        None => {
            let snippet: String = String::from_utf8_lossy(&raw.body[..raw.body.len().min(200)]).chars().filter(|c| !c.is_control()).collect();
            Error::new(ErrorKind::Service, format!("the service answered HTTP {} with a body that is not a CI error: {snippet:?}", raw.status))
                .with_service_details(raw.details())
        }
    }
}

pub(super) fn transport_error(e: ureq::Error, host: &str, inner: &Inner, timeout: Duration) -> Error {
    let route = match &inner.connect_to {
        Some(target) => format!("{host} (via {target})"),
        None => host.to_owned(),
    };
    let network = |what: String| Error::new(ErrorKind::Network, format!("{route}: {what}"));
    let tls = |what: String| {
        // A certificate the client does not trust stays untrusted: not retried.
        network(format!("TLS failed: {what} (for a private CA, see the ca_file option)")).with_transient(false)
    };
    match e {
        ureq::Error::Timeout(ureq::Timeout::Connect | ureq::Timeout::Resolve) => {
            Error::new(ErrorKind::Timeout, format!("{route}: could not connect within the connect timeout")).with_transient(true)
        }
        ureq::Error::Timeout(which) => {
            Error::new(ErrorKind::Timeout, format!("{route}: timed out ({which}) within the call's {timeout:?} budget"))
        }
        ureq::Error::BodyExceedsLimit(limit) => Error::new(
            ErrorKind::ResponseTooLarge,
            format!("{route}: the response body is larger than the {limit}-byte cap (max_response_bytes); it was not read further"),
        ),
        ureq::Error::Rustls(e) => tls(e.to_string()),
        ureq::Error::Tls(what) => tls(what.to_owned()),
        ureq::Error::Io(io) => {
            if let Some(e) = io.get_ref().and_then(|inner| inner.downcast_ref::<rustls::Error>()) {
                return tls(e.to_string());
            }
            let what = match io.kind() {
                io::ErrorKind::TimedOut => {
                    return Error::new(ErrorKind::Timeout, format!("{route}: timed out: {io}"));
                }
                io::ErrorKind::ConnectionRefused => "connection refused",
                io::ErrorKind::ConnectionReset => "connection reset by the server",
                io::ErrorKind::UnexpectedEof => "the connection closed before the whole response arrived",
                io::ErrorKind::ConnectionAborted | io::ErrorKind::BrokenPipe => "connection aborted",
                _ => "I/O error",
            };
            network(format!("{what}: {io}"))
        }
        ureq::Error::HostNotFound => network("the host name does not resolve".into()),
        ureq::Error::ConnectionFailed => network("the connection could not be made".into()),
        // A malformed answer may be a one-off (a broken connection mid-response).
        ureq::Error::Protocol(e) => network(format!("the server's answer is not valid HTTP: {e}")),
        // Everything else (bad URI, header building, proxy settings) is a
        // property of the request: sending it again cannot help.
        other => network(other.to_string()).with_transient(false),
    }
}

