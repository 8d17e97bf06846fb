//! Cancelling calls in flight (issue 16), against servers on 127.0.0.1 that
//! each test starts itself: a listener whose queue is full (the connect
//! hangs), a server that never answers, one that answers 503 SlowDown, and
//! the emulator for cancels racing completion. In each case the call ends
//! within 50 ms of the cancel and the server sees the connection closed.

mod support;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::thread;
use std::time::{Duration, Instant};

use cloud_infinite::{BucketList, BucketQuery, CancelToken, Client, ErrorKind, ProxyConfig, Scheme};

/// How late a cancel may take effect, at most.
const PROMPT: Duration = Duration::from_millis(50);

fn client_for(addr: &str) -> Client {
    Client::builder()
        .secret_id("AKIDEXAMPLE")
        .secret_key("secret")
        .region("ap-guangzhou")
        .scheme(Scheme::Http)
        .connect_to(addr)
        .proxy(ProxyConfig::Disabled)
        .connect_timeout(Duration::from_secs(20))
        .timeout(Duration::from_secs(30))
        .retry_base_delay(Duration::from_secs(10))
        .build()
        .unwrap()
}

/// Runs a call carrying a token cancelled after `after`; returns the error,
/// how long after the cancel the call ended, and when the cancel happened.
fn cancel_after(client: &Client, after: Duration) -> (cloud_infinite::Error, Duration, Instant) {
    let token = CancelToken::new();
    let (tx, rx) = mpsc::channel();
    let canceller = {
        let token = token.clone();
        thread::spawn(move || {
            thread::sleep(after);
            let at = Instant::now();
            token.cancel();
            tx.send(at).unwrap();
        })
    };
    let err = client.with_cancel(&token).describe_buckets(BucketList::Pic, &BucketQuery::default()).unwrap_err();
    let ended = Instant::now();
    let cancelled_at = rx.recv().unwrap();
    canceller.join().unwrap();
    (err, ended.saturating_duration_since(cancelled_at), cancelled_at)
}

/// A listener whose accept queue is full: a further connect hangs in
/// SYN_SENT (Linux drops the SYN), as behind a black-holing firewall.
fn stalled_listener() -> (socket2::Socket, Vec<TcpStream>, SocketAddr) {
    use socket2::{Domain, Socket, Type};
    let listener = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
    listener.bind(&"127.0.0.1:0".parse::<SocketAddr>().unwrap().into()).unwrap();
    listener.listen(0).unwrap();
    let addr = listener.local_addr().unwrap().as_socket().unwrap();
    let mut fillers = Vec::new();
    for _ in 0..8 {
        match TcpStream::connect_timeout(&addr, Duration::from_millis(100)) {
            Ok(s) => fillers.push(s),
            Err(_) => return (listener, fillers, addr),
        }
    }
    panic!("the accept queue of a listen(0) socket never filled");
}

#[test]
fn cancel_during_connect() {
    let (_listener, _fillers, addr) = stalled_listener();
    let client = client_for(&addr.to_string());
    let (err, late, _) = cancel_after(&client, Duration::from_millis(100));
    assert_eq!(err.kind(), ErrorKind::Cancelled, "{err}");
    assert!(late < PROMPT, "the connect ended {late:?} after the cancel");
}

/// Accepts one connection, reads the request, never answers; sends when it
/// saw the client close.
fn silent_server() -> (String, mpsc::Receiver<Instant>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let (mut conn, _) = listener.accept().unwrap();
        conn.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        let mut buf = [0u8; 4096];
        while let Ok(n) = conn.read(&mut buf) {
            if n == 0 {
                break;
            }
        }
        let _ = tx.send(Instant::now());
    });
    (addr, rx)
}

#[test]
fn cancel_during_a_slow_answer() {
    let (addr, closed) = silent_server();
    let (err, late, cancelled_at) = cancel_after(&client_for(&addr), Duration::from_millis(150));
    assert_eq!(err.kind(), ErrorKind::Cancelled, "{err}");
    assert!(late < PROMPT, "the call ended {late:?} after the cancel");
    let seen = closed.recv_timeout(Duration::from_secs(5)).expect("the server never saw the connection close");
    assert!(seen.saturating_duration_since(cancelled_at) < PROMPT, "the server saw the close {:?} after the cancel", seen - cancelled_at);
}

