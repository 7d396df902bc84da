// Import-level checks against Python itself. Each pair installs real wheels, built here from the
// stub packages in test/fixtures/import-breaks/ (the structure of real releases: module paths,
// names defined, import lines at their real line numbers; origin.json says where each fact comes
// from), into a venv made with `python3 -m venv`, with pip 23.2.1. Pinsight reads the venv through
// the node Runtime (no process); the oracle is `python -c "import <module>"` for every module of
// the importing distribution: Pinsight reports an import-break exactly when one of them fails, and
// every module it names fails, with Python naming the same missing name. The same pair read from
// the wheels on the fake PyPI (range requests, issue 10 part 2) gives the same verdict: the same
// missing names at the same file and line.
import { test, before, after, describe } from 'node:test';
import { requireOracles } from '../support/oracles.mjs';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildWheel, buildMetadata, filenameStem } from '../support/fakePypiArtifacts.mjs';
import { isolatedEnv } from '../support/isolatedEnv.mjs';
import { runProcess } from '../support/runProcess.mjs';
import { createNodeRuntime } from '../../dist/node/runtime.js';
import { loadRequirementsTree } from '../../dist/core/python/requirements/requirements.js';
import { inspectPythonEnvironment } from '../../dist/core/python/environment/inspect.js';
import { startFakePypi } from '../support/fakePypi.mjs';
import { filesUnder, importBreakProjects } from '../support/importBreakIndex.mjs';
import { createHostRegistries } from '../../dist/node/registries.js';
import { PypiClient } from '../../dist/core/python/index/pypi.js';
import { IndexImportSession } from '../../dist/core/python/checks/indexImports.js';
import { createImportCache } from '../../dist/core/python/imports/check.js';

// The oracles this file compares with, in the versions it was written against.
before(() => requireOracles('python', 'pip'));

const PYTHON_MINOR = '3.11';
const PIP_VERSION = '23.2.1';
const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'import-breaks');
const ENV = isolatedEnv({ PIP_DISABLE_PIP_VERSION_CHECK: '1', PIP_NO_INPUT: '1', PIP_REQUIRE_VIRTUALENV: '0', PIP_CONFIG_FILE: '/dev/null' });
const HOST = { platform: process.platform, arch: process.arch };

/**
 * A imports from B; `with` are the other distributions A's modules need to import at all.
 * `breaks`: what the real releases do (the test also holds Pinsight and Python to it).
 */
const PAIRS = [
  { a: 'flask-2.2.2', b: 'werkzeug-3.0.0', breaks: ['werkzeug.urls.url_quote', 'werkzeug.urls.url_parse'] },
  { a: 'flask-2.1.3', b: 'werkzeug-3.0.0', breaks: ['werkzeug.urls.url_quote', 'werkzeug.urls.url_parse'] },
  { a: 'flask-1.1.2', b: 'jinja2-3.1.0', with: ['itsdangerous-2.0.1', 'markupsafe-2.0.1'], breaks: ['jinja2.escape', 'jinja2.Markup'] },
  { a: 'flask-1.1.2', b: 'itsdangerous-2.1.0', with: ['jinja2-3.0.3', 'markupsafe-2.0.1'], breaks: ['itsdangerous.json'] },
  { a: 'jinja2-2.11.3', b: 'markupsafe-2.1.0', breaks: ['markupsafe.soft_unicode'] },
  { a: 'flask-2.2.2', b: 'werkzeug-2.3.8', breaks: [], why: 'url_quote and url_parse are still defined (deprecated)' },
  { a: 'flask-1.1.2', b: 'jinja2-3.0.3', with: ['itsdangerous-2.0.1', 'markupsafe-2.0.1'], breaks: [], why: 'Markup and escape moved to jinja2.utils and are re-exported' },
  { a: 'flask-1.1.2', b: 'itsdangerous-2.0.1', with: ['jinja2-3.0.3', 'markupsafe-2.0.1'], breaks: [], why: 'itsdangerous re-exports json from its _json module' },
  { a: 'jinja2-2.11.3', b: 'markupsafe-2.0.1', breaks: [], why: 'soft_unicode is bound in both branches of a try/except ImportError' },
  { a: 'uvicorn-0.24.0.post1', b: 'websockets-15.0.1', breaks: [], why: 'websockets.legacy still exists; WebSocketServerProtocol is a lazy (PEP 562) alias' },
  { a: 'guarded-app-1.0', b: 'blinker-0.0.1+stub', breaks: [], why: 'the import that fails is guarded by try/except ImportError' },
];

