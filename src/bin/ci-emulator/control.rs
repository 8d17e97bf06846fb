//! `/__emulator/*`: the unsigned endpoints tests use to steer the emulator
//! (faults, clock, credentials, reset) and to look at it (stats, fixture,
//! credentials).

use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::header::{HeaderValue, CONTENT_TYPE, DATE};
use hyper::{Method, Request, Response, StatusCode};
use serde::Deserialize;

use crate::body::RespBody;
use crate::connections::Filter;
use crate::faults::FaultSpec;
use crate::metadata::valid_role;
use crate::state::{Clock, State};

/// A control request body larger than this is refused (they are tiny JSON).
const MAX_BODY: usize = 1 << 20;

/// `POST /__emulator/clock`'s body.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClockBody {
    offset_secs: i64,
}

/// `POST /__emulator/credentials`'s body: each member given changes that
/// setting, the others stay.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CredentialsBody {
    /// Lifetime of credentials issued from now on, in seconds.
    lifetime_secs: Option<u64>,
    /// The metadata service's roles; `[]` = no role bound.
    roles: Option<Vec<String>>,
    /// The next N CI requests with a valid token answer ExpiredToken.
    expired_token_next: Option<u64>,
    /// STS: the web identity token accepted.
    web_identity_token: Option<String>,
    /// STS: the ProviderId accepted.
    provider_id: Option<String>,
    /// STS: the RoleArn accepted.
    role_arn: Option<String>,
}

impl CredentialsBody {
    /// Checks every member first, so a bad one changes nothing.
    fn apply(self, state: &State) -> Result<(), String> {
        if let Some(secs) = self.lifetime_secs {
            if secs > crate::issued::MAX_LIFETIME_SECS {
                return Err(format!("lifetime_secs must be at most {}, got {secs}", crate::issued::MAX_LIFETIME_SECS));
            }
        }
        if let Some(roles) = &self.roles {
            roles.iter().try_for_each(|r| valid_role(r))?;
        }
        for (name, value) in [("web_identity_token", &self.web_identity_token), ("provider_id", &self.provider_id), ("role_arn", &self.role_arn)] {
            if value.as_ref().is_some_and(|v| v.is_empty()) {
                return Err(format!("{name} must not be empty"));
            }
        }
        if let Some(secs) = self.lifetime_secs {
            state.issuer.set_lifetime(secs)?;
        }
        if let Some(roles) = self.roles {
            state.metadata.set_roles(roles)?;
        }
        if let Some(n) = self.expired_token_next {
            state.expiry.force_next(n);
        }
        state.sts.update(|c| {
            if let Some(v) = self.web_identity_token {
                c.web_identity_token = v;
            }
            if let Some(v) = self.provider_id {
                c.provider_id = v;
            }
            if let Some(v) = self.role_arn {
                c.role_arn = v;
            }
        });
        Ok(())
    }
}


