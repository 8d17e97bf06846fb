// The fail-closed harness (issue 15): error-text sanitising, Retry-After
// and proxy-URL parsing, for ANY input. Included by the cargo-fuzz target
// fuzz_targets/fail_closed.rs and by tests/fail_closed.rs, which replays
// fuzz/corpus/fail_closed on stable Rust.

use cloud_infinite::error::{sanitize, MAX_FIELD_BYTES, MAX_SERVICE_MESSAGE_BYTES};
use cloud_infinite::{ClientBuilder, ErrorKind, ProxyConfig, Scheme};

/// A password no input can produce by chance.
const MARKER: &str = "Zq9PaSsWoRdMaRkEr";

fn printable(s: &str) -> bool {
    !s.chars().any(|c| c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'))
}

/// What must hold for any input:
/// - `sanitize` keeps to its bound, leaves nothing a terminal or a log
///   would act on, and is idempotent;
/// - `parse_retry_after` never panics, and digits mean seconds;
/// - a proxy URL is accepted or refused with InvalidArgument, and its
///   password never reaches the error or `Debug`;
/// - an error body's fields are bounded and printable.
pub fn fail_closed(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    for max in [0, 7, 40, 200, 2048] {
        let s = sanitize(&text, max);
        assert!(s.len() <= max, "{} > {max}", s.len());
        assert!(printable(&s), "{s:?}");
        assert_eq!(sanitize(&s, max), s, "idempotent");
    }

    let now = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000);
    if let Some(wait) = cloud_infinite::client::parse_retry_after(&text, now) {
        let trimmed = text.trim_matches([' ', '\t']);
        if trimmed.len() < 19 && !trimmed.is_empty() && trimmed.bytes().all(|b| b.is_ascii_digit()) {
            assert_eq!(wait.as_secs(), trimmed.parse::<u64>().unwrap());
        }
    }

    // The input on either side of credentials holding the marker.
    let (before, after) = text.split_at(text.char_indices().nth(text.chars().count() / 2).map_or(text.len(), |(i, _)| i));
    for raw in [text.to_string(), format!("{before}user:{MARKER}@{after}"), format!("http://user:{MARKER}@{after}")] {
        let builder = ClientBuilder::new().secret_id("AKID").secret_key("k").region("ap-guangzhou").scheme(Scheme::Http).proxy(ProxyConfig::Url(raw.clone()));
        assert!(!format!("{builder:?}").contains(MARKER));
        match builder.build() {
            Ok(client) => assert!(!format!("{client:?}").contains(MARKER)),
            Err(e) => {
                assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{raw:?}: {e}");
                assert!(!format!("{e} {e:?}").contains(MARKER), "{raw:?}: {e}");
                assert!(printable(e.message()));
            }
        }
    }

    if let Some(body) = cloud_infinite::xml::parse_error_body(data) {
        assert!(body.message.as_ref().map_or(true, |m| m.len() <= MAX_SERVICE_MESSAGE_BYTES && printable(m)));
        for f in [&body.code, &body.request_id, &body.resource, &body.trace_id].into_iter().flatten() {
            assert!(f.len() <= MAX_FIELD_BYTES && printable(f), "{f:?}");
        }
    }
}
