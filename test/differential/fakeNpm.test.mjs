// Differential test: the real npm CLI against our loopback registry (test/support/fakeNpm.mjs), and
// npm's own config resolution against ours (server/src/core/npm/registry/npmrc.ts). If npm can resolve
// trees from the fake exactly as from registry.npmjs.org, tests built on it mean something; if npm
// routes packages and tokens the way loadNpmConfig says, Pinsight asks the registries npm would ask.
// npm runs with an isolated HOME, prefix and cache, and never leaves 127.0.0.1.
import { test, describe, before, after } from 'node:test';
import { requireOracles } from '../support/oracles.mjs';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startFakeNpm } from '../support/fakeNpm.mjs';
import { loadNpmConfig, registryForPackage } from '../../dist/core/npm/registry/npmrc.js';
import { NPM_ABBREVIATED_ACCEPT } from '../../dist/core/npm/registry/npmClient.js';
import { runProcess } from '../support/runProcess.mjs';

// The oracles this file compares with, in the versions it was written against.
before(() => requireOracles('npm'));

const root = mkdtempSync(path.join(tmpdir(), 'pinsight-npm-'));
after(() => rmSync(root, { recursive: true, force: true }));

let counter = 0;
/** A fresh project folder with its own HOME and global prefix beside it. */
function project(pkg, files = {}) {
  const dir = path.join(root, `case${++counter}`);
  const home = path.join(dir, 'home');
  const prefix = path.join(dir, 'prefix');
  const app = path.join(dir, 'app');
  for (const d of [home, path.join(prefix, 'etc'), app]) mkdirSync(d, { recursive: true });
  writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', ...pkg }));
  const where = { user: path.join(home, '.npmrc'), global: path.join(prefix, 'etc', 'npmrc'), project: path.join(app, '.npmrc') };
  for (const [layer, text] of Object.entries(files)) writeFileSync(where[layer], text);
  return { dir, home, prefix, app };
}

// npm inherits nothing from the environment that runs the tests (npm test sets npm_config_*).
function npmEnv(p, extra = {}) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) && k !== 'PREFIX'));
  return { ...env, HOME: p.home, PREFIX: p.prefix, ...extra };
}

// Asynchronous on purpose: the fake registry runs in this process and must keep answering.
function npm(args, p, env = {}) {
  return runProcess('npm', args, { cwd: p.app, env: npmEnv(p, env) });
}

const INSTALL = ['install', '--package-lock-only', '--no-audit', '--no-fund', '--no-update-notifier', '--ignore-scripts', '--loglevel=error'];
const install = (p, registry, env) => npm([...INSTALL, ...(registry ? ['--registry', registry] : []), '--cache', path.join(p.dir, 'cache')], p, env);
const lockOf = (p) => JSON.parse(readFileSync(path.join(p.app, 'package-lock.json'), 'utf8'));
const versionIn = (lock, name) => lock.packages[`node_modules/${name}`]?.version;

// The config Pinsight would build for the same folders.
function ours(p, env = {}, cliRegistry) {
  const e = npmEnv(p, env);
  const readFile = async (f) => {
    try {
      return readFileSync(f, 'utf8');
    } catch {
      return undefined;
    }
  };
  return loadNpmConfig({ projectDir: p.app, home: p.home, env: e, readFile, cliRegistry });
}

describe('npm resolves against fakeNpm', () => {
  let fake;
  before(async () => (fake = await startFakeNpm()));
  after(() => fake.close());

  test('react 19 with react-beautiful-dnd 13: ERESOLVE, for the peer on react', async () => {
    const p = project({ dependencies: { react: '^19.1.0', 'react-beautiful-dnd': '^13.1.1' } });
    const r = await install(p, fake.url);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /code ERESOLVE/);
    assert.match(r.stderr, /Found: react@19\.\d+\.\d+/);
    assert.match(r.stderr, /peer react@"\^16\.8\.5 \|\| \^17\.0\.0 \|\| \^18\.0\.0" from react-beautiful-dnd@13\.1\.1/);
  });

  test('react 18 with react-beautiful-dnd 13: a lock file, peers filled in', async () => {
    const p = project({ dependencies: { react: '^18.2.0', 'react-beautiful-dnd': '^13.1.1' } });
    const start = fake.requests.length;
    const r = await install(p, fake.url);
    assert.equal(r.code, 0, r.stderr);
    const lock = lockOf(p);
    assert.equal(versionIn(lock, 'react'), '18.3.1');
    assert.equal(versionIn(lock, 'react-dom'), '18.3.1'); // peer of react-beautiful-dnd, installed by npm 7+
    assert.equal(versionIn(lock, 'react-beautiful-dnd'), '13.1.1');
    assert.equal(versionIn(lock, 'react-redux'), '7.2.9');
    assert.match(lock.packages['node_modules/react'].resolved, new RegExp(`^${fake.url}react/-/react-18\\.3\\.1\\.tgz$`));
    const sent = fake.requests.slice(start);
    // Every package npm needed is in the fixtures. npm 11 asks for full documents while building the
    // tree (arborist's #fetchManifest sets fullMetadata) and for the abbreviated one elsewhere, with
    // exactly the Accept header our client sends; the fake must serve both.
    assert.deepEqual(sent.filter((q) => q.status !== 200).map((q) => `${q.path} ${q.status}`), []);
    const accepts = new Set(sent.map((q) => q.accept));
    assert.ok([...accepts].every((a) => a === NPM_ABBREVIATED_ACCEPT || a === 'application/json'), [...accepts].join(' | '));
    assert.ok(sent.some((q) => q.path === '/@types%2freact'), 'scoped names reach the fake as @scope%2fname');
  });

  test('a full install: tarballs whose integrity npm verifies, and the deprecation warning', async () => {
    const p = project({ dependencies: { react: '^18.2.0', 'react-beautiful-dnd': '13.1.1' } });
    const args = ['install', '--no-audit', '--no-fund', '--no-update-notifier', '--ignore-scripts', '--loglevel=warn'];
    const r = await npm([...args, '--registry', fake.url, '--cache', path.join(p.dir, 'cache')], p);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /npm warn deprecated react-beautiful-dnd@13\.1\.1: react-beautiful-dnd is now deprecated/);
    const installed = JSON.parse(readFileSync(path.join(p.app, 'node_modules', 'react-dom', 'package.json'), 'utf8'));
    assert.deepEqual([installed.name, installed.version, installed.peerDependencies], ['react-dom', '18.3.1', { react: '^18.3.1' }]);
  });
});

