//! The signature check, as the service makes it: every rule that answers 403,
//! with the signature itself recomputed by the crate's own signer.

use std::borrow::Cow;

use cloud_infinite::sign::{canonical_name, sign_exactly, Credentials, ParsedAuthorization, Signature};
use hyper::header::{HeaderMap, AUTHORIZATION};

use crate::query::{parse_query, Params};
use crate::routes::strip_port;
use crate::fixture::Fixture;

/// How far in the future a signature may start before the clocks are deemed skewed.
const MAX_SKEW_SECS: i128 = 900;

/// The two token headers a CI host accepts.
const TOKEN_HEADERS: [&str; 2] = ["x-ci-security-token", "x-cos-security-token"];

/// A 403 answer, in the words of COS's `<Error>` body.
#[derive(Debug)]
pub struct AuthError {
    /// `Code`.
    pub code: &'static str,
    /// `Message`.
    pub message: String,
    /// For a signature mismatch, the server's `FormatString` and `StringToSign`.
    pub computed: Option<(String, String)>,
}

impl AuthError {
    /// A 403 with this code.
    fn new(code: &'static str, message: impl Into<String>) -> Self {
        AuthError { code, message: message.into(), computed: None }
    }

    /// 403 AccessDenied.
    fn denied(message: impl Into<String>) -> Self {
        AuthError::new("AccessDenied", message)
    }

    /// 403 SignatureDoesNotMatch, without the computed strings.
    fn mismatch(message: impl Into<String>) -> Self {
        AuthError::new("SignatureDoesNotMatch", message)
    }
}

/// The parts of a request the signature covers.
pub struct SignedRequest<'a> {
    /// The method as sent.
    pub method: &'a str,
    /// The path, percent-decoded (the SDKs sign the decoded key path).
    pub path: &'a str,
    /// The request headers.
    pub headers: &'a HeaderMap,
    /// The Host header as sent (or the absolute-form authority), port included.
    pub host: Option<&'a str>,
    /// The raw query string.
    pub raw_query: &'a str,
    /// The query, decoded with `+` kept as `+`.
    pub params: &'a Params<'a>,
}

/// Checks the request's signature at time `now` (Unix seconds).
///
/// `Ok(true)` says the signature only matched with `+` in the query read as
/// a space (what Python's `requests` sends for one): the caller should then
/// read the parameters that way too.
pub fn verify(fixture: &Fixture, req: &SignedRequest<'_>, now: i64) -> Result<bool, AuthError> {
    let Some(value) = req.headers.get(AUTHORIZATION) else {
        return Err(AuthError::denied("Authorization header is missing"));
    };
    let value = String::from_utf8_lossy(value.as_bytes());
    let auth = ParsedAuthorization::parse(&value).map_err(|e| AuthError::denied(e.message()))?;
    let Some(creds) = fixture.credentials(&auth.secret_id) else {
        return Err(AuthError::new(
            "InvalidAccessKeyId",
            "The access key Id you provided does not exist in our records.",
        ));
    };
    if auth.sign_time != auth.key_time {
        return Err(AuthError::denied("q-sign-time and q-key-time must be equal"));
    }
    let window = auth.sign_time;
    if window.start > window.end {
        return Err(AuthError::denied("q-sign-time starts after it ends"));
    }
    let now = i128::from(now);
    if i128::from(window.end) < now {
        return Err(AuthError::denied("Request has expired"));
    }
    if i128::from(window.start) > now + MAX_SKEW_SECS {
        return Err(AuthError::new(
            "RequestTimeTooSkewed",
            "The difference between the request time and the server's time is too large.",
        ));
    }

    match check(creds, &auth, req, req.params) {
        Ok(()) => Ok(false),
        Err(e) if e.code == "SignatureDoesNotMatch" && req.raw_query.contains('+') => {
            let spaced = parse_query(req.raw_query, true);
            match check(creds, &auth, req, &spaced) {
                Ok(()) => Ok(true),
                Err(_) => Err(e),
            }
        }
        Err(e) => Err(e),
    }
}

