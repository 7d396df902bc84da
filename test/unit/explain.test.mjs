// Explanations of failed solves: solver.md's linear and branching error reports, the
// supabase / realtime / websockets case on real version lists, constraint, unavailable, unknown
// and no-match reasons, virtual extras, and how version sets and specifiers read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { solve } from '../../dist/core/pubgrub/solver.js';
import { explainConflict } from '../../dist/core/pubgrub/explain.js';
import { Words, displaySpecifier } from '../../dist/core/pubgrub/explainText.js';
import { VersionSet } from '../../dist/core/pubgrub/versionSet.js';
import { memoryProvider } from '../support/memoryProvider.mjs';
import { loadPypiRegistry, pypiFixtureProvider } from '../support/pypiFixtureProvider.mjs';

async function explained(provider, options = {}) {
  const r = await solve(provider);
  assert.equal(r.kind, 'conflict', `expected a conflict, got ${r.kind}`);
  return explainConflict(r.incompatibility, { versionsOf: (p) => r.packageVersions.get(p) ?? [], ...options });
}

const explain = (registry, options, explainOptions) => explained(memoryProvider(registry, options), explainOptions);

test('solver.md linear error reporting', async () => {
  const registry = { foo: { '1.0.0': { bar: '>=2,<3' } }, bar: { '2.0.0': { baz: '>=3,<4' } }, baz: { '1.0.0': {}, '3.0.0': {} } };
  const e = await explain(registry, { root: { foo: '>=1,<2', baz: '>=1,<2' } });
  assert.deepEqual(e.lines, [
    'Because foo 1.0.0 depends on bar>=2,<3 and bar 2.0.0 depends on baz>=3,<4, foo 1.0.0 requires baz>=3,<4.',
    'So, because your requirements include both foo>=1,<2 and baz>=1,<2, version solving failed.',
  ]);
  assert.equal(e.summary, 'baz>=1,<2 conflicts with foo>=1,<2: foo 1.0.0 requires bar>=2,<3, and bar 2.0.0 requires baz>=3,<4.');
  assert.deepEqual(e.chain, ['foo 1.0.0 -> bar>=2,<3', 'bar 2.0.0 -> baz>=3,<4']);
  assert.deepEqual(e.roots, [
    { package: 'foo', specifier: '>=1,<2', origin: { path: 'requirements.txt', index: 0 } },
    { package: 'baz', specifier: '>=1,<2', origin: { path: 'requirements.txt', index: 1 } },
  ]);
});

test('solver.md branching error reporting numbers the line it refers back to', async () => {
  const registry = {
    foo: { '1.0.0': { a: '>=1,<2', b: '>=1,<2' }, '1.1.0': { x: '>=1,<2', y: '>=1,<2' } },
    a: { '1.0.0': { b: '>=2,<3' } },
    b: { '1.0.0': {}, '2.0.0': {} },
    x: { '1.0.0': { y: '>=2,<3' } },
    y: { '1.0.0': {}, '2.0.0': {} },
  };
  const e = await explain(registry, { root: { foo: '>=1,<2' } });
  assert.deepEqual(e.lines, [
    '    Because foo 1.0.0 depends on a>=1,<2 and a 1.0.0 depends on b>=2,<3, foo 1.0.0 requires b>=2,<3.',
    '(1) So, because foo 1.0.0 depends on b>=1,<2, foo 1.0.0 cannot be used.',
    '',
    '    Because foo 1.1.0 depends on x>=1,<2 and x 1.0.0 depends on y>=2,<3, foo 1.1.0 requires y>=2,<3.',
    '    And because foo 1.1.0 depends on y>=1,<2, foo 1.1.0 cannot be used.',
    '    And because foo 1.0.0 cannot be used (1), no version of foo can be used.',
    '    So, because your requirements include foo>=1,<2, version solving failed.',
  ]);
  assert.equal(
    e.summary,
    'foo>=1,<2 cannot be installed: foo 1.0.0 requires b>=1,<2 and a>=1,<2, but a 1.0.0 requires b>=2,<3; ' +
      'foo 1.1.0 requires y>=1,<2 and x>=1,<2, but x 1.0.0 requires y>=2,<3.',
  );
  assert.deepEqual(e.chain, ['foo 1.0.0 -> b>=1,<2', 'foo 1.0.0 -> a>=1,<2', 'a 1.0.0 -> b>=2,<3']);
});

const SEED = ['supabase', 'realtime', 'websockets'];

