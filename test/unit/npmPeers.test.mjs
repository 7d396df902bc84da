// npm peer-dependency check (ERESOLVE prediction) on in-memory packuments: the recorded registry
// fixtures (react, react-beautiful-dnd, react-redux ...) and synthetic packages built for one npm
// placement rule each. Every verdict here was checked against npm 11 itself (see
// test/differential/npmPeers.test.mjs, which replays many of these cases through the real CLI).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { checkNpmPeers } from '../../dist/core/npm/arborist/peers.js';
import { pickVersion, parseRegistrySpec } from '../../dist/core/npm/arborist/pick.js';
import { parsePackageJson } from '../../dist/core/npm/manifest/packageJson.js';
import { memoryRegistry, toPackument } from '../support/npmPeerPackages.mjs';

const ENGINES = { nodeVersion: '20.20.2', npmVersion: '11.19.1' };

async function check(pkg, options = {}) {
  const text = typeof pkg === 'string' ? pkg : JSON.stringify({ name: 'app', version: '1.0.0', ...pkg }, null, 2);
  const { getPackument, calls } = memoryRegistry();
  const report = await checkNpmPeers(parsePackageJson(text, '/app/package.json'), getPackument, { ...ENGINES, ...options });
  return { report, calls };
}

function only(report) {
  assert.equal(report.kind, 'conflict', JSON.stringify(report));
  assert.equal(report.conflicts.length, 1, JSON.stringify(report.conflicts.map((c) => c.message)));
  return report.conflicts[0];
}

const RBD_PEER = '^16.8.5 || ^17.0.0 || ^18.0.0';
const EXAMPLE = {
  dependencies: { react: '^19.1.0', 'react-dom': '^19.1.0', 'react-beautiful-dnd': '^13.1.1' },
  devDependencies: { typescript: '~5.8.3' },
};

