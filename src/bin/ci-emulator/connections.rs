//! The TCP connections the emulator accepted, for `GET /__emulator/connections`:
//! who, when opened, when the client was seen to close, and what it asked.
//!
//! Times are wall-clock Unix epoch milliseconds from [`SystemTime`] (not the
//! emulator's adjustable clock), so another process on the machine can set
//! them beside its own clock: "the server saw the connection close 3 ms after
//! I cancelled".

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use tokio::io::Interest;
use tokio::net::TcpStream;

use crate::faults::lock;

/// The list keeps the most recent this many connections.
pub const MAX_CONNECTIONS: usize = 10_000;
/// A connection remembers the paths of its first this many requests.
pub const MAX_PATHS: usize = 16;

/// Now, as wall-clock Unix epoch milliseconds with sub-millisecond precision.
pub fn now_ms() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0.0, |d| d.as_nanos() as f64 / 1e6)
}

/// One accepted connection's record, shared by its task and the list.
pub struct Conn {
    id: u64,
    peer: String,
    opened_ms: f64,
    /// Set once, by whichever sees the end first: the EOF watch, a read
    /// that returns EOF or fails, or the connection task ending.
    closed_ms: Mutex<Option<f64>>,
    requests: AtomicU64,
    paths: Mutex<Vec<String>>,
}

impl Conn {
    /// Marks the connection closed now, unless it already is.
    pub fn close(&self) {
        let mut closed = lock(&self.closed_ms);
        if closed.is_none() {
            *closed = Some(now_ms());
        }
    }

    /// Whether the close has been seen.
    #[cfg(test)]
    fn is_closed(&self) -> bool {
        lock(&self.closed_ms).is_some()
    }

    /// Counts a request on this connection and remembers its path (the first
    /// [`MAX_PATHS`] only).
    pub fn count_request(&self, path: &str) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        let mut paths = lock(&self.paths);
        if paths.len() < MAX_PATHS {
            paths.push(path.to_owned());
        }
    }

    /// The record as `GET /__emulator/connections` shows it.
    fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "id": self.id,
            "peer": self.peer,
            "opened_ms": self.opened_ms,
            "closed_ms": *lock(&self.closed_ms),
            "requests": self.requests.load(Ordering::Relaxed),
            "paths": *lock(&self.paths),
        })
    }
}

/// The accepted connections, oldest first, at most [`MAX_CONNECTIONS`].
pub struct Connections {
    next_id: AtomicU64,
    list: Mutex<VecDeque<Arc<Conn>>>,
}

impl Connections {
    /// An empty list; the first connection gets id 1.
    pub fn new() -> Self {
        Connections { next_id: AtomicU64::new(1), list: Mutex::new(VecDeque::new()) }
    }

    /// Records a connection accepted now from `peer`, dropping the oldest
    /// record past the cap. Ids keep counting across resets.
    pub fn open(&self, peer: Option<SocketAddr>) -> Arc<Conn> {
        let conn = Arc::new(Conn {
            id: self.next_id.fetch_add(1, Ordering::Relaxed),
            peer: peer.map_or_else(String::new, |p| p.to_string()),
            opened_ms: now_ms(),
            closed_ms: Mutex::new(None),
            requests: AtomicU64::new(0),
            paths: Mutex::new(Vec::new()),
        });
        let mut list = lock(&self.list);
        list.push_back(conn.clone());
        while list.len() > MAX_CONNECTIONS {
            list.pop_front();
        }
        conn
    }

    /// `POST /__emulator/reset`: forgets the connections already closed;
    /// those still open stay listed (a client's pooled keep-alive
    /// connection is still the one its next call uses), their `requests`
    /// and `paths` starting again from none.
    pub fn reset(&self) {
        let mut list = lock(&self.list);
        list.retain(|c| lock(&c.closed_ms).is_none());
        for c in list.iter() {
            c.requests.store(0, Ordering::Relaxed);
            lock(&c.paths).clear();
        }
    }

    /// `{"connections": [...]}`, oldest first, every record.
    #[cfg(test)]
    pub fn to_json(&self) -> serde_json::Value {
        self.select(&Filter::default())
    }

    /// `{"connections": [...]}`, oldest first: the records `filter` lets through.
    pub fn select(&self, filter: &Filter) -> serde_json::Value {
        let list: Vec<Arc<Conn>> = lock(&self.list).iter().filter(|c| filter.admits(c)).cloned().collect();
        serde_json::json!({ "connections": list.iter().map(|c| c.to_json()).collect::<Vec<_>>() })
    }
}

