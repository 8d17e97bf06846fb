"""One benchmark run in Python: our binding (cloud_infinite, ctypes) or
Tencent's cos-python-sdk-v5, against ci-emulator on 127.0.0.1.

    python bench_py.py '{"impl": "ours"|"official", "mode": "check"|"perf"|"rss"|"ffi"|"list", ...}'

Prints one JSON object on stdout. bench/bench.py drives it; see bench/README.md.
Every loop is bounded by a call count and by a time limit.
"""

import json
import os
import sys
import threading
import time

SECRET_ID = "AKIDemulatorEXAMPLE"
SECRET_KEY = "emulator-secret-key"
REGION = "ap-guangzhou"

# name -> (api, page size); the expected item count is the page size.
CASES = {
    "pic10": ("pic", 10),
    "pic100": ("pic", 100),
    "queue10": ("queue", 10),
    "queue100": ("queue", 100),
}


def as_list(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def make_call(impl, addr, bucket, case):
    """A zero-argument function doing one call of `case` with a client made
    once (reused by every call), returning the number of items received."""
    api, size = CASES[case]
    if impl == "ours":
        import cloud_infinite

        client = _shared("ours", lambda: cloud_infinite.Client(
            secret_id=SECRET_ID, secret_key=SECRET_KEY, region=REGION,
            scheme="http", connect_to=addr, proxy=False, max_retries=0))
        if api == "pic":
            return lambda: len(client.describe_pic_buckets(page_size=size).buckets)
        return lambda: len(client.describe_ai_queues(bucket, page_size=size).queues)
    if impl == "official":
        from qcloud_cos import CosConfig, CosS3Client

        def new():
            conf = CosConfig(Region=REGION, SecretId=SECRET_ID, SecretKey=SECRET_KEY,
                             Scheme="http", Proxies={"http": f"http://{addr}"})
            return CosS3Client(conf, retry=0)

        client = _shared("official", new)
        if api == "pic":
            return lambda: len(as_list(client.ci_get_pic_bucket(PageSize=str(size)).get("PicBucketList")))
        return lambda: len(as_list(client.ci_get_ai_queue(Bucket=bucket, PageSize=str(size)).get("QueueList")))
    raise SystemExit(f"unknown impl {impl!r}")


_clients = {}


def _shared(key, new):
    """One client per implementation for the whole process (reused by every case)."""
    if key not in _clients:
        _clients[key] = new()
    return _clients[key]


def expect(case, got):
    want = CASES[case][1]
    if got != want:
        raise SystemExit(f"{case}: expected {want} items, got {got}")


def percentile(sorted_ns, q):
    if not sorted_ns:
        return None
    i = min(len(sorted_ns) - 1, max(0, int(round(q * (len(sorted_ns) - 1)))))
    return sorted_ns[i] / 1e3  # microseconds


def sequential(call, case, calls, seconds):
    lat = []
    clock = time.perf_counter_ns
    start = clock()
    deadline = start + int(seconds * 1e9)
    for _ in range(calls):
        t0 = clock()
        n = call()
        t1 = clock()
        if n != CASES[case][1]:
            expect(case, n)
        lat.append(t1 - t0)
        if t1 > deadline:
            break
    elapsed = (clock() - start) / 1e9
    lat.sort()
    return {"calls": len(lat), "seconds": elapsed, "calls_per_s": len(lat) / elapsed,
            "p50_us": percentile(lat, 0.50), "p99_us": percentile(lat, 0.99)}


def concurrent(call, case, workers, calls, seconds):
    lock = threading.Lock()
    state = {"left": calls, "done": 0, "error": None}
    deadline = time.perf_counter() + seconds

    def worker():
        try:
            while True:
                with lock:
                    if state["left"] <= 0 or state["error"]:
                        return
                    state["left"] -= 1
                n = call()
                if n != CASES[case][1]:
                    expect(case, n)
                with lock:
                    state["done"] += 1
                if time.perf_counter() > deadline:
                    return
        except BaseException as e:  # reported below, fails the run
            state["error"] = repr(e)

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    if state["error"]:
        raise SystemExit(f"{case}: concurrent call failed: {state['error']}")
    return {"calls": state["done"], "seconds": elapsed, "calls_per_s": state["done"] / elapsed, "workers": workers}


def peak_rss_kib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return None


def current_rss_kib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return None


def ffi(cfg):
    """The cost of one crossing into the library: a call that does nothing
    (ci_abi_version), and `sign` through the binding (conversions included)."""
    import ctypes

    import cloud_infinite
    from cloud_infinite import _ffi

    f = _ffi.lib.ci_abi_version
    f.argtypes = []
    f.restype = ctypes.c_uint32
    n = cfg["ffi_calls"]
    for _ in range(min(n, 1000)):
        f()
    t0 = time.perf_counter_ns()
    for _ in range(n):
        f()
    noop_ns = (time.perf_counter_ns() - t0) / n

    args = dict(secret_id="AKIDEXAMPLEEXAMPLEEXAMPLEEXAMPLE1234", secret_key="EXAMPLEsecretKEYexampleSECRETkey1",
                method="GET", path="/ai_queue",
                params={"queueIds": "pa1,pb2", "state": "Active", "pageNumber": "1", "pageSize": "100"},
                headers={"host": "examplebucket-1250000000.ci.ap-guangzhou.myqcloud.com",
                         "x-ci-security-token": "tmpTOKEN+abc/def==_-.~xyz"},
                start_time=1700000000, end_time=1700003600)
    m = max(1, n // 20)
    cloud_infinite.sign(**args)
    t0 = time.perf_counter_ns()
    for _ in range(m):
        cloud_infinite.sign(**args)
    sign_ns = (time.perf_counter_ns() - t0) / m
    out = {"noop_call_ns": noop_ns, "noop_calls": n, "sign_call_ns": sign_ns, "sign_calls": m}
    if cfg.get("addr"):
        out["split"] = split(cfg)
    return out


def median_us(call, case, calls, seconds):
    for _ in range(5):
        expect(case, call())
    lat = []
    deadline = time.perf_counter_ns() + int(seconds * 1e9)
    for _ in range(calls):
        t0 = time.perf_counter_ns()
        n = call()
        t1 = time.perf_counter_ns()
        if n != CASES[case][1]:
            expect(case, n)
        lat.append(t1 - t0)
        if t1 > deadline:
            break
    lat.sort()
    return percentile(lat, 0.5)


def split(cfg):
    """The same call through the binding and straight through ctypes with its
    C result freed unread (the binding's private query class builds the C
    query, so the C call answers in the binding's page format, the packed
    JSON text): the difference is the binding's conversion into Python objects."""
    import ctypes
    import json

    from cloud_infinite import _abi, _calls, _ffi

    lib = _ffi.lib
    make_call("ours", cfg["addr"], cfg["bucket"], "pic10")  # makes the shared client
    handle = _clients["ours"]._pointer
    bucket = cfg["bucket"].encode()

    def direct(case, count=False):
        api, size = CASES[case]
        op, on = (_abi.Operation.PIC_BUCKETS, None) if api == "pic" else (_abi.Operation.AI_QUEUES, bucket)
        q = _calls.Query("direct", {"page_size": size})
        out = ctypes.POINTER(_abi.ci_page)()
        err = lib.ci_describe(handle, op, on, ctypes.byref(q.struct), ctypes.byref(out))
        if err:
            raise SystemExit(f"{case}: the C call failed")
        page = out.contents
        if page.json_size:
            # Unread in the timed calls: counting the items means parsing the text.
            n = len(json.loads(page.json)["items"]) if count else size
        else:
            n = page.buckets_len if api == "pic" else page.queues_len
        lib.ci_free(out)
        return n

    for case in ("pic100", "queue100"):
        expect(case, direct(case, count=True))
    res = {}
    for case in ("pic100", "queue100"):
        res[case] = {"binding_us": median_us(make_call("ours", cfg["addr"], cfg["bucket"], case), case, cfg["seq_calls"], cfg["seq_seconds"]),
                     "c_only_us": median_us(lambda: direct(case), case, cfg["seq_calls"], cfg["seq_seconds"])}
    return res


def versions(impl):
    if impl == "ours":
        import cloud_infinite
        return {"library": cloud_infinite.library_version(), "library_path": cloud_infinite.library_path()}
    from importlib.metadata import version
    return {"cos-python-sdk-v5": version("cos-python-sdk-v5")}


def make_lister(impl, addr, variant, size):
    """A function walking every page of pic buckets, returning the names in order."""
    if impl == "ours":
        import cloud_infinite

        client = _shared("ours", lambda: cloud_infinite.Client(
            secret_id=SECRET_ID, secret_key=SECRET_KEY, region=REGION,
            scheme="http", connect_to=addr, proxy=False, max_retries=0))
        options = {"concurrency": 1} if variant == "sequential" else {}
        return lambda: [b.name for b in client.iter_pic_buckets(page_size=size, **options)]
    if impl == "official":
        from qcloud_cos import CosConfig, CosS3Client

        client = _shared("official", lambda: CosS3Client(CosConfig(
            Region=REGION, SecretId=SECRET_ID, SecretKey=SECRET_KEY, Scheme="http",
            Proxies={"http": f"http://{addr}"}), retry=0))

        def walk():
            names, number = [], 1
            while True:
                page = client.ci_get_pic_bucket(PageNumber=str(number), PageSize=str(size))
                items = as_list(page.get("PicBucketList"))
                names += [b["Name"] for b in items]
                if not items or number * size >= int(page["TotalCount"]):
                    return names
                number += 1
        return walk
    raise SystemExit(f"unknown impl {impl!r}")


def listing(cfg):
    """Times cfg["runs"] walks of every page after one warm-up walk."""
    walk = make_lister(cfg["impl"], cfg["addr"], cfg["variant"], cfg["size"])
    want = [f"list{i:04d}-1250000000" for i in range(cfg["total"])]
    walls = []
    for run in range(cfg["runs"] + 1):
        t0 = time.perf_counter()
        names = walk()
        wall = time.perf_counter() - t0
        if names != want:
            raise SystemExit(f"listing: got {len(names)} names, not the {len(want)} expected in order")
        if run:
            walls.append(wall)
    return {"walls_s": walls, "runs": cfg["runs"], "items": len(want)}


def main():
    cfg = json.loads(sys.argv[1])
    impl, mode = cfg["impl"], cfg["mode"]
    out = {"lang": "python", "impl": impl, "mode": mode, "python": sys.version.split()[0]}
    if mode == "ffi":
        out.update(ffi(cfg))
    elif mode == "list":
        out.update(listing(cfg))
    elif mode == "check":
        out["versions"] = versions(impl)
        out["items"] = {}
        for case in CASES:
            n = make_call(impl, cfg["addr"], cfg["bucket"], case)()
            expect(case, n)
            out["items"][case] = n
    elif mode == "perf":
        out["cases"] = {}
        for case in cfg["cases"]:
            call = make_call(impl, cfg["addr"], cfg["bucket"], case)
            for _ in range(cfg["warmup"]):
                expect(case, call())
            # A phase with 0 calls is skipped (bench.py runs the sequential and the concurrent phase apart).
            seq = sequential(call, case, cfg["seq_calls"], cfg["seq_seconds"]) if cfg["seq_calls"] else None
            conc = concurrent(call, case, cfg["workers"], cfg["conc_calls"], cfg["conc_seconds"]) if cfg["conc_calls"] else None
            out["cases"][case] = {"seq": seq, "conc": conc}
    elif mode == "rss":
        case = cfg["rss_case"]
        call = make_call(impl, cfg["addr"], cfg["bucket"], case)
        expect(case, call())
        before = current_rss_kib()
        t0 = time.perf_counter()
        for _ in range(cfg["rss_calls"]):
            n = call()
            if n != CASES[case][1]:
                expect(case, n)
        out.update({"case": case, "calls": cfg["rss_calls"], "seconds": time.perf_counter() - t0,
                    "rss_after_first_call_kib": before, "rss_end_kib": current_rss_kib(), "peak_rss_kib": peak_rss_kib()})
    else:
        raise SystemExit(f"unknown mode {mode!r}")
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")
    for c in _clients.values():
        close = getattr(c, "close", None)
        if close:
            close()


if __name__ == "__main__":
    main()
