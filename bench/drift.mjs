// Drift benchmark (issue 9): a workspace of 50 manifests with their lockfiles (25 uv projects with a
// uv.lock each, 25 requirements files) beside one 1,000-distribution .venv, checked with no network.
// - in process, the server's path: runStages (lockfiles + environment) for all 50, cold and then
//   warm (the caches filled, as in the editor after the first check), median of 10;
// - the whole CLI process, `pinsight check --no-registry <workspace>` (a new process: caches empty,
//   the OS page cache warm), median of 5;
// - peer in the same run: `pip check` (python3 -m pip, the environment's own view) on the same .venv.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { writeVenv } from '../test/support/fakeVenv.mjs';
import { isolatedEnv } from '../test/support/isolatedEnv.mjs';

const require = createRequire(import.meta.url);
const { analyzeManifest } = require('../dist/core/project/analyze.js');
const { findManifests } = require('../dist/core/project/workspace.js');
const { runStages } = require('../dist/core/project/stages.js');
const { createNodeRuntime } = require('../dist/node/runtime.js');
const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const EXAMPLE = fileURLToPath(new URL('../examples/uv-project', import.meta.url));

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export function buildWorkspace(root) {
  const dists = Array.from({ length: 1000 }, (_, i) => ({ name: `bench-dist-${i}`, version: `1.${i % 7}.0`, requires: i > 0 && i % 3 === 0 ? [`bench-dist-${i - 1}>=1.0`] : [] }));
  writeVenv(join(root, '.venv'), dists);
  for (let i = 0; i < 25; i++) {
    const dir = join(root, 'services', `uv-${String(i).padStart(2, '0')}`);
    mkdirSync(dir, { recursive: true });
    cpSync(join(EXAMPLE, 'uv.lock'), join(dir, 'uv.lock'));
    cpSync(join(EXAMPLE, 'pyproject.toml'), join(dir, 'pyproject.toml'));
  }
  for (let i = 0; i < 25; i++) {
    const dir = join(root, 'jobs', `req-${String(i).padStart(2, '0')}`);
    mkdirSync(dir, { recursive: true });
    const lines = Array.from({ length: 20 }, (_, k) => `bench-dist-${(i * 37 + k * 11) % 1000}>=1.0`);
    writeFileSync(join(dir, 'requirements.txt'), `${lines.join('\n')}\n`);
  }
}

async function inProcess(root) {
  const runtime = createNodeRuntime();
  const host = { platform: 'linux', arch: 'x64', machine: { platform: 'linux', arch: 'x64' }, searchRoot: root };
  const { paths } = await findManifests(root, runtime);
  const analyses = await Promise.all(paths.map((p) => analyzeManifest(p, runtime)));
  const once = async () => {
    const start = performance.now();
    const results = await Promise.all(analyses.map((a) => runStages(a, runtime, undefined, { host })));
    return { ms: performance.now() - start, findings: results.reduce((n, r) => n + r.findings.length, 0) };
  };
  const cold = await once();
  const warm = [];
  for (let i = 0; i < 10; i++) warm.push(await once());
  return { manifests: paths.length, cold, warm: median(warm.map((w) => w.ms)), findings: warm[0].findings };
}

function cli(root) {
  const times = [];
  let out;
  for (let i = 0; i < 5; i++) {
    const start = performance.now();
    out = spawnSync(process.execPath, [CLI, 'check', '--no-registry', '--format', 'json', root], { cwd: root, env: isolatedEnv(), encoding: 'utf8', maxBuffer: 64 << 20 });
    times.push(performance.now() - start);
  }
  const files = JSON.parse(out.stdout).files;
  return { ms: median(times), files: files.length, findings: files.reduce((n, f) => n + f.findings.length, 0) };
}

/** Runs the drift measurements; see bench/run.mjs for the table. */
export async function benchDrift() {
  const root = mkdtempSync(join(tmpdir(), 'pinsight-bench-drift-'));
  try {
    buildWorkspace(root);
    const ours = await inProcess(root);
    const whole = cli(root);
    // The venv written by fakeVenv has no interpreter of its own: pip 23.2.1's check runs in the
    // machine's python with that site-packages first on sys.path (it checks those 1,000 and the
    // machine's own distributions).
    const site = join(root, '.venv', 'lib', 'python3.11', 'site-packages');
    const start = performance.now();
    const pip = spawnSync('python3', ['-c', `import sys; sys.path[:0] = [${JSON.stringify(site)}]; from pip._internal.cli.main import main; sys.exit(main(['check']))`], { env: isolatedEnv(), encoding: 'utf8' });
    const pipMs = performance.now() - start;
    return { ...ours, cli: whole, pip: { ms: pipMs, code: pip.status, lines: (pip.stdout || '').trim().split('\n').filter(Boolean).length } };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(JSON.stringify(await benchDrift(), null, 2));
