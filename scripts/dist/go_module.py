#!/usr/bin/env python3
"""Writes the Go module github.com/cloud-infinite/cloud-infinite-go@v<version>
as a GOPROXY directory (what `GOPROXY=file:///...` or any static file server
serves):

    <out>/github.com/cloud-infinite/cloud-infinite-go/@v/list
    <out>/github.com/cloud-infinite/cloud-infinite-go/@v/v<version>.info
    <out>/github.com/cloud-infinite/cloud-infinite-go/@v/v<version>.mod
    <out>/github.com/cloud-infinite/cloud-infinite-go/@v/v<version>.zip

The zip follows golang.org/x/mod/zip's layout: every file under the prefix
`<module>@v<version>/`, the files git tracks in bindings/go, plus what git
never holds: the prebuilt stripped static library and the header at the
paths link_prebuilt.go names (internal/lib/linux-amd64/libcloud_infinite.a,
internal/include/cloud_infinite.h), the way wasmtime-go ships its library.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MODULE_DIR = ROOT / "bindings" / "go"
# Entries are stamped with one fixed time so that the same inputs give the same zip.
STAMP = (2026, 1, 1, 0, 0, 0)


def module_path() -> str:
    for line in (MODULE_DIR / "go.mod").read_text().splitlines():
        if line.startswith("module "):
            return line.split()[1]
    raise SystemExit("go_module.py: bindings/go/go.mod has no module line")


def tracked_files() -> list[str]:
    out = subprocess.run(["git", "ls-files", "-z", "--", "."], cwd=MODULE_DIR, check=True, capture_output=True).stdout
    # Only files that exist (a file deleted but not yet committed is not shipped).
    return sorted(f for f in out.decode().split("\0") if f and (MODULE_DIR / f).is_file())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--version", required=True, help="without the v")
    ap.add_argument("--lib", required=True, type=Path, help="the stripped release libcloud_infinite.a (linux/amd64)")
    ap.add_argument("--header", required=True, type=Path)
    ap.add_argument("--out", required=True, type=Path)
    args = ap.parse_args()

    mod = module_path()
    if mod.lower() != mod:
        raise SystemExit("go_module.py: a module path with capitals needs the proxy's !-escaping, which this does not do")
    tag = f"v{args.version}"
    prefix = f"{mod}@{tag}/"
    extra = {
        "internal/lib/linux-amd64/libcloud_infinite.a": args.lib,
        "internal/include/cloud_infinite.h": args.header,
    }
    at = args.out / mod / "@v"
    at.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(at / f"{tag}.zip", "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name in tracked_files():
            if name in extra:
                continue
            info = zipfile.ZipInfo(prefix + name, STAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, (MODULE_DIR / name).read_bytes())
        for name, source in extra.items():
            info = zipfile.ZipInfo(prefix + name, STAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, source.read_bytes())
    (at / f"{tag}.mod").write_bytes((MODULE_DIR / "go.mod").read_bytes())
    (at / f"{tag}.info").write_text(json.dumps({"Version": tag, "Time": "2026-01-01T00:00:00Z"}) + "\n")
    (at / "list").write_text(tag + "\n")
    print(at / f"{tag}.zip")


if __name__ == "__main__":
    main()
