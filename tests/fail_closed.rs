//! Issue 15, "fail closed": proxies are used or refused, never bypassed or
//! repaired; whatever a hostile server sends ends in a bounded, escaped
//! error within the call's deadline. One test (or a few) per numbered
//! point of the issue; points 4 and 7 live in `tests/fail_closed_parser.rs`.

mod support;
#[path = "hostile/server.rs"]
mod server;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cloud_infinite::{BucketList, BucketQuery, Client, ClientBuilder, Error, ErrorKind, ProxyConfig, Scheme};
use server::{error_body, RawServer, GOOD_PAGE};
use support::{ConnectProxy, Emulator, SECRET_ID, SECRET_KEY};

fn pic(client: &Client) -> Result<cloud_infinite::BucketPage, Error> {
    client.describe_buckets(BucketList::Pic, &BucketQuery::default())
}

/// A client dialling `addr` for the production host names, no proxy.
fn direct(addr: &str) -> ClientBuilder {
    ClientBuilder::new()
        .secret_id(SECRET_ID)
        .secret_key(SECRET_KEY)
        .region("ap-guangzhou")
        .scheme(Scheme::Http)
        .connect_to(addr)
        .proxy(ProxyConfig::Disabled)
        .retry_base_delay(Duration::from_millis(5))
        .timeout(Duration::from_secs(5))
}

/// A client that reaches the production host names only through `proxy`.
fn proxied(proxy: ProxyConfig) -> ClientBuilder {
    ClientBuilder::new().secret_id(SECRET_ID).secret_key(SECRET_KEY).region("ap-guangzhou").scheme(Scheme::Http).proxy(proxy).timeout(Duration::from_secs(5))
}

/// A loopback port with nothing listening on it.
fn closed_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// Whether `text` could be printed and logged safely.
fn printable(text: &str) -> bool {
    !text.chars().any(|c| c.is_control() || ('\u{80}'..='\u{9f}').contains(&c))
}

/// Every text of `e` is escaped and bounded.
fn assert_bounded(e: &Error) {
    assert!(e.message().len() <= cloud_infinite::error::MAX_MESSAGE_BYTES, "message of {} bytes", e.message().len());
    assert!(printable(e.message()), "{:?}", e.message());
    if let Some(d) = e.service_details() {
        for field in [&d.code, &d.request_id, &d.resource, &d.trace_id].into_iter().flatten() {
            assert!(field.len() <= cloud_infinite::error::MAX_FIELD_BYTES && printable(field), "{field:?}");
        }
    }
}

/// Runs this test binary's `test` in a child process with only `env` as
/// proxy-related environment (variables are process-wide, and tests run in
/// parallel); returns its stdout and stderr, panicking if it failed.
fn in_child(test: &str, env: &[(&str, String)]) -> String {
    let mut cmd = std::process::Command::new(std::env::current_exe().unwrap());
    cmd.args(["--exact", test, "--nocapture", "--test-threads=1"]).env("CI_FAIL_CLOSED_CHILD", "1");
    for var in ["HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy", "REQUEST_METHOD"] {
        cmd.env_remove(var);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "child {test} with {env:?} failed:\n{text}");
    text
}

fn is_child() -> bool {
    std::env::var_os("CI_FAIL_CLOSED_CHILD").is_some()
}

/// A SOCKS5 proxy (RFC 1928, with RFC 1929 passwords when `login` is set)
/// that connects every request to `upstream`, whatever its target, and
/// records the targets.
struct Socks5 {
    addr: String,
    targets: Arc<Mutex<Vec<String>>>,
    _server: RawServer,
}

