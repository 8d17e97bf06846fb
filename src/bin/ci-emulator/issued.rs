//! Temporary credentials the emulator hands out (from the metadata service
//! and STS): each issue is a new SecretId, SecretKey and token that the CI
//! routes accept until they expire, with a lifetime that the command line
//! sets and a control request can change.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use cloud_infinite::sign::Credentials;
use serde::Serialize;

use crate::dates::utc_iso8601;

/// The lifetime when the command line names none: STS's default
/// `DurationSeconds`, about what a CVM role's keys last.
pub const DEFAULT_LIFETIME_SECS: u64 = 7200;

/// The longest lifetime accepted: a year, far past any real one, small
/// enough that `ExpiredTime` never overflows.
pub const MAX_LIFETIME_SECS: u64 = 366 * 86_400;

/// How many issued credentials are remembered. Past this the oldest are
/// forgotten (a request with them then meets InvalidAccessKeyId): a
/// benchmark that issues without end must not grow the emulator without end.
const MAX_REMEMBERED: usize = 100_000;

/// Which service issued a set of credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// `GET /latest/meta-data/cam/security-credentials/<role>`.
    Metadata,
    /// STS `AssumeRoleWithWebIdentity`.
    Sts,
}

/// One issue of temporary credentials.
#[derive(Debug)]
pub struct Issued {
    /// The keys and token, as the signature check needs them.
    pub credentials: Credentials,
    /// `ExpiredTime`: Unix seconds on the emulator's clock; the token is
    /// expired from this second on.
    pub expires_unix: i64,
    /// CI requests these credentials authenticated.
    uses: AtomicU64,
}

impl Issued {
    /// Whether the token has expired at `now` (Unix seconds, emulator clock).
    pub fn expired_at(&self, now: i64) -> bool {
        now >= self.expires_unix
    }

    /// Counts a CI request these credentials authenticated.
    pub fn count_use(&self) {
        self.uses.fetch_add(1, Ordering::Relaxed);
    }

    /// The token the credentials were issued with (issued ones always have one).
    pub fn token(&self) -> &str {
        self.credentials.session_token().unwrap_or("")
    }

    /// `ExpiredTime` as the services also write it, ISO-8601 UTC (`Expiration`).
    pub fn expiration(&self) -> String {
        utc_iso8601(self.expires_unix)
    }
}

/// Issued credentials by SecretId, oldest first for forgetting.
#[derive(Default)]
struct Keyring {
    by_id: HashMap<String, Arc<Issued>>,
    order: VecDeque<String>,
}

/// Issues temporary credentials and remembers them for the signature check.
pub struct Issuer {
    initial_lifetime: u64,
    lifetime: AtomicU64,
    keyring: RwLock<Keyring>,
    /// Makes every SecretId unique in this process, whatever the randomness.
    serial: AtomicU64,
    /// Counters per source, since start or the last reset.
    by_metadata: AtomicU64,
    by_sts: AtomicU64,
}

/// What `GET /__emulator/credentials` says about the issued credentials.
#[derive(Debug, Serialize)]
pub struct IssuedCounts {
    /// Issued by the metadata service.
    pub metadata: u64,
    /// Issued by STS.
    pub sts: u64,
    /// Both.
    pub total: u64,
    /// Remembered ones that have not expired yet (whenever issued).
    pub live: u64,
    /// Remembered ones that authenticated at least one CI request since the
    /// last reset (a client that rotates uses a new one per expiry).
    pub used: u64,
    /// CI requests authenticated by issued credentials since the last reset.
    pub accepted_requests: u64,
}

/// `n` random letters and digits.
fn random_alphanumeric(n: usize) -> String {
    std::iter::repeat_with(fastrand::alphanumeric).take(n).collect()
}

impl Issuer {
    /// An issuer whose credentials last `lifetime_secs` (already checked
    /// against [`MAX_LIFETIME_SECS`]) until a control request says otherwise.
    pub fn new(lifetime_secs: u64) -> Self {
        Issuer {
            initial_lifetime: lifetime_secs,
            lifetime: AtomicU64::new(lifetime_secs),
            keyring: RwLock::new(Keyring::default()),
            serial: AtomicU64::new(0),
            by_metadata: AtomicU64::new(0),
            by_sts: AtomicU64::new(0),
        }
    }

    /// How long newly issued credentials last, in seconds.
    pub fn lifetime(&self) -> u64 {
        self.lifetime.load(Ordering::Relaxed)
    }

    /// Changes how long credentials issued from now on last; those already
    /// issued keep their expiry.
    pub fn set_lifetime(&self, secs: u64) -> Result<(), String> {
        if secs > MAX_LIFETIME_SECS {
            return Err(format!("lifetime_secs must be at most {MAX_LIFETIME_SECS}, got {secs}"));
        }
        self.lifetime.store(secs, Ordering::Relaxed);
        Ok(())
    }

