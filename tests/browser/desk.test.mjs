// The desk: settings, filters and keyboard, fixes applied and undone, share links, records
// kept across versions, themes, narrow screens and accessibility, in headless Chromium
// against the built app (dist/). Run from the repository root: `node --test tests/browser/`.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, editorText as textOf, editorSelection, waitForEditorText, dist, readRepo, serveDist, startServer, stopServer } from './support.mjs';

const require = createRequire(import.meta.url);
const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const example = readRepo('tests/fixtures/examples/petrosa-extractor.yaml');
const LOCALHOST = readRepo('tests/fixtures/web/localhost-service.yaml');

const LATEST = `apiVersion: apps/v1
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
        - name: web
          image: nginx:latest
`;

let server;
let origin;
let browser;
let context;
let page;
const pageErrors = [];

before(async () => {
  assert.ok(fs.existsSync(`${dist}/index.html`), 'dist/index.html is missing: build the app first');
  server = await startServer(serveDist());
  origin = server.origin;
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  context = await browser.newContext({ viewport: { width: 1360, height: 860 }, acceptDownloads: true });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
  page = await context.newPage();
  page.setDefaultTimeout(10_000);
  page.on('pageerror', (error) => pageErrors.push(String(error)));
});

after(async () => {
  await browser?.close();
  await stopServer(server);
});

const finding = (rule, line) =>
  page.locator(`li.finding[data-rule="${rule}"]${line ? `[data-line="${line}"]` : ''}`);
const showTab = (name) => page.click(`[data-testid=tab-${name}]`);
const editorText = () => textOf(page);

async function open(text) {
  await page.goto(`${origin}/`);
  await page.locator('[data-testid=summary]').waitFor();
  if (text !== undefined) await page.fill('[data-testid=editor]', text);
}

