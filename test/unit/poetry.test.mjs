// Poetry constraint -> PEP 440 conversion, held to poetry-core's rules (constraints/version/parser.py,
// VersionRange.__str__, Dependency.base_pep_508_name, create_nested_marker, format_python_constraint)
// and to the requirements that poetry-built wheels in test/fixtures/pypi (the PyPI snapshot) actually declare.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { poetryToPep440, poetryPythonMarker, poetryRequiresPython, poetryPlatformMarker } from '../../dist/core/python/pyproject/poetry.js';
import { parseSpecifierSet } from '../../dist/core/python/versions/pep440.js';

// [poetry constraint, PEP 440 specifier poetry-core writes]
const CONVERSIONS = [
  ['^1.2.3', '>=1.2.3,<2.0.0'],
  ['^1.2', '>=1.2,<2.0'],
  ['^1', '>=1,<2'],
  ['^0.2.3', '>=0.2.3,<0.3.0'],
  ['^0.2', '>=0.2,<0.3'],
  ['^0.0.3', '>=0.0.3,<0.0.4'],
  ['^0.0', '>=0.0,<0.1'],
  ['^0', '>=0,<1'],
  ['^ 1.2', '>=1.2,<2.0'],
  ['^v1.2', '>=1.2,<2.0'],
  ['^2.0.0a1', '>=2.0.0a1,<3.0.0'],
  ['^1.2.3.4', '>=1.2.3.4,<2.0.0.0'],
  ['^1.0.post1', '>=1.0.post1,<2.0'],
  ['~1.2.3', '>=1.2.3,<1.3.0'],
  ['~1.2', '>=1.2,<1.3'],
  ['~1', '>=1,<2'],
  ['~0.9.0', '>=0.9.0,<0.10.0'],
  ['~=1.2', '>=1.2,<2.0'],
  ['~=1.2.3', '>=1.2.3,<1.3.0'],
  ['1.2.*', '==1.2.*'],
  ['1.*', '==1.*'],
  ['==1.2.*', '==1.2.*'],
  ['!=1.2.*', '!=1.2.*'],
  ['2.0.*', '==2.0.*'],
  ['*', ''],
  ['x', ''],
  ['*.*', ''],
  ['>=1.2,<2', '>=1.2,<2'],
  ['>= 1.2, < 2', '>=1.2,<2'],
  ['>=1.2 <2', '>=1.2,<2'],
  ['>=1.2,<2,', '>=1.2,<2'],
  ['>=11,<15', '>=11,<15'],
  ['>3.6', '>3.6'],
  ['<=1.9', '<=1.9'],
  ['<0.29', '<0.29'],
  ['1.2.3', '==1.2.3'],
  ['==1.2.3', '==1.2.3'],
  ['=1.2.3', '==1.2.3'],
  ['v1.2.3', '==1.2.3'],
  ['1.0-alpha.1', '==1.0a1'],
  ['1.0.0rc1', '==1.0.0rc1'],
  ['1!2.0', '==1!2.0'],
  ['!=1.2.3', '!=1.2.3'],
  ['>=1.0,!=1.5', '>=1.0,!=1.5'],
  ['>=1.0,<2.0,!=1.5', '>=1.0,<2.0,!=1.5'],
  ['>=1.0, !=1.2.*', '>=1.0,!=1.2.*'],
  ['^1.0 || ^1.5', '>=1.0,<2.0'],
  ['<1.0 || >=1.0', ''],
  ['>=1.2.dev0,<1.3', '==1.2.*'],
  ['>=1.2,<1.2', null],
  ['1.2.3 || 1.2.3', '==1.2.3'],
  ['dev', '==0.0.dev0'],
];

// [poetry constraint, fragment of the error message]
const FAILURES = [
  ['1.0 || 2.0', 'union of separate ranges (1.0 || 2.0)'],
  ['^1.0 || ^3.0', 'union of separate ranges (>=1.0,<2.0 || >=3.0,<4.0)'],
  ['>=1,<2 || >=3', 'union of separate ranges (>=1,<2 || >=3)'],
  ['>=1.0 <2.0 !=1.5', 'union of separate ranges (>=1.0,<1.5 || >1.5,<2.0)'],
  ['>1.0,<1.0', 'allows no version at all'],
  ['1.2.x', 'is not a poetry version constraint'],
  ['latest', 'is not a poetry version constraint'],
  ['^', 'is not a poetry version constraint'],
  ['>=1.0,,<2', 'is not a poetry version constraint'],
  ['', 'is not a poetry version constraint'],
];

