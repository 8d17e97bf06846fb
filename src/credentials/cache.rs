//! The credentials of one client: fetched when needed, refreshed before
//! they expire, one refresh at a time, kept when a refresh fails while they
//! still work.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};

use super::{CredentialProvider, ExpiringCredentials, Fetched};
use crate::error::{Error, ErrorKind, Result};

/// How long before expiry credentials are refreshed by default: Tencent's
/// SDKs use 300 s for CVM roles, since a request signed near the end of a
/// token's life may arrive after it. For keys that live less than five
/// times that, a fifth of their lifetime is used instead.
pub const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(300);

/// After a failed refresh while the old credentials still work, wait this
/// long before trying again (or less, if they expire sooner).
const RETRY_AFTER_FAILURE: Duration = Duration::from_secs(10);

/// One version of the credentials, numbered so that a caller whose request
/// was rejected can ask for "newer than the ones I used".
#[derive(Debug)]
pub struct Lease {
    /// What to sign with.
    pub credentials: ExpiringCredentials,
    /// Increases with each new version.
    pub generation: u64,
    /// When the lease began, to know its lifetime.
    pub since: SystemTime,
}

impl Lease {
    /// Whether it should be renewed at `now`: within `margin` of its expiry,
    /// the margin being at most a fifth of its lifetime, so that keys that
    /// live less than the margin are not renewed on every call.
    fn needs_renewal(&self, now: SystemTime, margin: Duration) -> bool {
        let Some(expires) = self.credentials.expires_at else { return false };
        let lifetime = expires.duration_since(self.since).unwrap_or_default();
        now + margin.min(lifetime / 5) >= expires
    }
}

#[derive(Debug, Default)]
struct State {
    current: Option<Arc<Lease>>,
    refreshing: bool,
    /// No refresh before this, after a failure while the old ones work.
    quiet_until: Option<Instant>,
    /// What a pending provider reported instead of credentials.
    pending_failure: Option<Error>,
}

/// The credentials of one client. Cheap to share; every thread asks
/// [`current`](CredentialCache::current) before each attempt.
#[derive(Debug)]
pub struct CredentialCache {
    provider: Option<Arc<dyn CredentialProvider>>,
    margin: Duration,
    state: Mutex<State>,
    refreshed: Condvar,
    fetches: AtomicU64,
    generations: AtomicU64,
}

impl CredentialCache {
    /// Credentials that never change (unless [`set`](Self::set) is called).
    pub fn fixed(credentials: ExpiringCredentials) -> Self {
        let cache = CredentialCache::with_provider(None, DEFAULT_REFRESH_MARGIN);
        cache.set(credentials);
        cache
    }

    /// Credentials from `provider`, refreshed `margin` before they expire.
    pub fn from_provider(provider: Arc<dyn CredentialProvider>, margin: Duration) -> Self {
        CredentialCache::with_provider(Some(provider), margin)
    }

