//! [`Page`]: one page of any describe call, holding the answer's bytes
//! once. Its strings are ranges of that buffer, read through borrowed
//! views ([`BucketRef`](crate::BucketRef), [`QueueRef`](crate::QueueRef)...),
//! so a page costs its body plus a few bytes per field, and the C ABI
//! hands out pointers into the same bytes.

use std::fmt;
use std::marker::PhantomData;

use crate::xml::Item;

/// Where one string of a page lies in its buffer, and which field it is.
///
/// Eight bytes: the start, then the length in the low 24 bits and the
/// field's number in the high 8. Every string is followed by a NUL in the
/// buffer, so the C ABI can point at it as it is.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    start: u32,
    len_and_field: u32,
}

/// The longest single string a page holds: 16 MiB less one byte, the
/// length a [`Span`] can carry. Longer is refused when parsing.
pub(crate) const MAX_STRING_BYTES: usize = (1 << 24) - 1;

/// The largest buffer a page can index.
pub(crate) const MAX_BUFFER_BYTES: usize = u32::MAX as usize;

impl Span {
    /// A span of `len` bytes at `start` for field `field`; the caller has
    /// checked both bounds ([`MAX_STRING_BYTES`], [`MAX_BUFFER_BYTES`]).
    pub(crate) fn new(start: usize, len: usize, field: u8) -> Span {
        debug_assert!(len <= MAX_STRING_BYTES && start + len < MAX_BUFFER_BYTES);
        Span { start: start as u32, len_and_field: (len as u32) | (u32::from(field) << 24) }
    }

    pub(crate) fn start(self) -> usize {
        self.start as usize
    }

    pub(crate) fn len(self) -> usize {
        (self.len_and_field & 0x00FF_FFFF) as usize
    }

    pub(crate) fn field(self) -> u8 {
        (self.len_and_field >> 24) as u8
    }
}

/// The fields of one item: its spans, and the buffer they point into.
/// What the views ([`QueueRef`](crate::QueueRef)...) wrap.
#[doc(hidden)]
#[derive(Clone, Copy)]
pub struct Fields<'a> {
    buf: &'a [u8],
    spans: &'a [Span],
}

impl<'a> Fields<'a> {
    pub(crate) fn span(&self, field: u8) -> Option<Span> {
        self.spans.iter().find(|s| s.field() == field).copied()
    }

    /// Whether the item has `field` (a string, a number, or a nested element).
    pub(crate) fn has(&self, field: u8) -> bool {
        self.span(field).is_some()
    }

    pub(crate) fn text(&self, field: u8) -> Option<&'a str> {
        self.span(field).map(|span| text_at(self.buf, span))
    }

    /// A number the parser checked: its digits, trimmed.
    pub(crate) fn number(&self, field: u8) -> Option<u64> {
        self.text(field).and_then(|digits| digits.trim().parse().ok())
    }
}

/// The string `span` points at.
fn text_at(buf: &[u8], span: Span) -> &str {
    let bytes = &buf[span.start()..span.start() + span.len()];
    debug_assert!(std::str::from_utf8(bytes).is_ok());
    // SAFETY: spans are only made from `&str` slices of the validated body
    // (whose ends fall on character boundaries: every delimiter is ASCII)
    // or of strings appended whole, and the buffer is never changed inside
    // a span afterwards (NULs go only after one).
    unsafe { std::str::from_utf8_unchecked(bytes) }
}

