// Import checks of the resolution from the wheels on the index (issue 10, part 2), against the fake
// PyPI serving wheels built from the committed stubs (test/fixtures/import-breaks) with a stored
// 200 kB data file each, so that reading a wheel whole and reading its directory and a few members
// differ clearly. What is held: only range requests, never a whole wheel; a second check reads
// nothing from the network (memory, then the disk cache); a byte or time bound gives an incomplete
// note, not a break; the fixes; edges already checked in the installed environment are not read.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakePypi } from '../support/fakePypi.mjs';
import { buildWheel } from '../support/fakePypiArtifacts.mjs';
import { importBreakProjects } from '../support/importBreakIndex.mjs';
import { writeVenv } from '../support/fakeVenv.mjs';
import { createHostRegistries } from '../../dist/node/registries.js';
import { createNodeRuntime } from '../../dist/node/runtime.js';
import { analyzeManifest } from '../../dist/core/project/analyze.js';
import { runLaterStage, runStages } from '../../dist/core/project/stages.js';
import { RemoteWheel } from '../../dist/core/python/index/wheelZip.js';
import { chooseWheel } from '../../dist/core/python/index/wheelTags.js';
import { checkImportEdgesWith, createImportCache } from '../../dist/core/python/imports/check.js';
import { createWheelBudget, wheelFiles } from '../../dist/core/python/imports/wheelFiles.js';


const PAD = 200_000;
let pypi;
let root;

before(async () => {
  // Click (which Flask requires) from the snapshot fixtures, padded like the others.
  const click = JSON.parse(readFileSync(new URL('../fixtures/pypi/click.json', import.meta.url), 'utf8'));
  for (const info of Object.values(click.versions)) info.layout = { padBytes: PAD };
  pypi = await startFakePypi({ projects: ['colorama'], extra: [click, ...(await importBreakProjects({ padBytes: PAD }))] });
  root = mkdtempSync(join(tmpdir(), 'pinsight-index-imports-'));
});

