//! The async front end, kept thin: each call runs the blocking call on a
//! thread of its own, and its [`Call`] future completes when that call
//! does. It needs no runtime, so tokio, async-std, smol or a hand-written
//! executor can all await it, and never blocks the executor's thread.
//! Dropping a [`Call`] before it completes cancels the call (see
//! [`CancelToken`]), so `tokio::time::timeout`, `select!` and task
//! cancellation stop the request itself, not only the wait.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

use super::pages::Pages;
use super::Client;
use crate::cancel::CancelToken;
use crate::error::{Error, ErrorKind, Result};
use crate::model::{BucketPage, CiBucketPage, Page, QueuePage};
use crate::operations::{BucketList, Operation, QueueList};
use crate::request::{BucketQuery, CiBucketQuery, Query, QueueQuery};

/// A call running on its own thread; await it for its result. Dropping it
/// first cancels the call.
///
/// ```no_run
/// # async fn run() -> cloud_infinite::Result<()> {
/// # let client = cloud_infinite::Client::builder().secret_id("AK").secret_key("k").region("ap-guangzhou").build()?;
/// use cloud_infinite::{BucketList, BucketQuery};
/// let page = client.describe_buckets_async(BucketList::Media, BucketQuery::default()).await?;
/// # Ok(()) }
/// ```
#[must_use = "a Call does nothing useful unless awaited; dropping it cancels the call"]
pub struct Call<T> {
    shared: Arc<Mutex<Slot<T>>>,
    token: CancelToken,
    /// Whether the result was handed out: then dropping cancels nothing
    /// (the token may be shared, as a walk's is by its `next_page` calls).
    delivered: bool,
}

struct Slot<T> {
    result: Option<Result<T>>,
    waker: Option<Waker>,
}

impl<T> fmt::Debug for Call<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Call").field("done", &lock(&self.shared).result.is_some()).finish_non_exhaustive()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl<T: Send + 'static> Call<T> {
    /// Runs `work` on a new thread with `token`.
    fn spawn(token: CancelToken, work: impl FnOnce() -> Result<T> + Send + 'static) -> Self {
        let shared = Arc::new(Mutex::new(Slot { result: None, waker: None }));
        let slot = Arc::clone(&shared);
        let spawned = std::thread::Builder::new().name("cloud-infinite-call".into()).spawn(move || {
            let result = work();
            let waker = {
                let mut slot = lock(&slot);
                slot.result = Some(result);
                slot.waker.take()
            };
            if let Some(waker) = waker {
                waker.wake();
            }
        });
        if let Err(e) = spawned {
            lock(&shared).result = Some(Err(Error::new(ErrorKind::Network, format!("no thread could be started for the call: {e}"))));
        }
        Call { shared, token, delivered: false }
    }
}

impl<T> Future for Call<T> {
    type Output = Result<T>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<T>> {
        let mut slot = lock(&self.shared);
        match slot.result.take() {
            Some(result) => {
                drop(slot);
                self.delivered = true;
                Poll::Ready(result)
            }
            None => {
                slot.waker = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

impl<T> Drop for Call<T> {
    fn drop(&mut self) {
        if !self.delivered {
            self.token.cancel();
        }
    }
}

impl Client {
    /// The token a future's call carries: its own, cancelled with this handle's.
    fn call_token(&self) -> CancelToken {
        self.cancel.as_ref().map_or_else(CancelToken::new, CancelToken::child)
    }

    /// [`describe`](Self::describe) as a future.
    pub fn describe_async<Q: Query>(&self, operation: Operation, bucket: Option<&str>, query: Q) -> Call<Page<Q::Item>> {
        let token = self.call_token();
        let (client, bucket) = (self.with_cancel(&token), bucket.map(str::to_owned));
        Call::spawn(token, move || client.describe(operation, bucket.as_deref(), &query))
    }

    /// [`describe_buckets`](Self::describe_buckets) as a future.
    pub fn describe_buckets_async(&self, list: BucketList, query: BucketQuery) -> Call<BucketPage> {
        self.describe_async(Operation::Buckets(list), None, query)
    }

    /// [`describe_ci_buckets`](Self::describe_ci_buckets) as a future.
    pub fn describe_ci_buckets_async(&self, query: CiBucketQuery) -> Call<CiBucketPage> {
        self.describe_async(Operation::CiBuckets, None, query)
    }

    /// [`describe_queues`](Self::describe_queues) as a future.
    pub fn describe_queues_async(&self, list: QueueList, bucket: &str, query: QueueQuery) -> Call<QueuePage> {
        self.describe_async(Operation::Queues(list), Some(bucket), query)
    }
}

/// [`Pages`] for async code: `while let Some(page) = pages.next_page().await?`.
/// Pages are still fetched ahead in parallel. Dropping it, or dropping a
/// [`next_page`](Self::next_page) future before it completes, ends the walk and
/// cancels what is in flight.
///
/// ```no_run
/// # async fn run() -> cloud_infinite::Result<()> {
/// # let client = cloud_infinite::Client::builder().secret_id("AK").secret_key("k").region("ap-guangzhou").build()?;
/// use cloud_infinite::{BucketList, BucketQuery};
/// let mut pages = client.bucket_pages(BucketList::Pic, BucketQuery::default()).into_async();
/// while let Some(page) = pages.next_page().await? {
///     println!("{} buckets", page.len());
/// }
/// # Ok(()) }
/// ```
pub struct AsyncPages<Q: Query> {
    pages: Arc<Mutex<Pages<Q>>>,
    token: CancelToken,
}

impl<Q: Query> fmt::Debug for AsyncPages<Q> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsyncPages").finish_non_exhaustive()
    }
}

impl<Q: Query> Pages<Q> {
    /// This walk for async code; see [`AsyncPages`].
    pub fn into_async(self) -> AsyncPages<Q> {
        let token = self.token().clone();
        AsyncPages { pages: Arc::new(Mutex::new(self)), token }
    }
}

impl<Q: Query> AsyncPages<Q> {
    /// The next page, `None` once the walk is over.
    pub fn next_page(&mut self) -> Call<Option<Page<Q::Item>>> {
        let pages = Arc::clone(&self.pages);
        Call::spawn(self.token.clone(), move || lock(&pages).next().transpose())
    }
}

impl<Q: Query> Drop for AsyncPages<Q> {
    fn drop(&mut self) {
        self.token.cancel();
    }
}