/// One page of any describe call: the paging fields every answer shares,
/// the items of the call's list element and, for queue calls,
/// `NonExistPIDs`.
///
/// A page owns the answer's bytes in one buffer and its items are read
/// through borrowed views: [`items`](Page::items) yields a
/// [`BucketRef`](crate::BucketRef), [`CiBucketRef`](crate::CiBucketRef) or
/// [`QueueRef`](crate::QueueRef) per item, whose accessors return `&str`
/// into the page; [`to_items`](Page::to_items) copies them out as owned
/// [`Bucket`](crate::Bucket)s, [`Queue`](crate::Queue)s...
///
/// ```
/// use cloud_infinite::{xml, Bucket};
/// let body = b"<Response><TotalCount>1</TotalCount><PicBucketList><Name>a-1</Name></PicBucketList></Response>";
/// let page = xml::parse_page::<Bucket>(body.to_vec(), "PicBucketList", 100).unwrap();
/// assert_eq!(page.total_count, Some(1));
/// let names: Vec<_> = page.items().map(|b| b.name()).collect();
/// assert_eq!(names, [Some("a-1")]);
/// ```
#[non_exhaustive]
pub struct Page<T> {
    /// The answer's bytes (with a NUL after each string), then any string
    /// that had to be decoded or came from a header.
    buf: Vec<u8>,
    request_id: Option<Span>,
    /// `TotalCount`: items matching the query across all pages; absent when
    /// a queue query named `queue_ids`.
    pub total_count: Option<u64>,
    /// `PageNumber`, 1-based; absent when a queue query named `queue_ids`.
    pub page_number: Option<u64>,
    /// `PageSize`; absent when a queue query named `queue_ids`.
    pub page_size: Option<u64>,
    /// Where each item's spans start in `spans`.
    item_starts: Vec<u32>,
    spans: Vec<Span>,
    non_exist_pids: Vec<Span>,
    items: PhantomData<fn() -> T>,
}

/// What the parser hands to [`Page::from_parts`].
pub(crate) struct PageParts {
    pub(crate) buf: Vec<u8>,
    pub(crate) request_id: Option<Span>,
    pub(crate) total_count: Option<u64>,
    pub(crate) page_number: Option<u64>,
    pub(crate) page_size: Option<u64>,
    pub(crate) item_starts: Vec<u32>,
    pub(crate) spans: Vec<Span>,
    pub(crate) non_exist_pids: Vec<Span>,
}

impl<T: Item> Page<T> {
    pub(crate) fn from_parts(parts: PageParts) -> Self {
        let PageParts { buf, request_id, total_count, page_number, page_size, item_starts, spans, non_exist_pids } = parts;
        Page { buf, request_id, total_count, page_number, page_size, item_starts, spans, non_exist_pids, items: PhantomData }
    }

    /// `RequestId` (the `x-ci-request-id` header when the body has none).
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.map(|span| text_at(&self.buf, span))
    }

    /// Sets the request id to `id` when the body had none.
    pub(crate) fn set_request_id_if_absent(&mut self, id: Option<&str>) {
        let Some(id) = id else { return };
        if self.request_id.is_some() || id.len() > MAX_STRING_BYTES || self.buf.len() + id.len() >= MAX_BUFFER_BYTES || id.contains('\0') {
            return;
        }
        let start = self.buf.len();
        self.buf.extend_from_slice(id.as_bytes());
        self.buf.push(0);
        self.request_id = Some(Span::new(start, id.len(), 0));
    }

    /// The number of items on this page.
    pub fn len(&self) -> usize {
        self.item_starts.len()
    }

    /// Whether this page lists no item.
    pub fn is_empty(&self) -> bool {
        self.item_starts.is_empty()
    }

    /// The items, in answer order, as views into the page.
    pub fn items(&self) -> Items<'_, T> {
        Items { page: self, next: 0, end: self.len() }
    }

    /// The item at `index`, if there is one.
    pub fn item(&self, index: usize) -> Option<T::Ref<'_>> {
        (index < self.len()).then(|| T::view(self.fields(index)))
    }

    /// Every item, copied out of the page.
    pub fn to_items(&self) -> Vec<T> {
        self.items().map(T::owned).collect()
    }

    /// `NonExistPIDs` of a queue call: requested queue ids that do not exist
    /// (always empty for bucket calls).
    pub fn non_exist_pids(&self) -> impl ExactSizeIterator<Item = &str> + DoubleEndedIterator + '_ {
        self.non_exist_pids.iter().map(|span| text_at(&self.buf, *span))
    }

    fn fields(&self, index: usize) -> Fields<'_> {
        let start = self.item_starts[index] as usize;
        let end = self.item_starts.get(index + 1).map_or(self.spans.len(), |e| *e as usize);
        Fields { buf: &self.buf, spans: &self.spans[start..end] }
    }

    /// The buffer every string points into, for the C ABI.
    pub(crate) fn buffer(&self) -> &[u8] {
        &self.buf
    }

    /// The buffer, for the C ABI to keep while its pointers into it live.
    pub(crate) fn into_buffer(self) -> Vec<u8> {
        self.buf
    }

    /// Bytes this page holds on the heap (its buffer and its spans), for
    /// tests of what a page costs against its body.
    #[doc(hidden)]
    pub fn heap_bytes(&self) -> usize {
        self.buf.capacity()
            + self.item_starts.capacity() * std::mem::size_of::<u32>()
            + (self.spans.capacity() + self.non_exist_pids.capacity()) * std::mem::size_of::<Span>()
    }
}

