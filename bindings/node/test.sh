#!/usr/bin/env bash
# Every test of the Node package: installs its dependencies from the npm
# registry (npm ci, into node_modules/), then runs all test files with
# `node --test` against private emulators, including the packaging test
# (npm pack with the bundled release library, installed in an empty folder).
# Expects `make build` to have run (target/debug: library and ci-emulator).
set -euo pipefail
cd "$(dirname "$0")"
repo=$(cd ../.. && pwd)

emulator=${CI_EMULATOR_BIN:-$repo/target/debug/ci-emulator}
if [ ! -x "$emulator" ] || [ ! -e "$repo/target/debug/libcloud_infinite.so" ]; then
  echo "bindings/node/test.sh: run \`make build\` first ($emulator or target/debug/libcloud_infinite.so is missing)" >&2
  exit 2
fi

# Exactly what package-lock.json says (koffi and its prebuilt binary, typescript).
npm ci --no-audit --no-fund

# The tests load the repository's debug build, named explicitly: the loader
# never looks for a build tree by itself (lib/native.js).
rm -rf native
export CLOUD_INFINITE_LIB=$repo/target/debug/libcloud_infinite.so

exec node --test test/*.test.js
