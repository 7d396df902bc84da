// Warming the registry ahead of the Python solver (core/python/resolve/warm.ts) and the solver's
// hints while it walks down a package's releases: which reads are made, how many at once, in how
// many rounds, and that warming records nothing a resolution reports. Reads are counted at an
// in-memory index that answers in rounds the test releases, so nothing here depends on time; the
// last test counts requests in flight at the fake PyPI over HTTP against the per-host limit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPythonProvider } from '../../dist/core/python/resolve/provider.js';
import { WARM_LIMIT } from '../../dist/core/python/resolve/warm.js';
import { solve } from '../../dist/core/pubgrub/solver.js';
import { LINUX_311, roots } from '../support/memoryPypi.mjs';
import { memoryProvider } from '../support/memoryProvider.mjs';
import { roundIndex } from '../support/roundIndex.mjs';
import { startFakePypi } from '../support/fakePypi.mjs';
import { fetchTransport } from '../support/fetchTransport.mjs';
import { RegistryHttp } from '../../dist/core/http/registryHttp.js';
import { PypiClient } from '../../dist/core/python/index/pypi.js';
import { resolvePythonFindings } from '../../dist/core/python/checks/resolutionFindings.js';

const provider = (source, lines) => createPythonProvider({ pypi: source, roots: roots(lines), target: { environment: LINUX_311 }, installer: 'pip' });

// app requires four packages, each of which requires one more: read a package at a time, the solver
// needs a round trip for each package's metadata and each child's page and metadata in turn.
const WIDE = {
  app: { '1.0': ['a>=1', 'b>=1', 'c>=1', 'd>=1'] },
  a: { '1.0': ['a1'] }, b: { '1.0': ['b1'] }, c: { '1.0': ['c1'] }, d: { '1.0': ['d1'] },
  a1: { '1.0': [] }, b1: { '1.0': [] }, c1: { '1.0': [] }, d1: { '1.0': [] },
};

test('a release\'s dependencies and their likely picks are read together, layer by layer, each once', async () => {
  const index = roundIndex(WIDE);
  const result = await index.drive(solve(provider(index.source, ['app'])));
  assert.equal(result.kind, 'solution');
  assert.deepEqual(Object.fromEntries(result.versions), { app: '1.0', a: '1.0', b: '1.0', c: '1.0', d: '1.0', a1: '1.0', b1: '1.0', c1: '1.0', d1: '1.0' });
  // app's page, app's metadata, then per layer the four pages and the four metadata files at once.
  assert.equal(index.stats.rounds, 6, `rounds: ${index.stats.rounds}`);
  assert.ok(index.stats.peak >= 4, `peak reads in flight: ${index.stats.peak}`);
  const { projects, metadata } = index.stats.calls;
  assert.deepEqual([...projects].sort(), Object.keys(WIDE).sort());
  assert.deepEqual([...metadata].sort(), Object.keys(WIDE).map((n) => `${n}==1.0`).sort());
});

test('the likely pick follows the requirement and the root pins: no metadata of a release nothing picks', async () => {
  const registry = {
    app: { '1.0': ['lib>=1'] },
    lib: { '1.0': [], '2.0': [], '3.0': [] },
  };
  const index = roundIndex(registry);
  const result = await index.drive(solve(provider(index.source, ['app', 'lib<3'])));
  await index.settle();
  assert.equal(result.versions.get('lib'), '2.0');
  assert.deepEqual([...index.stats.calls.metadata].sort(), ['app==1.0', 'lib==2.0']);
});

test('extras are warmed with their own dependencies', async () => {
  // a 2.0 is ruled out by c==1.0, so the solve never reads jwt[crypto]'s dependencies: only warming
  // does, and only by evaluating the extra's markers.
  const registry = {
    a: { '1.0': [], '2.0': ['c==2.0', 'jwt[crypto]>=1'] },
    c: { '1.0': [], '2.0': [] },
    jwt: { '1.0': ['cryptography; extra == "crypto"'] },
    cryptography: { '1.0': [] },
  };
  const index = roundIndex(registry);
  const p = provider(index.source, ['a', 'c==1.0']);
  const result = await index.drive(solve(p));
  await index.settle();
  assert.deepEqual(Object.fromEntries(result.versions), { a: '1.0', c: '1.0' });
  assert.deepEqual(index.stats.calls.metadata.filter((m) => m.startsWith('cryptography')), ['cryptography==1.0']);
  assert.equal(p.versionFacts('cryptography'), undefined);
});

test('warming records nothing a resolution reports: a package only warming reached has no facts', async () => {
  // a 2.0 is the likely pick, but c==1.0 rules it out; x (needed by a 2.0) and y (by x) are read
  // ahead, yet the solve only reaches x's versions, never y.
  const registry = {
    a: { '1.0': [], '2.0': ['c==2.0', 'x'] },
    c: { '1.0': [], '2.0': [] },
    x: { '1.0': ['y'] },
    y: { '1.0': [] },
  };
  const index = roundIndex(registry);
  const p = provider(index.source, ['a', 'c==1.0']);
  const result = await index.drive(solve(p));
  await index.settle();
  assert.deepEqual(Object.fromEntries(result.versions), { a: '1.0', c: '1.0' });
  assert.ok(index.stats.calls.projects.includes('y'), 'y was read ahead');
  assert.equal(p.versionFacts('y'), undefined);
  assert.deepEqual(p.notes(result), []);
});