impl Socks5 {
    fn start(upstream: &str, login: Option<(&'static str, &'static str)>) -> Socks5 {
        let targets = Arc::new(Mutex::new(Vec::new()));
        let (seen, upstream) = (targets.clone(), upstream.to_owned());
        let server = RawServer::start_raw(move |conn| {
            let s = &mut conn.stream;
            let mut greeting = [0u8; 2];
            if s.read_exact(&mut greeting).is_err() || greeting[0] != 5 {
                return;
            }
            let mut methods = vec![0u8; greeting[1] as usize];
            let _ = s.read_exact(&mut methods);
            match login {
                None => {
                    let _ = s.write_all(&[5, 0]);
                }
                Some((user, pass)) => {
                    if !methods.contains(&2) {
                        let _ = s.write_all(&[5, 0xff]);
                        return;
                    }
                    let _ = s.write_all(&[5, 2]);
                    let field = |s: &mut TcpStream| {
                        let mut len = [0u8; 1];
                        s.read_exact(&mut len).ok()?;
                        let mut v = vec![0u8; len[0] as usize];
                        s.read_exact(&mut v).ok()?;
                        String::from_utf8(v).ok()
                    };
                    let mut ver = [0u8; 1];
                    let _ = s.read_exact(&mut ver);
                    let (u, p) = (field(s), field(s));
                    let ok = u.as_deref() == Some(user) && p.as_deref() == Some(pass);
                    let _ = s.write_all(&[1, if ok { 0 } else { 1 }]);
                    if !ok {
                        return;
                    }
                }
            }
            let mut req = [0u8; 4];
            if s.read_exact(&mut req).is_err() {
                return;
            }
            let host = match req[3] {
                1 => {
                    let mut a = [0u8; 4];
                    let _ = s.read_exact(&mut a);
                    std::net::Ipv4Addr::from(a).to_string()
                }
                3 => {
                    let mut len = [0u8; 1];
                    let _ = s.read_exact(&mut len);
                    let mut name = vec![0u8; len[0] as usize];
                    let _ = s.read_exact(&mut name);
                    String::from_utf8_lossy(&name).into_owned()
                }
                _ => return,
            };
            let mut port = [0u8; 2];
            let _ = s.read_exact(&mut port);
            seen.lock().unwrap().push(format!("{host}:{}", u16::from_be_bytes(port)));
            let Ok(up) = TcpStream::connect(&upstream) else {
                let _ = s.write_all(&[5, 5, 0, 1, 0, 0, 0, 0, 0, 0]);
                return;
            };
            let _ = s.write_all(&[5, 0, 0, 1, 127, 0, 0, 1, 0, 0]);
            pipe(s.try_clone().unwrap(), up);
        });
        Socks5 { addr: server.addr.clone(), targets, _server: server }
    }
}

/// Copies both ways until either side closes.
fn pipe(client: TcpStream, upstream: TcpStream) {
    let (mut c1, mut u1) = (client.try_clone().unwrap(), upstream.try_clone().unwrap());
    let up = std::thread::spawn(move || {
        let _ = std::io::copy(&mut c1, &mut u1);
        let _ = u1.shutdown(std::net::Shutdown::Write);
    });
    let (mut c2, mut u2) = (client, upstream);
    let _ = std::io::copy(&mut u2, &mut c2);
    let _ = c2.shutdown(std::net::Shutdown::Write);
    let _ = up.join();
}

// ---- 1. SOCKS proxies are supported, end to end ----

#[test]
fn point_1_a_socks5_proxy_carries_the_request() {
    let emu = Emulator::start();
    let socks = Socks5::start(&emu.addr, None);
    // socks5h: the proxy resolves the production name (nothing resolves it here).
    let client = proxied(ProxyConfig::Url(format!("socks5h://{}", socks.addr))).build().unwrap();
    assert_eq!(pic(&client).unwrap().total_count, Some(130));
    assert_eq!(socks.targets.lock().unwrap().as_slice(), ["ci.ap-guangzhou.myqcloud.com:80"]);
}

#[test]
fn point_1_a_socks5_proxy_with_a_password() {
    let emu = Emulator::start();
    let socks = Socks5::start(&emu.addr, Some(("alice", "s3cr3t-pass")));
    let good = proxied(ProxyConfig::Url(format!("socks5h://alice:s3cr3t-pass@{}", socks.addr))).build().unwrap();
    assert_eq!(pic(&good).unwrap().total_count, Some(130));
    let bad = proxied(ProxyConfig::Url(format!("socks5h://alice:wrong-pass@{}", socks.addr))).build().unwrap();
    let e = pic(&bad).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Network, "{e}");
    assert!(e.message().contains(&socks.addr), "the proxy is named: {e}");
    assert!(!e.to_string().contains("wrong-pass") && !format!("{bad:?}").contains("wrong-pass"), "{e} {bad:?}");
}

