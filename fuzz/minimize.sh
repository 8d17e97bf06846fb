#!/usr/bin/env bash
# Shrinks each target's corpus to the inputs that add coverage (cargo fuzz cmin).
set -euo pipefail
cd "$(dirname "$0")"
for target in parse_response parse_error_body sign_canonical validate_inputs; do
  cargo +nightly fuzz cmin "$target"
done
