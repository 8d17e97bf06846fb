#!/usr/bin/env bash
# Runs a command with a private ci-emulator on 127.0.0.1, its address in
# CI_EMULATOR_ADDR, and stops the emulator when the command ends.
#   scripts/with-emulator.sh [--emulator PATH] -- COMMAND [ARGS...]
set -euo pipefail
emulator=${CI_EMULATOR_BIN:-target/debug/ci-emulator}
if [ "${1:-}" = "--emulator" ]; then emulator=$2; shift 2; fi
[ "${1:-}" = "--" ] && shift
[ -x "$emulator" ] || { echo "with-emulator: $emulator is not built (cargo build --features emulator)" >&2; exit 2; }

out=$(mktemp)
# The emulator exits when its stdin closes, so it cannot outlive this script.
coproc EMU { exec "$emulator" --listen 127.0.0.1:0 --exit-on-stdin-eof >"$out"; }
trap 'kill "${EMU_PID:-}" 2>/dev/null || true; rm -f "$out"' EXIT
for _ in $(seq 1 100); do
  addr=$(sed -n 's|.*listening on https\{0,1\}://||p' "$out" | head -n1)
  [ -n "$addr" ] && break
  sleep 0.05
done
[ -n "${addr:-}" ] || { echo "with-emulator: the emulator did not start" >&2; exit 1; }
export CI_EMULATOR_ADDR=$addr CI_EMULATOR_BIN=$emulator
"$@"
