#!/usr/bin/env python3
"""One version for every package: Cargo.toml's [package] version.

    scripts/dist/versions.py            print it
    scripts/dist/versions.py --check    fail (exit 1) naming every committed manifest that disagrees
    scripts/dist/versions.py --write    rewrite them all to Cargo.toml's version

The copies are committed because each ecosystem's own tools read them
(pip/hatchling, npm, a Python user's `cloud_infinite.__version__`); the Go
module's version is its tag, v<version>, which `make dist` derives, and the
Node platform packages and the main package's optionalDependencies are
stamped by `make dist` too. `make test-dist` runs --check (tests/dist/run.sh).
"""

from __future__ import annotations

import json
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def cargo_version() -> str:
    return tomllib.loads((ROOT / "Cargo.toml").read_text())["package"]["version"]


def _regex(path: str, pattern: str):
    """A copy held in a text file: group 1 of `pattern` (one match)."""

    def get() -> str:
        m = re.search(pattern, (ROOT / path).read_text(), re.M)
        if not m:
            raise SystemExit(f"versions.py: no version found in {path} (pattern {pattern!r})")
        return m.group(1)

    def put(v: str) -> None:
        text = (ROOT / path).read_text()
        m = re.search(pattern, text, re.M)
        (ROOT / path).write_text(text[: m.start(1)] + v + text[m.end(1) :])

    return path, get, put


def _json(path: str, *keys: str):
    def get() -> str:
        node = json.loads((ROOT / path).read_text())
        for k in keys:
            node = node[k]
        return node

    def put(v: str) -> None:
        data = json.loads((ROOT / path).read_text())
        node = data
        for k in keys[:-1]:
            node = node[k]
        node[keys[-1]] = v
        (ROOT / path).write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")

    return f"{path} ({'.'.join(keys)})", get, put


def copies():
    yield _regex("Cargo.lock", r'^name = "cloud-infinite"\nversion = "([^"]+)"')
    yield _regex("bindings/python/pyproject.toml", r'^version = "([^"]+)"')
    yield _regex("bindings/python/src/cloud_infinite/__init__.py", r'^__version__ = "([^"]+)"')
    yield _json("bindings/node/package.json", "version")
    yield _json("bindings/node/package-lock.json", "version")
    yield _json("bindings/node/package-lock.json", "packages", "", "version")
    for template in sorted((ROOT / "bindings/node/npm").glob("*/package.json")):
        yield _json(str(template.relative_to(ROOT)), "version")


def main(argv: list[str]) -> int:
    version = cargo_version()
    if not argv:
        print(version)
        return 0
    if argv == ["--check"]:
        bad = [f"  {name}: {got!r}" for name, get, _ in copies() if (got := get()) != version]
        if bad:
            print(f"versions.py: Cargo.toml says {version!r}, but these committed copies disagree "
                  "(run scripts/dist/versions.py --write):", *bad, sep="\n", file=sys.stderr)
            return 1
        print(f"versions: every manifest says {version} (Cargo.toml)")
        return 0
    if argv == ["--write"]:
        for name, get, put in copies():
            if get() != version:
                put(version)
                print(f"versions.py: {name} -> {version}")
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
