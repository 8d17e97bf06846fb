# Sourced (bash): points the Go binding's developer build (build tag
# cloudinfinite_dev) at this checkout's static library.
#
#   source scripts/dist/go-dev-env.sh [debug|release]   # default debug
#   go test -tags "$CLOUDINFINITE_GO_TAGS" ./...
#
# Exports CGO_LDFLAGS with a path that names the library's content hash
# (target/go-dev/<sha256 prefix>/libcloud_infinite.a, a symlink to the real
# file), and CLOUDINFINITE_GO_TAGS=cloudinfinite_dev. Go's caches key on
# CGO_LDFLAGS' text (which this replaces), so a rebuilt library (a new hash) is always linked anew,
# while an unchanged one keeps the cache warm. See bindings/go/link_dev.go.
_ci_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
_ci_lib="$_ci_root/target/${1:-debug}/libcloud_infinite.a"
if [ ! -f "$_ci_lib" ]; then
  echo "go-dev-env.sh: $_ci_lib is missing: run \`make build\` (or cargo rustc${1:+ --$1} --lib --crate-type cdylib,staticlib)" >&2
  return 2
fi
_ci_hash=$(sha256sum "$_ci_lib" | cut -c1-16)
mkdir -p "$_ci_root/target/go-dev/$_ci_hash"
ln -sfn "$_ci_lib" "$_ci_root/target/go-dev/$_ci_hash/libcloud_infinite.a"
export CGO_LDFLAGS="$_ci_root/target/go-dev/$_ci_hash/libcloud_infinite.a"
export CLOUDINFINITE_GO_TAGS=cloudinfinite_dev
unset _ci_root _ci_lib _ci_hash
