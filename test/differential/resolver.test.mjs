// The Python provider + PubGrub solver against pip 23.2.1 on the same fake index and the same
// requirements files: (a) manifests over the PyPI snapshot (the seed conflict, its fix, supabase /
// fastapi / uvicorn[standard] / pydantic combinations), (b) generated registries with pre-releases,
// yanked releases, Requires-Python exclusions, extras and markers. Whether a manifest can be
// installed must agree in every case. Where both find a solution and the versions differ, each side
// must accept the other's solution (so the difference is a free choice, not a disagreement about
// the rules): pip is re-run with the other solution as constraints, ours is re-solved with every
// package restricted to pip's version. Slow (pip resolves each case): its own suite.
//
// pip runs in two long-lived worker processes that call pip's own `main()` once per case (the same
// code path as `python3 -m pip install --dry-run --report`, without a second of start-up per case);
// the first test checks that a worker and a fresh `python3 -m pip` agree.
//
// PINSIGHT_DIFF_CASES (default 110) and PINSIGHT_DIFF_SEED (default 20251122) shape part (b).
import { test, before, after } from 'node:test';
import { oracleTarget, requireOracles } from '../support/oracles.mjs';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakePypi } from '../support/fakePypi.mjs';
import { pipEnv } from '../support/pipEnv.mjs';
import { generateCase, mulberry32 } from '../support/pypiGenerator.mjs';
import { createNodeTransport } from '../../dist/node/transport.js';
import { RegistryHttp } from '../../dist/core/http/registryHttp.js';
import { PypiClient } from '../../dist/core/python/index/pypi.js';
import { loadRequirementsTree } from '../../dist/core/python/requirements/requirements.js';
import { createPythonProvider, rootsFromManifests } from '../../dist/core/python/resolve/provider.js';
import { pipViolations, resolvePython } from '../../dist/core/python/resolve/resolvePython.js';
import { replayPip } from '../../dist/core/python/resolve/pipReplay.js';
import { highestCompatible, whatWouldUnlock, whyIsThisHere } from '../../dist/core/python/resolve/whatIf.js';
import { compareVersions, parseVersion, publicVersion, formatVersion } from '../../dist/core/python/versions/pep440.js';
import { runProcess } from '../support/runProcess.mjs';

// The oracles this file compares with, in the versions it was written against.
before(() => requireOracles('python', 'pip', 'packaging'));

// This machine as pip sees it: the oracle interpreter's own marker environment (CPython 3.11.7
// on x86_64 Linux when these tests were written), so pip and Pinsight resolve for the same target.
const TARGET = oracleTarget();
const CASES = Number(process.env.PINSIGHT_DIFF_CASES ?? 110);
const SEED = Number(process.env.PINSIGHT_DIFF_SEED ?? 20251122);
// Without this machine's pip configuration (PIP_FIND_LINKS, pip.conf's extra indexes): only the fake index.
const PIP_ENV = pipEnv({ PYTHONWARNINGS: 'ignore' });
const PIP_ARGS = ['install', '--dry-run', '--ignore-installed', '--quiet', '--no-cache-dir'];
const RESOLUTION_FAILED = /ResolutionImpossible|No matching distribution found|Could not find a version that satisfies/;

const WORKER = `
import sys, json, io, os, contextlib, tempfile
from pip._internal.cli.main import main as pip_main
for line in sys.stdin:
    case = json.loads(line)
    fd, report = tempfile.mkstemp(suffix='.json'); os.close(fd)
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        try:
            code = pip_main(case['args'] + ['--report', report])
        except SystemExit as e:
            code = e.code
    install = None
    if code == 0:
        with open(report) as f:
            install = [[i['metadata']['name'], i['metadata']['version']] for i in json.load(f)['install']]
    os.unlink(report)
    print(json.dumps({'id': case['id'], 'code': code, 'install': install, 'stderr': err.getvalue()[-4000:]}), flush=True)
`;

