//! The COS/CI `q-sign-algorithm=sha1` request signature, as pure functions.
//!
//! This reproduces, byte for byte, what Tencent's official SDKs put in the
//! `Authorization` header (see `tests/sign_vectors.rs`):
//!
//! 1. `KeyTime` = `"<start>;<end>"` (Unix seconds), also used as `q-sign-time`.
//! 2. `SignKey` = hex(HMAC-SHA1(SecretKey, KeyTime)).
//! 3. `HttpString` = `"<method lowercased>\n<path>\n<params>\n<headers>\n"`,
//!    params and headers each encoded ([`percent_encode`]), names lowercased,
//!    sorted and joined as `k=v` with `&`.
//! 4. `StringToSign` = `"sha1\n<KeyTime>\n<hex(SHA1(HttpString))>\n"`.
//! 5. `Signature` = hex(HMAC-SHA1(SignKey, StringToSign)).
//!
//! ```
//! use cloud_infinite::sign::{sign, Credentials, SignWindow};
//! let creds = Credentials::new("AKIDEXAMPLE", "secret");
//! let sig = sign(&creds, "GET", "/picbucket", &[("pageSize", "10")],
//!                &[("Host", "ci.ap-guangzhou.myqcloud.com")],
//!                SignWindow { start: 1700000000, end: 1700003600 });
//! assert!(sig.authorization().starts_with("q-sign-algorithm=sha1&q-ak=AKIDEXAMPLE&"));
//! assert_eq!(sig.header_list(), "host");
//! assert_eq!(sig.param_list(), "pagesize");
//! ```

use std::borrow::Cow;
use std::cmp::Ordering;
use std::fmt;
use std::sync::{Mutex, OnceLock};

use hmac::{Hmac, Mac};
use sha1::{Digest, Sha1};

use crate::error::{Error, Result};

type HmacSha1 = Hmac<Sha1>;

/// A SecretId / SecretKey pair and, for temporary credentials, the session token.
///
/// `Debug` shows the SecretId only; the key and token are never printed.
///
/// ```
/// use cloud_infinite::sign::Credentials;
/// let c = Credentials::new("AKIDEXAMPLE", "very-secret").with_session_token("tok");
/// let shown = format!("{c:?}");
/// assert!(shown.contains("AKIDEXAMPLE") && !shown.contains("very-secret") && !shown.contains("tok\""));
/// ```
#[derive(Clone)]
pub struct Credentials {
    secret_id: String,
    secret_key: String,
    session_token: Option<String>,
    keys: SigningKeys,
}

// The key cache is derived from `secret_key`, so it takes no part in equality.
impl PartialEq for Credentials {
    fn eq(&self, other: &Self) -> bool {
        self.secret_id == other.secret_id && self.secret_key == other.secret_key && self.session_token == other.session_token
    }
}

impl Eq for Credentials {}

/// HMAC states that save most of the signing's SHA-1 compressions: each
/// holds a key already absorbed (its ipad and opad blocks compressed), and a
/// sign only clones one. They are as good as the keys they hold, so
/// `Credentials`' `Debug` leaves them out. Boxed so `Credentials` stays small
/// where it is moved around by value.
#[derive(Default)]
struct SigningKeys {
    /// HMAC-SHA1 keyed by the SecretKey, made on first use.
    secret: OnceLock<Box<HmacSha1>>,
    /// The last window's SignKey as an HMAC state keyed by it: a client signs
    /// many calls with the same window (it moves once a second), and a hit
    /// skips four of the eleven SHA-1 compressions a miss costs. A miss, or a slot
    /// another thread holds at that instant, is computed afresh, so
    /// concurrent signers never wait for each other.
    last_window: Mutex<Option<Box<(SignWindow, HmacSha1)>>>,
}

impl Clone for SigningKeys {
    fn clone(&self) -> Self {
        let last = self.last_window.try_lock().ok().and_then(|slot| slot.clone());
        SigningKeys { secret: self.secret.clone(), last_window: Mutex::new(last) }
    }
}

impl Credentials {
    /// Long-term credentials.
    pub fn new(secret_id: impl Into<String>, secret_key: impl Into<String>) -> Self {
        Credentials {
            secret_id: secret_id.into(),
            secret_key: secret_key.into(),
            session_token: None,
            keys: SigningKeys::default(),
        }
    }

    /// HMAC-SHA1 keyed by the SignKey of `window` (whose text is `key_time`).
    fn sign_key_mac(&self, window: SignWindow, key_time: &str) -> HmacSha1 {
        if let Ok(slot) = self.keys.last_window.try_lock() {
            if let Some((cached, mac)) = slot.as_deref() {
                if *cached == window {
                    return mac.clone();
                }
            }
        }
        let secret = self.keys.secret.get_or_init(|| Box::new(hmac_keyed(self.secret_key.as_bytes())));
        let mut mac = (**secret).clone();
        mac.update(key_time.as_bytes());
        let mut sign_key = [0u8; 40];
        hex_lower_into(&mut sign_key, &mac.finalize().into_bytes());
        let keyed = hmac_keyed(&sign_key);
        if let Ok(mut slot) = self.keys.last_window.try_lock() {
            match slot.as_deref_mut() {
                Some(entry) => *entry = (window, keyed.clone()),
                None => *slot = Some(Box::new((window, keyed.clone()))),
            }
        }
        keyed
    }

