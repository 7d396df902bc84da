// No credential in any output of `pinsight check`: text, JSON, --explain and `list`, for a workspace
// with a distinctive secret in every source (see test/support/secretsWorkspace.mjs) against loopback
// registries that require them — so the check really used every one.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { isolatedEnv } from '../support/isolatedEnv.mjs';
import { runProcess } from '../support/runProcess.mjs';
import { startSecretsWorkspace } from '../support/secretsWorkspace.mjs';

const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
let ws;

before(async () => {
  ws = await startSecretsWorkspace();
});
after(async () => {
  await ws?.close();
});

const run = (args) => runProcess(process.execPath, [cli, ...args], { cwd: ws.project, env: isolatedEnv(ws.env) });

test('check (text, JSON, --explain) and list print no secret, and every credential reached its registry', { timeout: 180_000 }, async () => {
  const outputs = [];
  const text = await run(['check', '--python-version', '3.11', '--explain', '.']);
  outputs.push(text);
  assert.match(text.stdout, /websockets==15\.0\.1 conflicts with supabase==2\.15\.3/, text.stdout + text.stderr);
  const json = await run(['check', '--python-version', '3.11', '--format', 'json', '.']);
  outputs.push(json);
  const report = JSON.parse(json.stdout);
  const findings = report.files.flatMap((f) => f.findings);
  assert.ok(findings.some((f) => f.code === 'conflict'), json.stdout);
  // Every registry answered (a 401 would be registry-unreachable).
  assert.deepEqual(findings.filter((f) => f.code === 'registry-unreachable' || f.code === 'unknown-package'), []);
  // @b/pkg ^2 does not exist on its _password-protected registry: it was read.
  assert.ok(findings.some((f) => f.code === 'no-matching-version' && f.package === '@b/pkg'), JSON.stringify(findings.map((f) => [f.code, f.package, f.message])));
  outputs.push(await run(['list', '--format', 'json', '.']));
  outputs.push(await run(['list', '.']));

  const counts = ws.authorized();
  for (const [registry, n] of Object.entries(counts)) assert.ok(n > 0, `${registry} saw no request with its credential: ${JSON.stringify(counts)}`);
  for (const { stdout, stderr } of outputs) assert.deepEqual(ws.leaks(stdout + stderr), []);
  // The direct reference is still named, its userinfo masked.
  assert.match(outputs[0].stdout, /gitlab\.example\.com\/org\/mylib\.git/);
});
