//! Fault injection: what a fault spec says, the list of armed request faults,
//! and the per-bucket counters of the fixture's own faults.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Size of an `oversized` answer when the spec gives none: large enough to
/// trip any sane response cap, small enough to stream in well under a second.
pub const DEFAULT_OVERSIZED: u64 = 64 * 1024 * 1024;

/// What a fault does to the request it hits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FaultKind {
    /// Answer with an error status and a `<Response>` error body.
    Status,
    /// Wait, then answer normally.
    Delay,
    /// Abort the connection with a TCP RST and no answer.
    Reset,
    /// 200 with a body that is not well-formed XML.
    Malformed,
    /// 200 with the full Content-Length but only half the body, then close.
    Truncated,
    /// 200 with a huge, streamed, well-formed-looking body.
    Oversized,
}

/// A fault, as the fixture and `POST /__emulator/faults` spell it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultSpec {
    /// What happens.
    pub kind: FaultKind,
    /// `status`: the HTTP status (400..=599, default 500).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// `status`: the error `Code` (default chosen from the status).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// How many requests it hits; `None` means every one, forever.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<u64>,
    /// `delay`: how long to wait.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay_ms: Option<u64>,
    /// `oversized`: the body's exact length in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// Request faults only: the request path it is limited to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Request faults only: the bucket it is limited to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bucket: Option<String>,
}

impl FaultSpec {
    /// A fault that hits every request of its bucket (the fixture's style).
    pub fn forever(kind: FaultKind) -> Self {
        FaultSpec { kind, status: None, code: None, times: None, delay_ms: None, size: None, path: None, bucket: None }
    }

    /// Rejects specs that would only confuse: a status that is not an error,
    /// a delay without a length.
    pub fn validate(&self) -> Result<(), String> {
        if let (FaultKind::Status, Some(status)) = (self.kind, self.status) {
            if !(400..=599).contains(&status) {
                return Err(format!("status fault: status must be 400..=599, got {status}"));
            }
        }
        if self.kind == FaultKind::Delay && self.delay_ms.is_none() {
            return Err("delay fault: delay_ms is required".into());
        }
        if let Some(path) = &self.path {
            if !path.starts_with('/') {
                return Err(format!("fault path must start with '/', got {path:?}"));
            }
        }
        Ok(())
    }

    /// What this fault does to one request.
    pub fn action(&self) -> Action {
        match self.kind {
            FaultKind::Status => {
                let status = self.status.unwrap_or(500);
                let code = self.code.clone().unwrap_or_else(|| default_code(status).to_owned());
                Action::Status { status, code }
            }
            FaultKind::Delay => Action::Delay(Duration::from_millis(self.delay_ms.unwrap_or(0))),
            FaultKind::Reset => Action::Reset,
            FaultKind::Malformed => Action::Malformed,
            FaultKind::Truncated => Action::Truncated,
            FaultKind::Oversized => Action::Oversized(self.size.unwrap_or(DEFAULT_OVERSIZED)),
        }
    }

    /// Whether this request fault is aimed at a request with this path and bucket.
    fn matches(&self, path: &str, bucket: Option<&str>) -> bool {
        self.path.as_deref().map_or(true, |p| p == path) && self.bucket.as_deref().map_or(true, |b| Some(b) == bucket)
    }
}

/// The error code a status fault uses when its spec names none.
pub fn default_code(status: u16) -> &'static str {
    match status {
        403 => "AccessDenied",
        404 => "NoSuchBucket",
        405 => "MethodNotAllowed",
        429 | 503 => "ServiceUnavailable",
        501 => "NotImplemented",
        400..=499 => "InvalidArgument",
        _ => "InternalError",
    }
}

/// What the request handler must do instead of (or before) answering normally.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Answer this status with a `<Response>` error of this code.
    Status {
        /// The HTTP status.
        status: u16,
        /// The `Code` element.
        code: String,
    },
    /// Sleep, then go on as if nothing happened.
    Delay(Duration),
    /// RST the connection.
    Reset,
    /// 200 with a body that is not XML.
    Malformed,
    /// 200, then half the normal body, then close.
    Truncated,
    /// 200 with a streamed body of this many bytes.
    Oversized(u64),
}

/// An armed request fault and what is left of it.
#[derive(Debug, Clone, Serialize)]
pub struct Armed {
    /// The fault as posted.
    pub spec: FaultSpec,
    /// Requests it will still hit; `None` = forever.
    pub remaining: Option<u64>,
}

/// The request faults armed through the control endpoint, and how many times
/// each fixture bucket's fault has fired.
pub struct Faults {
    armed: Mutex<Vec<Armed>>,
    /// Mirrors `armed.len()` so the hot path skips the lock when nothing is armed.
    armed_len: AtomicUsize,
    bucket_hits: Vec<AtomicU64>,
}

impl Faults {
    /// No armed faults, and fresh counters for `buckets` fixture buckets.
    pub fn new(buckets: usize) -> Self {
        Faults {
            armed: Mutex::new(Vec::new()),
            armed_len: AtomicUsize::new(0),
            bucket_hits: (0..buckets).map(|_| AtomicU64::new(0)).collect(),
        }
    }

