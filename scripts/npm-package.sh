#!/usr/bin/env bash
# Builds the `kubeclinic` npm package offline: the engine as one optimised wasm module with two
# loaders (CommonJS for Node, which reads the wasm at require time; an ES module for browsers
# and bundlers, which fetches it), TypeScript types, package.json and README, packed into
# target/npm/kubeclinic-<version>.tgz. Publish that file with `npm publish <tgz>`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh

say() { printf '\033[1m[npm-package]\033[0m %s\n' "$*" >&2; }

template="crates/kubeclinic-js/npm"
out="target/npm"
work="$out/build"
package="$out/package"
version="$(cargo metadata --no-deps --offline --format-version 1 \
  | node -e 'const m = JSON.parse(require("fs").readFileSync(0, "utf8"));
             process.stdout.write(m.packages.find((p) => p.name === "kubeclinic-js").version)')"

wasm_build cargo build --release --locked --target wasm32-unknown-unknown -p kubeclinic-js
wasm="target/wasm/wasm32-unknown-unknown/release/kubeclinic_js.wasm"

# Both targets bind the same module; only their loaders differ, so the package ships one wasm.
rm -rf "$work/node" "$work/web"
wasm-bindgen --target nodejs --out-dir "$work/node" --out-name kubeclinic "$wasm"
wasm-bindgen --target web --out-dir "$work/web" --out-name kubeclinic "$wasm"
cmp -s "$work/node/kubeclinic_bg.wasm" "$work/web/kubeclinic_bg.wasm" \
  || { echo "wasm-bindgen gave the node and web targets different wasm modules" >&2; exit 1; }

# wasm-opt takes most of a minute; a build whose module did not change reuses its output.
bound_sum="$(sha256sum "$work/web/kubeclinic_bg.wasm" | cut -d' ' -f1)"
if [ ! -f "$work/kubeclinic_bg.wasm" ] || [ "$(cat "$work/optimised-from" 2>/dev/null)" != "$bound_sum" ]; then
  say "wasm-opt -Oz"
  wasm-opt -Oz "$work/web/kubeclinic_bg.wasm" -o "$work/kubeclinic_bg.wasm"
  echo "$bound_sum" > "$work/optimised-from"
fi

rm -rf "$package"
mkdir -p "$package"
cp "$work/kubeclinic_bg.wasm" "$package/"
cp "$work/node/kubeclinic.js" "$package/node.cjs"
cp "$work/node/kubeclinic.d.ts" "$package/kubeclinic.d.ts"
cp "$work/web/kubeclinic.js" "$package/web.js"
cp "$work/web/kubeclinic.d.ts" "$package/web.d.ts"
cp "$template/browser.js" "$template/README.md" "$package/"
node -e '
  const fs = require("fs");
  const [template, target, version] = process.argv.slice(1);
  const { name, ...rest } = JSON.parse(fs.readFileSync(template, "utf8"));
  fs.writeFileSync(target, JSON.stringify({ name, version, ...rest }, null, 2) + "\n");
' "$template/package.json" "$package/package.json" "$version"

rm -f "$out"/kubeclinic-*.tgz
npm pack "$package" --pack-destination "$out" --silent >/dev/null
tgz="$out/kubeclinic-$version.tgz"
[ -f "$tgz" ] || { echo "npm pack did not write $tgz" >&2; exit 1; }
printf '%s: %s bytes (wasm %s bytes, %s gzipped)\n' "$tgz" "$(wc -c < "$tgz")" \
  "$(wc -c < "$package/kubeclinic_bg.wasm")" "$(gzip -9c "$package/kubeclinic_bg.wasm" | wc -c)"
