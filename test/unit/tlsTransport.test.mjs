// The Node transport applying a Connection against loopback HTTPS servers with a CA made at test
// time: trust replaced by `ca`, verification off, trusted hosts, client certificates, a CONNECT
// proxy with credentials and its bypass, and the RegistryHttp message for each TLS problem.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import { createNodeTransport } from '../../dist/node/transport.js';
import { makeConnection } from '../../dist/core/http/connection.js';
import { RegistryHttp } from '../../dist/core/http/registryHttp.js';
import { systemClock } from '../../dist/node/clock.js';
import { hasOpenssl, makeTestCertificates } from '../support/tlsCerts.mjs';
import { startConnectProxy } from '../support/connectProxy.mjs';
import { readFileSync } from 'node:fs';

const advice = { untrusted: 'set cafile (advice)', clientCertificate: 'set client_cert (advice)' };
const cleanups = [];
let certs;
let plain; // https server, no client certificate
let mutual; // https server that requires a client certificate

async function serve(options) {
  const server = https.createServer(options, (req, res) => res.end(`ok ${req.url}`));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }));
  return `https://127.0.0.1:${server.address().port}`;
}

before(async () => {
  assert.ok(hasOpenssl(), 'these tests make their certificates with the openssl CLI');
  certs = makeTestCertificates();
  cleanups.push(() => certs.cleanup());
  plain = await serve({ key: certs.serverKey, cert: certs.serverCert });
  mutual = await serve({ key: certs.serverKey, cert: certs.serverCert, ca: certs.ca, requestCert: true, rejectUnauthorized: true });
});

after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

function transportFor(env = {}) {
  const transport = createNodeTransport({ env });
  cleanups.push(() => transport.close());
  return transport;
}

const connection = (parts) => makeConnection({ verify: true, advice, sources: [], ...parts });
const get = (transport, url, conn) => transport({ url, method: 'GET', headers: {}, connectTimeoutMs: 5000, totalTimeoutMs: 10000, maxBytes: 10000, connection: conn });
const text = (response) => Buffer.from(response.body).toString();

test('a server signed by an unknown CA fails as tls/untrusted; its CA in `ca` makes it work', async () => {
  const t = transportFor();
  await assert.rejects(get(t, `${plain}/a`), (e) => e.kind === 'tls' && e.tls === 'untrusted');
  await assert.rejects(get(t, `${plain}/a`, connection({})), (e) => e.kind === 'tls' && e.tls === 'untrusted');
  assert.equal(text(await get(t, `${plain}/a`, connection({ ca: [certs.ca] }))), 'ok /a');
  const other = readFileSync(certs.otherCaFile, 'utf8');
  await assert.rejects(get(t, `${plain}/a`, connection({ ca: [other] })), (e) => e.tls === 'untrusted');
});

test('verify false (strict-ssl=false) and a trusted host accept the unknown CA; a trusted host on another port does not', async () => {
  const t = transportFor();
  assert.equal(text(await get(t, `${plain}/b`, connection({ verify: false }))), 'ok /b');
  assert.equal(text(await get(t, `${plain}/b`, connection({ insecureHosts: ['127.0.0.1'] }))), 'ok /b');
  const port = new URL(plain).port;
  assert.equal(text(await get(t, `${plain}/b`, connection({ insecureHosts: [`127.0.0.1:${port}`] }))), 'ok /b');
  await assert.rejects(get(t, `${plain}/b`, connection({ insecureHosts: ['127.0.0.1:1'] })), (e) => e.tls === 'untrusted');
});

test('a server that requires a client certificate: tls/client-certificate without one, 200 with one', async () => {
  const t = transportFor();
  await assert.rejects(get(t, `${mutual}/c`, connection({ ca: [certs.ca] })), (e) => e.kind === 'tls' && e.tls === 'client-certificate');
  const withClient = connection({ ca: [certs.ca], clientCert: { cert: certs.clientCert, key: certs.clientKey } });
  assert.equal(text(await get(t, `${mutual}/c`, withClient)), 'ok /c');
});

test("a Connection's proxy tunnels https with CONNECT, sends the URL's credentials as Proxy-Authorization, and noProxy bypasses it", async () => {
  const proxy = await startConnectProxy({ auth: { user: 'alice', password: 's3cret pw' } });
  cleanups.push(() => proxy.close());
  const t = transportFor();
  const proxyUrl = `http://alice:${encodeURIComponent('s3cret pw')}@${new URL(proxy.url).host}`;
  const trusted = { ca: [certs.ca] };
  assert.equal(text(await get(t, `${plain}/d`, connection({ ...trusted, proxy: { proxy: proxyUrl } }))), 'ok /d');
  assert.deepEqual(proxy.connects.map((c) => c.target), [new URL(plain).host]);
  assert.equal(proxy.connects[0].proxyAuthorization, `Basic ${Buffer.from('alice:s3cret pw').toString('base64')}`);
  assert.equal(text(await get(t, `${plain}/e`, connection({ ...trusted, proxy: { proxy: proxyUrl, noProxy: '127.0.0.1' } }))), 'ok /e');
  assert.equal(proxy.connects.length, 1, 'noProxy sends the request directly');
  // The environment's proxy applies when the Connection names none.
  const viaEnv = transportFor({ HTTPS_PROXY: proxyUrl });
  assert.equal(text(await get(viaEnv, `${plain}/f`, connection(trusted))), 'ok /f');
  assert.equal(proxy.connects.length, 2);
  // Wrong credentials: the failure never shows the password.
  const wrong = `http://alice:wrong-secret@${new URL(proxy.url).host}`;
  await assert.rejects(get(t, `${plain}/g`, connection({ ...trusted, proxy: { proxy: wrong } })), (e) => {
    assert.equal(e.kind, 'proxy');
    assert.equal(e.message, 'the proxy answered HTTP 407 to CONNECT');
    assert.doesNotMatch(`${e.message} ${e.stack}`, /wrong-secret/);
    return true;
  });
});

test('RegistryHttp names the TLS problem with the wing’s advice and does not retry it', async () => {
  const transport = transportFor();
  const http = new RegistryHttp({ transport, clock: systemClock, retries: 3 });
  await assert.rejects(http.fetch(`${plain}/simple/x/`, { cache: 'none', registry: plain, connection: connection({}) }), (e) => {
    assert.equal(e.kind, 'unreachable');
    assert.equal(e.message, `Pinsight could not reach ${plain}: its TLS certificate is signed by an unknown authority; set cafile (advice).`);
    return true;
  });
  await assert.rejects(http.fetch(`${mutual}/simple/x/`, { cache: 'none', registry: mutual, connection: connection({ ca: [certs.ca] }) }), (e) => {
    assert.equal(e.message, `Pinsight could not reach ${mutual}: the server requires a client certificate it accepts; set client_cert (advice).`);
    return true;
  });
  assert.equal(http.stats.retries, 0);
  assert.equal(http.stats.requests, 2);
  const ok = await http.fetch(`${plain}/simple/y/`, { cache: 'none', registry: plain, connection: connection({ ca: [certs.ca] }) });
  assert.equal(text(ok), 'ok /simple/y/');
});
