// Watched-file events over JSON-RPC re-check only the documents that read the changed file: an
// install into one project's .venv (its METADATA, plus the *.txt files every install writes beside
// it) re-checks that project's manifest and leaves the other project's alone; a change to a file
// one manifest includes re-reads that manifest only. The server logs what it made of each path.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, fileUri } from '../support/lspClient.mjs';
import { installDist, writeVenv } from '../support/fakeVenv.mjs';

let dir;
let client;
let a;
let b;
let site;

/** Resolves with the server's log line about watched files once it has logged one after `from`. */
async function watchLog(from) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const line = client.logs.slice(from).find((l) => l.message.startsWith('Files changed on disk:'));
    if (line) return line.message;
    if (Date.now() > deadline) throw new Error(`no watched-file log line; got ${JSON.stringify(client.logs.slice(from))}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pinsight-watch-'));
  mkdirSync(join(dir, 'a'));
  mkdirSync(join(dir, 'b'));
  mkdirSync(join(dir, 'shared'));
  writeFileSync(join(dir, 'shared', 'base.txt'), 'httpx==0.28.1\n');
  writeFileSync(join(dir, 'a', 'requirements.txt'), '-r ../shared/base.txt\nwebsockets==14.2\n');
  writeFileSync(join(dir, 'b', 'requirements.txt'), 'fastapi==0.115.0\n');
  site = writeVenv(join(dir, 'a', '.venv'), [{ name: 'httpx', version: '0.28.1' }, { name: 'websockets', version: '14.2' }]);
  client = await startServer({ settings: { enable: true, checkRegistries: false, debounceMs: 0 }, rootUri: fileUri(dir) });
  a = fileUri(join(dir, 'a', 'requirements.txt'));
  b = fileUri(join(dir, 'b', 'requirements.txt'));
  client.open(a, '-r ../shared/base.txt\nwebsockets==14.2\n', 'pip-requirements');
  client.open(b, 'fastapi==0.115.0\n', 'pip-requirements');
  await client.waitForChecked(a);
  await client.waitForChecked(b);
});

after(async () => {
  await client?.close();
  rmSync(dir, { recursive: true, force: true });
});

test("an install into a/.venv re-checks a's manifest only, and ignores the other files the install wrote", async () => {
  const added = installDist(site, { name: 'rich', version: '13.0.0' });
  writeFileSync(join(added, 'top_level.txt'), 'rich\n');
  writeFileSync(join(added, 'entry_points.txt'), '');
  const beforeA = client.checkedCount(a);
  const beforeB = client.checkedCount(b);
  const from = client.logs.length;
  client.connection.sendNotification('workspace/didChangeWatchedFiles', {
    changes: ['METADATA', 'top_level.txt', 'entry_points.txt'].map((f) => ({ uri: fileUri(join(added, f)), type: 1 })),
  });
  const log = await watchLog(from);
  assert.match(log, /METADATA: an installed distribution; re-checking 1 document/);
  assert.equal(log.match(/inside an environment or tool folder; ignored/g)?.length, 2, log);
  await client.waitForChecked(a, 30_000, { after: beforeA });
  assert.equal(client.checkedCount(a), beforeA + 1, 'one re-check for one install');
  assert.equal(client.checkedCount(b), beforeB, 'the other project is not re-checked');
});

test('a change to an included file re-reads the manifest that includes it, and nothing else', async () => {
  writeFileSync(join(dir, 'shared', 'base.txt'), 'httpx==0.28.1\nwebsockets==14.2\n');
  const beforeA = client.checkedCount(a);
  const beforeB = client.checkedCount(b);
  const from = client.logs.length;
  client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: fileUri(join(dir, 'shared', 'base.txt')), type: 2 }] });
  assert.match(await watchLog(from), /base\.txt: read by 1 open document; reading it again/);
  const { diagnostics } = await client.waitForChecked(a, 30_000, { after: beforeA });
  // Read again from disk: websockets is now required twice across the tree.
  assert.ok(diagnostics.some((d) => d.code === 'duplicate-requirement'), JSON.stringify(diagnostics));
  assert.equal(client.checkedCount(b), beforeB);
});
