// The Python DependencyProvider on in-memory registries: pip 23.2.1's pre-release, yanked and
// Requires-Python rules, extras as virtual packages, three-valued markers, constraints, uv
// overrides, direct references, notes, prefetch and cancellation. The same rules are checked
// against pip itself in test/differential/resolver.test.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPythonProvider, rootsFromManifests, splitPackage } from '../../dist/core/python/resolve/provider.js';
import { solve } from '../../dist/core/pubgrub/solver.js';
import { ROOT } from '../../dist/core/pubgrub/types.js';
import { LINUX_311, dep, memoryPypi, roots } from '../support/memoryPypi.mjs';

async function resolve(registry, lines, options = {}) {
  const pypi = options.pypi ?? memoryPypi(registry);
  const provider = createPythonProvider({
    pypi, roots: roots(lines), target: { environment: options.environment ?? LINUX_311, pythonVersion: options.pythonVersion },
    installer: options.installer ?? 'pip', allowPrereleases: options.pre,
  });
  const result = await solve(provider, { signal: options.signal });
  const picked = result.kind === 'solution' ? Object.fromEntries([...result.versions].filter(([k]) => !k.includes('['))) : null;
  return { result, provider, picked, notes: provider.notes(result.kind === 'solution' ? result : undefined), pypi };
}

const kinds = (notes) => notes.map((n) => n.kind).sort();

/** The external causes at the leaves of a conflict's derivation. */
function leaves(inc, out = []) {
  if (inc.cause.kind === 'conflict') {
    leaves(inc.cause.conflict, out);
    leaves(inc.cause.other, out);
  } else out.push(inc.cause);
  return out;
}

test('pip: pre-releases only through an empty specifier with no final release, a named pre-release, or --pre', async () => {
  const registry = {
    onlypre: { '2.0b1': [], '2.0b2': [] },
    mixed: { '0.9': [], '1.0b1': [], '1.1.dev1': [] },
    app: { '1.0': ['mixed>=0.5'] },
  };
  const table = [
    [['onlypre'], { onlypre: '2.0b2' }, ['prerelease-fallback']],
    // packaging 21.3 passes prereleases=False to each clause of a non-empty set: no fallback.
    [['onlypre>=1'], null, ['prerelease-only']],
    [['onlypre>=2.0b1'], { onlypre: '2.0b2' }, []],
    [['onlypre<3'], null, ['prerelease-only']],
    [['mixed'], { mixed: '0.9' }, []],
    [['mixed>=0.5'], { mixed: '0.9' }, []],
    [['mixed>=1.0b1'], { mixed: '1.1.dev1' }, []],
    [['mixed==1.0b1'], { mixed: '1.0b1' }, []],
    // `!=`, `<` and `>` never name pre-releases in packaging 21.3.
    [['mixed>0.9b1'], { mixed: '0.9' }, []],
    // A root requirement naming a pre-release opens pre-releases for every requirement on the package.
    [['app', 'mixed>=1.0b1'], { app: '1.0', mixed: '1.1.dev1' }, []],
    [['app', 'mixed'], { app: '1.0', mixed: '0.9' }, []],
  ];
  for (const [lines, expected, noteKinds] of table) {
    const { picked, notes } = await resolve(registry, lines);
    assert.deepEqual(picked, expected, lines.join(' '));
    assert.deepEqual(kinds(notes), noteKinds, lines.join(' '));
  }
  const pre = await resolve(registry, ['mixed>=0.5', 'onlypre>=1'], { pre: true });
  assert.deepEqual(pre.picked, { mixed: '1.1.dev1', onlypre: '2.0b2' });
  assert.deepEqual(pre.notes, [], 'an opted-in pre-release is no fallback');
});

test('the pre-release fallback note names the highest final release and why it was passed over', async () => {
  const registry = { lib: { '1.0': { deps: [], requiresPython: '>=3.12' }, '2.0rc1': [] } };
  const { picked, notes } = await resolve(registry, ['lib']);
  assert.deepEqual(picked, { lib: '2.0rc1' });
  assert.equal(notes.length, 1);
  assert.equal(notes[0].kind, 'prerelease-fallback');
  assert.equal(notes[0].highestFinal, '1.0');
  assert.match(notes[0].message, /lib 2\.0rc1 is a pre-release.*highest final release is 1\.0, which needs Python >=3\.12/);
});

