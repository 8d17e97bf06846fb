//! The client: options, the HTTP agent, retries, timeouts and clock skew.

use std::fmt;
use std::io::{self, Read as _};
use std::net::ToSocketAddrs;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use ureq::unversioned::resolver::{ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{DefaultConnector, NextTimeout};

use crate::error::{Error, ErrorKind, Result, ServiceDetails};
use crate::model::{AiQueue, AiQueuePage, PicBucket, PicBucketPage};
use crate::request::{self, AiQueueQuery, PicBucketQuery, DEFAULT_PAGE_SIZE};
use crate::sign::{self, Credentials, SignWindow};
use crate::xml;

/// `cloud-infinite/<version>`, the User-Agent every request carries.
pub const USER_AGENT: &str = concat!("cloud-infinite/", env!("CARGO_PKG_VERSION"));

/// Default connect timeout.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Default timeout of a whole call, retries and backoff included.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default number of retries after the first attempt.
pub const DEFAULT_MAX_RETRIES: u32 = 3;
/// Default first backoff delay; it doubles on each retry, with jitter.
pub const DEFAULT_RETRY_BASE_DELAY: Duration = Duration::from_millis(100);
/// Default cap on a response body.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 16 * 1024 * 1024;

/// Signatures are valid from a minute before "now" (as the official SDKs do,
/// to absorb small skew) until this long after.
const SIGNATURE_LIFETIME_SECS: u64 = 900;
const SIGNATURE_BACKDATE_SECS: u64 = 60;
const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// `http` or `https` (the default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scheme {
    /// TLS, certificates checked against the Mozilla root store.
    #[default]
    Https,
    /// Plain HTTP: for a local emulator or a trusted private route only.
    Http,
}

impl Scheme {
    fn as_str(self) -> &'static str {
        match self {
            Scheme::Https => "https",
            Scheme::Http => "http",
        }
    }
}

/// Which HTTP(S) proxy to use.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ProxyConfig {
    /// `ALL_PROXY`, `HTTPS_PROXY`, `HTTP_PROXY` (either case), honouring `NO_PROXY`.
    #[default]
    FromEnvironment,
    /// Connect directly.
    Disabled,
    /// This proxy, e.g. `http://proxy.internal:3128`.
    Url(String),
}

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
        self.drop_env_token();
        self
    }
    /// The SecretKey.
    pub fn secret_key(mut self, v: impl Into<String>) -> Self {
        self.secret_key = Some(v.into());
        self.drop_env_token();
        self
    }
    /// The session token of temporary credentials, sent and signed as `x-ci-security-token`.
    pub fn session_token(mut self, v: impl Into<String>) -> Self {
        self.session_token = Some(v.into());
        self.token_from_env = false;
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
        let credentials = {
            let mut c = Credentials::new(self.secret_id.unwrap_or_default(), self.secret_key.unwrap_or_default());
            if let Some(token) = self.session_token {
                c = c.with_session_token(token);
            }
            c.validate()?;
            c
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

        let proxy = match (&self.connect_to, &self.proxy) {
            (Some(_), _) | (None, ProxyConfig::Disabled) => None,
            (None, ProxyConfig::FromEnvironment) => ureq::Proxy::try_from_env(),
            (None, ProxyConfig::Url(url)) => Some(ureq::Proxy::new(url).map_err(|_| {
                Error::invalid_argument(format!("proxy {url:?} is not a proxy URL like \"http://host:3128\""))
            })?),
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
            .proxy(proxy)
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
        let agent = match &self.connect_to {
            Some(target) => {
                validate_connect_to(target)?;
                ureq::Agent::with_parts(config, DefaultConnector::default(), ConnectTo(target.clone()))
            }
            None => ureq::Agent::new_with_config(config),
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
                agent,
            }),
            timeout: self.timeout,
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

/// A Cloud Infinite client. Cheap to clone (clones share one connection pool
/// and one clock-skew correction) and safe to use from many threads at once.
///
/// ```no_run
/// use cloud_infinite::{Client, PicBucketQuery};
/// let client = Client::builder().secret_id("AKID...").secret_key("...").region("ap-guangzhou").build()?;
/// for page in client.pic_bucket_pages(PicBucketQuery { page_size: Some(100), ..Default::default() }) {
///     for bucket in page?.buckets {
///         println!("{:?} {:?}", bucket.name, bucket.region);
///     }
/// }
/// # Ok::<(), cloud_infinite::Error>(())
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
    /// Per handle, so [`Client::with_timeout`] can vary it on a shared pool.
    timeout: Duration,
}

struct Inner {
    credentials: Credentials,
    region: String,
    endpoint: Option<String>,
    connect_to: Option<String>,
    scheme: Scheme,
    max_retries: u32,
    retry_base_delay: Duration,
    max_response_bytes: u64,
    /// Server time minus local time, learnt from a RequestTimeTooSkewed answer.
    clock_offset_secs: AtomicI64,
    agent: ureq::Agent,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        f.debug_struct("Client")
            .field("credentials", &i.credentials)
            .field("region", &i.region)
            .field("endpoint", &i.endpoint)
            .field("connect_to", &i.connect_to)
            .field("scheme", &i.scheme)
            .field("timeout", &self.timeout)
            .field("max_retries", &i.max_retries)
            .field("max_response_bytes", &i.max_response_bytes)
            .finish_non_exhaustive()
    }
}

