//! The client: options, the HTTP agent, retries, timeouts and clock skew,
//! and the describe calls of every operation.

use std::fmt;
use std::sync::atomic::{AtomicI64, AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::error::{Error, ErrorKind, Result, ServiceDetails};
use crate::cancel::CancelToken;
use crate::credentials::{CredentialCache, ExpiringCredentials};

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
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Scheme::Https => "https",
            Scheme::Http => "http",
        }
    }
}

mod builder;
mod calls;
mod errors;
mod future;
mod pages;
pub(crate) mod proxy;
mod send;
mod transport;

pub use builder::ClientBuilder;
pub use future::{AsyncPages, Call};
pub use pages::{Pages, DEFAULT_PAGE_CONCURRENCY, MAX_PAGE_CONCURRENCY};
pub use proxy::ProxyConfig;
pub use send::{parse_retry_after, MAX_CLOCK_OFFSET_SECS, MAX_RETRY_AFTER};

/// A Cloud Infinite client. Cheap to clone (clones share one connection pool
/// and one clock-skew correction) and safe to use from many threads at once.
///
/// ```no_run
/// use cloud_infinite::{BucketList, BucketQuery, Client};
/// let client = Client::builder().secret_id("AKID...").secret_key("...").region("ap-guangzhou").build()?;
/// for page in client.bucket_pages(BucketList::Pic, BucketQuery { page_size: Some(100), ..Default::default() }) {
///     for bucket in page?.items() {
///         println!("{:?} {:?}", bucket.name(), bucket.region());
///     }
/// }
/// # Ok::<(), cloud_infinite::Error>(())
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
    /// Per handle, so [`Client::with_timeout`] can vary it on a shared pool.
    timeout: Duration,
    /// Per handle too: see [`Client::with_cancel`].
    cancel: Option<CancelToken>,
    /// Counts the throttled answers (429, SlowDown) this handle's calls
    /// meet, for a pager that fetches ahead and slows down on them.
    throttled: Option<Arc<AtomicU32>>,
}

struct Inner {
    credentials: CredentialCache,
    region: String,
    endpoint: Option<String>,
    connect_to: Option<String>,
    scheme: Scheme,
    max_retries: u32,
    retry_base_delay: Duration,
    max_response_bytes: u64,
    /// Server time minus local time, learnt from a RequestTimeTooSkewed answer.
    clock_offset_secs: AtomicI64,
    /// The proxy requests go through (unless `NO_PROXY` names their host).
    proxy: Option<proxy::ProxyRoute>,
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
            .field("cancel", &self.cancel)
            .field("max_retries", &i.max_retries)
            .field("max_response_bytes", &i.max_response_bytes)
            .field("proxy", &i.proxy)
            .finish_non_exhaustive()
    }
}

/// A response that arrived whole (any status).
struct RawResponse {
    status: u16,
    request_id: Option<String>,
    date: Option<SystemTime>,
    /// How long the answer's `Retry-After` asks us to wait.
    retry_after: Option<Duration>,
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
        Ok(Client { timeout, ..self.clone() })
    }

    /// A handle on the same connection pool whose calls (pagers included)
    /// end with [`ErrorKind::Cancelled`] as soon as `token` is cancelled,
    /// wherever they are: resolving, connecting, in the TLS handshake,
    /// waiting for or reading the answer, or sleeping before a retry. The
    /// connection a cancelled call used is closed, not pooled.
    ///
    /// ```
    /// use cloud_infinite::{BucketList, BucketQuery, CancelToken, ErrorKind};
    /// let client = cloud_infinite::Client::builder().secret_id("AK").secret_key("k").region("ap-guangzhou").build().unwrap();
    /// let token = CancelToken::new();
    /// token.cancel();
    /// let err = client.with_cancel(&token).describe_buckets(BucketList::Pic, &BucketQuery::default()).unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::Cancelled);
    /// ```
    pub fn with_cancel(&self, token: &CancelToken) -> Client {
        Client { cancel: Some(token.clone()), ..self.clone() }
    }

    /// The token this handle's calls carry, if any.
    pub fn cancel_token(&self) -> Option<&CancelToken> {
        self.cancel.as_ref()
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

    /// Replaces the client's credentials at once (every clone's too): calls
    /// already signed keep theirs, the next attempts use these. With a
    /// credentials provider, these serve until they near their expiry, then
    /// the provider is asked again.
    ///
    /// ```
    /// use cloud_infinite::credentials::ExpiringCredentials;
    /// use cloud_infinite::sign::Credentials;
    /// let client = cloud_infinite::Client::builder().secret_id("AKIDold").secret_key("k").region("ap-guangzhou").build().unwrap();
    /// client.set_credentials(ExpiringCredentials::permanent(Credentials::new("AKIDnew", "k2")));
    /// ```
    pub fn set_credentials(&self, credentials: ExpiringCredentials) {
        self.inner.credentials.set(credentials);
    }

    /// Fails the call waiting for a provider that answered
    /// [`Fetched::Pending`](crate::credentials::Fetched::Pending), with
    /// `message` as its credentials error.
    pub fn fail_credentials(&self, message: impl Into<String>) {
        self.inner.credentials.fail(Error::new(ErrorKind::Credentials, message));
    }

    /// How many times the credentials provider has been asked (0 for fixed
    /// keys): the refreshes, for monitoring and tests.
    pub fn credential_fetches(&self) -> u64 {
        self.inner.credentials.fetches()
    }

    fn now_unix(&self) -> u64 {
        let local = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs()) as i64;
        (local + self.clock_offset_secs()).max(0) as u64
    }

}
