//! One page of any call: the paging fields, the items of the call's list
//! element, and `NonExistPIDs`, filled by one sink for every call as
//! ranges of the body the page then keeps.

use std::borrow::Cow;
use std::marker::PhantomData;

use super::items::{Item, ItemSpans, Leaf};
use super::{expect_root, parse_count, parse_error, walk, Sink, Tag};
use crate::error::{Error, ErrorKind, Result, ServiceDetails};
use crate::page::{Page, PageParts, Span, MAX_BUFFER_BYTES, MAX_STRING_BYTES};
use crate::views::field;

/// The most items a page may hold whatever the query: the service's
/// largest page size. A queue query naming more ids than this may get one
/// item per id.
pub const MAX_ITEMS_PER_PAGE: usize = crate::request::MAX_PAGE_SIZE as usize;

/// Parses a 2xx answer of a call whose items are `list_element`s into a
/// page that keeps `body` as its buffer. More than `max_items` items (or
/// `NonExistPIDs`) is a parse error: the service never sends more than it
/// was asked for, and a page that claims to hold millions must not be built.
///
/// ```
/// use cloud_infinite::{xml, Bucket};
/// let body = b"<Response><TotalCount>1</TotalCount><MediaBucketList><Name>a-1</Name></MediaBucketList></Response>";
/// let page = xml::parse_page::<Bucket>(body.to_vec(), "MediaBucketList", 100).unwrap();
/// assert_eq!(page.item(0).unwrap().name(), Some("a-1"));
/// assert!(xml::parse_page::<Bucket>(body.to_vec(), "MediaBucketList", 0).is_err());
/// ```
pub fn parse_page<T: Item>(body: Vec<u8>, list_element: &str, max_items: usize) -> Result<Page<T>> {
    if body.len() >= MAX_BUFFER_BYTES {
        return Err(parse_error(format!("the answer is {} bytes, more than the {MAX_BUFFER_BYTES} a page can index: refused", body.len())));
    }
    let mut sink = PageSink::<T>::new(&body, list_element, max_items);
    expect_root(walk(&body, &mut sink)?, Tag::Response)?;
    sink.finish(body)
}

/// The paging fields, and a 2xx answer's error fields if it has any.
#[derive(Default)]
struct Paging {
    request_id: Option<Span>,
    total_count: Option<u64>,
    page_number: Option<u64>,
    page_size: Option<u64>,
    error_code: Option<String>,
    error_message: Option<String>,
}

impl Paging {
    /// A `<Code>` in a 2xx answer is the service reporting a failure: it
    /// keeps its code and the body's request id.
    fn check_no_error(&mut self, request_id: Option<&str>) -> Result<()> {
        let Some(code) = self.error_code.take() else { return Ok(()) };
        let message = self.error_message.take().unwrap_or_else(|| "(no message)".into());
        Err(Error::new(ErrorKind::Service, format!("the service answered 2xx with error {code}: {message}")).with_service_details(
            ServiceDetails { http_status: 200, code: Some(code), request_id: request_id.map(str::to_owned), ..Default::default() },
        ))
    }

    /// How many items this page should hold, to size the list once.
    fn expected_items(&self, max_items: usize) -> usize {
        let page_size = self.page_size.unwrap_or(crate::request::DEFAULT_PAGE_SIZE);
        let on_this_page = match (self.total_count, self.page_number) {
            (Some(total), Some(number)) => total.saturating_sub(number.saturating_sub(1).saturating_mul(page_size)).min(page_size),
            _ => page_size,
        };
        (on_this_page as usize).min(max_items)
    }
}

/// Where the strings of a page go: a range of the body when the text is
/// one piece of it as it is (the common case), else appended after the
/// body (entities decoded, pieces joined).
struct Texts {
    body_start: usize,
    body_len: usize,
    /// What goes after the body, each string followed by a NUL.
    appended: Vec<u8>,
}

