//! Error bodies: `<Error>` or `<Response>` with Code, Message, RequestId.

use std::borrow::Cow;

use super::{walk, Sink, Tag};
use crate::error::Result;

/// The fields of a CI/COS error body.
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
}

impl<'a> Sink<'a> for ErrorSink {
    fn start(&mut self, _path: &[Tag]) -> Result<()> {
        Ok(())
    }

    fn leaf(&mut self, path: &[Tag], text: Cow<'a, str>) -> Result<()> {
        if let [Tag::Response | Tag::Error, tag] = path {
            let slot = match tag {
                Tag::Code => &mut self.body.code,
                Tag::Message => &mut self.body.message,
                Tag::RequestId => &mut self.body.request_id,
                Tag::Resource => &mut self.body.resource,
                Tag::TraceId => &mut self.body.trace_id,
                _ => return Ok(()),
            };
            *slot = Some(text.into_owned());
        }
        Ok(())
    }
}

/// Parses an error body with an `<Error>` (COS) or `<Response>` (CI) root.
///
/// Returns `None` when the body is not such a document (an HTML page from a
/// proxy, say): the caller still knows the HTTP status.
///
/// ```
/// let e = cloud_infinite::xml::parse_error_body(
///     b"<Error><Code>NoSuchBucket</Code><Message>gone</Message><RequestId>id1</RequestId></Error>",
/// ).unwrap();
/// assert_eq!(e.code.as_deref(), Some("NoSuchBucket"));
/// assert!(cloud_infinite::xml::parse_error_body(b"<html>bad gateway</html>").is_none());
/// ```
pub fn parse_error_body(body: &[u8]) -> Option<ErrorBody> {
    let mut sink = ErrorSink::default();
    let (root, _) = walk(body, &mut sink).ok()?;
    matches!(root, Tag::Response | Tag::Error).then_some(sink.body)
}
