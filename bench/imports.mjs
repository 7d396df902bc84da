// Import-check benchmark: a real virtualenv (`python3 -m venv --without-pip`) whose site-packages
// holds 200 generated distributions, each a package of 15 modules (~3 KB each) that import names
// from 2-3 of its dependencies (module level, inside functions, some under try/except ImportError);
// a few import a name their dependency does not define. Pinsight inspects the environment through
// the node Runtime cold (empty caches) and warm (nothing changed), with and without the import
// checks; the peers in the same run import every top-level package with Python (cold: no
// __pycache__ yet, and warm) and run `pip check` (pip 23.2.1).
// `node bench/imports.mjs` after `node esbuild.mjs`; prints a markdown table.
import { mkdtempSync, mkdirSync, writeFileSync, readdirSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const { createNodeRuntime } = require('../dist/node/runtime.js');
const { loadRequirementsTree } = require('../dist/core/python/requirements/requirements.js');
const { inspectPythonEnvironment } = require('../dist/core/python/environment/inspect.js');
const { createEnvironmentCache } = require('../dist/core/python/environment/installed.js');
const { createImportCache } = require('../dist/core/python/imports/check.js');

const COUNT = Number(process.env.PINSIGHT_BENCH_DISTS ?? 200);
const MODULES = 15;
const RUNS = 20;
const BROKEN_EVERY = 25;

/** The dependencies of package i: up to three packages with a higher index (a DAG). */
function depsOf(i) {
  return [i * 7 + 1, i * 3 + 5, i + 11].map((j) => j % COUNT).filter((j, k, all) => j > i && all.indexOf(j) === k);
}

function moduleText(i, k) {
  const lines = [`"""Module m${k} of bench package ${i}, generated for the import benchmark."""`, 'from __future__ import annotations', '', 'import os', 'import sys', 'from typing import TYPE_CHECKING', ''];
  const deps = depsOf(i);
  for (const [n, j] of deps.entries()) lines.push(`from imp_pkg_${j}.m${(k + n) % MODULES} import func_${(i + k) % 10}, Class_${n % 3}`);
  if (deps.length && i % BROKEN_EVERY === 0 && k === 0) lines.push(`from imp_pkg_${deps[0]}.m1 import name_that_is_gone`);
  if (deps.length) lines.push('try:', `    from imp_pkg_${deps[0]} import optional_speedup`, 'except ImportError:', '    optional_speedup = None');
  lines.push('if TYPE_CHECKING:', `    from imp_pkg_${deps[0] ?? 0}.m2 import TypeOnly`, '');
  lines.push('CONSTANT = {"key": "value", "text": """a triple-quoted string with import lines inside\nimport not_a_module\n"""}', '');
  for (let f = 0; f < 10; f++) {
    lines.push(`def func_${f}(value: int = ${f}) -> str:`, `    """Function ${f}."""`);
    if (deps.length && f === 9) lines.push(`    from imp_pkg_${deps[deps.length - 1]}.m3 import func_1  # inside a function`);
    lines.push(`    text = f"{value!r} and {CONSTANT['key']} # not a comment"`, '    return text * 2', '');
  }
  for (let c = 0; c < 3; c++) lines.push(`class Class_${c}:`, `    attribute = ${c}`, '', '    def method(self):', `        return func_${c}()`, '');
  return lines.join('\n') + '\n';
}

/** Writes package i as pip leaves it: the package folder and its dist-info (METADATA, RECORD, top_level.txt). */
function writeDistribution(site, i) {
  const pkg = join(site, `imp_pkg_${i}`);
  mkdirSync(pkg);
  const files = [];
  const init = Array.from({ length: MODULES }, (_, k) => `from . import m${k}`).join('\n') + '\n';
  writeFileSync(join(pkg, '__init__.py'), init);
  files.push([`imp_pkg_${i}/__init__.py`, init.length]);
  for (let k = 0; k < MODULES; k++) {
    const text = moduleText(i, k);
    writeFileSync(join(pkg, `m${k}.py`), text);
    files.push([`imp_pkg_${i}/m${k}.py`, text.length]);
  }
  const info = `imp_pkg_${i}-1.0.dist-info`;
  mkdirSync(join(site, info));
  writeFileSync(join(site, info, 'METADATA'), ['Metadata-Version: 2.1', `Name: imp-pkg-${i}`, 'Version: 1.0', ...depsOf(i).map((j) => `Requires-Dist: imp-pkg-${j}>=1.0`), '', ''].join('\n'));
  writeFileSync(join(site, info, 'top_level.txt'), `imp_pkg_${i}\n`);
  writeFileSync(join(site, info, 'INSTALLER'), 'pip\n');
  const record = [...files.map(([p, n]) => `${p},sha256=${'A'.repeat(43)},${n}`), `${info}/METADATA,,`, `${info}/top_level.txt,,`, `${info}/INSTALLER,,`, `${info}/RECORD,,`, ''];
  writeFileSync(join(site, info, 'RECORD'), record.join('\n'));
}

function median(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)], p90: sorted[Math.floor(sorted.length * 0.9)] };
}