    /// Appends a request fault (already validated).
    pub fn arm(&self, spec: FaultSpec) -> usize {
        let mut armed = lock(&self.armed);
        let remaining = spec.times;
        armed.push(Armed { spec, remaining });
        armed.retain(|a| a.remaining != Some(0));
        self.armed_len.store(armed.len(), Ordering::Release);
        armed.len()
    }

    /// The armed request faults, oldest first.
    pub fn armed(&self) -> Vec<Armed> {
        lock(&self.armed).clone()
    }

    /// Forgets every request fault and restarts every bucket fault's count.
    pub fn reset(&self) {
        let mut armed = lock(&self.armed);
        armed.clear();
        self.armed_len.store(0, Ordering::Release);
        for hits in &self.bucket_hits {
            hits.store(0, Ordering::Relaxed);
        }
    }

    /// The fault that hits this request, if any, consuming one of its `times`.
    ///
    /// The oldest matching request fault wins; only when none matches does the
    /// bucket's own fixture fault get a say (`bucket` = index and name of the
    /// routed bucket, with its fixture fault).
    pub fn take(&self, path: &str, bucket: Option<(usize, &str, Option<&FaultSpec>)>) -> Option<Action> {
        let name = bucket.map(|(_, name, _)| name);
        if let Some(action) = self.take_armed(|spec| spec.matches(path, name)) {
            return Some(action);
        }
        let (index, _, spec) = bucket?;
        let spec = spec?;
        if let Some(times) = spec.times {
            let hits = self.bucket_hits.get(index)?;
            // Count only while it still fires, so the counter cannot wrap.
            let fired = hits
                .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| (n < times).then_some(n + 1))
                .is_ok();
            if !fired {
                return None;
            }
        }
        Some(spec.action())
    }

    /// The oldest armed request fault that names exactly `path` and no
    /// bucket, consuming one of its `times`: how the credential services'
    /// routes meet faults. A fault for any path is left to the CI calls.
    pub fn take_for_path(&self, path: &str) -> Option<Action> {
        self.take_armed(|spec| spec.path.as_deref() == Some(path) && spec.bucket.is_none())
    }

    /// The oldest armed request fault that `aimed` accepts, consuming one of its `times`.
    fn take_armed(&self, aimed: impl Fn(&FaultSpec) -> bool) -> Option<Action> {
        if self.armed_len.load(Ordering::Acquire) == 0 {
            return None;
        }
        let mut armed = lock(&self.armed);
        let i = armed.iter().position(|a| aimed(&a.spec))?;
        let action = armed[i].spec.action();
        if let Some(left) = &mut armed[i].remaining {
            *left = left.saturating_sub(1);
            if *left == 0 {
                armed.remove(i);
                self.armed_len.store(armed.len(), Ordering::Release);
            }
        }
        Some(action)
    }
}

/// Locks a mutex, shrugging off poisoning: our critical sections cannot
/// leave the data half-updated in a way that matters.
pub fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 503 status fault hitting `times` requests.
    fn status(times: Option<u64>) -> FaultSpec {
        FaultSpec { status: Some(503), times, ..FaultSpec::forever(FaultKind::Status) }
    }

    #[test]
    fn request_faults_are_consumed_first_armed_first() {
        let f = Faults::new(0);
        f.arm(status(Some(1)));
        f.arm(FaultSpec { times: Some(1), ..FaultSpec::forever(FaultKind::Reset) });
        assert!(matches!(f.take("/picbucket", None), Some(Action::Status { status: 503, .. })));
        assert_eq!(f.take("/picbucket", None), Some(Action::Reset));
        assert_eq!(f.take("/picbucket", None), None);
    }

    #[test]
    fn bucket_faults_count_per_bucket_and_reset() {
        let f = Faults::new(2);
        let spec = status(Some(2));
        assert!(f.take("/ai_queue", Some((1, "b", Some(&spec)))).is_some());
        assert!(f.take("/ai_queue", Some((1, "b", Some(&spec)))).is_some());
        assert!(f.take("/ai_queue", Some((1, "b", Some(&spec)))).is_none());
        f.reset();
        assert!(f.take("/ai_queue", Some((1, "b", Some(&spec)))).is_some());
    }

    #[test]
    fn path_and_bucket_filters() {
        let f = Faults::new(0);
        f.arm(FaultSpec { bucket: Some("a-1".into()), path: Some("/ai_queue".into()), ..status(None) });
        assert_eq!(f.take("/picbucket", None), None);
        assert_eq!(f.take("/ai_queue", Some((0, "b-1", None))), None);
        assert!(f.take("/ai_queue", Some((0, "a-1", None))).is_some());
    }

    #[test]
    fn credential_routes_only_meet_faults_that_name_them() {
        let f = Faults::new(0);
        let metadata = "/latest/meta-data/cam/security-credentials/";
        f.arm(status(Some(1)));
        assert_eq!(f.take_for_path(metadata), None, "a fault for any path is the CI calls'");
        f.arm(FaultSpec { path: Some(metadata.into()), ..status(Some(1)) });
        assert_eq!(f.take("/picbucket", None).map(|_| ()), Some(()));
        assert_eq!(f.take("/picbucket", None), None, "the metadata fault is not a CI call's");
        assert!(matches!(f.take_for_path(metadata), Some(Action::Status { status: 503, .. })));
        assert_eq!(f.take_for_path(metadata), None, "used up");
    }
}
