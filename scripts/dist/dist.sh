#!/usr/bin/env bash
# `make dist`: every published artifact into dist/, from one release build.
#
#   dist/cloud-infinite-<v>-linux-x86_64.tar.gz   C library: lib/ (.so.<abi>, .so, .a), include/,
#                                                  lib/pkgconfig (relocatable), lib/cmake
#   dist/python/cloud_infinite-<v>-py3-none-manylinux_2_17_x86_64.whl, cloud_infinite-<v>.tar.gz
#   dist/goproxy/github.com/cloud-infinite/cloud-infinite-go/@v/{list,v<v>.info,v<v>.mod,v<v>.zip}
#   dist/npm/cloud-infinite-<v>.tgz, cloud-infinite-linux-x64-gnu-<v>.tgz
#
# The one build is `cargo-zigbuild rustc --release --lib --crate-type cdylib,staticlib
# --target x86_64-unknown-linux-gnu.2.17`
# (zig as the linker, glibc 2.17's symbols), checked: no GLIBC_ symbol above 2.17.
# The tools (ziglang, cargo-zigbuild) come from PyPI into target/dist-tools/ once.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
version=$(scripts/dist/versions.py)
abi=$(sed -n 's/^pub const CI_ABI_VERSION: u32 = \([0-9]*\);/\1/p' src/ffi/mod.rs)
scripts/dist/versions.py --check
say() { echo "== dist: $*" >&2; }

tools="$root/target/dist-tools"
stamp="$tools/venv/.dist-tools-1"
if [ ! -f "$stamp" ]; then
  say "installing ziglang and cargo-zigbuild from PyPI into $tools/venv"
  rm -rf "$tools/venv"
  python3 -m venv "$tools/venv"
  "$tools/venv/bin/pip" install --quiet --disable-pip-version-check ziglang==0.17.0 cargo-zigbuild==0.24.0 pypiserver==2.4.2
  touch "$stamp"
fi

target=x86_64-unknown-linux-gnu
say "cargo-zigbuild rustc --release --lib --crate-type cdylib,staticlib --target $target.2.17"
PATH="$tools/venv/bin:$PATH" cargo-zigbuild rustc --quiet --release --lib --crate-type cdylib,staticlib --target "$target.2.17"
release="$root/target/$target/release"

stage="$root/target/dist-stage"
rm -rf "$stage" dist
mkdir -p "$stage" dist/python dist/npm

# --- C: make install's layout, stripped, with a pkg-config file that finds its own prefix.
name="cloud-infinite-$version-linux-x86_64"
say "C library tarball $name.tar.gz"
make --no-print-directory install RELEASE_DIR="$release" RELEASE_BUILD=true DESTDIR="$stage/c" PREFIX="/$name" \
  PC_PREFIX='$${pcfiledir}/../..' >/dev/null
clib="$stage/c/$name/lib"
strip --strip-unneeded "$clib/libcloud_infinite.so.$abi"
glibc=$(objdump -T "$clib/libcloud_infinite.so.$abi" | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -n1)
case "$glibc" in
  GLIBC_2.17 | GLIBC_2.1[0-6] | GLIBC_2.[0-9] | GLIBC_2.[0-9].*) ;;
  *) echo "dist: libcloud_infinite.so needs $glibc, above the 2.17 its manylinux_2_17 tag promises" >&2; exit 1 ;;
esac
say "libcloud_infinite.so.$abi: newest glibc symbol $glibc"
tar -C "$stage/c" -czf "dist/$name.tar.gz" "$name"

# --- Python: the wheel with that library, and the sdist with the crate as cargo package makes it.
source bindings/python/_venv.sh
say "Python wheel (manylinux_2_17_x86_64)"
CLOUD_INFINITE_WHEEL_LIB="$clib/libcloud_infinite.so.$abi" CLOUD_INFINITE_WHEEL_PLATFORM=manylinux_2_17_x86_64 \
  "$VENV_PY" -m pip wheel --quiet --disable-pip-version-check --no-deps --no-build-isolation --wheel-dir dist/python bindings/python >&2
say "Python sdist (the crate from cargo package, under rust/)"
cargo package --quiet --allow-dirty --no-verify --target-dir "$stage/cargo" >&2
mkdir -p "$stage/crate"
tar -C "$stage/crate" -xzf "$stage/cargo/package/cloud-infinite-$version.crate"
# hatchling's CLI writes the sdist; the hook adds the crate.
(cd bindings/python && CLOUD_INFINITE_SDIST_CRATE="$stage/crate/cloud-infinite-$version" \
  "$VENV_PY" -m hatchling build --target sdist --directory "$root/dist/python" >&2)

# --- Go: the module zip with the stripped static library and the header inside, as a GOPROXY directory.
say "Go module github.com/cloud-infinite/cloud-infinite-go@v$version"
python3 scripts/dist/go_module.py --version "$version" --lib "$clib/libcloud_infinite.a" \
  --header include/cloud_infinite.h --out dist/goproxy

# --- Node: the platform package with the library, and the main package listing it.
say "Node packages"
node bindings/node/scripts/pack.js --lib "$clib/libcloud_infinite.so.$abi" --out dist/npm --stage "$stage/npm" >/dev/null

say "artifacts"
find dist -type f -printf '%s\t%p\n' | sort -k2 | awk -F'\t' '{ printf "%10.1f KiB  %s\n", $1 / 1024, $2 }'