/** Two pip workers, one case each at a time. */
function pipPool(size) {
  const idle = [];
  const queue = [];
  const workers = [];
  let nextId = 0;
  for (let i = 0; i < size; i++) {
    const child = spawn('python3', ['-c', WORKER], { env: PIP_ENV, stdio: ['pipe', 'pipe', 'inherit'] });
    const worker = { child, resolve: null };
    createInterface({ input: child.stdout }).on('line', (line) => {
      const done = worker.resolve;
      worker.resolve = null;
      done(JSON.parse(line));
      release(worker);
    });
    workers.push(worker);
    idle.push(worker);
  }
  function release(worker) {
    const job = queue.shift();
    if (job) start(worker, job);
    else idle.push(worker);
  }
  function start(worker, job) {
    worker.resolve = job.resolve;
    worker.child.stdin.write(`${JSON.stringify({ id: ++nextId, args: job.args })}\n`);
  }
  return {
    run: (args) =>
      new Promise((resolve) => {
        const job = { args: [...PIP_ARGS, ...args], resolve };
        const worker = idle.shift();
        if (worker) start(worker, job);
        else queue.push(job);
      }),
    close: () => Promise.all(workers.map((w) => new Promise((r) => (w.child.once('close', r), w.child.stdin.end())))),
  };
}

function pipSubprocess(args) {
  return runProcess('python3', ['-m', 'pip', ...PIP_ARGS, '--report', '-', ...args], { env: PIP_ENV }).then(({ code, stdout, stderr }) => ({
    code,
    stderr,
    install: code === 0 ? JSON.parse(stdout).install.map((i) => [i.metadata.name, i.metadata.version]) : null,
  }));
}

const normalize = (name) => name.toLowerCase().replace(/[-_.]+/g, '-');
const sameVersion = (a, b) => a === b || (parseVersion(a) && parseVersion(b) && compareVersions(parseVersion(a), parseVersion(b)) === 0);
const asMap = (pairs) => new Map(pairs.map(([n, v]) => [normalize(n), v]));
const show = (map) => [...map].map(([n, v]) => `${n}==${v}`).sort().join(' ');

function sameSolution(a, b) {
  if (a.size !== b.size) return false;
  for (const [name, v] of a) if (!b.has(name) || !sameVersion(v, b.get(name))) return false;
  return true;
}

let fake;
let pool;
let transport;
let pypi;
let workdir;
const generated = [];

before(async () => {
  const rng = mulberry32(SEED);
  for (let i = 0; i < CASES; i++) generated.push(generateCase(rng, i));
  fake = await startFakePypi({ projects: 'all', extra: generated.flatMap((c) => c.projects) });
  pool = pipPool(2);
  transport = createNodeTransport({ env: {} });
  pypi = new PypiClient(new RegistryHttp({ transport, clock: { now: () => Date.now(), sleep: async () => {}, random: () => 0 }, retries: 0 }), [{ url: fake.indexUrl }]);
  workdir = await mkdtemp(join(tmpdir(), 'pinsight-resolver-'));
});

after(async () => {
  await pool?.close();
  await transport?.close();
  await fake?.close();
  if (workdir) await rm(workdir, { recursive: true, force: true });
});

let fileCount = 0;
async function writeCase(requirements, constraints) {
  const dir = join(workdir, String(++fileCount));
  const req = `${dir}-requirements.txt`;
  let text = requirements.join('\n');
  if (constraints?.length) {
    const c = `${dir}-constraints.txt`;
    await writeFile(c, `${constraints.join('\n')}\n`);
    text = `-c ${c}\n${text}`;
  }
  await writeFile(req, `${text}\n`);
  return req;
}

/** Our verdict on a requirements file, read by our own parser; `restrictTo` checks a given set of versions instead. */
async function ours(path, restrictTo) {
  const manifests = await loadRequirementsTree(path, (p) => readFile(p, 'utf8').catch(() => undefined));
  const problems = manifests.flatMap((m) => m.problems);
  assert.deepEqual(problems, [], `our parser rejected ${path}`);
  const allowPrereleases = manifests.some((m) => m.options.some((o) => o.name === 'pre'));
  const start = createPythonProvider({ pypi, roots: rootsFromManifests(manifests), target: TARGET, installer: 'pip', allowPrereleases, restrictTo });
  const { result, provider, passes } = await resolvePython(start);
  // A project the index does not have stops our solve as incomplete ("X, required by Y, was not
  // found"), where pip reports "No matching distribution": both say the set cannot be installed.
  const missing = result.kind === 'incomplete' && result.unknownPackage === true;
  assert.ok(result.kind === 'solution' || result.kind === 'conflict' || missing, `our solver answered ${result.kind}: ${result.message ?? result.reason ?? ''}`);
  if (result.kind === 'solution') {
    assert.deepEqual(pipViolations(provider, result), [], `${path}: a version pip's rule refuses`);
    assert.equal(await replayPip(provider, result), undefined, `${path}: pip could not walk to our solution`);
  }
  const versions = result.kind === 'solution' ? new Map([...result.versions].filter(([k]) => !k.includes('['))) : null;
  return { result, versions, provider, passes };
}

