//! `ClientBuilder`: every option of a client, checked when it is built.

use std::fmt;
use std::net::ToSocketAddrs;
use std::sync::atomic::AtomicI64;
use std::sync::Arc;
use std::time::Duration;

use ureq::unversioned::resolver::{ResolvedSocketAddrs, Resolver};
use ureq::unversioned::resolver::DefaultResolver;
use ureq::unversioned::transport::NextTimeout;

use super::proxy::{self, ProxyConfig};
use super::transport::{self, CancellableResolver};
use super::{Client, Inner, Scheme, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_MAX_RETRIES, DEFAULT_RETRY_BASE_DELAY, DEFAULT_TIMEOUT, USER_AGENT};
use crate::error::{Error, Result};
use crate::request;
use crate::credentials::{CredentialCache, CredentialProvider, ExpiringCredentials, DEFAULT_REFRESH_MARGIN};
use crate::sign::Credentials;

/// Everything a [`Client`] is made from. Start from [`ClientBuilder::new`]
/// (nothing set) or [`ClientBuilder::from_env`] (Tencent's environment
/// variables); values set explicitly afterwards win.
///
/// ```
/// use cloud_infinite::{Client, Scheme};
/// let client = Client::builder()
///     .secret_id("AKIDEXAMPLE")
///     .secret_key("secret")
///     .region("ap-guangzhou")
///     .build()
///     .unwrap();
/// assert_eq!(client.region(), "ap-guangzhou");
///
/// let err = Client::builder().secret_id("AKIDEXAMPLE").secret_key("s").region("a.evil.com").build().unwrap_err();
/// assert_eq!(err.kind(), cloud_infinite::ErrorKind::InvalidArgument);
/// ```
#[derive(Clone)]
pub struct ClientBuilder {
    secret_id: Option<String>,
    secret_key: Option<String>,
    session_token: Option<String>,
    region: Option<String>,
    endpoint: Option<String>,
    connect_to: Option<String>,
    scheme: Scheme,
    connect_timeout: Duration,
    timeout: Duration,
    max_retries: u32,
    retry_base_delay: Duration,
    max_response_bytes: u64,
    user_agent_suffix: Option<String>,
    proxy: ProxyConfig,
    ca_file: Option<std::path::PathBuf>,
    /// Whether `session_token` came from the environment: it then belongs
    /// to the environment's key pair and is dropped if either is replaced.
    token_from_env: bool,
    /// Whether a key was set by hand (not read by `from_env`): then a
    /// credentials provider would be ambiguous, and is refused.
    keys_set: bool,
    /// Where the keys come from instead of the fixed ones.
    credentials_provider: Option<Arc<dyn CredentialProvider>>,
    refresh_margin: Duration,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            secret_id: None,
            secret_key: None,
            session_token: None,
            region: None,
            endpoint: None,
            connect_to: None,
            scheme: Scheme::Https,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            timeout: DEFAULT_TIMEOUT,
            max_retries: DEFAULT_MAX_RETRIES,
            retry_base_delay: DEFAULT_RETRY_BASE_DELAY,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            user_agent_suffix: None,
            proxy: ProxyConfig::FromEnvironment,
            ca_file: None,
            token_from_env: false,
            keys_set: false,
            credentials_provider: None,
            refresh_margin: DEFAULT_REFRESH_MARGIN,
        }
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("secret_id", &self.secret_id)
            .field("secret_key", &self.secret_key.as_ref().map(|_| "<redacted>"))
            .field("session_token", &self.session_token.as_ref().map(|_| "<redacted>"))
            .field("region", &self.region)
            .field("endpoint", &self.endpoint)
            .field("connect_to", &self.connect_to)
            .field("scheme", &self.scheme)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("max_retries", &self.max_retries)
            .field("retry_base_delay", &self.retry_base_delay)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("user_agent_suffix", &self.user_agent_suffix)
            .field("proxy", &self.proxy)
            .field("ca_file", &self.ca_file)
            .field("credentials_provider", &self.credentials_provider.as_ref().map(|p| p.name()))
            .field("refresh_margin", &self.refresh_margin)
            .finish()
    }
}

fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

impl ClientBuilder {
    /// A builder with nothing set and the default timeouts, retries and cap.
    pub fn new() -> Self {
        Self::default()
    }

    /// A builder filled from `TENCENTCLOUD_SECRET_ID`, `TENCENTCLOUD_SECRET_KEY`,
    /// `TENCENTCLOUD_SESSION_TOKEN` (or `TENCENTCLOUD_SECURITY_TOKEN`) and
    /// `TENCENTCLOUD_REGION`, the variables Tencent's SDKs read. Empty variables
    /// count as unset. The three credentials go together: setting a SecretId
    /// or SecretKey explicitly drops the environment's session token (set
    /// one explicitly too for temporary credentials).
    pub fn from_env() -> Self {
        let session_token = env_var("TENCENTCLOUD_SESSION_TOKEN").or_else(|| env_var("TENCENTCLOUD_SECURITY_TOKEN"));
        ClientBuilder {
            token_from_env: session_token.is_some(),
            secret_id: env_var("TENCENTCLOUD_SECRET_ID"),
            secret_key: env_var("TENCENTCLOUD_SECRET_KEY"),
            session_token,
            region: env_var("TENCENTCLOUD_REGION"),
            ..Self::default()
        }
    }

    /// The SecretId (`q-ak`).
    pub fn secret_id(mut self, v: impl Into<String>) -> Self {
        self.secret_id = Some(v.into());
        self.keys_set = true;
        self.drop_env_token();
        self
    }
    /// The SecretKey.
    pub fn secret_key(mut self, v: impl Into<String>) -> Self {
        self.secret_key = Some(v.into());
        self.keys_set = true;
        self.drop_env_token();
        self
    }
    /// The session token of temporary credentials, sent and signed as `x-ci-security-token`.
    pub fn session_token(mut self, v: impl Into<String>) -> Self {
        self.session_token = Some(v.into());
        self.keys_set = true;
        self.token_from_env = false;
        self
    }

    /// Takes the keys from `provider` instead of fixed ones, refreshed
    /// [`refresh_margin`](Self::refresh_margin) before they expire (one
    /// refresh at a time for all the client's threads). Keys set by hand
    /// as well are refused at [`build`](Self::build) as ambiguous; keys
    /// [`from_env`](Self::from_env) read are ignored.
    ///
    /// ```
    /// use cloud_infinite::credentials::ProfileProvider;
    /// let builder = cloud_infinite::Client::builder().region("ap-guangzhou").credentials_provider(ProfileProvider::new().profile("dev"));
    /// # let _ = builder;
    /// ```
    pub fn credentials_provider(mut self, provider: impl CredentialProvider + 'static) -> Self {
        self.credentials_provider = Some(Arc::new(provider));
        self
    }

    /// Takes the keys from Tencent's default chain: the environment, the
    /// profile file, the CVM instance role, then TKE OIDC
    /// ([`credentials::default_chain`](crate::credentials::default_chain)).
    pub fn default_credential_chain(self) -> Self {
        self.credentials_provider(crate::credentials::default_chain())
    }

    /// How long before they expire a provider's credentials are renewed
    /// (default 300 s).
    pub fn refresh_margin(mut self, v: Duration) -> Self {
        self.refresh_margin = v;
        self
    }

