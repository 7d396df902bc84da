// Which CA bundle and client certificate win, against pip 23.2.1 itself: the same loopback HTTPS
// index (a CA made by openssl at test time), the same environment, and `pip index versions` must
// reach it exactly when `pinsight check` does. Covers PIP_CERT, pip.conf cert, REQUESTS_CA_BUNDLE
// and CURL_CA_BUNDLE (which requests reads over pip's cert) and PIP_CLIENT_CERT. SSL_CERT_FILE and
// NODE_EXTRA_CA_CERTS are left out on purpose: Pinsight honours them (uv and Node do), pip does not.
import { test, before, after } from 'node:test';
import { requireOracles } from '../support/oracles.mjs';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFakePypi } from '../support/fakePypi.mjs';
import { isolatedEnv } from '../support/isolatedEnv.mjs';
import { runProcess } from '../support/runProcess.mjs';
import { hasOpenssl, makeTestCertificates } from '../support/tlsCerts.mjs';

// The oracles this file compares with, in the versions it was written against.
before(() => requireOracles('python', 'pip'));

const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const AMBIENT = ['REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE', 'SSL_CERT_FILE', 'SSL_CERT_DIR', 'SSL_CLIENT_CERT', 'NODE_EXTRA_CA_CERTS'];

let certs;
let pypi;
let mutual;
let dir;

before(async () => {
  assert.ok(hasOpenssl(), 'these tests make their certificates with the openssl CLI');
  certs = makeTestCertificates();
  const server = { key: certs.serverKey, cert: certs.serverCert };
  pypi = await startFakePypi({ projects: ['websockets'], https: server });
  mutual = await startFakePypi({ projects: ['websockets'], https: { ...server, ca: certs.ca, requestCert: true } });
  dir = mkdtempSync(join(tmpdir(), 'pinsight-diff-tls-'));
  writeFileSync(join(dir, 'requirements.txt'), 'websockets==99.0\n');
  writeFileSync(join(dir, 'good.conf'), `[global]\ncert = ${certs.caFile}\n`);
  writeFileSync(join(dir, 'bad.conf'), `[global]\ncert = ${certs.otherCaFile}\n`);
});

after(async () => {
  await pypi?.close();
  await mutual?.close();
  certs?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

function envWith(extra) {
  const env = isolatedEnv();
  for (const name of AMBIENT) delete env[name];
  return { ...env, ...extra };
}

async function pipReaches(indexUrl, env) {
  const r = await runProcess('python3', ['-m', 'pip', 'index', 'versions', 'websockets', '--index-url', indexUrl, '--retries', '0', '--disable-pip-version-check'], { cwd: dir, env: envWith(env) });
  return r.code === 0 && /Available versions: .*14\.2/.test(r.stdout);
}

async function pinsightReaches(indexUrl, env) {
  const r = await runProcess(process.execPath, [cli, 'check', '--format', 'json', '--no-cache', '--index-url', indexUrl, '--python-version', '3.11', '--platform', 'linux', 'requirements.txt'], { cwd: dir, env: envWith(env) });
  const codes = JSON.parse(r.stdout).files.flatMap((f) => f.findings.map((x) => x.code));
  if (codes.includes('unknown-version')) return true;
  assert.deepEqual(codes, ['registry-unreachable'], r.stdout);
  return false;
}

test('pip 23.2.1 and Pinsight reach the HTTPS index under the same CA settings', async () => {
  const ca = certs.caFile;
  const other = certs.otherCaFile;
  const cases = [
    ['nothing', {}, false],
    ['PIP_CERT', { PIP_CERT: ca }, true],
    ['PIP_CERT (wrong CA)', { PIP_CERT: other }, false],
    ['pip.conf cert', { PIP_CONFIG_FILE: join(dir, 'good.conf') }, true],
    ['PIP_CERT over pip.conf', { PIP_CONFIG_FILE: join(dir, 'bad.conf'), PIP_CERT: ca }, true],
    ['REQUESTS_CA_BUNDLE', { REQUESTS_CA_BUNDLE: ca }, true],
    ['REQUESTS_CA_BUNDLE (wrong) over PIP_CERT', { PIP_CERT: ca, REQUESTS_CA_BUNDLE: other }, false],
    ['REQUESTS_CA_BUNDLE over PIP_CERT (wrong)', { PIP_CERT: other, REQUESTS_CA_BUNDLE: ca }, true],
    ['CURL_CA_BUNDLE', { CURL_CA_BUNDLE: ca }, true],
    ['REQUESTS_CA_BUNDLE (wrong) over CURL_CA_BUNDLE', { REQUESTS_CA_BUNDLE: other, CURL_CA_BUNDLE: ca }, false],
  ];
  for (const [name, env, expected] of cases) {
    const [pip, ours] = await Promise.all([pipReaches(pypi.indexUrl, env), pinsightReaches(pypi.indexUrl, env)]);
    assert.equal(pip, expected, `pip, ${name}`);
    assert.equal(ours, pip, `Pinsight differs from pip: ${name}`);
  }
});

test('pip 23.2.1 and Pinsight agree on PIP_CLIENT_CERT for an index that requires a client certificate', async () => {
  for (const [name, env, expected] of [
    ['no client certificate', { PIP_CERT: certs.caFile }, false],
    ['PIP_CLIENT_CERT', { PIP_CERT: certs.caFile, PIP_CLIENT_CERT: certs.clientFile }, true],
  ]) {
    const [pip, ours] = await Promise.all([pipReaches(mutual.indexUrl, env), pinsightReaches(mutual.indexUrl, env)]);
    assert.equal(pip, expected, `pip, ${name}`);
    assert.equal(ours, pip, `Pinsight differs from pip: ${name}`);
  }
});
