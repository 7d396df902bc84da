// Differential test: our PEP 440 code against Python `packaging` on the same, seeded inputs.
// Generated versions and specifiers (all spellings, whitespace, mutations, garbage) plus the
// real versions and requirements of the PyPI snapshot go to test/differential/oracle_pep440.py
// in one batch; every verdict must agree.
import { test, before } from 'node:test';
import { requireOracles } from '../support/oracles.mjs';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import {
  parseVersion, formatVersion, compareVersions, parseSpecifierSet, specifierContains,
} from '../../dist/core/python/versions/pep440.js';
import { prng as mulberry32 } from '../support/prng.mjs';

// The oracles this file compares with, in the versions it was written against.
before(() => requireOracles('python', 'packaging'));

const here = path.dirname(fileURLToPath(import.meta.url));
const SNAPSHOT = new URL('../fixtures/pypi', import.meta.url).pathname;
const SEED = 0x5eed440;


const rnd = mulberry32(SEED);
const chance = (p) => rnd() < p;
const int = (n) => Math.floor(rnd() * n);
const pick = (xs) => xs[int(xs.length)];

const WS = ['', '', '', '', '', ' ', '  ', '\t', '\n', '\u00a0', '\u2003', '\x1c', '\x85', '\u3000', '\ufeff', '\u200b', '\r\n'];
const SEPS = ['', '', '.', '-', '_'];
const PRE = ['a', 'alpha', 'b', 'beta', 'c', 'rc', 'pre', 'preview', 'A', 'ALPHA', 'Beta', 'RC', 'Rc', 'PRE', 'Preview'];
const POST = ['post', 'rev', 'r', 'POST', 'Rev', 'R'];
const DEV = ['dev', 'DEV', 'Dev'];
const ODD = '.-_+!*vVaAbBcCrRpPeEdDoOsStTlLxX0123456789 ıſKİ١²ｖ\u00a0\t;),=<>~^@#😀'.split('');
const BIG = ['9007199254740993', '9007199254740992', '18446744073709551616', '123456789012345678901234567890', '1' + '0'.repeat(25)];

function number() {
  const r = rnd();
  if (r < 0.6) return String(int(4));
  if (r < 0.85) return String(int(21));
  if (r < 0.9) return pick(['0', '00']) + int(12);
  if (r < 0.95) return String(1000000000 + int(2000000000));
  if (r < 0.985) return String(int(3000)) + String(int(1000));
  return pick(BIG);
}

function suffixes() {
  let s = '';
  if (chance(0.3)) s += pick(SEPS) + pick(PRE) + pick(SEPS) + (chance(0.7) ? number() : '');
  if (chance(0.2)) s += chance(0.3) ? '-' + number() : pick(SEPS) + pick(POST) + pick(SEPS) + (chance(0.7) ? number() : '');
  if (chance(0.2)) s += pick(SEPS) + pick(DEV) + pick(SEPS) + (chance(0.7) ? number() : '');
  return s;
}

function local() {
  const n = 1 + int(3);
  const parts = [];
  for (let i = 0; i < n; i++) {
    parts.push(chance(0.4) ? number() : Array.from({ length: 1 + int(5) }, () => pick('abcXYZubuntu019'.split(''))).join(''));
  }
  return '+' + parts.map((p, i) => (i ? pick(['.', '-', '_']) : '') + p).join('');
}

function release(maxLen = 4) {
  return Array.from({ length: 1 + int(maxLen) }, number).join('.');
}

function wellFormed() {
  let s = (chance(0.1) ? pick(['v', 'V']) : '') + (chance(0.15) ? number() + '!' : '') + release() + suffixes();
  if (chance(0.15)) s += local();
  if (chance(0.08)) s = s.toUpperCase();
  return chance(0.1) ? pick(WS) + s + pick(WS) : s;
}

