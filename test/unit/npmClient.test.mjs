// The npm client against the loopback fake registry (recorded packuments from test/fixtures/npm):
// the abbreviated Accept header, scoped-name encoding, dist-tags, deprecation, peer metadata,
// per-scope registries with tokens sent only where they belong, the ttl cache, and every fault
// turning into a typed RegistryError after retries, or into stale data when a cached copy exists.
// Requests go through the real RegistryHttp with a fetch-based transport and a fake clock.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { NpmClient, NPM_ABBREVIATED_ACCEPT, parsePackument, escapePackageName, isValidPackageName } from '../../dist/core/npm/registry/npmClient.js';
import { loadNpmConfig } from '../../dist/core/npm/registry/npmrc.js';
import { RegistryHttp } from '../../dist/core/http/registryHttp.js';
import { RegistryError } from '../../dist/core/http/types.js';
import { startFakeNpm } from '../support/fakeNpm.mjs';
import { fetchTransport } from '../support/fetchTransport.mjs';

const transport = fetchTransport;

function makeHttp(options = {}) {
  const clock = { t: 1_000_000, sleeps: [], now: () => clock.t, random: () => 0 };
  clock.sleep = async (ms) => {
    clock.sleeps.push(ms);
    clock.t += ms;
  };
  const http = new RegistryHttp({ transport, clock, retries: 0, ...options });
  return { http, clock };
}

const configFor = (fake, scopes = {}) => ({ defaultRegistry: fake.url, scopes });

async function rejects(promise, kind, status) {
  await assert.rejects(promise, (error) => {
    assert.ok(error instanceof RegistryError, `expected RegistryError, got ${error}`);
    assert.equal(error.kind, kind, error.message);
    if (status !== undefined) assert.equal(error.status, status);
    return true;
  });
}

const EXTRA = {
  tagged: {
    'dist-tags': { latest: '1.0.0', next: '2.0.0-rc.1', legacy: '0.9.0' },
    versions: { '0.9.0': {}, '1.0.0': { dependencies: { react: '^18.0.0' } }, '2.0.0-rc.1': { dependencies: { react: '^19.0.0' } } },
  },
  retired: {
    versions: {
      '1.0.0': { deprecated: 'Use "fresh" instead <https://example.com/why>' },
      '1.0.1': { deprecated: '' },
      '1.0.2': {},
    },
  },
  legacy: {
    versions: {
      '0.1.0': { dependencies: ['underscore', 'async'], engines: ['node >= 0.4'] },
      '0.2.0': { dependencies: { ok: '1.x', bad: 3, worse: null }, peerDependenciesMeta: { x: { optional: 'yes' }, y: 'optional' } },
    },
  },
  '@corp/widget': { versions: { '1.2.3': { peerDependencies: { react: '>=17' } } } },
};

