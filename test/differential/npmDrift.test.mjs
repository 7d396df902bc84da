// The real npm is the oracle for npm drift. Each case installs a project with `npm install` from the
// loopback fake registry, then changes it the way people do (edits package.json, deletes or replaces
// folders in node_modules, hand-edits the lock), and asks npm and Pinsight the same two questions:
// would `npm ci` refuse the lock (our lock-stale verdict), and what does `npm ls --all` report as
// missing, invalid and extraneous (our node_modules problems). The answers must be equal, and each
// case also states what it expects, so that agreeing on nothing cannot pass. npm runs with an
// isolated HOME, cache and configuration, and never leaves 127.0.0.1.
import { test, before, after } from 'node:test';
import { requireOracles } from '../support/oracles.mjs';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startFakeNpm } from '../support/fakeNpm.mjs';
import { isolatedEnv } from '../support/isolatedEnv.mjs';
import { runProcess } from '../support/runProcess.mjs';
import { parsePackageJson } from '../../dist/core/npm/manifest/packageJson.js';
import { inspectNpm } from '../../dist/core/npm/environment/inspectNpm.js';
import { createNodeRuntime } from '../../dist/node/runtime.js';

// The oracles this file compares with, in the versions it was written against.
before(() => requireOracles('npm'));

const NPM_MAJOR = '11';

const PACKAGES = {
  'dr-a': { versions: { '1.0.0': { dependencies: { 'dr-b': '^1.0.0' } }, '1.1.0': { dependencies: { 'dr-b': '^1.0.0' } }, '2.0.0': { dependencies: { 'dr-b': '^2.0.0' } } } },
  'dr-b': { versions: { '1.0.0': {}, '1.2.0': {}, '2.0.0': {} } },
  'dr-c': { versions: { '1.0.0': { peerDependencies: { 'dr-b': '^1.0.0' } } } },
  'dr-d': { versions: { '1.0.0': { dependencies: { 'dr-b': '^2.0.0' } } } },
  'dr-e': { versions: { '1.0.0': { peerDependencies: { 'dr-b': '^1.0.0' }, peerDependenciesMeta: { 'dr-b': { optional: true } } } } },
  'dr-tag': { 'dist-tags': { latest: '1.0.0', next: '2.0.0' }, versions: { '1.0.0': {}, '2.0.0': {} } },
  '@dr/scoped': { versions: { '1.0.0': { dependencies: { 'dr-b': '^1.0.0' } }, '1.1.0': { dependencies: { 'dr-b': '^1.0.0' } } } },
};

const BASE = { dependencies: { 'dr-a': '^1.0.0', 'dr-c': '^1.0.0', '@dr/scoped': '^1.0.0' }, devDependencies: { 'dr-d': '^1.0.0' } };
const WORKSPACES = {
  root: { workspaces: ['packages/*'], dependencies: { 'dr-a': '^1.0.0' } },
  files: {
    'packages/web/package.json': { name: 'web', version: '0.1.0', dependencies: { lib: '^0.1.0', 'dr-b': '^2.0.0' }, devDependencies: { 'dr-tag': '^1.0.0' } },
    'packages/lib/package.json': { name: 'lib', version: '0.1.0', dependencies: { 'dr-b': '^1.0.0' } },
  },
};

const later = (p) => ({ touch: [p] });
const pj = (name, version, extra = {}) => JSON.stringify({ name, version, ...extra });