function mutate(s) {
  const ops = 1 + int(2);
  for (let i = 0; i < ops; i++) {
    const at = int(s.length + 1);
    const r = rnd();
    if (r < 0.4) s = s.slice(0, at) + pick(ODD) + s.slice(at);
    else if (r < 0.6) s = s.slice(0, at) + s.slice(at + 1);
    else if (r < 0.8) s = s.slice(0, at) + s.slice(at, at + 1).repeat(2) + s.slice(at + 1);
    else s = s.slice(0, at) + pick(['.*', '+', '!', '..', '--', 'foo', '.0', 'a', 'post', 'dev', '-1']) + s.slice(at);
  }
  return s;
}

function garbage() {
  return Array.from({ length: int(12) }, () => pick(ODD)).join('');
}

function genVersion() {
  const r = rnd();
  if (r < 0.72) return wellFormed();
  if (r < 0.95) return mutate(wellFormed());
  return garbage();
}

const TRICKY_VERSIONS = [
  '1.0', '1.0.0', '1', '0', '00', '0.0', 'v1.0', 'V1.0', '1.0-1', '1.0-post1', '1.0.post', '1.0post', '1.0.r1',
  '1.0rev2', '1.0a', '1.0alpha', '1.0-alpha.1', '1.0.b', '1.0c', '1.0rc', '1.0pre', '1.0preview1', '1.0.dev',
  '1.0dev', '1.0-dev1', '1.0_dev_1', '1!1.0', '0!1.0', '1.0+ubuntu.1', '1.0+UBUNTU-01', '1.0+abc.5', '1.0+5',
  '1.0+abc_def-1.2', '1.0a1.post2.dev3', '1.0.post1.dev0', '1.0+', '1.0+.a', '+1', '1.0-', '1..0', '.1', '1.',
  '', ' ', ' 1.0 ', '\t1.0\n', '\u00a01.0', '\ufeff1.0', '1.0\x1c', '1.0.*', '1.*', 'v', 'vv1', '1!', '!1',
  '1!2!3', '1.0a1a2', '1.0-1-1', '1.0.post1-1', '1.0a-1', '1.0a.1', '1.0rc-1', '1.0.post-1', '1.0-r', '١.٠',
  '1.0poſt1', '1.0+ſ', '1.0prevıew', '1.0+K', '2019.10.1', '0.0.0.0.0.1', '01.02.03', '1.0.0a0', '1.0.0.dev0',
  '1.0+0', '1.0+00', '1.0+a.0', '1.0+0.a', '1.0+a', '1.0+b', '1.0+a.b', '1.0+1.1', '1.0+1.a',
  '1.' + '1'.repeat(4300), '1.' + '1'.repeat(4301), '0'.repeat(4301), '1.0+' + '9'.repeat(4301),
];

function nearVersions(text) {
  const base = text.replace(/\.\*$/, '').trim();
  const m = /^(.*?)([0-9]+)([^0-9]*)$/.exec(base.split('+')[0]);
  const flipped = base.replace(/[a-z]/gi, (ch) => (chance(0.5) ? ch.toUpperCase() : ch.toLowerCase()));
  const out = [base, flipped, ' ' + base, base + pick(['a1', 'b2', 'rc1', '.post1', '.dev0', '.post0.dev1', '+local', '+1.2', '.0', '.0.0', '-1', 'a0', '.dev1', 'c1', 'a1.post1', '+abc.5', '.1', '.post0'])];
  if (m) {
    const n = Number(m[2]);
    out.push(m[1] + (n + 1) + m[3], m[1] + Math.max(0, n - 1) + m[3], m[1] + (n + 1));
  }
  return out;
}

const OPS = ['==', '==', '!=', '<=', '>=', '>=', '<', '>', '~=', '~=', '==='];
const BAD_OPS = ['=', '=>', '=<', '~', '^', '!', '<>', '', '====', '= =', '> =', '=!'];

