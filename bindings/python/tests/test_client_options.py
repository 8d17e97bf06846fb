"""Every option of Client (each field of ci_client_options) has its effect.

Where the emulator cannot show an option (headers it does not report), a
tiny recording HTTP server on 127.0.0.1 stands in for the service.
"""

import http.server
import socket
import threading
import time

import pytest

import cloud_infinite
from cloud_infinite import Client, InvalidArgumentError, NullArgumentError, Scheme, ServiceError

from conftest import BUCKET, SECRET_ID, SECRET_KEY, TMP_SECRET_ID, TMP_SECRET_KEY, TMP_TOKEN

EMPTY_PAGE = (
    b"<Response><RequestId>rec-1</RequestId><TotalCount>0</TotalCount>"
    b"<PageNumber>1</PageNumber><PageSize>10</PageSize></Response>"
)


class Recorder:
    """Answers every GET with an empty bucket page and keeps what it got.
    Also a (plain-HTTP) CONNECT proxy: it accepts the tunnel and serves the
    GET that comes through it itself, so nothing is forwarded anywhere."""

    def __init__(self):
        self.requests = []
        recorder = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                recorder.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
                self.send_response(200)
                self.send_header("Content-Type", "application/xml")
                self.send_header("Content-Length", str(len(EMPTY_PAGE)))
                self.end_headers()
                self.wfile.write(EMPTY_PAGE)

            def do_CONNECT(self):
                recorder.requests.append(("CONNECT " + self.path, {k.lower(): v for k, v in self.headers.items()}))
                self.send_response(200, "Connection established")
                self.end_headers()
                # The tunnelled request arrives next on this connection.
                self.close_connection = False

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.addr = "127.0.0.1:%d" % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(10)


@pytest.fixture
def recorder():
    r = Recorder()
    try:
        yield r
    finally:
        r.close()


def recorded_client(recorder, **options):
    base = dict(secret_id="AKIDrec", secret_key="k", region="ap-guangzhou", connect_to=recorder.addr,
                scheme="http", proxy=False, max_retries=0)
    base.update(options)
    return Client(**base)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_region_and_connect_to_keep_the_production_host(recorder):
    with recorded_client(recorder, region="ap-beijing") as c:
        c.describe_pic_buckets()
        c.describe_ai_queues("examplebucket-1250000000")
    (p1, h1), (p2, h2) = recorder.requests
    assert p1.startswith("/picbucket") and h1["host"] == "ci.ap-beijing.myqcloud.com"
    assert p2.startswith("/ai_queue") and h2["host"] == "examplebucket-1250000000.ci.ap-beijing.myqcloud.com"
    assert h1["authorization"].startswith("q-sign-algorithm=sha1&q-ak=AKIDrec&")


def test_region_reaches_the_emulator(emulator):
    # examplebucket lives in ap-guangzhou: asked in ap-shanghai it does not exist.
    with emulator.client(region="ap-shanghai") as c:
        with pytest.raises(ServiceError) as info:
            c.describe_ai_queues(BUCKET)
    assert info.value.code == "NoSuchBucket"


def test_endpoint_names_both_hosts(recorder, emulator):
    with recorded_client(recorder, endpoint="ci.internal.example.com:8443") as c:
        c.describe_pic_buckets()
        c.describe_ai_queues(BUCKET)
    hosts = [h["host"] for _, h in recorder.requests]
    assert hosts == ["ci.internal.example.com:8443", f"{BUCKET}.ci.internal.example.com:8443"]
    # And the emulator accepts the signature made for it.
    with emulator.client(endpoint="ci.internal.example.com") as c:
        assert c.describe_pic_buckets().total_count == 130
        assert c.describe_ai_queues(BUCKET).total_count == 25


def test_endpoint_without_connect_to_is_dialled(emulator):
    # No connect_to: the endpoint itself (the emulator) is dialled.
    with Client(secret_id=SECRET_ID, secret_key=SECRET_KEY, region="ap-guangzhou", endpoint=emulator.addr,
                scheme="http", proxy=False) as c:
        assert c.describe_pic_buckets().total_count == 130


def test_session_token_is_sent_and_signed(recorder, emulator):
    with recorded_client(recorder, session_token="tok-123") as c:
        c.describe_pic_buckets()
    _, headers = recorder.requests[0]
    assert headers["x-ci-security-token"] == "tok-123"
    assert "x-ci-security-token" in headers["authorization"]
    with emulator.client(secret_id=TMP_SECRET_ID, secret_key=TMP_SECRET_KEY, session_token=TMP_TOKEN) as c:
        assert c.describe_ai_queues(BUCKET).total_count == 25
    with emulator.client(secret_id=TMP_SECRET_ID, secret_key=TMP_SECRET_KEY) as c:
        with pytest.raises(ServiceError) as info:
            c.describe_pic_buckets()
    assert info.value.http_status == 403


