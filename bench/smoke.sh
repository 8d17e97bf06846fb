#!/usr/bin/env bash
# What `make test` runs for bench/: every benchmark program once with a tiny
# count (debug builds, a few seconds each) so none can rot: the Python, Node and
# Go programs for ours and the official SDKs (each checked for status 200 and
# the expected item counts), the raw client, RSS and FFI modes, the report and
# chart writers, and criterion's benches/core.rs once each (as a test).
# Writes only under target/bench/smoke/. Fails if anything fails.
set -euo pipefail
BENCH_PROFILE=debug
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/_setup.sh"
exec "$PYTHON" "$bench_dir/bench.py" --smoke "${BENCH_ARGS[@]}" --out-dir "$root/target/bench/smoke" --command "bench/smoke.sh" "$@"