#[test]
fn point_1_all_proxy_socks_from_the_environment_is_used_not_skipped() {
    if is_child() {
        let client = ClientBuilder::new().secret_id(SECRET_ID).secret_key(SECRET_KEY).region("ap-guangzhou").scheme(Scheme::Http).build().unwrap();
        assert_eq!(pic(&client).unwrap().total_count, Some(130));
        return;
    }
    let emu = Emulator::start();
    let socks = Socks5::start(&emu.addr, None);
    in_child("point_1_all_proxy_socks_from_the_environment_is_used_not_skipped", &[("ALL_PROXY", format!("socks5h://{}", socks.addr))]);
    assert_eq!(socks.targets.lock().unwrap().len(), 1, "the call went through the SOCKS proxy");
}

// ---- 2. Environment proxies fail closed ----

#[test]
fn point_2_an_unusable_environment_proxy_fails_the_construction() {
    if is_child() {
        let var = std::env::var("CHILD_EXPECT").unwrap();
        let e = ClientBuilder::new().secret_id(SECRET_ID).secret_key(SECRET_KEY).region("ap-guangzhou").build().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{e}");
        assert!(e.message().starts_with(&var), "names {var}: {e}");
        assert!(!e.message().contains("pa55"), "{e}");
        return;
    }
    let name = "point_2_an_unusable_environment_proxy_fails_the_construction";
    for (var, value) in [
        ("HTTPS_PROXY", "http://127.0.0.1:3128 "),
        ("https_proxy", "http://u:pa55@127.0.0.1:99999"),
        ("ALL_PROXY", "gopher://127.0.0.1:70"),
        ("ALL_PROXY", "http://u:pa55@127.0.0.1:notaport"),
        ("HTTPS_PROXY", "http://127.0.0.1:3128\n"),
    ] {
        in_child(name, &[(var, value.to_owned()), ("CHILD_EXPECT", var.to_owned())]);
    }
}

#[test]
fn point_2_an_unusable_all_proxy_does_not_hide_a_valid_https_proxy() {
    if is_child() {
        // Scheme https: HTTPS_PROXY is the variable that counts; a refused
        // connection to it proves it was used (and not ALL_PROXY, or direct).
        let client = ClientBuilder::new().secret_id(SECRET_ID).secret_key(SECRET_KEY).region("ap-guangzhou").timeout(Duration::from_secs(3)).max_retries(0).build().unwrap();
        let e = pic(&client).unwrap_err();
        let port = std::env::var("CHILD_PORT").unwrap();
        assert!(e.message().contains(&format!("proxy 127.0.0.1:{port} refused the connection")), "{e}");
        assert!(e.message().contains("from HTTPS_PROXY"), "{e}");
        return;
    }
    let port = closed_port();
    in_child(
        "point_2_an_unusable_all_proxy_does_not_hide_a_valid_https_proxy",
        &[("HTTPS_PROXY", format!("http://127.0.0.1:{port}")), ("ALL_PROXY", "socks9://nonsense ".into()), ("CHILD_PORT", port.to_string())],
    );
}

// ---- 3. A bad proxy port is refused, never 80 ----

#[test]
fn point_3_a_bad_proxy_port_is_invalid_argument() {
    for url in ["http://127.0.0.1:notaport", "http://127.0.0.1:99999", "http://127.0.0.1:0", "http://127.0.0.1:", "socks5h://127.0.0.1:-1", "http://u:p@127.0.0.1:65536"] {
        let e = proxied(ProxyConfig::Url(url.into())).build().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{url}: {e}");
        assert!(e.message().contains("port"), "{url}: {e}");
    }
    // The default port of a scheme is still a default, not a repair.
    assert!(proxied(ProxyConfig::Url("http://127.0.0.1".into())).build().is_ok());
}