    /// Adds the session token of temporary credentials (sent and signed as
    /// `x-ci-security-token`).
    pub fn with_session_token(mut self, token: impl Into<String>) -> Self {
        self.session_token = Some(token.into());
        self
    }

    /// The SecretId (`q-ak`), which is not a secret.
    pub fn secret_id(&self) -> &str {
        &self.secret_id
    }

    /// The SecretKey. Handle with care: never log it.
    pub fn secret_key(&self) -> &str {
        &self.secret_key
    }

    /// The session token of temporary credentials, if any.
    pub fn session_token(&self) -> Option<&str> {
        self.session_token.as_deref()
    }

    /// Rejects credentials that can only fail at the service.
    pub fn validate(&self) -> Result<()> {
        if self.secret_id.trim().is_empty() {
            return Err(Error::invalid_argument("secret_id is empty: set it or TENCENTCLOUD_SECRET_ID"));
        }
        if self.secret_key.trim().is_empty() {
            return Err(Error::invalid_argument("secret_key is empty: set it or TENCENTCLOUD_SECRET_KEY"));
        }
        if !self.secret_id.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(Error::invalid_argument(
                "secret_id has a character that is not printable ASCII (a pasted space or newline?)",
            ));
        }
        // The SecretId goes unencoded into the Authorization value, whose
        // fields these separate: "AK&q-ak=OTHER" must not name another key.
        if self.secret_id.bytes().any(|b| matches!(b, b'&' | b';' | b'=')) {
            return Err(Error::invalid_argument(
                "secret_id has '&', ';' or '=', which separate the fields of the Authorization header",
            ));
        }
        if let Some(token) = &self.session_token {
            if !token.bytes().all(|b| b.is_ascii_graphic()) {
                return Err(Error::invalid_argument(
                    "session_token has a character that cannot go in an HTTP header (a pasted space or newline?)",
                ));
            }
        }
        Ok(())
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("secret_id", &self.secret_id)
            .field("secret_key", &"<redacted>")
            .field("session_token", &self.session_token.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// The validity window of a signature, in Unix seconds (`q-sign-time` and
/// `q-key-time` are both `"<start>;<end>"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignWindow {
    /// First second the signature is valid.
    pub start: u64,
    /// Last second the signature is valid.
    pub end: u64,
}

impl fmt::Display for SignWindow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{};{}", self.start, self.end)
    }
}

/// The headers the official SDKs sign besides every `x-cos-*` / `x-ci-*` one.
const SIGNED_HEADERS: [&str; 17] = [
    "cache-control",
    "content-disposition",
    "content-encoding",
    "content-length",
    "content-md5",
    "content-type",
    "expect",
    "expires",
    "host",
    "if-match",
    "if-modified-since",
    "if-none-match",
    "if-unmodified-since",
    "origin",
    "pic-operations",
    "range",
    "transfer-encoding",
];

/// Whether the official SDKs sign a header of this (lowercase) name.
///
/// `Date`, `User-Agent`, `Accept` and `Authorization` are not signed; `host`,
/// the content and conditional headers, `pic-operations` and every
/// `x-cos-*` / `x-ci-*` header are.
pub fn is_signed_header(lowercase_name: &str) -> bool {
    SIGNED_HEADERS.contains(&lowercase_name) || lowercase_name.starts_with("x-cos-") || lowercase_name.starts_with("x-ci-")
}

/// [`is_signed_header`] of the name lowercased, without the lowercase copy
/// (`to_ascii_lowercase` and `eq_ignore_ascii_case` agree on every byte).
fn is_signed_header_any_case(name: &str) -> bool {
    let has_prefix = |prefix: &str| name.as_bytes().get(..prefix.len()).is_some_and(|p| p.eq_ignore_ascii_case(prefix.as_bytes()));
    SIGNED_HEADERS.iter().any(|h| h.eq_ignore_ascii_case(name)) || has_prefix("x-cos-") || has_prefix("x-ci-")
}

/// `A-Z a-z 0-9 - _ . ~`, the bytes left as they are: a table, because
/// the encoder asks once per byte of every name and value it signs.
static UNRESERVED: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.' | b'~');
        b += 1;
    }
    table
};

fn is_unreserved(b: u8) -> bool {
    UNRESERVED[b as usize]
}

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";
const HEX_LOWER: &[u8; 16] = b"0123456789abcdef";

/// Where the encoder writes: the public [`percent_encode_into`] appends to
/// a `String`, the signature builds its text as bytes (validated once at the
/// end). One generic encoder serves both, so they cannot disagree.
trait Sink {
    fn push_run(&mut self, run: &str, lowercase: bool);
    fn push_escape(&mut self, escape: [u8; 3]);
}

