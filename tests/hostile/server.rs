//! A raw-socket server on 127.0.0.1 that answers each connection with
//! whatever bytes a script writes: not the emulator, which only speaks
//! valid HTTP. Shared by `tests/fail_closed*.rs` and the hostile-server
//! harness (`tests/hostile/main.rs`).
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One accepted connection, handed to a script.
pub struct Conn {
    pub stream: TcpStream,
    /// Which connection this is (0 for the first), so a script can answer
    /// the first attempt and its retries differently.
    pub index: usize,
    /// The request head the client sent (up to the blank line).
    pub head: String,
    stop: Arc<AtomicBool>,
    /// Set by [`Conn::reset`]: close with RST, not FIN.
    reset: bool,
}

impl Conn {
    /// Reads the request head into `head` (for scripts of a server started
    /// with [`RawServer::start_raw`] that want it after all).
    pub fn read_request(&mut self) {
        self.head = read_head(&mut self.stream);
    }

    /// Whether the server is shutting down: endless scripts stop then.
    pub fn stopped(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }

    /// Writes all of `bytes`; false once the client has gone (or the
    /// server is stopping), which ends endless scripts.
    pub fn send(&mut self, bytes: &[u8]) -> bool {
        !self.stopped() && self.stream.write_all(bytes).is_ok()
    }

    /// Writes `bytes` one slice of `step` at a time, `pause` apart, until
    /// done or the client goes.
    pub fn trickle(&mut self, bytes: &[u8], step: usize, pause: Duration) -> bool {
        for piece in bytes.chunks(step.max(1)) {
            if !self.send(piece) {
                return false;
            }
            std::thread::sleep(pause);
        }
        true
    }

    /// Sends a whole answer with `Content-Length`, and closes.
    pub fn answer(&mut self, status: &str, headers: &[(&str, &str)], body: &[u8]) {
        let mut head = format!("HTTP/1.1 {status}\r\ncontent-length: {}\r\nconnection: close\r\n", body.len());
        for (k, v) in headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        let _ = self.send(head.as_bytes()) && self.send(body);
    }

    /// Makes the close a TCP reset instead of a clean close.
    pub fn reset(&mut self) {
        let sock = socket_ref(&self.stream);
        // SO_LINGER with a zero timeout makes close() send RST.
        let linger = libc_linger { l_onoff: 1, l_linger: 0 };
        // SAFETY: `sock` is the open descriptor of `self.stream`, and
        // `linger` is a valid `struct linger` that outlives the call.
        unsafe {
            setsockopt(sock, SOL_SOCKET, SO_LINGER, &linger as *const libc_linger as *const std::ffi::c_void, std::mem::size_of::<libc_linger>() as u32);
        }
        self.reset = true;
    }
}

#[repr(C)]
#[allow(non_camel_case_types)]
struct libc_linger {
    l_onoff: i32,
    l_linger: i32,
}
const SOL_SOCKET: i32 = 1;
const SO_LINGER: i32 = 13;
extern "C" {
    fn setsockopt(fd: i32, level: i32, name: i32, value: *const std::ffi::c_void, len: u32) -> i32;
}
fn socket_ref(s: &TcpStream) -> i32 {
    use std::os::fd::AsRawFd;
    s.as_raw_fd()
}

/// The script each connection runs.
pub type Script = Arc<dyn Fn(&mut Conn) + Send + Sync>;

/// A server that runs `script` on every connection, each in its own
/// thread, until dropped.
pub struct RawServer {
    /// `127.0.0.1:<port>`.
    pub addr: String,
    /// How many connections were accepted.
    pub connections: Arc<AtomicUsize>,
    /// The request heads received, in order.
    pub heads: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    accept: Option<std::thread::JoinHandle<()>>,
}

impl RawServer {
    /// Starts serving on an ephemeral loopback port; each script starts
    /// after the request head has been read.
    pub fn start(script: impl Fn(&mut Conn) + Send + Sync + 'static) -> RawServer {
        Self::serve(Arc::new(script), true)
    }

    /// Like [`RawServer::start`], but the script gets the connection
    /// untouched (for a TLS handshake, or a server that speaks first).
    pub fn start_raw(script: impl Fn(&mut Conn) + Send + Sync + 'static) -> RawServer {
        Self::serve(Arc::new(script), false)
    }

