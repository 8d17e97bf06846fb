//! STS `AssumeRoleWithWebIdentity` (version 2018-08-13), as TKE pods call it
//! through tencentcloud-sdk-python and -go: an unsigned (`Authorization:
//! SKIP`) `POST /` with the `X-TC-*` headers and a JSON body of ProviderId,
//! WebIdentityToken, RoleArn, RoleSessionName and DurationSeconds. It
//! checks what the real service would refuse and answers in API 3.0's
//! envelope, with HTTP 200 for errors too:
//!
//! `{"Response":{"Credentials":{"Token","TmpSecretId","TmpSecretKey"},"ExpiredTime","Expiration","RequestId"}}`
//! or `{"Response":{"Error":{"Code","Message"},"RequestId"}}`.
//!
//! The error codes are API 3.0's common ones and those tencentcloud-sdk-go
//! lists for this action (`InvalidParameter.ParamError`,
//! `InvalidParameter.WebIdentityTokenError`, `InternalError.GetRoleError`).

use std::sync::RwLock;

use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::header::{HeaderMap, AUTHORIZATION, CONTENT_TYPE};
use hyper::{Method, Request, Response};
use serde::Serialize;
use serde_json::{json, Value};

use crate::body::RespBody;
use crate::credential_http::{Answer, Exchange, ServiceCounter};
use crate::issued::Source;
use crate::server::{ConnControl, ResetConnection};
use crate::state::{Clock, State};

/// The only action served.
pub const ACTION: &str = "AssumeRoleWithWebIdentity";
/// STS's API version.
pub const VERSION: &str = "2018-08-13";
/// The path a fault spec names to hit STS.
pub const PATH: &str = "/";

/// A body larger than this is refused; real ones are a few KiB of JWT.
const MAX_BODY: usize = 64 * 1024;
/// STS's limit on `DurationSeconds`.
const MAX_DURATION_SECS: u64 = 43_200;
/// The body members of the action.
const FIELDS: [&str; 5] = ["ProviderId", "WebIdentityToken", "RoleArn", "RoleSessionName", "DurationSeconds"];

/// What a call must name to be given credentials.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StsConfig {
    /// The only web identity token accepted (compared exactly).
    #[serde(skip)]
    pub web_identity_token: String,
    /// The only ProviderId accepted.
    pub provider_id: String,
    /// The only RoleArn accepted.
    pub role_arn: String,
}

impl Default for StsConfig {
    fn default() -> Self {
        StsConfig {
            web_identity_token: "emulator-web-identity-token".into(),
            provider_id: "emulator-oidc-provider".into(),
            role_arn: "qcs::cam::uin/100000000001:roleName/emulator-oidc-role".into(),
        }
    }
}

/// The configuration (command line, then control requests) and the counters.
pub struct Sts {
    initial: StsConfig,
    config: RwLock<StsConfig>,
    /// Requests and statuses, for `GET /__emulator/credentials`.
    pub counter: ServiceCounter,
}

impl Sts {
    /// STS expecting what `config` says.
    pub fn new(config: StsConfig) -> Self {
        Sts { config: RwLock::new(config.clone()), initial: config, counter: ServiceCounter::default() }
    }

    /// What is expected now.
    pub fn config(&self) -> StsConfig {
        self.config.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Changes what is expected.
    pub fn update(&self, change: impl FnOnce(&mut StsConfig)) {
        change(&mut self.config.write().unwrap_or_else(|p| p.into_inner()));
    }

    /// The command line's configuration again, counters at zero.
    pub fn reset(&self) {
        *self.config.write().unwrap_or_else(|p| p.into_inner()) = self.initial.clone();
        self.counter.reset();
    }
}

/// Whether a request is for STS: API 3.0 takes `POST /`, and a request to
/// `/` that names an `X-TC-Action` is one whatever its method. No CI call
/// has the path `/`, so nothing is taken from them.
pub fn is_sts_request(req: &Request<Incoming>) -> bool {
    req.uri().path() == PATH && (req.method() == Method::POST || req.headers().contains_key("x-tc-action"))
}

/// A UUID-shaped request id, as API 3.0 writes them.
fn request_id() -> String {
    let (a, b) = (fastrand::u64(..), fastrand::u64(..));
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        0x8000 | (b >> 48) & 0x3fff,
        b & 0xffff_ffff_ffff
    )
}

/// An error envelope, with HTTP `status` (200 but for injected faults).
fn envelope(status: u16, code: &str, message: &str) -> Answer {
    let body = json!({ "Response": { "Error": { "Code": code, "Message": message }, "RequestId": request_id() } });
    Answer::json(status, body.to_string())
}

