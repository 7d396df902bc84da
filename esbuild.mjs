// Builds the bundles (client, its language client library, server, cli) and an unbundled copy of the pure core that tests
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

// undici is half of the server and CLI bundles and is needed only for proxies (direct requests use
// node:http, node/directPool.ts): it is bundled on its own (dist/undici.js), and node/transport.ts
// requires it on the first proxied request, so a run without a proxy neither parses nor runs it.
const undiciApart = {
  name: 'undici-apart',
  setup(build) {
    build.onResolve({ filter: /^undici$/ }, () => ({ path: './undici.js', external: true }));
  },
};

// The language client library is 98% of the extension's code, and is needed only once the server
// starts, after activate() has returned: it is its own file, dist/languageClient.js, which
// client.ts requires then. VS Code loads (reads, parses) only the small dist/client.js to activate.
const languageClientApart = {
  name: 'language-client-apart',
  setup(build) {
    build.onResolve({ filter: /^vscode-languageclient\/node$/ }, () => ({ path: './languageClient.js', external: true }));
  },
};

// Modules whose own start-up code a run may never need: semver is the npm wing's (about 10 ms even
// when no package.json is read), fflate builds its inflate tables (about 3 ms) for the rare wheel
// read by ranges, jsonc-parser its whitespace tables (about 4 ms) for package.json files only. The
// server and CLI bundles get stand-ins that load the real module on the first call. Only the names
// listed exist in the stand-in; a new one fails the build ("No matching export").
const LAZY_MODULES = {
  semver: ['eq', 'gt', 'gte', 'intersects', 'major', 'prerelease', 'rcompare', 'satisfies', 'valid', 'validRange'],
  'fflate/browser': ['inflateSync'],
  'jsonc-parser': ['parseTree', 'printParseErrorCode'],
};
const lazyModules = {
  name: 'lazy-modules',
  setup(build) {
    const names = Object.keys(LAZY_MODULES).map((name) => name.replace(/[/.-]/g, '\\$&'));
    // Only Pinsight's own imports: a dependency that requires one of these gets the real module.
    build.onResolve({ filter: new RegExp(`^(${names.join('|')})$`) }, (args) => (args.importer.includes('/server/src/') ? { path: args.path, namespace: 'lazy-module' } : undefined));
    build.onLoad({ filter: /.*/, namespace: 'lazy-module' }, (args) => ({
      resolveDir: '.',
      contents: [
        'let real;',
        `const load = () => (real ??= require(${JSON.stringify(args.path)}));`,
        ...LAZY_MODULES[args.path].map((name) => `export const ${name} = (...args) => load().${name}(...args);`),
        `export default { ${LAZY_MODULES[args.path].join(', ')} };`,
      ].join('\n'),
    }));
  },
};

const builds = [
  { ...common, bundle: true, entryPoints: { client: 'client/src/extension.ts' }, outdir: 'dist', external: ['vscode'], plugins: [languageClientApart] },
  {
    ...common,
    bundle: true,
    stdin: { contents: "module.exports = require('vscode-languageclient/node');", resolveDir: '.', sourcefile: 'languageClient.js' },
    outfile: 'dist/languageClient.js',
    external: ['vscode'],
  },
  { ...common, bundle: true, entryPoints: { server: 'server/src/main.ts', cliMain: 'server/src/cli.ts' }, outdir: 'dist', plugins: [undiciApart, lazyModules] },
  // dist/cli.js, the `pinsight` command: a small loader that runs dist/cliMain.js with V8's code cache (node/codeCache.ts).
  { ...common, bundle: true, entryPoints: { cli: 'server/src/cliStart.ts' }, outdir: 'dist' },
  // Only what node/transport.ts uses (ProxyAgent and Dispatcher#request; Agent and buildConnector are what
  // ProxyAgent is built on, and the bundle's test drives them): undici's
  // index also loads fetch, WebSocket, the cache and mock layers, which doubled the time to require it
  // on a cold run's first request.
  {
    ...common,
    bundle: true,
    stdin: {
      contents: [
        "const Dispatcher = require('undici/lib/dispatcher/dispatcher');",
        "Object.assign(Dispatcher.prototype, require('undici/lib/api'));",
        "module.exports = { Dispatcher, Agent: require('undici/lib/dispatcher/agent'), ProxyAgent: require('undici/lib/dispatcher/proxy-agent'), buildConnector: require('undici/lib/core/connect') };",
      ].join('\n'),
      resolveDir: '.',
      sourcefile: 'undici.js',
    },
    outfile: 'dist/undici.js',
  },
  { ...common, bundle: false, entryPoints: coreFiles, outdir: 'dist/core', outbase: 'server/src/core', sourcemap: false, minify: false },
  { ...common, bundle: false, entryPoints: nodeFiles, outdir: 'dist/node', outbase: 'server/src/node', sourcemap: false, minify: false },
  // How the server process is started, for the protocol tests and benchmarks (test/support/lspClient.mjs).
  { ...common, bundle: false, entryPoints: ['common/serverProcess.ts'], outdir: 'dist/common', sourcemap: false, minify: false },
];

// dist/cliMain.js runs through vm.Script (node/codeCache.ts), where Node 20 has no import(): a
// dynamic import in it would fail at run time, so it fails the build instead.
function checkNoDynamicImport(result) {
  for (const [file, output] of Object.entries(result.metafile?.outputs ?? {})) {
    if (!file.endsWith('cliMain.js')) continue;
    const dynamic = output.imports.filter((i) => i.kind === 'dynamic-import').map((i) => i.path);
    if (dynamic.length > 0) throw new Error(`${file} has import() of ${dynamic.join(', ')}: use require (see node/codeCache.ts)`);
  }
}

if (watch) {
  for (const options of builds) await (await esbuild.context(options)).watch();
} else {
  const results = await Promise.all(builds.map((options) => esbuild.build({ ...options, metafile: true })));
  results.forEach(checkNoDynamicImport);
}
