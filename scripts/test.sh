#!/usr/bin/env bash
# Runs every test on a new or warm machine: installs what is missing, then formatting, lints,
# engine + CLI + web unit/snapshot tests, the release wasm build, the headless-Chromium
# test against the built page, and the npm package from Node, TypeScript and Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh browser

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "format"
cargo fmt --all --check
step "clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings
step "engine, CLI and web tests"
cargo test --workspace --locked
step "web app release build"
# Trunk builds offline; the first build with -Zbuild-std must fetch the standard library's own
# dependencies, so one plain cargo build goes first (a no-op once built).
wasm_build cargo build --release --locked --target wasm32-unknown-unknown -p kubeclinic-web -p kubeclinic-cel-wasm
wasm_build trunk build --release
ls -l dist/*.wasm
step "browser tests (headless Chromium)"
node --test tests/browser/
step "npm package"
# The package's test dependencies (TypeScript), reinstalled whenever their lock file changed.
if ! cmp -s tests/npm/package-lock.json tests/npm/node_modules/.installed-lock.json; then
  (cd tests/npm && npm ci --no-audit --no-fund --silent)
  cp tests/npm/package-lock.json tests/npm/node_modules/.installed-lock.json
fi
scripts/npm-package.sh
node --test tests/npm/
