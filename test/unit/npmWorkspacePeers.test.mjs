// npm workspaces in the peer-dependency check: members linked into the root's node_modules, their
// dependencies hoisted to the root when they can be, nested in the member's own node_modules when
// not, and ERESOLVE found in a member and put on the member's package.json lines. The verdicts and
// layouts below are npm 11's (test/differential/npmPeers.test.mjs replays these shapes through the
// real CLI). Also: the workspace globs read through the Runtime, bounded, with notes for what npm
// skips without a word, and the registry checks leaving linked workspaces alone.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { checkNpmPeers } from '../../dist/core/npm/arborist/peers.js';
import { npmPeerFindings } from '../../dist/core/npm/checks/peerFindings.js';
import { checkNpmDependencies } from '../../dist/core/npm/checks/registryChecks.js';
import { findWorkspaceFolders } from '../../dist/core/npm/locks/workspaces.js';
import { loadNpmProject } from '../../dist/core/npm/locks/npmProject.js';
import { parsePackageJson } from '../../dist/core/npm/manifest/packageJson.js';
import { RegistryError } from '../../dist/core/http/types.js';
import { memoryRegistry } from '../support/npmPeerPackages.mjs';
import { memoryRuntime } from '../support/memoryRuntime.mjs';

const ENGINES = { nodeVersion: '20.20.2', npmVersion: '11.19.1' };
const ROOT = '/mono';

const text = (pkg) => JSON.stringify(pkg, null, 2);

/** A monorepo: the root package.json (workspaces packages/*) and each member by folder. */
function monorepo(rootFields, members) {
  const root = parsePackageJson(text({ name: 'mono', version: '1.0.0', workspaces: ['packages/*'], ...rootFields }), `${ROOT}/package.json`);
  const workspaces = Object.entries(members).map(([location, pkg]) => ({
    name: pkg.name,
    location,
    manifest: parsePackageJson(text({ version: '1.0.0', ...pkg }), `${ROOT}/${location}/package.json`),
  }));
  return { root, workspaces };
}

async function check(rootFields, members, options = {}) {
  const { root, workspaces } = monorepo(rootFields, members);
  const { getPackument, calls } = memoryRegistry();
  const report = await checkNpmPeers(root, getPackument, { ...ENGINES, workspaces, ...options });
  return { report, calls, root, workspaces };
}

const lineOf = (dep) => dep.range.start.line;

describe('workspaces placed as npm places them', () => {
  test('members are linked into node_modules; their dependencies hoist, or nest when the root holds another major', async () => {
    const { report } = await check({}, { 'packages/a': { name: 'a', dependencies: { 'pz-c': '^1.0.0' } }, 'packages/b': { name: 'b', version: '2.0.0', dependencies: { 'pz-c': '^2.0.0' } } });
    assert.equal(report.kind, 'ok', JSON.stringify(report));
    assert.deepEqual([...report.tree], [
      ['node_modules/a', 'link:packages/a'],
      ['node_modules/b', 'link:packages/b'],
      ['node_modules/pz-c', '1.5.0'],
      ['packages/a', '1.0.0'],
      ['packages/b', '2.0.0'],
      ['packages/b/node_modules/pz-c', '2.0.0'],
    ]);
  });

  test('a member depending on another member uses the link and never asks the registry for it', async () => {
    const { report, calls } = await check({}, { 'packages/a': { name: 'a', dependencies: { b: '*', 'pz-x': '^1.0.0' } }, 'packages/b': { name: 'b', version: '2.0.0', dependencies: { 'pz-c': '^1.0.0' } } });
    assert.equal(report.kind, 'ok', JSON.stringify(report));
    assert.equal(report.placed.get('b'), 'link:packages/b');
    assert.equal(report.placed.get('pz-c'), '1.5.0');
    assert.ok(!calls.includes('b'), calls.join());
  });

  test('a member asking for a version its sibling is not gets it from the registry, as npm does', async () => {
    const { report, calls } = await check({}, { 'packages/a': { name: 'a', dependencies: { 'pz-c': '^2.0.0' } }, 'packages/c': { name: 'pz-c', version: '1.0.0' } });
    assert.equal(report.kind, 'ok', JSON.stringify(report));
    assert.equal(report.placed.get('pz-c'), 'link:packages/c');
    assert.equal(report.tree.get('packages/a/node_modules/pz-c'), '2.0.0');
    assert.ok(calls.includes('pz-c'));
  });

  test("a member's dependency with a peer nests beside it when the root holds the other major", async () => {
    const { report } = await check({ dependencies: { 'pz-c': '^2.0.0' } }, { 'packages/a': { name: 'a', dependencies: { 'pz-x': '^1.0.0' } } });
    assert.equal(report.kind, 'ok', JSON.stringify(report));
    assert.equal(report.tree.get('node_modules/pz-c'), '2.0.0');
    assert.equal(report.tree.get('packages/a/node_modules/pz-c'), '1.5.0');
    assert.equal(report.tree.get('packages/a/node_modules/pz-x'), '1.0.0');
  });

  test("a member's devDependencies are installed (a workspace is a top-level package)", async () => {
    const { report } = await check({}, { 'packages/a': { name: 'a', devDependencies: { 'pz-c': '^2.0.0' } } });
    assert.equal(report.kind, 'ok');
    assert.equal(report.placed.get('pz-c'), '2.0.0');
  });

  test("the root's dependency on a workspace's name is the workspace link", async () => {
    const { report, calls } = await check({ dependencies: { a: '^1.0.0' } }, { 'packages/a': { name: 'a', dependencies: { 'pz-c': '^1.0.0' } } });
    assert.equal(report.kind, 'ok');
    assert.equal(report.placed.get('a'), 'link:packages/a');
    assert.ok(!calls.includes('a'));
  });
});

