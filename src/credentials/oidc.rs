//! Temporary keys for a TKE pod's web identity: STS `AssumeRoleWithWebIdentity`
//! with the token TKE projects into a file, configured by `TKE_REGION`,
//! `TKE_PROVIDER_ID`, `TKE_WEB_IDENTITY_TOKEN_FILE` and `TKE_ROLE_ARN`, sent
//! as tencentcloud-sdk-python sends it: an unsigned (`Authorization: SKIP`)
//! JSON POST with the `X-TC-*` headers. The token file is read again on
//! every fetch, as TKE rotates it.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::http;
use super::{checked, shorten, CredentialProvider, Fetched};
use crate::error::{Error, ErrorKind, Result};
use crate::sign::Credentials;

/// Tencent's STS endpoint.
pub const DEFAULT_STS_ENDPOINT: &str = "https://sts.tencentcloudapi.com/";
/// The variable that points the provider elsewhere (a test, a private cloud).
pub const STS_ENDPOINT_VAR: &str = "TENCENTCLOUD_STS_ENDPOINT";

/// How long the keys asked for last (STS's default; at most 43200).
const DURATION_SECONDS: u64 = 7200;
/// Larger than any web identity token.
const MAX_TOKEN_BYTES: u64 = 64 * 1024;
const VARS: [&str; 4] = ["TKE_REGION", "TKE_PROVIDER_ID", "TKE_WEB_IDENTITY_TOKEN_FILE", "TKE_ROLE_ARN"];

/// A TKE web identity's temporary keys.
#[derive(Debug)]
pub struct OidcProvider {
    /// Values set in code, by variable name; the environment fills the rest.
    set: Vec<(&'static str, String)>,
    endpoint: Option<String>,
}

impl OidcProvider {
    /// Configured from the `TKE_*` variables when it fetches; STS at
    /// `$TENCENTCLOUD_STS_ENDPOINT`, else Tencent's, through the
    /// environment's proxy as a client resolves it (curl's variables and
    /// `NO_PROXY`; an unusable value is an error, never skipped).
    pub fn from_env() -> Self {
        OidcProvider { set: Vec::new(), endpoint: None }
    }

    /// Configured in code instead of by `TKE_*` variables.
    pub fn new(region: impl Into<String>, provider_id: impl Into<String>, token_file: impl Into<String>, role_arn: impl Into<String>) -> Self {
        let mut provider = Self::from_env();
        provider.set = VARS.iter().copied().zip([region.into(), provider_id.into(), token_file.into(), role_arn.into()]).collect();
        provider
    }

    /// Asks this STS endpoint (`https://host[:port]/`).
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = Some(endpoint.into());
        self
    }

    fn value(&self, var: &str) -> Option<String> {
        let set = self.set.iter().find(|(k, _)| *k == var).map(|(_, v)| v.clone());
        set.or_else(|| std::env::var(var).ok()).filter(|v| !v.is_empty())
    }

    fn url(&self) -> String {
        let endpoint = self.endpoint.clone().or_else(|| std::env::var(STS_ENDPOINT_VAR).ok().filter(|v| !v.is_empty()));
        endpoint.unwrap_or_else(|| DEFAULT_STS_ENDPOINT.to_owned())
    }
}

/// The proxy for a request to `url`, as the environment names it.
fn sts_proxy(url: &str) -> Result<Option<ureq::Proxy>> {
    use crate::client::proxy::{process_env, resolve};
    use crate::client::{ProxyConfig, Scheme};
    let (scheme, rest) = match url.split_once("://") {
        Some(("http", rest)) => (Scheme::Http, rest),
        Some((_, rest)) => (Scheme::Https, rest),
        None => (Scheme::Https, url),
    };
    let host = rest.split(['/', '?']).next().unwrap_or_default();
    let route = resolve(&ProxyConfig::FromEnvironment, scheme, &process_env)?;
    Ok(route.filter(|r| r.applies_to(host, scheme)).map(|r| r.proxy))
}

fn fail(message: String) -> Error {
    Error::new(ErrorKind::Credentials, message)
}

impl CredentialProvider for OidcProvider {
    fn name(&self) -> String {
        format!("TKE OIDC (STS AssumeRoleWithWebIdentity at {})", self.url())
    }