function specVersion(op) {
  if (op === '===') return pick([wellFormed().trim(), garbage().replace(/[\d]{5,}/g, ''), 'foo', '1.0', 'FOO', '1.0a1', '']);
  const r = rnd();
  if (r < 0.7) {
    let s = (chance(0.05) ? 'v' : '') + (chance(0.08) ? String(int(3)) + '!' : '') + Array.from({ length: 1 + int(3) }, () => String(int(4))).join('.');
    if (chance((op === '==' || op === '!=') ? 0.25 : 0.03)) return s + '.*';
    if (chance(0.2)) s += pick(SEPS) + pick(PRE) + pick(SEPS) + (chance(0.7) ? String(int(3)) : '');
    if (chance(0.15)) s += pick(['.post1', '.post0', '-1', 'post', '.r2', '.POST1']);
    if (chance(0.15)) s += pick(['.dev0', '.dev1', 'dev', '.DEV1']);
    if (chance((op === '==' || op === '!=') ? 0.2 : 0.03)) s += pick(['+local', '+1', '+abc.5', '+ubuntu-1']);
    return s;
  }
  if (r < 0.9) return wellFormed().trim();
  return mutate(wellFormed().trim());
}

function genClause() {
  const op = chance(0.88) ? pick(OPS) : pick(BAD_OPS);
  return pick(WS) + op + (chance(0.2) ? pick([' ', '  ', '\t', '\u2003']) : '') + specVersion(op) + pick(WS);
}

function genSpec() {
  const r = rnd();
  const n = r < 0.03 ? 0 : r < 0.6 ? 1 : r < 0.9 ? 2 : 3;
  const clauses = Array.from({ length: n }, genClause);
  if (chance(0.05)) clauses.splice(int(clauses.length + 1), 0, pick(['', ' ', '\t']));
  return clauses.join(pick([',', ',', ', ', ' ,']));
}

const TRICKY_SPECS = [
  '', ',', ' , ', '==1.0', '== 1.0', '==v1.0', '==1.*', '==1.0.*', '!=1.*', '==1.0a1.*', '==1.0+local.*', '==1.0+local',
  '!=1.0+local', '>=1.0+local', '<=1.0+local', '~=1', '~=1.0', '~=1.0.0', '~=1!1', '~=1!1.0', '~=1.0.*', '~=1.0+local',
  '~=v1.0', '~=1.0c1', '~=1.0rc1', '~=1.0.pre1', '~=1.0.DEV1', '~=1.0.dev1', '~=1.0a.', '~=1.0.c.1', '~=1.0.r1',
  '~=2.2.post3', '~=1.4.5a4', '~=1.0-1', '~=01.02', '~=1.0poſt1', '~=1.0prevıew', '===1.0', '===foo', '===', '====1',
  '=== 1.0', '===1.0 a', '===1.0;', '===1.0)', '<1.0', '<1.0a1', '<1.0.post1', '<0', '<0.dev0', '>1.0', '>1.0.post1',
  '>1.0a1', '>1.0.dev1', '>1.0+local', '<=1.0', '>=1.0a1', '>=1.0,<2.0', '>=1.0,!=1.5.*,<2', '1.0', '=>1.0', '=<1.0',
  '=1.0', '~1.0', '^1.0', '!1.0', '==1.0,==1.0.0', '>=1.0 , ==1.0.0 ,==1, ===foo, !=2.*,~=1.0.0,~=1.0', '>= 1.0',
  '> =1.0', '==1.0 .*', '== 1.*', '<1.0.*', '>=1.*', '==1.0.post1.*', '==1.0.dev.*', '(>=1.0)', '>=1.0;', '>=1.0)',
  '==1.' + '1'.repeat(4301), '>=1.0\u00a0', '\u3000>=1.0', '>=\u20031.0', '>=1.0\ufeff', '==1.0,', ',==1.0', '>=1,,<2',
];

