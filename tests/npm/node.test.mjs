// The kubeclinic npm package from Node: installed from its tarball into a new folder, loaded
// with `import` and `require`, and used on real manifests. Run from the repository root after
// scripts/npm-package.sh: `node --test tests/npm/`.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { readRepo } from '../browser/support.mjs';
import { installPackage, version } from './package.mjs';

const PETROSA = readRepo('tests/fixtures/examples/petrosa-extractor.yaml');
const DEPRECATED = readRepo('tests/fixtures/deprecated-api/invalid.yaml');

let installed;
let kc;

before(async () => {
  installed = installPackage();
  fs.writeFileSync(path.join(installed.dir, 'consumer.mjs'), "export * from 'kubeclinic';\n");
  kc = await import(pathToFileURL(path.join(installed.dir, 'consumer.mjs')));
});

after(() => installed?.remove());

test('the package installs from its tarball and loads with import and require', () => {
  const required = createRequire(path.join(installed.dir, 'package.json'))('kubeclinic');
  for (const api of [kc, required]) {
    for (const name of ['check', 'fix', 'rules']) {
      assert.equal(typeof api[name], 'function', name);
    }
  }
  const manifest = JSON.parse(fs.readFileSync(path.join(installed.packageDir, 'package.json'), 'utf8'));
  assert.equal(manifest.name, 'kubeclinic');
  assert.equal(manifest.version, version);
  assert.equal(manifest.license, 'Apache-2.0');
  assert.deepEqual(Object.keys(manifest.exports['.']), ['types', 'node', 'browser', 'default']);
  for (const file of manifest.files) {
    assert.ok(fs.existsSync(path.join(installed.packageDir, file)), `${file} is not in the package`);
  }
  assert.ok(fs.existsSync(path.join(installed.packageDir, 'README.md')));
});

test('check finds the NetworkPolicy that selects nothing at its line, with its labels', () => {
  const report = kc.check(PETROSA);
  assert.equal(report.version, 1);
  assert.equal(report.understood, true);
  const netpol = report.findings.find((f) => f.rule === 'netpol-selects-nothing');
  assert.ok(netpol, JSON.stringify(report.findings.map((f) => f.rule)));
  assert.equal(netpol.severity, 'error');
  assert.equal(netpol.file, 'input');
  assert.deepEqual(
    [netpol.range.line, netpol.range.column, netpol.range.endLine, netpol.range.endColumn],
    [22, 7, 23, 33],
  );
  assert.match(PETROSA.slice(netpol.range.start, netpol.range.end), /^app: binance-data-extractor\n\s+component: data-extraction$/);
  assert.match(netpol.message, /NetworkPolicy allow-binance-data-extractor selects no pods/);
  assert.ok(netpol.why && netpol.help);
  assert.deepEqual(netpol.object, { kind: 'NetworkPolicy', namespace: 'petrosa-apps', name: 'allow-binance-data-extractor' });
  const closest = netpol.related.find((r) => /closest pod template/.test(r.message));
  assert.ok(closest, JSON.stringify(netpol.related));
  assert.equal(closest.range.line, 56);
  assert.equal(netpol.fix.applicability, 'unsafe');
  assert.match(netpol.fix.title, /CronJob binance-klines-m5-production/);
  for (const edit of netpol.fix.edits) {
    assert.equal(edit.file, 'input');
    assert.ok(edit.range.start <= edit.range.end);
  }
  assert.deepEqual(report.inputs.map((i) => i.file), ['input']);
  assert.ok(report.inputs[0].manifest > 0);
});

test('files are checked as one set, each finding naming its file', () => {
  const documents = PETROSA.split(/^---\n/m);
  const files = documents.map((text, i) => ({ name: `k8s/${i}.yaml`, text }));
  const policyFile = files.find((f) => f.text.includes('kind: NetworkPolicy\nmetadata:\n  name: allow-binance')).name;
  const cronJobFile = files.find((f) => f.text.includes('kind: CronJob')).name;
  const report = kc.check(files);
  const netpol = report.findings.find((f) => f.rule === 'netpol-selects-nothing');
  assert.equal(netpol.file, policyFile);
  assert.ok(netpol.related.some((r) => r.file === cronJobFile), JSON.stringify(netpol.related));
  assert.deepEqual(report.inputs.map((i) => i.file), files.map((f) => f.name));
});

