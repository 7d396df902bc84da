// The installed-environment check against pip 23.2.1 on REAL virtualenvs: each environment is made
// with `python3 -m venv` and filled by `pip install` from the fake index (test/support/fakePypi.mjs),
// then Pinsight reads it through the node Runtime (no process) and pip is the oracle: our
// inventory must equal `pip list --format json` and our pip-check problems must equal `pip check`.
// Scenarios: the seed (websockets 15.0.1 installed against a ==14.2 pin), declared requirements
// missing (including an extra's), an environment broken with --no-deps plus a legacy egg-info, and
// an in-sync environment made the usual way (with pip and setuptools) that must stay silent.
import { test, before, after } from 'node:test';
import { requireOracles } from '../support/oracles.mjs';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakePypi } from '../support/fakePypi.mjs';
import { isolatedEnv } from '../support/isolatedEnv.mjs';
import { runProcess } from '../support/runProcess.mjs';
import { createNodeRuntime } from '../../dist/node/runtime.js';
import { loadRequirementsTree } from '../../dist/core/python/requirements/requirements.js';
import { inspectPythonEnvironment } from '../../dist/core/python/environment/inspect.js';
import { formatVersion, parseVersion, parseSpecifierSet } from '../../dist/core/python/versions/pep440.js';

// The oracles this file compares with, in the versions it was written against.
before(() => requireOracles('python', 'pip'));

const PIP_VERSION = '23.2.1';
const ENV = isolatedEnv({ PIP_DISABLE_PIP_VERSION_CHECK: '1', PIP_NO_INPUT: '1', PIP_REQUIRE_VIRTUALENV: '0', PYTHONWARNINGS: 'ignore' });
const HOST = { platform: process.platform, arch: process.arch };

let fake;
let workdir;

before(async () => {
  const pip = await runProcess('python3', ['-m', 'pip', '--version'], { env: ENV });
  if (!pip.stdout.startsWith(`pip ${PIP_VERSION} `)) {
    throw new Error(`This test needs pip ${PIP_VERSION} as \`python3 -m pip\` (the oracle), found: ${(pip.stdout || pip.stderr).trim() || 'no pip'}. Install it with \`python3 -m pip install pip==${PIP_VERSION}\`.`);
  }
  fake = await startFakePypi();
  workdir = await mkdtemp(join(tmpdir(), 'pinsight-pyenv-'));
});

after(async () => {
  await fake?.close();
  if (workdir) await rm(workdir, { recursive: true, force: true });
});

/** A project folder with a real .venv; `withPip` makes it the usual way (ensurepip), else --without-pip. */
async function makeProject(name, withPip = false) {
  const dir = join(workdir, name);
  await mkdir(dir);
  const made = await runProcess('python3', ['-m', 'venv', ...(withPip ? [] : ['--without-pip']), join(dir, '.venv')], { env: ENV, cwd: workdir });
  assert.equal(made.code, 0, made.stderr);
  const python = join(dir, '.venv', 'bin', 'python');
  // Without pip inside, the outer pip 23.2.1 runs against the venv's interpreter (--python).
  const pip = (...args) => runProcess(withPip ? python : 'python3', withPip ? ['-m', 'pip', ...args] : ['-m', 'pip', '--python', python, ...args], { env: ENV, cwd: workdir });
  const install = async (...args) => {
    const run = await pip('install', '--no-cache-dir', '--quiet', '--index-url', fake.indexUrl, ...args);
    assert.equal(run.code, 0, `pip install ${args.join(' ')}: ${run.stderr}`);
  };
  return { dir, pip, install, site: join(dir, '.venv', 'lib', 'python3.11', 'site-packages') };
}

/** pip's view: `pip list --format json` and `pip check`, each problem as a comparable key. */
async function oracle(project) {
  const list = await project.pip('list', '--format', 'json');
  assert.equal(list.code, 0, list.stderr);
  const check = await project.pip('check');
  const problems = [];
  for (const line of check.stdout.split('\n').filter(Boolean)) {
    let m = /^(\S+) (\S+) requires (\S+), which is not installed\.$/.exec(line);
    if (m) {
      problems.push(`missing ${m[1]} ${m[2]} -> ${m[3]}`);
      continue;
    }
    m = /^(\S+) (\S+) has requirement ([A-Za-z0-9._-]+)(?:\[[^\]]*\])?([^;]*)(?:;.*)?, but you have (\S+) (\S+)\.$/.exec(line);
    if (m) {
      problems.push(`conflict ${m[1]} ${m[2]} -> ${m[5]} ${m[6]} outside ${parseSpecifierSet(m[4].trim()).set.toString()}`);
      continue;
    }
    assert.equal(line, 'No broken requirements found.', `an unexpected pip check line: ${line}`);
  }
  return { inventory: JSON.parse(list.stdout).map((d) => `${d.name}==${d.version}`).sort(), problems: problems.sort(), clean: check.code === 0 };
}

