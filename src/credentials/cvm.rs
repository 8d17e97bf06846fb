//! Temporary keys of the CVM instance's CAM role, from the metadata
//! service: `GET .../cam/security-credentials/` names the role (the first
//! line), `GET .../cam/security-credentials/<role>` answers JSON with
//! `TmpSecretId`, `TmpSecretKey`, `Token`, `ExpiredTime` (Unix seconds),
//! `Expiration` and `Code` ("Success").

use std::time::{Duration, UNIX_EPOCH};

use super::http::{self, unreachable};
use super::{checked, CredentialProvider, Fetched};
use crate::error::{Error, ErrorKind, Result};
use crate::sign::Credentials;

/// Where Tencent's SDKs ask for a CVM role's credentials.
pub const DEFAULT_METADATA_ENDPOINT: &str = "http://metadata.tencentyun.com/latest/meta-data/cam/security-credentials/";
/// The variable that points the provider elsewhere (a test, a private cloud).
pub const METADATA_ENDPOINT_VAR: &str = "TENCENTCLOUD_METADATA_ENDPOINT";

/// The CVM role's temporary keys.
#[derive(Debug)]
pub struct CvmRoleProvider {
    endpoint: Option<String>,
    role: Option<String>,
    agent: ureq::Agent,
}

impl Default for CvmRoleProvider {
    fn default() -> Self {
        Self::new()
    }
}

impl CvmRoleProvider {
    /// The first role of the metadata service at `$TENCENTCLOUD_METADATA_ENDPOINT`,
    /// else Tencent's. No proxy is used: the service is on the instance's own link.
    pub fn new() -> Self {
        CvmRoleProvider { endpoint: None, role: None, agent: http::agent(None) }
    }

    /// Asks this endpoint (ending in `cam/security-credentials/`).
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = Some(endpoint.into());
        self
    }

    /// Uses this role instead of the first one listed.
    pub fn role(mut self, role: impl Into<String>) -> Self {
        self.role = Some(role.into());
        self
    }

    fn base(&self) -> String {
        let base = self.endpoint.clone().or_else(|| std::env::var(METADATA_ENDPOINT_VAR).ok().filter(|v| !v.is_empty()));
        let base = base.unwrap_or_else(|| DEFAULT_METADATA_ENDPOINT.to_owned());
        if base.ends_with('/') {
            base
        } else {
            base + "/"
        }
    }
}

fn fail(message: String) -> Error {
    Error::new(ErrorKind::Credentials, message)
}

/// A CAM role name, which becomes a path segment: nothing that could leave it.
fn valid_role(role: &str) -> bool {
    !role.is_empty() && role.len() <= 128 && role.bytes().all(|b| b.is_ascii_alphanumeric() || b"_+=,.@-".contains(&b))
}

impl CredentialProvider for CvmRoleProvider {
    fn name(&self) -> String {
        format!("the CVM role (metadata at {})", self.base())
    }