/// A response that arrived whole (any status).
struct RawResponse {
    status: u16,
    request_id: Option<String>,
    date: Option<SystemTime>,
    body: Vec<u8>,
}

impl RawResponse {
    fn details(&self) -> ServiceDetails {
        ServiceDetails { http_status: self.status, request_id: self.request_id.clone(), ..Default::default() }
    }
}

impl Client {
    /// A builder with nothing set; see [`ClientBuilder`].
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// A handle on the same connection pool whose calls each get `timeout`
    /// (all attempts included) instead of the configured one: how a caller's
    /// deadline becomes the call's timeout.
    ///
    /// ```
    /// # use std::time::Duration;
    /// let client = cloud_infinite::Client::builder().secret_id("AK").secret_key("k").region("ap-guangzhou").build().unwrap();
    /// let quick = client.with_timeout(Duration::from_millis(250)).unwrap();
    /// assert_eq!(quick.timeout(), Duration::from_millis(250));
    /// assert!(client.with_timeout(Duration::ZERO).is_err());
    /// ```
    pub fn with_timeout(&self, timeout: Duration) -> Result<Client> {
        if timeout.is_zero() {
            return Err(Error::new(ErrorKind::Timeout, "the call's deadline has already passed"));
        }
        Ok(Client { inner: Arc::clone(&self.inner), timeout })
    }

    /// The timeout of each call made through this handle.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The region this client calls.
    pub fn region(&self) -> &str {
        &self.inner.region
    }

    /// The clock correction in force (server time minus local time, seconds),
    /// learnt from the service's Date header after a RequestTimeTooSkewed answer.
    pub fn clock_offset_secs(&self) -> i64 {
        self.inner.clock_offset_secs.load(Ordering::Relaxed)
    }

    /// `DescribePicProcessBucket`: one page of the buckets with image
    /// processing enabled, across the account.
    pub fn describe_pic_buckets(&self, query: &PicBucketQuery) -> Result<PicBucketPage> {
        let params = query.to_params()?;
        let host = request::service_host(&self.inner.region, self.inner.endpoint.as_deref());
        let raw = self.get(&host, "/picbucket", &params)?;
        let mut page = xml::parse_pic_bucket_page(&raw.body).map_err(|e| e.with_service_details(raw.details()))?;
        page.request_id = page.request_id.or(raw.request_id);
        Ok(page)
    }

    /// `DescribeAiProcessQueues`: one page of a bucket's AI content
    /// recognition queues. `bucket` is `BucketName-APPID`.
    pub fn describe_ai_queues(&self, bucket: &str, query: &AiQueueQuery) -> Result<AiQueuePage> {
        request::validate_bucket(bucket)?;
        let params = query.to_params()?;
        let host = request::bucket_host(bucket, &self.inner.region, self.inner.endpoint.as_deref());
        let raw = self.get(&host, "/ai_queue", &params)?;
        let mut page = xml::parse_ai_queue_page(&raw.body).map_err(|e| e.with_service_details(raw.details()))?;
        page.request_id = page.request_id.or(raw.request_id);
        Ok(page)
    }

    /// Every page of [`describe_pic_buckets`](Self::describe_pic_buckets),
    /// from `query.page_number` (default 1) to the last. Stops after the
    /// first error.
    pub fn pic_bucket_pages(&self, query: PicBucketQuery) -> PicBucketPages {
        PicBucketPages { client: self.clone(), next_page: Some(query.page_number.unwrap_or(1)), query }
    }

    /// Every bucket across all pages.
    pub fn all_pic_buckets(&self, query: PicBucketQuery) -> Result<Vec<PicBucket>> {
        let mut all = Vec::new();
        for page in self.pic_bucket_pages(query) {
            all.extend(page?.buckets);
        }
        Ok(all)
    }

