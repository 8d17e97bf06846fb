//! How requests reach the service: a custom endpoint, an explicit proxy, a
//! proxy from the environment, and what is (never) logged on the way.

mod support;

use std::sync::Mutex;

use cloud_infinite::{BucketList, BucketQuery, ClientBuilder, ProxyConfig, QueueList, QueueQuery, Scheme};
use support::{ConnectProxy, Emulator, SECRET_ID, SECRET_KEY, TMP_SECRET_ID, TMP_SECRET_KEY, TMP_TOKEN};

#[test]
fn a_custom_endpoint_names_both_hosts() {
    let emu = Emulator::start();
    // The emulator reads the bucket from the first label of any host.
    let client = emu.client().endpoint("ci.internal.example.com").build().unwrap();
    assert_eq!(client.describe_buckets(BucketList::Pic, &BucketQuery::default()).unwrap().total_count, Some(130));
    assert_eq!(client.describe_queues(QueueList::Ai, "examplebucket-1250000000", &QueueQuery::default()).unwrap().total_count, Some(25));
}

/// A client that reaches the production host names only through a proxy
/// (ureq tunnels with CONNECT, for http targets too).
fn through_proxy(proxy: ProxyConfig) -> ClientBuilder {
    ClientBuilder::new().secret_id(SECRET_ID).secret_key(SECRET_KEY).region("ap-guangzhou").scheme(Scheme::Http).proxy(proxy)
}

#[test]
fn an_explicit_proxy_carries_the_request() {
    let emu = Emulator::start();
    let proxy = ConnectProxy::start(&emu.addr);
    let client = through_proxy(ProxyConfig::Url(format!("http://{}", proxy.addr))).build().unwrap();
    assert_eq!(client.describe_buckets(BucketList::Pic, &BucketQuery::default()).unwrap().to_items().len(), 10);
    assert_eq!(client.describe_queues(QueueList::Ai, "examplebucket-1250000000", &QueueQuery::default()).unwrap().to_items().len(), 10);
    let targets = proxy.targets.lock().unwrap().clone();
    assert!(targets.contains(&"ci.ap-guangzhou.myqcloud.com:80".to_string()), "{targets:?}");
    assert!(targets.contains(&"examplebucket-1250000000.ci.ap-guangzhou.myqcloud.com:80".to_string()), "{targets:?}");
    assert_eq!(emu.requests(), 2);
}

/// Environment variables are process-wide, so this runs the check in a
/// child process of this test binary with `HTTP_PROXY` set.
#[test]
fn a_proxy_from_the_environment_carries_the_request() {
    if let Ok(expected) = std::env::var("CI_TEST_PROXY_CHILD") {
        let client = through_proxy(ProxyConfig::FromEnvironment).build().unwrap();
        let page = client.describe_buckets(BucketList::Pic, &BucketQuery::default()).unwrap();
        assert_eq!(page.total_count.unwrap().to_string(), expected);
        return;
    }
    let emu = Emulator::start();
    let proxy = ConnectProxy::start(&emu.addr);
    let status = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "a_proxy_from_the_environment_carries_the_request", "--nocapture", "--test-threads=1"])
        .env("CI_TEST_PROXY_CHILD", "130")
        .env("HTTP_PROXY", format!("http://{}", proxy.addr))
        .env_remove("NO_PROXY")
        .env_remove("no_proxy")
        .env_remove("ALL_PROXY")
        .env_remove("all_proxy")
        .status()
        .unwrap();
    assert!(status.success(), "the child call through HTTP_PROXY failed");
    assert_eq!(proxy.targets.lock().unwrap().as_slice(), ["ci.ap-guangzhou.myqcloud.com:80"]);
    assert_eq!(emu.requests(), 1);
}

/// Every log record from every crate, kept for inspection.
struct Capture(Mutex<Vec<String>>);

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata) -> bool {
        true
    }
    fn log(&self, record: &log::Record) {
        self.0.lock().unwrap().push(format!("{} {}: {}", record.level(), record.target(), record.args()));
    }
    fn flush(&self) {}
}

