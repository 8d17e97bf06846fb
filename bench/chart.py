"""calls_per_second.svg: grouped bars of calls/s, ours against the official
SDK, one panel per language (sequential on top, 8-way concurrent below),
written by hand (no plotting dependency)."""

from xml.sax.saxutils import escape

OURS = "#2b7bb9"
OFFICIAL = "#f28e2b"
CASE_SHORT = {"pic10": "pic 10", "pic100": "pic 100", "queue10": "queue 10", "queue100": "queue 100"}
LANG_LABEL = {"python": "Python", "node": "Node", "go": "Go"}


def nice_max(v):
    if v <= 0:
        return 1
    import math
    e = 10 ** math.floor(math.log10(v))
    for m in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if m * e >= v:
            return m * e
    return 10 * e


def calls_per_second_svg(results):
    perf = results.get("perf", {})
    langs = results["langs"]
    cases = ["pic10", "pic100", "queue10", "queue100"]
    pw, ph = 360, 230  # panel size
    left, top, gap = 60, 70, 40
    width = left + len(langs) * (pw + gap)
    height = top + 2 * (ph + 70) + 10
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="Helvetica, Arial, sans-serif" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{left}" y="24" font-size="16" font-weight="bold">Calls per second: cloud-infinite (ours) '
           f'against Tencent\'s official SDKs{" (smoke run)" if results.get("smoke") else ""}</text>',
           f'<rect x="{left}" y="36" width="12" height="12" fill="{OURS}"/>'
           f'<text x="{left + 18}" y="46">ours (binding over the Rust core)</text>',
           f'<rect x="{left + 250}" y="36" width="12" height="12" fill="{OFFICIAL}"/>'
           f'<text x="{left + 268}" y="46">official SDK</text>',
           f'<text x="{left + 380}" y="46" fill="#555">label above each pair: ours / official; '
           f'median of {results["config"]["rounds"]} alternating rounds</text>']
    for row, (metric, title) in enumerate((("seq_cps", "sequential, one client"),
                                           ("conc_cps", f"{results['config']['workers']}-way concurrent"))):
        y0 = top + row * (ph + 70)
        for i, lang in enumerate(langs):
            o, f = perf.get(f"{lang}/ours", {}), perf.get(f"{lang}/official", {})
            x0 = left + i * (pw + gap)
            vals = [v[c][metric] for v in (o, f) for c in cases if c in v]
            ymax = nice_max(max(vals) * 1.08 if vals else 1)
            out.append(f'<text x="{x0 + pw / 2}" y="{y0 - 8}" text-anchor="middle" font-weight="bold">'
                       f'{escape(LANG_LABEL[lang])}: {escape(title)}</text>')
            for k in range(5):
                v = ymax * k / 4
                y = y0 + ph - ph * k / 4
                out.append(f'<line x1="{x0}" x2="{x0 + pw}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
                out.append(f'<text x="{x0 - 4}" y="{y + 4:.1f}" text-anchor="end" fill="#555">{v:,.0f}</text>')
            gw = pw / len(cases)
            bw = gw * 0.32
            for j, c in enumerate(cases):
                gx = x0 + j * gw + gw * 0.18
                pair = []
                for k, (src, color) in enumerate(((o, OURS), (f, OFFICIAL))):
                    if c not in src:
                        continue
                    v = src[c][metric]
                    pair.append(v)
                    h = ph * v / ymax
                    x = gx + k * bw
                    out.append(f'<rect x="{x:.1f}" y="{y0 + ph - h:.1f}" width="{bw:.1f}" height="{h:.1f}" fill="{color}">'
                               f'<title>{escape(LANG_LABEL[lang])} {"ours" if k == 0 else "official"} {CASE_SHORT[c]}: '
                               f'{v:,.0f} calls/s</title></rect>')
                if len(pair) == 2 and pair[1]:
                    top_y = y0 + ph - ph * max(pair) / ymax - 5
                    out.append(f'<text x="{gx + bw:.1f}" y="{top_y:.1f}" text-anchor="middle" font-weight="bold">'
                               f'{pair[0] / pair[1]:.1f}×</text>')
                out.append(f'<text x="{gx + bw:.1f}" y="{y0 + ph + 16}" text-anchor="middle">{CASE_SHORT[c]}</text>')
            out.append(f'<line x1="{x0}" x2="{x0 + pw}" y1="{y0 + ph}" y2="{y0 + ph}" stroke="#333"/>')
            out.append(f'<text x="{x0 + pw / 2}" y="{y0 + ph + 34}" text-anchor="middle" fill="#555">'
                       f'page size (items); y: calls/s</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"