    fn fetch(&self) -> Result<Fetched> {
        let base = self.base();
        let role = match &self.role {
            Some(role) => role.clone(),
            None => {
                let listed = http::send(&format!("the metadata service at {base}"), || self.agent.get(&base).call());
                let answer = match listed {
                    Ok(answer) => answer,
                    Err(e) if unreachable(&e) => return Ok(Fetched::Absent(format!("no metadata service answered ({}): not on a CVM?", e.message()))),
                    Err(e) => return Err(fail(e.message().to_owned())),
                };
                match answer.status {
                    200..=299 => {}
                    404 => return Ok(Fetched::Absent(format!("the instance has no CAM role bound (HTTP 404 from {base})"))),
                    status => return Err(fail(format!("the metadata service at {base} answered HTTP {status}"))),
                }
                match answer.body.lines().map(str::trim).find(|l| !l.is_empty()) {
                    Some(role) => role.to_owned(),
                    None => return Ok(Fetched::Absent(format!("the instance has no CAM role bound ({base} lists none)"))),
                }
            }
        };
        if !valid_role(&role) {
            return Err(fail(format!("the metadata service at {base} names a role that is not a CAM role name: {:?}", super::shorten(&role))));
        }
        let url = format!("{base}{role}");
        let what = format!("the metadata service at {url}");
        let answer = http::send(&what, || self.agent.get(&url).call()).map_err(|e| fail(e.message().to_owned()))?;
        if !(200..300).contains(&answer.status) {
            return Err(fail(format!("{what} answered HTTP {}", answer.status)));
        }
        let json: serde_json::Value = serde_json::from_str(&answer.body).map_err(|e| fail(format!("{what} answered something that is not JSON: {e}")))?;
        let text = |key: &str| json.get(key).and_then(|v| v.as_str()).filter(|v| !v.is_empty()).map(str::to_owned);
        if text("Code").as_deref() != Some("Success") {
            return Err(fail(format!("{what} answered Code {:?}, not \"Success\"", text("Code").map(|c| super::shorten(&c)))));
        }
        let (Some(id), Some(key), Some(token)) = (text("TmpSecretId"), text("TmpSecretKey"), text("Token")) else {
            return Err(fail(format!("{what} answered without TmpSecretId, TmpSecretKey or Token")));
        };
        let expires = json.get("ExpiredTime").and_then(|v| v.as_u64()).ok_or_else(|| fail(format!("{what} answered without ExpiredTime")))?;
        let expires_at = UNIX_EPOCH + Duration::from_secs(expires);
        let credentials = Credentials::new(id, key).with_session_token(token);
        checked(&format!("the CVM role {role}"), credentials, Some(expires_at))
    }
}

#[cfg(test)]
mod tests {
    use super::http::test_server;
    use super::*;

    const ANSWER: &str = r#"{"TmpSecretId":"AKIDtmp","TmpSecretKey":"tmpkey","Token":"tok","ExpiredTime":4102444800,"Expiration":"2100-01-01T00:00:00Z","Code":"Success"}"#;

    #[test]
    fn lists_the_role_then_fetches_its_keys() {
        let server = test_server::start(vec![(200, "role-a\nrole-b\n".into()), (200, ANSWER.into())]);
        let Fetched::Found(found) = CvmRoleProvider::new().endpoint(&server.url).fetch().unwrap() else { panic!() };
        assert_eq!((found.credentials.secret_id(), found.credentials.session_token()), ("AKIDtmp", Some("tok")));
        assert_eq!(found.expires_at, Some(UNIX_EPOCH + Duration::from_secs(4102444800)));
        let requests = server.requests.lock().unwrap();
        assert!(requests[0].starts_with("GET / HTTP/1.1") && requests[1].starts_with("GET /role-a HTTP/1.1"), "{requests:?}");
    }

    #[test]
    fn no_role_or_no_service_is_absent_and_a_bad_answer_is_an_error() {
        let server = test_server::start(vec![(404, String::new())]);
        assert!(matches!(CvmRoleProvider::new().endpoint(&server.url).fetch().unwrap(), Fetched::Absent(why) if why.contains("no CAM role")));
        // Nothing listens on a port just freed.
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
        let started = std::time::Instant::now();
        let absent = CvmRoleProvider::new().endpoint(format!("http://{closed}/")).fetch().unwrap();
        assert!(matches!(absent, Fetched::Absent(why) if why.contains("not on a CVM")));
        assert!(started.elapsed() < Duration::from_secs(3), "fails fast");
        for (answer, why) in [
            (r#"{"Code":"Failed"}"#, "not \"Success\""),
            (r#"{"Code":"Success","TmpSecretId":"a"}"#, "without"),
            ("not json", "not JSON"),
        ] {
            let server = test_server::start(vec![(200, "role\n".into()), (200, answer.into())]);
            let e = CvmRoleProvider::new().endpoint(&server.url).fetch().unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Credentials);
            assert!(e.message().contains(why), "{}", e.message());
        }
        let server = test_server::start(vec![(200, "../../etc\n".into())]);
        assert!(CvmRoleProvider::new().endpoint(&server.url).fetch().unwrap_err().message().contains("not a CAM role name"));
    }
}
