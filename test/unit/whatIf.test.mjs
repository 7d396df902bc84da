// What-if questions over the Python provider on an in-memory registry shaped like the seed
// conflict (supabase -> realtime -> websockets).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPythonProvider } from '../../dist/core/python/resolve/provider.js';
import { solve } from '../../dist/core/pubgrub/solver.js';
import { highestCompatible, whatWouldUnlock, whyIsThisHere, withRootSpecifier } from '../../dist/core/python/resolve/whatIf.js';
import { LINUX_311, dep, memoryPypi, roots } from '../support/memoryPypi.mjs';

const registry = {
  supabase: {
    '2.15.3': ['realtime>=2.4.0,<2.5.0', 'httpx<0.29'],
    '2.16.0': ['realtime>=2.4.0,<2.5.0', 'httpx<0.29'],
    '2.17.0': ['realtime>=2.5.0,<2.6.0', 'httpx<0.29'],
    '2.18.0': ['realtime>=2.5.0,<2.6.0', 'httpx<0.29'],
    '2.19.0b1': ['realtime>=2.6.0'],
  },
  realtime: {
    '2.4.0': ['websockets>=11,<15'],
    '2.4.3': ['websockets>=11,<15'],
    '2.5.0': ['websockets>=11,<16'],
    '2.6.0': ['websockets>=11,<17'],
  },
  websockets: { '13.0': [], '14.2': [], '15.0.1': [], '16.0': [] },
  httpx: { '0.28.1': ['h11>=0.16'], '0.29.0': ['h11>=0.16'] },
  h11: { '0.16.0': [] },
  fastapi: { '0.110': ['starlette<0.40'], '0.115': ['starlette<0.50'] },
  starlette: { '0.39': [], '0.45': [] },
};

function provider(lines, reg = registry) {
  return createPythonProvider({ pypi: memoryPypi(reg), roots: roots(lines), target: { environment: LINUX_311 }, installer: 'pip' });
}

test('highestCompatible relaxes the pin and returns what the solve picks', async () => {
  const p = provider(['supabase==2.15.3', 'websockets==15.0.1']);
  assert.equal((await solve(p)).kind, 'conflict');
  const found = await highestCompatible(p, 'websockets');
  assert.equal(found.kind, 'found');
  assert.equal(found.version, '14.2');
  // Transitive packages: the version the solution has.
  assert.equal((await highestCompatible(provider(['supabase==2.15.3', 'websockets==14.2']), 'h11')).version, '0.16.0');
  const elsewhere = await highestCompatible(provider(['supabase==2.15.3', 'httpx>=0.29', 'websockets']), 'websockets');
  assert.equal(elsewhere.kind, 'conflict', 'relaxing websockets does not fix an httpx conflict');
  // A constraint on the package is relaxed too.
  const constrained = provider(['supabase', dep('websockets<14', { constraint: true })]);
  assert.equal((await highestCompatible(constrained, 'websockets')).version, '15.0.1');
});

test('whatWouldUnlock finds the smallest upgrade of another direct requirement', async () => {
  const p = provider(['supabase==2.15.3', 'websockets==15.0.1', 'fastapi==0.110']);
  const unlock = await whatWouldUnlock(p, 'websockets', '15.0.1', { prefer: ['supabase', 'realtime'] });
  assert.equal(unlock.kind, 'unlocked');
  assert.deepEqual([unlock.package, unlock.version, unlock.from], ['supabase', '2.17.0', '==2.15.3']);
  assert.equal(unlock.message, 'supabase 2.17.0 allows websockets 15.0.1.');
  assert.equal(unlock.solution.versions.get('realtime'), '2.5.0');
  // Pre-releases are not offered as upgrades (2.19.0b1 would allow websockets 16).
  const none = await whatWouldUnlock(p, 'websockets', '16.0');
  assert.equal(none.kind, 'none');
  assert.equal(none.message, 'No released version of supabase or fastapi allows websockets 16.0 yet.');
  assert.deepEqual(none.tried, [{ package: 'supabase', outcome: 'no-release-works' }, { package: 'fastapi', outcome: 'no-release-works' }]);
  const withPre = createPythonProvider({ ...p.options, allowPrereleases: true });
  const pre = await whatWouldUnlock(withPre, 'websockets', '16.0');
  assert.deepEqual([pre.kind, pre.package, pre.version], ['unlocked', 'supabase', '2.19.0b1']);
  const already = await whatWouldUnlock(p, 'websockets', '14.2');
  assert.equal(already.kind, 'already');
  const unreleased = await whatWouldUnlock(p, 'websockets', '99');
  assert.deepEqual([unreleased.kind, unreleased.message], ['none', 'websockets has no release 99.']);
});

