"""Soak of the Python package (issues 8 and 17): THREADS threads share one
Client and make CALLS calls each (both APIs, alternating, 10-item pages)
against ci-emulator.

It must end with zero errors, every call seen by the emulator, every library
object freed (live_objects() back to its baseline), as many open file
descriptors as before the client existed, and RSS flat. RSS (VmRSS) is
sampled at every 5% of the calls, after a gc.collect(); the first 10% are the
warm-up, and the growth from the 10% sample to the end must stay under a
bound (default 2048 KiB, see soak/README.md). Prints the figures as one
"soak python: key=value ..." line and the samples as a second; exits 1 on
failure.

    python soak/soak.py [--threads N] [--calls-per-thread N]     (default 4 x 250000)

Needs CI_EMULATOR_ADDR (scripts/with-emulator.sh) and the package on
PYTHONPATH (bindings/python/src; CLOUD_INFINITE_LIB picks the library).
CI_SOAK_MAX_RSS_GROWTH_KIB overrides the bound.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import threading
import time
import urllib.request

import cloud_infinite

BUCKET = "examplebucket-1250000000"
SAMPLES = 20  # one at every 5% of the calls
WARM = 2  # the 10% sample ends the warm-up
_direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def control(addr: str, path: str, body: object = None) -> dict:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"http://{addr}/__emulator/{path}", data=data)
    with _direct.open(request, timeout=10) as r:
        return json.load(r)


def rss_kib() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def fd_count() -> int:
    return len(os.listdir("/proc/self/fd")) - 1  # the listing's own descriptor


def slope_kib_per_100k(rss: list, at: list) -> float:
    """Least-squares slope of RSS against the calls made."""
    n = len(rss)
    xs = [a / 1e5 for a in at]
    sx, sy = sum(xs), sum(rss)
    sxx, sxy = sum(x * x for x in xs), sum(x * y for x, y in zip(xs, rss))
    d = n * sxx - sx * sx
    return (n * sxy - sx * sy) / d if d > 0 else 0.0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--calls-per-thread", type=int, default=250_000)
    args = parser.parse_args()
    addr = os.environ["CI_EMULATOR_ADDR"]
    max_growth = int(os.environ.get("CI_SOAK_MAX_RSS_GROWTH_KIB", "2048"))

    control(addr, "reset", {})
    gc.collect()
    live_start = cloud_infinite.live_objects()
    fds_start = fd_count()
    rss_start = rss_kib()
    client = cloud_infinite.Client(
        secret_id="AKIDemulatorEXAMPLE", secret_key="emulator-secret-key", region="ap-guangzhou",
        connect_to=addr, scheme="http", proxy=False,
    )
    progress = [0] * args.threads
    errors = [0] * args.threads
    first_errors: list = []

    def run(slot: int, calls: int) -> None:
        for i in range(calls):
            try:
                if i % 2:
                    ok = len(client.describe_pic_buckets().buckets) == 10
                else:
                    ok = len(client.describe_ai_queues(BUCKET).queues) == 10
            except cloud_infinite.CIError as e:
                ok = False
                if len(first_errors) < 5:
                    first_errors.append(repr(e))
            if not ok:
                errors[slot] += 1
            progress[slot] = i + 1

    total = args.threads * args.calls_per_thread
    started = time.monotonic()
    threads = [threading.Thread(target=run, args=(s, args.calls_per_thread)) for s in range(args.threads)]
    for t in threads:
        t.start()
    rss, at = [], []
    fds_warm = -1
    while len(rss) < SAMPLES - 1 and any(t.is_alive() for t in threads):
        done = sum(progress)
        if done >= total * (len(rss) + 1) // SAMPLES:
            gc.collect()
            rss.append(rss_kib())
            at.append(done)
            if len(rss) == WARM:
                fds_warm = fd_count()
        else:
            time.sleep(0.01)
    for t in threads:
        t.join()
    secs = time.monotonic() - started
    calls = sum(progress)
    gc.collect()
    while len(rss) < SAMPLES:  # the last sample, and any a thread's early end skipped
        rss.append(rss_kib())
        at.append(calls)
    if fds_warm < 0:
        fds_warm = fd_count()
    fds_after_calls = fd_count()
    seen = control(addr, "stats")["requests"]
    client.close()
    fds_end = fd_count()
    live = cloud_infinite.live_objects() - live_start
    rss_warm, rss_end = rss[WARM - 1], rss[-1]
    tail = rss[WARM - 1:]
    print(f"soak python: threads={args.threads} calls={calls} errors={sum(errors)} secs={secs:.1f} "
          f"calls_per_s={calls / secs:.0f} rss_start_kib={rss_start} rss_warm_kib={rss_warm} rss_end_kib={rss_end} "
          f"growth_kib={rss_end - rss_warm} (bound {max_growth}) rss_min_kib={min(tail)} rss_max_kib={max(tail)} "
          f"slope_kib_per_100k_calls={slope_kib_per_100k(tail, at[WARM - 1:]):.1f} fds_before={fds_start} "
          f"fds_after={fds_end} fds_with_client_warm={fds_warm} fds_with_client_end={fds_after_calls} "
          f"emulator_requests={seen} live_objects={live}")
    print(f"soak python: rss_kib_every_5pct={','.join(map(str, rss))}")
    for e in first_errors:
        print("error:", e, file=sys.stderr)
    ok = (calls == total and sum(errors) == 0 and seen == total and live == 0
          and fds_end == fds_start and fds_after_calls <= fds_warm and rss_end - rss_warm <= max_growth)
    print(f"soak python: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