/// The list checks, the token check and the signature, for one reading of the query.
fn check(
    creds: &Credentials,
    auth: &ParsedAuthorization,
    req: &SignedRequest<'_>,
    params: &Params<'_>,
) -> Result<(), AuthError> {
    let listed_params: Vec<String> = auth.param_list.iter().map(|p| p.to_ascii_lowercase()).collect();
    let mut carried = vec![false; listed_params.len()];
    let mut signed_params: Vec<(&str, &str)> = Vec::with_capacity(params.len());
    for (name, value) in params {
        let encoded = canonical_name(name);
        match listed_params.iter().position(|p| *p == encoded) {
            Some(i) => {
                carried[i] = true;
                signed_params.push((name.as_ref(), value.as_ref()));
            }
            None => {
                return Err(AuthError::mismatch(format!(
                    "The query parameter {encoded} is not signed: it is missing from q-url-param-list"
                )))
            }
        }
    }
    if let Some(i) = carried.iter().position(|c| !c) {
        return Err(AuthError::mismatch(format!(
            "q-url-param-list names {}, which the request does not carry",
            listed_params[i]
        )));
    }

    let listed_headers: Vec<String> = auth.header_list.iter().map(|h| h.to_ascii_lowercase()).collect();
    let mut signed_headers: Vec<(&str, Cow<'_, str>)> = Vec::with_capacity(listed_headers.len());
    let mut host_at = None;
    for name in &listed_headers {
        let value = if name == "host" {
            host_at = Some(signed_headers.len());
            req.host.map(Cow::Borrowed)
        } else {
            req.headers.get(name.as_str()).map(|v| String::from_utf8_lossy(v.as_bytes()))
        };
        match value {
            Some(value) => signed_headers.push((name, value)),
            None => {
                return Err(AuthError::mismatch(format!(
                    "q-header-list names {name}, which the request does not carry"
                )))
            }
        }
    }

    check_token(creds, &listed_headers, req.headers)?;

    let compute = |headers: &[(&str, Cow<'_, str>)]| -> Signature {
        sign_exactly(
            creds,
            req.method,
            req.path,
            signed_params.iter().copied(),
            headers.iter().map(|(k, v)| (*k, v.as_ref())),
            auth.sign_time,
        )
    };
    let first = compute(&signed_headers);
    if same(first.signature(), &auth.signature) {
        return Ok(());
    }
    // SDKs sign the hostname without the port the request was sent to.
    if let Some(i) = host_at {
        let as_sent = signed_headers[i].1.clone();
        let bare = strip_port(&as_sent);
        if bare.len() != as_sent.len() {
            signed_headers[i].1 = Cow::Owned(bare.to_owned());
            if same(compute(&signed_headers).signature(), &auth.signature) {
                return Ok(());
            }
        }
    }
    Err(AuthError {
        code: "SignatureDoesNotMatch",
        message: "The request signature we calculated does not match the signature you provided. \
                  Check your key and signing method."
            .into(),
        computed: Some((first.http_string().to_owned(), first.string_to_sign().to_owned())),
    })
}

/// Temporary credentials must send their token and sign it; long-term ones must not send one.
fn check_token(creds: &Credentials, listed_headers: &[String], headers: &HeaderMap) -> Result<(), AuthError> {
    match creds.session_token() {
        Some(token) => {
            let ok = TOKEN_HEADERS.iter().any(|name| {
                headers.get(*name).is_some_and(|v| same(&String::from_utf8_lossy(v.as_bytes()), token))
                    && listed_headers.iter().any(|h| h == name)
            });
            if ok {
                Ok(())
            } else {
                Err(AuthError::new(
                    "InvalidSecurity",
                    "These are temporary credentials: the request must carry their session token in \
                     x-ci-security-token (or x-cos-security-token) and sign that header.",
                ))
            }
        }
        None if TOKEN_HEADERS.iter().any(|name| headers.contains_key(*name)) => Err(AuthError::new(
            "InvalidSecurity",
            "A security token was sent with credentials that have none.",
        )),
        None => Ok(()),
    }
}

/// Compares without stopping at the first difference.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