impl Sink for String {
    fn push_run(&mut self, run: &str, lowercase: bool) {
        let from = self.len();
        self.push_str(run);
        if lowercase {
            self[from..].make_ascii_lowercase();
        }
    }
    fn push_escape(&mut self, escape: [u8; 3]) {
        for b in escape {
            self.push(b as char);
        }
    }
}

impl Sink for Vec<u8> {
    fn push_run(&mut self, run: &str, lowercase: bool) {
        let from = self.len();
        self.extend_from_slice(run.as_bytes());
        if lowercase {
            self[from..].make_ascii_lowercase();
        }
    }
    fn push_escape(&mut self, escape: [u8; 3]) {
        self.extend_from_slice(&escape);
    }
}

/// Appends `s` encoded as [`percent_encode_into`] does, with `hex` digits;
/// runs of unreserved bytes are copied whole, and lowercased for a name.
fn encode_into(out: &mut impl Sink, s: &str, hex: &[u8; 16], lowercase: bool) {
    let bytes = s.as_bytes();
    let mut run = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if !is_unreserved(b) {
            // A non-empty run is unreserved ASCII between two escaped bytes
            // (or the ends), so its ends are char boundaries; an empty one
            // may sit inside a multi-byte character, hence the checks.
            if run < i {
                out.push_run(&s[run..i], lowercase);
            }
            out.push_escape([b'%', hex[(b >> 4) as usize], hex[(b & 15) as usize]]);
            run = i + 1;
        }
    }
    if run < bytes.len() {
        out.push_run(&s[run..], lowercase);
    }
}

/// The length of `s` once encoded.
fn encoded_len(s: &str) -> usize {
    s.len() + 2 * s.bytes().map(|b| usize::from(!is_unreserved(b))).sum::<usize>()
}

/// The bytes of [`canonical_name`] of `s`, without building it.
fn canonical_bytes(s: &[u8]) -> impl Iterator<Item = u8> + '_ {
    s.iter().flat_map(|&b| {
        let (bytes, len) = if is_unreserved(b) {
            ([b.to_ascii_lowercase(), 0, 0], 1)
        } else {
            ([b'%', HEX_LOWER[(b >> 4) as usize], HEX_LOWER[(b & 15) as usize]], 3)
        };
        bytes.into_iter().take(len)
    })
}

/// Orders names as their [`canonical_name`]s compare, which is what the
/// pairs are sorted and deduplicated by. Each byte encodes on its own, so
/// the common prefix is skipped byte by byte and only the rest, from the
/// first byte that does not encode alike, is compared encoded.
fn cmp_canonical(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    for (i, (&x, &y)) in a.iter().zip(b).enumerate() {
        if x == y {
            continue;
        }
        if is_unreserved(x) && is_unreserved(y) {
            match x.to_ascii_lowercase().cmp(&y.to_ascii_lowercase()) {
                Ordering::Equal => continue,
                unequal => return unequal,
            }
        }
        return canonical_bytes(&a[i..]).cmp(canonical_bytes(&b[i..]));
    }
    // One encodes to a prefix of the other, which has bytes left.
    a.len().cmp(&b.len())
}

/// Appends `s` percent-encoded: UTF-8 bytes, every byte but `A-Z a-z 0-9 - _ . ~`
/// as `%XX` with uppercase hex (so a space is `%20`, never `+`).
///
/// This one encoder serves both the signature and the query string on the
/// wire, so the two can never disagree.
pub fn percent_encode_into(out: &mut String, s: &str) {
    encode_into(out, s, HEX_UPPER, false);
}

/// `s` percent-encoded as [`percent_encode_into`] does, borrowed when nothing changes.
///
/// ```
/// use cloud_infinite::sign::percent_encode;
/// assert_eq!(percent_encode("a b/c+测"), "a%20b%2Fc%2B%E6%B5%8B");
/// assert_eq!(percent_encode("ap-guangzhou_1.~"), "ap-guangzhou_1.~");
/// ```
pub fn percent_encode(s: &str) -> Cow<'_, str> {
    if s.bytes().all(is_unreserved) {
        Cow::Borrowed(s)
    } else {
        let mut out = String::with_capacity(encoded_len(s));
        percent_encode_into(&mut out, s);
        Cow::Owned(out)
    }
}

