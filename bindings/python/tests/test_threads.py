"""One client shared by threads: calls run in parallel (ctypes releases the
GIL around each library call)."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import cloud_infinite
from cloud_infinite import ClientClosedError

from conftest import BUCKET

THREADS = 8
DELAY_MS = 1000


def test_eight_threads_finish_in_about_one_delay(fresh_emulator, capsys):
    fresh_emulator.arm(kind="delay", delay_ms=DELAY_MS, times=THREADS, path="/ai_queue")
    barrier = threading.Barrier(THREADS)
    with fresh_emulator.client() as client:
        client.describe_pic_buckets()  # the connection pool is warm, /picbucket is not delayed

        def one_call(_):
            barrier.wait()
            started = time.monotonic()
            page = client.describe_ai_queues(BUCKET)
            return page.total_count, time.monotonic() - started

        started = time.monotonic()
        with ThreadPoolExecutor(THREADS) as pool:
            results = list(pool.map(one_call, range(THREADS)))
        elapsed = time.monotonic() - started

    delay = DELAY_MS / 1000
    with capsys.disabled():  # the figure belongs in test.sh's output
        print(f"\n[parallel] {THREADS} threads x one {DELAY_MS} ms call on one client: {elapsed:.3f} s "
              f"(serial would be {THREADS * delay:.1f} s); per call "
              f"{min(r[1] for r in results):.3f}-{max(r[1] for r in results):.3f} s")
    assert [r[0] for r in results] == [25] * THREADS
    assert all(r[1] >= delay * 0.95 for r in results), "each call was delayed"
    assert fresh_emulator.control("stats")["by_path"]["/ai_queue"] == THREADS
    assert elapsed < 2 * delay, f"{elapsed:.2f} s: the calls did not run in parallel"


def test_many_threads_many_calls(client):
    def work(i):
        for n in range(10):
            if (i + n) % 2:
                assert len(client.describe_pic_buckets().buckets) == 10
            else:
                assert len(client.describe_ai_queues(BUCKET).queues) == 10
        return True

    with ThreadPoolExecutor(THREADS) as pool:
        assert all(pool.map(work, range(THREADS)))


def test_close_while_calls_are_running(fresh_emulator):
    """Calls in flight finish normally; the handle is freed after the last
    one; calls that start later get a clear error."""
    before = cloud_infinite.live_objects()
    fresh_emulator.arm(kind="delay", delay_ms=500, times=4, path="/ai_queue")
    client = fresh_emulator.client()
    with ThreadPoolExecutor(4) as pool:
        futures = [pool.submit(client.describe_ai_queues, BUCKET) for _ in range(4)]
        time.sleep(0.2)
        client.close()
        assert client.closed
        assert cloud_infinite.live_objects() == before + 1  # still in use
        try:
            client.describe_pic_buckets()
            raise AssertionError("a call after close() succeeded")
        except ClientClosedError:
            pass
        assert [f.result(timeout=10).total_count for f in futures] == [25] * 4
    assert cloud_infinite.live_objects() == before