// Constraints that leave pip one candidate per project without changing its pre-release or yanked
// rules (an `==` pin would: it names pre-releases and admits yanked releases): exclude the others.
function onlyThese(provider, versions) {
  const lines = [];
  for (const [name, version] of versions) {
    const chosen = parseVersion(version);
    const others = (provider.versionsOf(name) ?? []).filter((x) => {
      const p = parseVersion(x);
      // `!=1.0` would also exclude a chosen 1.0+local; such a sibling stays (pip ranks the local one higher).
      return !sameVersion(x, version) && !(p.local === null && chosen.local !== null && formatVersion(publicVersion(chosen)) === formatVersion(p));
    });
    if (others.length) lines.push(`${name}${others.map((x) => `!=${x}`).join(',')}`);
  }
  return lines;
}

/** Runs one manifest on both sides; returns a verdict record. */
async function compare(label, requirements, constraints) {
  const path = await writeCase(requirements, constraints);
  const [pip, mine] = await Promise.all([pool.run(['-r', path]), ours(path)]);
  if (pip.code !== 0 && !RESOLUTION_FAILED.test(pip.stderr)) throw new Error(`pip failed on ${label} for another reason:\n${pip.stderr}`);
  const record = { label, requirements, constraints, pipOk: pip.code === 0, oursOk: mine.versions !== null, pip: pip.install ? asMap(pip.install) : null, ours: mine.versions, passes: mine.passes, same: false, crossValid: null, stderr: pip.stderr };
  if (record.pipOk && record.oursOk) record.same = sameSolution(record.pip, record.ours);
  if (record.oursOk && !record.same) {
    // Would pip take our solution? (For a pip failure: did pip's search miss a solution it accepts?)
    const pins = `${path}.only.txt`;
    await writeFile(pins, `${onlyThese(mine.provider, record.ours).join('\n')}\n`);
    const check = await pool.run(['-r', path, '-c', pins]);
    record.crossValid = { pipTakesOurs: check.code === 0 && sameSolution(asMap(check.install), record.ours) };
  }
  if (record.pipOk && !record.same) {
    // Would we take pip's? (For our failure: did our search miss it?)
    record.crossValid = { ...record.crossValid, oursTakesPip: (await ours(path, record.pip)).versions !== null };
  }
  return record;
}

function describe(r) {
  const files = `requirements: ${r.requirements.join(' | ')}${r.constraints?.length ? `; constraints: ${r.constraints.join(' | ')}` : ''}`;
  return `${r.label} (${files}): pip ${r.pipOk ? show(r.pip) : 'fails'}; ours ${r.oursOk ? show(r.ours) : 'conflict'}${r.crossValid ? ` ${JSON.stringify(r.crossValid)}` : ''}${r.pipOk ? '' : `\n  pip: ${r.stderr.split('\n').filter((l) => /ERROR|because|depends|requested/.test(l)).slice(0, 6).join('\n  ')}`}`;
}

function summarize(t, name, records) {
  const agree = records.filter((r) => r.pipOk === r.oursOk);
  const pipMissed = records.filter((r) => !r.pipOk && r.oursOk && r.crossValid?.pipTakesOurs);
  const both = records.filter((r) => r.pipOk && r.oursOk);
  const same = both.filter((r) => r.same);
  const crossValid = both.filter((r) => !r.same && r.crossValid?.pipTakesOurs && r.crossValid?.oursTakesPip);
  const secondPass = records.filter((r) => r.passes > 1).length;
  const line = `${name}: ${records.length} cases, installable-or-not agrees in ${agree.length}; both install ${both.length}: identical versions ${same.length}, different but each accepted by the other ${crossValid.length}; both refuse ${agree.length - both.length}; solved by the relaxed re-solve ${secondPass}; pip refuses but takes our solution when only it is offered ${pipMissed.length}`;
  t.diagnostic(line);
  for (const r of records) t.diagnostic(`${r.label}: pip ${r.pipOk ? 'installs' : 'refuses'}, ours ${r.oursOk ? 'installs' : 'refuses'}${r.same ? '' : r.pipOk && r.oursOk ? ' (other versions)' : ''}`);
  return { agree, both, same, crossValid, pipMissed };
}

