//! Starts a private `ci-emulator` on 127.0.0.1 for one test and stops it on drop.
#![allow(dead_code)]

pub mod expected;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use cloud_infinite::{ClientBuilder, ProxyConfig, Scheme};
use serde_json::Value;

/// The built-in fixture's long-term credentials.
pub const SECRET_ID: &str = "AKIDemulatorEXAMPLE";
pub const SECRET_KEY: &str = "emulator-secret-key";
/// The built-in fixture's temporary credentials.
pub const TMP_SECRET_ID: &str = "AKIDemulatorTMP";
pub const TMP_SECRET_KEY: &str = "emulator-tmp-key";
pub const TMP_TOKEN: &str = "emulator-session-token";

pub struct Emulator {
    child: Child,
    /// `127.0.0.1:<port>`.
    pub addr: String,
    /// `http`, or `https` when started with `--tls-cert`.
    pub scheme: String,
}

impl Emulator {
    pub fn start() -> Emulator {
        Self::start_with(&[])
    }

    pub fn start_with(args: &[&str]) -> Emulator {
        let mut child = Command::new(env!("CARGO_BIN_EXE_ci-emulator"))
            .args(["--listen", "127.0.0.1:0", "--exit-on-stdin-eof"])
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start ci-emulator");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).expect("read the emulator's address");
        let (scheme, addr) = line
            .trim()
            .rsplit_once(' ')
            .and_then(|(_, url)| url.split_once("://"))
            .filter(|(_, a)| a.contains(':'))
            .unwrap_or_else(|| panic!("unexpected first line from ci-emulator: {line:?}"));
        let (scheme, addr) = (scheme.to_owned(), addr.to_owned());
        Emulator { child, addr, scheme }
    }

    /// A client builder aimed at this emulator the way production is reached:
    /// real host names, dialled at the emulator's address.
    pub fn client(&self) -> ClientBuilder {
        ClientBuilder::new()
            .secret_id(SECRET_ID)
            .secret_key(SECRET_KEY)
            .region("ap-guangzhou")
            .scheme(Scheme::Http)
            .connect_to(&self.addr)
            .proxy(ProxyConfig::Disabled)
            .retry_base_delay(Duration::from_millis(5))
            .timeout(Duration::from_secs(20))
    }

