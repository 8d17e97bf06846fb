//! Parsing of the service's XML answers: the two pages and error bodies.
//!
//! A single streaming pass (our own small tokenizer, borrowing from the
//! body; quick-xml decodes entities) with a stack of known element names;
//! there is no DOM. Unknown elements are skipped,
//! entities and CDATA are decoded, repeated elements always become lists,
//! and anything malformed is an [`ErrorKind::Parse`] error naming the problem.

use std::borrow::Cow;

use crate::error::{Error, ErrorKind, Result};
use crate::model::{AiQueue, AiQueuePage, NotifyConfig, PicBucket, PicBucketPage};

/// The element names this crate understands; everything else is `Other`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tag {
    Response,
    Error,
    RequestId,
    TotalCount,
    PageNumber,
    PageSize,
    PicBucketList,
    BucketId,
    Name,
    Region,
    CreateTime,
    QueueList,
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
    MaxSize,
    MaxConcurrent,
    Category,
    UpdateTime,
    NonExistPids,
    Code,
    Message,
    Resource,
    TraceId,
    Other,
}

impl Tag {
    fn from_name(name: &[u8]) -> Tag {
        match name {
            b"Response" => Tag::Response,
            b"Error" => Tag::Error,
            b"RequestId" => Tag::RequestId,
            b"TotalCount" => Tag::TotalCount,
            b"PageNumber" => Tag::PageNumber,
            b"PageSize" => Tag::PageSize,
            b"PicBucketList" => Tag::PicBucketList,
            b"BucketId" => Tag::BucketId,
            b"Name" => Tag::Name,
            b"Region" => Tag::Region,
            b"CreateTime" => Tag::CreateTime,
            b"QueueList" => Tag::QueueList,
            b"QueueId" => Tag::QueueId,
            b"State" => Tag::State,
            b"NotifyConfig" => Tag::NotifyConfig,
            b"Url" => Tag::Url,
            b"Event" => Tag::Event,
            b"Type" => Tag::Type,
            b"ResultFormat" => Tag::ResultFormat,
            b"MqMode" => Tag::MqMode,
            b"MqRegion" => Tag::MqRegion,
            b"MqName" => Tag::MqName,
            b"MaxSize" => Tag::MaxSize,
            b"MaxConcurrent" => Tag::MaxConcurrent,
            b"Category" => Tag::Category,
            b"UpdateTime" => Tag::UpdateTime,
            b"NonExistPIDs" => Tag::NonExistPids,
            b"Code" => Tag::Code,
            b"Message" => Tag::Message,
            b"Resource" => Tag::Resource,
            b"TraceId" => Tag::TraceId,
            _ => Tag::Other,
        }
    }
}

fn parse_error(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::Parse, message)
}

/// Receives the document as it streams by.
trait Sink<'a> {
    /// An element opened; `path` ends with it.
    fn start(&mut self, path: &[Tag]);
    /// An element with no child elements closed; `path` ends with it.
    fn leaf(&mut self, path: &[Tag], text: Cow<'a, str>) -> Result<()>;
}

