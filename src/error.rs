//! One error type for every failure, with a [`ErrorKind`] callers can match on.

use std::fmt;

/// What went wrong, coarsely enough to decide what to do about it.
///
/// The numbers are stable: the C ABI and every wrapper expose them as-is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The caller passed something the service would reject or that could
    /// change where the request goes (a bucket with a dot, a page size of 0...).
    /// Nothing was sent.
    InvalidArgument = 1,
    /// A required argument was missing (only the C ABI produces this).
    NullArgument = 2,
    /// The connection could not be made or broke while in use.
    Network = 3,
    /// The connect timeout or the whole-call timeout ran out.
    Timeout = 4,
    /// The service answered with an error status; see [`Error::code`].
    Service = 5,
    /// The service answered 2xx with a body that is not the expected XML.
    Parse = 6,
    /// The response body was larger than the configured cap.
    ResponseTooLarge = 7,
    /// A panic was caught: at the C boundary, or in a page a walk fetched
    /// ahead (a bug in this library either way).
    Panic = 8,
    /// No usable credentials: no provider found any, or the one in use
    /// failed to renew credentials that have expired. The message names
    /// the provider and what it tried.
    Credentials = 9,
    /// The call's [`CancelToken`](crate::CancelToken) was cancelled
    /// before it ended. Not retried.
    Cancelled = 10,
}

impl ErrorKind {
    /// A short lowercase name, the same in every language binding.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::InvalidArgument => "invalid_argument",
            ErrorKind::NullArgument => "null_argument",
            ErrorKind::Network => "network",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Service => "service",
            ErrorKind::Parse => "parse",
            ErrorKind::ResponseTooLarge => "response_too_large",
            ErrorKind::Panic => "panic",
            ErrorKind::Credentials => "credentials",
            ErrorKind::Cancelled => "cancelled",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error from this library: a kind, a message a person can act on, and
/// what the service said when it said anything.
///
/// Messages never contain a secret key, a session token, a sign key or an
/// Authorization value.
///
/// ```
/// use cloud_infinite::{Error, ErrorKind};
/// let e = Error::invalid_argument("page_size must be between 1 and 100, got 0");
/// assert_eq!(e.kind(), ErrorKind::InvalidArgument);
/// assert!(e.code().is_none());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    service: Option<Box<ServiceDetails>>,
    /// Overrides what the kind and status say about retrying (a TLS failure
    /// is `Network` but permanent; a connect timeout is `Timeout` but transient).
    transient: Option<bool>,
}

/// What the service told us about a failed request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServiceDetails {
    /// HTTP status of the answer (0 when there was no answer).
    pub http_status: u16,
    /// The service's error code, e.g. `SignatureDoesNotMatch`.
    pub code: Option<String>,
    /// The body's `RequestId`, else the `x-ci-request-id` / `x-cos-request-id` header.
    pub request_id: Option<String>,
    /// The body's `Resource`, when present.
    pub resource: Option<String>,
    /// The body's `TraceId`, when present.
    pub trace_id: Option<String>,
}

/// The most bytes an error's message holds; longer ones are cut (saying so).
pub const MAX_MESSAGE_BYTES: usize = 2048;
/// The most bytes of a service's `Message` quoted in an error's message.
pub const MAX_SERVICE_MESSAGE_BYTES: usize = 1024;
/// The most bytes kept of a code, request id, resource or trace id.
pub const MAX_FIELD_BYTES: usize = 256;
/// The most bytes of a body that is not a CI error quoted in a message.
pub const BODY_SNIPPET_BYTES: usize = 200;

/// Room kept at the end of a cut text for the note saying how much was cut.
const CUT_NOTE_BYTES: usize = 28;

