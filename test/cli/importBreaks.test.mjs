// `pinsight check` on a project whose .venv holds Flask 2.2.2 beside a Werkzeug 3.0.0 without
// werkzeug.urls.url_quote: the import-break in text and JSON, and --no-import-checks.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isolatedEnv } from '../support/isolatedEnv.mjs';
import { writeVenv } from '../support/fakeVenv.mjs';

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
