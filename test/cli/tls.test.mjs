// `pinsight check` against loopback HTTPS registries whose CA (made by openssl at test time) no
// default trust store holds: without configuration the check says which TLS problem and what to set,
// never a verdict; pip's cert (pip.conf, PIP_CERT), REQUESTS_CA_BUNDLE, SSL_CERT_FILE,
// NODE_EXTRA_CA_CERTS, client_cert, and .npmrc's cafile, ca and strict-ssl each make it work; and
// proxies from .npmrc or HTTPS_PROXY tunnel through a CONNECT proxy (noproxy / NO_PROXY bypass it)
// whose credentials never reach the output.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFakePypi } from '../support/fakePypi.mjs';
import { startFakeNpm } from '../support/fakeNpm.mjs';
import { startConnectProxy } from '../support/connectProxy.mjs';
import { isolatedEnv } from '../support/isolatedEnv.mjs';
import { runProcess } from '../support/runProcess.mjs';
import { hasOpenssl, makeTestCertificates } from '../support/tlsCerts.mjs';

const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const examples = fileURLToPath(new URL('../../examples/', import.meta.url));
const TARGET = ['--python-version', '3.11', '--platform', 'linux', '--no-cache'];
const PROXY_USER = 'corp-user';
const PROXY_PASSWORD = 'Pr0xy-S3cret';
// Variables of this machine that would change what is trusted or proxied.
const AMBIENT = ['REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE', 'SSL_CERT_FILE', 'SSL_CERT_DIR', 'SSL_CLIENT_CERT', 'NODE_EXTRA_CA_CERTS', 'NODE_TLS_REJECT_UNAUTHORIZED', 'no_proxy', 'ALL_PROXY', 'all_proxy'];

let certs;
let pypi;
let mutualPypi;
let npm;
let proxy;
let dir;

before(async () => {
  assert.ok(hasOpenssl(), 'these tests make their certificates with the openssl CLI');
  certs = makeTestCertificates();
  const server = { key: certs.serverKey, cert: certs.serverCert };
  pypi = await startFakePypi({ projects: 'all', https: server });
  mutualPypi = await startFakePypi({ projects: 'all', https: { ...server, ca: certs.ca, requestCert: true } });
  npm = await startFakeNpm({ https: server });
  proxy = await startConnectProxy({ auth: { user: PROXY_USER, password: PROXY_PASSWORD } });
  dir = mkdtempSync(join(tmpdir(), 'pinsight-cli-tls-'));
  mkdirSync(join(dir, 'py'));
  cpSync(join(examples, 'seed', 'requirements.txt'), join(dir, 'py', 'requirements.txt'));
  // One line, one request: the index answered when the check knows 99.0 is not a websockets release.
  mkdirSync(join(dir, 'tiny'));
  writeFileSync(join(dir, 'tiny', 'requirements.txt'), 'websockets==99.0\n');
  mkdirSync(join(dir, 'js'));
  writeFileSync(join(dir, 'js', 'package.json'), '{\n  "dependencies": {\n    "react-beautiful-dnd": "^13.1.1"\n  }\n}\n');
  writeFileSync(join(dir, 'pip.conf'), `[global]\ncert = ${certs.caFile}\n`);
  writeFileSync(join(dir, 'pip-client.conf'), `[global]\ncert = ${certs.caFile}\nclient_cert = ${certs.clientFile}\n`);
});

