// The Node side of the registry layer against real loopback servers started here: decoding,
// keep-alive, deadlines (connect and total), close(), socket failures mapped to TransportError
// kinds, the byte cap, an HTTP proxy with NO_PROXY, the file cache store, the system clock, and
// RegistryHttp over all of them.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import zlib from 'node:zlib';
import { mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNodeTransport, toTransportError } from '../../dist/node/transport.js';
import { createFileCacheStore } from '../../dist/node/cacheStore.js';
import { systemClock } from '../../dist/node/clock.js';
import { RegistryHttp } from '../../dist/core/http/registryHttp.js';
import { TransportError } from '../../dist/core/http/types.js';

const cleanups = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** Starts a loopback server; it and its connections are closed after the file. */
async function listen(server) {
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(async () => {
    server.closeAllConnections?.();
    await new Promise((resolve) => server.close(() => resolve()));
  });
  return `http://127.0.0.1:${server.address().port}`;
}

/** A loopback server that accepts connections and never says a byte; its sockets end after the file. */
async function listenSilent() {
  const sockets = [];
  const base = await listen(net.createServer((socket) => sockets.push(socket)));
  cleanups.push(() => sockets.forEach((s) => s.destroy()));
  return { base, sockets };
}

function transportFor(options = {}) {
  const transport = createNodeTransport({ env: {}, ...options });
  cleanups.push(() => transport.close());
  return transport;
}

const request = (url, extra = {}) => ({
  url,
  method: 'GET',
  headers: {},
  connectTimeoutMs: 2000,
  totalTimeoutMs: 5000,
  maxBytes: 1024 * 1024,
  ...extra,
});

async function expectKind(promise, kind) {
  const error = await promise.then(
    () => assert.fail(`expected a TransportError '${kind}'`),
    (e) => e,
  );
  assert.ok(error instanceof TransportError, `not a TransportError: ${error}`);
  assert.equal(error.kind, kind, error.message);
  return error;
}

const TEXT = 'Flask==3.0.0\n'.repeat(500);

const origin = await listen(
  http.createServer((req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    if (path === '/gzip') return res.writeHead(200, { 'content-encoding': 'gzip' }).end(zlib.gzipSync(TEXT));
    if (path === '/br') return res.writeHead(200, { 'content-encoding': 'br' }).end(zlib.brotliCompressSync(TEXT));
    if (path === '/deflate') return res.writeHead(200, { 'content-encoding': 'deflate' }).end(zlib.deflateSync(TEXT));
    if (path === '/raw-deflate') return res.writeHead(200, { 'content-encoding': 'deflate' }).end(zlib.deflateRawSync(TEXT));
    if (path === '/bomb') return res.writeHead(200, { 'content-encoding': 'gzip' }).end(zlib.gzipSync(Buffer.alloc(8 * 1024 * 1024)));
    if (path === '/big') return res.writeHead(200).end(Buffer.alloc(64 * 1024, 0x61));
    if (path === '/endless') {
      // Chunked and never ending: only a cap enforced while streaming stops this one.
      res.writeHead(200);
      const pump = () => {
        while (!res.destroyed && res.write(Buffer.alloc(1024, 0x62)));
      };
      res.on('drain', pump);
      return pump();
    }
    if (path === '/echo') return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(req.headers));
    if (path === '/reset') return req.socket.destroy();
    if (path === '/truncated') {
      res.writeHead(200, { 'content-length': '100' });
      res.write('only ten b');
      return setImmediate(() => req.socket.destroy());
    }
    if (path === '/drip') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      const timer = setInterval(() => res.write('.'), 20);
      res.on('close', () => clearInterval(timer));
      return;
    }
    if (path === '/etag') {
      if (req.headers['if-none-match'] === '"v1"') return res.writeHead(304, { etag: '"v1"' }).end();
      return res.writeHead(200, { etag: '"v1"', 'content-encoding': 'gzip' }).end(zlib.gzipSync('versions'));
    }
    res.writeHead(404).end('no');
  }),
);

test('gzip, br and deflate (wrapped and raw) bodies are decoded; encoding headers removed', async () => {
  const transport = transportFor();
  for (const path of ['/gzip', '/br', '/deflate', '/raw-deflate']) {
    const response = await transport(request(origin + path));
    assert.equal(response.status, 200);
    assert.equal(Buffer.from(response.body).toString(), TEXT, path);
    assert.equal(response.headers['content-encoding'], undefined, path);
    assert.equal(response.headers['content-length'], undefined, path);
  }
  const echoed = JSON.parse(Buffer.from((await transport(request(origin + '/echo', { headers: { accept: 'application/json' } }))).body));
  assert.equal(echoed['accept-encoding'], 'gzip, deflate, br');
  assert.equal(echoed.accept, 'application/json');
  const identity = JSON.parse(Buffer.from((await transport(request(origin + '/echo', { headers: { 'Accept-Encoding': 'identity' } }))).body));
  assert.equal(identity['accept-encoding'], 'identity', 'a caller value replaces the default instead of duplicating it');
});

