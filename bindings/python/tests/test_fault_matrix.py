"""The fault matrix (issue 8; docs/fault-matrix.md is the spec), from Python.

Every fault the emulator can inject ends in the documented CIError subclass,
kind, code and HTTP status, with the request id whenever the service
answered, after the documented number of requests and within the timeout --
or in success after a retry or one clock correction. The 1 GiB streamed
answer ends in ResponseTooLargeError at the 16 MiB default cap while the
process's peak RSS grows by a small multiple of the cap, not by 1 GiB.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Iterator, Optional

import pytest

import cloud_infinite
from cloud_infinite import (
    CIError,
    CITimeoutError,
    ErrorKind,
    NetworkError,
    ParseError,
    ResponseTooLargeError,
    ServiceError,
)

from conftest import BUCKET, Emulator

CLIENT_TIMEOUT = 10.0  # seconds, every case's client
GIB = 1 << 30
MAX_PEAK_GROWTH_KIB = 128 * 1024  # 1/8 of the body, 8 times the default 16 MiB cap


@dataclass(frozen=True)
class Case:
    name: str
    setup: dict  # {"arm": spec} and/or {"clock": secs}
    call: str  # "ai" or "pic"
    bucket: str = BUCKET
    timeout: Optional[float] = None  # the call's own timeout
    client: Optional[dict] = None  # client option overrides
    error: Optional[type] = None  # None: success
    kind: Optional[ErrorKind] = None
    code: Optional[str] = None
    status: Optional[int] = None
    request_id: bool = False
    requests: int = 1
    max_seconds: float = 5.0


CASES = [
    Case("5xx then success (armed 503 x2)", {"arm": {"kind": "status", "status": 503, "times": 2, "path": "/ai_queue"}},
         "ai", requests=3),
    Case("5xx then success (flaky bucket)", {}, "ai", bucket="flaky-1250000000", requests=3),
    Case("permanent 500 (broken bucket)", {}, "ai", bucket="broken-1250000000", error=ServiceError,
         kind=ErrorKind.SERVICE, code="InternalError", status=500, request_id=True, requests=4),
    Case("permanent 503 SlowDown (throttled)", {}, "ai", bucket="throttled-1250000000", error=ServiceError,
         kind=ErrorKind.SERVICE, code="SlowDown", status=503, request_id=True, requests=4),
    Case("501 NotImplemented (not retried)", {"arm": {"kind": "status", "status": 501}}, "pic", error=ServiceError,
         kind=ErrorKind.SERVICE, code="NotImplemented", status=501, request_id=True, requests=1),
    Case("delay 3 s past a 500 ms timeout", {"arm": {"kind": "delay", "delay_ms": 3000, "times": 1}}, "ai",
         timeout=0.5, error=CITimeoutError, kind=ErrorKind.TIMEOUT, max_seconds=1.5),
    Case("slow bucket (2 s) past 300 ms", {}, "ai", bucket="slow-1250000000", timeout=0.3, error=CITimeoutError,
         kind=ErrorKind.TIMEOUT, max_seconds=1.3),
    Case("connection reset (reset bucket)", {}, "ai", bucket="reset-1250000000", error=NetworkError,
         kind=ErrorKind.NETWORK, requests=4),
    Case("one reset, then success", {"arm": {"kind": "reset", "times": 1}}, "pic", requests=2),
    Case("malformed XML (200)", {}, "ai", bucket="malformed-1250000000", error=ParseError, kind=ErrorKind.PARSE,
         status=200, request_id=True),
    Case("truncated body", {}, "ai", bucket="truncated-1250000000", error=NetworkError, kind=ErrorKind.NETWORK,
         status=200, request_id=True, requests=4),
    Case("1 GiB body, 16 MiB cap", {"arm": {"kind": "oversized", "size": GIB, "times": 1, "path": "/ai_queue"}},
         "ai", error=ResponseTooLargeError, kind=ErrorKind.RESPONSE_TOO_LARGE, status=200, request_id=True,
         max_seconds=10),
    Case("wrong secret key", {}, "ai", client={"secret_key": "not-the-emulator-key"}, error=ServiceError,
         kind=ErrorKind.SERVICE, code="SignatureDoesNotMatch", status=403, request_id=True),
    Case("unknown secret id", {}, "ai", client={"secret_id": "AKIDnobodyEXAMPLE"}, error=ServiceError,
         kind=ErrorKind.SERVICE, code="InvalidAccessKeyId", status=403, request_id=True),
    Case("expired window (server +2 h)", {"clock": 7200}, "ai", requests=2),
    Case("skewed clock (server -2 h)", {"clock": -7200}, "pic", requests=2),
    Case("permanent RequestTimeTooSkewed",
         {"arm": {"kind": "status", "status": 403, "code": "RequestTimeTooSkewed", "times": None}}, "ai",
         error=ServiceError, kind=ErrorKind.SERVICE, code="RequestTimeTooSkewed", status=403, request_id=True,
         requests=2),
    Case("unknown bucket", {}, "ai", bucket="nosuchbucket-1250000000", error=ServiceError, kind=ErrorKind.SERVICE,
         code="NoSuchBucket", status=404, request_id=True),
]


@pytest.fixture(scope="module")
def matrix_emulator() -> Iterator[Emulator]:
    emu = Emulator()
    try:
        yield emu
    finally:
        emu.stop()


def proc_status_kib(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def reset_peak_rss() -> None:
    """Writing 5 to clear_refs resets VmHWM (Linux 4.0+)."""
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")


def run_case(emu: Emulator, case: Case) -> tuple[Any, Optional[CIError], float]:
    emu.control("reset", {})  # faults, counters, stats and the clock offset
    if "arm" in case.setup:
        emu.arm(**case.setup["arm"])
    if "clock" in case.setup:
        emu.control("clock", {"offset_secs": case.setup["clock"]})
    options = {"timeout": CLIENT_TIMEOUT, **(case.client or {})}
    result: Any = None
    error: Optional[CIError] = None
    # A fresh client per case: a learnt clock offset is kept per client.
    with emu.client(**options) as client:
        started = time.monotonic()
        try:
            if case.call == "ai":
                result = client.describe_ai_queues(case.bucket, timeout=case.timeout)
            else:
                result = client.describe_pic_buckets(timeout=case.timeout)
        except CIError as e:
            error = e
        elapsed = time.monotonic() - started
    return result, error, elapsed


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_fault_matrix(matrix_emulator: Emulator, case: Case, capsys: pytest.CaptureFixture[str]) -> None:
    live = cloud_infinite.live_objects()
    rss_before = proc_status_kib("VmRSS")
    reset_peak_rss()
    result, error, elapsed = run_case(matrix_emulator, case)
    peak = proc_status_kib("VmHWM")
    requests = matrix_emulator.requests()
    matrix_emulator.control("reset", {})
    with capsys.disabled():
        outcome = "success" if error is None else f"{error.kind.name.lower()} {error.code or '-'} {error.http_status or 0}"
        print(f"\n[fault-matrix] {case.name}: {outcome}, request id {'yes' if error and error.request_id else 'no'}, "
              f"{requests} request(s), {elapsed:.2f} s", end="")
        if case.kind is ErrorKind.RESPONSE_TOO_LARGE:
            print(f"; RSS before {rss_before} KiB, peak {peak} KiB (growth {(peak - rss_before) / 1024:.1f} MiB)", end="")

    if case.error is None:
        assert error is None, f"{case.name}: expected success, got {error!r}"
        assert result.request_id
        assert (result.queues if case.call == "ai" else result.buckets)
    else:
        assert error is not None, f"{case.name}: expected {case.error.__name__}, got success"
        assert type(error) is case.error, repr(error)
        assert error.kind is case.kind
        assert error.code == case.code
        assert error.http_status == case.status
        assert bool(error.request_id) is case.request_id
        assert len(error.message) > 10
        assert "emulator-secret-key" not in str(error) + repr(error)
    assert requests == case.requests
    assert elapsed < case.max_seconds and elapsed < CLIENT_TIMEOUT
    assert cloud_infinite.live_objects() == live
    if case.kind is ErrorKind.RESPONSE_TOO_LARGE:
        # The client stopped reading at the cap: far below the 1 GiB sent.
        assert peak - rss_before < MAX_PEAK_GROWTH_KIB, f"peak RSS grew by {(peak - rss_before) / 1024:.1f} MiB"
        assert "16777216" in error.message  # type: ignore[union-attr]

