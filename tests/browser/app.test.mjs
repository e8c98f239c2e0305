// Drives the built app (dist/, from `trunk build --release`) in headless Chromium.
// Run from the repository root: `node --test tests/browser/`.
//
// Serves dist/ on 127.0.0.1 with Node's http module, records every request the page makes and
// checks that none leaves that server.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, editorText, editorSelection as selectionOf, dist, readRepo, serveDist, startServer, stopServer } from './support.mjs';

const example = readRepo('tests/fixtures/examples/petrosa-extractor.yaml');

// Line 15 holds the image; the non-ASCII comments make UTF-16 columns differ from bytes.
const LATEST = `# web: the front end 🚀
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web # ünïcödé 😀
          image: nginx:latest
`;

// A Deployment that connects to localhost beside the Service that exposes the port; the web
// bridge's unit tests read the same file.
const LOCALHOST = readRepo('tests/fixtures/web/localhost-service.yaml');
const CRD_RULES = readRepo('tests/fixtures/crd-validation-rule/invalid.yaml');
const POLICIES = readRepo('tests/fixtures/admission-policy-violation/invalid.yaml');

// The quote on line 6 is never closed.
const BROKEN = `apiVersion: v1
kind: ConfigMap
metadata:
  name: broken
data:
  key: "unterminated
  other: value
`;

let server;
let origin;
let context;
let page;
let profile;
const requests = [];
const pageRequests = [];
const pageErrors = [];
const consoleErrors = [];

before(async () => {
  assert.ok(
    fs.existsSync(path.join(dist, 'index.html')),
    'dist/index.html is missing: run `wasm_build trunk build --release` first',
  );
  server = await startServer(serveDist());
  origin = server.origin;

  profile = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeclinic-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    acceptDownloads: true,
    viewport: { width: 1360, height: 860 },
  });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
  context.on('request', (request) => {
    requests.push(request.url());
    // The service worker's precache asks for every file of the page; these are the page's own.
    if (!request.serviceWorker()) pageRequests.push(request.url());
  });
  page = context.pages()[0] || (await context.newPage());
  page.setDefaultTimeout(10_000);
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
});

after(async () => {
  await context?.close();
  await stopServer(server);
  if (profile) fs.rmSync(profile, { recursive: true, force: true });
});

const finding = (rule, line) =>
  page.locator(`li.finding[data-rule="${rule}"]${line ? `[data-line="${line}"]` : ''}`);

const editorSelection = () => selectionOf(page);

async function typeManifest(text) {
  await page.fill('[data-testid=editor]', text);
}

async function showTab(name) {
  await page.click(`[data-testid=tab-${name}]`);
}