    /// A token from the environment signs only with the environment's keys.
    fn drop_env_token(&mut self) {
        if self.token_from_env {
            self.session_token = None;
            self.token_from_env = false;
        }
    }
    /// The region, e.g. `ap-guangzhou`: it names the hosts `ci.<region>.myqcloud.com`
    /// and `<bucket>.ci.<region>.myqcloud.com`.
    pub fn region(mut self, v: impl Into<String>) -> Self {
        self.region = Some(v.into());
        self
    }
    /// Replaces `ci.<region>.myqcloud.com` (a custom domain, `host[:port]`);
    /// bucket calls go to `<bucket>.<endpoint>`.
    pub fn endpoint(mut self, v: impl Into<String>) -> Self {
        self.endpoint = Some(v.into());
        self
    }
    /// Dials this `host:port` for every request, as curl's `--connect-to`,
    /// while Host, path and signature stay what production gets (and no proxy
    /// is used). This is how a local emulator or a private route is reached.
    pub fn connect_to(mut self, v: impl Into<String>) -> Self {
        self.connect_to = Some(v.into());
        self
    }
    /// `https` (default) or `http`.
    pub fn scheme(mut self, v: Scheme) -> Self {
        self.scheme = v;
        self
    }
    /// Timeout of each TCP (and TLS) connect.
    pub fn connect_timeout(mut self, v: Duration) -> Self {
        self.connect_timeout = v;
        self
    }
    /// Timeout of a whole call, all attempts and backoff included.
    pub fn timeout(mut self, v: Duration) -> Self {
        self.timeout = v;
        self
    }
    /// Retries after the first attempt for connection failures, 5xx and throttling.
    pub fn max_retries(mut self, v: u32) -> Self {
        self.max_retries = v;
        self
    }
    /// First backoff delay; each retry doubles it (up to 5 s), with jitter.
    pub fn retry_base_delay(mut self, v: Duration) -> Self {
        self.retry_base_delay = v;
        self
    }
    /// Largest response body accepted; a larger one fails with
    /// [`ErrorKind::ResponseTooLarge`] without being buffered.
    pub fn max_response_bytes(mut self, v: u64) -> Self {
        self.max_response_bytes = v;
        self
    }
    /// Appended to the User-Agent after a space, e.g. `myapp/1.2`.
    pub fn user_agent_suffix(mut self, v: impl Into<String>) -> Self {
        self.user_agent_suffix = Some(v.into());
        self
    }
    /// Which proxy to use (default: the environment's).
    pub fn proxy(mut self, v: ProxyConfig) -> Self {
        self.proxy = v;
        self
    }
    /// Trust only the CA certificates in this PEM file for HTTPS, instead of
    /// the Mozilla root store built in (like curl's `--cacert`): for a
    /// private CA in front of the service, or a test server.
    pub fn ca_file(mut self, v: impl Into<std::path::PathBuf>) -> Self {
        self.ca_file = Some(v.into());
        self
    }

