#!/usr/bin/env python3
"""Drives every benchmark of bench/ and writes the report.

bench/run.sh (what `make bench` runs) installs and builds what is needed,
then calls this with the paths; bench/smoke.sh calls it with --smoke (tiny
counts, debug builds, report written under target/bench/smoke/).

Standard library only. Every program talks to one ci-emulator on 127.0.0.1
that this script starts (and stops) itself; every loop is bounded in calls
and in time.
"""

import argparse
import datetime
import json
import os
import platform
import re
import resource
import shutil
import shlex
import statistics
import subprocess
import sys
import time

import chart
import listing

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUCKET = "benchqueues-1250000000"  # the fixture's bucket with 150 AI queues
CASES = ["pic10", "pic100", "queue10", "queue100"]
CASE_LABEL = {
    "pic10": "DescribePicProcessBucket, 10 items",
    "pic100": "DescribePicProcessBucket, 100 items",
    "queue10": "DescribeAiProcessQueues, 10 items",
    "queue100": "DescribeAiProcessQueues, 100 items",
}
LANGS = ["python", "node", "go"]
LANG_LABEL = {"python": "Python", "node": "Node", "go": "Go"}
OFFICIAL = {
    "python": "cos-python-sdk-v5 (`ci_get_pic_bucket`, `ci_get_ai_queue`)",
    "node": "cos-nodejs-sdk-v5 (`cos.request` on `/picbucket`, `/ai_queue`)",
    "go": "cos-go-sdk-v5 (`CI.DescribePicProcessBuckets`, `CI.DescribeAIProcessQueues`)",
}
# The issue's targets: ours / official calls/s on the 100-item pages.
# Issue 17's goals: calls/s against the official SDK on the 100-item pages,
# sequential and 8-way alike.
TARGET_RATIO = {"python": 20.0, "node": 8.0, "go": 6.0}


def log(msg):
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- machine

def cpu_times():
    with open("/proc/stat") as f:
        parts = f.readline().split()[1:]
    vals = [int(x) for x in parts]
    idle = vals[3] + vals[4]
    return sum(vals), idle


def cpu_busy(seconds=2.0):
    """Share of all cores busy over `seconds` (every process on the machine)."""
    t0, i0 = cpu_times()
    time.sleep(seconds)
    t1, i1 = cpu_times()
    return 100.0 * (1 - (i1 - i0) / max(1, t1 - t0))


def machine_cpu_seconds():
    """CPU time (user, system...) all processes on the machine have used so far, in seconds."""
    total, idle = cpu_times()
    return (total - idle) / os.sysconf("SC_CLK_TCK")


