// uv.lock staleness by uv's rule: the seed scenario (uvicorn gained [standard] after the lock was
// made), the same project with a current lock, and one case per part of uv's comparison: changed,
// added and removed requirements, extras, groups, markers, sources, requires-python, members,
// version, constraints, and a lock that contradicts itself. Fixtures are written in uv.lock's
// layout under test/fixtures/locks/ and varied here by text edits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkUvLock } from '../../dist/core/python/locks/uvCheck.js';
import { parseUvLock } from '../../dist/core/python/locks/uvLock.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/locks/uv-seed');
const PYPROJECT = readFileSync(join(FIXTURES, 'pyproject.toml'), 'utf8');
const STALE_LOCK = readFileSync(join(FIXTURES, 'uv.lock'), 'utf8');
const FRESH_LOCK = readFileSync(join(FIXTURES, 'uv.fresh.lock'), 'utf8');
const ROOT = '/work/seed';

const check = (pyproject, lock, members = []) =>
  checkUvLock(lock, `${ROOT}/uv.lock`, [{ path: `${ROOT}/pyproject.toml`, text: pyproject }, ...members]);

/** 0-based line and the character range of `needle` in `text`. */
function rangeOf(text, needle) {
  const at = text.indexOf(needle);
  assert.ok(at >= 0, `${needle} is in the text`);
  const before = text.slice(0, at);
  const line = before.split('\n').length - 1;
  const character = at - (before.lastIndexOf('\n') + 1);
  return { start: { line, character }, end: { line, character: character + needle.length } };
}

function lineOf(text, needle) {
  return rangeOf(text, needle).start.line;
}

test('the seed: uvicorn[standard] beside a lock made for uvicorn gives one lock-stale on that line, naming websockets and uv lock', () => {
  const result = check(PYPROJECT, STALE_LOCK);
  assert.deepEqual(result.skipped, []);
  assert.equal(result.findings.length, 1, JSON.stringify(result.findings.map((f) => f.message)));
  const [f] = result.findings;
  assert.equal(f.code, 'lock-stale');
  assert.equal(f.severity, 'warning');
  assert.equal(f.package, 'uvicorn');
  assert.equal(f.path, `${ROOT}/pyproject.toml`);
  assert.deepEqual(f.range, rangeOf(PYPROJECT, '"uvicorn[standard]>=0.24.0"'));
  assert.match(f.message, /made for `uvicorn>=0\.24\.0`/);
  assert.match(f.message, /asks for `uvicorn\[standard\]>=0\.24\.0`/);
  for (const name of ['websockets', 'uvloop', 'watchfiles', 'httptools']) assert.match(f.message, new RegExp(`\\b${name}\\b`));
  assert.match(f.message, /`uv lock`/);
});

test('the seed with a lock made for it is silent, and the locked versions are reported', () => {
  const result = check(PYPROJECT, FRESH_LOCK);
  assert.deepEqual(result.findings, []);
  assert.deepEqual(result.skipped, []);
  assert.equal(result.locked.get('uvicorn'), '0.30.5');
  assert.equal(result.locked.get('websockets'), '12.0');
  assert.equal(result.locked.has('seed-app'), true);
  assert.deepEqual(result.sources, ['uv.lock']);
});

test('a changed specifier, an added and a removed requirement each get their own finding', () => {
  const pyproject = PYPROJECT.replace('"fastapi>=0.110",', '"httpx>=0.27",').replace('"uvicorn[standard]>=0.24.0"', '"uvicorn[standard]>=0.31"');
  const result = check(pyproject, FRESH_LOCK);
  const by = (pkg) => result.findings.filter((f) => f.package === pkg);
  assert.equal(result.findings.length, 3, JSON.stringify(result.findings.map((f) => f.message)));
  assert.deepEqual(by('httpx')[0].range, rangeOf(pyproject, '"httpx>=0.27"'));
  assert.match(by('httpx')[0].message, /made without `httpx`.*no httpx at all/);
  assert.deepEqual(by('uvicorn')[0].range, rangeOf(pyproject, '"uvicorn[standard]>=0.31"'));
  assert.match(by('uvicorn')[0].message, /pins uvicorn 0\.30\.5, which `>=0\.31` excludes/);
  // The removed requirement sits on the header of the list it was removed from.
  assert.equal(by('fastapi')[0].range.start.line, lineOf(pyproject, 'dependencies = ['));
  assert.match(by('fastapi')[0].message, /still requires `fastapi>=0\.110`.*no longer lists/);
});

