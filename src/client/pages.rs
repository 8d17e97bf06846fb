//! Walking every page of one call: the first page alone, then, once its
//! `TotalCount` says how many pages there are, the following ones fetched
//! ahead in parallel (a bounded number at a time) and handed out in order.

use std::collections::VecDeque;
use std::fmt;
use std::sync::atomic::{AtomicU32, Ordering};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use super::Client;
use crate::cancel::{cancelled_error, CancelToken};
use crate::error::{Error, ErrorKind, Result};
use crate::model::Page;
use crate::operations::Operation;
use crate::request::{Query, DEFAULT_PAGE_SIZE};

/// How many pages a walk fetches at once by default, once it knows how many
/// there are. Ten pages in flight after the first lists 1,100 items of
/// 100-item pages in two round trips: every bucket list of a typical account
/// (CI caps bucket pages at 100 items), at a burst of ten GETs, which is
/// small beside the service's request rates. A throttled answer halves it.
pub const DEFAULT_PAGE_CONCURRENCY: usize = 10;

/// The most pages a walk may fetch at once.
pub const MAX_PAGE_CONCURRENCY: usize = 64;

/// Iterator over the pages of one call's query, first to last; see
/// [`Client::pages`]. It stops after the first error.
///
/// The first page is fetched alone. When it tells the `TotalCount`, the next
/// pages (up to [`with_concurrency`](Self::with_concurrency) of them,
/// [`DEFAULT_PAGE_CONCURRENCY`] by default) are fetched in parallel, each
/// with the client's timeout, and handed out in order, so listing
/// everything takes about two round trips. A 429 or SlowDown answer halves
/// the number in flight; each page that comes back unthrottled raises it by
/// one again, up to the setting. Pages fetched ahead that are not wanted
/// (the walk ended early, or the pager was dropped) are cancelled.
///
/// ```no_run
/// # let client = cloud_infinite::Client::builder().secret_id("AK").secret_key("k").region("ap-guangzhou").build()?;
/// use cloud_infinite::{QueueList, QueueQuery};
/// for page in client.queue_pages(QueueList::Media, "examplebucket-1250000000", QueueQuery::default()) {
///     let page = page?;
///     for queue in page.items() {
///         println!("{:?} {:?}", queue.queue_id(), queue.state());
///     }
/// }
/// # Ok::<(), cloud_infinite::Error>(())
/// ```
pub struct Pages<Q: Query> {
    /// The caller's client, carrying `token`.
    client: Client,
    /// The walk's own token: cancelled with the caller's, when the walk
    /// ends, and when the pager is dropped, which stops pages fetched ahead.
    token: CancelToken,
    /// Throttled answers met by the walk's calls.
    throttled: Arc<AtomicU32>,
    throttles_seen: u32,
    operation: Operation,
    bucket: Option<String>,
    query: Q,
    /// The next page to hand out; `None` once the walk is over.
    next_page: Option<u64>,
    /// The last page, as the latest `TotalCount` tells.
    last_page: Option<u64>,
    /// Pages being fetched, in page order, from `next_page` on.
    ahead: VecDeque<Ahead<Q::Item>>,
    concurrency: usize,
    /// How many may be in flight now (lowered by throttling).
    window: usize,
}

struct Ahead<T> {
    page: u64,
    answer: Arc<Answer<T>>,
}

/// Where a page fetched ahead lands. A mutex and a condition variable
/// rather than a channel: a channel's receive gives the receiving thread
/// std's per-thread context, which a C program's main thread would keep
/// (and valgrind would report) until exit.
struct Answer<T> {
    page: Mutex<Option<Result<Page<T>>>>,
    ready: Condvar,
}

impl<T> Answer<T> {
    fn set(&self, page: Result<Page<T>>) {
        *lock(&self.page) = Some(page);
        self.ready.notify_one();
    }