/// One piece of markup or text, borrowed from the body.
enum Token<'a> {
    /// `<name ...>`, or `<name .../>` when `empty`.
    Start { name: &'a str, empty: bool },
    /// `</name>`, trailing whitespace trimmed.
    End { name: &'a str },
    /// Character data up to the next `<`; `plain` when it holds no `&`
    /// and no NUL, so it needs no decoding and no further check.
    Text { raw: &'a str, plain: bool },
    /// The content of `<![CDATA[...]]>`.
    CData(&'a str),
}

/// A tokenizer for the XML these answers use: elements, text, entities,
/// CDATA, comments, processing instructions and a DOCTYPE. Attributes are
/// skipped (quoted values may hold `>`); names are what lies between `<`
/// and the first whitespace, `/` excepted at the end, as quick-xml reads
/// them. Every delimiter is ASCII, so every slice of the (validated) input
/// it hands out falls on character boundaries.
///
/// It replaced quick-xml's reader on the hot path: on these small, flat
/// documents quick-xml's general machinery (a search call per delimiter,
/// an owned buffer of open names) was about half the cost of parsing.
/// `reference::walk`, the quick-xml version, is kept as the oracle the
/// differential fuzz target and tests compare this one against.
struct Scanner<'a> {
    src: &'a str,
    pos: usize,
}

impl<'a> Scanner<'a> {
    fn new(src: &'a str) -> Self {
        // A UTF-8 byte order mark is allowed before the document.
        let pos = if src.starts_with('\u{FEFF}') { 3 } else { 0 };
        Scanner { src, pos }
    }

    fn error(&self, at: usize, what: &str) -> Error {
        parse_error(format!("response body is not well-formed XML near byte {at}: {what}"))
    }

    /// The byte offset of `needle` at or after `from`.
    fn find(&self, from: usize, needle: &[u8]) -> Option<usize> {
        memchr::memmem::find(&self.src.as_bytes()[from..], needle).map(|i| from + i)
    }

    fn next(&mut self) -> Result<Option<Token<'a>>> {
        let src = self.src;
        let bytes = src.as_bytes();
        let at = self.pos;
        let Some(&first) = bytes.get(at) else { return Ok(None) };
        if first != b'<' {
            // One pass finds the end of the text and whether it needs decoding.
            let (end, plain) = match memchr::memchr3(b'<', b'&', 0, &bytes[at..]) {
                Some(i) if bytes[at + i] == b'<' => (at + i, true),
                Some(i) => (memchr::memchr(b'<', &bytes[at + i..]).map_or(bytes.len(), |j| at + i + j), false),
                None => (bytes.len(), true),
            };
            self.pos = end;
            return Ok(Some(Token::Text { raw: &src[at..end], plain }));
        }
        let inner = at + 1;
        match bytes.get(inner) {
            None => Err(self.error(at, "the body ends with '<'")),
            Some(b'/') => {
                let name_start = inner + 1;
                let name_end = name_start + name_length(&bytes[name_start..]);
                // Usually `</name>`; anything else between the name and '>'
                // becomes part of the name compared with the open one, as
                // quick-xml compares it, so it can only mismatch.
                let close = match bytes.get(name_end) {
                    Some(b'>') => name_end,
                    _ => self.tag_close(at, name_end, "an end tag")?,
                };
                self.pos = close + 1;
                Ok(Some(Token::End { name: src[name_start..close].trim_end_matches([' ', '\t', '\r', '\n']) }))
            }
            Some(b'?') => {
                let close = self.find(inner + 1, b"?>").ok_or_else(|| self.error(at, "a processing instruction that is never closed"))?;
                self.pos = close + 2;
                self.next()
            }
            Some(b'!') => self.bang(at),
            Some(_) => {
                let name_end = inner + name_length(&bytes[inner..]);
                let close = match bytes.get(name_end) {
                    Some(b'>') => name_end,
                    _ => self.tag_close(at, name_end, "a start tag")?,
                };
                self.pos = close + 1;
                let content = &src[inner..close];
                let (content, empty) = match content.strip_suffix('/') {
                    Some(content) => (content, true),
                    None => (content, false),
                };
                // The name runs to the first whitespace (a quote does not end
                // it, as in quick-xml, which then reads it as opening a value).
                let name = match content.bytes().position(is_xml_space) {
                    Some(space) => &content[..space],
                    None => content,
                };
                if name.is_empty() {
                    return Err(self.error(at, "an element with no name"));
                }
                Ok(Some(Token::Start { name, empty }))
            }
        }
    }

    /// The offset of the '>' that closes the tag opened at `at`: the first
    /// one from `from` on that is outside a quoted attribute value.
    fn tag_close(&self, at: usize, from: usize, what: &str) -> Result<usize> {
        let bytes = self.src.as_bytes();
        let mut i = from;
        loop {
            match bytes.get(i) {
                None => return Err(self.error(at, &format!("{what} that is never closed"))),
                Some(b'>') => return Ok(i),
                Some(&quote @ (b'"' | b'\'')) => {
                    let end = memchr::memchr(quote, &bytes[i + 1..]).ok_or_else(|| self.error(at, &format!("{what} with a quoted value that is never closed")))?;
                    i += end + 2;
                }
                Some(_) => i += 1,
            }
        }
    }

    /// `<!--...-->`, `<![CDATA[...]]>` or `<!DOCTYPE ...>` at `at`.
    fn bang(&mut self, at: usize) -> Result<Option<Token<'a>>> {
        let rest = &self.src.as_bytes()[at..];
        if rest.starts_with(b"<!--") {
            let close = self.find(at + 4, b"-->").ok_or_else(|| self.error(at, "a comment that is never closed"))?;
            self.pos = close + 3;
            return self.next();
        }
        if rest.starts_with(b"<![CDATA[") {
            let close = self.find(at + 9, b"]]>").ok_or_else(|| self.error(at, "a CDATA section that is never closed"))?;
            self.pos = close + 3;
            return Ok(Some(Token::CData(&self.src[at + 9..close])));
        }
        if rest.len() >= 9 && rest[2..9].eq_ignore_ascii_case(b"DOCTYPE") {
            // Markup declarations inside it nest '<' and '>'.
            let mut depth = 0usize;
            for (i, &b) in rest.iter().enumerate().skip(9) {
                match b {
                    b'<' => depth += 1,
                    b'>' if depth == 0 => {
                        self.pos = at + i + 1;
                        return self.next();
                    }
                    b'>' => depth -= 1,
                    _ => {}
                }
            }
            return Err(self.error(at, "a DOCTYPE that is never closed"));
        }
        Err(self.error(at, "markup starting '<!' that is not a comment, CDATA or DOCTYPE"))
    }
}

