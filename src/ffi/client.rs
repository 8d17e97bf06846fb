//! `ci_client`: options and the client handle.

use std::ffi::{c_char, c_void};
use std::time::Duration;

use super::credentials::ci_credentials_callback;
use super::registry::{self, Tag};
use super::{ci_error, ffi_result, flag, null_argument, optional_str};
use crate::client::{Client, ClientBuilder, ProxyConfig, Scheme};
use crate::error::Error;

/// `ci_client_options.scheme`.
#[repr(u32)]
#[derive(Debug, Clone, Copy)]
pub enum ci_scheme {
    /// Not set: HTTPS.
    Default = 0,
    /// HTTPS, certificates checked.
    Https = 1,
    /// Plain HTTP (a local emulator, a trusted private route).
    Http = 2,
}

/// `ci_client_options.proxy_mode`.
#[repr(u32)]
#[derive(Debug, Clone, Copy)]
pub enum ci_proxy_mode {
    /// Not set: from `HTTPS_PROXY` / `HTTP_PROXY` / `ALL_PROXY`, honouring `NO_PROXY`.
    FromEnvironment = 0,
    /// Connect directly.
    Disabled = 1,
    /// Use `proxy_url`.
    Url = 2,
}

/// How to make a client. NULL strings, zero enums and `has_` flags of 0
/// mean "not set": the default, or with `from_env` the environment's value.
/// A number whose `has_` flag is 1 is used as given, 0 included (and
/// refused where 0 cannot work, such as a timeout). Strings are borrowed
/// for the duration of `ci_client_new` only.
///
/// ```c
/// ci_client_options opts = {0};
/// opts.from_env = 1;                // TENCENTCLOUD_SECRET_ID, ..._SECRET_KEY, ..._REGION
/// opts.region = "ap-guangzhou";     // explicit fields win
/// ```
#[repr(C)]
pub struct ci_client_options {
    /// Fill unset credentials and region from `TENCENTCLOUD_SECRET_ID`,
    /// `TENCENTCLOUD_SECRET_KEY`, `TENCENTCLOUD_SESSION_TOKEN` (or
    /// `TENCENTCLOUD_SECURITY_TOKEN`) and `TENCENTCLOUD_REGION` (1), or
    /// not (0). The environment's three credentials go together: an explicit
    /// `secret_id` or `secret_key` drops the environment's session token.
    pub from_env: u8,
    /// SecretId (`q-ak`). Required (here or from the environment).
    pub secret_id: *const c_char,
    /// SecretKey. Required (here or from the environment).
    pub secret_key: *const c_char,
    /// Session token of temporary credentials, sent and signed as `x-ci-security-token`.
    pub session_token: *const c_char,
    /// Region, e.g. `"ap-guangzhou"`. Required (here or from the environment).
    pub region: *const c_char,
    /// Replaces `ci.<region>.myqcloud.com` (`host[:port]`); bucket calls go to `<bucket>.<endpoint>`.
    pub endpoint: *const c_char,
    /// Dial this `host:port` for every request, keeping Host, path and
    /// signature as production gets them (like curl's `--connect-to`); no proxy is used.
    pub connect_to: *const c_char,
    /// One of `ci_scheme` (0: HTTPS).
    pub scheme: u32,
    /// 1 when `connect_timeout_ms` is set, else 0 (5000 ms).
    pub has_connect_timeout_ms: u8,
    /// Connect timeout in milliseconds, at least 1.
    pub connect_timeout_ms: u64,
    /// 1 when `timeout_ms` is set, else 0 (30000 ms).
    pub has_timeout_ms: u8,
    /// Timeout of a whole call, retries and reading the answer included, in
    /// milliseconds, at least 1.
    pub timeout_ms: u64,
    /// 1 when `max_retries` is set, else 0 (3).
    pub has_max_retries: u8,
    /// Retries of connection failures, 5xx and throttling; 0 for none.
    pub max_retries: u32,
    /// 1 when `retry_base_delay_ms` is set, else 0 (100 ms).
    pub has_retry_base_delay_ms: u8,
    /// First backoff delay in milliseconds, doubled each retry with jitter;
    /// 0 retries at once.
    pub retry_base_delay_ms: u64,
    /// 1 when `max_response_bytes` is set, else 0 (16 MiB).
    pub has_max_response_bytes: u8,
    /// Largest response body accepted, in bytes, at least 1.
    pub max_response_bytes: u64,
    /// Appended to the `cloud-infinite/<version>` User-Agent.
    pub user_agent_suffix: *const c_char,
    /// One of `ci_proxy_mode` (0: from the environment).
    pub proxy_mode: u32,
    /// The proxy when `proxy_mode` is `CI_PROXY_MODE_URL`, e.g. `"http://proxy:3128"`.
    pub proxy_url: *const c_char,
    /// A PEM file of CA certificates to trust for HTTPS instead of the
    /// built-in Mozilla roots (a private CA); NULL: the built-in roots.
    /// Certificates are always verified.
    pub ca_file: *const c_char,
    /// Where the keys come from: one of `ci_credentials_source` (0: the
    /// `secret_id`, `secret_key` and `session_token` above, which must then
    /// be unset otherwise, except as `from_env` fills them).
    pub credentials: u32,
    /// The function `CI_CREDENTIALS_SOURCE_CALLBACK` calls for credentials.
    pub credentials_callback: ci_credentials_callback,
    /// Passed to `credentials_callback` unchanged; it must stay valid as
    /// long as the client lives.
    pub credentials_user_data: *mut c_void,
    /// `CI_CREDENTIALS_SOURCE_PROFILE_FILE`: the section (NULL: `default`).
    pub profile_name: *const c_char,
    /// `CI_CREDENTIALS_SOURCE_CVM_ROLE`: the role (NULL: the first listed).
    pub cvm_role: *const c_char,
    /// The metadata service's `.../cam/security-credentials/` URL for the
    /// CVM role and the default chain (NULL: `$TENCENTCLOUD_METADATA_ENDPOINT`,
    /// else Tencent's).
    pub metadata_endpoint: *const c_char,
    /// The STS endpoint for TKE OIDC and the default chain (NULL:
    /// `$TENCENTCLOUD_STS_ENDPOINT`, else `https://sts.tencentcloudapi.com/`).
    pub sts_endpoint: *const c_char,
    /// 1 when `refresh_margin_ms` is set, else 0 (300000 ms).
    pub has_refresh_margin_ms: u8,
    /// How long before they expire a provider's credentials are renewed, in ms.
    pub refresh_margin_ms: u64,
}