describe('conflicts npm reports as ERESOLVE', () => {
  test('react 19 with react-beautiful-dnd 13 (examples/npm-peer)', async () => {
    const { report } = await check(EXAMPLE);
    const c = only(report);
    assert.equal(
      c.message,
      `Could not resolve dependency: peer react@"${RBD_PEER}" from react-beautiful-dnd@13.1.1. ` +
        'Found: react@19.3.1 (from the root project). Conflicting peer dependency: react@18.3.1.',
    );
    assert.deepEqual({ ...c.found, dependency: undefined }, { name: 'react', version: '19.3.1', requiredBy: 'the root project', dependency: undefined, path: '/app/package.json' });
    assert.equal(c.found.dependency.name, 'react');
    assert.equal(c.found.dependency.section, 'dependencies');
    assert.equal(c.found.dependency.range.start.line, 4); // the "react" line of the manifest
    assert.equal(c.peer.dependant, 'react-beautiful-dnd@13.1.1');
    assert.equal(c.peer.spec, RBD_PEER);
    assert.equal(c.peer.dependency.name, 'react-beautiful-dnd');
    assert.equal(c.highestCompatible, '18.3.1');
    assert.equal(c.unlock, 'no released version of react-beautiful-dnd allows react 19');
    assert.equal(c.unlockVersion, undefined);
  });

  test('a conflict through a peer of a peer names the inner dependant and the root dependency', async () => {
    const c = only((await check({ dependencies: { 'pz-a': '^1.0.0', 'pz-c': '^2.0.0' } })).report);
    assert.equal(
      c.message,
      'Could not resolve dependency: peer pz-c@"^1.0.0" from pz-b@1.0.0. Found: pz-c@2.0.0 (from the root project). Conflicting peer dependency: pz-c@1.5.0.',
    );
    assert.equal(c.peer.dependency.name, 'pz-a');
    assert.equal(c.found.dependency.name, 'pz-c');
    assert.equal(c.highestCompatible, '1.5.0');
    assert.equal(c.unlock, 'pz-b@2.0.0 allows pz-c 2');
    assert.equal(c.unlockVersion, '2.0.0');
  });

  test('a devDependency conflict points at the devDependencies entry', async () => {
    const c = only(
      (await check({ dependencies: { react: '^19.1.0', 'react-dom': '^19.1.0' }, devDependencies: { 'react-beautiful-dnd': '^13.1.1' } })).report,
    );
    assert.equal(c.peer.dependency.section, 'devDependencies');
    assert.equal(c.found.dependency.section, 'dependencies');
    assert.match(c.message, /^Could not resolve dependency: peer react@/);
  });

  test('two root dependencies whose peers disagree, with the peer not in package.json', async () => {
    // pz-x is placed first (names sort) with pz-c@1.5.0; pz-y then needs pz-c ^2 beside it.
    const c = only((await check({ dependencies: { 'pz-y': '^1.0.0', 'pz-x': '^1.0.0' } })).report);
    assert.equal(
      c.message,
      'Could not resolve dependency: peer pz-c@"^2.0.0" from pz-y@1.0.0. Found: pz-c@1.5.0 (from pz-x@1.0.0). Conflicting peer dependency: pz-c@2.0.0.',
    );
    assert.equal(c.found.requiredBy, 'pz-x@1.0.0');
    assert.equal(c.found.dependency.name, 'pz-x');
    assert.equal(c.peer.dependency.name, 'pz-y');
    assert.equal(c.unlock, 'no released version of pz-y allows pz-c 1');
  });

  test('scoped packages', async () => {
    const c = only((await check({ dependencies: { '@pz/peer-x': '^1.0.0', '@pz/core': '^2.0.0' } })).report);
    assert.equal(
      c.message,
      'Could not resolve dependency: peer @pz/core@"^1.0.0" from @pz/peer-x@1.0.0. Found: @pz/core@2.0.0 (from the root project). Conflicting peer dependency: @pz/core@1.0.0.',
    );
    assert.equal(c.unlock, '@pz/peer-x@2.0.0 allows @pz/core 2');
  });

  test('an npm: alias under the peer name is what the peer sees', async () => {
    const c = only((await check({ dependencies: { 'pz-c': 'npm:pz-c@^2.0.0', 'pz-x': '^1.0.0' } })).report);
    assert.equal(c.found.version, '2.0.0');
    assert.equal(c.peer.dependant, 'pz-x@1.0.0');
  });

  test('the root package\'s own peerDependencies are installed and must agree', async () => {
    const c = only((await check({ peerDependencies: { react: '^19.0.0' }, dependencies: { 'react-beautiful-dnd': '^13.1.1' } })).report);
    assert.equal(c.found.dependency.section, 'peerDependencies');
  });

  test('every conflicting root dependency is reported, each with its own way out', async () => {
    const { report } = await check({ dependencies: { ...EXAMPLE.dependencies, 'react-redux': '^7.2.9' } });
    assert.equal(report.kind, 'conflict');
    assert.deepEqual(report.conflicts.map((c) => c.peer.dependant), ['react-beautiful-dnd@13.1.1', 'react-redux@7.2.9']);
    const redux = report.conflicts[1];
    assert.equal(redux.unlock, 'react-redux@9.3.1 allows react 19');
    assert.equal(redux.unlockVersion, '9.3.1');
    assert.equal(redux.highestCompatible, '18.3.1');
    const first = await check({ dependencies: { ...EXAMPLE.dependencies, 'react-redux': '^7.2.9' } }, { maxConflicts: 0 });
    assert.equal(first.report.conflicts.length, 1);
  });
});

describe('trees npm installs', () => {
  test('the react 18 variant places one react beside every dependant', async () => {
    const { report } = await check({ dependencies: { react: '^18.2.0', 'react-dom': '^18.2.0', 'react-beautiful-dnd': '^13.1.1' } });
    assert.equal(report.kind, 'ok', JSON.stringify(report));
    assert.equal(report.placed.get('react'), '18.3.1');
    assert.equal(report.placed.get('react-dom'), '18.3.1');
    assert.equal(report.placed.get('react-beautiful-dnd'), '13.1.1');
    assert.equal(report.placed.get('react-redux'), '7.2.9'); // a dependency of react-beautiful-dnd, hoisted
    assert.deepEqual(report.warnings, []);
  });

  test('react-beautiful-dnd alone brings react 18 as its peer', async () => {
    const { report } = await check({ dependencies: { 'react-beautiful-dnd': '^13.1.1' } });
    assert.equal(report.kind, 'ok');
    assert.equal(report.placed.get('react'), '18.3.1');
    assert.equal(report.placed.get('react-dom'), '18.3.1');
  });

  test('plain dependency ranges never conflict: a non-root dependant nests with its own peer', async () => {
    for (const pkg of [{ dependencies: { 'pz-wrap': '^1.0.0', 'pz-c': '^2.0.0' } }, { dependencies: { 'pz-host': '^1.0.0', 'pz-c': '^2.0.0' } }]) {
      const { report } = await check(pkg);
      assert.equal(report.kind, 'ok', JSON.stringify(report));
      assert.equal(report.placed.get('pz-c'), '2.0.0');
    }
  });

  test('a broad root range takes the version the peer wants when both accept it', async () => {
    const { report } = await check({ dependencies: { react: '>=18', 'react-beautiful-dnd': '^13.1.1' } });
    assert.equal(report.kind, 'ok');
    assert.equal(report.placed.get('react'), '18.3.1');
  });

  test('a name in dependencies and devDependencies installs the devDependencies spec, as npm does', async () => {
    const { report } = await check({ dependencies: { 'pz-c': '^1.0.0' }, devDependencies: { 'pz-c': '^2.0.0' } });
    assert.equal(report.kind, 'ok');
    assert.equal(report.placed.get('pz-c'), '2.0.0');
  });
});