/// Answers a control request; never fails, never faults.
pub async fn handle(state: &State, req: Request<Incoming>) -> Response<RespBody> {
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let allowed: &[Method] = match path.as_str() {
        "/__emulator/faults" => &[Method::GET, Method::POST],
        "/__emulator/clock" => &[Method::GET, Method::POST],
        "/__emulator/credentials" => &[Method::GET, Method::POST],
        "/__emulator/reset" => &[Method::POST],
        "/__emulator/stats" | "/__emulator/fixture" | "/__emulator/connections" | "/__emulator/stalled-listener" => &[Method::GET],
        _ => return error(state, StatusCode::NOT_FOUND, format!("no control endpoint {path}")),
    };
    if !allowed.contains(&method) {
        return error(state, StatusCode::METHOD_NOT_ALLOWED, format!("{path} does not accept {method}"));
    }
    match (method, path.as_str()) {
        (Method::GET, "/__emulator/stats") => json(state, StatusCode::OK, state.stats.to_json().to_string()),
        (Method::GET, "/__emulator/fixture") => json(state, StatusCode::OK, state.fixture.json.clone()),
        (Method::GET, "/__emulator/connections") => match Filter::parse(req.uri().query().unwrap_or("")) {
            Ok(filter) => json(state, StatusCode::OK, state.connections.select(&filter).to_string()),
            Err(e) => error(state, StatusCode::BAD_REQUEST, e),
        },
        (Method::GET, "/__emulator/stalled-listener") => match state.stalled_listener.get() {
            Some(addr) => json(state, StatusCode::OK, serde_json::json!({ "addr": addr }).to_string()),
            None => error(state, StatusCode::NOT_FOUND, "no stalled listener: start the emulator with --stalled-listener".into()),
        },
        (Method::GET, "/__emulator/faults") => {
            let armed = serde_json::to_value(state.faults.armed()).unwrap_or_default();
            json(state, StatusCode::OK, serde_json::json!({ "armed": armed }).to_string())
        }
        (Method::GET, "/__emulator/clock") => clock(state),
        (Method::GET, "/__emulator/credentials") => credentials(state),
        (Method::POST, "/__emulator/credentials") => match read_json::<CredentialsBody>(req).await.and_then(|b| b.apply(state)) {
            Ok(()) => credentials(state),
            Err(e) => error(state, StatusCode::BAD_REQUEST, e),
        },
        (Method::POST, "/__emulator/reset") => {
            state.reset();
            json(state, StatusCode::OK, r#"{"reset":true}"#.to_owned())
        }
        (Method::POST, "/__emulator/clock") => match read_json::<ClockBody>(req).await {
            Ok(body) => {
                state.clock.set_offset(body.offset_secs);
                clock(state)
            }
            Err(e) => error(state, StatusCode::BAD_REQUEST, e),
        },
        (Method::POST, "/__emulator/faults") => {
            // One spec or a list; read as a Value first so a bad spec gets
            // serde's precise message instead of an untagged enum's shrug.
            let specs = match read_json::<serde_json::Value>(req).await.and_then(|v| {
                let parsed = match v {
                    serde_json::Value::Array(_) => serde_json::from_value::<Vec<FaultSpec>>(v),
                    other => serde_json::from_value::<FaultSpec>(other).map(|s| vec![s]),
                };
                parsed.map_err(|e| format!("invalid fault spec: {e}"))
            }) {
                Ok(specs) => specs,
                Err(e) => return error(state, StatusCode::BAD_REQUEST, e),
            };
            if let Some(e) = specs.iter().find_map(|s| s.validate().err()) {
                return error(state, StatusCode::BAD_REQUEST, e);
            }
            let mut armed = state.faults.armed().len();
            for spec in specs {
                armed = state.faults.arm(spec);
            }
            json(state, StatusCode::OK, serde_json::json!({ "armed": armed }).to_string())
        }
        (_, path) => error(state, StatusCode::NOT_FOUND, format!("no control endpoint {path}")),
    }
}

/// The clock's offset and what it makes of "now".
fn clock(state: &State) -> Response<RespBody> {
    let now = state.clock.now();
    let body = serde_json::json!({
        "offset_secs": state.clock.offset(),
        "now_unix": crate::state::Clock::unix(now),
        "date": httpdate::fmt_http_date(now),
    });
    json(state, StatusCode::OK, body.to_string())
}

/// The credential services' settings and counters.
fn credentials(state: &State) -> Response<RespBody> {
    let now = Clock::unix(state.clock.now());
    let sts = state.sts.config();
    let body = serde_json::json!({
        "lifetime_secs": state.issuer.lifetime(),
        "roles": state.metadata.roles(),
        "provider_id": sts.provider_id,
        "role_arn": sts.role_arn,
        "expired_token_next": state.expiry.forced_left(),
        "issued": state.issuer.counts(now),
        "requests": { "metadata": state.metadata.counter.requests(), "sts": state.sts.counter.requests() },
        "by_status": { "metadata": state.metadata.counter.by_status_json(), "sts": state.sts.counter.by_status_json() },
        "expired_token_answers": state.expiry.answers(),
    });
    json(state, StatusCode::OK, body.to_string())
}

/// Reads a small JSON body into `T`, or says why not.
async fn read_json<T: for<'de> Deserialize<'de>>(req: Request<Incoming>) -> Result<T, String> {
    let bytes = Limited::new(req.into_body(), MAX_BODY)
        .collect()
        .await
        .map_err(|e| format!("cannot read the request body: {e}"))?
        .to_bytes();
    serde_json::from_slice(&bytes).map_err(|e| format!("invalid JSON body: {e}"))
}

/// A JSON `{"error": ...}` answer.
fn error(state: &State, status: StatusCode, message: String) -> Response<RespBody> {
    json(state, status, serde_json::json!({ "error": message }).to_string())
}

/// A JSON answer, dated by the emulator's clock like every other answer.
fn json(state: &State, status: StatusCode, body: String) -> Response<RespBody> {
    let mut resp = Response::new(RespBody::full(body));
    *resp.status_mut() = status;
    let headers = resp.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    if let Ok(date) = HeaderValue::try_from(httpdate::fmt_http_date(state.clock.now())) {
        headers.insert(DATE, date);
    }
    resp
}