/** Pinsight's view of the same environment, for a requirements file written beside it. */
async function ours(project, requirements) {
  const path = join(project.dir, 'requirements.txt');
  await writeFile(path, requirements);
  const runtime = createNodeRuntime();
  const manifests = await loadRequirementsTree(path, runtime.readFile, { env: {} });
  const state = await inspectPythonEnvironment(manifests, 'requirements', runtime, { ...HOST, searchRoot: project.dir });
  const normal = (v) => (parseVersion(v) ? formatVersion(parseVersion(v)) : v);
  const inventory = [...state.environment.distributions.values()].map((d) => `${d.name}==${normal(d.version)}`).sort();
  const problems = state.check.problems
    .map((p) => (p.kind === 'missing'
      ? `missing ${p.dist.normalizedName} ${normal(p.dist.version)} -> ${p.requirement.normalizedName}`
      : `conflict ${p.dist.normalizedName} ${normal(p.dist.version)} -> ${p.installed.normalizedName} ${normal(p.installed.version)} outside ${p.requirement.specifierSet.toString()}`))
    .sort();
  const findings = state.findings.map((f) => `${f.code} ${f.package} line ${f.range.start.line + 1}: ${f.message}`);
  return { state, inventory, problems, findings };
}

async function agree(project, requirements) {
  const [pip, pinsight] = [await oracle(project), await ours(project, requirements)];
  assert.deepEqual(pinsight.inventory, pip.inventory, 'our inventory equals pip list');
  assert.deepEqual(pinsight.problems, pip.problems, 'our installed-conflict set equals pip check');
  return { pip, ...pinsight };
}

test('the seed: websockets 15.0.1 installed against a ==14.2 pin is installed-mismatch; realtime\'s conflict sits on supabase', async () => {
  const project = await makeProject('seed');
  const requirements = 'supabase==2.15.3\nwebsockets==14.2\n';
  await installRequirements(project, requirements);
  await project.install('--no-deps', 'websockets==15.0.1');
  const { findings, pip } = await agree(project, requirements);
  assert.deepEqual(pip.problems, ['conflict realtime 2.4.3 -> websockets 15.0.1 outside <15,>=11']);
  assert.deepEqual(findings, [
    'installed-mismatch websockets line 2: .venv has websockets 15.0.1 installed, which does not satisfy ==14.2. Run `pip install -r requirements.txt` to install a matching version.',
    'installed-conflict supabase line 1: realtime 2.4.3 (which supabase brings in: supabase → realtime) requires websockets<15,>=11, but .venv has websockets 15.0.1. Run `pip install -r requirements.txt` to install a consistent set.',
  ]);
});

test('declared requirements missing, and an extra\'s requirements missing because the extra was not installed', async () => {
  const project = await makeProject('missing');
  await project.install('uvicorn==0.34.0', 'click==8.1.8');
  const requirements = 'uvicorn[standard]==0.34.0\nclick==8.1.8\nhttpx>=0.27\nuvloop ; sys_platform == "win32"\n';
  const { findings, pip } = await agree(project, requirements);
  assert.ok(pip.clean, 'pip check looks at no extras');
  const notInstalled = findings.filter((f) => f.startsWith('not-installed'));
  assert.ok(notInstalled.includes('not-installed httpx line 3: httpx>=0.27 is not installed in .venv. Run `pip install -r requirements.txt` to install it.'), findings.join('\n'));
  // uvicorn 0.34.0's extra "standard" (this platform, Python 3.11): the same list pip would add.
  const extraNames = notInstalled.filter((f) => f.startsWith('not-installed uvicorn line 1:')).map((f) => /: (\S+) is not installed/.exec(f)[1].toLowerCase().replace(/[-_.]+/g, '-')).sort();
  const dry = await project.pip('install', '--dry-run', '--quiet', '--report', '-', '--no-cache-dir', '--index-url', fake.indexUrl, 'uvicorn[standard]==0.34.0');
  assert.equal(dry.code, 0, dry.stderr);
  const directExtras = await extraRequirements(project.site, 'uvicorn', 'standard');
  assert.ok(directExtras.length > 0);
  const pipAdds = JSON.parse(dry.stdout).install.map((i) => i.metadata.name.toLowerCase().replace(/[-_.]+/g, '-'));
  assert.deepEqual(extraNames, directExtras);
  for (const name of directExtras) assert.ok(pipAdds.includes(name), `pip would install ${name} for uvicorn[standard]`);
  assert.ok(findings.some((f) => f.includes('websockets is not installed in .venv, but uvicorn 0.34.0 requires websockets>=10.4 for its extra "standard"')), findings.join('\n'));
  assert.equal(findings.length, 1 + directExtras.length);
});

