// Workspace trust over JSON-RPC: an untrusted workspace gets stage-1 diagnostics only — no registry
// request (the loopback registries record none), no ${VAR} expansion, nothing taken from its
// requirement options, .npmrc or workspace settings — and a status item that says why; granting
// trust (pinsight/trust) starts the registry checks.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, fileUri } from '../support/lspClient.mjs';
import { startFakePypi } from '../support/fakePypi.mjs';
import { startFakeNpm } from '../support/fakeNpm.mjs';

let pypi;
let npm;
let client;
let dir;

before(async () => {
  pypi = await startFakePypi({ projects: 'all' });
  npm = await startFakeNpm({ requireToken: 'NPM_TOKEN_TRUST' });
  dir = mkdtempSync(join(tmpdir(), 'pinsight-trust-'));
  // The workspace names the registries itself: a requirement option, an .npmrc with a token, settings.
  writeFileSync(join(dir, 'requirements.txt'), `--index-url ${pypi.indexUrl}\nwebsockets==15.0.1\nsupabase==2.15.3\nfastapi==\nhttpx @ https://\${TRUST_SECRET_VAR}@files.example/httpx.whl\n`);
  writeFileSync(join(dir, '.npmrc'), `registry=${npm.url}\n//127.0.0.1:${new URL(npm.url).port}/:_authToken=NPM_TOKEN_TRUST\n`);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'app', dependencies: { react: '^18.2.0', 'no-such-package-xyz': '^1.0.0' } }, null, 2));
  client = await startServer({
    rootUri: fileUri(dir),
    settings: { enable: true, checkRegistries: true, debounceMs: 0, python: { indexUrl: pypi.indexUrl, version: '3.11', platform: 'linux' }, npm: { registry: npm.url } },
    initializationOptions: { cacheDir: join(dir, 'cache'), trusted: false },
    env: { TRUST_SECRET_VAR: 'user:TRUST_SECRET_VALUE' },
  });
});

after(async () => {
  await client?.close();
  await pypi?.close();
  await npm?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('untrusted: stage-1 diagnostics, no ${VAR} expansion, no registry request, and the status says why', async () => {
  const requirements = fileUri(join(dir, 'requirements.txt'));
  const manifest = fileUri(join(dir, 'package.json'));
  client.open(requirements, `--index-url ${pypi.indexUrl}\nwebsockets==15.0.1\nsupabase==2.15.3\nfastapi==\nhttpx @ https://\${TRUST_SECRET_VAR}@files.example/httpx.whl\n`);
  client.open(manifest, JSON.stringify({ name: 'app', dependencies: { react: '^18.2.0', 'no-such-package-xyz': '^1.0.0' } }, null, 2));
  const { diagnostics } = await client.waitForChecked(requirements);
  await client.waitForChecked(manifest);
  assert.ok(diagnostics.some((d) => d.code === 'invalid-specifier' && d.range.start.line === 3), JSON.stringify(diagnostics));
  const withheld = diagnostics.find((d) => d.code === 'undefined-variable');
  assert.match(withheld.message, /does not expand \$\{TRUST_SECRET_VAR\} in an untrusted workspace/);
  assert.deepEqual(diagnostics.filter((d) => d.code === 'conflict' || d.code === 'registry-unreachable'), []);
  assert.equal(pypi.requests.length, 0, 'no request to the index the workspace names');
  assert.equal(npm.requests.length, 0, 'no request to the registry the workspace .npmrc names');
  const status = await client.waitForStatus((s) => /not trusted/.test(s.text) && s.state === 'ok');
  assert.match(status.detail, /Registry checks are off because this workspace is not trusted/);
  // Hover and completion answer from stage 1 and never reach a registry either.
  await client.request('textDocument/hover', { textDocument: { uri: requirements }, position: { line: 1, character: 2 } });
  await client.request('textDocument/completion', { textDocument: { uri: requirements }, position: { line: 1, character: 12 } });
  assert.equal(pypi.requests.length + npm.requests.length, 0);
  assert.doesNotMatch(client.transcript, /TRUST_SECRET_VALUE/);
});

test('granting trust starts the registry checks, with the workspace configuration', async () => {
  const requirements = fileUri(join(dir, 'requirements.txt'));
  const manifest = fileUri(join(dir, 'package.json'));
  const before = client.statuses.length;
  await client.connection.sendNotification('pinsight/trust', { trusted: true });
  const diagnostics = await client.waitForDiagnostics(requirements, (d) => d.filter((x) => x.code === 'conflict').length === 2, 30_000);
  assert.ok(!diagnostics.some((d) => d.code === 'undefined-variable'), 'the variable is expanded once trusted');
  const npmDiagnostics = await client.waitForDiagnostics(manifest, (d) => d.some((x) => x.code === 'unknown-package'), 30_000);
  assert.match(npmDiagnostics.find((d) => d.code === 'unknown-package').message, /no-such-package-xyz/);
  assert.ok(pypi.requests.length > 0);
  // The .npmrc token reached its registry (it answers 401 without it).
  assert.ok(npm.requests.some((r) => r.status === 200 && r.authorization === 'Bearer NPM_TOKEN_TRUST'));
  // Settled, and no longer about trust: what it says now is the check's own (the fastapi line's
  // error leaves it out of the verdict, which the status names).
  const settled = await client.waitForStatus((s) => s.state !== 'busy' && !/not trusted/.test(s.text), 30_000, { after: before });
  assert.doesNotMatch(settled.detail, /not trusted/);
  assert.match(settled.detail, /Not resolved: line 4 \(fastapi\) has an invalid version specifier/);
  assert.doesNotMatch(client.transcript, /TRUST_SECRET_VALUE|NPM_TOKEN_TRUST/);
});
