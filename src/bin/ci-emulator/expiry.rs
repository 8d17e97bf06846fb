//! ExpiredToken: the answer to a CI request whose session token has
//! expired (HTTP 400, as Tencent's COS error-code table lists it), the knob
//! that makes the next answers say so for tokens that are still valid, and
//! the count of such answers.
//!
//! Distinct from the signature window: a `q-sign-time` that has ended is
//! 403 AccessDenied "Request has expired" (a clock problem, fixed by
//! correcting the clock), while ExpiredToken asks for new credentials.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::auth::AuthError;

/// The error code.
pub const CODE: &str = "ExpiredToken";

/// Its status: 400 in Tencent's COS error-code table (436/7730), not 403.
pub const STATUS: u16 = 400;

/// The error, as the signature check returns it.
pub fn error() -> AuthError {
    AuthError::with_status(STATUS, CODE, "The provided token has expired.")
}

/// The forced-answer knob and the answer counter.
#[derive(Default)]
pub struct TokenExpiry {
    forced_left: AtomicU64,
    answers: AtomicU64,
}

impl TokenExpiry {
    /// The next `n` CI requests that authenticate with a valid session token
    /// answer ExpiredToken anyway (replacing what was left of an earlier `n`).
    pub fn force_next(&self, n: u64) {
        self.forced_left.store(n, Ordering::Relaxed);
    }

    /// How many forced answers are left.
    pub fn forced_left(&self) -> u64 {
        self.forced_left.load(Ordering::Relaxed)
    }

    /// Whether this request, which authenticated with a valid token, is one
    /// of the forced ones (using one up if so).
    pub fn take_forced(&self) -> bool {
        self.forced_left.load(Ordering::Relaxed) > 0
            && self.forced_left.fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| n.checked_sub(1)).is_ok()
    }

    /// Counts an ExpiredToken answer, forced or not.
    pub fn count_answer(&self) {
        self.answers.fetch_add(1, Ordering::Relaxed);
    }

    /// ExpiredToken answers since start or the last reset.
    pub fn answers(&self) -> u64 {
        self.answers.load(Ordering::Relaxed)
    }

    /// No forced answers left, counter at zero.
    pub fn reset(&self) {
        self.forced_left.store(0, Ordering::Relaxed);
        self.answers.store(0, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forced_answers_are_used_up_one_by_one() {
        let expiry = TokenExpiry::default();
        assert!(!expiry.take_forced());
        expiry.force_next(2);
        assert!(expiry.take_forced() && expiry.take_forced());
        assert!(!expiry.take_forced());
        assert_eq!(expiry.forced_left(), 0);
        let e = error();
        assert_eq!((e.status, e.code), (400, "ExpiredToken"));
    }
}
