//! Credentials through the C ABI: which provider `ci_client_new` uses, the
//! callback a C program (or a binding) supplies, and rotating a live
//! client's keys by hand.

use std::ffi::{c_char, c_void, CStr};
use std::time::{Duration, UNIX_EPOCH};

use super::client::{client_from, ci_client, ci_client_options};
use super::{ci_error, ffi_status, null_argument, optional_str, required_str};
use crate::credentials::{CredentialProvider, CvmRoleProvider, EnvProvider, ExpiringCredentials, Fetched, OidcProvider, ProfileProvider};
use crate::error::{Error, ErrorKind};
use crate::sign::Credentials;

/// `ci_client_options.credentials`: where the client's keys come from.
#[repr(u32)]
#[derive(Debug, Clone, Copy)]
pub enum ci_credentials_source {
    /// `secret_id`, `secret_key` and `session_token` (with `from_env`, the
    /// environment fills those not set): fixed keys.
    Keys = 0,
    /// Tencent's default chain, in its order: the environment, the profile
    /// file, the CVM role, TKE OIDC; refreshed before expiry.
    DefaultChain = 1,
    /// The environment's keys, read when the client is made.
    Environment = 2,
    /// The profile file (`profile_name`, default `default`).
    ProfileFile = 3,
    /// The CVM instance role (`cvm_role`, default the first listed).
    CvmRole = 4,
    /// TKE OIDC: STS `AssumeRoleWithWebIdentity` with the `TKE_*` variables.
    TkeOidc = 5,
    /// `credentials_callback`.
    Callback = 6,
}

/// Credentials a callback hands back, or that `ci_client_set_credentials`
/// installs. The library copies the strings before the call returns.
#[repr(C)]
pub struct ci_credential_values {
    /// SecretId (or TmpSecretId). Required.
    pub secret_id: *const c_char,
    /// SecretKey (or TmpSecretKey). Required.
    pub secret_key: *const c_char,
    /// Session token of temporary credentials, or NULL.
    pub session_token: *const c_char,
    /// When they expire, in Unix seconds; 0 for keys that never do.
    pub expires_at_unix: u64,
}

/// What a credentials callback returns when it has only started getting
/// the credentials: the library then waits, within the call's timeout, for
/// `ci_client_set_credentials` (or `ci_client_fail_credentials`) on the
/// same client, from any thread. How a runtime whose callbacks cannot
/// block (a JavaScript Promise) hands credentials over.
pub const CI_CREDENTIALS_PENDING: i32 = -1;

/// A credentials callback: fill `*out` and return 0; or return
/// `CI_CREDENTIALS_PENDING` and hand them over later; or return any other
/// value on failure, optionally after writing a message (NUL-terminated, at
/// most `message_len` bytes including the NUL) into `message`. It is called
/// from whichever thread needs new credentials (never two at once for one
/// client), with the `credentials_user_data` of the options. The strings
/// it writes into `*out` are copied after it returns, so they must outlive
/// the call: keep them until the callback is next called for this client
/// or the client is freed. A callback that cannot keep them (a runtime's
/// temporary strings) can instead call `ci_client_set_credentials` on its
/// client, which copies at once, and return `CI_CREDENTIALS_PENDING`.
pub type ci_credentials_callback =
    Option<unsafe extern "C" fn(user_data: *mut c_void, out: *mut ci_credential_values, message: *mut c_char, message_len: usize) -> i32>;

/// Room for a callback's failure message.
const MESSAGE_LEN: usize = 512;

/// Reads `values` into credentials.
///
/// # Safety
/// `values` points to a valid `ci_credential_values` whose strings are NULL
/// or valid C strings.
unsafe fn values_from(values: &ci_credential_values) -> Result<ExpiringCredentials, Error> {
    // SAFETY: per the contract.
    let (id, key, token) = unsafe {
        (
            required_str(values.secret_id, "secret_id")?,
            required_str(values.secret_key, "secret_key")?,
            optional_str(values.session_token, "session_token")?,
        )
    };
    let mut credentials = Credentials::new(id, key);
    if let Some(token) = token {
        credentials = credentials.with_session_token(token);
    }
    credentials.validate()?;
    let expires_at = (values.expires_at_unix != 0).then(|| UNIX_EPOCH + Duration::from_secs(values.expires_at_unix));
    Ok(ExpiringCredentials { credentials, expires_at })
}

