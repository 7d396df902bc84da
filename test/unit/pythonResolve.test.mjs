// resolvePython: where pip's combined-specifier rules admit what a per-requirement model refuses,
// the relaxed re-solve finds pip's solution, and pip's rule (pipViolations) keeps it honest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPythonProvider } from '../../dist/core/python/resolve/provider.js';
import { solve } from '../../dist/core/pubgrub/solver.js';
import { pipViolations, resolvePython } from '../../dist/core/python/resolve/resolvePython.js';
import { LINUX_311, dep, memoryPypi, roots } from '../support/memoryPypi.mjs';

function provider(registry, lines, installer = 'pip') {
  return createPythonProvider({ pypi: memoryPypi(registry), roots: roots(lines), target: { environment: LINUX_311 }, installer });
}

const picked = (result) => (result.kind === 'solution' ? Object.fromEntries([...result.versions].filter(([k]) => !k.includes('['))) : result.kind);

test('a transitive requirement naming a pre-release admits it for the others too (pip)', async () => {
  const registry = { app: { '1.0': ['lib>=2.0b1'] }, lib: { '1.0': [], '2.0b2': [] } };
  const p = provider(registry, ['app', 'lib>=1.0']);
  assert.equal((await solve(p)).kind, 'conflict', 'each requirement alone: lib>=1.0 refuses 2.0b2');
  const { result, passes, provider: used } = await resolvePython(p);
  assert.deepEqual(picked(result), { app: '1.0', lib: '2.0b2' });
  assert.equal(passes, 2);
  assert.deepEqual(pipViolations(used, result), []);
  assert.deepEqual(used.notes(result), [], 'a named pre-release is no fallback');
  // uv only honours first-party pre-release specifiers: one pass, conflict.
  const uv = await resolvePython(provider(registry, ['app', 'lib>=1.0'], 'uv'));
  assert.deepEqual([uv.result.kind, uv.passes], ['conflict', 1]);
});

test('a transitive exact pin of a yanked release admits it for a plain requirement (pip)', async () => {
  const registry = { app: { '1.0': ['y==1.0'] }, y: { '0.9': [], '1.0': { deps: [], yanked: 'oops' } } };
  const { result } = await resolvePython(provider(registry, ['app', 'y']));
  assert.deepEqual(picked(result), { app: '1.0', y: '1.0' });
});

test('an extra pinned to a yanked pre-release is an explicit candidate for its project (pip)', async () => {
  const registry = { b: { '2.1': ['f[fast]==2.0b1'] }, f: { '0.5': [], '2.0b1': { deps: ['helper; extra == "fast"'], yanked: true } }, helper: { '1.0': [] } };
  const { result, passes } = await resolvePython(provider(registry, ['f<2.1', 'b']));
  assert.deepEqual(picked(result), { b: '2.1', f: '2.0b1', helper: '1.0' });
  assert.equal(passes, 2);
});

test('the relaxed re-solve never returns what pip would refuse', async () => {
  // Only a pre-release remains for Python 3.11, and `lib>=1` does not name one: pip fails.
  const registry = { app: { '1.0': ['lib>=1'] }, lib: { '1.0': { deps: [], requiresPython: '>=3.12' }, '2.0b1': [] } };
  const { result, passes } = await resolvePython(provider(registry, ['app']));
  assert.deepEqual([result.kind, passes], ['conflict', 1]);
  // A version pip refuses is excluded and the next pass finds the one it takes.
  const two = { app: { '1.0': ['lib'] }, lib: { '1.0': [], '2.0': { deps: [], yanked: true } }, pin: { '1.0': ['lib==2.0'] }, other: { '1.0': ['lib<2'] } };
  const mixed = await resolvePython(provider(two, ['app', dep('lib!=1.0', { constraint: true })]));
  assert.equal(mixed.result.kind, 'conflict', 'the yanked 2.0 is never pinned, so pip refuses it');
  const constrained = await resolvePython(provider(two, ['app', dep('lib==2.0', { constraint: true })]));
  assert.deepEqual(picked(constrained.result), { app: '1.0', lib: '2.0' }, 'a first-party pin admits the yanked release in one pass');
  assert.equal(constrained.passes, 1);
});

test('strict solutions need no second pass and satisfy pip’s rule', async () => {
  const registry = { a: { '1.0': ['b>=1'], '2.0': ['b>=2'] }, b: { '1.0': [], '2.0': [], '3.0a1': [] } };
  const p = provider(registry, ['a']);
  const { result, passes } = await resolvePython(p);
  assert.deepEqual([picked(result), passes], [{ a: '2.0', b: '2.0' }, 1]);
  assert.deepEqual(pipViolations(p, result), []);
});

test('pip meets requirements in its own order: the verdict follows it (checked against pip 23.2.1)', async () => {
  // pip resolves c first when it is listed first; c 1.1's plain `f` then has no candidate (0.5 is
  // yanked and nothing pins it yet) and pip fails. Listed after d, d's `f==0.5` arrives first.
  const registry = { c: { '1.1': ['d', 'f'], '2.1': ['f<0.5'] }, d: { '3.0.dev1': ['f==0.5'] }, f: { '0.5': { deps: [], yanked: true } } };
  assert.equal((await resolvePython(provider(registry, ['c', 'd~=3.0.dev1']))).result.kind, 'conflict');
  const { result, passes } = await resolvePython(provider(registry, ['d~=3.0.dev1', 'c']));
  assert.deepEqual([picked(result), passes], [{ c: '1.1', d: '3.0.dev1', f: '0.5' }, 2]);
});
