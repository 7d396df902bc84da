// RegistryHttp with a fake transport, a fake clock (sleeps resolve only when the test advances time)
// and an in-memory store: concurrency, coalescing, retries, 429, redirects and credentials, the
// cache (ttl, revalidation, immutable, stale, offline, corruption, restart, eviction) and cancellation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RegistryHttp, registryOf } from '../../dist/core/http/registryHttp.js';
import { encodeEntry, decodeEntry, crc32, MemoryLru } from '../../dist/core/http/cache.js';
import { proxyFor, proxySettingsFromEnv } from '../../dist/core/http/proxy.js';
import { RegistryError, TransportError } from '../../dist/core/http/types.js';

const unhandled = [];
process.on('unhandledRejection', (reason) => unhandled.push(reason));

const encode = (text) => new TextEncoder().encode(text);
const decode = (bytes) => new TextDecoder().decode(bytes);
const tick = () => new Promise((resolve) => setImmediate(resolve));

/** A clock whose sleeps resolve only when advance() passes their due time. */
class FakeClock {
  t = Date.UTC(2025, 0, 1);
  pending = [];
  sleeps = [];
  randoms = [];
  now() {
    return this.t;
  }
  random() {
    return this.randoms.length > 0 ? this.randoms.shift() : 0.5;
  }
  sleep(ms, signal) {
    this.sleeps.push(ms);
    return new Promise((resolve, reject) => {
      const entry = { due: this.t + ms, resolve };
      if (signal) {
        const onAbort = () => {
          this.pending = this.pending.filter((p) => p !== entry);
          reject(signal.reason);
        };
        if (signal.aborted) return onAbort();
        signal.addEventListener('abort', onAbort, { once: true });
        entry.resolve = () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        };
      }
      this.pending.push(entry);
    });
  }
  advance(ms) {
    this.t += ms;
    const due = this.pending.filter((p) => p.due <= this.t);
    this.pending = this.pending.filter((p) => p.due > this.t);
    for (const p of due) p.resolve();
  }
}

/** Awaits a promise, advancing fake time to the next sleep whenever the code under test is idle. */
async function drive(clock, promise) {
  let settled = false;
  const watched = promise.then(
    (value) => ((settled = true), { value }),
    (error) => ((settled = true), { error }),
  );
  for (let i = 0; i < 10_000 && !settled; i++) {
    await tick();
    if (!settled && clock.pending.length > 0) clock.advance(Math.min(...clock.pending.map((p) => p.due)) - clock.t);
  }
  assert.ok(settled, 'the fetch neither settled nor slept');
  const outcome = await watched;
  if ('error' in outcome) throw outcome.error;
  return outcome.value;
}

/** A transport answering from a handler; records every request. */
function fakeTransport(handler) {
  const transport = async (request) => {
    transport.calls.push(request);
    return handler(request, transport.calls.length);
  };
  transport.calls = [];
  return transport;
}

const ok = (body = 'hello', headers = {}) => ({ status: 200, headers, body: encode(body) });

/** A CacheStore over a Map with a logical write counter for mtimes. */
function memoryStore() {
  const files = new Map();
  let writes = 0;
  return {
    files,
    deletes: 0,
    async get(key) {
      return files.get(key)?.data;
    },
    async put(key, data) {
      files.set(key, { data: new Uint8Array(data), mtimeMs: ++writes });
    },
    async delete(key) {
      this.deletes++;
      files.delete(key);
    },
    async list() {
      return [...files].map(([key, f]) => ({ key, size: f.data.length, mtimeMs: f.mtimeMs }));
    },
    total() {
      return [...files.values()].reduce((n, f) => n + f.data.length, 0);
    },
  };
}

function client(transport, extra = {}) {
  const clock = extra.clock ?? new FakeClock();
  const http = new RegistryHttp({ transport, clock, ...extra });
  return { http, clock };
}

const URL_A = 'https://pypi.example/simple/requests/';

test('per-host concurrency cap is observed and hosts do not share slots', async () => {
  const release = [];
  let inFlight = new Map();
  const peak = new Map();
  const transport = fakeTransport(async (request) => {
    const host = new URL(request.url).host;
    inFlight.set(host, (inFlight.get(host) ?? 0) + 1);
    peak.set(host, Math.max(peak.get(host) ?? 0, inFlight.get(host)));
    await new Promise((resolve) => release.push(resolve));
    inFlight.set(host, inFlight.get(host) - 1);
    return ok(request.url);
  });
  const { http } = client(transport, { maxConcurrentPerHost: 3 });
  const urls = [
    ...Array.from({ length: 10 }, (_, i) => `https://a.example/simple/p${i}/`),
    ...Array.from({ length: 5 }, (_, i) => `https://b.example/simple/p${i}/`),
  ];
  const all = Promise.all(urls.map((u) => http.fetch(u, { cache: 'none' })));
  for (let i = 0; i < 200 && transport.calls.length < urls.length; i++) {
    await tick();
    release.splice(0).forEach((r) => r());
  }
  const results = await all;
  assert.deepEqual(results.map((r) => decode(r.body)), urls);
  assert.equal(peak.get('a.example'), 3);
  assert.equal(peak.get('b.example'), 3);
  assert.equal(http.peakConcurrency('a.example'), 3);
  assert.equal(http.stats.requests, 15);
});