describe('fakeNpm speaks the registry protocol', () => {
  let fake;
  before(async () => (fake = await startFakeNpm({ packages: ['react', '@types/react', 'react-redux'], extra: EXTRA })));
  after(() => fake.close());

  test('abbreviated by Accept, full otherwise', async () => {
    const abbreviated = await fetch(`${fake.url}react`, { headers: { accept: NPM_ABBREVIATED_ACCEPT } });
    assert.equal(abbreviated.headers.get('content-type'), 'application/vnd.npm.install-v1+json');
    const small = await abbreviated.json();
    assert.equal(small._id, undefined);
    assert.ok(small.modified);
    const full = await fetch(`${fake.url}react`, { headers: { accept: 'application/json' } });
    assert.equal(full.headers.get('content-type'), 'application/json');
    const big = await full.json();
    assert.equal(big._id, 'react');
    assert.equal(big.versions['18.3.1']._id, 'react@18.3.1');
    assert.notEqual(abbreviated.headers.get('etag'), full.headers.get('etag'));
    // q=0 refuses the abbreviated form.
    const refused = await fetch(`${fake.url}react`, { headers: { accept: 'application/vnd.npm.install-v1+json;q=0, application/json' } });
    assert.equal(refused.headers.get('content-type'), 'application/json');
  });

  test('scoped names in every spelling', async () => {
    const bodies = [];
    for (const path of ['@types%2freact', '@types%2Freact', '@types/react']) {
      const res = await fetch(`${fake.url}${path}`, { headers: { accept: NPM_ABBREVIATED_ACCEPT } });
      assert.equal(res.status, 200, path);
      bodies.push(await res.text());
    }
    assert.equal(new Set(bodies).size, 1);
    assert.equal(JSON.parse(bodies[0]).name, '@types/react');
  });

  test('ETag and 304', async () => {
    const first = await fetch(`${fake.url}react`, { headers: { accept: NPM_ABBREVIATED_ACCEPT } });
    const etag = first.headers.get('etag');
    assert.ok(etag);
    const again = await fetch(`${fake.url}react`, { headers: { accept: NPM_ABBREVIATED_ACCEPT, 'if-none-match': etag } });
    assert.equal(again.status, 304);
    const changed = await fetch(`${fake.url}react`, { headers: { accept: NPM_ABBREVIATED_ACCEPT, 'if-none-match': '"other"' } });
    assert.equal(changed.status, 200);
  });

  test('dist-tags endpoint and 404s', async () => {
    assert.deepEqual(await (await fetch(`${fake.url}-/package/tagged/dist-tags`)).json(), { latest: '1.0.0', next: '2.0.0-rc.1', legacy: '0.9.0' });
    for (const path of ['nope', '@types%2fnope', '-/whoami', 'react/-/react-0.0.0-none.tgz']) {
      assert.equal((await fetch(`${fake.url}${path}`)).status, 404, path);
    }
  });

  test('tarballs on the fake host, valid, matching their integrity', async () => {
    const doc = await (await fetch(`${fake.url}@corp%2fwidget`, { headers: { accept: NPM_ABBREVIATED_ACCEPT } })).json();
    const dist = doc.versions['1.2.3'].dist;
    assert.equal(dist.tarball, `${fake.url}@corp/widget/-/widget-1.2.3.tgz`);
    const bytes = Buffer.from(await (await fetch(dist.tarball)).arrayBuffer());
    assert.equal(`sha512-${createHash('sha512').update(bytes).digest('base64')}`, dist.integrity);
    assert.equal(createHash('sha1').update(bytes).digest('hex'), dist.shasum);
    const tar = gunzipSync(bytes);
    assert.equal(tar.subarray(0, 20).toString('latin1').replace(/\0.*$/s, ''), 'package/package.json');
    const size = parseInt(tar.subarray(124, 135).toString('latin1'), 8);
    assert.deepEqual(JSON.parse(tar.subarray(512, 512 + size).toString()), { name: '@corp/widget', version: '1.2.3', peerDependencies: { react: '>=17' } });
  });

  test('a token, when required', async () => {
    const locked = await startFakeNpm({ packages: ['react'], requireToken: 'tok' });
    try {
      assert.equal((await fetch(`${locked.url}react`)).status, 401);
      assert.equal((await fetch(`${locked.url}react`, { headers: { authorization: 'Bearer wrong' } })).status, 401);
      assert.equal((await fetch(`${locked.url}react`, { headers: { authorization: 'Bearer tok' } })).status, 200);
    } finally {
      await locked.close();
    }
  });
});

