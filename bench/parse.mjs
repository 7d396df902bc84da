// Parse benchmark: a 2,000-line requirements tree (a root with two -r includes), warm, against pip's
// own requirements-file parser on the same files in the same run.
import { mkdtempSync, writeFileSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { prng } from './fuzzLib.mjs';
import { HOSTILE_VERSIONS, HOSTILE_REQUIREMENTS, EXPONENTIAL_VARIABLES } from '../test/support/hostileInput.mjs';

const require = createRequire(import.meta.url);
const { loadRequirementsTree, parseRequirements } = require('../dist/core/python/requirements/requirements.js');
const { parseVersion } = require('../dist/core/python/versions/pep440.js');
const { parsePyproject } = require('../dist/core/python/pyproject/pyproject.js');
const { parsePackageJson } = require('../dist/core/npm/manifest/packageJson.js');

const fixtures = fileURLToPath(new URL('../test/fixtures/pypi/', import.meta.url));

/** Real requirement strings from the snapshot, made into a realistic requirements tree. */
function makeTree(lines) {
  const random = prng(7);
  const reqs = [];
  for (const f of readdirSync(fixtures).filter((x) => x.endsWith('.json'))) {
    const data = JSON.parse(readFileSync(join(fixtures, f), 'utf8'));
    for (const [version, v] of Object.entries(data.versions)) {
      reqs.push(`${data.name}==${version}`);
      for (const r of v.requires_dist ?? []) reqs.push(r);
    }
  }
  const body = (n) => {
    const out = [];
    while (out.length < n) {
      const r = random();
      if (r < 0.1) out.push(`# comment ${out.length}: why this pin exists`);
      else if (r < 0.13) out.push('');
      else if (r < 0.16) out.push(`${reqs[Math.floor(random() * reqs.length)].split(';')[0]} \\`, '    --hash=sha256:' + 'ab'.repeat(32));
      else out.push(reqs[Math.floor(random() * reqs.length)] + (random() < 0.1 ? '  # trailing note' : ''));
    }
    return out.slice(0, n).join('\n') + '\n';
  };
  const third = Math.floor(lines / 4);
  return {
    'requirements.txt': '--index-url https://pypi.org/simple\n-r base.txt\n-c constraints.txt\n' + body(lines - 2 * third - 3),
    'base.txt': body(third),
    'constraints.txt': body(third),
  };
}

function time(fn, runs) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  return { median: samples[Math.floor(runs / 2)], p90: samples[Math.floor(runs * 0.9)] };
}

async function timeAsync(fn, runs) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  return { median: samples[Math.floor(runs / 2)], p90: samples[Math.floor(runs * 0.9)] };
}

const PIP_PARSE = `
import sys, time
from pip._internal.req.req_file import parse_requirements
from pip._internal.network.session import PipSession
path = sys.argv[1]
session = PipSession()
def run():
    return list(parse_requirements(path, session=session, constraint=False))
n = len(run())
samples = []
for _ in range(int(sys.argv[2])):
    t = time.perf_counter(); run(); samples.append((time.perf_counter() - t) * 1000)
samples.sort()
print(n, samples[len(samples)//2], samples[int(len(samples)*0.9)])
`;

const PACKAGING_HOSTILE = `
import json, sys, time
from packaging.version import Version, InvalidVersion
texts = json.load(sys.stdin)
samples = []
for _ in range(20):
    t = time.perf_counter()
    for v in texts:
        try: Version(v)
        except InvalidVersion: pass
    samples.append((time.perf_counter() - t) * 1000)
samples.sort()
print(samples[len(samples)//2])
`;

export async function benchParse() {
  const dir = mkdtempSync(join(tmpdir(), 'pinsight-bench-'));
  try {
    const tree = makeTree(2000);
    for (const [name, text] of Object.entries(tree)) writeFileSync(join(dir, name), text);
    const lines = Object.values(tree).reduce((n, t) => n + t.split('\n').length - 1, 0);
    const files = new Map(Object.entries(tree).map(([n, t]) => [join(dir, n), t]));
    const read = async (p) => files.get(p);
    const rootPath = join(dir, 'requirements.txt');
    for (let i = 0; i < 20; i++) await loadRequirementsTree(rootPath, read); // warm-up
    const parsed = await loadRequirementsTree(rootPath, read);
    const deps = parsed.reduce((n, m) => n + m.dependencies.length, 0);
    const ours = await timeAsync(() => loadRequirementsTree(rootPath, read), 200);

    const pyproject = readFileSync(new URL('../examples/uv-project/pyproject.toml', import.meta.url), 'utf8');
    const packageJson = readFileSync(new URL('../examples/npm-peer/package.json', import.meta.url), 'utf8');
    for (let i = 0; i < 50; i++) parsePyproject(pyproject, '/x/pyproject.toml'), parsePackageJson(packageJson, '/x/package.json');
    const py = time(() => parsePyproject(pyproject, '/x/pyproject.toml'), 500);
    const pj = time(() => parsePackageJson(packageJson, '/x/package.json'), 500);

    let pip = null;
    const r = spawnSync('python3', ['-c', PIP_PARSE, rootPath, '20'], { encoding: 'utf8' });
    if (r.status === 0) {
      const [n, median, p90] = r.stdout.trim().split(' ').map(Number);
      pip = { requirements: n, median, p90 };
    }
    // Hostile input: long versions (peer: packaging's Version on the same strings) and a
    // requirements file built to make a backtracking or quadratic parser hang.
    const hostileVersions = time(() => HOSTILE_VERSIONS.forEach((v) => parseVersion(v)), 20);
    const hostileRequirements = time(() => {
      parseRequirements(HOSTILE_REQUIREMENTS.text, '/x/requirements.txt', { env: HOSTILE_REQUIREMENTS.env });
      parseRequirements(EXPONENTIAL_VARIABLES.text, '/x/requirements.txt', { env: EXPONENTIAL_VARIABLES.env });
    }, 10);
    const pv = spawnSync('python3', ['-c', PACKAGING_HOSTILE], { input: JSON.stringify(HOSTILE_VERSIONS), encoding: 'utf8' });
    const packagingHostile = pv.status === 0 ? Number(pv.stdout.trim()) : null;
    return { lines, deps, ours, pip, py, pj, hostileVersions, hostileRequirements, packagingHostile };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
