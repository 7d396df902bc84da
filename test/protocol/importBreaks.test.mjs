// import-break over JSON-RPC, registry checks off: a .venv (written as pip leaves it) where
// Flask 2.2.2 imports werkzeug.urls.url_quote from a Werkzeug 3.0.0 without it. The diagnostic
// sits on both declared lines; the hover of each shows the evidence; the setting turns it off.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, fileUri } from '../support/lspClient.mjs';
import { writeVenv } from '../support/fakeVenv.mjs';

let dir;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'pinsight-imports-'));
  writeVenv(join(dir, '.venv'), [
    { name: 'Flask', version: '2.2.2', requires: ['Werkzeug>=2.2.2'], files: { 'flask/__init__.py': '', 'flask/app.py': 'import os\n\nfrom werkzeug.urls import url_quote\n' } },
    { name: 'Werkzeug', version: '3.0.0', files: { 'werkzeug/__init__.py': '', 'werkzeug/urls.py': 'def iri_to_uri(iri):\n    return iri\n' } },
  ]);
  writeFileSync(join(dir, 'requirements.txt'), 'flask==2.2.2\nwerkzeug==3.0.0\n');
});

after(() => rmSync(dir, { recursive: true, force: true }));

test('import-break on the Flask and Werkzeug lines, with the evidence in both hovers', async () => {
  const client = await startServer({ settings: { enable: true, checkRegistries: false, debounceMs: 0 }, rootUri: fileUri(dir) });
  try {
    const uri = fileUri(join(dir, 'requirements.txt'));
    client.open(uri, 'flask==2.2.2\nwerkzeug==3.0.0\n', 'pip-requirements');
    const { diagnostics } = await client.waitForChecked(uri);
    const breaks = diagnostics.filter((d) => d.code === 'import-break');
    assert.deepEqual(breaks.map((d) => d.range.start.line), [0, 1], JSON.stringify(diagnostics));
    assert.match(breaks[0].message, /^Flask 2\.2\.2 imports `werkzeug\.urls\.url_quote` \(flask\/app\.py:3\), which Werkzeug 3\.0\.0 does not define, so `import flask\.app` fails with ImportError\./);
    for (const line of [0, 1]) {
      const hover = await client.request('textDocument/hover', { textDocument: { uri }, position: { line, character: 2 } });
      assert.match(hover.contents.value, /\*\*Imports \(installed files\)\*\*\n- Flask 2\.2\.2 imports `werkzeug\.urls\.url_quote` \(flask\/app\.py:3\)/);
    }
  } finally {
    await client.close();
  }
});

test('pinsight.importChecks.enable false: no import-break', async () => {
  const client = await startServer({ settings: { enable: true, checkRegistries: false, debounceMs: 0, importChecks: { enable: false } }, rootUri: fileUri(dir) });
  try {
    const uri = fileUri(join(dir, 'requirements.txt'));
    client.open(uri, 'flask==2.2.2\nwerkzeug==3.0.0\n', 'pip-requirements');
    const { diagnostics } = await client.waitForChecked(uri);
    // The same environment as above, where the only finding is the import-break.
    assert.deepEqual(diagnostics.map((d) => d.code), []);
    const hover = await client.request('textDocument/hover', { textDocument: { uri }, position: { line: 1, character: 2 } });
    assert.match(hover.contents.value, /installed \*\*3\.0\.0\*\*/);
    assert.doesNotMatch(hover.contents.value, /Imports \(installed files\)/);
  } finally {
    await client.close();
  }
});