test('the browser app', async (t) => {
  await t.test('opens with the example already diagnosed', async () => {
    await page.goto(`${origin}/`);
    await finding('netpol-selects-nothing', 22).waitFor();
    await finding('image-tag-placeholder', 63).waitFor();
    await finding('localhost-in-env', 41).waitFor();
    assert.equal(await editorText(page), example);
    const card = finding('netpol-selects-nothing', 22);
    assert.match(await card.innerText(), /line 22/);
    assert.match(await card.innerText(), /ERROR|error/);
    assert.match(await card.innerText(), /default-deny policy/);
    assert.match(await card.locator('.fix').innerText(), /changes behaviour/i);
    assert.match(await card.getByTestId('related').innerText(), /closest pod template/);
    const placeholder = await finding('image-tag-placeholder', 63).innerText();
    assert.match(placeholder, /container klines-extractor/);
    assert.match(placeholder, /needs your value/i);
    assert.match(await page.innerText('[data-testid=summary]'), /2 errors/);
  });

  await t.test('clicking a finding selects its range in the editor', async () => {
    await finding('netpol-selects-nothing', 22).locator('.finding-head').click();
    let selection = await editorSelection();
    assert.ok(selection.focused, 'the editor has the focus');
    assert.ok(selection.text.startsWith('app: binance-data-extractor'), selection.text);
    assert.equal(selection.start, example.indexOf('app: binance-data-extractor'));

    await finding('image-tag-placeholder', 63).locator('.finding-head').click();
    selection = await editorSelection();
    assert.equal(selection.text, 'yurisa2/petrosa-binance-data-extractor:VERSION_PLACEHOLDER');
    assert.ok(selection.scrollTop > 0, 'the editor scrolled to line 63');
  });

  await t.test('typing a new manifest is diagnosed live', async () => {
    await typeManifest(LATEST);
    await finding('image-tag-latest', 15).waitFor();
    assert.equal(await finding('netpol-selects-nothing').count(), 0);
    await finding('image-tag-latest', 15).locator('.finding-head').click();
    const selection = await editorSelection();
    assert.equal(selection.text, 'nginx:latest', 'UTF-16 offsets select the image');
  });

  await t.test('CEL: the CEL module loads only for a text that holds CEL, and judges it as the CLI does', async () => {
    const cel = () => pageRequests.filter((url) => url.endsWith('/kubeclinic-cel.wasm'));
    assert.deepEqual(cel(), [], 'the page opened without the CEL module');
    await typeManifest(CRD_RULES);
    await finding('crd-validation-rule', 53).waitFor();
    await finding('crd-validation-rule', 60).waitFor();
    assert.match(await finding('crd-validation-rule', 60).innerText(), /queue Resize must be lower case/);
    assert.match(await finding('crd-validation-rule', 31).textContent(), /updates only/);
    assert.equal(cel().length, 1);
    await typeManifest(POLICIES);
    const denied = finding('admission-policy-violation', 93);
    await denied.waitFor();
    assert.match(await denied.innerText(), /at most 3 replicas in staging/);
    assert.match(await denied.getByTestId('related').innerText(), /the parameters/);
    assert.match(await finding('admission-policy-violation', 90).innerText(), /owner/);
    assert.equal(cel().length, 1, 'the module is loaded once');
  });

  await t.test('the patched YAML view applies the localhost fix', async () => {
    await typeManifest(LOCALHOST);
    await finding('localhost-in-env', 17).waitFor();
    await showTab('patched');
    const patched = page.locator('[data-testid=patched-text]');
    await page.waitForFunction(
      () => document.querySelector('[data-testid=patched-text]')?.textContent.includes('@db:5432'),
    );
    assert.match(await patched.innerText(), /postgresql:\/\/u@db:5432\/db/);
    assert.match(await page.locator('[data-testid=diff] .diff-add').allInnerTexts().then(String), /@db:5432/);
    assert.match(await page.locator('[data-testid=diff] .diff-del').allInnerTexts().then(String), /@localhost:5432/);

    // Without unsafe fixes the address stays and the fix is listed as a suggestion.
    await page.click('[data-testid=include-unsafe]');
    await page.locator('[data-testid=suggestions] li[data-rule="localhost-in-env"]').waitFor();
    assert.match(await patched.innerText(), /@localhost:5432/);
    assert.equal(await page.locator('[data-testid=diff]').count(), 0);
    await page.click('[data-testid=include-unsafe]');
    await page.waitForFunction(
      () => document.querySelector('[data-testid=patched-text]')?.textContent.includes('@db:5432'),
    );
  });

  await t.test('Copy and Download hand over the patched text', async () => {
    const expected = await page.locator('[data-testid=patched-text]').textContent();
    await page.click('[data-testid=copy]');
    const status = page.locator('[data-testid=copy-status]');
    await status.waitFor();
    assert.match(await status.innerText(), /Copied/);
    const copied = await page.evaluate(() => navigator.clipboard.readText()).catch(() => null);
    if (copied !== null) assert.equal(copied, expected);

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('[data-testid=download]'),
    ]);
    assert.equal(download.suggestedFilename(), 'manifest.patched.yaml');
    const saved = fs.readFileSync(await download.path(), 'utf8');
    assert.equal(saved, expected);
  });

  await t.test('a picked or dropped file is loaded and checked', async () => {
    await showTab('findings');
    await page.setInputFiles('input[type=file]', {
      name: 'picked.yaml',
      mimeType: 'application/yaml',
      buffer: Buffer.from(LATEST),
    });
    await finding('image-tag-latest', 15).waitFor();
    assert.equal(await page.innerText('.source-name'), 'picked.yaml');

    const drop = (name, text) =>
      page.evaluate(
        ([name, text]) => {
          const data = new DataTransfer();
          data.items.add(new File([text], name, { type: 'text/plain' }));
          const event = new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true });
          document.querySelector('.editor').dispatchEvent(event);
        },
        [name, text],
      );
    await drop('dropped.json', '{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},\n "spec": {"containers": [{"name": "c", "image": "nginx"}]}}\n');
    await finding('image-tag-missing', 2).waitFor();
    assert.equal(await page.innerText('.source-name'), 'dropped.json');
    await drop('photo.png', 'hello');
    assert.match(await page.innerText('[data-testid=notice]'), /photo\.png is not a \.yaml, \.yml, \.json, \.txt or \.log file/);
    assert.equal(await page.innerText('.source-name'), 'dropped.json');
  });

  await t.test('broken YAML is reported and the page keeps working', async () => {
    await showTab('findings');
    await typeManifest(BROKEN);
    await finding('yaml-syntax-error', 6).waitFor();
    assert.match(await finding('yaml-syntax-error', 6).innerText(), /not valid YAML/);
    await typeManifest(LATEST);
    await finding('image-tag-latest', 15).waitFor();
    assert.equal(await finding('yaml-syntax-error').count(), 0);
  });

  await t.test('a lone kubectl fragment is diagnosed, and prose never reads as all clear', async () => {
    await showTab('findings');
    await typeManifest('  Failed to pull image "redis:7.2-alpine":\n  dial tcp <docker-hub-ip>:443: i/o timeout\n');
    await finding('image-registry-unreachable', 1).waitFor();
    assert.equal(await finding('yaml-syntax-error').count(), 0, 'kubectl output is not blamed on YAML');
    assert.match(await page.getByTestId('reading').innerText(), /2 event lines/);
    await typeManifest('Our pods are broken since the upgrade, any idea what to check?\n');
    await finding('unreadable-kubectl-output', 1).waitFor();
    assert.equal(await page.getByTestId('no-findings').count(), 0, 'no green check for text that was not understood');
    await typeManifest(LATEST);
    await finding('image-tag-latest', 15).waitFor();
  });

  await t.test('a suppression comment silences a finding and is counted', async () => {
    await showTab('findings');
    await typeManifest('apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n    - name: web\n      image: nginx:latest # kubeclinic: ignore[image-tag-latest]\n');
    await page.getByTestId('suppressed').waitFor();
    assert.match(await page.getByTestId('suppressed').innerText(), /1 suppressed/);
    assert.match(await page.getByTestId('no-findings').innerText(), /1 suppressed/);
    await typeManifest(LATEST);
    await finding('image-tag-latest', 15).waitFor();
  });

  await t.test('a reload keeps the text; the example can be reloaded', async () => {
    await page.reload();
    await page.locator('[data-testid=summary]').waitFor();
    assert.equal(await editorText(page), LATEST);
    await page.click('[data-testid=load-example]');
    await finding('netpol-selects-nothing', 22).waitFor();
    assert.equal(await editorText(page), example);
  });

  await t.test('the crash-loop example ties what the cluster said to the manifests', async () => {
    await showTab('findings');
    await page.click('[data-testid=load-runtime-example]');
    await finding('localhost-connection', 34).waitFor();
    await finding('image-not-found', 54).waitFor();
    assert.equal(await finding('crashloop-app-error').count(), 0, 'the crash loop is explained by its root cause');
    assert.equal(await page.innerText('.source-name'), 'bot-crashloop.txt');
    await showTab('patched');
    await page.waitForFunction(
      () => document.querySelector('[data-testid=patched-text]')?.textContent.includes('@db:5432/coinpilot'),
    );
    await showTab('findings');
    await page.click('[data-testid=load-example]');
    await finding('netpol-selects-nothing', 22).waitFor();
  });

  await t.test('the rule reference lists every rule with its docs', async () => {
    await finding('image-tag-placeholder', 63).locator('.rule-link button').click();
    const rule = page.locator('details.rule[data-rule="image-tag-placeholder"]');
    await page.waitForFunction(() => document.querySelector('details.rule[data-rule="image-tag-placeholder"] .rule-summary')?.textContent.trim());
    assert.ok(await rule.evaluate((details) => details.open), 'the rule is open');
    assert.match(await rule.textContent(), /Why is this bad\?/);
    const ids = await page.locator('details.rule').evaluateAll((all) => all.map((d) => d.dataset.rule));
    for (const id of ['yaml-syntax-error', 'netpol-selects-nothing', 'localhost-in-env', 'image-tag-latest']) {
      assert.ok(ids.includes(id), `${id} in ${ids}`);
    }
  });

  await t.test('nothing left the local server and nothing failed', async () => {
    const outside = requests.filter((url) => {
      const { protocol } = new URL(url);
      if (protocol === 'data:' || protocol === 'blob:') return false;
      return new URL(url).origin !== origin;
    });
    assert.deepEqual(outside, []);
    assert.ok(requests.some((url) => url.endsWith('.wasm')), 'the wasm came from the local server');
    assert.deepEqual(pageErrors, []);
    assert.deepEqual(consoleErrors, []);
    assert.equal(await page.locator('#fatal').count(), 0);
  });

  await t.test('a fault in the wasm is told on the page, and the text survives a reload', async () => {
    // The release wasm stops at once on an internal error: the browser raises a
    // WebAssembly.RuntimeError out of the call that failed, here an event handler.
    await typeManifest(LATEST);
    await showTab('findings');
    await finding('image-tag-latest', 15).waitFor();
    await page.waitForTimeout(300);
    await page.evaluate(() => setTimeout(() => { throw new WebAssembly.RuntimeError('unreachable'); }));
    const banner = page.locator('#fatal[role=alert]');
    await banner.waitFor();
    assert.match(await banner.innerText(), /internal error.*Your text is kept.*unreachable/s);
    await page.reload();
    await page.locator('[data-testid=summary]').waitFor();
    assert.equal(await editorText(page), LATEST);
  });
});
