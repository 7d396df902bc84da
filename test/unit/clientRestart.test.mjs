// The client's Restart command disposes what the previous server session registered (its file
// watcher, its notification handlers): the extension's client code, bundled with stand-ins for the
// VS Code API, restarted several times.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadClient } from '../support/loadClient.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const fake = fileURLToPath(new URL('../support/fakeVscode.mjs', import.meta.url));

test('restart disposes the previous session: two watchers and one status handler live, however often it restarts', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pinsight-client-'));
  try {
    const { PinsightClient } = await loadClient(dir);
    const { live } = await import(pathToFileURL(fake).href);
    const context = { subscriptions: [], asAbsolutePath: (p) => join(root, p), globalStorageUri: { fsPath: join(dir, 'storage') } };
    const client = new PinsightClient(context);
    await client.start();
    assert.deepEqual([live.watchers, live.notificationHandlers, live.clients], [2, 1, 1]);
    for (let i = 0; i < 3; i++) await client.restart();
    assert.deepEqual([live.watchers, live.notificationHandlers, live.clients], [2, 1, 1], 'a restart left the old session registered');
    assert.deepEqual([live.created.watchers, live.created.notificationHandlers, live.created.clients], [8, 4, 4]);
    assert.equal(context.subscriptions.length, 11, 'only the long-lived disposables (output, status item, read-only documents, eight commands) stay in the extension context');
    await client.dispose();
    assert.deepEqual([live.watchers, live.notificationHandlers, live.clients], [0, 0, 0]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the server process gets the V8 flags the protocol tests and benchmarks start it with (common/serverProcess.ts)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pinsight-client-'));
  try {
    const { PinsightClient } = await loadClient(dir);
    const { clients } = await import(pathToFileURL(fake).href);
    const { SERVER_EXEC_ARGV } = await import(pathToFileURL(join(root, 'dist/common/serverProcess.js')).href);
    const context = { subscriptions: [], asAbsolutePath: (p) => join(root, p), globalStorageUri: { fsPath: join(dir, 'storage') } };
    const client = new PinsightClient(context);
    await client.start();
    const { run, debug } = clients.at(-1).serverOptions;
    assert.ok(SERVER_EXEC_ARGV.length > 0);
    assert.deepEqual(run.options.execArgv, [...SERVER_EXEC_ARGV]);
    assert.deepEqual(debug.options.execArgv.slice(-SERVER_EXEC_ARGV.length), [...SERVER_EXEC_ARGV]);
    assert.equal(run.module, join(root, 'dist/server.js'));
    await client.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