/// The items of a [`Page`], as views: see [`Page::items`].
pub struct Items<'a, T> {
    page: &'a Page<T>,
    next: usize,
    end: usize,
}

impl<'a, T: Item> Iterator for Items<'a, T> {
    type Item = T::Ref<'a>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.next == self.end {
            return None;
        }
        self.next += 1;
        Some(T::view(self.page.fields(self.next - 1)))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.end - self.next;
        (left, Some(left))
    }
}

impl<T: Item> DoubleEndedIterator for Items<'_, T> {
    fn next_back(&mut self) -> Option<Self::Item> {
        if self.next == self.end {
            return None;
        }
        self.end -= 1;
        Some(T::view(self.page.fields(self.end)))
    }
}

impl<T: Item> ExactSizeIterator for Items<'_, T> {}

impl<T> Clone for Items<'_, T> {
    fn clone(&self) -> Self {
        Items { page: self.page, next: self.next, end: self.end }
    }
}

impl<T: Item> fmt::Debug for Items<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.clone()).finish()
    }
}

impl<T> Default for Page<T> {
    fn default() -> Self {
        Page {
            buf: Vec::new(),
            request_id: None,
            total_count: None,
            page_number: None,
            page_size: None,
            item_starts: Vec::new(),
            spans: Vec::new(),
            non_exist_pids: Vec::new(),
            items: PhantomData,
        }
    }
}

impl<T> Clone for Page<T> {
    fn clone(&self) -> Self {
        Page {
            buf: self.buf.clone(),
            request_id: self.request_id,
            total_count: self.total_count,
            page_number: self.page_number,
            page_size: self.page_size,
            item_starts: self.item_starts.clone(),
            spans: self.spans.clone(),
            non_exist_pids: self.non_exist_pids.clone(),
            items: PhantomData,
        }
    }
}

/// Shows what the page says, as owned items would, not how it stores it.
impl<T: Item> fmt::Debug for Page<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Page")
            .field("request_id", &self.request_id())
            .field("total_count", &self.total_count)
            .field("page_number", &self.page_number)
            .field("page_size", &self.page_size)
            .field("items", &self.items())
            .field("non_exist_pids", &self.non_exist_pids().collect::<Vec<_>>())
            .finish()
    }
}

/// Two pages are equal when they say the same, however their bytes lie.
impl<T: Item> PartialEq for Page<T> {
    fn eq(&self, other: &Self) -> bool {
        self.request_id() == other.request_id()
            && (self.total_count, self.page_number, self.page_size) == (other.total_count, other.page_number, other.page_size)
            && self.len() == other.len()
            && self.items().zip(other.items()).all(|(a, b)| T::owned(a) == T::owned(b))
            && self.non_exist_pids().eq(other.non_exist_pids())
    }
}

impl<T: Item> Eq for Page<T> {}
