#!/usr/bin/env bash
# Every test of the Python binding, the packaging test included (it builds
# the wheel with the release library, installs it into a fresh venv outside
# the repository and calls the emulator from there).
#   bindings/python/test.sh [PYTEST ARGS...]
# Needs `make build` first (target/debug: the library and ci-emulator).
# Installs pytest and hatchling (pinned, requirements-dev.txt) into
# bindings/python/.venv by itself.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

export CLOUD_INFINITE_LIB=${CLOUD_INFINITE_LIB:-$root/target/debug/libcloud_infinite.so}
export CI_EMULATOR_BIN=${CI_EMULATOR_BIN:-$root/target/debug/ci-emulator}
for built in "$CLOUD_INFINITE_LIB" "$CI_EMULATOR_BIN"; do
  [ -f "$built" ] || { echo "test.sh: $built is missing: run \`make build\` first" >&2; exit 2; }
done

source "$here/_venv.sh"
cd "$here"
export PYTHONPATH="$here/src"
# The tests directory comes from pyproject.toml (testpaths) unless arguments name tests.
exec "$VENV_PY" -m pytest -p no:cacheprovider -ra "$@"
