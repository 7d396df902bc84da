// Reads a solve awaits go before reads ahead at the per-host limit (FetchOptions.priority, HostLimiter,
// RegistryView's `ahead`), and the CLI's write-behind disk cache (RegistryHttpOptions.writeBehind,
// flush). The transport answers only when the test says, so the order of requests is what is asserted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HostLimiter } from '../../dist/core/http/httpSupport.js';
import { RegistryHttp } from '../../dist/core/http/registryHttp.js';
import { RegistryView } from '../../dist/core/python/resolve/registryView.js';

const encode = (text) => new TextEncoder().encode(text);
const tick = async (n = 5) => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
};
const clock = { now: () => Date.now(), sleep: () => Promise.resolve(), random: () => 0.5 };

/** A transport that holds each request until answer() is called; `sent` lists the paths in the order they reached it. */
function heldTransport() {
  const waiting = [];
  const sent = [];
  const transport = (request) =>
    new Promise((resolve) => {
      sent.push(new URL(request.url).pathname);
      waiting.push(() => resolve({ status: 200, headers: {}, body: encode(request.url) }));
    });
  return {
    transport,
    sent,
    /** Answers the oldest request still held. */
    async answerOne() {
      await tick();
      waiting.shift()?.();
      await tick();
    },
  };
}

test('HostLimiter: a queued urgent waiter takes the freed slot before earlier waiters that are not; urgency is read when the slot frees', async () => {
  const limiter = new HostLimiter(1);
  const signal = new AbortController().signal;
  const order = [];
  await limiter.acquire('h', signal);
  const ahead = { urgent: false };
  const waits = [
    limiter.acquire('h', signal, () => false).then(() => order.push('ahead 1')),
    limiter.acquire('h', signal, () => ahead.urgent).then(() => order.push('ahead 2, then needed')),
    limiter.acquire('h', signal, () => false).then(() => order.push('ahead 3')),
    limiter.acquire('h', signal).then(() => order.push('needed')),
  ];
  ahead.urgent = true;
  for (let i = 0; i < 4; i++) {
    limiter.release('h');
    await tick();
  }
  await Promise.all(waits);
  assert.deepEqual(order, ['ahead 2, then needed', 'needed', 'ahead 1', 'ahead 3']);
  limiter.release('h');
});

test('RegistryHttp: at the per-host limit a fetch without a priority goes before queued reads ahead; one that joins a read ahead makes it urgent', async () => {
  const held = heldTransport();
  const http = new RegistryHttp({ transport: held.transport, clock, retries: 0, maxConcurrentPerHost: 1 });
  const base = 'http://127.0.0.1:9/';
  const fetches = [
    http.fetch(`${base}first`, { cache: 'immutable' }),
    http.fetch(`${base}ahead-a`, { cache: 'immutable', priority: { urgent: false } }),
    http.fetch(`${base}ahead-b`, { cache: 'immutable', priority: { urgent: false } }),
    http.fetch(`${base}ahead-c`, { cache: 'immutable', priority: { urgent: false } }),
    http.fetch(`${base}needed`, { cache: 'immutable' }),
  ];
  await tick();
  // A caller now awaits ahead-c: the flight they share is urgent.
  fetches.push(http.fetch(`${base}ahead-c`, { cache: 'immutable' }));
  for (let i = 0; i < 5; i++) await held.answerOne();
  await Promise.all(fetches);
  assert.deepEqual(held.sent, ['/first', '/ahead-c', '/needed', '/ahead-a', '/ahead-b']);
  assert.equal(http.stats.coalesced, 1);
});

test('RegistryHttp without a limit to wait at: priorities change nothing, every read goes at once', async () => {
  const held = heldTransport();
  const http = new RegistryHttp({ transport: held.transport, clock, retries: 0, maxConcurrentPerHost: 16 });
  const fetches = ['a', 'b', 'c'].map((p, i) => http.fetch(`http://127.0.0.1:9/${p}`, { cache: 'immutable', ...(i < 2 ? { priority: { urgent: false } } : {}) }));
  await tick();
  assert.deepEqual(held.sent, ['/a', '/b', '/c']);
  for (let i = 0; i < 3; i++) await held.answerOne();
  await Promise.all(fetches);
});

