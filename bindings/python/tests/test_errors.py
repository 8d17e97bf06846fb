"""Every error kind reaches Python as the right CIError subclass, with kind,
message, code, request id and HTTP status, and the C error is freed."""

import pickle
import socket
import time

import pytest

import cloud_infinite
from cloud_infinite import (
    CIError,
    CITimeoutError,
    ErrorKind,
    InvalidArgumentError,
    NetworkError,
    NullArgumentError,
    PanicError,
    ParseError,
    ResponseTooLargeError,
    ServiceError,
)

from conftest import BUCKET


@pytest.fixture(autouse=True)
def no_error_leaks():
    """Every test here ends with as many library objects as it began with:
    each C error was freed once converted."""
    before = cloud_infinite.live_objects()
    yield
    assert cloud_infinite.live_objects() == before


def check_error(info, cls, kind, code=None, status=None):
    e = info.value
    assert type(e) is cls
    assert isinstance(e, CIError)
    assert e.kind is kind
    assert e.message and isinstance(e.message, str)
    assert e.code == code
    assert e.http_status == status
    # Whenever the emulator answered, its x-ci-request-id is reported.
    if status is not None:
        assert e.request_id
    else:
        assert e.request_id is None
    return e


def test_invalid_argument_from_the_library(client):
    with pytest.raises(InvalidArgumentError) as info:
        client.describe_pic_buckets(page_size=101)
    e = check_error(info, InvalidArgumentError, ErrorKind.INVALID_ARGUMENT)
    assert "101" in e.message
    assert isinstance(e, ValueError)
    # 0 is sent as set (has_page_size=1), never read as "not set": the
    # library refuses it with the same message as in every language.
    with pytest.raises(InvalidArgumentError, match="page_size must be between 1 and 100, got 0"):
        client.describe_pic_buckets(page_size=0)
    with pytest.raises(InvalidArgumentError, match="page_number"):
        client.iter_ai_queue_pages(BUCKET, page_number=0)
    with pytest.raises(InvalidArgumentError, match="timeout_ms is 0"):
        client.describe_pic_buckets(timeout=0)
    with pytest.raises(InvalidArgumentError):
        client.describe_pic_buckets(regions=["ap-shanghai,ap-beijing"])
    with pytest.raises(InvalidArgumentError):
        # A lone surrogate is passed on as invalid UTF-8: the library refuses it.
        client.describe_pic_buckets(bucket_name_prefix="bad\udcff")


def test_invalid_argument_from_the_conversion(client):
    # What cannot be represented in C is refused here, never truncated or wrapped.
    with pytest.raises(InvalidArgumentError, match="NUL"):
        client.describe_pic_buckets(bucket_name_prefix="pho\0tos")
    with pytest.raises(InvalidArgumentError, match="page_number"):
        client.describe_pic_buckets(page_number=-1)
    with pytest.raises(InvalidArgumentError, match="page_size"):
        client.describe_pic_buckets(page_size=2**64)
    with pytest.raises(InvalidArgumentError, match="page_size"):
        client.describe_pic_buckets(page_size="10")  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError, match="timeout"):
        client.describe_pic_buckets(timeout=float("nan"))
    with pytest.raises(InvalidArgumentError, match="regions"):
        client.describe_pic_buckets(regions=[b"ap-shanghai"])  # type: ignore[list-item]
    with pytest.raises(InvalidArgumentError, match="regions"):
        client.describe_pic_buckets(regions=42)  # type: ignore[arg-type]


def test_null_argument(client):
    with pytest.raises(NullArgumentError) as info:
        client.describe_ai_queues(None)  # type: ignore[arg-type]
    e = check_error(info, NullArgumentError, ErrorKind.NULL_ARGUMENT)
    assert isinstance(e, TypeError)
    with pytest.raises(NullArgumentError):
        client.describe_pic_buckets(bucket_names=["a-1250000000", None])  # type: ignore[list-item]


def test_service_403_signature_does_not_match(emulator):
    with emulator.client(secret_key="wrong-key") as c:
        with pytest.raises(ServiceError) as info:
            c.describe_ai_queues(BUCKET)
    e = check_error(info, ServiceError, ErrorKind.SERVICE, "SignatureDoesNotMatch", 403)
    # The COS error body carries these too.
    assert e.resource and e.trace_id
    assert "SignatureDoesNotMatch" in str(e) and "403" in str(e) and e.request_id in str(e)
    assert "wrong-key" not in str(e) + repr(e)


def test_service_404_no_such_bucket(client):
    with pytest.raises(ServiceError) as info:
        client.describe_ai_queues("nosuchbucket-1250000000")
    check_error(info, ServiceError, ErrorKind.SERVICE, "NoSuchBucket", 404)