/// A client: opaque, thread-safe (one client may serve any number of
/// threads at once, sharing one connection pool). Release it with `ci_free`.
pub struct ci_client {
    pub(crate) client: Client,
}

/// The live client behind `client`, cloned (a reference count) so the call
/// can proceed even if another thread frees the handle meanwhile.
pub(crate) fn client_from(client: *const ci_client) -> Result<Client, Error> {
    if client.is_null() {
        return Err(null_argument("client"));
    }
    registry::with_live(client, Tag::Client, |c| c.client.clone())
        .ok_or_else(|| Error::invalid_argument(not_live("client", client.cast(), Tag::Client)))
}

/// Says what a pointer that is not a live object of `tag` is instead.
pub(crate) fn not_live(name: &str, ptr: *const u8, tag: Tag) -> String {
    match registry::tag_of(ptr) {
        Some(other) => format!("{name} is a {}, not a {}", other.c_name(), tag.c_name()),
        None => format!("{name} is not a live {} (already freed, or not made by this library)", tag.c_name()),
    }
}

/// Builds the core's options from the C struct.
///
/// # Safety
/// The string fields are NULL or valid NUL-terminated strings.
unsafe fn builder_from(o: &ci_client_options) -> Result<ClientBuilder, Error> {
    let mut b = if flag(o.from_env, "from_env")? { ClientBuilder::from_env() } else { ClientBuilder::new() };
    let text = |p: *const c_char, name: &str| {
        // SAFETY: every string field is NULL or a valid C string per the contract.
        unsafe { optional_str(p, name) }.map(|s| s.map(str::to_owned))
    };
    if let Some(v) = text(o.secret_id, "secret_id")? {
        b = b.secret_id(v);
    }
    if let Some(v) = text(o.secret_key, "secret_key")? {
        b = b.secret_key(v);
    }
    if let Some(v) = text(o.session_token, "session_token")? {
        b = b.session_token(v);
    }
    if let Some(v) = text(o.region, "region")? {
        b = b.region(v);
    }
    if let Some(v) = text(o.endpoint, "endpoint")? {
        b = b.endpoint(v);
    }
    if let Some(v) = text(o.connect_to, "connect_to")? {
        b = b.connect_to(v);
    }
    if let Some(v) = text(o.user_agent_suffix, "user_agent_suffix")? {
        b = b.user_agent_suffix(v);
    }
    if let Some(v) = text(o.ca_file, "ca_file")? {
        b = b.ca_file(v);
    }
    const DEFAULT: u32 = ci_scheme::Default as u32;
    const HTTPS: u32 = ci_scheme::Https as u32;
    const HTTP: u32 = ci_scheme::Http as u32;
    b = match o.scheme {
        DEFAULT | HTTPS => b.scheme(Scheme::Https),
        HTTP => b.scheme(Scheme::Http),
        other => return Err(Error::invalid_argument(format!("scheme {other} is not a ci_scheme (0 default, 1 https, 2 http)"))),
    };
    const FROM_ENVIRONMENT: u32 = ci_proxy_mode::FromEnvironment as u32;
    const DISABLED: u32 = ci_proxy_mode::Disabled as u32;
    const URL: u32 = ci_proxy_mode::Url as u32;
    b = match o.proxy_mode {
        FROM_ENVIRONMENT => b.proxy(ProxyConfig::FromEnvironment),
        DISABLED => b.proxy(ProxyConfig::Disabled),
        URL => match text(o.proxy_url, "proxy_url")? {
            Some(url) => b.proxy(ProxyConfig::Url(url)),
            None => return Err(null_argument("proxy_url (proxy_mode is CI_PROXY_MODE_URL)")),
        },
        other => return Err(Error::invalid_argument(format!("proxy_mode {other} is not a ci_proxy_mode (0 environment, 1 disabled, 2 url)"))),
    };
    if flag(o.has_connect_timeout_ms, "has_connect_timeout_ms")? {
        b = b.connect_timeout(Duration::from_millis(o.connect_timeout_ms));
    }
    if flag(o.has_timeout_ms, "has_timeout_ms")? {
        b = b.timeout(Duration::from_millis(o.timeout_ms));
    }
    if flag(o.has_max_retries, "has_max_retries")? {
        b = b.max_retries(o.max_retries);
    }
    if flag(o.has_retry_base_delay_ms, "has_retry_base_delay_ms")? {
        b = b.retry_base_delay(Duration::from_millis(o.retry_base_delay_ms));
    }
    if flag(o.has_max_response_bytes, "has_max_response_bytes")? {
        b = b.max_response_bytes(o.max_response_bytes);
    }
    // SAFETY: the options' strings are NULL or valid per the contract.
    if let Some(provider) = unsafe { super::credentials::provider_from(o) }? {
        b = b.credentials_provider(provider);
    }
    if flag(o.has_refresh_margin_ms, "has_refresh_margin_ms")? {
        b = b.refresh_margin(Duration::from_millis(o.refresh_margin_ms));
    }
    Ok(b)
}