function snapshotInputs() {
  const versions = new Set();
  const specs = new Set();
  for (const file of readdirSync(SNAPSHOT).filter((f) => f.endsWith('.json')).sort()) {
    const data = JSON.parse(readFileSync(path.join(SNAPSHOT, file), 'utf8'));
    for (const [version, meta] of Object.entries(data.versions ?? {})) {
      versions.add(version);
      if (meta?.requires_python) specs.add(meta.requires_python);
      for (const req of meta?.requires_dist ?? []) {
        const m = /^\s*[A-Za-z0-9][A-Za-z0-9._-]*\s*(?:\[[^\]]*\])?\s*(?:@.*)?([^;]*)/.exec(req);
        if (!m) continue;
        const spec = m[1].trim().replace(/^\((.*)\)$/, '$1');
        specs.add(spec);
      }
    }
  }
  return { versions: [...versions], specs: [...specs] };
}

function buildBatch() {
  const real = snapshotInputs();
  const versions = [...TRICKY_VERSIONS, ...real.versions];
  for (let i = 0; i < 6000; i++) versions.push(genVersion());
  const specs = [...TRICKY_SPECS, ...real.specs];
  for (let i = 0; i < 6000; i++) specs.push(genSpec());
  const validSpecs = specs.map((s, i) => [s, i]).filter(([s]) => parseSpecifierSet(s).ok);
  const addVersion = (text) => versions.push(text) - 1;
  const safeIndex = () => {
    for (;;) {
      const i = int(versions.length);
      if (!/[0-9]{300}/.test(versions[i])) return i;
    }
  };
  const chooseVersion = (specText) => {
    const r = rnd();
    if (r < 0.55) {
      const clauses = specText.split(',').filter((c) => c.trim());
      if (clauses.length) {
        const clause = pick(clauses).trim().replace(/^(===|~=|==|!=|<=|>=|<|>)\s*/, '');
        return addVersion(pick(nearVersions(clause)));
      }
    }
    return safeIndex();
  };
  const pairs = [];
  for (let i = 0; i < 30000; i++) {
    const [s, si] = pick(validSpecs);
    pairs.push([si, chooseVersion(s)]);
  }
  const filters = [];
  for (let i = 0; i < 2000; i++) {
    const [s, si] = pick(validSpecs);
    filters.push([si, Array.from({ length: 1 + int(8) }, () => chooseVersion(s))]);
  }
  return { versions, specs, pairs, filters };
}

