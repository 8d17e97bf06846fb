#!/usr/bin/env bash
# `make demo` for Python: a private emulator, then examples/list_all.py
# against it (the first buckets of each service and count, then the first
# queues of each kind of examplebucket-1250000000, through the generated calls).
# Needs `make build` (the debug library and the emulator); the package has no
# dependencies, so the system python3 runs it straight from the source tree.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"
export PYTHONPATH="$here/src${PYTHONPATH:+:$PYTHONPATH}"
export CLOUD_INFINITE_LIB=${CLOUD_INFINITE_LIB:-$root/target/debug/libcloud_infinite.so}
exec scripts/with-emulator.sh -- python3 "$here/examples/list_all.py" "$@"
