//! [`CancelToken`]: a handle that interrupts calls in flight from any thread.
//!
//! A call carries a token (see [`Client::with_cancel`](crate::Client::with_cancel)).
//! While it runs, every socket the call uses is registered with the token;
//! cancelling shuts those sockets down, which wakes a blocked read, write or
//! TLS handshake at once, and wakes a sleep between retries. A TCP connect
//! and name resolution cannot be woken that way: they wait in slices of
//! [`POLL_SLICE`] and look at the token between slices.
//!
//! A connection that was shut down is never returned to the pool: ureq
//! drops a connection whose exchange failed.

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, Weak};
use std::time::{Duration, Instant};

use ureq::unversioned::transport::ShutdownHandle;

use crate::error::{Error, ErrorKind};

/// How long a connect or a resolution waits before looking at the token
/// again: a cancel takes effect within this, well inside the 50 ms promised.
pub(crate) const POLL_SLICE: Duration = Duration::from_millis(10);

/// Cancels the calls that carry it, from any thread; cheap to clone (clones
/// are the same token). Once cancelled it stays cancelled: calls started
/// with it afterwards fail at once with [`ErrorKind::Cancelled`].
///
/// ```
/// use cloud_infinite::CancelToken;
/// let token = CancelToken::new();
/// let for_other_thread = token.clone();
/// std::thread::spawn(move || for_other_thread.cancel()).join().unwrap();
/// assert!(token.is_cancelled());
/// ```
#[derive(Clone, Default)]
pub struct CancelToken {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    cancelled: AtomicBool,
    state: Mutex<State>,
    /// Wakes sleepers between retries.
    woken: Condvar,
}

#[derive(Default)]
struct State {
    /// The sockets of calls in flight, by the id of the call that uses them.
    sockets: Vec<(u64, Weak<dyn ShutdownHandle>)>,
    /// Tokens cancelled with this one (a pager's own token, for the pages
    /// it fetches ahead).
    children: Vec<Weak<Inner>>,
}

impl fmt::Debug for CancelToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CancelToken").field("cancelled", &self.is_cancelled()).finish()
    }
}

impl CancelToken {
    /// A token not cancelled.
    pub fn new() -> Self {
        Self::default()
    }

    /// Cancels every call carrying this token, now and later. Safe from any
    /// thread, any number of times, and while a call is just finishing: the
    /// call then returns either its whole answer or a Cancelled error.
    pub fn cancel(&self) {
        cancel_inner(&self.inner);
    }

    /// Whether [`cancel`](Self::cancel) was called.
    pub fn is_cancelled(&self) -> bool {
        self.inner.cancelled.load(Ordering::SeqCst)
    }

    /// A token cancelled when this one is (and on its own).
    pub(crate) fn child(&self) -> CancelToken {
        let child = CancelToken::new();
        let mut state = lock(&self.inner.state);
        state.children.retain(|c| c.strong_count() > 0);
        state.children.push(Arc::downgrade(&child.inner));
        drop(state);
        if self.is_cancelled() {
            child.cancel();
        }
        child
    }

    /// Shuts `socket` down when the token is cancelled, until
    /// [`release`](Self::release)`(call)`; at once if it already is.
    pub(crate) fn register(&self, call: u64, socket: Weak<dyn ShutdownHandle>) {
        let mut state = lock(&self.inner.state);
        state.sockets.push((call, socket.clone()));
        drop(state);
        // Checked after the push: a cancel that ran before it saw no socket
        // to shut, so this one is shut here.
        if self.is_cancelled() {
            if let Some(socket) = socket.upgrade() {
                socket.shutdown();
            }
        }
    }

    /// Forgets the sockets of `call`, which has ended: they may go back to
    /// the pool and serve other calls, which this token must not touch.
    pub(crate) fn release(&self, call: u64) {
        lock(&self.inner.state).sockets.retain(|(id, socket)| *id != call && socket.strong_count() > 0);
    }

    /// Sleeps for `delay`, or less if the token is cancelled meanwhile;
    /// whether it was cancelled.
    pub(crate) fn sleep(&self, delay: Duration) -> bool {
        let until = Instant::now() + delay;
        let mut state = lock(&self.inner.state);
        loop {
            if self.is_cancelled() {
                return true;
            }
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            state = self.inner.woken.wait_timeout(state, left).unwrap_or_else(|p| p.into_inner()).0;
        }
    }
}

fn cancel_inner(inner: &Inner) {
    if inner.cancelled.swap(true, Ordering::SeqCst) {
        return;
    }
    let (sockets, children) = {
        let state = lock(&inner.state);
        let sockets: Vec<_> = state.sockets.iter().filter_map(|(_, s)| s.upgrade()).collect();
        let children: Vec<_> = state.children.iter().filter_map(Weak::upgrade).collect();
        // Notified under the lock, so a sleeper between its check and its
        // wait cannot miss it.
        inner.woken.notify_all();
        (sockets, children)
    };
    for socket in sockets {
        socket.shutdown();
    }
    for child in children {
        cancel_inner(&child);
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The error of a call ended by its token.
pub(crate) fn cancelled_error(what: &str) -> Error {
    Error::new(ErrorKind::Cancelled, format!("{what}: the call was cancelled"))
}

/// A process-wide id for each call, so that a token can tell its calls' sockets apart.
pub(crate) fn next_call_id() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sleep_ends_early_on_cancel() {
        let token = CancelToken::new();
        let other = token.clone();
        let started = Instant::now();
        let t = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(20));
            other.cancel();
        });
        assert!(token.sleep(Duration::from_secs(5)));
        assert!(started.elapsed() < Duration::from_secs(1));
        t.join().unwrap();
        assert!(!CancelToken::new().sleep(Duration::from_millis(1)));
    }

    #[test]
    fn children_follow_their_parent() {
        let parent = CancelToken::new();
        let child = parent.child();
        assert!(!child.is_cancelled());
        parent.cancel();
        assert!(child.is_cancelled());
        assert!(parent.child().is_cancelled(), "a child of a cancelled token starts cancelled");
        let lone = CancelToken::new();
        lone.child().cancel();
        assert!(!lone.is_cancelled(), "cancelling a child leaves its parent");
    }
}
