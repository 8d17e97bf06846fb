//! The C ABI: the only part of the crate that knows about C.
//!
//! Conventions, the same for every function:
//! - A fallible call returns `ci_error *`: NULL on success, else an error the
//!   caller owns and releases with `ci_free`. Its result goes through an
//!   out-parameter that is set to NULL first and to the result on success.
//! - Every object the library hands out (client, error, page, pager,
//!   signature, cancel handle) is released with `ci_free`. The library keeps a registry of
//!   the objects it handed out, so a handle argument or a `ci_free` of a
//!   pointer it did not make, or already freed, is detected before the
//!   pointer is read: such a handle gives an invalid-argument error and such
//!   a `ci_free` returns -1, touching nothing.
//! - No panic crosses the boundary: each export runs inside [`ffi_boundary!`],
//!   which turns a panic into an error of kind `CI_KIND_PANIC`.
//! - Strings are UTF-8 and NUL-terminated. Input strings that are not UTF-8
//!   are an invalid-argument error; a NULL required argument is a
//!   null-argument error.
#![allow(non_camel_case_types)]
// Every export checks its pointers (NULL, registry) before use; raw pointer
// arguments are the nature of a C ABI.
#![allow(clippy::not_unsafe_ptr_arg_deref)]

mod arena;
mod calls;
mod cancel;
mod client;
mod credentials;
mod error;
mod json;
mod operations;
mod page;
mod query;
mod registry;
mod sign;
mod structs;

use std::ffi::{c_char, CStr};

use error::ci_error;

use crate::error::{Error, ErrorKind};

/// The version of this C ABI: it changes whenever a function's signature, a
/// struct's layout or a field's type changes. Wrappers compare it with
/// `ci_abi_version()`. 2: `ci_client_options` gained `ca_file`, and its
/// flags became `uint8_t`. 3: one `ci_describe` and one `ci_pager` for every
/// operation of `ci_operations()`, one `ci_query` and one `ci_page` (with
/// the paging fields in `ci_paging`), a `has_` flag on every optional
/// number of the inputs, so that 0 is sent or refused, never "not set", and
/// `ci_cancel` with `ci_query.cancel` and `ci_query.concurrency`.
pub const CI_ABI_VERSION: u32 = 3;

/// Runs `$body` (an expression of the function's return type), returning
/// `$on_panic` instead if it panics. Every exported function is made of one
/// of these, directly or through [`ffi_result`].
macro_rules! ffi_boundary {
    ($on_panic:expr, $body:expr) => {
        match $crate::ffi::catch_panic(|| $body) {
            Ok(value) => value,
            Err(payload) => {
                $crate::ffi::error::note_panic(payload);
                $on_panic
            }
        }
    };
}
pub(crate) use ffi_boundary;

/// Runs `body`, catching a panic. The first call replaces this library's
/// panic hook with one that only logs: the panic reaches the caller as an
/// error, and a library must not print backtraces into its host's stderr.
/// Only C callers get here (the module is private to the Rust API), and a
/// C host has no Rust panic hook of its own to lose.
pub(crate) fn catch_panic<R>(body: impl FnOnce() -> R) -> std::thread::Result<R> {
    static QUIET_HOOK: std::sync::Once = std::sync::Once::new();
    QUIET_HOOK.call_once(|| {
        std::panic::set_hook(Box::new(|info| log::error!("cloud-infinite panicked: {info}")));
    });
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(body))
}

/// The common shape of a fallible export: writes NULL to `out`, runs `body`
/// inside the panic boundary, and on success writes its result to `out`.
pub(crate) fn ffi_result<T>(out: *mut *mut T, body: impl FnOnce() -> Result<*mut T, Error>) -> *mut ci_error {
    if out.is_null() {
        return ci_error::into_raw(null_argument("out"));
    }
    // SAFETY: `out` is non-NULL and, by the documented contract, points to
    // writable storage for one pointer.
    unsafe { out.write(std::ptr::null_mut()) };
    match catch_panic(body) {
        Ok(Ok(value)) => {
            // SAFETY: as above.
            unsafe { out.write(value) };
            std::ptr::null_mut()
        }
        Ok(Err(e)) => ci_error::into_raw(e),
        Err(payload) => ci_error::into_raw(error::panic_error(payload)),
    }
}

/// Like [`ffi_result`] for exports with no result to hand back.
pub(crate) fn ffi_status(body: impl FnOnce() -> Result<(), Error>) -> *mut ci_error {
    match catch_panic(body) {
        Ok(Ok(())) => std::ptr::null_mut(),
        Ok(Err(e)) => ci_error::into_raw(e),
        Err(payload) => ci_error::into_raw(error::panic_error(payload)),
    }
}

pub(crate) fn null_argument(name: &str) -> Error {
    Error::new(ErrorKind::NullArgument, format!("{name} is NULL"))
}

/// A required C string argument as `&str`.
///
/// # Safety
/// `ptr` is NULL or a NUL-terminated string valid for the duration of the call.
pub(crate) unsafe fn required_str<'a>(ptr: *const c_char, name: &str) -> Result<&'a str, Error> {
    // SAFETY: forwarded from the caller.
    unsafe { required_element(ptr, || name.to_owned()) }
}

