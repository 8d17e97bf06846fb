//! What every language's cancellation tests and the listing benchmark need
//! from `ci-emulator` (issue 16): `GET /__emulator/connections` with the
//! moment the client was seen to close, even mid-`delay`; the stalled
//! listener (`--stalled-listener`) a connect hangs on; `--latency-ms`; and a
//! `503 SlowDown` forever that keeps keep-alive connections open.

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use cloud_infinite::{BucketList, BucketQuery, ErrorKind};
use serde_json::Value;
use support::Emulator;

/// The service host of the built-in fixture's region.
const HOST: &str = "ci.ap-guangzhou.myqcloud.com";

/// Now as Unix epoch milliseconds, the way the emulator reports times.
fn now_ms() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos() as f64 / 1e6
}

/// `GET /__emulator/<path>`: the status and the parsed JSON answer.
fn control_get(emu: &Emulator, path: &str) -> (u16, Value) {
    let (status, _, body) =
        emu.raw(&format!("GET /__emulator/{path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n", emu.addr));
    (status, serde_json::from_str(&body).unwrap_or_else(|e| panic!("{path}: not JSON {body:?}: {e}")))
}

/// The emulator's record of the connection whose client end is `local`
/// (the newest, should the port have been used before).
fn connection(emu: &Emulator, local: &str) -> Option<Value> {
    let (status, list) = control_get(emu, &format!("connections?peer={local}"));
    assert_eq!(status, 200, "{list}");
    let list = list["connections"].as_array().unwrap();
    assert!(list.iter().all(|c| c["peer"] == local), "filtered by peer: {list:?}");
    list.last().cloned()
}