impl Texts {
    fn span(&mut self, text: &str, field: u8) -> Result<Span> {
        if text.len() > MAX_STRING_BYTES {
            return Err(parse_error(format!("the answer holds a string of {} bytes, more than the {MAX_STRING_BYTES} a page keeps: refused", text.len())));
        }
        let offset = (text.as_ptr() as usize).wrapping_sub(self.body_start);
        // In the body with a byte after it (the markup that ended it), which
        // becomes its NUL.
        if offset < self.body_len && offset + text.len() < self.body_len {
            return Ok(Span::new(offset, text.len(), field));
        }
        let start = self.body_len + self.appended.len();
        if start + text.len() + 1 >= MAX_BUFFER_BYTES {
            return Err(parse_error(format!("the answer's strings take more than the {MAX_BUFFER_BYTES} bytes a page can index: refused")));
        }
        // NUL included, and room for a few more, so a page of decoded
        // texts grows this a few times, not once per text.
        self.appended.reserve((text.len() + 1).max(64));
        self.appended.extend_from_slice(text.as_bytes());
        self.appended.push(0);
        Ok(Span::new(start, text.len(), field))
    }
}

pub(super) struct PageSink<'l, T> {
    list: Tag,
    /// The list element's name, for messages.
    list_element: &'l str,
    max_items: usize,
    paging: Paging,
    texts: Texts,
    item_starts: Vec<u32>,
    spans: Vec<Span>,
    /// The fields the current item has (see [`ItemSpans`]).
    seen: u64,
    non_exist_pids: Vec<Span>,
    item: PhantomData<fn() -> T>,
}

impl<'l, T: Item> PageSink<'l, T> {
    /// A sink for a walk over `body`, which [`finish`](Self::finish) then takes.
    pub(super) fn new(body: &[u8], list_element: &'l str, max_items: usize) -> Self {
        PageSink {
            list: Tag::from_name(list_element.as_bytes()),
            list_element,
            max_items,
            paging: Paging::default(),
            texts: Texts { body_start: body.as_ptr() as usize, body_len: body.len(), appended: Vec::new() },
            item_starts: Vec::new(),
            spans: Vec::new(),
            seen: 0,
            non_exist_pids: Vec::new(),
            item: PhantomData,
        }
    }

    fn too_many(&self, what: &str) -> Error {
        parse_error(format!("the answer holds more than {} {what}, more than the page can hold: refused", self.max_items))
    }

    fn current_item(&mut self) -> ItemSpans<'_> {
        let from = *self.item_starts.last().expect("start() opened the item") as usize;
        ItemSpans { spans: &mut self.spans, from, seen: &mut self.seen }
    }

    /// The page, over `body`: the bytes the walk read (the same buffer, or
    /// a copy of the bytes given to [`new`](Self::new)).
    pub(super) fn finish(mut self, body: Vec<u8>) -> Result<Page<T>> {
        debug_assert_eq!(body.len(), self.texts.body_len);
        let mut buf = body;
        // Exactly: a doubled buffer would cost as much as the body again.
        buf.reserve_exact(self.texts.appended.len());
        buf.extend_from_slice(&self.texts.appended);
        // The byte after each string of the body (markup) becomes its NUL,
        // so that every string is a C string where it lies.
        let body_len = self.texts.body_len;
        let in_body = self.spans.iter().filter(|s| !matches!(s.field(), field::NOTIFY_CONFIG | field::KAFKA_CONFIG));
        for span in in_body.chain(&self.non_exist_pids).chain(&self.paging.request_id) {
            if span.start() < body_len {
                buf[span.start() + span.len()] = 0;
            }
        }
        let request_id = self.paging.request_id.map(|s| std::str::from_utf8(&buf[s.start()..s.start() + s.len()]).unwrap_or_default());
        self.paging.check_no_error(request_id)?;
        let Paging { request_id, total_count, page_number, page_size, .. } = self.paging;
        // A page holds at most twice its body (issue 17): estimates that
        // grew past it, on pages unlike the service's, give the slack back.
        let lists = |s: &Self| 4 * s.item_starts.capacity() + 8 * (s.spans.capacity() + s.non_exist_pids.capacity());
        if buf.capacity() + lists(&self) > 2 * body_len {
            // The body's own slack first (a read without Content-Length).
            buf.shrink_to_fit();
            if buf.capacity() + lists(&self) > 2 * body_len {
                self.item_starts.shrink_to_fit();
                self.spans.shrink_to_fit();
                self.non_exist_pids.shrink_to_fit();
            }
        }
        Ok(Page::from_parts(PageParts {
            buf,
            request_id,
            total_count,
            page_number,
            page_size,
            item_starts: self.item_starts,
            spans: self.spans,
            non_exist_pids: self.non_exist_pids,
        }))
    }
}