test('concurrent fetches of one URL share one request; different Accept does not', async () => {
  let release;
  const gate = new Promise((resolve) => (release = resolve));
  const transport = fakeTransport(async (request) => {
    await gate;
    return ok(`body for ${request.headers.accept}`);
  });
  const { http } = client(transport);
  const same = Array.from({ length: 10 }, () => http.fetch(URL_A, { cache: 'ttl', accept: 'application/vnd.pypi.simple.v1+json' }));
  const other = http.fetch(URL_A, { cache: 'ttl', accept: 'text/html' });
  await tick();
  release();
  const results = await Promise.all(same);
  assert.equal(transport.calls.length, 2);
  assert.equal(http.stats.coalesced, 9);
  for (const r of results) assert.equal(decode(r.body), 'body for application/vnd.pypi.simple.v1+json');
  results[0].headers.mutated = 'yes';
  assert.equal(results[1].headers.mutated, undefined, 'each caller gets its own headers object');
  assert.equal(decode((await other).body), 'body for text/html');
});

for (const failure of [500, 502, 503, 'reset', 'timeout']) {
  test(`retries on ${failure} with full-jitter exponential backoff`, async () => {
    const transport = fakeTransport((request, n) => {
      if (n <= 3) {
        if (typeof failure === 'number') return { status: failure, headers: {}, body: encode('busy') };
        throw new TransportError(failure, 'simulated');
      }
      return ok('finally');
    });
    const { http, clock } = client(transport, { retryBaseDelayMs: 100, retryMaxDelayMs: 300 });
    clock.randoms = [0.999, 0.5, 0];
    const result = await drive(clock, http.fetch(URL_A, { cache: 'none' }));
    assert.equal(decode(result.body), 'finally');
    assert.equal(transport.calls.length, 4);
    assert.equal(http.stats.retries, 3);
    // attempt n waits floor(random * min(cap, base * 2^n)): bounds 100, 200, then 400 capped to 300.
    assert.deepEqual(clock.sleeps, [Math.floor(0.999 * 100), Math.floor(0.5 * 200), 0]);
    const bounds = [100, 200, 300];
    clock.sleeps.forEach((ms, i) => assert.ok(ms >= 0 && ms < bounds[i], `delay ${ms} within [0, ${bounds[i]})`));
    assert.equal(clock.pending.length, 0, 'no sleep left pending');
  });
}

test('429 honours Retry-After in seconds, as an HTTP date, and caps it at 60 s', async () => {
  const cases = [
    { header: '2', expected: 2000 },
    { header: (clock) => new Date(clock.t + 5000).toUTCString(), expected: 5000 },
    { header: (clock) => new Date(clock.t - 5000).toUTCString(), expected: 0 },
    { header: '600', expected: 60_000 },
  ];
  for (const { header, expected } of cases) {
    const clock = new FakeClock();
    const value = typeof header === 'function' ? header(clock) : header;
    const transport = fakeTransport((_r, n) => (n === 1 ? { status: 429, headers: { 'Retry-After': value }, body: encode('') } : ok()));
    const { http } = client(transport, { clock });
    const result = await drive(clock, http.fetch(URL_A, { cache: 'none' }));
    assert.equal(result.status, 200);
    assert.deepEqual(clock.sleeps, [expected], `Retry-After: ${value}`);
  }
});