    fn with_provider(provider: Option<Arc<dyn CredentialProvider>>, margin: Duration) -> Self {
        CredentialCache {
            provider,
            margin,
            state: Mutex::new(State::default()),
            refreshed: Condvar::new(),
            fetches: AtomicU64::new(0),
            generations: AtomicU64::new(0),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Replaces the credentials at once: calls already signed keep theirs,
    /// the next attempts use these. With a provider, these are used until
    /// they near their expiry, then the provider is asked again.
    pub fn set(&self, credentials: ExpiringCredentials) {
        let generation = self.generations.fetch_add(1, Ordering::Relaxed) + 1;
        let mut state = self.lock();
        state.current = Some(Arc::new(Lease { credentials, generation, since: SystemTime::now() }));
        state.quiet_until = None;
        drop(state);
        self.refreshed.notify_all();
    }

    /// Reports that a provider which answered [`Fetched::Pending`] could
    /// not get credentials: the call waiting for them fails with `error`.
    pub fn fail(&self, error: Error) {
        self.lock().pending_failure = Some(error);
        self.refreshed.notify_all();
    }

    /// How many times the provider was asked (a test sees the rotation).
    pub fn fetches(&self) -> u64 {
        self.fetches.load(Ordering::Relaxed)
    }

    /// The name of the provider, for messages.
    pub fn provider_name(&self) -> String {
        self.provider.as_ref().map_or_else(|| "the credentials given to the client".into(), |p| p.name())
    }

    /// The credentials to sign the next attempt with, refreshed first if
    /// they are within the margin of their expiry, or if `rejected` names
    /// the generation the service just refused (an `ExpiredToken` answer).
    /// `deadline` bounds the wait for another thread's refresh.
    pub fn current(&self, rejected: Option<u64>, deadline: Instant) -> Result<Arc<Lease>> {
        let mut state = self.lock();
        loop {
            let now = SystemTime::now();
            let current = state.current.clone();
            let usable = current.as_ref().filter(|l| !l.credentials.expired_at(now) && Some(l.generation) != rejected);
            let fresh = usable.filter(|l| !l.needs_renewal(now, self.margin));
            let Some(provider) = &self.provider else {
                return match current {
                    Some(lease) if Some(lease.generation) != rejected => Ok(lease),
                    Some(_) => Err(self.error("the service refused the credentials as expired, and the client has no provider to renew them from (set new ones)".into())),
                    None => Err(self.error("the client has no credentials".into())),
                };
            };
            if let Some(lease) = fresh {
                return Ok(Arc::clone(lease));
            }
            if state.refreshing || state.quiet_until.is_some_and(|t| Instant::now() < t) {
                // Another thread is refreshing, or one just failed: the old
                // credentials serve while they work; otherwise wait for it.
                if let Some(lease) = usable {
                    return Ok(Arc::clone(lease));
                }
                if !state.refreshing {
                    // Expired, and the last refresh failed a moment ago: try
                    // again rather than fail every call until the quiet ends.
                    state.quiet_until = None;
                    continue;
                }
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Err(Error::new(ErrorKind::Timeout, format!("the call's timeout ran out while {} was being asked for new credentials", provider.name())));
                }
                state = self.refreshed.wait_timeout(state, left).unwrap_or_else(|p| p.into_inner()).0;
                continue;
            }
            state.refreshing = true;
            state.pending_failure = None;
            let before = current.as_ref().map(|l| l.generation);
            drop(state);
            self.fetches.fetch_add(1, Ordering::Relaxed);
            let fetched = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| provider.fetch()))
                .unwrap_or_else(|_| Err(Error::new(ErrorKind::Credentials, format!("{} panicked", provider.name()))));
            state = self.lock();
            let fetched = match fetched {
                Ok(Fetched::Pending) => {
                    // Wait for `set` (a newer lease) or `fail`, within the deadline.
                    loop {
                        if let Some(e) = state.pending_failure.take() {
                            break Err(e);
                        }
                        if let Some(lease) = state.current.as_ref().filter(|l| Some(l.generation) != before) {
                            break Ok(Fetched::Found(lease.credentials.clone()));
                        }
                        let left = deadline.saturating_duration_since(Instant::now());
                        if left.is_zero() {
                            break Err(Error::new(
                                ErrorKind::Timeout,
                                format!("the call's timeout ran out while waiting for {} to hand over credentials", provider.name()),
                            ));
                        }
                        state = self.refreshed.wait_timeout(state, left).unwrap_or_else(|p| p.into_inner()).0;
                    }
                }
                other => other,
            };
            state.refreshing = false;
            let outcome = match fetched {
                // Handed over by `set`, which made its lease already.
                Ok(Fetched::Found(credentials)) if state.current.as_ref().is_some_and(|l| Some(l.generation) != before && l.credentials == credentials) => {
                    Ok(Arc::clone(state.current.as_ref().expect("checked just above")))
                }
                Ok(Fetched::Found(credentials)) => {
                    let generation = self.generations.fetch_add(1, Ordering::Relaxed) + 1;
                    let lease = Arc::new(Lease { credentials, generation, since: SystemTime::now() });
                    state.current = Some(Arc::clone(&lease));
                    state.quiet_until = None;
                    Ok(lease)
                }
                Ok(Fetched::Absent(why)) => Err(self.error(format!("{} found none: {why}", provider.name()))),
                Ok(Fetched::Pending) => unreachable!("a pending fetch was waited for above"),
                Err(e) => Err(e),
            };
            self.refreshed.notify_all();
            return match (outcome, usable) {
                (Ok(lease), _) => Ok(lease),
                // The old ones still work: keep them, and try again later.
                (Err(e), Some(old)) => {
                    let until_expiry = old.credentials.expires_at.and_then(|at| at.duration_since(now).ok()).unwrap_or(RETRY_AFTER_FAILURE);
                    state.quiet_until = Some(Instant::now() + RETRY_AFTER_FAILURE.min(until_expiry));
                    log::warn!("keeping credentials that expire soon: refreshing them failed: {e}");
                    Ok(Arc::clone(old))
                }
                (Err(e), None) => Err(if e.kind() == ErrorKind::Credentials {
                    e
                } else {
                    let what = if current.is_some() { "renew expired credentials" } else { "get credentials" };
                    Error::new(ErrorKind::Credentials, format!("{} could not {what}: {}", provider.name(), e.message()))
                }),
            };
        }
    }

    fn error(&self, message: String) -> Error {
        Error::new(ErrorKind::Credentials, message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sign::Credentials;
    use std::sync::atomic::AtomicUsize;

    /// Hands out keys that expire `lifetime` after each fetch, or fails
    /// while `failing` is set; counts its calls.
    #[derive(Debug)]
    struct Counting {
        lifetime: Duration,
        calls: Arc<AtomicUsize>,
        failing: Arc<std::sync::atomic::AtomicBool>,
        delay: Duration,
    }

    impl CredentialProvider for Counting {
        fn name(&self) -> String {
            "the test provider".into()
        }
        fn fetch(&self) -> Result<Fetched> {
            std::thread::sleep(self.delay);
            let n = self.calls.fetch_add(1, Ordering::SeqCst);
            if self.failing.load(Ordering::SeqCst) {
                return Err(Error::new(ErrorKind::Network, "metadata unreachable"));
            }
            let credentials = Credentials::new(format!("AKID{n}"), "key");
            Ok(Fetched::Found(ExpiringCredentials { credentials, expires_at: Some(SystemTime::now() + self.lifetime) }))
        }
    }

    fn cache(lifetime: Duration, margin: Duration, delay: Duration) -> (Arc<CredentialCache>, Arc<AtomicUsize>, Arc<std::sync::atomic::AtomicBool>) {
        let calls = Arc::new(AtomicUsize::new(0));
        let failing = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let provider = Counting { lifetime, calls: Arc::clone(&calls), failing: Arc::clone(&failing), delay };
        (Arc::new(CredentialCache::from_provider(Arc::new(provider), margin)), calls, failing)
    }

    fn soon() -> Instant {
        Instant::now() + Duration::from_secs(5)
    }

    #[test]
    fn fetched_once_then_refreshed_inside_the_margin() {
        let (cache, calls, _) = cache(Duration::from_secs(3600), Duration::from_secs(300), Duration::ZERO);
        let first = cache.current(None, soon()).unwrap();
        assert_eq!(cache.current(None, soon()).unwrap().generation, first.generation);
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        // Keys living less than the margin serve four fifths of their life,
        // then are renewed (not on every call).
        let (short, calls, _) = super::tests::cache(Duration::from_millis(500), Duration::from_secs(300), Duration::ZERO);
        let a = short.current(None, soon()).unwrap();
        assert_eq!(short.current(None, soon()).unwrap().generation, a.generation);
        std::thread::sleep(Duration::from_millis(420));
        let b = short.current(None, soon()).unwrap();
        assert!(b.generation > a.generation);
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn many_threads_wait_on_one_refresh() {
        let (cache, calls, _) = cache(Duration::from_secs(3600), Duration::from_secs(300), Duration::from_millis(100));
        let threads: Vec<_> = (0..8).map(|_| {
            let cache = Arc::clone(&cache);
            std::thread::spawn(move || cache.current(None, soon()).unwrap().generation)
        }).collect();
        let generations: Vec<u64> = threads.into_iter().map(|t| t.join().unwrap()).collect();
        assert_eq!(calls.load(Ordering::SeqCst), 1, "one fetch for eight threads");
        assert!(generations.iter().all(|g| *g == generations[0]));
    }

    #[test]
    fn a_rejected_generation_is_refreshed_once_for_all_threads() {
        let (cache, calls, _) = cache(Duration::from_secs(3600), Duration::from_secs(300), Duration::ZERO);
        let used = cache.current(None, soon()).unwrap().generation;
        let renewed = cache.current(Some(used), soon()).unwrap();
        assert!(renewed.generation > used);
        // A second thread that used the same old generation gets the new one without a fetch.
        assert_eq!(cache.current(Some(used), soon()).unwrap().generation, renewed.generation);
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn a_failed_refresh_keeps_working_keys_and_fails_clearly_once_they_expire() {
        let (cache, calls, failing) = cache(Duration::from_millis(400), Duration::from_secs(300), Duration::ZERO);
        let first = cache.current(None, soon()).unwrap();
        failing.store(true, Ordering::SeqCst);
        // Inside the margin: the refresh fails, the old keys are kept.
        assert_eq!(cache.current(None, soon()).unwrap().generation, first.generation);
        let after_failure = calls.load(Ordering::SeqCst);
        // Quiet for a while: no fetch per call.
        assert_eq!(cache.current(None, soon()).unwrap().generation, first.generation);
        assert_eq!(calls.load(Ordering::SeqCst), after_failure);
        std::thread::sleep(Duration::from_millis(450));
        let e = cache.current(None, soon()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Credentials);
        assert!(e.message().contains("the test provider") && e.message().contains("metadata unreachable"), "{}", e.message());
        failing.store(false, Ordering::SeqCst);
        assert!(cache.current(None, soon()).unwrap().generation > first.generation);
    }

    /// Answers Pending and hands the keys over from another thread later,
    /// or fails, as a binding whose callback starts a Promise does.
    #[derive(Debug)]
    struct Later {
        cache: Arc<std::sync::OnceLock<std::sync::Weak<CredentialCache>>>,
        fail: bool,
    }

    impl CredentialProvider for Later {
        fn name(&self) -> String {
            "the later provider".into()
        }
        fn fetch(&self) -> Result<Fetched> {
            let cache = self.cache.get().and_then(|w| w.upgrade()).expect("the test set the cache");
            let fail = self.fail;
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(50));
                if fail {
                    cache.fail(Error::new(ErrorKind::Credentials, "the promise rejected"));
                } else {
                    let expires_at = Some(SystemTime::now() + Duration::from_secs(3600));
                    cache.set(ExpiringCredentials { credentials: Credentials::new("AKIDlater", "k"), expires_at });
                }
            });
            Ok(Fetched::Pending)
        }
    }

    #[test]
    fn a_pending_provider_hands_the_keys_over_later_or_fails() {
        for fail in [false, true] {
            let slot = Arc::new(std::sync::OnceLock::new());
            let cache = Arc::new(CredentialCache::from_provider(Arc::new(Later { cache: Arc::clone(&slot), fail }), Duration::from_secs(300)));
            slot.set(Arc::downgrade(&cache)).unwrap();
            match cache.current(None, soon()) {
                Ok(lease) => {
                    assert!(!fail);
                    assert_eq!(lease.credentials.credentials.secret_id(), "AKIDlater");
                    assert_eq!(cache.current(None, soon()).unwrap().generation, lease.generation, "kept, not fetched again");
                    assert_eq!(cache.fetches(), 1);
                }
                Err(e) => {
                    assert!(fail);
                    assert_eq!(e.kind(), ErrorKind::Credentials);
                    assert!(e.message().contains("the promise rejected"), "{}", e.message());
                }
            }
        }
    }

    #[test]
    fn fixed_credentials_and_setting_new_ones() {
        let cache = CredentialCache::fixed(ExpiringCredentials::permanent(Credentials::new("AKIDa", "k")));
        let a = cache.current(None, soon()).unwrap();
        assert_eq!(a.credentials.credentials.secret_id(), "AKIDa");
        cache.set(ExpiringCredentials::permanent(Credentials::new("AKIDb", "k")));
        let b = cache.current(None, soon()).unwrap();
        assert_eq!(b.credentials.credentials.secret_id(), "AKIDb");
        assert_eq!(a.credentials.credentials.secret_id(), "AKIDa", "a call already signed keeps its keys");
        let e = cache.current(Some(b.generation), soon()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Credentials);
        assert_eq!(cache.fetches(), 0);
    }
}
