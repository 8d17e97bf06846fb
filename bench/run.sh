#!/usr/bin/env bash
# `make bench`: our bindings against Tencent's official SDKs (Python, Node, Go)
# on the same requests to a local ci-emulator, in the same run; the core's
# criterion microbenchmarks; peak RSS; the cost of crossing into the library.
# Writes bench/RESULTS.md, bench/calls_per_second.svg and bench/raw.json, and
# prints the tables. About 6-8 minutes on 2 cores. Run it on a quiet machine.
#   bench/run.sh [bench.py options, e.g. --rounds 5 --seconds 2]
set -euo pipefail
BENCH_PROFILE=release
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/_setup.sh"
exec "$PYTHON" "$bench_dir/bench.py" "${BENCH_ARGS[@]}" --out-dir "$bench_dir" --command "make bench" "$@"
