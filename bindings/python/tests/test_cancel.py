"""Cancelling sync calls in flight (issue 16): a `CancelToken` cancelled from
another thread, and Ctrl-C. The four cases of tests/cancel.rs: during the
connect, during a slow answer, during the backoff before a retry, and
10,000 cancels racing completion; in each the call ends with
`CancelledError` (kind "cancelled") within 50 ms of the cancel, and the
server sees the connection closed within 50 ms.

pytest runs these on the main thread, with Python's SIGINT handler: the
calls take the interruptible path (a worker thread, see `_cancel`); the
race runs on two other threads, which call the library directly.
"""

import gc
import os
import queue
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import cloud_infinite
from cloud_infinite import CancelToken, CancelledError, ErrorKind

from cancel_servers import PROMPT, options, silent_server, slow_down_server, stalled_listener
from conftest import BUCKET

HERE = Path(__file__).resolve().parent


def cancel_after(call, after):
    """Runs `call(token)` with a token a timer thread cancels `after` seconds
    in; returns (the exception, seconds from the cancel to the call's end,
    the cancel's `time.monotonic()`)."""
    token = CancelToken()
    at = []

    def cancel():
        at.append(time.monotonic())
        token.cancel()

    timer = threading.Timer(after, cancel)
    timer.start()
    try:
        with pytest.raises(CancelledError) as raised:
            call(token)
        ended = time.monotonic()
    finally:
        timer.join()
    assert token.cancelled
    token.close()
    return raised.value, ended - at[0], at[0]


def test_cancel_during_connect():
    listener, fillers, addr = stalled_listener()
    try:
        with cloud_infinite.Client(**options(addr)) as client:
            err, late, _ = cancel_after(lambda t: client.describe_pic_buckets(cancel=t), 0.100)
        assert err.kind == ErrorKind.CANCELLED
        print(f"\n[cancel sync] during connect: ended {late * 1000:.1f} ms after the cancel")
        assert late < PROMPT, f"the connect ended {late * 1000:.1f} ms after the cancel"
    finally:
        for s in fillers + [listener]:
            s.close()


def test_cancel_during_a_slow_answer():
    server = silent_server()
    try:
        with cloud_infinite.Client(**options(server.addr)) as client:
            err, late, cancelled_at = cancel_after(lambda t: client.describe_pic_buckets(cancel=t), 0.150)
        assert err.kind == ErrorKind.CANCELLED and "cancel" in str(err).lower()
        assert late < PROMPT, f"the call ended {late * 1000:.1f} ms after the cancel"
        seen = server.closed.get(timeout=5) - cancelled_at
        print(f"\n[cancel sync] ended {late * 1000:.1f} ms after the cancel, the server saw the close after {seen * 1000:.1f} ms")
        assert seen < PROMPT, f"the server saw the close {seen * 1000:.1f} ms after the cancel"
    finally:
        server.stop()


def test_cancel_during_backoff():
    server = slow_down_server()
    try:
        with cloud_infinite.Client(**options(server.addr)) as client:
            err, late, cancelled_at = cancel_after(lambda t: client.describe_pic_buckets(cancel=t), 0.300)
        assert err.kind == ErrorKind.CANCELLED
        assert server.answered == 1, "the cancel came during the first backoff (of at least 5 s)"
        assert late < PROMPT, f"the backoff ended {late * 1000:.1f} ms after the cancel"
        seen = server.closed.get(timeout=5) - cancelled_at
        print(f"\n[cancel sync] ended {late * 1000:.1f} ms after the cancel, the server saw the close after {seen * 1000:.1f} ms")
        assert seen < PROMPT, f"the server saw the close {seen * 1000:.1f} ms after the cancel"
    finally:
        server.stop()


def test_a_cancelled_token_fails_every_later_call_at_once():
    server = silent_server()
    try:
        with cloud_infinite.Client(**options(server.addr)) as client, CancelToken() as token:
            token.cancel()
            token.cancel()  # idempotent
            started = time.monotonic()
            with pytest.raises(CancelledError):
                client.describe_pic_buckets(cancel=token)
            with pytest.raises(CancelledError):
                list(client.iter_pic_buckets(cancel=token))
            assert time.monotonic() - started < PROMPT
        assert not token.cancelled and "closed" in repr(token)
        token.cancel()  # a closed token: nothing to do
    finally:
        server.stop()


