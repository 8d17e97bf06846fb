//! The all-pages walk fetches pages ahead in parallel once the first page's
//! TotalCount is known (issue 16): same items in the same order as one page
//! at a time, bounded concurrency, a lower one on 429, and no page fetched
//! past the end. Against a server written here that answers pic bucket
//! pages of a 1,000-bucket account after a delay and counts what it sees.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use cloud_infinite::{BucketList, BucketQuery, CancelToken, Client, ErrorKind, ProxyConfig, Scheme};

const BUCKETS: usize = 1000;

#[derive(Default)]
struct Seen {
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    requests: AtomicUsize,
    throttled: AtomicUsize,
    /// The in-flight count when each request arrived, in arrival order.
    arrivals: Mutex<Vec<(u64, usize)>>,
}

/// Serves `BUCKETS` pic buckets, `delay` per answer; with `throttle`, the
/// first request for each page after the first is answered 429.
fn server(delay: Duration, throttle: bool) -> (String, Arc<Seen>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let seen = Arc::new(Seen::default());
    let throttled_pages = Arc::new(Mutex::new(std::collections::HashSet::new()));
    let state = Arc::clone(&seen);
    thread::spawn(move || {
        for conn in listener.incoming().take(200) {
            let Ok(mut conn) = conn else { break };
            let (seen, throttled_pages) = (Arc::clone(&state), Arc::clone(&throttled_pages));
            thread::spawn(move || {
                conn.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
                let mut pending = Vec::new();
                let mut buf = [0u8; 8192];
                loop {
                    let Some(end) = pending.windows(4).position(|w| w == b"\r\n\r\n") else {
                        match conn.read(&mut buf) {
                            Ok(0) | Err(_) => return,
                            Ok(n) => pending.extend_from_slice(&buf[..n]),
                        }
                        continue;
                    };
                    let head = String::from_utf8_lossy(&pending[..end]).into_owned();
                    pending.drain(..end + 4);
                    let param = |name: &str| {
                        head.split([' ', '?', '&']).find_map(|kv| kv.strip_prefix(&format!("{name}="))).and_then(|v| v.parse::<u64>().ok())
                    };
                    let (page, size) = (param("pageNumber").unwrap_or(1), param("pageSize").unwrap_or(10));
                    let now = seen.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                    seen.max_in_flight.fetch_max(now, Ordering::SeqCst);
                    seen.requests.fetch_add(1, Ordering::SeqCst);
                    seen.arrivals.lock().unwrap().push((page, now));
                    thread::sleep(delay);
                    let answer = if throttle && page > 1 && throttled_pages.lock().unwrap().insert(page) {
                        seen.throttled.fetch_add(1, Ordering::SeqCst);
                        let body = "<Response><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Response>";
                        format!("HTTP/1.1 429 Too Many Requests\r\nRetry-After: 0\r\nContent-Length: {}\r\n\r\n{body}", body.len())
                    } else {
                        let first = (page - 1) * size;
                        let items: String = (first..(first + size).min(BUCKETS as u64))
                            .map(|i| format!("<PicBucketList><BucketId>bucket{i:04}-1250000000</BucketId><Name>bucket{i:04}</Name><Region>ap-guangzhou</Region></PicBucketList>"))
                            .collect();
                        let body = format!("<Response><RequestId>r{page}</RequestId><TotalCount>{BUCKETS}</TotalCount><PageNumber>{page}</PageNumber><PageSize>{size}</PageSize>{items}</Response>");
                        format!("HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nContent-Length: {}\r\n\r\n{body}", body.len())
                    };
                    seen.in_flight.fetch_sub(1, Ordering::SeqCst);
                    if conn.write_all(answer.as_bytes()).is_err() {
                        return;
                    }
                }
            });
        }
    });
    (addr, seen)
}

