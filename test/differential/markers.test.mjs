// Differential test: our PEP 508 requirement parser and marker evaluator against packaging 26.2.
// Thousands of generated (and mutated) markers and requirement strings plus every real
// Requires-Dist string from the PyPI snapshot go to one python3 process as JSON on stdin; any
// disagreement on validity, normalised text, or evaluated value fails the test.
import { test, before } from 'node:test';
import { requireOracles } from '../support/oracles.mjs';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { parsePep508 } from '../../dist/core/python/versions/pep508.js';
import { parseMarker, evaluateMarkerDetailed, markerToString } from '../../dist/core/python/versions/markers.js';
import { prng } from '../support/prng.mjs';

// The oracles this file compares with, in the versions it was written against.
before(() => requireOracles('python', 'packaging'));

const SNAPSHOT = new URL('../fixtures/pypi', import.meta.url).pathname;

const rand = prng(508);
const pick = (xs) => xs[Math.floor(rand() * xs.length)];
const chance = (p) => rand() < p;

const VARIABLES = [
  'python_version', 'python_full_version', 'os_name', 'sys_platform', 'platform_release', 'platform_system',
  'platform_version', 'platform_machine', 'platform_python_implementation', 'implementation_name',
  'implementation_version', 'extra', 'extras', 'dependency_groups', 'os.name', 'sys.platform', 'platform.version',
  'platform.machine', 'platform.python_implementation', 'python_implementation',
];
const VALUES = [
  '3.8', '3.11', '3.11.4', '3.12.0rc1', '3', '2.7', '3.*', '3.11.*', '1.0+local', 'v3.9', '3.9.0.post1', '3.10.dev0',
  '5.15.0-91-generic', '6.1', '', 'linux', 'win32', 'darwin', 'posix', 'nt', 'Linux', 'Windows', 'Darwin',
  'x86_64', 'arm64', 'AMD64', 'CPython', 'cpython', 'PyPy', 'pypy', 'Foo_Bar', 'foo-bar', 'test', 'dev', 'Dev.Docs',
  'a b', '3.1,<4', ' 3.9', '3.9 ', '1!2.0', 'lin', 'python_version', 'extra', 'extras', '7.3.13', '3.12.0+',
  '#1 SMP', 'tests\\n', 'caf\\xe9', 'a\\qb', '\\x4', 'x"y',
];
const OPS = ['==', '!=', '<', '<=', '>', '>=', '~=', '===', 'in', 'not in'];
const WS = ['', '', ' ', ' ', '  ', '\t'];

function quote(value) {
  if (value.includes('"')) return `'${value}'`;
  if (value.includes("'")) return `"${value}"`;
  return chance(0.7) ? `"${value}"` : `'${value}'`;
}

// Mostly well-formed comparisons so that most markers evaluate; the rarer shapes (~= on strings,
// two literals, a set on the left) make packaging raise, and we must report an error there too.
const COMMON_OPS = ['==', '!=', '<', '<=', '>', '>=', 'in', 'not in'];
function genComparison() {
  const sp = (word) => (/^[a-z]/.test(word) ? pick([' ', ' ', '\t', '  ']) : pick(WS));
  const variable = pick(VARIABLES);
  if ((variable === 'extras' || variable === 'dependency_groups') && chance(0.8)) {
    const op = pick(['in', 'not in']);
    return `${quote(pick(VALUES))}${sp(op)}${op}${sp(op)}${variable}`;
  }
  const op = chance(0.9) ? pick(COMMON_OPS) : pick(OPS);
  let left = variable;
  let right = quote(pick(VALUES));
  if (chance(0.2)) [left, right] = [right, left];
  if (chance(0.03)) left = quote(pick(VALUES));
  if (chance(0.03)) right = pick(VARIABLES);
  return `${left}${sp(op)}${op}${sp(op)}${right}`;
}