test('giving up: http error for 5xx, unreachable for resets, no retry for refused; no credentials in messages', async () => {
  const secretUrl = 'https://alice:s3cret@pypi.example/simple/requests/';
  const always503 = fakeTransport(() => ({ status: 503, headers: {}, body: encode('') }));
  let { http, clock } = client(always503, { retries: 2 });
  let error = await drive(clock, http.fetch(secretUrl, { cache: 'none' })).catch((e) => e);
  assert.ok(error instanceof RegistryError);
  assert.equal(error.kind, 'http');
  assert.equal(error.status, 503);
  assert.equal(error.registry, 'https://pypi.example/simple');
  assert.match(error.message, /https:\/\/pypi\.example\/simple/);
  assert.equal(always503.calls.length, 3);

  const resets = fakeTransport(() => {
    throw new TransportError('reset', 'socket hang up for https://alice:s3cret@pypi.example');
  });
  ({ http, clock } = client(resets));
  error = await drive(clock, http.fetch(secretUrl, { cache: 'none' })).catch((e) => e);
  assert.equal(error.kind, 'unreachable');
  assert.equal(resets.calls.length, 4);
  assert.match(error.message, /after 4 attempts/);
  for (const text of [error.message, error.registry]) {
    assert.ok(!text.includes('s3cret') && !text.includes('alice'), text);
  }
  assert.ok(error.cause instanceof TransportError, 'the transport error is kept as cause');

  const refused = fakeTransport(() => {
    throw new TransportError('refused', 'ECONNREFUSED');
  });
  ({ http, clock } = client(refused));
  error = await drive(clock, http.fetch(URL_A, { cache: 'none' })).catch((e) => e);
  assert.equal(error.kind, 'unreachable');
  assert.equal(refused.calls.length, 1, 'refused is not retried');
  assert.equal(clock.sleeps.length, 0);
});

test('404, 401 and 403 are returned, not thrown; 401 and 403 are never cached', async () => {
  for (const status of [404, 401, 403]) {
    const transport = fakeTransport(() => ({ status, headers: {}, body: encode('nope') }));
    const { http } = client(transport);
    const first = await http.fetch(URL_A, { cache: 'none' });
    assert.equal(first.status, status);
    assert.equal(first.fromCache, false);
    if (status === 404) continue;
    await http.fetch(URL_A, { cache: 'ttl' });
    await http.fetch(URL_A, { cache: 'ttl' });
    assert.equal(transport.calls.length, 3, `${status} is fetched again`);
  }
});

test('a 404 or 410 page is remembered for the TTL like a page (never as immutable), and answers offline', async () => {
  for (const status of [404, 410]) {
    const store = memoryStore();
    const clock = new FakeClock();
    const transport = fakeTransport(() => ({ status, headers: {}, body: encode('not here') }));
    const { http } = client(transport, { store, clock, ttlMs: 1000 });
    assert.equal((await http.fetch(URL_A, { cache: 'ttl' })).status, status);
    const again = await http.fetch(URL_A, { cache: 'ttl' });
    assert.deepEqual([again.status, again.fromCache, transport.calls.length], [status, true, 1]);
    clock.advance(2000);
    assert.equal((await http.fetch(URL_A, { cache: 'ttl' })).fromCache, false, 'asked again once the TTL has passed');
    assert.equal(transport.calls.length, 2);
    // Files and metadata are immutable once they exist: a missing one is asked again.
    await http.fetch('https://pypi.example/files/a.whl.metadata', { cache: 'immutable' });
    await http.fetch('https://pypi.example/files/a.whl.metadata', { cache: 'immutable' });
    assert.equal(transport.calls.length, 4);
    const offline = fakeTransport(() => assert.fail('offline mode must not use the transport'));
    clock.advance(5000);
    const remembered = await new RegistryHttp({ transport: offline, clock, store, offline: true, ttlMs: 1000 }).fetch(URL_A, { cache: 'ttl' });
    assert.deepEqual([remembered.status, remembered.fromCache, remembered.stale], [status, true, true]);
  }
});

test('redirects: Authorization recomputed per hop and dropped for another host; max 5 hops', async () => {
  const transport = fakeTransport((request) => {
    const url = new URL(request.url);
    if (url.pathname === '/simple/x/') return { status: 301, headers: { location: '/simple/x/v2/' }, body: encode('') };
    if (url.pathname === '/simple/x/v2/') return { status: 302, headers: { Location: 'https://cdn.example/files/x' }, body: encode('') };
    return ok('from cdn');
  });
  const { http } = client(transport, { authorization: (url) => (url.host === 'pypi.example' ? 'Bearer tok' : undefined) });
  const result = await http.fetch('https://pypi.example/simple/x/', { cache: 'ttl', headers: { Cookie: 'session=1', Authorization: 'Bearer from-caller' } });
  assert.equal(result.url, 'https://cdn.example/files/x');
  assert.equal(decode(result.body), 'from cdn');
  const auths = transport.calls.map((c) => c.headers.authorization);
  assert.deepEqual(auths, ['Bearer tok', 'Bearer tok', undefined]);
  assert.equal(transport.calls[2].headers.cookie, undefined, 'caller cookies and credentials stay with the first origin');

  const loop = fakeTransport((_r, n) => ({ status: 302, headers: { location: `/hop/${n}` }, body: encode('') }));
  const error = await client(loop).http.fetch(URL_A, { cache: 'none' }).catch((e) => e);
  assert.equal(error.kind, 'http');
  assert.equal(loop.calls.length, 6, 'the original request plus 5 redirects');

  const toFile = fakeTransport(() => ({ status: 302, headers: { location: 'file:///etc/passwd' }, body: encode('') }));
  assert.equal((await client(toFile).http.fetch(URL_A, { cache: 'none' }).catch((e) => e)).kind, 'http');
});