test('websockets==15.0.1 with supabase==2.15.3 on the real version lists', async () => {
  const e = await explained(pypiFixtureProvider(SEED, { root: { websockets: '==15.0.1', supabase: '==2.15.3' } }));
  assert.equal(
    e.summary,
    'websockets==15.0.1 conflicts with supabase==2.15.3: supabase 2.15.3 requires realtime>=2.4.0,<2.5.0, ' +
      'and every realtime 2.4.x (2.4.0 to 2.4.3) requires websockets>=11,<15.',
  );
  assert.deepEqual(e.chain, ['supabase 2.15.3 -> realtime>=2.4.0,<2.5.0', 'realtime 2.4.0..2.4.3 -> websockets>=11,<15']);
  assert.deepEqual(e.lines, [
    'Because supabase 2.15.3 depends on realtime>=2.4.0,<2.5.0 and realtime 2.4.x depends on websockets>=11,<15, supabase 2.15.3 requires websockets>=11,<15.',
    'So, because your requirements include both websockets==15.0.1 and supabase==2.15.3, version solving failed.',
  ]);
  assert.deepEqual(
    e.roots.map((r) => [r.package, r.specifier, r.origin.index]),
    [['websockets', '==15.0.1', 0], ['supabase', '==2.15.3', 1]],
  );
});

test('websockets==14.2 with supabase==2.15.3 solves, and solving the conflicting variant again gives the same conflict', async () => {
  // How long a warm solve takes is measured in bench/resolve.mjs, beside pip.
  const provider = pypiFixtureProvider(SEED, { root: { websockets: '==14.2', supabase: '==2.15.3' } });
  const r = await solve(provider);
  assert.equal(r.kind, 'solution');
  assert.deepEqual(Object.fromEntries(r.versions), { websockets: '14.2', supabase: '2.15.3', realtime: '2.4.3' });
  const failing = pypiFixtureProvider(SEED, { root: { websockets: '==15.0.1', supabase: '==2.15.3' } });
  const first = await explained(failing);
  assert.deepEqual(first.chain, ['supabase 2.15.3 -> realtime>=2.4.0,<2.5.0', 'realtime 2.4.0..2.4.3 -> websockets>=11,<15']);
  for (let i = 0; i < 3; i++) assert.deepEqual(await explained(failing), first);
});

test('the seed registry covers every realtime that supabase 2.15.3 allows', () => {
  // Guards the fixture facts the summary above depends on.
  const registry = loadPypiRegistry(SEED);
  assert.equal(registry.supabase['2.15.3'].realtime, '<2.5.0,>=2.4.0');
  const series = Object.keys(registry.realtime).filter((v) => v.startsWith('2.4.'));
  assert.deepEqual(series, ['2.4.0', '2.4.1', '2.4.2', '2.4.3']);
  for (const v of series) assert.equal(registry.realtime[v].websockets, '<15,>=11');
});

test('a constraint that excludes what a dependency needs', async () => {
  const e = await explain({ foo: { '1.0.0': { bar: '>=1' } }, bar: { '1.0': {}, '2.0': {} } }, { root: { foo: '' }, constraints: { bar: '<1' } });
  assert.deepEqual(e.lines, [
    'Because your constraints allow only bar<1 and foo 1.0.0 depends on bar>=1, foo 1.0.0 cannot be used.',
    'So, because your requirements include foo, version solving failed.',
  ]);
  assert.equal(e.summary, 'The constraint bar<1 conflicts with foo: foo 1.0.0 requires bar>=1.');
  assert.deepEqual(e.roots, [
    { package: 'foo', specifier: '', origin: { path: 'requirements.txt', index: 0 } },
    { package: 'bar', specifier: '<1', constraintOnly: true },
  ]);
});

test('unavailable versions say why', async () => {
  const unavailable = { foo: { '3.0': 'requires Python >=3.12', '2.0': 'requires Python >=3.12' } };
  const e = await explain({ foo: { '1.0': {}, '2.0': {}, '3.0': {} } }, { root: { foo: '>=2' }, unavailable });
  assert.deepEqual(e.lines, ['Because your requirements include foo>=2, which cannot be used (requires Python >=3.12), version solving failed.']);
  assert.equal(e.summary, 'foo>=2 cannot be installed: foo 2.0 to 3.0 cannot be used (requires Python >=3.12).');
});