fn is_xml_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// The length of the plain name `bytes` starts with: up to whitespace,
/// '>' or a quote, after which the tag needs a closer look.
fn name_length(bytes: &[u8]) -> usize {
    bytes.iter().position(|&b| matches!(b, b'>' | b'"' | b'\'') || is_xml_space(b)).unwrap_or(bytes.len())
}

/// The part of a name after its namespace prefix.
fn local_name(name: &str) -> &str {
    match name.bytes().rposition(|b| b == b':') {
        Some(colon) => &name[colon + 1..],
        None => name,
    }
}

/// What a walk keeps while tokens stream by, whichever reader makes them:
/// the open elements and the text of the innermost one, fed to the sink.
struct Tree<'a, 's, S> {
    sink: &'s mut S,
    stack: Vec<Tag>,
    /// Text of the innermost open element, kept only while it has no child.
    leaf_text: Option<Cow<'a, str>>,
}

impl<'a, 's, S: Sink<'a>> Tree<'a, 's, S> {
    fn new(sink: &'s mut S) -> Self {
        Tree { sink, stack: Vec::with_capacity(8), leaf_text: None }
    }

    /// Whether no element is open (before the root, or after it closed).
    fn outside_root(&self) -> bool {
        self.stack.is_empty()
    }

    /// An element opened, and at once closed again when `empty`.
    fn open(&mut self, tag: Tag, empty: bool) -> Result<()> {
        self.stack.push(tag);
        self.sink.start(&self.stack);
        if empty {
            self.sink.leaf(&self.stack, Cow::Borrowed(""))?;
            self.stack.pop();
            // The parent now has a child, so it is not a leaf.
            self.leaf_text = None;
        } else {
            self.leaf_text = Some(Cow::Borrowed(""));
        }
        Ok(())
    }

    fn close(&mut self) -> Result<()> {
        if let Some(text) = self.leaf_text.take() {
            self.sink.leaf(&self.stack, text)?;
        }
        self.stack.pop();
        Ok(())
    }

    /// Whether text here belongs to a leaf (else it is layout, to skip).
    fn wants_text(&self) -> bool {
        self.leaf_text.is_some()
    }

    fn text(&mut self, piece: Cow<'a, str>) {
        if let Some(leaf) = self.leaf_text.as_mut() {
            if leaf.is_empty() {
                *leaf = piece;
            } else {
                leaf.to_mut().push_str(&piece);
            }
        }
    }

    /// The end of the body: an element still open means it was cut short.
    fn finish(&self, body_len: usize) -> Result<()> {
        match self.stack.last() {
            None => Ok(()),
            Some(open) => Err(parse_error(format!(
                "response body ended after {body_len} bytes inside an open element ({open:?}): truncated?"
            ))),
        }
    }
}