    fn wait(&self) -> Result<Page<T>> {
        let mut page = lock(&self.page);
        loop {
            if let Some(page) = page.take() {
                return page;
            }
            page = self.ready.wait(page).unwrap_or_else(|p| p.into_inner());
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl<Q: Query> fmt::Debug for Pages<Q> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pages")
            .field("operation", &self.operation)
            .field("bucket", &self.bucket)
            .field("query", &self.query)
            .field("next_page", &self.next_page)
            .field("last_page", &self.last_page)
            .field("in_flight", &self.ahead.len())
            .field("concurrency", &self.concurrency)
            .finish_non_exhaustive()
    }
}

impl<Q: Query> Pages<Q> {
    pub(super) fn new(client: &Client, operation: Operation, bucket: Option<&str>, query: Q) -> Self {
        let token = client.cancel.as_ref().map_or_else(CancelToken::new, CancelToken::child);
        let throttled = Arc::new(AtomicU32::new(0));
        let mut client = client.with_cancel(&token);
        client.throttled = Some(Arc::clone(&throttled));
        Pages {
            client,
            token,
            throttled,
            throttles_seen: 0,
            operation,
            bucket: bucket.map(str::to_owned),
            next_page: Some(query.page_number().unwrap_or(1)),
            query,
            last_page: None,
            ahead: VecDeque::new(),
            concurrency: DEFAULT_PAGE_CONCURRENCY,
            window: DEFAULT_PAGE_CONCURRENCY,
        }
    }

    /// At most `pages` pages fetched at once, 1 (one after the other) to
    /// [`MAX_PAGE_CONCURRENCY`].
    ///
    /// ```
    /// # let client = cloud_infinite::Client::builder().secret_id("AK").secret_key("k").region("ap-guangzhou").build().unwrap();
    /// use cloud_infinite::{BucketList, BucketQuery};
    /// let pages = client.bucket_pages(BucketList::Pic, BucketQuery::default()).with_concurrency(4).unwrap();
    /// assert_eq!(pages.concurrency(), 4);
    /// assert!(client.bucket_pages(BucketList::Pic, BucketQuery::default()).with_concurrency(0).is_err());
    /// ```
    pub fn with_concurrency(mut self, pages: usize) -> Result<Self> {
        if !(1..=MAX_PAGE_CONCURRENCY).contains(&pages) {
            return Err(Error::invalid_argument(format!("page concurrency must be 1 to {MAX_PAGE_CONCURRENCY}, got {pages}")));
        }
        self.concurrency = pages;
        self.window = pages;
        Ok(self)
    }

    /// The most pages fetched at once.
    pub fn concurrency(&self) -> usize {
        self.concurrency
    }

    /// The walk's own token (cancelling it ends the walk).
    pub(super) fn token(&self) -> &CancelToken {
        &self.token
    }

    /// Every item of every page, in order; the first error ends the walk.
    pub fn collect_items(self) -> Result<Vec<Q::Item>> {
        let mut all = Vec::new();
        for page in self {
            all.extend(page?.to_items());
        }
        Ok(all)
    }

    fn query_for(&self, page: u64) -> Q {
        // The service does not page an answer to queueIds.
        if self.query.is_paged() {
            self.query.with_page_number(Some(page))
        } else {
            self.query.clone()
        }
    }

    /// Ends the walk: nothing more is handed out, and what is in flight is cancelled.
    fn finish(&mut self) {
        self.next_page = None;
        self.ahead.clear();
        self.token.cancel();
    }

    /// Learns from the page just handed out: the next page, the last one,
    /// and whether to slow down.
    fn advance(&mut self, current: u64, page: &Page<Q::Item>) {
        if !self.query.is_paged() {
            return self.finish();
        }
        self.next_page = next_page_number(current, self.query.page_size(), page.total_count, page.page_size, page.len());
        if self.next_page.is_none() {
            return self.finish();
        }
        if let Some(total) = page.total_count {
            let size = page.page_size.or(self.query.page_size()).unwrap_or(DEFAULT_PAGE_SIZE).max(1);
            self.last_page = Some(total.div_ceil(size));
        }
        let throttles = self.throttled.load(Ordering::Relaxed);
        if throttles > self.throttles_seen {
            self.throttles_seen = throttles;
            self.window = (self.window / 2).max(1);
        } else if self.window < self.concurrency {
            self.window += 1;
        }
    }

