// Which lockfiles belong to a manifest (through an in-memory Runtime), uv workspace discovery with
// member globs and excludes, and inspectPythonLocks: findings only for the tree inspected, locked
// versions merged, a workspace compared once for all its members.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { findPythonLocks, loadUvWorkspace, matchesGlob } from '../../dist/core/python/locks/findLocks.js';
import { inspectPythonLocks } from '../../dist/core/python/locks/inspectLocks.js';
import { parsePyproject } from '../../dist/core/python/pyproject/pyproject.js';
import { parseRequirements } from '../../dist/core/python/requirements/requirements.js';

const SEED = join(import.meta.dirname, '../fixtures/locks/uv-seed');

/** A Runtime over a map of absolute paths to texts; counts reads per path. */
function memoryRuntime(files) {
  const reads = new Map();
  const dirs = new Set();
  for (const path of Object.keys(files)) for (let d = dirname(path); d !== dirname(d); d = dirname(d)) dirs.add(d);
  dirs.add('/');
  return {
    env: {},
    reads,
    async readFile(path) {
      reads.set(path, (reads.get(path) ?? 0) + 1);
      return files[path];
    },
    async listDir(path) {
      if (!dirs.has(path)) return undefined;
      const names = new Map();
      for (const p of [...Object.keys(files), ...dirs]) {
        if (p !== path && dirname(p) === path) names.set(p.slice(path === '/' ? 1 : path.length + 1), dirs.has(p) ? 'dir' : 'file');
      }
      return [...names].map(([name, kind]) => ({ name, kind }));
    },
    async stat(path) {
      if (files[path] !== undefined) return { kind: 'file', size: files[path].length, mtimeMs: 0 };
      return dirs.has(path) ? { kind: 'dir', size: 0, mtimeMs: 0 } : undefined;
    },
  };
}

const member = (name, deps = []) => `[project]\nname = "${name}"\nversion = "1.0.0"\ndependencies = [${deps.map((d) => `"${d}"`).join(', ')}]\n`;

test('workspace globs match as uv matches them', () => {
  assert.equal(matchesGlob('packages/a', 'packages/*'), true);
  assert.equal(matchesGlob('packages/a/b', 'packages/*'), false);
  assert.equal(matchesGlob('libs/x/y', 'libs/**'), true);
  assert.equal(matchesGlob('./examples', 'examples'), true);
  assert.equal(matchesGlob('plugin-b', 'plugin-[ab]'), true);
});

test('uv.lock beside the manifest, or at the root of the workspace the project is a member of', async () => {
  const rt = memoryRuntime({
    '/w/pyproject.toml': '[tool.uv.workspace]\nmembers = ["packages/*"]\nexclude = ["packages/skip"]\n',
    '/w/uv.lock': 'version = 1\n',
    '/w/packages/a/pyproject.toml': member('a'),
    '/w/packages/skip/pyproject.toml': member('skip'),
    '/w/packages/skip/poetry.lock': '',
    '/w/packages/empty/README': '',
    '/w/packages/a/examples/demo/pyproject.toml': member('demo'),
    '/solo/pyproject.toml': member('solo'),
    '/solo/uv.lock': 'version = 1\n',
    '/solo/poetry.lock': '',
    '/r/requirements.in': 'fastapi\n',
    '/r/requirements.txt': 'fastapi==1\n',
  });
  assert.deepEqual(await findPythonLocks('/w/packages/a/pyproject.toml', rt), [{ kind: 'uv', path: '/w/uv.lock', workspaceRoot: '/w' }]);
  assert.deepEqual(await findPythonLocks('/w/packages/skip/pyproject.toml', rt), [{ kind: 'poetry', path: '/w/packages/skip/poetry.lock' }]);
  // Inside another project's folder: that project, not the workspace above it, is the nearest.
  assert.deepEqual(await findPythonLocks('/w/packages/a/examples/demo/pyproject.toml', rt), []);
  assert.deepEqual(await findPythonLocks('/solo/pyproject.toml', rt), [{ kind: 'uv', path: '/solo/uv.lock', workspaceRoot: '/solo' }, { kind: 'poetry', path: '/solo/poetry.lock' }]);
  assert.deepEqual(await findPythonLocks('/r/requirements.in', rt), [{ kind: 'pip-tools', compiled: '/r/requirements.txt', source: '/r/requirements.in' }]);
  assert.deepEqual(await findPythonLocks('/r/requirements.txt', rt), [{ kind: 'pip-tools', compiled: '/r/requirements.txt', source: '/r/requirements.in' }]);
  const ws = await loadUvWorkspace('/w', rt);
  assert.deepEqual(ws.projects.map((p) => p.path), ['/w/pyproject.toml', '/w/packages/a/pyproject.toml']);
  assert.deepEqual(ws.skipped, []);
});

