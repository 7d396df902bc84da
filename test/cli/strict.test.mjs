// --strict: nothing skipped in silence. Whatever the summary lists as not checked, a registry that
// failed and an incomplete verdict turn the exit status to 1; a run with nothing skipped keeps 0.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFakePypi } from '../support/fakePypi.mjs';
import { writeVenv } from '../support/fakeVenv.mjs';
import { isolatedEnv } from '../support/isolatedEnv.mjs';
import { runProcess } from '../support/runProcess.mjs';

const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const TARGET = ['--isolated', '--python-version', '3.11', '--platform', 'linux', '--no-cache'];

let dir;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'pinsight-strict-'));
  // With an environment, so that the only skips are the ones each test makes.
  mkdirSync(join(dir, 'venv-project'));
  writeFileSync(join(dir, 'venv-project', 'requirements.txt'), 'websockets==14.2\n');
  writeVenv(join(dir, 'venv-project', '.venv'), [{ name: 'websockets', version: '14.2' }]);
  mkdirSync(join(dir, 'bare'));
  writeFileSync(join(dir, 'bare', 'requirements.txt'), 'websockets==14.2\n');
});
after(() => rmSync(dir, { recursive: true, force: true }));

function check(pypi, project, ...extra) {
  const index = pypi ? ['--index-url', pypi.indexUrl] : [];
  return runProcess(process.execPath, [cli, 'check', ...index, ...TARGET, ...extra, join(project, 'requirements.txt')], { cwd: dir, env: isolatedEnv() });
}

test('--strict keeps exit status 0 when nothing was skipped', async () => {
  const pypi = await startFakePypi({ projects: ['websockets'] });
  try {
    const r = await check(pypi, 'venv-project', '--strict', '--format', 'json');
    const doc = JSON.parse(r.stdout);
    assert.deepEqual(doc.skipped, []);
    assert.equal(doc.complete, true);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.doesNotMatch(r.stderr, /--strict/);
  } finally {
    await pypi.close();
  }
});

test('--strict turns a failing index (requests answered HTTP 500) into exit status 1', async () => {
  const pypi = await startFakePypi({ projects: ['websockets'], faults: { status500: { path: /websockets/ } } });
  try {
    const plain = await check(pypi, 'venv-project', '--timeout', '30');
    assert.equal(plain.code, 0, plain.stdout + plain.stderr);
    assert.match(plain.stdout, /The verdict is incomplete/);
    const strict = await check(pypi, 'venv-project', '--timeout', '30', '--strict');
    assert.equal(strict.code, 1, strict.stdout + strict.stderr);
    assert.match(strict.stdout, /\[registry-unreachable\].*answered HTTP 500/);
    assert.match(strict.stderr, /^pinsight: --strict: the verdict is incomplete; exit status 1\.$/m);
  } finally {
    await pypi.close();
  }
});

test('--strict counts a reset connection and a hang at the deadline too', async () => {
  for (const faults of [{ reset: { path: /websockets/ } }, { hang: { path: /websockets/ } }]) {
    const pypi = await startFakePypi({ projects: ['websockets'], faults });
    try {
      const r = await check(pypi, 'venv-project', '--timeout', '3', '--strict', '--format', 'json');
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.equal(JSON.parse(r.stdout).complete, false);
    } finally {
      await pypi.close();
    }
  }
});

test('no environment to compare is said, but --strict does not fail on it: nothing was skipped', async () => {
  const pypi = await startFakePypi({ projects: ['websockets'] });
  try {
    const plain = await check(pypi, 'bare');
    assert.equal(plain.code, 0, plain.stdout + plain.stderr);
    assert.match(plain.stdout, /^not checked: .*No Python environment was found/m);
    const strict = await check(pypi, 'bare', '--strict');
    assert.equal(strict.code, 0, strict.stdout + strict.stderr);
    assert.match(strict.stdout, /^not checked: .*No Python environment was found/m);
    assert.doesNotMatch(strict.stderr, /--strict/);
  } finally {
    await pypi.close();
  }
});

test('--strict fails on a "not checked:" line (a uv.lock Pinsight cannot read)', async () => {
  mkdirSync(join(dir, 'bad-lock'), { recursive: true });
  writeFileSync(join(dir, 'bad-lock', 'pyproject.toml'), '[project]\nname = "app"\nversion = "1.0"\nrequires-python = ">=3.11"\ndependencies = ["websockets==14.2"]\n');
  writeFileSync(join(dir, 'bad-lock', 'uv.lock'), 'version = 1\n[[package]\nname = "app"\n');
  writeVenv(join(dir, 'bad-lock', '.venv'), [{ name: 'websockets', version: '14.2' }, { name: 'app', version: '1.0' }]);
  const pypi = await startFakePypi({ projects: ['websockets'] });
  try {
    const run = (...extra) => runProcess(process.execPath, [cli, 'check', '--index-url', pypi.indexUrl, ...TARGET, ...extra, join('bad-lock', 'pyproject.toml')], { cwd: dir, env: isolatedEnv() });
    const plain = await run();
    assert.equal(plain.code, 0, plain.stdout + plain.stderr);
    assert.match(plain.stdout, /^not checked: .*uv\.lock/m);
    const strict = await run('--strict');
    assert.equal(strict.code, 1, strict.stdout + strict.stderr);
    assert.match(strict.stderr, /^pinsight: --strict: \d+ not checked; exit status 1\.$/m);
  } finally {
    await pypi.close();
  }
});

test('--strict fails under --no-registry: resolution was not attempted', async () => {
  const r = await check(undefined, 'venv-project', '--no-registry', '--strict', '--format', 'json');
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.deepEqual(JSON.parse(r.stdout).skipped, ['registry checks and resolution (--no-registry)']);
  const plain = await check(undefined, 'venv-project', '--no-registry');
  assert.equal(plain.code, 0);
});

test('--strict fails when npm peer dependencies were not checked (registry down)', async () => {
  mkdirSync(join(dir, 'npm'), { recursive: true });
  writeFileSync(join(dir, 'npm', 'package.json'), JSON.stringify({ name: 'x', version: '1.0.0', dependencies: { react: '^18.2.0' } }));
  // A registry on a port nothing listens on: the connection is refused.
  const r = await runProcess(process.execPath, [cli, 'check', '--isolated', '--no-cache', '--registry', 'http://127.0.0.1:9/', '--timeout', '10', '--strict', '--format', 'json', 'npm/package.json'], { cwd: dir, env: isolatedEnv() });
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.complete, false);
  assert.match(doc.incomplete.join('\n'), /npm\/package\.json: .*127\.0\.0\.1:9/);
  assert.equal(r.code, 1, r.stdout + r.stderr);
});

test('--no-index leaves nothing to read: the verdict says so, and --strict fails on it', async () => {
  mkdirSync(join(dir, 'no-index'), { recursive: true });
  writeFileSync(join(dir, 'no-index', 'requirements.txt'), '--no-index\nwebsockets==14.2\n');
  writeVenv(join(dir, 'no-index', '.venv'), [{ name: 'websockets', version: '14.2' }]);
  const r = await check(undefined, 'no-index', '--strict', '--format', 'json');
  const doc = JSON.parse(r.stdout);
  assert.deepEqual(doc.incomplete, ['no-index/requirements.txt: No package index is configured (--no-index), so versions were not checked and nothing was resolved.']);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.equal((await check(undefined, 'no-index')).code, 0);
});
