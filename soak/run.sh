#!/usr/bin/env bash
# Soak (issues 8 and 17): 4 threads sharing one client, from C, Python, Node
# and Go, each against a private release ci-emulator on 127.0.0.1. Each must
# end with zero errors, RSS flat (sampled at every 5% of the calls; growth
# from the end of the warm-up, the first 10%, to the end under a bound), the
# library's live objects back to their baseline and no file descriptor
# leaked; each prints a "soak <lang>: key=value ..." line with its figures,
# a line of its RSS samples, then PASS or FAIL. See soak/README.md.
#
#   soak/run.sh            10^6 calls per language: 4 x 250,000 each (make soak)
#   soak/run.sh --short    C and Go 4 x 2,000, Python and Node 4 x 500 (make test)
#
# Builds the release emulator (cargo build --release --features emulator
# --bin ci-emulator). The library is the one `make build` makes
# (target/debug); SOAK_LIB_DIR=target/release uses the one `make install`
# makes (cargo rustc --release --lib --crate-type cdylib,staticlib), which
# `make soak` builds and uses. C, Python and Node load the shared library,
# Go links the static one from the same directory (scripts/dist/go-dev-env.sh).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

short=0
[ "${1:-}" = "--short" ] && short=1
if [ $short = 1 ]; then
  c_calls=2000 go_calls=2000 py_calls=500 node_calls=500 limit=300
  # A short run's warm-up (its first 10%, 200 calls in Python) leaves the
  # allocators less settled than 100,000 calls do: the bounds of issue 8.
  export CI_SOAK_MAX_RSS_GROWTH_KIB=${CI_SOAK_MAX_RSS_GROWTH_KIB:-8192}
else
  c_calls=250000 go_calls=250000 py_calls=250000 node_calls=250000 limit=1200
fi

lib_dir=${SOAK_LIB_DIR:-target/debug}
lib="$root/$lib_dir/libcloud_infinite.so"
[ -f "$lib" ] && [ -f "$root/$lib_dir/libcloud_infinite.a" ] || {
  echo "soak: $lib (or its .a) is missing: run \`make build\` (or cargo rustc --release --lib --crate-type cdylib,staticlib for target/release)" >&2
  exit 2
}
case "$lib_dir" in
  target/*) ;;
  *) echo "soak: SOAK_LIB_DIR must be target/<profile> (the Go build links it through scripts/dist/go-dev-env.sh)" >&2; exit 2 ;;
esac

# Programs linked with -lcloud_infinite ask the loader for the SONAME, which
# `make build` links in target/debug; the release build makes none.
abi=$(sed -n 's/^pub const CI_ABI_VERSION: u32 = \([0-9]*\);/\1/p' src/ffi/mod.rs)
[ -e "$lib_dir/libcloud_infinite.so.$abi" ] || ln -sf libcloud_infinite.so "$lib_dir/libcloud_infinite.so.$abi"

cargo build --quiet --release --features emulator --bin ci-emulator
emulator=target/release/ci-emulator

mkdir -p target/soak
${CC:-cc} -std=c99 -Wall -Wextra -Werror -pedantic -O2 -g -Iinclude soak/soak.c \
  -L"$lib_dir" -Wl,-rpath,"$root/$lib_dir" -lcloud_infinite -lpthread -o target/soak/soak

# Go: the developer build (tag cloudinfinite_dev) of bindings/go against this
# checkout's static library; soak/go/go.mod replaces the module with ../../bindings/go.
(
  source scripts/dist/go-dev-env.sh "${lib_dir#target/}"
  cd soak/go && go build -tags "$CLOUDINFINITE_GO_TAGS" -o "$root/target/soak/soak-go" .
)

py=python3
[ -x bindings/python/.venv/bin/python ] && py=bindings/python/.venv/bin/python
if [ ! -d bindings/node/node_modules/koffi ]; then
  (cd bindings/node && npm ci --no-audit --no-fund --silent)
fi

passed=0
failed=0
run() {  # name, command...
  local name=$1 started=$SECONDS; shift
  echo "== soak $name"
  if timeout "$limit" scripts/with-emulator.sh --emulator "$emulator" -- "$@"; then
    passed=$((passed + 1))
  else
    echo "soak $name: FAILED (or ran past ${limit}s)" >&2
    failed=$((failed + 1))
  fi
  echo "soak $name: $((SECONDS - started)) s with the emulator's start and stop"
}
run c target/soak/soak --threads 4 --calls-per-thread "$c_calls"
run go target/soak/soak-go --threads 4 --calls-per-thread "$go_calls"
run python env PYTHONPATH="$root/bindings/python/src" CLOUD_INFINITE_LIB="$lib" \
  "$py" soak/soak.py --threads 4 --calls-per-thread "$py_calls"
# The young generation pinned at V8's largest (2 x 16 MiB semi-spaces): V8
# otherwise grows it in steps under allocation pressure at points no one
# can predict (+12 MiB over 250,000 calls), which is its policy, not a leak,
# and would swamp the RSS bound. The used JS heap is checked on its own.
run node env CLOUD_INFINITE_LIB="$lib" node --min-semi-space-size=16 --max-semi-space-size=16 soak/soak.js --threads 4 --calls-per-thread "$node_calls"
# The plain closing line test runners share.
echo "soak: $passed passed, $failed failed"
[ "$failed" = 0 ]