describe('NpmClient reads packuments', () => {
  let fake;
  before(async () => (fake = await startFakeNpm({ packages: ['react', '@types/react', 'react-redux', 'react-beautiful-dnd', 'esbuild'], extra: EXTRA })));
  after(() => fake.close());
  const client = () => new NpmClient(makeHttp().http, configFor(fake));

  test('the abbreviated Accept header, and the data', async () => {
    const before = fake.requests.length;
    const react = await client().getPackument('react');
    const sent = fake.requests.slice(before);
    assert.deepEqual(sent.map((r) => [r.path, r.accept]), [['/react', 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*']]);
    assert.equal(react.name, 'react');
    assert.equal(react.registry, fake.url);
    assert.equal(react.stale, false);
    assert.equal(react.distTags.latest, '19.3.1');
    assert.ok(react.modified);
    const v = react.versions.get('18.3.1');
    assert.deepEqual(v, { version: '18.3.1', dependencies: { 'loose-envify': '^1.1.0' }, optionalDependencies: {}, peerDependencies: {}, peerDependenciesMeta: {}, engines: { node: '>=0.10.0' } });
    assert.ok(react.versions.has('19.1.0') && react.versions.has('16.14.0'));
  });

  test('scoped names are encoded @scope%2fname', async () => {
    const before = fake.requests.length;
    const types = await client().getPackument('@types/react');
    assert.deepEqual(fake.requests.slice(before).map((r) => r.path), ['/@types%2freact']);
    assert.equal(types.name, '@types/react');
    assert.ok(types.versions.get('18.3.3').dependencies.csstype);
    assert.equal(escapePackageName('@a/b'), '@a%2fb');
    assert.equal(escapePackageName('plain'), 'plain');
  });

  test('dist-tags', async () => {
    const tagged = await client().getPackument('tagged');
    assert.deepEqual(tagged.distTags, { latest: '1.0.0', next: '2.0.0-rc.1', legacy: '0.9.0' });
    assert.deepEqual([...tagged.versions.keys()], ['0.9.0', '1.0.0', '2.0.0-rc.1']);
  });

  test('deprecation messages', async () => {
    const c = client();
    const rbd = await c.getPackument('react-beautiful-dnd');
    assert.match(rbd.versions.get('13.1.1').deprecated, /^react-beautiful-dnd is now deprecated/);
    assert.equal((await c.getPackument('react')).versions.get('18.3.1').deprecated, undefined);
    const retired = await c.getPackument('retired');
    assert.equal(retired.versions.get('1.0.0').deprecated, 'Use "fresh" instead <https://example.com/why>');
    assert.equal(retired.versions.get('1.0.1').deprecated, undefined); // "" un-deprecates
    assert.equal(retired.versions.get('1.0.2').deprecated, undefined);
  });

  test('peerDependencies and peerDependenciesMeta', async () => {
    const redux = await client().getPackument('react-redux');
    const v = redux.versions.get('7.2.9');
    assert.deepEqual(v.peerDependencies, { react: '^16.8.3 || ^17 || ^18' });
    assert.deepEqual(v.peerDependenciesMeta, { 'react-dom': { optional: true }, 'react-native': { optional: true } });
    const dnd = (await client().getPackument('react-beautiful-dnd')).versions.get('13.1.1');
    assert.deepEqual(dnd.peerDependencies, { react: '^16.8.5 || ^17.0.0 || ^18.0.0', 'react-dom': '^16.8.5 || ^17.0.0 || ^18.0.0' });
    assert.equal(dnd.dependencies['react-redux'], '^7.2.0');
  });

  test('optionalDependencies', async () => {
    const esbuild = await client().getPackument('esbuild');
    const latest = esbuild.versions.get(esbuild.distTags.latest);
    assert.ok(Object.keys(latest.optionalDependencies).length > 20);
    assert.ok(Object.keys(latest.optionalDependencies).every((n) => n.startsWith('@esbuild/')));
  });

  test('legacy and odd shapes are read, not trusted', async () => {
    const legacy = await client().getPackument('legacy');
    const old = legacy.versions.get('0.1.0');
    assert.deepEqual(old.dependencies, { underscore: '*', async: '*' });
    assert.equal(old.engines, undefined);
    const odd = legacy.versions.get('0.2.0');
    assert.deepEqual(odd.dependencies, { ok: '1.x' });
    assert.deepEqual(odd.peerDependenciesMeta, { x: {} });
  });

  test('not found, and names that cannot exist', async () => {
    await rejects(client().getPackument('no-such-package'), 'not-found', 404);
    await rejects(client().getPackument('@types/no-such'), 'not-found', 404);
    const before = fake.requests.length;
    for (const bad of ['', '../etc/passwd', 'a b', '@scope/', '@/x', 'x/y', '.hidden', 'a%2fb', '@s/a/b']) {
      await rejects(client().getPackument(bad), 'not-found');
      assert.equal(isValidPackageName(bad), false, bad);
    }
    assert.equal(fake.requests.length, before, 'invalid names never reach the registry');
    for (const good of ['react', '@types/react', 'JSONStream', 'lodash.merge', 'left-pad', '@babel/runtime', 'a_b']) assert.ok(isValidPackageName(good), good);
  });

  test('cached with ttl: a fresh hit needs no request, an expired one revalidates with a 304', async () => {
    const { http, clock } = makeHttp({ ttlMs: 60_000 });
    const c = new NpmClient(http, configFor(fake));
    const count = () => fake.requests.filter((r) => r.path === '/react-redux').length;
    const start = count();
    const first = await c.getPackument('react-redux');
    const second = await c.getPackument('react-redux');
    assert.equal(count() - start, 1);
    assert.equal(second.versions, first.versions, 'a cache hit reuses the parsed versions');
    clock.t += 61_000;
    const third = await c.getPackument('react-redux');
    assert.equal(count() - start, 2);
    const last = fake.requests.filter((r) => r.path === '/react-redux').at(-1);
    assert.ok(last.ifNoneMatch, 'revalidation sends the ETag');
    assert.equal(last.status, 304);
    assert.equal(third.versions.get('7.2.9').version, '7.2.9');
    assert.equal(http.stats.revalidated, 1);
  });

  test('credentials in the registry URL: Basic auth to that origin, never in results or messages', async () => {
    const withUser = fake.url.replace('http://', 'http://ci:p%40ss@');
    const c = new NpmClient(makeHttp().http, { defaultRegistry: withUser, scopes: {} });
    assert.equal(c.registryFor('react'), fake.url);
    const before = fake.requests.length;
    const react = await c.getPackument('react');
    assert.equal(react.registry, fake.url);
    assert.equal(fake.requests[before].authorization, `Basic ${Buffer.from('ci:p@ss').toString('base64')}`);
    await assert.rejects(c.getPackument('no-such-package'), (error) => {
      assert.equal(error.kind, 'not-found');
      assert.ok(!error.message.includes('p%40ss') && !error.registry.includes('ci:'), error.message);
      return true;
    });
  });

  test('parsePackument on its own', () => {
    const p = parsePackument('{"name":"x","dist-tags":{"latest":"1.0.0","bad":1},"time":{"modified":"2020-01-01T00:00:00.000Z"},"versions":{"1.0.0":{},"junk":5}}', 'x', 'https://r.example/');
    assert.deepEqual(p.distTags, { latest: '1.0.0' });
    assert.equal(p.modified, '2020-01-01T00:00:00.000Z');
    assert.deepEqual([...p.versions.keys()], ['1.0.0']);
  });
});

describe('per-scope registries and tokens', () => {
  let pub;
  let priv;
  before(async () => {
    pub = await startFakeNpm({ packages: ['react'] });
    priv = await startFakeNpm({ packages: [], extra: { '@corp/widget': EXTRA['@corp/widget'] }, requireToken: 's3cret' });
  });
  after(async () => {
    await pub.close();
    await priv.close();
  });

  async function setup(npmrc) {
    const config = await loadNpmConfig({ projectDir: '/p', home: '/h', env: {}, readFile: async (p) => (p === '/p/.npmrc' ? npmrc : undefined) });
    const { http } = makeHttp({ authorization: config.authorization });
    return new NpmClient(http, config);
  }

  test('the token goes to its registry only', async () => {
    const host = new URL(priv.url).host;
    const c = await setup(`registry=${pub.url}\n@corp:registry=${priv.url}\n//${host}/:_authToken=s3cret\n`);
    assert.equal(c.registryFor('@corp/widget'), priv.url);
    assert.equal(c.registryFor('react'), pub.url);
    const widget = await c.getPackument('@corp/widget');
    assert.equal(widget.registry, priv.url);
    assert.deepEqual(widget.versions.get('1.2.3').peerDependencies, { react: '>=17' });
    assert.equal((await c.getPackument('react')).registry, pub.url);
    assert.ok(priv.requests.length > 0 && priv.requests.every((r) => r.authorization === 'Bearer s3cret'));
    assert.ok(pub.requests.length > 0 && pub.requests.every((r) => r.authorization === undefined));
    // A scoped package the public registry serves never meets the private token either.
    await rejects(c.getPackument('@other/thing'), 'not-found', 404);
    assert.ok(pub.requests.every((r) => r.authorization === undefined));
  });

  test('a token for another path on the same host is not sent: 401 is a typed http error', async () => {
    const host = new URL(priv.url).host;
    const c = await setup(`@corp:registry=${priv.url}\n//${host}/elsewhere/:_authToken=s3cret\n`);
    const before = priv.requests.length;
    await assert.rejects(c.getPackument('@corp/widget'), (error) => {
      assert.ok(error instanceof RegistryError);
      assert.equal(error.kind, 'http');
      assert.equal(error.status, 401);
      assert.match(error.message, /_authToken/);
      return true;
    });
    assert.deepEqual(priv.requests.slice(before).map((r) => r.authorization), [undefined]);
  });
});

describe('faults become typed errors after retries, or stale data', () => {
  let fake;
  before(async () => (fake = await startFakeNpm({ packages: ['react-redux'], extra: { small: { versions: { '1.0.0': { dependencies: { a: '^1' } } } } } })));
  after(() => fake.close());

  function retrying(options = {}) {
    const { http, clock } = makeHttp({ retries: 3, ...options });
    return { c: new NpmClient(http, configFor(fake)), http, clock };
  }
  const since = (n) => fake.requests.slice(n);

  test('500 twice, then success', async () => {
    fake.setFaults([{ kind: 'error', status: 500, times: 2, match: 'small' }]);
    const { c, clock } = retrying();
    const n = fake.requests.length;
    const small = await c.getPackument('small');
    assert.deepEqual(small.versions.get('1.0.0').dependencies, { a: '^1' });
    assert.deepEqual(since(n).map((r) => r.status), [500, 500, 200]);
    assert.equal(clock.sleeps.length, 2);
  });

  test('503 every time: http error after 1 + 3 tries', async () => {
    fake.setFaults([{ kind: 'error', status: 503, match: 'small' }]);
    const n = fake.requests.length;
    await rejects(retrying().c.getPackument('small'), 'http', 503);
    assert.equal(since(n).length, 4);
  });

  test('429 honours Retry-After', async () => {
    fake.setFaults([{ kind: 'rate-limit', retryAfter: 7, times: 1 }]);
    const { c, clock } = retrying();
    await c.getPackument('small');
    assert.deepEqual(clock.sleeps, [7000]);
  });

  test('connection reset: retried, then unreachable', async () => {
    fake.setFaults([{ kind: 'reset', times: 1 }]);
    assert.ok((await retrying().c.getPackument('small')).versions.has('1.0.0'));
    fake.setFaults([{ kind: 'reset' }]);
    const n = fake.requests.length;
    await rejects(retrying().c.getPackument('small'), 'unreachable');
    assert.equal(since(n).length, 4);
  });

  test('a truncated body is a broken connection, not data', async () => {
    fake.setFaults([{ kind: 'truncate', match: 'react-redux' }]);
    await rejects(retrying().c.getPackument('react-redux'), 'unreachable');
  });

  test('malformed bodies', async () => {
    const bodies = ['{"name": "small", "versions": {"1.0.0": ', '<html>Sign in to the proxy</html>', '[]', '{"name":"small","versions":[]}', '{"name":"other","versions":{}}', ''];
    for (const body of bodies) {
      fake.setFaults([{ kind: 'malformed', body, times: 1 }]);
      await rejects(makeClient().getPackument('small'), 'malformed');
    }
    function makeClient() {
      return new NpmClient(makeHttp().http, configFor(fake));
    }
  });

  test('404 injected', async () => {
    fake.setFaults([{ kind: 'not-found', times: 1 }]);
    await rejects(retrying().c.getPackument('small'), 'not-found', 404);
  });

  test('slow drip still arrives whole', async () => {
    fake.setFaults([{ kind: 'drip', bytes: 64, intervalMs: 1, match: 'small', times: 1 }]);
    const n = fake.requests.length;
    const small = await retrying().c.getPackument('small');
    assert.equal(since(n)[0].fault, 'drip');
    assert.deepEqual(small.versions.get('1.0.0').dependencies, { a: '^1' });
  });

  test('registry down with a cached copy: stale data, flagged', async () => {
    fake.setFaults([]);
    const { c, http, clock } = retrying({ ttlMs: 1000 });
    const fresh = await c.getPackument('react-redux');
    assert.equal(fresh.stale, false);
    clock.t += 5000;
    fake.setFaults([{ kind: 'reset' }]);
    const stale = await c.getPackument('react-redux');
    assert.equal(stale.stale, true);
    assert.equal(http.degraded, true);
    assert.deepEqual(stale.versions.get('7.2.9'), fresh.versions.get('7.2.9'));
    fake.setFaults([{ kind: 'error', status: 502 }]);
    assert.equal((await c.getPackument('react-redux')).stale, true);
  });

  test('cancellation while the registry is slow', async () => {
    fake.setFaults([{ kind: 'latency', ms: 30_000, match: 'small' }]);
    const controller = new AbortController();
    const n = fake.requests.length;
    const pending = retrying().c.getPackument('small', controller.signal);
    const deadline = Date.now() + 5000;
    while (since(n).length === 0 && Date.now() < deadline) await new Promise((r) => setImmediate(r));
    controller.abort();
    await rejects(pending, 'aborted');
    fake.setFaults([]);
  });
});
