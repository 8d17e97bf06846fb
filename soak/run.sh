#!/usr/bin/env bash
# Soak (issue 8): 4 threads sharing one client, from C, Python and Node,
# each against a private release ci-emulator on 127.0.0.1. Each must end
# with zero errors, RSS flat and no file descriptor leaked; each prints a
# "soak <lang>: key=value ..." line with its figures, then PASS or FAIL.
#
#   soak/run.sh            C 4 x 50,000 calls, Python 4 x 10,000, Node 4 x 10,000
#   soak/run.sh --short    C 4 x 2,000,  Python 4 x 500,    Node 4 x 500  (for make test)
#
# Builds the release emulator (cargo build --release --features emulator
# --bin ci-emulator). The library is the one `make build` makes
# (target/debug); SOAK_LIB_DIR=target/release uses the one `make install`
# makes (cargo rustc --release --lib --crate-type cdylib,staticlib). Python and Node load the same file.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

short=0
[ "${1:-}" = "--short" ] && short=1
if [ $short = 1 ]; then c_calls=2000 py_calls=500 node_calls=500 limit=300
else c_calls=50000 py_calls=10000 node_calls=10000 limit=1800; fi

lib_dir=${SOAK_LIB_DIR:-target/debug}
lib="$root/$lib_dir/libcloud_infinite.so"
[ -f "$lib" ] || { echo "soak: $lib is missing: run \`make build\` (or cargo rustc --release --lib --crate-type cdylib,staticlib for target/release)" >&2; exit 2; }

cargo build --quiet --release --features emulator --bin ci-emulator
emulator=target/release/ci-emulator

mkdir -p target/soak
${CC:-cc} -std=c99 -Wall -Wextra -Werror -pedantic -O2 -g -Iinclude soak/soak.c \
  -L"$lib_dir" -Wl,-rpath,"$root/$lib_dir" -lcloud_infinite -lpthread -o target/soak/soak

py=python3
[ -x bindings/python/.venv/bin/python ] && py=bindings/python/.venv/bin/python
if [ ! -d bindings/node/node_modules/koffi ]; then
  (cd bindings/node && npm ci --no-audit --no-fund --silent)
fi

passed=0
failed=0
run() {  # name, command...
  local name=$1; shift
  echo "== soak $name"
  if timeout "$limit" scripts/with-emulator.sh --emulator "$emulator" -- "$@"; then
    passed=$((passed + 1))
  else
    echo "soak $name: FAILED (or ran past ${limit}s)" >&2
    failed=$((failed + 1))
  fi
}
run c target/soak/soak --threads 4 --calls-per-thread "$c_calls"
run python env PYTHONPATH="$root/bindings/python/src" CLOUD_INFINITE_LIB="$lib" \
  "$py" soak/soak.py --threads 4 --calls-per-thread "$py_calls"
run node env CLOUD_INFINITE_LIB="$lib" node soak/soak.js --threads 4 --calls-per-thread "$node_calls"
# The plain closing line test runners share.
echo "soak: $passed passed, $failed failed"
[ "$failed" = 0 ]