// [name, install, change, expected]: install = { pkg, files, args }; change = { pkg, files, write, rm, touch };
// expected = { ci: 'ok' | 'refuse' (the "in sync" error) | 'fail' (another error), ls: number of npm ls problems,
// skipped?: what Pinsight says instead of a verdict }.
const CASES = [
  ['in sync', { pkg: BASE }, {}, { ci: 'ok', ls: 0 }],
  ['a range bumped past the locked version', { pkg: BASE }, { pkg: { ...BASE, dependencies: { ...BASE.dependencies, 'dr-a': '^2.0.0' } } }, { ci: 'refuse', ls: 1 }],
  ['a range narrowed that the locked version still satisfies', { pkg: BASE }, { pkg: { ...BASE, dependencies: { ...BASE.dependencies, 'dr-a': '^1.1.0' } } }, { ci: 'ok', ls: 0 }],
  ['a dependency added', { pkg: BASE }, { pkg: { ...BASE, dependencies: { ...BASE.dependencies, 'dr-tag': '^1.0.0' } } }, { ci: 'refuse', ls: 1 }],
  ['a dependency added that the lock already holds', { pkg: BASE }, { pkg: { ...BASE, dependencies: { ...BASE.dependencies, 'dr-b': '^1.2.0' } } }, { ci: 'ok', ls: 0 }],
  ['a dependency removed', { pkg: BASE }, { pkg: { ...BASE, dependencies: { 'dr-a': '^1.0.0', 'dr-c': '^1.0.0' } } }, { ci: 'ok', ls: 1 }],
  ['a dependency moved to devDependencies', { pkg: BASE }, { pkg: { dependencies: { 'dr-a': '^1.0.0', '@dr/scoped': '^1.0.0' }, devDependencies: { ...BASE.devDependencies, 'dr-c': '^1.0.0' } } }, { ci: 'ok', ls: 0 }],
  ['a dist-tag changed (npm ci trusts any registry version for a tag)', { pkg: { dependencies: { 'dr-tag': 'latest' } } }, { pkg: { dependencies: { 'dr-tag': 'next' } } }, { ci: 'ok', ls: 0 }],
  ['an npm: alias retargeted', { pkg: { dependencies: { 'dr-x': 'npm:dr-b@^1.0.0' } } }, { pkg: { dependencies: { 'dr-x': 'npm:dr-b@^2.0.0' } } }, { ci: 'refuse', ls: 1 }],
  ['a package folder deleted', { pkg: BASE }, { rm: ['node_modules/dr-c'], ...later('node_modules') }, { ci: 'ok', ls: 1 }],
  ['a nested folder deleted: the hoisted copy is invalid for its dependant', { pkg: BASE }, { rm: ['node_modules/dr-d/node_modules/dr-b'], ...later('node_modules/dr-d') }, { ci: 'ok', ls: 1 }],
  ['a package.json replaced in place: npm keeps trusting its hidden lockfile', { pkg: BASE }, { write: { 'node_modules/dr-a/package.json': pj('dr-a', '0.9.0', { dependencies: { 'dr-b': '^1.0.0' } }) } }, { ci: 'ok', ls: 0 }],
  ['a package.json replaced and its folder touched: npm reads the folders', { pkg: BASE }, { write: { 'node_modules/dr-a/package.json': pj('dr-a', '0.9.0', { dependencies: { 'dr-b': '^1.0.0' } }) }, ...later('node_modules/dr-a') }, { ci: 'ok', ls: 1 }],
  ['an extraneous folder', { pkg: BASE }, { write: { 'node_modules/dr-zz/package.json': pj('dr-zz', '1.0.0', { dependencies: { 'dr-q': '^1.0.0' } }) }, ...later('node_modules') }, { ci: 'ok', ls: 2 }],
  ['a package installed with --no-save (the hidden lockfile records it)', { pkg: BASE, after: ['install', '--no-save', 'dr-tag@2.0.0'] }, {}, { ci: 'ok', ls: 1 }],
  ['a peer and a dependency deleted together', { pkg: BASE }, { rm: ['node_modules/dr-b'], ...later('node_modules') }, { ci: 'ok', ls: 3 }],
  ['a folder without package.json', { pkg: BASE }, { rm: ['node_modules/dr-c/package.json'], ...later('node_modules/dr-c') }, { ci: 'ok', ls: 1 }],
  ['node_modules touched: npm reads every package.json, and all is well', { pkg: BASE }, later('node_modules'), { ci: 'ok', ls: 0 }],
  ['a scope folder deleted', { pkg: BASE }, { rm: ['node_modules/@dr'], ...later('node_modules') }, { ci: 'ok', ls: 1 }],
  // dr-d's nested dr-b 2.0.0 no longer fits; the hoisted 1.2.0 does, so npm keeps that and drops the nested copy.
  ['a hand-edited lock whose nested copy the hoisted one replaces', { pkg: BASE }, { lock: (l) => void (l.packages['node_modules/dr-d'].dependencies['dr-b'] = '^1.0.0') }, { ci: 'ok', ls: 0 }],
  ['a hand-edited lock that contradicts itself', { pkg: BASE }, { lock: (l) => void (l.packages['node_modules/dr-b'].version = '0.5.0') }, { ci: 'refuse', ls: 0 }],
  // npm ci refuses a lock it cannot parse; Pinsight says it skipped it, and why, instead of a verdict.
  ['a lock that is not valid JSON', { pkg: BASE }, { lockText: '{"lockfileVersion": 3, "packages": {' }, { ci: 'fail', ls: 0, skipped: /package-lock\.json is not valid JSON/ }],
  ['an optional peer left out', { pkg: { dependencies: { 'dr-e': '^1.0.0' } } }, {}, { ci: 'ok', ls: 0 }],
  ['an optional peer replaced by a version it rejects', { pkg: { dependencies: { 'dr-e': '^1.0.0', 'dr-b': '^1.0.0' } } }, { pkg: { dependencies: { 'dr-e': '^1.0.0', 'dr-b': '*' } }, write: { 'node_modules/dr-b/package.json': pj('dr-b', '2.0.0') }, ...later('node_modules/dr-b') }, { ci: 'ok', ls: 1 }],
  ['overrides in sync', { pkg: { ...BASE, overrides: { 'dr-b': '1.0.0' } } }, {}, { ci: 'ok', ls: 0 }],
  ['an override changed', { pkg: { ...BASE, overrides: { 'dr-b': '1.0.0' } } }, { pkg: { ...BASE, overrides: { 'dr-b': '1.2.0' } } }, { ci: 'refuse', ls: 1 }],
  ['lockfileVersion 2, in sync', { pkg: BASE, args: ['--lockfile-version', '2'] }, {}, { ci: 'ok', ls: 0 }],
  ['lockfileVersion 2, a range bumped', { pkg: BASE, args: ['--lockfile-version', '2'] }, { pkg: { ...BASE, dependencies: { ...BASE.dependencies, 'dr-a': '^2.0.0' } } }, { ci: 'refuse', ls: 1 }],
  ['npm-shrinkwrap.json, a dependency added', { pkg: BASE, after: ['shrinkwrap'] }, { pkg: { ...BASE, dependencies: { ...BASE.dependencies, 'dr-e': '1' } } }, { ci: 'refuse', ls: 1 }],
  ['workspaces in sync', { pkg: WORKSPACES.root, files: WORKSPACES.files }, {}, { ci: 'ok', ls: 0 }],
  // npm re-resolves web's dr-b, finds the hoisted 1.2.0 satisfies ^1.0.0, keeps it and drops the nested 2.0.0: nothing new, so npm ci accepts.
  ['a workspace range changed to one the hoisted copy satisfies', { pkg: WORKSPACES.root, files: WORKSPACES.files }, { files: { 'packages/web/package.json': { ...WORKSPACES.files['packages/web/package.json'], dependencies: { lib: '^0.1.0', 'dr-b': '^1.0.0' } } } }, { ci: 'ok', ls: 1 }],
  ['a workspace range changed past every locked copy', { pkg: WORKSPACES.root, files: WORKSPACES.files }, { files: { 'packages/lib/package.json': { ...WORKSPACES.files['packages/lib/package.json'], dependencies: { 'dr-b': '^2.0.0' } } } }, { ci: 'refuse', ls: 1 }],
  ['a workspace added', { pkg: WORKSPACES.root, files: WORKSPACES.files }, { files: { 'packages/new/package.json': { name: 'new', version: '1.0.0' } } }, { ci: 'refuse', ls: 1 }],
  // npm ci then looks for lib on the registry (E404): it refuses, with another error.
  ['a workspace version bumped past its dependant\'s range', { pkg: WORKSPACES.root, files: WORKSPACES.files }, { files: { 'packages/lib/package.json': { ...WORKSPACES.files['packages/lib/package.json'], version: '0.2.0' } } }, { ci: 'fail', ls: 1 }],
  ['a workspace link deleted', { pkg: WORKSPACES.root, files: WORKSPACES.files }, { rm: ['node_modules/lib'], ...later('node_modules') }, { ci: 'ok', ls: 2 }],
  ['a workspace\'s own node_modules emptied', { pkg: WORKSPACES.root, files: WORKSPACES.files }, { rm: ['packages/web/node_modules/dr-b'], ...later('packages/web') }, { ci: 'ok', ls: 1 }],
];