test('fix applies safe fixes, and the ones that change behaviour only when asked', () => {
  const safe = kc.fix(DEPRECATED);
  assert.notEqual(safe.text, DEPRECATED);
  assert.match(safe.text, /^# Source: shop\/templates\/cronjob.yaml\napiVersion: batch\/v1\nkind: CronJob$/m);
  assert.doesNotMatch(safe.text, /batch\/v1beta1/);
  assert.match(safe.text, /serviceName: storefront # the web UI/, 'comments are kept');
  assert.ok(safe.applied.some((a) => a.rule === 'deprecated-api'), JSON.stringify(safe.applied));
  assert.equal(safe.converged, true);
  // The Ingress's move to networking.k8s.io/v1 rewrites its backends: no safe fix.
  const deprecated = (report) => report.findings.filter((f) => f.rule === 'deprecated-api').map((f) => f.object.kind);
  assert.deepEqual(deprecated(safe.remaining), ['Ingress']);
  assert.ok(deprecated(kc.check(DEPRECATED)).length > 1);
  assert.deepEqual(safe.files.map((f) => [f.name, f.changed]), [['input', true]]);
  assert.equal(kc.fix(safe.text).text, safe.text, 'fixing twice changes nothing');

  const cautious = kc.fix(PETROSA);
  assert.ok(!cautious.applied.some((a) => a.rule === 'netpol-selects-nothing'));
  const bold = kc.fix(PETROSA, null, { unsafe: true });
  assert.ok(bold.applied.some((a) => a.rule === 'netpol-selects-nothing'), JSON.stringify(bold.applied));
  assert.match(bold.text, /app: binance-extractor\n\s+component: klines-extractor/);
  assert.ok(!bold.remaining.findings.some((f) => f.rule === 'netpol-selects-nothing'));

  const files = kc.fix([
    { name: 'old.yaml', text: DEPRECATED },
    { name: 'notes.txt', text: 'nothing to fix here\n' },
  ]);
  assert.equal(files.text, undefined);
  assert.deepEqual(files.files.map((f) => [f.name, f.changed]), [['old.yaml', true], ['notes.txt', false]]);
});

test('settings change the check', () => {
  const quiet = kc.check(PETROSA, { ignore: ['networking'] });
  assert.ok(!quiet.findings.some((f) => f.rule === 'netpol-selects-nothing'));
  const loud = kc.check(PETROSA, { severity: { 'localhost-in-env': 'error' } });
  assert.equal(loud.findings.find((f) => f.rule === 'localhost-in-env').severity, 'error');
  const only = kc.check(PETROSA, { select: ['netpol-selects-nothing'] });
  assert.deepEqual([...new Set(only.findings.map((f) => f.rule))], ['netpol-selects-nothing']);
  assert.deepEqual(kc.check(PETROSA, null), kc.check(PETROSA, {}));
});

test('bad settings and inputs throw Errors naming the place', () => {
  const throwsAt = (call, message) => assert.throws(call, (e) => e instanceof Error && message.test(e.message), String(message));
  throwsAt(() => kc.check(PETROSA, { profile: 'strictest' }), /^settings\.profile: unknown variant `strictest`, expected one of `minimal`, `recommended`, `strict`$/);
  throwsAt(() => kc.check(PETROSA, { ignore: ['image-tag-lates'] }), /^settings\.ignore: `image-tag-lates` .*did you mean `image-tag-latest`\?/);
  throwsAt(() => kc.check(PETROSA, { severity: { 'oom-killed': 'loud' } }), /^settings\.severity\.oom-killed: unknown variant `loud`/);
  throwsAt(() => kc.check(PETROSA, { kubernetesVersion: 'latest' }), /^settings\.kubernetesVersion `latest` is not a version/);
  throwsAt(() => kc.check(PETROSA, { options: { 'image-tag-latest': { moving: ['x'] } } }), /^settings\.options: image-tag-latest has no option `moving`/);
  throwsAt(() => kc.check(PETROSA, 'strict'), /^settings: invalid type: string "strict"/);
  throwsAt(() => kc.check(42), /^input: invalid type: .*expected a string or an array of \{name, text\} files/);
  throwsAt(() => kc.check([{ name: 'a.yaml', text: 'kind: Pod' }, { name: 'b.yaml' }]), /^input\[1\]: missing field `text`/);
  throwsAt(() => kc.fix(PETROSA, null, { unsafe: 'yes' }), /^options\.unsafe: invalid type: string "yes", expected a boolean/);
  throwsAt(() => kc.check('#'.repeat(64 * 1024 * 1024 + 1)), /^input: the text is 64 MiB; Kubeclinic reads at most 64 MiB/);
  // The module keeps working after an error.
  assert.ok(kc.check(PETROSA).findings.length > 0);
});

test('rules lists every rule with its documentation', () => {
  const rules = kc.rules();
  assert.ok(rules.length > 100, `${rules.length} rules`);
  assert.equal(new Set(rules.map((r) => r.id)).size, rules.length, 'ids are unique');
  const netpol = rules.find((r) => r.id === 'netpol-selects-nothing');
  assert.equal(netpol.category, 'networking');
  assert.ok(['info', 'warning', 'error'].includes(netpol.severity));
  assert.ok(netpol.summary.length > 0 && !netpol.summary.includes('\n'));
  for (const heading of ['What it does', 'Why is this bad?', 'Example', 'Use instead', 'Fix safety']) {
    assert.ok(netpol.docs.includes(`## ${heading}`), heading);
  }
  const latest = rules.find((r) => r.id === 'image-tag-latest');
  assert.ok(latest.options.some((o) => o.name === 'movingTags'));
});

test('a check of the example takes milliseconds', (t) => {
  kc.check(PETROSA);
  const runs = 20;
  const started = performance.now();
  for (let i = 0; i < runs; i++) kc.check(PETROSA);
  const each = (performance.now() - started) / runs;
  t.diagnostic(`check() of petrosa-extractor.yaml: ${each.toFixed(2)} ms`);
  assert.ok(each < 500, `${each} ms`);
});

test('custom resources are checked against their CRD in the text, as the CLI does', () => {
  const text = readRepo('tests/fixtures/custom-resources/backup-schedule.yaml');
  const lineOf = (needle) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;
  const found = kc
    .check(text)
    .findings.filter((f) => f.severity === 'error')
    .map((f) => `${f.rule}@${f.range.line}`)
    .sort();
  const expected = [
    `unknown-field@${lineOf('retension:')}`,
    `invalid-enum-value@${lineOf('mode: full')}`,
    `wrong-type@${lineOf('suspend: "false"')}`,
    `wrong-type@${lineOf('port: [9090]')}`,
    `wrong-type@${lineOf('tier: 1')}`,
    `unknown-kind@${lineOf('backup.acme.dev/v2')}`,
    `unknown-kind@${lineOf('kind: BackupSchedules')}`,
  ];
  for (const one of expected) assert.ok(found.includes(one), `${one} in ${found}`);
  assert.equal(found.filter((f) => f.startsWith('missing-required-field@')).length, 2, String(found));
  assert.ok(!found.some((f) => f.endsWith(`@${lineOf('anything: goes')}`)), 'a resource without its CRD is not judged');
});

test('CRD validation rules and admission policies: the same findings as the CLI', async () => {
  const { execFileSync } = await import('node:child_process');
  const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
  // Built by `cargo test --workspace`, which the test command runs first.
  const cli = path.join(root, 'target', 'debug', 'kubeclinic');
  assert.ok(fs.existsSync(cli), `${cli} is missing: run cargo test --workspace first`);
  for (const fixture of ['crd-validation-rule', 'admission-policy-violation', 'cel-expression-error']) {
    const file = `tests/fixtures/${fixture}/invalid.yaml`;
    const ours = kc
      .check(readRepo(file))
      .findings.filter((f) => f.rule === fixture)
      .map((f) => `${f.severity} ${f.range.line} ${f.message}`)
      .sort();
    let printed;
    try {
      printed = execFileSync(cli, ['check', '--format', 'json', file], { cwd: root, encoding: 'utf8' });
    } catch (error) {
      printed = error.stdout; // exit 1: errors were found
    }
    const theirs = JSON.parse(printed)
      .findings.filter((f) => f.rule === fixture)
      .map((f) => `${f.severity} ${f.line} ${f.message}`)
      .sort();
    assert.ok(ours.length >= 2, `${fixture}: ${ours}`);
    assert.deepEqual(ours, theirs, fixture);
  }
});