/// Polls (for at most `within`) until the record of `local` shows a close.
fn wait_closed(emu: &Emulator, local: &str, within: Duration) -> Value {
    let deadline = Instant::now() + within;
    loop {
        let rec = connection(emu, local).unwrap_or_else(|| panic!("{local} is not listed"));
        if !rec["closed_ms"].is_null() || Instant::now() > deadline {
            return rec;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// An unsigned `GET /picbucket` on a kept-alive connection (a fault meets
/// it before the signature is checked).
fn send_picbucket(stream: &mut TcpStream) {
    stream.write_all(format!("GET /picbucket HTTP/1.1\r\nHost: {HOST}\r\n\r\n").as_bytes()).unwrap();
}

/// Reads one answer with a Content-Length body: its status and body.
fn read_answer(stream: &mut TcpStream) -> (u16, String) {
    let mut data = Vec::new();
    let mut byte = [0u8; 1];
    while !data.ends_with(b"\r\n\r\n") {
        assert_eq!(stream.read(&mut byte).unwrap(), 1, "the connection closed mid-head");
        data.push(byte[0]);
    }
    let head = String::from_utf8(data).unwrap().to_ascii_lowercase();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .map(|v| v.trim().parse().unwrap())
        .expect("a content-length");
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body).unwrap();
    (status, String::from_utf8(body).unwrap())
}

#[test]
fn the_close_of_a_client_that_goes_away_mid_delay_is_seen_at_once() {
    let emu = Emulator::start();
    emu.arm_fault(r#"{"kind": "delay", "delay_ms": 10000, "path": "/picbucket"}"#);
    let before = now_ms();
    let mut stream = TcpStream::connect(&emu.addr).unwrap();
    let local = stream.local_addr().unwrap().to_string();
    send_picbucket(&mut stream);
    // Let the request reach its handler, which then sleeps for 10 s.
    std::thread::sleep(Duration::from_millis(200));
    let rec = connection(&emu, &local).expect("the connection is listed");
    assert!(rec["closed_ms"].is_null(), "still open: {rec}");
    assert_eq!(rec["requests"], 1, "{rec}");
    assert_eq!(rec["paths"], serde_json::json!(["/picbucket"]));
    let opened = rec["opened_ms"].as_f64().unwrap();
    assert!(opened >= before - 5.0 && opened <= now_ms(), "opened_ms {opened} is wall-clock time (test began at {before})");

    let dropped = now_ms();
    drop(stream);
    let rec = wait_closed(&emu, &local, Duration::from_secs(1));
    let closed = rec["closed_ms"].as_f64().unwrap_or_else(|| panic!("no close seen within 1 s: {rec}"));
    let lag = closed - dropped;
    assert!(lag < 50.0, "the emulator saw the close {lag:.1} ms after the drop: {rec}");
    assert!(lag > -5.0, "closed before the drop? {lag:.1} ms: {rec}");
}

#[test]
fn a_close_mid_latency_is_seen_too_and_reset_clears_the_list() {
    // --latency-ms holds the handler as a delay fault does.
    let emu = Emulator::start_with(&["--latency-ms", "5000"]);
    let mut stream = TcpStream::connect(&emu.addr).unwrap();
    let local = stream.local_addr().unwrap().to_string();
    send_picbucket(&mut stream);
    std::thread::sleep(Duration::from_millis(100));
    // A FIN, as a cancelled call closing its socket sends (an RST, which std
    // cannot send, is covered by the emulator's unit tests).
    stream.shutdown(std::net::Shutdown::Both).unwrap();
    let dropped = now_ms();
    drop(stream);
    let rec = wait_closed(&emu, &local, Duration::from_secs(1));
    let lag = rec["closed_ms"].as_f64().expect("a close") - dropped;
    assert!(lag < 50.0, "{lag:.1} ms: {rec}");

    // A kept-alive connection opened before the reset stays listed, its
    // counts restarted; the closed one is forgotten.
    let kept = TcpStream::connect(&emu.addr).unwrap();
    let kept_local = kept.local_addr().unwrap().to_string();
    // Its serving task records it: wait for that before the reset.
    let deadline = Instant::now() + Duration::from_secs(1);
    while connection(&emu, &kept_local).is_none() {
        assert!(Instant::now() < deadline, "{kept_local} is never listed");
        std::thread::sleep(Duration::from_millis(5));
    }
    emu.reset();
    assert!(connection(&emu, &local).is_none(), "reset forgets closed connections");
    let rec = connection(&emu, &kept_local).expect("an open connection stays listed");
    assert_eq!((rec["requests"].as_u64(), rec["closed_ms"].is_null()), (Some(0), true), "{rec}");
    let (status, body) = control_get(&emu, "connections?port=1");
    assert_eq!(status, 400, "{body}");
}

#[test]
fn slow_down_forever_answers_every_request_and_keeps_the_connection() {
    let emu = Emulator::start();
    emu.arm_fault(r#"{"kind": "status", "status": 503, "code": "SlowDown", "path": "/picbucket"}"#);
    let mut stream = TcpStream::connect(&emu.addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let local = stream.local_addr().unwrap().to_string();
    for _ in 0..3 {
        send_picbucket(&mut stream);
        let (status, body) = read_answer(&mut stream);
        assert_eq!(status, 503);
        assert!(body.contains("<Code>SlowDown</Code>"), "{body}");
    }
    let rec = connection(&emu, &local).unwrap();
    assert_eq!(rec["requests"], 3, "{rec}");
    assert!(rec["closed_ms"].is_null(), "kept alive after the 503s: {rec}");
    let (_, faults) = control_get(&emu, "faults");
    assert_eq!(faults["armed"].as_array().unwrap().len(), 1, "forever: still armed");

    // Through the client: a call retries SlowDown and gives up with it.
    let client = emu.client().max_retries(2).build().unwrap();
    let e = client.describe_buckets(BucketList::Pic, &BucketQuery::default()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Service, "{e}");
    assert_eq!(e.code(), Some("SlowDown"), "{e}");
}

#[test]
fn a_connect_to_the_stalled_listener_hangs() {
    let emu = Emulator::start_with(&["--stalled-listener"]);
    let (status, body) = control_get(&emu, "stalled-listener");
    assert_eq!(status, 200, "{body}");
    let addr: std::net::SocketAddr = body["addr"].as_str().unwrap().parse().unwrap();
    assert!(addr.ip().is_loopback(), "{addr}");
    for _ in 0..2 {
        let started = Instant::now();
        let e = TcpStream::connect_timeout(&addr, Duration::from_millis(300)).expect_err("the connect must hang");
        assert_eq!(e.kind(), std::io::ErrorKind::TimedOut, "{e}");
        assert!(started.elapsed() >= Duration::from_millis(290));
    }
    // The emulator itself still answers.
    assert_eq!(control_get(&emu, "connections").0, 200);
}

#[test]
fn without_the_option_there_is_no_stalled_listener() {
    let emu = Emulator::start();
    let (status, body) = control_get(&emu, "stalled-listener");
    assert_eq!(status, 404);
    assert!(body["error"].as_str().unwrap().contains("--stalled-listener"), "{body}");
}

#[test]
fn latency_delays_api_calls_but_not_control_requests() {
    let emu = Emulator::start_with(&["--latency-ms", "300"]);
    let client = emu.client().build().unwrap();
    let started = Instant::now();
    let page = client.describe_buckets(BucketList::Pic, &BucketQuery::default()).unwrap();
    let took = started.elapsed();
    assert!(!page.to_items().is_empty());
    assert!(took >= Duration::from_millis(300), "a call took {took:?}");
    assert!(took < Duration::from_millis(2000), "a call took {took:?}");

    let started = Instant::now();
    assert_eq!(control_get(&emu, "connections").0, 200);
    assert!(started.elapsed() < Duration::from_millis(250), "control requests are not delayed: {:?}", started.elapsed());
}

#[test]
fn latency_out_of_range_is_a_usage_error() {
    for bad in ["60001", "-1", "x"] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_ci-emulator"))
            .args(["--latency-ms", bad])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "--latency-ms {bad}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("--latency-ms"), "--latency-ms {bad}");
    }
}
