// The real npm CLI is the oracle: for each package.json below, `npm install --package-lock-only`
// runs against the loopback fake registry (recorded packuments plus the synthetic packages of
// test/support/npmPeerPackages.mjs), and Pinsight's checkNpmPeers reads the same registry through
// NpmClient. They must agree on ERESOLVE or not in every case; when npm succeeds, our node_modules
// layout (top level and nested) must equal package-lock.json's; when both fail with ERESOLVE, npm's output must show
// the version we say was found and the peer requirement we say failed. Cases run one at a time.
// Workspace cases write each member's package.json too; Pinsight finds them as the checker does
// (loadNpmProject over the node runtime: the root's globs, each member's package.json).
import { test, before } from 'node:test';
import { requireOracles } from '../support/oracles.mjs';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { checkNpmPeers } from '../../dist/core/npm/arborist/peers.js';
import { loadNpmProject } from '../../dist/core/npm/locks/npmProject.js';
import { createNodeRuntime } from '../../dist/node/runtime.js';
import { parsePackageJson } from '../../dist/core/npm/manifest/packageJson.js';
import { NpmClient } from '../../dist/core/npm/registry/npmClient.js';
import { RegistryHttp } from '../../dist/core/http/registryHttp.js';
import { TransportError } from '../../dist/core/http/types.js';
import { startFakeNpm } from '../support/fakeNpm.mjs';
import { SYNTHETIC } from '../support/npmPeerPackages.mjs';

// The oracles this file compares with, in the versions it was written against.
before(() => requireOracles('npm'));

const EXAMPLE = JSON.parse(readFileSync(new URL('../../examples/npm-peer/package.json', import.meta.url), 'utf8'));
const exampleFile = (path) => JSON.parse(readFileSync(new URL(`../../examples/npm-workspaces/${path}`, import.meta.url), 'utf8'));
const MONOREPO = exampleFile('package.json');
const MONOREPO_MEMBERS = { 'packages/ui': exampleFile('packages/ui/package.json'), 'packages/web': exampleFile('packages/web/package.json') };
const ws = (name, fields = {}) => ({ name, version: '1.0.0', ...fields });
const REACT19 = { react: '^19.1.0', 'react-dom': '^19.1.0' };
const REACT18 = { react: '^18.2.0', 'react-dom': '^18.2.0' };