after(async () => {
  await pypi?.close();
  await mutualPypi?.close();
  await npm?.close();
  await proxy?.close();
  certs?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

function envWith(extra) {
  // This machine's global npmrc (next to node) may name a cafile, which npm applies over any ca.
  const env = isolatedEnv({ npm_config_globalconfig: join(dir, 'no-global-npmrc') });
  for (const name of AMBIENT) delete env[name];
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

async function check(path, args, extraEnv = {}) {
  const r = await runProcess(process.execPath, [cli, 'check', '--format', 'json', ...args, ...TARGET, path], { cwd: dir, env: envWith(extraEnv) });
  assert.ok(r.stdout.startsWith('{'), `no JSON report (exit ${r.code}): ${r.stderr}`);
  const findings = JSON.parse(r.stdout).files.flatMap((f) => f.findings);
  return { ...r, findings, codes: findings.map((f) => f.code) };
}

const checkPython = (env, indexUrl = pypi.indexUrl) => check('py/requirements.txt', ['--index-url', indexUrl], env);
const checkTiny = (env, indexUrl = pypi.indexUrl) => check('tiny/requirements.txt', ['--index-url', indexUrl], env);
const checkNpm = (env) => check('js/package.json', ['--registry', npm.url], env);
const writeNpmrc = (text) => writeFileSync(join(dir, 'js', '.npmrc'), text);

/** The seed's verdict: websockets==15.0.1 conflicts with supabase==2.15.3. */
function assertSeedVerdict(r, how) {
  assert.equal(r.codes.includes('registry-unreachable'), false, `${how}: ${JSON.stringify(r.findings.map((f) => f.message))}`);
  assert.deepEqual(r.findings.filter((f) => f.code === 'conflict').map((f) => f.package).sort(), ['supabase', 'websockets'], how);
}

function assertIndexAnswered(r, how) {
  assert.deepEqual(r.findings.map((f) => f.code), ['unknown-version'], `${how}: ${JSON.stringify(r.findings.map((f) => f.message))}`);
  assert.match(r.findings[0].message, /^websockets 99\.0 does not exist on https:\/\/127\.0\.0\.1:\d+\/simple\. The closest release is 17\.0\.1/);
}

function assertUnreachable(r, pattern) {
  const said = r.findings.filter((f) => f.code === 'registry-unreachable');
  assert.equal(said.length, 1, JSON.stringify(r.findings));
  assert.match(said[0].message, pattern);
  assert.equal(r.codes.includes('conflict'), false, 'no verdict without the registry');
}

test('an untrusted CA: one registry-unreachable finding naming the TLS problem and the settings, never a conflict', async () => {
  const py = await checkTiny({});
  assertUnreachable(py, /its TLS certificate is signed by an unknown authority; set cert in pip\.conf, PIP_CERT or REQUESTS_CA_BUNDLE to a bundle holding its authority, or add it to NODE_EXTRA_CA_CERTS/);
  const js = await checkNpm({});
  assertUnreachable(js, /its TLS certificate is signed by an unknown authority; set cafile or ca in \.npmrc to its authority, or add it to NODE_EXTRA_CA_CERTS/);
  assert.equal(js.codes.includes('deprecated'), false);
});

test('pip.conf cert, PIP_CERT, REQUESTS_CA_BUNDLE, SSL_CERT_FILE and NODE_EXTRA_CA_CERTS each make the HTTPS index work', async () => {
  const ways = {
    'pip.conf cert': { PIP_CONFIG_FILE: join(dir, 'pip.conf') },
    PIP_CERT: { PIP_CERT: certs.caFile },
    REQUESTS_CA_BUNDLE: { REQUESTS_CA_BUNDLE: certs.caFile },
    SSL_CERT_FILE: { SSL_CERT_FILE: certs.caFile },
    NODE_EXTRA_CA_CERTS: { NODE_EXTRA_CA_CERTS: certs.caFile },
  };
  // The seed's verdict once; the other ways on a one-line file.
  assertSeedVerdict(await checkPython(ways['pip.conf cert']), 'pip.conf cert');
  for (const [how, env] of Object.entries(ways)) assertIndexAnswered(await checkTiny(env), how);
  // REQUESTS_CA_BUNDLE is read over pip's cert, as requests (and so pip 23.2.1) does: a wrong one
  // breaks a right cert, and a right one mends a wrong cert.
  assertUnreachable(await checkTiny({ PIP_CERT: certs.caFile, REQUESTS_CA_BUNDLE: certs.otherCaFile }), /signed by an unknown authority/);
  assertIndexAnswered(await checkTiny({ PIP_CERT: certs.otherCaFile, REQUESTS_CA_BUNDLE: certs.caFile }), 'REQUESTS_CA_BUNDLE over PIP_CERT');
});

test('client_cert: an index that requires a client certificate says so without one, and works with pip.conf or PIP_CLIENT_CERT', async () => {
  const without = await checkTiny({ PIP_CERT: certs.caFile }, mutualPypi.indexUrl);
  assertUnreachable(without, /the server requires a client certificate it accepts; set client_cert in pip\.conf or PIP_CLIENT_CERT/);
  assertSeedVerdict(await checkPython({ PIP_CONFIG_FILE: join(dir, 'pip-client.conf') }, mutualPypi.indexUrl), 'pip.conf client_cert');
  assertIndexAnswered(await checkTiny({ PIP_CERT: certs.caFile, PIP_CLIENT_CERT: certs.clientFile }, mutualPypi.indexUrl), 'PIP_CLIENT_CERT');
});

test('.npmrc cafile, ca (inline) and strict-ssl=false each make the HTTPS npm registry work', async () => {
  const inline = JSON.stringify(certs.ca.trimEnd());
  const ways = { cafile: `cafile=${certs.caFile}\n`, ca: `ca=${inline}\n`, 'strict-ssl=false': 'strict-ssl=false\n' };
  try {
    for (const [how, npmrc] of Object.entries(ways)) {
      writeNpmrc(npmrc);
      const r = await checkNpm({});
      assert.equal(r.codes.includes('registry-unreachable'), false, `${how}: ${JSON.stringify(r.findings)}`);
      assert.deepEqual(r.findings.filter((f) => f.code === 'deprecated').map((f) => f.package), ['react-beautiful-dnd'], how);
    }
    writeNpmrc(`cafile=${certs.otherCaFile}\n`);
    assertUnreachable(await checkNpm({}), /signed by an unknown authority/);
  } finally {
    rmSync(join(dir, 'js', '.npmrc'), { force: true });
  }
});

test('proxies: .npmrc https-proxy and proxy, and HTTPS_PROXY, tunnel through the CONNECT proxy with its credentials; noproxy and NO_PROXY bypass it; the password is never printed', async () => {
  const proxyUrl = `http://${PROXY_USER}:${PROXY_PASSWORD}@${new URL(proxy.url).host}`;
  const npmHost = new URL(npm.url).host;
  const pypiHost = new URL(pypi.url).host;
  const noBypass = { NO_PROXY: undefined };
  const expectedAuth = `Basic ${Buffer.from(`${PROXY_USER}:${PROXY_PASSWORD}`).toString('base64')}`;
  const outputs = [];
  const through = async (how, run, host) => {
    const before = proxy.connects.length;
    const r = await run();
    outputs.push(r.stdout, r.stderr);
    const connects = proxy.connects.slice(before);
    assert.ok(connects.length > 0, `${how}: no CONNECT`);
    assert.deepEqual([...new Set(connects.map((c) => c.target))], [host], how);
    assert.ok(connects.every((c) => c.proxyAuthorization === expectedAuth), how);
    return r;
  };
  const direct = async (how, run) => {
    const before = proxy.connects.length;
    const r = await run();
    outputs.push(r.stdout, r.stderr);
    assert.equal(proxy.connects.length, before, `${how}: went through the proxy`);
    return r;
  };
  try {
    for (const key of ['https-proxy', 'proxy']) {
      writeNpmrc(`cafile=${certs.caFile}\n${key}=${proxyUrl}\n`);
      const r = await through(`.npmrc ${key}`, () => checkNpm(noBypass), npmHost);
      assert.deepEqual(r.findings.filter((f) => f.code === 'deprecated').map((f) => f.package), ['react-beautiful-dnd']);
    }
    writeNpmrc(`cafile=${certs.caFile}\nhttps-proxy=${proxyUrl}\nnoproxy=127.0.0.1\n`);
    await direct('.npmrc noproxy', () => checkNpm(noBypass));
    writeNpmrc(`cafile=${certs.caFile}\n`);
    await through('HTTPS_PROXY (npm)', () => checkNpm({ ...noBypass, HTTPS_PROXY: proxyUrl }), npmHost);
    await direct('NO_PROXY (npm)', () => checkNpm({ HTTPS_PROXY: proxyUrl, NO_PROXY: '127.0.0.1' }));
    const py = await through('HTTPS_PROXY (pip)', () => checkTiny({ ...noBypass, HTTPS_PROXY: proxyUrl, PIP_CERT: certs.caFile }), pypiHost);
    assertIndexAnswered(py, 'through the proxy');
    await direct('NO_PROXY (pip)', () => checkTiny({ HTTPS_PROXY: proxyUrl, NO_PROXY: '127.0.0.1', PIP_CERT: certs.caFile }));
    // Wrong credentials: the proxy's refusal is the finding, and neither password is printed.
    const wrong = `http://${PROXY_USER}:Wr0ng-S3cret@${new URL(proxy.url).host}`;
    const refused = await checkNpm({ ...noBypass, HTTPS_PROXY: wrong });
    outputs.push(refused.stdout, refused.stderr);
    assertUnreachable(refused, /the proxy refused to open a tunnel to it/);
    const explained = await runProcess(process.execPath, [cli, 'check', '--explain', '--registry', npm.url, ...TARGET, 'js/package.json'], { cwd: dir, env: envWith({ ...noBypass, HTTPS_PROXY: wrong }) });
    outputs.push(explained.stdout, explained.stderr);
  } finally {
    rmSync(join(dir, 'js', '.npmrc'), { force: true });
  }
  const all = outputs.join('\n');
  assert.doesNotMatch(all, new RegExp(PROXY_PASSWORD));
  assert.doesNotMatch(all, /Wr0ng-S3cret/);
});