def test_cancel_takes_a_cancel_token_only(client):
    with pytest.raises(cloud_infinite.InvalidArgumentError, match="CancelToken"):
        client.describe_pic_buckets(cancel=threading.Event())


def test_cancel_ends_a_page_walk(fresh_emulator):
    with fresh_emulator.client() as client:
        fresh_emulator.arm(kind="delay", delay_ms=5000, times=100, path="/ai_queue")
        token = CancelToken()
        pages = client.iter_ai_queue_pages(BUCKET, page_size=2, cancel=token)
        timer = threading.Timer(0.2, token.cancel)
        timer.start()
        started = time.monotonic()
        with pytest.raises(CancelledError):
            next(pages)
        assert time.monotonic() - started < 0.2 + PROMPT
        timer.join()
        assert pages.closed and list(pages) == []


def test_concurrency_keeps_pages_in_order(client):
    one = list(client.iter_ai_queue_pages(BUCKET, page_size=2, concurrency=1))
    assert len(one) > 10
    for n in (2, 10, cloud_infinite.MAX_PAGE_CONCURRENCY, None):
        pages = list(client.iter_ai_queue_pages(BUCKET, page_size=2, concurrency=n))
        assert [p.page_number for p in pages] == list(range(1, len(one) + 1))
        assert [p.queues for p in pages] == [p.queues for p in one]
        assert list(client.iter_ai_queues(BUCKET, page_size=2, concurrency=n)) == [q for p in one for q in p.queues]


@pytest.mark.parametrize("bad", [0, cloud_infinite.MAX_PAGE_CONCURRENCY + 1])
def test_concurrency_out_of_range_is_refused(client, bad):
    with pytest.raises(cloud_infinite.InvalidArgumentError, match="concurrency"):
        client.iter_ai_queue_pages(BUCKET, concurrency=bad)


def test_concurrency_is_for_pagers_only(client):
    with pytest.raises(TypeError, match="concurrency"):
        client.describe_ai_queues(BUCKET, concurrency=2)  # type: ignore[call-arg]


