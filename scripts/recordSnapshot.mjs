// Records examples/registry-snapshot.json.gz: every registry answer `npm run demo` needs, taken from
// the fake PyPI index and npm registry (test/support, serving test/fixtures) with their URLs
// rewritten to pypi.org and registry.npmjs.org, so the demo runs on a fresh clone with no network.
// Run after `node esbuild.mjs` whenever the examples or the demo's flags change:
//   node scripts/recordSnapshot.mjs
import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { startFakePypi } from '../test/support/fakePypi.mjs';
import { startFakeNpm } from '../test/support/fakeNpm.mjs';

const require = createRequire(import.meta.url);
const root = fileURLToPath(new URL('..', import.meta.url));
const { analyzeManifest } = require('../dist/core/project/analyze.js');
const { Project } = require('../dist/core/project/project.js');
const { RegistryHttp } = require('../dist/core/http/registryHttp.js');
const { CredentialSources } = require('../dist/core/http/credentials.js');
const { createNodeTransport } = require('../dist/node/transport.js');
const { systemClock } = require('../dist/node/clock.js');
const { createRecordingTransport } = require('../dist/node/snapshotTransport.js');
const { createNodeRuntime } = require('../dist/node/runtime.js');

// The demo's target (package.json "demo" passes the same flags).
export const DEMO_TARGET = { pythonVersion: '3.11', platform: 'linux' };
const MANIFESTS = ['examples/seed/requirements.txt', 'examples/seed/requirements-dev.txt', 'examples/uv-project/pyproject.toml', 'examples/npm-peer/package.json'];

const pypi = await startFakePypi({ projects: 'all' });
const npm = await startFakeNpm({});
const node = createNodeTransport({ env: {} });
try {
  const base = (url) => url.replace(/\/+$/, '');
  const rewrite = (text) => text.split(base(pypi.url)).join('https://pypi.org').split(base(npm.url)).join('https://registry.npmjs.org');
  const { transport, snapshot } = createRecordingTransport(node, rewrite);
  const credentials = new CredentialSources();
  const http = new RegistryHttp({ transport, clock: systemClock, userAgent: 'pinsight/0.1.0' });
  const runtime = createNodeRuntime();
  const project = new Project({
    http, credentials, env: {}, platform: 'linux', readFile: (p) => runtime.readFile(p),
    settings: { indexUrl: `${pypi.url}/simple`, npmRegistry: `${npm.url}/`, origin: 'cli', isolated: true },
  });
  for (const manifest of MANIFESTS) {
    const analysis = await analyzeManifest(`${root}${manifest}`, runtime);
    const host = { pythonVersion: { version: DEMO_TARGET.pythonVersion, source: '--python-version' }, platform: DEMO_TARGET.platform };
    const result = await project.check(analysis, { host });
    console.log(`${manifest}: ${result.findings.length} findings (${result.findings.map((f) => f.code).join(', ') || 'none'})`);
  }
  const out = `${root}examples/registry-snapshot.json.gz`;
  // Sorted keys and a fixed gzip header keep the file byte-identical when nothing changed.
  const sorted = { version: 1, responses: Object.fromEntries(Object.entries(snapshot.responses).sort(([a], [b]) => (a < b ? -1 : 1))) };
  writeFileSync(out, gzipSync(JSON.stringify(sorted) + '\n', { level: 9 }));
  console.log(`wrote ${Object.keys(sorted.responses).length} responses to examples/registry-snapshot.json.gz`);
} finally {
  await node.close();
  await pypi.close();
  await npm.close();
}
