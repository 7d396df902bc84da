// Where each wing's trust, client certificate and proxy come from, and in which order: pip's cert
// and client_cert (pip.conf sections and PIP_* variables), requests' REQUESTS_CA_BUNDLE and
// CURL_CA_BUNDLE over them, uv's SSL_CERT_FILE and SSL_CLIENT_CERT below them; npm's cafile over ca,
// strict-ssl, https-proxy over proxy, noproxy over NO_PROXY, by npm's layer precedence. Files are
// in memory; unusable ones give warnings, never a throw.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadPythonIndexConfig } from '../../dist/core/python/index/indexConfig.js';
import { loadNpmConfig } from '../../dist/core/npm/registry/npmrc.js';
import { pemCertificates, pemPrivateKey, verifiesCertificate, makeConnection } from '../../dist/core/http/connection.js';

const pem = (label, body) => `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
const CERT = (n) => pem('CERTIFICATE', `Q0VSVC${n}`);
const KEY = pem('PRIVATE KEY', 'S0VZ');
const FILES = {
  '/ca/requests.pem': CERT('requests'),
  '/ca/curl.pem': CERT('curl'),
  '/ca/pipenv.pem': CERT('pipenv'),
  '/ca/pipconf.pem': CERT('pipconf'),
  '/ca/install.pem': CERT('install'),
  '/ca/sslcertfile.pem': CERT('sslcertfile'),
  '/ca/bundle.pem': `# a bundle\n${CERT('one')}some text\n${CERT('two')}`,
  '/client/pip.pem': CERT('client') + KEY,
  '/client/uv.pem': CERT('uvclient') + KEY,
  '/client/nokey.pem': CERT('nokey'),
  '/conf/pip.conf': '[global]\ncert = /ca/pipconf.pem\nclient-cert = /client/pip.pem\n',
  '/conf/install.conf': '[global]\ncert = /ca/pipconf.pem\n[install]\ncert = /ca/install.pem\n',
};

function python(env, files = FILES) {
  return loadPythonIndexConfig({ env: { PIP_CONFIG_FILE: '/dev/null', ...env }, platform: 'linux', home: '/home/u', readFile: async (p) => files[p] });
}

test('PEM helpers: certificates in order, text between them skipped; the first private key', () => {
  assert.deepEqual(pemCertificates(FILES['/ca/bundle.pem']), [CERT('one'), CERT('two')]);
  assert.deepEqual(pemCertificates('no pem here'), []);
  assert.equal(pemPrivateKey(FILES['/client/pip.pem']), KEY);
  assert.equal(pemPrivateKey(pem('EC PRIVATE KEY', 'eA==')), pem('EC PRIVATE KEY', 'eA=='));
  assert.equal(pemPrivateKey(CERT('x')), undefined);
});

test('Python trust: REQUESTS_CA_BUNDLE > CURL_CA_BUNDLE > PIP_CERT > pip.conf cert ([install] over [global]) > SSL_CERT_FILE > defaults', async () => {
  const all = { REQUESTS_CA_BUNDLE: '/ca/requests.pem', CURL_CA_BUNDLE: '/ca/curl.pem', PIP_CERT: '/ca/pipenv.pem', PIP_CONFIG_FILE: '/conf/pip.conf', SSL_CERT_FILE: '/ca/sslcertfile.pem' };
  const order = [
    ['REQUESTS_CA_BUNDLE', 'requests'],
    ['CURL_CA_BUNDLE', 'curl'],
    ['PIP_CERT', 'pipenv'],
    ['PIP_CONFIG_FILE', 'pipconf'],
    ['SSL_CERT_FILE', 'sslcertfile'],
  ];
  const env = { ...all };
  for (const [name, which] of order) {
    const config = await python(env);
    assert.deepEqual(config.connection.ca, [CERT(which)], `with ${Object.keys(env).join(', ')}`);
    assert.equal(config.connection.verify, true);
    delete env[name];
  }
  const none = await python({});
  assert.equal(none.connection.ca, undefined);
  assert.deepEqual(none.connection.sources, []);
  const install = await python({ PIP_CONFIG_FILE: '/conf/install.conf' });
  assert.deepEqual(install.connection.ca, [CERT('install')]);
  assert.match(install.describe().join('\n'), /Trusted certificate authorities: \/ca\/install\.pem \(from \/conf\/install\.conf \[install\] cert\)/);
});

