// `pinsight check` on a project whose .venv holds Flask 2.2.2 beside a Werkzeug 3.0.0 without
// werkzeug.urls.url_quote: the import-break in text and JSON, and --no-import-checks. Then the
// same requirements with no venv, against the fake PyPI serving wheels built from the stubs in
// test/fixtures/import-breaks: the import-break read from the index, with its fix.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isolatedEnv } from '../support/isolatedEnv.mjs';
import { writeVenv } from '../support/fakeVenv.mjs';
import { startFakePypi } from '../support/fakePypi.mjs';
import { importBreakProjects } from '../support/importBreakIndex.mjs';

const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
let dir;

function run(args) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: dir, encoding: 'utf8', env: isolatedEnv() });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'pinsight-cli-imports-'));
  writeVenv(join(dir, '.venv'), [
    { name: 'Flask', version: '2.2.2', requires: ['Werkzeug>=2.2.2'], files: { 'flask/__init__.py': 'from .app import Flask\n', 'flask/app.py': 'from werkzeug.urls import url_quote\n\nclass Flask:\n    pass\n' } },
    { name: 'Werkzeug', version: '3.0.0', files: { 'werkzeug/__init__.py': '', 'werkzeug/urls.py': 'def iri_to_uri(iri):\n    return iri\n' } },
  ]);
  writeFileSync(join(dir, 'requirements.txt'), 'flask==2.2.2\n');
});

after(() => rmSync(dir, { recursive: true, force: true }));

test('check --no-registry reports the import-break on the flask line, in JSON and in text', () => {
  const json = run(['check', '--no-registry', '--format', 'json', 'requirements.txt']);
  assert.equal(json.code, 0, json.stderr);
  const findings = JSON.parse(json.stdout).files[0].findings;
  assert.deepEqual(findings.map((f) => [f.code, f.severity, f.range.start.line]), [['import-break', 'warning', 0]]);
  assert.equal(findings[0].message, 'Flask 2.2.2 imports `werkzeug.urls.url_quote` (flask/app.py:1), which Werkzeug 3.0.0 does not define, so `import flask.app` fails with ImportError. Install a Werkzeug version that still has it, or a Flask release that no longer imports it.');
  const text = run(['check', '--no-registry', 'requirements.txt']);
  assert.match(text.stdout, /import-break/);
  assert.match(text.stdout, /flask\/app\.py:1/);
});

test('--no-import-checks leaves it out', () => {
  const r = run(['check', '--no-registry', '--no-import-checks', '--format', 'json', 'requirements.txt']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout).files[0].findings, []);
});

/** The CLI as a child process, without blocking this one (the fake PyPI answers from it). */
function runAsync(args, cwd) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd, env: isolatedEnv() });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('no venv: check reads the import-break from the wheels on the index, with the fix; --no-import-checks reads no wheel', async () => {
  const click = JSON.parse(readFileSync(new URL('../fixtures/pypi/click.json', import.meta.url), 'utf8'));
  const pypi = await startFakePypi({ projects: ['colorama'], extra: [click, ...(await importBreakProjects())] });
  const project = join(dir, 'no-venv');
  mkdirSync(project);
  writeFileSync(join(project, 'requirements.txt'), 'flask==2.2.2\nwerkzeug==3.0.0\n');
  const args = ['check', '--isolated', '--no-cache', '--index-url', pypi.indexUrl, '--python-version', '3.11', '--platform', 'linux'];
  try {
    const json = await runAsync([...args, '--format', 'json', 'requirements.txt'], project);
    assert.equal(json.code, 0, json.stderr);
    const doc = JSON.parse(json.stdout);
    const findings = doc.files[0].findings.filter((f) => f.code === 'import-break');
    assert.deepEqual(findings.map((f) => [f.range.start.line, f.severity]), [[0, 'warning'], [1, 'warning']]);
    assert.equal(
      findings[0].message,
      'flask 2.2.2 imports `werkzeug.urls.url_quote` (flask/app.py:30), which werkzeug 3.0.0 does not define, so `import flask.app` fails with ImportError. It also imports `werkzeug.urls.url_parse` (flask/testing.py:10), which werkzeug 3.0.0 lacks too. werkzeug 2.3.8 is the highest release that still has `werkzeug.urls.url_quote` and `werkzeug.urls.url_parse` and fits the other requirements. flask 2.3.0 is the lowest release whose imports fit werkzeug 3.0.0. Read from the wheels on the index, for the versions the resolver picked.',
    );
    assert.deepEqual(findings[0].fixes.map((f) => f.title), ['Pin werkzeug to 2.3.8 (the highest release that still has `werkzeug.urls.url_quote` and `werkzeug.urls.url_parse`)', 'Pin flask to 2.3.0 (the lowest release whose imports fit werkzeug 3.0.0)']);
    assert.deepEqual(doc.incomplete, []);
    const text = await runAsync([...args, 'requirements.txt'], project);
    assert.match(text.stdout, /requirements\.txt:2:1: warning \[import-break\] flask 2\.2\.2 imports/);
    assert.match(text.stdout, /\n    fix: Pin werkzeug to 2\.3\.8 /);
    // The bounds from the command line: a tiny byte bound leaves the edges incomplete, not broken.
    const bounded = await runAsync([...args, '--import-max-bytes', '1000', '--format', 'json', 'requirements.txt'], project);
    assert.equal(bounded.code, 0, bounded.stderr);
    const boundedDoc = JSON.parse(bounded.stdout);
    assert.deepEqual(boundedDoc.files[0].findings.filter((f) => f.code === 'import-break'), []);
    assert.ok(boundedDoc.incomplete.length > 0 && boundedDoc.incomplete.every((line) => /the import check's byte bound \(1000 bytes/.test(line)), JSON.stringify(boundedDoc.incomplete));
    const strict = await runAsync([...args, '--import-max-bytes', '1000', '--strict', 'requirements.txt'], project);
    assert.equal(strict.code, 1);
    const usage = await runAsync(['check', '--import-timeout', '0', 'requirements.txt'], project);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /--import-timeout takes a number of seconds greater than 0 and at most 600, such as 30, not '0'\./);
    const before = pypi.requests.length;
    const off = await runAsync([...args, '--no-import-checks', '--format', 'json', 'requirements.txt'], project);
    assert.equal(off.code, 0, off.stderr);
    assert.deepEqual(JSON.parse(off.stdout).files[0].findings.filter((f) => f.code === 'import-break'), []);
    assert.deepEqual(pypi.requests.slice(before).filter((r) => /\.whl$/.test(r.path)), []);
  } finally {
    await pypi.close();
  }
});