const CASES = [
  // recorded packuments
  ['examples/npm-peer', EXAMPLE],
  // the package.json the team-rule fix of test/cli/rules.test.mjs writes: react-dom exact below react's pick
  ['react ^18.2.0 with react-dom pinned to 18.2.0', { dependencies: { react: '^18.2.0', 'react-dom': '18.2.0' } }],
  ['examples/npm-peer with react 18', { ...EXAMPLE, dependencies: { ...EXAMPLE.dependencies, react: '^18.2.0', 'react-dom': '^18.2.0' } }],
  ['react-beautiful-dnd alone', { dependencies: { 'react-beautiful-dnd': '^13.1.1' } }],
  ['react 19 with react-redux 7', { dependencies: { react: '^19.0.0', 'react-redux': '^7.2.9' } }],
  ['react-dom 19 and react-beautiful-dnd, no react', { dependencies: { 'react-dom': '^19.1.0', 'react-beautiful-dnd': '^13.1.1' } }],
  ['react >=18 with react-beautiful-dnd', { dependencies: { react: '>=18', 'react-beautiful-dnd': '^13.1.1' } }],
  ['react "latest" with react-beautiful-dnd', { dependencies: { react: 'latest', 'react-beautiful-dnd': '^13.1.1' } }],
  ['react-beautiful-dnd as a devDependency', { dependencies: REACT19, devDependencies: { 'react-beautiful-dnd': '^13.1.1' } }],
  ['nested "$react" overrides', { ...EXAMPLE, overrides: { 'react-beautiful-dnd': { react: '$react', 'react-dom': '$react-dom' } } }],
  ['top-level override equal to the direct spec', { ...EXAMPLE, overrides: REACT19 }],
  ['override changing a direct dependency (EOVERRIDE)', { dependencies: { react: '^19.1.0', 'react-beautiful-dnd': '^13.1.1' }, overrides: { react: '18.3.1' } }],
  ['@types/react-dom 19 with @types/react 18', { dependencies: { '@types/react-dom': '^19.0.0', '@types/react': '^18.0.0' } }],
  ['@types/react-redux with @types/react 18', { dependencies: { '@types/react-redux': '^7.1.0', '@types/react': '^18.0.0' } }],
  ['react-redux 7 with react-dom 19 as its optional peer', { dependencies: { react: '^18.0.0', 'react-dom': '^19.0.0', 'react-redux': '^7.2.9' } }],
  ['react-redux 9 optional @types/react 16, before a missing package', { dependencies: { react: '^19.0.0', 'react-redux': '^9.1.0', redux: '^5.0.0', '@types/react': '^16.0.0' } }],
  ['root peerDependencies react 19 with react-beautiful-dnd', { peerDependencies: { react: '^19.0.0' }, dependencies: { 'react-beautiful-dnd': '^13.1.1' } }],
  // synthetic packages, one placement rule each
  ['peer of a peer conflicts with the root', { dependencies: { 'pz-a': '^1.0.0', 'pz-c': '^2.0.0' } }],
  ['peer of a peer agrees with the root', { dependencies: { 'pz-a': '^1.0.0', 'pz-c': '^1.0.0' } }],
  ['a peer set nests under a non-root dependant', { dependencies: { 'pz-wrap': '^1.0.0', 'pz-c': '^2.0.0' } }],
  ['optional peer absent', { dependencies: { 'pz-opt': '^1.0.0' } }],
  ['optional peer at the root, rejected', { dependencies: { 'pz-opt': '^1.0.0', 'pz-c': '^2.0.0' } }],
  ['optional peer present only transitively', { dependencies: { 'pz-opt': '^1.0.0', 'pz-needs-c2': '^1.0.0' } }],
  ['latest tag below the highest, raised by a peer placed first', { dependencies: { 'pz-tagged': '>=1.0.0', 'pz-a-peer-t2': '^1.0.0' } }],
  ['latest tag below the highest, raised by a peer placed last', { dependencies: { 'pz-tagged': '>=1.0.0', 'pz-zz-peer-t2': '^1.0.0' } }],
  ['deprecated latest avoided', { dependencies: { 'pz-dep': '^1.0.0', 'pz-c': '^2.0.0' } }],
  ['engines-incompatible latest avoided', { dependencies: { 'pz-eng': '^1.0.0 || ^2.0.0', 'pz-c': '^2.0.0' } }],
  ['scoped peer conflict', { dependencies: { '@pz/peer-x': '^1.0.0', '@pz/core': '^2.0.0' } }],
  ['two root dependencies with disagreeing peers', { dependencies: { 'pz-x': '^1.0.0', 'pz-y': '^1.0.0' } }],
  ['npm: alias under the peer\'s name', { dependencies: { 'pz-c': 'npm:pz-c@^2.0.0', 'pz-x': '^1.0.0' } }],
  ['peer cycle with a pinned peer', { dependencies: { 'pz-cycle-a': '^1.0.0', 'pz-c': '^1.5.0' } }],
  ['same name in dependencies and devDependencies', { dependencies: { 'pz-c': '^2.0.0', 'pz-x': '^1.0.0' }, devDependencies: { 'pz-c': '^1.0.0' } }],
  ['react-beautiful-dnd 12 with react 17', { dependencies: { react: '^17.0.0', 'react-dom': '^17.0.0', 'react-beautiful-dnd': '^12.0.0' } }],
  ['a larger react 18 tree with types and typescript', {
    dependencies: { ...REACT18, 'react-beautiful-dnd': '^13.1.1', 'react-redux': '^7.2.9', '@types/react-redux': '^7.1.0', '@types/react': '^18.0.0', '@types/react-dom': '^18.0.0' },
    devDependencies: { typescript: '^5.0.0' },
  }],
  ['@types/react-dom 19 brings its @types/react peer', { dependencies: { '@types/react-dom': '^19.0.0', '@types/react-redux': '^7.1.0' } }],
  ['optional peer of a nested package, rejected by the root', { dependencies: { 'pz-host-opt': '^1.0.0', 'pz-c': '^2.0.0' } }],
  ['overlapping peers: the narrower replaces the first', { dependencies: { 'pz-x': '^1.0.0', 'pz-pin': '^1.0.0' } }],
  ['overlapping peers with the root pinning the other end', { dependencies: { 'pz-x': '^1.0.0', 'pz-pin': '^1.0.0', 'pz-c': '^1.5.0' } }],
  ['a peer on a dist-tag', { dependencies: { 'pz-peer-tag': '^1.0.0' } }],
  ['a peer on a dist-tag beside the root\'s own range', { dependencies: { 'pz-peer-tag': '^1.0.0', 'pz-tagged': '^1.0.0' } }],
  ['a peer set both nested and at the root', { dependencies: { 'pz-wrap': '^1.0.0', 'pz-b': '^2.0.0' } }],
  // npm settings: the same placement, different endings
  ['a nested peer conflict npm overrides with a warning', { dependencies: { 'pz-wrap3': '^1.0.0' } }],
  ['... which --strict-peer-deps makes fatal', { dependencies: { 'pz-wrap3': '^1.0.0' } }, { strictPeerDeps: true }],
  ['a nested dependant nests its peer, even under --strict-peer-deps', { dependencies: { 'pz-wrap2': '^1.0.0' } }, { strictPeerDeps: true }],
  ['examples/npm-peer with --legacy-peer-deps', EXAMPLE, { legacyPeerDeps: true }],
  ['examples/npm-peer with --force', EXAMPLE, { force: true }],
  ['override key with a range and a "." value', { dependencies: { 'pz-x': '1.0.0', 'pz-c': '^2.0.0' }, overrides: { 'pz-x@1': { '.': '1.0.0', 'pz-c': '$pz-c' } } }],
];