// ---- 5. A proxy password never shows ----

#[test]
fn point_5_a_proxy_password_never_shows() {
    let secret = "Pr0xyPa55w0rd";
    for url in [
        format!("http://user:{secret}@127.0.0.1:notaport"),
        format!("http://user:{secret}@127.0.0.1:3128 "),
        format!("ftp://user:{secret}@127.0.0.1"),
        format!("socks4://user:{secret}@127.0.0.1:1080"),
    ] {
        let b = proxied(ProxyConfig::Url(url.clone()));
        assert!(!format!("{b:?}").contains(secret), "{b:?}");
        let e = b.build().unwrap_err();
        assert!(!format!("{e} {e:?}").contains(secret), "{e}");
    }
    let port = closed_port();
    let b = proxied(ProxyConfig::Url(format!("http://user:{secret}@127.0.0.1:{port}"))).max_retries(0);
    let client = b.clone().build().unwrap();
    let shown = format!("{b:?} {client:?}");
    assert!(!shown.contains(secret) && shown.contains(&format!("127.0.0.1:{port}")), "{shown}");
    let e = pic(&client).unwrap_err();
    assert!(!format!("{e} {e:?}").contains(secret), "{e}");
}

// ---- 6. Error text is bounded and escaped ----

#[test]
fn point_6_a_hostile_message_is_escaped_and_bounded() {
    // Within the 64 KiB read of an error body, far past every bound.
    let message = format!("\u{1b}[2J\u{1b}]0;pwned\u{7}\r\nINFO fake log line\u{7f}\u{9b}31m{}", "A".repeat(30_000));
    let body = error_body("AccessDenied\r\nX-Injected: 1", &message, &format!("req\u{1b}{}", "9".repeat(20_000)));
    let srv = RawServer::start(move |c| c.answer("403 Forbidden", &[("x-ci-request-id", "hdr-id")], &body));
    let e = pic(&direct(&srv.addr).build().unwrap()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Service);
    assert_eq!(e.http_status(), Some(403));
    assert_bounded(&e);
    assert!(e.message().contains("\\u{1b}[2J") && e.message().contains("\\u{d}\\u{a}INFO"), "{}", e.message());
    assert!(e.message().len() <= cloud_infinite::error::MAX_MESSAGE_BYTES);
    assert!(e.code().unwrap().starts_with("AccessDenied\\u{d}\\u{a}X-Injected"), "{:?}", e.code());
    assert!(e.request_id().unwrap().starts_with("req\\u{1b}999"), "{:?}", e.request_id());
    assert!(e.request_id().unwrap().ends_with("more bytes]"), "{:?}", e.request_id());
}

#[test]
fn point_6_a_16_mib_error_body_is_not_copied_whole() {
    // The code comes first, then a 16 MiB message: the code survives, the
    // message is not read past the first 64 KiB.
    let mut body = b"<Error><Code>InternalError</Code><RequestId>r-16</RequestId><Message>".to_vec();
    body.resize(16 << 20, b'x');
    body.extend_from_slice(b"</Message></Error>");
    let srv = RawServer::start(move |c| c.answer("500 Internal Server Error", &[], &body));
    let started = Instant::now();
    let e = pic(&direct(&srv.addr).max_retries(0).build().unwrap()).unwrap_err();
    assert_eq!((e.kind(), e.code(), e.request_id()), (ErrorKind::Service, Some("InternalError"), Some("r-16")), "{e}");
    assert_bounded(&e);
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    assert!(e.message().contains("64 KiB"), "says why there is no message: {e}");
    // A body that is not a CI error gives a short snippet, escaped.
    let html = format!("<html>\u{1b}[31m{}</html>", "y".repeat(5 << 20));
    let srv = RawServer::start(move |c| c.answer("502 Bad Gateway", &[], html.as_bytes()));
    let e = pic(&direct(&srv.addr).max_retries(0).build().unwrap()).unwrap_err();
    assert_bounded(&e);
    assert!(e.message().contains("not a CI error") && e.message().contains("\\u{1b}[31m") && e.message().len() < 400, "{}", e.message());
}

