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
    /// A panic was caught at the C boundary (only the C ABI produces this).
    Panic = 8,
    /// No usable credentials: no provider found any, or the one in use
    /// failed to renew credentials that have expired. The message names
    /// the provider and what it tried.
    Credentials = 9,
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

impl Error {
    /// An error of `kind` with `message`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error { kind, message: message.into(), service: None, transient: None }
    }

    /// Shorthand for [`ErrorKind::InvalidArgument`].
    pub fn invalid_argument(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidArgument, message)
    }

    /// The same error with another message.
    pub fn with_message(mut self, message: impl Into<String>) -> Self {
        self.message = message.into();
        self
    }

    /// Attaches what the service said (status, code, request id...).
    pub fn with_service_details(mut self, details: ServiceDetails) -> Self {
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
    /// NotImplemented, and throttling (503 SlowDown). Never another 4xx, a
    /// TLS or certificate failure, or a whole-call timeout.
    pub fn is_retryable(&self) -> bool {
        if let Some(transient) = self.transient {
            return transient;
        }
        match self.kind {
            ErrorKind::Network => true,
            ErrorKind::Service => {
                let status = self.http_status().unwrap_or(0);
                status >= 500 && status != 501
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