test('an environment broken with --no-deps and a legacy egg-info: installed-conflict equals pip check, the rest is counted', async () => {
  const project = await makeProject('broken');
  await project.install('--no-deps', 'fastapi==0.115.12', 'starlette==0.27.0', 'httpx==0.28.1', 'typing-extensions==4.12.2');
  await mkdir(join(project.site, 'Legacy_Pkg.egg-info'));
  await writeFile(join(project.site, 'Legacy_Pkg.egg-info', 'PKG-INFO'), 'Metadata-Version: 1.1\nName: Legacy_Pkg\nVersion: 0.1\n');
  await writeFile(join(project.site, 'Legacy_Pkg.egg-info', 'requires.txt'), 'six>=1.0\nidna\n\n[socks]\nPySocks\n\n[:python_version < "3"]\nfutures\n');
  const requirements = 'fastapi==0.115.12\nlegacy-pkg\n';
  const { findings, state, pip } = await agree(project, requirements);
  assert.ok(!pip.clean);
  assert.ok(pip.problems.includes('missing legacy-pkg 0.1 -> six'), pip.problems.join('\n'));
  assert.ok(pip.problems.some((p) => p.startsWith('conflict fastapi 0.115.12 -> starlette 0.27.0')), pip.problems.join('\n'));
  const placed = findings.filter((f) => f.startsWith('installed-conflict'));
  const unplaced = state.check.unplaced.map((p) => p.dist.normalizedName);
  assert.equal(placed.length + unplaced.length, pip.problems.length, 'every pip check problem is placed or counted');
  assert.ok(unplaced.length > 0 && unplaced.every((name) => name === 'httpx'), 'httpx is in no manifest line');
  assert.ok(placed.every((f) => / (fastapi line 1|legacy-pkg line 2): /.test(f)), placed.join('\n'));
  assert.ok(placed.includes('installed-conflict fastapi line 1: fastapi 0.115.12 requires starlette<0.47.0,>=0.40.0, but .venv has starlette 0.27.0. Run `pip install -r requirements.txt` to install a consistent set.'), placed.join('\n'));
  assert.match(state.skipped.join('\n'), new RegExp(`pip check would report ${unplaced.length} problems in \\.venv that no manifest line brings in`));
});

test('an in-sync environment made the usual way (pip and setuptools inside) stays silent', async () => {
  const project = await makeProject('insync', true);
  const own = await project.pip('--version');
  assert.ok(own.stdout.startsWith(`pip ${PIP_VERSION} `), `the venv's own pip must be ${PIP_VERSION} (python3's bundled ensurepip); found ${own.stdout.trim()}`);
  const requirements = 'uvicorn[standard]==0.34.0\nwebsockets==14.2\nfastapi==0.115.12\n';
  await installRequirements(project, requirements);
  const { findings, pip, state } = await agree(project, requirements);
  assert.ok(pip.clean);
  assert.deepEqual(findings, []);
  assert.deepEqual(state.skipped, []);
  assert.ok(pip.inventory.some((d) => d.startsWith('pip==')) && pip.inventory.some((d) => d.startsWith('setuptools==')));
  assert.match(state.sources[0], new RegExp(`^\\.venv: Python 3\\.11\\.\\d+, ${pip.inventory.length} distributions$`));
});

/** pip install -r of the given text (written to a file outside the project). */
async function installRequirements(project, text) {
  const file = join(workdir, `${project.dir.split('/').pop()}-install.txt`);
  await writeFile(file, text);
  await project.install('-r', file);
}

/** The requirements only an extra adds, by pip's own packaging on this interpreter (the oracle for ours). */
async function extraRequirements(site, dist, extra) {
  const script = [
    'import sys, importlib.metadata as md',
    'from pip._vendor.packaging.requirements import Requirement',
    'from pip._vendor.packaging.utils import canonicalize_name',
    'd = next(md.distributions(name=sys.argv[2], path=[sys.argv[1]]))',
    'reqs = [Requirement(r) for r in d.requires or []]',
    "names = {canonicalize_name(r.name) for r in reqs if r.marker and r.marker.evaluate({'extra': sys.argv[3]}) and not r.marker.evaluate({'extra': ''})}",
    "print('\\n'.join(sorted(names)))",
  ].join('\n');
  const run = await runProcess('python3', ['-c', script, site, dist, extra], { env: ENV });
  assert.equal(run.code, 0, run.stderr);
  return run.stdout.split('\n').filter(Boolean);
}
