// Workspace trust on the client side: the extension tells the server whether the workspace is
// trusted when it starts, and sends pinsight/trust when the user grants trust (and only then).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadClient } from '../support/loadClient.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const fake = fileURLToPath(new URL('../support/fakeVscode.mjs', import.meta.url));

const trustSent = (client) => client.sent.filter((n) => n.method === 'pinsight/trust');

test('untrusted: the server starts told so, and granting trust sends pinsight/trust once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pinsight-trust-'));
  try {
    const { PinsightClient } = await loadClient(dir);
    const support = await import(pathToFileURL(fake).href);
    const context = { subscriptions: [], asAbsolutePath: (p) => join(root, p), globalStorageUri: { fsPath: join(dir, 'storage') } };

    support.resetTrust(false);
    const client = new PinsightClient(context);
    await client.start();
    let language = support.clients.at(-1);
    assert.equal(language.options.initializationOptions.trusted, false);
    assert.deepEqual(trustSent(language), []);
    support.grantTrust();
    assert.deepEqual(trustSent(language), [{ method: 'pinsight/trust', params: { trusted: true } }]);

    // A server started in a trusted workspace is told at initialize and needs no notification.
    await client.restart();
    language = support.clients.at(-1);
    assert.equal(language.options.initializationOptions.trusted, true);
    support.grantTrust();
    assert.deepEqual(trustSent(language), []);
    await client.dispose();

    // After a restart in an untrusted workspace, the old session's listener is gone: one notification, from the new client.
    support.resetTrust(false);
    await client.start();
    await client.restart();
    const [old, current] = support.clients.slice(-2);
    support.grantTrust();
    assert.deepEqual([trustSent(old).length, trustSent(current).length], [0, 1]);
    await client.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
