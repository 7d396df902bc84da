// pip 23.2.1 against the fake PyPI: if pip resolves through it exactly as the README of the
// snapshot says PyPI would, the fake speaks the real protocol. Then our client must read the same
// dependency metadata from it that pip reports. Slow (pip runs three times): its own suite.
import { pipEnv } from '../support/pipEnv.mjs';
import { test, before, after } from 'node:test';
import { requireOracles } from '../support/oracles.mjs';
import assert from 'node:assert/strict';
import { startFakePypi } from '../support/fakePypi.mjs';
import { PypiClient } from '../../dist/core/python/index/pypi.js';
import { RegistryHttp } from '../../dist/core/http/registryHttp.js';
import { runProcess } from '../support/runProcess.mjs';

// The oracles this file compares with, in the versions it was written against.
before(() => requireOracles('python', 'pip'));

// Async spawn: the fake runs in this process, so a synchronous child would deadlock it.
function pip(indexUrl, requirements, { quiet = true } = {}) {
  const args = ['-m', 'pip', 'install', '--dry-run', '--ignore-installed', '--report', '-', '--no-cache-dir', '--index-url', indexUrl, ...requirements];
  if (quiet) args.push('--quiet');
  const env = pipEnv();
  return runProcess('python3', args, { env });
}

const installed = (report) => report.install.map((i) => `${i.metadata.name.toLowerCase().replace(/[-_.]+/g, '-')}==${i.metadata.version}`).sort();

async function transport(request) {
  const res = await fetch(request.url, { method: request.method, headers: request.headers, redirect: 'manual', signal: request.signal });
  return { status: res.status, headers: Object.fromEntries(res.headers), body: new Uint8Array(await res.arrayBuffer()) };
}
const clock = { now: () => Date.now(), sleep: async () => {}, random: () => 0 };

let fake;
before(async () => (fake = await startFakePypi({ projects: 'all' })));
after(() => fake.close());

let compatibleReport;

test('pip resolves supabase 2.15.3 with websockets 14.2 through JSON and PEP 658 metadata', async () => {
  fake.requests.length = 0;
  const { code, stdout, stderr } = await pip(fake.indexUrl, ['supabase==2.15.3', 'websockets==14.2']);
  assert.equal(code, 0, stderr);
  compatibleReport = JSON.parse(stdout);
  const set = installed(compatibleReport);
  assert.ok(set.includes('supabase==2.15.3') && set.includes('websockets==14.2'), set.join(' '));
  assert.ok(set.some((s) => /^realtime==2\.4\./.test(s)), set.join(' '));
  const pages = fake.requests.filter((r) => r.path.startsWith('/simple/'));
  assert.ok(pages.length > 10 && pages.every((r) => /^application\/vnd\.pypi\.simple\.v1\+json/.test(r.headers.accept)), 'pip asks for JSON first');
  assert.ok(fake.requests.some((r) => r.path.endsWith('.whl.metadata')), 'pip used the PEP 658 metadata files');
});

test('pip refuses websockets 15.0.1 with supabase 2.15.3 and names the conflict', async () => {
  const { code, stdout, stderr } = await pip(fake.indexUrl, ['supabase==2.15.3', 'websockets==15.0.1'], { quiet: false });
  assert.notEqual(code, 0);
  assert.match(stderr, /ResolutionImpossible/);
  // pip prints the explanation as information (stdout), the verdict as an error (stderr).
  assert.match(stdout, /The conflict is caused by:/);
  assert.match(stdout, /realtime 2\.4\.\d+ depends on websockets<15 and >=11/);
});

test('pip resolves the same set from HTML pages and whole wheels (no JSON, no metadata files)', async () => {
  const legacy = await startFakePypi({ projects: 'all', features: { json: false, metadataFiles: false } });
  try {
    const { code, stdout, stderr } = await pip(legacy.indexUrl, ['supabase==2.15.3', 'websockets==14.2']);
    assert.equal(code, 0, stderr);
    assert.deepEqual(installed(JSON.parse(stdout)), installed(compatibleReport));
    assert.ok(legacy.requests.some((r) => r.path.endsWith('.whl')) && !legacy.requests.some((r) => r.path.endsWith('.metadata')));
  } finally {
    await legacy.close();
  }
});

test('our client reads the dependency metadata pip reported, by metadata file and by range reads', async () => {
  assert.ok(compatibleReport, 'needs the first test');
  const ranged = await startFakePypi({ projects: 'all', features: { metadataFiles: false } });
  try {
    for (const index of [fake, ranged]) {
      const pypi = new PypiClient(new RegistryHttp({ transport, clock, retries: 0 }), [{ url: index.indexUrl }]);
      for (const item of compatibleReport.install) {
        const { name, version, requires_dist: requiresDist = [], requires_python: requiresPython } = item.metadata;
        const meta = await pypi.getMetadata(await pypi.getProject(name), version);
        assert.equal(meta.source, index === fake ? 'metadata-file' : 'wheel-range');
        assert.deepEqual(meta.requiresDist, requiresDist, `${name} ${version}`);
        assert.equal(meta.requiresPython, requiresPython, `${name} ${version}`);
      }
    }
  } finally {
    await ranged.close();
  }
});
