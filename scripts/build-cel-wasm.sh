#!/usr/bin/env bash
# Builds the page's CEL evaluator (web/cel) into target/wasm/kubeclinic-cel.wasm: a module with
# no imports that the page instantiates only when a paste holds CEL. Trunk runs it before each
# build (Trunk.toml's pre_build hook) with the environment of `wasm_build`; postbuild.mjs puts
# the module in dist/. wasm-opt is skipped when the module did not change.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-target/wasm}"
cargo build --release --locked --target wasm32-unknown-unknown -p kubeclinic-cel-wasm
raw="$target/wasm32-unknown-unknown/release/kubeclinic_cel.wasm"
out="$target/kubeclinic-cel.wasm"
stamp="$out.source-sha256"
sum="$(sha256sum "$raw" | cut -d' ' -f1)"
if [ -f "$out" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$sum" ]; then
  exit 0
fi
wasm-opt -Oz --strip-debug --strip-producers "$raw" -o "$out.tmp"
mv "$out.tmp" "$out"
echo "$sum" > "$stamp"
