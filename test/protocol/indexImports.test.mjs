// import-break from the wheels on the index over JSON-RPC: a requirements.txt with no venv, the
// fake PyPI serving wheels built from the committed stubs (test/fixtures/import-breaks). The
// diagnostic lands on both lines once the resolution is known; the quick fix pins the highest
// Werkzeug that still defines url_quote; the hover shows the evidence from the index.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, fileUri } from '../support/lspClient.mjs';
import { startFakePypi } from '../support/fakePypi.mjs';
import { importBreakProjects } from '../support/importBreakIndex.mjs';

const TEXT = 'flask==2.2.2\nwerkzeug==3.0.0\n';
let pypi;
let dir;

before(async () => {
  const click = JSON.parse(readFileSync(new URL('../fixtures/pypi/click.json', import.meta.url), 'utf8'));
  pypi = await startFakePypi({ projects: ['colorama'], extra: [click, ...(await importBreakProjects({ padBytes: 100_000 }))] });
  dir = mkdtempSync(join(tmpdir(), 'pinsight-index-imports-'));
  writeFileSync(join(dir, 'requirements.txt'), TEXT);
});

after(async () => {
  await pypi?.close();
  rmSync(dir, { recursive: true, force: true });
});

const settings = (extra = {}) => ({ enable: true, checkRegistries: true, debounceMs: 0, python: { indexUrl: pypi.indexUrl, version: '3.11', platform: 'linux' }, ...extra });

test('no venv: the import-break comes from the index, with the quick fix and the hover evidence', async () => {
  const client = await startServer({ settings: settings(), rootUri: fileUri(dir), initializationOptions: { cacheDir: join(dir, 'cache') } });
  try {
    const uri = fileUri(join(dir, 'requirements.txt'));
    client.open(uri, TEXT, 'pip-requirements');
    const diagnostics = await client.waitForDiagnostics(uri, (d) => d.some((x) => x.code === 'import-break'), 30_000);
    const breaks = diagnostics.filter((d) => d.code === 'import-break');
    assert.deepEqual(breaks.map((d) => [d.range.start.line, d.severity]), [[0, 2], [1, 2]]);
    assert.match(breaks[1].message, /^flask 2\.2\.2 imports `werkzeug\.urls\.url_quote` \(flask\/app\.py:30\), which werkzeug 3\.0\.0 does not define/);
    assert.match(breaks[1].message, /werkzeug 2\.3\.8 is the highest release that still has/);
    // While the wheels were read, the status item said so (its history holds every status sent).
    const importing = await client.waitForStatus((s) => s.text === 'Checking imports…');
    assert.equal(importing.state, 'busy');
    assert.match(importing.detail, /pinsight\.importChecks\.maxBytesPerCheck/);
    const wheels = pypi.requests.filter((r) => /\.whl$/.test(r.path));
    assert.ok(wheels.length > 0 && wheels.every((r) => /^bytes=/.test(r.headers.range ?? '')), 'wheels are read by range requests only');

    const actions = await client.request('textDocument/codeAction', { textDocument: { uri }, range: breaks[1].range, context: { diagnostics: [breaks[1]] } });
    const fix = actions.find((a) => a.title.startsWith('Pin werkzeug to 2.3.8'));
    assert.ok(fix, actions.map((a) => a.title).join('; '));
    assert.equal(fix.kind, 'quickfix');
    assert.deepEqual(fix.edit.changes[uri], [{ range: { start: { line: 1, character: 8 }, end: { line: 1, character: 15 } }, newText: '==2.3.8' }]);

    const hover = await client.request('textDocument/hover', { textDocument: { uri }, position: { line: 1, character: 2 } });
    assert.match(hover.contents.value, /\*\*Imports \(wheels on the index, for the resolved versions\)\*\*\n- flask 2\.2\.2 imports `werkzeug\.urls\.url_quote`/);
  } finally {
    await client.close();
  }
});

test('a tiny byte bound: no import-break, and the status says the check is incomplete', async () => {
  const client = await startServer({ settings: settings({ importChecks: { maxBytesPerCheck: 1000 } }), rootUri: fileUri(dir) });
  try {
    const uri = fileUri(join(dir, 'requirements.txt'));
    client.open(uri, TEXT, 'pip-requirements');
    const { diagnostics } = await client.waitForChecked(uri);
    assert.deepEqual(diagnostics.filter((d) => d.code === 'import-break'), []);
    const status = await client.waitForStatus((s) => /byte bound/.test(JSON.stringify(s)), 10_000);
    assert.match(JSON.stringify(status), /pinsight\.importChecks\.maxBytesPerCheck/);
  } finally {
    await client.close();
  }
});