test('URL userinfo is stripped and sent as Basic to its own origin only', async () => {
  const transport = fakeTransport((request) => {
    const url = new URL(request.url);
    if (url.host === 'private.example' && url.pathname === '/simple/x/') return { status: 302, headers: { location: 'https://other.example/y' }, body: encode('') };
    if (url.host === 'other.example') return { status: 302, headers: { location: 'https://private.example/simple/z/' }, body: encode('') };
    return ok('z');
  });
  const { http } = client(transport, { authorization: () => 'Bearer should-not-win' });
  await http.fetch('https://alice:p%40ss%C3%A9@private.example/simple/x/', { cache: 'none' });
  for (const call of transport.calls) assert.ok(!call.url.includes('alice') && !call.url.includes('@'), call.url);
  const basic = 'Basic ' + Buffer.from('alice:p@ssé', 'utf8').toString('base64');
  assert.deepEqual(
    transport.calls.map((c) => [new URL(c.url).host, c.headers.authorization]),
    [
      ['private.example', basic],
      ['other.example', 'Bearer should-not-win'],
      ['private.example', basic],
    ],
  );
});

test('too large: from the transport, and a transport that ignores maxBytes', async () => {
  const throwing = fakeTransport((request) => {
    assert.equal(request.maxBytes, 1000);
    throw new TransportError('too-large', 'over');
  });
  let error = await client(throwing).http.fetch(URL_A, { cache: 'ttl', maxBytes: 1000 }).catch((e) => e);
  assert.equal(error.kind, 'too-large');
  assert.equal(throwing.calls.length, 1, 'not retried');
  const ignoring = fakeTransport(() => ok('x'.repeat(2000)));
  error = await client(ignoring, { maxBytes: 1000 }).http.fetch(URL_A, { cache: 'ttl' }).catch((e) => e);
  assert.equal(error.kind, 'too-large');
});

test('abort: a cancelled caller rejects, coalesced callers still get the result, last one out cancels', async () => {
  let release;
  const seen = [];
  const transport = fakeTransport(async (request) => {
    seen.push(request.signal);
    await new Promise((resolve) => (release = resolve));
    return ok('shared');
  });
  const { http } = client(transport);
  const a = new AbortController();
  const first = http.fetch(URL_A, { cache: 'ttl', signal: a.signal });
  const second = http.fetch(URL_A, { cache: 'ttl' });
  await tick();
  a.abort();
  const error = await first.catch((e) => e);
  assert.equal(error.kind, 'aborted');
  assert.equal(seen[0].aborted, false, 'the shared request goes on for the other caller');
  release();
  assert.equal(decode((await second).body), 'shared');
  assert.equal(transport.calls.length, 1);

  // Alone: aborting cancels the transport call, and a later fetch starts afresh.
  const b = new AbortController();
  const lone = http.fetch('https://pypi.example/simple/other/', { cache: 'ttl', signal: b.signal });
  await tick();
  b.abort();
  assert.equal((await lone.catch((e) => e)).kind, 'aborted');
  assert.equal(seen[1].aborted, true);
  const again = http.fetch('https://pypi.example/simple/other/', { cache: 'ttl' });
  await tick();
  release();
  assert.equal(decode((await again).body), 'shared');

  // Already aborted: rejected before any request.
  const calls = transport.calls.length;
  assert.equal((await http.fetch(URL_A + 'z', { cache: 'none', signal: AbortSignal.abort() }).catch((e) => e)).kind, 'aborted');
  assert.equal(transport.calls.length, calls);
});

test('abort during a backoff sleep rejects at once and leaves no sleep pending', async () => {
  const transport = fakeTransport(() => ({ status: 503, headers: {}, body: encode('') }));
  const { http, clock } = client(transport);
  const controller = new AbortController();
  const pending = http.fetch(URL_A, { cache: 'none', signal: controller.signal });
  for (let i = 0; i < 10 && clock.pending.length === 0; i++) await tick();
  assert.equal(clock.pending.length, 1);
  controller.abort();
  assert.equal((await pending.catch((e) => e)).kind, 'aborted');
  await tick();
  assert.equal(clock.pending.length, 0);
  assert.equal(transport.calls.length, 1);
});

