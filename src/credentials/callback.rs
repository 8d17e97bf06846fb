//! Keys from the caller's own function: how a C, Python, Go or Node
//! program hands the library credentials it gets its own way.

use std::fmt;

use super::{checked, CredentialProvider, ExpiringCredentials, Fetched};
use crate::error::{Error, ErrorKind, Result};

type Callback = dyn Fn() -> std::result::Result<ExpiringCredentials, String> + Send + Sync;

/// Calls a function for credentials. It may be called from any of the
/// library's threads (never two at once for one client); an error it
/// returns, or a panic, becomes a [`ErrorKind::Credentials`] error.
///
/// ```
/// use cloud_infinite::credentials::{CallbackProvider, CredentialProvider, ExpiringCredentials};
/// use cloud_infinite::sign::Credentials;
/// let provider = CallbackProvider::new("my vault", || Ok(ExpiringCredentials::permanent(Credentials::new("AKID", "key"))));
/// assert!(provider.fetch().is_ok());
/// ```
pub struct CallbackProvider {
    name: String,
    callback: Box<Callback>,
}

impl CallbackProvider {
    /// A provider called `name` (for messages) that calls `callback`.
    pub fn new(name: impl Into<String>, callback: impl Fn() -> std::result::Result<ExpiringCredentials, String> + Send + Sync + 'static) -> Self {
        CallbackProvider { name: name.into(), callback: Box::new(callback) }
    }
}

impl fmt::Debug for CallbackProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallbackProvider").field("name", &self.name).finish_non_exhaustive()
    }
}

impl CredentialProvider for CallbackProvider {
    fn name(&self) -> String {
        self.name.clone()
    }

    fn fetch(&self) -> Result<Fetched> {
        let fail = |what: String| Error::new(ErrorKind::Credentials, format!("{}: {what}", self.name));
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| (self.callback)())) {
            Ok(Ok(found)) => checked(&self.name, found.credentials, found.expires_at),
            Ok(Err(message)) => Err(fail(format!("the callback failed: {message}"))),
            Err(_) => Err(fail("the callback panicked".into())),
        }
    }
}
