"""Faults on every call's route end the same way through each generated
method: a 503 is retried, a malformed 200 is a ParseError, a reset is a
NetworkError, with the library's answer whatever the call."""

import pytest

import cloud_infinite
from cloud_infinite import HostLevel, NetworkError, ParseError

from conftest import BUCKET

CALLS = cloud_infinite.operations()


def describe(client, op, **query):
    args = (BUCKET,) if op.host_level == HostLevel.BUCKET else ()
    return getattr(client, f"describe_{op.snake_name}")(*args, **query)


@pytest.mark.parametrize("op", CALLS, ids=[op.snake_name for op in CALLS])
def test_faults_on_the_route_of(fresh_emulator, op):
    before = cloud_infinite.live_objects()
    with fresh_emulator.client(max_retries=1) as c:
        fresh_emulator.arm(kind="status", status=503, times=1, path=op.path)
        assert describe(c, op, page_size=1).total_count
        assert fresh_emulator.control("stats")["by_path"][op.path] == 2  # one retry
        fresh_emulator.arm(kind="malformed", times=1, path=op.path)
        with pytest.raises(ParseError) as info:
            describe(c, op)
        assert info.value.http_status == 200 and info.value.request_id
        fresh_emulator.arm(kind="reset", times=2, path=op.path)
        with pytest.raises(NetworkError):
            describe(c, op)
    assert cloud_infinite.live_objects() == before
