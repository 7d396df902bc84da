// npm drift on hand-written trees: package-lock.json checked as `npm ci` checks it (lock-stale),
// node_modules as `npm ls` reads it (not-installed, installed-mismatch, installed-conflict), the
// hidden lockfile trusted exactly when npm trusts it, workspaces, malformed input, the mtime cache.
// Everything goes through an in-memory Runtime; test/differential/npmDrift.test.mjs holds the same
// rules to the real npm.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { parsePackageJson } from '../../dist/core/npm/manifest/packageJson.js';
import { checkPackageLock } from '../../dist/core/npm/locks/lockCheck.js';
import { singleProject, loadNpmProject } from '../../dist/core/npm/locks/npmProject.js';
import { parsePackageLock } from '../../dist/core/npm/locks/packageLock.js';
import { inspectNpm } from '../../dist/core/npm/environment/inspectNpm.js';
import { NpmDriftCache } from '../../dist/core/npm/environment/driftCache.js';
import { memoryRuntime } from '../support/memoryLinkedRuntime.mjs';
import { prng } from '../support/prng.mjs';

const ROOT = '/p';
const REG = 'https://registry.example/';

function manifest(pkg, path = `${ROOT}/package.json`) {
  return parsePackageJson(JSON.stringify({ name: 'app', version: '1.0.0', ...pkg }, null, 2), path);
}