test('a re-solve over the same registry view reads nothing again', async () => {
  const index = roundIndex(WIDE);
  const p = provider(index.source, ['app']);
  await index.drive(solve(p));
  await index.settle();
  const before = index.stats.calls.projects.length + index.stats.calls.metadata.length;
  const again = await index.drive(solve(p.withRoots(roots(['app', 'a==1.0']))));
  assert.equal(again.kind, 'solution');
  assert.equal(index.stats.calls.projects.length + index.stats.calls.metadata.length, before);
});

test('warming stops at its bound', async () => {
  // a 2.0 (ruled out by c==1.0) leads to a chain longer than the bound that no solve needs: warming
  // follows it, but reads no more than WARM_LIMIT releases.
  const n = WARM_LIMIT + 50;
  const registry = { a: { '1.0': [], '2.0': ['c==2.0', 'q0'] }, c: { '1.0': [], '2.0': [] } };
  for (let i = 0; i < n; i++) registry[`q${i}`] = { '1.0': i + 1 < n ? [`q${i + 1}`] : [] };
  const index = roundIndex(registry);
  const p = provider(index.source, ['a', 'c==1.0']);
  const result = await index.drive(solve(p));
  for (let k = 0; k < 20; k++) await index.settle();
  assert.deepEqual(Object.fromEntries(result.versions), { a: '1.0', c: '1.0' });
  const warmed = index.stats.calls.metadata.filter((m) => m.startsWith('q'));
  assert.ok(warmed.length > 100, `chain releases read ahead: ${warmed.length}`);
  assert.ok(index.stats.calls.metadata.length <= WARM_LIMIT, `releases read: ${index.stats.calls.metadata.length}`);
  assert.ok(!warmed.includes(`q${n - 1}==1.0`));
});

test('the solver walking down a package\'s releases hints the next ones, 2 then 4 ahead', async () => {
  // Every a k needs b==k, and only b 1 exists: the solver tries a 12, 11, ... down to 1.
  const registry = { a: {}, b: { '1': {} } };
  for (let k = 1; k <= 12; k++) registry.a[String(k)] = { b: `==${k}` };
  const p = memoryProvider(registry, { root: { a: '' } });
  const result = await solve(p);
  assert.equal(result.kind, 'solution');
  assert.equal(result.versions.get('a'), '1');
  const hints = p.calls.prefetch.filter(([pkg]) => pkg === 'a').map(([, ...versions]) => versions);
  // The first hint is the root edge's top candidate (prefetchTargets); the walk starts at the second try.
  assert.deepEqual(hints[0], ['12']);
  assert.deepEqual(hints.slice(1, 5), [['10', '9'], ['9', '8', '7', '6'], ['8', '7', '6', '5'], ['7', '6', '5', '4']]);
  // A package decided once (b) is never walked.
  assert.ok(!p.calls.prefetch.some(([pkg, ...versions]) => pkg === 'b' && versions.length > 1));
});

test('over HTTP at the fake PyPI, the seed\'s verdict and fixes read ahead within the per-host limit, each URL once', async () => {
  const fake = await startFakePypi({ projects: 'all' });
  try {
    let inFlight = 0;
    let peak = 0;
    const transport = async (request) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      try {
        return await fetchTransport(request);
      } finally {
        inFlight--;
      }
    };
    const limit = 4;
    const clock = { now: () => Date.now(), sleep: () => Promise.resolve(), random: () => 0.5 };
    const http = new RegistryHttp({ transport, clock, retries: 0, maxConcurrentPerHost: limit });
    const client = new PypiClient(http, [{ url: fake.indexUrl }]);
    const seed = ['fastapi==0.115.12', 'uvicorn==0.34.2', 'supabase==2.15.3', 'websockets==15.0.1'];
    const manifest = { path: 'requirements.txt', kind: 'requirements', options: [], problems: [], includes: [], dependencies: roots(seed).map((r) => r.dependency) };
    const target = { environment: LINUX_311, pythonVersion: '3.11', description: 'Python 3.11 on Linux' };
    const result = await resolvePythonFindings([manifest], client, { target, installer: 'pip' });
    assert.equal(result.result.kind, 'conflict');
    assert.deepEqual(result.findings.filter((f) => f.code === 'conflict').map((f) => f.fixes.map((x) => x.title)), [
      ['Change to supabase==2.25.1, the highest version the other requirements allow'],
      ['Change to websockets==14.2, the highest version the other requirements allow', 'Upgrade supabase to 2.16.0, which allows websockets 15.0.1'],
    ]);
    assert.ok(peak <= limit, `peak requests in flight ${peak}, limit ${limit}`);
    assert.equal(peak, limit, 'reads ahead fill the per-host limit');
    const paths = fake.requests.map((r) => r.path);
    assert.equal(new Set(paths).size, paths.length, 'no URL was requested twice');
  } finally {
    await fake.close();
  }
});