// npm workspaces: [name, root package.json, npm settings, { folder: member package.json or null }]
const WORKSPACE_CASES = [
  ['workspaces: examples/npm-workspaces (a member\'s own peer conflict)', MONOREPO, {}, MONOREPO_MEMBERS],
  ['workspaces: examples/npm-workspaces with web on React 18', MONOREPO, {}, {
    ...MONOREPO_MEMBERS,
    'packages/web': { ...MONOREPO_MEMBERS['packages/web'], dependencies: { ...MONOREPO_MEMBERS['packages/web'].dependencies, ...REACT18 } },
  }],
  ['workspaces: a peer conflict inside a member', { workspaces: ['packages/*'] }, {}, { 'packages/a': ws('a', { dependencies: { 'pz-a': '^1.0.0', 'pz-c': '^2.0.0' } }) }],
  ['workspaces: two members on different majors nest', { workspaces: ['packages/*'] }, {}, {
    'packages/a': ws('a', { dependencies: { 'pz-c': '^1.0.0' } }),
    'packages/b': ws('b', { version: '2.0.0', dependencies: { 'pz-c': '^2.0.0' } }),
  }],
  ['workspaces: a member depends on another member', { workspaces: { packages: ['packages/*'] } }, {}, {
    'packages/a': ws('a', { dependencies: { b: '*', 'pz-x': '^1.0.0' } }),
    'packages/b': ws('b', { version: '2.0.0', dependencies: { 'pz-c': '^1.0.0' } }),
  }],
  ['workspaces: a member depends on another member by version range', { workspaces: ['packages/*'] }, {}, {
    'packages/a': ws('a', { dependencies: { '@ws/b': '^2.0.0', 'pz-y': '^1.0.0' } }),
    'packages/b': ws('@ws/b', { version: '2.1.0', peerDependencies: { 'pz-c': '^2.0.0' } }),
  }],
  ['workspaces: a member\'s peer dependency against the root\'s dependency', { workspaces: ['packages/*'], dependencies: { 'pz-c': '^2.0.0' } }, {}, {
    'packages/a': ws('a', { peerDependencies: { 'pz-c': '^1.0.0' } }),
  }],
  ['workspaces: the root\'s peer set against a member\'s dependency', { workspaces: ['packages/*'], dependencies: { 'pz-x': '^1.0.0' } }, {}, {
    'packages/a': ws('a', { dependencies: { 'pz-y': '^1.0.0' }, devDependencies: { 'pz-c': '^2.0.0' } }),
  }],
  ['workspaces: a member\'s dependency with a peer nests beside it, under the root\'s other major', { workspaces: ['packages/*'], dependencies: { 'pz-c': '^2.0.0' } }, {}, {
    'packages/a': ws('a', { dependencies: { 'pz-x': '^1.0.0' } }),
  }],
  ['workspaces: a clean monorepo', { workspaces: ['apps/*', 'libs/*'], devDependencies: { 'pz-c': '^1.0.0' } }, {}, {
    'apps/web': ws('web', { dependencies: { lib: '^1.0.0', 'pz-x': '^1.0.0', 'pz-z': '^1.0.0' } }),
    'libs/lib': ws('lib', { peerDependencies: { 'pz-c': '^1.0.0' }, devDependencies: { 'pz-c': '^1.5.0' } }),
  }],
  ['workspaces: a glob matching nothing and a folder without package.json', { workspaces: ['packages/*', 'tools/*'], dependencies: { 'pz-c': '^2.0.0' } }, {}, {
    'packages/empty': null,
    'packages/a': ws('a', { dependencies: { 'pz-y': '^1.0.0' } }),
  }],
  ['workspaces: a member peer conflict under --strict-peer-deps in a nested dependant', { workspaces: ['packages/*'] }, { strictPeerDeps: true }, {
    'packages/a': ws('a', { dependencies: { 'pz-wrap3': '^1.0.0' } }),
  }],
  ['workspaces: a member peer conflict with --legacy-peer-deps', { workspaces: ['packages/*'] }, { legacyPeerDeps: true }, {
    'packages/a': ws('a', { dependencies: { 'pz-a': '^1.0.0', 'pz-c': '^2.0.0' } }),
  }],
  ['workspaces: two members each with its own conflict', { workspaces: ['packages/*'] }, {}, {
    'packages/a': ws('a', { dependencies: { 'pz-a': '^1.0.0', 'pz-c': '^2.0.0' } }),
    'packages/b': ws('b', { dependencies: { 'pz-x': '^1.0.0', 'pz-y': '^1.0.0' } }),
  }],
];