/// Makes a client from `options` (which must not be NULL; all-zero options
/// with `from_env` read everything from the environment).
///
/// On success `*out` is a new client the caller owns (release it with
/// `ci_free`) and NULL is returned. On failure `*out` is NULL and the
/// returned error says why: `CI_KIND_NULL_ARGUMENT` for a NULL `options` or
/// `out`, or a NULL `proxy_url` with `CI_PROXY_MODE_URL`;
/// `CI_KIND_INVALID_ARGUMENT` for missing or empty credentials or region, a
/// SecretId or session token that is not printable ASCII, a region or
/// endpoint that is not a host name, a `connect_to` that is not `host:port`,
/// a `proxy_url` that is not a proxy URL, a `user_agent_suffix` that is not
/// printable ASCII, a `ca_file` that cannot be read or holds no certificate, an unknown enum value, a flag other than 0 or 1, or a
/// string that is not UTF-8. Nothing is sent over the network.
#[no_mangle]
pub extern "C" fn ci_client_new(options: *const ci_client_options, out: *mut *mut ci_client) -> *mut ci_error {
    ffi_result(out, || {
        if options.is_null() {
            return Err(null_argument("options"));
        }
        // SAFETY: non-NULL, and points to a `ci_client_options` per the contract.
        let options = unsafe { &*options };
        // SAFETY: the options' strings are NULL or valid per the contract.
        let client = unsafe { builder_from(options) }?.build()?;
        Ok(registry::hand_out(ci_client { client }, Tag::Client))
    })
}