function timeProcess(command, args) {
  const t = performance.now();
  const run = spawnSync(command, args, { encoding: 'utf8', env: { ...process.env, PIP_DISABLE_PIP_VERSION_CHECK: '1', PIP_CONFIG_FILE: '/dev/null' } });
  return { ms: performance.now() - t, out: run.stdout, err: run.stderr };
}

/** Runs the benchmark; returns the figures. */
export async function benchImports() {
  const root = mkdtempSync(join(tmpdir(), 'pinsight-bench-imports-'));
  try {
    const made = spawnSync('python3', ['-m', 'venv', '--without-pip', join(root, '.venv')]);
    if (made.status !== 0) return { error: 'python3 -m venv is not available' };
    const lib = join(root, '.venv', 'lib');
    const site = join(lib, readdirSync(lib)[0], 'site-packages');
    for (let i = 0; i < COUNT; i++) writeDistribution(site, i);
    const manifest = join(root, 'requirements.txt');
    writeFileSync(manifest, Array.from({ length: COUNT }, (_, i) => `imp-pkg-${i}>=1.0`).join('\n') + '\n');
    const runtime = createNodeRuntime();
    const manifests = await loadRequirementsTree(manifest, runtime.readFile, { env: {} });
    const run = async (importChecks, caches) => {
      const host = { platform: process.platform, arch: process.arch, searchRoot: root, importChecks: { enabled: importChecks, maxFilesPerPackage: 1000, maxFilesPerCheck: 1_000_000 } };
      const t = performance.now();
      const state = await inspectPythonEnvironment(manifests, 'requirements', runtime, host, caches.env, caches.imports);
      return { ms: performance.now() - t, state };
    };
    const figures = {};
    for (const importChecks of [false, true]) {
      const caches = { env: createEnvironmentCache(), imports: createImportCache() };
      const cold = await run(importChecks, caches);
      const readsAfterCold = caches.imports.reads;
      const warm = [];
      for (let i = 0; i < RUNS; i++) warm.push((await run(importChecks, caches)).ms);
      figures[importChecks ? 'on' : 'off'] = { coldMs: cold.ms, warm: median(warm), breaks: cold.state.findings.filter((f) => f.code === 'import-break').length, coldReads: readsAfterCold, warmReads: caches.imports.reads - readsAfterCold };
    }
    const python = join(root, '.venv', 'bin', 'python');
    const names = Array.from({ length: COUNT }, (_, i) => `imp_pkg_${i}`);
    const script = `import importlib\nfails = []\nfor n in ${JSON.stringify(names)}:\n    try:\n        importlib.import_module(n)\n    except ImportError as e:\n        fails.append(n)\nprint(len(fails))\n`;
    const pyCold = timeProcess(python, ['-c', script]);
    const pyWarm = timeProcess(python, ['-c', script]);
    const pipCheck = timeProcess('python3', ['-m', 'pip', '--python', python, 'check']);
    const brokenLines = Array.from({ length: COUNT }, (_, i) => i).filter((i) => depsOf(i).length && i % BROKEN_EVERY === 0).length;
    return { count: COUNT, figures, brokenLines, pyCold, pyWarm, pythonFails: Number(pyCold.out.trim()), pipCheck };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await benchImports();
  if (r.error) console.log(`Skipped: ${r.error}`);
  else {
    const ms = (x) => `${x.toFixed(1)} ms`;
    const { on, off } = r.figures;
    console.log(`## Import checks (${r.count} distributions x ${MODULES + 1} modules in a real venv; median of ${RUNS} warm runs)\n`);
    console.log('| run | wall |');
    console.log('|---|---|');
    console.log(`| Pinsight cold, import checks on (${on.coldReads} files read) | ${ms(on.coldMs)} |`);
    console.log(`| Pinsight warm, import checks on (${on.warmReads} files read): median / p90 | ${ms(on.warm.median)} / ${ms(on.warm.p90)} |`);
    console.log(`| Pinsight cold, import checks off | ${ms(off.coldMs)} |`);
    console.log(`| Pinsight warm, import checks off: median / p90 | ${ms(off.warm.median)} / ${ms(off.warm.p90)} |`);
    console.log(`| peer: \`python -c\` importing the ${r.count} packages, cold (no __pycache__) | ${ms(r.pyCold.ms)} |`);
    console.log(`| peer: the same, warm (__pycache__ written) | ${ms(r.pyWarm.ms)} |`);
    console.log(`| peer: \`pip check\` (pip 23.2.1, process included) | ${ms(r.pipCheck.ms)} |`);
    console.log(`\nimport-break findings: ${on.breaks} (generated broken lines: ${r.brokenLines}); packages Python cannot import: ${r.pythonFails} (a break also fails every package that imports the broken one).`);
  }
}
