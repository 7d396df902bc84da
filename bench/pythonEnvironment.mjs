// Installed-environment benchmark: a real virtualenv (`python3 -m venv --without-pip`) whose
// site-packages holds 1,000 generated distributions (METADATA with Requires-Dist taken from the
// PyPI snapshot, RECORD, a module each), inspected with the node Runtime cold (empty cache) and
// warm (the cache of the previous run, nothing changed), then after one distribution is
// reinstalled. The peers in the same run are `pip check` and `pip list` (pip 23.2.1) on the same
// environment. `node bench/pythonEnvironment.mjs` after `node esbuild.mjs`; prints a markdown table.
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const { createNodeRuntime } = require('../dist/node/runtime.js');
const { loadRequirementsTree } = require('../dist/core/python/requirements/requirements.js');
const { inspectPythonEnvironment } = require('../dist/core/python/environment/inspect.js');
const { createEnvironmentCache } = require('../dist/core/python/environment/installed.js');

const COUNT = Number(process.env.PINSIGHT_BENCH_DISTS ?? 1000);
const RUNS = 30;
const fixtures = fileURLToPath(new URL('../test/fixtures/pypi/', import.meta.url));

/** Requires-Dist strings of the snapshot, renamed onto the generated distributions so that every name is installed. */
function snapshotRequirements() {
  const out = [];
  for (const f of readdirSync(fixtures).filter((x) => x.endsWith('.json'))) {
    const data = JSON.parse(readFileSync(join(fixtures, f), 'utf8'));
    for (const v of Object.values(data.versions)) out.push(v.requires_dist ?? []);
  }
  return out;
}

function writeDistribution(site, i, requires) {
  const name = `bench-pkg-${i}`;
  const dir = join(site, `bench_pkg_${i}-1.${i % 7}.0.dist-info`);
  mkdirSync(dir);
  const renamed = requires.map((r, k) => r.replace(/^[A-Za-z0-9._-]+/, `bench-pkg-${(i * 31 + k * 17 + 1) % COUNT}`).replace(/(>=|==|~=|<=|<|>|!=)\s*[0-9][^,;\s]*/g, '$1 0.1'));
  const meta = ['Metadata-Version: 2.1', `Name: ${name}`, `Version: 1.${i % 7}.0`, 'Summary: generated for the benchmark', ...renamed.map((r) => `Requires-Dist: ${r}`), '', `# ${name}`, 'A description body of a few lines.'.repeat(40)].join('\n');
  writeFileSync(join(dir, 'METADATA'), meta);
  const files = Array.from({ length: 12 }, (_, k) => `bench_pkg_${i}/m${k}.py,sha256=${'A'.repeat(43)},120`);
  writeFileSync(join(dir, 'RECORD'), [...files, `bench_pkg_${i}-1.${i % 7}.0.dist-info/METADATA,,`, `bench_pkg_${i}-1.${i % 7}.0.dist-info/RECORD,,`, ''].join('\n'));
  writeFileSync(join(dir, 'INSTALLER'), 'pip\n');
}

function median(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)], p90: sorted[Math.floor(sorted.length * 0.9)] };
}

function timeProcess(args) {
  const t = performance.now();
  const run = spawnSync('python3', args, { encoding: 'utf8', env: { ...process.env, PIP_DISABLE_PIP_VERSION_CHECK: '1', PIP_CONFIG_FILE: '/dev/null' } });
  return { ms: performance.now() - t, out: run.stdout };
}

/** Runs the benchmark; returns the figures. */
export async function benchPythonEnvironment() {
  const root = mkdtempSync(join(tmpdir(), 'pinsight-bench-env-'));
  try {
    const made = spawnSync('python3', ['-m', 'venv', '--without-pip', join(root, '.venv')]);
    if (made.status !== 0) return { error: 'python3 -m venv is not available' };
    const lib = join(root, '.venv', 'lib');
    const site = join(lib, readdirSync(lib)[0], 'site-packages');
    const reqs = snapshotRequirements();
    for (let i = 0; i < COUNT; i++) writeDistribution(site, i, reqs[i % reqs.length]);
    const manifest = join(root, 'requirements.txt');
    writeFileSync(manifest, Array.from({ length: 50 }, (_, i) => `bench-pkg-${i * 7}>=1.0`).join('\n') + '\n');
    const runtime = createNodeRuntime();
    const manifests = await loadRequirementsTree(manifest, runtime.readFile, { env: {} });
    // Its RECORDs list modules it never writes: the import checks have their own bench (bench/imports.mjs).
    const host = { platform: process.platform, arch: process.arch, searchRoot: root, importChecks: { enabled: false, maxFilesPerPackage: 1 } };
    const cache = createEnvironmentCache();
    let t = performance.now();
    const cold = await inspectPythonEnvironment(manifests, 'requirements', runtime, host, cache);
    const coldMs = performance.now() - t;
    const warm = [];
    for (let i = 0; i < RUNS; i++) {
      t = performance.now();
      await inspectPythonEnvironment(manifests, 'requirements', runtime, host, cache);
      warm.push(performance.now() - t);
    }
    // A reinstall replaces the folder (new mtime): only it is read again.
    const before = cache.reads;
    const victim = join(site, 'bench_pkg_3-1.3.0.dist-info');
    rmSync(victim, { recursive: true });
    writeDistribution(site, 3, []);
    t = performance.now();
    await inspectPythonEnvironment(manifests, 'requirements', runtime, host, cache);
    const editMs = performance.now() - t;
    const python = join(root, '.venv', 'bin', 'python');
    const pipCheck = timeProcess(['-m', 'pip', '--python', python, 'check']);
    const pipList = timeProcess(['-m', 'pip', '--python', python, 'list', '--format', 'json']);
    const listed = JSON.parse(pipList.out || '[]').length;
    return { count: COUNT, distributions: cold.environment.distributions.size, listed, problems: cold.check.problems.length, pipProblems: pipCheck.out.split('\n').filter((l) => / requires | has requirement /.test(l)).length, coldMs, warm: median(warm), editMs, reread: cache.reads - before, pipCheckMs: pipCheck.ms, pipListMs: pipList.ms };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await benchPythonEnvironment();
  if (r.error) console.log(`Skipped: ${r.error}`);
  else {
    const ms = (x) => `${x.toFixed(1)} ms`;
    console.log(`## Installed environment (${r.count} distributions in a real venv; median of ${RUNS} warm runs)\n`);
    console.log('| run | wall |');
    console.log('|---|---|');
    console.log(`| Pinsight cold (empty cache): find, read every METADATA and RECORD, check | ${ms(r.coldMs)} |`);
    console.log(`| Pinsight warm (nothing changed): median / p90 | ${ms(r.warm.median)} / ${ms(r.warm.p90)} |`);
    console.log(`| Pinsight after one reinstall (${r.reread} folder read again) | ${ms(r.editMs)} |`);
    console.log(`| peer: \`pip check\` (pip 23.2.1, process included) | ${ms(r.pipCheckMs)} |`);
    console.log(`| peer: \`pip list --format json\` | ${ms(r.pipListMs)} |`);
    console.log(`\nSame inventory size as pip list: ${r.distributions === r.listed ? 'yes' : `NO (${r.distributions} vs ${r.listed})`}; pip check problems: ${r.problems} here, ${r.pipProblems} from pip.`);
  }
}
