// Compiled by types.test.mjs with `moduleResolution: nodenext`: what a Node project in
// TypeScript writes against the package. Each `@ts-expect-error` proves a type is strict.

import { check, fix, rules } from 'kubeclinic';
import type { Applicability, Finding, FixResult, Input, Range, Report, RuleDoc, Settings, Severity } from 'kubeclinic';

const settings: Settings = {
  profile: 'strict',
  ignore: ['image-tag-latest'],
  severity: { 'oom-killed': 'warning' },
  kubernetesVersion: '1.29',
  options: { 'image-tag-latest': { movingTags: ['main'] } },
};
const input: Input = [{ name: 'k8s/app.yaml', text: 'kind: Pod\n' }];

const report: Report = check('kind: Pod\n', settings);
const worst: Severity | undefined = report.findings.map((f: Finding) => f.severity).find((s) => s === 'error');
const places: Range[] = report.findings.flatMap((f) => [f.range, ...f.related.map((r) => r.range)]);
const lines: number[] = places.map((r) => r.endLine - r.line + r.endColumn + r.start + r.end);
const safety: Applicability[] = report.findings.flatMap((f) => (f.fix ? [f.fix.applicability] : []));
const help: string = report.findings[0]?.help ?? 'no help';
const kind: string | undefined = report.findings[0]?.object?.kind;

const fixed: FixResult = fix(input, null, { unsafe: true });
const patched: string[] = fixed.files.filter((f) => f.changed).map((f) => f.text);
const one: string | undefined = fix('kind: Pod\n').text;
const titles: string[] = fixed.applied.map((a) => `${a.rule}: ${a.title}`);
const stillThere: number = fixed.remaining.findings.length;

const docs: RuleDoc[] = rules();
const pages: string[] = docs.map((r) => `${r.id} (${r.category}, ${r.severity}, ${r.profile}, fix ${r.fix}): ${r.summary}\n${r.docs}`);

// @ts-expect-error a profile that does not exist
check('kind: Pod\n', { profile: 'strictest' });
// @ts-expect-error severities are a closed set
check('kind: Pod\n', { severity: { 'oom-killed': 'loud' } });
// @ts-expect-error an input is a string or a list of files
check(42);
// @ts-expect-error a file has a text
check([{ name: 'a.yaml' }]);
// @ts-expect-error help is not always there
const always: string = report.findings[0].help;
// @ts-expect-error `unsafe` is a boolean
fix('kind: Pod\n', {}, { unsafe: 'yes' });
// @ts-expect-error there is no such field
report.findings[0].range.offset;

export { worst, lines, safety, help, kind, patched, one, titles, stillThere, pages, always };
