#!/usr/bin/env bash
# Builds the web app and serves it on http://127.0.0.1:${PORT:-8080}/ with an example loaded.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh
# Trunk builds offline; the first build with -Zbuild-std must fetch the standard library's own
# dependencies, so one plain cargo build goes first (a no-op once built).
wasm_build cargo build --release --locked --target wasm32-unknown-unknown -p kubeclinic-web -p kubeclinic-cel-wasm
wasm_build trunk serve --release --address 127.0.0.1 --port "${PORT:-8080}"
