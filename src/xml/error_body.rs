//! Error bodies: `<Error>` or `<Response>` with Code, Message, RequestId.

use std::borrow::Cow;

use super::{walk, Sink, Tag};
use crate::error::{sanitize, Result, MAX_FIELD_BYTES, MAX_SERVICE_MESSAGE_BYTES};

/// The most of an error body that is parsed. A CI error body is a few
/// hundred bytes; a longer one is read only this far (see [`parse_error_body`]).
pub const MAX_ERROR_BODY_BYTES: usize = 64 * 1024;

/// The fields of a CI/COS error body, each escaped and bounded by
/// [`sanitize`](crate::error::sanitize): `message` to
/// [`MAX_SERVICE_MESSAGE_BYTES`], the others to [`MAX_FIELD_BYTES`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ErrorBody {
    /// `Code`, e.g. `SignatureDoesNotMatch`.
    pub code: Option<String>,
    /// `Message`.
    pub message: Option<String>,
    /// `RequestId`.
    pub request_id: Option<String>,
    /// `Resource`.
    pub resource: Option<String>,
    /// `TraceId`.
    pub trace_id: Option<String>,
}

#[derive(Default)]
pub(super) struct ErrorSink {
    pub(super) body: ErrorBody,
    /// Whether the root element is `<Error>` or `<Response>`.
    error_root: bool,
}

impl<'a> Sink<'a> for ErrorSink {
    fn start(&mut self, path: &[Tag]) -> Result<()> {
        if let [root] = path {
            self.error_root = matches!(root, Tag::Response | Tag::Error);
        }
        Ok(())
    }

    fn leaf(&mut self, path: &[Tag], text: Cow<'a, str>) -> Result<()> {
        if let [Tag::Response | Tag::Error, tag] = path {
            let (slot, max) = match tag {
                Tag::Code => (&mut self.body.code, MAX_FIELD_BYTES),
                Tag::Message => (&mut self.body.message, MAX_SERVICE_MESSAGE_BYTES),
                Tag::RequestId => (&mut self.body.request_id, MAX_FIELD_BYTES),
                Tag::Resource => (&mut self.body.resource, MAX_FIELD_BYTES),
                Tag::TraceId => (&mut self.body.trace_id, MAX_FIELD_BYTES),
                _ => return Ok(()),
            };
            // Borrowed from the body until here, so only the bounded text is copied.
            *slot = Some(sanitize(&text, max));
        }
        Ok(())
    }
}

/// Parses an error body with an `<Error>` (COS) or `<Response>` (CI) root.
///
/// Returns `None` when the body is not such a document (an HTML page from a
/// proxy, say): the caller still knows the HTTP status.
///
/// Only the first [`MAX_ERROR_BODY_BYTES`] are parsed, so a hostile body of
/// any size costs no more than that. A document cut short there, or by the
/// server, or broken later on, still gives the fields that closed before
/// the break, provided its root is `<Error>`/`<Response>` and its `Code`
/// was among them: a code is worth more to a caller than a parse failure.
///
/// ```
/// let e = cloud_infinite::xml::parse_error_body(
///     b"<Error><Code>NoSuchBucket</Code><Message>gone</Message><RequestId>id1</RequestId></Error>",
/// ).unwrap();
/// assert_eq!(e.code.as_deref(), Some("NoSuchBucket"));
/// assert!(cloud_infinite::xml::parse_error_body(b"<html>bad gateway</html>").is_none());
/// ```
pub fn parse_error_body(body: &[u8]) -> Option<ErrorBody> {
    let mut prefix = &body[..body.len().min(MAX_ERROR_BODY_BYTES)];
    if prefix.len() < body.len() {
        // A cut inside a character is not invalid UTF-8, only short.
        if let Err(e) = std::str::from_utf8(prefix) {
            if e.error_len().is_none() {
                prefix = &prefix[..e.valid_up_to()];
            }
        }
    }
    let mut sink = ErrorSink::default();
    match walk(prefix, &mut sink) {
        Ok((root, _)) => matches!(root, Tag::Response | Tag::Error).then_some(sink.body),
        Err(_) if sink.error_root && sink.body.code.is_some() => Some(sink.body),
        Err(_) => None,
    }
}
