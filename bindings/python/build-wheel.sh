#!/usr/bin/env bash
# Builds the wheel, with the release build of the native library inside:
#   bindings/python/build-wheel.sh [OUTDIR]      (default bindings/python/dist)
# Prints the wheel's path on its last line.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=$(mkdir -p "${1:-$here/dist}" && cd "${1:-$here/dist}" && pwd)
source "$here/_venv.sh"

# The C libraries: the crate declares only an rlib (docs/packaging.md).
(cd "$root" && cargo rustc --release --lib --crate-type cdylib,staticlib) >&2
# In-tree and without build isolation: hatchling comes pinned from the venv,
# and hatch_build.py finds ../../target/release from the source tree.
"$VENV_PY" -m pip wheel --quiet --disable-pip-version-check --no-deps --no-build-isolation \
  --wheel-dir "$out" "$here" >&2
version=$("$VENV_PY" -c 'import tomllib,sys; print(tomllib.load(open(sys.argv[1],"rb"))["project"]["version"])' "$here/pyproject.toml" 2>/dev/null \
  || sed -n 's/^version = "\(.*\)"/\1/p' "$here/pyproject.toml")
ls -t "$out"/cloud_infinite-"$version"-py3-none-*.whl | head -n1