def test_user_agent_suffix(recorder):
    with recorded_client(recorder, user_agent_suffix="my-app/2.1") as c:
        c.describe_pic_buckets()
    with recorded_client(recorder) as c:
        c.describe_pic_buckets()
    suffixed, plain = (h["user-agent"] for _, h in recorder.requests)
    assert suffixed.startswith("cloud-infinite/") and suffixed.endswith(" my-app/2.1")
    assert plain.startswith("cloud-infinite/") and "my-app" not in plain
    with pytest.raises(InvalidArgumentError, match="user_agent_suffix"):
        recorded_client(recorder, user_agent_suffix="x\r\nEvil: 1")


@pytest.mark.parametrize("scheme", ["https", Scheme.HTTPS, None])
def test_scheme_https_is_the_default(emulator, scheme):
    # The emulator speaks plain HTTP, so a TLS handshake with it fails.
    with emulator.client(scheme=scheme, max_retries=0) as c:
        with pytest.raises(cloud_infinite.NetworkError):
            c.describe_pic_buckets()


def test_scheme_http(emulator):
    for scheme in ("http", "HTTP", Scheme.HTTP):
        with emulator.client(scheme=scheme) as c:
            assert c.describe_pic_buckets().total_count == 130
    with pytest.raises(InvalidArgumentError, match="scheme"):
        emulator.client(scheme="ftp")
    with pytest.raises(InvalidArgumentError):
        emulator.client(scheme=77)  # refused by the library


def test_timeout_of_the_client(fresh_emulator):
    with fresh_emulator.client(timeout=0.3, max_retries=0) as c:
        started = time.monotonic()
        with pytest.raises(cloud_infinite.CITimeoutError):
            c.describe_ai_queues("slow-1250000000")
        assert time.monotonic() - started < 1.5
        # A per-call timeout overrides the client's.
        fresh_emulator.arm(kind="delay", delay_ms=600, times=1, path="/ai_queue")
        assert c.describe_ai_queues(BUCKET, timeout=5).total_count == 25


def test_max_retries(fresh_emulator):
    # flaky answers 503 twice, then normally.
    with fresh_emulator.client(max_retries=0) as c:
        with pytest.raises(ServiceError) as info:
            c.describe_ai_queues("flaky-1250000000")
        assert info.value.http_status == 503
    with fresh_emulator.client(max_retries=1) as c:
        assert len(c.describe_ai_queues("flaky-1250000000").queues) == 1
    assert fresh_emulator.requests() == 3
    with fresh_emulator.client() as c:  # default: 3 retries, 4 requests
        with pytest.raises(ServiceError):
            c.describe_ai_queues("broken-1250000000")
    assert fresh_emulator.requests() == 3 + 4


def test_retry_base_delay(fresh_emulator):
    def two_retries(delay):
        with fresh_emulator.client(max_retries=2, retry_base_delay=delay) as c:
            started = time.monotonic()
            with pytest.raises(ServiceError):
                c.describe_ai_queues("broken-1250000000")
            return time.monotonic() - started

    # Equal jitter: each wait is at least half its delay, here 0.2 + 0.4 s.
    assert two_retries(0.4) >= 0.6
    assert two_retries(0.005) < 0.5
    # 0 is sent as 0 (has_retry_base_delay_ms=1): retry at once, not "the default 0.1 s".
    assert two_retries(0) < 0.15
    assert fresh_emulator.requests() == 3 * 3


def test_max_response_bytes(emulator):
    with emulator.client(max_response_bytes=200) as c:
        with pytest.raises(cloud_infinite.ResponseTooLargeError):
            c.describe_ai_queues(BUCKET)
    with emulator.client(max_response_bytes=1 << 20) as c:
        assert c.describe_ai_queues(BUCKET).total_count == 25
    with emulator.client() as c:  # the default cap (16 MiB) refuses 64 MiB
        with pytest.raises(cloud_infinite.ResponseTooLargeError):
            c.describe_ai_queues("huge-1250000000")


def test_proxy_url(recorder):
    # ureq tunnels through an HTTP proxy with CONNECT; the recorder plays the
    # proxy. The endpoint is a closed local port, so a client that ignored
    # the proxy would fail locally instead of reaching anything else.
    endpoint = f"127.0.0.1:{free_port()}"
    with Client(secret_id="AKIDrec", secret_key="k", region="ap-guangzhou", scheme="http",
                endpoint=endpoint, proxy=f"http://{recorder.addr}", max_retries=0) as c:
        assert c.describe_pic_buckets().request_id == "rec-1"
    assert [r[0] for r in recorder.requests] == [f"CONNECT {endpoint}", "/picbucket"]
    assert recorder.requests[1][1]["host"] == endpoint
    with pytest.raises(InvalidArgumentError, match="proxy"):
        Client(secret_id="a", secret_key="k", region="ap-guangzhou", proxy="::nonsense")
    with pytest.raises(InvalidArgumentError, match="proxy"):
        Client(secret_id="a", secret_key="k", region="ap-guangzhou", proxy=True)  # type: ignore[arg-type]


