"""`AsyncClient`: the same calls as `Client`, awaited, on the client's own
thread pool; 100 concurrent calls against answers delayed by 300 ms finish
in about one delay, and the event loop is never blocked (a 10 ms ticker
stays on time, measured as the Node binding's eventloop test does)."""

import asyncio
import gc
import time

import pytest

import cloud_infinite
from cloud_infinite import AsyncClient, AsyncPageIterator, ClientClosedError
from cloud_infinite._async_operations import AsyncOperations
from cloud_infinite._operations import Operations

from conftest import BUCKET
from lateness import measure_lateness

# A blocked loop is late by a whole call (300 ms, see the control below);
# 100 ms leaves room for a CPU shared with builds.
LIMIT = 0.100
DELAY_MS = 300


def test_every_call_has_its_async_methods():
    sync = {n for n in vars(Operations) if not n.startswith("_")}
    assert {n for n in vars(AsyncOperations) if not n.startswith("_")} == sync
    for name in sync:
        method = getattr(AsyncClient, name)
        assert asyncio.iscoroutinefunction(method) == name.startswith("describe_"), name


def test_the_answers_are_the_sync_clients(emulator, client):
    want_page = client.describe_ai_queues(BUCKET, page_size=3)
    want_items = list(client.iter_ai_queues(BUCKET, page_size=2))
    want_pages = [p.queues for p in client.iter_ai_queue_pages(BUCKET, page_size=5)]
    want_buckets = list(client.iter_pic_buckets(page_size=100))

    async def main():
        async with AsyncClient(**emulator.options()) as c:
            page = await c.describe_ai_queues(BUCKET, page_size=3)
            items = [q async for q in c.iter_ai_queues(BUCKET, page_size=2, concurrency=4)]
            async with c.iter_ai_queue_pages(BUCKET, page_size=5) as pages:
                assert isinstance(pages, AsyncPageIterator)
                walked = [p.queues async for p in pages]
            assert pages.closed
            buckets = [b async for b in c.iter_pic_buckets(page_size=100)]
            gathered = await asyncio.gather(*(c.describe_ai_queues(BUCKET, page_size=3) for _ in range(20)))
            return page, items, walked, buckets, gathered

    page, items, walked, buckets, gathered = asyncio.run(main())
    assert page.queues == want_page.queues and page.total_count == want_page.total_count
    assert items == want_items
    assert walked == want_pages
    assert buckets == want_buckets
    assert all(g.queues == want_page.queues for g in gathered)


def test_errors_are_the_sync_clients(emulator):
    async def main():
        async with AsyncClient(**emulator.options()) as c:
            with pytest.raises(cloud_infinite.ServiceError) as e:
                await c.describe_ai_queues("nosuchbucket-1250000000")
            assert e.value.http_status == 404
            with pytest.raises(cloud_infinite.InvalidArgumentError, match="page_size"):
                await c.describe_pic_buckets(page_size=101)
            with pytest.raises(cloud_infinite.InvalidArgumentError, match="tag_key"):
                await c.describe_pic_buckets(tag_key="x")  # type: ignore[call-arg]
            with pytest.raises(TypeError, match="nope"):
                await c.describe_pic_buckets(nope=1)  # type: ignore[call-arg]
            with pytest.raises(cloud_infinite.ServiceError):
                [q async for q in c.iter_ai_queues("nosuchbucket-1250000000")]
            with pytest.raises(cloud_infinite.InvalidArgumentError, match="concurrency"):
                c.iter_ai_queue_pages(BUCKET, concurrency=0)

    asyncio.run(main())


def test_options_are_the_clients():
    with pytest.raises(cloud_infinite.InvalidArgumentError, match="region"):
        AsyncClient(secret_id="AKID", secret_key="key", region="no region")
    with pytest.raises(TypeError):
        AsyncClient(secret_id="AKID", secret_key="key", region="ap-guangzhou", no_such_option=1)
    for bad in (0, -1, 1.5, True, "8"):
        with pytest.raises(cloud_infinite.InvalidArgumentError, match="max_concurrency"):
            AsyncClient(secret_id="AKID", secret_key="key", region="ap-guangzhou", max_concurrency=bad)
    c = AsyncClient(secret_id="AKID", secret_key="key", region="ap-guangzhou")
    assert c.max_concurrency == cloud_infinite.DEFAULT_MAX_CONCURRENCY >= 100
    assert repr(c) == "<cloud_infinite.AsyncClient open>"
    c.close()
    assert repr(c) == "<cloud_infinite.AsyncClient closed>"


