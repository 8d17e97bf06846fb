"""Soak of the Python package (issue 8): THREADS threads share one Client
and make CALLS calls each (both APIs, alternating) against ci-emulator.

It must end with zero errors, every call seen by the emulator, every library
object freed, as many open file descriptors as before the client existed,
and RSS flat (growth from after the warm-up to the end under a bound far
below what leaking one page per call would cost). Prints the figures as one
"soak python: key=value ..." line; exits 1 on failure.

    python soak/soak.py [--threads N] [--calls-per-thread N]     (default 4 x 10000)

Needs CI_EMULATOR_ADDR (scripts/with-emulator.sh) and the package on
PYTHONPATH (bindings/python/src; CLOUD_INFINITE_LIB picks the library).
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


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--calls-per-thread", type=int, default=10_000)
    args = parser.parse_args()
    addr = os.environ["CI_EMULATOR_ADDR"]
    max_growth = int(os.environ.get("CI_SOAK_MAX_RSS_GROWTH_KIB", "8192"))

    live_start = cloud_infinite.live_objects()
    fds_start = fd_count()
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

    def round_of(calls: int) -> list:
        threads = [threading.Thread(target=run, args=(s, calls)) for s in range(args.threads)]
        for t in threads:
            t.start()
        samples = []
        total = calls * args.threads
        while len(samples) < 3 and any(t.is_alive() for t in threads):
            if sum(progress) >= total * (len(samples) + 1) // 4:
                samples.append(rss_kib())
            else:
                time.sleep(0.02)
        for t in threads:
            t.join()
        return samples

    round_of(500)  # warm-up: pools, arenas, connections
    warm_errors = sum(errors)
    errors[:] = [0] * args.threads
    progress[:] = [0] * args.threads
    control(addr, "reset", {})
    gc.collect()
    rss_before = rss_kib()
    fds_warm = fd_count()
    started = time.monotonic()
    quarters = round_of(args.calls_per_thread)
    secs = time.monotonic() - started
    gc.collect()
    rss_after = rss_kib()
    fds_after_calls = fd_count()
    seen = control(addr, "stats")["requests"]
    client.close()
    fds_end = fd_count()
    live = cloud_infinite.live_objects() - live_start
    calls = sum(progress)
    total = args.threads * args.calls_per_thread
    quarters = (quarters + [rss_after] * 4)[:3] + [rss_after]
    print(f"soak python: threads={args.threads} calls={calls} errors={sum(errors)} warmup_errors={warm_errors} "
          f"secs={secs:.1f} calls_per_s={calls / secs:.0f} rss_before_kib={rss_before} "
          f"rss_quarters_kib={','.join(map(str, quarters))} rss_after_kib={rss_after} "
          f"growth_kib={rss_after - rss_before} (bound {max_growth}) fds_before={fds_start} fds_after={fds_end} "
          f"fds_with_client_before={fds_warm} fds_with_client_after={fds_after_calls} emulator_requests={seen} "
          f"live_objects={live}")
    for e in first_errors:
        print("error:", e, file=sys.stderr)
    ok = (calls == total and sum(errors) == 0 and warm_errors == 0 and seen == total and live == 0
          and fds_end == fds_start and fds_after_calls <= fds_warm and rss_after - rss_before < max_growth)
    print(f"soak python: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