describe('optional peers', () => {
  test('absent: not installed and not checked', async () => {
    const { report } = await check({ dependencies: { 'pz-opt': '^1.0.0' } });
    assert.equal(report.kind, 'ok');
    assert.deepEqual([...report.placed.keys()], ['pz-opt']);
  });

  test('present at the root with an allowed version', async () => {
    const { report } = await check({ dependencies: { 'pz-opt': '^1.0.0', 'pz-c': '^1.0.0' } });
    assert.equal(report.kind, 'ok');
  });

  test('present at the root with a version it rejects: ERESOLVE naming peerOptional', async () => {
    const c = only((await check({ dependencies: { 'pz-opt': '^1.0.0', 'pz-c': '^2.0.0' } })).report);
    assert.equal(
      c.message,
      'Could not resolve dependency: peerOptional pz-c@"^1.0.0" from pz-opt@1.0.0. Found: pz-c@2.0.0 (from the root project). Conflicting peer dependency: pz-c@1.5.0.',
    );
  });

  test('present only as a dependency of another package: npm nests that copy', async () => {
    const { report } = await check({ dependencies: { 'pz-opt': '^1.0.0', 'pz-needs-c2': '^1.0.0' } });
    assert.equal(report.kind, 'ok');
    assert.equal(report.placed.get('pz-c'), '1.5.0');
  });
});

describe('overrides', () => {
  test('a nested "$react" override resolves the example', async () => {
    const overrides = { 'react-beautiful-dnd': { react: '$react', 'react-dom': '$react-dom' } };
    const { report } = await check({ ...EXAMPLE, overrides });
    assert.equal(report.kind, 'ok', JSON.stringify(report));
    assert.equal(report.placed.get('react'), '19.3.1');
  });

  test('a top-level override with the direct dependency\'s own spec applies to the peer too', async () => {
    const { report } = await check({ ...EXAMPLE, overrides: { react: '^19.1.0', 'react-dom': '^19.1.0' } });
    assert.equal(report.kind, 'ok');
  });

  test('an override below the dependant of a peer of a peer', async () => {
    const { report } = await check({ dependencies: { 'pz-a': '^1.0.0', 'pz-c': '^2.0.0' }, overrides: { 'pz-b': { 'pz-c': '^2.0.0' } } });
    assert.equal(report.kind, 'ok');
    assert.equal(report.placed.get('pz-b'), '1.0.0');
  });

  test('an override key with a range, and a "." value', async () => {
    const keyed = await check({ dependencies: { 'pz-x': '^1', 'pz-c': '^2.0.0' }, overrides: { 'pz-x@^1': { 'pz-c': '$pz-c' } } });
    assert.equal(keyed.report.kind, 'ok');
    const dot = await check({ dependencies: { 'pz-x': '1.0.0', 'pz-c': '^2.0.0' }, overrides: { 'pz-x': { '.': '1.0.0', 'pz-c': '$pz-c' } } });
    assert.equal(dot.report.kind, 'ok', JSON.stringify(dot.report));
  });

  test('an override that changes a direct dependency is npm\'s EOVERRIDE', async () => {
    const { report } = await check({ dependencies: { react: '^19.1.0', 'react-beautiful-dnd': '^13.1.1' }, overrides: { react: '18.3.1' } });
    assert.equal(report.kind, 'error');
    assert.match(report.message, /^Override for react@\^19\.1\.0 conflicts with direct dependency/);
  });

  test('a "$name" reference to something that is not a direct dependency', async () => {
    const { report } = await check({ dependencies: { 'pz-x': '^1.0.0' }, overrides: { 'pz-c': '$pz-missing' } });
    assert.equal(report.kind, 'error');
    assert.match(report.message, /\$pz-missing/);
  });
});