/// Answers every request with 503 SlowDown on keep-alive connections;
/// sends when a connection closes.
fn slow_down_server() -> (String, mpsc::Receiver<Instant>, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let (tx, rx) = mpsc::channel();
    let answered = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&answered);
    thread::spawn(move || {
        let (mut conn, _) = listener.accept().unwrap();
        let body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Code>SlowDown</Code><Message>Please reduce your request rate.</Message><RequestId>slow-1</RequestId></Response>";
        let mut buf = [0u8; 4096];
        let mut pending = Vec::new();
        loop {
            match conn.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => pending.extend_from_slice(&buf[..n]),
            }
            while let Some(end) = pending.windows(4).position(|w| w == b"\r\n\r\n") {
                pending.drain(..end + 4);
                let answer = format!("HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/xml\r\nContent-Length: {}\r\n\r\n{body}", body.len());
                conn.write_all(answer.as_bytes()).unwrap();
                counter.fetch_add(1, Ordering::SeqCst);
            }
        }
        let _ = tx.send(Instant::now());
    });
    (addr, rx, answered)
}

#[test]
fn cancel_during_backoff() {
    let (addr, closed, answered) = slow_down_server();
    let (err, late, cancelled_at) = cancel_after(&client_for(&addr), Duration::from_millis(300));
    assert_eq!(err.kind(), ErrorKind::Cancelled, "{err}");
    assert_eq!(answered.load(Ordering::SeqCst), 1, "the cancel came during the first backoff (of at least 5 s)");
    assert!(late < PROMPT, "the backoff ended {late:?} after the cancel");
    let seen = closed.recv_timeout(Duration::from_secs(5)).expect("the server never saw the connection close");
    assert!(seen.saturating_duration_since(cancelled_at) < PROMPT, "the server saw the close {:?} after the cancel", seen - cancelled_at);
}

#[test]
fn a_cancelled_token_fails_every_later_call_at_once() {
    let (addr, _closed) = silent_server();
    let token = CancelToken::new();
    token.cancel();
    let started = Instant::now();
    let err = client_for(&addr).with_cancel(&token).describe_buckets(BucketList::Pic, &BucketQuery::default()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Cancelled);
    assert!(started.elapsed() < PROMPT);
    assert!(!err.is_retryable());
}

#[test]
fn cancels_racing_completion_give_a_whole_answer_or_cancelled() {
    let emulator = support::Emulator::start();
    let client = emulator.client().build().unwrap();
    let query = BucketQuery { page_size: Some(10), ..Default::default() };
    let reference = client.describe_buckets(BucketList::Pic, &query).unwrap();
    let calls = 10_000;
    let threads = 2;
    let outcomes: Vec<(usize, usize)> = (0..threads)
        .map(|t| {
            let (client, query, reference) = (client.clone(), query.clone(), reference.clone());
            thread::spawn(move || {
                let (mut whole, mut cancelled) = (0, 0);
                let mut seed = 0x9E37_79B9_7F4A_7C15u64 ^ t as u64;
                for _ in 0..calls / threads {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    let token = CancelToken::new();
                    let canceller = {
                        let token = token.clone();
                        let delay = Duration::from_micros(seed % 1500);
                        thread::spawn(move || {
                            thread::sleep(delay);
                            token.cancel();
                        })
                    };
                    match client.with_cancel(&token).describe_buckets(BucketList::Pic, &query) {
                        Ok(page) => {
                            assert_eq!(page.to_items(), reference.to_items(), "a call that returned must return the whole answer");
                            whole += 1;
                        }
                        Err(e) => {
                            assert_eq!(e.kind(), ErrorKind::Cancelled, "{e}");
                            cancelled += 1;
                        }
                    }
                    canceller.join().unwrap();
                }
                (whole, cancelled)
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|h| h.join().unwrap())
        .collect();
    let (whole, cancelled) = outcomes.iter().fold((0, 0), |(w, c), (a, b)| (w + a, c + b));
    assert_eq!(whole + cancelled, calls);
    assert!(whole > 0 && cancelled > 0, "the random delays should both win and lose the race: {whole} whole, {cancelled} cancelled");
    // The client still works after all of them, on whatever the pool kept.
    assert_eq!(client.describe_buckets(BucketList::Pic, &query).unwrap().to_items(), reference.to_items());
}