after(async () => {
  await pypi?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

const HOST = { platform: 'linux', arch: 'x64', pythonVersion: { version: '3.11', source: 'the test' } };

function registries(cacheDir) {
  const runtime = createNodeRuntime();
  return { runtime, ...createHostRegistries({ settings: { indexUrl: pypi.indexUrl, origin: 'cli', isolated: true }, env: {}, readFile: (p) => runtime.readFile(p), cacheDir }) };
}

async function check(dir, text, { stack, importChecks = {}, venv, whatIf } = {}) {
  mkdirSync(dir, { recursive: true });
  if (venv) writeVenv(join(dir, '.venv'), venv);
  const path = join(dir, 'requirements.txt');
  writeFileSync(path, text);
  const own = stack ?? registries();
  const analysis = await analyzeManifest(path, own.runtime);
  const host = { ...HOST, searchRoot: dir, importChecks: { enabled: true, maxFilesPerPackage: 1000, maxFilesPerCheck: 4000, ...importChecks } };
  const verdict = await runStages(analysis, own.runtime, own.project, { host });
  const result = await runLaterStage(verdict, { whatIf });
  if (!stack) await own.close();
  return { verdict, result, breaks: result.findings.filter((f) => f.code === 'import-break') };
}

const wheelRequests = (from = 0) => pypi.requests.slice(from).filter((r) => /\.whl$/.test(r.path));

/** Bytes a range request asks for, given the file's size. */
function rangeBytes(range, size) {
  const m = /^bytes=(\d*)-(\d*)$/.exec(range);
  if (m[1] === '') return Math.min(Number(m[2]), size);
  return Math.min(Number(m[2] || size - 1), size - 1) - Number(m[1]) + 1;
}

async function sizeOf(path) {
  const response = await fetch(`${pypi.url}${path}`, { method: 'HEAD' });
  return Number(response.headers.get('content-length'));
}

test('a requirements.txt with no venv gets the import-break from the index, read by range requests only; a second check reads nothing from the network', async () => {
  const dir = join(root, 'flask');
  const from = pypi.requests.length;
  const stack = registries(join(root, 'cache-flask'));
  const { verdict, result, breaks } = await check(dir, 'flask==2.2.2\nwerkzeug==3.0.0\n', { stack });
  // The verdict itself carries no import finding: those come after it is published.
  assert.equal(verdict.findings.filter((f) => f.code === 'import-break').length, 0);
  assert.ok(verdict.later, 'the resolution has later checks');
  assert.deepEqual(breaks.map((f) => [f.package, f.range.start.line]), [['flask', 0], ['werkzeug', 1]]);
  assert.match(breaks[0].message, /^flask 2\.2\.2 imports `werkzeug\.urls\.url_quote` \(flask\/app\.py:30\), which werkzeug 3\.0\.0 does not define, so `import flask\.app` fails with ImportError\./);
  assert.match(breaks[0].message, /Read from the wheels on the index, for the versions the resolver picked\.$/);
  assert.deepEqual(result.incomplete ?? [], []);
  assert.match(result.laterSummary, /^import checks from the index: \d+ dependency edges, \d+ imports; [\d.]+ kB in \d+ range requests$/);

  const reads = wheelRequests(from);
  assert.ok(reads.length > 0);
  for (const r of reads) assert.match(r.headers.range ?? '', /^bytes=\d*-\d*$/, `${r.path} was asked for without a Range header`);
  const perWheel = new Map();
  for (const r of reads) perWheel.set(r.path, [...(perWheel.get(r.path) ?? []), r.headers.range]);
  for (const [path, ranges] of perWheel) {
    const size = await sizeOf(path);
    assert.ok(size > PAD, `${path}: ${size} bytes`);
    const read = ranges.reduce((n, range) => n + rangeBytes(range, size), 0);
    assert.ok(read < size / 4, `${path}: ${read} of ${size} bytes read`);
  }

  // Again with the same clients: nothing goes to the network, and the verdict is the same.
  const again = pypi.requests.length;
  const second = await check(dir, 'flask==2.2.2\nwerkzeug==3.0.0\n', { stack });
  assert.deepEqual(second.breaks.map((f) => f.message), breaks.map((f) => f.message));
  assert.deepEqual(wheelRequests(again), []);
  await stack.close();

  // A new session over the same disk cache: the ranges are immutable there, so no wheel is asked for.
  const fresh = registries(join(root, 'cache-flask'));
  const third = pypi.requests.length;
  const cold = await check(dir, 'flask==2.2.2\nwerkzeug==3.0.0\n', { stack: fresh });
  assert.deepEqual(cold.breaks.map((f) => f.message), breaks.map((f) => f.message));
  assert.deepEqual(wheelRequests(third), []);
  await fresh.close();
});

test('the fixes: Werkzeug 2.3.8 is the highest that still defines url_quote; Flask 2.3.0 the lowest whose imports fit Werkzeug 3.0.0', async () => {
  const { breaks } = await check(join(root, 'fix-flask'), 'flask==2.2.2\nwerkzeug==3.0.0\n');
  const [onFlask] = breaks;
  assert.match(onFlask.message, /werkzeug 2\.3\.8 is the highest release that still has `werkzeug\.urls\.url_quote` and `werkzeug\.urls\.url_parse` and fits the other requirements\./);
  assert.match(onFlask.message, /flask 2\.3\.0 is the lowest release whose imports fit werkzeug 3\.0\.0\./);
  assert.deepEqual(onFlask.fixes.map((f) => [f.title, f.preferred === true, f.edits.map((e) => [e.range.start.line, e.newText])]), [
    ['Pin werkzeug to 2.3.8 (the highest release that still has `werkzeug.urls.url_quote` and `werkzeug.urls.url_parse`)', true, [[1, '==2.3.8']]],
    ['Pin flask to 2.3.0 (the lowest release whose imports fit werkzeug 3.0.0)', false, [[0, '==2.3.0']]],
  ]);
  assert.deepEqual(breaks[1].fixes, onFlask.fixes, 'the same fixes on the Werkzeug line');
  // Both hold: re-checked as fixed, neither breaks.
  for (const [name, text] of [['fixed-werkzeug', 'flask==2.2.2\nwerkzeug==2.3.8\n'], ['fixed-flask', 'flask==2.3.0\nwerkzeug==3.0.0\n']]) {
    const fixed = await check(join(root, name), text);
    assert.deepEqual(fixed.breaks, [], text);
    assert.deepEqual(fixed.result.incomplete ?? [], [], text);
  }
});

test('the fixes: MarkupSafe 2.0.1 still has soft_unicode, and Jinja2 3.0.3 is the lowest whose imports fit MarkupSafe 2.1.0', async () => {
  const { breaks } = await check(join(root, 'fix-jinja'), 'jinja2==2.11.3\nmarkupsafe==2.1.0\n');
  assert.equal(breaks.length, 2);
  assert.match(breaks[0].message, /^jinja2 2\.11\.3 imports `markupsafe\.soft_unicode` \(jinja2\/filters\.py:13\)/);
  assert.deepEqual(breaks[0].fixes.map((f) => [f.title, f.preferred === true, f.edits.map((e) => [e.range.start.line, e.newText])]), [
    ['Pin markupsafe to 2.0.1 (the highest release that still has `markupsafe.soft_unicode`)', true, [[1, '==2.0.1']]],
    ['Pin jinja2 to 3.0.3 (the lowest release whose imports fit markupsafe 2.1.0)', false, [[0, '==3.0.3']]],
  ]);
  // Both fixes hold: re-checked as pinned, neither breaks.
  for (const text of ['jinja2==2.11.3\nmarkupsafe==2.0.1\n', 'jinja2==3.0.3\nmarkupsafe==2.1.0\n']) {
    const fixed = await check(join(root, `fixed-${text.length}-${text.slice(8, 14)}`), text);
    assert.deepEqual(fixed.breaks, [], text);
    assert.deepEqual(fixed.result.incomplete ?? [], [], text);
  }
});

test('a tiny byte bound or time bound gives an incomplete note, never a break, never a crash', async () => {
  const bytes = await check(join(root, 'bytes'), 'flask==2.2.2\nwerkzeug==3.0.0\n', { importChecks: { maxBytesPerCheck: 1000 } });
  assert.deepEqual(bytes.breaks, []);
  assert.ok(bytes.result.incomplete.length > 0);
  for (const line of bytes.result.incomplete) assert.match(line, /were not all checked from the index: the import check's byte bound \(1000 bytes, pinsight\.importChecks\.maxBytesPerCheck\) was reached/);
  const time = await check(join(root, 'time'), 'flask==2.2.2\nwerkzeug==3.0.0\n', { importChecks: { timeoutSeconds: 1e-9 } });
  assert.deepEqual(time.breaks, []);
  assert.ok(time.result.incomplete.length > 0);
  for (const line of time.result.incomplete) assert.match(line, /the import check's time bound \(1e-9 s, pinsight\.importChecks\.timeoutSeconds\) ran out/);
  // The verdict of the resolution is unaffected.
  assert.deepEqual(time.verdict.incomplete ?? [], []);
});

test('a bound that stops the fix search is said in the message, and no fix is offered from it', async () => {
  // What the check costs without the fix search, from empty caches (timing may merge a read or two differently: the margin covers it).
  const from = pypi.requests.length;
  const plain = await check(join(root, 'search-plain'), 'flask==2.2.2\nwerkzeug==3.0.0\n', { whatIf: false });
  assert.equal(plain.breaks.length, 2);
  assert.match(plain.breaks[0].message, / Install a werkzeug version that still has it, or a flask release that no longer imports it\. Read from the wheels/);
  let bytes = 0;
  for (const r of wheelRequests(from)) bytes += rangeBytes(r.headers.range, await sizeOf(r.path));
  // Enough for the check, not for the 16 kB directory read of one more Werkzeug release.
  const bound = bytes + 4000;
  const { breaks, result } = await check(join(root, 'search-bound'), 'flask==2.2.2\nwerkzeug==3.0.0\n', { importChecks: { maxBytesPerCheck: bound } });
  assert.equal(breaks.length, 2, JSON.stringify(result.incomplete));
  assert.match(breaks[0].message, new RegExp(`The search for a werkzeug release below 3\\.0\\.0 that still has \`werkzeug\\.urls\\.url_quote\` and \`werkzeug\\.urls\\.url_parse\` stopped at its bound after 1 release \\(the check's byte bound, ${bound} bytes: pinsight\\.importChecks\\.maxBytesPerCheck\\)\\.`));
  assert.deepEqual(breaks[0].fixes, []);
});

test('a wheel the index refuses, a damaged wheel or one that never arrives: no break, no crash, and it is said', async (t) => {
  t.after(() => pypi.setFaults({}));
  for (const [fault, said] of [
    [{ status403: { path: /\.whl$/ } }, /flask-2\.2\.2-py3-none-any\.whl could not be read: .*HTTP 403/],
    [{ malformed: { path: /\.whl$/ } }, /flask-2\.2\.2-py3-none-any\.whl could not be read: /],
  ]) {
    pypi.setFaults(fault);
    const { breaks, result } = await check(join(root, `fault-${Object.keys(fault)[0]}`), 'flask==2.2.2\nwerkzeug==3.0.0\n');
    assert.deepEqual(breaks, []);
    // The resolution's verdict stands; what was not read is said in the hover and the summary.
    assert.deepEqual(result.incomplete ?? [], []);
    assert.match(result.laterSummary, /edges? not read \(/);
    const facts = await result.hoverFacts({ normalizedName: 'werkzeug', name: 'werkzeug', ecosystem: 'pypi', specifier: '==3.0.0', extras: [], marker: null, range: { start: { line: 1, character: 0 }, end: { line: 1, character: 15 } } });
    assert.ok(facts.indexImports?.some((line) => /^Imports of werkzeug 3\.0\.0 by flask 2\.2\.2 were not checked: reading failed/.test(line) && said.test(line)), JSON.stringify(facts.indexImports));
  }
  // A wheel that never answers: the time bound ends the wait, and the edges are incomplete, not broken.
  pypi.setFaults({ hang: { path: /\.whl$/ } });
  const { breaks, result } = await check(join(root, 'fault-hang'), 'flask==2.2.2\nwerkzeug==3.0.0\n', { importChecks: { timeoutSeconds: 0.5 } });
  assert.deepEqual(breaks, []);
  assert.ok(result.incomplete.length > 0);
  for (const line of result.incomplete) assert.match(line, /the import check's time bound \(0\.5 s, pinsight\.importChecks\.timeoutSeconds\) ran out/);
});

test('an index that ignores Range: the whole files are used as they are, counted against the byte bound', async () => {
  const click = JSON.parse(readFileSync(new URL('../fixtures/pypi/click.json', import.meta.url), 'utf8'));
  const plain = await startFakePypi({ projects: ['colorama'], extra: [click, ...(await importBreakProjects({ padBytes: PAD }))], features: { rangeRequests: false } });
  const own = () => {
    const runtime = createNodeRuntime();
    return { runtime, ...createHostRegistries({ settings: { indexUrl: plain.indexUrl, origin: 'cli', isolated: true }, env: {}, readFile: (p) => runtime.readFile(p) }) };
  };
  try {
    const first = own();
    const whole = await check(join(root, 'no-range'), 'flask==2.2.2\nwerkzeug==3.0.0\n', { stack: first, whatIf: false });
    await first.close();
    assert.deepEqual(whole.breaks.map((f) => f.range.start.line), [0, 1]);
    assert.match(whole.result.laterSummary, /; (\d{4,}|[2-9]\d\d)\.?\d* kB in \d+ range requests$/);
    // 300 kB cannot hold one padded wheel of 200 kB beside the others: the bound stops it, no break.
    const second = own();
    const bounded = await check(join(root, 'no-range-bound'), 'flask==2.2.2\nwerkzeug==3.0.0\n', { stack: second, importChecks: { maxBytesPerCheck: 300_000 } });
    await second.close();
    assert.deepEqual(bounded.breaks, []);
    assert.ok(bounded.result.incomplete.some((line) => /byte bound \(300000 bytes/.test(line)), JSON.stringify(bounded.result.incomplete));
  } finally {
    await plain.close();
  }
});

test('edges whose two versions are installed were checked from the disk: the index is not read for them', async () => {
  const from = pypi.requests.length;
  const { breaks } = await check(join(root, 'installed'), 'flask==2.2.2\nwerkzeug==3.0.0\n', {
    venv: [
      { name: 'Flask', version: '2.2.2', requires: ['Werkzeug>=2.2.2'], files: { 'flask/__init__.py': '', 'flask/app.py': 'from werkzeug.urls import url_quote\n' } },
      { name: 'Werkzeug', version: '3.0.0', files: { 'werkzeug/__init__.py': '', 'werkzeug/urls.py': 'def iri_to_uri(iri):\n    return iri\n' } },
    ],
  });
  // The installed check reports it; the index, whose Flask 2.2.2 wheel has the same break, does not
  // repeat it, so that edge was not read from there (the edges to what is not installed were).
  assert.deepEqual(breaks.map((f) => [f.range.start.line, f.message.includes('Read from the wheels on the index')]), [[0, false], [1, false]]);
  assert.ok(wheelRequests(from).length > 0);
});

test('RemoteWheel: the central directory is the file list, members come back byte for byte, neighbours in one request', async () => {
  const files = { 'pkg/__init__.py': 'from .a import x\n', 'pkg/a.py': 'x = 1\n'.repeat(50), 'pkg/b.py': 'y = 2\n' };
  const bytes = buildWheel('pkg', '1.0', 'Metadata-Version: 2.1\nName: pkg\nVersion: 1.0\n\n', { files, padBytes: 100_000 });
  const asked = [];
  const read = async (range) => {
    asked.push(range);
    const start = 'suffix' in range ? Math.max(0, bytes.length - range.suffix) : range.start;
    const end = 'suffix' in range ? bytes.length - 1 : range.end;
    return { bytes: bytes.subarray(start, end + 1), start, total: bytes.length };
  };
  const wheel = await RemoteWheel.open(read);
  assert.deepEqual(wheel.members().map((m) => m.name).filter((n) => n.endsWith('.py')), Object.keys(files));
  assert.equal(wheel.members().find((m) => m.name === 'pkg/a.py').size, files['pkg/a.py'].length);
  const before = asked.length;
  await wheel.prefetch(['pkg/__init__.py', 'pkg/a.py', 'pkg/b.py']);
  assert.equal(asked.length, before + 1, 'three neighbouring members in one range request');
  for (const [name, text] of Object.entries(files)) assert.equal(new TextDecoder().decode(await wheel.member(name)), text);
  assert.equal(asked.length, before + 1, 'members answered from what was prefetched');
  const total = asked.reduce((n, r) => n + ('suffix' in r ? r.suffix : r.end - r.start + 1), 0);
  assert.ok(total < bytes.length / 2, `${total} of ${bytes.length} bytes`);
  await assert.rejects(wheel.member('pkg/none.py'), /the wheel has no pkg\/none\.py/);
});

test('chooseWheel picks what pip would install for the target: platform wheels first, then pure Python; none for another platform', () => {
  const wheel = (tags) => ({ kind: 'wheel', tags, filename: `x-1.0-${tags}.whl`, url: `https://x/${tags}` });
  const files = [wheel('py3-none-any'), wheel('cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64'), wheel('cp312-cp312-manylinux_2_17_x86_64'), wheel('cp311-cp311-win_amd64'), { kind: 'sdist', filename: 'x-1.0.tar.gz' }];
  const linux = { minor: 11, platform: 'linux', machine: 'x86_64' };
  assert.equal(chooseWheel(files, linux).tags, 'cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64');
  assert.equal(chooseWheel(files, { minor: 11, platform: 'win32', machine: 'AMD64' }).tags, 'cp311-cp311-win_amd64');
  assert.equal(chooseWheel(files, { minor: 11, platform: 'darwin', machine: 'arm64' }).tags, 'py3-none-any');
  assert.equal(chooseWheel([wheel('cp39-abi3-manylinux2014_aarch64'), wheel('py2.py3-none-any')], { minor: 11, platform: 'linux', machine: 'aarch64' }).tags, 'cp39-abi3-manylinux2014_aarch64');
  assert.equal(chooseWheel([wheel('cp312-cp312-manylinux_2_17_x86_64')], linux), undefined);
  assert.equal(chooseWheel([{ kind: 'sdist', filename: 'x-1.0.tar.gz' }], linux), undefined);
});

test('wheelFiles: modules under <name>.data/purelib are named from where they install; a budget of bytes counts only what reaches the network', async () => {
  const wheels = {
    app: buildWheel('app', '1.0', 'Metadata-Version: 2.1\nName: app\nVersion: 1.0\n\n', { files: { 'app/__init__.py': 'from lib import present\nfrom lib.sub import gone\n' } }),
    lib: buildWheel('lib', '2.0', 'Metadata-Version: 2.1\nName: lib\nVersion: 2.0\n\n', { files: { 'lib-2.0.data/purelib/lib/__init__.py': 'present = 1\n', 'lib-2.0.data/purelib/lib/sub.py': 'other = 2\n' } }),
  };
  const seen = new Set();
  const source = {
    wheelRangeReader: (file, { onRead }) => async (range) => {
      const bytes = wheels[file.url];
      const start = 'suffix' in range ? Math.max(0, bytes.length - range.suffix) : range.start;
      const end = 'suffix' in range ? bytes.length - 1 : Math.min(range.end, bytes.length - 1);
      const key = `${file.url}:${start}-${end}`;
      onRead(end - start + 1, !seen.has(key));
      seen.add(key);
      return { bytes: bytes.subarray(start, end + 1), start, total: bytes.length };
    },
  };
  const dist = (name, version) => ({ name, version, normalizedName: name, wheel: { url: name, filename: `${name}-${version}-py3-none-any.whl`, kind: 'wheel', tags: 'py3-none-any' } });
  const [app, lib] = [dist('app', '1.0'), dist('lib', '2.0')];
  const budget = createWheelBudget(1e6, 60, Date.now);
  const [edge] = await checkImportEdgesWith(wheelFiles(source, budget), [[app, lib]], [app, lib], createImportCache());
  assert.equal(edge.incomplete, undefined);
  assert.deepEqual(edge.breaks.map((b) => [b.file, b.line, b.module, b.name]), [['app/__init__.py', 2, 'lib.sub', 'gone']]);
  assert.equal(edge.checked, 2);
  assert.ok(budget.bytes > 0 && budget.requests > 0);
  // The same wheels again under a new budget, with a fresh cache: every range is a repeat, so nothing is counted.
  const again = createWheelBudget(1e6, 60, Date.now);
  const [same] = await checkImportEdgesWith(wheelFiles(source, again), [[app, lib]], [app, lib], createImportCache());
  assert.deepEqual(same.breaks, edge.breaks);
  assert.deepEqual([again.bytes, again.requests], [0, 0]);
});