describe('version choice as npm-pick-manifest makes it', () => {
  const tagged = toPackument('pz-tagged', { 'dist-tags': { latest: '1.0.0', next: '3.0.0-beta.1' }, versions: { '1.0.0': {}, '2.0.0': {}, '3.0.0-beta.1': {} } });

  test('the latest tag wins when it satisfies the range; prereleases only by tag or by name', () => {
    const cases = [
      ['>=1.0.0', '1.0.0'],
      ['*', '1.0.0'],
      ['', '1.0.0'],
      ['^2.0.0', '2.0.0'],
      ['>=2', '2.0.0'],
      ['next', '3.0.0-beta.1'],
      ['latest', '1.0.0'],
      ['^3.0.0-beta.0', '3.0.0-beta.1'],
      ['^4.0.0', undefined],
      ['nosuchtag', undefined],
    ];
    for (const [spec, expected] of cases) assert.equal(pickVersion(tagged, parseRegistrySpec('pz-tagged', spec), ENGINES), expected, spec);
  });

  test('deprecated versions and versions whose engines reject this Node lose to others', async () => {
    const dep = toPackument('pz-dep', { 'dist-tags': { latest: '1.1.0' }, versions: { '1.0.0': {}, '1.1.0': { deprecated: 'no' } } });
    assert.equal(pickVersion(dep, parseRegistrySpec('pz-dep', '^1.0.0'), ENGINES), '1.0.0');
    assert.equal(pickVersion(dep, parseRegistrySpec('pz-dep', '1.1.0'), ENGINES), '1.1.0');
    const eng = toPackument('pz-eng', { 'dist-tags': { latest: '2.0.0' }, versions: { '1.0.0': {}, '2.0.0': { engines: { node: '>=99' } } } });
    assert.equal(pickVersion(eng, parseRegistrySpec('pz-eng', '*'), ENGINES), '1.0.0');
    assert.equal(pickVersion(eng, parseRegistrySpec('pz-eng', '*'), {}), '2.0.0');
    // ... and the choice decides the peer range: both of these are ERESOLVE with pz-c ^2
    for (const name of ['pz-dep', 'pz-eng']) {
      const { report } = await check({ dependencies: { [name]: '^1.0.0 || ^2.0.0', 'pz-c': '^2.0.0' } });
      assert.equal(report.kind, 'conflict', name);
    }
  });

  test('latest-tag preference decides which version lands at the root', async () => {
    assert.equal((await check({ dependencies: { 'pz-tagged': '>=1.0.0' } })).report.placed.get('pz-tagged'), '1.0.0');
    // a peer that needs ^2 pulls the root's broad range up to 2.0.0, in either placement order
    for (const peer of ['pz-a-peer-t2', 'pz-zz-peer-t2']) {
      const { report } = await check({ dependencies: { 'pz-tagged': '>=1.0.0', [peer]: '^1.0.0' } });
      assert.equal(report.kind, 'ok');
      assert.equal(report.placed.get('pz-tagged'), '2.0.0', peer);
    }
  });
});

describe('npm settings that change the ending', () => {
  test('a conflict below a non-root dependant is a warning, fatal under --strict-peer-deps', async () => {
    const pkg = { dependencies: { 'pz-wrap3': '^1.0.0' } };
    const loose = (await check(pkg)).report;
    assert.equal(loose.kind, 'ok');
    assert.deepEqual(loose.warnings, ['overriding peer dependency: peer pz-c@"^1.0.0" from pz-x@1.0.0']);
    const c = only((await check(pkg, { strictPeerDeps: true })).report);
    assert.equal(
      c.message,
      'Could not resolve dependency: peer pz-c@"^1.0.0" from pz-x@1.0.0. Found: pz-c@2.0.0 (from pz-wrap3@1.0.0). Conflicting peer dependency: pz-c@1.5.0.',
    );
    assert.equal(c.peer.dependency.name, 'pz-wrap3');
  });

  test('--legacy-peer-deps ignores peers; --force installs over the conflict with a warning', async () => {
    const legacy = (await check(EXAMPLE, { legacyPeerDeps: true })).report;
    assert.equal(legacy.kind, 'ok');
    assert.deepEqual(legacy.warnings, []);
    const forced = (await check(EXAMPLE, { force: true })).report;
    assert.equal(forced.kind, 'ok');
    assert.equal(forced.placed.get('react'), '19.3.1');
    assert.ok(forced.warnings.some((w) => w.includes('react@"^16.8.5 || ^17.0.0 || ^18.0.0" from react-beautiful-dnd@13.1.1')));
  });

  test('the full node_modules layout is reported, nested copies included', async () => {
    const { report } = await check({ dependencies: { 'pz-wrap': '^1.0.0', 'pz-c': '^2.0.0' } });
    assert.deepEqual([...report.tree], [
      ['node_modules/pz-c', '2.0.0'],
      ['node_modules/pz-wrap', '1.0.0'],
      ['node_modules/pz-wrap/node_modules/pz-a', '1.0.0'],
      ['node_modules/pz-wrap/node_modules/pz-b', '1.0.0'],
      ['node_modules/pz-wrap/node_modules/pz-c', '1.5.0'],
    ]);
  });
});