/// An optional C string argument: NULL is `None`.
///
/// # Safety
/// `ptr` is NULL or a NUL-terminated string valid for the duration of the call.
pub(crate) unsafe fn optional_str<'a>(ptr: *const c_char, name: &str) -> Result<Option<&'a str>, Error> {
    if ptr.is_null() {
        return Ok(None);
    }
    // SAFETY: forwarded from the caller.
    unsafe { required_element(ptr, || name.to_owned()) }.map(Some)
}

/// A required C string that `name()` describes, e.g. `params[2].value`:
/// the description is built only for an error, as arrays are read on
/// every call.
///
/// # Safety
/// `ptr` is NULL or a NUL-terminated string valid for the duration of the call.
pub(crate) unsafe fn required_element<'a>(ptr: *const c_char, name: impl Fn() -> String) -> Result<&'a str, Error> {
    if ptr.is_null() {
        return Err(null_argument(&name()));
    }
    // SAFETY: non-NULL and NUL-terminated per the caller's contract.
    let bytes = unsafe { CStr::from_ptr(ptr) };
    bytes
        .to_str()
        .map_err(|e| Error::invalid_argument(format!("{} is not valid UTF-8 (at byte {})", name(), e.valid_up_to())))
}

/// A C array of strings (`items[0..len]`) as owned strings. `len == 0`
/// allows a NULL array.
///
/// # Safety
/// When `len > 0`, `items` points to `len` string pointers, each NULL or a
/// NUL-terminated string, valid for the duration of the call.
pub(crate) unsafe fn string_list(items: *const *const c_char, len: usize, name: &str) -> Result<Vec<String>, Error> {
    if len == 0 {
        return Ok(Vec::new());
    }
    check_array(items, len, name)?;
    // SAFETY: `items` holds `len` pointers per the caller's contract.
    let slice = unsafe { std::slice::from_raw_parts(items, len) };
    slice
        .iter()
        .enumerate()
        // SAFETY: each element is NULL or a valid C string per the contract.
        .map(|(i, &p)| unsafe { required_element(p, || format!("{name}[{i}]")) }.map(str::to_owned))
        .collect()
}

/// Most items a C array argument may hold: far more than any request can
/// carry, and small enough that a garbage length is an error rather than a
/// read of unrelated memory.
pub(crate) const MAX_ARRAY_LEN: usize = 1 << 16;

/// Checks a C array argument before it is read: non-NULL, aligned, and of a
/// plausible length.
pub(crate) fn check_array<T>(items: *const T, len: usize, name: &str) -> Result<(), Error> {
    if items.is_null() {
        return Err(null_argument(&format!("{name} (with {name}_len = {len})")));
    }
    if len > MAX_ARRAY_LEN {
        return Err(Error::invalid_argument(format!("{name}_len is {len}, more than the {MAX_ARRAY_LEN} items an argument may hold")));
    }
    if (items as usize) % std::mem::align_of::<T>() != 0 {
        return Err(Error::invalid_argument(format!("{name} is not a properly aligned array")));
    }
    Ok(())
}

/// A C flag field (`uint8_t`, so that no byte value is undefined behaviour).
pub(crate) fn flag(value: u8, name: &str) -> Result<bool, Error> {
    match value {
        0 => Ok(false),
        1 => Ok(true),
        other => Err(Error::invalid_argument(format!("{name} is {other}: a flag is 0 or 1"))),
    }
}

/// The ABI version this library implements ([`CI_ABI_VERSION`]).
///
/// ```c
/// if (ci_abi_version() != CI_ABI_VERSION) { abort(); } // header and library disagree
/// ```
#[no_mangle]
pub extern "C" fn ci_abi_version() -> u32 {
    ffi_boundary!(0, CI_ABI_VERSION)
}

/// The library's version, e.g. `"0.1.0"`: a static string, never freed.
#[no_mangle]
pub extern "C" fn ci_version() -> *const c_char {
    ffi_boundary!(std::ptr::null(), concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast())
}

/// Releases any object the library handed out: a client, error, page, pager
/// or signature. Thread-safe.
///
/// Returns 1 when the object was released, 0 for NULL (nothing to do), and
/// -1 when `object` is not a live object of this library (never made by it,
/// or already freed): then nothing is read, written or released. An object
/// is destroyed at once (a client's connections close), but its memory
/// block, and so its address, is held back from reuse for the next 64 frees
/// (or until no object is live), so a second `ci_free` of it then is caught;
/// once the allocator reuses the address, a stale pointer names whatever
/// lives there now, as with any C library, so do not keep freed pointers.
///
/// Freeing a client while other threads are inside calls on it is safe:
/// those calls finish with their own reference, and later calls with the
/// freed handle fail with `CI_KIND_INVALID_ARGUMENT`.
#[no_mangle]
pub extern "C" fn ci_free(object: *mut std::ffi::c_void) -> i32 {
    ffi_boundary!(-1, {
        if object.is_null() {
            0
        } else if registry::release(object.cast()) {
            1
        } else {
            -1
        }
    })
}