test('spellings uv treats as equal stay silent: clause order, trailing zeros, quotes and python_version vs python_full_version', () => {
  const lock = FRESH_LOCK.replace('{ name = "fastapi", specifier = ">=0.110" }', '{ name = "fastapi", marker = "python_full_version >= \'3.11\'", specifier = "<1,>=0.110" }');
  const pyproject = PYPROJECT.replace('"fastapi>=0.110"', `"fastapi >=0.110.0, <1.0 ; python_version>='3.11'"`);
  assert.deepEqual(check(pyproject, lock).findings, []);
  // Under requires-python >=3.10, uv drops a clause the range already implies.
  const implied = PYPROJECT.replace('"fastapi>=0.110"', `"fastapi>=0.110; python_version >= '3.8' and sys_platform != 'emscripten'"`);
  const lock2 = FRESH_LOCK.replace('{ name = "fastapi", specifier = ">=0.110" }', `{ name = "fastapi", marker = "sys_platform != 'emscripten'", specifier = ">=0.110" }`);
  assert.deepEqual(check(implied, lock2).findings, []);
});

test('a changed marker is stale', () => {
  const pyproject = PYPROJECT.replace('"fastapi>=0.110"', `"fastapi>=0.110; sys_platform == 'linux'"`);
  const [f, ...rest] = check(pyproject, FRESH_LOCK).findings;
  assert.deepEqual(rest, []);
  assert.equal(f.package, 'fastapi');
  assert.match(f.message, /made for `fastapi>=0\.110`/);
});

test('dependency groups: a changed group line, a new group, tool.uv.dev-dependencies merged into dev, include-group flattened', () => {
  const changed = PYPROJECT.replace('dev = ["pytest>=8"]', 'dev = ["pytest>=8.1"]');
  const [f] = check(changed, FRESH_LOCK).findings;
  assert.equal(f.package, 'pytest');
  assert.deepEqual(f.range, rangeOf(changed, '"pytest>=8.1"'));
  const added = PYPROJECT.replace('dev = ["pytest>=8"]', 'dev = ["pytest>=8"]\nlint = ["ruff"]');
  const [g] = check(added, FRESH_LOCK).findings;
  assert.match(g.message, /without `ruff` in the `lint` dependency group/);
  const merged = PYPROJECT.replace('[dependency-groups]\ndev = ["pytest>=8"]', '[tool.uv]\ndev-dependencies = ["pytest>=8"]');
  assert.deepEqual(check(merged, FRESH_LOCK).findings, []);
  const included = PYPROJECT.replace('dev = ["pytest>=8"]', 'test = ["pytest>=8"]\ndev = [{ include-group = "test" }]');
  const lock = FRESH_LOCK.replace('dev = [{ name = "pytest", specifier = ">=8" }]', 'dev = [{ name = "pytest", specifier = ">=8" }]\ntest = [{ name = "pytest", specifier = ">=8" }]');
  assert.deepEqual(check(included, lock).findings, []);
  const removed = PYPROJECT.replace('\n[dependency-groups]\ndev = ["pytest>=8"]\n', '\n');
  const [h] = check(removed, FRESH_LOCK).findings;
  assert.match(h.message, /still requires `pytest>=8` in the `dev` dependency group/);
});

test('optional dependencies: extras become extra markers; a new extra and a removed one are stale', () => {
  const withExtra = `${PYPROJECT.replace('[dependency-groups]', '[project.optional-dependencies]\nyaml = ["pyyaml>=6"]\n\n[dependency-groups]')}`;
  const lock = FRESH_LOCK.replace('    { name = "fastapi", specifier = ">=0.110" },', '    { name = "fastapi", specifier = ">=0.110" },\n    { name = "pyyaml", marker = "extra == \'yaml\'", specifier = ">=6" },').replace('[package.metadata.requires-dev]', 'provides-extras = ["yaml"]\n\n[package.metadata.requires-dev]');
  assert.deepEqual(check(withExtra, lock).findings, []);
  const findings = check(withExtra, FRESH_LOCK).findings;
  assert.equal(findings.length, 1, JSON.stringify(findings.map((f) => f.message)));
  assert.match(findings[0].message, /without `pyyaml` in the `yaml` extra/);
  const gone = check(PYPROJECT, lock).findings;
  assert.ok(gone.some((f) => /still requires `pyyaml>=6; extra == 'yaml'` in the `yaml` extra/.test(f.message)));
  assert.ok(gone.some((f) => /still provides the `yaml` extra/.test(f.message)));
});

