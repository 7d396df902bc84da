// Registry faults below the CLI: a failure on one version's metadata is answered by the fallbacks
// (another version, the wheel itself) and is a verdict only when nothing else could have worked,
// in which case it is 'incomplete', never a conflict; RegistryHttp's deadline cuts each attempt
// and skips retries that cannot finish in time.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { RegistryHttp } from '../../dist/core/http/registryHttp.js';
import { RegistryError, TransportError } from '../../dist/core/http/types.js';
import { PypiClient } from '../../dist/core/python/index/pypi.js';
import { createPythonProvider } from '../../dist/core/python/resolve/provider.js';
import { resolvePython } from '../../dist/core/python/resolve/resolvePython.js';
import { startFakePypi } from '../support/fakePypi.mjs';
import { fetchTransport } from '../support/fetchTransport.mjs';
import { LINUX_311, memoryPypi, roots } from '../support/memoryPypi.mjs';

function fakeClock() {
  const clock = { t: 1_000_000, slept: [], now: () => clock.t, sleep: async (ms) => void clock.slept.push(ms), random: () => 0 };
  return clock;
}

async function resolveWith(fake, lines) {
  const http = new RegistryHttp({ transport: fetchTransport, clock: fakeClock(), retries: 0 });
  const pypi = new PypiClient(http, [{ url: fake.indexUrl }]);
  const provider = createPythonProvider({ pypi, roots: roots(lines), target: { environment: LINUX_311, pythonVersion: '3.11' }, installer: 'pip' });
  const { result, provider: used } = await resolvePython(provider);
  return { result, notes: used.notes(result.kind === 'solution' ? result : undefined), fake };
}

const REALTIME_24 = 'realtime>=2.4.0,<2.5.0';
// Every route to realtime 2.4.3's metadata: the PEP 658 file, the wheel, the JSON API entry.
const ONE_VERSION = /^\/(files\/realtime\/realtime-2\.4\.3-|pypi\/realtime\/2\.4\.3\/)/;

describe("one version's metadata fails", () => {
  let fake;
  before(async () => {
    fake = await startFakePypi({ projects: 'all' });
  });
  after(() => fake.close());

  test('an HTTP 500 on every route to it: the next version is used, with a note', async () => {
    fake.setFaults({ status500: { path: ONE_VERSION } });
    const { result, notes } = await resolveWith(fake, [REALTIME_24]);
    assert.equal(result.kind, 'solution');
    assert.equal(result.versions.get('realtime'), '2.4.2');
    assert.deepEqual(notes.filter((n) => n.kind === 'metadata-error').map((n) => [n.package, n.version]), [['realtime', '2.4.3']]);
    assert.match(notes.find((n) => n.kind === 'metadata-error').message, /answered HTTP 500/);
  });

  test('a broken metadata file: the next version is used', async () => {
    fake.setFaults({ garbage: { path: /^\/files\/realtime\/realtime-2\.4\.3-.*\.metadata$/ } });
    const { result } = await resolveWith(fake, [REALTIME_24]);
    assert.equal(result.versions.get('realtime'), '2.4.2');
  });

  test('no metadata file at all: the wheel itself is read, and the newest version stands', async () => {
    fake.setFaults({ notFound: { names: ['realtime'], path: /\.metadata$/ } });
    fake.requests.length = 0;
    const { result } = await resolveWith(fake, [REALTIME_24]);
    assert.equal(result.versions.get('realtime'), '2.4.3');
    assert.ok(fake.requests.some((r) => /^\/files\/realtime\/realtime-2\.4\.3-py3-none-any\.whl$/.test(r.path) && /^bytes=/.test(r.headers.range ?? '')), 'read by range requests');
  });

  test('the only version a pin allows: incomplete, naming the version and the chain, never a conflict', async () => {
    fake.setFaults({ status500: { path: ONE_VERSION } });
    const { result } = await resolveWith(fake, ['realtime==2.4.3']);
    assert.equal(result.kind, 'incomplete');
    assert.equal(result.package, 'realtime');
    assert.equal(result.version, '2.4.3');
    assert.match(result.reason, /^its metadata could not be read: .*answered HTTP 500/);
    assert.deepEqual(result.chain, [{ package: 'realtime', version: '2.4.3', specifier: '==2.4.3', origin: { path: 'requirements.txt', index: 0 } }]);
  });

  test('a transitive project the index lacks: incomplete and unknown, with the chain from the root', async () => {
    fake.setFaults({ notFound: ['realtime'] });
    const { result } = await resolveWith(fake, ['supabase==2.15.3']);
    assert.equal(result.kind, 'incomplete');
    assert.equal(result.unknownPackage, true);
    assert.deepEqual(result.chain.map((l) => [l.package, l.version]), [['supabase', '2.15.3'], ['realtime', undefined]]);
  });
});

test('every project of one batch that could not be read is named, with the chain to their requirer', async () => {
  const registry = { app: { '1.0': ['a', 'b', 'c'] }, a: { '1.0': [] }, b: { '1.0': [] }, c: { '1.0': [] } };
  const pypi = memoryPypi(registry, { fail: { a: true, c: true } });
  const provider = createPythonProvider({ pypi, roots: roots(['app']), target: { environment: LINUX_311 }, installer: 'pip' });
  const { result } = await resolvePython(provider);
  assert.equal(result.kind, 'incomplete');
  assert.deepEqual([result.package, result.reason], ['a', 'memory index is down for a']);
  assert.deepEqual(result.also, [{ package: 'c', reason: 'memory index is down for c' }]);
  assert.deepEqual(result.chain.map((l) => [l.package, l.version, l.specifier]), [['app', '1.0', ''], ['a', undefined, '']]);
});

describe('RegistryHttp deadline', () => {
  const url = 'https://registry.test/simple/x/';

  test('each attempt gets at most the time left, 15 s without a deadline', async () => {
    const seen = [];
    const transport = async (request) => (seen.push(request.totalTimeoutMs), { status: 200, headers: {}, body: new Uint8Array() });
    const clock = fakeClock();
    const http = new RegistryHttp({ transport, clock });
    await http.fetch(url, { cache: 'none' });
    await http.fetch(url, { cache: 'none', deadline: clock.t + 4_000 });
    assert.deepEqual(seen, [15_000, 4_000]);
  });

  test('a Retry-After past the deadline is not waited for: the registry answer is the error', async () => {
    let calls = 0;
    const transport = async () => (calls++, { status: 503, headers: { 'retry-after': '30' }, body: new Uint8Array() });
    const clock = fakeClock();
    const http = new RegistryHttp({ transport, clock });
    await assert.rejects(http.fetch(url, { cache: 'none', deadline: clock.t + 10_000 }), (e) => e instanceof RegistryError && e.kind === 'http' && /answered HTTP 503 once/.test(e.message));
    assert.deepEqual([calls, clock.slept], [1, []]);
  });

  test('an attempt the deadline cut short, or none left to make, is a deadline error', async () => {
    const clock = fakeClock();
    const slow = new RegistryHttp({ transport: async () => Promise.reject(new TransportError('timeout', 'no answer')), clock });
    await assert.rejects(slow.fetch(url, { cache: 'none', deadline: clock.t + 2_000 }), (e) => e.kind === 'deadline' && /did not answer before the check's time limit/.test(e.message));
    let calls = 0;
    const late = new RegistryHttp({ transport: async () => (calls++, { status: 200, headers: {}, body: new Uint8Array() }), clock });
    await assert.rejects(late.fetch(url, { cache: 'none', deadline: clock.t }), (e) => e.kind === 'deadline');
    assert.equal(calls, 0);
  });
});
