// The package's TypeScript types: the declarations wasm-bindgen wrote from the crate's types,
// and `tsc --noEmit` over code that uses them (tests/npm/types/), in a project that installed
// the package from its tarball.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { installPackage } from './package.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const TSC = path.join(here, 'node_modules', 'typescript', 'bin', 'tsc');

let installed;

before(() => {
  assert.ok(fs.existsSync(TSC), 'TypeScript is missing: run `npm ci` in tests/npm');
  installed = installPackage();
});

after(() => installed?.remove());

/** Runs tsc over `files` (from tests/npm/types/) in the installed project; its output on failure. */
function compile(name, files, compilerOptions) {
  const dir = path.join(installed.dir, name);
  fs.mkdirSync(dir);
  for (const file of files) fs.copyFileSync(path.join(here, 'types', file), path.join(dir, file));
  const config = {
    compilerOptions: { strict: true, noEmit: true, skipLibCheck: false, types: [], ...compilerOptions },
    files,
  };
  fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify(config, null, 2));
  try {
    execFileSync(process.execPath, [TSC, '-p', dir], { cwd: dir, encoding: 'utf8' });
  } catch (error) {
    assert.fail(`tsc (${name}):\n${error.stdout}${error.stderr}`);
  }
}

test('the declarations name check, fix, rules and the report types', () => {
  const dts = fs.readFileSync(path.join(installed.packageDir, 'kubeclinic.d.ts'), 'utf8');
  assert.match(dts, /export function check\(input: Input, settings\?: Settings \| null\): Report;/);
  assert.match(dts, /export function fix\(input: Input, settings\?: Settings \| null, options\?: FixOptions \| null\): FixResult;/);
  assert.match(dts, /export function rules\(\): RuleDocs;/);
  for (const type of ['Report', 'Finding', 'Range', 'Fix', 'Edit', 'Related', 'Settings', 'FixResult', 'RuleDoc']) {
    assert.match(dts, new RegExp(`export (interface|type) ${type}\\b`), type);
  }
  assert.match(dts, /export type Severity = "info" \| "warning" \| "error";/);
  const web = fs.readFileSync(path.join(installed.packageDir, 'web.d.ts'), 'utf8');
  assert.match(web, /export default function __wbg_init/);
});

test('a Node project type-checks against the package (nodenext)', () => {
  compile('node', ['node.ts'], { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', lib: ['es2022'] });
});

test('a bundled browser project type-checks against both entries (bundler)', () => {
  compile('web', ['node.ts', 'web.ts'], {
    module: 'esnext',
    moduleResolution: 'bundler',
    target: 'es2022',
    lib: ['es2022', 'dom'],
  });
});
