// Team rules over JSON-RPC (issue 10, part 1): a pinsight.toml in the workspace turns a set that
// resolves into a conflict citing the rule (related information on the rule's line), moves the
// highest-compatible fix, shows in the hover, and its own problems are diagnostics in pinsight.toml.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, fileUri } from '../support/lspClient.mjs';
import { startFakePypi } from '../support/fakePypi.mjs';

const REQUIREMENTS = 'uvicorn==0.29.0\nwebsockets==14.2\n';
const RULES = `# What the team learned
[[incompatible]]
packages = ["uvicorn<0.30", "websockets>=14"]
reason = "uvicorn before 0.30 uses websockets APIs that 14 removed"
source = "https://example.org/incident-2025-02"

[[pin]]
package = "websockets"
reason = "supabase's realtime 2.4.x requires websockets<15"
`;

let pypi;
let client;
let dir;

before(async () => {
  pypi = await startFakePypi({ projects: ['uvicorn', 'websockets', 'click', 'h11', 'typing-extensions'] });
  dir = mkdtempSync(join(tmpdir(), 'pinsight-rules-'));
  writeFileSync(join(dir, 'requirements.txt'), REQUIREMENTS);
  writeFileSync(join(dir, 'pinsight.toml'), RULES);
  client = await startServer({
    rootUri: fileUri(dir),
    settings: { enable: true, checkRegistries: true, debounceMs: 0, python: { indexUrl: pypi.indexUrl, version: '3.11', platform: 'linux' } },
    initializationOptions: { cacheDir: join(dir, '.cache') },
  });
});

after(async () => {
  await client?.close();
  await pypi?.close();
  rmSync(dir, { recursive: true, force: true });
});

const requirements = () => fileUri(join(dir, 'requirements.txt'));
const rulesUri = () => fileUri(join(dir, 'pinsight.toml'));

test('an incompatible rule turns a resolvable set into a conflict that cites the rule, its reason and its line', async () => {
  client.open(requirements(), REQUIREMENTS);
  const { diagnostics } = await client.waitForChecked(requirements());
  const conflicts = diagnostics.filter((d) => d.code === 'conflict');
  assert.deepEqual(conflicts.map((d) => d.range.start.line).sort(), [0, 1]);
  const ws = conflicts.find((d) => d.range.start.line === 1);
  assert.equal(ws.severity, 1);
  assert.match(ws.message, /the team rule in pinsight\.toml:2 says uvicorn<0\.30 and websockets>=14 are incompatible \("uvicorn before 0\.30 uses websockets APIs that 14 removed"; evidence: https:\/\/example\.org\/incident-2025-02\)/);
  const rule = ws.relatedInformation.find((r) => r.location.uri === rulesUri());
  assert.ok(rule, JSON.stringify(ws.relatedInformation));
  assert.equal(rule.location.range.start.line, 1);
  assert.match(rule.message, /Team rule: uvicorn<0\.30 and websockets>=14 are incompatible/);
});

test('the highest-compatible fix respects the rule: websockets drops to 13.1 beside uvicorn 0.29.0', async () => {
  const { diagnostics } = await client.waitForChecked(requirements());
  const ws = diagnostics.find((d) => d.code === 'conflict' && d.range.start.line === 1);
  const actions = await client.request('textDocument/codeAction', { textDocument: { uri: requirements() }, range: ws.range, context: { diagnostics: [ws] } });
  const preferred = actions.find((a) => a.isPreferred);
  assert.ok(preferred, actions.map((a) => a.title).join('; '));
  assert.deepEqual(preferred.edit.changes[requirements()], [{ range: { start: { line: 1, character: 10 }, end: { line: 1, character: 16 } }, newText: '==13.1' }]);
  assert.ok(actions.some((a) => /^Upgrade uvicorn to 0\.30\.0, which allows websockets 14\.2/.test(a.title)), actions.map((a) => a.title).join('; '));
});