def test_service_5xx_after_retries(fresh_emulator):
    with fresh_emulator.client(max_retries=2) as c:
        with pytest.raises(ServiceError) as info:
            c.describe_ai_queues("broken-1250000000")
        check_error(info, ServiceError, ErrorKind.SERVICE, "InternalError", 500)
        assert fresh_emulator.requests() == 3  # one try and max_retries=2 retries
        with pytest.raises(ServiceError) as info:
            c.describe_ai_queues("throttled-1250000000")
        check_error(info, ServiceError, ErrorKind.SERVICE, "SlowDown", 503)


def test_timeout_of_the_call(fresh_emulator):
    with fresh_emulator.client(max_retries=0) as c:
        started = time.monotonic()
        with pytest.raises(CITimeoutError) as info:
            c.describe_ai_queues("slow-1250000000", timeout=0.3)  # the bucket answers after 2 s
        elapsed = time.monotonic() - started
    e = check_error(info, CITimeoutError, ErrorKind.TIMEOUT)
    assert isinstance(e, TimeoutError)  # the built-in one, too
    assert str(e) == e.message
    assert 0.25 <= elapsed < 1.5, elapsed


def test_timeout_of_the_connection():
    """A listener whose accept queue is full: the connect hangs until
    connect_timeout, well before the call's timeout."""
    listener = socket.socket()
    held = socket.socket()
    try:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        held.connect(listener.getsockname())  # fills the queue: later SYNs are dropped
        addr = "127.0.0.1:%d" % listener.getsockname()[1]
        with cloud_infinite.Client(
            secret_id="a", secret_key="k", region="ap-guangzhou", connect_to=addr, scheme="http",
            max_retries=0, connect_timeout=0.2, timeout=10,
        ) as c:
            started = time.monotonic()
            with pytest.raises(CITimeoutError) as info:
                c.describe_pic_buckets()
            elapsed = time.monotonic() - started
    finally:
        held.close()
        listener.close()
    check_error(info, CITimeoutError, ErrorKind.TIMEOUT)
    assert elapsed < 2, elapsed


def test_network_refused_reset_and_truncated(fresh_emulator):
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    closed_port = probe.getsockname()[1]
    probe.close()  # nothing listens there now
    with fresh_emulator.client(connect_to=f"127.0.0.1:{closed_port}", max_retries=0) as c:
        with pytest.raises(NetworkError) as info:
            c.describe_pic_buckets()
    check_error(info, NetworkError, ErrorKind.NETWORK)
    with fresh_emulator.client(max_retries=0) as c:
        with pytest.raises(NetworkError) as info:
            c.describe_ai_queues("reset-1250000000")
        check_error(info, NetworkError, ErrorKind.NETWORK)
        with pytest.raises(NetworkError) as info:
            c.describe_ai_queues("truncated-1250000000")
        check_error(info, NetworkError, ErrorKind.NETWORK, status=200)  # the headers did arrive


def test_parse(fresh_emulator):
    with fresh_emulator.client(max_retries=0) as c:
        with pytest.raises(ParseError) as info:
            c.describe_ai_queues("malformed-1250000000")
    check_error(info, ParseError, ErrorKind.PARSE, status=200)


def test_response_too_large(fresh_emulator):
    with fresh_emulator.client(max_response_bytes=65536) as c:
        with pytest.raises(ResponseTooLargeError) as info:
            c.describe_ai_queues("huge-1250000000")
    e = check_error(info, ResponseTooLargeError, ErrorKind.RESPONSE_TOO_LARGE, status=200)
    assert "65536" in e.message


def test_panic_is_an_error_not_a_crash():
    with pytest.raises(PanicError) as info:
        cloud_infinite.debug_panic("boom from the test")
    e = check_error(info, PanicError, ErrorKind.PANIC)
    assert "boom from the test" in e.message


def test_errors_pickle_with_their_fields(client):
    # Errors cross process boundaries (multiprocessing, concurrent.futures).
    with pytest.raises(ServiceError) as info:
        client.describe_ai_queues("nosuchbucket-1250000000")
    copy = pickle.loads(pickle.dumps(info.value))
    assert type(copy) is ServiceError
    assert (copy.kind, copy.code, copy.http_status, copy.request_id, copy.message) == (
        info.value.kind, info.value.code, info.value.http_status, info.value.request_id, info.value.message,
    )
    timeout = pickle.loads(pickle.dumps(CITimeoutError("late", kind=ErrorKind.TIMEOUT)))
    assert type(timeout) is CITimeoutError and timeout.message == "late"
