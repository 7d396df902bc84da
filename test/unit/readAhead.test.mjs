// Reading ahead of a walk down a package's releases (pubgrub/solver.ts prefetchNext, the Python
// provider's prefetchShallow, warm.ts warmMetadata): the next releases are warmed in full (their
// metadata, then their dependencies), and the ones after them have their own metadata read at
// once. Reads are counted at an in-memory index that answers in rounds the test releases, so
// nothing here depends on time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPythonProvider } from '../../dist/core/python/resolve/provider.js';
import { solve } from '../../dist/core/pubgrub/solver.js';
import { LINUX_311, roots } from '../support/memoryPypi.mjs';
import { memoryProvider } from '../support/memoryProvider.mjs';
import { roundIndex } from '../support/roundIndex.mjs';
import { startFakePypi } from '../support/fakePypi.mjs';
import { heldTransport } from '../support/heldTransport.mjs';
import { RegistryHttp } from '../../dist/core/http/registryHttp.js';
import { PypiClient } from '../../dist/core/python/index/pypi.js';
import { resolvePythonFindings } from '../../dist/core/python/checks/resolutionFindings.js';

const provider = (source, lines) => createPythonProvider({ pypi: source, roots: roots(lines), target: { environment: LINUX_311 }, installer: 'pip' });

test('the first step of a walk hints two releases in full and the two after them shallow; later steps hint four in full', async () => {
  // Every a k needs b==k, and only b 1 exists: the solver tries a 12, 11, ... down to 1.
  const registry = { a: {}, b: { '1': {} } };
  for (let k = 1; k <= 12; k++) registry.a[String(k)] = { b: `==${k}` };
  const p = memoryProvider(registry, { root: { a: '' } });
  const shallow = [];
  p.prefetchShallow = (pkg, versions) => shallow.push([pkg, ...versions]);
  const result = await solve(p);
  assert.equal(result.versions.get('a'), '1');
  const full = p.calls.prefetch.filter(([pkg]) => pkg === 'a').map(([, ...versions]) => versions);
  assert.deepEqual(full.slice(1, 3), [['10', '9'], ['9', '8', '7', '6']]);
  // Only the first step of the walk, whose full hint is short, reads further ahead shallow.
  assert.deepEqual(shallow, [['a', '8', '7']]);
});

test('a shallow hint reads the release\'s metadata, not its dependencies; a full hint reads both', async () => {
  const registry = { a: { '1.0': ['x'], '2.0': ['y'] }, x: { '1.0': [] }, y: { '1.0': [] } };
  const index = roundIndex(registry);
  const p = provider(index.source, ['a']);
  p.prefetchShallow('a', ['1.0']);
  await index.settle();
  assert.deepEqual(index.stats.calls.metadata, ['a==1.0']);
  assert.deepEqual(index.stats.calls.projects, ['a']);
  p.prefetch('a', ['2.0']);
  await index.settle();
  assert.deepEqual(index.stats.calls.metadata.sort(), ['a==1.0', 'a==2.0', 'y==1.0']);
  assert.deepEqual(index.stats.calls.projects.sort(), ['a', 'y']);
});

test('on the seed at the fake PyPI, shallow hints save a round trip of the verdict and fixes at the per-host limit, with the same requests and fixes', async () => {
  const fake = await startFakePypi({ projects: 'all' });
  const proto = Object.getPrototypeOf(createPythonProvider({ pypi: {}, roots: [], target: { environment: LINUX_311 }, installer: 'pip' }));
  const shallow = proto.prefetchShallow;
  try {
    const run = async () => {
      const { transport, stats, rounds: inRounds } = heldTransport();
      const clock = { now: () => Date.now(), sleep: () => Promise.resolve(), random: () => 0.5 };
      const client = new PypiClient(new RegistryHttp({ transport, clock, retries: 0, maxConcurrentPerHost: 16 }), [{ url: fake.indexUrl }]);
      const seed = ['fastapi==0.115.12', 'uvicorn==0.34.2', 'supabase==2.15.3', 'websockets==15.0.1'];
      const manifest = { path: 'requirements.txt', kind: 'requirements', options: [], problems: [], includes: [], dependencies: roots(seed).map((r) => r.dependency) };
      const target = { environment: LINUX_311, pythonVersion: '3.11', description: 'Python 3.11 on Linux' };
      const { value: result, rounds } = await inRounds(resolvePythonFindings([manifest], client, { target, installer: 'pip' }));
      const requests = stats.requests;
      return { rounds, requests, fixes: result.findings.map((f) => f.fixes.map((x) => x.title)) };
    };
    proto.prefetchShallow = undefined;
    const before = await run();
    proto.prefetchShallow = shallow;
    const after = await run();
    assert.deepEqual(after.fixes, before.fixes);
    assert.deepEqual(after.fixes[0], ['Change to supabase==2.25.1, the highest version the other requirements allow']);
    assert.equal(after.requests, before.requests);
    assert.ok(after.rounds < before.rounds, `rounds with shallow hints ${after.rounds}, without ${before.rounds}`);
  } finally {
    proto.prefetchShallow = shallow;
    await fake.close();
  }
});