test('the hover of each package shows the rules that name it, with file and line', async () => {
  const ws = await client.request('textDocument/hover', { textDocument: { uri: requirements() }, position: { line: 1, character: 2 } });
  assert.match(ws.contents.value, /\*\*Team rules\*\*/);
  assert.match(ws.contents.value, /Pinned on purpose: supabase's realtime 2\.4\.x requires websockets<15 \(pinsight\.toml:7\)/);
  assert.match(ws.contents.value, /`uvicorn<0\.30` and `websockets>=14` cannot be installed together: uvicorn before 0\.30 uses websockets APIs that 14 removed \(pinsight\.toml:2\)\. Evidence: https:\/\/example\.org\/incident-2025-02/);
  const uv = await client.request('textDocument/hover', { textDocument: { uri: requirements() }, position: { line: 0, character: 2 } });
  assert.match(uv.contents.value, /`uvicorn<0\.30` and `websockets>=14` cannot be installed together/);
  assert.doesNotMatch(uv.contents.value, /Pinned on purpose/);
});

test('in a set that resolves, the rule moves what resolves and the highest compatible version, and the hover says why not the latest', async () => {
  const uri = fileUri(join(dir, 'range', 'requirements.txt'));
  const text = 'uvicorn==0.29.0\nwebsockets>=13\n';
  client.open(uri, text);
  const { diagnostics } = await client.waitForChecked(uri);
  assert.deepEqual(diagnostics.filter((d) => d.severity === 1), []);
  const hover = await client.request('textDocument/hover', { textDocument: { uri }, position: { line: 1, character: 2 } });
  const value = hover.contents.value;
  assert.match(value, /resolves to \*\*13\.1\*\* · highest compatible \*\*13\.1\*\* · latest \*\*17\.0\.1\*\*/);
  assert.match(value, /\*\*Why not 17\.0\.1\*\*\n- the team rule in pinsight\.toml:2 says uvicorn<0\.30 and websockets>=14 are incompatible \("uvicorn before 0\.30 uses websockets APIs that 14 removed"; evidence: https:\/\/example\.org\/incident-2025-02\), and uvicorn 0\.29\.0 is chosen/);
  assert.match(value, /Upgrade uvicorn to 0\.30\.0|uvicorn 0\.30\.0 allows websockets 17\.0\.1/);
  assert.match(value, /\*\*Team rules\*\*\n- Pinned on purpose: supabase's realtime 2\.4\.x requires websockets<15 \(\.\.\/pinsight\.toml:7\)\./);
  // (lspClient's close(uri) is shadowed by its close() of the whole server: send didClose directly.)
  client.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
});

test('invalid rules are diagnostics in pinsight.toml, and editing the rules re-checks the open manifest', async () => {
  const beforeOpen = client.checkedCount(requirements());
  client.open(rulesUri(), RULES, 'toml');
  const clean = await client.waitForDiagnostics(rulesUri());
  assert.deepEqual(clean, []);
  // Opening a rule file re-checks the open manifests (same rules here): let that check finish first.
  await client.waitForChecked(requirements(), 30_000, { after: beforeOpen });
  const broken = `[[incompatible]]
packages = ["uvicorn<0.30"]
reason = "one package is no rule"

[[incompatible]]
packages = ["uvicorn<0.30", "websockets>=>14"]
reason = "bad specifier"

[[incompatible]]
packages = ["uvicorn<0.30", "websockets>=14"]
severity = "high"

[[pin]]
package = 42
reason = "wrong type"
`;
  const checkedBefore = client.checkedCount(requirements());
  client.change(rulesUri(), broken);
  const diags = await client.waitForDiagnostics(rulesUri(), (d) => d.length > 0);
  const summary = diags.map((d) => [d.code, d.severity, d.range.start.line]).sort((a, b) => a[2] - b[2] || a[1] - b[1]);
  assert.deepEqual(summary, [
    ['invalid-rule', 1, 1],
    ['invalid-rule', 1, 5],
    ['invalid-rule', 1, 8],
    ['invalid-rule', 2, 10],
    ['invalid-rule', 1, 13],
  ]);
  assert.match(diags.find((d) => d.range.start.line === 1).message, /at least 2 packages/);
  assert.match(diags.find((d) => d.range.start.line === 5).message, /"websockets>=>14" is not a Python requirement|invalid version specifier/);
  assert.match(diags.find((d) => d.range.start.line === 8).message, /has no `reason`/);
  assert.match(diags.find((d) => d.range.start.line === 10).message, /Unknown key `severity`/);
  assert.match(diags.find((d) => d.range.start.line === 13).message, /`package` must be a string, not a number/);
  // No valid incompatible rule is left in the buffer: the manifest is re-checked and resolves.
  const { diagnostics } = await client.waitForChecked(requirements(), 30_000, { after: checkedBefore });
  assert.deepEqual(diagnostics.filter((d) => d.code === 'conflict'), []);
});

test('a [tool.pinsight] rule in pyproject.toml is checked in place: its problems are the pyproject\'s diagnostics', async () => {
  const uri = fileUri(join(dir, 'app', 'pyproject.toml'));
  const text = `[project]
name = "app"
version = "0.1.0"
dependencies = ["uvicorn==0.29.0", "websockets==14.2"]

[[tool.pinsight.incompatible]]
packages = ["uvicorn<0.30", "websockets>=14", "uvicorn[standard]>=0.1"]
reason = "extras are not versions"
`;
  client.open(uri, text, 'toml');
  const diags = await client.waitForDiagnostics(uri, (d) => d.some((x) => x.code === 'invalid-rule'));
  const rule = diags.find((d) => d.code === 'invalid-rule');
  assert.equal(rule.range.start.line, 6);
  assert.match(rule.message, /names extras; a rule is about the package's versions/);
});

test('a rule naming a project the index does not have is a warning in pinsight.toml once the manifest is checked', async () => {
  client.change(rulesUri(), '[[incompatible]]\npackages = ["uvicron<0.30", "websockets>=14"]\nreason = "typo"\n');
  const diags = await client.waitForDiagnostics(rulesUri(), (d) => d.some((x) => /uvicron is not on/.test(x.message)), 30_000);
  const typo = diags.find((x) => /uvicron is not on/.test(x.message));
  assert.equal(typo.code, 'invalid-rule');
  assert.equal(typo.severity, 2);
  assert.deepEqual(typo.range, { start: { line: 1, character: 13 }, end: { line: 1, character: 25 } });
});