function run(cmd, args, options) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, options);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', (error) => resolve({ status: -1, stdout, stderr: String(error) }));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

async function transport(request) {
  try {
    const res = await fetch(request.url, { method: request.method, headers: request.headers, redirect: 'manual', signal: request.signal });
    return { status: res.status, headers: Object.fromEntries(res.headers), body: new Uint8Array(await res.arrayBuffer()) };
  } catch (error) {
    throw new TransportError(request.signal?.aborted ? 'aborted' : 'reset', String(error.cause?.message ?? error.message));
  }
}

const clock = { now: () => Date.now(), sleep: async () => {}, random: () => 0 };

/** npm's verdict: 'ok' with the top-level lock entries, or its error code with the error text. */
const FLAGS = { strictPeerDeps: '--strict-peer-deps', legacyPeerDeps: '--legacy-peer-deps', force: '--force' };

async function npmVerdict(pkg, mode, registry, work, dir) {
  const args = ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund', '--registry', registry, '--cache', join(work, 'cache')];
  for (const key of Object.keys(mode)) args.push(FLAGS[key]);
  const env = { ...process.env, NPM_CONFIG_USERCONFIG: join(work, 'npmrc'), NPM_CONFIG_UPDATE_NOTIFIER: 'false' };
  const result = await run('npm', args, { cwd: dir, env });
  const text = result.stderr.split('\n').map((l) => l.replace(/^npm error ?/, '')).join('\n');
  if (result.status !== 0) return { code: /^code (\S+)/m.exec(text)?.[1] ?? `exit ${result.status}`, text };
  const warned = /npm warn ERESOLVE overriding peer dependency/.test(result.stderr);
  const lock = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8'));
  const top = new Map();
  const tree = new Map();
  for (const [path, entry] of Object.entries(lock.packages)) {
    // a workspace's link has no version: it is written as the folder it points to
    const version = entry.link ? `link:${entry.resolved}` : entry.version;
    if (path !== '') tree.set(path, version);
    const m = /^node_modules\/((?:@[^/]+\/)?[^/]+)$/.exec(path);
    if (m) top.set(m[1], version);
  }
  return { code: 'ok', top, tree, warned, text };
}