async function seriousViolations() {
  await page.evaluate(AXE);
  const result = await page.evaluate(() =>
    window.axe.run(document, { resultTypes: ['violations'] }),
  );
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).slice(0, 5).join(', ')}`);
}

test('the desk', async (t) => {
  await t.test('settings change what is checked and survive a reload', async () => {
    await page.goto(`${origin}/`);
    await page.evaluate(() => localStorage.clear());
    await open(LATEST);
    await finding('image-tag-latest', 14).waitFor();
    await showTab('settings');
    await page.click('[data-testid=profile-minimal]');
    await showTab('findings');
    await page.waitForFunction(() => !document.querySelector('li.finding[data-rule="image-tag-latest"]'));
    assert.match(await page.innerText('[data-testid=tab-settings]'), /•/);
    await page.reload();
    await page.locator('[data-testid=summary]').waitFor();
    await page.waitForTimeout(300);
    assert.equal(await finding('image-tag-latest').count(), 0, 'the profile was kept');
    await showTab('settings');
    assert.ok(await page.isChecked('[data-testid=profile-minimal]'));
    // One rule back on top of the profile, at another severity.
    const row = page.locator('tr[data-rule="image-tag-latest"]');
    await row.locator('input[type=checkbox]').check();
    await row.locator('select').selectOption('error');
    await showTab('findings');
    await finding('image-tag-latest', 14).waitFor();
    assert.equal(await finding('image-tag-latest', 14).getAttribute('data-severity'), 'error');
    await showTab('settings');
    await page.click('[data-testid=settings-reset]');
    assert.ok(await page.isChecked('[data-testid=profile-recommended]'));
    assert.doesNotMatch(await page.innerText('[data-testid=tab-settings]'), /•/);
  });

  await t.test('the editor highlights YAML, numbers and folds lines, searches, and marks findings by shape', async () => {
    await open(LOCALHOST);
    await finding('localhost-in-env', 17).waitFor();
    const editor = page.locator('.code-host');
    // Keys and values are told apart by the YAML grammar, not by a regex.
    const key = editor.locator('.cm-line', { hasText: 'kind: Deployment' }).locator('span').first();
    assert.equal(await key.innerText(), 'kind');
    const keyColour = await key.evaluate((e) => getComputedStyle(e).color);
    const lineColour = await editor.locator('.cm-line').first().evaluate((e) => getComputedStyle(e).color);
    assert.notEqual(keyColour, lineColour, 'keys are highlighted');
    assert.equal(await editor.locator('.cm-lineNumbers .cm-gutterElement', { hasText: /^17$/ }).count(), 1);
    // Line 17 carries the finding's mark: a warning, drawn as a triangle (not by colour alone).
    const marks = await editor.locator('.cm-lint-marker').evaluateAll((all) =>
      all.map((m) => [m.className.match(/cm-lint-marker-(\w+)/)[1], getComputedStyle(m).content]),
    );
    assert.ok(marks.some(([severity]) => severity === 'warning'), JSON.stringify(marks));
    const [, shape] = marks.find(([severity]) => severity === 'warning');
    assert.match(decodeURIComponent(shape), /<path d="M20 4L37 35H3Z"/);
    // Folding: a mapping folds to one line and unfolds again.
    const before = await editor.locator('.cm-line').count();
    await editor.locator('.cm-foldGutter .cm-gutterElement span[title="Fold line"]').first().click();
    await editor.locator('.cm-foldPlaceholder').first().waitFor();
    assert.ok((await editor.locator('.cm-line').count()) < before, 'lines were folded away');
    await editor.locator('.cm-foldPlaceholder').first().click();
    // Search: Ctrl+F opens CodeMirror's search panel in the editor.
    await page.locator('[data-testid=editor]').click();
    await page.keyboard.press('Control+f');
    await editor.locator('.cm-search input[name=search]').waitFor();
    await page.keyboard.type('localhost');
    await page.keyboard.press('Enter');
    assert.equal((await editorSelection(page)).text, 'localhost');
    await page.keyboard.press('Escape');
    // Typing in the editor is checked like any other edit.
    await page.locator('[data-testid=editor]').click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type('\n# a note typed at the end\n');
    await waitForEditorText(page, { includes: '# a note typed at the end' });
    await finding('localhost-in-env', 17).waitFor();
  });

  await t.test('filters, groups and the keyboard', async () => {
    await open(example);
    await showTab('findings');
    await finding('netpol-selects-nothing', 22).waitFor();
    const groups = await page.locator('section.group').evaluateAll((all) => all.map((g) => g.dataset.object));
    assert.ok(groups.some((g) => g.startsWith('NetworkPolicy allow-binance-data-extractor')), String(groups));
    const warnings = await page.locator('.groups li.finding[data-severity=warning]').count();
    assert.ok(warnings > 0);
    await page.click('[data-testid=filter-warning]');
    await page.waitForFunction(() => !document.querySelector('.groups li.finding[data-severity=warning]'));
    await finding('netpol-selects-nothing', 22).waitFor();
    await page.click('[data-testid=filter-warning]');
    await page.locator('.groups li.finding[data-severity=warning]').first().waitFor();
    await page.selectOption('[data-testid=filter-rule]', 'image-tag-placeholder');
    await page.waitForFunction(() =>
      [...document.querySelectorAll('.groups li.finding')].every((li) => li.dataset.rule === 'image-tag-placeholder'),
    );
    await page.selectOption('[data-testid=filter-rule]', '');

    // Down and up move between findings; Enter selects the range in the editor.
    const heads = page.locator('.groups button.finding-head');
    await heads.first().focus();
    await page.keyboard.press('ArrowDown');
    const focused = await page.evaluate(() => document.activeElement?.closest('li.finding')?.dataset.line);
    const second = await heads.nth(1).evaluate((b) => b.closest('li.finding').dataset.line);
    assert.equal(focused, second);
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('Enter');
    const selection = await editorSelection(page);
    assert.ok(selection.focused && selection.length > 0, JSON.stringify(selection));
  });

  await t.test('one fix is applied, then all, and undo takes them back in order', async () => {
    await open(LOCALHOST);
    await showTab('findings');
    const card = finding('localhost-in-env', 17);
    await card.waitFor();
    assert.match(await card.locator('.fix').innerText(), /changes behaviour/i);
    await card.locator('[data-testid=apply-fix]').click();
    await waitForEditorText(page, { includes: '@db:5432' });
    assert.match(await page.innerText('[data-testid=notice]'), /Applied/);
    const once = await editorText();
    assert.ok(!once.includes('@localhost:5432'));
    await showTab('patched');
    await page.click('[data-testid=undo]');
    await waitForEditorText(page, { equals: LOCALHOST });
    assert.match(await page.innerText('[data-testid=notice]'), /Undone/);
    await page.locator('[data-testid=apply-all]:not([disabled])').click();
    await waitForEditorText(page, { includes: '@db:5432' });
    await page.click('[data-testid=undo]');
    await waitForEditorText(page, { equals: LOCALHOST });
    assert.ok(await page.isDisabled('[data-testid=undo]'));
  });

  await t.test('the diff reads side by side, and the download is named after the file', async () => {
    await page.setInputFiles('input[type=file]', {
      name: 'db-client.yaml',
      mimeType: 'application/yaml',
      buffer: Buffer.from(LOCALHOST),
    });
    await showTab('patched');
    await page.locator('[data-testid=diff]').waitFor();
    await page.click('[data-testid=diff-layout]');
    const row = page.locator('[data-testid=split-diff] .split-row.diff-change').first();
    await row.waitFor();
    assert.match(await row.locator('.cell-old').innerText(), /@localhost:5432/);
    assert.match(await row.locator('.cell-new').innerText(), /@db:5432/);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=download]')]);
    assert.equal(download.suggestedFilename(), 'db-client.patched.yaml');
  });

  await t.test('a share link carries the text and the settings, and warns about secrets', async () => {
    await open(LATEST);
    await showTab('settings');
    await page.click('[data-testid=profile-strict]');
    await page.click('[data-testid=share]');
    const link = await page.locator('[data-testid=share-link]').inputValue();
    const fragment = new URL(link).hash;
    assert.match(fragment, /^#share=[A-Za-z0-9_-]+$/);
    assert.ok(!link.includes('nginx'), 'the text is compressed, not in clear');

    // Another browser profile, with its own storage, opens the link.
    const other = await browser.newContext();
    const second = await other.newPage();
    await second.goto(link);
    await waitForEditorText(second, { equals: LATEST });
    await second.locator('li.finding[data-rule="image-tag-latest"]').waitFor();
    assert.equal(await second.innerText('.source-name'), 'share link');
    assert.equal(await second.evaluate(() => location.hash), '', 'the link is not applied again on reload');
    await second.click('[data-testid=tab-settings]');
    assert.ok(await second.isChecked('[data-testid=profile-strict]'));
    await other.close();

    await page.fill('[data-testid=editor]', 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: hunter2-but-longer\n');
    await page.waitForTimeout(250);
    await page.click('[data-testid=share]');
    assert.match(await page.innerText('[data-testid=share-warning]'), /seems to hold secrets/);
    assert.equal(await page.locator('[data-testid=share-link]').count(), 0, 'no link before the second click');
    await page.click('[data-testid=share-warning] button.primary');
    await page.locator('[data-testid=share-link]').waitFor();
    await showTab('settings');
    await page.click('[data-testid=settings-reset]');
  });

  await t.test('a damaged share link says so and keeps the text', async () => {
    await open(LATEST);
    await page.waitForTimeout(200);
    await page.goto(`${origin}/#share=not-a-real-link`);
    await page.locator('[data-testid=notice]').waitFor();
    assert.match(await page.innerText('[data-testid=notice]'), /Could not open the share link/);
    assert.equal(await editorText(), LATEST);
  });

  await t.test('a record of another version is read, and its text is never lost', async () => {
    // A page of the same origin that runs no app, so nothing overwrites the record.
    await page.goto(`${origin}/no-app-here`);
    const records = [
      { text: 'kind: Pod\nmetadata:\n  name: old\n', source: 'old.yaml', include_unsafe: false },
      {
        version: 9,
        text: 'kind: Pod\nmetadata:\n  name: future\n',
        source: 'future.yaml',
        theme: { mode: 'sepia' },
        settings: { profile: { name: 'paranoid' }, allowedRegistries: ['registry.example.com'] },
        panes: [{ id: 'a' }],
      },
    ];
    for (const record of records) {
      await page.goto(`${origin}/no-app-here`);
      await page.evaluate((json) => localStorage.setItem('kubeclinic.v1', json), JSON.stringify(record));
      await page.goto(`${origin}/`);
      await page.locator('[data-testid=summary]').waitFor();
      assert.equal(await editorText(), record.text);
      assert.equal(await page.innerText('.source-name'), record.source);
    }
    await showTab('settings');
    assert.equal(await page.inputValue('[data-testid=registries]'), 'registry.example.com');
    const saved = JSON.parse(await page.evaluate(() => localStorage.getItem('kubeclinic.v1')));
    assert.equal(saved.version, 3);
    assert.equal(saved.text, records[1].text);
    await page.click('[data-testid=settings-reset]');
  });

  await t.test('rules are searchable and linkable by id', async () => {
    await page.goto(`${origin}/#/rules/netpol-selects-nothing`);
    const rule = page.locator('details.rule[data-rule="netpol-selects-nothing"]');
    // The docs arrive after the list (rule-docs.json); search reads their summaries.
    await page.waitForFunction(() => document.querySelector('details.rule[data-rule="netpol-selects-nothing"] .rule-summary')?.textContent.trim());
    assert.ok(await rule.evaluate((d) => d.open));
    await page.fill('[data-testid=rule-search]', 'localhost');
    const ids = await page.locator('details.rule').evaluateAll((all) => all.map((d) => d.dataset.rule));
    assert.ok(ids.includes('localhost-in-env') && !ids.includes('image-tag-latest'), String(ids));
    await page.locator('details.rule[data-rule="localhost-in-env"] summary').click();
    await page.waitForFunction(() => location.hash === '#/rules/localhost-in-env');
  });

  await t.test('dark and light themes: from the system, and the toggle', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await open(example);
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const dark = await background();
    assert.notEqual(dark, 'rgb(245, 247, 250)', 'the system dark setting darkens the page');
    await page.click('[data-testid=theme]'); // system -> light
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'light');
    assert.equal(await background(), 'rgb(245, 247, 250)');
    await page.click('[data-testid=theme]'); // light -> dark
    assert.equal(await background(), dark);
    await page.reload();
    await page.locator('[data-testid=summary]').waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark', 'kept');
    await page.click('[data-testid=theme]'); // dark -> system
    await page.emulateMedia({ colorScheme: 'light' });
  });

  await t.test('axe-core finds no serious or critical violation, light or dark', async () => {
    for (const scheme of ['light', 'dark']) {
      await page.emulateMedia({ colorScheme: scheme });
      for (const tab of ['findings', 'patched', 'graph', 'rules', 'settings']) {
        await open(example);
        await finding('netpol-selects-nothing', 22).waitFor();
        await showTab(tab);
        if (tab === 'findings') await finding('netpol-selects-nothing', 22).locator('.finding-head').click();
        assert.deepEqual(await seriousViolations(), [], `${scheme}, ${tab} tab`);
      }
    }
    await page.emulateMedia({ colorScheme: 'light' });
  });

  await t.test('readable at 320 px', async () => {
    await page.setViewportSize({ width: 320, height: 640 });
    await open(example);
    await finding('netpol-selects-nothing', 22).waitFor();
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 322, `the page is ${width} px wide at 320 px`);
    await page.setViewportSize({ width: 1360, height: 860 });
  });

  await t.test('several dropped files are checked as one set; a paste anywhere lands in the editor', async () => {
    await open('');
    await page.evaluate(
      ([a, b]) => {
        const data = new DataTransfer();
        data.items.add(new File([a], 'web.yaml', { type: 'application/yaml' }));
        data.items.add(new File([b], 'events.txt', { type: 'text/plain' }));
        const event = new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true });
        document.querySelector('.editor').dispatchEvent(event);
      },
      [LATEST, 'LAST SEEN   TYPE      REASON    OBJECT        MESSAGE\n12s         Warning   Failed    pod/web-7d9   Failed to pull image "nginx:latest": rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/nginx:latest": not found\n'],
    );
    await page.waitForFunction(() => document.querySelector('.source-name')?.textContent === '2 files');
    const text = await editorText();
    assert.ok(text.startsWith('# file: web.yaml\n'), text);
    assert.match(text, /\n---\n# file: events\.txt\n/);
    await finding('image-tag-latest').waitFor();
    await finding('image-not-found').waitFor();

    await page.locator('[data-testid=summary]').click();
    await page.evaluate((text) => {
      const data = new DataTransfer();
      data.setData('text/plain', text);
      document.body.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    }, LOCALHOST);
    await waitForEditorText(page, { equals: LOCALHOST });
    assert.equal(await page.innerText('.source-name'), 'pasted text');
    await finding('localhost-in-env', 17).waitFor();
  });

  await t.test('a dropped folder is walked; each changed file downloads on its own', async () => {
    await open('');
    await page.evaluate(
      ([web, client]) => {
        // A folder as the browser hands it over: entries, walked through readers.
        const file = (path, text) => ({
          isFile: true,
          isDirectory: false,
          name: path.split('/').pop(),
          fullPath: `/${path}`,
          file: (resolve) => resolve(new File([text], path.split('/').pop())),
        });
        const folder = (path, children) => ({
          isFile: false,
          isDirectory: true,
          name: path.split('/').pop(),
          fullPath: `/${path}`,
          createReader: () => {
            let given = false;
            // Readers hand out entries in batches, then an empty one.
            return { readEntries: (resolve) => { resolve(given ? [] : children); given = true; } };
          },
        });
        const root = folder('k8s', [
          folder('k8s/svc', [file('k8s/svc/db-client.yaml', client)]),
          file('k8s/README.md', '# notes'),
          folder('k8s/.git', [file('k8s/.git/config', '[core]')]),
          folder('k8s/app', [file('k8s/app/web.yaml', web)]),
        ]);
        const event = new DragEvent('drop', { bubbles: true, cancelable: true });
        Object.defineProperty(event, 'dataTransfer', {
          value: { items: [{ kind: 'file', webkitGetAsEntry: () => root }], files: [] },
        });
        document.querySelector('.editor').dispatchEvent(event);
      },
      [LATEST, LOCALHOST],
    );
    await page.waitForFunction(() => document.querySelector('.source-name')?.textContent === '2 files');
    const text = await editorText();
    assert.ok(text.startsWith('# file: k8s/app/web.yaml\n'), text.slice(0, 80));
    assert.match(text, /\n---\n# file: k8s\/svc\/db-client\.yaml\n/);
    assert.ok(!text.includes('[core]') && !text.includes('# notes'));
    await page.locator('[data-testid=notice]', { hasText: /README\.md is not a \.yaml.*left out/ }).waitFor();
    await finding('localhost-in-env').waitFor();

    await showTab('patched');
    const files = page.locator('[data-testid=patched-files] button[data-file]');
    await files.first().waitFor();
    assert.deepEqual(await files.evaluateAll((all) => all.map((b) => b.dataset.file)), ['db-client.patched.yaml']);
    const [download] = await Promise.all([page.waitForEvent('download'), files.first().click()]);
    assert.equal(download.suggestedFilename(), 'db-client.patched.yaml');
    const saved = fs.readFileSync(await download.path(), 'utf8');
    assert.ok(saved.includes('@db:5432') && !saved.includes('# file:'), saved.slice(0, 200));
  });

  await t.test('settings export to and import from the CLI\'s .kubeclinic.yaml', async () => {
    await open(LATEST);
    await finding('image-tag-latest', 15).waitFor();
    await showTab('settings');
    await page.click('[data-testid=profile-strict]');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=config-export]')]);
    assert.equal(download.suggestedFilename(), 'kubeclinic.yaml');
    assert.match(fs.readFileSync(await download.path(), 'utf8'), /^profile: strict$/m);

    const importFile = (text) =>
      page.setInputFiles('[data-testid=config-file]', { name: '.kubeclinic.yaml', mimeType: 'application/yaml', buffer: Buffer.from(text) });
    await importFile('profile: minimal\nignnore: [image-tag-latest]\n');
    await page.locator('[data-testid=notice]', { hasText: /unknown key `ignnore` in \.kubeclinic\.yaml line 2; did you mean `ignore`\?/ }).waitFor();
    assert.ok(await page.isChecked('[data-testid=profile-strict]'), 'a refused file changes nothing');

    await importFile('profile: recommended\nignore: [image-tag-latest]\n');
    await page.locator('[data-testid=notice]', { hasText: 'Settings read from .kubeclinic.yaml.' }).waitFor();
    assert.ok(await page.isChecked('[data-testid=profile-recommended]'));
    await showTab('findings');
    await page.locator('[data-testid=summary]').waitFor();
    await page.waitForFunction(() => !document.querySelector('li.finding[data-rule="image-tag-latest"]'));
  });

  await t.test('the object graph draws the links, and a broken one leads to its finding', async () => {
    await open(example);
    await finding('netpol-selects-nothing', 22).waitFor();
    await showTab('graph');
    await page.locator('[data-testid=graph]').waitFor();
    const kinds = await page.locator('[data-testid=graph-node]').evaluateAll((all) => all.map((n) => n.dataset.kind));
    assert.ok(kinds.includes('NetworkPolicy') && kinds.includes('CronJob'), String(kinds));
    const broken = page.locator('[data-testid=graph-edge][data-broken=true]');
    assert.ok((await broken.count()) > 0, 'the policy that selects nothing is drawn broken');
    await broken.first().click();
    const selection = (await editorSelection(page)).text;
    assert.ok(selection.startsWith('app: binance-data-extractor'), selection);
    // The keyboard reaches the same link.
    await broken.first().focus();
    await page.keyboard.press('Enter');
    await open('');
    await showTab('graph');
    await page.locator('[data-testid=graph-empty]').waitFor();
    await showTab('findings');
  });

  await t.test('the sample gallery loads each sample, and links to one', async () => {
    await open();
    await page.click('[data-testid=gallery] summary');
    const ids = await page.locator('button.sample').evaluateAll((all) => all.map((b) => b.dataset.sample));
    assert.ok(ids.length >= 10, String(ids));
    await page.click('button.sample[data-sample="oom-killed"]');
    await finding('oom-killed').waitFor();
    assert.equal(await page.locator('[data-testid=gallery][open]').count(), 0, 'the list closes');
    await page.goto(`${origin}/#/samples/pending-insufficient-cpu`);
    await waitForEditorText(page, { includes: 'Insufficient cpu' });
    assert.equal(await page.evaluate(() => location.hash), '');
  });

  await t.test('manifests and cluster output in two panes: read together, kept, patched apart', async () => {
    const crash = readRepo('tests/fixtures/examples/bot-crashloop.txt');
    const at = crash.indexOf('---\n# k8s/');
    const [cluster, manifests] = [crash.slice(0, at), crash.slice(at)];
    await open(manifests);
    await page.click('[data-testid=cluster-pane-toggle]');
    await page.fill('[data-testid=cluster-editor]', cluster);
    // The crash loop is told in the cluster pane; its cause is in the manifests.
    const inCluster = page.locator('li.finding[data-rule="localhost-connection"][data-pane="cluster"]');
    await inCluster.first().waitFor();
    assert.match(await inCluster.first().locator('[data-testid=line]').innerText(), /^cluster output, line \d+$/);
    await page.locator('li.finding[data-rule="plaintext-secret-env"][data-pane="manifests"]').waitFor();
    // A click selects the place in the cluster pane, not in the manifests.
    const line = Number(await inCluster.first().getAttribute('data-line'));
    await inCluster.first().locator('.finding-head').click();
    const selected = await page.$$eval('.code-host', (hosts) => {
      const host = hosts[1];
      const [from, to] = host.editor.selection();
      const text = host.editor.text();
      return { line: text.slice(0, from).split('\n').length, empty: from === to };
    });
    assert.equal(selected.line, line);
    // The patch is of the manifests only.
    await showTab('patched');
    await page.locator('[data-testid=patch-summary]').waitFor();
    const diff = await page.innerText('.results');
    assert.doesNotMatch(diff, /kubectl describe pod/);
    await showTab('findings');
    assert.deepEqual(await seriousViolations(), []);
    // Both panes survive a reload.
    await page.reload();
    await page.locator('[data-testid=cluster-editor]').waitFor();
    assert.equal(await page.$$eval('.code-host', (hosts) => hosts[1].editor.text()), cluster);
    assert.equal(await editorText(), manifests);
    await inCluster.first().waitFor();
    // Closing the pane moves its text into the manifests box: nothing is lost.
    await page.click('[data-testid=cluster-pane-close]');
    await page.waitForFunction(() => !document.querySelector('[data-testid=cluster-editor]'));
    assert.equal(await editorText(), `${manifests}${manifests.endsWith('\n') ? '' : '\n'}${cluster}`);
    await page.locator('li.finding[data-rule="localhost-connection"][data-pane="manifests"]').waitFor();
    assert.equal(await page.locator('li.finding[data-pane="cluster"]').count(), 0);
  });

  await t.test('no page error', () => {
    assert.deepEqual(pageErrors, []);
  });
});
