// Drift over JSON-RPC, with registry checks off (no network at all): a stale uv.lock and an
// installed environment that differs from the pins, the code actions that run the fixing command,
// the hover's installed and locked versions, and an install on disk followed within one re-check.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, fileUri } from '../support/lspClient.mjs';
import { installDist, uninstallDist, writeVenv } from '../support/fakeVenv.mjs';

let dir;
let client;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pinsight-drift-'));
  cpSync(fileURLToPath(new URL('../../examples/uv-project', import.meta.url)), join(dir, 'uv-project'), { recursive: true });
  client = await startServer({ settings: { enable: true, checkRegistries: false, debounceMs: 0 }, rootUri: fileUri(dir) });
});

after(async () => {
  await client?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('the seed uv project: lock-stale on the uvicorn[standard] line naming websockets, with a code action that runs uv lock', async () => {
  const path = join(dir, 'uv-project', 'pyproject.toml');
  const uri = fileUri(path);
  client.open(uri, readFileSync(path, 'utf8'), 'toml');
  const { diagnostics } = await client.waitForChecked(uri);
  const stale = diagnostics.filter((d) => d.code === 'lock-stale');
  assert.equal(stale.length, 1, JSON.stringify(diagnostics));
  assert.equal(stale[0].range.start.line, 8);
  assert.match(stale[0].message, /websockets/);
  const actions = await client.request('textDocument/codeAction', { textDocument: { uri }, range: stale[0].range, context: { diagnostics: stale } });
  const run = actions.find((a) => a.command?.command === 'pinsight.runInTerminal');
  assert.equal(run.title, 'Run `uv lock` in a terminal');
  assert.deepEqual(run.command.arguments, [{ line: 'uv lock', cwd: join(dir, 'uv-project') }]);
  const hover = await client.request('textDocument/hover', { textDocument: { uri }, position: { line: 6, character: 8 } });
  assert.match(hover.contents.value, /locked \*\*0\.\d+\.\d+\*\*/, 'fastapi shows its locked version');
  assert.match(client.statuses.at(-1).detail ?? '', /Registry checks are off/);
});

test('a .venv with websockets 15.0.1 against ==14.2: installed-mismatch; an install on disk clears it after one watched-file event', async () => {
  const text = 'supabase==2.15.3\nwebsockets==14.2\n';
  const path = join(dir, 'requirements.txt');
  writeFileSync(path, text);
  const site = writeVenv(join(dir, '.venv'), [{ name: 'supabase', version: '2.15.3' }, { name: 'websockets', version: '15.0.1' }]);
  const uri = fileUri(path);
  client.open(uri, text, 'pip-requirements');
  const { diagnostics } = await client.waitForChecked(uri);
  const mismatch = diagnostics.find((d) => d.code === 'installed-mismatch');
  assert.equal(mismatch.range.start.line, 1);
  assert.match(mismatch.message, /websockets 15\.0\.1 installed, which does not satisfy ==14\.2/);
  const hover = await client.request('textDocument/hover', { textDocument: { uri }, position: { line: 1, character: 2 } });
  assert.match(hover.contents.value, /installed \*\*15\.0\.1\*\*/);
  const actions = await client.request('textDocument/codeAction', { textDocument: { uri }, range: mismatch.range, context: { diagnostics: [mismatch] } });
  assert.match(actions.find((a) => a.command)?.command.arguments[0].line, /\/\.venv\/bin\/python -m pip install -r requirements\.txt$/);

  // `pip install websockets==14.2`, as the watcher reports it: the old metadata folder goes, a new one comes.
  uninstallDist(join(site, 'websockets-15.0.1.dist-info'));
  const added = installDist(site, { name: 'websockets', version: '14.2' });
  const before = client.checkedCount(uri);
  client.connection.sendNotification('workspace/didChangeWatchedFiles', {
    changes: [
      { uri: fileUri(join(site, 'websockets-15.0.1.dist-info', 'METADATA')), type: 3 },
      { uri: fileUri(join(added, 'METADATA')), type: 1 },
    ],
  });
  const after = await client.waitForChecked(uri, 30_000, { after: before });
  assert.deepEqual(after.diagnostics.filter((d) => d.code.startsWith('installed') || d.code === 'not-installed'), []);
});
