"""Issue 15 ("fail closed") as Python sees it: proxies refused with
InvalidArgumentError, never a crash; a refused proxy named; a hostile error
body arriving as a ServiceError whose message, code and request id are
bounded and printable. The servers are raw sockets on 127.0.0.1."""

import socket
import threading

import pytest

import cloud_infinite
from cloud_infinite import Client, InvalidArgumentError, NetworkError, ServiceError

MAX_MESSAGE_BYTES = 2048
MAX_FIELD_BYTES = 256


def printable(text):
    return text is None or not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in text)


def closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Canned:
    """Answers every connection with `answer` (raw bytes) and closes."""

    def __init__(self, answer):
        self.answer = answer
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(10)
        self.addr = "127.0.0.1:%d" % self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        try:
            conn, _ = self.sock.accept()
        except OSError:
            return
        with conn:
            conn.settimeout(5)
            head = b""
            while b"\r\n\r\n" not in head:
                piece = conn.recv(4096)
                if not piece:
                    break
                head += piece
            conn.sendall(self.answer)

    def close(self):
        self.sock.close()
        self.thread.join(5)


def base(**kw):
    opts = dict(secret_id="AKIDpyEXAMPLE", secret_key="py-secret-key", region="ap-guangzhou", scheme="http", max_retries=0, timeout=5)
    opts.update(kw)
    return opts


@pytest.mark.parametrize("url", ["http://127.0.0.1:notaport", "http://127.0.0.1:99999", "http://127.0.0.1:0", "http://u:Pa55w0rdX@127.0.0.1:3128 "])
def test_a_bad_proxy_url_is_invalid_argument_without_the_password(url):
    with pytest.raises(InvalidArgumentError) as info:
        Client(**base(proxy=url))
    assert "proxy" in info.value.message
    assert "Pa55w0rdX" not in str(info.value) and "Pa55w0rdX" not in repr(info.value)


def test_socks_and_a_refused_proxy_are_named_network_errors():
    port = closed_port()
    for scheme in ("http", "socks5h"):
        with Client(**base(proxy="%s://user:Pa55w0rdX@127.0.0.1:%d" % (scheme, port))) as client:
            with pytest.raises(NetworkError) as info:
                client.describe_pic_buckets()
        assert "proxy 127.0.0.1:%d refused the connection" % port in info.value.message
        assert "Pa55w0rdX" not in str(info.value)


def test_an_unusable_environment_proxy_names_its_variable(monkeypatch):
    for var in ("https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:3128 ")
    with pytest.raises(InvalidArgumentError) as info:
        Client(**base(scheme="https"))
    assert info.value.message.startswith("HTTPS_PROXY")


def test_a_hostile_error_body_is_bounded_and_printable():
    message = "\x1b[2J\x1b]0;pwned\x07\r\nINFO forged\u009b" + "A" * 30000
    body = ("<Response><Code>AccessDenied\r\nX: 1</Code><Message>%s</Message><RequestId>%s</RequestId></Response>" % (message, "r\x1b" * 5000)).encode()
    srv = Canned(b"HTTP/1.1 403 Forbidden\r\ncontent-length: %d\r\nconnection: close\r\n\r\n" % len(body) + body)
    try:
        before = cloud_infinite.live_objects()
        with Client(**base(connect_to=srv.addr, proxy=False)) as client:
            with pytest.raises(ServiceError) as info:
                client.describe_pic_buckets()
        e = info.value
        assert e.http_status == 403
        assert len(e.message.encode()) <= MAX_MESSAGE_BYTES and printable(e.message)
        assert "\\u{1b}[2J" in e.message
        assert e.code.startswith("AccessDenied\\u{d}\\u{a}X") and len(e.code.encode()) <= MAX_FIELD_BYTES
        assert printable(e.request_id) and len(e.request_id.encode()) <= MAX_FIELD_BYTES
        assert cloud_infinite.live_objects() == before
    finally:
        srv.close()