test('uv: if-necessary-or-explicit pre-releases', async () => {
  const registry = { onlypre: { '2.0b1': [] }, mixed: { '0.9': [], '1.0b1': [] }, app: { '1.0': ['mixed>=0.5', 'onlypre>=1'] } };
  assert.deepEqual((await resolve(registry, ['onlypre>=1'], { installer: 'uv' })).picked, { onlypre: '2.0b1' });
  assert.deepEqual((await resolve(registry, ['mixed>=0.5'], { installer: 'uv' })).picked, { mixed: '0.9' });
  assert.deepEqual((await resolve(registry, ['mixed<2.0a1,>0.1'], { installer: 'uv' })).picked, { mixed: '1.0b1' }, 'any operator names a pre-release in uv');
  assert.deepEqual((await resolve(registry, ['app', 'mixed>=1.0b1'], { installer: 'uv' })).picked, { app: '1.0', mixed: '1.0b1', onlypre: '2.0b1' });
  assert.equal((await resolve(registry, ['app'])).picked, null, 'pip refuses onlypre>=1 from app');
});

test('yanked releases: only for an exact pin whose matches are all yanked (PEP 592, pip)', async () => {
  const registry = {
    y: { '0.9': [], '1.0': { deps: [], yanked: 'broken build' }, '1.1': { deps: [], yanked: true } },
    dependent: { '1.0': ['y==1.0'] },
    loose: { '1.0': ['y>=0.5'] },
  };
  const table = [
    [['y'], { y: '0.9' }],
    [['y>=1.0'], null],
    [['y==1.0'], { y: '1.0' }],
    [['y===1.0'], { y: '1.0' }],
    [['y==1.*'], null],
    [['y>=0.9,==1.0'], { y: '1.0' }],
    [['dependent'], { dependent: '1.0', y: '1.0' }],
    // A root pin makes pip's combined set pinned, so another requirement accepts the yanked release too.
    [['loose', 'y==1.1'], { loose: '1.0', y: '1.1' }],
  ];
  for (const [lines, expected] of table) assert.deepEqual((await resolve(registry, lines)).picked, expected, lines.join(' '));
  const { notes } = await resolve(registry, ['y==1.0']);
  assert.deepEqual(notes.map((n) => [n.kind, n.reason]), [['yanked', 'broken build']]);
  // uv: a first-party exact pin only.
  assert.deepEqual((await resolve(registry, ['y==1.0'], { installer: 'uv' })).picked, { y: '1.0' });
  assert.equal((await resolve(registry, ['dependent'], { installer: 'uv' })).picked, null);
});

test('Requires-Python: incompatible files make a version unusable, with a reason', async () => {
  const registry = {
    ws: { '14.2': { deps: [], requiresPython: '>=3.9' }, '15.0': { deps: [], requiresPython: '>=3.12' }, '15.1': { deps: [], requiresPython: '>=3.12' } },
  };
  assert.deepEqual((await resolve(registry, ['ws'])).picked, { ws: '14.2' });
  assert.deepEqual((await resolve(registry, ['ws'], { pythonVersion: '3.12' })).picked, { ws: '15.1' });
  const { result, provider } = await resolve(registry, ['ws>=15']);
  assert.equal(result.kind, 'conflict');
  const reasons = leaves(result.incompatibility).map((c) => c.reason);
  assert.ok(reasons.includes('it requires Python >=3.12 and the target is Python 3.11.7'), reasons.join(' | '));
  assert.deepEqual(provider.versionsOf('ws'), ['14.2', '15.0', '15.1']);
  // The metadata's Requires-Python counts too (pip's RequiresPythonRequirement).
  const pypi = memoryPypi({ lib: { '1.0': [], '2.0': [] } });
  const getMetadata = pypi.getMetadata;
  pypi.getMetadata = async (p, v) => ({ ...(await getMetadata(p, v)), requiresPython: v === '2.0' ? '>=3.13' : undefined });
  assert.deepEqual((await resolve(null, ['lib'], { pypi })).picked, { lib: '1.0' });
});