/// `GET /__emulator/connections`' query: which records to answer (all by
/// default), so a test polling during a long run need not fetch 10,000.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Filter {
    /// `peer=127.0.0.1:54321`: only this peer's (`:` may be `%3A`).
    pub peer: Option<String>,
    /// `after=N`: only ids greater than N.
    pub after: Option<u64>,
}

impl Filter {
    /// Reads `peer` and `after` from a query; any other parameter, or an
    /// `after` that is not a whole number, is an error.
    pub fn parse(raw: &str) -> Result<Filter, String> {
        let mut filter = Filter::default();
        for (name, value) in crate::query::parse_query(raw, false) {
            match &*name {
                "peer" => filter.peer = Some(value.into_owned()),
                "after" => {
                    filter.after = Some(value.parse().map_err(|_| format!("after takes a connection id, got {value:?}"))?);
                }
                other => return Err(format!("unknown parameter {other:?} (connections takes peer and after)")),
            }
        }
        Ok(filter)
    }

    /// Whether `conn` passes.
    fn admits(&self, conn: &Conn) -> bool {
        self.peer.as_deref().map_or(true, |p| p == conn.peer) && self.after.map_or(true, |n| conn.id > n)
    }
}

/// Watches a connection's socket for the client's FIN or RST and marks
/// `conn` closed the moment either arrives, whatever hyper is doing: hyper
/// does not read while a handler is pending (a `delay` fault, `--latency-ms`),
/// and with half-close allowed it would not report an EOF then anyway.
///
/// It watches a duplicate of the socket's descriptor, registered on its own,
/// and never reads from it: readiness that is only data for hyper is cleared
/// and the watch waits for the next edge (more data, FIN, RST). Returns once
/// the close is seen; if the duplicate cannot be made it returns at once and
/// the connection task's end marks the close instead. The caller must drop
/// it when the connection ends, as the duplicate holds the socket open.
///
/// The duplicate is made now (inside the runtime), so the stream itself can
/// move on to hyper.
pub fn watch_close(stream: &TcpStream, conn: Arc<Conn>) -> impl std::future::Future<Output = ()> + Send + 'static {
    let dup = duplicate(stream);
    async move {
        if let Some(dup) = dup {
            until_closed(&dup).await;
            conn.close();
        }
    }
}

/// Resolves when the socket's peer has closed or reset it.
async fn until_closed(dup: &TcpStream) {
    loop {
        match dup.ready(Interest::READABLE).await {
            // FIN (EPOLLRDHUP) or RST (EPOLLHUP/EPOLLERR).
            Ok(ready) if ready.is_read_closed() || ready.is_error() => break,
            // Only data: clear this readiness (the closure's WouldBlock does
            // that) so the next `ready` waits for a new event.
            Ok(_) => {
                let _ = dup.try_io(Interest::READABLE, || Err::<(), _>(std::io::ErrorKind::WouldBlock.into()));
            }
            Err(_) => break,
        }
    }
}

