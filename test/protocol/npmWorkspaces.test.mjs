// npm workspaces over JSON-RPC against a loopback fake npm registry: a member's own ERESOLVE on the
// member's package.json lines (the server checks from the workspace root with every member, read
// from disk), no "unknown package" for a dependency on a sibling workspace, and a conflict between
// a member's peer dependency and the root's dependency published on each file's own line.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, fileUri } from '../support/lspClient.mjs';
import { startFakeNpm } from '../support/fakeNpm.mjs';
import { SYNTHETIC } from '../support/npmPeerPackages.mjs';

const example = fileURLToPath(new URL('../../examples/npm-workspaces/', import.meta.url));
let npm;
let client;
let dir;

before(async () => {
  npm = await startFakeNpm({ extra: SYNTHETIC });
  dir = mkdtempSync(join(tmpdir(), 'pinsight-npm-workspaces-'));
  cpSync(example, join(dir, 'mono'), { recursive: true });
  client = await startServer({
    settings: { enable: true, checkRegistries: true, debounceMs: 0, npm: { registry: `${npm.url}/` } },
    initializationOptions: { cacheDir: join(dir, 'cache') },
  });
});

after(async () => {
  await client?.close();
  await npm?.close();
  rmSync(dir, { recursive: true, force: true });
});

const peerConflicts = (diags) => diags.filter((d) => d.code === 'peer-conflict');

test("a member's ERESOLVE is published on the member's own lines, with the sibling workspace left alone", async () => {
  const path = join(dir, 'mono', 'packages', 'web', 'package.json');
  const uri = fileUri(path);
  client.open(uri, readFileSync(path, 'utf8'), 'json');
  const { diagnostics } = await client.waitForChecked(uri);
  const conflicts = peerConflicts(diagnostics);
  assert.deepEqual(conflicts.map((d) => d.range.start.line).sort(), [5, 7], JSON.stringify(diagnostics));
  const react = conflicts.find((d) => d.range.start.line === 5);
  assert.equal(react.severity, 1);
  assert.match(react.message, /^Could not resolve dependency: peer react@"\^16\.8\.5 \|\| \^17\.0\.0 \|\| \^18\.0\.0" from react-beautiful-dnd@13\.1\.1\. Found: react@19\.\d+\.\d+ \(from @demo\/web@1\.0\.0\)\./);
  assert.equal(react.relatedInformation[0].location.uri, uri);
  assert.equal(react.relatedInformation[0].location.range.start.line, 7);
  // "@demo/ui": "^1.0.0" is the sibling workspace, linked by npm: not a registry package
  assert.deepEqual(diagnostics.filter((d) => d.code === 'unknown-package'), []);
  const actions = await client.request('textDocument/codeAction', { textDocument: { uri }, range: react.range, context: { diagnostics: [react] } });
  const preferred = actions.find((a) => a.isPreferred);
  assert.deepEqual(preferred.edit.changes[uri].map((e) => e.newText), ['^18.3.1']);
});

test("a member's peer dependency against the root's dependency: each file gets its own line", async () => {
  const root = join(dir, 'peer-root');
  mkdirSync(join(root, 'packages', 'a'), { recursive: true });
  const rootText = JSON.stringify({ name: 'r', version: '1.0.0', workspaces: ['packages/*'], dependencies: { 'pz-c': '^2.0.0' } }, null, 2);
  const memberText = JSON.stringify({ name: 'a', version: '1.0.0', peerDependencies: { 'pz-c': '^1.0.0' } }, null, 2);
  writeFileSync(join(root, 'package.json'), rootText);
  writeFileSync(join(root, 'packages', 'a', 'package.json'), memberText);
  const rootUri = fileUri(join(root, 'package.json'));
  const memberUri = fileUri(join(root, 'packages', 'a', 'package.json'));
  client.open(rootUri, rootText, 'json');
  client.open(memberUri, memberText, 'json');
  const onRoot = peerConflicts((await client.waitForChecked(rootUri)).diagnostics);
  const onMember = peerConflicts((await client.waitForChecked(memberUri)).diagnostics);
  const message = 'Could not resolve dependency: peer pz-c@"^1.0.0" from a@1.0.0. Found: pz-c@2.0.0 (from the root project). Conflicting peer dependency: pz-c@1.5.0.';
  assert.deepEqual(onRoot.map((d) => [d.range.start.line, d.message]), [[7, message]]);
  assert.deepEqual(onMember.map((d) => [d.range.start.line, d.message]), [[4, message]]);
  assert.equal(onRoot[0].relatedInformation[0].location.uri, memberUri);
  assert.equal(onMember[0].relatedInformation[0].location.uri, rootUri);
  // the root moves to pz-c 1: npm installs, and both files are clean after a re-check
  const fixed = rootText.replace('^2.0.0', '^1.0.0');
  client.change(rootUri, fixed);
  assert.deepEqual(peerConflicts((await client.waitForChecked(rootUri)).diagnostics), []);
  client.change(memberUri, memberText);
  assert.deepEqual(peerConflicts((await client.waitForChecked(memberUri)).diagnostics), []);
});
