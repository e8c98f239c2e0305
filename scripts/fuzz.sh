#!/usr/bin/env bash
# Coverage-guided fuzzing of the engine under libFuzzer, through cargo-bolero, on the stable
# toolchain (no sanitizer: the engine forbids unsafe code).
#
#   scripts/fuzz.sh                       # every target, 10 minutes each
#   scripts/fuzz.sh whole_check 4h        # one target, four hours
#   scripts/fuzz.sh all 2h                # every target, two hours each
#
# Targets (tests/fuzz_targets.rs): yaml_layer, paste_reader, whole_check, fix_loop. Each input
# edits a fixture or fragment of the repository. The corpus libFuzzer grows, and any input
# that fails, is kept under target/fuzz-corpus/<target>/; replay a failure with
# `cargo bolero reduce` or paste it into the app. `cargo test -p kubeclinic-fuzz` (run by
# scripts/test.sh) replays random inputs briefly; KUBECLINIC_FUZZ_ITERATIONS makes it longer.
set -euo pipefail
cd "$(dirname "$0")/.."

target="${1:-all}"
duration="${2:-10min}"
source scripts/bootstrap.sh >/dev/null

if ! command -v cargo-bolero >/dev/null 2>&1; then
  echo "installing cargo-bolero (once)" >&2
  cargo install --locked --quiet cargo-bolero --version '^0.13' --no-default-features --features libfuzzer
fi

if [[ "$target" == all ]]; then
  targets=(yaml_layer paste_reader whole_check fix_loop)
else
  targets=("$target")
fi

for t in "${targets[@]}"; do
  corpus="target/fuzz-corpus/$t"
  mkdir -p "$corpus/corpus" "$corpus/crashes"
  echo "== $t for $duration" >&2
  cargo bolero test -p kubeclinic-fuzz "$t" \
    --engine libfuzzer --sanitizer NONE --max-input-length 4096 \
    --corpus-dir "$corpus/corpus" --crashes-dir "$corpus/crashes" \
    -T "$duration"
done