/// A refusal: HTTP 200 with the error envelope, as API 3.0 answers errors.
struct Refusal {
    code: &'static str,
    message: String,
}

fn refuse(code: &'static str, message: impl Into<String>) -> Refusal {
    Refusal { code, message: message.into() }
}

/// `InvalidParameter.ParamError`: a body member missing, mistyped or out of range.
fn param_error(message: impl Into<String>) -> Refusal {
    refuse("InvalidParameter.ParamError", message)
}

/// Serves one STS request (faults first, as for the CI calls).
pub async fn handle(state: &State, control: &ConnControl, req: Request<Incoming>) -> Result<Response<RespBody>, ResetConnection> {
    let exchange = Exchange {
        state,
        counter: &state.sts.counter,
        service: "sts",
        method: req.method().to_string(),
        path: PATH.to_owned(),
    };
    exchange
        .serve(control, envelope, async move {
            match assume_role(state, req).await {
                Ok(answer) => answer,
                Err(r) => envelope(200, r.code, &r.message),
            }
        })
        .await
}

/// A header's value as text, `None` when absent or empty.
fn header<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim).filter(|v| !v.is_empty())
}

/// The checks of the request line and headers, in the order API 3.0
/// reports them: action, version, method, authorization, common parameters,
/// content type.
fn check_headers(method: &Method, headers: &HeaderMap) -> Result<(), Refusal> {
    match header(headers, "x-tc-action") {
        None => return Err(refuse("MissingParameter", "The request is missing the X-TC-Action header.")),
        Some(ACTION) => {}
        Some(other) => {
            return Err(refuse("InvalidAction", format!("The action {other:?} does not exist: the emulator's STS serves only {ACTION}.")))
        }
    }
    match header(headers, "x-tc-version") {
        None => return Err(refuse("MissingParameter", "The request is missing the X-TC-Version header.")),
        Some(VERSION) => {}
        Some(other) => return Err(refuse("NoSuchVersion", format!("The API version {other:?} does not exist: STS is {VERSION}."))),
    }
    if method != Method::POST {
        return Err(refuse("UnsupportedOperation", format!("The emulator's STS takes POST with a JSON body, as the SDKs send it, not {method}.")));
    }
    match headers.get(AUTHORIZATION).map(|v| v.as_bytes()) {
        None | Some(b"SKIP") => {}
        Some(_) => {
            return Err(refuse(
                "AuthFailure.InvalidAuthorization",
                format!("{ACTION} is called unsigned: Authorization must be SKIP (or absent)."),
            ))
        }
    }
    if header(headers, "x-tc-region").is_none() {
        return Err(refuse("MissingParameter", "The request is missing the X-TC-Region header (the Region parameter is required)."));
    }
    match header(headers, "x-tc-timestamp") {
        None => return Err(refuse("MissingParameter", "The request is missing the X-TC-Timestamp header.")),
        Some(t) if t.parse::<u64>().is_err() => {
            return Err(refuse("InvalidParameter", format!("X-TC-Timestamp must be Unix seconds, got {t:?}.")))
        }
        Some(_) => {}
    }
    let json = header(headers, CONTENT_TYPE.as_str())
        .and_then(|ct| ct.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"));
    if !json {
        return Err(param_error("The emulator's STS reads JSON bodies only: Content-Type must be application/json."));
    }
    Ok(())
}

/// A required string member of the body.
fn text<'b>(body: &'b serde_json::Map<String, Value>, name: &str) -> Result<&'b str, Refusal> {
    match body.get(name) {
        None | Some(Value::Null) => Err(param_error(format!("The parameter {name} is missing."))),
        Some(Value::String(s)) if s.is_empty() => Err(param_error(format!("The parameter {name} is empty."))),
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(param_error(format!("The parameter {name} must be a string."))),
    }
}

/// The role session name's rule in the API page: 2 to 128 of `[\w+=,.@-]`.
fn valid_session_name(name: &str) -> bool {
    (2..=128).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"_+=,.@-".contains(&b))
}

