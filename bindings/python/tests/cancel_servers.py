"""The servers of the cancellation tests (the Python twins of tests/cancel.rs),
on 127.0.0.1, each on its own daemon thread with bounded waits: a listener
whose accept queue is full (a connect to it hangs in SYN_SENT), a server
that reads the request and never answers, and one that answers every
request 503 SlowDown on a keep-alive connection. The two servers put the
`time.monotonic()` at which they saw the client close on `closed`."""

from __future__ import annotations

import queue
import socket
import threading
import time
from typing import List, Tuple

#: How late a cancel may take effect, at most (issue 16).
PROMPT = 0.050

SLOW_DOWN_BODY = (
    b'<?xml version="1.0" encoding="UTF-8"?><Response><Code>SlowDown</Code>'
    b"<Message>Please reduce your request rate.</Message><RequestId>slow-1</RequestId></Response>"
)


def options(addr: str) -> dict:
    """Client options for one of these servers: a long connect timeout and a
    10 s retry base delay, so that only a cancel can end a call soon."""
    return dict(
        secret_id="AKIDEXAMPLE",
        secret_key="secret",
        region="ap-guangzhou",
        scheme="http",
        connect_to=addr,
        proxy=False,
        connect_timeout=20,
        timeout=30,
        retry_base_delay=10,
    )


def stalled_listener() -> Tuple[socket.socket, List[socket.socket], str]:
    """A listen(0) socket whose accept queue is full; keep all three alive."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    host, port = listener.getsockname()
    fillers = []
    for _ in range(8):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(0.1)
        try:
            s.connect((host, port))
        except OSError:
            s.close()
            return listener, fillers, f"{host}:{port}"
        fillers.append(s)
    raise AssertionError("the accept queue of a listen(0) socket never filled")


class Server:
    """One connection at a time on a daemon thread; `closed` gets the time
    each connection closed, `requests` counts the requests read."""

    def __init__(self, answer: bool) -> None:
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.listener.settimeout(20)
        host, port = self.listener.getsockname()
        self.addr = f"{host}:{port}"
        self.answer = answer
        self.closed: "queue.Queue[float]" = queue.Queue()
        self.got_request = threading.Event()
        self.requests = 0
        self.answered = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        try:
            conn, _ = self.listener.accept()
        except OSError:
            return
        with conn:
            conn.settimeout(20)
            pending = b""
            while True:
                try:
                    data = conn.recv(4096)
                except OSError:
                    break
                if not data:
                    break
                pending += data
                while b"\r\n\r\n" in pending:
                    _, pending = pending.split(b"\r\n\r\n", 1)
                    self.requests += 1
                    self.got_request.set()
                    if self.answer:
                        conn.sendall(
                            b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/xml\r\n"
                            b"Content-Length: %d\r\n\r\n%s" % (len(SLOW_DOWN_BODY), SLOW_DOWN_BODY)
                        )
                        self.answered += 1
        self.closed.put(time.monotonic())

    def stop(self) -> None:
        self.listener.close()


def silent_server() -> Server:
    """Accepts, reads the request, never answers."""
    return Server(answer=False)


def slow_down_server() -> Server:
    """Answers every request 503 SlowDown, keeping the connection."""
    return Server(answer=True)
