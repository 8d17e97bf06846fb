//! Parsing of the service's XML answers: every call's page, and error bodies.
//!
//! A single streaming pass (our own small tokenizer, borrowing from the
//! body; quick-xml decodes entities) with a stack of known element names;
//! there is no DOM. Unknown elements are skipped,
//! entities and CDATA are decoded, repeated elements always become lists,
//! and anything malformed is an [`ErrorKind::Parse`] error naming the problem.

use scanner::{Scanner, Token};
use tree::Tree;

use std::borrow::Cow;

use crate::error::{Error, ErrorKind, Result};


mod error_body;
pub(crate) mod items;
mod pages;
#[cfg(any(test, feature = "reference-parser"))]
#[doc(hidden)]
pub mod reference;
mod scanner;
#[cfg(test)]
mod tests;
mod tree;

pub use error_body::{parse_error_body, ErrorBody};
pub use items::{Item, ItemSpans, Leaf};
pub use pages::{parse_page, MAX_ITEMS_PER_PAGE};

/// The element names this crate understands; everything else is `Other`.
/// Public only so that [`Item`] can be implemented by the model's types.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tag {
    Response,
    Error,
    RequestId,
    TotalCount,
    PageNumber,
    PageSize,
    /// A call's list element (`MediaBucketList`, `QueueList`...): the
    /// index of the first entry of [`OPERATIONS`](crate::OPERATIONS) that
    /// names it, so a new call's element needs no tag of its own.
    List(u8),
    BucketId,
    BucketName,
    AliasBucketId,
    AppId,
    Status,
    Name,
    Region,
    CreateTime,
    QueueId,
    State,
    NotifyConfig,
    Url,
    Event,
    Type,
    ResultFormat,
    MqMode,
    MqRegion,
    MqName,
    KafkaConfig,
    InstanceId,
    Topic,
    MaxSize,
    MaxConcurrent,
    Category,
    UpdateTime,
    NonExistPids,
    /// `QueueID` inside `NonExistPIDs`, as older answers nest them.
    NonExistQueueId,
    Code,
    Message,
    Resource,
    TraceId,
    Other,
}

impl Tag {
    /// The tag of an element's local name.
    pub fn from_name(name: &[u8]) -> Tag {
        // By length first: each name is then compared with the few of
        // its length only.
        let tag = match name.len() {
            3 => match name {
                b"Url" => Tag::Url,
                _ => Tag::Other,
            },
            4 => match name {
                b"Name" => Tag::Name,
                b"Type" => Tag::Type,
                b"Code" => Tag::Code,
                _ => Tag::Other,
            },
            5 => match name {
                b"Error" => Tag::Error,
                b"AppId" => Tag::AppId,
                b"State" => Tag::State,
                b"Event" => Tag::Event,
                b"Topic" => Tag::Topic,
                _ => Tag::Other,
            },
            6 => match name {
                b"Status" => Tag::Status,
                b"Region" => Tag::Region,
                b"MqMode" => Tag::MqMode,
                b"MqName" => Tag::MqName,
                _ => Tag::Other,
            },
            7 => match name {
                b"QueueId" => Tag::QueueId,
                b"MaxSize" => Tag::MaxSize,
                b"QueueID" => Tag::NonExistQueueId,
                b"Message" => Tag::Message,
                b"TraceId" => Tag::TraceId,
                _ => Tag::Other,
            },
            8 => match name {
                b"Response" => Tag::Response,
                b"PageSize" => Tag::PageSize,
                b"BucketId" => Tag::BucketId,
                b"MqRegion" => Tag::MqRegion,
                b"Category" => Tag::Category,
                b"Resource" => Tag::Resource,
                _ => Tag::Other,
            },
            9 => match name {
                b"RequestId" => Tag::RequestId,
                _ => Tag::Other,
            },
            10 => match name {
                b"TotalCount" => Tag::TotalCount,
                b"PageNumber" => Tag::PageNumber,
                b"BucketName" => Tag::BucketName,
                b"CreateTime" => Tag::CreateTime,
                b"InstanceId" => Tag::InstanceId,
                b"UpdateTime" => Tag::UpdateTime,
                _ => Tag::Other,
            },
            11 => match name {
                b"KafkaConfig" => Tag::KafkaConfig,
                _ => Tag::Other,
            },
            12 => match name {
                b"NotifyConfig" => Tag::NotifyConfig,
                b"ResultFormat" => Tag::ResultFormat,
                b"NonExistPIDs" => Tag::NonExistPids,
                _ => Tag::Other,
            },
            13 => match name {
                b"AliasBucketId" => Tag::AliasBucketId,
                b"MaxConcurrent" => Tag::MaxConcurrent,
                _ => Tag::Other,
            },
            _ => Tag::Other,
        };
        match tag {
            Tag::Other => list_tag(name),
            tag => tag,
        }
    }
}

/// The [`Tag::List`] of a call's list element, or [`Tag::Other`].
fn list_tag(name: &[u8]) -> Tag {
    if !name.ends_with(b"List") {
        return Tag::Other;
    }
    crate::OPERATIONS
        .iter()
        .position(|spec| spec.list_element.as_bytes() == name)
        .map_or(Tag::Other, |i| Tag::List(i as u8))
}

