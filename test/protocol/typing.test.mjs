// Typing fast: each keystroke is a new version whose validation and publish overlap with the
// previous ones'. Whatever order they finish in, the diagnostics left standing are the last
// version's (code-server once kept the problem of `requests>=>` after `requests>=>2` was typed).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, fileUri } from '../support/lspClient.mjs';

let dir;
let client;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pinsight-typing-'));
  cpSync(fileURLToPath(new URL('../../examples', import.meta.url)), dir, { recursive: true });
  client = await startServer({
    rootUri: fileUri(dir),
    settings: { enable: true, checkRegistries: true, registrySnapshot: join(dir, 'registry-snapshot.json.gz'), python: { version: '3.11', platform: 'linux' } },
    initializationOptions: { cacheDir: join(dir, 'cache') },
  });
});

after(async () => {
  await client?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('keystroke by keystroke, the diagnostics that stay are those of the last version', async () => {
  const path = join(dir, 'seed', 'requirements.txt');
  const uri = fileUri(path);
  const original = readFileSync(path, 'utf8');
  client.open(uri, original, 'pip-requirements');
  await client.waitForChecked(uri);
  for (const [round, typed] of ['requests>=>2', 'httpx>=0.28,<=>1', 'requests>=>3'].entries()) {
    let text = original;
    for (const ch of typed) {
      text += ch;
      client.change(uri, text);
    }
    const bad = typed.slice(typed.lastIndexOf('>') - 2);
    const final = await client.waitForDiagnostics(uri, (d) => d.some((x) => x.message.includes(`'${bad}'`)), 20_000);
    // Then the server settles: every later publish for this text carries the same problem.
    const settled = await client.waitForChecked(uri, 30_000, { after: client.checkedCount(uri) - 1 });
    for (const diagnostics of [final, settled.diagnostics]) {
      const problems = diagnostics.filter((d) => d.code === 'invalid-specifier');
      assert.equal(problems.length, 1, `round ${round}: ${JSON.stringify(problems)}`);
      assert.ok(problems[0].message.includes(`'${bad}'`), `round ${round}: ${problems[0].message}`);
    }
  }
});
