// No credential in anything the server sends during a whole session: diagnostics, hovers on every
// line, code actions, commands, outline, inlay hints, completion, status and log messages — every
// byte on stdout, plus stderr — for the workspace of test/support/secretsWorkspace.mjs, whose
// registries require every credential (so the session really used them).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, fileUri } from '../support/lspClient.mjs';
import { startSecretsWorkspace } from '../support/secretsWorkspace.mjs';

let ws;
let client;

before(async () => {
  ws = await startSecretsWorkspace();
  client = await startServer({
    rootUri: fileUri(ws.project),
    settings: { enable: true, checkRegistries: true, debounceMs: 0, python: { version: '3.11', platform: 'linux' } },
    initializationOptions: { cacheDir: join(ws.dir, 'cache'), trusted: true },
    env: ws.env,
  });
});

after(async () => {
  await client?.close();
  await ws?.close();
});

test('a full session sends no secret in any message', { timeout: 180_000 }, async () => {
  const requirements = fileUri(join(ws.project, 'requirements.txt'));
  const manifest = fileUri(join(ws.project, 'package.json'));
  client.open(requirements, ws.requirements);
  client.open(manifest, ws.packageJson, 'json');
  const { diagnostics } = await client.waitForChecked(requirements, 120_000);
  const npmResult = await client.waitForChecked(manifest, 120_000);
  assert.ok(diagnostics.some((d) => d.code === 'conflict'), JSON.stringify(diagnostics));
  assert.ok(npmResult.diagnostics.some((d) => d.code === 'no-matching-version'), JSON.stringify(npmResult.diagnostics));

  for (const [uri, text] of [[requirements, ws.requirements], [manifest, ws.packageJson]]) {
    const lines = text.split('\n');
    const published = uri === requirements ? diagnostics : npmResult.diagnostics;
    for (let line = 0; line < lines.length; line++) {
      for (const character of [0, Math.floor(lines[line].length / 2), Math.max(0, lines[line].length - 2)]) {
        await client.request('textDocument/hover', { textDocument: { uri }, position: { line, character } });
      }
      await client.request('pinsight/why', { uri, position: { line, character: 2 } });
      await client.request('textDocument/completion', { textDocument: { uri }, position: { line, character: lines[line].length } });
    }
    for (const d of published) await client.request('textDocument/codeAction', { textDocument: { uri }, range: d.range, context: { diagnostics: [d] } });
    await client.request('pinsight/explain', { uri });
    await client.request('textDocument/documentSymbol', { textDocument: { uri } });
    await client.request('textDocument/inlayHint', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: lines.length, character: 0 } } });
  }
  await client.request('pinsight/updateAll', {});
  await client.request('pinsight/refresh', null);
  await client.waitForChecked(requirements, 120_000, { after: 1 });

  const counts = ws.authorized();
  for (const [registry, n] of Object.entries(counts)) assert.ok(n > 0, `${registry} saw no request with its credential: ${JSON.stringify(counts)}`);
  assert.ok(client.statuses.length > 0);
  // The output channel names the indexes and registries used (where the credentials live).
  assert.ok(client.logs.some((l) => /Pinsight checked .* against:/.test(l.message) && /127\.0\.0\.1/.test(l.message)), JSON.stringify(client.logs));
  assert.deepEqual(ws.leaks(client.transcript), []);
  assert.deepEqual(ws.leaks(client.stderr), []);
  assert.deepEqual(ws.leaks(JSON.stringify(client.logs)), []);
});
