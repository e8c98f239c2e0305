// Times the engine as wasm in Node, with no DOM: the npm package that scripts/npm-package.sh
// built (target/npm/package), on a paste of 10 objects and on the real corpus multiplied to 1,000
// and 10,000 objects by scripts/bench-engine.sh (run it first: the corpus lives outside the
// repository). Prints the median of RUNS (default 7) checks per input, after one warm-up.
//
//   scripts/bench-engine.sh && scripts/npm-package.sh && node scripts/bench-wasm.mjs

import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkg = path.join(root, 'target', 'npm', 'package', 'node.cjs');
if (!fs.existsSync(pkg)) {
  console.error(`${pkg} is missing: run scripts/npm-package.sh first`);
  process.exit(2);
}
const kc = createRequire(import.meta.url)(pkg);
const runs = Number(process.env.RUNS || 7);

const inputs = [['the example', fs.readFileSync(path.join(root, 'tests/fixtures/examples/petrosa-extractor.yaml'), 'utf8')]];
for (const size of [1000, 10000]) {
  const file = path.join(root, 'target', 'bench-engine', `objects-${size}`, 'part-00.yaml');
  if (!fs.existsSync(file)) {
    console.error(`${file} is missing: run scripts/bench-engine.sh first (SIZES="${size}")`);
    continue;
  }
  const text = fs.readFileSync(file, 'utf8');
  // A paste: the first 10 documents of the set.
  if (inputs.length === 1) inputs.push(['10 objects', text.split(/^---$/m).slice(0, 10).join('---')]);
  inputs.push([`${size} objects`, text]);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const settings = { profile: 'strict', extendSelect: ['all'] };
for (const [name, text] of inputs) {
  const report = kc.check(text, settings);
  const times = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    kc.check(text, settings);
    times.push(performance.now() - started);
  }
  const objects = text.split(/^---$/m).length;
  console.log(
    `${name.padEnd(16)} ${String(text.length).padStart(9)} B  ~${objects} documents  ` +
      `${report.findings.length} findings  median ${median(times).toFixed(1)} ms`,
  );
}