/// Decodes `%XX` escapes (and nothing else: `+` stays `+`). Malformed escapes
/// are kept as they are; bytes that are not UTF-8 become U+FFFD.
pub fn percent_decode(s: &str) -> Cow<'_, str> {
    if !s.contains('%') {
        return Cow::Borrowed(s);
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = |c: u8| (c as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    Cow::Owned(String::from_utf8_lossy(&out).into_owned())
}

/// A parameter or header name as the signature lists it: encoded, then
/// lowercased (hex digits included, as the official SDKs do). A server
/// matching a request's names against `q-url-param-list` uses the same rule.
///
/// ```
/// use cloud_infinite::sign::canonical_name;
/// assert_eq!(canonical_name("pageSize"), "pagesize");
/// assert_eq!(canonical_name("测"), "%e6%b5%8b");
/// ```
pub fn canonical_name(name: &str) -> String {
    let mut out = String::with_capacity(encoded_len(name));
    encode_into(&mut out, name, HEX_LOWER, true);
    out
}

/// Pairs kept on the stack up to this many (a request has a handful), so
/// signing allocates nothing but the [`Signature`] it returns.
const INLINE_PAIRS: usize = 8;

type Pair<'a> = (&'a str, &'a str);

/// A raw pair with what its encoding takes, measured once.
#[derive(Clone, Copy)]
struct Entry<'a> {
    name: &'a str,
    value: &'a str,
    name_len: usize,
    value_len: usize,
    /// Where the encoded name was written in the `HttpString`, so the list
    /// of names copies it rather than encoding it again.
    name_at: usize,
}

impl<'a> Entry<'a> {
    const EMPTY: Entry<'static> = Entry { name: "", value: "", name_len: 0, value_len: 0, name_at: 0 };

    fn new((name, value): Pair<'a>) -> Self {
        Entry { name, value, name_len: encoded_len(name), value_len: encoded_len(value), name_at: 0 }
    }
}

/// Appends `s`, whose encoding is `len` long: a string with nothing to
/// escape, the usual case, is copied whole.
fn push_encoded(out: &mut Vec<u8>, s: &str, len: usize, hex: &[u8; 16], lowercase: bool) {
    if len == s.len() {
        out.push_run(s, lowercase);
    } else {
        encode_into(out, s, hex, lowercase);
    }
}

/// Raw `name=value` pairs in the order the signature wants them: sorted by
/// [`canonical_name`] and, for a repeated name, only the last value kept.
// Large on purpose: it lives on the stack for one call, and boxing the
// inline array would be the very allocation it is there to avoid.
#[allow(clippy::large_enum_variant)]
enum CanonicalPairs<'a> {
    Inline([Entry<'a>; INLINE_PAIRS], usize),
    Heap(Vec<Entry<'a>>),
}

impl<'a> CanonicalPairs<'a> {
    fn new(pairs: impl Iterator<Item = Pair<'a>>) -> Self {
        let mut out = CanonicalPairs::Inline([Entry::EMPTY; INLINE_PAIRS], 0);
        for pair in pairs {
            let entry = Entry::new(pair);
            match &mut out {
                CanonicalPairs::Inline(array, len) if *len < INLINE_PAIRS => {
                    array[*len] = entry;
                    *len += 1;
                }
                CanonicalPairs::Inline(array, _) => {
                    let mut heap = array.to_vec();
                    heap.push(entry);
                    out = CanonicalPairs::Heap(heap);
                }
                CanonicalPairs::Heap(heap) => heap.push(entry),
            }
        }
        // A stable sort keeps later duplicates after earlier ones, so keeping
        // the last of each run matches the SDKs' dict semantics.
        let all = out.slice_mut();
        all.sort_by(|a, b| cmp_canonical(a.name, b.name));
        let mut kept = 0;
        for i in 0..all.len() {
            if kept > 0 && cmp_canonical(all[kept - 1].name, all[i].name) == Ordering::Equal {
                all[kept - 1] = all[i];
            } else {
                all[kept] = all[i];
                kept += 1;
            }
        }
        match &mut out {
            CanonicalPairs::Inline(_, len) => *len = kept,
            CanonicalPairs::Heap(heap) => heap.truncate(kept),
        }
        out
    }

    fn slice_mut(&mut self) -> &mut [Entry<'a>] {
        match self {
            CanonicalPairs::Inline(array, len) => &mut array[..*len],
            CanonicalPairs::Heap(heap) => heap,
        }
    }

    fn as_slice(&self) -> &[Entry<'a>] {
        match self {
            CanonicalPairs::Inline(array, len) => &array[..*len],
            CanonicalPairs::Heap(heap) => heap,
        }
    }

    /// The length of `k=v&k=v...`.
    fn joined_len(&self) -> usize {
        let entries = self.as_slice();
        entries.iter().map(|e| e.name_len + 1 + e.value_len).sum::<usize>() + entries.len().saturating_sub(1)
    }

    /// The length of `k;k...`.
    fn names_len(&self) -> usize {
        let entries = self.as_slice();
        entries.iter().map(|e| e.name_len).sum::<usize>() + entries.len().saturating_sub(1)
    }

    fn push_joined(&mut self, out: &mut Vec<u8>) {
        for (i, e) in self.slice_mut().iter_mut().enumerate() {
            if i > 0 {
                out.push(b'&');
            }
            e.name_at = out.len();
            push_encoded(out, e.name, e.name_len, HEX_LOWER, true);
            out.push(b'=');
            push_encoded(out, e.value, e.value_len, HEX_UPPER, false);
        }
    }

    /// Appends `k;k...`, copied from where [`Self::push_joined`] wrote them in `out`.
    fn push_names(&self, out: &mut Vec<u8>) {
        for (i, e) in self.as_slice().iter().enumerate() {
            if i > 0 {
                out.push(b';');
            }
            out.extend_from_within(e.name_at..e.name_at + e.name_len);
        }
    }
}

/// The canonical pairs as owned strings, for the tests of the order above.
#[cfg(test)]
fn canonical_pairs<'a>(pairs: impl Iterator<Item = Pair<'a>>) -> Vec<(String, String)> {
    let pairs = CanonicalPairs::new(pairs);
    pairs.as_slice().iter().map(|e| (canonical_name(e.name), percent_encode(e.value).into_owned())).collect()
}

/// Writes `bytes` as lowercase hex into `out`, which is twice as long.
fn hex_lower_into(out: &mut [u8], bytes: &[u8]) {
    for (pair, &b) in out.chunks_exact_mut(2).zip(bytes) {
        pair[0] = HEX_LOWER[(b >> 4) as usize];
        pair[1] = HEX_LOWER[(b & 15) as usize];
    }
}

fn push_hex_lower(out: &mut Vec<u8>, bytes: &[u8; 20]) {
    let mut hex = [0u8; 40];
    hex_lower_into(&mut hex, bytes);
    out.extend_from_slice(&hex);
}

fn hmac_keyed(key: &[u8]) -> HmacSha1 {
    HmacSha1::new_from_slice(key).expect("HMAC accepts keys of any length")
}

/// `"<start>;<end>"` on the stack: two `u64`s are at most 20 digits each.
struct KeyTime {
    bytes: [u8; 41],
    len: usize,
}

impl KeyTime {
    fn new(window: SignWindow) -> KeyTime {
        let mut kt = KeyTime { bytes: [0; 41], len: 0 };
        kt.push_decimal(window.start);
        kt.bytes[kt.len] = b';';
        kt.len += 1;
        kt.push_decimal(window.end);
        kt
    }

    fn push_decimal(&mut self, n: u64) {
        let mut buf = [0; 20];
        let digits = crate::decimal::digits(n, &mut buf);
        self.bytes[self.len..self.len + digits.len()].copy_from_slice(digits);
        self.len += digits.len();
    }

    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.bytes[..self.len]).expect("digits and ';' are ASCII")
    }
}