function runOracle(batch) {
  const result = spawnSync('python3', [path.join(here, 'oracle_pep440.py')], {
    input: JSON.stringify(batch), encoding: 'utf8', maxBuffer: 512 * 1024 * 1024,
  });
  assert.equal(result.status, 0, `oracle failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

const show = (s) => JSON.stringify(s).slice(0, 120);
const batch = buildBatch();
const oracle = runOracle(batch);

function expectNone(disagreements, what) {
  assert.equal(disagreements.length, 0,
    `${disagreements.length} ${what} disagreements with packaging ${oracle.packaging}; first ones:\n${disagreements.slice(0, 12).join('\n')}`);
}

test('oracle is packaging 26.2', () => {
  assert.equal(oracle.packaging, '26.2');
});

test('versions: validity and normalised form agree', () => {
  const bad = [];
  let valid = 0;
  batch.versions.forEach((text, i) => {
    const want = oracle.versions[i];
    const v = parseVersion(text);
    if (want.ok) valid++;
    if (!!v !== want.ok) bad.push(`${show(text)}: ours ${v ? 'valid' : 'invalid'}, packaging ${want.ok ? 'valid' : 'invalid'}`);
    else if (v && formatVersion(v) !== want.norm) bad.push(`${show(text)}: ours ${show(formatVersion(v))}, packaging ${show(want.norm)}`);
  });
  assert.ok(valid > 3000 && valid < batch.versions.length - 500, `a useful mix of valid (${valid}) and invalid`);
  expectNone(bad, 'version');
});

test('versions: the total order agrees', () => {
  const valid = batch.versions.map((text, i) => ({ v: parseVersion(text), rank: oracle.versions[i].rank, text }))
    .filter((x) => x.v && x.rank !== undefined);
  valid.sort((a, b) => compareVersions(a.v, b.v));
  const bad = [];
  for (let i = 1; i < valid.length; i++) {
    const a = valid[i - 1];
    const b = valid[i];
    const ours = compareVersions(a.v, b.v);
    if ((ours === 0) !== (a.rank === b.rank) || a.rank > b.rank) {
      bad.push(`${show(a.text)} vs ${show(b.text)}: ours ${ours}, packaging ranks ${a.rank} ${b.rank}`);
    }
  }
  assert.ok(valid.length > 3000);
  expectNone(bad, 'ordering');
});

test('specifier sets: validity, str() and prereleases agree', () => {
  const bad = [];
  let valid = 0;
  batch.specs.forEach((text, i) => {
    const want = oracle.specs[i];
    const r = parseSpecifierSet(text);
    if (want.ok) valid++;
    if (r.ok !== want.ok) bad.push(`${show(text)}: ours ${r.ok ? 'valid' : 'invalid: ' + r.message}, packaging ${want.ok ? 'valid' : 'invalid'}`);
    else if (r.ok && r.set.toString() !== want.str) bad.push(`${show(text)}: str ours ${show(r.set.toString())}, packaging ${show(want.str)}`);
    else if (r.ok && (r.set.prereleases ?? null) !== want.pre) bad.push(`${show(text)}: prereleases ours ${r.set.prereleases}, packaging ${want.pre}`);
  });
  assert.ok(valid > 2000 && valid < batch.specs.length - 500, `a useful mix of valid (${valid}) and invalid`);
  expectNone(bad, 'specifier');
});

test('contains agrees for every pair with prereleases unset, true and false', () => {
  const bad = [];
  const options = [undefined, true, false];
  let hits = 0;
  batch.pairs.forEach(([si, vi], n) => {
    const set = parseSpecifierSet(batch.specs[si]).set;
    const text = batch.versions[vi];
    const want = oracle.pairs[n];
    const label = `${show(batch.specs[si])} contains ${show(text)}`;
    options.forEach((prereleases, k) => {
      const ours = set.contains(text, { prereleases });
      if (ours) hits++;
      if (ours !== want.c[k]) bad.push(`${label} (prereleases=${prereleases}): ours ${ours}, packaging ${want.c[k]}`);
    });
    const v = parseVersion(text);
    if (v && set.contains(v) !== want.obj) bad.push(`${label} as a Version: ours ${set.contains(v)}, packaging ${want.obj}`);
    if (want.one) {
      options.forEach((prereleases, k) => {
        const ours = specifierContains(set.specifiers[0], text, prereleases);
        if (ours !== want.one[k]) bad.push(`Specifier ${label} (prereleases=${prereleases}): ours ${ours}, packaging ${want.one[k]}`);
      });
    }
  });
  assert.ok(batch.pairs.length >= 20000);
  assert.ok(hits > batch.pairs.length * 0.3 && hits < batch.pairs.length * 2.7, `a useful mix of matches (${hits})`);
  expectNone(bad, 'contains');
});

test('filter agrees, including PEP 440 pre-release fallback', () => {
  const bad = [];
  batch.filters.forEach(([si, vis], n) => {
    const set = parseSpecifierSet(batch.specs[si]).set;
    const texts = vis.map((i) => batch.versions[i]);
    [undefined, true, false].forEach((prereleases, k) => {
      const ours = set.filter(texts, { prereleases });
      if (JSON.stringify(ours) !== JSON.stringify(oracle.filters[n][k])) {
        bad.push(`${show(batch.specs[si])} filter ${show(texts)} (prereleases=${prereleases}): ours ${show(ours)}, packaging ${show(oracle.filters[n][k])}`);
      }
    });
  });
  expectNone(bad, 'filter');
});