test('ttl: fresh hits make no request; expiry revalidates with validators; 304 refreshes', async () => {
  const transport = fakeTransport((request, n) => {
    if (n === 1) return ok('v1 body', { ETag: '"v1"', 'Last-Modified': 'Wed, 01 Jan 2025 00:00:00 GMT', 'Set-Cookie': 'x=1' });
    assert.equal(request.headers['if-none-match'], '"v1"');
    assert.equal(request.headers['if-modified-since'], 'Wed, 01 Jan 2025 00:00:00 GMT');
    return { status: 304, headers: { etag: '"v1"' }, body: new Uint8Array() };
  });
  const store = memoryStore();
  const { http, clock } = client(transport, { store, ttlMs: 60_000 });
  const first = await http.fetch(URL_A, { cache: 'ttl' });
  assert.equal(first.fromCache, false);
  clock.advance(59_999);
  const hit = await http.fetch(URL_A, { cache: 'ttl' });
  assert.deepEqual([hit.fromCache, hit.stale, decode(hit.body), transport.calls.length], [true, false, 'v1 body', 1]);
  assert.equal(http.stats.cacheHits, 1);
  clock.advance(1);
  const revalidated = await http.fetch(URL_A, { cache: 'ttl' });
  assert.deepEqual([revalidated.status, revalidated.fromCache, decode(revalidated.body)], [200, true, 'v1 body']);
  assert.equal(http.stats.revalidated, 1);
  assert.equal(revalidated.headers['set-cookie'], undefined, 'cookies are never cached');
  clock.advance(30_000);
  await http.fetch(URL_A, { cache: 'ttl' });
  assert.equal(transport.calls.length, 2, 'the 304 restarted the ttl');
  // A restarted client sees the refreshed timestamp from the store too.
  const restarted = new RegistryHttp({ transport, clock, store, ttlMs: 60_000 });
  assert.equal((await restarted.fetch(URL_A, { cache: 'ttl' })).fromCache, true);
  assert.equal(transport.calls.length, 2);
});

test('immutable entries are never revalidated; none is never cached', async () => {
  const transport = fakeTransport(() => ok('wheel bytes'));
  const { http, clock } = client(transport);
  await http.fetch(URL_A + 'x.whl', { cache: 'immutable' });
  clock.advance(365 * 24 * 3600_000);
  const again = await http.fetch(URL_A + 'x.whl', { cache: 'immutable' });
  assert.equal(again.fromCache, true);
  assert.equal(transport.calls.length, 1);
  await http.fetch(URL_A + 'y', { cache: 'none' });
  await http.fetch(URL_A + 'y', { cache: 'none' });
  assert.equal(transport.calls.length, 3);
});

test('invalidate drops a cached answer from memory and the store, so the next fetch asks again', async () => {
  let n = 0;
  const transport = fakeTransport(() => ok(`body ${++n}`));
  const store = memoryStore();
  const { http } = client(transport, { store });
  const accept = 'application/json';
  assert.equal(decode((await http.fetch(URL_A + 'm', { cache: 'immutable', accept })).body), 'body 1');
  await http.invalidate(URL_A + 'm', { accept });
  const again = await http.fetch(URL_A + 'm', { cache: 'immutable', accept });
  assert.equal(again.fromCache, false);
  assert.equal(decode(again.body), 'body 2');
  const restarted = client(transport, { store }).http;
  assert.equal(decode((await restarted.fetch(URL_A + 'm', { cache: 'immutable', accept })).body), 'body 2', 'the store holds the new body');
  assert.equal(transport.calls.length, 2);
});

test('range requests are keyed by range and never stand in for the full body', async () => {
  const transport = fakeTransport((request) =>
    request.headers.range ? { status: 206, headers: { 'content-range': 'bytes 0-3/10' }, body: encode('0123') } : ok('0123456789'),
  );
  const { http } = client(transport);
  const part = await http.fetch(URL_A + 'f.whl', { cache: 'immutable', range: { start: 0, end: 3 } });
  assert.equal(transport.calls[0].headers.range, 'bytes=0-3');
  assert.equal(part.status, 206);
  const full = await http.fetch(URL_A + 'f.whl', { cache: 'immutable' });
  assert.equal(decode(full.body), '0123456789');
  const tail = await http.fetch(URL_A + 'f.whl', { cache: 'immutable', range: { suffix: 4 } });
  assert.equal(transport.calls[2].headers.range, 'bytes=-4');
  assert.equal(tail.fromCache, false);
  assert.equal((await http.fetch(URL_A + 'f.whl', { cache: 'immutable', range: { start: 0, end: 3 } })).fromCache, true);
});

