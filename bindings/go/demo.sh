#!/usr/bin/env bash
# Lists the buckets of every service and the queues of every kind of
# examplebucket-1250000000 through the Go binding (cmd/ci-demo), against a
# private ci-emulator.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
command -v go >/dev/null || { echo "bindings/go/demo.sh: go is not installed (Go >= 1.23 is needed)" >&2; exit 2; }
if [ ! -f "$root/target/debug/libcloud_infinite.a" ] || [ ! -x "$root/target/debug/ci-emulator" ]; then
  (cd "$root" && make build)
fi
source "$root/scripts/dist/go-dev-env.sh" debug
(cd "$here" && go build -tags "$CLOUDINFINITE_GO_TAGS" -o "$here/.build/ci-demo" ./cmd/ci-demo)
cd "$root"
exec scripts/with-emulator.sh --emulator "${CI_EMULATOR_BIN:-target/debug/ci-emulator}" -- "$here/.build/ci-demo" "$@"