test('RegistryView: a read ahead is not urgent until a solve asks for the same project or release', async () => {
  const seen = [];
  const project = { name: 'a', normalized: 'a', versions: new Map([['1.0', { files: [] }]]), index: 'memory', stale: false, errors: [] };
  const source = {
    async getProject(name, signal, deadline, priority) {
      seen.push(['project', name, priority]);
      return project;
    },
    async getMetadata(p, version, signal, deadline, priority) {
      seen.push(['metadata', `${p.normalized}==${version}`, priority]);
      return { kind: 'unknown', reason: 'test' };
    },
  };
  const view = new RegistryView(source);
  const ahead = view.project('a', undefined, true);
  assert.equal(seen[0][2].urgent, false);
  const needed = view.project('a');
  assert.equal(needed, ahead, 'one read, shared');
  assert.equal(seen[0][2].urgent, true, 'the solve asked: urgent');
  await ahead;
  view.metadataOf(project, '1.0', undefined, true);
  assert.equal(seen[1][2].urgent, false);
  await view.metadataOf(project, '1.0');
  assert.equal(seen[1][2].urgent, true);
  view.project('b');
  assert.equal(seen[2][2].urgent, true, 'a solve\'s own read is urgent from the start');
  assert.equal(seen.length, 3);
});

/** A store whose writes wait until the test lets them finish. */
function gatedStore() {
  const files = new Map();
  const gates = [];
  return {
    files,
    gates,
    async get(key) {
      return files.get(key);
    },
    put(key, data) {
      return new Promise((resolve) => gates.push(() => (files.set(key, new Uint8Array(data)), resolve())));
    },
    async delete(key) {
      files.delete(key);
    },
    async list() {
      return [...files].map(([key, data]) => ({ key, size: data.length, mtimeMs: 1 }));
    },
  };
}

test('writeBehind: a fetch answers before its disk write ends, later fetches hit memory, flush() waits for the store', async () => {
  const store = gatedStore();
  let calls = 0;
  const transport = async () => (calls++, { status: 200, headers: {}, body: encode('page') });
  const http = new RegistryHttp({ transport, clock, retries: 0, store, writeBehind: true });
  const url = 'http://127.0.0.1:9/p';
  const first = await http.fetch(url, { cache: 'immutable' });
  assert.equal(first.fromCache, false);
  assert.equal(store.files.size, 0, 'the write is still held');
  assert.equal((await http.fetch(url, { cache: 'immutable' })).fromCache, true, 'served from memory meanwhile');
  let flushed = false;
  const flushing = http.flush().then(() => (flushed = true));
  await tick();
  assert.equal(flushed, false, 'flush waits for the held write');
  while (store.gates.length > 0) store.gates.shift()();
  await flushing;
  assert.equal(store.files.size, 1);
  const restarted = new RegistryHttp({ transport: () => assert.fail('should come from the store'), clock, store });
  assert.equal((await restarted.fetch(url, { cache: 'immutable' })).fromCache, true);
  assert.equal(calls, 1);
});

test('without writeBehind a fetch answers once the store has the entry (the language server\'s default)', async () => {
  const store = gatedStore();
  const http = new RegistryHttp({ transport: async () => ({ status: 200, headers: {}, body: encode('page') }), clock, retries: 0, store });
  let answered = false;
  const fetching = http.fetch('http://127.0.0.1:9/p', { cache: 'immutable' }).then(() => (answered = true));
  for (let i = 0; i < 20 && store.gates.length === 0; i++) await tick();
  assert.equal(answered, false);
  store.gates.shift()();
  await fetching;
  assert.equal(store.files.size, 1);
});