test('stale data is served when the registry is unreachable or failing, and degraded is set', async () => {
  for (const failure of ['refused', 503]) {
    let down = false;
    const transport = fakeTransport(() => {
      if (!down) return ok('old', { etag: '"1"' });
      if (failure === 503) return { status: 503, headers: {}, body: encode('') };
      throw new TransportError('refused', 'ECONNREFUSED');
    });
    const { http, clock } = client(transport, { ttlMs: 1000 });
    await http.fetch(URL_A, { cache: 'ttl' });
    assert.equal(http.degraded, false);
    down = true;
    clock.advance(5000);
    const result = await drive(clock, http.fetch(URL_A, { cache: 'ttl' }));
    assert.deepEqual([decode(result.body), result.fromCache, result.stale], ['old', true, true]);
    assert.equal(http.degraded, true);
    assert.equal(http.stats.staleServed, 1);
    // Without a cached copy the failure is reported.
    const miss = await drive(clock, http.fetch(URL_A + 'new/', { cache: 'ttl' })).catch((e) => e);
    assert.ok(miss instanceof RegistryError && ['unreachable', 'http'].includes(miss.kind), String(miss));
  }
});

test('offline mode never calls the transport: hits are served, expired ones as stale, misses throw offline', async () => {
  const store = memoryStore();
  const online = fakeTransport(() => ok('cached'));
  const clock = new FakeClock();
  await client(online, { store, clock }).http.fetch(URL_A, { cache: 'ttl' });
  const offline = fakeTransport(() => assert.fail('offline mode must not use the transport'));
  const { http } = client(offline, { store, clock, offline: true, ttlMs: 1000 });
  const fresh = await http.fetch(URL_A, { cache: 'ttl' });
  assert.deepEqual([decode(fresh.body), fresh.fromCache, fresh.stale], ['cached', true, false]);
  clock.advance(2000);
  const old = await http.fetch(URL_A, { cache: 'ttl' });
  assert.deepEqual([decode(old.body), old.fromCache, old.stale], ['cached', true, true], 'expired entry served as stale');
  const expired = await new RegistryHttp({ transport: offline, clock, store, offline: true, ttlMs: 1000 }).fetch(URL_A, { cache: 'ttl' });
  assert.equal(expired.stale, true);
  const miss = await http.fetch('https://pypi.example/simple/absent/', { cache: 'ttl' }).catch((e) => e);
  assert.equal(miss.kind, 'offline');
  assert.equal((await http.fetch(URL_A, { cache: 'none' }).catch((e) => e)).kind, 'offline');
  assert.equal(offline.calls.length, 0);
  assert.equal(http.degraded, false, 'offline by choice is not an outage');
});

test('corrupt store entries (random bytes, truncated, flipped bit, other version) are discarded and refetched', async () => {
  const damage = {
    random: () => Uint8Array.from({ length: 300 }, (_, i) => (i * 7919 + 13) & 0xff),
    truncated: (data) => data.subarray(0, data.length - 3),
    'header only': (data) => data.subarray(0, 20),
    empty: () => new Uint8Array(),
    'flipped bit': (data) => {
      const copy = new Uint8Array(data);
      copy[copy.length - 2] ^= 1;
      return copy;
    },
    'other version': (data) => {
      const copy = new Uint8Array(data);
      copy['PINSIGHT-CACHE '.length] = '9'.charCodeAt(0);
      return copy;
    },
  };
  for (const [name, spoil] of Object.entries(damage)) {
    const store = memoryStore();
    const transport = fakeTransport(() => ok('fresh copy of the index'));
    await client(transport, { store }).http.fetch(URL_A, { cache: 'immutable' });
    assert.equal(store.files.size, 1);
    for (const file of store.files.values()) file.data = spoil(file.data);
    const { http } = client(transport, { store });
    const result = await http.fetch(URL_A, { cache: 'immutable' });
    assert.equal(decode(result.body), 'fresh copy of the index', name);
    assert.equal(result.fromCache, false, name);
    assert.equal(transport.calls.length, 2, name);
    assert.equal(http.stats.corruptEntries, 1, name);
    assert.ok(store.deletes >= 1, `${name}: the corrupt entry was deleted`);
    assert.equal(store.files.size, 1);
    const again = await client(fakeTransport(() => assert.fail('refetched copy was not stored')), { store }).http.fetch(URL_A, { cache: 'immutable' });
    assert.equal(decode(again.body), 'fresh copy of the index', `${name}: a good entry replaced it`);
  }
});

test('entries survive a restart: a new client over the same store gets a hit', async () => {
  const store = memoryStore();
  const transport = fakeTransport(() => ok('persisted', { etag: '"e"' }));
  const clock = new FakeClock();
  await client(transport, { store, clock }).http.fetch(URL_A, { cache: 'ttl', accept: 'application/json' });
  const { http } = client(transport, { store, clock });
  const result = await http.fetch(URL_A, { cache: 'ttl', accept: 'application/json' });
  assert.deepEqual([decode(result.body), result.fromCache, result.headers.etag, transport.calls.length], ['persisted', true, '"e"', 1]);
  // Different credentials are a different cache entry (the key holds a hash of them, never the value).
  const other = new RegistryHttp({ transport, clock, store, authorization: () => 'Bearer other' });
  assert.equal((await other.fetch(URL_A, { cache: 'ttl', accept: 'application/json' })).fromCache, false);
  for (const file of store.files.values()) assert.ok(!decode(file.data).includes('Bearer other'));
});

