//! The CVM metadata service's CAM role endpoints, as Tencent's SDKs read
//! them (tencentcloud-sdk-go `cvm_role_provider.go`, cos-go-sdk-v5
//! `CVMCredentialTransport`):
//!
//! - `GET /latest/meta-data/cam/security-credentials/` lists the instance's
//!   roles, one per line (404 when no role is bound, as on a CVM without one);
//! - `GET /latest/meta-data/cam/security-credentials/<role>` issues new
//!   temporary keys: JSON with `TmpSecretId`, `TmpSecretKey`, `ExpiredTime`
//!   (Unix seconds), `Expiration` (ISO-8601 UTC), `Token` and `Code`
//!   (`"Success"`); an unknown role is 404.
//!
//! Any other path under `/latest/meta-data/` is 404: the emulator serves
//! the credentials, not the rest of the instance's metadata.

use std::sync::RwLock;

use hyper::body::Incoming;
use hyper::{Method, Request, Response};
use serde::Serialize;

use crate::body::RespBody;
use crate::credential_http::{Answer, Exchange, ServiceCounter};
use crate::issued::Source;
use crate::server::{ConnControl, ResetConnection};
use crate::state::{Clock, State};

/// Everything under here is the metadata service's.
const PREFIX: &str = "/latest/meta-data/";

/// The role list; a role's credentials are this plus its name.
pub const ROLES_PATH: &str = "/latest/meta-data/cam/security-credentials/";

/// The role bound when the command line names none.
pub const DEFAULT_ROLE: &str = "emulator-role";

/// Whether a request path is the metadata service's.
pub fn is_metadata_path(path: &str) -> bool {
    path.starts_with(PREFIX) || path == PREFIX.trim_end_matches('/')
}

/// A role name a test may bind: anything on one line. Names that are not
/// CAM role names (`../x`, `a b`) are allowed on purpose, so that a client's
/// own check of the listed name can be tested.
pub fn valid_role(role: &str) -> Result<(), String> {
    if role.is_empty() || role.contains(['\r', '\n']) {
        return Err(format!("a role name must be one non-empty line, got {role:?}"));
    }
    Ok(())
}

/// The roles the instance has, and its request counters.
pub struct Metadata {
    initial_roles: Vec<String>,
    roles: RwLock<Vec<String>>,
    /// Requests and statuses, for `GET /__emulator/credentials`.
    pub counter: ServiceCounter,
}

/// A role's credentials, members in the order Tencent's example shows them.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct RoleCredentials<'a> {
    tmp_secret_id: &'a str,
    tmp_secret_key: &'a str,
    expired_time: i64,
    expiration: String,
    token: &'a str,
    code: &'static str,
}

impl Metadata {
    /// An instance with these roles bound (none: no role bound), each already
    /// checked with [`valid_role`].
    pub fn new(roles: Vec<String>) -> Self {
        Metadata { roles: RwLock::new(roles.clone()), initial_roles: roles, counter: ServiceCounter::default() }
    }

    /// The roles bound now, in list order.
    pub fn roles(&self) -> Vec<String> {
        self.roles.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Binds these roles instead (none: no role bound).
    pub fn set_roles(&self, roles: Vec<String>) -> Result<(), String> {
        roles.iter().try_for_each(|r| valid_role(r))?;
        *self.roles.write().unwrap_or_else(|p| p.into_inner()) = roles;
        Ok(())
    }

    /// The command line's roles again, counters at zero.
    pub fn reset(&self) {
        *self.roles.write().unwrap_or_else(|p| p.into_inner()) = self.initial_roles.clone();
        self.counter.reset();
    }
}

/// The service's own error body for an injected `status` fault.
fn fault_error(status: u16, code: &str, message: &str) -> Answer {
    Answer::text(status, format!("{code}: {message}\n"))
}

/// 404, as the metadata service answers a path it does not have.
fn not_found(what: &str) -> Answer {
    Answer::text(404, format!("404 Not Found: {what}\n"))
}

/// Serves one metadata request (faults first, as for the CI calls).
pub async fn handle(state: &State, control: &ConnControl, req: Request<Incoming>) -> Result<Response<RespBody>, ResetConnection> {
    let path = req.uri().path().to_owned();
    let method = req.method().clone();
    let exchange = Exchange {
        state,
        counter: &state.metadata.counter,
        service: "metadata",
        method: method.to_string(),
        path: path.clone(),
    };
    exchange.serve(control, fault_error, async move { answer(state, &method, &path) }).await
}

/// The answer to a metadata request that no fault stopped.
fn answer(state: &State, method: &Method, path: &str) -> Answer {
    if method != Method::GET {
        return Answer::text(405, format!("405 Method Not Allowed: the metadata service only answers GET, not {method}\n"));
    }
    // The role list also without its slash: cos-go-sdk-v5 names the path
    // `latest/meta-data/cam/security-credentials` and the SDKs differ.
    let roles = state.metadata.roles();
    if path == ROLES_PATH || path == ROLES_PATH.trim_end_matches('/') {
        if roles.is_empty() {
            return not_found("no CAM role is bound to this instance");
        }
        return Answer::text(200, roles.join("\n"));
    }
    let Some(role) = path.strip_prefix(ROLES_PATH) else {
        return not_found(&format!("{path} (the emulator serves only {ROLES_PATH})"));
    };
    if !roles.iter().any(|r| r == role) {
        return not_found(&format!("no CAM role {role:?} is bound to this instance"));
    }
    let issued = state.issuer.issue(Source::Metadata, Clock::unix(state.clock.now()));
    let body = RoleCredentials {
        tmp_secret_id: issued.credentials.secret_id(),
        tmp_secret_key: issued.credentials.secret_key(),
        expired_time: issued.expires_unix,
        expiration: issued.expiration(),
        token: issued.token(),
        code: "Success",
    };
    match serde_json::to_string_pretty(&body) {
        Ok(json) => Answer::json(200, json),
        Err(e) => Answer::text(500, format!("cannot write the credentials: {e}\n")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_paths_are_told_apart_from_the_ci_calls() {
        assert!(is_metadata_path(ROLES_PATH) && is_metadata_path("/latest/meta-data/cam/security-credentials/r"));
        assert!(is_metadata_path("/latest/meta-data"));
        for ci in cloud_infinite::OPERATIONS {
            assert!(!is_metadata_path(ci.path), "{}", ci.path);
        }
        assert!(!is_metadata_path("/latest/meta-dataX") && !is_metadata_path("/"));
        assert!(valid_role("a/../b").is_ok() && valid_role("").is_err() && valid_role("a\nb").is_err());
    }
}