/// The C function and its user data, which the caller promises may be
/// called from any thread.
struct CCallback {
    function: unsafe extern "C" fn(*mut c_void, *mut ci_credential_values, *mut c_char, usize) -> i32,
    user_data: *mut c_void,
}

// SAFETY: the options' contract makes the callback and its user data
// callable from any thread, one call at a time per client, which the
// credential cache guarantees.
unsafe impl Send for CCallback {}
// SAFETY: as above.
unsafe impl Sync for CCallback {}

impl std::fmt::Debug for CCallback {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CCallback")
    }
}

impl CredentialProvider for CCallback {
    fn name(&self) -> String {
        "the credentials callback".into()
    }

    fn fetch(&self) -> Result<Fetched, Error> {
        match self.call() {
            Ok(Some(found)) => Ok(Fetched::Found(found)),
            Ok(None) => Ok(Fetched::Pending),
            Err(message) => Err(Error::new(ErrorKind::Credentials, format!("the credentials callback failed: {message}"))),
        }
    }
}

impl CCallback {
    /// The callback's credentials, `None` when it answered pending, or its failure.
    fn call(&self) -> Result<Option<ExpiringCredentials>, String> {
        let mut values = ci_credential_values { secret_id: std::ptr::null(), secret_key: std::ptr::null(), session_token: std::ptr::null(), expires_at_unix: 0 };
        let mut message = [0 as c_char; MESSAGE_LEN];
        // SAFETY: `function` is the caller's callback, called as its
        // contract says, with buffers that live for the call.
        let status = unsafe { (self.function)(self.user_data, &mut values, message.as_mut_ptr(), MESSAGE_LEN) };
        if status == CI_CREDENTIALS_PENDING {
            return Ok(None);
        }
        if status != 0 {
            // Bounded and NUL-terminated whatever the callback wrote.
            message[MESSAGE_LEN - 1] = 0;
            // SAFETY: the buffer is NUL-terminated within its length.
            let text = unsafe { CStr::from_ptr(message.as_ptr()) }.to_string_lossy();
            let text: String = text.chars().filter(|c| !c.is_control()).collect();
            return Err(if text.is_empty() { format!("status {status}, no message") } else { format!("{text} (status {status})") });
        }
        // SAFETY: the callback filled `values` with strings valid until now.
        unsafe { values_from(&values) }.map(Some).map_err(|e| e.message().to_owned())
    }
}