test('keep-alive: 20 sequential requests reuse their connections', async () => {
  const openedAt = [];
  let current = 0;
  const server = http.createServer((_req, res) => res.end('ok'));
  server.on('connection', () => openedAt.push(current));
  const base = await listen(server);
  const transport = transportFor();
  for (current = 0; current < 20; current++) assert.equal((await transport(request(`${base}/r${current}`))).status, 200);
  // Direct requests use node:http's agent, which frees a socket when its response ends: one connection serves all 20.
  assert.deepEqual(openedAt, [0], `connections opened at requests ${openedAt}`);
});

test('a kept-alive connection left unused past idleSocketMs is closed by the client; a request in progress past it is not cut', async () => {
  const closed = [];
  const server = http.createServer((req, res) => {
    if (req.url === '/slow') {
      res.writeHead(200);
      res.write('a');
      // The body ends only once the idle timeout has passed at least twice on this socket.
      const started = Date.now();
      const finish = () => (Date.now() - started > 400 ? res.end('b') : setTimeout(finish, 20));
      return finish();
    }
    res.end('ok');
  });
  server.keepAliveTimeout = 60_000;
  server.on('connection', (socket) => socket.on('close', () => closed.push(socket.remotePort)));
  const base = await listen(server);
  const transport = transportFor({ idleSocketMs: 150 });
  assert.equal(Buffer.from((await transport(request(base + '/slow'))).body).toString(), 'ab');
  assert.equal((await transport(request(base + '/x'))).status, 200);
  const deadline = Date.now() + 5000;
  while (closed.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(closed.length, 1, 'the idle connection was closed (the server keeps it for 60 s)');
});

test('a server that accepts TCP but never completes the TLS handshake fails on the connect timeout', async () => {
  const silent = await listenSilent();
  const base = silent.base.replace('http:', 'https:');
  const sockets = silent.sockets;
  const transport = transportFor();
  const started = performance.now();
  const error = await expectKind(transport(request(base + '/x', { connectTimeoutMs: 200, totalTimeoutMs: 10_000 })), 'timeout');
  const elapsed = performance.now() - started;
  assert.match(error.message, /could not connect within 200 ms/);
  assert.ok(elapsed >= 150 && elapsed < 5000, `timed out after ${elapsed} ms`);
  assert.equal(sockets.length, 1);
});

test('close() lets the exchanges still open finish, then ends its sockets; a request after it fails as aborted, not retried', async () => {
  let release;
  const released = new Promise((resolve) => (release = resolve));
  const seen = [];
  const server = http.createServer((req, res) => {
    seen.push(req.url);
    released.then(() => res.end(`late ${req.url}`));
  });
  const base = await listen(server);
  const transport = createNodeTransport({ env: {} });
  const registry = new RegistryHttp({ transport, clock: systemClock, retries: 3, retryBaseDelayMs: 1 });
  const pending = transport(request(base + '/held'));
  const deadline = Date.now() + 5000;
  while (seen.length < 1 && Date.now() < deadline) await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(seen, ['/held']);
  let closed = false;
  const closing = transport.close().then(() => (closed = true));
  await expectKind(transport(request(base + '/after')), 'aborted');
  await assert.rejects(registry.fetch(base + '/after-registry', { cache: 'none', registry: base }), /the request was interrupted/);
  assert.equal(closed, false, 'close() waits for the exchange still open');
  release();
  assert.equal(Buffer.from((await pending).body).toString(), 'late /held');
  await closing;
  assert.deepEqual(seen, ['/held'], 'nothing was sent after close(), and nothing retried');
});

test('a request Node refuses to send (a header with a line break) fails as other, and leaves nothing open for close() to wait on', { timeout: 10_000 }, async () => {
  const transport = createNodeTransport({ env: {} });
  const error = await expectKind(transport(request(origin + '/echo', { headers: { 'x-bad': 'a\r\nInjected: yes' } })), 'other');
  assert.match(error.message, /ERR_INVALID_CHAR|Invalid character/);
  await transport.close();
});

test('a server that accepts but never answers times out within totalTimeoutMs', async () => {
  const { base } = await listenSilent();
  const transport = transportFor();
  const started = performance.now();
  await expectKind(transport(request(base + '/x', { totalTimeoutMs: 300 })), 'timeout');
  const elapsed = performance.now() - started;
  assert.ok(elapsed >= 250 && elapsed < 2000, `timed out after ${elapsed} ms`);
});

test('no timers are left running after requests succeed or fail', async () => {
  const { base } = await listenSilent();
  const transport = transportFor();
  await transport(request(origin + '/echo'));
  const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  const before = timers();
  await transport(request(origin + '/gzip', { totalTimeoutMs: 60_000 }));
  await transport(request(origin + '/missing', { totalTimeoutMs: 60_000 }));
  await expectKind(transport(request(origin + '/reset', { totalTimeoutMs: 60_000 })), 'reset');
  await expectKind(transport(request(origin + '/big', { totalTimeoutMs: 60_000, maxBytes: 10 })), 'too-large');
  await expectKind(transport(request(base + '/x', { totalTimeoutMs: 200 })), 'timeout');
  assert.ok(timers() <= before, `${timers()} timers now, ${before} before`);
});

test('a body that drips past the deadline times out', async () => {
  const transport = transportFor();
  const started = performance.now();
  await expectKind(transport(request(origin + '/drip', { totalTimeoutMs: 300 })), 'timeout');
  assert.ok(performance.now() - started < 2000);
});

test('socket failures map to kinds: reset, refused, truncated body', async () => {
  const transport = transportFor();
  await expectKind(transport(request(origin + '/reset')), 'reset');
  await expectKind(transport(request(origin + '/truncated')), 'reset');
  const closed = net.createServer();
  await new Promise((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = closed.address().port;
  await new Promise((resolve) => closed.close(resolve));
  await expectKind(transport(request(`http://127.0.0.1:${port}/`)), 'refused');
});

test('maxBytes: declared length, endless chunked stream and decompression bomb all fail too-large', async () => {
  const transport = transportFor();
  await expectKind(transport(request(origin + '/big', { maxBytes: 1000 })), 'too-large');
  await expectKind(transport(request(origin + '/endless', { maxBytes: 10_000 })), 'too-large');
  await expectKind(transport(request(origin + '/bomb', { maxBytes: 1024 * 1024 })), 'too-large');
  assert.equal((await transport(request(origin + '/big', { maxBytes: 64 * 1024 }))).body.length, 64 * 1024, 'exactly maxBytes is allowed');
  assert.equal((await transport(request(origin + '/echo'))).status, 200, 'the transport still works afterwards');
});

test('a caller abort rejects with aborted', async () => {
  const transport = transportFor();
  const controller = new AbortController();
  const pending = transport(request(origin + '/drip', { signal: controller.signal }));
  setImmediate(() => controller.abort());
  await expectKind(pending, 'aborted');
  await expectKind(transport(request(origin + '/echo', { signal: AbortSignal.abort() })), 'aborted');
});

test('HTTP_PROXY routes plain-http requests through a proxy; NO_PROXY bypasses it', async () => {
  const proxied = [];
  const proxy = http.createServer((req, res) => {
    proxied.push(req.url);
    // Absolute-form request line: forward it and mark the answer.
    const upstream = http.request(req.url, { method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode, { ...up.headers, 'x-via-proxy': '1' });
      up.pipe(res);
    });
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  // Tunnelling is for https targets; a plain-http target must arrive in absolute form.
  proxy.on('connect', (_req, socket) => socket.end('HTTP/1.1 405 Method Not Allowed\r\n\r\n'));
  const proxyUrl = await listen(proxy);
  const via = transportFor({ env: { HTTP_PROXY: proxyUrl } });
  const response = await via(request(origin + '/gzip'));
  assert.equal(response.headers['x-via-proxy'], '1');
  assert.equal(Buffer.from(response.body).toString(), TEXT);
  assert.deepEqual(proxied, [origin + '/gzip']);

  const bypass = transportFor({ env: { HTTP_PROXY: proxyUrl, NO_PROXY: 'localhost,127.0.0.1' } });
  assert.equal((await bypass(request(origin + '/echo'))).headers['x-via-proxy'], undefined);
  const setting = transportFor({ env: { NO_PROXY: '*' }, proxy: proxyUrl, noProxy: 'example.com' });
  assert.equal((await setting(request(origin + '/echo'))).headers['x-via-proxy'], '1', 'the noProxy option overrides NO_PROXY');
  assert.equal(proxied.length, 2);
});

test('error mapping walks cause chains and keeps credentials out of messages', () => {
  const withCode = (code, message = code) => Object.assign(new Error(message), { code });
  const cases = [
    [withCode('UND_ERR_CONNECT_TIMEOUT'), 'timeout'],
    [Object.assign(new Error('fetch failed'), { cause: withCode('ENOTFOUND') }), 'dns'],
    [withCode('EAI_AGAIN'), 'dns'],
    [withCode('CERT_HAS_EXPIRED'), 'tls'],
    [withCode('ERR_TLS_CERT_ALTNAME_INVALID'), 'tls'],
    [withCode('UNABLE_TO_VERIFY_LEAF_SIGNATURE'), 'tls'],
    [withCode('UND_ERR_SOCKET'), 'reset'],
    [withCode('ECONNREFUSED'), 'refused'],
    [new Error('weird'), 'other'],
  ];
  for (const [error, kind] of cases) assert.equal(toTransportError(error, false, false, 1000).kind, kind, error.message);
  assert.equal(toTransportError(withCode('UND_ERR_ABORTED'), true, false, 300).kind, 'timeout');
  assert.equal(toTransportError(withCode('UND_ERR_ABORTED'), false, true, 300).kind, 'aborted');
  const leaked = toTransportError(withCode('ECONNREFUSED', 'connect to http://bob:hunter2@proxy:3128 failed'), false, false, 1);
  assert.ok(!leaked.message.includes('hunter2'), leaked.message);
});

test('file cache store: atomic put, get, list, delete; truncated files never crash', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pinsight-cache-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const store = createFileCacheStore(join(dir, 'nested', 'cache'));
  assert.equal(await store.get('missing'), undefined);
  assert.deepEqual(await store.list(), []);
  const key = 'v1-some key/with:odd*chars';
  await store.put(key, new Uint8Array([1, 2, 3]));
  await Promise.all([4, 5, 6, 7].map((n) => store.put(key, new Uint8Array(n).fill(n))));
  const got = await store.get(key);
  assert.ok([4, 5, 6, 7].some((n) => got.length === n && got.every((b) => b === n)), `a whole write wins, got ${got}`);
  await store.put('other', new Uint8Array(10));
  const listing = await store.list();
  assert.deepEqual(listing.map((i) => i.key).sort(), ['other', key].sort());
  for (const item of listing) assert.ok(item.size > 0 && item.mtimeMs > 0);
  const files = await readdir(join(dir, 'nested', 'cache'));
  assert.equal(files.length, 2, `no temp files left behind: ${files}`);
  assert.ok(files.every((f) => /^[0-9a-f]{64}$/.test(f)));
  await store.delete(key);
  await store.delete(key);
  assert.equal(await store.get(key), undefined);

  // A file cut inside its key frame reads as missing and is removed; list() skips foreign files.
  await store.put('cut', new Uint8Array(100));
  const [cutName] = (await readdir(join(dir, 'nested', 'cache'))).filter((f) => !files.includes(f));
  await truncate(join(dir, 'nested', 'cache', cutName), 6);
  assert.equal(await store.get('cut'), undefined);
  await writeFile(join(dir, 'nested', 'cache', 'README'), 'not an entry');
  assert.deepEqual((await store.list()).map((i) => i.key), ['other']);
});

test('RegistryHttp over the node transport, file store and system clock: gzip, ETag revalidation, truncation, restart', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pinsight-cache-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const transport = transportFor();
  let calls = 0;
  const counting = (r) => (calls++, transport(r));
  const store = createFileCacheStore(dir);
  const registry = new RegistryHttp({ transport: counting, clock: systemClock, store, ttlMs: 0 });
  const first = await registry.fetch(origin + '/etag', { cache: 'ttl' });
  assert.equal(Buffer.from(first.body).toString(), 'versions');
  const second = await registry.fetch(origin + '/etag', { cache: 'ttl' });
  assert.deepEqual([second.fromCache, registry.stats.revalidated, Buffer.from(second.body).toString()], [true, 1, 'versions']);

  // Cut the entry's body short on disk: the checksum catches it, the entry is dropped and refetched.
  const [name] = await readdir(dir);
  const size = (await readFile(join(dir, name))).length;
  await truncate(join(dir, name), size - 4);
  const restarted = new RegistryHttp({ transport: counting, clock: systemClock, store });
  const refetched = await restarted.fetch(origin + '/etag', { cache: 'immutable' });
  assert.deepEqual([refetched.fromCache, restarted.stats.corruptEntries, Buffer.from(refetched.body).toString()], [false, 1, 'versions']);
  const again = new RegistryHttp({ transport: () => assert.fail('should be cached'), clock: systemClock, store });
  assert.equal((await again.fetch(origin + '/etag', { cache: 'immutable' })).fromCache, true);
  assert.equal(calls, 3);
});

test('systemClock: sleep resolves, abort rejects and clears the timer', async () => {
  await systemClock.sleep(1);
  const controller = new AbortController();
  const pending = systemClock.sleep(60_000, controller.signal);
  controller.abort();
  await assert.rejects(pending, { name: 'AbortError' });
  await assert.rejects(systemClock.sleep(10, AbortSignal.abort()), { name: 'AbortError' });
  const r = systemClock.random();
  assert.ok(r >= 0 && r < 1);
});