/** Runs each case through npm and checkNpmPeers; returns the tally. */
async function agreeWithNpm(t, cases) {
  const version = await run('npm', ['--version'], { env: { ...process.env, NPM_CONFIG_USERCONFIG: '/dev/null' } });
  // requireOracles has already failed the file when npm is missing; this names the failure here too.
  assert.equal(version.status, 0, `the npm CLI did not run (npm --version: ${version.stderr})`);
  const npmVersion = version.stdout.trim();
  const work = mkdtempSync(join(tmpdir(), 'pinsight-npm-peers-'));
  writeFileSync(join(work, 'npmrc'), '');
  const fake = await startFakeNpm({ extra: SYNTHETIC });
  const client = new NpmClient(new RegistryHttp({ transport, clock, retries: 0 }), { defaultRegistry: fake.url, scopes: {} });
  const getPackument = (name) => client.getPackument(name);
  const tally = { eresolve: 0, ok: 0, other: 0 };
  try {
    for (const [name, pkg, mode = {}, members] of cases) {
      await t.test(name, async () => {
        const dir = mkdtempSync(join(work, 'case-'));
        const text = JSON.stringify({ name: 'case', version: '1.0.0', ...pkg }, null, 2);
        writeFileSync(join(dir, 'package.json'), text);
        for (const [folder, memberPkg] of Object.entries(members ?? {})) {
          mkdirSync(join(dir, folder), { recursive: true });
          if (memberPkg) writeFileSync(join(dir, folder, 'package.json'), JSON.stringify(memberPkg, null, 2));
        }
        const npm = await npmVerdict(pkg, mode, fake.url, work, dir);
        const manifest = parsePackageJson(text, join(dir, 'package.json'));
        // the workspaces as the checker finds them: the root's globs over this folder, each member's package.json
        const workspaces = members ? (await loadNpmProject([manifest], createNodeRuntime())).workspaces : undefined;
        const ours = await checkNpmPeers(manifest, getPackument, { nodeVersion: process.version, npmVersion, ...mode, workspaces });
        const detail = `npm: ${npm.code}${npm.text ? `\n${npm.text.slice(0, 1500)}` : ''}\nours: ${JSON.stringify(ours, (k, v) => (v instanceof Map ? [...v] : k === 'dependency' ? undefined : v))}`;
        assert.equal(ours.kind === 'conflict', npm.code === 'ERESOLVE', detail);
        if (npm.code === 'ok') {
          tally.ok++;
          assert.equal(ours.kind, 'ok', detail);
          assert.deepEqual([...ours.placed].sort(), [...npm.top].sort(), detail);
          // the whole node_modules layout, nested copies and workspace links included (npm's "extraneous" flag aside)
          assert.deepEqual([...ours.tree].sort(), [...npm.tree].sort(), detail);
          // and npm printed "overriding peer dependency" exactly when we have warnings
          assert.equal(ours.warnings.length > 0, npm.warned, detail);
        } else if (npm.code === 'ERESOLVE') {
          tally.eresolve++;
          const [first] = ours.conflicts;
          assert.equal(/^Found: (\S+)$/m.exec(npm.text)?.[1], `${first.found.name}@${first.found.version}`, detail);
          const type = /Could not resolve dependency: (peer\w*) /.exec(first.message)?.[1];
          assert.ok(npm.text.includes(`${type} ${first.found.name}@"${first.peer.spec}" from ${first.peer.dependant}`), detail);
          if (members) {
            // each side is put on the package.json npm's explanation leads back to: the root's or the workspace's
            const foundPart = npm.text.slice(npm.text.indexOf('Found:'), npm.text.indexOf('Could not resolve dependency:'));
            const peerPart = npm.text.slice(npm.text.indexOf('Could not resolve dependency:'));
            // (the found side has no line of its own when another package's peer brought it)
            assert.ok(first.peer.path, detail);
            for (const [path, part] of [[first.found.path, foundPart], [first.peer.path, peerPart]]) {
              if (!path) continue;
              const folder = relative(dir, dirname(path));
              assert.ok(folder === '' ? part.includes('from the root project') : part.includes(`\n  ${folder}\n`) || part.includes(` ${folder}\n`), `${path}\n${detail}`);
            }
          }
        } else {
          tally.other++;
          assert.equal(ours.kind, 'error', detail);
        }
      });
    }
  } finally {
    await fake.close();
    rmSync(work, { recursive: true, force: true });
  }
  return tally;
}

// The bounds only stop a hung npm: each case runs npm once, 1 to 8 s on a shared, loaded machine.
test('npm 11 and checkNpmPeers agree on ERESOLVE', { timeout: 400_000 }, async (t) => {
  assert.ok(CASES.length >= 15);
  const tally = await agreeWithNpm(t, CASES);
  t.diagnostic(`${CASES.length} cases: ${tally.eresolve} ERESOLVE, ${tally.ok} installed, ${tally.other} other npm errors`);
});

test('npm 11 and checkNpmPeers agree on ERESOLVE in npm workspaces monorepos', { timeout: 300_000 }, async (t) => {
  const tally = await agreeWithNpm(t, WORKSPACE_CASES);
  t.diagnostic(`${WORKSPACE_CASES.length} workspace cases: ${tally.eresolve} ERESOLVE, ${tally.ok} installed, ${tally.other} other npm errors`);
  // both verdicts occur: a member's conflict, a member against the root, and clean monorepos
  assert.ok(tally.eresolve >= 4 && tally.ok >= 5, JSON.stringify(tally));
});