test('unknown packages and requirements no version matches', async () => {
  const root = await explain({}, { root: { nothere: '' } });
  assert.deepEqual(root.lines, ['Because your requirements include nothere (nothere cannot be found: no package named nothere), version solving failed.']);
  assert.equal(root.summary, 'nothere cannot be found: no package named nothere.');
  const deep = await explain({ foo: { '1.0': { nothere: '>=1' } } }, { root: { foo: '' } });
  assert.deepEqual(deep.lines, [
    'Because your requirements include foo and foo 1.0 depends on nothere>=1 (nothere cannot be found: no package named nothere), version solving failed.',
  ]);
  assert.equal(deep.summary, 'foo cannot be installed: foo 1.0 depends on nothere>=1 (nothere cannot be found: no package named nothere).');
  const none = await explain({ foo: { '1.0': {}, '1.1': {}, '1.2': {} } }, { root: { foo: '>=2' } });
  assert.deepEqual(none.lines, ['Because your requirements include foo>=2 (no version of foo matches; available: 1.0 to 1.2), version solving failed.']);
  assert.equal(none.summary, 'No version of foo matches foo>=2 (available: 1.0 to 1.2).');
});

test('two requirement paths that meet, and a package whose versions fail for different reasons', async () => {
  const meet = await explain({ a: { '1.0': { x: '>=2' } }, b: { '1.0': { x: '<2' } }, x: { '1.0': {}, '2.0': {} } }, { root: { a: '', b: '' } });
  assert.deepEqual(meet.lines, [
    'Because b 1.0 depends on x<2 and a 1.0 depends on x>=2, b 1.0 and a 1.0 are incompatible.',
    'So, because your requirements include both a and b, version solving failed.',
  ]);
  assert.equal(meet.summary, 'a conflicts with b: b 1.0 requires x<2, while a 1.0 requires x>=2.');
  const registry = {
    a: { '1.0': { b: '==1.0' }, '1.1': { c: '>=2' }, '1.2': { b: '==1.0' }, '1.3': { c: '>=2' }, '1.4': { b: '==1.0' } },
    b: { '1.0': {}, '2.0': {} },
    c: { '1.0': {}, '2.0': {} },
  };
  const split = await explain(registry, { root: { a: '', b: '>=2', c: '<2' } });
  assert.deepEqual(split.lines, [
    'Because a 1.1 or 1.3 depends on c>=2 and a 1.0, 1.2 or 1.4 depends on b==1.0, every version of a requires c>=2 or b==1.0.',
    'And because your requirements include a, c>=2 or b==1.0 is required.',
    'So, because your requirements include both b>=2 and c<2, version solving failed.',
  ]);
  assert.equal(split.summary, 'b>=2 and c<2 conflict with a: a 1.0, 1.2 or 1.4 requires b==1.0, and a 1.1 or 1.3 requires c>=2.');
});

test('a version that needs another version of itself', async () => {
  const e = await explain({ foo: { '2.0': {}, '3.0': { bar: '==2.2' } }, bar: { '2.2': { foo: '>=1.1,<2.2' } } }, { root: { foo: '>=3.0' } });
  assert.deepEqual(e.lines, [
    'Because foo 3.0 depends on bar==2.2 and bar 2.2 depends on foo>=1.1,<2.2, foo 3.0 cannot be used.',
    'So, because your requirements include foo>=3.0, version solving failed.',
  ]);
  assert.equal(e.summary, 'foo>=3.0 cannot be installed: foo 3.0 requires bar==2.2, but bar 2.2 requires foo>=1.1,<2.2.');
  assert.deepEqual(e.chain, ['foo 3.0 -> bar==2.2', 'bar 2.2 -> foo>=1.1,<2.2']);
});

test('a version series with one requirement reads as a wildcard', async () => {
  const registry = { a: { '1.0': { b: '<2' }, '1.1': { b: '<2' }, '1.2': { b: '<2' }, '2.0': {} }, b: { '1.0': {}, '2.0': {} } };
  const e = await explain(registry, { root: { a: '<2', b: '>=2' } });
  assert.deepEqual(e.lines, [
    'Because your requirements include a<2 and a 1.x depends on b<2, b<2 is required.',
    'So, because your requirements include b>=2, version solving failed.',
  ]);
  assert.equal(e.summary, 'b>=2 conflicts with a<2: every a 1.x (1.0 to 1.2) requires b<2.');
  assert.deepEqual(e.chain, ['a 1.0..1.2 -> b<2']);
});

test('virtual extras hide their edge to the base package', async () => {
  const registry = {
    'uvicorn[standard]': { '0.29.0': { uvicorn: '==0.29.0', websockets: '>=10' }, '0.30.0': { uvicorn: '==0.30.0', websockets: '>=10' } },
    uvicorn: { '0.29.0': { click: '>=8' }, '0.30.0': { click: '>=8' } },
    click: { '7.0': {}, '8.0': {}, '8.1': {} },
    websockets: { '10.0': {}, '10.4': {} },
  };
  const e = await explain(registry, { root: { 'uvicorn[standard]': '>=0.29', click: '<8' } });
  assert.deepEqual(e.lines, [
    'Because your requirements include uvicorn[standard]>=0.29 and every version of uvicorn[standard] depends on click>=8, click>=8 is required.',
    'So, because your requirements include click<8, version solving failed.',
  ]);
  assert.equal(e.summary, 'click<8 conflicts with uvicorn[standard]>=0.29: every version of uvicorn[standard] requires click>=8.');
  assert.deepEqual(e.chain, ['uvicorn[standard] 0.29.0..0.30.0 -> click>=8']);
  for (const line of [...e.lines, e.summary, ...e.chain]) assert.ok(!line.includes('uvicorn=='), line);
});