def test_proxy_from_the_environment_and_disabled(recorder, monkeypatch):
    endpoint = f"127.0.0.1:{free_port()}"
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "HTTPS_PROXY", "https_proxy", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", f"http://{recorder.addr}")
    options = dict(secret_id="AKIDrec", secret_key="k", region="ap-guangzhou", scheme="http",
                   endpoint=endpoint, max_retries=0)
    with Client(**options) as c:  # proxy=None: the library reads HTTP_PROXY
        assert c.describe_pic_buckets().request_id == "rec-1"
    assert [r[0] for r in recorder.requests] == [f"CONNECT {endpoint}", "/picbucket"]
    with Client(proxy=False, **options) as c:  # disabled: the closed port is dialled
        with pytest.raises(cloud_infinite.NetworkError):
            c.describe_pic_buckets()
    assert len(recorder.requests) == 2


ENV = ("TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY", "TENCENTCLOUD_SESSION_TOKEN",
       "TENCENTCLOUD_SECURITY_TOKEN", "TENCENTCLOUD_REGION")


@pytest.fixture
def clean_env(monkeypatch):
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_from_env(emulator, clean_env):
    clean_env.setenv("TENCENTCLOUD_SECRET_ID", SECRET_ID)
    clean_env.setenv("TENCENTCLOUD_SECRET_KEY", SECRET_KEY)
    clean_env.setenv("TENCENTCLOUD_REGION", "ap-guangzhou")
    route = dict(connect_to=emulator.addr, scheme="http", proxy=False)
    with Client.from_env(**route) as c:
        assert c.describe_pic_buckets().total_count == 130
    with Client(from_env=True, **route) as c:
        assert c.describe_ai_queues(BUCKET).total_count == 25
    # Without from_env the environment is not read.
    with pytest.raises(InvalidArgumentError):
        Client(**route)
    # Explicit options win over the environment.
    clean_env.setenv("TENCENTCLOUD_SECRET_KEY", "wrong-key")
    with Client.from_env(secret_key=SECRET_KEY, **route) as c:
        assert c.describe_pic_buckets().total_count == 130
    with Client.from_env(**route) as c:
        with pytest.raises(ServiceError):
            c.describe_pic_buckets()
    clean_env.setenv("TENCENTCLOUD_REGION", "ap-shanghai")
    with Client.from_env(secret_key=SECRET_KEY, region="ap-guangzhou", **route) as c:
        assert c.describe_ai_queues(BUCKET).total_count == 25


@pytest.mark.parametrize("token_variable", ["TENCENTCLOUD_SESSION_TOKEN", "TENCENTCLOUD_SECURITY_TOKEN"])
def test_from_env_temporary_credentials(emulator, clean_env, token_variable):
    clean_env.setenv("TENCENTCLOUD_SECRET_ID", TMP_SECRET_ID)
    clean_env.setenv("TENCENTCLOUD_SECRET_KEY", TMP_SECRET_KEY)
    clean_env.setenv(token_variable, TMP_TOKEN)
    clean_env.setenv("TENCENTCLOUD_REGION", "ap-guangzhou")
    with Client.from_env(connect_to=emulator.addr, scheme="http", proxy=False) as c:
        assert c.describe_pic_buckets().total_count == 130


def test_bad_options_are_refused(clean_env):
    before = cloud_infinite.live_objects()
    ok = dict(secret_id="a", secret_key="k", region="ap-guangzhou")
    for bad in (
        dict(region=None),
        dict(secret_id=None),
        dict(secret_key=""),
        dict(region="ap-guangzhou.evil.com"),
        dict(endpoint="https://ci.example.com"),
        dict(connect_to="not a host port"),
        dict(timeout=0),
        dict(timeout=-1),
        dict(connect_timeout=0),
        dict(retry_base_delay=-0.5),
        dict(max_retries=-1),
        dict(max_retries=True),
        dict(max_response_bytes=0),
        dict(secret_id="AKID\0x"),
        dict(secret_id="AKID\udcff"),  # not UTF-8 once encoded: the library says so
        dict(secret_id=123),
    ):
        with pytest.raises(InvalidArgumentError):
            Client(**{**ok, **bad})
    assert cloud_infinite.live_objects() == before


def test_every_option_at_once(emulator):
    import datetime

    with Client(
        secret_id=TMP_SECRET_ID, secret_key=TMP_SECRET_KEY, region="ap-guangzhou", session_token=TMP_TOKEN,
        endpoint="ci.ap-guangzhou.myqcloud.com", connect_to=emulator.addr, scheme=Scheme.HTTP,
        timeout=datetime.timedelta(seconds=10), connect_timeout=2.5, max_retries=1, retry_base_delay=0.01,
        max_response_bytes=1 << 20, user_agent_suffix="tests", proxy=False, from_env=False,
    ) as c:
        assert c.describe_ai_queues(BUCKET, page_size=100).total_count == 25


def test_null_argument_is_reachable_through_sign():
    with pytest.raises(NullArgumentError):
        cloud_infinite.sign(secret_id="a", secret_key="k", method=None, path="/", start_time=0, end_time=1)  # type: ignore[arg-type]
