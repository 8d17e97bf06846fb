#!/usr/bin/env bash
# The Node example against a private ci-emulator: each service's buckets and
# examplebucket-1250000000's queues of each kind, as compact tables.
# Expects `make build` to have run.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
if [ ! -d "$here/node_modules/koffi" ]; then
  (cd "$here" && npm ci --no-audit --no-fund --omit=dev >&2)
fi
cd "$repo"
export CLOUD_INFINITE_LIB=${CLOUD_INFINITE_LIB:-$repo/target/debug/libcloud_infinite.so}
exec scripts/with-emulator.sh --emulator "${CI_EMULATOR_BIN:-target/debug/ci-emulator}" -- node "$here/examples/list.js"