def test_cancels_racing_completion_give_a_whole_answer_or_cancelled(emulator):
    calls, threads = 10_000, 2
    with emulator.client() as client:
        reference = client.describe_pic_buckets(page_size=10)
        gc.collect()
        live = cloud_infinite.live_objects()
        outcomes = []

        def worker(seed):
            rng = random.Random(seed)
            jobs: "queue.Queue[tuple]" = queue.Queue()

            def canceller():
                while True:
                    job = jobs.get()
                    if job is None:
                        return
                    token, delay, done = job
                    time.sleep(delay)
                    token.cancel()
                    done.set()

            c = threading.Thread(target=canceller, daemon=True)
            c.start()
            whole = cancelled = 0
            for _ in range(calls // threads):
                token, done = CancelToken(), threading.Event()
                jobs.put((token, rng.uniform(0, 0.0015), done))
                try:
                    page = client.describe_pic_buckets(page_size=10, cancel=token)
                except CancelledError as e:
                    assert e.kind == ErrorKind.CANCELLED
                    cancelled += 1
                else:
                    assert page.buckets == reference.buckets, "a call that returned must return the whole answer"
                    whole += 1
                assert done.wait(5)
                token.close()
            jobs.put(None)
            c.join(5)
            outcomes.append((whole, cancelled))

        started = time.monotonic()
        workers = [threading.Thread(target=worker, args=(seed,)) for seed in range(threads)]
        for w in workers:
            w.start()
        for w in workers:
            w.join(120)
        elapsed = time.monotonic() - started
        whole = sum(o[0] for o in outcomes)
        cancelled = sum(o[1] for o in outcomes)
        print(f"\n[cancel race] {calls} calls: {whole} whole, {cancelled} cancelled, {elapsed:.1f} s")
        assert whole + cancelled == calls
        # A call takes about as long as the longest delay here (a debug
        # build, the GIL): the cancel wins most races; whichever wins, the
        # outcome must be one of the two.
        assert cancelled > 0
        gc.collect()
        assert cloud_infinite.live_objects() == live, "a token, page or error leaked"
        # The client still works, on whatever its pool kept.
        assert client.describe_pic_buckets(page_size=10).buckets == reference.buckets
    assert elapsed < 60


CHILD = r"""
import sys, time, cloud_infinite
client = cloud_infinite.Client(secret_id="AKIDEXAMPLE", secret_key="secret", region="ap-guangzhou",
                               scheme="http", connect_to=sys.argv[1], proxy=False, timeout=30)
print("calling", flush=True)
try:
    if sys.argv[2] == "describe":
        client.describe_pic_buckets()
    else:
        list(client.iter_pic_buckets(concurrency=4))
except KeyboardInterrupt as e:
    caught = time.monotonic()
    client.close()
    print(f"KeyboardInterrupt {caught!r} live={cloud_infinite.live_objects()}", flush=True)
    sys.exit(0)
print("the call returned", flush=True)
sys.exit(1)
"""


@pytest.mark.parametrize("call", ["describe", "iter"])
def test_ctrl_c_interrupts_a_blocking_call_on_the_main_thread(call):
    server = silent_server()
    try:
        env = dict(os.environ, PYTHONPATH=str(HERE.parent / "src"))
        child = subprocess.Popen([sys.executable, "-c", CHILD, server.addr, call], stdout=subprocess.PIPE, text=True, env=env)
        try:
            assert child.stdout.readline().strip() == "calling"
            called = time.monotonic()
            assert server.got_request.wait(10), "the child's request never came"
            time.sleep(max(0.0, 0.200 - (time.monotonic() - called)))
            sent = time.monotonic()
            child.send_signal(signal.SIGINT)
            out, _ = child.communicate(timeout=10)
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()
        word, caught, live = out.split()
        assert word == "KeyboardInterrupt", out
        late = float(caught) - sent  # CLOCK_MONOTONIC: one clock for both processes
        print(f"\n[ctrl-c] {call}: KeyboardInterrupt raised {late * 1000:.1f} ms after SIGINT")
        assert late < 0.100, f"KeyboardInterrupt came {late * 1000:.1f} ms after SIGINT"
        assert live == "live=0", "the interrupted call left native objects behind"
        assert child.returncode == 0
        seen = server.closed.get(timeout=5) - sent
        assert seen < 0.100, f"the server saw the close {seen * 1000:.1f} ms after SIGINT"
    finally:
        server.stop()


AT_EXIT = r"""
import atexit, sys, cloud_infinite
client = cloud_infinite.Client(secret_id="AKIDemulatorEXAMPLE", secret_key="emulator-secret-key", region="ap-guangzhou",
                               scheme="http", connect_to=sys.argv[1], proxy=False)
atexit.register(lambda: print("at exit", client.describe_pic_buckets().total_count, flush=True))
"""


def test_a_call_from_an_atexit_handler_still_works(emulator):
    # No new threads once the interpreter is shutting down: the call runs
    # on the main thread itself.
    env = dict(os.environ, PYTHONPATH=str(HERE.parent / "src"))
    r = subprocess.run([sys.executable, "-c", AT_EXIT, emulator.addr], capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "at exit 130", r.stdout + r.stderr


def test_the_interruptible_hop_costs_little(emulator, capsys):
    """The per-call cost of running a main-thread call on the worker thread:
    the same calls with Python's SIGINT handler (the hop) and without one
    (SIG_DFL: direct), on the main thread, against the emulator, in
    alternating rounds (the medians of the rounds are compared)."""
    rounds, n = 7, 200

    def per_call(client):
        started = time.perf_counter()
        for _ in range(n):
            client.describe_pic_buckets()
        return (time.perf_counter() - started) / n

    assert threading.current_thread() is threading.main_thread()
    hop, direct = [], []
    with emulator.client() as client:
        per_call(client)  # warm
        for _ in range(rounds):
            hop.append(per_call(client))
            previous = signal.signal(signal.SIGINT, signal.SIG_DFL)
            try:
                direct.append(per_call(client))
            finally:
                signal.signal(signal.SIGINT, previous)
    hop_us, direct_us = statistics.median(hop) * 1e6, statistics.median(direct) * 1e6
    with capsys.disabled():
        print(f"\n[ctrl-c hop] median per call on the main thread over {rounds} x {n} calls: "
              f"{hop_us:.0f} us interruptible, {direct_us:.0f} us direct: {hop_us - direct_us:+.0f} us")
    assert hop_us - direct_us < 2000