// A case where pip reports ResolutionImpossible but installs our solution once the other versions
// are excluded is pip's search missing a solution by its own rules (resolvelib 1.0.1 backjumping,
// sarugaku/resolvelib#134), not a difference in the rules; every other disagreement fails.
function assertAgreement(records, stats) {
  const disagreements = records.filter((r) => r.pipOk !== r.oursOk && !stats.pipMissed.includes(r)).map(describe);
  assert.deepEqual(disagreements, [], 'installable-or-not must agree');
  const unexplained = stats.both.filter((r) => !r.same && !(r.crossValid?.pipTakesOurs && r.crossValid?.oursTakesPip)).map(describe);
  assert.deepEqual(unexplained, [], 'different solutions must each satisfy the other side');
}

const SNAPSHOT = [
  ['seed conflict', ['supabase==2.15.3', 'websockets==15.0.1']],
  ['seed fix', ['supabase==2.15.3', 'websockets==14.2']],
  ['seed, websockets unpinned', ['supabase==2.15.3', 'websockets']],
  ['seed upgraded supabase', ['supabase==2.16.0', 'websockets==15.0.1']],
  ['latest supabase with websockets 15', ['supabase', 'websockets==15.0.1']],
  ['realtime 2.4.3 with websockets 15', ['realtime==2.4.3', 'websockets==15.0.1']],
  ['realtime 2.4.x with websockets >=14', ['realtime>=2.4,<2.5', 'websockets>=14']],
  ['fastapi with uvicorn[standard]', ['fastapi', 'uvicorn[standard]']],
  ['uvicorn[standard] 0.30 with old websockets', ['uvicorn[standard]==0.30.0', 'websockets<10.4']],
  ['uvicorn[standard] 0.30 with websockets 12', ['uvicorn[standard]==0.30.0', 'websockets==12.0']],
  ['fastapi 0.99 with pydantic 2', ['fastapi==0.99.0', 'pydantic==2.5.0']],
  ['fastapi 0.100 with pydantic 2', ['fastapi==0.100.0', 'pydantic==2.5.0']],
  ['fastapi 0.115 with pydantic 1', ['fastapi==0.115.0', 'pydantic==1.10.13']],
  ['fastapi 0.110 with starlette 0.40', ['fastapi==0.110.0', 'starlette==0.40.0']],
  ['fastapi >=0.110 with starlette 0.27', ['fastapi>=0.110', 'starlette==0.27.0']],
  ['pydantic with its own core', ['pydantic==2.13.4', 'pydantic-core==2.46.4']],
  ['pydantic with another core', ['pydantic==2.13.4', 'pydantic-core==2.46.3']],
  ['pydantic-settings with pydantic 1', ['pydantic-settings>=2', 'pydantic<2']],
  ['httpx 0.28 with httpcore 0.x', ['httpx==0.28.1', 'httpcore<1']],
  ['httpx[http2] with old h2', ['httpx[http2]==0.28.1', 'h2<4']],
  ['anyio 3 with httpx 0.28', ['anyio<4', 'httpx==0.28.1']],
  ['supabase, fastapi, uvicorn[standard], pydantic', ['supabase==2.15.3', 'fastapi', 'uvicorn[standard]', 'pydantic>=2.7']],
  ['supabase with pydantic 1', ['supabase==2.15.3', 'pydantic<2']],
  ['mcp with fastapi', ['mcp==1.9.0', 'fastapi']],
  ['typer with old click', ['typer==0.12.0', 'click<8']],
  ['rich 13.0 with markdown-it-py 3', ['rich==13.0.0', 'markdown-it-py>=3']],
  ['aiohttp 3.9 with old yarl', ['aiohttp==3.9.0', 'yarl<1.9']],
  ['jsonschema with old referencing', ['jsonschema==4.20.0', 'referencing<0.28']],
  ['constraints narrow fastapi', ['fastapi', 'uvicorn'], ['pydantic<2', 'starlette<0.28']],
  ['constraint conflicts with a pin', ['supabase==2.15.3'], ['websockets>=15']],
  ['supabase 3 alpha (needs a project the snapshot lacks)', ['supabase>=3.0.0a1']],
  ['a named pydantic beta', ['pydantic>=2.14.0a1']],
  ['only pre-releases match, none named', ['typing-extensions>4.15.0']],
  ['a named rc admits it for pydantic’s requirement too', ['typing-extensions>=4.16.0rc1', 'pydantic==2.13.4']],
  ['--pre', ['--pre', 'mcp', 'typing-extensions']],
  ['pre-releases only for a named specifier', ['cffi>=2.0.0b1', 'pydantic']],
  // typing-extensions has final releases, but only its 4.16.0 release candidates meet >=4.16: pip refuses them.
  ['only pre-releases above the final releases', ['typing-extensions>=4.16']],
];