#[test]
fn point_6_a_10_mb_element_name_gives_a_short_parse_message() {
    let name = "N".repeat(10 << 20);
    let body = format!("<Response><{name}>x</Other></Response>");
    let srv = RawServer::start(move |c| c.answer("200 OK", &[], body.as_bytes()));
    let e = pic(&direct(&srv.addr).build().unwrap()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Parse, "{e}");
    assert_bounded(&e);
    assert!(e.message().len() <= 512, "{} bytes", e.message().len());
    assert!(e.message().contains("more bytes]"), "says it was cut: {}", e.message());
}

// ---- 8. Throttling: 429 and 503 SlowDown, with Retry-After ----

#[test]
fn point_8_429_is_retried_honouring_retry_after_seconds() {
    let srv = RawServer::start(|c| match c.index {
        0 => c.answer("429 Too Many Requests", &[("retry-after", "1")], &error_body("TooManyRequests", "slow down", "r429")),
        _ => c.answer("200 OK", &[], GOOD_PAGE),
    });
    let started = Instant::now();
    let page = pic(&direct(&srv.addr).build().unwrap()).unwrap();
    assert_eq!(page.request_id(), Some("good-1"));
    let took = started.elapsed();
    assert!(took >= Duration::from_secs(1) && took < Duration::from_secs(3), "waited {took:?} for Retry-After: 1");
    assert_eq!(srv.connection_count(), 2);
}

#[test]
fn point_8_slow_down_with_an_http_date_is_honoured() {
    let srv = RawServer::start(|c| match c.index {
        0 => {
            let at = httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(2));
            c.answer("503 Service Unavailable", &[("retry-after", &at)], &error_body("SlowDown", "reduce your rate", "r503"))
        }
        _ => c.answer("200 OK", &[], GOOD_PAGE),
    });
    let started = Instant::now();
    pic(&direct(&srv.addr).build().unwrap()).unwrap();
    // The date has a one-second resolution.
    assert!(started.elapsed() >= Duration::from_millis(900), "{:?}", started.elapsed());
}

#[test]
fn point_8_a_retry_after_past_the_deadline_fails_at_once() {
    let srv = RawServer::start(|c| c.answer("429 Too Many Requests", &[("retry-after", "30")], &error_body("TooManyRequests", "slow down", "r429")));
    let started = Instant::now();
    let e = pic(&direct(&srv.addr).timeout(Duration::from_secs(2)).build().unwrap()).unwrap_err();
    assert!(started.elapsed() < Duration::from_millis(500), "no sleep that can only end in a timeout: {:?}", started.elapsed());
    assert_eq!((e.kind(), e.code(), e.http_status()), (ErrorKind::Service, Some("TooManyRequests"), Some(429)));
    assert!(e.message().contains("Retry-After asks for 30s"), "{e}");
    assert_eq!(srv.connection_count(), 1);
}

#[test]
fn point_8_a_retry_after_beyond_the_cap_is_not_honoured() {
    let srv = RawServer::start(|c| c.answer("503 Service Unavailable", &[("retry-after", "3600")], &error_body("SlowDown", "later", "r503")));
    let started = Instant::now();
    let e = pic(&direct(&srv.addr).timeout(Duration::from_secs(7200)).build().unwrap()).unwrap_err();
    assert!(started.elapsed() < Duration::from_millis(500), "{:?}", started.elapsed());
    assert_eq!(e.code(), Some("SlowDown"));
    assert!(e.message().contains("3600 s, more than the 60 s"), "{e}");
}

// ---- 9. The clock offset learnt from Date is bounded ----