fn parse_error(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::Parse, message)
}

/// Receives the document as it streams by.
trait Sink<'a> {
    /// An element opened; `path` ends with it.
    fn start(&mut self, path: &[Tag]) -> Result<()>;
    /// An element with no child elements closed; `path` ends with it.
    fn leaf(&mut self, path: &[Tag], text: Cow<'a, str>) -> Result<()>;

    /// An element holding only plain text opened and closed; `path` ends
    /// with it. What `start` then `leaf` do, which a sink may do in one go.
    fn plain_leaf(&mut self, path: &[Tag], text: &'a str) -> Result<()> {
        self.start(path)?;
        self.leaf(path, Cow::Borrowed(text))
    }
}

/// The part of a name after its namespace prefix.
fn local_name(name: &str) -> &str {
    match name.bytes().rposition(|b| b == b':') {
        Some(colon) => &name[colon + 1..],
        None => name,
    }
}

/// Streams `body` into `sink` and returns the root element's tag and name.
fn walk<'a>(body: &'a [u8], sink: &mut impl Sink<'a>) -> Result<(Tag, &'a str)> {
    let text = std::str::from_utf8(body)
        .map_err(|e| parse_error(format!("response body is not UTF-8 (at byte {})", e.valid_up_to())))?;
    let mut scanner = Scanner::new(text);
    let mut tree = Tree::new(sink);
    // The names of the open elements, for their end tags.
    let mut open = tree::Depth::new("");
    let mut root: Option<(Tag, &'a str)> = None;

    loop {
        let at = scanner.pos;
        let Some(token) = scanner.next()? else { break };
        match token {
            Token::Start { name, empty, close } => {
                let tag = match Tag::from_name(name.as_bytes()) {
                    // Only a name we do not know may carry a namespace prefix.
                    Tag::Other if name.contains(':') => Tag::from_name(local_name(name).as_bytes()),
                    tag => tag,
                };
                if tree.outside_root() {
                    if root.is_some() {
                        return Err(scanner.error(at, "a second root element"));
                    }
                    root = Some((tag, name));
                }
                if empty {
                    tree.open(tag, true, scanner.empty_at(close - 1))?;
                } else if let Some(leaf) = scanner.plain_leaf(name) {
                    // `<name>text</name>`, most of an answer: one step.
                    tree.leaf(tag, leaf)?;
                } else {
                    tree.open(tag, false, scanner.empty_at(close + 1))?;
                    // Within the depth the tree just allowed.
                    open.push(name)?;
                }
            }
            Token::End { name } => {
                match open.pop() {
                    Some(expected) if expected == name => {}
                    Some(expected) => {
                        return Err(scanner.error(at, &format!("expecting </{expected}> but found </{name}>")));
                    }
                    None => return Err(scanner.error(at, &format!("</{name}> closes no open element"))),
                }
                tree.close()?;
            }
            Token::Text { raw, plain } => {
                if tree.outside_root() {
                    if !raw.bytes().all(|b| b.is_ascii_whitespace()) {
                        return Err(scanner.error(at, "text outside the root element"));
                    }
                } else if tree.wants_text() {
                    tree.text(if plain { Cow::Borrowed(raw) } else { decode_text(raw).map_err(|e| scanner.error(at, &e))? });
                }
            }
            Token::CData(raw) => {
                if tree.outside_root() {
                    return Err(scanner.error(at, "CDATA outside the root element"));
                }
                if tree.wants_text() {
                    if raw.contains('\0') {
                        return Err(scanner.error(at, "a NUL character, which XML forbids"));
                    }
                    tree.text(Cow::Borrowed(raw));
                }
            }
        }
    }
    tree.finish(body.len())?;
    root.ok_or_else(|| parse_error("response body has no XML element (empty or plain text)"))
}

/// A text node's content: borrowed as it is when it has no entity (the
/// common case), else unescaped. XML forbids U+0000, and C strings could
/// not carry it.
fn decode_text(raw: &str) -> std::result::Result<Cow<'_, str>, String> {
    const NUL: &str = "a NUL character, which XML forbids";
    if memchr::memchr2(b'&', 0, raw.as_bytes()).is_none() {
        return Ok(Cow::Borrowed(raw));
    }
    if raw.contains('\0') {
        return Err(NUL.into());
    }
    let unescaped = quick_xml::escape::unescape(raw).map_err(|e| e.to_string())?;
    if unescaped.contains('\0') {
        return Err(NUL.into());
    }
    Ok(unescaped)
}

fn parse_count(name: &str, text: &str) -> Result<Option<u64>> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Ok(None);
    }
    trimmed
        .parse::<u64>()
        .map(Some)
        .map_err(|_| parse_error(format!("{name} should be a non-negative integer, got {trimmed:?}")))
}

fn expect_root(found: (Tag, &str), expected: Tag) -> Result<()> {
    if found.0 == expected {
        Ok(())
    } else {
        Err(parse_error(format!("expected the root element <{expected:?}>, found <{}>", found.1)))
    }
}