describe('ERESOLVE in a monorepo, on the package.json lines that cause it', () => {
  test("a member's own peer conflict names the member and points at its lines", async () => {
    const { report, workspaces } = await check({}, { 'packages/a': { name: 'a', dependencies: { 'pz-a': '^1.0.0', 'pz-c': '^2.0.0' } } });
    assert.equal(report.kind, 'conflict', JSON.stringify(report));
    const [c] = report.conflicts;
    assert.equal(c.message, 'Could not resolve dependency: peer pz-c@"^1.0.0" from pz-b@1.0.0. Found: pz-c@2.0.0 (from a@1.0.0). Conflicting peer dependency: pz-c@1.5.0.');
    const member = `${ROOT}/packages/a/package.json`;
    assert.deepEqual([c.found.path, c.found.dependency.name, lineOf(c.found.dependency)], [member, 'pz-c', 5]);
    assert.deepEqual([c.peer.path, c.peer.dependency.name, lineOf(c.peer.dependency)], [member, 'pz-a', 4]);
    assert.equal(c.found.dependency, workspaces[0].manifest.dependencies.find((d) => d.name === 'pz-c'));
    assert.equal(c.highestCompatible, '1.5.0');
    assert.equal(c.unlock, 'pz-b@2.0.0 allows pz-c 2');
  });

  test("a member's peer dependency against the root's dependency: found on the root's line, the peer on the member's", async () => {
    const { report, calls } = await check({ dependencies: { 'pz-c': '^2.0.0' } }, { 'packages/a': { name: 'a', peerDependencies: { 'pz-c': '^1.0.0' } } });
    assert.equal(report.kind, 'conflict', JSON.stringify(report));
    const [c] = report.conflicts;
    assert.equal(c.message, 'Could not resolve dependency: peer pz-c@"^1.0.0" from a@1.0.0. Found: pz-c@2.0.0 (from the root project). Conflicting peer dependency: pz-c@1.5.0.');
    assert.equal(c.found.path, `${ROOT}/package.json`);
    assert.equal(c.found.dependency.section, 'dependencies');
    assert.equal(c.peer.path, `${ROOT}/packages/a/package.json`);
    assert.equal(c.peer.dependency.section, 'peerDependencies');
    // a workspace is no registry package: no "upgrade a" advice, and no lookup of it
    assert.equal(c.unlock, undefined);
    assert.ok(!calls.includes('a'));
  });

  test('conflicts in two members are both found, each set aside in its own package.json', async () => {
    const { report } = await check({}, {
      'packages/a': { name: 'a', dependencies: { 'pz-a': '^1.0.0', 'pz-c': '^2.0.0' } },
      'packages/b': { name: 'b', dependencies: { 'pz-x': '^1.0.0', 'pz-y': '^1.0.0' } },
    });
    assert.equal(report.kind, 'conflict');
    assert.deepEqual(report.conflicts.map((c) => [c.peer.path.slice(ROOT.length), c.peer.dependency.name]), [['/packages/a/package.json', 'pz-a'], ['/packages/b/package.json', 'pz-y']]);
  });

  test('the findings land in the member file, with the related line and the fix edit in the right files', async () => {
    const { root, workspaces } = monorepo({ dependencies: { 'pz-c': '^2.0.0' } }, { 'packages/a': { name: 'a', peerDependencies: { 'pz-c': '^1.0.0' } } });
    const { getPackument } = memoryRegistry();
    const findings = await npmPeerFindings(root, getPackument, { ...ENGINES, workspaces });
    assert.deepEqual(findings.map((f) => [f.code, f.path, f.range.start.line]), [
      ['peer-conflict', `${ROOT}/package.json`, 7],
      ['peer-conflict', `${ROOT}/packages/a/package.json`, 4],
    ]);
    assert.equal(findings[0].related[0].path, `${ROOT}/packages/a/package.json`);
    assert.equal(findings[1].related[0].path, `${ROOT}/package.json`);
    assert.deepEqual(findings[0].fixes[0].edits.map((e) => [e.path, e.newText]), [[`${ROOT}/package.json`, '^1.5.0']]);
  });

  test('--legacy-peer-deps ignores a member\'s peers as it does the root\'s', async () => {
    const { report } = await check({}, { 'packages/a': { name: 'a', dependencies: { 'pz-a': '^1.0.0', 'pz-c': '^2.0.0' } } }, { legacyPeerDeps: true });
    assert.equal(report.kind, 'ok');
  });

  test('declared workspaces that were not read are no verdict; none found is the root alone', async () => {
    const { root } = monorepo({ dependencies: { 'pz-c': '^1.0.0' } }, {});
    const { getPackument, calls } = memoryRegistry();
    const unread = await checkNpmPeers(root, getPackument, ENGINES);
    assert.equal(unread.kind, 'error');
    assert.match(unread.message, /workspaces, whose package\.json files were not read/);
    assert.deepEqual(calls, []);
    const none = await checkNpmPeers(root, getPackument, { ...ENGINES, workspaces: [] });
    assert.deepEqual([...none.placed], [['pz-c', '1.5.0']]);
  });
});

