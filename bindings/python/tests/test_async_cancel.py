"""Cancelling an `AsyncClient` call by cancelling its task (issue 16): the
four cases of tests/cancel.rs. The task ends with `asyncio.CancelledError`
within 50 ms of ``task.cancel()``, whose ``__cause__`` is the library's
`cloud_infinite.CancelledError` (kind "cancelled") when the call was in
flight, and the server sees the connection closed within 50 ms."""

import asyncio
import gc
import random
import sys
import time

import pytest

import cloud_infinite
from cloud_infinite import AsyncClient, ErrorKind

from cancel_servers import PROMPT, options, silent_server, slow_down_server, stalled_listener
from conftest import BUCKET


async def cancel_task_after(make, after):
    """Runs `make()` as a task cancelled `after` seconds in; returns (the
    CancelledError's cause, seconds from the cancel to the task's end, the
    cancel's `time.monotonic()`)."""
    causes = []

    async def call():
        try:
            return await make()
        except asyncio.CancelledError as e:
            causes.append(e.__cause__)
            raise

    task = asyncio.create_task(call())
    await asyncio.sleep(after)
    at = time.monotonic()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    ended = time.monotonic()
    assert len(causes) == 1
    return causes[0], ended - at, at


def assert_cancelled_kind(cause):
    assert isinstance(cause, cloud_infinite.CancelledError), repr(cause)
    assert cause.kind == ErrorKind.CANCELLED


def test_cancel_during_connect():
    listener, fillers, addr = stalled_listener()

    async def main():
        async with AsyncClient(**options(addr)) as c:
            return await cancel_task_after(c.describe_pic_buckets, 0.100)

    try:
        cause, late, _ = asyncio.run(main())
        assert_cancelled_kind(cause)
        print(f"\n[cancel async] during connect: ended {late * 1000:.1f} ms after the cancel")
        assert late < PROMPT, f"the connect ended {late * 1000:.1f} ms after the cancel"
    finally:
        for s in fillers + [listener]:
            s.close()


def test_cancel_during_a_slow_answer():
    server = silent_server()

    async def main():
        async with AsyncClient(**options(server.addr)) as c:
            return await cancel_task_after(c.describe_pic_buckets, 0.150)

    try:
        cause, late, cancelled_at = asyncio.run(main())
        assert_cancelled_kind(cause)
        assert late < PROMPT, f"the call ended {late * 1000:.1f} ms after the cancel"
        seen = server.closed.get(timeout=5) - cancelled_at
        print(f"\n[cancel async] ended {late * 1000:.1f} ms after the cancel, the server saw the close after {seen * 1000:.1f} ms")
        assert seen < PROMPT, f"the server saw the close {seen * 1000:.1f} ms after the cancel"
    finally:
        server.stop()


def test_cancel_during_backoff():
    server = slow_down_server()

    async def main():
        async with AsyncClient(**options(server.addr)) as c:
            return await cancel_task_after(c.describe_pic_buckets, 0.300)

    try:
        cause, late, cancelled_at = asyncio.run(main())
        assert_cancelled_kind(cause)
        assert server.answered == 1, "the cancel came during the first backoff (of at least 5 s)"
        assert late < PROMPT, f"the backoff ended {late * 1000:.1f} ms after the cancel"
        seen = server.closed.get(timeout=5) - cancelled_at
        print(f"\n[cancel async] ended {late * 1000:.1f} ms after the cancel, the server saw the close after {seen * 1000:.1f} ms")
        assert seen < PROMPT, f"the server saw the close {seen * 1000:.1f} ms after the cancel"
    finally:
        server.stop()


def test_cancel_during_a_page_walk_closes_it():
    server = silent_server()

    async def main():
        async with AsyncClient(**options(server.addr)) as c:
            pages = c.iter_pic_bucket_pages()
            cause, late, at = await cancel_task_after(pages.__anext__, 0.150)
            assert pages.closed
            with pytest.raises(StopAsyncIteration):
                await pages.__anext__()
            return cause, late, at

    try:
        cause, late, cancelled_at = asyncio.run(main())
        assert_cancelled_kind(cause)
        assert late < PROMPT
        assert server.closed.get(timeout=5) - cancelled_at < PROMPT
    finally:
        server.stop()


def test_wait_for_times_out_a_call():
    server = silent_server()

    async def main():
        async with AsyncClient(**options(server.addr)) as c:
            started = time.monotonic()
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(c.describe_pic_buckets(), 0.1)
            ended = time.monotonic() - started
            if sys.version_info >= (3, 11):
                with pytest.raises(TimeoutError):
                    async with asyncio.timeout(0.1):
                        await c.describe_pic_buckets()
            return ended

    try:
        assert asyncio.run(main()) < 0.1 + PROMPT
    finally:
        server.stop()


def test_cancels_racing_completion_give_a_whole_answer_or_cancelled(emulator):
    calls, workers = 10_000, 2

    async def main():
        async with AsyncClient(**emulator.options()) as c:
            reference = await c.describe_pic_buckets(page_size=10)
            gc.collect()
            live = cloud_infinite.live_objects()
            loop = asyncio.get_running_loop()
            causes = []

            async def call():
                try:
                    return await c.describe_pic_buckets(page_size=10)
                except asyncio.CancelledError as e:
                    causes.append(e.__cause__)
                    raise

            async def worker(seed):
                rng = random.Random(seed)
                whole = cancelled = 0
                for _ in range(calls // workers):
                    task = asyncio.create_task(call())
                    loop.call_later(rng.uniform(0, 0.0015), task.cancel)
                    try:
                        page = await task
                    except asyncio.CancelledError:
                        assert task.cancelled()
                        cancelled += 1
                    else:
                        assert page.buckets == reference.buckets, "a call that returned must return the whole answer"
                        whole += 1
                return whole, cancelled

            started = time.monotonic()
            outcomes = await asyncio.gather(*(worker(seed) for seed in range(workers)))
            elapsed = time.monotonic() - started
            await asyncio.sleep(0.01)  # the last call_later cancels are no-ops now
            gc.collect()
            leaked = cloud_infinite.live_objects() - live
            after = await c.describe_pic_buckets(page_size=10)
            return reference, outcomes, causes, elapsed, leaked, after

    reference, outcomes, causes, elapsed, leaked, after = asyncio.run(main())
    whole = sum(o[0] for o in outcomes)
    cancelled = sum(o[1] for o in outcomes)
    in_flight = sum(1 for c in causes if c is not None)
    print(f"\n[async cancel race] {calls} calls: {whole} whole, {cancelled} cancelled "
          f"({in_flight} in the library), {elapsed:.1f} s")
    assert whole + cancelled == calls
    # A call takes longer than the longest delay here (a debug build, the
    # hop to the pool and back): the cancel wins nearly every race;
    # whichever wins, the outcome must be one of the two.
    assert cancelled > 0
    # Nothing else: no cause, or the library's cancelled error.
    assert all(c is None or (isinstance(c, cloud_infinite.CancelledError) and c.kind == ErrorKind.CANCELLED) for c in causes)
    assert in_flight > 0
    assert leaked == 0, "a token, page or error leaked"
    assert after.buckets == reference.buckets, "the client still works"
    assert elapsed < 60