test('inspectPythonLocks: the seed scenario through the Runtime, findings for the inspected file only', async () => {
  const pyproject = readFileSync(join(SEED, 'pyproject.toml'), 'utf8');
  const rt = memoryRuntime({ '/seed/pyproject.toml': pyproject, '/seed/uv.lock': readFileSync(join(SEED, 'uv.lock'), 'utf8') });
  const result = await inspectPythonLocks([parsePyproject(pyproject, '/seed/pyproject.toml')], rt);
  assert.equal(result.findings.length, 1);
  assert.equal(result.findings[0].package, 'uvicorn');
  assert.deepEqual(result.sources, ['uv.lock']);
  assert.equal(result.locked.get('websockets'), '12.0');
});

test('each member of a workspace gets the findings on its own lines', async () => {
  const root = '[project]\nname = "app"\nversion = "1.0.0"\ndependencies = ["lib"]\n\n[tool.uv.sources]\nlib = { workspace = true }\n\n[tool.uv.workspace]\nmembers = ["lib"]\n';
  const lock = [
    'version = 1', 'revision = 3', 'requires-python = ">=3.10"', '', '[manifest]', 'members = [', '    "app",', '    "lib",', ']', '',
    '[[package]]', 'name = "app"', 'version = "1.0.0"', 'source = { virtual = "." }', 'dependencies = [', '    { name = "lib" },', ']', '',
    '[package.metadata]', 'requires-dist = [{ name = "lib", editable = "lib" }]', '',
    '[[package]]', 'name = "idna"', 'version = "3.7"', 'source = { registry = "https://pypi.org/simple" }', '',
    '[[package]]', 'name = "lib"', 'version = "1.0.0"', 'source = { editable = "lib" }', 'dependencies = [', '    { name = "idna" },', ']', '',
    '[package.metadata]', 'requires-dist = [{ name = "idna", specifier = ">=3.6" }]', '',
  ].join('\n');
  const libText = member('lib', ['idna>=3.7']);
  const rt = memoryRuntime({ '/w/pyproject.toml': root, '/w/uv.lock': lock, '/w/lib/pyproject.toml': libText });
  const fromRoot = await inspectPythonLocks([parsePyproject(root, '/w/pyproject.toml')], rt);
  assert.deepEqual(fromRoot.findings, [], 'the stale line is in lib, not in the root');
  const fromLib = await inspectPythonLocks([parsePyproject(libText, '/w/lib/pyproject.toml')], rt);
  assert.equal(fromLib.findings.length, 1);
  assert.equal(fromLib.findings[0].path, '/w/lib/pyproject.toml');
  assert.match(fromLib.findings[0].message, /made for `idna>=3\.6`, but this line now asks for `idna>=3\.7`/);
  assert.equal(fromLib.locked.get('idna'), '3.7');
});

test('pip-tools through the Runtime: the .in gets the stale lines, the compiled file the via lines', async () => {
  const compiled = '#\n# This file is autogenerated by pip-compile with Python 3.11\n#\nclick==8.1.7\n    # via -r requirements.in\n';
  const rt = memoryRuntime({ '/r/requirements.in': 'click>=8.2\n', '/r/requirements.txt': compiled });
  const fromIn = await inspectPythonLocks([parseRequirements('click>=8.2\n', '/r/requirements.in')], rt);
  assert.equal(fromIn.findings.length, 1);
  assert.match(fromIn.findings[0].message, /pins click 8\.1\.7, which `>=8\.2` excludes/);
  const fromTxt = await inspectPythonLocks([parseRequirements(compiled, '/r/requirements.txt')], rt);
  assert.deepEqual(fromTxt.findings, []);
  assert.deepEqual(fromTxt.via.get('click'), ['-r requirements.in']);
  assert.equal(fromTxt.locked.get('click'), '8.1.7');
});

test('no lockfile: nothing found, nothing skipped', async () => {
  const rt = memoryRuntime({ '/x/pyproject.toml': member('x') });
  const result = await inspectPythonLocks([parsePyproject(member('x'), '/x/pyproject.toml')], rt);
  assert.deepEqual(result, { findings: [], locked: new Map(), skipped: [], sources: [] });
});