test('Python client certificate: pip client_cert (PIP_CLIENT_CERT over pip.conf) over SSL_CLIENT_CERT; a file without its key is refused with a warning', async () => {
  const fromConf = await python({ PIP_CONFIG_FILE: '/conf/pip.conf', SSL_CLIENT_CERT: '/client/uv.pem' });
  assert.deepEqual(fromConf.connection.clientCert, { cert: CERT('client'), key: KEY });
  const fromEnv = await python({ PIP_CONFIG_FILE: '/conf/pip.conf', PIP_CLIENT_CERT: '/client/uv.pem' });
  assert.deepEqual(fromEnv.connection.clientCert, { cert: CERT('uvclient'), key: KEY });
  const uv = await python({ SSL_CLIENT_CERT: '/client/uv.pem' });
  assert.deepEqual(uv.connection.clientCert, { cert: CERT('uvclient'), key: KEY });
  const noKey = await python({ PIP_CLIENT_CERT: '/client/nokey.pem' });
  assert.equal(noKey.connection.clientCert, undefined);
  assert.deepEqual(noKey.warnings, ['PIP_CLIENT_CERT names /client/nokey.pem, which must hold both the certificate and its private key in PEM; Pinsight sends no client certificate.']);
});

test('Python: unreadable or empty bundles are ignored with a warning; the connection id changes with the settings', async () => {
  const missing = await python({ PIP_CERT: '/ca/missing.pem' });
  assert.equal(missing.connection.ca, undefined);
  assert.deepEqual(missing.warnings, ['PIP_CERT names /ca/missing.pem, which cannot be read; Pinsight ignores it.']);
  const empty = await python({ REQUESTS_CA_BUNDLE: '/empty.pem' }, { '/empty.pem': 'nothing' });
  assert.deepEqual(empty.warnings, ['REQUESTS_CA_BUNDLE names /empty.pem, which holds no PEM certificate; Pinsight ignores it.']);
  const a = await python({ PIP_CERT: '/ca/pipenv.pem' });
  const b = await python({ PIP_CERT: '/ca/pipenv.pem' });
  const c = await python({ PIP_CERT: '/ca/curl.pem' });
  assert.equal(a.connection.id, b.connection.id);
  assert.notEqual(a.connection.id, c.connection.id);
  assert.notEqual(a.connection.id, (await python({})).connection.id);
});

test('a bundle read with every check is parsed once per text; the id follows the certificates, not the array', async () => {
  const a = await python({ REQUESTS_CA_BUNDLE: '/ca/bundle.pem' });
  const b = await python({ REQUESTS_CA_BUNDLE: '/ca/bundle.pem' });
  assert.equal(b.connection.ca, a.connection.ca, 'the same text gives the same certificates');
  assert.equal(a.connection.id, b.connection.id);
  // The file changed: its new certificates and a new id.
  const changed = await python({ REQUESTS_CA_BUNDLE: '/ca/bundle.pem' }, { ...FILES, '/ca/bundle.pem': CERT('three') });
  assert.deepEqual(changed.connection.ca, [CERT('three')]);
  assert.notEqual(changed.connection.id, a.connection.id);
  // Equal certificates in another array (npm's inline ca) make the same id; other ones another.
  const parts = { verify: true, advice: { untrusted: '', clientCertificate: '' }, sources: [] };
  assert.equal(makeConnection({ ...parts, ca: [...a.connection.ca] }).id, makeConnection({ ...parts, ca: a.connection.ca }).id);
  assert.notEqual(makeConnection({ ...parts, ca: [CERT('one')] }).id, makeConnection({ ...parts, ca: a.connection.ca }).id);
});

test('Python: trusted hosts are not verified (pip mounts an insecure adapter); host alone matches any port', async () => {
  const config = await python({ PIP_TRUSTED_HOST: 'intranet.example other.example:8443' });
  const conn = config.connection;
  assert.deepEqual(conn.insecureHosts, ['intranet.example', 'other.example:8443']);
  assert.equal(verifiesCertificate(conn, new URL('https://intranet.example:9000/simple/')), false);
  assert.equal(verifiesCertificate(conn, new URL('https://other.example:8443/simple/')), false);
  assert.equal(verifiesCertificate(conn, new URL('https://other.example/simple/')), true);
  assert.equal(verifiesCertificate(conn, new URL('https://pypi.org/simple/')), true);
  assert.equal(verifiesCertificate(makeConnection({ verify: false, advice: conn.advice, sources: [] }), new URL('https://pypi.org/')), false);
});