    /// Every page of [`describe_ai_queues`](Self::describe_ai_queues). With
    /// `queue_ids` there is a single page.
    pub fn ai_queue_pages(&self, bucket: &str, query: AiQueueQuery) -> AiQueuePages {
        AiQueuePages {
            client: self.clone(),
            bucket: bucket.to_owned(),
            next_page: Some(query.page_number.unwrap_or(1)),
            query,
        }
    }

    /// Every queue across all pages.
    pub fn all_ai_queues(&self, bucket: &str, query: AiQueueQuery) -> Result<Vec<AiQueue>> {
        let mut all = Vec::new();
        for page in self.ai_queue_pages(bucket, query) {
            all.extend(page?.queues);
        }
        Ok(all)
    }

    fn now_unix(&self) -> u64 {
        let local = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs()) as i64;
        (local + self.clock_offset_secs()).max(0) as u64
    }

    /// Sends a signed GET, retrying what is safe to retry, and returns the
    /// 2xx answer or the error the last attempt ended in.
    fn get(&self, host: &str, path: &str, params: &[(&'static str, String)]) -> Result<RawResponse> {
        let inner = &*self.inner;
        let started = Instant::now();
        // A timeout too large to add (`Duration::MAX` for "no limit") is capped
        // at a year rather than overflowing.
        let deadline = started.checked_add(self.timeout).unwrap_or_else(|| started + Duration::from_secs(365 * 24 * 3600));
        let url = format!("{}://{host}{}", inner.scheme.as_str(), request::path_and_query(path, params));
        let mut retries_done = 0;
        let mut clock_corrected = false;
        loop {
            let (error, server_date) = match self.attempt(&url, host, path, params, deadline) {
                Ok(raw) if (200..300).contains(&raw.status) => return Ok(raw),
                Ok(raw) => (service_error(&raw), raw.date),
                Err(e) => (e, None),
            };
            if !clock_corrected && is_clock_error(&error) {
                if let Some(date) = server_date {
                    clock_corrected = true;
                    let local = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs()) as i64;
                    let server = date.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs()) as i64;
                    inner.clock_offset_secs.store(server - local, Ordering::Relaxed);
                    log::warn!("clock differs from the service's by {}s; signing again", server - local);
                    continue;
                }
            }
            if !error.is_retryable() || retries_done >= inner.max_retries {
                return Err(error);
            }
            let delay = backoff(inner.retry_base_delay, retries_done);
            if Instant::now() + delay >= deadline {
                // Not enough time left for another attempt: the caller gets
                // the last real answer (same kind, code and status), told why
                // it was not retried.
                let note = format!(
                    "{} (not retried again: the call's {:?} timeout leaves no time for attempt {})",
                    error.message(),
                    self.timeout,
                    retries_done + 2
                );
                return Err(error.with_message(note));
            }
            log::debug!("retrying {path} in {delay:?} after: {error}");
            std::thread::sleep(delay);
            retries_done += 1;
        }
    }

    fn attempt(&self, url: &str, host: &str, path: &str, params: &[(&'static str, String)], deadline: Instant) -> Result<RawResponse> {
        let inner = &*self.inner;
        let remaining = deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            return Err(Error::new(ErrorKind::Timeout, format!("the call did not finish within its {:?} timeout", self.timeout)));
        }
        let now = self.now_unix();
        let window = SignWindow { start: now.saturating_sub(SIGNATURE_BACKDATE_SECS), end: now + SIGNATURE_LIFETIME_SECS };
        let token = inner.credentials.session_token();
        let mut headers: Vec<(&str, &str)> = vec![("host", host)];
        if let Some(token) = token {
            headers.push(("x-ci-security-token", token));
        }
        let param_refs: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let signature = sign::sign(&inner.credentials, "GET", path, &param_refs, &headers, window);

        let mut request = inner.agent.get(url).header("Host", host).header("Authorization", signature.authorization());
        if let Some(token) = token {
            request = request.header("x-ci-security-token", token);
        }
        log::debug!("GET {url}");
        let mut response = request
            .config()
            .timeout_global(Some(remaining))
            .build()
            .call()
            .map_err(|e| transport_error(e, host, inner, self.timeout))?;

        let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let request_id = header("x-ci-request-id").or_else(|| header("x-cos-request-id"));
        let date = header("date").and_then(|d| httpdate::parse_http_date(&d).ok());
        let status = response.status().as_u16();
        // Sized from Content-Length so the body is read into one buffer
        // instead of a doubling one; capped, so that a server announcing
        // more than it sends cannot make us reserve much.
        let expected = response.body().content_length().unwrap_or(0).min(inner.max_response_bytes).min(PRESIZE_CAP);
        let mut body = Vec::with_capacity(expected as usize + 1);
        response
            .body_mut()
            .with_config()
            .limit(inner.max_response_bytes)
            .reader()
            .read_to_end(&mut body)
            .map_err(ureq::Error::from)
            .map_err(|e| {
                transport_error(e, host, inner, self.timeout)
                    .with_service_details(ServiceDetails { http_status: status, request_id: request_id.clone(), ..Default::default() })
            })?;
        Ok(RawResponse { status, request_id, date, body })
    }
}