def test_closed(emulator):
    async def main():
        c = AsyncClient(**emulator.options())
        pages = c.iter_ai_queue_pages(BUCKET, page_size=2)
        await c.aclose()
        await c.aclose()  # idempotent
        with pytest.raises(ClientClosedError):
            await c.describe_pic_buckets()
        with pytest.raises(ClientClosedError):
            c.iter_pic_buckets()
        with pytest.raises(ClientClosedError):
            await pages.__anext__()
        await pages.aclose()

    gc.collect()
    live = cloud_infinite.live_objects()
    asyncio.run(main())
    gc.collect()
    assert cloud_infinite.live_objects() == live


def test_breaking_out_of_a_walk_frees_it(emulator):
    async def main():
        async with AsyncClient(**emulator.options()) as c:
            live = cloud_infinite.live_objects()
            async with c.iter_ai_queue_pages(BUCKET, page_size=2) as pages:
                async for _ in pages:
                    break
            walk = c.iter_ai_queues(BUCKET, page_size=2)
            async for _ in walk:
                break
            await walk.aclose()
            gc.collect()
            assert cloud_infinite.live_objects() == live

    asyncio.run(main())


def test_the_measurement_sees_a_blocked_loop(fresh_emulator, capsys):
    # The control: the sync client called on the loop thread blocks it for
    # the whole delayed call, and the ticker must show it.
    fresh_emulator.arm(kind="delay", delay_ms=DELAY_MS, times=1, path="/ai_queue")

    async def blocking():
        await asyncio.sleep(0.03)
        with fresh_emulator.client() as c:
            return c.describe_ai_queues(BUCKET)

    m = asyncio.run(measure_lateness(blocking()))
    with capsys.disabled():
        print(f"\n[asyncio] control, one blocking sync call on the loop: {m.summary()}")
    assert m.worst >= 0.25, f"a blocking call went unnoticed ({m.worst * 1000:.1f} ms)"


def test_100_concurrent_calls_finish_in_about_one_delay_and_never_block_the_loop(fresh_emulator, capsys):
    calls = 100
    fresh_emulator.arm(kind="delay", delay_ms=DELAY_MS, times=calls, path="/ai_queue")

    async def main():
        async with AsyncClient(**fresh_emulator.options()) as c:
            await c.describe_pic_buckets()  # /picbucket is not delayed
            before = fresh_emulator.requests()
            m = await measure_lateness(asyncio.gather(*(c.describe_ai_queues(BUCKET) for _ in range(calls))))
            return m, fresh_emulator.requests() - before

    m, requests = asyncio.run(main())
    with capsys.disabled():
        print(f"\n[asyncio] {calls} calls x {DELAY_MS} ms delay, max_concurrency "
              f"{cloud_infinite.DEFAULT_MAX_CONCURRENCY}: {m.summary()}")
    assert [p.total_count for p in m.result] == [25] * calls
    assert requests == calls
    assert m.elapsed >= DELAY_MS / 1000, "the delay fault was in force"
    assert m.elapsed < 1.5, f"the calls did not overlap ({m.elapsed:.2f} s)"
    assert m.ticks >= m.elapsed / 0.010 / 2, f"only {m.ticks} ticks in {m.elapsed:.2f} s"
    assert m.worst < LIMIT, f"the event loop was blocked for {m.worst * 1000:.1f} ms"


def test_max_concurrency_bounds_the_calls_in_flight(fresh_emulator):
    calls, pool = 20, 10
    fresh_emulator.arm(kind="delay", delay_ms=DELAY_MS, times=calls, path="/ai_queue")

    async def main():
        async with AsyncClient(**fresh_emulator.options(), max_concurrency=pool) as c:
            started = time.monotonic()
            await asyncio.gather(*(c.describe_ai_queues(BUCKET) for _ in range(calls)))
            return time.monotonic() - started

    elapsed = asyncio.run(main())
    assert elapsed >= 2 * DELAY_MS / 1000 * 0.95, f"{calls} calls on {pool} threads took only {elapsed:.2f} s"
