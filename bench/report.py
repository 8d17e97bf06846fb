"""bench/RESULTS.md from the results bench/bench.py collected. Every number
printed here comes from that run (raw.json beside RESULTS.md has them all)."""

from bench import (CASE_LABEL, CASES, LANG_LABEL, OFFICIAL, TARGET_RATIO)


def fmt(x, digits=0):
    if x is None:
        return "-"
    if digits == 0:
        return f"{x:,.0f}"
    return f"{x:,.{digits}f}"


def us(x):
    if x is None:
        return "-"
    return f"{x / 1000:,.2f} ms" if x >= 10000 else f"{x:,.0f} µs"


def ratio(a, b):
    if a is None or not b:
        return None
    return a / b


def rx(r):
    return "-" if r is None else f"**{r:.2f}×**"


def met(ok):
    return "met" if ok else "**missed**"


def kib(x):
    return "-" if x is None else f"{x / 1024:,.1f} MiB"


def targets(results):
    """(name, target text, measured text, ok) for each of the issue's targets."""
    rows = []
    perf = results.get("perf", {})
    for lang in results["langs"]:
        o, f = perf.get(f"{lang}/ours", {}), perf.get(f"{lang}/official", {})
        for case in ("pic100", "queue100"):
            if case not in o or case not in f:
                continue
            r = ratio(o[case]["seq_cps"], f[case]["seq_cps"])
            rc = ratio(o[case]["conc_cps"], f[case]["conc_cps"])
            rows.append((f"{LANG_LABEL[lang]}: calls/s on the 100-item page, {CASE_LABEL[case].split(',')[0]}",
                         f"≥ {TARGET_RATIO[lang]:g}× official, sequential and 8-way",
                         f"{r:.2f}× sequential ({rc:.2f}× 8-way)", r >= TARGET_RATIO[lang] and rc >= TARGET_RATIO[lang]))
    split = {lang: results.get("ffi", {}).get(lang, {}).get("split", {}) for lang in ("python", "node")}
    for lang, cases in split.items():
        for case, r in cases.items():
            share = (r["binding_us"] - r["c_only_us"]) / r["binding_us"]
            rows.append((f"{LANG_LABEL[lang]}: converting the page, {CASE_LABEL[case]}", "≤ 30% of the call",
                         f"{100 * share:.0f}% ({r['binding_us'] - r['c_only_us']:,.0f} of {r['binding_us']:,.0f} µs)", share <= 0.30))
    c = results.get("criterion")
    if c:
        r = c["call"]["median_ns"] / c["raw_get"]["median_ns"]
        rows.append(("Core: one call (10 queues) against a raw keep-alive GET of the same bytes, same HTTP stack (ureq)",
                     "≤ 1.2×", f"{r:.2f}× ({c['call']['median_ns'] / 1000:.1f} µs / {c['raw_get']['median_ns'] / 1000:.1f} µs)", r <= 1.2))
        share = c["sign"]["median_ns"] / c["raw_get"]["median_ns"]
        rows.append(("Core: signing (4 parameters, 2 headers) against that raw GET", "≤ 2%",
                     f"{100 * share:.1f}% ({c['sign']['median_ns'] / 1000:.2f} µs)", share <= 0.02))
        for key, qx, n in (("parse100", "quick_xml100", 100), ("parse1000", "quick_xml1000", 1000)):
            if qx not in c:
                continue
            r = c[qx]["median_ns"] / c[key]["median_ns"]
            rows.append((f"Core: parsing a {n}-queue answer ({c[key]['bytes'] / 1024:.0f} KiB) into a typed page, against "
                         f"quick-xml's bare event loop over the same bytes", "≥ 1.0× its speed",
                         f"{r:.2f}× ({c[key]['mb_per_s']:.0f} MB/s against {c[qx]['bytes'] / (c[qx]['median_ns'] / 1e9) / 1e6:.0f} MB/s)", r >= 1.0))
    return rows