    fn control(&self, method: &str, path: &str, body: Option<&str>) -> Value {
        let url = format!("{}://{}/__emulator/{path}", self.scheme, self.addr);
        // An HTTPS emulator serves the test CA's certificate (tests/fixtures/tls).
        let ca = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/tls/ca.pem")).unwrap();
        let certs: Vec<_> = ureq::tls::parse_pem(&ca)
            .filter_map(|item| match item {
                Ok(ureq::tls::PemItem::Certificate(c)) => Some(c),
                _ => None,
            })
            .collect();
        let tls = ureq::tls::TlsConfig::builder().root_certs(ureq::tls::RootCerts::new_with_certs(&certs)).build();
        let agent: ureq::Agent = ureq::Agent::config_builder().proxy(None).tls_config(tls).build().into();
        let mut response = match (method, body) {
            ("GET", _) => agent.get(&url).call(),
            (_, Some(body)) => agent.post(&url).header("content-type", "application/json").send(body),
            (_, None) => agent.post(&url).send_empty(),
        }
        .unwrap_or_else(|e| panic!("{method} {url}: {e}"));
        let text = response.body_mut().read_to_string().unwrap();
        if text.trim().is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{url} answered non-JSON {text:?}: {e}"))
        }
    }

    pub fn fixture(&self) -> Value {
        self.control("GET", "fixture", None)
    }

    /// API requests the emulator has seen since start or the last reset.
    pub fn requests(&self) -> u64 {
        self.control("GET", "stats", None)["requests"].as_u64().unwrap()
    }

    /// API requests per path since start or the last reset (every call's
    /// path is listed, with 0 when it was not called).
    pub fn requests_by_path(&self) -> serde_json::Map<String, Value> {
        self.control("GET", "stats", None)["by_path"].as_object().unwrap().clone()
    }

    /// A GET signed with the fixture's long-term key, sent as written (no
    /// client-side checks), to `host` (the Host header) and `path?query`:
    /// the status, the lowercased head and the body of the emulator's answer.
    pub fn signed_get(&self, host: &str, path: &str, params: &[(&str, &str)]) -> (u16, String, String) {
        use cloud_infinite::sign::{self, percent_encode, Credentials, SignWindow};
        use std::io::{Read, Write};
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
        let creds = Credentials::new(SECRET_ID, SECRET_KEY);
        let signature = sign::sign(&creds, "GET", path, params, &[("host", host)], SignWindow { start: now - 60, end: now + 600 });
        let query: Vec<String> = params.iter().map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v))).collect();
        let target = if query.is_empty() { path.to_owned() } else { format!("{path}?{}", query.join("&")) };
        let mut stream = std::net::TcpStream::connect(&self.addr).unwrap();
        write!(
            stream,
            "GET {target} HTTP/1.1\r\nHost: {host}\r\nAuthorization: {}\r\nConnection: close\r\n\r\n",
            signature.authorization()
        )
        .unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        let status = answer.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("not HTTP: {answer:?}"));
        let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
        (status, head.to_ascii_lowercase(), body.to_owned())
    }

    pub fn arm_fault(&self, spec: &str) {
        self.control("POST", "faults", Some(spec));
    }

    pub fn set_clock_offset(&self, secs: i64) {
        self.control("POST", "clock", Some(&format!("{{\"offset_secs\": {secs}}}")));
    }

    pub fn reset(&self) {
        self.control("POST", "reset", None);
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn s(v: &Value) -> Option<String> {
    v.as_str().map(str::to_owned)
}

/// A minimal HTTP CONNECT proxy on 127.0.0.1 that tunnels every connection
/// to `upstream` and records the targets it was asked for. It stops (and
/// stops accepting) when dropped.
pub struct ConnectProxy {
    pub addr: String,
    pub targets: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl ConnectProxy {
    pub fn start(upstream: &str) -> ConnectProxy {
        use std::io::{Read, Write};
        use std::net::{TcpListener, TcpStream};
        use std::sync::atomic::Ordering;

        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let targets = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (upstream, seen, stopping) = (upstream.to_owned(), targets.clone(), stop.clone());
        std::thread::spawn(move || {
            for client in listener.incoming() {
                if stopping.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(mut client) = client else { continue };
                let (upstream, seen) = (upstream.clone(), seen.clone());
                std::thread::spawn(move || {
                    // Read the request head byte by byte so nothing after it is lost.
                    let mut head = Vec::new();
                    let mut byte = [0u8; 1];
                    while !head.ends_with(b"\r\n\r\n") && head.len() < 8192 {
                        if client.read(&mut byte).unwrap_or(0) == 0 {
                            return;
                        }
                        head.push(byte[0]);
                    }
                    let head = String::from_utf8_lossy(&head);
                    let mut words = head.split_whitespace();
                    if words.next() != Some("CONNECT") {
                        let _ = client.write_all(b"HTTP/1.1 405 Method Not Allowed\r\ncontent-length: 0\r\n\r\n");
                        return;
                    }
                    seen.lock().unwrap().push(words.next().unwrap_or("").to_owned());
                    let Ok(server) = TcpStream::connect(&upstream) else { return };
                    let _ = client.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n");
                    let (mut c2, mut s2) = (client.try_clone().unwrap(), server.try_clone().unwrap());
                    let (mut c1, mut s1) = (client, server);
                    let up = std::thread::spawn(move || {
                        let _ = std::io::copy(&mut c1, &mut s1);
                        let _ = s1.shutdown(std::net::Shutdown::Write);
                    });
                    let _ = std::io::copy(&mut s2, &mut c2);
                    let _ = c2.shutdown(std::net::Shutdown::Write);
                    let _ = up.join();
                });
            }
        });
        ConnectProxy { addr, targets, stop }
    }
}

impl Drop for ConnectProxy {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = std::net::TcpStream::connect(&self.addr);
    }
}

/// A plain HTTP/1.1 server on 127.0.0.1 that records each request's head and
/// answers every request with `body` (status 200), keeping connections
/// alive. It counts connections, so tests can see the client's pool at work.
pub struct RecordingServer {
    pub addr: String,
    pub heads: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    pub connections: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl RecordingServer {
    pub fn start(body: &'static str) -> RecordingServer {
        use std::io::{BufRead, BufReader, Write};
        use std::sync::atomic::Ordering;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let heads = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let connections = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let (seen, count) = (heads.clone(), connections.clone());
        std::thread::spawn(move || {
            // Ends with the test process; each connection ends when the client closes it.
            for stream in listener.incoming().flatten() {
                count.fetch_add(1, Ordering::SeqCst);
                let seen = seen.clone();
                std::thread::spawn(move || {
                    let mut reader = BufReader::new(stream.try_clone().unwrap());
                    let mut out = stream;
                    loop {
                        let mut head = String::new();
                        loop {
                            let mut line = String::new();
                            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                                return;
                            }
                            let end = line == "\r\n";
                            head.push_str(&line);
                            if end {
                                break;
                            }
                        }
                        seen.lock().unwrap().push(head);
                        let answer = format!(
                            "HTTP/1.1 200 OK\r\ncontent-type: application/xml\r\nx-ci-request-id: rec-1\r\ncontent-length: {}\r\n\r\n{body}",
                            body.len()
                        );
                        if out.write_all(answer.as_bytes()).is_err() {
                            return;
                        }
                    }
                });
            }
        });
        RecordingServer { addr, heads, connections }
    }
}