test('local versions and post-releases match as packaging says', async () => {
  const registry = { l: { '1.0': [], '1.0+cpu': [], '1.0.post1': [] } };
  assert.deepEqual((await resolve(registry, ['l==1.0'])).picked, { l: '1.0+cpu' });
  assert.deepEqual((await resolve(registry, ['l>1.0'])).picked, null);
  assert.deepEqual((await resolve(registry, ['l>=1.0,<1.0.post1'])).picked, { l: '1.0+cpu' });
  assert.deepEqual((await resolve(registry, ['l==1.0.post1'])).picked, { l: '1.0.post1' });
  assert.deepEqual((await resolve(registry, ['l<=1.0'])).picked, { l: '1.0+cpu' });
});

test('extras are virtual packages pinned to their base version, with the extra’s requirements', async () => {
  const registry = {
    uvicorn: {
      '0.30': ['h11>=0.8', 'websockets>=10.4; extra == "standard"', 'uvloop>=0.14; extra == "standard" and sys_platform != "win32"', 'colorama; extra == "standard" and sys_platform == "win32"'],
      '0.31': { deps: ['h11>=0.8'], extras: [] },
    },
    h11: { '0.16': [] },
    websockets: { '14.2': [], '15.0': [] },
    uvloop: { '0.21': [] },
    colorama: { '0.4': [] },
  };
  const { picked, result, notes } = await resolve(registry, ['uvicorn[standard]']);
  // 0.31 has no "standard" extra: pip warns and installs it without; the highest version wins.
  assert.deepEqual(picked, { uvicorn: '0.31', h11: '0.16' });
  assert.equal(result.versions.get('uvicorn[standard]'), '0.31');
  assert.deepEqual(notes.map((n) => [n.kind, n.extra]), [['unknown-extra', 'standard']]);
  const older = await resolve(registry, ['uvicorn[standard]<0.31']);
  assert.deepEqual(older.picked, { uvicorn: '0.30', h11: '0.16', websockets: '15.0', uvloop: '0.21' });
  assert.deepEqual(older.result.requiredBy.get('uvicorn'), [{ by: 'uvicorn[standard]', byVersion: '0.30', specifier: '==0.30' }]);
  // A requirement through the extra conflicts like any other.
  assert.equal((await resolve(registry, ['uvicorn[standard]<0.31', 'websockets<10'])).result.kind, 'conflict');
  assert.deepEqual(splitPackage('uvicorn[standard]'), { base: 'uvicorn', extra: 'standard' });
});

test('markers: false drops, unknown keeps the requirement with its condition', async () => {
  const registry = { app: { '1.0': ['win>=1; sys_platform == "win32"', 'arm>=1; platform_machine == "aarch64"', 'py>=1; python_version >= "3.8"'] }, win: { '0.5': [], '1.0': [] }, arm: { '1.0': [] }, py: { '1.0': [] } };
  assert.deepEqual((await resolve(registry, ['app'])).picked, { app: '1.0', py: '1.0' });
  const partial = { python_version: '3.11', python_full_version: '3.11.7' };
  const { picked, result } = await resolve(registry, ['app'], { environment: partial });
  assert.deepEqual(picked, { app: '1.0', win: '1.0', arm: '1.0', py: '1.0' });
  assert.deepEqual(result.requiredBy.get('win'), [{ by: 'app', byVersion: '1.0', specifier: '>=1', condition: 'sys_platform == "win32"' }]);
  assert.equal(result.requiredBy.get('py')[0].condition, undefined);
  // A conflict that rests on an unknown marker carries the condition, so it reads as possible.
  const possible = await resolve(registry, ['app', 'win<1; sys_platform == "win32"'], { environment: partial });
  assert.equal(possible.result.kind, 'conflict');
  const conditions = leaves(possible.result.incompatibility).filter((c) => c.kind === 'dependency' && c.dependency.package === 'win').map((c) => c.dependency.condition);
  assert.deepEqual(conditions.sort(), ['sys_platform == "win32"', 'sys_platform == "win32"']);
  assert.deepEqual((await resolve(registry, ['app', 'win<1; sys_platform == "win32"'])).picked, { app: '1.0', py: '1.0' }, 'on linux neither applies');
});

