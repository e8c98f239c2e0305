// Bundles index.js and its CodeMirror dependencies into one ES module,
// web/js/editor.bundle.js, which the wasm build binds. Run by scripts/bootstrap.sh whenever
// this folder's sources or lock file are newer than the bundle.
import { build } from 'esbuild';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

const result = await build({
  entryPoints: [here('./index.js')],
  bundle: true,
  format: 'esm',
  minify: true,
  legalComments: 'eof',
  target: 'es2020',
  logLevel: 'warning',
  write: false,
});
// The single-file build (scripts/postbuild.mjs) reads a module's exports from an
// `export { ... }` line of its own, so the minified list goes on one.
const code = result.outputFiles[0].text.replace(/;?export\{([^}]*)\};?\s*$/, ';\nexport{$1};\n');
if (!/^export\{[^}]*\};$/m.test(code)) throw new Error('the bundle ends with no export list');
writeFileSync(here('../js/editor.bundle.js'), code);