/// A second, independently registered handle on the same socket.
fn duplicate(stream: &TcpStream) -> Option<TcpStream> {
    use std::os::fd::AsFd;
    let fd = stream.as_fd().try_clone_to_owned().ok()?;
    let std_stream = std::net::TcpStream::from(fd);
    std_stream.set_nonblocking(true).ok()?;
    TcpStream::from_std(std_stream).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_capped_and_ids_keep_counting() {
        let c = Connections::new();
        for _ in 0..MAX_CONNECTIONS + 5 {
            c.open(None);
        }
        let json = c.to_json();
        let list = json["connections"].as_array().unwrap();
        assert_eq!(list.len(), MAX_CONNECTIONS);
        assert_eq!(list[0]["id"], 6, "the oldest five were dropped");
        assert_eq!(c.select(&Filter { after: Some(MAX_CONNECTIONS as u64 + 3), peer: None })["connections"].as_array().unwrap().len(), 2);
        assert_eq!(c.open(None).id, MAX_CONNECTIONS as u64 + 6);
    }

    #[test]
    fn reset_forgets_closed_connections_and_restarts_the_open_ones_counts() {
        let c = Connections::new();
        let closed = c.open(Some("127.0.0.1:1000".parse().unwrap()));
        let open = c.open(Some("127.0.0.1:1001".parse().unwrap()));
        closed.count_request("/a");
        open.count_request("/b");
        closed.close();
        c.reset();
        let json = c.to_json();
        let list = json["connections"].as_array().unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(list[0]["peer"], "127.0.0.1:1001");
        assert_eq!(list[0]["requests"], 0);
        assert_eq!(list[0]["paths"], serde_json::json!([]));
        open.count_request("/c");
        assert_eq!(c.to_json()["connections"][0]["paths"], serde_json::json!(["/c"]));
    }

    #[test]
    fn filters() {
        let c = Connections::new();
        c.open(Some("127.0.0.1:1000".parse().unwrap()));
        c.open(Some("127.0.0.1:1001".parse().unwrap()));
        c.open(Some("127.0.0.1:1000".parse().unwrap()));
        let ids = |q: &str| -> Vec<u64> {
            let json = c.select(&Filter::parse(q).unwrap());
            json["connections"].as_array().unwrap().iter().map(|r| r["id"].as_u64().unwrap()).collect()
        };
        assert_eq!(ids(""), [1, 2, 3]);
        assert_eq!(ids("peer=127.0.0.1:1000"), [1, 3]);
        assert_eq!(ids("peer=127.0.0.1%3A1000&after=1"), [3]);
        assert_eq!(ids("after=2"), [3]);
        assert!(Filter::parse("after=x").unwrap_err().contains("after"));
        assert!(Filter::parse("port=1").unwrap_err().contains("unknown parameter"));
    }

    #[test]
    fn a_record_counts_requests_caps_paths_and_closes_once() {
        let c = Connections::new();
        let conn = c.open(Some("127.0.0.1:54321".parse().unwrap()));
        for i in 0..20 {
            conn.count_request(&format!("/p{i}"));
        }
        let before = now_ms();
        conn.close();
        let first = c.to_json()["connections"][0]["closed_ms"].as_f64().unwrap();
        conn.close();
        let json = c.to_json();
        let rec = &json["connections"][0];
        assert_eq!(rec["id"], 1);
        assert_eq!(rec["peer"], "127.0.0.1:54321");
        assert_eq!(rec["requests"], 20);
        assert_eq!(rec["paths"].as_array().unwrap().len(), MAX_PATHS);
        assert_eq!(rec["paths"][0], "/p0");
        assert_eq!(rec["closed_ms"].as_f64().unwrap(), first, "the first close stands");
        assert!(first >= before && rec["opened_ms"].as_f64().unwrap() <= first);
        // Sub-millisecond precision: the value is not a whole number of ms (almost surely).
        assert!(rec["opened_ms"].is_f64());
    }

    #[test]
    fn an_open_connection_shows_null() {
        let c = Connections::new();
        c.open(None);
        assert!(c.to_json()["connections"][0]["closed_ms"].is_null());
    }

    /// The watch sees a FIN while nobody reads the socket, and leaves unread data alone.
    #[tokio::test]
    async fn the_watch_sees_the_client_close_while_nobody_reads() {
        use tokio::io::AsyncWriteExt;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut client = TcpStream::connect(addr).await.unwrap();
        let (server, peer) = listener.accept().await.unwrap();
        let conns = Connections::new();
        let conn = conns.open(Some(peer));
        let watch = tokio::spawn(watch_close(&server, conn.clone()));
        client.write_all(b"GET / HTTP/1.1\r\n\r\n").await.unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        assert!(!conn.is_closed(), "data is not a close");
        let dropped = now_ms();
        drop(client);
        tokio::time::timeout(std::time::Duration::from_secs(2), watch).await.unwrap().unwrap();
        let closed = lock(&conn.closed_ms).unwrap();
        assert!(closed - dropped < 50.0, "seen {} ms after the drop", closed - dropped);
        let mut buf = [0u8; 64];
        let n = server.try_read(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"GET / HTTP/1.1\r\n\r\n", "the watch consumed nothing");
    }

    /// A client's RST (SO_LINGER 0) is seen as promptly as a FIN.
    #[tokio::test]
    async fn the_watch_sees_a_reset() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
        let (server, peer) = listener.accept().await.unwrap();
        let conn = Connections::new().open(Some(peer));
        let watch = tokio::spawn(watch_close(&server, conn.clone()));
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        assert!(!conn.is_closed());
        client.set_zero_linger().unwrap();
        let dropped = now_ms();
        drop(client);
        tokio::time::timeout(std::time::Duration::from_secs(2), watch).await.unwrap().unwrap();
        let closed = lock(&conn.closed_ms).unwrap();
        assert!(closed - dropped < 50.0, "seen {} ms after the reset", closed - dropped);
        drop(server);
    }
}