/// `SignKey` = hex(HMAC-SHA1(SecretKey, KeyTime)). It is as good as the
/// secret key for the window: never log it.
pub fn sign_key(secret_key: &str, window: SignWindow) -> String {
    let mut mac = hmac_keyed(secret_key.as_bytes());
    mac.update(KeyTime::new(window).as_str().as_bytes());
    let mut hex = [0u8; 40];
    hex_lower_into(&mut hex, &mac.finalize().into_bytes());
    hex.iter().map(|&b| b as char).collect()
}

/// A computed signature and every intermediate string, for debugging a
/// mismatch against another implementation.
///
/// `Debug` shows only the window and the signed names: the signature and
/// the canonical strings (which hold the signed header values, a session
/// token included) are left out.
#[derive(Clone, PartialEq, Eq)]
pub struct Signature {
    window: SignWindow,
    /// `HttpString`, `StringToSign` and the `Authorization` value, one after
    /// the other in one allocation; the header list, the parameter list and
    /// the signature are slices of the `Authorization` value.
    text: String,
    http_string_end: usize,
    string_to_sign_end: usize,
    header_list: (usize, usize),
    param_list: (usize, usize),
}

impl Signature {
    /// The value of the `Authorization` header.
    pub fn authorization(&self) -> &str {
        &self.text[self.string_to_sign_end..]
    }
    /// `q-header-list`: the signed header names, `;`-separated.
    pub fn header_list(&self) -> &str {
        &self.text[self.header_list.0..self.header_list.1]
    }
    /// `q-url-param-list`: the signed parameter names, `;`-separated.
    pub fn param_list(&self) -> &str {
        &self.text[self.param_list.0..self.param_list.1]
    }
    /// The canonical request that was hashed. It holds every signed header
    /// value, the session token included: handle it like the token.
    pub fn http_string(&self) -> &str {
        &self.text[..self.http_string_end]
    }
    /// The string the sign key signed.
    pub fn string_to_sign(&self) -> &str {
        &self.text[self.http_string_end..self.string_to_sign_end]
    }
    /// `q-signature`, 40 lowercase hex digits.
    pub fn signature(&self) -> &str {
        &self.text[self.text.len() - 40..]
    }
    /// The validity window.
    pub fn window(&self) -> SignWindow {
        self.window
    }
}

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signature")
            .field("window", &self.window)
            .field("header_list", &self.header_list())
            .field("param_list", &self.param_list())
            .finish_non_exhaustive()
    }
}