function genMarker(depth = 0) {
  if (depth > 3 || chance(0.45)) {
    const c = genComparison();
    return chance(0.1) ? `(${pick(WS)}${c}${pick(WS)})` : c;
  }
  const n = 2 + Math.floor(rand() * 3);
  const parts = [];
  for (let i = 0; i < n; i++) {
    const sub = genMarker(depth + 1);
    parts.push(chance(0.3) ? `(${pick(WS)}${sub}${pick(WS)})` : sub);
  }
  let out = parts[0];
  for (let i = 1; i < n; i++) out += `${pick([' ', ' ', '\t'])}${pick(['and', 'or'])}${pick([' ', ' ', '\t'])}${parts[i]}`;
  return chance(0.05) ? `((${out}))` : out;
}

const MUTATION_CHARS = ['(', ')', '"', "'", ' ', ';', ',', '=', '<', '!', '~', 'a', 'n', '.', '*', '+', '\n', '[', ']', '@', '-', '_', 'é', '1',
  '\\', '\u00a0', '\x0c', '\r', 'v', 'K', '٣'];
function mutate(text) {
  const chars = [...text];
  const i = Math.floor(rand() * (chars.length + 1));
  const kind = Math.floor(rand() * 3);
  if (kind === 0 && chars.length) chars.splice(Math.min(i, chars.length - 1), 1);
  else if (kind === 1) chars.splice(i, 0, pick(MUTATION_CHARS));
  else if (chars.length) chars[Math.min(i, chars.length - 1)] = pick(MUTATION_CHARS);
  return chars.join('');
}

const NAMES = ['foo', 'Foo.Bar', 'foo_', 'a', '1', 'requests', 'zope.interface', 'foo-', '-foo', 'foo..bar', 'Django', 'x_y-z'];
const CLAUSES = [
  '>=1.0', '<2', '==1.*', '!=1.5', '~=1.4.2', '===1.0', '=== foo', '>= 1.0', '== 1.0.0', 'v1.0', '>=v1.0', '==1.0+local',
  '<=1.0+local', '>=1.*', '~=1', '~=1.*', '>1.0a1', '<3.0.dev0', '==2020.1', '>=1!2.0', '==1.0.post1', '>=1.0abc',
  '>=', '==1.0-1', '<1.0_rc1', '===1.0,<2', '!=2.*', '>= 1.0 ', 'latest', '>=1.0 ,< 2', '>=1.0,', '=>1.0',
];

function genRequirement() {
  let s = pick(['', '', ' ']) + pick(NAMES);
  if (chance(0.3)) {
    const extras = [];
    const n = Math.floor(rand() * 3);
    for (let i = 0; i < n; i++) extras.push(pick(['security', 'Socks', 'test_x', 'a.b', 'dev', '1']));
    s += pick(WS) + `[${pick(WS)}${extras.join(pick([',', ', ', ' , ']))}${pick(WS)}]`;
  }
  if (chance(0.15)) {
    s += pick([' @ ', '@', ' @', '@ ']) + pick(['https://example.com/foo-1.0.whl', 'git+https://g.example/foo.git@v1', 'file:///tmp/x', 'http://x;y']);
    if (chance(0.6)) s += pick([' ', ' ; ', ';', '\t;', ' ;']) + genMarker(2);
    return s;
  }
  if (chance(0.7)) {
    const n = 1 + Math.floor(rand() * 3);
    const clauses = [];
    for (let i = 0; i < n; i++) clauses.push(pick(CLAUSES));
    const body = clauses.join(pick([',', ', ', ' ,', ',']));
    s += chance(0.25) ? `${pick(WS)}(${pick(WS)}${body}${pick(WS)})` : pick(WS) + body;
  }
  if (chance(0.4)) s += pick(WS) + ';' + pick(WS) + genMarker(2);
  if (chance(0.05)) s += pick(['\n', ' ', '\t', '\r']);
  return s;
}

function snapshotRequirements() {
  const out = new Set();
  for (const file of readdirSync(SNAPSHOT).filter((f) => f.endsWith('.json'))) {
    const data = JSON.parse(readFileSync(`${SNAPSHOT}/${file}`, 'utf8'));
    for (const info of Object.values(data.versions)) for (const r of info.requires_dist ?? []) out.add(r);
  }
  return [...out];
}