    /// Starts fetching the pages after those in flight, up to the window and the last page.
    fn fill(&mut self) {
        let (Some(next), Some(last)) = (self.next_page, self.last_page) else { return };
        if self.concurrency == 1 {
            return;
        }
        let mut number = self.ahead.back().map_or(next, |a| a.page + 1);
        while self.ahead.len() < self.window && number <= last {
            let answer = Arc::new(Answer { page: Mutex::new(None), ready: Condvar::new() });
            let (client, operation, bucket, query) = (self.client.clone(), self.operation, self.bucket.clone(), self.query_for(number));
            let slot = Arc::clone(&answer);
            let spawned = std::thread::Builder::new().name("cloud-infinite-page".into()).spawn(move || {
                // Whatever happens, the page's slot gets an answer: its reader waits for one.
                let page = catch_unwind(AssertUnwindSafe(|| client.describe(operation, bucket.as_deref(), &query))).unwrap_or_else(|_| {
                    Err(Error::new(ErrorKind::Panic, format!("{operation}: fetching page {number} panicked (a bug in cloud-infinite)")))
                });
                slot.set(page);
            });
            if spawned.is_err() {
                // No thread to spare: the pages come one at a time instead.
                return;
            }
            self.ahead.push_back(Ahead { page: number, answer });
            number += 1;
        }
    }
}

impl<Q: Query> Drop for Pages<Q> {
    fn drop(&mut self) {
        // Pages fetched ahead for nobody stop now rather than at their timeout.
        self.token.cancel();
    }
}

impl<Q: Query> Iterator for Pages<Q> {
    type Item = Result<Page<Q::Item>>;

    fn next(&mut self) -> Option<Self::Item> {
        let current = self.next_page?;
        // A cancelled walk is over, even if a page fetched ahead is waiting.
        if self.token.is_cancelled() {
            self.finish();
            return Some(Err(cancelled_error(self.operation.spec().path)));
        }
        let answer = match self.ahead.front() {
            Some(ahead) if ahead.page == current => {
                let ahead = self.ahead.pop_front().expect("front was just read");
                ahead.answer.wait()
            }
            _ => {
                // Nothing in flight for it (the first page, a walk of unknown
                // length, or one a changing TotalCount left out): fetch it here.
                self.ahead.clear();
                self.client.describe(self.operation, self.bucket.as_deref(), &self.query_for(current))
            }
        };
        match answer {
            Ok(page) => {
                self.advance(current, &page);
                self.fill();
                Some(Ok(page))
            }
            Err(e) => {
                self.finish();
                Some(Err(e))
            }
        }
    }
}

/// The page after `current`, or `None` when `current` was the last.
///
/// Trusts TotalCount when the answer has it; otherwise a full page means
/// there may be more. An empty page always ends the walk, so a service that
/// ignores paging cannot make it loop forever.
pub(crate) fn next_page_number(current: u64, requested_size: Option<u64>, total: Option<u64>, answered_size: Option<u64>, items: usize) -> Option<u64> {
    if items == 0 {
        return None;
    }
    let size = answered_size.or(requested_size).unwrap_or(DEFAULT_PAGE_SIZE).max(1);
    let more = match total {
        Some(total) => current.saturating_mul(size) < total,
        None => items as u64 >= size,
    };
    if more {
        current.checked_add(1)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paging_stops_at_total_or_short_or_empty_page() {
        assert_eq!(next_page_number(1, Some(10), Some(25), Some(10), 10), Some(2));
        assert_eq!(next_page_number(3, Some(10), Some(25), Some(10), 5), None);
        assert_eq!(next_page_number(2, None, Some(20), None, 10), None);
        assert_eq!(next_page_number(1, None, None, None, 10), Some(2));
        assert_eq!(next_page_number(1, Some(10), None, None, 3), None);
        assert_eq!(next_page_number(1, Some(10), Some(1000), Some(10), 0), None);
    }
}