/// Signs a request the way the official SDKs do: every parameter, and the
/// headers [`is_signed_header`] accepts.
///
/// `params` and `headers` are the raw (not yet encoded) names and values;
/// `path` is used as given. The credentials are not checked here: see
/// [`Credentials::validate`] (a SecretId that is not printable ASCII makes
/// an Authorization no header can carry). To be accepted, the `host` header must be among
/// `headers` with the value the request really carries.
pub fn sign(
    credentials: &Credentials,
    method: &str,
    path: &str,
    params: &[(&str, &str)],
    headers: &[(&str, &str)],
    window: SignWindow,
) -> Signature {
    let signed_headers = headers.iter().copied().filter(|(k, _)| is_signed_header_any_case(k));
    sign_exactly(credentials, method, path, params.iter().copied(), signed_headers, window)
}

/// Signs exactly the parameters and headers given, with no filtering. This is
/// what a verifier needs: it recomputes the signature over the names the
/// `Authorization` lists (see [`ParsedAuthorization`]).
pub fn sign_exactly<'a>(
    credentials: &Credentials,
    method: &str,
    path: &str,
    params: impl Iterator<Item = (&'a str, &'a str)>,
    headers: impl Iterator<Item = (&'a str, &'a str)>,
    window: SignWindow,
) -> Signature {
    const AUTH_START: &str = "q-sign-algorithm=sha1&q-ak=";
    const SIGN_TIME: &str = "&q-sign-time=";
    const KEY_TIME: &str = "&q-key-time=";
    const HEADER_LIST: &str = "&q-header-list=";
    const PARAM_LIST: &str = "&q-url-param-list=";
    const SIGNATURE: &str = "&q-signature=";

    let mut params = CanonicalPairs::new(params);
    let mut headers = CanonicalPairs::new(headers);
    let key_time = KeyTime::new(window);
    let key_time = key_time.as_str();

    // Sized exactly, so the one allocation is never grown.
    let http_len = method.len() + path.len() + params.joined_len() + headers.joined_len() + 4;
    let string_to_sign_len = "sha1\n".len() + key_time.len() + 42;
    let authorization_len = AUTH_START.len()
        + credentials.secret_id.len()
        + SIGN_TIME.len()
        + KEY_TIME.len()
        + 2 * key_time.len()
        + HEADER_LIST.len()
        + headers.names_len()
        + PARAM_LIST.len()
        + params.names_len()
        + SIGNATURE.len()
        + 40;
    let capacity = http_len + string_to_sign_len + authorization_len;
    let mut text = Vec::with_capacity(capacity);
    let allocated = text.capacity();

    text.extend_from_slice(method.as_bytes());
    text.make_ascii_lowercase();
    text.push(b'\n');
    text.extend_from_slice(path.as_bytes());
    text.push(b'\n');
    params.push_joined(&mut text);
    text.push(b'\n');
    headers.push_joined(&mut text);
    text.push(b'\n');
    let http_string_end = text.len();

    let http_digest = Sha1::digest(&text);
    text.extend_from_slice(b"sha1\n");
    text.extend_from_slice(key_time.as_bytes());
    text.push(b'\n');
    push_hex_lower(&mut text, &http_digest.into());
    text.push(b'\n');
    let string_to_sign_end = text.len();

    let mut mac = credentials.sign_key_mac(window, key_time);
    mac.update(&text[http_string_end..]);
    let signature = mac.finalize().into_bytes();

    for part in [AUTH_START, &credentials.secret_id, SIGN_TIME, key_time, KEY_TIME, key_time, HEADER_LIST] {
        text.extend_from_slice(part.as_bytes());
    }
    let header_start = text.len();
    headers.push_names(&mut text);
    let header_list = (header_start, text.len());
    text.extend_from_slice(PARAM_LIST.as_bytes());
    let param_start = text.len();
    params.push_names(&mut text);
    let param_list = (param_start, text.len());
    text.extend_from_slice(SIGNATURE.as_bytes());
    push_hex_lower(&mut text, &signature.into());
    debug_assert_eq!((http_string_end, text.len(), text.capacity()), (http_len, capacity, allocated));
    // Every part is a &str or ASCII, and runs are cut at char boundaries.
    let text = String::from_utf8(text).expect("the signature's text is UTF-8");

    Signature { window, text, http_string_end, string_to_sign_end, header_list, param_list }
}

/// The fields of an `Authorization` value, as a server reads them.
///
/// ```
/// use cloud_infinite::sign::ParsedAuthorization;
/// let a = ParsedAuthorization::parse("q-sign-algorithm=sha1&q-ak=AK&q-sign-time=1;2&q-key-time=1;2&q-header-list=host&q-url-param-list=&q-signature=ab").unwrap();
/// assert_eq!(a.secret_id, "AK");
/// assert_eq!(a.header_list, vec!["host"]);
/// assert!(a.param_list.is_empty());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedAuthorization {
    /// `q-ak`.
    pub secret_id: String,
    /// `q-sign-time`.
    pub sign_time: SignWindow,
    /// `q-key-time`.
    pub key_time: SignWindow,
    /// `q-header-list`, split on `;`.
    pub header_list: Vec<String>,
    /// `q-url-param-list`, split on `;`.
    pub param_list: Vec<String>,
    /// `q-signature`.
    pub signature: String,
}