test('a pip worker answers like a fresh `python3 -m pip`', async () => {
  for (const reqs of [['supabase==2.15.3', 'websockets==15.0.1'], ['fastapi==0.115.0', 'uvicorn[standard]==0.30.0']]) {
    const [worker, fresh] = await Promise.all([pool.run(['--index-url', fake.indexUrl, ...reqs]), pipSubprocess(['--index-url', fake.indexUrl, ...reqs])]);
    assert.equal(worker.code, fresh.code, reqs.join(' '));
    assert.equal(RESOLUTION_FAILED.test(worker.stderr), RESOLUTION_FAILED.test(fresh.stderr));
    assert.deepEqual(worker.install && show(asMap(worker.install)), fresh.install && show(asMap(fresh.install)));
  }
});

test(`${SNAPSHOT.length} manifests over the PyPI snapshot agree with pip 23.2.1`, async (t) => {
  const index = `--index-url ${fake.indexUrl}`;
  const records = await Promise.all(SNAPSHOT.map(([label, reqs, constraints]) => compare(label, [index, ...reqs], constraints)));
  const stats = summarize(t, 'snapshot manifests', records);
  const byLabel = new Map(records.map((r) => [r.label, r]));
  // The seed facts from test/fixtures/pypi/README.md, on both sides.
  assert.equal(byLabel.get('seed conflict').oursOk, false);
  assert.equal(byLabel.get('seed fix').ours.get('websockets'), '14.2');
  assert.equal(byLabel.get('seed, websockets unpinned').ours.get('websockets'), '14.2');
  assertAgreement(records, stats);
});

test(`${CASES} generated registries agree with pip 23.2.1`, async (t) => {
  const index = `--index-url ${fake.indexUrl}`;
  const records = await Promise.all(generated.map((c) => compare(c.label, [index, ...c.requirements], c.constraints)));
  const stats = summarize(t, 'generated registries', records);
  const features = ['prerelease', 'yanked', 'requiresPython', 'extra', 'marker'].map((f) => `${f} ${generated.filter((c) => c.features.has(f)).length}`);
  t.diagnostic(`cases exercising: ${features.join(', ')}`);
  assertAgreement(records, stats);
});

test('what-if answers on the seed hold in pip 23.2.1', async (t) => {
  const path = await writeCase([`--index-url ${fake.indexUrl}`, 'supabase==2.15.3', 'websockets==15.0.1']);
  const manifests = await loadRequirementsTree(path, (p) => readFile(p, 'utf8').catch(() => undefined));
  const provider = createPythonProvider({ pypi, roots: rootsFromManifests(manifests), target: TARGET, installer: 'pip' });
  const highest = await highestCompatible(provider, 'websockets');
  assert.deepEqual([highest.kind, highest.version], ['found', '14.2']);
  const chains = whyIsThisHere(highest.solution, 'websockets').map((c) => c.map((s) => `${s.package} ${s.specifier}`).join(' > '));
  assert.ok(chains.includes('supabase ==2.15.3 > realtime <2.5.0,>=2.4.0 > websockets <15,>=11'), chains.join('\n'));
  const unlock = await whatWouldUnlock(provider, 'websockets', '15.0.1', { prefer: ['supabase', 'realtime'] });
  assert.equal(unlock.kind, 'unlocked', unlock.message);
  assert.equal(unlock.package, 'supabase');
  t.diagnostic(`${highest.package} ${highest.version} is the highest compatible; ${unlock.message}`);
  // pip installs the suggested upgrade with websockets 15.0.1, and no smaller supabase release.
  const smaller = provider.versionsOf('supabase').filter((v) => {
    const p = parseVersion(v);
    return compareVersions(p, parseVersion('2.15.3')) > 0 && compareVersions(p, parseVersion(unlock.version)) < 0 && !p.pre && !p.dev;
  });
  const runs = await Promise.all([unlock.version, ...smaller].map((v) => pool.run(['--index-url', fake.indexUrl, `supabase==${v}`, 'websockets==15.0.1'])));
  assert.equal(runs[0].code, 0, `pip refuses supabase ${unlock.version} with websockets 15.0.1:\n${runs[0].stderr}`);
  for (const [i, run] of runs.slice(1).entries()) assert.match(run.stderr, RESOLUTION_FAILED, `pip installs supabase ${smaller[i]} with websockets 15.0.1`);
});