def busiest_processes(n=5):
    try:
        out = subprocess.run(["ps", "-eo", "pcpu,ni,comm", "--sort=-pcpu", "--no-headers"],
                             capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    rows = []
    for line in out.splitlines()[:n]:
        p = line.split(None, 2)
        if len(p) == 3 and float(p[0]) >= 5.0:
            rows.append(f"{p[2]} {p[0]}% (nice {p[1]})")
    return rows


def machine_facts():
    facts = {"nproc": os.cpu_count(), "loadavg_start": open("/proc/loadavg").read().split()[:3]}
    try:
        with open("/proc/cpuinfo") as f:
            m = re.search(r"^model name\s*:\s*(.*)$", f.read(), re.M)
        facts["cpu"] = m.group(1) if m else platform.processor()
    except OSError:
        facts["cpu"] = platform.processor()
    facts["kernel"] = platform.release()
    facts["mem_total"] = next((l.split(":")[1].strip() for l in open("/proc/meminfo") if l.startswith("MemTotal")), "?")
    facts["cpu_busy_start"] = cpu_busy()
    facts["busiest_start"] = busiest_processes()
    return facts


def tool_version(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=30).stdout.strip().splitlines()[0]
    except (OSError, subprocess.SubprocessError, IndexError):
        return "?"


# ---------------------------------------------------------------- emulator

def make_fixture(emulator, path):
    """The built-in fixture plus one bucket with 150 fully populated AI
    queues (the built-in bucket has 25: no 100-item page)."""
    fixture = json.loads(subprocess.run([emulator, "--dump-fixture"], check=True, capture_output=True,
                                        text=True, timeout=60).stdout)
    queues = []
    for i in range(150):
        queues.append({
            "queue_id": f"p{i:032x}", "name": f"bench-queue-{i}", "state": "Active" if i % 3 else "Paused",
            "notify_config": {"url": f"http://callback.example.com/ci/{i}", "event": "TaskFinish,WorkflowFinish",
                              "type": "Url", "state": "On", "result_format": "JSON",
                              "mq_mode": None, "mq_region": None, "mq_name": None, "kafka_config": None},
            "max_size": 10000, "max_concurrent": 10, "category": "AIProcess",
            "update_time": "2022-08-09T16:23:11+0800", "create_time": "2022-08-09T16:23:11+0800",
            "bucket_id": None,
        })
    # Listed by no bucket call, so the bucket benchmarks keep their 130 buckets.
    fixture["buckets"].append({"name": BUCKET, "region": "ap-guangzhou", "create_time": "2022-08-09T16:23:11+0800",
                               "bucket_lists": {}, "queues": {"ai_queues": queues}, "fault": None})
    with open(path, "w") as f:
        json.dump(fixture, f)


class Emulator:
    def __init__(self, binary, fixture, prefix=(), extra=()):
        self.proc = subprocess.Popen([*prefix, binary, "--listen", "127.0.0.1:0", "--exit-on-stdin-eof", "--fixture", fixture, *extra],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if "listening on http://" not in line:
            self.stop()
            raise SystemExit(f"ci-emulator did not start: {line!r}")
        self.addr = line.strip().rsplit("http://", 1)[1]

    def cpu_seconds(self):
        """User + system CPU time the emulator has used so far."""
        with open(f"/proc/{self.proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


# ---------------------------------------------------------------- programs

class Runner:
    """Runs the programs. `pinned` runs (sequential phases, RSS, FFI) put the program on CPU 0 with an
    emulator also pinned to CPU 0 (see README: on an idle VM, a ping-pong between two vCPUs mostly
    measures how long a halted vCPU takes to wake up); the others use both cores and an unpinned emulator."""

    def __init__(self, args, emu, emu_pinned, pin_prefix):
        self.args = args
        self.emu = emu
        self.emu_pinned = emu_pinned
        self.addr = emu.addr
        self.pinned_addr = emu_pinned.addr
        self.pin_prefix = list(pin_prefix)
        env = dict(os.environ)
        env["CLOUD_INFINITE_LIB"] = args.lib
        env["PYTHONPATH"] = os.path.join(ROOT, "bindings", "python", "src")
        env["NODE_PATH"] = os.path.join(ROOT, "bench", "node", "node_modules")
        # 8 concurrent calls: give libuv's pool (where our Node calls run) 8 threads. Same for both Node runs.
        env["UV_THREADPOOL_SIZE"] = "8"
        env["LD_LIBRARY_PATH"] = os.path.dirname(args.lib) + (":" + env["LD_LIBRARY_PATH"] if env.get("LD_LIBRARY_PATH") else "")
        for proxy in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
            env.pop(proxy, None)
        env["NO_PROXY"] = env["no_proxy"] = "*"
        self.env = env

    def command(self, lang, impl):
        a = self.args
        if lang == "python":
            return [a.python, os.path.join(ROOT, "bench", "python", "bench_py.py")]
        if lang == "node":
            return [a.node, os.path.join(ROOT, "bench", "node", "bench_node.js")]
        if lang == "go":
            return [a.go_ours if impl == "ours" else a.go_official]
        raise ValueError(lang)

    def run(self, lang, impl, mode, pinned=False, **cfg):
        cfg = dict(cfg, impl=impl, mode=mode, addr=self.pinned_addr if pinned else self.addr, bucket=BUCKET)
        cmd = (self.pin_prefix if pinned else []) + self.command(lang, impl) + [json.dumps(cfg)]
        t0 = time.time()
        emu = self.emu_pinned if pinned else self.emu
        emu0 = emu.cpu_seconds()
        ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        p = subprocess.run(cmd, env=self.env, capture_output=True, text=True, timeout=self.args.program_timeout)
        ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = {"client_s": (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime),
               "emulator_s": emu.cpu_seconds() - emu0, "wall_s": time.time() - t0}
        if p.returncode != 0:
            raise SystemExit(f"{lang}/{impl}/{mode} failed (exit {p.returncode}):\n"
                             f"  {' '.join(shlex.quote(c) for c in cmd)}\n{p.stderr[-4000:]}{p.stdout[-2000:]}")
        try:
            out = json.loads(p.stdout.strip().splitlines()[-1])
        except (ValueError, IndexError):
            raise SystemExit(f"{lang}/{impl}/{mode}: no JSON on stdout:\n{p.stdout[-2000:]}\n{p.stderr[-2000:]}")
        out["cpu"] = cpu
        phase = "" if mode != "perf" else (" sequential, pinned" if pinned else " concurrent")
        log(f"{lang:6} {impl:8} {mode:5}{phase} ok ({time.time() - t0:.1f} s)")
        return out

    def perf(self, lang, impl, cfg):
        """The sequential phase pinned, the concurrent phase on both cores, merged."""
        seq = self.run(lang, impl, "perf", pinned=True, **dict(cfg, conc_calls=0))
        conc = self.run(lang, impl, "perf", pinned=False, **dict(cfg, seq_calls=0))
        for case, r in seq["cases"].items():
            r["conc"] = conc["cases"][case]["conc"]
        seq["cpu_seq"], seq["cpu_conc"] = seq.pop("cpu"), conc["cpu"]
        return seq


# ---------------------------------------------------------------- criterion

CRITERION = {
    "sign": ("sign_ai_queue_4_params_2_headers", ""),  # bench_function("sign/...") outside a group
    "parse100": ("parse_ai_queue_page", "100_queues"),
    "parse1000": ("parse_ai_queue_page", "1000_queues"),
    # The same bytes through quick-xml's bare event loop, building nothing:
    # what parsing into a typed page is held to.
    "quick_xml100": ("parse_ai_queue_page", "quick_xml_100_queues"),
    "quick_xml1000": ("parse_ai_queue_page", "quick_xml_1000_queues"),
    "raw_get": ("call_10_queues", "raw_keepalive_get"),
    "call": ("call_10_queues", "describe_ai_queues"),
    "parse_call_answer": ("call_10_queues", "parse_same_answer"),
}


def run_criterion(args, started, pin_prefix):
    env = dict(os.environ)
    for proxy in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        env.pop(proxy, None)
    if args.smoke:
        # Each benchmark once, as a test (debug build).
        cmd = [args.cargo, "test", "--features", "emulator", "--bench", "core"]
        log("criterion (once each): " + " ".join(cmd))
        subprocess.run(cmd, cwd=ROOT, env=env, check=True, timeout=1800)
        return None
    # Build first (not pinned), then run the benchmarks with the bench and its emulator on CPU 0.
    opts = ["--warm-up-time", str(args.criterion_warmup), "--measurement-time", str(args.criterion_time), "--noplot"]
    build = [args.cargo, "bench", "--features", "emulator", "--bench", "core", "--no-run"]
    log("criterion: " + " ".join(build))
    subprocess.run(build, cwd=ROOT, env=env, check=True, timeout=3600)
    cmd = list(pin_prefix) + [args.cargo, "bench", "--features", "emulator", "--bench", "core", "--"] + opts
    log("criterion: " + " ".join(cmd))
    subprocess.run(cmd, cwd=ROOT, env=env, check=True, timeout=3600)
    results = read_criterion(started)
    # For reference: the end-to-end pair again on both cores (idle-vCPU wake-ups included).
    again = time.time()
    cmd = [args.cargo, "bench", "--features", "emulator", "--bench", "core", "--"] + opts + ["call_10_queues"]
    log("criterion: " + " ".join(cmd))
    subprocess.run(cmd, cwd=ROOT, env=env, check=True, timeout=3600)
    unpinned = read_criterion(again, keys=("raw_get", "call"))
    results["raw_get_unpinned"], results["call_unpinned"] = unpinned["raw_get"], unpinned["call"]
    return results


def read_criterion(started, keys=tuple(CRITERION)):
    results = {}
    base = os.path.join(ROOT, "target", "criterion")
    for key in keys:
        group, name = CRITERION[key]
        d = os.path.join(base, group, name, "new") if name else os.path.join(base, group, "new")
        est_path = os.path.join(d, "estimates.json")
        if not os.path.exists(est_path) or os.path.getmtime(est_path) < started:
            raise SystemExit(f"criterion left no fresh result for {group}/{name} ({est_path})")
        est = json.load(open(est_path))
        bench = json.load(open(os.path.join(d, "benchmark.json")))
        r = {"median_ns": est["median"]["point_estimate"], "mean_ns": est["mean"]["point_estimate"],
             "ci_low_ns": est["median"]["confidence_interval"]["lower_bound"],
             "ci_high_ns": est["median"]["confidence_interval"]["upper_bound"]}
        tp = bench.get("throughput") or {}
        if "Bytes" in tp:
            r["bytes"] = tp["Bytes"]
            r["mb_per_s"] = tp["Bytes"] / (r["median_ns"] / 1e9) / 1e6
        results[key] = r
    return results


# ---------------------------------------------------------------- the run

def median(xs):
    return statistics.median(xs) if xs else None


def aggregate(runs):
    """runs: list of perf outputs of one (lang, impl). -> case -> metric -> median over rounds."""
    out = {}
    for case in CASES:
        seq = [r["cases"][case]["seq"] for r in runs if case in r["cases"]]
        conc = [r["cases"][case]["conc"] for r in runs if case in r["cases"]]
        if not seq:
            continue
        out[case] = {
            "seq_cps": median([s["calls_per_s"] for s in seq]),
            "seq_cps_all": [s["calls_per_s"] for s in seq],
            "p50_us": median([s["p50_us"] for s in seq]),
            "p99_us": median([s["p99_us"] for s in seq]),
            "seq_calls": sum(s["calls"] for s in seq),
            "conc_cps": median([c["calls_per_s"] for c in conc]),
            "conc_cps_all": [c["calls_per_s"] for c in conc],
            "conc_calls": sum(c["calls"] for c in conc),
        }
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--smoke", action="store_true", help="tiny counts: check that every program still runs")
    ap.add_argument("--lib", required=True, help="libcloud_infinite.so used by Python and Node")
    ap.add_argument("--emulator", required=True)
    ap.add_argument("--python", required=True, help="a Python with cos-python-sdk-v5 installed")
    ap.add_argument("--node", default="node")
    ap.add_argument("--go-ours", help="bench/go/ours binary (absent: Go is skipped)")
    ap.add_argument("--go-official", help="bench/go/official binary")
    ap.add_argument("--go-skip-reason", default="")
    ap.add_argument("--cargo", default="cargo")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=1.5, help="time limit of each sequential and each concurrent measurement")
    ap.add_argument("--workers", type=int, default=8)
    ap.add_argument("--rss-calls", type=int, default=10000)
    ap.add_argument("--rss-case", default="queue10")
    ap.add_argument("--ffi-calls", type=int, default=1000000)
    ap.add_argument("--criterion-warmup", type=float, default=1.0)
    ap.add_argument("--criterion-time", type=float, default=3.0)
    ap.add_argument("--no-criterion", action="store_true")
    ap.add_argument("--program-timeout", type=float, default=300)
    ap.add_argument("--out-dir", required=True, help="where RESULTS.md, calls_per_second.svg and raw.json go")
    ap.add_argument("--command", default="make bench", help="how this run was started, for the report")
    args = ap.parse_args()

    if args.smoke:
        args.rounds = 1
        args.seconds = 0.2
        args.rss_calls = 20
        args.ffi_calls = 2000
    started = time.time()
    machine_t0 = machine_cpu_seconds()
    os.makedirs(args.out_dir, exist_ok=True)
    work = os.path.join(ROOT, "target", "bench")
    os.makedirs(work, exist_ok=True)

    facts = machine_facts()
    facts["started_utc"] = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    log(f"machine: {facts['nproc']} cores, load {' '.join(facts['loadavg_start'])}, "
        f"CPU busy {facts['cpu_busy_start']:.0f}% before the run")

    langs = [l for l in LANGS if l != "go" or (args.go_ours and args.go_official)]
    fixture = os.path.join(work, "fixture.json")
    make_fixture(args.emulator, fixture)
    pin_prefix = ["taskset", "-c", "0"] if shutil.which("taskset") and (os.cpu_count() or 1) > 1 else []
    emu = Emulator(args.emulator, fixture)
    emu_pinned = Emulator(args.emulator, fixture, pin_prefix) if pin_prefix else emu
    log(f"ci-emulator at {emu.addr}, and pinned to CPU 0 at {emu_pinned.addr} ({args.emulator})")
    results = {"facts": facts, "smoke": args.smoke, "langs": langs, "go_skip_reason": args.go_skip_reason,
               "pinned": bool(pin_prefix),
               "config": {k: getattr(args, k) for k in ("rounds", "seconds", "workers", "rss_calls", "rss_case", "ffi_calls")}}
    counts = {"passed": 0}
    try:
        runner = Runner(args, emu, emu_pinned, pin_prefix)
        perf_cfg = dict(cases=CASES, warmup=1 if args.smoke else 30, workers=args.workers,
                        seq_calls=3 if args.smoke else 200000, seq_seconds=args.seconds,
                        conc_calls=args.workers * 2 if args.smoke else 400000, conc_seconds=args.seconds)

        # 1. Every client must really succeed (status 200, expected item counts) before any timing.
        checks = {}
        for lang in langs:
            for impl in ("ours", "official"):
                checks[(lang, impl)] = runner.run(lang, impl, "check")
                counts["passed"] += 1
        if "go" in langs:
            checks[("go", "raw")] = runner.run("go", "raw", "check")
            counts["passed"] += 1
        results["checks"] = {f"{l}/{i}": v for (l, i), v in checks.items()}

        # 2. The emulator's capacity from a raw keep-alive client (Go net/http: sign, send, read the bytes).
        if "go" in langs:
            raw_run = runner.perf("go", "raw", perf_cfg)
            results["raw"] = aggregate([raw_run])
            raw_cpu = {ph: {k: raw_run[f"cpu_{ph}"][k] for k in ("client_s", "emulator_s", "wall_s")} for ph in ("seq", "conc")}
            counts["passed"] += 1

        # 3. Ours against official, alternating which goes first each round.
        perf = {(l, i): [] for l in langs for i in ("ours", "official")}
        for r in range(args.rounds):
            log(f"round {r + 1}/{args.rounds}")
            for lang in langs:
                order = ("ours", "official") if r % 2 == 0 else ("official", "ours")
                for impl in order:
                    perf[(lang, impl)].append(runner.perf(lang, impl, perf_cfg))
            counts["passed"] += 1
        results["perf"] = {f"{l}/{i}": aggregate(v) for (l, i), v in perf.items()}
        # CPU seconds of client and emulator in each phase, summed over the rounds.
        results["cpu"] = {f"{l}/{i}": {ph: {k: sum(r[f"cpu_{ph}"][k] for r in v) for k in ("client_s", "emulator_s", "wall_s")}
                                       for ph in ("seq", "conc")} for (l, i), v in perf.items()}
        if "go" in langs:
            results["cpu"]["go/raw client (one round, no parsing)"] = raw_cpu

        # 4. Peak RSS over N calls, each in a fresh process, ours and official alternating.
        rss = {}
        for lang in langs:
            for impl in ("ours", "official"):
                rss[f"{lang}/{impl}"] = runner.run(lang, impl, "rss", pinned=True, rss_calls=args.rss_calls, rss_case=args.rss_case)
        counts["passed"] += 1
        results["rss"] = rss

        # 5. One crossing into the library from each language.
        # ... and a call through each binding against the same C call with its result freed unread.
        results["ffi"] = {lang: runner.run(lang, "ours", "ffi", pinned=True, ffi_calls=args.ffi_calls,
                                           seq_calls=3 if args.smoke else 5000, seq_seconds=min(args.seconds, 1.0))
                          for lang in langs}
        counts["passed"] += 1
    finally:
        emu.stop()
        emu_pinned.stop()

    # 6. Listing everything over a 50 ms link: ours one page at a time and in parallel, the official SDKs.
    listing_fixture = os.path.join(work, "listing-fixture.json")
    listing.make_fixture(args.emulator, listing_fixture)
    latency = 1 if args.smoke else listing.LATENCY_MS
    emu_list = Emulator(args.emulator, listing_fixture, extra=("--latency-ms", str(latency)))
    try:
        results["listing"] = listing.run(Runner(args, emu_list, emu_list, []), langs, args.smoke)
        results["listing_latency_ms"] = latency
        counts["passed"] += 1
    finally:
        emu_list.stop()

    # 7. Core microbenchmarks (criterion; starts its own emulator).
    if not args.no_criterion:
        results["criterion"] = run_criterion(args, started, pin_prefix)
        counts["passed"] += 1

    # Other work during the run: all CPU time the machine spent, less this run's own (this
    # script, every program, the emulators, cargo and criterion are its children).
    wall = time.time() - started
    machine = machine_cpu_seconds() - machine_t0
    own = sum(getattr(resource.getrusage(who), f) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
              for f in ("ru_utime", "ru_stime"))
    facts["other_cpu_share"] = max(0.0, machine - own) / (wall * (os.cpu_count() or 1)) * 100
    facts["own_cpu_share"] = own / (wall * (os.cpu_count() or 1)) * 100
    facts["loadavg_end"] = open("/proc/loadavg").read().split()[:3]
    facts["cpu_busy_end"] = cpu_busy(1.0)
    facts["busiest_end"] = busiest_processes()
    facts["duration_s"] = time.time() - started
    facts["versions"] = {
        "rustc": tool_version(["rustc", "--version"]),
        "python": tool_version([args.python, "--version"]),
        "node": tool_version([args.node, "--version"]),
        "go": tool_version(["go", "version"]) if "go" in langs else "-",
    }
    try:
        head = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, timeout=30).stdout.strip()
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no", "--", "src", "include", "bindings", "Cargo.toml", "Cargo.lock"],
                               capture_output=True, text=True, timeout=30).stdout.strip()
        facts["versions"]["commit"] = head + (" (with uncommitted changes in src/, include/, bindings/ or Cargo.*)" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        pass
    for c in results["checks"].values():
        facts["versions"].update(c.get("versions", {}))
    facts["versions"].pop("library_path", None)

    with open(os.path.join(args.out_dir, "raw.json"), "w") as f:
        json.dump(results, f, indent=1, default=str)
    import report
    md = report.markdown(results, args)
    with open(os.path.join(args.out_dir, "RESULTS.md"), "w") as f:
        f.write(md)
    svg = chart.calls_per_second_svg(results)
    with open(os.path.join(args.out_dir, "calls_per_second.svg"), "w") as f:
        f.write(svg)
    with open(os.path.join(args.out_dir, "listing.svg"), "w") as f:
        f.write(listing.svg(results["listing"], results["listing_latency_ms"], args.smoke))
    print(md)
    log(f"wrote {os.path.join(args.out_dir, 'RESULTS.md')}, calls_per_second.svg and listing.svg in {facts['duration_s']:.0f} s")
    if args.smoke:
        print(f"bench: {counts['passed']} passed, 0 failed")


if __name__ == "__main__":
    main()
