// The language server over real JSON-RPC: diagnostics on open and change, includes read from disk,
// settings, hover and outline.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, fileUri } from '../support/lspClient.mjs';

let dir;
let client;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pinsight-protocol-'));
  writeFileSync(join(dir, 'requirements-dev.txt'), '# test tools\npytest>=8\nwebsockets==14.2\n');
  client = await startServer();
});

after(async () => {
  await client?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('publishes an invalid specifier at once on open, with its exact range', async () => {
  const uri = fileUri(join(dir, 'requirements.txt'));
  client.open(uri, 'fastapi==0.115.12\nrequests>=>2\n');
  const diags = await client.waitForDiagnostics(uri, (d) => d.length > 0);
  assert.equal(diags.length, 1);
  assert.equal(diags[0].severity, 1);
  assert.equal(diags[0].source, 'pinsight');
  assert.equal(diags[0].range.start.line, 1);
  assert.ok(diags[0].range.start.character >= 8, JSON.stringify(diags[0]));
  assert.ok(diags[0].range.end.character <= 12, JSON.stringify(diags[0]));
});

test('a fix in the editor clears the diagnostic', async () => {
  const uri = fileUri(join(dir, 'requirements.txt'));
  client.change(uri, 'fastapi==0.115.12\nrequests>=2\n');
  const diags = await client.waitForDiagnostics(uri, (d) => d.length === 0);
  assert.deepEqual(diags, []);
});

test('follows -r includes on disk and reports a missing include on its line', async () => {
  const uri = fileUri(join(dir, 'requirements-main.txt'));
  client.open(uri, '-r requirements-dev.txt\n-r missing.txt\nwebsockets==15.0.1\n');
  const diags = await client.waitForDiagnostics(uri, (d) => d.length >= 2);
  const missing = diags.find((d) => d.code === 'include-not-found');
  assert.ok(missing, JSON.stringify(diags));
  assert.equal(missing.range.start.line, 1);
  assert.match(missing.message, /missing\.txt/);
  const duplicate = diags.find((d) => d.code === 'duplicate-requirement');
  assert.ok(duplicate, JSON.stringify(diags));
  assert.equal(duplicate.range.start.line, 2);
  assert.equal(duplicate.relatedInformation[0].location.uri, fileUri(join(dir, 'requirements-dev.txt')));
  assert.equal(duplicate.relatedInformation[0].location.range.start.line, 2);
});

test('hover explains the dependency with the comment above it', async () => {
  const uri = fileUri(join(dir, 'requirements-hover.txt'));
  client.open(uri, 'fastapi==0.115.12\n# Pinned for the /ws endpoint.\nwebsockets==14.2\n');
  await client.waitForDiagnostics(uri);
  const hover = await client.request('textDocument/hover', { textDocument: { uri }, position: { line: 2, character: 3 } });
  assert.equal(hover.contents.kind, 'markdown');
  assert.match(hover.contents.value, /\*\*websockets\*\* `==14\.2`/);
  assert.match(hover.contents.value, /Pinned for the \/ws endpoint\./);
  assert.deepEqual(hover.range.start, { line: 2, character: 0 });
  const nothing = await client.request('textDocument/hover', { textDocument: { uri }, position: { line: 1, character: 3 } });
  assert.equal(nothing, null);
});

test('outline groups dependencies by section', async () => {
  const uri = fileUri(join(dir, 'pyproject.toml'));
  client.open(uri, '[project]\nname = "x"\ndependencies = ["fastapi>=0.115", "uvicorn[standard]>=0.34"]\n\n[dependency-groups]\ndev = ["pytest>=8"]\n');
  await client.waitForDiagnostics(uri);
  const symbols = await client.request('textDocument/documentSymbol', { textDocument: { uri } });
  assert.deepEqual(
    symbols.map((s) => [s.name, s.children.map((c) => c.name)]),
    [
      ['project.dependencies', ['fastapi', 'uvicorn[standard]']],
      ['dependency-groups.dev', ['pytest']],
    ],
  );
  assert.equal(symbols[0].children[1].detail, '>=0.34');
});

test('package.json: a malformed specifier is an error on the value', async () => {
  const uri = fileUri(join(dir, 'package.json'));
  const text = '{\n  "dependencies": {\n    "react": "^19.1.0.0"\n  }\n}\n';
  client.open(uri, text, 'json');
  const diags = await client.waitForDiagnostics(uri, (d) => d.length > 0);
  assert.equal(diags[0].code, 'invalid-npm-specifier');
  assert.equal(diags[0].range.start.line, 2);
  assert.equal(diags[0].range.start.character, 14);
});

test('files that are not manifests get no diagnostics and no hover', async () => {
  const uri = fileUri(join(dir, 'notes.txt'));
  client.open(uri, 'requests>=>2\n');
  const diags = await client.waitForDiagnostics(uri);
  assert.deepEqual(diags, []);
  const hover = await client.request('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 1 } });
  assert.equal(hover, null);
});

test('pinsight.enable = false clears diagnostics', async () => {
  const uri = fileUri(join(dir, 'requirements.txt'));
  client.change(uri, 'requests>=>2\n');
  await client.waitForDiagnostics(uri, (d) => d.length === 1);
  client.settings.enable = false;
  client.connection.sendNotification('workspace/didChangeConfiguration', { settings: {} });
  await client.waitForDiagnostics(uri, (d) => d.length === 0);
  client.settings.enable = true;
  client.connection.sendNotification('workspace/didChangeConfiguration', { settings: {} });
  await client.waitForDiagnostics(uri, (d) => d.length === 1);
});

test('status notifications count the manifests checked', async () => {
  assert.ok(client.statuses.length > 0);
  assert.match(client.statuses.at(-1).text, /manifests? checked/);
});

test('the server logs nothing to stderr', () => {
  assert.equal(client.stderr, '');
});

test('a pin that contradicts another manifest of the workspace (not open) is inconsistent-pin, with the other place', async () => {
  const workspace = join(dir, 'pins-workspace');
  mkdirSync(join(workspace, 'docker'), { recursive: true });
  writeFileSync(join(workspace, 'docker', 'requirements.txt'), 'fastapi==0.115.12\nwebsockets==15.0.1\n');
  const text = 'supabase==2.15.3\nwebsockets==14.2\n';
  writeFileSync(join(workspace, 'requirements.txt'), text);
  const other = await startServer({ rootUri: fileUri(workspace) });
  try {
    const uri = fileUri(join(workspace, 'requirements.txt'));
    other.open(uri, text);
    const diags = await other.waitForDiagnostics(uri, (d) => d.some((x) => x.code === 'inconsistent-pin'), 20_000);
    const pin = diags.find((x) => x.code === 'inconsistent-pin');
    assert.equal(pin.range.start.line, 1);
    assert.equal(pin.relatedInformation[0].location.uri, fileUri(join(workspace, 'docker', 'requirements.txt')));
    // Aligning the open file clears it.
    other.change(uri, 'supabase==2.15.3\nwebsockets==15.0.1\n');
    await other.waitForDiagnostics(uri, (d) => !d.some((x) => x.code === 'inconsistent-pin'), 20_000);
  } finally {
    await other.close();
  }
});

test('pinsight.manifests turns a manifest kind off: no diagnostics and no hover for it', async () => {
  const other = await startServer({ settings: { enable: true, checkRegistries: false, manifests: ['requirements', 'pyproject'] } });
  try {
    const pkg = fileUri(join(dir, 'kinds', 'package.json'));
    const req = fileUri(join(dir, 'kinds', 'requirements.txt'));
    other.open(req, 'requests>=>2\n');
    await other.waitForDiagnostics(req, (d) => d.some((x) => x.code === 'invalid-specifier'));
    other.open(pkg, '{ "dependencies": { "left-pad": "^1.3.0.1" } }');
    const diags = await other.waitForDiagnostics(pkg, () => true);
    assert.deepEqual(diags, []);
    assert.equal(await other.request('textDocument/hover', { textDocument: { uri: pkg }, position: { line: 0, character: 24 } }), null);
  } finally {
    await other.close();
  }
});