test('constraints limit without requiring; root markers and direct references', async () => {
  const registry = { a: { '1.0': ['b'], '2.0': ['b'] }, b: { '1.0': [], '2.0': [] }, c: { '1.0': [] } };
  const lines = ['a', dep('b<2', { constraint: true }), dep('c==1.0', { constraint: true }), 'skipped==9; python_version < "3"', dep('local @ file:///tmp/local', { source: 'path', location: 'file:///tmp/local' })];
  const { picked, result, notes } = await resolve(registry, lines);
  assert.deepEqual(picked, { a: '2.0', b: '1.0' });
  assert.equal(result.kind, 'solution');
  const rootEdges = await createPythonProvider({ pypi: memoryPypi(registry), roots: roots(lines), target: { environment: LINUX_311 }, installer: 'pip' }).dependencies(ROOT, '0');
  assert.deepEqual(rootEdges.dependencies.map((d) => [d.package, d.specifier, !!d.constraintOnly, d.origin.index]), [['a', '', false, 0], ['b', '<2', true, 1], ['c', '==1.0', true, 2]]);
  assert.deepEqual(notes.map((n) => [n.kind, n.package, n.requiredBy.origin.index]), [['direct-reference', 'local', 4]]);
  assert.match(notes[0].message, /local is a direct reference \(file:\/\/\/tmp\/local\) in your requirements/);
});

test('uv overrides replace every requirement on their package', async () => {
  const registry = { app: { '1.0': ['lib<2'] }, lib: { '1.0': [], '2.0': [], '3.0': [] } };
  assert.equal((await resolve(registry, ['app', 'lib>=2'], { installer: 'uv' })).result.kind, 'conflict');
  const overridden = await resolve(registry, ['app', 'lib>=2', dep('lib>=2,<3', { override: true, section: 'tool.uv.override-dependencies' })], { installer: 'uv' });
  assert.deepEqual(overridden.picked, { app: '1.0', lib: '2.0' });
  assert.deepEqual(overridden.result.requiredBy.get('lib').map((r) => r.specifier), ['>=2,<3', '>=2,<3']);
  const falseMarker = await resolve(registry, ['app', dep('lib==3.0; sys_platform == "win32"', { override: true })], { installer: 'uv' });
  assert.deepEqual(falseMarker.picked, { app: '1.0' }, 'an override whose marker is false drops the requirement');
});

test('unknown projects, sdist-only versions, unreadable metadata and invalid metadata', async () => {
  const registry = {
    app: { '1.0': ['missing-project'] },
    sd: { '1.0': [], '2.0': { deps: [], files: 'sdist' } },
    bad: { '1.0': [], '2.0': ['not a requirement !!'] },
    flaky: { '1.0': [], '2.0': [] },
  };
  const missing = await resolve(registry, ['app']);
  assert.equal(missing.result.kind, 'conflict');
  assert.deepEqual(leaves(missing.result.incompatibility).filter((c) => c.kind === 'unknown-package').map((c) => [c.package, c.message]), [
    ['missing-project', 'No project named "missing-project" was found on memory.'],
  ]);
  assert.deepEqual((await resolve(registry, ['sd'])).picked, { sd: '1.0' });
  assert.deepEqual((await resolve(registry, ['bad'])).picked, { bad: '1.0' });
  const pypi = memoryPypi(registry, { fail: { 'flaky==2.0': true } });
  const flaky = await resolve(null, ['flaky'], { pypi });
  assert.deepEqual(flaky.picked, { flaky: '1.0' });
  assert.deepEqual(flaky.notes.map((n) => [n.kind, n.version]), [['metadata-error', '2.0']]);
  // A registry failure is no verdict: the solve stops as incomplete, naming the package and the chain that needs it.
  const down = await resolve(null, ['app'], { pypi: memoryPypi(registry, { fail: { app: true } }) });
  const { stats, ...stopped } = down.result;
  assert.ok(stats.steps > 0);
  assert.deepEqual(stopped, {
    kind: 'incomplete', package: 'app', version: undefined, reason: 'memory index is down for app',
    chain: [{ package: 'app', specifier: '', origin: { path: 'requirements.txt', index: 0 } }],
  });
  assert.deepEqual(down.provider.readFailure('app'), { kind: 'error', message: 'memory index is down for app', registry: 'memory' });
});

