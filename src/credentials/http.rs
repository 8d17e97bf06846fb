//! The requests credential providers make (the metadata service, STS):
//! short timeouts, a few retries, a size cap, and nothing logged.

use std::io::Read as _;
use std::time::Duration;

use crate::error::{Error, ErrorKind, Result};

/// Connect timeout: the metadata service is on the same host's link, and
/// off a CVM nothing answers, which must not stall a chain.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);
/// Whole-request timeout.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(3);
/// Retries after the first attempt, for connection failures and 5xx.
const RETRIES: u32 = 2;
/// Larger than any credentials answer.
const MAX_BODY: u64 = 64 * 1024;

/// An answer: its status and its body as text.
pub(super) struct Answer {
    pub status: u16,
    pub body: String,
}

/// Whether the request could not reach anything (so the source is absent).
pub(super) fn unreachable(e: &Error) -> bool {
    matches!(e.kind(), ErrorKind::Network | ErrorKind::Timeout)
}

/// A small agent; `proxy` is the proxy to use, if any.
pub(super) fn agent(proxy: Option<ureq::Proxy>) -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .proxy(proxy)
        .timeout_connect(Some(CONNECT_TIMEOUT))
        .timeout_resolve(Some(CONNECT_TIMEOUT))
        .timeout_global(Some(REQUEST_TIMEOUT))
        .build()
        .into()
}

/// Sends `request` (made again for each attempt) with the retries.
pub(super) fn send(what: &str, mut request: impl FnMut() -> std::result::Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Result<Answer> {
    let mut attempt = 0;
    loop {
        let outcome = request().map_err(|e| transport(what, e)).and_then(|mut response| {
            let status = response.status().as_u16();
            let mut body = String::new();
            response
                .body_mut()
                .with_config()
                .limit(MAX_BODY)
                .reader()
                .read_to_string(&mut body)
                .map_err(|e| transport(what, ureq::Error::from(e)))?;
            Ok(Answer { status, body })
        });
        let retry = match &outcome {
            Ok(answer) => answer.status >= 500,
            Err(e) => e.kind() == ErrorKind::Network,
        };
        if !retry || attempt >= RETRIES {
            return outcome;
        }
        attempt += 1;
        std::thread::sleep(Duration::from_millis(100 << attempt));
    }
}

fn transport(what: &str, e: ureq::Error) -> Error {
    match e {
        ureq::Error::Timeout(_) => Error::new(ErrorKind::Timeout, format!("{what}: no answer within {REQUEST_TIMEOUT:?}")),
        ureq::Error::HostNotFound => Error::new(ErrorKind::Network, format!("{what}: the host name does not resolve")),
        ureq::Error::BodyExceedsLimit(_) => Error::new(ErrorKind::Credentials, format!("{what}: the answer is larger than {MAX_BODY} bytes")),
        other => Error::new(ErrorKind::Network, format!("{what}: {other}")),
    }
}

/// A test server on 127.0.0.1 answering each request with the next of
/// `answers` (status, body), and recording what it was sent.
#[cfg(test)]
pub(super) mod test_server {
    use std::io::{BufRead, BufReader, Read, Write};
    use std::net::TcpListener;
    use std::sync::{Arc, Mutex};

    pub struct Server {
        pub url: String,
        pub requests: Arc<Mutex<Vec<String>>>,
    }

    pub fn start(answers: Vec<(u16, String)>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&requests);
        std::thread::spawn(move || {
            for (status, body) in answers {
                let Ok((stream, _)) = listener.accept() else { return };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut head = String::new();
                let mut length = 0;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                        length = v.trim().parse().unwrap_or(0);
                    }
                    head.push_str(&line);
                }
                let mut request_body = vec![0; length];
                let _ = reader.read_exact(&mut request_body);
                head.push_str(&String::from_utf8_lossy(&request_body));
                seen.lock().unwrap().push(head);
                let mut stream = stream;
                let _ = write!(stream, "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len());
            }
        });
        Server { url, requests }
    }
}
