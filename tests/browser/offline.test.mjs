// Trust, offline use and embedding of the built page (dist/, from `trunk build --release`), in
// headless Chromium: the strict policy, the service worker, the single file, the
// <kube-clinic> element and the ?embed frame. Run from the repository root:
// `node --test tests/browser/`.
//
// Three local servers play three sites: A serves dist/ under /docs/kc/ (with CORS, as a static
// host that others may embed from), B is a docs site that embeds Kubeclinic, C is a site that
// must not be able to drive the frame.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, editorText, TYPES, dist, readRepo, serveDist, startServer, stopServer } from './support.mjs';

const example = readRepo('tests/fixtures/examples/petrosa-extractor.yaml');

const BASE = '/docs/kc/';

// The container's name is markup, which must come out as text. Line 8 holds the image.
const LATEST = `apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
    - name: <b>web</b>
      image: nginx:latest
`;

// The quote on line 6 is never closed.
const BROKEN = `apiVersion: v1
kind: ConfigMap
metadata:
  name: broken
data:
  key: "unterminated
  other: value
`;

function servePages(pages) {
  return (req, res) => {
    const page = pages[new URL(req.url, 'http://localhost').pathname];
    if (!page) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': page.type || TYPES['.html'], ...(page.headers?.() ?? {}) }).end(page.body());
  };
}

let kc; // A
let docs; // B
let stranger; // C
let browser;

before(async () => {
  assert.ok(fs.existsSync(path.join(dist, 'kubeclinic.html')), 'dist/kubeclinic.html is missing: run `wasm_build trunk build --release` first');
  kc = await startServer(serveDist({ base: BASE, cors: true }));
  docs = await startServer(
    servePages({
      '/guide.html': { body: guidePage, headers: () => ({ 'content-security-policy': docsPolicy() }) },
      '/frames.html': { body: framesPage, headers: () => ({ 'content-security-policy': docsPolicy() }) },
      '/example.yaml': { body: () => example, type: TYPES['.yaml'] },
    }),
  );
  stranger = await startServer(servePages({ '/stranger.html': { body: () => '<!doctype html><title>Stranger</title><p>Another site.</p>' } }));
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
  for (const server of [kc, docs, stranger]) await stopServer(server);
});

/** A strict policy, as a careful docs site would send: only Kubeclinic's origin may add code. */
const docsPolicy = () =>
  [
    "default-src 'none'",
    `script-src 'self' ${kc.origin} 'wasm-unsafe-eval'`,
    `connect-src 'self' ${kc.origin}`,
    `frame-src ${kc.origin} ${stranger.origin}`,
    "style-src 'self'",
  ].join('; ');

const escapeHtml = (text) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

// A heading with the id `kubeclinic`, as Markdown tools write for "# Kubeclinic": the app must
// not take it for its mount point.
const guidePage = () => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Guide</title>
<script type="module" src="${kc.origin}${BASE}kube-clinic.js"></script></head>
<body>
<h1 id="kubeclinic">Kubeclinic</h1>
<kube-clinic id="inline">
  <script type="text/plain">
${LATEST.replace(/^/gm, '    ')}
  </script>
</kube-clinic>
<kube-clinic id="fetched" src="/example.yaml"></kube-clinic>
<kube-clinic id="bad" settings='{"ignore": ["image-tag-lates"]}'>kind: Pod</kube-clinic>
<kube-clinic id="attribute" manifest="${escapeHtml(LATEST)}" settings='{"ignore": ["image-tag-latest"]}'></kube-clinic>
</body></html>`;

const framesPage = () => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Frames</title></head>
<body>
<iframe id="named" src="${kc.origin}${BASE}index.html?embed&origin=${encodeURIComponent(docs.origin)}" width="600" height="400"></iframe>
<iframe id="stranger" src="${stranger.origin}/stranger.html"></iframe>
<iframe id="referred" src="${kc.origin}${BASE}?embed" width="600" height="400"></iframe>
</body></html>`;