test('requires-python: a different range is stale on its line; an equal range in another spelling is not', () => {
  const changed = PYPROJECT.replace('requires-python = ">=3.10"', 'requires-python = ">=3.11"');
  const [f] = check(changed, FRESH_LOCK).findings;
  assert.deepEqual(f.range, rangeOf(changed, '>=3.11'));
  assert.match(f.message, /made for requires-python `>=3\.10`/);
  assert.deepEqual(check(PYPROJECT.replace('">=3.10"', '">=3.10.0"'), FRESH_LOCK).findings, []);
});

test('the project version and its virtual or built state', () => {
  const bumped = PYPROJECT.replace('version = "0.1.0"', 'version = "0.2.0"');
  const [f] = check(bumped, FRESH_LOCK).findings;
  assert.match(f.message, /records seed-app 0\.1\.0; pyproject\.toml now says 0\.2\.0/);
  assert.deepEqual(f.range, rangeOf(bumped, '"0.2.0"'));
  const built = `${PYPROJECT}\n[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n`;
  const [g] = check(built, FRESH_LOCK).findings;
  assert.match(g.message, /virtual project/);
  assert.equal(g.range.start.line, lineOf(built, '[build-system]'));
  const editable = FRESH_LOCK.replace('source = { virtual = "." }', 'source = { editable = "." }');
  assert.deepEqual(check(built, editable).findings, []);
});

test('constraints, overrides and build constraints are compared with [manifest]', () => {
  const pyproject = `${PYPROJECT}\n[tool.uv]\nconstraint-dependencies = ["idna>=3.7"]\noverride-dependencies = ["h11>=0.14"]\n`;
  const lock = FRESH_LOCK.replace('requires-python = ">=3.10"\n', 'requires-python = ">=3.10"\n\n[manifest]\nconstraints = [{ name = "idna", specifier = ">=3.7" }]\noverrides = [{ name = "h11", specifier = ">=0.14" }]\n');
  assert.deepEqual(check(pyproject, lock).findings, []);
  const findings = check(pyproject, FRESH_LOCK).findings;
  assert.deepEqual(findings.map((f) => f.package).sort(), ['h11', 'idna']);
  assert.deepEqual(findings.find((f) => f.package === 'idna').range, rangeOf(pyproject, '"idna>=3.7"'));
});

test('a lock that records the line but pins a version outside it, or leaves out the extra, contradicts itself', () => {
  const outside = FRESH_LOCK.replace('name = "uvicorn"\nversion = "0.30.5"', 'name = "uvicorn"\nversion = "0.22.0"');
  const [f] = check(PYPROJECT, outside).findings;
  assert.equal(f.package, 'uvicorn');
  assert.match(f.message, /pins uvicorn 0\.22\.0, which `>=0\.24\.0` excludes; the lock contradicts itself/);
  const noExtra = FRESH_LOCK.replace('{ name = "uvicorn", extra = ["standard"] },', '{ name = "uvicorn" },');
  const [g] = check(PYPROJECT, noExtra).findings;
  assert.match(g.message, /does not install what the `standard` extra of uvicorn brings \(colorama, httptools, python-dotenv, pyyaml, uvloop, watchfiles and websockets\)/);
});