    fn serve(script: Script, read_request: bool) -> RawServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().unwrap().to_string();
        let stop = Arc::new(AtomicBool::new(false));
        let connections = Arc::new(AtomicUsize::new(0));
        let heads = Arc::new(Mutex::new(Vec::new()));
        let (stopping, count, seen) = (stop.clone(), connections.clone(), heads.clone());
        let accept = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stopping.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let index = count.fetch_add(1, Ordering::SeqCst);
                let (script, stop, seen) = (script.clone(), stopping.clone(), seen.clone());
                std::thread::spawn(move || {
                    // No script may hang a test: every read and write gives up.
                    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
                    let _ = stream.set_write_timeout(Some(Duration::from_secs(10)));
                    let mut conn = Conn { stream, index, head: String::new(), stop, reset: false };
                    if read_request {
                        conn.head = read_head(&mut conn.stream);
                        seen.lock().unwrap().push(conn.head.clone());
                    }
                    script(&mut conn);
                    if !conn.reset {
                        let _ = conn.stream.shutdown(Shutdown::Both);
                    }
                });
            }
        });
        RawServer { addr, connections, heads, stop, accept: Some(accept) }
    }

    /// How many connections were accepted so far.
    pub fn connection_count(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

impl Drop for RawServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect_timeout(&self.addr.parse().unwrap(), Duration::from_secs(1));
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
    }
}

/// The request head, read byte by byte so nothing after it is consumed
/// (at most 64 KiB, and at most 10 s).
fn read_head(stream: &mut TcpStream) -> String {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    let started = Instant::now();
    while !head.ends_with(b"\r\n\r\n") && head.len() < 65536 && started.elapsed() < Duration::from_secs(10) {
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => break,
        }
    }
    String::from_utf8_lossy(&head).into_owned()
}

/// A gzip member whose DEFLATE stream inflates to about `inflated` zero
/// bytes from about `inflated / 160` bytes: one literal, then back
/// references of 258 bytes at distance 1 in a fixed-Huffman block. The
/// trailer's CRC is not computed: no reader under test gets that far.
pub fn gzip_bomb(inflated: usize) -> Vec<u8> {
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255];
    let mut bits = BitWriter { out: &mut out, acc: 0, n: 0 };
    bits.push(1, 1); // BFINAL
    bits.push(1, 2); // BTYPE = 01, fixed Huffman (LSB first)
    bits.code(0x30, 8); // literal 0
    for _ in 0..inflated / 258 {
        bits.code(0xC5, 8); // length code 285: 258 bytes
        bits.code(0, 5); // distance code 0: distance 1
    }
    bits.code(0, 7); // end of block
    bits.flush();
    out.extend_from_slice(&[0, 0, 0, 0]);
    out.extend_from_slice(&((inflated as u32).wrapping_add(1)).to_le_bytes());
    out
}

struct BitWriter<'a> {
    out: &'a mut Vec<u8>,
    acc: u32,
    n: u32,
}

impl BitWriter<'_> {
    /// `count` bits of `value`, least significant first (header fields).
    fn push(&mut self, value: u32, count: u32) {
        for i in 0..count {
            self.bit((value >> i) & 1);
        }
    }
    /// A Huffman code, most significant bit first, as DEFLATE packs them.
    fn code(&mut self, code: u32, len: u32) {
        for i in (0..len).rev() {
            self.bit((code >> i) & 1);
        }
    }
    fn bit(&mut self, b: u32) {
        self.acc |= b << self.n;
        self.n += 1;
        if self.n == 8 {
            self.out.push(self.acc as u8);
            self.acc = 0;
            self.n = 0;
        }
    }
    fn flush(&mut self) {
        if self.n > 0 {
            self.out.push(self.acc as u8);
            self.acc = 0;
            self.n = 0;
        }
    }
}

/// A valid one-bucket `DescribePicProcessBucket` answer.
pub const GOOD_PAGE: &[u8] = b"<Response><RequestId>good-1</RequestId><TotalCount>1</TotalCount><PageNumber>1</PageNumber><PageSize>10</PageSize>\
<PicBucketList><BucketId>a-1250000000</BucketId><Name>a</Name><Region>ap-guangzhou</Region><CreateTime>2024-01-01T00:00:00Z</CreateTime></PicBucketList></Response>";

/// A CI error body.
pub fn error_body(code: &str, message: &str, request_id: &str) -> Vec<u8> {
    format!("<Response><Code>{code}</Code><Message>{message}</Message><RequestId>{request_id}</RequestId></Response>").into_bytes()
}
