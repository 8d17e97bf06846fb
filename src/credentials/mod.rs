//! Where a client's keys come from, and keeping them fresh: Tencent's
//! provider chain (the environment, a profile file, a CVM instance role,
//! TKE's OIDC web identity), a caller's own function, and the cache that
//! refreshes them before they expire with one refresh in flight per client.
//!
//! A provider answers [`Fetched::Absent`] when its source is simply not
//! there (no variable set, no file, not on a CVM), so that a chain moves on,
//! and an error when the source is there but broken, so that a chain stops
//! and says so instead of silently using the next one.

mod cache;
mod callback;
mod chain;
mod cvm;
mod env;
mod http;
mod oidc;
mod profile;

use std::fmt;
use std::time::SystemTime;

pub use cache::{CredentialCache, DEFAULT_REFRESH_MARGIN};
pub use callback::CallbackProvider;
pub use chain::ChainProvider;
pub use cvm::{CvmRoleProvider, DEFAULT_METADATA_ENDPOINT, METADATA_ENDPOINT_VAR};
pub use env::EnvProvider;
pub use oidc::{OidcProvider, DEFAULT_STS_ENDPOINT, STS_ENDPOINT_VAR};
pub use profile::ProfileProvider;

use crate::error::Result;
use crate::sign::Credentials;

/// Credentials and, for temporary ones, when they expire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpiringCredentials {
    /// The keys (and session token) to sign with.
    pub credentials: Credentials,
    /// When they stop working; `None` for long-term keys, never refreshed.
    pub expires_at: Option<SystemTime>,
}

impl ExpiringCredentials {
    /// Long-term keys that never expire.
    pub fn permanent(credentials: Credentials) -> Self {
        ExpiringCredentials { credentials, expires_at: None }
    }

    /// Whether they have expired at `now`.
    pub fn expired_at(&self, now: SystemTime) -> bool {
        self.expires_at.is_some_and(|at| at <= now)
    }
}

/// What a provider found.
#[derive(Debug)]
pub enum Fetched {
    /// Credentials, checked as the signer needs them.
    Found(ExpiringCredentials),
    /// This source is not configured here; the text says what was looked
    /// for (`TENCENTCLOUD_SECRET_ID is not set`), for a chain's message.
    Absent(String),
    /// The provider will hand the credentials over later, from another
    /// thread, with [`CredentialCache::set`] (or report its failure with
    /// [`CredentialCache::fail`]): how a binding whose callback can only
    /// start the work (a JavaScript Promise) answers. The cache waits for
    /// it within the call's deadline.
    Pending,
}

/// A source of credentials. Implementations must be cheap to call again:
/// the cache calls [`fetch`](CredentialProvider::fetch) each time the
/// credentials near their expiry, and never from two threads at once for
/// one client.
pub trait CredentialProvider: Send + Sync + fmt::Debug {
    /// What the provider is, for messages: "the environment", "the CVM role".
    fn name(&self) -> String;

    /// Fetches credentials now. An error means the source exists but could
    /// not give usable credentials; its message names what was tried.
    fn fetch(&self) -> Result<Fetched>;
}

impl<P: CredentialProvider + ?Sized> CredentialProvider for Box<P> {
    fn name(&self) -> String {
        (**self).name()
    }

    fn fetch(&self) -> Result<Fetched> {
        (**self).fetch()
    }
}

/// The default chain, in Tencent's order (tencentcloud-sdk-python's
/// `DefaultCredentialProvider`): the environment, the profile file, the CVM
/// instance role, then TKE's OIDC web identity.
///
/// ```
/// use cloud_infinite::credentials::{default_chain, CredentialProvider};
/// assert!(default_chain().name().contains("environment"));
/// ```
pub fn default_chain() -> ChainProvider {
    default_chain_at(None, None)
}

/// [`default_chain`] asking the metadata service and STS at these
/// endpoints (`None`: their variables, else Tencent's): for tests and
/// private clouds.
pub fn default_chain_at(metadata_endpoint: Option<&str>, sts_endpoint: Option<&str>) -> ChainProvider {
    let mut cvm = CvmRoleProvider::new();
    if let Some(endpoint) = metadata_endpoint {
        cvm = cvm.endpoint(endpoint);
    }
    let mut oidc = OidcProvider::from_env();
    if let Some(endpoint) = sts_endpoint {
        oidc = oidc.endpoint(endpoint);
    }
    ChainProvider::new(vec![Box::new(EnvProvider::new()), Box::new(ProfileProvider::new()), Box::new(cvm), Box::new(oidc)])
}

/// Checks fetched credentials as the signer needs them, naming the provider.
fn checked(provider: &str, credentials: Credentials, expires_at: Option<SystemTime>) -> Result<Fetched> {
    credentials.validate().map_err(|e| {
        // The signer's hint ("set it or TENCENTCLOUD_SECRET_KEY") is for keys
        // given by hand; here the provider gave them.
        let what = e.message().split(": set it or").next().unwrap_or_default();
        crate::Error::new(crate::ErrorKind::Credentials, format!("{provider} gave credentials that cannot sign: {what}"))
    })?;
    // Already expired: they could only earn an ExpiredToken answer.
    if let Some(at) = expires_at.filter(|at| *at <= SystemTime::now()) {
        let secs = at.duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_secs());
        return Err(crate::Error::new(
            crate::ErrorKind::Credentials,
            format!("{provider} gave credentials that expired already (at Unix time {secs}); check the local clock"),
        ));
    }
    Ok(Fetched::Found(ExpiringCredentials { credentials, expires_at }))
}

/// A short, printable form of text a credential service sent, for an error.
fn shorten(text: &str) -> String {
    const MAX: usize = 100;
    let mut out: String = text.chars().take(MAX).flat_map(|c| if c.is_control() { c.escape_default().collect::<Vec<_>>() } else { vec![c] }).collect();
    if text.chars().count() > MAX {
        out.push('…');
    }
    out
}