/// The provider `o.credentials` names, from the options' other credential fields.
///
/// # Safety
/// The string arguments are NULL or valid C strings.
pub(super) unsafe fn provider_from(o: &ci_client_options) -> Result<Option<Box<dyn CredentialProvider>>, Error> {
    let source = o.credentials;
    let (callback, user_data) = (o.credentials_callback, o.credentials_user_data);
    // SAFETY: per the contract.
    let (profile_name, cvm_role, metadata, sts) = unsafe {
        (
            optional_str(o.profile_name, "profile_name")?,
            optional_str(o.cvm_role, "cvm_role")?,
            optional_str(o.metadata_endpoint, "metadata_endpoint")?,
            optional_str(o.sts_endpoint, "sts_endpoint")?,
        )
    };
    let misplaced = |field: &str| Error::invalid_argument(format!("{field} is set, but credentials is not the source that reads it"));
    if profile_name.is_some() && source != ci_credentials_source::ProfileFile as u32 {
        return Err(misplaced("profile_name"));
    }
    if cvm_role.is_some() && source != ci_credentials_source::CvmRole as u32 {
        return Err(misplaced("cvm_role"));
    }
    if callback.is_some() && source != ci_credentials_source::Callback as u32 {
        return Err(misplaced("credentials_callback"));
    }
    let reads_metadata = [ci_credentials_source::DefaultChain as u32, ci_credentials_source::CvmRole as u32].contains(&source);
    let reads_sts = [ci_credentials_source::DefaultChain as u32, ci_credentials_source::TkeOidc as u32].contains(&source);
    if metadata.is_some() && !reads_metadata {
        return Err(misplaced("metadata_endpoint"));
    }
    if sts.is_some() && !reads_sts {
        return Err(misplaced("sts_endpoint"));
    }
    const KEYS: u32 = ci_credentials_source::Keys as u32;
    const CHAIN: u32 = ci_credentials_source::DefaultChain as u32;
    const ENV: u32 = ci_credentials_source::Environment as u32;
    const PROFILE: u32 = ci_credentials_source::ProfileFile as u32;
    const CVM: u32 = ci_credentials_source::CvmRole as u32;
    const OIDC: u32 = ci_credentials_source::TkeOidc as u32;
    const CALLBACK: u32 = ci_credentials_source::Callback as u32;
    Ok(Some(match source {
        KEYS => return Ok(None),
        CHAIN => Box::new(crate::credentials::default_chain_at(metadata, sts)),
        ENV => Box::new(EnvProvider::new()),
        PROFILE => Box::new(match profile_name {
            Some(name) => ProfileProvider::new().profile(name),
            None => ProfileProvider::new(),
        }),
        CVM => {
            let mut cvm = CvmRoleProvider::new();
            if let Some(role) = cvm_role {
                cvm = cvm.role(role);
            }
            if let Some(endpoint) = metadata {
                cvm = cvm.endpoint(endpoint);
            }
            Box::new(cvm)
        }
        OIDC => Box::new(match sts {
            Some(endpoint) => OidcProvider::from_env().endpoint(endpoint),
            None => OidcProvider::from_env(),
        }),
        CALLBACK => {
            let function = callback.ok_or_else(|| null_argument("credentials_callback (credentials is CI_CREDENTIALS_SOURCE_CALLBACK)"))?;
            Box::new(CCallback { function, user_data })
        }
        other => return Err(Error::invalid_argument(format!("credentials {other} is not a ci_credentials_source (0 to 6)"))),
    }))
}

/// Replaces a live client's credentials at once, from any thread: calls
/// already signed keep theirs, the next attempts use these. With a
/// provider, these serve until they near their expiry (`expires_at_unix`),
/// then the provider is asked again.
///
/// Returns NULL on success; `NULL_ARGUMENT` for a NULL `client`, `values`
/// or required string; `INVALID_ARGUMENT` for a handle that is not a live
/// client, or keys that cannot sign (empty, or not printable ASCII).
#[no_mangle]
pub extern "C" fn ci_client_set_credentials(client: *const ci_client, values: *const ci_credential_values) -> *mut ci_error {
    ffi_status(|| {
        if values.is_null() {
            return Err(null_argument("values"));
        }
        // SAFETY: non-NULL and valid per the contract.
        let credentials = unsafe { values_from(&*values) }?;
        client_from(client)?.set_credentials(credentials);
        Ok(())
    })
}

/// Reports that a credentials callback which returned
/// `CI_CREDENTIALS_PENDING` could not get credentials: the call waiting for
/// them fails with `CI_KIND_CREDENTIALS` and `message` (UTF-8, may be NULL).
/// From any thread. Returns NULL, or `NULL_ARGUMENT` / `INVALID_ARGUMENT`
/// for a client that is NULL or not live.
#[no_mangle]
pub extern "C" fn ci_client_fail_credentials(client: *const ci_client, message: *const c_char) -> *mut ci_error {
    ffi_status(|| {
        // SAFETY: NULL or a valid C string per the contract.
        let message = unsafe { optional_str(message, "message") }?.unwrap_or("no reason given");
        client_from(client)?.fail_credentials(format!("the credentials callback failed: {message}"));
        Ok(())
    })
}

/// How many times the client's provider has been asked for credentials
/// (0 for fixed keys, or for NULL or a handle that is not live): lets a
/// program or a test see the refreshes.
#[no_mangle]
pub extern "C" fn ci_client_credential_fetches(client: *const ci_client) -> u64 {
    super::ffi_boundary!(0, client_from(client).map_or(0, |c| c.credential_fetches()))
}
