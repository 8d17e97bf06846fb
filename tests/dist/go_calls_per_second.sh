#!/usr/bin/env bash
# Go's calls/s with the default link before issue 14 (the checkout's static
# debug library, now tag cloudinfinite_dev) and after (the module zip's
# prebuilt release library, default tags): the same program (go_calls.go.txt),
# both against one emulator, one after the other.
#   tests/dist/go_calls_per_second.sh [N]     (after make build and make dist; N = 5000)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
n=${1:-5000}
version=$("$root/scripts/dist/versions.py")
module=github.com/cloud-infinite/cloud-infinite-go
work=$(mktemp -d "${TMPDIR:-/tmp}/ci-go-calls-XXXXXX")
trap 'chmod -R u+w "$work"; rm -rf "$work"' EXIT
export GOFLAGS=-mod=mod GOTOOLCHAIN=local GOWORK=off GOSUMDB=off
for variant in debug release; do
  mkdir -p "$work/$variant"
  cp "$root/tests/dist/go_calls.go.txt" "$work/$variant/main.go"
  (
    cd "$work/$variant"
    go mod init example.com/calls >/dev/null 2>&1
    if [ $variant = debug ]; then
      go mod edit -require "$module@v0.0.0" -replace "$module=$root/bindings/go"
      source "$root/scripts/dist/go-dev-env.sh" debug
      go build -tags "$CLOUDINFINITE_GO_TAGS" -o calls .
    else
      GOPROXY="file://$root/dist/goproxy" GOMODCACHE="$work/modcache" go get "$module@v$version" >/dev/null 2>&1
      GOPROXY=off GOMODCACHE="$work/modcache" go build -o calls .
    fi
  )
done
# The release emulator when there is one (soak/run.sh builds it), so that the server is not the bottleneck.
emulator=$root/target/release/ci-emulator
[ -x "$emulator" ] || emulator=$root/target/debug/ci-emulator
echo "emulator: $emulator"
"$root/scripts/with-emulator.sh" --emulator "$emulator" -- bash -c \
  "'$work/debug/calls' $n 'before: debug library (tag cloudinfinite_dev)'; '$work/release/calls' $n 'after: prebuilt release library (default tags)'"
