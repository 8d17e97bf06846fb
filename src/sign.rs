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
use std::fmt;

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
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    secret_id: String,
    secret_key: String,
    session_token: Option<String>,
}

impl Credentials {
    /// Long-term credentials.
    pub fn new(secret_id: impl Into<String>, secret_key: impl Into<String>) -> Self {
        Credentials { secret_id: secret_id.into(), secret_key: secret_key.into(), session_token: None }
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

/// Whether the official SDKs sign a header of this (lowercase) name.
///
/// `Date`, `User-Agent`, `Accept` and `Authorization` are not signed; `host`,
/// the content and conditional headers, `pic-operations` and every
/// `x-cos-*` / `x-ci-*` header are.
pub fn is_signed_header(lowercase_name: &str) -> bool {
    const SIGNED: [&str; 17] = [
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
    SIGNED.contains(&lowercase_name) || lowercase_name.starts_with("x-cos-") || lowercase_name.starts_with("x-ci-")
}

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~')
}

/// Appends `s` percent-encoded: UTF-8 bytes, every byte but `A-Z a-z 0-9 - _ . ~`
/// as `%XX` with uppercase hex (so a space is `%20`, never `+`).
///
/// This one encoder serves both the signature and the query string on the
/// wire, so the two can never disagree.
pub fn percent_encode_into(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in s.as_bytes() {
        if is_unreserved(b) {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(HEX[(b >> 4) as usize] as char);
            out.push(HEX[(b & 15) as usize] as char);
        }
    }
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
        let mut out = String::with_capacity(s.len() * 3);
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
    percent_encode(name).to_ascii_lowercase()
}

/// `name=value` pairs canonicalised the way the signature wants them:
/// encoded, names lowercased (after encoding, as the SDKs do), sorted, and
/// for a repeated name the last value kept.
fn canonical_pairs<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)>) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = pairs
        .map(|(k, v)| (canonical_name(k), percent_encode(v).into_owned()))
        .collect();
    // A stable sort keeps later duplicates after earlier ones, so keeping the
    // last of each run matches the SDKs' dict semantics.
    out.sort_by(|a, b| a.0.cmp(&b.0));
    let mut deduped: Vec<(String, String)> = Vec::with_capacity(out.len());
    for pair in out {
        match deduped.last_mut() {
            Some(last) if last.0 == pair.0 => *last = pair,
            _ => deduped.push(pair),
        }
    }
    deduped
}

fn join_pairs(out: &mut String, pairs: &[(String, String)]) {
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(k);
        out.push('=');
        out.push_str(v);
    }
}

fn join_names(pairs: &[(String, String)]) -> String {
    let mut out = String::new();
    for (i, (k, _)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push(';');
        }
        out.push_str(k);
    }
    out
}

fn hex_lower(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        s.push(HEX[(b >> 4) as usize] as char);
        s.push(HEX[(b & 15) as usize] as char);
    }
    s
}

fn hmac_sha1_hex(key: &[u8], data: &[u8]) -> String {
    let mut mac = HmacSha1::new_from_slice(key).expect("HMAC accepts keys of any length");
    mac.update(data);
    hex_lower(&mac.finalize().into_bytes())
}

/// `SignKey` = hex(HMAC-SHA1(SecretKey, KeyTime)). It is as good as the
/// secret key for the window: never log it.
pub fn sign_key(secret_key: &str, window: SignWindow) -> String {
    hmac_sha1_hex(secret_key.as_bytes(), window.to_string().as_bytes())
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
    header_list: String,
    param_list: String,
    http_string: String,
    string_to_sign: String,
    signature: String,
    authorization: String,
}

impl Signature {
    /// The value of the `Authorization` header.
    pub fn authorization(&self) -> &str {
        &self.authorization
    }
    /// `q-header-list`: the signed header names, `;`-separated.
    pub fn header_list(&self) -> &str {
        &self.header_list
    }
    /// `q-url-param-list`: the signed parameter names, `;`-separated.
    pub fn param_list(&self) -> &str {
        &self.param_list
    }
    /// The canonical request that was hashed. It holds every signed header
    /// value, the session token included: handle it like the token.
    pub fn http_string(&self) -> &str {
        &self.http_string
    }
    /// The string the sign key signed.
    pub fn string_to_sign(&self) -> &str {
        &self.string_to_sign
    }
    /// `q-signature`, 40 lowercase hex digits.
    pub fn signature(&self) -> &str {
        &self.signature
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
            .field("header_list", &self.header_list)
            .field("param_list", &self.param_list)
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
    let signed_headers = headers.iter().copied().filter(|(k, _)| is_signed_header(&k.to_ascii_lowercase()));
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
    let params = canonical_pairs(params);
    let headers = canonical_pairs(headers);

    let mut http_string = String::with_capacity(128);
    http_string.push_str(&method.to_ascii_lowercase());
    http_string.push('\n');
    http_string.push_str(path);
    http_string.push('\n');
    join_pairs(&mut http_string, &params);
    http_string.push('\n');
    join_pairs(&mut http_string, &headers);
    http_string.push('\n');

    let key_time = window.to_string();
    let string_to_sign = format!("sha1\n{key_time}\n{}\n", hex_lower(&Sha1::digest(http_string.as_bytes())));
    let key = sign_key(&credentials.secret_key, window);
    let signature = hmac_sha1_hex(key.as_bytes(), string_to_sign.as_bytes());

    let header_list = join_names(&headers);
    let param_list = join_names(&params);
    let authorization = format!(
        "q-sign-algorithm=sha1&q-ak={}&q-sign-time={key_time}&q-key-time={key_time}&q-header-list={header_list}&q-url-param-list={param_list}&q-signature={signature}",
        credentials.secret_id
    );
    Signature { window, header_list, param_list, http_string, string_to_sign, signature, authorization }
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
}