describe('registry routing and tokens: npm and loadNpmConfig agree', () => {
  let pub;
  let priv;
  before(async () => {
    pub = await startFakeNpm();
    // Only @types/* live on the private registry, which wants a token.
    priv = await startFakeNpm({ packages: ['@types/react', '@types/react-redux', '@types/hoist-non-react-statics'], requireToken: 'sekret' });
  });
  after(async () => {
    await pub.close();
    await priv.close();
  });

  test('a scope registry with a nerf-darted token', async () => {
    const host = new URL(priv.url).host;
    const p = project(
      { dependencies: { react: '^18.2.0', 'react-beautiful-dnd': '^13.1.1' } },
      { project: `registry=${pub.url}\n@types:registry=${priv.url}\n//${host}/:_authToken=\${PRIV_TOKEN}\n` },
    );
    const env = { PRIV_TOKEN: 'sekret' };
    const [p0, q0] = [pub.requests.length, priv.requests.length];
    const r = await install(p, undefined, env);
    assert.equal(r.code, 0, r.stderr);
    const toPub = pub.requests.slice(p0);
    const toPriv = priv.requests.slice(q0);
    assert.ok(toPriv.length >= 3 && toPriv.every((q) => q.name.startsWith('@types/') && q.authorization === 'Bearer sekret'));
    assert.ok(toPub.length > 0 && toPub.every((q) => !q.name.startsWith('@types/') && q.authorization === undefined));
    // Ours: same registry for every package npm fetched, and the same Authorization on each URL.
    const config = await ours(p, env);
    for (const q of [...toPub, ...toPriv]) {
      const server = toPriv.includes(q) ? priv : pub;
      assert.equal(registryForPackage(config, q.name), server.url, q.name);
      assert.equal(config.authorization(new URL(q.path, server.url)), q.authorization, q.path);
    }
  });

  test('a token for another path on that host: npm gets 401, and we would send nothing', async () => {
    const host = new URL(priv.url).host;
    const p = project({ dependencies: { '@types/react': '^18.0.0' } }, { user: `@types:registry=${priv.url}\n//${host}/elsewhere/:_authToken=sekret\n` });
    const r = await install(p, pub.url);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /E401/);
    const config = await ours(p, {}, pub.url);
    assert.equal(registryForPackage(config, '@types/react'), priv.url);
    assert.equal(config.authorization(new URL('@types%2freact', priv.url)), undefined);
  });
});

describe('npm config get registry: precedence matches', () => {
  // [name, files, env, what both must say] — the expectation guards against agreeing on nothing.
  const scenarios = [
    ['defaults', {}, {}, ['https://registry.npmjs.org/', undefined]],
    ['global', { global: 'registry=https://global.example/' }, {}, ['https://global.example/', undefined]],
    ['user over global', { global: 'registry=https://global.example/', user: 'registry=https://user.example/' }, {}, ['https://user.example/', undefined]],
    ['project over user', { user: 'registry=https://user.example/', project: 'registry=https://project.example/npm' }, {}, ['https://project.example/npm/', undefined]],
    ['env over project', { project: 'registry=https://project.example/' }, { NPM_CONFIG_REGISTRY: 'https://env.example/' }, ['https://env.example/', undefined]],
    [
      'env expansion and scopes',
      { user: '@corp:registry=https://${CORP}/npm/\nregistry=https://${MISSING?}fallback.example/', project: '@corp:registry=https://${CORP}/project/' },
      { CORP: 'corp.example' },
      ['https://fallback.example/', 'https://corp.example/project/'],
    ],
    [
      'userconfig moved by env',
      { global: 'registry=https://global.example/', user: 'registry=https://user.example/' },
      { npm_config_userconfig: '/nonexistent/npmrc' },
      ['https://global.example/', undefined],
    ],
  ];
  for (const [name, files, env, [expectRegistry, expectCorp]] of scenarios) {
    test(name, async () => {
      const p = project({}, files);
      const out = (await npm(['config', 'get', 'registry', '@corp:registry'], p, env)).stdout;
      const got = Object.fromEntries(out.trim().split('\n').map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
      const [registry, corp] = [got.registry, got['@corp:registry']];
      assert.ok(registry, out);
      const config = await ours(p, env);
      const npmSays = [registry.replace(/\/*$/, '/'), corp === 'undefined' ? undefined : corp.replace(/\/*$/, '/')];
      assert.deepEqual([config.defaultRegistry, config.scopes['@corp']], npmSays);
      assert.deepEqual(npmSays, [expectRegistry, expectCorp]);
    });
  }
});