describe('workspace globs through the Runtime', () => {
  const files = {
    [`${ROOT}/package.json`]: '{}',
    [`${ROOT}/packages/a/package.json`]: '{"name":"a","version":"1.0.0"}',
    [`${ROOT}/packages/docs/README.md`]: '# no package here',
    [`${ROOT}/tools/b/package.json`]: '{"name":"b","version":"1.0.0"}',
  };

  test('a pattern matching nothing and a matched folder without package.json are notes, not errors', async () => {
    const rt = memoryRuntime(files);
    const found = await findWorkspaceFolders(ROOT, ['packages/*', 'libs/*', 'tools/b'], rt);
    assert.deepEqual(found.folders, ['packages/a', 'tools/b']);
    assert.deepEqual(found.notes, [
      'packages/docs matches the npm workspaces globs but has no package.json, so npm does not install it as a workspace.',
      'The npm workspaces pattern "libs/*" matches no folder with a package.json.',
    ]);
    assert.ok(rt.calls.listDir > 0, 'folders are listed through the runtime');
  });

  test('the notes reach the project, and an unreadable member is named', async () => {
    const rt = memoryRuntime(files);
    const root = parsePackageJson(text({ workspaces: { packages: ['packages/*', 'libs/*'] } }), `${ROOT}/package.json`);
    const project = await loadNpmProject([root], rt);
    assert.deepEqual(project.workspaces.map((w) => w.location), ['packages/a']);
    assert.equal(project.notes.length, 2);
    const noList = await findWorkspaceFolders(ROOT, ['packages/*'], { env: {}, readFile: rt.readFile });
    assert.deepEqual(noList, { folders: [], notes: ['The npm workspaces were not read: this host cannot list folders.'] });
  });

  test('a ** glob over a very large tree stops at a bounded number of listings and says so', async () => {
    const many = {};
    for (let i = 0; i < 60; i++) for (let j = 0; j < 60; j++) many[`${ROOT}/libs/d${i}/e${j}/README.md`] = '';
    many[`${ROOT}/libs/d0/e0/package.json`] = '{"name":"x"}';
    const rt = memoryRuntime(many);
    const found = await findWorkspaceFolders(ROOT, ['libs/**'], rt);
    assert.ok(rt.calls.listDir <= 2000, `${rt.calls.listDir} listings`);
    assert.deepEqual(found.folders, ['libs/d0/e0']);
    assert.match(found.notes.join('\n'), /reach more than 2000 folders; only the first 2000 were searched/);
  });

  test('hostile workspaces values never throw', async () => {
    const rt = memoryRuntime(files);
    for (const value of [null, 5, 'packages/*', [], [5, null, {}], { packages: 'x' }, ['!*'], ['**/**/**'], ['../..'], ['/etc/*'], ['[']]) {
      const found = await findWorkspaceFolders(ROOT, value, rt);
      assert.ok(Array.isArray(found.folders) && Array.isArray(found.notes), JSON.stringify(value));
    }
  });
});

test('registry checks leave a dependency npm links to a workspace alone, and check one it fetches', async () => {
  const manifest = parsePackageJson(text({ dependencies: { b: '^1.0.0', c: '^3.0.0', 'pz-c': '^2.0.0' } }), `${ROOT}/packages/a/package.json`);
  const asked = [];
  const { getPackument } = memoryRegistry();
  const npm = {
    async getPackument(name) {
      asked.push(name);
      const p = await getPackument(name).catch(() => {
        throw new RegistryError('not-found', 'http://registry.test/', `${name} was not found`);
      });
      return { ...p, registry: 'http://registry.test/', stale: false };
    },
  };
  const result = await checkNpmDependencies(manifest, npm, undefined, {}, new Map([['b', '1.2.0'], ['c', '1.0.0']]));
  assert.deepEqual(asked.sort(), ['c', 'pz-c']);
  assert.deepEqual(result.findings.map((f) => [f.code, f.package]), [['unknown-package', 'c']]);
});