test('eviction keeps the store under maxStoreBytes, dropping the least recently written', async () => {
  const store = memoryStore();
  const transport = fakeTransport((request) => ok(request.url.padEnd(1000, '.')));
  const { http } = client(transport, { store, maxStoreBytes: 10_000 });
  for (let i = 0; i < 40; i++) {
    await http.fetch(`https://pypi.example/simple/p${i}/`, { cache: 'immutable' });
    assert.ok(store.total() <= 10_000, `after ${i + 1} writes the store holds ${store.total()} bytes`);
  }
  const newest = await client(fakeTransport(() => assert.fail('newest entry was evicted')), { store }).http.fetch('https://pypi.example/simple/p39/', { cache: 'immutable' });
  assert.equal(newest.fromCache, true);
  const oldest = fakeTransport(() => ok('refetched'));
  assert.equal((await client(oldest, { store }).http.fetch('https://pypi.example/simple/p0/', { cache: 'immutable' })).fromCache, false);
});

test('a failing store degrades to misses, never to errors', async () => {
  const broken = {
    get: async () => Promise.reject(new Error('EIO')),
    put: async () => Promise.reject(new Error('ENOSPC')),
    delete: async () => Promise.reject(new Error('EIO')),
    list: async () => Promise.reject(new Error('EIO')),
  };
  const transport = fakeTransport(() => ok('works'));
  const { http } = client(transport, { store: broken, memoryEntries: 0 });
  assert.equal(decode((await http.fetch(URL_A, { cache: 'ttl' })).body), 'works');
  assert.equal(decode((await http.fetch(URL_A, { cache: 'ttl' })).body), 'works');
  assert.equal(transport.calls.length, 2);
});

test('entry encoding round-trips and checks its key; crc32 matches the standard check value', () => {
  const entry = { key: 'k', url: 'https://x/', status: 200, headers: { etag: '"a"' }, storedAt: 5, body: encode('body\nwith\nnewlines') };
  const decoded = decodeEntry(encodeEntry(entry), 'k');
  assert.ok(decoded.ok);
  assert.deepEqual({ ...decoded.entry, body: decode(decoded.entry.body) }, { ...entry, body: 'body\nwith\nnewlines' });
  assert.equal(decodeEntry(encodeEntry(entry), 'other').ok, false);
  assert.equal(crc32(encode('123456789')), 0xcbf43926);
});

test('memory LRU evicts the least recently used by count and by bytes', () => {
  const entry = (key, size) => ({ key, url: key, status: 200, headers: {}, storedAt: 0, body: new Uint8Array(size) });
  const lru = new MemoryLru(3, 100);
  for (const key of ['a', 'b', 'c']) lru.set(entry(key, 10));
  assert.ok(lru.get('a'), 'a is now the most recently used');
  lru.set(entry('d', 10));
  assert.deepEqual(['a', 'b', 'c', 'd'].map((k) => lru.get(k) !== undefined), [true, false, true, true]);
  // Recency is now a, c, d; 30 + 90 bytes exceed 100, so the two least recent go.
  lru.set(entry('big', 90));
  assert.deepEqual(['a', 'c', 'd', 'big'].map((k) => lru.get(k) !== undefined), [false, false, true, true]);
  lru.set(entry('huge', 101));
  assert.equal(lru.get('huge'), undefined, 'an entry over the whole budget is not kept');
  assert.ok(lru.get('big'));
});

test('registryOf names the registry without credentials, query or package path', () => {
  const cases = [
    ['https://user:pw@pypi.example/simple/requests/', 'https://pypi.example/simple'],
    ['https://pypi.org/pypi/requests/json', 'https://pypi.org'],
    ['https://pypi.org/pypi/requests/2.31.0/json', 'https://pypi.org'],
    ['https://nexus.corp:8443/repository/pypi/simple/x/?token=abc', 'https://nexus.corp:8443/repository/pypi/simple'],
    ['https://files.pythonhosted.org/packages/ab/cd/x-1.0-py3-none-any.whl', 'https://files.pythonhosted.org'],
    ['https://registry.npmjs.org/lodash', 'https://registry.npmjs.org'],
    ['https://registry.npmjs.org/@types%2fnode', 'https://registry.npmjs.org'],
    ['https://registry.npmjs.org/@types/node', 'https://registry.npmjs.org'],
    ['https://registry.npmjs.org/lodash/-/lodash-4.17.21.tgz', 'https://registry.npmjs.org'],
    ['https://registry.npmjs.org/@babel/core/-/core-7.0.0.tgz', 'https://registry.npmjs.org'],
    ['https://art.corp/api/npm/npm-remote/lodash', 'https://art.corp/api/npm/npm-remote'],
    ['https://tok:@registry.example/', 'https://registry.example'],
    ['not a url', '(invalid registry URL)'],
  ];
  for (const [url, expected] of cases) assert.equal(registryOf(url), expected, url);
});