#[test]
fn no_secret_reaches_a_log_or_an_error() {
    static CAPTURE: Capture = Capture(Mutex::new(Vec::new()));
    log::set_logger(&CAPTURE).unwrap();
    log::set_max_level(log::LevelFilter::Trace);

    let emu = Emulator::start();
    let tmp = emu.client().secret_id(TMP_SECRET_ID).secret_key(TMP_SECRET_KEY).session_token(TMP_TOKEN).build().unwrap();
    tmp.describe_queues(QueueList::Ai, "examplebucket-1250000000", &QueueQuery::default()).unwrap();
    let flaky = emu.client().secret_id(TMP_SECRET_ID).secret_key(TMP_SECRET_KEY).session_token(TMP_TOKEN).build().unwrap();
    flaky.describe_queues(QueueList::Ai, "flaky-1250000000", &QueueQuery::default()).unwrap();
    let wrong = emu.client().secret_key("wrong-secret-key-XYZ").build().unwrap();
    let error = wrong.describe_buckets(BucketList::Pic, &BucketQuery::default()).unwrap_err();

    let logs = CAPTURE.0.lock().unwrap().join("\n");
    assert!(logs.contains("GET "), "the capture works and saw the requests:\n{logs}");
    assert!(logs.contains("retrying"), "the retries were logged:\n{logs}");
    let shown = format!("{logs}\n{error}\n{error:?}\n{tmp:?}");
    for secret in [TMP_SECRET_KEY, TMP_TOKEN, "wrong-secret-key-XYZ", SECRET_KEY, "q-signature="] {
        assert!(!shown.contains(secret), "{secret:?} leaked into logs, errors or Debug output:\n{shown}");
    }
}

#[test]
fn what_goes_on_the_wire_and_the_pool_reuses_one_connection() {
    use support::RecordingServer;
    let server = RecordingServer::start("<Response><RequestId>r</RequestId><TotalCount>0</TotalCount></Response>");
    let client = ClientBuilder::new()
        .secret_id(TMP_SECRET_ID)
        .secret_key(TMP_SECRET_KEY)
        .session_token(TMP_TOKEN)
        .region("ap-guangzhou")
        .scheme(Scheme::Http)
        .connect_to(&server.addr)
        .proxy(ProxyConfig::Disabled)
        .user_agent_suffix("myapp/1.2")
        .build()
        .unwrap();
    for _ in 0..3 {
        client.describe_buckets(BucketList::Pic, &BucketQuery { page_size: Some(5), ..Default::default() }).unwrap();
    }
    let heads = server.heads.lock().unwrap().clone();
    assert_eq!(heads.len(), 3);
    let head = heads[0].to_ascii_lowercase();
    assert!(head.starts_with("get /picbucket?pagesize=5 http/1.1\r\n"), "{head}");
    assert!(head.contains("\r\nhost: ci.ap-guangzhou.myqcloud.com\r\n"), "production Host through connect_to: {head}");
    assert!(head.contains(&format!("\r\nuser-agent: cloud-infinite/{} myapp/1.2\r\n", env!("CARGO_PKG_VERSION"))), "{head}");
    assert!(head.contains(&format!("\r\nx-ci-security-token: {}\r\n", TMP_TOKEN.to_ascii_lowercase())), "{head}");
    assert!(head.contains("q-header-list=host;x-ci-security-token&q-url-param-list=pagesize&"), "{head}");
    assert_eq!(server.connections.load(std::sync::atomic::Ordering::SeqCst), 1, "three calls, one pooled connection");
}

#[test]
fn a_tls_failure_is_not_retried() {
    // Speaks plain HTTP to a client that expects TLS: the handshake fails
    // the same way every time, so one connection is all a client should make.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let accepted = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = accepted.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let mut stream = stream;
            let _ = std::io::Write::write_all(&mut stream, b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n");
        }
    });
    let client = ClientBuilder::new()
        .secret_id(SECRET_ID)
        .secret_key(SECRET_KEY)
        .region("ap-guangzhou")
        .connect_to(&addr)
        .proxy(ProxyConfig::Disabled)
        .max_retries(3)
        .build()
        .unwrap();
    let e = client.describe_buckets(BucketList::Pic, &BucketQuery::default()).unwrap_err();
    assert_eq!(e.kind(), cloud_infinite::ErrorKind::Network, "{e}");
    assert!(e.message().contains("TLS"), "{e}");
    assert_eq!(accepted.load(std::sync::atomic::Ordering::SeqCst), 1, "not retried: {e}");
}