// Runs before any script of every page and frame: records policy violations, the element's
// events and the messages a window receives (with the index of the frame that sent them).
function recorder() {
  window.__violations = [];
  window.__events = [];
  window.__messages = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`);
  });
  for (const type of ['kubeclinic-report', 'kubeclinic-error']) {
    document.addEventListener(type, (e) => window.__events.push({ type, id: e.target.id, detail: e.detail }));
  }
  window.addEventListener('message', (e) => {
    const frame = [...Array(window.frames.length).keys()].find((i) => window.frames[i] === e.source);
    window.__messages.push({ origin: e.origin, frame: frame ?? null, data: e.data });
  });
}

/** A context whose requests, page errors and console errors are recorded. */
async function openContext(options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, ...options });
  await context.addInitScript(recorder);
  const log = { requests: [], errors: [], warnings: [] };
  context.on('request', (request) => log.requests.push(request.url()));
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (error) => log.errors.push(String(error)));
  page.on('console', (message) => {
    if (message.type() === 'error') log.errors.push(message.text());
    if (message.type() === 'warning') log.warnings.push(message.text());
  });
  return { context, page, log };
}

const outside = (requests, origins) =>
  requests.filter((url) => {
    const { protocol, origin } = new URL(url);
    if (protocol === 'data:' || protocol === 'blob:') return false;
    return !origins.includes(origin);
  });

/** Waits until the rule reference shows `id` open with its summary and its docs. */
async function ruleDocsShown(page, id) {
  const rule = page.locator(`details.rule[data-rule="${id}"]`);
  await page.waitForFunction((id) => document.querySelector(`details.rule[data-rule="${id}"] .rule-summary`)?.textContent.trim(), id);
  assert.ok(await rule.evaluate((d) => d.open), `${id} is open`);
  assert.match(await rule.textContent(), /Why is this bad\?/);
  assert.equal(await page.locator('[data-testid=rule-docs-failed]').count(), 0);
}

const finding = (page, rule, line) => page.locator(`li.finding[data-rule="${rule}"]${line ? `[data-line="${line}"]` : ''}`);

// A bound on the whole run, so that a page that never answers fails the test instead of hanging.
test('trust, offline use and embedding', { timeout: 180_000 }, async (t) => {
  const { context, page, log } = await openContext();

  await t.test('the page runs under its strict policy and asks only its own server', async () => {
    const html = fs.readFileSync(path.join(dist, 'index.html'), 'utf8');
    const policy = /http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(html)[1];
    const scripts = /script-src ([^;]*)/.exec(policy)[1];
    assert.doesNotMatch(scripts, /unsafe-inline/);
    assert.match(scripts, /'wasm-unsafe-eval'/);
    assert.doesNotMatch(html, /<script(?![^>]*\ssrc=)[^>]*>/, 'no inline script is left');

    const started = Date.now();
    await page.goto(`${kc.origin}${BASE}`);
    await finding(page, 'netpol-selects-nothing', 22).waitFor();
    t.diagnostic(`first diagnosis over http: ${Date.now() - started} ms`);
    assert.deepEqual(await page.evaluate(() => window.__violations), []);
    assert.deepEqual(log.errors, []);
    assert.deepEqual(outside(log.requests, [kc.origin]), []);
    assert.ok(log.requests.some((url) => url.includes('kubeclinic-loader-')), 'the loader came as a file');
  });

  await t.test('after one visit the page opens and checks with no network', async () => {
    // The worker controls the page once it has stored the files and activated.
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    kc.down = true;
    await context.setOffline(true);
    try {
      const response = await page.reload();
      assert.ok(response.fromServiceWorker(), 'the page came from the service worker');
      await finding(page, 'netpol-selects-nothing', 22).waitFor();
      await finding(page, 'localhost-in-env', 41).waitFor();
      assert.equal(await editorText(page), example);
      // The rule docs are fetched only when the reference opens: the worker has them too.
      await page.goto(`${kc.origin}${BASE}#/rules/netpol-selects-nothing`);
      await ruleDocsShown(page, 'netpol-selects-nothing');
      // The ?embed view is the same index.html, so it is kept too.
      await page.goto(`${kc.origin}${BASE}index.html?embed#text=${encodeURIComponent(LATEST)}`);
      await page.locator('li.kc-finding[data-rule="image-tag-latest"][data-line="8"]').waitFor();
    } finally {
      await context.setOffline(false);
      kc.down = false;
    }
    assert.deepEqual(log.errors, []);
    assert.deepEqual(await page.evaluate(() => window.__violations), []);
  });

  await t.test('a new build replaces the cache of the one before', async () => {
    const names = await page.evaluate(() => caches.keys());
    assert.equal(names.length, 1, String(names));
    const worker = fs.readFileSync(path.join(dist, 'sw.js'), 'utf8');
    const version = /"version": "([0-9a-f]+)"/.exec(worker)[1];
    assert.equal(names[0], `kubeclinic ${BASE} ${version}`);
  });
  await context.close();

  await t.test('kubeclinic.html runs from file:// alone, with no request at all', async () => {
    const single = await openContext({ offline: true });
    try {
      const started = Date.now();
      await single.page.goto(pathToFileURL(path.join(dist, 'kubeclinic.html')).href);
      await finding(single.page, 'netpol-selects-nothing', 22).waitFor();
      t.diagnostic(`first diagnosis from file://: ${Date.now() - started} ms`);
      await finding(single.page, 'image-tag-placeholder', 63).waitFor();
      const network = single.log.requests.filter((url) => !url.startsWith('file:') && !url.startsWith('data:'));
      assert.deepEqual(network, []);
      assert.deepEqual(await single.page.evaluate(() => window.__violations), []);
      assert.deepEqual(single.log.errors, []);
      // The app works there as on the server: a new text is checked.
      await single.page.fill('[data-testid=editor]', BROKEN);
      await finding(single.page, 'yaml-syntax-error', 6).waitFor();
      // CEL is judged from the file's own copy of the CEL module.
      await single.page.fill('[data-testid=editor]', readRepo('tests/fixtures/crd-validation-rule/invalid.yaml'));
      await finding(single.page, 'crd-validation-rule', 60).waitFor();
      // The rule docs come from the file's own data block.
      await single.page.evaluate(() => { location.hash = '#/rules/localhost-in-env'; });
      await ruleDocsShown(single.page, 'localhost-in-env');
      assert.deepEqual(single.log.requests.filter((url) => !url.startsWith('file:') && !url.startsWith('data:')), []);
    } finally {
      await single.context.close();
    }
  });

  await t.test('<kube-clinic> in a docs page of another origin, loaded from a base path', async () => {
    const guide = await openContext();
    try {
      await guide.page.goto(`${docs.origin}/guide.html`);
      const { page } = guide;
      await page.waitForFunction(() => window.__events.length >= 4);
      const events = await page.evaluate(() => window.__events);
      const byId = Object.fromEntries(events.map((e) => [e.id, e]));

      assert.equal(byId.inline.type, 'kubeclinic-report');
      const latest = byId.inline.detail.findings.find((f) => f.rule === 'image-tag-latest');
      assert.equal(latest?.line, 8, JSON.stringify(byId.inline.detail.findings));
      assert.equal(byId.inline.detail.version, 1);
      const item = page.locator('#inline li.kc-finding[data-rule="image-tag-latest"][data-line="8"]');
      assert.match(await item.innerText(), /warning/i);
      assert.match(await item.innerText(), /line 8/);
      assert.match(await item.locator('.kc-todo').innerText(), /What to do/);

      assert.equal(byId.fetched.type, 'kubeclinic-report');
      assert.ok(byId.fetched.detail.findings.some((f) => f.rule === 'netpol-selects-nothing' && f.line === 22));
      await page.locator('#fetched li.kc-finding[data-rule="netpol-selects-nothing"][data-line="22"]').waitFor();
      assert.match(await page.locator('#fetched .kc-summary').innerText(), /2 errors/);

      assert.equal(byId.bad.type, 'kubeclinic-error');
      assert.match(byId.bad.detail.message, /did you mean `image-tag-latest`/);
      assert.match(await page.locator('#bad .kc-failed').innerText(), /image-tag-lates/);

      assert.equal(byId.attribute.type, 'kubeclinic-report');
      assert.ok(byId.attribute.detail.findings.every((f) => f.rule !== 'image-tag-latest'), 'settings apply');

      // The user's markup stays text; only the element's own tags are in its shadow root.
      const shadow = await page.evaluate(() => {
        const root = document.getElementById('inline').shadowRoot;
        return {
          tags: [...new Set([...root.querySelectorAll('*')].map((e) => e.localName))].sort(),
          text: root.textContent,
          radius: getComputedStyle(root.querySelector('.kc-embed')).borderTopLeftRadius,
        };
      });
      assert.deepEqual(shadow.tags, ['code', 'li', 'ol', 'p', 'section', 'span']);
      assert.ok(shadow.text.includes('<b>web</b>'), shadow.text);
      assert.equal(shadow.radius, '8px', 'the stylesheet applies under the docs page policy');

      // The docs page is untouched: the heading with the id `kubeclinic` is still there.
      assert.equal(await page.innerText('h1#kubeclinic'), 'Kubeclinic');
      assert.equal(await page.locator('.app').count(), 0);
      assert.deepEqual(await page.evaluate(() => window.__violations), []);
      assert.deepEqual(guide.log.errors, []);
      assert.deepEqual(outside(guide.log.requests, [kc.origin, docs.origin]), []);
      assert.ok(guide.log.requests.some((url) => url.startsWith(`${kc.origin}${BASE}`) && url.endsWith('.wasm')));
    } finally {
      await guide.context.close();
    }
  });

  await t.test('the ?embed frame answers the allowed origin only', async () => {
    const framed = await openContext();
    try {
      const { page } = framed;
      await page.goto(`${docs.origin}/frames.html`);
      const messages = () => page.evaluate(() => window.__messages);
      // Frame 0 names the docs origin; frame 2 takes it from the referrer.
      await page.waitForFunction(() => [0, 2].every((i) => window.__messages.some((m) => m.frame === i && m.data?.type === 'kubeclinic:ready')));
      assert.ok((await messages()).every((m) => m.origin === kc.origin));

      const named = page.frames().find((f) => f.url().includes('origin='));
      const strangerFrame = page.frames().find((f) => f.url().startsWith(stranger.origin));
      const warned = page.waitForEvent('console', (m) => m.type() === 'warning' && m.text().includes(`ignored a message from ${stranger.origin}`));
      await strangerFrame.evaluate((text) => parent.frames[0].postMessage({ type: 'kubeclinic:check', text }, '*'), BROKEN);
      await warned;

      await page.evaluate(
        ([text, target]) => document.getElementById('named').contentWindow.postMessage({ type: 'kubeclinic:check', text, id: 7 }, target),
        [LATEST, kc.origin],
      );
      await page.waitForFunction(() => window.__messages.some((m) => m.data?.type === 'kubeclinic:report' && m.data.id === 7));
      const reply = (await messages()).find((m) => m.data?.id === 7);
      assert.equal(reply.origin, kc.origin);
      assert.equal(reply.frame, 0);
      assert.ok(reply.data.report.findings.some((f) => f.rule === 'image-tag-latest' && f.line === 8));
      await named.locator('li.kc-finding[data-rule="image-tag-latest"][data-line="8"]').waitFor();
      assert.equal(await named.locator('li.kc-finding[data-rule="yaml-syntax-error"]').count(), 0, "the stranger's text was not checked");
      // The frame tells its height, so the page can fit it to the diagnosis.
      await page.waitForFunction(() => window.__messages.some((m) => m.frame === 0 && m.data?.type === 'kubeclinic:resize' && m.data.height > 0));
      const heights = (await messages()).filter((m) => m.frame === 0 && m.data?.type === 'kubeclinic:resize').map((m) => m.data.height);
      const content = await named.evaluate(() => Math.ceil(document.getElementById('kubeclinic').getBoundingClientRect().bottom));
      assert.equal(heights.at(-1), content);
      assert.deepEqual(await strangerFrame.evaluate(() => window.__messages), [], 'the stranger got no answer');
      assert.equal(await named.locator('[data-testid=editor]').count(), 0, 'no editor in the compact view');

      // Settings come along; bad ones are answered with an error object.
      await page.evaluate(
        ([text, target]) => {
          const frame = document.getElementById('named').contentWindow;
          frame.postMessage({ type: 'kubeclinic:check', text, settings: { ignore: ['image-tag-latest'] }, id: 8 }, target);
          frame.postMessage({ type: 'kubeclinic:check', text, settings: '{"profile": "loud"}', id: 9 }, target);
        },
        [LATEST, kc.origin],
      );
      await page.waitForFunction(() => [8, 9].every((id) => window.__messages.some((m) => m.data?.id === id)));
      const [quiet, bad] = [8, 9].map((id) => framed.page.evaluate((id) => window.__messages.find((m) => m.data?.id === id).data.report, id));
      assert.ok((await quiet).findings.every((f) => f.rule !== 'image-tag-latest'));
      assert.match((await bad).error, /settings/);

      // A text in the fragment is checked, and the report sent to the framing page.
      await named.evaluate((text) => {
        location.hash = `text=${encodeURIComponent(text)}`;
      }, BROKEN);
      await named.locator('li.kc-finding[data-rule="yaml-syntax-error"][data-line="6"]').waitFor();
      await page.waitForFunction(() =>
        window.__messages.some((m) => m.frame === 0 && m.data?.report?.findings?.some((f) => f.rule === 'yaml-syntax-error')),
      );
      assert.deepEqual(framed.log.errors, []);
      assert.deepEqual(await page.evaluate(() => window.__violations), []);
    } finally {
      await framed.context.close();
    }
  });
});
