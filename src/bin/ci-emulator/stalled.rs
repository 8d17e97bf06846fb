//! `--stalled-listener`: a listener on 127.0.0.1 that never accepts and whose
//! accept queue is full, so that a client's TCP connect to it hangs in
//! SYN_SENT (Linux drops a SYN when the listener's accept queue is full)
//! until the client gives up: "cancel during connect" without a real network.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::net::{TcpListener, TcpSocket, TcpStream};

/// A connect that has not completed in this long is taken as hanging.
const SETTLE: Duration = Duration::from_millis(100);
/// Connects made to fill the queue, at most (Linux needs one for backlog 0).
const MAX_FILL: usize = 64;

/// The listener and the connections that fill its queue, kept open as long
/// as this lives (dropping it frees the queue).
pub struct Stalled {
    /// Where a connect hangs.
    pub addr: SocketAddr,
    _listener: TcpListener,
    _fill: Vec<TcpStream>,
}

impl Stalled {
    /// Binds 127.0.0.1:0 with backlog 0, then connects to it until a
    /// connect does not complete within [`SETTLE`]: from then on its
    /// accept queue is full. Fails if it never fills.
    pub async fn bind() -> io::Result<Stalled> {
        let socket = TcpSocket::new_v4()?;
        socket.bind(SocketAddr::from(([127, 0, 0, 1], 0)))?;
        let listener = socket.listen(0)?;
        let addr = listener.local_addr()?;
        let mut fill = Vec::new();
        while fill.len() < MAX_FILL {
            match tokio::time::timeout(SETTLE, TcpStream::connect(addr)).await {
                Ok(Ok(stream)) => fill.push(stream),
                Ok(Err(e)) => return Err(e),
                // The SYN was dropped: the queue is full. (The pending
                // connect is abandoned here.)
                Err(_) => return Ok(Stalled { addr, _listener: listener, _fill: fill }),
            }
        }
        Err(io::Error::other(format!("{addr}: {MAX_FILL} connects all completed; the accept queue never filled")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_connect_to_it_hangs() {
        let stalled = Stalled::bind().await.unwrap();
        assert!(stalled.addr.ip().is_loopback());
        let addr = stalled.addr;
        let outcome = tokio::task::spawn_blocking(move || {
            std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(300))
        })
        .await
        .unwrap();
        let e = outcome.expect_err("the connect must hang");
        assert_eq!(e.kind(), io::ErrorKind::TimedOut, "{e}");
    }
}
