// `node bench/npmDrift.mjs` (after `node esbuild.mjs`): npm drift over a generated project with
// 1,041 installed packages, through the node Runtime: cold, then warm (median of 15 after 10 warm-up
// runs), from node_modules/.package-lock.json and from every package.json; the peer in the same run
// is `npm ls --all --json` on the same folder (median of 5), which answers the node_modules half.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeNpmTree } from '../test/support/npmTreeGenerator.mjs';
import { createNodeRuntime } from '../dist/node/runtime.js';
import { parsePackageJson } from '../dist/core/npm/manifest/packageJson.js';
import { inspectNpm } from '../dist/core/npm/environment/inspectNpm.js';
import { NpmDriftCache } from '../dist/core/npm/environment/driftCache.js';

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const time = async (fn) => {
  const start = performance.now();
  await fn();
  return performance.now() - start;
};

export async function benchNpmDrift() {
  const dir = mkdtempSync(path.join(tmpdir(), 'pinsight-bench-npm-'));
  try {
    writeNpmTree(dir, { packages: 1000 });
    const file = path.join(dir, 'package.json');
    const manifest = parsePackageJson(readFileSync(file, 'utf8'), file);
    const runtime = createNodeRuntime();
    const rows = [];
    const cache = new NpmDriftCache();
    for (const source of ['hidden lockfile', 'package folders']) {
      if (source === 'package folders') {
        const future = new Date(Date.now() + 60_000);
        utimesSync(path.join(dir, 'node_modules'), future, future);
      }
      const cold = await time(() => inspectNpm([manifest], runtime, new NpmDriftCache()));
      for (let i = 0; i < 10; i++) await inspectNpm([manifest], runtime, cache);
      const warm = [];
      for (let i = 0; i < 15; i++) warm.push(await time(() => inspectNpm([manifest], runtime, cache)));
      const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
      const npm = [];
      for (let i = 0; i < 5; i++) npm.push(await time(async () => execFileSync('npm', ['ls', '--all', '--json'], { cwd: dir, env, stdio: 'pipe' })));
      rows.push({ source, cold, warm: median(warm), npm: median(npm) });
    }
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = await benchNpmDrift();
  console.log('| node_modules read from | Pinsight cold | Pinsight warm (median) | `npm ls --all --json` (median) |');
  console.log('|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.source} | ${r.cold.toFixed(0)} ms | ${r.warm.toFixed(1)} ms | ${r.npm.toFixed(0)} ms |`);
}
