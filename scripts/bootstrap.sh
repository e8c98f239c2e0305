#!/usr/bin/env bash
# Installs what building and testing Kubeclinic needs, skipping whatever is already there.
# Sourced by scripts/serve.sh and scripts/test.sh: `source scripts/bootstrap.sh [browser]`.
# After it, `wasm_build ...` runs a command with the right wasm toolchain environment.
set -euo pipefail

KC_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
KC_TOOLS="$KC_ROOT/.tools"
TRUNK_VERSION="0.21"
BINARYEN_VERSION="132"
export PATH="$HOME/.cargo/bin:$PATH"

say() { printf '\033[1m[bootstrap]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[bootstrap] %s\033[0m\n' "$*" >&2; exit 1; }

need_cmd() { command -v "$1" >/dev/null 2>&1 || die "$1 is missing: $2"; }

apt_updated=0
apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null || die "Debian packages ${missing[*]} are needed but apt-get is not available."
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  if [ $apt_updated -eq 0 ]; then
    say "apt-get update"
    $sudo apt-get update -qq || die "apt-get update failed."
    apt_updated=1
  fi
  say "installing Debian packages: ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null \
    || die "apt-get could not install ${missing[*]}."
}

need_cmd cargo "install Rust with rustup (https://rustup.rs) first."

# The wasm32 target: rustup's when it has it or can add it quickly, otherwise Debian's
# rustc-web, which ships the standard library source for -Zbuild-std.
KC_WASM_ROUTE=""
if rustup target list --installed 2>/dev/null | grep -q '^wasm32-unknown-unknown$'; then
  KC_WASM_ROUTE="rustup"
elif [ -x /usr/bin/rustc ] && [ -d /usr/lib/rustlib/src/rust/library ] && [ -x /usr/lib/llvm-22/bin/wasm-ld ]; then
  KC_WASM_ROUTE="debian"
elif timeout 45 rustup target add wasm32-unknown-unknown >/dev/null 2>&1; then
  KC_WASM_ROUTE="rustup"
else
  say "rustup cannot add wasm32-unknown-unknown here; using Debian's rustc-web toolchain"
  apt_install rustc-web cargo-web rust-web-src lld-22
  [ -d /usr/lib/rustlib/src/rust/library ] || die "rust-web-src did not provide /usr/lib/rustlib/src/rust/library."
  KC_WASM_ROUTE="debian"
fi

# Release wasm is built with its own standard library, set to stop at once on an internal
# error and to keep no source locations: the download loses the code that formats panic
# messages (about a tenth of it gzipped). web/js/fatal.js tells the person instead. The
# standard library's source comes with Debian's toolchain, or as rustup's rust-src.
KC_WASM_SMALL=1
if [ "$KC_WASM_ROUTE" = "rustup" ] && ! rustup component list --installed 2>/dev/null | grep -q '^rust-src'; then
  say "adding rustup's rust-src (the standard library's source, for the small wasm build)"
  timeout 300 rustup component add rust-src >/dev/null 2>&1 || {
    say "rust-src is not available: building the wasm with the prebuilt standard library"
    KC_WASM_SMALL=0
  }
fi

wasm_build() {
  local small=()
  if [ "$KC_WASM_SMALL" = 1 ]; then
    small=(RUSTC_BOOTSTRAP=1 CARGO_UNSTABLE_BUILD_STD=std,panic_abort
      "RUSTFLAGS=-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none")
  fi
  if [ "$KC_WASM_ROUTE" = "debian" ]; then
    env "${small[@]}" RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc RUSTC_BOOTSTRAP=1 \
    CARGO_UNSTABLE_BUILD_STD=std,panic_abort \
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=/usr/lib/llvm-22/bin/wasm-ld \
    CARGO_TARGET_DIR="$KC_ROOT/target/wasm" \
      "$@"
  else
    env "${small[@]}" CARGO_TARGET_DIR="$KC_ROOT/target/wasm" "$@"
  fi
}

# Trunk, pinned to the minor version that builds with this machine's compilers.
if ! trunk --version 2>/dev/null | grep -q "^trunk $TRUNK_VERSION\."; then
  say "installing trunk $TRUNK_VERSION (about 10 minutes on 2 cores)"
  cargo install trunk --version "~$TRUNK_VERSION" --locked -q || die "cargo install trunk failed."