/// The most a body buffer is sized up front from Content-Length: far more
/// than a 100-item page (about 50 KiB).
const PRESIZE_CAP: u64 = 1 << 20;

/// Exponential backoff with "equal jitter": half the delay fixed, half random,
/// so that many clients retrying at once spread out but none retries at once.
fn backoff(base: Duration, retries_done: u32) -> Duration {
    let exp = base.saturating_mul(1u32.checked_shl(retries_done).unwrap_or(u32::MAX)).min(MAX_BACKOFF);
    let half = exp / 2;
    half + Duration::from_nanos(jitter_u64() % (half.as_nanos() as u64 + 1))
}

/// A cheap random number for backoff jitter (not for anything secret):
/// SplitMix64 over a shared counter seeded from the clock. It needs no
/// thread-local state, so it allocates nothing in a host's threads.
fn jitter_u64() -> u64 {
    static STATE: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.subsec_nanos() as u64);
    let mut z = STATE.fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed).wrapping_add(nanos);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn is_clock_error(e: &Error) -> bool {
    match e.code() {
        Some("RequestTimeTooSkewed") => true,
        Some("AccessDenied") => e.message().contains("Request has expired"),
        _ => false,
    }
}

fn service_error(raw: &RawResponse) -> Error {
    match xml::parse_error_body(&raw.body) {
        Some(body) => {
            let code = body.code.clone().unwrap_or_else(|| "(no code)".into());
            let message = body.message.clone().unwrap_or_default();
            Error::new(ErrorKind::Service, format!("the service answered HTTP {} {code}: {message}", raw.status)).with_service_details(
                ServiceDetails {
                    http_status: raw.status,
                    code: body.code,
                    request_id: body.request_id.or_else(|| raw.request_id.clone()),
                    resource: body.resource,
                    trace_id: body.trace_id,
                },
            )
        }
        None => {
            let snippet: String = String::from_utf8_lossy(&raw.body[..raw.body.len().min(200)]).chars().filter(|c| !c.is_control()).collect();
            Error::new(ErrorKind::Service, format!("the service answered HTTP {} with a body that is not a CI error: {snippet:?}", raw.status))
                .with_service_details(raw.details())
        }
    }
}

fn transport_error(e: ureq::Error, host: &str, inner: &Inner, timeout: Duration) -> Error {
    let route = match &inner.connect_to {
        Some(target) => format!("{host} (via {target})"),
        None => host.to_owned(),
    };
    let network = |what: String| Error::new(ErrorKind::Network, format!("{route}: {what}"));
    let tls = |what: String| {
        // A certificate the client does not trust stays untrusted: not retried.
        network(format!("TLS failed: {what} (for a private CA, see the ca_file option)")).with_transient(false)
    };
    match e {
        ureq::Error::Timeout(ureq::Timeout::Connect | ureq::Timeout::Resolve) => {
            Error::new(ErrorKind::Timeout, format!("{route}: could not connect within the connect timeout")).with_transient(true)
        }
        ureq::Error::Timeout(which) => {
            Error::new(ErrorKind::Timeout, format!("{route}: timed out ({which}) within the call's {timeout:?} budget"))
        }
        ureq::Error::BodyExceedsLimit(limit) => Error::new(
            ErrorKind::ResponseTooLarge,
            format!("{route}: the response body is larger than the {limit}-byte cap (max_response_bytes); it was not read further"),
        ),
        ureq::Error::Rustls(e) => tls(e.to_string()),
        ureq::Error::Tls(what) => tls(what.to_owned()),
        ureq::Error::Io(io) => {
            if let Some(e) = io.get_ref().and_then(|inner| inner.downcast_ref::<rustls::Error>()) {
                return tls(e.to_string());
            }
            let what = match io.kind() {
                io::ErrorKind::TimedOut => {
                    return Error::new(ErrorKind::Timeout, format!("{route}: timed out: {io}"));
                }
                io::ErrorKind::ConnectionRefused => "connection refused",
                io::ErrorKind::ConnectionReset => "connection reset by the server",
                io::ErrorKind::UnexpectedEof => "the connection closed before the whole response arrived",
                io::ErrorKind::ConnectionAborted | io::ErrorKind::BrokenPipe => "connection aborted",
                _ => "I/O error",
            };
            network(format!("{what}: {io}"))
        }
        ureq::Error::HostNotFound => network("the host name does not resolve".into()),
        ureq::Error::ConnectionFailed => network("the connection could not be made".into()),
        // A malformed answer may be a one-off (a broken connection mid-response).
        ureq::Error::Protocol(e) => network(format!("the server's answer is not valid HTTP: {e}")),
        // Everything else (bad URI, header building, proxy settings) is a
        // property of the request: sending it again cannot help.
        other => network(other.to_string()).with_transient(false),
    }
}