test('prefetch warms metadata without unhandled rejections; registry data is fetched once across withRoots', async () => {
  const registry = { a: { '1.0': [], '2.0': [], '3.0': [] } };
  const pypi = memoryPypi(registry, { fail: { 'a==3.0': true } });
  const provider = createPythonProvider({ pypi, roots: roots(['a']), target: { environment: LINUX_311 }, installer: 'pip' });
  const unhandled = [];
  const onUnhandled = (e) => unhandled.push(e);
  process.on('unhandledRejection', onUnhandled);
  provider.prefetch('a', ['3.0', '2.0']);
  provider.prefetch('nope', ['1.0']);
  const deadline = Date.now() + 2000;
  while (pypi.calls.metadata.length < 2 && Date.now() < deadline) await new Promise((r) => setImmediate(r));
  assert.deepEqual(pypi.calls.metadata.sort(), ['a==2.0', 'a==3.0']);
  const result = await solve(provider);
  assert.deepEqual([...result.versions], [['a', '2.0']]);
  const again = await solve(provider.withRoots(roots(['a<2'])));
  assert.deepEqual([...again.versions], [['a', '1.0']]);
  assert.deepEqual(pypi.calls.projects.filter((p) => p === 'a').length, 1);
  assert.deepEqual(pypi.calls.metadata.filter((m) => m === 'a==2.0').length, 1);
  await new Promise((r) => setImmediate(r));
  process.off('unhandledRejection', onUnhandled);
  assert.deepEqual(unhandled, []);
});

test('an aborted signal stops the solve; the cache stays usable', async () => {
  let release;
  const gate = new Promise((r) => (release = r));
  const base = memoryPypi({ a: { '1.0': [] } });
  const pypi = { calls: base.calls, getProject: async (n) => (await gate, base.getProject(n)), getMetadata: base.getMetadata };
  const provider = createPythonProvider({ pypi, roots: roots(['a']), target: { environment: LINUX_311 }, installer: 'pip' });
  const controller = new AbortController();
  const pending = solve(provider, { signal: controller.signal });
  controller.abort();
  assert.deepEqual(await pending, { kind: 'aborted' });
  release();
  assert.deepEqual([...(await solve(provider)).versions], [['a', '1.0']]);
});

test('rootsFromManifests keeps manifest order and origins', () => {
  const manifests = [
    { path: '/p/requirements.txt', dependencies: [dep('a'), { ...dep('left-pad'), ecosystem: 'npm' }, dep('b')] },
    { path: '/p/constraints.txt', dependencies: [dep('a<2', { constraint: true })] },
  ];
  assert.deepEqual(rootsFromManifests(manifests).map((r) => [r.dependency.normalizedName, r.origin]), [
    ['a', { path: '/p/requirements.txt', index: 0 }],
    ['b', { path: '/p/requirements.txt', index: 2 }],
    ['a', { path: '/p/constraints.txt', index: 0 }],
  ]);
});

