// Reading ahead past a likely pick that cannot be picked (core/python/resolve/warm.ts): when a
// release's metadata shows a dependency that excludes what a root pins exactly (realtime 2.4.3
// requires websockets<15 against websockets==15.0.1), the releases a solve will try next are read at
// once, before any solve reaches them. Reads are counted at an in-memory index answered in rounds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPythonProvider } from '../../dist/core/python/resolve/provider.js';
import { ROOT } from '../../dist/core/pubgrub/types.js';
import { solve } from '../../dist/core/pubgrub/solver.js';
import { LINUX_311, roots } from '../support/memoryPypi.mjs';
import { roundIndex } from '../support/roundIndex.mjs';

const provider = (source, lines) => createPythonProvider({ pypi: source, roots: roots(lines), target: { environment: LINUX_311 }, installer: 'pip' });

// The seed's chain in small: s 1 allows r 2.4.x only, and every r 2.4.x requires w<15.
const REGISTRY = {
  s: { '1': ['r>=2.4,<2.5'] },
  r: { '2.4.0': ['w<15'], '2.4.1': ['w<15'], '2.4.2': ['w<15'], '2.4.3': ['w<15', 'x'], '2.5.0': [] },
  w: { '14': [], '15': [] },
  x: { '1': [] },
};

test('a likely pick whose dependency excludes a root\'s exact pin: the next three releases in the solve\'s order are read ahead', async () => {
  const index = roundIndex(REGISTRY);
  const p = provider(index.source, ['s==1', 'w==15']);
  // Only the root's edges: what follows is read ahead, no solve asks for anything.
  await p.dependencies(ROOT);
  await index.settle();
  const r = index.stats.calls.metadata.filter((m) => m.startsWith('r==')).sort();
  assert.deepEqual(r, ['r==2.4.0', 'r==2.4.1', 'r==2.4.2', 'r==2.4.3']);
  // The doomed release's own dependencies are still warmed, as before.
  assert.ok(index.stats.calls.projects.includes('x'));
});

test('without a root pin it excludes, only the likely pick is read ahead', async () => {
  const index = roundIndex(REGISTRY);
  const p = provider(index.source, ['s==1', 'w']);
  await p.dependencies(ROOT);
  await index.settle();
  assert.deepEqual(index.stats.calls.metadata.filter((m) => m.startsWith('r==')), ['r==2.4.3']);
});

test('the solve\'s verdict is unchanged, and it asks for nothing the read-ahead had not read', async () => {
  const index = roundIndex(REGISTRY);
  const p = provider(index.source, ['s==1', 'w==15']);
  const result = await index.drive(solve(p));
  assert.equal(result.kind, 'conflict');
  await index.settle();
  assert.deepEqual(index.stats.calls.metadata.filter((m) => m.startsWith('r==')).sort(), ['r==2.4.0', 'r==2.4.1', 'r==2.4.2', 'r==2.4.3']);
});
