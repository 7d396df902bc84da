// Which Python a manifest is resolved for: one rule for the CLI and the server (setting or
// --python-version, the selected interpreter, the nearest .venv up to the search root,
// requires-python), over an in-memory file system.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { selectPythonTarget, virtualenvSearchPath } from '../../dist/core/python/resolve/target.js';

const cfg = (version) => `home = /usr/bin\ninclude-system-site-packages = false\nversion = ${version}\n`;
const files = (map) => async (path) => map[path];
const manifest = (path, requiresPython) => ({ path, kind: 'requirements', requiresPython: requiresPython ? { specifier: requiresPython } : undefined });

test('the search runs from the manifest folder up to the search root, inclusive', () => {
  assert.deepEqual(virtualenvSearchPath('/w/app/sub/requirements.txt', '/w'), ['/w/app/sub', '/w/app', '/w']);
  assert.deepEqual(virtualenvSearchPath('/w/requirements.txt', '/w'), ['/w']);
});

test('outside the search root, or with none, it looks at most four folders above the manifest', () => {
  assert.deepEqual(virtualenvSearchPath('/a/b/c/d/e/f/requirements.txt', '/elsewhere'), ['/a/b/c/d/e/f', '/a/b/c/d/e', '/a/b/c/d', '/a/b/c', '/a/b']);
  assert.deepEqual(virtualenvSearchPath('/a/b/requirements.txt'), ['/a/b', '/a', '/']);
});

test('order: explicit version, selected interpreter, nearest .venv, requires-python', async () => {
  const fs = files({ '/w/.venv/pyvenv.cfg': cfg('3.10.4'), '/w/app/.venv/pyvenv.cfg': cfg('3.12.1') });
  const m = [manifest('/w/app/requirements.txt', '>=3.9')];
  const base = { platform: 'linux', searchRoot: '/w' };
  const explicit = await selectPythonTarget(m, { ...base, pythonVersion: { version: '3.11', source: '--python-version' }, selectedPython: { version: '3.13.0' } }, fs);
  assert.equal(explicit.description, 'Python 3.11 on linux (--python-version)');
  const selected = await selectPythonTarget(m, { ...base, selectedPython: { version: '3.13.0', path: '/opt/py/bin/python' } }, fs);
  assert.equal(selected.description, 'Python 3.13.0 on linux (the selected interpreter /opt/py/bin/python)');
  const nearest = await selectPythonTarget(m, base, fs);
  assert.equal(nearest.description, 'Python 3.12.1 on linux (from /w/app/.venv)');
  assert.equal(nearest.environment.python_full_version, '3.12.1');
  const parent = await selectPythonTarget([manifest('/w/lib/requirements.txt')], { ...base, displayPath: (p) => p.replace('/w/', '') }, fs);
  assert.equal(parent.description, 'Python 3.10.4 on linux (from .venv)');
  const none = await selectPythonTarget([manifest('/x/requirements.txt', '>=3.9,<4')], { platform: 'darwin', searchRoot: '/x' }, fs);
  assert.equal(none.description, 'Python 3.9 on darwin (the lower bound of requires-python >=3.9,<4)');
});

test('a .venv above the search root is not used when the manifest is inside it', async () => {
  const fs = files({ '/.venv/pyvenv.cfg': cfg('3.8.1') });
  const t = await selectPythonTarget([manifest('/w/requirements.txt')], { platform: 'linux', searchRoot: '/w' }, fs);
  assert.equal(t.description, 'any Python version on linux');
});
