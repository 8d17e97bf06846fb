#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 600), one after another,
# and prints libFuzzer's final figures. Needs a nightly toolchain and
# cargo-fuzz (cargo install cargo-fuzz). New interesting inputs land in
# fuzz/corpus/<target>/; minimise before committing with fuzz/minimize.sh.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-600}
for target in parse_response parse_differential parse_error_body sign_canonical validate_inputs; do
  echo "== $target: ${seconds}s"
  # parse_differential grows parse_response's corpus: same inputs, another check.
  corpus=corpus/$target
  [ "$target" = parse_differential ] && corpus=corpus/parse_response
  cargo +nightly fuzz run "$target" "$corpus" -- -max_total_time="$seconds" -print_final_stats=1 2>&1 \
    | grep -E "^(#[0-9]+ +DONE|Done|stat::|SUMMARY|==[0-9]+== ERROR)|cov:" | tail -n 8
done