/// Streams `body` into `sink` and returns the root element's tag and name.
fn walk<'a>(body: &'a [u8], sink: &mut impl Sink<'a>) -> Result<(Tag, &'a str)> {
    let text = std::str::from_utf8(body)
        .map_err(|e| parse_error(format!("response body is not UTF-8 (at byte {})", e.valid_up_to())))?;
    let mut scanner = Scanner::new(text);
    let mut tree = Tree::new(sink);
    // The names of the open elements, for their end tags.
    let mut open: Vec<&'a str> = Vec::with_capacity(8);
    let mut root: Option<(Tag, &'a str)> = None;

    loop {
        let at = scanner.pos;
        let Some(token) = scanner.next()? else { break };
        match token {
            Token::Start { name, empty } => {
                let tag = Tag::from_name(local_name(name).as_bytes());
                if tree.outside_root() {
                    if root.is_some() {
                        return Err(scanner.error(at, "a second root element"));
                    }
                    root = Some((tag, name));
                }
                if !empty {
                    open.push(name);
                }
                tree.open(tag, empty)?;
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

/// Paging fields shared by both answers.
#[derive(Default)]
struct Paging {
    request_id: Option<String>,
    total_count: Option<u64>,
    page_number: Option<u64>,
    page_size: Option<u64>,
    /// A root-level `Code`/`Message`: an error reported with a 2xx status.
    error_code: Option<String>,
    error_message: Option<String>,
}

impl Paging {
    /// An error `Code` in a 2xx answer would otherwise read as an empty page
    /// (and silently end a walk over all pages).
    fn check_no_error(&self) -> Result<()> {
        match &self.error_code {
            None => Ok(()),
            Some(code) => Err(Error::new(
                ErrorKind::Service,
                format!(
                    "the service answered 2xx with error {code}: {}",
                    self.error_message.as_deref().unwrap_or("(no message)")
                ),
            )
            .with_service_details(crate::error::ServiceDetails {
                http_status: 200,
                code: Some(code.clone()),
                request_id: self.request_id.clone(),
                ..Default::default()
            })),
        }
    }

    /// Takes `text` if `tag` (a child of the root) is a paging field.
    fn accept(&mut self, tag: Tag, text: Cow<'_, str>) -> Result<bool> {
        match tag {
            Tag::RequestId => self.request_id = Some(text.into_owned()),
            Tag::TotalCount => self.total_count = parse_count("TotalCount", &text)?,
            Tag::PageNumber => self.page_number = parse_count("PageNumber", &text)?,
            Tag::PageSize => self.page_size = parse_count("PageSize", &text)?,
            Tag::Code => self.error_code = Some(text.into_owned()),
            Tag::Message => self.error_message = Some(text.into_owned()),
            _ => return Ok(false),
        }
        Ok(true)
    }
}

/// Streams `body` into a fresh page sink and checks for a `<Response>` root.
fn parse_page<'a, S: Sink<'a> + Default>(body: &'a [u8]) -> Result<S> {
    let mut sink = S::default();
    expect_root(walk(body, &mut sink)?, Tag::Response)?;
    Ok(sink)
}

/// Room for a page's items up front, saving the copies of a growing list:
/// what this page holds by its paging fields when they came first (the
/// last page of a walk is often short), capped at the service's maximum
/// page size so that hostile values cannot make it allocate much.
fn page_capacity(paging: &Paging) -> usize {
    let page_size = paging.page_size.unwrap_or(10);
    let on_this_page = match (paging.total_count, paging.page_number) {
        (Some(total), Some(number)) => total.saturating_sub(number.saturating_sub(1).saturating_mul(page_size)).min(page_size),
        _ => page_size,
    };
    on_this_page.min(100) as usize
}

#[derive(Default)]
struct PicBucketSink {
    paging: Paging,
    buckets: Vec<PicBucket>,
}

impl<'a> Sink<'a> for PicBucketSink {
    fn start(&mut self, path: &[Tag]) {
        if path == [Tag::Response, Tag::PicBucketList] {
            if self.buckets.is_empty() {
                self.buckets.reserve(page_capacity(&self.paging));
            }
            self.buckets.push(PicBucket::default());
        }
    }

    fn leaf(&mut self, path: &[Tag], text: Cow<'a, str>) -> Result<()> {
        match path {
            [Tag::Response, tag] => {
                self.paging.accept(*tag, text)?;
            }
            [Tag::Response, Tag::PicBucketList, tag] => {
                let bucket = self.buckets.last_mut().expect("start() pushed the bucket");
                let slot = match tag {
                    Tag::BucketId => &mut bucket.bucket_id,
                    Tag::Name => &mut bucket.name,
                    Tag::Region => &mut bucket.region,
                    Tag::CreateTime => &mut bucket.create_time,
                    _ => return Ok(()),
                };
                *slot = Some(text.into_owned());
            }
            _ => {}
        }
        Ok(())
    }
}

/// Parses a `DescribePicProcessBucket` answer.
///
/// ```
/// let page = cloud_infinite::xml::parse_pic_bucket_page(
///     b"<Response><RequestId>r1</RequestId><TotalCount>1</TotalCount>\
///       <PicBucketList><BucketId>a-1250000000</BucketId><Region>ap-beijing</Region></PicBucketList></Response>",
/// ).unwrap();
/// assert_eq!(page.total_count, Some(1));
/// assert_eq!(page.buckets[0].region.as_deref(), Some("ap-beijing"));
/// assert_eq!(page.buckets[0].name, None);
/// ```
pub fn parse_pic_bucket_page(body: &[u8]) -> Result<PicBucketPage> {
    finish_pic_bucket_page(parse_page(body)?)
}

/// The page a sink collected, unless the answer held an error `Code`.
fn finish_pic_bucket_page(sink: PicBucketSink) -> Result<PicBucketPage> {
    sink.paging.check_no_error()?;
    let Paging { request_id, total_count, page_number, page_size, .. } = sink.paging;
    Ok(PicBucketPage { request_id, total_count, page_number, page_size, buckets: sink.buckets })
}

#[derive(Default)]
struct AiQueueSink {
    paging: Paging,
    queues: Vec<AiQueue>,
    non_exist_pids: Vec<String>,
}

impl<'a> Sink<'a> for AiQueueSink {
    fn start(&mut self, path: &[Tag]) {
        match path {
            [Tag::Response, Tag::QueueList] => {
                if self.queues.is_empty() {
                    self.queues.reserve(page_capacity(&self.paging));
                }
                self.queues.push(AiQueue::default());
            }
            [Tag::Response, Tag::QueueList, Tag::NotifyConfig] => {
                let queue = self.queues.last_mut().expect("start() pushed the queue");
                queue.notify_config = Some(NotifyConfig::default());
            }
            _ => {}
        }
    }

    fn leaf(&mut self, path: &[Tag], text: Cow<'a, str>) -> Result<()> {
        match path {
            [Tag::Response, Tag::NonExistPids] => self.non_exist_pids.push(text.into_owned()),
            [Tag::Response, tag] => {
                self.paging.accept(*tag, text)?;
            }
            [Tag::Response, Tag::QueueList, tag] => {
                let queue = self.queues.last_mut().expect("start() pushed the queue");
                let slot = match tag {
                    Tag::QueueId => &mut queue.queue_id,
                    Tag::Name => &mut queue.name,
                    Tag::State => &mut queue.state,
                    Tag::Category => &mut queue.category,
                    Tag::UpdateTime => &mut queue.update_time,
                    Tag::CreateTime => &mut queue.create_time,
                    Tag::MaxSize => {
                        queue.max_size = parse_count("MaxSize", &text)?;
                        return Ok(());
                    }
                    Tag::MaxConcurrent => {
                        queue.max_concurrent = parse_count("MaxConcurrent", &text)?;
                        return Ok(());
                    }
                    // An empty <NotifyConfig/> still says "there is a config".
                    Tag::NotifyConfig => {
                        queue.notify_config.get_or_insert_with(NotifyConfig::default);
                        return Ok(());
                    }
                    _ => return Ok(()),
                };
                *slot = Some(text.into_owned());
            }
            [Tag::Response, Tag::QueueList, Tag::NotifyConfig, tag] => {
                let queue = self.queues.last_mut().expect("start() pushed the queue");
                let config = queue.notify_config.get_or_insert_with(NotifyConfig::default);
                let slot = match tag {
                    Tag::Url => &mut config.url,
                    Tag::Event => &mut config.event,
                    Tag::Type => &mut config.r#type,
                    Tag::State => &mut config.state,
                    Tag::ResultFormat => &mut config.result_format,
                    Tag::MqMode => &mut config.mq_mode,
                    Tag::MqRegion => &mut config.mq_region,
                    Tag::MqName => &mut config.mq_name,
                    _ => return Ok(()),
                };
                *slot = Some(text.into_owned());
            }
            _ => {}
        }
        Ok(())
    }
}

/// Parses a `DescribeAiProcessQueues` answer.
///
/// ```
/// let page = cloud_infinite::xml::parse_ai_queue_page(
///     b"<Response><RequestId>r</RequestId><QueueList><QueueId>p1</QueueId><MaxSize>10000</MaxSize></QueueList>\
///       <NonExistPIDs>A</NonExistPIDs><NonExistPIDs>B</NonExistPIDs></Response>",
/// ).unwrap();
/// assert_eq!(page.total_count, None); // absent when queueIds was given
/// assert_eq!(page.queues[0].max_size, Some(10000));
/// assert_eq!(page.non_exist_pids, ["A", "B"]);
/// ```
pub fn parse_ai_queue_page(body: &[u8]) -> Result<AiQueuePage> {
    finish_ai_queue_page(parse_page(body)?)
}

/// The page a sink collected, unless the answer held an error `Code`.
fn finish_ai_queue_page(sink: AiQueueSink) -> Result<AiQueuePage> {
    sink.paging.check_no_error()?;
    let Paging { request_id, total_count, page_number, page_size, .. } = sink.paging;
    Ok(AiQueuePage { request_id, total_count, page_number, page_size, queues: sink.queues, non_exist_pids: sink.non_exist_pids })
}

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
struct ErrorSink {
    body: ErrorBody,
}

impl<'a> Sink<'a> for ErrorSink {
    fn start(&mut self, _path: &[Tag]) {}

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

/// The quick-xml reader this module used before [`Scanner`], kept as an
/// oracle: the differential fuzz target and the tests parse every input
/// with both and require the same pages, the same error-body fields, and
/// a failure from one only where the other fails too. It shares [`Tree`]
/// with the scanner's walk, so it checks the tokenizer; it once ignored
/// CDATA outside the root element, which both now refuse.
#[cfg(any(test, feature = "reference-parser"))]
#[doc(hidden)]
pub mod reference {
    use std::borrow::Cow;

    use quick_xml::events::Event;
    use quick_xml::Reader;

    use super::{decode_text, expect_root, parse_error, AiQueueSink, ErrorSink, PicBucketSink, Sink, Tag, Tree};
    use crate::error::Result;

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
                    tree.open(tag, empty)?;
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

    /// What `reader` makes of `body` as each answer: the queue page, the
    /// bucket page and the error body, printed, or `None` for a failure.
    fn outcomes(reader: Which, body: &[u8]) -> [Option<String>; 3] {
        let page_root = |tag: Tag| expect_root((tag, ""), Tag::Response);
        let mut queues = AiQueueSink::default();
        let queues = root(reader, body, &mut queues).and_then(page_root).and_then(|()| super::finish_ai_queue_page(queues));
        let mut buckets = PicBucketSink::default();
        let buckets = root(reader, body, &mut buckets).and_then(page_root).and_then(|()| super::finish_pic_bucket_page(buckets));
        let mut error = ErrorSink::default();
        let error = root(reader, body, &mut error).ok().filter(|tag| matches!(tag, Tag::Response | Tag::Error)).map(|_| error.body);
        [queues.ok().map(|p| format!("{p:?}")), buckets.ok().map(|p| format!("{p:?}")), error.map(|e| format!("{e:?}"))]
    }

    /// Panics, naming the input, if the two readers disagree on `body`.
    ///
    /// The scanner may refuse what quick-xml accepts only where XML itself
    /// forbids it: an element with no name.
    pub fn assert_same(body: &[u8]) {
        // `<>`, `< a>`, `< />`: quick-xml reads a tag with an empty name.
        let quick_xml_accepts_nameless = body.windows(2).any(|w| w[0] == b'<' && (w[1] == b'>' || super::is_xml_space(w[1])));
        let answers = ["ai_queue_page", "pic_bucket_page", "error_body"];
        for ((answer, ours), theirs) in answers.iter().zip(outcomes(Which::Scanner, body)).zip(outcomes(Which::QuickXml, body)) {
            if ours != theirs && !(ours.is_none() && quick_xml_accepts_nameless) {
                panic!("{answer}: the scanner and quick-xml disagree on {:?}:\nscanner:   {ours:?}\nquick-xml: {theirs:?}", String::from_utf8_lossy(body));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC_QUEUES: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Response>
<RequestId>NjJmNDczY2RfOTBmYTUwNjRfNTA4ZV85</RequestId>
<TotalCount>1</TotalCount>
<PageNumber>1</PageNumber>
<PageSize>10</PageSize>
<QueueList>
<QueueId>p4a17eeea29334bf499b7e20e2fbfd99d</QueueId>
<Name>My-Queue-ai &amp; &lt;co&gt; &#x6D4B;</Name>
<State>Active</State>
<NotifyConfig>
<Url><![CDATA[http://callback.demo.com/?a=1&b=2]]></Url>
<Event>TaskFinish,WorkflowFinish</Event>
<Type>Url</Type>
<State>On</State>
<ResultFormat>JSON</ResultFormat>
<Unknown><Deep>x</Deep></Unknown>
</NotifyConfig>
<MaxSize>10000</MaxSize>
<MaxConcurrent>10</MaxConcurrent>
<UpdateTime>2022-08-09T16:23:11+0800</UpdateTime>
<CreateTime>2022-08-09T16:23:11+0800</CreateTime>
<Category>AIProcess</Category>
</QueueList>
<QueueList><QueueId>p2</QueueId><NotifyConfig/></QueueList>
<QueueList><QueueId>p3</QueueId></QueueList>
</Response>"#;

    #[test]
    fn queues_every_field_entities_cdata_and_variants() {
        let page = parse_ai_queue_page(DOC_QUEUES.as_bytes()).unwrap();
        assert_eq!(page.request_id.as_deref(), Some("NjJmNDczY2RfOTBmYTUwNjRfNTA4ZV85"));
        assert_eq!((page.total_count, page.page_number, page.page_size), (Some(1), Some(1), Some(10)));
        assert_eq!(page.queues.len(), 3);
        let q = &page.queues[0];
        assert_eq!(q.name.as_deref(), Some("My-Queue-ai & <co> 测"));
        assert_eq!(q.state.as_deref(), Some("Active"));
        assert_eq!((q.max_size, q.max_concurrent), (Some(10000), Some(10)));
        assert_eq!(q.category.as_deref(), Some("AIProcess"));
        assert_eq!(q.update_time.as_deref(), Some("2022-08-09T16:23:11+0800"));
        let n = q.notify_config.as_ref().unwrap();
        assert_eq!(n.url.as_deref(), Some("http://callback.demo.com/?a=1&b=2"));
        assert_eq!(n.event.as_deref(), Some("TaskFinish,WorkflowFinish"));
        assert_eq!(n.r#type.as_deref(), Some("Url"));
        assert_eq!(n.state.as_deref(), Some("On"));
        assert_eq!(n.result_format.as_deref(), Some("JSON"));
        assert_eq!(n.mq_mode, None);
        assert_eq!(page.queues[1].notify_config, Some(NotifyConfig::default()));
        assert_eq!(page.queues[2].notify_config, None);
        assert!(page.non_exist_pids.is_empty());
    }

    #[test]
    fn one_bucket_is_still_a_list_and_empty_page_has_none() {
        let one = parse_pic_bucket_page(b"<Response><PicBucketList><Name>a</Name></PicBucketList></Response>").unwrap();
        assert_eq!(one.buckets.len(), 1);
        let none = parse_pic_bucket_page(b"<Response><TotalCount>0</TotalCount></Response>").unwrap();
        assert!(none.buckets.is_empty());
        assert_eq!(none.total_count, Some(0));
    }

    #[test]
    fn malformed_bodies_are_parse_errors_that_say_why() {
        let cases: [(&[u8], &str); 8] = [
            (b"", "no XML element"),
            (b"service unavailable", "text outside"),
            (b"<Response><TotalCount>1</PageNumber></Response>", "not well-formed"),
            (b"<Response><TotalCount>1</TotalCount>", "truncated"),
            (b"<Response><TotalCount>abc</TotalCount></Response>", "TotalCount should be a non-negative integer"),
            (b"<Response><TotalCount>-1</TotalCount></Response>", "non-negative"),
            (b"<Error><Code>x</Code></Error>", "expected the root element <Response>, found <Error>"),
            (b"<Response>\xff</Response>", "not UTF-8"),
        ];
        for (body, needle) in cases {
            let e = parse_pic_bucket_page(body).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Parse);
            assert!(e.message().contains(needle), "{:?}: {}", String::from_utf8_lossy(body), e.message());
        }
        assert!(parse_pic_bucket_page(b"<Response></Response><Response></Response>").is_err());
        for nul in [&b"<Response><RequestId>a&#0;b</RequestId></Response>"[..], b"<Response><RequestId>a\0b</RequestId></Response>", b"<Response><RequestId><![CDATA[a\0]]></RequestId></Response>"] {
            assert_eq!(parse_pic_bucket_page(nul).unwrap_err().kind(), ErrorKind::Parse);
        }
    }

    #[test]
    fn an_error_code_in_a_2xx_answer_is_a_service_error() {
        let body = b"<Response><Code>InternalError</Code><Message>try later</Message><RequestId>r9</RequestId></Response>";
        for e in [parse_pic_bucket_page(body).unwrap_err(), parse_ai_queue_page(body).unwrap_err()] {
            assert_eq!((e.kind(), e.code(), e.request_id()), (ErrorKind::Service, Some("InternalError"), Some("r9")));
            assert!(e.message().contains("try later"));
        }
    }

    #[test]
    fn error_bodies_with_either_root() {
        let e = parse_error_body(
            b"<?xml version='1.0'?><Error><Code>SignatureDoesNotMatch</Code><Message>m</Message>\
              <Resource>/picbucket</Resource><RequestId>r</RequestId><TraceId>t</TraceId></Error>",
        )
        .unwrap();
        assert_eq!(e.code.as_deref(), Some("SignatureDoesNotMatch"));
        assert_eq!(e.resource.as_deref(), Some("/picbucket"));
        assert_eq!(e.trace_id.as_deref(), Some("t"));
        let r = parse_error_body(b"<Response><Code>InvalidArgument</Code><RequestId>r2</RequestId></Response>").unwrap();
        assert_eq!(r.code.as_deref(), Some("InvalidArgument"));
        assert_eq!(r.message, None);
        assert!(parse_error_body(b"<Other/>").is_none());
        assert!(parse_error_body(b"<Error><Code>x").is_none());
    }

    #[test]
    fn the_scanner_reads_like_quick_xml() {
        let tricky: [&[u8]; 22] = [
            b"\xEF\xBB\xBF<Response><RequestId>bom</RequestId></Response>",
            b"<?xml version='1.0'?><!DOCTYPE Response [<!ELEMENT Response ANY>]><!-- c --><Response/>",
            b"<Response a='>' b=\"/>\"><RequestId >x</RequestId ></Response>",
            b"<ns:Response xmlns:ns='u'><ns:RequestId>p</ns:RequestId></ns:Response>",
            b"<Response><RequestId>a<!-- x -->b<![CDATA[<c>]]>&amp;d</RequestId></Response>",
            b"<Response><RequestId>a<b/>c</RequestId></Response>",
            b"<Response><TotalCount>1</TotalCount></response>",
            b"<Response></RequestId>",
            b"<Response><RequestId>&bogus;</RequestId></Response>",
            b"<Response><!-- never closed </Response>",
            b"<Response><![CDATA[x]]</Response>",
            b"<Response a='never closed></Response>",
            b"<Response><RequestId>x</RequestId><",
            b"<Response><?pi never closed</Response>",
            b"<Response><!x></Response>",
            b"<Response><QueueList><NotifyC'nfig/></QueueList></Response>",
            b"<Response><a'>'>x</a'>'><b x='1' / ></b></Response>",
            b"<Response><RequestId>x</RequestId a='>'></Response>",
            b"<Response/><Response/>",
            b"<![CDATA[x]]><Response/>",
            b"text<Response/>",
            b"<Response>\n  <PicBucketList>\n    <Name>a &#x41; &#65;</Name>\n  </PicBucketList>\n</Response>\n",
        ];
        for body in tricky {
            reference::assert_same(body);
        }
        for target in ["parse_response", "parse_error_body"] {
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus").join(target);
            for entry in std::fs::read_dir(&dir).unwrap() {
                reference::assert_same(&std::fs::read(entry.unwrap().path()).unwrap());
            }
        }
    }

    #[test]
    fn a_nameless_element_is_refused() {
        for body in [&b"<>x</>"[..], b"<Response>< RequestId>x</ RequestId></Response>", b"<Response></></Response>"] {
            let e = parse_pic_bucket_page(body).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Parse, "{}", String::from_utf8_lossy(body));
        }
    }
}