fi

# The wasm-bindgen CLI must equal the wasm-bindgen crate in Cargo.lock.
wb_version="$(grep -A1 '^name = "wasm-bindgen"$' "$KC_ROOT/Cargo.lock" | sed -n 's/^version = "\(.*\)"/\1/p')"
[ -n "$wb_version" ] || die "Cargo.lock names no wasm-bindgen version."
if ! wasm-bindgen --version 2>/dev/null | grep -q " $wb_version\$"; then
  say "installing wasm-bindgen-cli $wb_version (about 5 minutes)"
  cargo install wasm-bindgen-cli --version "$wb_version" --force -q || die "cargo install wasm-bindgen-cli failed."
fi

# wasm-opt from npm: Debian's binaryen is too old for current wasm.
need_cmd npm "install Node.js and npm (Debian: apt-get install nodejs npm)."
if [ ! -x "$KC_TOOLS/node_modules/.bin/wasm-opt" ] \
   || ! grep -q "\"version\": \"$BINARYEN_VERSION\." "$KC_TOOLS/node_modules/binaryen/package.json" 2>/dev/null; then
  say "installing binaryen@$BINARYEN_VERSION (wasm-opt)"
  mkdir -p "$KC_TOOLS"
  npm install --prefix "$KC_TOOLS" --no-audit --no-fund --silent "binaryen@$BINARYEN_VERSION" >/dev/null \
    || die "npm install binaryen@$BINARYEN_VERSION failed."
fi
export PATH="$KC_TOOLS/node_modules/.bin:$PATH"

# Browser tests: Debian's Chromium and the Node test dependencies.
if [ "${1:-}" = "browser" ]; then
  apt_install chromium chromium-driver
  # Reinstalled whenever the lock file changed since the last install.
  kc_lock="$KC_ROOT/tests/browser/package-lock.json"
  kc_stamp="$KC_ROOT/tests/browser/node_modules/.installed-lock.json"
  if ! cmp -s "$kc_lock" "$kc_stamp"; then
    say "installing browser test dependencies"
    (cd "$KC_ROOT/tests/browser" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --silent) \
      || die "npm ci in tests/browser failed."
    cp "$kc_lock" "$kc_stamp"
  fi
fi

# CLI tests: Microsoft's SARIF validator, reinstalled whenever its lock file changed since the
# last install.
if [ "${1:-}" = "browser" ]; then
  kc_cli_lock="$KC_ROOT/tests/cli-tools/package-lock.json"
  kc_cli_stamp="$KC_ROOT/tests/cli-tools/node_modules/.installed-lock.json"
  if ! cmp -s "$kc_cli_lock" "$kc_cli_stamp"; then
    say "installing CLI test tools (SARIF validator)"
    (cd "$KC_ROOT/tests/cli-tools" && npm ci --no-audit --no-fund --silent) \
      || die "npm ci in tests/cli-tools failed."
    cp "$kc_cli_lock" "$kc_cli_stamp"
  fi
fi

# The editor: CodeMirror 6 from npm, bundled into web/js/editor.bundle.js, which the web
# crate binds (every build of it, native or wasm, reads the file). Dependencies are
# reinstalled when their lock file changed; the bundle is rebuilt when a source is newer.
kc_editor="$KC_ROOT/web/editor"
kc_editor_stamp="$kc_editor/node_modules/.installed-lock.json"
if ! cmp -s "$kc_editor/package-lock.json" "$kc_editor_stamp"; then
  say "installing the editor's npm packages (CodeMirror 6, esbuild)"
  (cd "$kc_editor" && npm ci --no-audit --no-fund --silent) || die "npm ci in web/editor failed."
  cp "$kc_editor/package-lock.json" "$kc_editor_stamp"
  rm -f "$KC_ROOT/web/js/editor.bundle.js"
fi
kc_bundle="$KC_ROOT/web/js/editor.bundle.js"
if [ ! -f "$kc_bundle" ] || [ -n "$(find "$kc_editor/index.js" "$kc_editor/build.mjs" "$kc_editor/package-lock.json" -newer "$kc_bundle")" ]; then
  say "bundling the editor"
  node "$kc_editor/build.mjs" || die "bundling web/editor failed."
fi
