//! Turning a failed answer or a transport failure into an [`Error`].

use std::io;
use std::time::Duration;

use super::proxy::ProxyRoute;
use super::send::ERROR_BODY_PREFIX;
use super::{Inner, RawResponse};
use crate::error::{sanitize, Error, ErrorKind, ServiceDetails, BODY_SNIPPET_BYTES, MAX_FIELD_BYTES, MAX_SERVICE_MESSAGE_BYTES};
use crate::xml;

/// The error a non-2xx answer means. Every text taken from the body is
/// escaped and bounded (the body itself is at most the first
/// `ERROR_BODY_PREFIX` bytes of what was sent).
pub(super) fn service_error(raw: &RawResponse) -> Error {
    match xml::parse_error_body(&raw.body) {
        Some(body) => {
            let code = body.code.as_deref().map_or_else(|| "(no code)".into(), |c| sanitize(c, MAX_FIELD_BYTES));
            let message = match body.message.as_deref() {
                Some(m) => sanitize(m, MAX_SERVICE_MESSAGE_BYTES),
                None if raw.body.len() as u64 >= ERROR_BODY_PREFIX => format!("(no Message within the first {} KiB of the body, which is all that is read)", ERROR_BODY_PREFIX / 1024),
                None => String::new(),
            };
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
            let snippet = sanitize(&String::from_utf8_lossy(&raw.body[..raw.body.len().min(BODY_SNIPPET_BYTES)]), BODY_SNIPPET_BYTES);
            let more = if raw.body.len() > BODY_SNIPPET_BYTES { "..." } else { "" };
            Error::new(ErrorKind::Service, format!("the service answered HTTP {} with a body that is not a CI error: \"{snippet}\"{more}", raw.status))
                .with_service_details(raw.details())
        }
    }
}

/// The error a failed exchange means; `via` is the proxy the request went
/// through, which is named, since the failure may well be the proxy's.
pub(super) fn transport_error(e: ureq::Error, host: &str, inner: &Inner, via: Option<&ProxyRoute>, timeout: Duration) -> Error {
    let route = match (&inner.connect_to, via) {
        (Some(target), _) => format!("{host} (via {target})"),
        (None, Some(proxy)) => format!("{host} (via proxy {}, from {})", proxy.endpoint, proxy.source),
        (None, None) => host.to_owned(),
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
                // With a proxy, the only connection this client makes is to it.
                io::ErrorKind::ConnectionRefused if via.is_some() => {
                    let proxy = via.map_or("", |p| p.endpoint.as_str());
                    return network(format!("proxy {proxy} refused the connection ({host} was not reached): {io}"));
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
        // A proxy that will not open the tunnel (407, 403...) will not on a retry either.
        ureq::Error::ConnectProxyFailed(why) => {
            let proxy = via.map_or("", |p| p.endpoint.as_str());
            network(format!("proxy {proxy} did not open a tunnel to {host}: {why}")).with_transient(false)
        }
        ureq::Error::ConnectionFailed => network("the connection could not be made".into()),
        // A malformed answer may be a one-off (a broken connection mid-response).
        ureq::Error::Protocol(e) => network(format!("the server's answer is not valid HTTP: {e}")),
        // Everything else (bad URI, header building, proxy settings) is a
        // property of the request: sending it again cannot help.
        other => network(other.to_string()).with_transient(false),
    }
}

