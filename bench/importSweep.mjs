// Import checks over a real site-packages folder (default: this interpreter's), every edge A -> B
// between its distributions, with no bounds: the figures and every break found, for reading by
// hand (each reported break should be one Python agrees with: `python -c "import <A's module>"`).
// `node bench/importSweep.mjs [site-packages]` after `node esbuild.mjs`.
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const { createNodeRuntime } = require('../dist/node/runtime.js');
const { readDistribution } = require('../dist/core/python/environment/distInfo.js');
const { checkImportEdges, createImportCache } = require('../dist/core/python/imports/check.js');

const site = process.argv[2] ?? spawnSync('python3', ['-c', 'import site; print(site.getsitepackages()[0])'], { encoding: 'utf8' }).stdout.trim();
const runtime = createNodeRuntime();
const dists = [];
for (const entry of readdirSync(site)) {
  if (!entry.endsWith('.dist-info')) continue;
  const read = await readDistribution(join(site, entry), 'dir', runtime);
  if (read.ok) dists.push(read.dist);
}
const byName = new Map(dists.map((d) => [d.normalizedName, d]));
const pairs = [];
for (const a of dists) {
  for (const r of a.requires) {
    const b = byName.get(r.normalizedName);
    if (b && b !== a && !pairs.some(([x, y]) => x === a && y === b)) pairs.push([a, b]);
  }
}
const limits = { maxFilesPerPackage: 100_000, maxBytesPerPackage: 1e9, maxFilesPerCheck: 1e9 };
const cache = createImportCache();
let t = performance.now();
const edges = await checkImportEdges(pairs, dists, runtime, cache, limits);
const coldMs = performance.now() - t;
t = performance.now();
await checkImportEdges(pairs, dists, runtime, cache, limits);
const warmMs = performance.now() - t;
const sum = (key) => edges.reduce((n, e) => n + e[key], 0);
console.log(`${site}: ${dists.length} distributions, ${pairs.length} edges, ${sum('checked')} imports checked (${sum('unknown')} unknown), ${sum('guarded')} guarded; ${cache.reads} files read; cold ${coldMs.toFixed(0)} ms, warm ${warmMs.toFixed(0)} ms`);
for (const e of edges) for (const b of e.breaks) console.log(`- ${e.importer.name} ${e.importer.version} -> ${e.target.name} ${e.target.version}: \`${b.module}${b.name ? `.${b.name}` : ''}\` (${b.file}:${b.line}${b.inFunction ? ', inside a function' : ''})`);