test('invalid and non-http URLs are typed errors; file: URLs (local indexes) go to the transport', async () => {
  const transport = fakeTransport(() => ok());
  const { http } = client(transport);
  for (const url of ['::nope', 'ftp://pypi.example/simple/']) {
    const error = await http.fetch(url, { cache: 'ttl' }).catch((e) => e);
    assert.ok(error instanceof RegistryError, url);
  }
  assert.equal(transport.calls.length, 0);
  await http.fetch('file:///srv/pypi/simple/foo/', { cache: 'none' });
  assert.deepEqual(transport.calls.map((c) => c.url), ['file:///srv/pypi/simple/foo/']);
});

test('proxyFor: scheme selection, NO_PROXY hosts, domains, ports, IPs, CIDRs and *', () => {
  const env = { httpsProxy: 'http://proxy.corp:3128', httpProxy: 'proxy.corp:8080' };
  const cases = [
    ['https://pypi.org/simple/', env, 'http://proxy.corp:3128'],
    ['http://pypi.org/simple/', env, 'http://proxy.corp:8080'],
    ['https://pypi.org/', { httpProxy: 'http://p:1' }, 'http://p:1'],
    ['http://pypi.org/', { httpsProxy: 'http://p:1' }, undefined],
    ['https://pypi.org/', { ...env, proxy: 'http://explicit:1' }, 'http://explicit:1'],
    ['https://pypi.org/', { httpsProxy: '  ' }, undefined],
    ['https://pypi.org/', {}, undefined],
    ['https://pypi.org/', { ...env, noProxy: '*' }, undefined],
    ['https://pypi.org/', { ...env, noProxy: 'pypi.org' }, undefined],
    ['https://files.pypi.org/', { ...env, noProxy: 'pypi.org' }, undefined],
    ['https://notpypi.org/', { ...env, noProxy: 'pypi.org' }, 'http://proxy.corp:3128'],
    ['https://pypi.org/', { ...env, noProxy: '.pypi.org' }, 'http://proxy.corp:3128'],
    ['https://a.pypi.org/', { ...env, noProxy: '.pypi.org' }, undefined],
    ['https://a.pypi.org/', { ...env, noProxy: '*.pypi.org' }, undefined],
    ['https://PyPI.org./', { ...env, noProxy: 'pypi.ORG' }, undefined],
    ['https://pypi.org/', { ...env, noProxy: 'pypi.org:443' }, undefined],
    ['https://pypi.org:8443/', { ...env, noProxy: 'pypi.org:443' }, 'http://proxy.corp:3128'],
    ['http://pypi.org/', { ...env, noProxy: 'pypi.org:80' }, undefined],
    ['https://10.1.2.3/', { ...env, noProxy: '10.0.0.0/8' }, undefined],
    ['https://11.1.2.3/', { ...env, noProxy: '10.0.0.0/8' }, 'http://proxy.corp:3128'],
    ['https://127.0.0.1:9000/', { ...env, noProxy: 'localhost, 127.0.0.1' }, undefined],
    ['https://[::1]:9000/', { ...env, noProxy: '::1' }, undefined],
    ['https://[::1]:9000/', { ...env, noProxy: '[::1]:9000' }, undefined],
    ['https://[::1]:9000/', { ...env, noProxy: '[::1]:9001' }, 'http://proxy.corp:3128'],
    ['https://internal.corp/', { ...env, noProxy: 'a.com  internal.corp,b.com' }, undefined],
    ['not a url', env, undefined],
  ];
  for (const [url, settings, expected] of cases) assert.equal(proxyFor(url, settings), expected, `${url} with ${JSON.stringify(settings)}`);
  assert.deepEqual(proxySettingsFromEnv({ HTTPS_PROXY: 'http://upper:1', https_proxy: 'http://lower:1', NO_PROXY: 'x' }), {
    httpsProxy: 'http://lower:1',
    httpProxy: undefined,
    noProxy: 'x',
  });
});

test('no unhandled rejections were raised by any test above', async () => {
  await tick();
  assert.deepEqual(unhandled, []);
});