let workdir;
const wheels = new Map();
const fixtures = new Map();

before(async () => {
  const python = await runProcess('python3', ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], { env: ENV });
  if (python.stdout.trim() !== PYTHON_MINOR) throw new Error(`This test needs Python ${PYTHON_MINOR} as python3 (the oracle), found: ${(python.stdout || python.stderr).trim() || 'no python3'}.`);
  const pip = await runProcess('python3', ['-m', 'pip', '--version'], { env: ENV });
  if (!pip.stdout.startsWith(`pip ${PIP_VERSION} `)) {
    throw new Error(`This test needs pip ${PIP_VERSION} as \`python3 -m pip\` (the oracle), found: ${(pip.stdout || pip.stderr).trim() || 'no pip'}. Install it with \`python3 -m pip install pip==${PIP_VERSION}\`.`);
  }
  workdir = await mkdtemp(join(tmpdir(), 'pinsight-imports-'));
  await mkdir(join(workdir, 'wheels'));
  for (const folder of await readdir(FIXTURES)) {
    if (folder.endsWith('.md')) continue;
    const dist = JSON.parse(await readFile(join(FIXTURES, folder, 'dist.json'), 'utf8'));
    const files = await filesUnder(join(FIXTURES, folder, 'src'));
    const origin = JSON.parse(await readFile(join(FIXTURES, folder, 'origin.json'), 'utf8'));
    const bytes = buildWheel(dist.name, dist.version, buildMetadata(dist.name, dist.version, { requires_dist: dist.requiresDist }), { files, topLevel: dist.topLevel });
    const path = join(workdir, 'wheels', `${filenameStem(dist.name)}-${dist.version}-py3-none-any.whl`);
    await writeFile(path, bytes);
    wheels.set(folder, path);
    fixtures.set(folder, { dist, files, origin });
  }
});

let pypi;
let index;

before(async () => {
  pypi = await startFakePypi({ projects: [], extra: await importBreakProjects({ padBytes: 100_000 }) });
  index = createHostRegistries({ settings: { indexUrl: pypi.indexUrl, origin: 'cli', isolated: true }, env: {}, readFile: async () => undefined });
});

after(async () => {
  await index?.close();
  await pypi?.close();
  if (workdir) await rm(workdir, { recursive: true, force: true });
});

/** The verdict on A -> B read from the two releases' wheels on the fake index, as the resolution's edges are. */
async function indexVerdict(pair) {
  const a = fixtures.get(pair.a).dist;
  const b = fixtures.get(pair.b).dist;
  const session = new IndexImportSession({
    manifests: [],
    // Only names for messages are asked of the provider when no fix is searched.
    provider: { displayName: (name) => name },
    solution: { versions: new Map(), requiredBy: new Map() },
    client: new PypiClient(index.http, [{ url: pypi.indexUrl }]),
    environment: { python_version: PYTHON_MINOR, sys_platform: 'linux', platform_machine: 'x86_64' },
    cache: createImportCache(),
    now: Date.now,
  });
  const [verdict] = await session.check([[[a.name.toLowerCase(), a.version], [b.name.toLowerCase(), b.version]]]);
  assert.ok(!('reason' in verdict), verdict.reason);
  assert.equal(verdict.incomplete, undefined);
  return verdict;
}

test('each fixture reproduces the lines its origin.json records, at the same line', () => {
  assert.ok(fixtures.size >= 14);
  for (const [folder, { files, origin }] of fixtures) {
    for (const fact of origin.facts) {
      const line = files[fact.file]?.split('\n')[fact.line - 1];
      assert.ok(line !== undefined, `${folder}: ${fact.file}:${fact.line} is missing`);
      if (fact.kind === 'import') assert.equal(line, fact.text, `${folder}: ${fact.file}:${fact.line}`);
      else assert.match(line, new RegExp(`^\\s*((def|class)\\s+${fact.name}\\b|${fact.name}\\s*=)`), `${folder}: ${fact.file}:${fact.line} defines ${fact.name}`);
    }
  }
});

