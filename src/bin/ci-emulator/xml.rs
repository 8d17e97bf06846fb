//! Response bodies, written straight into one `String` (no DOM, no per-element
//! allocation), the way Cloud Infinite lays them out.

use std::fmt::Write as _;

/// Every body the service sends starts with this declaration.
pub const DECLARATION: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

/// Appends `text` escaped for XML character data and attribute values alike.
///
/// Characters XML 1.0 cannot carry at all (C0 controls other than tab, LF, CR,
/// and U+FFFE/U+FFFF) become U+FFFD, so a hostile query value echoed in an
/// error message can never make our own body ill-formed.
pub fn escape_into(out: &mut String, text: &str) {
    let mut start = 0;
    for (i, c) in text.char_indices() {
        let replacement = match c {
            '&' => "&amp;",
            '<' => "&lt;",
            '>' => "&gt;",
            '"' => "&quot;",
            '\'' => "&apos;",
            '\t' | '\n' | '\r' => continue,
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => "\u{FFFD}",
            _ => continue,
        };
        out.push_str(&text[start..i]);
        out.push_str(replacement);
        start = i + c.len_utf8();
    }
    out.push_str(&text[start..]);
}

/// A fresh body with the declaration and room for `capacity` more bytes.
pub fn document(capacity: usize) -> String {
    let mut out = String::with_capacity(DECLARATION.len() + capacity);
    out.push_str(DECLARATION);
    out
}

/// Appends `<name>` (names are our own constants and never need escaping).
pub fn open(out: &mut String, name: &str) {
    out.push('<');
    out.push_str(name);
    out.push('>');
}

/// Appends `</name>`.
pub fn close(out: &mut String, name: &str) {
    out.push_str("</");
    out.push_str(name);
    out.push('>');
}

/// Appends `<name>text</name>` with `text` escaped.
pub fn text_element(out: &mut String, name: &str, text: &str) {
    open(out, name);
    escape_into(out, text);
    close(out, name);
}

/// Appends `<name>text</name>` only when there is a text: absent fields stay
/// absent. An empty text is written `<name/>`, as the service writes its
/// empty members (`<AliasBucketId/>`, `<MqMode/>`).
pub fn optional_element(out: &mut String, name: &str, text: Option<&str>) {
    match text {
        Some("") => {
            out.push('<');
            out.push_str(name);
            out.push_str("/>");
        }
        Some(text) => text_element(out, name, text),
        None => {}
    }
}

/// Appends `<name>n</name>`.
pub fn number_element(out: &mut String, name: &str, n: u64) {
    open(out, name);
    // Writing into a String cannot fail.
    let _ = write!(out, "{n}");
    close(out, name);
}

/// The `<Response>` error body most CI answers use for non-auth failures.
pub fn response_error(code: &str, message: &str, request_id: &str) -> String {
    let mut out = document(96 + code.len() + message.len() + request_id.len());
    open(&mut out, "Response");
    text_element(&mut out, "Code", code);
    text_element(&mut out, "Message", message);
    text_element(&mut out, "RequestId", request_id);
    close(&mut out, "Response");
    out
}

/// What goes into an `<Error>` body besides the request's ids.
pub struct ErrorBody<'a> {
    /// `Code`, e.g. `SignatureDoesNotMatch`.
    pub code: &'a str,
    /// `Message`, for a person.
    pub message: &'a str,
    /// `Resource`: host and path of the request.
    pub resource: &'a str,
    /// Extra elements appended after `TraceId` (COS adds `StringToSign` and
    /// friends to a signature mismatch so the caller can diff its own).
    pub extra: &'a [(&'a str, &'a str)],
}

/// The COS-style `<Error>` body the signature checks answer with.
pub fn error_root(body: &ErrorBody<'_>, request_id: &str, trace_id: &str) -> String {
    let extra_len: usize = body.extra.iter().map(|(k, v)| 2 * k.len() + v.len() + 8).sum();
    let mut out = document(160 + body.code.len() + body.message.len() + body.resource.len() + extra_len);
    open(&mut out, "Error");
    text_element(&mut out, "Code", body.code);
    text_element(&mut out, "Message", body.message);
    text_element(&mut out, "Resource", body.resource);
    text_element(&mut out, "RequestId", request_id);
    text_element(&mut out, "TraceId", trace_id);
    for (name, value) in body.extra {
        text_element(&mut out, name, value);
    }
    close(&mut out, "Error");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_controls() {
        let mut s = String::new();
        escape_into(&mut s, "a&b<c>d\"e'f\u{1}g\t队列");
        assert_eq!(s, "a&amp;b&lt;c&gt;d&quot;e&apos;f\u{FFFD}g\t队列");
    }
}
