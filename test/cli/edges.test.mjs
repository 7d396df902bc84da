// Correct on the edges: installer rules that decide a verdict at the margins, end to end through
// `pinsight check` against the fake index.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFakePypi } from '../support/fakePypi.mjs';
import { isolatedEnv } from '../support/isolatedEnv.mjs';
import { runProcess } from '../support/runProcess.mjs';

const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const TARGET = ['--isolated', '--python-version', '3.11', '--platform', 'linux', '--no-cache', '--format', 'json'];
const EXTRA = [
  // Final releases below 2, only alphas above.
  { name: 'mixed', versions: { '1.0': { requires_dist: [] }, '1.5': { requires_dist: [] }, '2.1a1': { requires_dist: [] }, '2.1a2': { requires_dist: [] } } },
  // 2.0 declares an upper bound on Python that 3.11 is past.
  { name: 'capped', versions: { '1.0': { requires_dist: [] }, '2.0': { requires_dist: [], requires_python: '>=3.8,<3.11' } } },
];

let pypi;
let dir;
before(async () => {
  pypi = await startFakePypi({ projects: 'all', extra: EXTRA });
  dir = mkdtempSync(join(tmpdir(), 'pinsight-edges-'));
});
after(async () => {
  await pypi?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function check(name, files, ...extra) {
  const project = join(dir, name);
  mkdirSync(project, { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(join(project, file), text);
  const r = await runProcess(process.execPath, [cli, 'check', '--index-url', pypi.indexUrl, ...TARGET, ...extra, Object.keys(files)[0]], { cwd: project, env: isolatedEnv() });
  return { ...r, doc: JSON.parse(r.stdout) };
}

const codes = (doc, path) => doc.files.find((f) => f.path === path).findings.map((f) => `${f.range.start.line}:${f.severity}:${f.code}`);

test('a requirement only pre-releases satisfy, for a package that has final releases too: an error with the opt-ins (pip)', async () => {
  const r = await check('pre-pip', { 'requirements.txt': 'mixed>=2\n' });
  assert.equal(r.code, 1, r.stderr);
  assert.deepEqual(codes(r.doc, 'requirements.txt'), ['0:error:prerelease-only']);
  const [f] = r.doc.files[0].findings;
  assert.equal(f.message, 'Only pre-releases of mixed (2.1a1, 2.1a2) match ">=2", and pip leaves pre-releases out unless a specifier names one or pre-releases are allowed.');
  assert.deepEqual(f.fixes.map((x) => x.title), [
    'Pin the pre-release mixed==2.1a2 (naming a pre-release allows it)',
    'Allow pre-releases for every requirement (add --pre to requirements.txt)',
    'Use the latest final release, mixed==1.5',
  ]);
  // --pre is pip's opt-in: then it installs.
  const pre = await check('pre-pip', { 'requirements.txt': 'mixed>=2\n' }, '--pre');
  assert.deepEqual(codes(pre.doc, 'requirements.txt'), []);
  assert.equal(pre.doc.resolutions[0].packages.mixed, '2.1a2');
});

test('the same in a uv project, beside another error: both are errors, each with its opt-ins', async () => {
  const r = await check('pre-uv', { 'pyproject.toml': '[project]\nname = "x"\nversion = "1"\ndependencies = ["mixed>=2", "onlypre-missing>=1"]\n' });
  assert.equal(r.code, 1, r.stderr);
  const findings = r.doc.files[0].findings;
  const pre = findings.find((f) => f.code === 'prerelease-only');
  assert.equal(pre.severity, 'error');
  assert.equal(pre.message, 'Only pre-releases of mixed (2.1a1, 2.1a2) match ">=2", and uv leaves pre-releases out unless a specifier names one or pre-releases are allowed.');
  assert.deepEqual(pre.fixes.map((x) => x.title), ['Pin the pre-release mixed==2.1a2 (naming a pre-release allows it)', 'Use the latest final release, mixed==1.5']);
});

test('offline, a package the index did not have is still unknown (its "not found" is cached), not "nothing is cached"', async () => {
  const files = { 'requirements.txt': 'nosuchpkg==1.0\nwebsockets==14.2\n' };
  const cache = ['--cache-dir', join(dir, 'offline-cache')];
  const run = (...extra) => {
    const args = ['check', '--index-url', pypi.indexUrl, '--isolated', '--python-version', '3.11', '--platform', 'linux', '--format', 'json', ...cache, ...extra, 'requirements.txt'];
    return runProcess(process.execPath, [cli, ...args], { cwd: join(dir, 'offline'), env: isolatedEnv() });
  };
  mkdirSync(join(dir, 'offline'));
  writeFileSync(join(dir, 'offline', 'requirements.txt'), files['requirements.txt']);
  const online = JSON.parse((await run()).stdout);
  assert.deepEqual(codes(online, 'requirements.txt'), ['0:error:unknown-package']);
  const before = pypi.requests.length;
  const r = await run('--offline');
  assert.equal(pypi.requests.length, before, 'offline asks nothing');
  const doc = JSON.parse(r.stdout);
  assert.deepEqual(codes(doc, 'requirements.txt'), ['0:error:unknown-package']);
  assert.match(doc.files[0].findings[0].message, /^nosuchpkg was not found on http:\/\/127\.0\.0\.1:\d+\/simple\./);
  assert.doesNotMatch(r.stdout, /nothing about these packages is cached|no cached copy/);
  assert.equal(r.code, 1);
});

test('Requires-Python upper bounds: a requirements file gets pip’s rule, a pyproject.toml uv’s', async () => {
  const pip = await check('rp-pip', { 'requirements.txt': 'capped\n' });
  assert.equal(pip.doc.resolutions[0].packages.capped, '1.0');
  const pinned = await check('rp-pip-pinned', { 'requirements.txt': 'capped==2.0\n' });
  const [f] = pinned.doc.files[0].findings.filter((x) => x.code === 'conflict');
  assert.match(f.message, /requires Python >=3\.8,<3\.11 and the target is Python 3\.11/);
  const uv = await check('rp-uv', { 'pyproject.toml': '[project]\nname = "x"\nversion = "1"\nrequires-python = ">=3.11"\ndependencies = ["capped==2.0"]\n' });
  assert.deepEqual(uv.doc.files[0].findings.filter((x) => x.severity === 'error'), []);
  assert.equal(uv.doc.resolutions[0].packages.capped, '2.0');
});

const UV_EXTRAS = (conflicts, extraNew = '"websockets==15.0.1"') => [
  '[project]', 'name = "x"', 'version = "1"', 'requires-python = ">=3.11"', 'dependencies = ["fastapi==0.115.12"]',
  '[project.optional-dependencies]', `new = [${extraNew}]`, 'old = ["websockets==14.2"]',
  ...(conflicts ? ['[tool.uv]', `conflicts = ${conflicts}`] : []), '',
].join('\n');
const UV_GROUPS = (conflicts) => [
  '[project]', 'name = "x"', 'version = "1"', 'requires-python = ">=3.11"', 'dependencies = []',
  '[dependency-groups]', 'lint = ["websockets==15.0.1"]', 'legacy = ["websockets==13.1"]', 'docs = ["websockets>=13"]',
  ...(conflicts ? ['[tool.uv]', `conflicts = ${conflicts}`] : []), '',
].join('\n');
const conflictsIn = (doc) => doc.files[0].findings.filter((f) => f.code === 'conflict').map((f) => `${f.range.start.line}: ${f.message}`);

test('[tool.uv] conflicts: extras declared mutually exclusive are resolved apart, so theirs is no conflict', async () => {
  const clean = await check('uv-conflicts', { 'pyproject.toml': UV_EXTRAS('[[{ extra = "new" }, { extra = "old" }]]') });
  assert.deepEqual(conflictsIn(clean.doc), []);
  assert.equal(clean.code, 0, clean.stdout + clean.stderr);
  // Not declared: uv resolves every extra together and fails, and so does the check.
  const together = await check('uv-no-conflicts', { 'pyproject.toml': UV_EXTRAS(undefined) });
  assert.deepEqual(conflictsIn(together.doc), [6, 7].map((line) => `${line}: websockets==15.0.1 conflicts with websockets==14.2: both require websockets, and no version of websockets satisfies both (available: 10.0 to 17.0.1); only one version of a package can be installed.`));
});

test('[tool.uv] conflicts: dependency groups too, and a group left out of the declaration still meets both', async () => {
  const clean = await check('uv-groups', { 'pyproject.toml': UV_GROUPS('[[{ group = "lint" }, { group = "legacy" }]]') });
  assert.deepEqual(conflictsIn(clean.doc), []);
  const together = await check('uv-groups-undeclared', { 'pyproject.toml': UV_GROUPS(undefined) });
  assert.deepEqual(conflictsIn(together.doc).map((c) => c.split(':')[0]), ['6', '7']);
});

test('[tool.uv] conflicts: a real conflict inside one extra is still reported, once per line', async () => {
  const r = await check('uv-conflicts-real', { 'pyproject.toml': UV_EXTRAS('[[{ extra = "new" }, { extra = "old" }]]', '"websockets==15.0.1", "supabase==2.15.3"').replace('[dependency-groups]\nlint = ["websockets==15.0.1"]\nlegacy = ["websockets==13.1"]\n', '') });
  const lines = conflictsIn(r.doc);
  assert.equal(lines.length, 2, lines.join('\n'));
  assert.match(lines[0], /^6: websockets==15\.0\.1 conflicts with supabase==2\.15\.3: /);
  assert.equal(r.code, 1);
});

test('[tool.uv] conflicts of the wrong shape are reported, not a crash', async () => {
  const r = await check('uv-conflicts-bad', { 'pyproject.toml': UV_EXTRAS('[[{ extra = "new" }, { nothing = 1 }], "x"]') });
  const problems = r.doc.files[0].findings.filter((f) => f.code === 'invalid-manifest').map((f) => f.message);
  assert.deepEqual(problems, [
    'Each item of a tool.uv.conflicts set names an extra or a group, such as { extra = "cpu" } or { group = "lint" }.',
    'Each set in tool.uv.conflicts must be an array of arrays of tables such as [[{ extra = "cpu" }, { extra = "gpu" }]], but it is a string.',
  ]);
});
