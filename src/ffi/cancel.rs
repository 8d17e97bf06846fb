//! `ci_cancel`: a handle that cancels the calls carrying it, from any thread.

use super::client::not_live;
use super::ffi_boundary;
use super::registry::{self, Tag};
use crate::cancel::CancelToken;
use crate::error::Error;

/// Cancels the calls that carry it (`ci_query.cancel`): opaque; make it
/// with `ci_cancel_new`, release it with `ci_free`. A call in flight keeps
/// its own reference, so freeing the handle during a call is safe (the
/// call then can no longer be cancelled).
pub struct ci_cancel {
    token: CancelToken,
}

/// A new handle, not cancelled. Never NULL.
///
/// ```c
/// ci_cancel *cancel = ci_cancel_new();
/// ci_query q = {0};
/// q.cancel = cancel; // ci_cancel_cancel(cancel), from any thread, ends the call
/// ```
#[no_mangle]
pub extern "C" fn ci_cancel_new() -> *mut ci_cancel {
    ffi_boundary!(std::ptr::null_mut(), registry::hand_out(ci_cancel { token: CancelToken::new() }, Tag::Cancel))
}

/// Cancels every call carrying `cancel`, now and later: each ends within
/// about 10 ms with an error of kind `CI_KIND_CANCELLED`, wherever it is
/// (resolving, connecting, TLS, waiting for or reading the answer, sleeping
/// before a retry), and closes its connection. Safe from any thread, any
/// number of times, and while a call is just finishing (it then returns its
/// whole answer or the cancelled error). Returns 0, or -1 when `cancel` is
/// NULL or not a live `ci_cancel` (nothing happens then).
#[no_mangle]
pub extern "C" fn ci_cancel_cancel(cancel: *const ci_cancel) -> i32 {
    ffi_boundary!(-1, registry::with_live(cancel, Tag::Cancel, |c| c.token.cancel()).map_or(-1, |()| 0))
}

/// 1 once `cancel` was cancelled, 0 before, -1 when it is NULL or not a
/// live `ci_cancel`.
#[no_mangle]
pub extern "C" fn ci_cancel_is_cancelled(cancel: *const ci_cancel) -> i32 {
    ffi_boundary!(-1, registry::with_live(cancel, Tag::Cancel, |c| i32::from(c.token.is_cancelled())).unwrap_or(-1))
}

/// The token behind `cancel` (NULL: none).
pub(super) fn token_from(cancel: *const ci_cancel) -> Result<Option<CancelToken>, Error> {
    if cancel.is_null() {
        return Ok(None);
    }
    registry::with_live(cancel, Tag::Cancel, |c| Some(c.token.clone()))
        .ok_or_else(|| Error::invalid_argument(not_live("cancel", cancel.cast(), Tag::Cancel)))
}