fn client(addr: &str) -> Client {
    Client::builder()
        .secret_id("AKIDEXAMPLE")
        .secret_key("secret")
        .region("ap-guangzhou")
        .scheme(Scheme::Http)
        .connect_to(addr)
        .proxy(ProxyConfig::Disabled)
        .retry_base_delay(Duration::from_millis(5))
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

fn names(items: &[cloud_infinite::Bucket]) -> Vec<String> {
    items.iter().map(|b| b.name.clone().unwrap()).collect()
}

fn expected() -> Vec<String> {
    (0..BUCKETS).map(|i| format!("bucket{i:04}")).collect()
}

#[test]
fn parallel_pages_keep_their_order_and_fetch_nothing_past_the_end() {
    let (addr, seen) = server(Duration::from_millis(30), false);
    let query = BucketQuery { page_size: Some(100), ..Default::default() };
    let pages: Vec<_> = client(&addr).bucket_pages(BucketList::Pic, query).map(Result::unwrap).collect();
    assert_eq!(pages.iter().map(|p| p.page_number.unwrap()).collect::<Vec<_>>(), (1..=10).collect::<Vec<_>>());
    let items: Vec<_> = pages.into_iter().flat_map(|p| p.to_items()).collect();
    assert_eq!(names(&items), expected());
    assert_eq!(seen.requests.load(Ordering::SeqCst), 10, "one request per page, none past the last");
    // The first page alone, then the other nine at once (the default is 10).
    let arrivals = seen.arrivals.lock().unwrap().clone();
    assert_eq!(arrivals[0], (1, 1), "the first page is fetched alone");
    assert_eq!(seen.max_in_flight.load(Ordering::SeqCst), 9, "{arrivals:?}");
}

#[test]
fn concurrency_bounds_the_pages_in_flight() {
    let (addr, seen) = server(Duration::from_millis(20), false);
    let query = BucketQuery { page_size: Some(50), ..Default::default() };
    let items = client(&addr).bucket_pages(BucketList::Pic, query).with_concurrency(3).unwrap().collect_items().unwrap();
    assert_eq!(names(&items), expected());
    assert_eq!(seen.requests.load(Ordering::SeqCst), 20);
    assert_eq!(seen.max_in_flight.load(Ordering::SeqCst), 3);

    let (addr, seen) = server(Duration::from_millis(5), false);
    let query = BucketQuery { page_size: Some(100), ..Default::default() };
    let items = client(&addr).bucket_pages(BucketList::Pic, query).with_concurrency(1).unwrap().collect_items().unwrap();
    assert_eq!(names(&items), expected());
    assert_eq!(seen.max_in_flight.load(Ordering::SeqCst), 1, "concurrency 1 is one page at a time");
}

#[test]
fn throttled_answers_lower_the_concurrency() {
    let (addr, seen) = server(Duration::from_millis(20), true);
    let query = BucketQuery { page_size: Some(25), ..Default::default() };
    let items = client(&addr).bucket_pages(BucketList::Pic, query).with_concurrency(8).unwrap().collect_items().unwrap();
    assert_eq!(names(&items), expected(), "every page arrives, in order, once its retry succeeds");
    assert_eq!(seen.throttled.load(Ordering::SeqCst), 39, "each page after the first was throttled once");
    // Pages 2 to 9 start together; after the 429s the window halves, so the
    // last pages of the 40 are fetched fewer at a time than the first ones.
    let arrivals = seen.arrivals.lock().unwrap().clone();
    let early = arrivals.iter().take(10).map(|a| a.1).max().unwrap();
    let late = arrivals.iter().rev().take(10).map(|a| a.1).max().unwrap();
    assert!(early >= 8, "{arrivals:?}");
    assert!(late < early, "the concurrency did not drop after 429s: {arrivals:?}");
}

#[test]
fn dropping_a_walk_or_cancelling_it_stops_the_pages_in_flight() {
    let (addr, seen) = server(Duration::from_millis(300), false);
    let query = BucketQuery { page_size: Some(100), ..Default::default() };
    let token = CancelToken::new();
    let mut pages = client(&addr).with_cancel(&token).bucket_pages(BucketList::Pic, query);
    assert_eq!(pages.next().unwrap().unwrap().to_items().len(), 100);
    // Nine pages are in flight now; the caller's cancel ends them all.
    thread::sleep(Duration::from_millis(50));
    token.cancel();
    let err = pages.next().unwrap().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Cancelled);
    assert!(pages.next().is_none(), "the walk is over after an error");
    drop(pages);
    assert_eq!(seen.requests.load(Ordering::SeqCst), 10);
}