// ---- npm ----

function npm({ project = '', user = '', env = {}, files = {} } = {}) {
  const all = { '/p/.npmrc': project, '/home/u/.npmrc': user, ...files };
  return loadNpmConfig({ projectDir: '/p', home: '/home/u', env, readFile: async (p) => (all[p] === '' ? undefined : all[p]) });
}
const inline = (cert) => JSON.stringify(cert.trimEnd());

test('npm trust: cafile wins over ca whatever their layers; ca inline (string or ca[]); relative cafile resolves against the project', async () => {
  const files = { '/p/certs/ca.pem': CERT('cafile'), '/etc/user-ca.pem': CERT('usercafile') };
  const caOnly = await npm({ project: `ca=${inline(CERT('inline'))}\n` });
  assert.deepEqual(caOnly.connection.ca, [CERT('inline')]);
  const caArray = await npm({ project: `ca[]=${inline(CERT('a'))}\nca[]=${inline(CERT('b'))}\n` });
  assert.deepEqual(caArray.connection.ca, [CERT('a'), CERT('b')]);
  const both = await npm({ project: `ca=${inline(CERT('inline'))}\n`, user: 'cafile=/etc/user-ca.pem\n', files });
  assert.deepEqual(both.connection.ca, [CERT('usercafile')]);
  const relative = await npm({ project: 'cafile=certs/ca.pem\n', files });
  assert.deepEqual(relative.connection.ca, [CERT('cafile')]);
  assert.match(relative.connection.sources[0], /\/p\/certs\/ca\.pem \(cafile, from the project npm config\)/);
  const unreadable = await npm({ project: `cafile=/nope.pem\nca=${inline(CERT('inline'))}\n` });
  assert.deepEqual(unreadable.connection.ca, [CERT('inline')], 'npm skips a cafile it cannot read');
  assert.deepEqual(unreadable.warnings, ['cafile in the project npm config names /nope.pem, which cannot be read; npm ignores it too.']);
  const env = await npm({ env: { npm_config_cafile: '/etc/user-ca.pem' }, project: 'cafile=certs/ca.pem\n', files });
  assert.deepEqual(env.connection.ca, [CERT('usercafile')], 'npm_config_* is above the project file');
  assert.equal((await npm()).connection.ca, undefined);
});

test('npm strict-ssl: false turns verification off from any layer; the higher layer wins', async () => {
  assert.equal((await npm({ user: 'strict-ssl=false\n' })).connection.verify, false);
  assert.equal((await npm({ env: { npm_config_strict_ssl: 'false' } })).connection.verify, false);
  assert.equal((await npm({ project: 'strict-ssl=true\n', user: 'strict-ssl=false\n' })).connection.verify, true);
  assert.equal((await npm()).connection.verify, true);
});

test('npm proxy: https-proxy over proxy for every URL, noproxy over NO_PROXY; none set leaves the environment to the transport', async () => {
  const both = await npm({ project: 'proxy=http://plain.proxy:3128\nhttps-proxy=http://user:pw@secure.proxy:3128\n', env: { NO_PROXY: 'internal.example' } });
  assert.deepEqual(both.connection.proxy, { proxy: 'http://user:pw@secure.proxy:3128', noProxy: 'internal.example' });
  assert.ok(both.connection.sources.includes('Proxy: http://****@secure.proxy:3128 (https-proxy, from the project npm config)'));
  assert.doesNotMatch(both.connection.sources.join('\n'), /pw@/);
  const plain = await npm({ user: 'proxy=http://plain.proxy:3128\nnoproxy=a.example,b.example\n' });
  assert.deepEqual(plain.connection.proxy, { proxy: 'http://plain.proxy:3128', noProxy: 'a.example,b.example' });
  const list = await npm({ user: 'proxy=http://plain.proxy:3128\nnoproxy[]=a.example\nnoproxy[]=b.example\n' });
  assert.equal(list.connection.proxy.noProxy, 'a.example,b.example');
  const onlyNoProxy = await npm({ project: 'noproxy=registry.internal\n', env: { HTTPS_PROXY: 'http://env.proxy:1' } });
  assert.deepEqual(onlyNoProxy.connection.proxy, { httpsProxy: 'http://env.proxy:1', httpProxy: undefined, noProxy: 'registry.internal' });
  const none = await npm({ env: { HTTPS_PROXY: 'http://env.proxy:1' } });
  assert.equal(none.connection.proxy, undefined);
});