/// Whether `c` could move a terminal's cursor, end a log line or reorder
/// what a reader sees: C0 and C1 controls, DEL, line and paragraph
/// separators, and the bidirectional overrides and isolates.
fn needs_escape(c: char) -> bool {
    c.is_control() || matches!(c, '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn escaped_len(c: char) -> usize {
    if needs_escape(c) {
        // `\u{` + hex digits + `}`
        4 + (32 - (c as u32 | 1).leading_zeros() as usize).div_ceil(4)
    } else {
        c.len_utf8()
    }
}

/// `text` made safe to print and to log: every character [`needs_escape`]
/// written as `\u{1b}` (so ESC, CR, LF, NUL, DEL and C1 controls cannot
/// reach a terminal or split a log line), and cut at a character boundary
/// to at most `max_bytes` bytes, ending with a note of how many bytes of
/// `text` were left out.
///
/// ```
/// use cloud_infinite::error::sanitize;
/// assert_eq!(sanitize("a\u{1b}[2J\r\nb", 100), "a\\u{1b}[2J\\u{d}\\u{a}b");
/// let cut = sanitize(&"x".repeat(10_000), 100);
/// assert!(cut.len() <= 100 && cut.ends_with("[9928 more bytes]"), "{cut}");
/// ```
pub fn sanitize(text: &str, max_bytes: usize) -> String {
    let mut full = 0usize;
    let fits = text.chars().all(|c| {
        full += escaped_len(c);
        full <= max_bytes
    });
    let budget = if fits { max_bytes } else { max_bytes.saturating_sub(CUT_NOTE_BYTES) };
    let mut out = String::with_capacity(full.min(max_bytes));
    let mut consumed = 0;
    for c in text.chars() {
        if out.len() + escaped_len(c) > budget {
            break;
        }
        if needs_escape(c) {
            use std::fmt::Write as _;
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
        consumed += c.len_utf8();
    }
    if consumed < text.len() {
        let note = format!("...[{} more bytes]", text.len() - consumed);
        if out.len() + note.len() <= max_bytes {
            out.push_str(&note);
        }
    }
    out
}

/// `message`, unchanged when it is already safe and short (the usual case,
/// without a copy), else [`sanitize`]d.
fn bounded(message: String, max_bytes: usize) -> String {
    if message.len() <= max_bytes && !message.chars().any(needs_escape) {
        message
    } else {
        sanitize(&message, max_bytes)
    }
}

impl Error {
    /// An error of `kind` with `message`, escaped and bounded by
    /// [`sanitize`] to [`MAX_MESSAGE_BYTES`]: whatever a message quotes
    /// (a service's text, an element name, a URL), it stays printable and short.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error { kind, message: bounded(message.into(), MAX_MESSAGE_BYTES), service: None, transient: None }
    }

    /// Shorthand for [`ErrorKind::InvalidArgument`].
    pub fn invalid_argument(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidArgument, message)
    }

    /// The same error with another message (bounded as in [`Error::new`]).
    pub fn with_message(mut self, message: impl Into<String>) -> Self {
        self.message = bounded(message.into(), MAX_MESSAGE_BYTES);
        self
    }

    /// Attaches what the service said (status, code, request id...), each
    /// text escaped and bounded to [`MAX_FIELD_BYTES`] by [`sanitize`]:
    /// these come from whoever answered, and callers log them.
    pub fn with_service_details(mut self, mut details: ServiceDetails) -> Self {
        for field in [&mut details.code, &mut details.request_id, &mut details.resource, &mut details.trace_id] {
            if let Some(text) = field.take() {
                *field = Some(bounded(text, MAX_FIELD_BYTES));
            }
        }
        self.service = Some(Box::new(details));
        self
    }

    /// Marks whether sending the same request again may succeed, whatever
    /// the kind would suggest.
    pub fn with_transient(mut self, transient: bool) -> Self {
        self.transient = Some(transient);
        self
    }

    /// The kind of failure.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// A human-readable explanation.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The service's error code (`SignatureDoesNotMatch`, `NoSuchBucket`...).
    pub fn code(&self) -> Option<&str> {
        self.service.as_ref()?.code.as_deref()
    }

    /// The request id the service gave this request, if it answered at all.
    pub fn request_id(&self) -> Option<&str> {
        self.service.as_ref()?.request_id.as_deref()
    }

    /// The HTTP status of the answer, if there was one.
    pub fn http_status(&self) -> Option<u16> {
        self.service.as_ref().map(|s| s.http_status).filter(|s| *s != 0)
    }

    /// Everything the service said, if it answered.
    pub fn service_details(&self) -> Option<&ServiceDetails> {
        self.service.as_deref()
    }

    /// Whether sending the same request again may succeed: connection
    /// failures (including connect timeouts), 5xx answers other than 501
    /// NotImplemented, and throttling (503 SlowDown, 429). Never another
    /// 4xx, a status outside 100 to 599, a TLS or certificate failure, or a
    /// whole-call timeout.
    pub fn is_retryable(&self) -> bool {
        if let Some(transient) = self.transient {
            return transient;
        }
        match self.kind {
            ErrorKind::Network => true,
            ErrorKind::Service => {
                let status = self.http_status().unwrap_or(0);
                (500..=599).contains(&status) && status != 501 || status == 429
            }
            _ => false,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind, self.message)?;
        if let Some(s) = &self.service {
            if let Some(code) = &s.code {
                write!(f, " (code {code}")?;
            } else {
                write!(f, " (")?;
            }
            write!(f, "{}HTTP {}", if s.code.is_some() { ", " } else { "" }, s.http_status)?;
            if let Some(id) = &s.request_id {
                write!(f, ", request id {id}")?;
            }
            write!(f, ")")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

/// Result with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