test('poetry constraints convert to the PEP 440 specifiers poetry-core writes', () => {
  assert.ok(CONVERSIONS.length >= 40);
  for (const [input, expected] of CONVERSIONS) {
    const result = poetryToPep440(input);
    if (expected === null) {
      assert.equal(result.ok, false, `${input} should fail`);
      continue;
    }
    assert.deepEqual(result, { ok: true, specifier: expected }, `poetryToPep440(${JSON.stringify(input)})`);
    const parsed = parseSpecifierSet(expected);
    assert.equal(parsed.ok, true, `our PEP 440 parser rejects ${expected}: ${parsed.message}`);
  }
});

test('packaging accepts every converted specifier', () => {
  const specs = CONVERSIONS.filter(([, out]) => out !== null).map(([, out]) => out);
  const script = 'import json,sys\nfrom packaging.specifiers import SpecifierSet\nbad=[]\nfor s in json.load(sys.stdin):\n    try: SpecifierSet(s)\n    except Exception as e: bad.append(s)\nprint(json.dumps(bad))';
  const run = spawnSync('python3', ['-c', script], { input: JSON.stringify(specs), encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.deepEqual(JSON.parse(run.stdout), []);
});

test('constraints poetry cannot express in PEP 440, or rejects, fail with a sentence', () => {
  for (const [input, fragment] of FAILURES) {
    const result = poetryToPep440(input);
    assert.equal(result.ok, false, `${JSON.stringify(input)} should fail`);
    assert.ok(result.message.includes(fragment), `${JSON.stringify(input)}: ${result.message}`);
    assert.match(result.message, /[.)]$/);
  }
});

test('poetryToPep440 never throws', () => {
  const pieces = ['^', '~', '~=', '>=', '<', '!=', '==', '||', '|', ',', ' ', '1', '0', '.', '*', 'x', 'a', 'rc', 'post', 'dev', '+', 'v', '!', '-'];
  let seed = 7;
  const rand = (n) => ((seed = (seed * 1103515245 + 12345) % 2147483648) % n);
  for (let i = 0; i < 3000; i++) {
    let s = '';
    for (let j = rand(12); j >= 0; j--) s += pieces[rand(pieces.length)];
    const result = poetryToPep440(s);
    assert.equal(typeof result.ok, 'boolean');
    if (result.ok) assert.equal(typeof result.specifier, 'string');
  }
});

test('a dependency python key becomes the marker poetry-core derives', () => {
  const table = [
    ['^3.8', 'python_version >= "3.8" and python_version < "4.0"'],
    ['>=3.6,<3.8', 'python_version >= "3.6" and python_version < "3.8"'],
    ['<3.11', 'python_version < "3.11"'],
    ['>=3.8', 'python_version >= "3.8"'],
    ['~3.6', 'python_version == "3.6"'],
    ['3.8.*', 'python_version == "3.8"'],
    ['3.8', 'python_version == "3.8"'],
    ['3.8.1', 'python_full_version == "3.8.1"'],
    ['>=3.6.2', 'python_full_version >= "3.6.2"'],
    ['>3.6', 'python_full_version > "3.6.0"'],
    ['<=3.10', 'python_full_version <= "3.10.0"'],
    ['*', ''],
    ['^2.7 || ^3.8', '(python_version >= "2.7" and python_version < "3.0") or (python_version >= "3.8" and python_version < "4.0")'],
  ];
  for (const [input, marker] of table) assert.deepEqual(poetryPythonMarker(input), { ok: true, marker }, input);
  assert.equal(poetryPythonMarker('>3.8,<3.8').ok, false);
  assert.equal(poetryPythonMarker('three').ok, false);
});

test('platform keys become sys_platform markers', () => {
  assert.equal(poetryPlatformMarker('linux'), 'sys_platform == "linux"');
  assert.equal(poetryPlatformMarker('!=win32'), 'sys_platform != "win32"');
  assert.equal(poetryPlatformMarker('linux || darwin'), 'sys_platform == "linux" or sys_platform == "darwin"');
  assert.equal(poetryPlatformMarker('*'), '');
});

test('tool.poetry.dependencies.python becomes Requires-Python as poetry-core formats it', () => {
  const table = [
    ['^3.8', '>=3.8,<4.0'],
    ['>=3.9,<4.0', '>=3.9,<4.0'],
    ['>=3.8.0', '>=3.8.0'],
    ['3.8', '>=3.8,<3.9'],
    ['3', '>=3.0,<4.0'],
    ['3.8.1', '==3.8.1'],
    ['*', ''],
    ['^2.7 || ^3.6', '>=2.7, !=3.0.*, !=3.1.*, !=3.2.*, !=3.3.*, !=3.4.*, !=3.5.*'],
    ['>=2.7,!=3.0.*,!=3.1.*', '>=2.7, !=3.0.*, !=3.1.*'],
  ];
  for (const [input, specifier] of table) {
    assert.deepEqual(poetryRequiresPython(input), { ok: true, specifier }, input);
    assert.equal(parseSpecifierSet(specifier).ok, true, specifier);
  }
  assert.equal(poetryRequiresPython('nope').ok, false);
});

// Constraints written in the projects' own pyproject.toml at a release tag, and the requirement the
// snapshot records for that release (converted by poetry-core when the wheel was built).
const REAL = [
  ['realtime', '2.4.3', 'websockets', { version: '>=11,<15' }],
  ['realtime', '2.4.3', 'aiohttp', { version: '^3.11.18' }],
  ['realtime', '2.4.3', 'typing-extensions', { version: '^4.13.2' }],
  ['realtime', '1.0.0', 'websockets', { version: '^10.3' }],
  ['postgrest', '0.10.8', 'httpx', { version: '^0.24.0' }],
  ['postgrest', '0.11.0', 'pydantic', { version: '>=1.9,<3.0' }],
  ['postgrest', '0.17.2', 'strenum', { version: '^0.4.9', python: '<3.11' }],
  ['storage3', '0.5.4', 'httpx', { version: '^0.24' }],
  ['supafunc', '0.10.0', 'strenum', { version: '^0.4.15' }],
  ['gotrue', '2.12.0', 'pyjwt', { version: '^2.10.1' }],
  ['gotrue', '1.0.4', 'pydantic', { version: '>=1.10,<3' }],
  ['rich', '10.16.2', 'dataclasses', { version: '>=0.7,<0.9', python: '<3.7' }],
  ['rich', '10.16.2', 'typing-extensions', { version: '>=3.7.4, <5.0', python: '<3.8' }],
  ['rich', '13.9.1', 'typing-extensions', { version: '>=4.0.0, <5.0', python: '<3.11' }],
  ['rich', '12.2.0', 'typing-extensions', { version: '>=4.0.0, <5.0', python: '<3.9' }],
  ['rich', '13.3.0', 'pygments', { version: '^2.14.0' }],
];

function snapshotRequirement(project, version, name) {
  const url = new URL(`../fixtures/pypi/${project}.json`, import.meta.url);
  const data = JSON.parse(readFileSync(url, 'utf8'));
  const reqs = data.versions[version]?.requires_dist ?? [];
  const norm = (s) => s.toLowerCase().replace(/[-_.]+/g, '-');
  return reqs.find((r) => norm(/^[A-Za-z0-9._-]+/.exec(r)[0]) === norm(name));
}

test('conversions match the requirements of real poetry-built releases', () => {
  const clauses = (spec) => spec.split(',').map((s) => s.trim()).filter(Boolean).sort();
  for (const [project, version, name, dep] of REAL) {
    const written = snapshotRequirement(project, version, name);
    assert.ok(written, `${project} ${version} requires ${name} in the snapshot`);
    const [head, marker = null] = written.split(';').map((s) => s.trim());
    const converted = poetryToPep440(dep.version);
    assert.equal(converted.ok, true);
    assert.deepEqual(clauses(converted.specifier), clauses(head.replace(/^[A-Za-z0-9._-]+(\[[^\]]*\])?/, '')), `${project} ${version} ${name}`);
    const ours = dep.python ? poetryPythonMarker(dep.python) : null;
    assert.equal(ours ? ours.marker : null, marker, `${project} ${version} ${name} marker`);
  }
});
