// What a user waits for, measured from outside the process, beside pip in the same run (issue 11):
// - the whole `pinsight check` process on the seed conflict, cold (empty registry cache dir; the
//   first run after install also has no code cache) and warm (the same cache dir), and pip 23.2.1
//   `install --dry-run` on the same file, cold and warm;
// - the language server over JSON-RPC (test/support/lspClient.mjs): first verdict after opening
//   the seed (cold cache), then edits that flip the verdict (websockets 15.0.1 <-> 14.2), timed from
//   didChange to pinsight/checked, with debounce 0 and with the default settings;
// - the server's resident memory with 50 manifests open and checked, and the .vsix size.
// The fake PyPI adds 50 ms before every response.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startFakePypi } from '../test/support/fakePypi.mjs';
import { fileUri, startServer } from '../test/support/lspClient.mjs';
import { isolatedEnv } from '../test/support/isolatedEnv.mjs';

const LATENCY_MS = 50;
const EDITS = 30;
// PINSIGHT_CLI: another build's dist/cli.js (a copy of main), to compare in the same run.
const CLI = process.env.PINSIGHT_CLI ?? fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const VSIX = fileURLToPath(new URL('../dist/pinsight.vsix', import.meta.url));
const SEED = 'fastapi==0.115.12\nuvicorn==0.34.2\nsupabase==2.15.3\nwebsockets==15.0.1\n';

/** Runs a process to its end; with `first` (a RegExp and a probe), also when stdout first matched it and what the probe said then. */
function timed(command, args, env, first) {
  return new Promise((resolve) => {
    const start = performance.now();
    const child = spawn(command, args, { env });
    let out = '';
    let stdout = '';
    let seen;
    child.stdout.on('data', (d) => {
      out += d;
      stdout += d;
      if (first && !seen && first.re.test(stdout)) seen = { ms: performance.now() - start, probe: first.probe() };
    });
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => resolve({ code, out, ms: performance.now() - start, first: seen }));
  });
}

const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

// The fake builds each project's wheels and sdists the first time its page is asked for, in this
// process: whichever client came first would pay for it (about a second on the seed, and pip ran
// second). Every page is asked for once before anything is timed.
async function prebuild(fake) {
  const names = readdirSync(fileURLToPath(new URL('../test/fixtures/pypi/', import.meta.url))).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5));
  await Promise.all(names.map((name) => fetch(`${fake.indexUrl}/${name}/`, { headers: { accept: 'application/vnd.pypi.simple.v1+json' } }).then((r) => r.arrayBuffer())));
}

/** The whole `pinsight check` process, cold and warm, beside pip on the same file and index. */
export async function cliAndPip(fake, dir) {
  await prebuild(fake);
  const file = join(dir, 'requirements.txt');
  writeFileSync(file, SEED);
  const cache = join(dir, 'cli-cache');
  const common = [CLI, 'check', '--isolated', '--index-url', fake.indexUrl, '--python-version', '3.11', '--platform', 'linux'];
  const args = [...common, '--cache-dir', cache, '--format', 'json', file];
  const count = () => fake.requests.length;
  // One home for every Pinsight run of this pair: its user cache folder holds the CLI's code cache
  // (cliStart.ts), which the first run writes and the later ones read, as an installed CLI's would.
  const env = isolatedEnv();
  // Cold, text format (each with its own empty registry cache): when the verdict line reaches stdout,
  // and the whole process. The first is the first run after install (no code cache either).
  const coldText = async (name) => {
    const before = count();
    const textArgs = [...common, '--cache-dir', join(dir, name), '--format', 'text', file];
    const run = await timed(process.execPath, textArgs, env, { re: /: error \[conflict\] /, probe: () => count() - before });
    return { verdictMs: run.first?.ms, verdictRequests: run.first?.probe, ms: run.ms, code: run.code, requests: count() - before };
  };
  const firstRun = await coldText('cli-cache-first');
  const text = await coldText('cli-cache-text');
  let before = count();
  const cold = await timed(process.execPath, args, env);
  const coldRequests = count() - before;
  const warm = [];
  before = count();
  for (let i = 0; i < 5; i++) warm.push((await timed(process.execPath, args, env)).ms);
  const warmRequests = (count() - before) / 5;
  const pipArgs = (cacheDir) => ['-m', 'pip', 'install', '--isolated', '--disable-pip-version-check', '--no-input', '--dry-run', '--ignore-installed', '--quiet', '--report', join(dir, 'report.json'), '--cache-dir', cacheDir, '--trusted-host', '127.0.0.1', '--index-url', fake.indexUrl, '-r', file];
  before = count();
  const pipCold = await timed('python3', pipArgs(join(dir, 'pip-cache')), isolatedEnv());
  const pipColdRequests = count() - before;
  const pipWarm = [];
  for (let i = 0; i < 3; i++) pipWarm.push((await timed('python3', pipArgs(join(dir, 'pip-cache')), isolatedEnv())).ms);
  return {
    cold: { ms: cold.ms, code: cold.code, requests: coldRequests },
    firstRun,
    coldText: text,
    warm: { ms: pct(warm, 50), requests: warmRequests },
    pip: { cold: pipCold.ms, coldRequests: pipColdRequests, warm: pct(pipWarm, 50), conflict: /conflict|ResolutionImpossible/i.test(pipCold.out) },
  };
}

