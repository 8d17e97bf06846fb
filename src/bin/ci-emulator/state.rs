//! What every request shares: the fixture, the faults, the clock, the
//! counters, the source of request ids, and the credential services'
//! state (issued credentials, roles, STS's expectations, ExpiredToken).

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use cloud_infinite::OPERATIONS;

use crate::connections::Connections;
use crate::expiry::TokenExpiry;
use crate::faults::{lock, Faults};
use crate::fixture::Fixture;
use crate::issued::Issuer;
use crate::metadata::Metadata;
use crate::sts::{Sts, StsConfig};

/// Shared by all connections (behind an `Arc`).
pub struct State {
    /// The data served.
    pub fixture: Fixture,
    /// Armed request faults and bucket-fault counters.
    pub faults: Faults,
    /// Request counters for `GET /__emulator/stats`.
    pub stats: Stats,
    /// The emulator's notion of "now".
    pub clock: Clock,
    /// Request and trace ids.
    pub ids: RequestIds,
    /// Log one line per API request to stderr.
    pub verbose: bool,
    /// The temporary credentials issued, and their lifetime.
    pub issuer: Issuer,
    /// The metadata service's roles and counters.
    pub metadata: Metadata,
    /// STS's expectations and counters.
    pub sts: Sts,
    /// The ExpiredToken knob and counter.
    pub expiry: TokenExpiry,
    /// The accepted connections, for `GET /__emulator/connections`.
    pub connections: Connections,
    /// `--latency-ms`: added before answering every API request.
    pub latency: Duration,
    /// `--stalled-listener`: the address of the listener that never accepts.
    pub stalled_listener: std::sync::OnceLock<String>,
}

/// How the command line sets up the credential services.
pub struct CredentialOptions {
    /// Lifetime of issued credentials, in seconds.
    pub lifetime_secs: u64,
    /// The metadata service's roles (none: no role bound).
    pub roles: Vec<String>,
    /// What STS expects.
    pub sts: StsConfig,
}

impl State {
    /// Fresh state over `fixture`, with the clock `clock_offset` seconds off
    /// real time and the credential services set up as `credentials` says.
    pub fn new(fixture: Fixture, clock_offset: i64, verbose: bool, credentials: CredentialOptions) -> Self {
        let faults = Faults::new(fixture.file.buckets.len());
        State {
            fixture,
            faults,
            stats: Stats::new(),
            clock: Clock::new(clock_offset),
            ids: RequestIds::new(),
            verbose,
            issuer: Issuer::new(credentials.lifetime_secs),
            metadata: Metadata::new(credentials.roles),
            sts: Sts::new(credentials.sts),
            expiry: TokenExpiry::default(),
            connections: Connections::new(),
            latency: Duration::ZERO,
            stalled_listener: std::sync::OnceLock::new(),
        }
    }

    /// `POST /__emulator/reset`: back to how the command line started us
    /// (the credentials already issued stay valid).
    pub fn reset(&self) {
        self.faults.reset();
        self.stats.reset();
        self.clock.reset();
        self.issuer.reset();
        self.metadata.reset();
        self.sts.reset();
        self.expiry.reset();
        self.connections.reset();
    }
}

/// Real time plus an adjustable offset, so tests can provoke expiry and skew.
pub struct Clock {
    initial: i64,
    offset: AtomicI64,
}

impl Clock {
    /// A clock `offset` seconds off, to which `reset` returns.
    fn new(offset: i64) -> Self {
        Clock { initial: offset, offset: AtomicI64::new(offset) }
    }

    /// The current offset from real time, in seconds.
    pub fn offset(&self) -> i64 {
        self.offset.load(Ordering::Relaxed)
    }

    /// Sets the offset from real time.
    pub fn set_offset(&self, secs: i64) {
        self.offset.store(secs, Ordering::Relaxed);
    }

    /// Back to the command line's offset.
    fn reset(&self) {
        self.set_offset(self.initial);
    }

    /// "Now" as a `SystemTime` (for the Date header).
    pub fn now(&self) -> SystemTime {
        let offset = self.offset();
        let real = SystemTime::now();
        let shifted = if offset >= 0 {
            real.checked_add(Duration::from_secs(offset.unsigned_abs()))
        } else {
            real.checked_sub(Duration::from_secs(offset.unsigned_abs()))
        };
        shifted.unwrap_or(UNIX_EPOCH)
    }

