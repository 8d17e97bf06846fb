//! `ci_sign`: the signer on its own, for calls this library does not wrap.

use std::ffi::c_char;

use super::arena::Arena;
use super::registry::{self, Tag};
use super::{ci_error, ffi_result, null_argument, required_element, required_str};
use crate::error::Error;
use crate::sign::{self, Credentials, Signature, SignWindow};

/// A name and a value (a query parameter or a header) for `ci_sign`.
#[repr(C)]
pub struct ci_kv {
    /// The raw name (not yet encoded).
    pub name: *const c_char,
    /// The raw value (not yet encoded).
    pub value: *const c_char,
}

/// What `ci_sign` signs. All strings are borrowed for the call only.
#[repr(C)]
pub struct ci_sign_request {
    /// SecretId (`q-ak`). Required.
    pub secret_id: *const c_char,
    /// SecretKey. Required.
    pub secret_key: *const c_char,
    /// HTTP method, e.g. `"GET"`. Required.
    pub method: *const c_char,
    /// Path, e.g. `"/picbucket"`, used as given. Required.
    pub path: *const c_char,
    /// Query parameters (`params_len` of them), all signed.
    pub params: *const ci_kv,
    /// Number of `params`.
    pub params_len: usize,
    /// Headers (`headers_len` of them); those the official SDKs sign are signed
    /// (`host`, content and conditional headers, `x-cos-*`, `x-ci-*`...).
    pub headers: *const ci_kv,
    /// Number of `headers`.
    pub headers_len: usize,
    /// First second of validity (Unix time).
    pub start_time: u64,
    /// Last second of validity (Unix time), not before `start_time`.
    pub end_time: u64,
}

/// # Safety
/// When `len > 0`, `items` points to `len` pairs of NULL or valid C strings,
/// valid for `'a` (the call).
unsafe fn pairs<'a>(items: *const ci_kv, len: usize, name: &str) -> Result<Vec<(&'a str, &'a str)>, Error> {
    if len == 0 {
        return Ok(Vec::new());
    }
    super::check_array(items, len, name)?;
    // SAFETY: `items` holds `len` pairs per the contract.
    let slice = unsafe { std::slice::from_raw_parts(items, len) };
    slice
        .iter()
        .enumerate()
        .map(|(i, kv)| {
            // SAFETY: each string is NULL or valid per the contract.
            let k = unsafe { required_element(kv.name, || format!("{name}[{i}].name")) }?;
            // SAFETY: as above.
            let v = unsafe { required_element(kv.value, || format!("{name}[{i}].value")) }?;
            Ok((k, v))
        })
        .collect()
}

/// Signs any request with `q-sign-algorithm=sha1` exactly as Tencent's SDKs
/// do, for calls this library does not wrap. Pure: nothing is sent.
///
/// On success `*out` is a new signature the caller owns (release it with
/// `ci_free`); its `authorization` goes in the `Authorization` header. On
/// failure `*out` is NULL: `NULL_ARGUMENT` for a NULL `request`, `out` or
/// required string; `INVALID_ARGUMENT` for non-UTF-8, an empty SecretId or
/// SecretKey, a SecretId that is not printable ASCII, or `end_time < start_time`.
#[no_mangle]
pub extern "C" fn ci_sign(request: *const ci_sign_request, out: *mut *mut ci_signature) -> *mut ci_error {
    ffi_result(out, || {
        if request.is_null() {
            return Err(null_argument("request"));
        }
        // SAFETY: non-NULL and valid per the contract.
        let r = unsafe { &*request };
        // SAFETY: the four strings are NULL or valid C strings per the contract.
        let (secret_id, secret_key, method, path) = unsafe {
            (
                required_str(r.secret_id, "secret_id")?,
                required_str(r.secret_key, "secret_key")?,
                required_str(r.method, "method")?,
                required_str(r.path, "path")?,
            )
        };
        // SAFETY: as above.
        let params = unsafe { pairs(r.params, r.params_len, "params") }?;
        // SAFETY: as above.
        let headers = unsafe { pairs(r.headers, r.headers_len, "headers") }?;
        if r.end_time < r.start_time {
            return Err(Error::invalid_argument(format!("end_time {} is before start_time {}", r.end_time, r.start_time)));
        }
        let window = SignWindow { start: r.start_time, end: r.end_time };
        let credentials = Credentials::new(secret_id, secret_key);
        // A SecretId that is not printable ASCII would make an Authorization
        // value no HTTP header can carry.
        credentials.validate()?;
        let signature = sign::sign(&credentials, method, path, &params, &headers, window);
        Ok(hand_out_signature(&signature))
    })
}

/// A computed signature and its intermediate strings (all non-NULL):
/// read-only, owned by the caller, released with `ci_free`. `http_string`
/// holds the signed header values, a session token included.
#[repr(C)]
pub struct ci_signature {
    /// The `Authorization` header value.
    pub authorization: *const c_char,
    /// The signature, 40 lowercase hex digits (`q-signature`).
    pub signature: *const c_char,
    /// Signed header names, `;`-separated (`q-header-list`).
    pub header_list: *const c_char,
    /// Signed parameter names, `;`-separated (`q-url-param-list`).
    pub param_list: *const c_char,
    /// The canonical request that was hashed (`HttpString`).
    pub http_string: *const c_char,
    /// `StringToSign`.
    pub string_to_sign: *const c_char,
}

// SAFETY: the raw pointers point into the owner's own immutable arena.
unsafe impl Send for SignatureOwner {}

/// A handed-out signature: the C struct first, then the arena its strings are in.
#[repr(C)]
pub(crate) struct SignatureOwner {
    signature: ci_signature,
    arena: Arena,
}

pub(crate) fn hand_out_signature(sig: &Signature) -> *mut ci_signature {
    let parts = [sig.authorization(), sig.signature(), sig.header_list(), sig.param_list(), sig.http_string(), sig.string_to_sign()];
    let mut arena = Arena::with_capacity(parts.iter().map(|s| s.len() + 1).sum());
    let [authorization, signature, header_list, param_list, http_string, string_to_sign] = parts.map(|s| arena.add(s));
    let signature = ci_signature { authorization, signature, header_list, param_list, http_string, string_to_sign };
    registry::hand_out(SignatureOwner { signature, arena }, Tag::Signature).cast()
}
