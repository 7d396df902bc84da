// `pinsight check` / `pinsight list` as a user runs them: real process, real files, exit codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isolatedEnv } from '../support/isolatedEnv.mjs';

const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const fixtures = fileURLToPath(new URL('../fixtures/cli/', import.meta.url));

function run(args, cwd = fixtures) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', env: isolatedEnv() });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function at(line, character) {
  return { line, character };
}

test('check --format json on a folder with the three manifest kinds', () => {
  const { code, stdout, stderr } = run(['check', '--no-registry', '--format', 'json', 'mixed']);
  assert.equal(code, 1, stderr);
  const report = JSON.parse(stdout);
  const paths = report.files.map((f) => f.path);
  assert.deepEqual(paths, ['mixed/package.json', 'mixed/pyproject.toml', 'mixed/requirements-dev.txt', 'mixed/requirements.txt', 'mixed/sub/requirements.in']);
  const byPath = Object.fromEntries(report.files.map((f) => [f.path, f.findings]));

  const req = byPath['mixed/requirements.txt'];
  const spec = req.find((f) => f.code === 'invalid-specifier');
  assert.equal(spec.severity, 'error');
  assert.equal(spec.package, 'websockets');
  assert.deepEqual(spec.range.start.line, 2);
  assert.ok(spec.range.start.character >= 10 && spec.range.end.character <= 15, JSON.stringify(spec.range));
  const marker = req.find((f) => f.code === 'invalid-marker' || f.code === 'invalid-requirement');
  assert.ok(marker, JSON.stringify(req));
  assert.equal(marker.range.start.line, 3);
  const option = req.find((f) => f.code === 'unknown-option');
  assert.equal(option.severity, 'warning');
  assert.deepEqual(option.range.start, at(5, 0));
  assert.match(option.message, /--index-url/);
  for (const f of req) {
    assert.deepEqual(Object.keys(f).sort(), ['code', 'fixes', 'message', 'package', 'range', 'related', 'severity']);
  }

  const dev = byPath['mixed/requirements-dev.txt'];
  const missing = dev.find((f) => f.code === 'include-not-found');
  assert.deepEqual(missing.range.start.line, 2);
  assert.equal(missing.severity, 'error');
  const dup = dev.find((f) => f.code === 'duplicate-requirement');
  assert.equal(dup.package, 'fastapi');
  assert.deepEqual(dup.range, { start: at(1, 0), end: at(1, 7) });
  assert.equal(dup.related[0].path, 'mixed/requirements.txt');
  assert.deepEqual(dup.related[0].range.start, at(0, 0));
  assert.equal(dev.filter((f) => f.code === 'include-not-found').length, 1, 'findings in an included file appear once');

  const py = byPath['mixed/pyproject.toml'];
  const compat = py.find((f) => f.code === 'invalid-specifier');
  assert.ok(compat, JSON.stringify(py));
  assert.equal(compat.range.start.line, 5);

  const pkg = byPath['mixed/package.json'];
  assert.equal(pkg.length, 1);
  assert.equal(pkg[0].code, 'invalid-npm-specifier');
  assert.deepEqual(pkg[0].range, { start: at(4, 17), end: at(4, 25) });

  assert.deepEqual(byPath['mixed/sub/requirements.in'], []);
});

test('check skips node_modules and virtualenvs', () => {
  const { stdout } = run(['check', '--no-registry', '--format', 'json', 'mixed']);
  // Every place the report points at: the files read, and each finding's related places and fix edits.
  const report = JSON.parse(stdout);
  const places = report.files.flatMap((f) => [f.path, ...f.findings.flatMap((x) => [...x.related.map((r) => r.path), ...x.fixes.flatMap((fix) => fix.edits.map((e) => e.path))])]);
  assert.ok(places.length >= 5, JSON.stringify(places));
  assert.deepEqual(places.filter((p) => /node_modules|\.venv|env\/requirements/.test(p)), []);
});

test('check exits 0 on a manifest with no error-severity finding', () => {
  const r = run(['check', '--no-registry', 'clean']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /1 file checked: 0 errors, 0 warnings\./);
});

test('check --format text prints compiler-style lines and a summary', () => {
  const r = run(['check', '--no-registry', 'mixed/requirements.txt']);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /^mixed\/requirements\.txt:3:\d+: error \[invalid-specifier\] /m);
  assert.match(r.stdout, /^mixed\/requirements-dev\.txt:3:\d+: error \[include-not-found\] /m);
  assert.match(r.stdout, /\d+ files? checked: \d+ errors?, \d+ warnings?\.$/m);
});

test('usage errors exit 2 with a message', () => {
  for (const args of [[], ['frobnicate'], ['check', '--format', 'xml'], ['check', '--bogus'], ['check', 'does-not-exist']]) {
    const r = run(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, /^pinsight: /);
  }
});

test('--help and --version exit 0', () => {
  assert.match(run(['--help']).stdout, /Usage: pinsight/);
  assert.match(run(['--version']).stdout, /^pinsight \d+\.\d+\.\d+/);
});