    /// Checks every option and makes the client (and its connection pool).
    pub fn build(self) -> Result<Client> {
        let credentials = match self.credentials_provider {
            Some(_) if self.keys_set => {
                return Err(Error::invalid_argument("both keys and a credentials provider are set: set one of them"));
            }
            Some(provider) => CredentialCache::from_provider(provider, self.refresh_margin),
            None => {
                let mut c = Credentials::new(self.secret_id.unwrap_or_default(), self.secret_key.unwrap_or_default());
                if let Some(token) = self.session_token {
                    c = c.with_session_token(token);
                }
                c.validate()?;
                CredentialCache::fixed(ExpiringCredentials::permanent(c))
            }
        };
        let region = self
            .region
            .ok_or_else(|| Error::invalid_argument("region is not set: set it or TENCENTCLOUD_REGION (e.g. \"ap-guangzhou\")"))?;
        request::validate_region(&region)?;
        if let Some(endpoint) = &self.endpoint {
            request::validate_endpoint(endpoint)?;
        }
        let endpoint = self.endpoint.map(|e| e.to_ascii_lowercase());
        if self.connect_timeout.is_zero() {
            return Err(Error::invalid_argument("connect_timeout must be greater than zero"));
        }
        if self.timeout.is_zero() {
            return Err(Error::invalid_argument("timeout must be greater than zero"));
        }
        if self.max_response_bytes == 0 {
            return Err(Error::invalid_argument("max_response_bytes must be greater than zero"));
        }
        let user_agent = match &self.user_agent_suffix {
            Some(suffix) if !suffix.bytes().all(|b| b.is_ascii_graphic() || b == b' ') || suffix.trim().is_empty() => {
                return Err(Error::invalid_argument(format!(
                    "user_agent_suffix {suffix:?} must be non-empty printable ASCII"
                )))
            }
            Some(suffix) => format!("{USER_AGENT} {suffix}"),
            None => USER_AGENT.to_owned(),
        };

        // connect_to names the address to dial: no proxy stands in between.
        let proxy = match &self.connect_to {
            Some(_) => None,
            None => proxy::resolve(&self.proxy, self.scheme, &proxy::process_env)?,
        };
        let root_certs = match &self.ca_file {
            None => ureq::tls::RootCerts::WebPki,
            Some(path) => ureq::tls::RootCerts::new_with_certs(&read_ca_file(path)?),
        };
        let config = ureq::Agent::config_builder()
            // Certificates are always verified; only the trust anchors vary.
            .tls_config(ureq::tls::TlsConfig::builder().root_certs(root_certs).build())
            .http_status_as_error(false)
            // A redirect would carry our Authorization to another host.
            .max_redirects(0)
            // Chosen per request (NO_PROXY is matched against each host).
            .proxy(None)
            .user_agent(user_agent.as_str())
            // Set here rather than left to ureq's lazily built global default,
            // so that nothing of ours stays allocated once the client is freed.
            .accept_encoding("gzip")
            .timeout_connect(Some(self.connect_timeout))
            // One pool per client, big enough that many threads sharing the
            // client keep their connections alive.
            .max_idle_connections(64)
            .max_idle_connections_per_host(64)
            .build();
        // ureq's own chain, with a connect and a resolution that a call's
        // CancelToken can interrupt (see transport.rs).
        let agent = match &self.connect_to {
            Some(target) => {
                validate_connect_to(target)?;
                // No name is looked up, so there is nothing slow to interrupt.
                ureq::Agent::with_parts(config, transport::connector(), ConnectTo(target.clone()))
            }
            None => ureq::Agent::with_parts(config, transport::connector(), CancellableResolver(Arc::new(DefaultResolver::default()))),
        };

        Ok(Client {
            inner: Arc::new(Inner {
                credentials,
                region,
                endpoint,
                connect_to: self.connect_to,
                scheme: self.scheme,
                max_retries: self.max_retries,
                retry_base_delay: self.retry_base_delay,
                max_response_bytes: self.max_response_bytes,
                clock_offset_secs: AtomicI64::new(0),
                proxy,
                agent,
            }),
            timeout: self.timeout,
            cancel: None,
            throttled: None,
        })
    }
}

/// The certificates of a PEM file, or an error that says what is wrong with it.
fn read_ca_file(path: &std::path::Path) -> Result<Vec<ureq::tls::Certificate<'static>>> {
    let pem = std::fs::read(path)
        .map_err(|e| Error::invalid_argument(format!("ca_file {}: cannot be read: {e}", path.display())))?;
    let mut certs = Vec::new();
    for item in ureq::tls::parse_pem(&pem) {
        match item {
            Ok(ureq::tls::PemItem::Certificate(cert)) => certs.push(cert),
            Ok(_) => {} // keys and other sections are not trust anchors
            Err(e) => return Err(Error::invalid_argument(format!("ca_file {}: not valid PEM: {e}", path.display()))),
        }
    }
    if certs.is_empty() {
        return Err(Error::invalid_argument(format!("ca_file {}: holds no PEM certificate", path.display())));
    }
    Ok(certs)
}

