//! The quick-xml reader this module used before [`Scanner`], kept as an
//! oracle: the differential fuzz target and the tests parse every input
//! with both and require the same pages, the same error-body fields, and
//! a failure from one only where the other fails too. It shares [`Tree`]
//! with the scanner's walk, so it checks the tokenizer; it once ignored
//! CDATA outside the root element, which both now refuse.

use std::borrow::Cow;

use quick_xml::events::Event;
use quick_xml::Reader;

use super::error_body::ErrorSink;
use super::pages::{PageSink, MAX_ITEMS_PER_PAGE};
use super::tree::Tree;
use super::{decode_text, expect_root, parse_error, Sink, Tag};
use crate::error::Result;
use crate::model::{Bucket, CiBucket, Queue};

/// Streams `body` into `sink` and returns the root element's tag and name.
pub(super) fn walk<'a>(body: &'a [u8], sink: &mut impl Sink<'a>) -> Result<(Tag, String)> {
    let text = std::str::from_utf8(body)
        .map_err(|e| parse_error(format!("response body is not UTF-8 (at byte {})", e.valid_up_to())))?;
    let mut reader = Reader::from_str(text);
    let mut tree = Tree::new(sink);
    let mut root: Option<(Tag, String)> = None;
    let position_error = |reader: &Reader<&'a [u8]>, what: String| {
        parse_error(format!("response body is not well-formed XML near byte {}: {what}", reader.buffer_position()))
    };

    loop {
        let event = reader.read_event().map_err(|e| position_error(&reader, e.to_string()))?;
        let empty = matches!(event, Event::Empty(_));
        match event {
            Event::Start(start) | Event::Empty(start) => {
                let tag = Tag::from_name(start.local_name().as_ref());
                if tree.outside_root() {
                    if root.is_some() {
                        return Err(position_error(&reader, "a second root element".into()));
                    }
                    root = Some((tag, String::from_utf8_lossy(start.name().as_ref()).into_owned()));
                }
                // Where the text would be, as the scanner gives it: after the
                // tag, or at the `/` of an empty one.
                let after = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
                let no_text = if empty { after.wrapping_sub(2) } else { after };
                tree.open(tag, empty, text.get(no_text..no_text).unwrap_or(""))?;
            }
            Event::End(_) => tree.close()?,
            Event::Text(t) => {
                if tree.outside_root() {
                    if !t.iter().all(u8::is_ascii_whitespace) {
                        return Err(position_error(&reader, "text outside the root element".into()));
                    }
                    continue;
                }
                // Layout between child elements: nothing to decode.
                if !tree.wants_text() {
                    continue;
                }
                // A reader over a `&str` hands out slices of it, so the text is
                // found in the already validated input by address: no second
                // UTF-8 check and no copy. `get` still checks the bounds.
                let start = (t.as_ptr() as usize).wrapping_sub(text.as_ptr() as usize);
                let piece = match text.get(start..start.wrapping_add(t.len())) {
                    Some(slice) if slice.as_ptr() == t.as_ptr() => decode_text(slice),
                    _ => std::str::from_utf8(&t)
                        .map_err(|e| e.to_string())
                        .and_then(|s| decode_text(s).map(|c| Cow::Owned(c.into_owned()))),
                }
                .map_err(|e| position_error(&reader, e))?;
                tree.text(piece);
            }
            Event::CData(c) => {
                if tree.outside_root() {
                    return Err(position_error(&reader, "CDATA outside the root element".into()));
                }
                if tree.wants_text() {
                    let raw = std::str::from_utf8(c.into_inner().as_ref())
                        .map_err(|_| position_error(&reader, "CDATA that is not UTF-8".into()))?
                        .to_owned();
                    if raw.contains('\0') {
                        return Err(position_error(&reader, "a NUL character, which XML forbids".into()));
                    }
                    tree.text(Cow::Owned(raw));
                }
            }
            Event::Eof => break,
            // Declarations, comments, processing instructions, DOCTYPE.
            _ => {}
        }
    }
    tree.finish(body.len())?;
    root.ok_or_else(|| parse_error("response body has no XML element (empty or plain text)"))
}

#[derive(Clone, Copy)]
enum Which {
    Scanner,
    QuickXml,
}

fn root<'a>(reader: Which, body: &'a [u8], sink: &mut impl Sink<'a>) -> Result<Tag> {
    match reader {
        Which::Scanner => super::walk(body, sink).map(|(tag, _)| tag),
        Which::QuickXml => walk(body, sink).map(|(tag, _)| tag),
    }
}

/// What `reader` makes of `body` as each answer: a queue page, a bucket
/// page, a CI bucket page and an error body, printed, or `None` for a failure.
fn outcomes(reader: Which, body: &[u8]) -> [Option<String>; 4] {
    fn page<T: super::Item>(reader: Which, body: &[u8], list: &str) -> Option<String> {
        let mut sink = PageSink::<T>::new(body, list, MAX_ITEMS_PER_PAGE);
        let page = root(reader, body, &mut sink).and_then(|tag| expect_root((tag, ""), Tag::Response));
        // The sink reads the body's bytes where they lie.
        let page = page.and_then(|()| sink.finish(body.to_vec()));
        page.ok().map(|p| format!("{p:?}"))
    }
    let mut error = ErrorSink::default();
    let error = root(reader, body, &mut error).ok().filter(|tag| matches!(tag, Tag::Response | Tag::Error)).map(|_| error.body);
    [
        page::<Queue>(reader, body, "QueueList"),
        page::<Bucket>(reader, body, "PicBucketList"),
        page::<CiBucket>(reader, body, "CIBucketList"),
        error.map(|e| format!("{e:?}")),
    ]
}

/// Panics, naming the input, if the two readers disagree on `body`.
///
/// The scanner may refuse what quick-xml accepts only where XML itself
/// forbids it: an element with no name.
pub fn assert_same(body: &[u8]) {
    // `<>`, `< a>`, `< />`: quick-xml reads a tag with an empty name.
    let quick_xml_accepts_nameless = body.windows(2).any(|w| w[0] == b'<' && (w[1] == b'>' || super::scanner::is_xml_space(w[1])));
    let answers = ["queue_page", "bucket_page", "ci_bucket_page", "error_body"];
    for ((answer, ours), theirs) in answers.iter().zip(outcomes(Which::Scanner, body)).zip(outcomes(Which::QuickXml, body)) {
        if ours != theirs && !(ours.is_none() && quick_xml_accepts_nameless) {
            panic!("{answer}: the scanner and quick-xml disagree on {:?}:\nscanner:   {ours:?}\nquick-xml: {theirs:?}", String::from_utf8_lossy(body));
        }
    }
}