test('list --format json follows includes and reports each dependency under its own file', () => {
  const r = run(['list', '--format', 'json', 'mixed/requirements.txt']);
  assert.equal(r.code, 0, r.stderr);
  const { files } = JSON.parse(r.stdout);
  assert.deepEqual(files.map((f) => [f.path, f.kind]), [
    ['mixed/requirements.txt', 'requirements'],
    ['mixed/requirements-dev.txt', 'requirements'],
  ]);
  const fastapi = files[0].dependencies[0];
  assert.deepEqual(fastapi, {
    name: 'fastapi',
    extras: [],
    specifier: '==0.115.12',
    marker: null,
    section: 'requirements',
    constraint: false,
    source: 'registry',
    range: { start: at(0, 0), end: at(0, 17) },
  });
  assert.deepEqual(files[1].dependencies.map((d) => d.name), ['pytest', 'fastapi']);
});

test('list --format json converts poetry constraints and names sections', () => {
  const r = run(['list', '--format', 'json', 'mixed/pyproject.toml']);
  const deps = JSON.parse(r.stdout).files[0].dependencies;
  const requests = deps.find((d) => d.name === 'requests');
  assert.equal(requests.specifier, '>=2.31,<3.0');
  assert.equal(requests.section, 'tool.poetry.dependencies');
  assert.equal(deps.find((d) => d.name === 'httpx').section, 'project.dependencies');
});

test('check: the same package pinned differently in two manifests is inconsistent-pin on both lines, offline', () => {
  const { code, stdout, stderr } = run(['check', '--no-registry', '--format', 'json', 'drift-pins']);
  assert.equal(code, 0, stderr);
  const report = JSON.parse(stdout);
  const pins = report.files.flatMap((f) => f.findings.filter((x) => x.code === 'inconsistent-pin').map((x) => ({ ...x, path: f.path })));
  assert.deepEqual(pins.map((p) => [p.path, p.range.start.line, p.severity]), [
    ['drift-pins/docker/requirements.txt', 2, 'warning'],
    ['drift-pins/requirements.txt', 2, 'warning'],
  ]);
  assert.match(pins[1].message, /^websockets==14\.2 here and websockets==15\.0\.1 in docker\/requirements\.txt \(line 3\) cannot both hold/);
  assert.deepEqual(pins[1].related.map((r) => r.path), ['drift-pins/docker/requirements.txt']);
  assert.deepEqual(pins[1].fixes[0].edits, [{ path: 'drift-pins/requirements.txt', range: pins[1].range, newText: '==15.0.1' }]);
  assert.equal(report.skipped[0], 'registry checks and resolution (--no-registry)');
  const text = run(['check', '--no-registry', 'drift-pins']);
  assert.match(text.stdout, /^drift-pins\/requirements\.txt:3:11: warning \[inconsistent-pin\] /m);
  assert.match(text.stdout, /^not checked: registry checks and resolution \(--no-registry\)$/m);
});

test('drift, offline: the seed uv project has lock-stale naming websockets; a .venv with websockets 15.0.1 against ==14.2 is installed-mismatch', async () => {
  const { cpSync, mkdtempSync, rmSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { writeVenv } = await import('../support/fakeVenv.mjs');
  const dir = mkdtempSync(join(tmpdir(), 'pinsight-cli-drift-'));
  try {
    cpSync(fileURLToPath(new URL('../../examples/uv-project', import.meta.url)), join(dir, 'uv-project'), { recursive: true });
    const uv = run(['check', '--no-registry', '--format', 'json', 'uv-project'], dir);
    assert.equal(uv.code, 0, uv.stderr);
    const stale = JSON.parse(uv.stdout).files[0].findings.filter((f) => f.code === 'lock-stale');
    assert.equal(stale.length, 1, uv.stdout);
    assert.equal(stale[0].range.start.line, 8);
    assert.match(stale[0].message, /uvicorn\[standard\]>=0\.24\.0/);
    assert.match(stale[0].message, /websockets/);
    assert.deepEqual(stale[0].fixes.map((f) => f.run), [{ line: 'uv lock', cwd: join(dir, 'uv-project') }]);

    writeFileSync(join(dir, 'requirements.txt'), 'supabase==2.15.3\nwebsockets==14.2\n');
    writeVenv(join(dir, '.venv'), [{ name: 'websockets', version: '15.0.1' }, { name: 'supabase', version: '2.15.3', requires: ['realtime<2.5.0,>=2.4.0'] }]);
    const env = run(['check', '--no-registry', '--format', 'json', 'requirements.txt'], dir);
    const findings = JSON.parse(env.stdout).files[0].findings;
    const mismatch = findings.find((f) => f.code === 'installed-mismatch');
    assert.equal(mismatch.range.start.line, 1);
    assert.match(mismatch.message, /\.venv has websockets 15\.0\.1 installed, which does not satisfy ==14\.2/);
    assert.match(mismatch.fixes[0].run.line, /\.venv\/bin\/python -m pip install -r requirements\.txt$/);
    const conflict = findings.find((f) => f.code === 'installed-conflict');
    assert.equal(conflict.range.start.line, 0);
    assert.match(conflict.message, /supabase 2\.15\.3 requires realtime/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the README shows the demo\'s real output', () => {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const demo = spawnSync(process.execPath, ['scripts/demo.mjs'], { cwd: root, encoding: 'utf8', env: isolatedEnv() });
  assert.equal(demo.status, 0, demo.stderr);
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const block = /This is its whole output[\s\S]*?```\n([\s\S]*?)\n```/.exec(readme)?.[1];
  assert.equal(block, demo.stdout.trimEnd(), 'README.md: paste the output of `npm run demo` into the block after "This is its whole output"');
});