impl ParsedAuthorization {
    /// Parses an `Authorization` header value; says which field is missing or malformed.
    pub fn parse(value: &str) -> Result<Self> {
        let mut fields = [None::<&str>; 7];
        const NAMES: [&str; 7] = [
            "q-sign-algorithm",
            "q-ak",
            "q-sign-time",
            "q-key-time",
            "q-header-list",
            "q-url-param-list",
            "q-signature",
        ];
        for part in value.trim().split('&') {
            let (k, v) = part.split_once('=').unwrap_or((part, ""));
            if let Some(i) = NAMES.iter().position(|n| *n == k) {
                fields[i] = Some(v);
            }
        }
        let field = |i: usize| -> Result<&str> {
            fields[i].ok_or_else(|| Error::invalid_argument(format!("Authorization has no {}", NAMES[i])))
        };
        if field(0)? != "sha1" {
            return Err(Error::invalid_argument(format!(
                "Authorization q-sign-algorithm is {:?}, only sha1 is supported",
                field(0)?
            )));
        }
        let window = |i: usize| -> Result<SignWindow> {
            let raw = field(i)?;
            let parsed = raw.split_once(';').and_then(|(s, e)| Some((s.parse().ok()?, e.parse().ok()?)));
            match parsed {
                Some((start, end)) => Ok(SignWindow { start, end }),
                None => Err(Error::invalid_argument(format!(
                    "Authorization {} is {raw:?}, expected <start>;<end> in Unix seconds",
                    NAMES[i]
                ))),
            }
        };
        let list = |i: usize| -> Result<Vec<String>> {
            Ok(field(i)?.split(';').filter(|s| !s.is_empty()).map(str::to_owned).collect())
        };
        Ok(ParsedAuthorization {
            secret_id: field(1)?.to_owned(),
            sign_time: window(2)?,
            key_time: window(3)?,
            header_list: list(4)?,
            param_list: list(5)?,
            signature: field(6)?.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_shows_no_token_and_no_signature() {
        let creds = Credentials::new("AKID", "key").with_session_token("TOKEN-SECRET");
        let sig = sign(&creds, "GET", "/", &[], &[("x-ci-security-token", "TOKEN-SECRET")], SignWindow { start: 1, end: 2 });
        let shown = format!("{sig:?}");
        assert!(shown.contains("x-ci-security-token"), "{shown}");
        assert!(!shown.contains("TOKEN-SECRET") && !shown.contains(sig.signature()), "{shown}");
    }

    #[test]
    fn decode_inverts_encode() {
        for s in ["", "plain", "a b+c/d=e&f%g", "测试桶", "100%", "%zz", "%4"] {
            assert_eq!(percent_decode(&percent_encode(s)), s);
        }
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
        assert_eq!(percent_decode("a+b%2B"), "a+b+");
    }

    #[test]
    fn encoded_names_are_lowercased_hex_and_all() {
        let pairs = canonical_pairs([("测", "测")].into_iter());
        assert_eq!(pairs, vec![("%e6%b5%8b".to_string(), "%E6%B5%8B".to_string())]);
    }

    #[test]
    fn repeated_names_keep_the_last_value() {
        let pairs = canonical_pairs([("A", "1"), ("b", "2"), ("a", "3")].into_iter());
        assert_eq!(pairs, vec![("a".into(), "3".into()), ("b".into(), "2".into())]);
    }

    #[test]
    fn parse_rejects_bad_windows_and_algorithms() {
        assert!(ParsedAuthorization::parse("q-sign-algorithm=md5").is_err());
        let bad = "q-sign-algorithm=sha1&q-ak=a&q-sign-time=x&q-key-time=1;2&q-header-list=&q-url-param-list=&q-signature=s";
        let e = ParsedAuthorization::parse(bad).unwrap_err();
        assert!(e.message().contains("q-sign-time"), "{e}");
    }

    /// The signature as the module computed it before it was optimised:
    /// owned strings, `format!`, a sort of `String`s, nothing cached.
    fn reference(creds: &Credentials, method: &str, path: &str, params: &[Pair<'_>], headers: &[Pair<'_>], window: SignWindow) -> (String, String, String) {
        let canon = |pairs: &[Pair<'_>]| {
            let mut v: Vec<(String, String)> =
                pairs.iter().map(|(k, v)| (percent_encode(k).to_ascii_lowercase(), percent_encode(v).into_owned())).collect();
            v.sort_by(|a, b| a.0.cmp(&b.0));
            let mut out: Vec<(String, String)> = Vec::new();
            for p in v {
                match out.last_mut() {
                    Some(last) if last.0 == p.0 => *last = p,
                    _ => out.push(p),
                }
            }
            out
        };
        let join = |v: &[(String, String)]| v.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&");
        let names = |v: &[(String, String)]| v.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>().join(";");
        let hex = |b: &[u8]| b.iter().map(|b| format!("{b:02x}")).collect::<String>();
        let hmac = |key: &[u8], data: &[u8]| {
            let mut m = HmacSha1::new_from_slice(key).unwrap();
            m.update(data);
            hex(&m.finalize().into_bytes())
        };
        let headers: Vec<Pair<'_>> = headers.iter().copied().filter(|(k, _)| is_signed_header(&k.to_ascii_lowercase())).collect();
        let (p, h) = (canon(params), canon(&headers));
        let http = format!("{}\n{path}\n{}\n{}\n", method.to_ascii_lowercase(), join(&p), join(&h));
        let kt = window.to_string();
        let sts = format!("sha1\n{kt}\n{}\n", hex(&Sha1::digest(http.as_bytes())));
        let sig = hmac(hmac(creds.secret_key().as_bytes(), kt.as_bytes()).as_bytes(), sts.as_bytes());
        let auth = format!(
            "q-sign-algorithm=sha1&q-ak={}&q-sign-time={kt}&q-key-time={kt}&q-header-list={}&q-url-param-list={}&q-signature={sig}",
            creds.secret_id(),
            names(&h),
            names(&p)
        );
        (http, sts, auth)
    }

    fn check_against_reference(creds: &Credentials, params: &[Pair<'_>], headers: &[Pair<'_>], window: SignWindow) {
        let sig = sign(creds, "Get", "/a b/测", params, headers, window);
        let (http, sts, auth) = reference(creds, "Get", "/a b/测", params, headers, window);
        assert_eq!((sig.http_string(), sig.string_to_sign(), sig.authorization()), (&*http, &*sts, &*auth));
        assert!(auth.ends_with(&format!("&q-signature={}", sig.signature())));
        assert!(auth.contains(&format!("&q-header-list={}&q-url-param-list={}&", sig.header_list(), sig.param_list())));
    }

    #[test]
    fn matches_the_straightforward_computation() {
        let creds = Credentials::new("AKID", "key").with_session_token("tok");
        let w = SignWindow { start: 0, end: u64::MAX };
        check_against_reference(&creds, &[], &[], w);
        let odd = [("B", "1"), ("a", "x y"), ("测", "测"), ("%41", "%"), ("A", "2"), ("a-", ""), ("", "e"), ("ä", "ö"), ("Ab", "~._-")];
        let headers = [("Host", "h"), ("X-Cos-Meta-Ä", "v v"), ("Date", "d"), ("x-ci-security-token", "t+/="), ("HOST", "H2"), ("Content-Type", "a/b")];
        check_against_reference(&creds, &odd, &headers, w);
        // More pairs than fit on the stack, with repeats across the boundary.
        let many: Vec<(String, String)> = (0..40).map(|i| (format!("K{}", i % 23), format!("v{i}"))).collect();
        let many: Vec<Pair<'_>> = many.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        check_against_reference(&creds, &many, &headers, SignWindow { start: 7, end: 8 });
    }

    #[test]
    fn canonical_order_is_the_order_of_canonical_names() {
        let names = ["a", "A", "ab", "a%", "a b", "测", "%E6", "%e6", "Z", "z~", "z-", "", "aB", "ä"];
        for x in names {
            for y in names {
                assert_eq!(cmp_canonical(x, y), canonical_name(x).cmp(&canonical_name(y)), "{x:?} {y:?}");
            }
        }
    }

    #[test]
    fn the_cached_sign_key_follows_the_window() {
        let creds = Credentials::new("AKID", "key");
        let fresh = || Credentials::new("AKID", "key");
        let (a, b) = (SignWindow { start: 1, end: 2 }, SignWindow { start: 1, end: 3 });
        for w in [a, b, a, a, b] {
            let expected = sign(&fresh(), "GET", "/", &[("p", "1")], &[], w);
            assert_eq!(sign(&creds, "GET", "/", &[("p", "1")], &[], w), expected);
            assert_eq!(sign(&creds.clone(), "GET", "/", &[("p", "1")], &[], w), expected);
        }
        // Another key signing the same window gets its own SignKey.
        let other = Credentials::new("AKID", "other");
        assert_ne!(sign(&other, "GET", "/", &[], &[], a).signature(), sign(&creds, "GET", "/", &[], &[], a).signature());
        assert_eq!(creds, fresh());
        assert!(!format!("{creds:?}").contains("key\""));
    }

    #[test]
    fn concurrent_signers_agree_with_a_fresh_key() {
        let creds = Credentials::new("AKID", "key");
        let expected: Vec<String> =
            (0..8).map(|i| sign(&Credentials::new("AKID", "key"), "GET", "/", &[], &[], SignWindow { start: i % 3, end: 9 }).signature().to_owned()).collect();
        std::thread::scope(|scope| {
            for t in 0..4 {
                let (creds, expected) = (&creds, &expected);
                scope.spawn(move || {
                    for n in 0..2000u64 {
                        let i = (n + t) % 8;
                        let sig = sign(creds, "GET", "/", &[], &[], SignWindow { start: i % 3, end: 9 });
                        assert_eq!(sig.signature(), expected[i as usize]);
                    }
                });
            }
        });
    }
}