/// Checks the request and, if it may, issues credentials.
async fn assume_role(state: &State, req: Request<Incoming>) -> Result<Answer, Refusal> {
    check_headers(req.method(), req.headers())?;
    let bytes = Limited::new(req.into_body(), MAX_BODY)
        .collect()
        .await
        .map_err(|e| param_error(format!("The request body cannot be read (at most {MAX_BODY} bytes): {e}")))?
        .to_bytes();
    let body: Value = serde_json::from_slice(&bytes).map_err(|e| param_error(format!("The request body is not JSON: {e}")))?;
    let Value::Object(body) = body else {
        return Err(param_error("The request body must be a JSON object."));
    };
    if let Some(unknown) = body.keys().find(|k| !FIELDS.contains(&k.as_str())) {
        return Err(refuse("UnknownParameter", format!("The parameter {unknown} is not one of {ACTION}'s ({}).", FIELDS.join(", "))));
    }
    let provider_id = text(&body, "ProviderId")?;
    let token = text(&body, "WebIdentityToken")?;
    let role_arn = text(&body, "RoleArn")?;
    let session_name = text(&body, "RoleSessionName")?;
    if !valid_session_name(session_name) {
        return Err(param_error("RoleSessionName must be 2 to 128 letters, digits or _+=,.@-."));
    }
    match body.get("DurationSeconds") {
        None | Some(Value::Null) => {}
        Some(Value::Number(n)) if n.as_u64().is_some_and(|d| (1..=MAX_DURATION_SECS).contains(&d)) => {}
        Some(other) => return Err(param_error(format!("DurationSeconds must be an integer from 1 to {MAX_DURATION_SECS}, got {other}."))),
    }
    let expected = state.sts.config();
    if provider_id != expected.provider_id {
        return Err(param_error(format!("No OIDC identity provider {provider_id:?}: the emulator's is {:?}.", expected.provider_id)));
    }
    // Never echo the token: it is the pod's identity.
    if token != expected.web_identity_token {
        return Err(refuse("InvalidParameter.WebIdentityTokenError", "The web identity token is not valid for this identity provider."));
    }
    if role_arn != expected.role_arn {
        return Err(refuse("InternalError.GetRoleError", format!("No role {role_arn:?} trusts this identity provider: the emulator's is {:?}.", expected.role_arn)));
    }
    // The emulator's lifetime wins over DurationSeconds (checked above), so
    // that a test decides how soon credentials expire whatever the client asks.
    let issued = state.issuer.issue(Source::Sts, Clock::unix(state.clock.now()));
    let answer = json!({ "Response": {
        "Credentials": { "Token": issued.token(), "TmpSecretId": issued.credentials.secret_id(), "TmpSecretKey": issued.credentials.secret_key() },
        "ExpiredTime": issued.expires_unix,
        "Expiration": issued.expiration(),
        "RequestId": request_id(),
    }});
    Ok(Answer::json(200, answer.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    const GOOD: [(&str, &str); 6] = [
        ("x-tc-action", ACTION),
        ("x-tc-version", VERSION),
        ("authorization", "SKIP"),
        ("x-tc-region", "ap-guangzhou"),
        ("x-tc-timestamp", "1700000000"),
        ("content-type", "application/json; charset=utf-8"),
    ];

    #[test]
    fn header_checks_name_what_is_wrong() {
        assert!(check_headers(&Method::POST, &headers(&GOOD)).is_ok());
        let with = |name: &'static str, value: Option<&'static str>| {
            let mut pairs: Vec<_> = GOOD.iter().copied().filter(|(k, _)| *k != name).collect();
            if let Some(v) = value {
                pairs.push((name, v));
            }
            check_headers(&Method::POST, &headers(&pairs)).err().map(|r| r.code)
        };
        assert_eq!(with("x-tc-action", Some("AssumeRole")), Some("InvalidAction"));
        assert_eq!(with("x-tc-action", None), Some("MissingParameter"));
        assert_eq!(with("x-tc-version", Some("2017-03-12")), Some("NoSuchVersion"));
        assert_eq!(with("authorization", None), None, "absent is as good as SKIP");
        assert_eq!(with("authorization", Some("TC3-HMAC-SHA256 Credential=x")), Some("AuthFailure.InvalidAuthorization"));
        assert_eq!(with("x-tc-region", None), Some("MissingParameter"));
        assert_eq!(with("x-tc-timestamp", Some("soon")), Some("InvalidParameter"));
        assert_eq!(with("content-type", Some("application/x-www-form-urlencoded")), Some("InvalidParameter.ParamError"));
        assert_eq!(check_headers(&Method::GET, &headers(&GOOD)).err().map(|r| r.code), Some("UnsupportedOperation"));
    }

    #[test]
    fn request_ids_look_like_uuids_and_session_names_follow_the_rule() {
        let id = request_id();
        assert_eq!(id.len(), 36);
        assert_eq!(id.matches('-').count(), 4);
        assert_ne!(id, request_id());
        assert!(valid_session_name("cloud-infinite-1700000000000000"));
        assert!(!valid_session_name("a") && !valid_session_name("a b") && !valid_session_name(&"a".repeat(129)));
    }
}