/** A project folder with a real .venv holding these fixtures' wheels, and a requirements.txt asking for A. */
async function makeProject(pair) {
  const dir = join(workdir, `${pair.a}--${pair.b}`);
  await mkdir(dir);
  const venv = join(dir, '.venv');
  const made = await runProcess('python3', ['-m', 'venv', '--without-pip', venv], { env: ENV, cwd: workdir });
  assert.equal(made.code, 0, made.stderr);
  const python = join(venv, 'bin', 'python');
  const install = await runProcess('python3', ['-m', 'pip', '--python', python, 'install', '--no-index', '--no-deps', '--no-cache-dir', '--quiet', ...[pair.a, pair.b, ...(pair.with ?? [])].map((f) => wheels.get(f))], { env: ENV, cwd: workdir });
  assert.equal(install.code, 0, `pip install: ${install.stderr}`);
  const a = fixtures.get(pair.a).dist;
  await writeFile(join(dir, 'requirements.txt'), `${a.name}==${a.version}\n`);
  return { dir, python };
}

/** Python's verdict: for each module of A, the ImportError message, or null when it imports. */
async function pythonImports(pair, python) {
  const out = new Map();
  for (const file of Object.keys(fixtures.get(pair.a).files).sort()) {
    const module = file.replace(/\.py$/, '').replace(/\/__init__$/, '').split('/').join('.');
    const run = await runProcess(python, ['-W', 'ignore', '-c', `import ${module}`], { env: ENV });
    out.set(file, run.code === 0 ? null : run.stderr.trim().split('\n').pop());
  }
  return out;
}

async function pinsight(dir) {
  const runtime = createNodeRuntime();
  const manifests = await loadRequirementsTree(join(dir, 'requirements.txt'), runtime.readFile, { env: {} });
  return inspectPythonEnvironment(manifests, 'requirements', runtime, { ...HOST, searchRoot: dir });
}