describe('what npm cannot resolve, and what the check leaves out', () => {
  test('workspaces are not guessed at', async () => {
    const { report, calls } = await check({ workspaces: ['packages/*'], dependencies: { 'pz-c': '^1.0.0' } });
    assert.equal(report.kind, 'error');
    assert.match(report.message, /workspaces/);
    assert.deepEqual(calls, []);
  });

  test('an unknown package and an impossible range are errors, not conflicts', async () => {
    const unknown = await check({ dependencies: { 'pz-nope': '^1.0.0' } });
    assert.deepEqual(unknown.report, { kind: 'error', message: 'No package named "pz-nope" was found on the registry.' });
    const none = await check({ dependencies: { 'pz-c': '^9.0.0' } });
    assert.deepEqual(none.report, { kind: 'error', message: 'No matching version found for pz-c@^9.0.0.' });
  });

  test('an ERESOLVE is reported even when a later package would be missing, as npm does', async () => {
    // react-redux 9 depends on @types/use-sync-external-store, which the fixtures lack
    const { report } = await check({ dependencies: { react: '^19.0.0', 'react-redux': '^9.1.0', redux: '^5.0.0', '@types/react': '^16.0.0' } });
    assert.equal(report.kind, 'conflict');
    assert.match(report.conflicts[0].message, /^Could not resolve dependency: peerOptional @types\/react@"\^18\.2\.25 \|\| \^19" from react-redux@9\.3\.1\./);
  });

  test('a missing optional dependency is dropped', async () => {
    const { report } = await check({ dependencies: { 'pz-c': '^1.0.0' }, optionalDependencies: { 'pz-nope': '^1.0.0' } });
    assert.equal(report.kind, 'ok');
    assert.deepEqual([...report.placed], [['pz-c', '1.5.0']]);
  });

  test('git, file and URL dependencies are listed as unchecked, never fetched', async () => {
    const { report, calls } = await check({ dependencies: { 'pz-c': '^1.0.0', gitdep: 'github:user/repo', local: 'file:../local', tar: 'https://example.com/x.tgz' } });
    assert.equal(report.kind, 'ok');
    assert.deepEqual(report.unchecked, ['gitdep', 'local', 'tar']);
    assert.deepEqual(calls, ['pz-c']);
  });

  test('empty, half-typed and non-object manifests do not throw', async () => {
    for (const text of ['{}', '', '{"dependencies": {"pz-c": "^1.0.0", "pz-x": ', '[1, 2]', '{"dependencies": {"pz-c": 5, "": "^1"}}', '{"overrides": {"pz-c": {".": ""}}}']) {
      const { report } = await check(text);
      assert.ok(['ok', 'error', 'conflict'].includes(report.kind), text);
    }
  });

  test('an aborted check rejects with the abort reason', async () => {
    const controller = new AbortController();
    controller.abort(new Error('superseded by a newer edit'));
    await assert.rejects(check(EXAMPLE, { signal: controller.signal }), /superseded/);
  });
});

test('peer-conflict messages keep package names as npm writes them (never capitalised at a sentence start)', async () => {
  const { npmPeerFindings } = await import('../../dist/core/npm/checks/peerFindings.js');
  const text = JSON.stringify({ name: 'app', version: '1.0.0', dependencies: { ...EXAMPLE.dependencies, 'react-redux': '^7.2.9' } }, null, 2);
  const { getPackument } = memoryRegistry();
  const findings = await npmPeerFindings(parsePackageJson(text, '/app/package.json'), getPackument, ENGINES);
  const messages = findings.map((f) => f.message);
  assert.ok(messages.some((m) => m.endsWith(' react-redux@9.3.1 allows react 19.')), messages.join('\n'));
  assert.ok(messages.some((m) => m.endsWith(' No released version of react-beautiful-dnd allows react 19.')), messages.join('\n'));
  assert.ok(!messages.some((m) => /React-redux|React-beautiful-dnd/.test(m)));
});
