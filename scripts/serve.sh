#!/usr/bin/env bash
# Builds the web app and serves it on http://127.0.0.1:${PORT:-8080}/ with an example loaded.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh
wasm_build trunk serve --release --address 127.0.0.1 --port "${PORT:-8080}"