async function lspRoundTrips(fake, dir, debounceMs) {
  const settings = { enable: true, checkRegistries: true, python: { indexUrl: fake.indexUrl, version: '3.11', platform: 'linux' } };
  if (debounceMs !== undefined) settings.debounceMs = debounceMs;
  const client = await startServer({ settings, initializationOptions: { cacheDir: join(dir, `lsp-cache-${debounceMs ?? 'default'}`) } });
  try {
    const path = join(dir, `lsp-${debounceMs ?? 'default'}`, 'requirements.txt');
    const uri = fileUri(path);
    let start = performance.now();
    client.open(uri, SEED);
    await client.waitForChecked(uri, 60_000);
    const first = performance.now() - start;
    const verdicts = [];
    const complete = [];
    for (let i = 0; i < EDITS; i++) {
      const conflict = i % 2 === 1;
      const text = conflict ? SEED : SEED.replace('15.0.1', '14.2');
      const after = client.checkedCount(uri);
      start = performance.now();
      client.change(uri, text);
      // The verdict: this version's diagnostics with the new answer (stage 1 carries the old one over meanwhile).
      await client.waitForDiagnostics(uri, (d) => d.filter((x) => x.code === 'conflict').length === (conflict ? 2 : 0), 60_000);
      verdicts.push(performance.now() - start);
      // Complete: fixes and the unlocking upgrade included (pinsight/checked).
      await client.waitForChecked(uri, 60_000, { after });
      complete.push(performance.now() - start);
    }
    return { first, p50: pct(verdicts, 50), p95: pct(verdicts, 95), max: Math.max(...verdicts), completeP50: pct(complete, 50), completeP95: pct(complete, 95) };
  } finally {
    await client.close();
  }
}

function rssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)[1]) / 1024;
}

async function memoryWith50(fake, dir) {
  const client = await startServer({
    settings: { enable: true, checkRegistries: true, debounceMs: 0, python: { indexUrl: fake.indexUrl, version: '3.11', platform: 'linux' } },
    initializationOptions: { cacheDir: join(dir, 'mem-cache') },
  });
  try {
    const idle = rssMb(client.pid);
    const uris = [];
    for (let i = 0; i < 50; i++) {
      const uri = fileUri(join(dir, `m${i}`, 'requirements.txt'));
      // Solvable manifests: 50 conflicts at once would each spend their what-if budget (see bench/README.md).
      client.open(uri, SEED.replace('15.0.1', '14.2'));
      uris.push(uri);
    }
    for (const uri of uris) await client.waitForChecked(uri, 120_000);
    return { idle, open50: rssMb(client.pid) };
  } finally {
    await client.close();
  }
}

/** Runs every measurement; see bench/run.mjs for the table. */
export async function benchEditor() {
  const fake = await startFakePypi({ projects: 'all', faults: { latency: LATENCY_MS } });
  const dir = mkdtempSync(join(tmpdir(), 'pinsight-bench-editor-'));
  try {
    const step = async (name, run) => {
      const start = performance.now();
      const out = await run();
      process.stderr.write(`bench/editor: ${name} ${Math.round(performance.now() - start)} ms\n`);
      return out;
    };
    const cli = process.env.BENCH_SKIP_PIP ? undefined : await step('CLI and pip', () => cliAndPip(fake, dir));
    const zero = await step('LSP, debounce 0', () => lspRoundTrips(fake, dir, 0));
    const standard = await step('LSP, default settings', () => lspRoundTrips(fake, dir, undefined));
    const memory = await step('memory, 50 manifests', () => memoryWith50(fake, dir));
    const vsix = existsSync(VSIX) ? statSync(VSIX).size : undefined;
    return { latencyMs: LATENCY_MS, edits: EDITS, cli, zero, standard, memory, vsix };
  } finally {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(JSON.stringify(await benchEditor(), null, 2));
