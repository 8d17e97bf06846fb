"""10,000 calls with RSS flat: results and errors are freed (in C by
ci_free, in Python by the garbage collector) call after call."""

import ctypes
import gc
import time

import pytest

import cloud_infinite

from conftest import BUCKET

CALLS = 10_000
WARM_UP = 1_000
# Generous against allocator noise, small against a leak: leaking even one
# 10-queue page (several KiB) per call would grow RSS by tens of MiB.
MAX_GROWTH_KIB = 3 * 1024


def rss_kib():
    """Resident memory, after handing freed heap memory back to the system:
    memory earlier tests freed would otherwise stay resident and hide a
    leak that reuses it (glibc's malloc_trim also releases free pages in the
    middle of the heap)."""
    gc.collect()
    trim = getattr(ctypes.CDLL(None), "malloc_trim", None)
    if trim is not None:
        trim(0)
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/self/status")


def one_call(client, i):
    """Both calls, their iterators, and errors from the library and from the service."""
    if i % 10 == 9:
        with pytest.raises(cloud_infinite.ServiceError):
            client.describe_ai_queues("nosuchbucket-1250000000")
    elif i % 10 == 8:
        with pytest.raises(cloud_infinite.InvalidArgumentError):
            client.describe_pic_buckets(page_size=101)
    elif i % 10 == 7:
        assert len(list(client.iter_ai_queues(BUCKET, page_size=100))) == 25
    elif i % 2:
        assert len(client.describe_pic_buckets().buckets) == 10
    else:
        assert len(client.describe_ai_queues(BUCKET).queues) == 10


def test_ten_thousand_calls_keep_rss_flat(emulator, capsys):
    with emulator.client() as client:
        live = cloud_infinite.live_objects()
        for i in range(WARM_UP):
            one_call(client, i)
        gc.collect()
        warm = rss_kib()
        started = time.monotonic()
        for i in range(CALLS):
            one_call(client, i)
        elapsed = time.monotonic() - started
        gc.collect()
        after = rss_kib()
        assert cloud_infinite.live_objects() == live  # every C object handed out was freed
    growth = after - warm
    with capsys.disabled():  # the figures belong in test.sh's output
        print(f"\n[rss] after {WARM_UP} warm-up calls: {warm} KiB; after {CALLS} more calls: {after} KiB "
              f"(growth {growth:+d} KiB, limit {MAX_GROWTH_KIB} KiB; {elapsed:.1f} s, "
              f"{elapsed / CALLS * 1e3:.2f} ms per call)")
    assert growth < MAX_GROWTH_KIB


def test_the_measure_does_see_a_leak(emulator):
    """The same measure over calls whose pages are deliberately not freed
    (raw ci_* calls) exceeds the limit: the test above could fail."""
    from cloud_infinite import _abi, _ffi

    lib = _ffi.lib
    pages = []
    with emulator.client() as client:
        query = _abi.ci_query(has_page_size=1, page_size=100)
        handle = client._enter()
        try:
            gc.collect()
            before = rss_kib()
            for _ in range(1500):
                out = ctypes.POINTER(_abi.ci_page)()
                error = lib.ci_describe(handle, _abi.Operation.AI_QUEUES, BUCKET.encode(), ctypes.byref(query), ctypes.byref(out))
                assert error is None
                pages.append(out)
            leaked = rss_kib() - before
        finally:
            for out in pages:
                lib.ci_free(ctypes.cast(out, ctypes.c_void_p))
            client._leave()
    assert leaked > MAX_GROWTH_KIB, leaked