test('whatWouldUnlock reports packages without newer releases and stays within its budget', async () => {
  const p = provider(['supabase==2.18.0', 'websockets==16.0']);
  const none = await whatWouldUnlock(p, 'websockets', '16.0');
  assert.deepEqual(none.tried, [{ package: 'supabase', outcome: 'no-newer-release' }]);
  const tight = await whatWouldUnlock(provider(['fastapi', 'supabase==2.15.3', 'websockets==15.0.1']), 'websockets', '15.0.1', { maxSolves: 1 });
  assert.equal(tight.kind, 'none');
  assert.deepEqual(tight.tried.map((t) => t.outcome), ['budget', 'budget']);
  assert.match(tight.message, /ran out of time/);
  let t = 0;
  const clockOut = await whatWouldUnlock(provider(['supabase==2.15.3', 'websockets==15.0.1']), 'websockets', '15.0.1', { timeBudgetMs: 10, now: () => (t += 100) });
  assert.deepEqual(clockOut.tried, [{ package: 'supabase', outcome: 'budget' }]);
  const controller = new AbortController();
  controller.abort();
  const aborted = await whatWouldUnlock(provider(['supabase==2.15.3', 'websockets==15.0.1']), 'websockets', '15.0.1', { signal: controller.signal });
  assert.deepEqual([aborted.kind, aborted.reason], ['stopped', 'aborted']);
});

test('whatWouldUnlock does not stop at the lowest-first guess when a smaller upgrade exists', async () => {
  // b has fewer versions than the newer releases of a, so the probe decides b first at 2, which
  // needs a>=3: the probe's answer is a 3, but a 2 with b 1 works, and the scan finds it.
  const reg = { a: { 1: ['x<2'], 2: [], 3: [], 4: [] }, b: { 1: [], 2: ['a>=3'] }, x: { 1: [], 2: [] } };
  const p = provider(['a==1', 'b', 'x'], reg);
  const unlock = await whatWouldUnlock(p, 'x', '2');
  assert.deepEqual([unlock.kind, unlock.package, unlock.version], ['unlocked', 'a', '2']);
  assert.equal(unlock.solution.versions.get('b'), '1');
});

test('whyIsThisHere lists every chain from the manifest, with specifiers, conditions and origins', async () => {
  const reg = {
    app: { '1.0': ['lib>=1', 'mid; sys_platform == "linux"', 'cyc'] },
    mid: { '1.0': ['lib<3'] },
    lib: { '2.0': [] },
    cyc: { '1.0': ['app'] },
  };
  const p = createPythonProvider({ pypi: memoryPypi(reg), roots: roots(['app']), target: { environment: { python_version: '3.11' } }, installer: 'pip' });
  const solution = await solve(p);
  const chains = whyIsThisHere(solution, 'lib');
  assert.deepEqual(chains, [
    [
      { package: 'app', version: '1.0', specifier: '', origin: { path: 'requirements.txt', index: 0 } },
      { package: 'lib', version: '2.0', specifier: '>=1' },
    ],
    [
      { package: 'app', version: '1.0', specifier: '', origin: { path: 'requirements.txt', index: 0 } },
      { package: 'mid', version: '1.0', specifier: '', condition: 'sys_platform == "linux"' },
      { package: 'lib', version: '2.0', specifier: '<3' },
    ],
  ]);
  assert.deepEqual(whyIsThisHere(solution, 'nothere'), []);
  assert.equal(whyIsThisHere(solution, 'lib', 1).length, 1);
});

test('withRootSpecifier replaces requirements, drops constraints and adds a missing root', () => {
  const r = roots(['a>=1', dep('a<3', { constraint: true }), 'b']);
  assert.deepEqual(withRootSpecifier(r, 'a', '==2').map((x) => [x.dependency.normalizedName, x.dependency.specifier, x.origin?.index]), [['a', '==2', 0], ['b', '', 2]]);
  assert.deepEqual(withRootSpecifier(r, 'c', '==1').map((x) => x.dependency.normalizedName), ['a', 'a', 'b', 'c']);
});
