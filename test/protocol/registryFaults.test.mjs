// A registry fault over LSP: realtime (needed by supabase 2.15.3) accepts the connection and never
// answers. While the check waits, the stage-1 findings are published, hovers answer and the status
// item says what it waits for; at pinsight.registryTimeoutSeconds the server publishes a
// registry-unreachable finding on the supabase line naming the chain, never a conflict; once the
// index answers again the conflict comes back.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, fileUri } from '../support/lspClient.mjs';
import { startFakePypi } from '../support/fakePypi.mjs';

const seed = readFileSync(fileURLToPath(new URL('../../examples/seed/requirements.txt', import.meta.url)), 'utf8').replace(/^-r .*$/m, '');
// A duplicate gives the document a stage-1 finding that needs no registry.
const text = `${seed.trimEnd()}\nfastapi==0.115.12\n`;
const HANG_REALTIME = { hang: { path: /^\/(simple|files|pypi)\/realtime(\/|$)/ } };
let pypi;
let dir;

before(async () => {
  pypi = await startFakePypi({ projects: 'all' });
  dir = mkdtempSync(join(tmpdir(), 'pinsight-faults-'));
});

after(async () => {
  await pypi?.close();
  rmSync(dir, { recursive: true, force: true });
});

// Each server gets its own cache folder, so nothing the index said before stands in for it.
async function server(name, registryTimeoutSeconds) {
  return startServer({
    settings: { enable: true, checkRegistries: true, debounceMs: 0, registryTimeoutSeconds, python: { indexUrl: pypi.indexUrl, version: '3.11', platform: 'linux' } },
    initializationOptions: { cacheDir: join(dir, `cache-${name}`) },
  });
}

function openSeed(client, name) {
  const path = join(dir, name, 'requirements.txt');
  mkdirSync(join(dir, name), { recursive: true });
  writeFileSync(path, text);
  const uri = fileUri(path);
  client.open(uri, text);
  return uri;
}

const hoverAt = (client, uri, line) => client.request('textDocument/hover', { textDocument: { uri }, position: { line, character: 2 } });

// Also what warms the fake index, so that the deadline below measures the fault, not fixture building.
test('with a healthy index the seed conflict is published', async () => {
  const client = await server('healthy', 120);
  try {
    const uri = openSeed(client, 'healthy');
    const { diagnostics } = await client.waitForChecked(uri);
    assert.deepEqual(diagnostics.filter((d) => d.code === 'conflict').map((d) => d.range.start.line).sort(), [4, 6]);
  } finally {
    await client.close();
  }
});

test('a transitive project that never answers: findings meanwhile, hovers answered, then the chain and no conflict; the conflict once it answers', async () => {
  pypi.setFaults(HANG_REALTIME);
  const client = await server('hang', 8);
  try {
    const uri = openSeed(client, 'hang');
    const early = await client.waitForDiagnostics(uri, (d) => d.some((x) => x.code === 'duplicate-requirement'));
    assert.equal(client.checkedCount(uri), 0, 'stage 1 is published while the registry check still waits');
    assert.deepEqual(early.filter((d) => d.code === 'registry-unreachable' || d.code === 'conflict'), []);
    const waiting = await hoverAt(client, uri, 4);
    assert.match(waiting.contents.value, /supabase/);
    const status = await client.waitForStatus((s) => s.state === 'busy' && /^Waiting for 127\.0\.0\.1:\d+ \(\d+ s\)…$/.test(s.text));
    assert.match(status.detail, /gives up after 8 s \(pinsight\.registryTimeoutSeconds\)/);
    assert.equal(client.checkedCount(uri), 0);

    const { diagnostics } = await client.waitForChecked(uri);
    assert.deepEqual(diagnostics.filter((d) => d.code === 'conflict' || d.code === 'possible-conflict'), []);
    const unread = diagnostics.filter((d) => d.code === 'registry-unreachable');
    assert.equal(unread.length, 1, JSON.stringify(diagnostics));
    assert.equal(unread[0].range.start.line, 4);
    assert.match(unread[0].message, /^realtime, required by supabase 2\.15\.3, could not be read \(supabase 2\.15\.3 -> realtime\): http:\/\/127\.0\.0\.1:\d+\/simple did not answer within the 8 s this check allows \(raise the pinsight\.registryTimeoutSeconds setting to wait longer\)\. This check is incomplete/);
    assert.ok(diagnostics.some((d) => d.code === 'duplicate-requirement'));
    const actions = await client.request('textDocument/codeAction', { textDocument: { uri }, range: unread[0].range, context: { diagnostics: unread } });
    assert.deepEqual(actions, [], 'a registry failure offers no fix');
    const answered = await hoverAt(client, uri, 4);
    assert.match(answered.contents.value, /supabase/);
    await client.waitForStatus((s) => s.state === 'error' && /^Check incomplete: 1 problem$/.test(s.text));

    pypi.setFaults({});
    client.change(uri, `${text}\n`);
    const again = await client.waitForChecked(uri);
    assert.deepEqual(again.diagnostics.filter((d) => d.code === 'registry-unreachable'), []);
    assert.deepEqual(again.diagnostics.filter((d) => d.code === 'conflict').map((d) => d.range.start.line).sort(), [4, 6]);
  } finally {
    await client.close();
  }
});