test('displayName and formatRequirement for other ecosystems', async () => {
  const allows = (s, v) => (s.startsWith('^') ? v.split('.')[0] === s.slice(1).split('.')[0] : v === s);
  const registry = { app: { '1.0': { lib: '^1.2' } }, lib: { '1.0': {}, '2.0': {} } };
  const e = await explain(registry, { root: { app: '1.0', lib: '^2' }, allows }, { formatRequirement: (n, s) => `${n}@${s}`, displayName: (p) => p.toUpperCase() });
  assert.deepEqual(e.lines, [
    'Because your requirements include APP@1.0 and APP 1.0 depends on LIB@^1.2, LIB@^1.2 is required.',
    'So, because your requirements include LIB@^2, version solving failed.',
  ]);
  assert.equal(e.summary, 'LIB@^2 conflicts with APP@1.0: APP 1.0 requires LIB@^1.2.');
});

test('version sets read as the versions that exist', () => {
  const realtime = Object.keys(loadPypiRegistry(['realtime']).realtime);
  const words = new Words({ versionsOf: () => realtime });
  const at = (...vs) => VersionSet.of(realtime.length, vs.map((v) => realtime.indexOf(v)));
  const term = (set) => ({ package: 'realtime', positive: true, set });
  const range = (a, b) => VersionSet.of(realtime.length, realtime.map((_, i) => i).filter((i) => i >= realtime.indexOf(a) && i <= realtime.indexOf(b)));
  assert.equal(words.subject(term(at('2.4.3')), true), 'realtime 2.4.3');
  assert.equal(words.subject(term(range('2.4.0', '2.4.3')), true), 'realtime 2.4.x');
  assert.equal(words.subject(term(range('2.4.0', '2.4.2')), true), 'realtime 2.4.0 to 2.4.2');
  assert.equal(words.subject(term(range('2.3.0', '2.4.3')), true), 'realtime 2.3.0 to 2.4.3');
  assert.equal(words.subject(term(at('1.0.0', '2.4.0', '2.4.1', '3.0.0a1')), true), 'realtime 1.0.0, 2.4.0 to 2.4.1 or 3.0.0a1');
  assert.equal(words.subject(term(VersionSet.full(realtime.length)), true), 'every version of realtime');
  assert.equal(words.subject(term(VersionSet.full(realtime.length)), false), 'realtime');
  assert.equal(words.every('realtime', range('2.4.0', '2.4.3')), 'every realtime 2.4.x (2.4.0 to 2.4.3)');
  assert.equal(words.every('realtime', range('2.4.0', '2.4.2')), 'every realtime from 2.4.0 to 2.4.2');
  assert.equal(words.subject(term(range('1.0.0', '1.0.6')), true), 'realtime 1.0.x');
  assert.equal(words.subject(term(range('2.0.0', '2.30.0')), true), 'realtime 2.x', 'every 2.* release, contiguous');
  const scattered = at(...realtime.filter((_, i) => i % 2 === 0));
  assert.match(words.subject(term(scattered), true), /^realtime 1\.0\.0, 1\.0\.2, 1\.0\.4, 1\.0\.6, 2\.0\.1 and 28 more versions$/);
  words.learnSpecifier('realtime', range('2.4.0', '2.4.3'), '<2.5.0,>=2.4.0');
  assert.equal(words.target('realtime', range('2.4.0', '2.4.3')), 'realtime>=2.4.0,<2.5.0');
  assert.equal(words.target('realtime', range('2.4.0', '2.4.2')), 'realtime 2.4.0 to 2.4.2');
});

test('specifiers read lower bound first', () => {
  assert.equal(displaySpecifier('<2.5.0,>=2.4.0'), '>=2.4.0,<2.5.0');
  assert.equal(displaySpecifier('!=1.5, <2, >=1'), '>=1,<2,!=1.5');
  assert.equal(displaySpecifier('==1.0.*'), '==1.0.*');
  assert.equal(displaySpecifier('^1.2 || ^2'), '^1.2 || ^2');
  assert.equal(displaySpecifier(''), '');
});
