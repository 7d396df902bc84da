// Import checks of a resolution from the wheels on the index (issue 10, part 2): a requirements.txt
// with no venv (flask==2.2.2, werkzeug==3.0.0 and what they need: 6 releases, 5 dependency edges,
// the fix search for the break reading one more Werkzeug) against the fake PyPI with 50 ms latency
// per request, serving wheels built from the stubs in test/fixtures/import-breaks, each padded with
// a stored data file to a real wheel's size (Flask 2.2.2's wheel is 101 kB, Werkzeug 3.0.0's 227 kB).
// Cold (empty caches), warm (same session), and from the disk cache in a new session; the peer in
// the same run: downloading the same wheels whole, as pip does before it can read any file.
// `node bench/indexImports.mjs` after `node esbuild.mjs`; prints a markdown table.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { startFakePypi } from '../test/support/fakePypi.mjs';
import { importBreakProjects } from '../test/support/importBreakIndex.mjs';

const require = createRequire(import.meta.url);
const { createHostRegistries } = require('../dist/node/registries.js');
const { createNodeRuntime } = require('../dist/node/runtime.js');
const { analyzeManifest } = require('../dist/core/project/analyze.js');
const { runStages, runLaterStage } = require('../dist/core/project/stages.js');

const LATENCY_MS = 50;
const PAD = 150_000;
const HOST = { platform: 'linux', arch: 'x64', pythonVersion: { version: '3.11', source: 'the bench' } };

const click = JSON.parse(readFileSync(new URL('../test/fixtures/pypi/click.json', import.meta.url), 'utf8'));
for (const info of Object.values(click.versions)) info.layout = { padBytes: PAD };
const pypi = await startFakePypi({ projects: ['colorama'], extra: [click, ...(await importBreakProjects({ padBytes: PAD }))], faults: { latency: LATENCY_MS } });
const dir = mkdtempSync(join(tmpdir(), 'pinsight-bench-index-imports-'));
const path = join(dir, 'requirements.txt');
writeFileSync(path, 'flask==2.2.2\nwerkzeug==3.0.0\n');

function stack(cacheDir) {
  const runtime = createNodeRuntime();
  return { runtime, ...createHostRegistries({ settings: { indexUrl: pypi.indexUrl, origin: 'cli', isolated: true }, env: {}, readFile: (p) => runtime.readFile(p), cacheDir }) };
}

const sizes = new Map();
async function sizeOf(url) {
  if (!sizes.has(url)) sizes.set(url, Number((await fetch(`${pypi.url}${url}`, { method: 'HEAD' })).headers.get('content-length')));
  return sizes.get(url);
}

function rangeBytes(range, size) {
  const m = /^bytes=(\d*)-(\d*)$/.exec(range);
  if (m[1] === '') return Math.min(Number(m[2]), size);
  return Math.min(Number(m[2] || size - 1), size - 1) - Number(m[1]) + 1;
}

async function run(label, s) {
  const analysis = await analyzeManifest(path, s.runtime);
  const from = pypi.requests.length;
  const t0 = performance.now();
  const verdict = await runStages(analysis, s.runtime, s.project, { host: { ...HOST, searchRoot: dir } });
  const t1 = performance.now();
  const wheelsBefore = pypi.requests.length;
  const result = await runLaterStage(verdict);
  const t2 = performance.now();
  const reads = pypi.requests.slice(wheelsBefore).filter((r) => /\.whl$/.test(r.path));
  let bytes = 0;
  const wheels = new Set();
  for (const r of reads) {
    wheels.add(r.path);
    bytes += rangeBytes(r.headers.range, await sizeOf(r.path));
  }
  let whole = 0;
  for (const w of wheels) whole += await sizeOf(w);
  const breaks = result.findings.filter((f) => f.code === 'import-break').length;
  return { label, verdictMs: t1 - t0, importsMs: t2 - t1, requests: reads.length, bytes, wheels: wheels.size, whole, breaks, other: pypi.requests.length - from - reads.length, summary: result.laterSummary };
}

/** The peer: the same wheels downloaded whole, one after another (pip downloads before it reads). */
async function downloadWhole(paths) {
  const t0 = performance.now();
  let bytes = 0;
  for (const p of paths) bytes += (await (await fetch(`${pypi.url}${p}`)).arrayBuffer()).byteLength;
  return { ms: performance.now() - t0, bytes };
}

try {
  const cache = join(dir, 'cache');
  const first = stack(cache);
  const cold = await run('cold (empty caches)', first);
  const coldWheels = [...new Set(pypi.requests.filter((r) => /\.whl$/.test(r.path)).map((r) => r.path))];
  const warm = await run('warm (same session)', first);
  await first.close();
  const second = stack(cache);
  const disk = await run('new session, disk cache', second);
  await second.close();
  const peer = await downloadWhole(coldWheels);
  const kb = (n) => `${(n / 1024).toFixed(1)} kB`;
  console.log(`Import checks from the index: ${LATENCY_MS} ms latency per request; flask==2.2.2 + werkzeug==3.0.0 (6 releases resolved)\n`);
  console.log('| run | verdict (stages 2-3) | import checks after it | wheel range requests | bytes read from wheels | those wheels whole | import-break findings |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of [cold, warm, disk]) console.log(`| ${r.label} | ${r.verdictMs.toFixed(0)} ms | ${r.importsMs.toFixed(0)} ms | ${r.requests} | ${kb(r.bytes)} | ${r.wheels ? `${kb(r.whole)} (${r.wheels} wheels)` : '-'} | ${r.breaks} |`);
  console.log(`| peer: the ${coldWheels.length} wheels downloaded whole, one by one | | ${peer.ms.toFixed(0)} ms | ${coldWheels.length} | ${kb(peer.bytes)} | | |`);
  console.log(`\ncold summary: ${cold.summary}`);
} finally {
  await pypi.close();
  rmSync(dir, { recursive: true, force: true });
}
