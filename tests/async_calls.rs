//! The thin async front end (issue 16): futures that any executor can
//! await, many calls in flight at once without blocking the executor's
//! thread, and a dropped future cancelling its call. A small executor is
//! written here so that the test needs no runtime.

mod support;

use std::future::Future;
use std::net::TcpListener;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, Thread};
use std::time::{Duration, Instant};

use cloud_infinite::{BucketList, BucketQuery, QueueList, QueueQuery};

struct Unpark(Thread);

impl Wake for Unpark {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
}

/// Polls every future on this one thread until all are ready.
fn block_on_all<F: Future + Unpin>(mut futures: Vec<F>) -> Vec<F::Output> {
    let waker = Waker::from(Arc::new(Unpark(thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut outputs: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
    while outputs.iter().any(Option::is_none) {
        for (future, output) in futures.iter_mut().zip(outputs.iter_mut()) {
            if output.is_none() {
                if let Poll::Ready(v) = Pin::new(&mut *future).poll(&mut cx) {
                    *output = Some(v);
                }
            }
        }
        if outputs.iter().any(Option::is_none) {
            thread::park_timeout(Duration::from_millis(100));
        }
    }
    outputs.into_iter().map(Option::unwrap).collect()
}

#[test]
fn a_hundred_calls_wait_together_on_one_thread() {
    let emulator = support::Emulator::start_with(&["--latency-ms", "300"]);
    let client = emulator.client().build().unwrap();
    let started = Instant::now();
    let calls: Vec<_> = (0..100).map(|_| client.describe_buckets_async(BucketList::Pic, BucketQuery::default())).collect();
    let pages = block_on_all(calls);
    let took = started.elapsed();
    assert!(pages.iter().all(|p| p.as_ref().is_ok_and(|p| p.to_items().len() == 10)));
    // One after another they would take 30 s.
    assert!(took < Duration::from_secs(3), "100 calls of 300 ms took {took:?}");
}

#[test]
fn async_pages_walk_every_page() {
    let emulator = support::Emulator::start();
    let client = emulator.client().build().unwrap();
    let query = QueueQuery { page_size: Some(5), ..Default::default() };
    let expected = client.queue_pages(QueueList::Media, "examplebucket-1250000000", query.clone()).collect_items().unwrap();
    let mut pages = client.queue_pages(QueueList::Media, "examplebucket-1250000000", query).into_async();
    let mut items = Vec::new();
    while let Some(page) = block_on_all(vec![pages.next_page()]).pop().unwrap().unwrap() {
        items.extend(page.to_items());
    }
    assert_eq!(items, expected);
    assert!(items.len() > 5, "more than one page of 5");
}

#[test]
fn dropping_a_future_cancels_its_call() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let server = thread::spawn(move || {
        use std::io::Read;
        let (mut conn, _) = listener.accept().unwrap();
        conn.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut buf = [0u8; 4096];
        while conn.read(&mut buf).is_ok_and(|n| n > 0) {}
        Instant::now()
    });
    let client = cloud_infinite::Client::builder()
        .secret_id("AKIDEXAMPLE")
        .secret_key("secret")
        .region("ap-guangzhou")
        .scheme(cloud_infinite::Scheme::Http)
        .connect_to(&addr)
        .proxy(cloud_infinite::ProxyConfig::Disabled)
        .build()
        .unwrap();
    let mut call = client.describe_buckets_async(BucketList::Pic, BucketQuery::default());
    let waker = Waker::from(Arc::new(Unpark(thread::current())));
    assert!(Pin::new(&mut call).poll(&mut Context::from_waker(&waker)).is_pending());
    thread::sleep(Duration::from_millis(150));
    let dropped = Instant::now();
    drop(call);
    let closed = server.join().unwrap();
    assert!(closed.saturating_duration_since(dropped) < Duration::from_millis(50), "the server saw the close {:?} after the drop", closed - dropped);
}
