//! Sending one signed GET: attempts, retries with backoff, and the clock correction.

use std::io::Read as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::errors::{service_error, transport_error};
use super::transport;
use crate::cancel::{cancelled_error, CancelToken};
use super::{Client, RawResponse, MAX_BACKOFF, SIGNATURE_BACKDATE_SECS, SIGNATURE_LIFETIME_SECS};
use crate::error::{Error, ErrorKind, Result, ServiceDetails};
use crate::request;
use crate::sign::{self, Credentials, SignWindow};

impl Client {
    /// Sends a signed GET, retrying what is safe to retry, and returns the
    /// 2xx answer or the error the last attempt ended in.
    pub(super) fn get(&self, host: &str, path: &str, params: &[(&'static str, String)]) -> Result<RawResponse> {
        let inner = &*self.inner;
        let started = Instant::now();
        // A timeout too large to add (`Duration::MAX` for "no limit") is capped
        // at a year rather than overflowing.
        let deadline = started.checked_add(self.timeout).unwrap_or_else(|| started + Duration::from_secs(365 * 24 * 3600));
        let url = format!("{}://{host}{}", inner.scheme.as_str(), request::path_and_query(path, params));
        let mut retries_done = 0;
        let mut clock_corrected = false;
        // The generation of credentials the service refused as expired, once.
        let mut rejected: Option<u64> = None;
        // The sockets of this call are registered with its token until the
        // call ends (see transport.rs).
        let _scope = transport::enter(self.cancel.as_ref());
        let cancelled = || self.cancel.as_ref().is_some_and(CancelToken::is_cancelled);
        loop {
            if cancelled() {
                return Err(cancelled_error(path));
            }
            let lease = inner.credentials.current(rejected, deadline)?;
            let answer = self.attempt(&url, host, path, params, &lease.credentials.credentials, deadline);
            // Whatever the transport said, a cancelled call ends as one: a
            // shutdown can end a body without framing early, so even a
            // complete-looking answer read during a cancel is not trusted.
            if cancelled() {
                return Err(cancelled_error(path));
            }
            let (error, server_date, retry_after) = match answer {
                Ok(raw) if (200..300).contains(&raw.status) => return Ok(raw),
                Ok(raw) => (service_error(&raw), raw.date, raw.retry_after),
                Err(e) => (e, None, None),
            };
            if is_throttled(&error) {
                if let Some(count) = &self.throttled {
                    count.fetch_add(1, Ordering::Relaxed);
                }
            }
            // Tencent's COS error table lists ExpiredToken as HTTP 400: key
            // on the code. Renew once and sign again, as for the clock.
            if rejected.is_none() && error.code() == Some("ExpiredToken") {
                rejected = Some(lease.generation);
                log::warn!("the service refused the session token as expired; renewing the credentials and signing again");
                continue;
            }
            if !clock_corrected && is_clock_error(&error) {
                if let Some(date) = server_date {
                    clock_corrected = true;
                    let local = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs()) as i64;
                    let server = date.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs()) as i64;
                    let offset = server.saturating_sub(local);
                    if offset.unsigned_abs() > MAX_CLOCK_OFFSET_SECS {
                        // A Date that far off is a broken or hostile answer, not
                        // skew: kept, it would sign every later call wrongly.
                        let note = format!(
                            "{} (the clock was not corrected: the answer's Date is {offset} s from the local clock, more than the {MAX_CLOCK_OFFSET_SECS} s this client corrects; check the local clock)",
                            error.message()
                        );
                        return Err(error.with_message(note));
                    }
                    inner.clock_offset_secs.store(offset, Ordering::Relaxed);
                    log::warn!("clock differs from the service's by {offset}s; signing again");
                    continue;
                }
            }
            if !error.is_retryable() || retries_done >= inner.max_retries {
                return Err(error);
            }
            let mut delay = backoff(inner.retry_base_delay, retries_done);
            if let Some(asked) = retry_after {
                if asked > MAX_RETRY_AFTER {
                    let note = format!(
                        "{} (not retried: the answer's Retry-After asks for {} s, more than the {} s this client waits)",
                        error.message(),
                        asked.as_secs(),
                        MAX_RETRY_AFTER.as_secs()
                    );
                    return Err(error.with_message(note));
                }
                delay = delay.max(asked);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if delay >= left {
                // Not enough time left for another attempt: the caller gets
                // the last real answer (same kind, code and status), told why
                // it was not retried, at once rather than after a sleep that
                // could only end in a timeout.
                let why = match retry_after {
                    Some(asked) if asked >= left => format!("the answer's Retry-After asks for {asked:?}, more than the {left:?} left of the call's {:?} timeout", self.timeout),
                    _ => format!("the call's {:?} timeout leaves no time for attempt {}", self.timeout, retries_done + 2),
                };
                let note = format!("{} (not retried again: {why})", error.message());
                return Err(error.with_message(note));
            }
            log::debug!("retrying {path} in {delay:?} after: {error}");
            match &self.cancel {
                Some(token) => {
                    if token.sleep(delay) {
                        return Err(cancelled_error(path));
                    }
                }
                None => std::thread::sleep(delay),
            }
            retries_done += 1;
        }
    }

    fn attempt(
        &self,
        url: &str,
        host: &str,
        path: &str,
        params: &[(&'static str, String)],
        credentials: &Credentials,
        deadline: Instant,
    ) -> Result<RawResponse> {
        let inner = &*self.inner;
        let remaining = deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            return Err(Error::new(ErrorKind::Timeout, format!("the call did not finish within its {:?} timeout", self.timeout)));
        }
        let now = self.now_unix();
        let window = SignWindow { start: now.saturating_sub(SIGNATURE_BACKDATE_SECS), end: now + SIGNATURE_LIFETIME_SECS };
        let token = credentials.session_token();
        let mut headers: Vec<(&str, &str)> = vec![("host", host)];
        if let Some(token) = token {
            headers.push(("x-ci-security-token", token));
        }
        let param_refs: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let signature = sign::sign(credentials, "GET", path, &param_refs, &headers, window);

        let mut request = inner.agent.get(url).header("Host", host).header("Authorization", signature.authorization());
        if let Some(token) = token {
            request = request.header("x-ci-security-token", token);
        }
        let via = inner.proxy.as_ref().filter(|route| route.applies_to(host, inner.scheme));
        log::debug!("GET {url}{}", via.map(|r| format!(" via proxy {}", r.endpoint)).unwrap_or_default());
        let mut response = request
            .config()
            .timeout_global(Some(remaining))
            .proxy(via.map(|route| route.proxy.clone()))
            .build()
            .call()
            .map_err(|e| transport_error(e, host, inner, via, self.timeout))?;

        let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let request_id = header("x-ci-request-id").or_else(|| header("x-cos-request-id"));
        let date = header("date").and_then(|d| httpdate::parse_http_date(&d).ok());
        let status = response.status().as_u16();
        let details = || ServiceDetails { http_status: status, request_id: request_id.clone(), ..Default::default() };
        if !(100..=599).contains(&status) {
            // HTTP has no such status: whatever answered is not an HTTP
            // server we understand, and asking again will not change that.
            return Err(Error::new(ErrorKind::Network, format!("{host}: the server answered with HTTP status {status}, which is outside 100 to 599: not a valid HTTP answer"))
                .with_transient(false)
                .with_service_details(details()));
        }
        let retry_after = header("retry-after").and_then(|v| parse_retry_after(&v, SystemTime::now()));
        let success = (200..300).contains(&status);
        // An error body is only read for its first bytes: a CI error is well
        // under 1 KiB, and a hostile 16 MiB one is neither buffered nor
        // copied (the rest is left unread and the connection closed).
        let limit = if success { inner.max_response_bytes } else { inner.max_response_bytes.min(ERROR_BODY_PREFIX) };
        // Sized from Content-Length so the body is read into one buffer
        // instead of a doubling one; capped, so that a server announcing
        // more than it sends cannot make us reserve much.
        let expected = response.body().content_length().unwrap_or(0).min(limit).min(PRESIZE_CAP);
        let mut body = Vec::with_capacity(expected as usize + 1);
        let reader = response.body_mut().with_config().limit(inner.max_response_bytes).reader();
        let read = if success { reader.take(u64::MAX).read_to_end(&mut body) } else { reader.take(limit).read_to_end(&mut body) };
        read.map_err(ureq::Error::from).map_err(|e| transport_error(e, host, inner, via, self.timeout).with_service_details(details()))?;
        Ok(RawResponse { status, request_id, date, retry_after, body })
    }
}

/// The most a body buffer is sized up front from Content-Length: far more
/// than a 100-item page (about 50 KiB).
const PRESIZE_CAP: u64 = 1 << 20;

/// The most of an error answer's body that is read: a CI error body is a
/// few hundred bytes; this leaves room for a verbose one.
pub(super) const ERROR_BODY_PREFIX: u64 = 64 * 1024;

/// The longest `Retry-After` honoured. Longer is not a pause but an outage:
/// the call fails at once, saying so, rather than holding its caller.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

/// The largest clock correction learnt from `Date`: real skew is minutes;
/// a day or more is a broken clock on one side or a forged answer.
pub const MAX_CLOCK_OFFSET_SECS: u64 = 24 * 3600;

/// A `Retry-After` value (RFC 9110 10.2.3): a number of seconds, or an
/// HTTP date, which is taken relative to `now` (a date already past asks
/// for no wait). `None` when it is neither, so the usual backoff applies.
/// A huge number of seconds saturates rather than wraps.
///
/// ```
/// # use std::time::{Duration, SystemTime, UNIX_EPOCH};
/// use cloud_infinite::client::parse_retry_after;
/// let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
/// assert_eq!(parse_retry_after("5", now), Some(Duration::from_secs(5)));
/// assert_eq!(parse_retry_after("Tue, 14 Nov 2023 22:13:30 GMT", now), Some(Duration::from_secs(10)));
/// assert_eq!(parse_retry_after("-1", now), None);
/// ```
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim_matches([' ', '\t']);
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // Leading zeros and all: digits only, so no sign and no fraction.
        let secs = value.bytes().try_fold(0u64, |n, d| n.checked_mul(10)?.checked_add(u64::from(d - b'0'))).unwrap_or(u64::MAX);
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

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

/// A 429, or a 503 SlowDown: the service asks for fewer requests.
fn is_throttled(e: &Error) -> bool {
    e.http_status() == Some(429) || e.code() == Some("SlowDown")
}

fn is_clock_error(e: &Error) -> bool {
    match e.code() {
        Some("RequestTimeTooSkewed") => true,
        Some("AccessDenied") => e.message().contains("Request has expired"),
        _ => false,
    }
}


#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_is_seconds_or_a_date() {
        let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(parse_retry_after("0", now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after(" 120 ", now), Some(Duration::from_secs(120)));
        assert_eq!(parse_retry_after("99999999999999999999999", now), Some(Duration::from_secs(u64::MAX)));
        assert_eq!(parse_retry_after("Tue, 14 Nov 2023 22:13:20 GMT", now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("Mon, 13 Nov 2023 22:13:20 GMT", now), Some(Duration::ZERO), "a past date asks for no wait");
        assert_eq!(parse_retry_after("Fri, 31 Dec 9999 23:59:59 GMT", now).map(|d| d > MAX_RETRY_AFTER), Some(true));
        for bad in ["", "1.5", "+3", "-1", "soon", "0x10", "5 s"] {
            assert_eq!(parse_retry_after(bad, now), None, "{bad:?}");
        }
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
}