// Full environments (every key present) so packaging never sees a missing key it would raise on.
const ENVS = [
  { python_version: '3.11', python_full_version: '3.11.7', os_name: 'posix', sys_platform: 'linux', platform_system: 'Linux',
    platform_machine: 'x86_64', platform_release: '5.15.0-91-generic', platform_version: '#101-Ubuntu SMP',
    platform_python_implementation: 'CPython', implementation_name: 'cpython', implementation_version: '3.11.7', extra: '' },
  { python_version: '3.8', python_full_version: '3.8.10', os_name: 'nt', sys_platform: 'win32', platform_system: 'Windows',
    platform_machine: 'AMD64', platform_release: '10', platform_version: '10.0.19045', platform_python_implementation: 'CPython',
    implementation_name: 'cpython', implementation_version: '3.8.10', extra: 'Foo_Bar' },
  { python_version: '3.12', python_full_version: '3.12.0+', os_name: 'posix', sys_platform: 'darwin', platform_system: 'Darwin',
    platform_machine: 'arm64', platform_release: '23.1.0', platform_version: 'Darwin Kernel Version 23.1.0',
    platform_python_implementation: 'CPython', implementation_name: 'cpython', implementation_version: '3.12.0rc1', extra: 'test' },
  { python_version: '3.9', python_full_version: '3.9.18', os_name: 'posix', sys_platform: 'linux', platform_system: 'Linux',
    platform_machine: 'aarch64', platform_release: '6.1', platform_version: '', platform_python_implementation: 'PyPy',
    implementation_name: 'pypy', implementation_version: '7.3.13', extra: 'dev' },
  { python_version: '2.7', python_full_version: '2.7.18', os_name: 'java', sys_platform: 'java1.8', platform_system: 'Java',
    platform_machine: '', platform_release: '', platform_version: '', platform_python_implementation: 'Jython',
    implementation_name: 'jython', implementation_version: '2.7.3', extra: 'security' },
];
const SETS = { extras: ['Foo_Bar', 'test'], dependency_groups: ['dev', 'Docs'] };

const PYTHON = String.raw`
import json, sys
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
req = json.load(sys.stdin)
sets = {k: frozenset(v) for k, v in req["sets"].items()}
envs = [dict(e, **sets) for e in req["envs"]]
def evaluate(m, env):
    try:
        return m.evaluate(env)
    except Exception:
        return "error"
markers = []
for text in req["markers"]:
    try:
        m = Marker(text)
    except Exception:
        markers.append(None)
        continue
    markers.append({"str": str(m), "values": [evaluate(m, e) for e in envs]})
reqs = []
for text, ours_spec in req["requirements"]:
    try:
        r = Requirement(text)
    except Exception:
        reqs.append(None)
        continue
    try:
        ours = str(SpecifierSet(ours_spec)) if ours_spec is not None else None
    except Exception as e:
        ours = "invalid: " + str(e)
    reqs.append({"name": r.name, "extras": sorted(r.extras), "specifier": str(r.specifier), "ours_specifier": ours,
                 "url": r.url, "marker": str(r.marker) if r.marker is not None else None})
json.dump({"markers": markers, "requirements": reqs}, sys.stdout)
`;

function runPython(payload) {
  const result = spawnSync('python3', ['-c', PYTHON], { input: JSON.stringify(payload), encoding: 'utf8', maxBuffer: 1 << 28 });
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout);
}

function ourEnv(env) {
  const { extra, ...rest } = env;
  return { ...rest, extra: extra ? [extra] : [], ...SETS };
}

function ourMarker(text) {
  const parsed = parseMarker(text);
  if (!parsed.ok) return null;
  const values = ENVS.map((env) => {
    const outcome = evaluateMarkerDetailed(parsed.marker, ourEnv(env));
    return 'error' in outcome ? 'error' : outcome.value;
  });
  return { str: markerToString(parsed.marker), values };
}

function ourRequirement(text) {
  const parsed = parsePep508(text);
  if (!parsed.ok) return null;
  const r = parsed.requirement;
  return {
    name: r.name,
    extras: [...new Set(r.extras)].sort(),
    specifier: r.specifier,
    url: r.url ?? null,
    marker: r.markerTree ? markerToString(r.markerTree) : null,
  };
}