describe('Pinsight reports an import-break exactly when Python cannot import', () => {
  for (const pair of PAIRS) {
    const label = `${pair.a} with ${pair.b}: ${pair.breaks.length ? `break (${pair.breaks.join(', ')})` : `no break (${pair.why})`}`;
    test(label, async () => {
      const { dir, python } = await makeProject(pair);
      const [state, imports] = await Promise.all([pinsight(dir), pythonImports(pair, python)]);
      const a = fixtures.get(pair.a).dist;
      const b = fixtures.get(pair.b).dist;
      const findings = state.findings.filter((f) => f.code === 'import-break' && f.message.startsWith(`${a.name} ${a.version} `) && f.message.includes(` ${b.name} ${b.version} `));
      const failed = [...imports].filter(([, error]) => error !== null);
      // From the index: the same names, at the same file and line as the installed files say.
      const fromIndex = await indexVerdict(pair);
      assert.deepEqual([...new Set(fromIndex.breaks.map((x) => `${x.module}.${x.name}`))].sort(), [...pair.breaks].sort(), `index: ${JSON.stringify(fromIndex.breaks)}`);
      const installedLines = findings.flatMap((f) => [...f.message.matchAll(/\(([\w/]+\.py):(\d+)\)/g)].map((m) => `${m[1]}:${m[2]}`));
      for (const line of installedLines) assert.ok(fromIndex.breaks.some((x) => `${x.file}:${x.line}` === line), `the index verdict names ${line}`);
      assert.equal(fromIndex.breaks.length > 0, failed.length > 0, 'the index and Python agree');
      // The verdicts agree with each other and with what the real releases do.
      assert.equal(findings.length > 0, failed.length > 0, `Pinsight: ${findings.map((f) => f.message).join(' | ') || 'no break'}; Python: ${failed.map(([f, e]) => `${f}: ${e}`).join(' | ') || 'every module imports'}`);
      assert.equal(failed.length > 0, pair.breaks.length > 0, `Python: ${failed.map(([f, e]) => `${f}: ${e}`).join(' | ') || 'every module imports'}`);
      if (!pair.breaks.length) {
        assert.deepEqual(state.findings.filter((f) => f.code === 'import-break'), []);
        // The edge was read, not skipped: the hover evidence speaks of it.
        const evidence = state.packages.get(a.name.toLowerCase())?.imports ?? [];
        assert.ok(evidence.some((line) => line.includes(`${b.name}`) && line.includes(`${a.name} ${a.version}`)), `evidence: ${evidence.join(' | ')}`);
        if (pair.a === 'guarded-app-1.0') assert.match(evidence.join(' '), /only under a guard .*: 1 import left out/);
        return;
      }
      assert.equal(findings.length, 1, 'one finding, on the line of A');
      const [finding] = findings;
      assert.equal(finding.package, a.name.toLowerCase());
      for (const name of pair.breaks) assert.ok(finding.message.includes(`\`${name}\``), `the message names ${name}: ${finding.message}`);
      // Every file:line the message names holds that import, and importing its module fails with
      // Python naming one of the missing names.
      const named = [...finding.message.matchAll(/\(([\w/]+\.py):(\d+)\)/g)].map((m) => ({ file: m[1], line: Number(m[2]) }));
      assert.ok(named.length >= 1);
      for (const { file, line } of named) {
        const text = fixtures.get(pair.a).files[file].split('\n')[line - 1];
        assert.match(text, new RegExp(`import .*\\b(${pair.breaks.map((n) => n.split('.').pop()).join('|')})\\b`), `${file}:${line}`);
        const error = imports.get(file);
        assert.ok(error, `Python imports ${file}, which Pinsight says breaks`);
        assert.match(error, /^ImportError: cannot import name '(\w+)' from '([\w.]+)'/);
        const [, missing, from] = /cannot import name '(\w+)' from '([\w.]+)'/.exec(error);
        assert.ok(pair.breaks.includes(`${from}.${missing}`), `Python's missing ${from}.${missing} is one Pinsight names`);
      }
    });
  }
});

test('Flask 2.3.0 with Werkzeug 3.0.0, the fix offered for Flask 2.2.2: Python imports every module, and neither the venv nor the index has a break', async () => {
  // Flask 2.3.0 imports nothing from werkzeug.urls (quote and urlsplit come from urllib.parse), so
  // there is no import of B to show as evidence: the verdicts are compared directly.
  const pair = { a: 'flask-2.3.0', b: 'werkzeug-3.0.0', breaks: [] };
  const { dir, python } = await makeProject(pair);
  const [state, imports] = await Promise.all([pinsight(dir), pythonImports(pair, python)]);
  assert.deepEqual([...imports].filter(([, error]) => error !== null), []);
  assert.deepEqual(state.findings.filter((f) => f.code === 'import-break'), []);
  const fromIndex = await indexVerdict(pair);
  assert.deepEqual(fromIndex.breaks, []);
});

test('the hover evidence says that every import resolves, for a pair without a break', async () => {
  const pair = { a: 'flask-2.2.2', b: 'werkzeug-2.3.8', breaks: [] };
  const dir = join(workdir, 'hover');
  await mkdir(dir);
  const made = await runProcess('python3', ['-m', 'venv', '--without-pip', join(dir, '.venv')], { env: ENV });
  assert.equal(made.code, 0, made.stderr);
  const install = await runProcess('python3', ['-m', 'pip', '--python', join(dir, '.venv', 'bin', 'python'), 'install', '--no-index', '--no-deps', '--quiet', wheels.get(pair.a), wheels.get(pair.b)], { env: ENV });
  assert.equal(install.code, 0, install.stderr);
  await writeFile(join(dir, 'requirements.txt'), 'Flask==2.2.2\nWerkzeug==2.3.8\n');
  const state = await pinsight(dir);
  assert.deepEqual(state.packages.get('werkzeug').imports, ['Every import of Werkzeug by Flask 2.2.2 resolves in Werkzeug 2.3.8 (2 checked).']);
  assert.deepEqual(state.packages.get('flask').imports, state.packages.get('werkzeug').imports);
});