test('Requires-Python by each installer’s rule: pip enforces the whole range, uv only the lower bound', async () => {
  const registry = {
    // 2.0 says it supports Python 3.8 to 3.10 only; 3.0 needs 3.12.
    lib: { '1.0': [], '2.0': { deps: [], requiresPython: '>=3.8,<3.11' }, '3.0': { deps: [], requiresPython: '>=3.12' } },
  };
  assert.deepEqual((await resolve(registry, ['lib'])).picked, { lib: '1.0' }, 'pip: 3.11.7 is outside >=3.8,<3.11');
  assert.deepEqual((await resolve(registry, ['lib'], { installer: 'uv' })).picked, { lib: '2.0' }, 'uv: only >=3.8 counts');
  // The lower bound still decides for uv, with the rule named in the reason.
  const pip = await resolve(registry, ['lib>=2']);
  assert.equal(pip.result.kind, 'conflict');
  assert.ok(leaves(pip.result.incompatibility).map((c) => c.reason).includes('it requires Python >=3.8,<3.11 and the target is Python 3.11.7'));
  const uv = await resolve(registry, ['lib>=3'], { installer: 'uv' });
  assert.equal(uv.result.kind, 'conflict');
  assert.ok(leaves(uv.result.incompatibility).map((c) => c.reason).includes('it requires Python >=3.12 and the target is Python 3.11.7 (uv checks only the lower bound of Requires-Python)'));
  // The metadata's Requires-Python follows the same rule.
  const pypi = memoryPypi({ meta: { '1.0': [], '2.0': [] } });
  const getMetadata = pypi.getMetadata;
  pypi.getMetadata = async (p, v) => ({ ...(await getMetadata(p, v)), requiresPython: v === '2.0' ? '<3.11,>=3.7' : undefined });
  assert.deepEqual((await resolve(null, ['meta'], { pypi })).picked, { meta: '1.0' });
  assert.deepEqual((await resolve(null, ['meta'], { pypi, installer: 'uv' })).picked, { meta: '2.0' });
});

test('lowerBound: the bounding range’s lower end of a Requires-Python value, as uv reads it', async () => {
  const { lowerBound } = await import('../../dist/core/python/resolve/candidates.js');
  const { parseSpecifierSet, formatVersion } = await import('../../dist/core/python/versions/pep440.js');
  const show = (text) => {
    const b = lowerBound(parseSpecifierSet(text).set);
    return b ? `${b.inclusive ? '>=' : '>'}${formatVersion(b.version)}` : null;
  };
  assert.deepEqual(['>=3.8,<4', '>3.7,>=3.7', '>=3.7,>3.7', '~=3.9', '==3.10.*', '!=3.8.*', '<3.12', '>=3.6,!=3.7.*,>=3.8'].map(show),
    ['>=3.8', '>3.7', '>3.7', '>=3.9', '>=3.10', null, null, '>=3.8']);
});

test('providers over separate registry views (other checks, other documents) share the facts of one version map; a new map gets new facts', async () => {
  // As PypiClient does while the index sends the same page: the same version map for every read.
  const inner = memoryPypi({ lib: { '1.0': [], '2.0': [] }, app: { '1.0': ['lib>=1'] } });
  const pages = new Map();
  const pypi = {
    async getProject(name) {
      if (!pages.has(name)) pages.set(name, await inner.getProject(name));
      return pages.get(name);
    },
    getMetadata: (project, version) => inner.getMetadata(project, version),
  };
  const first = await resolve(null, ['app'], { pypi });
  const second = await resolve(null, ['app', 'lib<2'], { pypi });
  assert.deepEqual(first.picked, { app: '1.0', lib: '2.0' });
  assert.deepEqual(second.picked, { app: '1.0', lib: '1.0' });
  assert.equal(second.provider.versionFacts('lib'), first.provider.versionFacts('lib'));
  // Another target Python or installer has facts of its own.
  const other = await resolve(null, ['app'], { pypi, pythonVersion: '3.8' });
  assert.notEqual(other.provider.versionFacts('lib'), first.provider.versionFacts('lib'));
  const uv = await resolve(null, ['app'], { pypi, installer: 'uv' });
  assert.notEqual(uv.provider.versionFacts('lib'), first.provider.versionFacts('lib'));
  // A refreshed page is a new map: its new release is seen.
  const lib = pages.get('lib');
  const versions = new Map(lib.versions);
  versions.set('3.0', { ...lib.versions.get('2.0') });
  pages.set('lib', { ...lib, versions });
  const third = await resolve(null, ['app'], { pypi });
  assert.deepEqual(third.picked, { app: '1.0', lib: '3.0' });
  assert.notEqual(third.provider.versionFacts('lib'), first.provider.versionFacts('lib'));
});