#[test]
fn point_9_a_date_in_the_year_9999_is_not_learnt() {
    let srv = RawServer::start(|c| {
        c.answer("403 Forbidden", &[("date", "Fri, 31 Dec 9999 23:59:59 GMT")], &error_body("RequestTimeTooSkewed", "The difference between the request time and the server's time is too large.", "rskew"))
    });
    let client = direct(&srv.addr).build().unwrap();
    let e = pic(&client).unwrap_err();
    assert_eq!(e.code(), Some("RequestTimeTooSkewed"));
    assert!(e.message().contains("the clock was not corrected"), "{e}");
    assert_eq!(client.clock_offset_secs(), 0);
    assert_eq!(srv.connection_count(), 1, "not signed again with a wild offset");
}

#[test]
fn point_9_an_offset_within_a_day_is_learnt() {
    let srv = RawServer::start(|c| match c.index {
        0 => {
            let date = httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(3 * 3600));
            c.answer("403 Forbidden", &[("date", &date)], &error_body("RequestTimeTooSkewed", "skewed", "rskew"))
        }
        _ => c.answer("200 OK", &[], GOOD_PAGE),
    });
    let client = direct(&srv.addr).build().unwrap();
    pic(&client).unwrap();
    assert!((3 * 3600 - 5..=3 * 3600 + 5).contains(&client.clock_offset_secs()), "{}", client.clock_offset_secs());
}

// ---- 10. NO_PROXY and httpoxy, end to end ----

#[test]
fn point_10_no_proxy_and_httpoxy() {
    if is_child() {
        let emu_addr = std::env::var("CHILD_EMULATOR").unwrap();
        let client = ClientBuilder::new().secret_id(SECRET_ID).secret_key(SECRET_KEY).region("ap-guangzhou").scheme(Scheme::Http).endpoint(&emu_addr).max_retries(0).build().unwrap();
        let outcome = match pic(&client) {
            Ok(page) => format!("direct {}", page.total_count.unwrap()),
            Err(e) => format!("error {}", e.message()),
        };
        println!("OUTCOME<{outcome}>");
        return;
    }
    let emu = Emulator::start();
    let proxy = ConnectProxy::start(&emu.addr);
    let refused = format!("http://127.0.0.1:{}", closed_port());
    let port = emu.addr.rsplit_once(':').unwrap().1.to_owned();
    let run = |env: &[(&str, String)]| {
        let mut env = env.to_vec();
        env.push(("CHILD_EMULATOR", emu.addr.clone()));
        let out = in_child("point_10_no_proxy_and_httpoxy", &env);
        out.split("OUTCOME<").nth(1).and_then(|s| s.split('>').next()).unwrap_or("").to_owned()
    };
    // The refused proxy would fail the call: "direct" proves it was skipped.
    for no_proxy in ["127.0.0.1".to_owned(), format!("127.0.0.1:{port}"), "127.0.0.0/8".into(), "*".into(), " other.example , 127.0.0.1".into()] {
        assert_eq!(run(&[("HTTP_PROXY", refused.clone()), ("NO_PROXY", no_proxy.clone())]), "direct 130", "NO_PROXY={no_proxy}");
    }
    assert_eq!(run(&[("http_proxy", refused.clone()), ("no_proxy", "127.0.0.1".into())]), "direct 130");
    // Another port, or no entry: the proxy is used (and refuses, and is named).
    let other_port = run(&[("HTTP_PROXY", refused.clone()), ("NO_PROXY", "127.0.0.1:1".into())]);
    assert!(other_port.contains("refused the connection"), "{other_port}");
    // A working proxy is really used when NO_PROXY does not match.
    assert_eq!(run(&[("HTTP_PROXY", format!("http://{}", proxy.addr)), ("NO_PROXY", "myqcloud.com".into())]), "direct 130");
    assert_eq!(proxy.targets.lock().unwrap().as_slice(), std::slice::from_ref(&emu.addr));
    // httpoxy: under CGI neither HTTP_PROXY nor http_proxy is honoured.
    for var in ["HTTP_PROXY", "http_proxy"] {
        assert_eq!(run(&[(var, refused.clone()), ("REQUEST_METHOD", "GET".into())]), "direct 130", "{var} under CGI");
    }
}

