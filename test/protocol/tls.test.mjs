// The language server against a loopback HTTPS index whose CA (made by openssl at test time) no
// default trust store holds: without configuration one information diagnostic names the TLS
// problem and what to set; started with NODE_EXTRA_CA_CERTS (which Node reads only when a process
// starts, and which the server inherits from the editor) or PIP_CERT, the index answers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, fileUri } from '../support/lspClient.mjs';
import { startFakePypi } from '../support/fakePypi.mjs';
import { hasOpenssl, makeTestCertificates } from '../support/tlsCerts.mjs';

// Variables of this machine that would change what is trusted (undefined removes them).
const AMBIENT = Object.fromEntries(['REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE', 'SSL_CERT_FILE', 'SSL_CERT_DIR', 'SSL_CLIENT_CERT', 'NODE_EXTRA_CA_CERTS', 'NODE_TLS_REJECT_UNAUTHORIZED'].map((n) => [n, undefined]));
const TEXT = 'websockets==99.0\n';

let certs;
let pypi;
let dir;
const clients = [];

before(async () => {
  assert.ok(hasOpenssl(), 'these tests make their certificates with the openssl CLI');
  certs = makeTestCertificates();
  pypi = await startFakePypi({ projects: 'all', https: { key: certs.serverKey, cert: certs.serverCert } });
  dir = mkdtempSync(join(tmpdir(), 'pinsight-protocol-tls-'));
});

after(async () => {
  for (const client of clients) await client.close();
  await pypi?.close();
  certs?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

async function diagnosticsWith(name, env) {
  const client = await startServer({
    settings: { enable: true, checkRegistries: true, debounceMs: 0, python: { indexUrl: pypi.indexUrl, version: '3.11', platform: 'linux' } },
    initializationOptions: { cacheDir: join(dir, `cache-${name}`) },
    env: { ...AMBIENT, ...env },
  });
  clients.push(client);
  const path = join(dir, `requirements-${name}.txt`);
  writeFileSync(path, TEXT);
  const uri = fileUri(path);
  client.open(uri, TEXT);
  return client.waitForDiagnostics(uri, (d) => d.some((x) => x.code === 'registry-unreachable' || x.code === 'unknown-version'), 30_000);
}

test('an untrusted CA: an information diagnostic that names the TLS problem and the settings', async () => {
  const diags = await diagnosticsWith('untrusted', {});
  const said = diags.filter((d) => d.code === 'registry-unreachable');
  assert.equal(said.length, 1, JSON.stringify(diags));
  assert.equal(said[0].severity, 3);
  assert.match(said[0].message, /its TLS certificate is signed by an unknown authority; set cert in pip\.conf, PIP_CERT or REQUESTS_CA_BUNDLE .* or add it to NODE_EXTRA_CA_CERTS/);
});

test('NODE_EXTRA_CA_CERTS in the environment the server starts with makes the index answer', async () => {
  const diags = await diagnosticsWith('extra-ca', { NODE_EXTRA_CA_CERTS: certs.caFile });
  assert.deepEqual(diags.map((d) => d.code), ['unknown-version'], JSON.stringify(diags));
  assert.match(diags[0].message, /^websockets 99\.0 does not exist on https:\/\/127\.0\.0\.1:\d+\/simple\./);
});

test('PIP_CERT in the environment makes the index answer', async () => {
  const diags = await diagnosticsWith('pip-cert', { PIP_CERT: certs.caFile });
  assert.deepEqual(diags.map((d) => d.code), ['unknown-version'], JSON.stringify(diags));
});