    /// "Now" in Unix seconds (for the signature window).
    pub fn unix(now: SystemTime) -> i64 {
        match now.duration_since(UNIX_EPOCH) {
            Ok(d) => d.as_secs() as i64,
            Err(e) => -(e.duration().as_secs() as i64),
        }
    }
}

/// Distinct paths counted by name beyond the calls' paths; past this, a
/// stream of random paths lands in one bucket instead of growing the map.
const MAX_OTHER_PATHS: usize = 1000;

/// Counters for `GET /__emulator/stats`.
pub struct Stats {
    requests: AtomicU64,
    /// One counter per call, in the order of `OPERATIONS`.
    by_call: Vec<AtomicU64>,
    other_paths: Mutex<HashMap<String, u64>>,
    by_status: Vec<AtomicU64>,
}

impl Stats {
    /// All counters at zero.
    fn new() -> Self {
        Stats {
            requests: AtomicU64::new(0),
            by_call: OPERATIONS.iter().map(|_| AtomicU64::new(0)).collect(),
            other_paths: Mutex::new(HashMap::new()),
            by_status: (0..600).map(|_| AtomicU64::new(0)).collect(),
        }
    }

    /// Counts an API request (not a control one) for this path.
    pub fn count_request(&self, path: &str) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        match OPERATIONS.iter().position(|spec| spec.path == path) {
            Some(i) => {
                self.by_call[i].fetch_add(1, Ordering::Relaxed);
            }
            None => {
                let mut other = lock(&self.other_paths);
                if other.len() < MAX_OTHER_PATHS || other.contains_key(path) {
                    *other.entry(path.to_owned()).or_insert(0) += 1;
                } else {
                    *other.entry("(other)".to_owned()).or_insert(0) += 1;
                }
            }
        }
    }

    /// Counts an answer's status.
    pub fn count_status(&self, status: u16) {
        if let Some(n) = self.by_status.get(usize::from(status)) {
            n.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// All counters back to zero.
    fn reset(&self) {
        self.requests.store(0, Ordering::Relaxed);
        for n in &self.by_call {
            n.store(0, Ordering::Relaxed);
        }
        lock(&self.other_paths).clear();
        for n in &self.by_status {
            n.store(0, Ordering::Relaxed);
        }
    }

    /// The counters as the stats endpoint's JSON.
    pub fn to_json(&self) -> serde_json::Value {
        let mut by_path = serde_json::Map::new();
        for (spec, n) in OPERATIONS.iter().zip(&self.by_call) {
            by_path.insert(spec.path.into(), n.load(Ordering::Relaxed).into());
        }
        for (path, n) in lock(&self.other_paths).iter() {
            by_path.insert(path.clone(), (*n).into());
        }
        let mut by_status = serde_json::Map::new();
        for (status, n) in self.by_status.iter().enumerate() {
            let n = n.load(Ordering::Relaxed);
            if n > 0 {
                by_status.insert(status.to_string(), n.into());
            }
        }
        serde_json::json!({
            "requests": self.requests.load(Ordering::Relaxed),
            "by_path": by_path,
            "by_status": by_status,
        })
    }
}

/// Makes request ids that are unique per request (a counter) and across runs
/// (a nonce drawn at startup), and look like the service's base64 ones.
pub struct RequestIds {
    nonce: u32,
    counter: AtomicU64,
}

impl RequestIds {
    /// A fresh counter and a random nonce.
    fn new() -> Self {
        RequestIds { nonce: fastrand::u32(..), counter: AtomicU64::new(0) }
    }

    /// A new request id, never the same twice in this process.
    pub fn next(&self, now_unix: i64) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let raw = format!("{:08x}_{:08x}_{n:x}", now_unix as u32, self.nonce);
        base64(raw.as_bytes())
    }

    /// The TraceId COS puts in `<Error>` bodies, derived from the request id.
    pub fn trace_id(&self, request_id: &str) -> String {
        let raw = format!("{request_id}_{:08x}_ci-emulator", self.nonce.rotate_left(13));
        base64(raw.as_bytes())
    }
}

/// Standard base64 with padding.
fn base64(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_rfc() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"655f0000_example"), "NjU1ZjAwMDBfZXhhbXBsZQ==");
    }
}