    /// New credentials, unique in this process, expiring `lifetime` seconds
    /// after `now` (Unix seconds on the emulator's clock).
    pub fn issue(&self, source: Source, now: i64) -> Arc<Issued> {
        let serial = self.serial.fetch_add(1, Ordering::Relaxed);
        // Shaped like Tencent's: an AKID id of 36 characters, a 32-character
        // key, and a long opaque token; the serial keeps the id unique.
        let prefix = match source {
            Source::Metadata => "AKIDcvm",
            Source::Sts => "AKIDsts",
        };
        let secret_id = format!("{prefix}{serial:08x}{}", random_alphanumeric(21));
        let secret_key = random_alphanumeric(32);
        let token = format!("emu{serial:x}_{}", random_alphanumeric(120));
        let lifetime = i64::try_from(self.lifetime()).unwrap_or(i64::MAX);
        let issued = Arc::new(Issued {
            credentials: Credentials::new(secret_id.clone(), secret_key).with_session_token(token),
            expires_unix: now.saturating_add(lifetime),
            uses: AtomicU64::new(0),
        });
        {
            let mut ring = self.keyring.write().unwrap_or_else(|p| p.into_inner());
            ring.by_id.insert(secret_id.clone(), Arc::clone(&issued));
            ring.order.push_back(secret_id);
            while ring.order.len() > MAX_REMEMBERED {
                if let Some(oldest) = ring.order.pop_front() {
                    ring.by_id.remove(&oldest);
                }
            }
        }
        let counter = match source {
            Source::Metadata => &self.by_metadata,
            Source::Sts => &self.by_sts,
        };
        counter.fetch_add(1, Ordering::Relaxed);
        issued
    }

    /// The issued credentials with this SecretId, expired or not.
    pub fn get(&self, secret_id: &str) -> Option<Arc<Issued>> {
        let ring = self.keyring.read().unwrap_or_else(|p| p.into_inner());
        ring.by_id.get(secret_id).cloned()
    }

    /// The counters, with `now` deciding which credentials are live.
    pub fn counts(&self, now: i64) -> IssuedCounts {
        let ring = self.keyring.read().unwrap_or_else(|p| p.into_inner());
        let (metadata, sts) = (self.by_metadata.load(Ordering::Relaxed), self.by_sts.load(Ordering::Relaxed));
        let mut counts = IssuedCounts { metadata, sts, total: metadata + sts, live: 0, used: 0, accepted_requests: 0 };
        for issued in ring.by_id.values() {
            let uses = issued.uses.load(Ordering::Relaxed);
            counts.live += u64::from(!issued.expired_at(now));
            counts.used += u64::from(uses > 0);
            counts.accepted_requests += uses;
        }
        counts
    }

    /// Counters to zero and the lifetime back to the command line's. The
    /// credentials already issued stay valid: a client holding them must not
    /// start failing because a test reset the counters.
    pub fn reset(&self) {
        self.lifetime.store(self.initial_lifetime, Ordering::Relaxed);
        self.by_metadata.store(0, Ordering::Relaxed);
        self.by_sts.store(0, Ordering::Relaxed);
        let ring = self.keyring.read().unwrap_or_else(|p| p.into_inner());
        for issued in ring.by_id.values() {
            issued.uses.store(0, Ordering::Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_issue_is_new_and_expires_after_the_lifetime() {
        let issuer = Issuer::new(5);
        let a = issuer.issue(Source::Metadata, 1_000);
        let b = issuer.issue(Source::Sts, 1_000);
        assert_ne!(a.credentials.secret_id(), b.credentials.secret_id());
        assert_ne!(a.credentials.secret_key(), b.credentials.secret_key());
        assert_ne!(a.token(), b.token());
        assert!(a.credentials.validate().is_ok() && a.credentials.secret_id().starts_with("AKID"));
        assert_eq!(a.expires_unix, 1_005);
        assert!(!a.expired_at(1_004) && a.expired_at(1_005));
        assert_eq!(a.expiration(), "1970-01-01T00:16:45Z");
        assert!(Arc::ptr_eq(&issuer.get(a.credentials.secret_id()).unwrap(), &a));
        assert!(issuer.get("AKIDnobody").is_none());

        a.count_use();
        a.count_use();
        let counts = issuer.counts(1_004);
        assert_eq!((counts.metadata, counts.sts, counts.total, counts.live), (1, 1, 2, 2));
        assert_eq!((counts.used, counts.accepted_requests), (1, 2));
        assert_eq!(issuer.counts(1_005).live, 0);

        issuer.set_lifetime(1).unwrap();
        assert_eq!(issuer.issue(Source::Sts, 2_000).expires_unix, 2_001);
        assert!(issuer.set_lifetime(MAX_LIFETIME_SECS + 1).is_err());
        issuer.reset();
        assert_eq!(issuer.lifetime(), 5);
        let counts = issuer.counts(0);
        assert_eq!((counts.total, counts.used, counts.accepted_requests), (0, 0, 0));
        assert!(issuer.get(a.credentials.secret_id()).is_some(), "a reset keeps issued credentials valid");
    }
}