fn validate_connect_to(target: &str) -> Result<()> {
    // An IP socket address (`127.0.0.1:8080`, `[::1]:8080`) or `host:port`.
    let host_and_port = target.rsplit_once(':').is_some_and(|(host, _)| !host.contains(':')) && request::validate_endpoint(target).is_ok();
    if target.parse::<std::net::SocketAddr>().is_ok() || (host_and_port && target.contains(':')) {
        Ok(())
    } else {
        Err(Error::invalid_argument(format!("connect_to {target:?} must be host:port, e.g. \"127.0.0.1:8080\"")))
    }
}

/// Resolves every host to the `connect_to` address (16 addresses at most, as ureq keeps).
#[derive(Debug)]
struct ConnectTo(String);

impl Resolver for ConnectTo {
    fn resolve(&self, _uri: &ureq::http::Uri, _config: &ureq::config::Config, _timeout: NextTimeout) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let mut out = self.empty();
        for addr in self.0.to_socket_addrs()?.take(16) {
            out.push(addr);
        }
        if out.is_empty() {
            return Err(ureq::Error::HostNotFound);
        }
        Ok(out)
    }
}


#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    #[test]
    fn builder_rejects_what_cannot_work() {
        let ok = || Client::builder().secret_id("AKID").secret_key("key").region("ap-guangzhou");
        assert!(ok().build().is_ok());
        let cases = [
            (ok().secret_key(""), "secret_key"),
            (Client::builder().secret_key("k").region("ap-guangzhou"), "secret_id"),
            (ok().secret_id("AK ID"), "secret_id"),
            (Client::builder().secret_id("a").secret_key("k"), "region is not set"),
            (ok().region("x:80"), "region"),
            (ok().endpoint("https://x.com"), "scheme"),
            (ok().connect_to("127.0.0.1"), "connect_to"),
            (ok().timeout(Duration::ZERO), "timeout"),
            (ok().max_response_bytes(0), "max_response_bytes"),
            (ok().session_token("a\nb"), "session_token"),
            (ok().user_agent_suffix("x\r\nEvil: 1"), "user_agent_suffix"),
            (ok().proxy(ProxyConfig::Url("::nonsense".into())), "proxy"),
        ];
        for (builder, needle) in cases {
            let e = builder.build().unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidArgument);
            assert!(e.message().contains(needle), "{needle}: {}", e.message());
        }
        assert!(ok().connect_to("127.0.0.1:9").build().is_ok());
        assert!(ok().connect_to("localhost:9").build().is_ok());
        assert!(ok().connect_to("[::1]:9").build().is_ok());
    }

    #[test]
    fn an_environment_token_goes_only_with_the_environment_keys() {
        // As from_env() leaves it when TENCENTCLOUD_SESSION_TOKEN is set.
        let from_env = || ClientBuilder { session_token: Some("env-token".into()), token_from_env: true, ..ClientBuilder::new() };
        assert_eq!(from_env().secret_id("AKIDother").session_token, None);
        assert_eq!(from_env().secret_key("other-key").session_token, None);
        assert_eq!(from_env().region("ap-beijing").session_token.as_deref(), Some("env-token"));
        let explicit = from_env().session_token("mine").secret_id("AKIDother");
        assert_eq!(explicit.session_token.as_deref(), Some("mine"), "an explicit token stays");
    }

    #[test]
    fn debug_output_never_shows_secrets() {
        let b = Client::builder()
            .secret_id("AKIDvisible")
            .secret_key("TOPSECRETKEY")
            .session_token("TOPSECRETTOKEN")
            .region("ap-guangzhou")
            .proxy(ProxyConfig::Url("http://user:TOPSECRETPROXY@proxy.internal:3128".into()));
        let shown = format!("{b:?} {:?}", b.clone().build().unwrap());
        assert!(shown.contains("AKIDvisible"));
        assert!(shown.contains("proxy.internal:3128"), "{shown}");
        assert!(!shown.contains("TOPSECRET"), "{shown}");
    }
}