test('sources: a workspace member is editable from its folder, git keeps its reference, an index source names its URL', () => {
  const root = `${PYPROJECT.replace('"fastapi>=0.110",', '"fastapi>=0.110",\n    "seed-lib",\n    "tool @ git+https://github.com/example/tool@v1.2",\n    "torch>=2",')}
[tool.uv.sources]
seed-lib = { workspace = true }
torch = { index = "pytorch" }

[[tool.uv.index]]
name = "pytorch"
url = "https://download.pytorch.org/whl/cpu"
explicit = true

[tool.uv.workspace]
members = ["libs/*"]
`;
  const member = { path: `${ROOT}/libs/seed-lib/pyproject.toml`, text: '[project]\nname = "seed-lib"\nversion = "1.0.0"\ndependencies = []\n\n[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n' };
  const requires = [
    '    { name = "fastapi", specifier = ">=0.110" },',
    '    { name = "seed-lib", editable = "libs/seed-lib" },',
    '    { name = "tool", git = "https://github.com/example/tool?rev=v1.2" },',
    '    { name = "torch", specifier = ">=2", index = "https://download.pytorch.org/whl/cpu" },',
  ].join('\n');
  const lock = FRESH_LOCK.replace('requires-python = ">=3.10"\n', 'requires-python = ">=3.10"\n\n[manifest]\nmembers = [\n    "seed-app",\n    "seed-lib",\n]\n')
    .replace('    { name = "fastapi", specifier = ">=0.110" },', requires)
    .replace('[[package]]\nname = "sniffio"', '[[package]]\nname = "seed-lib"\nversion = "1.0.0"\nsource = { editable = "libs/seed-lib" }\n\n[[package]]\nname = "sniffio"');
  assert.deepEqual(check(root, lock, [member]).findings, []);
  const moved = root.replace('@v1.2', '@v1.3').replace('torch = { index = "pytorch" }', '');
  const findings = check(moved, lock, [member]).findings;
  assert.deepEqual(findings.map((f) => f.package).sort(), ['tool', 'torch']);
  assert.match(findings.find((f) => f.package === 'torch').message, /takes it from the index https:\/\/download\.pytorch\.org\/whl\/cpu; this line now takes it from the package index/);
  // A member the lock does not know: the workspace changed.
  const other = { path: `${ROOT}/libs/other/pyproject.toml`, text: '[project]\nname = "other"\nversion = "0.1.0"\n' };
  const grown = check(root, lock, [member, other]).findings;
  assert.ok(grown.some((f) => /workspace has changed \(other is new\)/.test(f.message) && f.range.start.line === lineOf(root, 'members = ["libs/*"]')));
});

test('dynamic dependencies are not compared, and say so', () => {
  const dynamic = PYPROJECT.replace('version = "0.1.0"', 'dynamic = ["dependencies"]\nversion = "0.1.0"').replace(/dependencies = \[\n[^\]]*\]\n/, '');
  const result = check(dynamic, STALE_LOCK);
  assert.deepEqual(result.findings, []);
  assert.match(result.skipped.join('\n'), /dependencies of seed-app are dynamic/);
});

test('a lock that is not valid TOML, of another version, or cut short is skipped with the reason, never thrown', () => {
  const broken = check(PYPROJECT, STALE_LOCK.replace('[[package]]\nname = "click"', '[[package]\nname = "click"'));
  assert.deepEqual(broken.findings, []);
  assert.match(broken.skipped[0], /uv\.lock is not valid TOML at line \d+/);
  assert.match(check(PYPROJECT, STALE_LOCK.replace('version = 1\n', 'version = 2\n')).skipped[0], /version 2, which Pinsight does not read/);
  for (let cut = 0; cut < STALE_LOCK.length; cut += 997) {
    const result = check(PYPROJECT, STALE_LOCK.slice(0, cut));
    assert.ok(Array.isArray(result.findings) && Array.isArray(result.skipped));
  }
  const invalid = check('[project\nname = "x"', STALE_LOCK);
  assert.deepEqual(invalid.findings, []);
  assert.match(invalid.skipped.join('\n'), /has errors/);
});

test('parseUvLock keeps the line of each package and its extras', () => {
  const read = parseUvLock(STALE_LOCK, '/x/uv.lock');
  assert.equal(read.ok, true);
  const uvicorn = read.lock.packages.find((p) => p.name === 'uvicorn');
  assert.equal(STALE_LOCK.split('\n')[uvicorn.line - 1], '[[package]]');
  assert.equal(STALE_LOCK.split('\n')[uvicorn.line], 'name = "uvicorn"');
  assert.deepEqual([...uvicorn.optionalDependencies.get('standard').map((e) => e.name)], ['colorama', 'httptools', 'python-dotenv', 'pyyaml', 'uvloop', 'watchfiles', 'websockets']);
});
