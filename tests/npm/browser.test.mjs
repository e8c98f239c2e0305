// The package's browser build in headless Chromium: a small page under a strict
// Content-Security-Policy imports the installed package as a browser (or a bundler's output)
// loads it, and checks a manifest.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { CHROMIUM, CHROMIUM_ARGS, TYPES, readRepo, root, startServer, stopServer } from '../browser/support.mjs';
import { installPackage } from './package.mjs';

const { chromium } = createRequire(path.join(root, 'tests', 'browser', 'package.json'))('playwright-core');

const PETROSA = readRepo('tests/fixtures/examples/petrosa-extractor.yaml');
const POLICY = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'";

// The page's own files; the package is served from /node_modules/kubeclinic/.
const PAGES = {
  '/index.html': `<!doctype html><meta charset="utf-8"><title>kubeclinic</title><script type="module" src="/entry.js"></script>`,
  '/web.html': `<!doctype html><meta charset="utf-8"><title>kubeclinic/web</title><script type="module" src="/web-entry.js"></script>`,
  '/petrosa.yaml': PETROSA,
  '/favicon.ico': '',
  // The default entry: ready when the import resolves.
  '/entry.js': `
    import { check, rules } from '/node_modules/kubeclinic/browser.js';
    const text = await (await fetch('/petrosa.yaml')).text();
    const report = check(text);
    let error = null;
    try { check(text, { profile: 'strictest' }); } catch (e) { error = { isError: e instanceof Error, message: e.message }; }
    window.outcome = { report, rules: rules().length, error };
  `,
  // kubeclinic/web: the page loads the wasm itself, from where it chose to put it.
  '/web-entry.js': `
    import init, { check } from '/node_modules/kubeclinic/web.js';
    await init({ module_or_path: '/assets/engine.wasm' });
    window.outcome = { report: check(await (await fetch('/petrosa.yaml')).text()) };
  `,
};

let installed;
let server;
let browser;
const requested = [];

before(async () => {
  installed = installPackage();
  const wasm = path.join(installed.packageDir, 'kubeclinic_bg.wasm');
  server = await startServer((req, res) => {
    const pathname = new URL(req.url, 'http://localhost').pathname;
    requested.push(pathname);
    const route = pathname === '/' ? '/index.html' : pathname;
    let body = PAGES[route];
    let file = route;
    if (route === '/assets/engine.wasm') {
      body = fs.readFileSync(wasm);
    } else if (route.startsWith('/node_modules/kubeclinic/')) {
      const inPackage = path.join(installed.packageDir, route.slice('/node_modules/kubeclinic/'.length));
      body = fs.existsSync(inPackage) ? fs.readFileSync(inPackage) : undefined;
      file = inPackage;
    }
    if (body === undefined) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, {
      'content-type': TYPES[path.extname(file)] || 'application/octet-stream',
      'content-security-policy': POLICY,
      'cache-control': 'no-store',
    });
    res.end(body);
  });
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
  await stopServer(server);
  installed?.remove();
});

/** Opens `page` and returns `window.outcome` once its module has run, failing on any page error. */
async function outcomeOf(pagePath) {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  try {
    await page.goto(server.origin + pagePath);
    await page.waitForFunction(() => window.outcome !== undefined, null, { timeout: 15_000 })
      .catch(() => assert.fail(`the page's module never finished: ${errors.join('\n') || 'no error reported'}`));
    assert.deepEqual(errors, []);
    return await page.evaluate(() => window.outcome);
  } finally {
    await page.close();
  }
}

test('the browser entry checks a manifest under a strict CSP, ready on import', async () => {
  const { report, rules, error } = await outcomeOf('/');
  const netpol = report.findings.find((f) => f.rule === 'netpol-selects-nothing');
  assert.ok(netpol, JSON.stringify(report.findings.map((f) => f.rule)));
  assert.equal(netpol.range.line, 22);
  assert.equal(PETROSA.slice(netpol.range.start, netpol.range.end).split('\n')[0], 'app: binance-data-extractor');
  assert.ok(rules > 100);
  assert.deepEqual(error, { isError: true, message: error.message });
  assert.match(error.message, /^settings\.profile: unknown variant `strictest`/);
  assert.ok(requested.includes('/node_modules/kubeclinic/kubeclinic_bg.wasm'), 'the wasm beside the module is loaded');
});

test('kubeclinic/web loads the wasm from where the page says', async () => {
  requested.length = 0;
  const { report } = await outcomeOf('/web.html');
  assert.ok(report.findings.some((f) => f.rule === 'netpol-selects-nothing'));
  assert.ok(requested.includes('/assets/engine.wasm'));
  assert.ok(!requested.includes('/node_modules/kubeclinic/kubeclinic_bg.wasm'));
});