#[test]
fn point_10_no_proxy_matches_subdomains_of_a_bare_domain() {
    // Unit tests in src/client/proxy.rs cover the matcher; this is the
    // issue's own example through the public API: HTTPS_PROXY refused,
    // NO_PROXY=myqcloud.com, so a call to ci.ap-guangzhou.myqcloud.com
    // does not go to the proxy (and fails resolving the name instead).
    if is_child() {
        let client = ClientBuilder::new().secret_id(SECRET_ID).secret_key(SECRET_KEY).region("ap-guangzhou").timeout(Duration::from_secs(3)).max_retries(0).build().unwrap();
        let e = pic(&client).unwrap_err();
        assert!(!e.message().contains("proxy"), "{e}");
        return;
    }
    let refused = format!("http://127.0.0.1:{}", closed_port());
    for np in ["myqcloud.com", ".myqcloud.com", "*.myqcloud.com", "ci.ap-guangzhou.myqcloud.com:443"] {
        in_child("point_10_no_proxy_matches_subdomains_of_a_bare_domain", &[("HTTPS_PROXY", refused.clone()), ("NO_PROXY", np.into())]);
    }
}

// ---- 11. Protocol edges ----

#[test]
fn point_11_a_status_from_600_to_999_is_not_retried() {
    for status in ["600 Odd", "999 Strange"] {
        let srv = RawServer::start(move |c| c.answer(status, &[], b"<Response/>"));
        let e = pic(&direct(&srv.addr).build().unwrap()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Network, "{e}");
        assert!(!e.is_retryable() && e.message().contains("outside 100 to 599"), "{e}");
        assert_eq!(srv.connection_count(), 1, "{status} is not retried");
    }
}

#[test]
fn point_11_chunk_extensions_short_ones_pass_long_ones_are_refused() {
    let chunked = |ext: &'static str| {
        RawServer::start(move |c| {
            let mut out = format!("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n{:x}{ext}\r\n", GOOD_PAGE.len()).into_bytes();
            out.extend_from_slice(GOOD_PAGE);
            out.extend_from_slice(b"\r\n0\r\n\r\n");
            c.send(&out);
        })
    };
    let short = chunked(";a=1");
    assert!(pic(&direct(&short.addr).build().unwrap()).is_ok(), "a chunk-size line of at most 20 bytes is read");
    // ureq-proto (src/chunk.rs, read_size) refuses a chunk-size line over
    // 20 bytes. We keep that: CI never sends extensions, and a bound on the
    // line is what stops an endless one. The outcome is a clear Network error.
    let long = chunked(";name=a-value-long-enough-to-pass-twenty-bytes");
    let e = pic(&direct(&long.addr).max_retries(0).build().unwrap()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Network, "{e}");
    assert!(e.message().contains("not valid HTTP") || e.message().contains("chunk"), "{e}");
    assert_bounded(&e);
}

// ---- 13. A refused proxy is named ----

#[test]
fn point_13_a_refused_proxy_is_named() {
    let port = closed_port();
    for scheme in ["http", "socks5h"] {
        let client = proxied(ProxyConfig::Url(format!("{scheme}://127.0.0.1:{port}"))).max_retries(0).build().unwrap();
        let e = pic(&client).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Network, "{e}");
        assert!(e.message().contains(&format!("proxy 127.0.0.1:{port} refused the connection")), "{scheme}: {e}");
        assert!(e.message().contains("ci.ap-guangzhou.myqcloud.com"), "and the target: {e}");
    }
}

// ---- The fuzz target's seeds (and whatever fuzzing kept), replayed ----

mod fuzz_harness {
    include!(concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz/fail_closed_harness.rs"));
}

#[test]
fn the_fail_closed_fuzz_corpus_replays() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/fail_closed");
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let data = std::fs::read(&path).unwrap();
        if let Err(panic) = std::panic::catch_unwind(|| fuzz_harness::fail_closed(&data)) {
            panic!("{} fails the harness: {panic:?}", path.display());
        }
        count += 1;
    }
    assert!(count >= 7, "only {count} inputs in {}", dir.display());
}
