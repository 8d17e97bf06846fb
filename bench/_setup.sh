# Sourced by bench/run.sh and bench/smoke.sh with BENCH_PROFILE=release|debug:
# builds the library and the emulator, installs the official SDKs (Python venv
# in bench/.venv, npm ci in bench/node, Go modules), builds the Go programs into
# target/bench/, and leaves the arguments for bench/bench.py in BENCH_ARGS.
# Installs only under bench/ and target/ (plus Go's own module and build caches).

bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$bench_dir/.." && pwd)
cd "$root"
profile=${BENCH_PROFILE:-release}
CARGO=${CARGO:-cargo}
PYTHON=${PYTHON:-python3}
out="$root/target/bench"
mkdir -p "$out"

say() { echo "[bench setup] $*" >&2; }

# The Rust side: the library (for Python, Node and Go) and the emulator.
if [ "$profile" = release ]; then
  say "cargo build --release --features emulator --bin ci-emulator; cargo rustc --release --features emulator --lib --crate-type cdylib,staticlib"
  "$CARGO" build --release --features emulator --bin ci-emulator
  "$CARGO" rustc --release --features emulator --lib --crate-type cdylib,staticlib
  # The name a program linked against the library asks the loader for (its
  # SONAME carries the C ABI version), as `make build` makes in target/debug.
  abi=$(sed -n 's/^pub const CI_ABI_VERSION: u32 = \([0-9]*\);/\1/p' "$root/src/ffi/mod.rs")
  ln -sf libcloud_infinite.so "$root/target/release/libcloud_infinite.so.$abi"
else
  say "cargo build --features emulator --bin ci-emulator; cargo rustc --features emulator --lib --crate-type cdylib,staticlib"
  "$CARGO" build --features emulator --bin ci-emulator
  "$CARGO" rustc --features emulator --lib --crate-type cdylib,staticlib
fi
lib="$root/target/$profile/libcloud_infinite.so"
emulator="$root/target/$profile/ci-emulator"

# Python: cos-python-sdk-v5 (pinned) in bench/.venv; our package is used from bindings/python/src.
venv="$bench_dir/.venv"
req="$bench_dir/python/requirements.txt"
if [ ! -f "$venv/.installed" ] || [ "$req" -nt "$venv/.installed" ]; then
  say "python venv $venv (pip install -r bench/python/requirements.txt)"
  rm -rf "$venv"
  "$PYTHON" -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$req"
  touch "$venv/.installed"
fi

# Node: cos-nodejs-sdk-v5 and koffi (for bindings/node, via NODE_PATH) from the committed package-lock.json.
command -v node >/dev/null || { echo "bench: node is not installed" >&2; exit 2; }
if [ ! -f "$bench_dir/node/node_modules/.package-lock.json" ] ||
   [ "$bench_dir/node/package-lock.json" -nt "$bench_dir/node/node_modules/.package-lock.json" ]; then
  say "npm ci in bench/node"
  (cd "$bench_dir/node" && npm ci --no-audit --no-fund --loglevel=error)
fi

# Go: the official SDK and the raw client need go; ours also needs bindings/go (it links the library with cgo).
BENCH_ARGS=(--lib "$lib" --emulator "$emulator" --python "$venv/bin/python" --node "$(command -v node)" --cargo "$CARGO")
go_skip=""
if ! command -v go >/dev/null; then
  go_skip="Go is not installed on this machine."
elif [ ! -f "$root/bindings/go/go.mod" ]; then
  go_skip="bindings/go does not exist yet (no bindings/go/go.mod), so there is no Go binding of ours to measure."
else
  say "go build bench/go/official and bench/go/ours ($profile library)"
  (cd "$bench_dir/go/official" && go build -o "$out/go-official" .)
  if [ "$profile" = release ]; then
    # ours against the release library: a pkg-config prefix laid out as `make install` makes, pointing at target/release.
    command -v pkg-config >/dev/null || { echo "bench: pkg-config is needed to link bench/go/ours against target/release" >&2; exit 2; }
    prefix="$out/prefix"
    rm -rf "$prefix"
    mkdir -p "$prefix/lib/pkgconfig" "$prefix/include"
    ln -s "$root/target/release/libcloud_infinite.so" "$root/target/release/libcloud_infinite.a" "$prefix/lib/"
    ln -s "$root/include/cloud_infinite.h" "$prefix/include/"
    version=$(sed -n 's/^version = "\(.*\)"/\1/p' "$root/Cargo.toml" | head -n1)
    sed -e "s|@PREFIX@|$prefix|" -e "s|@VERSION@|$version|" "$root/cloud_infinite.pc.in" >"$prefix/lib/pkgconfig/cloud_infinite.pc"
    (cd "$bench_dir/go/ours" && PKG_CONFIG_PATH="$prefix/lib/pkgconfig" CGO_LDFLAGS="-Wl,-rpath,$root/target/release" \
      go build -tags cloudinfinite_pkgconfig -o "$out/go-ours" .)
  else
    [ -f "$root/target/debug/libcloud_infinite.a" ] || { echo "bench: target/debug/libcloud_infinite.a is missing" >&2; exit 2; }
    # the binding's developer build (tag cloudinfinite_dev): the static debug library in target/debug.
    (source "$root/scripts/dist/go-dev-env.sh" debug && cd "$bench_dir/go/ours" && go build -tags "$CLOUDINFINITE_GO_TAGS" -o "$out/go-ours" .)
  fi
  BENCH_ARGS+=(--go-ours "$out/go-ours" --go-official "$out/go-official")
fi
BENCH_ARGS+=(--go-skip-reason "$go_skip")
[ -z "$go_skip" ] || say "Go skipped: $go_skip"
