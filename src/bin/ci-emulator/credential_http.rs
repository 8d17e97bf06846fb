//! What the two credential services (the metadata service and STS) share:
//! their request counters, the way a request fault hits them, and the
//! headers of their answers. Their own routes live in `metadata.rs` and
//! `sts.rs`.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use bytes::Bytes;
use hyper::header::{HeaderValue, CONTENT_TYPE, DATE, SERVER};
use hyper::{Response, StatusCode};

use crate::body::{Oversized, RespBody};
use crate::faults::{lock, Action};
use crate::server::{ConnControl, ResetConnection};
use crate::state::State;

/// Requests and answer statuses of one credential service, for
/// `GET /__emulator/credentials`.
#[derive(Default)]
pub struct ServiceCounter {
    requests: AtomicU64,
    by_status: Mutex<BTreeMap<u16, u64>>,
}

impl ServiceCounter {
    /// Requests received since start or the last reset (faulted ones included).
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// The statuses answered, as `{"200": n, "503": n}`.
    pub fn by_status_json(&self) -> serde_json::Value {
        let map: serde_json::Map<String, serde_json::Value> =
            lock(&self.by_status).iter().map(|(status, n)| (status.to_string(), (*n).into())).collect();
        serde_json::Value::Object(map)
    }

    /// Back to zero.
    pub fn reset(&self) {
        self.requests.store(0, Ordering::Relaxed);
        lock(&self.by_status).clear();
    }

    fn count_status(&self, status: u16) {
        *lock(&self.by_status).entry(status).or_insert(0) += 1;
    }
}

/// A credential service's answer before it becomes a response.
pub struct Answer {
    /// HTTP status.
    pub status: u16,
    /// `text/plain` for the role list, `application/json` otherwise.
    pub content_type: &'static str,
    /// The whole body.
    pub body: String,
}

impl Answer {
    /// A JSON answer.
    pub fn json(status: u16, body: String) -> Self {
        Answer { status, content_type: "application/json", body }
    }

    /// A plain-text answer.
    pub fn text(status: u16, body: String) -> Self {
        Answer { status, content_type: "text/plain", body }
    }
}

/// One credential service request, from its facts to its response.
pub struct Exchange<'a> {
    /// Shared state.
    pub state: &'a State,
    /// The service's counter.
    pub counter: &'a ServiceCounter,
    /// `metadata` or `sts`, for the verbose log.
    pub service: &'static str,
    /// The method, for the verbose log.
    pub method: String,
    /// The request path: what a fault spec's `path` names.
    pub path: String,
}

impl Exchange<'_> {
    /// Counts the request, lets an armed request fault for its path act, and
    /// otherwise answers with what `answer` makes. `fault_error` writes the
    /// service's own error for a `status` fault (status, code, message).
    ///
    /// Only faults that name the path hit these routes: a fault armed for
    /// "any path" is meant for the CI calls, and must not also break the
    /// credentials a test's client fetches first.
    pub async fn serve(
        self,
        control: &ConnControl,
        fault_error: fn(u16, &str, &str) -> Answer,
        answer: impl Future<Output = Answer>,
    ) -> Result<Response<RespBody>, ResetConnection> {
        self.counter.requests.fetch_add(1, Ordering::Relaxed);
        let mut truncate = false;
        match self.state.faults.take_for_path(&self.path) {
            None => {}
            Some(Action::Delay(pause)) => tokio::time::sleep(pause).await,
            Some(Action::Status { status, code }) => {
                let message = format!("ci-emulator injected this fault (HTTP {status} {code}); retry later.");
                return Ok(self.respond(fault_error(status, &code, &message)));
            }
            Some(Action::Reset) => {
                control.condemn();
                self.log("reset");
                return Err(ResetConnection);
            }
            Some(Action::Malformed) => {
                return Ok(self.respond(Answer::json(200, r#"{"TmpSecretId": "AKID, "Code": Succ"#.to_owned())));
            }
            Some(Action::Truncated) => truncate = true,
            Some(Action::Oversized(size)) => {
                return Ok(self.response(200, "application/json", RespBody::Oversized(Oversized::json(size))));
            }
        }
        let answer = answer.await;
        if truncate {
            // Whatever the answer issued was issued: only the client missed it.
            return Ok(self.response(answer.status, answer.content_type, RespBody::truncated(Bytes::from(answer.body))));
        }
        Ok(self.respond(answer))
    }

    fn respond(&self, answer: Answer) -> Response<RespBody> {
        self.response(answer.status, answer.content_type, RespBody::full(answer.body))
    }

    fn response(&self, status: u16, content_type: &'static str, body: RespBody) -> Response<RespBody> {
        self.counter.count_status(status);
        self.log(&status.to_string());
        let mut resp = Response::new(body);
        *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let headers = resp.headers_mut();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
        headers.insert(SERVER, HeaderValue::from_static("ci-emulator"));
        // The emulator's clock, like every answer: the ExpiredTime it issues
        // is on that clock too.
        if let Ok(date) = HeaderValue::try_from(httpdate::fmt_http_date(self.state.clock.now())) {
            headers.insert(DATE, date);
        }
        resp
    }

    /// One line on stderr with `--verbose`; never a key or a token.
    fn log(&self, outcome: &str) {
        if self.state.verbose {
            eprintln!("ci-emulator: {} {} {} -> {outcome}", self.service, self.method, self.path);
        }
    }
}