/// The page after `current`, or `None` when `current` was the last.
///
/// Trusts TotalCount when the answer has it; otherwise a full page means
/// there may be more. An empty page always ends the walk, so a service that
/// ignores paging cannot make it loop forever.
fn next_page_number(current: u64, requested_size: Option<u64>, total: Option<u64>, answered_size: Option<u64>, items: usize) -> Option<u64> {
    if items == 0 {
        return None;
    }
    let size = answered_size.or(requested_size).unwrap_or(DEFAULT_PAGE_SIZE).max(1);
    let more = match total {
        Some(total) => current.saturating_mul(size) < total,
        None => items as u64 >= size,
    };
    if more {
        current.checked_add(1)
    } else {
        None
    }
}

/// Iterator over the pages of a pic-bucket query; see [`Client::pic_bucket_pages`].
#[derive(Debug)]
pub struct PicBucketPages {
    client: Client,
    query: PicBucketQuery,
    next_page: Option<u64>,
}

impl Iterator for PicBucketPages {
    type Item = Result<PicBucketPage>;

    fn next(&mut self) -> Option<Self::Item> {
        let current = self.next_page.take()?;
        let query = PicBucketQuery { page_number: Some(current), ..self.query.clone() };
        let page = match self.client.describe_pic_buckets(&query) {
            Ok(page) => page,
            Err(e) => return Some(Err(e)),
        };
        self.next_page = next_page_number(current, self.query.page_size, page.total_count, page.page_size, page.buckets.len());
        Some(Ok(page))
    }
}

/// Iterator over the pages of an AI-queue query; see [`Client::ai_queue_pages`].
#[derive(Debug)]
pub struct AiQueuePages {
    client: Client,
    bucket: String,
    query: AiQueueQuery,
    next_page: Option<u64>,
}

impl Iterator for AiQueuePages {
    type Item = Result<AiQueuePage>;

    fn next(&mut self) -> Option<Self::Item> {
        let current = self.next_page.take()?;
        // The service does not page an answer to queueIds.
        let paged = self.query.queue_ids.is_empty();
        let query = AiQueueQuery { page_number: paged.then_some(current), ..self.query.clone() };
        let page = match self.client.describe_ai_queues(&self.bucket, &query) {
            Ok(page) => page,
            Err(e) => return Some(Err(e)),
        };
        if paged {
            self.next_page = next_page_number(current, self.query.page_size, page.total_count, page.page_size, page.queues.len());
        }
        Some(Ok(page))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paging_stops_at_total_or_short_or_empty_page() {
        assert_eq!(next_page_number(1, Some(10), Some(25), Some(10), 10), Some(2));
        assert_eq!(next_page_number(3, Some(10), Some(25), Some(10), 5), None);
        assert_eq!(next_page_number(2, None, Some(20), None, 10), None);
        assert_eq!(next_page_number(1, None, None, None, 10), Some(2));
        assert_eq!(next_page_number(1, Some(10), None, None, 3), None);
        assert_eq!(next_page_number(1, Some(10), Some(1000), Some(10), 0), None);
    }

    #[test]
    fn backoff_grows_with_jitter_and_a_cap() {
        let base = Duration::from_millis(100);
        for n in 0..40 {
            let d = backoff(base, n);
            let exp = base.saturating_mul(1u32.checked_shl(n).unwrap_or(u32::MAX)).min(MAX_BACKOFF);
            assert!(d >= exp / 2 && d <= exp, "retry {n}: {d:?}");
        }
    }

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
        let b = Client::builder().secret_id("AKIDvisible").secret_key("TOPSECRETKEY").session_token("TOPSECRETTOKEN").region("ap-guangzhou");
        let shown = format!("{b:?} {:?}", b.clone().build().unwrap());
        assert!(shown.contains("AKIDvisible"));
        assert!(!shown.contains("TOPSECRET"), "{shown}");
    }
}
