// Measures the built page in headless Chromium: page weight (gzip), time to the first
// diagnosis after load, and how long an edit takes to be re-diagnosed and drawn for sets of
// 10, 100 and 1,000 objects (the debounce is subtracted). Not a test: it prints a table.
//
//   node tests/browser/bench.mjs            (after `trunk build --release`)
//
// The sets are the engine benchmark's: tests/support/synthetic.rs (eight linked objects per
// application), read from that file so both benchmarks measure the same input.

import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const dist = path.join(root, 'dist');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
/** Must equal DEBOUNCE_MS in web/src/hooks/use_analysis.rs. */
const DEBOUNCE_MS = Number(
  fs.readFileSync(path.join(root, 'web/src/hooks/use_analysis.rs'), 'utf8').match(/DEBOUNCE_MS: u32 = (\d+)/)[1],
);
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm' };

const template = fs
  .readFileSync(path.join(root, 'tests/support/synthetic.rs'), 'utf8')
  .match(/let app = r#"([\s\S]*?)"#;/)[1];
const applicationSet = (apps) =>
  Array.from({ length: apps }, (_, i) => template.replaceAll('@', String(i))).join('');

const server = http.createServer((req, res) => {
  const pathname = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  const file = path.join(dist, pathname.endsWith('/') ? pathname + 'index.html' : pathname);
  fs.readFile(file, (error, body) => {
    if (error) return res.writeHead(404).end();
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream' }).end(body);
  });
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${server.address().port}`;
const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
const page = await browser.newPage({ viewport: { width: 1360, height: 860 } });
page.setDefaultTimeout(120_000);

const loaded = [];
page.on('response', async (response) => {
  const url = new URL(response.url());
  if (url.origin === origin) loaded.push(url.pathname);
});

const firstLoad = [];
for (let run = 0; run < 3; run++) {
  await page.goto(`${origin}/`);
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  await page.locator('li.finding').first().waitFor();
  firstLoad.push(await page.evaluate(() => performance.now()));
}

let raw = 0;
let gzip = 0;
const files = [...new Set(loaded)].filter((p) => !p.endsWith('/'));
for (const file of files) {
  const body = fs.readFileSync(path.join(dist, file));
  raw += body.length;
  gzip += zlib.gzipSync(body, { level: 9 }).length;
}
gzip += zlib.gzipSync(fs.readFileSync(path.join(dist, 'index.html')), { level: 9 }).length;

/** Puts `text` in the editor and returns [ms until the findings are in the page, ms until
 *  the next frame is painted], both after the debounce. */
async function edit(text) {
  return page.evaluate(
    ([text, debounce]) =>
      new Promise((resolve) => {
        const editor = document.querySelector('.code-host').editor;
        const summary = document.querySelector('[data-testid=summary]');
        let start;
        const observer = new MutationObserver(() => {
          if (document.querySelector('[data-testid=pending]')) return;
          observer.disconnect();
          const inPage = performance.now() - start - debounce;
          requestAnimationFrame(() => resolve([inPage, performance.now() - start - debounce]));
        });
        observer.observe(summary, { childList: true, subtree: true });
        start = performance.now();
        editor.setText(text);
      }),
    [text, DEBOUNCE_MS],
  );
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rows = [];
for (const objects of [8, 96, 1000]) {
  const base = applicationSet(Math.ceil(objects / 8));
  await edit(base);
  const times = [];
  for (let i = 0; i < 5; i++) times.push(await edit(`${base}# edit ${i}\n`));
  rows.push({
    objects,
    bytes: base.length,
    dom: median(times.map((t) => t[0])),
    painted: median(times.map((t) => t[1])),
  });
}

console.log(`page weight: ${files.length + 1} files, ${raw} B raw, ${gzip} B gzip -9`);
console.log(`first diagnosis after navigation: median ${median(firstLoad).toFixed(0)} ms`);
console.log(`debounce: ${DEBOUNCE_MS} ms (not counted below)`);
for (const row of rows) {
  console.log(
    `edit, ${row.objects} objects (${row.bytes} B): findings in the page ${row.dom.toFixed(1)} ms, painted ${row.painted.toFixed(1)} ms (medians)`,
  );
}
await browser.close();
server.close();