impl<T: Item> PageSink<'_, T> {
    /// A leaf of the current item: the field it fills, if any.
    fn item_leaf(&mut self, rest: &[Tag], text: &str) -> Result<()> {
        match T::leaf(rest) {
            None => {}
            Some(Leaf::Text(field)) => {
                let span = self.texts.span(text, field)?;
                self.current_item().set(span);
            }
            Some(Leaf::Number(field, name)) => match parse_count(name, text)? {
                Some(_) => {
                    let span = self.texts.span(text, field)?;
                    self.current_item().set(span);
                }
                // Present but empty: as absent, replacing an earlier one.
                None => self.current_item().remove(|f| f == field),
            },
        }
        Ok(())
    }
}

impl<'a, T: Item> Sink<'a> for PageSink<'_, T> {
    fn plain_leaf(&mut self, path: &[Tag], text: &'a str) -> Result<()> {
        match path {
            // A field of an item, most of a page: one match, not two.
            [Tag::Response, list, rest @ ..] if *list == self.list && !rest.is_empty() => {
                T::start(rest, &mut self.current_item());
                self.item_leaf(rest, text)
            }
            _ => {
                self.start(path)?;
                self.leaf(path, Cow::Borrowed(text))
            }
        }
    }

    fn start(&mut self, path: &[Tag]) -> Result<()> {
        match path {
            [Tag::Response, list] if *list == self.list => {
                if self.item_starts.len() >= self.max_items {
                    return Err(self.too_many(&format!("{} items", self.list_element)));
                }
                // An answer that says its page holds N items and lists more
                // contradicts itself (the service lists PageSize first).
                if self.paging.page_size.is_some_and(|size| self.item_starts.len() as u64 >= size) {
                    return Err(parse_error(format!(
                        "the answer lists more {} items than its own PageSize of {}: refused",
                        self.list_element,
                        self.paging.page_size.unwrap_or_default()
                    )));
                }
                if self.item_starts.is_empty() {
                    // Sized once for the service's pages, and never more
                    // than the body can hold: an item takes 12 bytes or more
                    // of it, and the service's fields about 30 each.
                    let body_len = self.texts.body_len;
                    self.item_starts.reserve(self.paging.expected_items(self.max_items).min(body_len / 12));
                    self.spans.reserve((self.paging.expected_items(self.max_items) * T::TYPICAL_FIELDS).min(body_len / 24));
                }
                self.item_starts.push(self.spans.len() as u32);
                self.seen = 0;
            }
            [Tag::Response, list, rest @ ..] if *list == self.list => T::start(rest, &mut self.current_item()),
            _ => {}
        }
        Ok(())
    }

    fn leaf(&mut self, path: &[Tag], text: Cow<'a, str>) -> Result<()> {
        match path {
            // Current answers repeat `<NonExistPIDs>id</NonExistPIDs>`;
            // older ones nest `<QueueID>` elements in one of them.
            [Tag::Response, Tag::NonExistPids] | [Tag::Response, Tag::NonExistPids, Tag::NonExistQueueId] => {
                if self.non_exist_pids.len() >= self.max_items {
                    return Err(self.too_many("NonExistPIDs"));
                }
                let span = self.texts.span(&text, 0)?;
                self.non_exist_pids.push(span);
            }
            // `<QueueList/>` itself (an empty item) has nothing to read.
            [Tag::Response, list] if *list == self.list => {}
            [Tag::Response, list, rest @ ..] if *list == self.list => self.item_leaf(rest, &text)?,
            [Tag::Response, tag] => match tag {
                Tag::RequestId => self.paging.request_id = Some(self.texts.span(&text, 0)?),
                Tag::TotalCount => self.paging.total_count = parse_count("TotalCount", &text)?,
                Tag::PageNumber => self.paging.page_number = parse_count("PageNumber", &text)?,
                Tag::PageSize => self.paging.page_size = parse_count("PageSize", &text)?,
                Tag::Code => self.paging.error_code = Some(text.into_owned()),
                Tag::Message => self.paging.error_message = Some(text.into_owned()),
                _ => {}
            },
            _ => {}
        }
        Ok(())
    }
}
