//! Sending one signed GET: attempts, retries with backoff, and the clock correction.

use std::io::Read as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::errors::{service_error, transport_error};
use super::{Client, RawResponse, MAX_BACKOFF, SIGNATURE_BACKDATE_SECS, SIGNATURE_LIFETIME_SECS};
use crate::error::{Error, ErrorKind, Result, ServiceDetails};
use crate::request;
use crate::sign::{self, SignWindow};

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


#[cfg(test)]
mod tests {
    use super::*;

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