/** A lockfileVersion 3 lock: `root` is packages[""], `packages` maps location to [version, deps] or an entry. */
function lock(root, packages, lockfileVersion = 3) {
  const out = { name: 'app', version: '1.0.0', lockfileVersion, requires: true, packages: { '': { name: 'app', version: '1.0.0', ...root } } };
  for (const [location, spec] of Object.entries(packages)) {
    if (!Array.isArray(spec)) {
      out.packages[location] = spec;
      continue;
    }
    const [version, deps, extra] = spec;
    const name = location.replace(/^.*node_modules\//, '');
    out.packages[location] = { version, resolved: `${REG}${name}/-/${name.split('/').pop()}-${version}.tgz`, integrity: 'sha512-x', ...(deps ? { dependencies: deps } : {}), ...extra };
  }
  return JSON.stringify(out, null, 2);
}

function lineOf(m, name, section = 'dependencies') {
  return m.dependencies.find((d) => d.name === name && d.section === section).range.start.line;
}

const check = (pkg, lockText, path = 'package-lock.json') => {
  const m = manifest(pkg);
  return { m, result: checkPackageLock(singleProject(m), lockText, `${ROOT}/${path}`) };
};

describe('package-lock.json as npm ci reads it', () => {
  const base = lock({ dependencies: { a: '^1.0.0' } }, { 'node_modules/a': ['1.2.0', { b: '^1.0.0' }], 'node_modules/b': ['1.5.0'] });

  test('in sync: no finding, and the lock answers "why is this here"', () => {
    const { result } = check({ dependencies: { a: '^1.0.0' } }, base);
    assert.deepEqual(result.findings, []);
    assert.deepEqual(result.problems, []);
    assert.deepEqual([...result.locked], [['a', '1.2.0'], ['b', '1.5.0']]);
    assert.deepEqual(result.chains.get('b'), ['a 1.2.0 > b 1.5.0']);
    assert.equal(result.packageCount, 2);
  });

  test('a changed range the locked version no longer satisfies is stale, on its line', () => {
    const { m, result } = check({ dependencies: { a: '^2.0.0' } }, base);
    assert.equal(result.findings.length, 1);
    const [f] = result.findings;
    assert.equal(f.code, 'lock-stale');
    assert.equal(f.severity, 'error');
    assert.equal(f.package, 'a');
    assert.equal(f.path, `${ROOT}/package.json`);
    assert.equal(f.range.start.line, lineOf(m, 'a'));
    assert.match(f.message, /package-lock\.json locks a 1\.2\.0 \(the lock was written for "\^1\.0\.0"\), which does not satisfy "\^2\.0\.0"/);
    assert.match(f.message, /`npm ci` refuses to install; run `npm install` to update the lock\./);
  });

  test('a changed range the locked version still satisfies passes, as npm ci lets it', () => {
    assert.deepEqual(check({ dependencies: { a: '^1.1.0' } }, base).result.findings, []);
  });

  test('an added dependency the lock has nothing for is stale; one it already satisfies is not', () => {
    const { m, result } = check({ dependencies: { a: '^1.0.0', c: '^3.0.0' } }, base);
    assert.deepEqual(result.findings.map((f) => [f.package, f.range.start.line]), [['c', lineOf(m, 'c')]]);
    assert.match(result.findings[0].message, /package-lock\.json has no c: this line was added after the lock was written/);
    // b is locked (for a) at 1.5.0, which satisfies the new direct range: npm ci installs it as it is.
    assert.deepEqual(check({ dependencies: { a: '^1.0.0', b: '^1.2.0' } }, base).result.findings, []);
  });

  test('a removed dependency is not stale: npm ci prunes it', () => {
    assert.deepEqual(check({ dependencies: {} }, base).result.findings, []);
  });

  test('devDependencies, optionalDependencies and peerDependencies count; optional peers are trusted as locked', () => {
    const l = lock({ devDependencies: { d: '^1.0.0' } }, { 'node_modules/d': ['1.0.0', undefined, { dev: true }] });
    assert.deepEqual(check({ devDependencies: { d: '^1.0.0' } }, l).result.findings, []);
    const dev = check({ devDependencies: { d: '^2.0.0' } }, l);
    assert.equal(dev.result.findings[0].range.start.line, lineOf(dev.m, 'd', 'devDependencies'));
    assert.equal(check({ optionalDependencies: { o: '^1.0.0' } }, l).result.findings.length, 1, 'a missing optional dependency is re-resolved by npm ci');
    assert.equal(check({ peerDependencies: { p: '^1.0.0' } }, l).result.findings.length, 1, 'npm 7+ installs peers');
    const optionalPeer = check({ peerDependencies: { p: '^1.0.0' }, peerDependenciesMeta: { p: { optional: true } } }, l);
    assert.deepEqual(optionalPeer.result.findings, []);
  });

  test('an inconsistent lock is stale on the line that brings the package in', () => {
    const broken = lock({ dependencies: { a: '^1.0.0' } }, { 'node_modules/a': ['1.2.0', { b: '^2.0.0' }], 'node_modules/b': ['1.5.0'] });
    const { m, result } = check({ dependencies: { a: '^1.0.0' } }, broken);
    assert.equal(result.findings.length, 1);
    assert.equal(result.findings[0].range.start.line, lineOf(m, 'a'));
    assert.match(result.findings[0].message, /inconsistent: a 1\.2\.0 needs b@"\^2\.0\.0", but it locks b 1\.5\.0/);
  });

  test('a nested copy satisfies where the hoisted one does not', () => {
    const nested = lock({ dependencies: { a: '^1.0.0', b: '^1.0.0' } }, {
      'node_modules/a': ['1.2.0', { b: '^2.0.0' }],
      'node_modules/a/node_modules/b': ['2.1.0'],
      'node_modules/b': ['1.5.0'],
    });
    const { result } = check({ dependencies: { a: '^1.0.0', b: '^1.0.0' } }, nested);
    assert.deepEqual(result.findings, []);
    assert.deepEqual(result.chains.get('b'), ['b 1.5.0', 'a 1.2.0 > b 2.1.0']);
  });

  test('a peer dependency installed inside its dependant is invalid (PEER LOCAL)', () => {
    const local = lock({ dependencies: { a: '^1.0.0' } }, {
      'node_modules/a': { version: '1.0.0', peerDependencies: { b: '^1.0.0' } },
      'node_modules/a/node_modules/b': ['1.0.0'],
    });
    assert.equal(check({ dependencies: { a: '^1.0.0' } }, local).result.findings.length, 1);
  });

  test('aliases, dist-tags and overrides', () => {
    const aliased = lock({ dependencies: { x: 'npm:y@^1.0.0', t: 'latest' } }, {
      'node_modules/x': { name: 'y', version: '1.4.0', resolved: `${REG}y/-/y-1.4.0.tgz` },
      'node_modules/t': ['3.0.0'],
    });
    assert.deepEqual(check({ dependencies: { x: 'npm:y@^1.0.0', t: 'latest' } }, aliased).result.findings, []);
    const bumped = check({ dependencies: { x: 'npm:y@^2.0.0', t: 'latest' } }, aliased).result.findings;
    assert.equal(bumped.length, 1);
    assert.match(bumped[0].message, /locks x \(as y\) 1\.4\.0/);
    const overridden = lock({ dependencies: { a: '^1.0.0' } }, { 'node_modules/a': ['1.0.0', { b: '^2.0.0' }], 'node_modules/b': ['1.0.0'] });
    assert.equal(check({ dependencies: { a: '^1.0.0' } }, overridden).result.findings.length, 1);
    assert.deepEqual(check({ dependencies: { a: '^1.0.0' }, overrides: { b: '1.0.0' } }, overridden).result.findings, []);
  });

  test('a nested copy that a satisfying copy further up can replace is kept, as npm ci keeps it', () => {
    const nested = (hoisted) =>
      lock({ dependencies: { a: '^1.0.0', b: '>=0.1.0' } }, {
        'node_modules/a': ['1.0.0', { b: '^1.0.0' }],
        'node_modules/a/node_modules/b': ['2.0.0'],
        'node_modules/b': [hoisted],
      });
    assert.deepEqual(check({ dependencies: { a: '^1.0.0', b: '>=0.1.0' } }, nested('1.5.0')).result.findings, []);
    const [f] = check({ dependencies: { a: '^1.0.0', b: '>=0.1.0' } }, nested('0.5.0')).result.findings;
    assert.match(f.message, /inconsistent: a 1\.0\.0 needs b@"\^1\.0\.0", but it locks b 2\.0\.0/);
  });

  test('an override that the lock does not follow is stale on the overrides entry, once', () => {
    const l = lock({ dependencies: { a: '^1.0.0', c: '^1.0.0' } }, { 'node_modules/a': ['1.0.0', { b: '^1.0.0' }], 'node_modules/c': ['1.0.0', { b: '^1.0.0' }], 'node_modules/b': ['1.0.0'] });
    const { m, result } = check({ dependencies: { a: '^1.0.0', c: '^1.0.0' }, overrides: { b: '1.1.0' } }, l);
    assert.equal(result.findings.length, 1);
    const [f] = result.findings;
    assert.equal(f.range.start.line, m.dependencies.find((d) => d.override).range.start.line);
    assert.match(f.message, /^This override asks for b@"1\.1\.0", but package-lock\.json locks b 1\.0\.0/);
  });

  test('lockfileVersion 1, malformed JSON and odd shapes are skipped with a reason, never thrown', () => {
    const v1 = JSON.stringify({ name: 'app', lockfileVersion: 1, dependencies: { a: { version: '1.0.0' } } });
    const r1 = check({ dependencies: { a: '^2.0.0' } }, v1).result;
    assert.deepEqual(r1.findings, []);
    assert.match(r1.skipped[0], /package-lock\.json has lockfileVersion 1 .*not read/);
    const r2 = check({ dependencies: { a: '^1.0.0' } }, '{"lockfileVersion": 3, "packages": {\n  "": {,\n}').result;
    assert.match(r2.skipped[0], /package-lock\.json is not valid JSON \(.*line 2.*\)/);
    for (const text of ['[]', 'null', '{"lockfileVersion": 3}', '{"lockfileVersion": 3, "packages": []}', '{"lockfileVersion": 2, "packages": {"node_modules/a": 7, "node_modules/b": {"version": 3, "dependencies": [1]}}}', '\ufeff{}']) {
      const r = check({ dependencies: { a: '^1.0.0', b: '1' } }, text).result;
      assert.ok(Array.isArray(r.findings) && Array.isArray(r.skipped), text);
    }
    assert.equal(check({}, '{}', 'npm-shrinkwrap.json').result.skipped[0].startsWith('npm-shrinkwrap.json'), true);
  });

  test('a resolved URL with a token never reaches a message', () => {
    const secret = lock({ dependencies: { a: '^1.0.0' } }, { 'node_modules/a': { version: '1.0.0', resolved: 'https://user:s3cr3t@registry.example/a/-/a-1.0.0.tgz?token=s3cr3t' } });
    const { result } = check({ dependencies: { a: '^2.0.0', c: '1' } }, secret);
    assert.equal(result.findings.length, 2);
    for (const f of result.findings) assert.doesNotMatch(f.message, /s3cr3t|registry\.example/);
  });
});

describe('workspaces', () => {
  const files = (rootPkg, wsPkgs, lockText) => {
    const out = { [`${ROOT}/package.json`]: JSON.stringify({ name: 'root', version: '1.0.0', ...rootPkg }, null, 2) };
    for (const [dir, pkg] of Object.entries(wsPkgs)) out[`${ROOT}/${dir}/package.json`] = JSON.stringify(pkg, null, 2);
    if (lockText) out[`${ROOT}/package-lock.json`] = lockText;
    return out;
  };
  const wsLock = (extra = {}) =>
    lock({ workspaces: ['packages/*'], dependencies: { a: '^1.0.0' } }, {
      'node_modules/a': ['1.0.0'],
      'node_modules/web': { resolved: 'packages/web', link: true },
      'node_modules/lib': { resolved: 'packages/lib', link: true },
      'packages/web': { version: '0.1.0', dependencies: { lib: '^0.1.0', b: '^2.0.0' } },
      'packages/web/node_modules/b': ['2.0.0'],
      'packages/lib': { version: '0.1.0' },
      ...extra,
    });
  const wsPkgs = { 'packages/web': { name: 'web', version: '0.1.0', dependencies: { lib: '^0.1.0', b: '^2.0.0' } }, 'packages/lib': { name: 'lib', version: '0.1.0' } };

  test('a workspace package.json finds its root; workspaces are read from disk', async () => {
    const rt = memoryRuntime(files({ workspaces: ['packages/*'], dependencies: { a: '^1.0.0' } }, wsPkgs, wsLock()));
    const web = parsePackageJson(await rt.readFile(`${ROOT}/packages/web/package.json`), `${ROOT}/packages/web/package.json`);
    const project = await loadNpmProject([web], rt);
    assert.equal(project.rootDir, ROOT);
    assert.deepEqual(project.workspaces.map((w) => [w.name, w.location]), [['lib', 'packages/lib'], ['web', 'packages/web']]);
    assert.equal(project.workspaces.find((w) => w.name === 'web').manifest, web, 'the given (open) manifest is used');
    const state = await inspectNpm([web], rt);
    assert.deepEqual(state.findings, []);
    assert.deepEqual(state.packages.get('b').via, ['packages/web: b 2.0.0']);
  });

  test('a workspace line and a new workspace go stale where they are written', async () => {
    const changed = { ...wsPkgs, 'packages/web': { ...wsPkgs['packages/web'], dependencies: { lib: '^0.1.0', b: '^3.0.0' } }, 'packages/new': { name: 'new', version: '1.0.0' } };
    const rt = memoryRuntime(files({ workspaces: ['packages/*'], dependencies: { a: '^1.0.0' } }, changed, wsLock()));
    const state = await inspectNpm([manifest({ workspaces: ['packages/*'], dependencies: { a: '^1.0.0' } })], rt);
    const stale = state.findings.filter((f) => f.code === 'lock-stale').map((f) => [f.path, f.package]);
    assert.deepEqual(stale.sort(), [[`${ROOT}/package.json`, 'new'], [`${ROOT}/packages/web/package.json`, 'b']]);
    assert.match(state.findings.find((f) => f.package === 'new').message, /does not link the workspace new \(packages\/new\)/);
  });

  test('workspace globs: nested patterns, negation, braces, node_modules and dot folders ignored', async () => {
    const rt = memoryRuntime({
      [`${ROOT}/apps/one/package.json`]: '{"name":"one"}',
      [`${ROOT}/apps/two/package.json`]: '{"name":"two"}',
      [`${ROOT}/libs/deep/x/package.json`]: '{"name":"x"}',
      [`${ROOT}/libs/node_modules/y/package.json`]: '{"name":"y"}',
      [`${ROOT}/libs/.hidden/package.json`]: '{"name":"h"}',
      [`${ROOT}/tools/a/package.json`]: '{}',
      [`${ROOT}/tools/b/readme.md`]: '',
    });
    const project = await loadNpmProject([manifest({ workspaces: { packages: ['apps/*', '!apps/two', 'libs/**', '{tools}/*'] } })], rt);
    assert.deepEqual(project.workspaces.map((w) => [w.name, w.location]), [['one', 'apps/one'], ['x', 'libs/deep/x'], ['a', 'tools/a']]);
  });
});

describe('node_modules as npm ls reads it', () => {
  const pkg = { dependencies: { a: '^1.0.0', '@s/c': '^1.0.0' }, devDependencies: { d: '^1.0.0' } };
  const lockPackages = {
    'node_modules/a': ['1.2.0', { b: '^1.0.0' }],
    'node_modules/b': ['1.5.0'],
    'node_modules/@s/c': { version: '1.0.0', resolved: `${REG}@s/c/-/c-1.0.0.tgz`, peerDependencies: { a: '^1.0.0' } },
    'node_modules/d': ['1.0.0', { b: '^2.0.0' }, { dev: true }],
    'node_modules/d/node_modules/b': ['2.0.0', undefined, { dev: true }],
  };
  const lockText = lock({ dependencies: pkg.dependencies, devDependencies: pkg.devDependencies }, lockPackages);
  const hiddenText = JSON.stringify({ ...JSON.parse(lockText), packages: Object.fromEntries(Object.entries(JSON.parse(lockText).packages).filter(([k]) => k !== '')) });

  /** A project installed exactly as locked; folders at mtime 1e6, the hidden lockfile at 2e6. */
  function installedProject(extra = {}) {
    const files = { [`${ROOT}/package.json`]: JSON.stringify({ name: 'app', version: '1.0.0', ...pkg }), [`${ROOT}/package-lock.json`]: lockText };
    for (const [location, entry] of Object.entries(JSON.parse(lockText).packages)) {
      if (location === '') continue;
      const name = location.replace(/^.*node_modules\//, '');
      const { version, dependencies, peerDependencies } = entry;
      files[`${ROOT}/${location}/package.json`] = JSON.stringify({ name, version, dependencies, peerDependencies });
    }
    files[`${ROOT}/node_modules/.package-lock.json`] = hiddenText;
    return memoryRuntime({ ...files, ...extra }, { mtimes: { [`${ROOT}/node_modules/.package-lock.json`]: 2_000_000 } });
  }
  const run = (rt, p = pkg, cache) => inspectNpm([manifest(p)], rt, cache);
  const problems = (state) =>
    state.nodeModules.problems.map((p) => (p.kind === 'missing' ? `missing ${p.edge.name}@${p.spec} from ${p.from.location || 'root'}` : `${p.kind} ${p.node.location}`)).sort();

  test('installed as locked: silent, read from the hidden lockfile', async () => {
    const state = await run(installedProject());
    assert.deepEqual(state.findings, []);
    assert.deepEqual(state.skipped, []);
    assert.deepEqual(state.sources, ['package-lock.json (lockfileVersion 3, 5 packages)', 'node_modules (5 packages, from node_modules/.package-lock.json)']);
    // One chain per package.json line, shortest first: b is hoisted for a (and a for @s/c's peer), and nested under d.
    assert.deepEqual(state.packages.get('b'), { locked: '1.5.0', installed: '1.5.0', via: ['a 1.2.0 > b 1.5.0', '@s/c 1.0.0 > a 1.2.0 > b 1.5.0', 'd 1.0.0 > b 2.0.0'] });
  });

  test('the hidden lockfile is trusted while no package folder is newer, exactly as npm does', async () => {
    const rt = installedProject();
    // An edit inside a package folder does not change the folder's mtime: npm keeps trusting the record.
    rt.write(`${ROOT}/node_modules/a/package.json`, JSON.stringify({ name: 'a', version: '0.9.0' }));
    assert.deepEqual((await run(rt)).findings, []);
    // A folder newer than the record (10 ms of jitter allowed) makes npm read every package.json.
    rt.touch(`${ROOT}/node_modules/a`, 2_000_010);
    assert.deepEqual((await run(rt)).findings, []);
    rt.touch(`${ROOT}/node_modules/a`, 2_000_011);
    const state = await run(rt);
    assert.match(state.sources[1], /read from each package\.json/);
    assert.deepEqual(problems(state), ['extraneous node_modules/b', 'invalid node_modules/a']);
    const mismatch = state.findings.filter((f) => f.code === 'installed-mismatch');
    assert.equal(mismatch.length, 1);
    assert.equal(mismatch[0].severity, 'warning');
    assert.match(mismatch[0].message, /node_modules has a 0\.9\.0, which does not satisfy "\^1\.0\.0" on this line \(npm ls: invalid\)/);
    // @s/c's peer on a is broken too, and b is now extraneous (nothing installed needs it).
    const conflict = state.findings.find((f) => f.code === 'installed-conflict');
    assert.equal(conflict.package, '@s/c');
    assert.match(conflict.message, /@s\/c 1\.0\.0 needs peer a@"\^1\.0\.0", but node_modules has a 0\.9\.0/);
  });

  test('a hidden lockfile that misses a folder, or lists one that is gone, is not used', async () => {
    const rt = installedProject({ [`${ROOT}/node_modules/zz/package.json`]: '{"name":"zz","version":"1.0.0","dependencies":{"q":"^1"}}' });
    let state = await run(rt);
    assert.match(state.sources[1], /read from each package\.json; 1 extraneous .*: zz\)/);
    assert.deepEqual(problems(state), ['extraneous node_modules/zz', 'missing q@^1 from node_modules/zz']);
    assert.deepEqual(state.findings, [], 'extraneous packages and their own problems are counted, not reported');
    const gone = installedProject();
    gone.remove(`${ROOT}/node_modules/@s`);
    state = await run(gone);
    assert.deepEqual(problems(state), ['missing @s/c@^1.0.0 from root']);
    const [f] = state.findings;
    assert.equal(f.code, 'not-installed');
    assert.equal(f.package, '@s/c');
    assert.match(f.message, /@s\/c is not installed/);
  });

  test('a deeper missing or invalid dependency is installed-conflict on the line that brings it in', async () => {
    const rt = installedProject();
    rt.remove(`${ROOT}/node_modules/d/node_modules/b`);
    rt.touch(`${ROOT}/node_modules/d`, 3_000_000);
    const state = await run(rt);
    assert.deepEqual(problems(state), ['invalid node_modules/b']);
    const [f] = state.findings;
    assert.equal(f.code, 'installed-conflict');
    assert.equal(f.package, 'd');
    assert.equal(f.range.start.line, lineOf(manifest(pkg), 'd', 'devDependencies'));
    assert.match(f.message, /d 1\.0\.0 needs b@"\^2\.0\.0", but node_modules has b 1\.5\.0 \(npm ls: invalid\); run `npm install` to repair node_modules\./);
  });

  test('a problem deep in the tree names the chain that leads to it', async () => {
    const rt = installedProject({ [`${ROOT}/node_modules/b/package.json`]: JSON.stringify({ name: 'b', version: '1.5.0', dependencies: { q: '^1.0.0' } }) });
    rt.touch(`${ROOT}/node_modules/b`, 3_000_000);
    const state = await run(rt);
    assert.deepEqual(problems(state), ['missing q@^1.0.0 from node_modules/b']);
    const conflicts = state.findings.filter((f) => f.code === 'installed-conflict');
    // b comes in through a, and through @s/c's peer on a: the finding goes on the line of the shortest chain.
    assert.deepEqual(conflicts.map((f) => f.package).sort(), ['a']);
    assert.match(conflicts[0].message, /^b 1\.5\.0 \(via a 1\.2\.0\) needs q@"\^1\.0\.0", which is not installed \(npm ls: missing\); run `npm install` to repair node_modules\.$/);
  });

  test('an installed version other than the locked one is installed-mismatch (information)', async () => {
    const rt = installedProject();
    rt.write(`${ROOT}/node_modules/b/package.json`, JSON.stringify({ name: 'b', version: '1.4.0' }));
    rt.touch(`${ROOT}/node_modules/b`, 3_000_000);
    const state = await run(rt);
    assert.deepEqual(problems(state), []);
    const [f] = state.findings;
    assert.deepEqual([f.code, f.severity, f.package], ['installed-mismatch', 'information', 'a']);
    assert.match(f.message, /node_modules has b 1\.4\.0 \(via a 1\.2\.0\), but package-lock\.json locks 1\.5\.0; run `npm ci`/);
  });

  test('malformed package.json files and hidden lockfiles never throw', async () => {
    const rt = installedProject({ [`${ROOT}/node_modules/.package-lock.json`]: '{ not json', [`${ROOT}/node_modules/b/package.json`]: '{"name": "b", "version": ' });
    const state = await run(rt);
    assert.deepEqual(problems(state), ['invalid node_modules/b']);
    assert.match(state.findings.find((f) => f.code === 'installed-conflict').message, /b \(with no readable version\)/);
    assert.ok(state.skipped.some((s) => /node_modules\/b was read as a package with no version/.test(s)));
    const empty = installedProject({ [`${ROOT}/node_modules/e/readme.md`]: 'no package.json here' });
    empty.touch(`${ROOT}/node_modules`, 3_000_000);
    assert.deepEqual(problems(await run(empty)), ['extraneous node_modules/e']);
  });

  test('a symlink back up the tree does not walk forever', async () => {
    const rt = memoryRuntime(
      { [`${ROOT}/package.json`]: '{"dependencies":{"a":"^1.0.0"}}', [`${ROOT}/node_modules/a/package.json`]: '{"name":"a","version":"1.0.0"}' },
      { links: { [`${ROOT}/node_modules/a/node_modules/up`]: `${ROOT}` } },
    );
    const state = await inspectNpm([manifest({ dependencies: { a: '^1.0.0' } })], rt);
    assert.deepEqual(state.findings, []);
    assert.ok(state.nodeModules.extraneous.length > 0);
  });

  test('no node_modules: nothing to say; pnpm and yarn layouts: skipped with a reason', async () => {
    const none = memoryRuntime({ [`${ROOT}/package.json`]: '{}' });
    const state = await run(none);
    assert.deepEqual([state.findings, state.sources, state.skipped], [[], [], []]);
    const pnpm = memoryRuntime({ [`${ROOT}/node_modules/.pnpm/lock.yaml`]: '', [`${ROOT}/node_modules/a/package.json`]: '{"name":"a","version":"9.0.0"}' });
    const skipped = await run(pnpm);
    assert.deepEqual(skipped.findings, []);
    assert.match(skipped.skipped[0], /installed by pnpm/);
  });

  test('workspaces: the links in node_modules, the hoisted packages and each workspace\'s own node_modules', async () => {
    const rt = memoryRuntime(
      {
        [`${ROOT}/package.json`]: JSON.stringify({ name: 'root', workspaces: ['packages/*'] }),
        [`${ROOT}/packages/web/package.json`]: JSON.stringify({ name: 'web', version: '0.1.0', dependencies: { lib: '^0.1.0', b: '^2.0.0' }, devDependencies: { t: '^1.0.0' } }),
        [`${ROOT}/packages/lib/package.json`]: JSON.stringify({ name: 'lib', version: '0.1.0', dependencies: { b: '^1.0.0' } }),
        [`${ROOT}/packages/web/node_modules/b/package.json`]: '{"name":"b","version":"2.0.0"}',
        [`${ROOT}/node_modules/b/package.json`]: '{"name":"b","version":"1.0.0"}',
      },
      { links: { [`${ROOT}/node_modules/web`]: `${ROOT}/packages/web`, [`${ROOT}/node_modules/lib`]: `${ROOT}/packages/lib` } },
    );
    const state = await inspectNpm([manifest({ name: 'root', workspaces: ['packages/*'] })], rt);
    assert.deepEqual(problems(state), ['missing t@^1.0.0 from packages/web']);
    const [f] = state.findings;
    assert.deepEqual([f.code, f.path, f.package], ['not-installed', `${ROOT}/packages/web/package.json`, 't']);
  });

  test('a warm inspection reads no file and lists no folder again', async () => {
    const rt = installedProject();
    const cache = new NpmDriftCache();
    await run(rt, pkg, cache);
    const before = { ...rt.calls };
    const again = await run(rt, pkg, cache);
    assert.deepEqual(again.findings, []);
    assert.equal(rt.calls.listDir - before.listDir, 0);
    // package.json above the root (the workspace-root search) and the lockfiles are read each time; nothing in node_modules is.
    assert.ok(rt.calls.readFile - before.readFile <= 10, `${rt.calls.readFile - before.readFile} reads`);
    rt.touch(`${ROOT}/node_modules/b`, 3_000_000);
    rt.write(`${ROOT}/node_modules/b/package.json`, JSON.stringify({ name: 'b', version: '1.1.0' }));
    const changed = await run(rt, pkg, cache);
    assert.equal(changed.findings[0].severity, 'information', 'a change is seen through the cache');
  });
});

test('mutated locks, hidden lockfiles and installed package.json files never throw', async () => {
  const random = prng(20261206);
  const base = lock({ dependencies: { a: '^1.0.0', x: 'npm:y@^1' }, workspaces: ['w'] }, {
    'node_modules/a': ['1.2.0', { b: '^1.0.0' }, { peerDependencies: { c: '*' }, peerDependenciesMeta: { c: { optional: true } } }],
    'node_modules/b': ['1.5.0'],
    'node_modules/x': { name: 'y', version: '1.0.0' },
    'node_modules/w': { resolved: 'w', link: true },
    w: { version: '1.0.0' },
  });
  const mutate = (text) => {
    const chars = [...text];
    for (let k = 0; k < 1 + Math.floor(random() * 4); k++) {
      const at = Math.floor(random() * chars.length);
      const op = Math.floor(random() * 3);
      if (op === 0) chars.splice(at, 1 + Math.floor(random() * 8));
      else if (op === 1) chars.splice(at, 0, '{}[]",:0-@/'[Math.floor(random() * 11)]);
      else chars[at] = chars[Math.floor(random() * chars.length)];
    }
    return chars.join('');
  };
  const pkg = { dependencies: { a: '^1.0.0', x: 'npm:y@^1' }, workspaces: ['w'] };
  for (let i = 0; i < 300; i++) {
    const text = mutate(base);
    const parsed = parsePackageLock(text, 'package-lock.json');
    assert.ok(parsed.kind === 'ok' || typeof parsed.reason === 'string');
    const m = manifest(pkg);
    const result = checkPackageLock(singleProject(m), text, `${ROOT}/package-lock.json`);
    assert.ok(Array.isArray(result.findings));
    if (i % 10 !== 0) continue;
    const rt = memoryRuntime(
      {
        [`${ROOT}/package.json`]: JSON.stringify(pkg),
        [`${ROOT}/package-lock.json`]: text,
        [`${ROOT}/w/package.json`]: mutate('{"name":"w","version":"1.0.0","dependencies":{"a":"^1"}}'),
        [`${ROOT}/node_modules/.package-lock.json`]: mutate(base),
        [`${ROOT}/node_modules/a/package.json`]: mutate('{"name":"a","version":"1.2.0","dependencies":{"b":"^1.0.0"}}'),
        [`${ROOT}/node_modules/@s/z/package.json`]: mutate('{"name":"@s/z","version":"1.0.0"}'),
      },
      { links: { [`${ROOT}/node_modules/w`]: `${ROOT}/w` }, mtimes: { [`${ROOT}/node_modules/.package-lock.json`]: random() < 0.5 ? 1 : 2_000_000 } },
    );
    const state = await inspectNpm([m], rt);
    assert.ok(Array.isArray(state.findings) && Array.isArray(state.skipped));
  }
});
