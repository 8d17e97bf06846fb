//! One page of any call: the paging fields, the items of the call's list
//! element, and `NonExistPIDs`, filled by one sink for every call.

use std::borrow::Cow;

use super::items::Item;
use super::{expect_root, parse_count, parse_error, walk, Sink, Tag};
use crate::error::{Error, ErrorKind, Result, ServiceDetails};
use crate::model::Page;

/// The most items a page may hold whatever the query: the service's
/// largest page size. A queue query naming more ids than this may get one
/// item per id.
pub const MAX_ITEMS_PER_PAGE: usize = crate::request::MAX_PAGE_SIZE as usize;

/// Parses a 2xx answer of a call whose items are `list_element`s. More
/// than `max_items` items (or `NonExistPIDs`) is a parse error: the service
/// never sends more than it was asked for, and a page that claims to hold
/// millions must not be built.
///
/// ```
/// use cloud_infinite::{xml, Bucket};
/// let body = b"<Response><TotalCount>1</TotalCount><MediaBucketList><Name>a-1</Name></MediaBucketList></Response>";
/// let page = xml::parse_page::<Bucket>(body, "MediaBucketList", 100).unwrap();
/// assert_eq!(page.items[0].name.as_deref(), Some("a-1"));
/// assert!(xml::parse_page::<Bucket>(body, "MediaBucketList", 0).is_err());
/// ```
pub fn parse_page<T: Item>(body: &[u8], list_element: &str, max_items: usize) -> Result<Page<T>> {
    let mut sink = PageSink::<T>::new(list_element, max_items);
    expect_root(walk(body, &mut sink)?, Tag::Response)?;
    sink.finish()
}

/// The paging fields, and a 2xx answer's error fields if it has any.
#[derive(Default)]
struct Paging {
    request_id: Option<String>,
    total_count: Option<u64>,
    page_number: Option<u64>,
    page_size: Option<u64>,
    error_code: Option<String>,
    error_message: Option<String>,
}

impl Paging {
    fn accept(&mut self, tag: Tag, text: Cow<'_, str>) -> Result<()> {
        match tag {
            Tag::RequestId => self.request_id = Some(text.into_owned()),
            Tag::TotalCount => self.total_count = parse_count("TotalCount", &text)?,
            Tag::PageNumber => self.page_number = parse_count("PageNumber", &text)?,
            Tag::PageSize => self.page_size = parse_count("PageSize", &text)?,
            Tag::Code => self.error_code = Some(text.into_owned()),
            Tag::Message => self.error_message = Some(text.into_owned()),
            _ => {}
        }
        Ok(())
    }

    /// A `<Code>` in a 2xx answer is the service reporting a failure: it
    /// keeps its code and the body's request id.
    fn check_no_error(&mut self) -> Result<()> {
        let Some(code) = self.error_code.take() else { return Ok(()) };
        let message = self.error_message.take().unwrap_or_else(|| "(no message)".into());
        Err(Error::new(ErrorKind::Service, format!("the service answered 2xx with error {code}: {message}")).with_service_details(
            ServiceDetails { http_status: 200, code: Some(code), request_id: self.request_id.clone(), ..Default::default() },
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

pub(super) struct PageSink<'l, T> {
    list: Tag,
    /// The list element's name, for messages.
    list_element: &'l str,
    max_items: usize,
    paging: Paging,
    items: Vec<T>,
    non_exist_pids: Vec<String>,
}

impl<'l, T: Item> PageSink<'l, T> {
    pub(super) fn new(list_element: &'l str, max_items: usize) -> Self {
        PageSink {
            list: Tag::from_name(list_element.as_bytes()),
            list_element,
            max_items,
            paging: Paging::default(),
            items: Vec::new(),
            non_exist_pids: Vec::new(),
        }
    }

    fn too_many(&self, what: &str) -> Error {
        parse_error(format!("the answer holds more than {} {what}, more than the page can hold: refused", self.max_items))
    }

    pub(super) fn finish(mut self) -> Result<Page<T>> {
        self.paging.check_no_error()?;
        let Paging { request_id, total_count, page_number, page_size, .. } = self.paging;
        Ok(Page { request_id, total_count, page_number, page_size, items: self.items, non_exist_pids: self.non_exist_pids })
    }
}

impl<'a, T: Item> Sink<'a> for PageSink<'_, T> {
    fn start(&mut self, path: &[Tag]) -> Result<()> {
        match path {
            [Tag::Response, list] if *list == self.list => {
                if self.items.len() >= self.max_items {
                    return Err(self.too_many(&format!("{} items", self.list_element)));
                }
                if self.items.is_empty() {
                    self.items.reserve(self.paging.expected_items(self.max_items));
                }
                self.items.push(T::default());
            }
            [Tag::Response, list, rest @ ..] if *list == self.list => {
                self.items.last_mut().expect("start() pushed the item").start(rest);
            }
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
                self.non_exist_pids.push(text.into_owned());
            }
            // `<QueueList/>` itself (an empty item) has nothing to read.
            [Tag::Response, list] if *list == self.list => {}
            [Tag::Response, list, rest @ ..] if *list == self.list => {
                self.items.last_mut().expect("start() pushed the item").leaf(rest, text)?;
            }
            [Tag::Response, tag] => self.paging.accept(*tag, text)?,
            _ => {}
        }
        Ok(())
    }
}