def markdown(results, args):
    facts = results["facts"]
    cfg = results["config"]
    L = []
    title = "Benchmark results" + (" (SMOKE RUN: tiny counts, numbers meaningless)" if results["smoke"] else "")
    L.append(f"# {title}\n")
    L.append(f"Made by `{args.command}` (bench/bench.py) on {facts['started_utc']}, in "
             f"{facts['duration_s'] / 60:.1f} minutes. Every figure below comes from that run; "
             f"`raw.json` beside this file has them all. How to read and rerun: [README.md](README.md).\n")

    if facts.get("other_cpu_share", 0) > 15:
        L.append(f"**Warning: other work used {facts['other_cpu_share']:.0f}% of all cores during this run, so "
                 f"absolute numbers are low and noisy; the alternating rounds keep the ratios fairer than the "
                 f"absolute figures.**\n")
    elif facts["cpu_busy_start"] > 25:
        L.append(f"**Warning: the machine was not quiet when this run started ({facts['cpu_busy_start']:.0f}% of all "
                 f"cores busy with other work), so absolute numbers are low and noisy; the alternating rounds keep the "
                 f"ratios fairer than the absolute figures.**\n")
    L.append("## Machine\n")
    L.append("| | |\n| --- | --- |")
    L.append(f"| cores (nproc) | {facts['nproc']} ({facts['cpu']}) |")
    L.append(f"| memory | {facts['mem_total']} |")
    L.append(f"| load average at start (1, 5, 15 min) | {' '.join(facts['loadavg_start'])} |")
    L.append(f"| all cores busy just before the run (2 s sample) | {facts['cpu_busy_start']:.0f}% |")
    L.append(f"| busiest processes at start | {'; '.join(facts['busiest_start']) or 'none above 5%'} |")
    if "other_cpu_share" in facts:
        L.append(f"| CPU used by other work during the run | {facts['other_cpu_share']:.0f}% of all cores "
                 f"(this run itself: {facts['own_cpu_share']:.0f}%) |")
    L.append(f"| busiest processes at end | {'; '.join(facts['busiest_end']) or 'none above 5%'} |")
    L.append(f"| load average at end | {' '.join(facts['loadavg_end'])} (includes this run's own load) |")
    L.append(f"| kernel | {facts['kernel']} |")
    for k, v in facts["versions"].items():
        L.append(f"| {k} | {v} |")
    L.append("")

    L.append("## Targets\n")
    L.append("| target | wanted | measured | |\n| --- | --- | --- | --- |")
    for name, want, got, ok in targets(results):
        L.append(f"| {name} | {want} | {got} | {met(ok)} |")
    L.append("")

    L.append("## The emulator is not the bottleneck\n")
    raw = results.get("raw")
    if raw:
        L.append("A raw keep-alive client (Go `net/http`: sign, send, read the body, no parsing; 8 workers for the "
                 "8-way column) against the same emulator, next to the fastest client measured on each case:\n")
        L.append("| case | raw client, sequential calls/s | raw client, 8-way calls/s | fastest client, 8-way calls/s | raw / fastest |")
        L.append("| --- | ---: | ---: | ---: | ---: |")
        for case in CASES:
            best = max(((v[case]["conc_cps"], k) for k, v in results["perf"].items() if case in v), default=(None, ""))
            L.append(f"| {CASE_LABEL[case]} | {fmt(raw[case]['seq_cps'])} | {fmt(raw[case]['conc_cps'])} | "
                     f"{fmt(best[0])} ({best[1]}) | {ratio(raw[case]['conc_cps'], best[0]):.1f}× |")
        L.append("")
        L.append("The raw client and the emulator share the same cores as every client (and the raw client's own "
                 "CPU work limits it), so these are lower bounds of the emulator's capacity.\n")
    cpu = results.get("cpu")
    if cpu:
        L.append("Where the CPU went while each client ran (all cases, all rounds): in the sequential phase client and "
                 "emulator share one core, so a client whose own CPU time dwarfs the emulator's is limited by "
                 "itself, not by the emulator.\n")
        L.append("| client | sequential: client CPU | emulator CPU | emulator's share | 8-way: client CPU | emulator CPU | emulator's share |")
        L.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
        for key, v in cpu.items():
            row = [key]
            for ph in ("seq", "conc"):
                c_s, e_s = v[ph]["client_s"], v[ph]["emulator_s"]
                row += [f"{c_s:.1f} s", f"{e_s:.1f} s", f"{100 * e_s / max(1e-9, c_s + e_s):.0f}%"]
            L.append("| " + " | ".join(row) + " |")
        L.append("")
    else:
        L.append("Not measured: the raw client is the Go program (bench/go/official), skipped in this run.\n")

    L.append("## Ours against Tencent's official SDKs\n")
    L.append(f"Each language's programs ran {cfg['rounds']} rounds, ours and official alternating (which goes first "
             f"flips each round), each measurement limited to {cfg['seconds']:g} s; figures are the median over the "
             f"rounds. Sequential: one client reused, one call after the other (p50/p99 of those calls)"
             + (", the program and an emulator of its own pinned together to CPU 0 (`taskset -c 0`), so the "
                "figures are the CPU cost of client plus emulator, not the time an idle vCPU takes to wake up "
                "(see README.md)" if results.get("pinned") else "") + ". 8-way, on both cores: "
             f"{cfg['workers']} concurrent callers sharing one client (threads in Python, async callers in Node with "
             f"`UV_THREADPOOL_SIZE=8` for both clients, goroutines in Go). Retries are off for both. The ratio is "
             f"ours / official (higher is better for us).\n")
    perf = results.get("perf", {})
    for lang in results["langs"]:
        o, f = perf.get(f"{lang}/ours", {}), perf.get(f"{lang}/official", {})
        L.append(f"### {LANG_LABEL[lang]}: ours against {OFFICIAL[lang]}\n")
        L.append("| case | ours calls/s | official calls/s | ratio | ratio per round | ours p50 / p99 | official p50 / p99 | ours 8-way calls/s | official 8-way calls/s | 8-way ratio |")
        L.append("| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |")
        for case in CASES:
            if case not in o or case not in f:
                continue
            a, b = o[case], f[case]
            per_round = ", ".join(f"{x / y:.1f}" for x, y in zip(a["seq_cps_all"], b["seq_cps_all"]))
            L.append(f"| {CASE_LABEL[case]} | {fmt(a['seq_cps'])} | {fmt(b['seq_cps'])} | {rx(ratio(a['seq_cps'], b['seq_cps']))} | "
                     f"{per_round} | {us(a['p50_us'])} / {us(a['p99_us'])} | {us(b['p50_us'])} / {us(b['p99_us'])} | "
                     f"{fmt(a['conc_cps'])} | {fmt(b['conc_cps'])} | {rx(ratio(a['conc_cps'], b['conc_cps']))} |")
        L.append("")
    if "go" not in results["langs"]:
        L.append(f"### Go: skipped\n\n{results.get('go_skip_reason') or 'Go was not run.'} bench/run.sh includes Go "
                 f"by itself once `bindings/go/go.mod` exists and `go` is installed.\n")
    L.append("![calls per second](calls_per_second.svg)\n")

    c = results.get("criterion")
    L.append("## Core microbenchmarks (criterion, `benches/core.rs`)\n")
    if c:
        L.append("Medians (criterion's 95% interval in brackets).\n")
        L.append("| benchmark | median | |\n| --- | ---: | --- |")
        def iv(r):
            return f"[{r['ci_low_ns'] / 1000:.2f}, {r['ci_high_ns'] / 1000:.2f}] µs"
        L.append(f"| signing: `sign/ai_queue_4_params_2_headers` | {c['sign']['median_ns'] / 1000:.2f} µs | {iv(c['sign'])} |")
        for key, n in (("parse100", 100), ("parse1000", 1000)):
            r = c[key]
            L.append(f"| parsing {n} queues ({r['bytes']:,} bytes): `parse_ai_queue_page/{n}_queues` | "
                     f"{r['median_ns'] / 1000:.1f} µs = **{r['mb_per_s']:.0f} MB/s** | {iv(r)} |")
            q = c.get(f"quick_xml{n}")
            if q:
                L.append(f"| quick-xml's bare event loop over the same bytes, building nothing: `parse_ai_queue_page/quick_xml_{n}_queues` | "
                         f"{q['median_ns'] / 1000:.1f} µs = {q['bytes'] / (q['median_ns'] / 1e9) / 1e6:.0f} MB/s | {iv(q)} |")
        L.append(f"| raw keep-alive GET of a 10-queue answer (ureq, body read, not parsed) | {c['raw_get']['median_ns'] / 1000:.1f} µs | {iv(c['raw_get'])} |")
        L.append(f"| `describe_ai_queues`, 10 queues, same request over the same stack | {c['call']['median_ns'] / 1000:.1f} µs | {iv(c['call'])} |")
        L.append(f"| our overhead: call / raw GET | **{c['call']['median_ns'] / c['raw_get']['median_ns']:.2f}×** | "
                 f"+{(c['call']['median_ns'] - c['raw_get']['median_ns']) / 1000:.1f} µs per call |")
        if "parse_call_answer" in c:
            extra = c['call']['median_ns'] - c['raw_get']['median_ns']
            parse = c['parse_call_answer']['median_ns']
            rest = extra - parse - c['sign']['median_ns']
            L.append(f"| of that overhead: parsing the same answer (`call_10_queues/parse_same_answer`) | "
                     f"{parse / 1000:.1f} µs | {iv(c['parse_call_answer'])} |")
            L.append(f"| of that overhead: signing, as above | {c['sign']['median_ns'] / 1000:.1f} µs | |")
            L.append(f"| of that overhead: the rest (building the request, per-call timeout, reading headers) | "
                     f"{rest / 1000:.1f} µs | by difference |")
        if "call_unpinned" in c:
            L.append(f"| for reference, on both cores: raw GET / call / ratio | {c['raw_get_unpinned']['median_ns'] / 1000:.1f} µs / "
                     f"{c['call_unpinned']['median_ns'] / 1000:.1f} µs / {c['call_unpinned']['median_ns'] / c['raw_get_unpinned']['median_ns']:.2f}× | "
                     f"{iv(c['raw_get_unpinned'])}, {iv(c['call_unpinned'])} |")
        L.append("")
        if results.get("pinned"):
            L.append("The benchmarks ran with `taskset -c 0`: the bench and the emulator it starts share one core, so "
                     "each loopback round trip costs the CPU work of both sides and no vCPU wake-up. On both cores, an "
                     "idle vCPU of this VM halts between requests and each round trip waits for it to wake up, "
                     "which adds tens of µs at random to either benchmark (the reference row).\n")
    elif results["smoke"]:
        L.append("Smoke run: `cargo test --features emulator --bench core` ran each benchmark once.\n")
    else:
        L.append("Not run (--no-criterion).\n")

    L.append("## Crossing into the library\n")
    ffi = results.get("ffi", {})
    if ffi:
        sign_core = c["sign"]["median_ns"] if c else None
        L.append("A call that does nothing (`ci_abi_version`) from each language, and `sign` through each binding "
                 "(the same request as the core's signing benchmark, so the difference is the binding's conversions "
                 "and the C ABI's copies).\n")
        L.append("| language | how | no-op call | `sign` through the binding | `sign` in the core (Rust) | binding's share of `sign` |")
        L.append("| --- | --- | ---: | ---: | ---: | ---: |")
        how = {"python": "ctypes (`CDLL`, GIL released)", "node": "koffi, synchronous", "go": "cgo"}
        for lang in results["langs"]:
            r = ffi[lang]
            core = f"{sign_core / 1000:.2f} µs" if sign_core else "-"
            share = f"{(r['sign_call_ns'] - sign_core) / 1000:.2f} µs" if sign_core else "-"
            L.append(f"| {LANG_LABEL[lang]} | {how[lang]} | {r['noop_call_ns']:,.0f} ns | {r['sign_call_ns'] / 1000:.2f} µs | {core} | {share} |")
            if lang == "node" and "async_noop_call_ns" in r:
                L.append(f"| Node | koffi `.async` (libuv pool and back, as every call of ours) | {r['async_noop_call_ns']:,.0f} ns | | | |")
        L.append("")
        if all("split" in ffi[lang] for lang in results["langs"]):
            L.append("Where a call's time goes: the median time of one sequential call through the binding, against the "
                     "same C call (`ci_describe_*` then `ci_free`, from the same language, through the same FFI, "
                     "the C result freed unread). The difference is the binding turning the C result into the "
                     "language's objects; the rest is the core (request, signing, HTTP, parsing, building the C result) "
                     "and the emulator.\n")
            L.append("| language | case | through the binding | the C call alone | binding's conversion | share of the call |")
            L.append("| --- | --- | ---: | ---: | ---: | ---: |")
            for lang in results["langs"]:
                for case, r in ffi[lang]["split"].items():
                    conv = r["binding_us"] - r["c_only_us"]
                    L.append(f"| {LANG_LABEL[lang]} | {CASE_LABEL[case]} | {us(r['binding_us'])} | {us(r['c_only_us'])} | "
                             f"{us(conv)} | {100 * conv / r['binding_us']:.0f}% |")
            L.append("")

    if results.get("listing"):
        import listing
        L.append(listing.markdown(results["listing"], results["listing_latency_ms"]))
        L.append("![listing wall time](listing.svg)\n")

    L.append("## Memory\n")
    rss = results.get("rss", {})
    if rss:
        any_r = next(iter(rss.values()))
        L.append(f"Peak RSS (VmHWM) of a fresh process making {any_r['calls']:,} sequential calls "
                 f"({CASE_LABEL[any_r['case']]}) with one client, and its RSS after the first call (interpreter, "
                 f"libraries and client loaded).\n")
        L.append("| language | ours peak | official peak | ratio | ours after 1st call | official after 1st call | ours growth | official growth |")
        L.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for lang in results["langs"]:
            a, b = rss[f"{lang}/ours"], rss[f"{lang}/official"]
            L.append(f"| {LANG_LABEL[lang]} | {kib(a['peak_rss_kib'])} | {kib(b['peak_rss_kib'])} | "
                     f"{a['peak_rss_kib'] / b['peak_rss_kib']:.2f}× | {kib(a['rss_after_first_call_kib'])} | "
                     f"{kib(b['rss_after_first_call_kib'])} | {kib(a['peak_rss_kib'] - a['rss_after_first_call_kib'])} | "
                     f"{kib(b['peak_rss_kib'] - b['rss_after_first_call_kib'])} |")
        L.append("")
        L.append("Lower is better here: a ratio below 1 means ours uses less.\n")

    L.append("## How each client reached the emulator\n")
    L.append("- Ours (all languages): `connect_to=127.0.0.1:PORT`, scheme http, proxy disabled, production Host and signature.")
    L.append("- cos-python-sdk-v5: `CosConfig(Scheme='http', Proxies={'http': 'http://127.0.0.1:PORT'})` (absolute-form requests).")
    L.append("- cos-nodejs-sdk-v5: `new COS({Ip: '127.0.0.1:PORT'})`: the SDK dials that address and sends the production Host (KeepAlive on, its default).")
    L.append("- cos-go-sdk-v5: `cos.NewClient` with `CIURL` set to the production host, over an `http.Transport` whose dialer "
             "dials 127.0.0.1:PORT (64 idle connections per host, so 8 workers never reconnect).")
    L.append(f"- The 100-queue page comes from a fixture with a bucket of 150 queues (`{__import__('bench').BUCKET}`), "
             "made from `ci-emulator --dump-fixture` by bench.py; every client is checked first to get status 200 and "
             "exactly 10 or 100 items on each case, and every timed call checks its item count again.\n")
    return "\n".join(L)