let fake;
let work;
let npmVersion;
const env = () => {
  const base = isolatedEnv({ npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' });
  for (const key of Object.keys(base)) if (/^npm_/i.test(key) && !/^npm_config_(update_notifier|fund|audit)$/.test(key)) delete base[key];
  delete base.NODE_ENV;
  return base;
};

before(async () => {
  const version = await runProcess('npm', ['--version'], { env: env() }).catch((error) => ({ code: -1, stdout: '', stderr: String(error) }));
  npmVersion = version.stdout.trim();
  assert.equal(version.code, 0, `This test needs the npm CLI ${NPM_MAJOR}.x on PATH (npm --version failed: ${version.stderr.trim()}); install Node.js 20+ with npm ${NPM_MAJOR}, e.g. \`npm install -g npm@${NPM_MAJOR}\`.`);
  assert.equal(npmVersion.split('.')[0], NPM_MAJOR, `This test holds Pinsight to npm ${NPM_MAJOR}'s rules but found npm ${npmVersion}; install it with \`npm install -g npm@${NPM_MAJOR}\`.`);
  fake = await startFakeNpm({ packages: [], extra: PACKAGES });
  work = mkdtempSync(path.join(tmpdir(), 'pinsight-npm-drift-'));
});

after(async () => {
  await fake?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

let counter = 0;
async function npm(args, cwd, home) {
  return runProcess('npm', [...args, '--registry', fake.url, '--cache', path.join(work, 'cache'), '--ignore-scripts', '--no-audit', '--no-fund'], { cwd, env: { ...env(), HOME: home } });
}

function writeJson(file, value) {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value, null, 2));
}

async function prepare(install, change) {
  const dir = path.join(work, `case${++counter}`);
  const home = path.join(dir, 'home');
  const app = path.join(dir, 'app');
  mkdirSync(home, { recursive: true });
  writeJson(path.join(app, 'package.json'), { name: 'app', version: '1.0.0', ...install.pkg });
  for (const [file, value] of Object.entries(install.files ?? {})) writeJson(path.join(app, file), value);
  const installed = await npm(['install', ...(install.args ?? [])], app, home);
  assert.equal(installed.code, 0, installed.stderr);
  if (install.after) assert.equal((await npm(install.after, app, home)).code, 0);
  if (change.pkg) writeJson(path.join(app, 'package.json'), { name: 'app', version: '1.0.0', ...change.pkg });
  for (const [file, value] of Object.entries(change.files ?? {})) writeJson(path.join(app, file), value);
  for (const [file, value] of Object.entries(change.write ?? {})) writeJson(path.join(app, file), value);
  for (const file of change.rm ?? []) rmSync(path.join(app, file), { recursive: true, force: true });
  if (change.lockText) writeFileSync(path.join(app, 'package-lock.json'), change.lockText);
  if (change.lock) {
    const lockPath = path.join(app, 'package-lock.json');
    const lock = JSON.parse(readFileSync(lockPath, 'utf8'));
    change.lock(lock);
    writeJson(lockPath, lock);
  }
  // Explicitly newer than the hidden lockfile, so the case does not hang on the 10 ms npm allows.
  const future = new Date(Date.now() + 60_000);
  for (const file of change.touch ?? []) utimesSync(path.join(app, file), future, future);
  return { app, home };
}

/**
 * npm ls --all --json's problems, with the project path taken out. "invalid" and "extraneous" are
 * compared by location: npm prints a link's version from its hidden lockfile even where it checks the
 * workspace's package.json, so the location is the identity that means the same on both sides.
 */
async function npmLs(app, home) {
  const ls = await npm(['ls', '--all', '--json'], app, home);
  const json = JSON.parse(ls.stdout);
  const local = (p) => p.split(`${app}${path.sep}`).join('').split(path.sep).join('/').replace(/^(invalid|extraneous): \S+ /, '$1: ');
  return [...new Set((json.problems ?? []).map(local))].sort();
}

function pkgid(node, root) {
  if (node === root) return `${node.packageName}@${node.version}`;
  const alias = node.packageName && node.packageName !== node.name ? `npm:${node.packageName}@` : '';
  return `${node.name}@${alias}${node.version}`;
}

function ourLs(state) {
  const root = state.nodeModules.graph.root;
  return [
    ...new Set(
      state.nodeModules.problems.map((p) => {
        if (p.kind === 'missing') return `missing: ${p.edge.name}@${p.spec}, required by ${pkgid(p.from, root)}`;
        return `${p.kind}: ${p.node.location}`;
      }),
    ),
  ].sort();
}

test(`npm ${NPM_MAJOR} and Pinsight agree on npm ci and npm ls`, { timeout: 600_000 }, async (t) => {
  const tally = { ok: 0, refuse: 0, problems: 0, cases: 0 };
  // PINSIGHT_DRIFT_CASE=<substring> runs only the matching cases, while working on one.
  const only = process.env.PINSIGHT_DRIFT_CASE;
  for (const [name, install, change, expected] of CASES.filter(([name]) => !only || name.includes(only))) {
    await t.test(name, async () => {
      const { app, home } = await prepare(install, change);
      // npm ls first: npm ci --dry-run reads node_modules too, and must not be what ls sees.
      const lsNpm = await npmLs(app, home);
      const ci = await npm(['ci', '--dry-run'], app, home);
      const runtime = createNodeRuntime();
      const manifestPath = path.join(app, 'package.json');
      const state = await inspectNpm([parsePackageJson(readFileSync(manifestPath, 'utf8'), manifestPath)], runtime);
      const detail = `npm ci: exit ${ci.code}\n${ci.stderr.split('\n').filter((l) => !/^npm error\s*(--|\[|$)|Usage|Options|aliases|Run "npm help/.test(l)).slice(0, 12).join('\n')}\nnpm ls: ${JSON.stringify(lsNpm)}\nours: ${JSON.stringify({ problems: state.lock?.problems.map((p) => `${p.from.location || '<root>'} ${p.edge.name}@${p.spec}`), ls: ourLs(state), findings: state.findings.map((f) => `${f.code} ${f.package}: ${f.message}`), skipped: state.skipped, sources: state.sources })}`;
      const refuses = ci.code !== 0;
      const inSyncError = /can only install packages when your package\.json and package-lock\.json or npm-shrinkwrap\.json are in sync/.test(ci.stderr);
      assert.equal(refuses ? (inSyncError ? 'refuse' : 'fail') : 'ok', expected.ci, `npm itself: ${detail}`);
      if (expected.skipped) {
        assert.ok(refuses, detail);
        assert.match(state.skipped.join('\n'), expected.skipped, detail);
        assert.equal(state.findings.some((f) => f.code === 'lock-stale'), false, detail);
      } else {
        assert.equal(state.lock?.problems.length > 0 ? 'refuse' : 'ok', refuses ? 'refuse' : 'ok', detail);
        assert.equal(state.findings.some((f) => f.code === 'lock-stale'), refuses, detail);
      }
      assert.deepEqual(ourLs(state), lsNpm, detail);
      assert.equal(lsNpm.length, expected.ls, `npm itself: ${detail}`);
      tally[refuses ? 'refuse' : 'ok']++;
      tally.cases++;
      tally.problems += lsNpm.length;
    });
  }
  t.diagnostic(`npm ${npmVersion}: ${tally.cases} cases, npm ci refused ${tally.refuse} and accepted ${tally.ok}; npm ls reported ${tally.problems} problems in all`);
});