    fn fetch(&self) -> Result<Fetched> {
        let values: Vec<Option<String>> = VARS.iter().map(|v| self.value(v)).collect();
        let missing: Vec<&str> = VARS.iter().zip(&values).filter(|(_, v)| v.is_none()).map(|(name, _)| *name).collect();
        if missing.len() == VARS.len() {
            return Ok(Fetched::Absent(format!("{} are not set", VARS.join(", "))));
        }
        if !missing.is_empty() {
            return Err(fail(format!("TKE OIDC is half configured: {} not set", missing.join(", "))));
        }
        let [region, provider_id, token_file, role_arn] = [0, 1, 2, 3].map(|i| values[i].clone().unwrap_or_default());
        let size = std::fs::metadata(&token_file).map_err(|e| fail(format!("the web identity token file {token_file} cannot be read: {e}")))?.len();
        if size > MAX_TOKEN_BYTES {
            return Err(fail(format!("the web identity token file {token_file} is {size} bytes, more than a token")));
        }
        let token = std::fs::read_to_string(&token_file).map_err(|e| fail(format!("the web identity token file {token_file} cannot be read: {e}")))?;
        let token = token.trim();
        if token.is_empty() {
            return Err(fail(format!("the web identity token file {token_file} is empty")));
        }
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
        let body = serde_json::json!({
            "ProviderId": provider_id,
            "WebIdentityToken": token,
            "RoleArn": role_arn,
            "RoleSessionName": format!("cloud-infinite-{}", now.as_micros()),
            "DurationSeconds": DURATION_SECONDS,
        })
        .to_string();
        let url = self.url();
        let what = format!("STS AssumeRoleWithWebIdentity at {url}");
        let agent = http::agent(sts_proxy(&url).map_err(|e| fail(format!("{what}: {}", e.message())))?);
        let answer = http::send(&what, || {
            agent
                .post(&url)
                .header("Content-Type", "application/json")
                .header("Authorization", "SKIP")
                .header("X-TC-Action", "AssumeRoleWithWebIdentity")
                .header("X-TC-Version", "2018-08-13")
                .header("X-TC-Region", &region)
                .header("X-TC-Timestamp", now.as_secs().to_string())
                .send(body.as_bytes())
        })
        .map_err(|e| fail(e.message().to_owned()))?;
        let json: serde_json::Value =
            serde_json::from_str(&answer.body).map_err(|e| fail(format!("{what} answered HTTP {} with something that is not JSON: {e}", answer.status)))?;
        let response = json.get("Response").ok_or_else(|| fail(format!("{what} answered HTTP {} without a Response object", answer.status)))?;
        let request_id = response.get("RequestId").and_then(|v| v.as_str()).map(shorten).unwrap_or_default();
        if let Some(error) = response.get("Error") {
            let field = |k: &str| error.get(k).and_then(|v| v.as_str()).map(shorten).unwrap_or_default();
            return Err(fail(format!("{what} refused: {}: {} (request id {request_id})", field("Code"), field("Message"))));
        }
        let keys = response.get("Credentials");
        let text = |k: &str| keys.and_then(|c| c.get(k)).and_then(|v| v.as_str()).filter(|v| !v.is_empty()).map(str::to_owned);
        let (Some(id), Some(key), Some(session)) = (text("TmpSecretId"), text("TmpSecretKey"), text("Token")) else {
            return Err(fail(format!("{what} answered without Credentials.TmpSecretId, TmpSecretKey or Token (request id {request_id})")));
        };
        let expires = response.get("ExpiredTime").and_then(|v| v.as_u64()).ok_or_else(|| fail(format!("{what} answered without ExpiredTime")))?;
        checked("TKE OIDC", Credentials::new(id, key).with_session_token(session), Some(UNIX_EPOCH + Duration::from_secs(expires)))
    }
}

#[cfg(test)]
mod tests {
    use super::http::test_server;
    use super::*;

    fn token_file(contents: &str) -> std::path::PathBuf {
        let path = std::env::temp_dir().join(format!("ci-oidc-token-{}-{}", std::process::id(), contents.len()));
        std::fs::write(&path, contents).unwrap();
        path
    }

    #[test]
    fn sends_the_request_tencent_documents_and_reads_the_keys() {
        let ok = r#"{"Response":{"Credentials":{"Token":"tok","TmpSecretId":"AKIDsts","TmpSecretKey":"stskey"},"ExpiredTime":4102444800,"Expiration":"2100-01-01T00:00:00Z","RequestId":"r1"}}"#;
        let server = test_server::start(vec![(200, ok.into())]);
        let file = token_file("jwt-token\n");
        let provider = OidcProvider::new("ap-beijing", "provider-1", file.display().to_string(), "qcs::cam::uin/1:roleName/r").endpoint(&server.url);
        let Fetched::Found(found) = provider.fetch().unwrap() else { panic!() };
        assert_eq!((found.credentials.secret_id(), found.credentials.session_token()), ("AKIDsts", Some("tok")));
        let request = server.requests.lock().unwrap()[0].to_ascii_lowercase();
        for needle in ["post / http/1.1", "authorization: skip", "x-tc-action: assumerolewithwebidentity", "x-tc-version: 2018-08-13", "x-tc-region: ap-beijing", "\"webidentitytoken\":\"jwt-token\"", "\"providerid\":\"provider-1\""] {
            assert!(request.contains(needle), "{needle} in {request}");
        }
        std::fs::remove_file(file).ok();
    }

    #[test]
    fn refusals_and_half_configurations_are_clear_errors() {
        let refused = r#"{"Response":{"Error":{"Code":"InvalidParameter.WebIdentityTokenError","Message":"bad token"},"RequestId":"r2"}}"#;
        let server = test_server::start(vec![(400, refused.into())]);
        let file = token_file("t");
        let e = OidcProvider::new("ap-beijing", "p", file.display().to_string(), "arn").endpoint(&server.url).fetch().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Credentials);
        assert!(e.message().contains("WebIdentityTokenError") && e.message().contains("r2"), "{}", e.message());
        let e = OidcProvider::new("ap-beijing", "p", "/nonexistent/token", "arn").endpoint(&server.url).fetch().unwrap_err();
        assert!(e.message().contains("/nonexistent/token"), "{}", e.message());
        let mut half = OidcProvider::from_env();
        half.set = vec![("TKE_REGION", "ap-beijing".into()), ("TKE_PROVIDER_ID", "p".into()), ("TKE_WEB_IDENTITY_TOKEN_FILE", String::new()), ("TKE_ROLE_ARN", String::new())];
        if std::env::var_os("TKE_WEB_IDENTITY_TOKEN_FILE").is_none() && std::env::var_os("TKE_ROLE_ARN").is_none() {
            let e = half.fetch().unwrap_err();
            assert!(e.message().contains("TKE_WEB_IDENTITY_TOKEN_FILE, TKE_ROLE_ARN not set"), "{}", e.message());
        }
        std::fs::remove_file(file).ok();
    }
}
