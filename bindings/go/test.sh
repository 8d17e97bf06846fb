#!/usr/bin/env bash
# The Go binding's checks: gofmt and go vet, then every test with the race detector
# against private ci-emulators (each test starts and stops its own on
# 127.0.0.1), the package's tests again under cgocheck2, then the pkg-config route (build tag cloudinfinite_pkgconfig)
# against a prefix laid out like `make install` but pointing at target/debug.
# Needs Go >= 1.23 and pkg-config; uses nothing but the standard library.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)

command -v go >/dev/null || { echo "bindings/go/test.sh: go is not installed (Go >= 1.23 is needed)" >&2; exit 2; }
command -v pkg-config >/dev/null || { echo "bindings/go/test.sh: pkg-config is not installed" >&2; exit 2; }
if [ ! -f "$root/target/debug/libcloud_infinite.a" ] || [ ! -x "$root/target/debug/ci-emulator" ]; then
  # A fresh clone: build what the tests link and talk to (make build does the same and more).
  (cd "$root" && make build)
fi
export CI_EMULATOR_BIN=${CI_EMULATOR_BIN:-$root/target/debug/ci-emulator}
# The developer build: tag cloudinfinite_dev, target/debug/libcloud_infinite.a through CGO_LDFLAGS.
source "$root/scripts/dist/go-dev-env.sh" debug
tags=$CLOUDINFINITE_GO_TAGS
cd "$here"

# A prefix laid out as `make install` makes, for the pkg-config route.
prefix="$here/.build/prefix"
rm -rf "$prefix"
mkdir -p "$prefix/lib/pkgconfig" "$prefix/include"
ln -s "$root/target/debug/libcloud_infinite.so" "$prefix/lib/"
# The name the loader asks for: the SONAME carries the C ABI version.
abi=$(sed -n 's/^pub const CI_ABI_VERSION: u32 = \([0-9]*\);/\1/p' "$root/src/ffi/mod.rs")
ln -s "$root/target/debug/libcloud_infinite.so" "$prefix/lib/libcloud_infinite.so.$abi"
ln -s "$root/target/debug/libcloud_infinite.a" "$prefix/lib/"
ln -s "$root/include/cloud_infinite.h" "$prefix/include/"
version=$(sed -n 's/^version = "\(.*\)"/\1/p' "$root/Cargo.toml" | head -n1)
sed -e "s|@PREFIX@|$prefix|" -e "s|@VERSION@|$version|" "$root/cloud_infinite.pc.in" >"$prefix/lib/pkgconfig/cloud_infinite.pc"

echo "== gofmt (the generated *_gen.go files included)"
unformatted=$(gofmt -l .)
if [ -n "$unformatted" ]; then
  echo "bindings/go/test.sh: not gofmt-formatted: $unformatted" >&2
  exit 1
fi

echo "== go vet"
go vet -tags "$tags" ./...
PKG_CONFIG_PATH="$prefix/lib/pkgconfig" env -u CGO_LDFLAGS go vet -tags cloudinfinite_pkgconfig ./...

echo "== go test -race -tags $tags (static target/debug/libcloud_infinite.a)"
go test -race -count=1 -tags "$tags" ./...

echo "== go test with GOEXPERIMENT=cgocheck2 (every pointer handed to C checked against cgo's rules)"
GOEXPERIMENT=cgocheck2 go test -count=1 -tags "$tags" .

echo "== CGO_ENABLED=0 stops on a name that says cgo is needed"
nocgo=$(CGO_ENABLED=0 go build . 2>&1 || true)
if ! grep -q 'cloudinfinite_requires_cgo_set_CGO_ENABLED_1' <<<"$nocgo"; then
  echo "bindings/go/test.sh: CGO_ENABLED=0 go build did not name the cgo requirement:" >&2
  echo "$nocgo" >&2
  exit 1
fi
echo "ok   $(grep -m1 cloudinfinite_requires_cgo <<<"$nocgo")"

echo "== go test -race -tags cloudinfinite_pkgconfig (shared library found by pkg-config)"
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
unset CGO_LDFLAGS
LD_LIBRARY_PATH="$prefix/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
  go test -race -count=1 -tags cloudinfinite_pkgconfig -run 'TestVersionAndABI|TestDescribeAIQueues|TestSignReproducesTheOfficialVectors|TestCredentialsFuncFailures|TestCVMRoleSource|Example' .
go build -tags cloudinfinite_pkgconfig -o "$here/.build/ci-demo-shared" ./cmd/ci-demo
# Captured first: with pipefail, `grep -q` stopping early could SIGPIPE the reader.
needed=$(readelf -d "$here/.build/ci-demo-shared")
if ! grep -q 'NEEDED.*libcloud_infinite\.so' <<<"$needed"; then
  echo "bindings/go/test.sh: the pkg-config build did not link libcloud_infinite.so" >&2
  exit 1
fi
echo "ok   the pkg-config build links libcloud_infinite.so dynamically"
