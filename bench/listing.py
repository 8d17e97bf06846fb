"""The listing benchmark (issue 16): every page of 1,000 pic buckets, 100 per
page (10 pages), from an emulator that adds LATENCY_MS to every request, as a
real link does. Our bindings walk the pages one at a time (concurrency 1)
and in parallel (the default); Tencent's official SDKs, which have no pager,
walk them one request after another as their users do. Each program's "list"
mode times RUNS walks after one warm-up walk, on one client, and checks that
every walk got all 1,000 buckets in order."""

import json
import subprocess

TOTAL = 1000
PAGE_SIZE = 100
LATENCY_MS = 50
RUNS = 5

# (lang, impl, variant): ours walks with `concurrency` 1 and with the default.
VARIANTS = [("ours", "sequential"), ("ours", "parallel"), ("official", "sequential")]


def make_fixture(emulator, path, total=TOTAL):
    """`total` pic buckets and nothing else (every other list is empty)."""
    fixture = json.loads(subprocess.run([emulator, "--dump-fixture"], check=True, capture_output=True,
                                        text=True, timeout=60).stdout)
    fixture["buckets"] = [{
        "name": f"list{i:04d}-1250000000", "region": "ap-guangzhou", "create_time": "2022-08-09T16:23:11+0800",
        "bucket_lists": {"pic_buckets": {"alias_bucket_id": None}}, "queues": {}, "fault": None,
    } for i in range(total)]
    with open(path, "w") as f:
        json.dump(fixture, f)


def run(runner, langs, smoke):
    """Every variant of every language once; {"lang/impl variant": program output}."""
    cfg = dict(total=TOTAL, size=PAGE_SIZE, runs=1 if smoke else RUNS)
    out = {}
    for lang in langs:
        for impl, variant in VARIANTS:
            out[f"{lang}/{impl} {variant}"] = runner.run(lang, impl, "list", variant=variant, **cfg)
    return out


def median(xs):
    xs = sorted(xs)
    n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2


def markdown(listing, latency_ms):
    """The RESULTS.md section: median wall time of a whole listing, and what
    it is worth in round trips."""
    lines = [
        f"## Listing everything: 1,000 buckets in 10 pages over a {latency_ms} ms link",
        "",
        f"Every page of `DescribePicProcessBucket` (`pageSize=100`, 1,000 buckets) from an emulator "
        f"that waits {latency_ms} ms before each answer (`--latency-ms`). Median wall time of "
        f"{listing[next(iter(listing))]['runs']} walk(s) after a warm-up, each checked for all 1,000 buckets in order. "
        "Ours walks one page at a time (concurrency 1) and with its default, which fetches the other nine pages "
        "together once the first tells TotalCount; the official SDKs have no pager and walk one request after another.",
        "",
        "| language | ours, one page at a time | ours, parallel pages | official SDK | parallel vs official |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    langs = sorted({k.split("/")[0] for k in listing}, key=["python", "node", "go"].index)
    for lang in langs:
        seq = median(listing[f"{lang}/ours sequential"]["walls_s"])
        par = median(listing[f"{lang}/ours parallel"]["walls_s"])
        off = median(listing[f"{lang}/official sequential"]["walls_s"])
        lines.append(f"| {lang} | {seq * 1000:.0f} ms ({seq * 1000 / latency_ms:.1f} RTT) | "
                     f"{par * 1000:.0f} ms ({par * 1000 / latency_ms:.1f} RTT) | "
                     f"{off * 1000:.0f} ms ({off * 1000 / latency_ms:.1f} RTT) | {off / par:.1f}x |")
    lines.append("")
    return "\n".join(lines)


def svg(listing, latency_ms, smoke=False):
    """listing.svg: one row of three bars (ours sequential, ours parallel,
    official) per language, wall time of a whole listing; hand-written SVG."""
    from xml.sax.saxutils import escape
    colours = {"ours sequential": "#9ecae1", "ours parallel": "#2b7bb9", "official sequential": "#f28e2b"}
    labels = {"ours sequential": "ours, one page at a time", "ours parallel": "ours, parallel pages",
              "official sequential": "official SDK"}
    langs = sorted({k.split("/")[0] for k in listing}, key=["python", "node", "go"].index)
    walls = {k: median(v["walls_s"]) * 1000 for k, v in listing.items()}
    top_ms = max(walls.values()) * 1.15 if walls else 1
    left, top, bar, gap, width = 90, 60, 18, 16, 720
    plot = width - left - 80
    height = top + len(langs) * (3 * bar + gap) + 40
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
           f'font-family="Helvetica, Arial, sans-serif" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{left}" y="22" font-size="15" font-weight="bold">Listing 1,000 buckets (10 pages) over a '
           f'{latency_ms} ms link: wall time{" (smoke run)" if smoke else ""}</text>']
    x = left
    for key, colour in colours.items():
        out.append(f'<rect x="{x}" y="32" width="12" height="12" fill="{colour}"/><text x="{x + 16}" y="42">{escape(labels[key])}</text>')
        x += 190
    for i, lang in enumerate(langs):
        y0 = top + i * (3 * bar + gap)
        out.append(f'<text x="{left - 8}" y="{y0 + 1.5 * bar + 4}" text-anchor="end" font-weight="bold">{escape(lang.capitalize())}</text>')
        for j, key in enumerate(colours):
            ms = walls.get(f"{lang}/{key}")
            if ms is None:
                continue
            w = plot * ms / top_ms
            y = y0 + j * bar
            out.append(f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{bar - 3}" fill="{colours[key]}"/>')
            out.append(f'<text x="{left + w + 4:.1f}" y="{y + bar - 6}">{ms:.0f} ms</text>')
    out.append("</svg>")
    return "\n".join(out)