test('markers and requirements agree with packaging 26.2', () => {
  const realReqs = snapshotRequirements();
  const realMarkers = realReqs.map((r) => r.split(';').slice(1).join(';')).filter((m) => m.trim());
  const markers = [...new Set([...realMarkers, ...Array.from({ length: 3000 }, () => genMarker())])];
  for (let i = 0; i < 1500; i++) markers.push(mutate(pick(markers)));
  const requirements = [...realReqs, ...Array.from({ length: 3000 }, genRequirement)];
  for (let i = 0; i < 1500; i++) requirements.push(mutate(pick(requirements)));

  const ours = { markers: markers.map(ourMarker), requirements: requirements.map(ourRequirement) };
  const theirs = runPython({
    envs: ENVS,
    sets: SETS,
    markers,
    requirements: requirements.map((text, i) => [text, ours.requirements[i]?.specifier ?? null]),
  });

  const problems = [];
  markers.forEach((text, i) => {
    const a = ours.markers[i];
    const b = theirs.markers[i];
    if ((a === null) !== (b === null)) problems.push(`marker ${JSON.stringify(text)}: ours ${a ? 'valid' : 'invalid'}, packaging ${b ? 'valid' : 'invalid'}`);
    else if (a && a.str !== b.str) problems.push(`marker ${JSON.stringify(text)}: str ours ${JSON.stringify(a.str)} packaging ${JSON.stringify(b.str)}`);
    else if (a && JSON.stringify(a.values) !== JSON.stringify(b.values)) {
      problems.push(`marker ${JSON.stringify(text)}: values ours ${JSON.stringify(a.values)} packaging ${JSON.stringify(b.values)}`);
    }
  });
  requirements.forEach((text, i) => {
    const a = ours.requirements[i];
    const b = theirs.requirements[i];
    if ((a === null) !== (b === null)) {
      problems.push(`requirement ${JSON.stringify(text)}: ours ${a ? 'valid' : 'invalid'}, packaging ${b ? 'valid' : 'invalid'}`);
      return;
    }
    if (!a) return;
    const mine = { name: a.name, extras: a.extras, specifier: b.ours_specifier, url: a.url, marker: a.marker };
    const want = { name: b.name, extras: b.extras, specifier: b.specifier, url: b.url, marker: b.marker };
    if (JSON.stringify(mine) !== JSON.stringify(want)) {
      problems.push(`requirement ${JSON.stringify(text)}: ours ${JSON.stringify(mine)} packaging ${JSON.stringify(want)}`);
    }
  });

  // Three-valued soundness: hiding variables may turn an answer into 'unknown', never change it.
  const KEYS = Object.keys(ENVS[0]);
  markers.forEach((text, i) => {
    if (!ours.markers[i]) return;
    const marker = parseMarker(text).marker;
    ENVS.forEach((env, e) => {
      const full = ours.markers[i].values[e];
      for (let k = 0; k < 3; k++) {
        const partial = ourEnv(env);
        for (const key of KEYS) if (chance(0.4)) delete partial[key];
        if (chance(0.2)) delete partial.extras;
        if (chance(0.2)) delete partial.dependency_groups;
        const got = evaluateMarkerDetailed(marker, partial);
        const value = 'error' in got ? 'error' : got.value;
        if (value !== 'unknown' && value !== full && full !== 'error') {
          problems.push(`marker ${JSON.stringify(text)} with ${JSON.stringify(partial)}: partial ${value}, full ${full}`);
        }
      }
    });
  });

  const validMarkers = ours.markers.filter(Boolean).length;
  const validReqs = ours.requirements.filter(Boolean).length;
  // Guard against a generator that only produces garbage (or only valid input).
  assert.ok(validMarkers > markers.length * 0.3 && validMarkers < markers.length, `valid markers: ${validMarkers}/${markers.length}`);
  assert.ok(validReqs > requirements.length * 0.3 && validReqs < requirements.length, `valid requirements: ${validReqs}/${requirements.length}`);
  assert.deepEqual(problems.slice(0, 25), [], `${problems.length} disagreements`);
});
