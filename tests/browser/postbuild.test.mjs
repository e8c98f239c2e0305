// The module bundler of scripts/postbuild.mjs, which puts the wasm-bindgen glue and its
// snippets into kubeclinic.html: the forms wasm-bindgen writes, run in Node; the forms it
// cannot inline fail the build with the file's name.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundle } from '../../scripts/postbuild.mjs';

const FILES = {
  // As wasm-bindgen writes its glue: named imports (one quoted), a namespace import, exported
  // declarations and a closing export list with `as default`.
  'glue-0123456789abcdef.js': `import { pack, 'odd-name' as oddName } from './snippets/crate-1/inline0.js';
import * as import1 from "./snippets/crate-1/js/module.js"

let wasm;
export function checkJson(text) { return \`\${pack(text)}|\${oddName()}|\${import1.shout(text)}\`; }
export class Handle { constructor() { this.ok = true; } }
function initSync() { wasm = 'sync'; return wasm; }
async function __wbg_init(options) { wasm = options.module_or_path; return { memory: wasm }; }
export { initSync, __wbg_init as default };
`,
  'snippets/crate-1/inline0.js': `export const PREFIX = '<';
export async function later() { return 1; }
function odd() { return 'odd'; }
export function pack(text) { return PREFIX + text + '/script>'; }
export { odd as 'odd-name' };
`,
  // A snippet that imports a sibling, and a default export.
  'snippets/crate-1/js/module.js': `import { upper } from './helpers.js';
export function shout(text) { return upper(text) + '!'; }
export default 42;
`,
  'snippets/crate-1/js/helpers.js': `export const upper = (text) => text.toUpperCase();
`,
};

const LOADER = `import init, * as bindings from './glue-0123456789abcdef.js';
const wasm = await init({ module_or_path: 'bytes' });
globalThis.bundled = { wasm, check: bindings.checkJson('a'), handle: new bindings.Handle().ok, keys: Object.keys(bindings).sort() };
`;

function run(files, entry) {
  const read = (file) => {
    if (file === '(loader)') return entry;
    if (!(file in files)) throw new Error(`no ${file}`);
    return files[file];
  };
  return bundle('(loader)', { read });
}

test('the glue, its snippets and the loader become one script', async () => {
  const code = run(FILES, LOADER);
  assert.doesNotMatch(code, /^\s*(import|export)\s/m, 'no module syntax is left');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeclinic-bundle-'));
  const file = path.join(dir, 'bundle.mjs');
  fs.writeFileSync(file, code);
  try {
    await import(pathToFileURL(file).href);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  assert.deepEqual(globalThis.bundled, {
    wasm: { memory: 'bytes' },
    check: '<a/script>|odd|A!',
    handle: true,
    keys: ['Handle', 'checkJson', 'default', 'initSync'],
  });
});

test('what cannot be inlined fails with the name of the file', () => {
  const cases = [
    ["export * from './other.js';\n", /re-exports|cannot inline/],
    ["export { a } from './other.js';\n", /re-exports/],
    ["import x from 'some-package';\nexport const y = x;\n", /cannot be inlined/],
    ["export const f = () => import('./late.js');\n", /dynamic import/],
  ];
  for (const [snippet, message] of cases) {
    const files = { ...FILES, 'snippets/crate-1/inline0.js': snippet };
    assert.throws(() => run(files, LOADER), (error) => {
      assert.match(error.message, message);
      assert.match(error.message, /snippets\/crate-1\/inline0\.js/);
      return true;
    });
  }
  const cycle = {
    ...FILES,
    'snippets/crate-1/js/helpers.js': "import { shout } from './module.js';\nexport const upper = shout;\n",
  };
  assert.throws(() => run(cycle, LOADER), /import cycle/);
});
