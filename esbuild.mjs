// Builds the three bundles (client, server, cli) and an unbundled copy of the pure core that tests
// and benchmarks import file by file (dist/core/**, dist/node/**). Type-checking is `npm run typecheck` (tsc --noEmit).
import * as esbuild from 'esbuild';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const common = {
  platform: 'node',
  // jsonc-parser's 'main' is a UMD build whose dynamic requires esbuild cannot follow; its ESM build bundles cleanly.
  mainFields: ['module', 'main'],
  format: 'cjs',
  target: 'node20',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
};

const coreFiles = readdirSync('server/src/core', { recursive: true })
  .map(String)
  .filter((f) => f.endsWith('.ts'))
  .map((f) => join('server/src/core', f));

// Node adapters (transport, file cache store, clock) are also built file by file, to dist/node/**, so
// tests can import them next to dist/core/** (their relative imports of ../core/... still resolve).
const nodeFiles = readdirSync('server/src/node', { recursive: true })
  .map(String)
  .filter((f) => f.endsWith('.ts'))
  .map((f) => join('server/src/node', f));

// undici is half of the server and CLI bundles and is needed only once a request goes out: it is
// bundled on its own (dist/undici.js), and node/transport.ts requires it on the first request, so a
// run answered from the disk cache neither parses nor runs it.
const undiciApart = {
  name: 'undici-apart',
  setup(build) {
    build.onResolve({ filter: /^undici$/ }, () => ({ path: './undici.js', external: true }));
  },
};

const builds = [
  { ...common, bundle: true, entryPoints: { client: 'client/src/extension.ts' }, outdir: 'dist', external: ['vscode'] },
  { ...common, bundle: true, entryPoints: { server: 'server/src/main.ts', cli: 'server/src/cli.ts' }, outdir: 'dist', plugins: [undiciApart] },
  { ...common, bundle: true, entryPoints: { undici: 'undici' }, outdir: 'dist' },
  { ...common, bundle: false, entryPoints: coreFiles, outdir: 'dist/core', outbase: 'server/src/core', sourcemap: false, minify: false },
  { ...common, bundle: false, entryPoints: nodeFiles, outdir: 'dist/node', outbase: 'server/src/node', sourcemap: false, minify: false },
];

if (watch) {
  for (const options of builds) await (await esbuild.context(options)).watch();
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
}
