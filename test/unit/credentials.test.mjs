// Credentials follow their configuration: a scope's credentials are replaced when it reloads,
// forgotten on reset, and never sent for another scope's requests to the same host.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CredentialSources, scopedHttp } from '../../dist/core/http/credentials.js';
import { RegistryHttp } from '../../dist/core/http/registryHttp.js';
import { NpmRegistryServices } from '../../dist/core/npm/registry/services.js';
import { PythonIndexServices } from '../../dist/core/python/index/services.js';

const clock = { now: () => Date.UTC(2025, 0, 1), random: () => 0.5, sleep: () => Promise.resolve() };
const encode = (text) => new TextEncoder().encode(text);

/** A transport that records the Authorization header of every request and answers like a registry. */
function recordingTransport() {
  const seen = [];
  const transport = async (request) => {
    const auth = Object.entries(request.headers).find(([k]) => k.toLowerCase() === 'authorization')?.[1];
    seen.push({ url: request.url, auth });
    if (request.url.includes('/simple/')) {
      const body = JSON.stringify({ meta: { 'api-version': '1.1' }, name: 'demo', files: [], versions: [] });
      return { status: 200, headers: { 'content-type': 'application/vnd.pypi.simple.v1+json' }, body: encode(body) };
    }
    const name = decodeURIComponent(new URL(request.url).pathname.split('/').pop());
    const body = JSON.stringify({ name, 'dist-tags': { latest: '1.0.0' }, versions: { '1.0.0': { name, version: '1.0.0' } } });
    return { status: 200, headers: { 'content-type': 'application/json' }, body: encode(body) };
  };
  return { seen, transport };
}

test('a scope answers with what it holds now; other scopes and a cleared registry send nothing', async () => {
  const { seen, transport } = recordingTransport();
  const http = new RegistryHttp({ transport, clock });
  const credentials = new CredentialSources();
  const token = (value) => ({ authorization: (url) => (url.host === 'registry.example' ? `Bearer ${value}` : undefined) });
  credentials.set('a', token('one'));
  const a = scopedHttp(http, credentials.forScope('a'));
  const b = scopedHttp(http, credentials.forScope('b'));
  await a.fetch('https://registry.example/demo', { cache: 'ttl' });
  await b.fetch('https://registry.example/demo', { cache: 'ttl' });
  // Another host gets nothing even from the scope that has a token.
  await a.fetch('https://other.example/demo', { cache: 'ttl' });
  assert.deepEqual(seen.map((s) => s.auth), ['Bearer one', undefined, undefined]);

  // Rotated: the fresh cached answer made with the old token is not reused for the new one.
  credentials.set('a', token('two'));
  await a.fetch('https://registry.example/demo', { cache: 'ttl' });
  assert.equal(seen.at(-1).auth, 'Bearer two');

  credentials.clear();
  assert.equal(credentials.size, 0);
  await a.fetch('https://registry.example/demo', { cache: 'none' });
  assert.equal(seen.at(-1).auth, undefined);
});

function contextOver(files, http, credentials, settings = {}) {
  return {
    http,
    credentials,
    settings: { origin: 'cli', ...settings },
    env: { HOME: '/home/u' },
    home: '/home/u',
    platform: 'linux',
    readFile: async (path) => files.get(path),
  };
}

test('npm: each project folder sends its own .npmrc token; a rotated token is sent after reset', async () => {
  const { seen, transport } = recordingTransport();
  const http = new RegistryHttp({ transport, clock });
  const credentials = new CredentialSources();
  const files = new Map([
    ['/work/a/.npmrc', 'registry=https://npm.example/\n//npm.example/:_authToken=TOKEN_A_1\n'],
    ['/work/b/.npmrc', 'registry=https://npm.example/\n'],
  ]);
  const services = new NpmRegistryServices(contextOver(files, http, credentials));
  const a = await services.npmFor('/work/a/package.json');
  const b = await services.npmFor('/work/b/package.json');
  await a.client.getPackument('demo');
  await b.client.getPackument('demo');
  assert.deepEqual(seen.map((s) => s.auth), ['Bearer TOKEN_A_1', undefined], 'project b never gets project a token for the same host');

  files.set('/work/a/.npmrc', 'registry=https://npm.example/\n//npm.example/:_authToken=TOKEN_A_2\n');
  credentials.clear();
  services.reset();
  await (await services.npmFor('/work/a/package.json')).client.getPackument('demo');
  assert.equal(seen.at(-1).auth, 'Bearer TOKEN_A_2');

  // A deleted token is no longer sent (the anonymous answer project b got may be served from cache).
  files.set('/work/a/.npmrc', 'registry=https://npm.example/\n');
  credentials.clear();
  services.reset();
  const before = seen.length;
  await (await services.npmFor('/work/a/package.json')).client.getPackument('other-demo');
  assert.equal(seen.length, before + 1);
  assert.equal(seen.at(-1).auth, undefined);
});

test('python: a rotated .netrc password is sent on the next check; another tree never gets a tree\'s index userinfo', async () => {
  const { seen, transport } = recordingTransport();
  const http = new RegistryHttp({ transport, clock });
  const credentials = new CredentialSources();
  const netrc = (password) => `machine pypi.example login bot password ${password}\n`;
  const files = new Map([['/home/u/.netrc', netrc('NETRC_1')]]);
  const services = new PythonIndexServices(contextOver(files, http, credentials, { indexUrl: 'https://pypi.example/simple' }));
  const tree = (path, options = []) => [{ path, kind: 'requirements', dependencies: [], includes: [], problems: [], options }];
  const basic = (user, password) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

  let { client } = await services.pypiFor(tree('/work/a/requirements.txt'));
  await client.getProject('demo');
  assert.equal(seen.at(-1).auth, basic('bot', 'NETRC_1'));
  files.set('/home/u/.netrc', netrc('NETRC_2'));
  ({ client } = await services.pypiFor(tree('/work/a/requirements.txt')));
  await client.getProject('demo');
  assert.equal(seen.at(-1).auth, basic('bot', 'NETRC_2'));

  // Tree c names the index with userinfo for another host (mirror.example); tree a must not get it.
  const range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  const option = { name: 'extra-index-url', value: 'https://ci:TREE_C_SECRET@mirror.example/simple', range };
  ({ client } = await services.pypiFor(tree('/work/c/requirements.txt', [option])));
  await client.getProject('demo');
  assert.ok(seen.some((s) => s.url.startsWith('https://mirror.example/') && s.auth === basic('ci', 'TREE_C_SECRET')));
  const sharedHost = scopedHttp(http, credentials.forScope('python\n/work/a/requirements.txt'));
  await sharedHost.fetch('https://mirror.example/simple/demo/', { cache: 'none' });
  assert.equal(seen.at(-1).auth, undefined);
});
