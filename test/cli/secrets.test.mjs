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

test('a token rotated in .npmrc and a password rotated in .netrc between two checks are what the registries see', { timeout: 180_000 }, async () => {
  const { readFileSync, writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const basic = (user, password) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  const { npmToken, pypiNetrc } = ws.registries;
  const npmrcPath = join(ws.project, '.npmrc');
  const netrcPath = join(ws.home, '.netrc');
  const npmrc = readFileSync(npmrcPath, 'utf8');
  const netrc = readFileSync(netrcPath, 'utf8');
  try {
    writeFileSync(npmrcPath, npmrc.replace(/_authToken=.*/, '_authToken=ROTATED_npm_77aa'));
    writeFileSync(netrcPath, netrc.replace(/password \S+/, 'password ROTATED_netrc_88bb'));
    npmToken.setRequiredToken('ROTATED_npm_77aa');
    pypiNetrc.setRequiredAuthorization(basic('netrcuser', 'ROTATED_netrc_88bb'));
    const [npmBefore, pypiBefore] = [npmToken.requests.length, pypiNetrc.requests.length];
    const { stdout, stderr } = await run(['check', '--python-version', '3.11', '--no-cache', '--format', 'json', '.']);
    const findings = JSON.parse(stdout).files.flatMap((f) => f.findings);
    assert.deepEqual(findings.filter((f) => f.code === 'registry-unreachable'), [], stderr);
    const npmSeen = new Set(npmToken.requests.slice(npmBefore).map((r) => r.authorization));
    const pypiSeen = new Set(pypiNetrc.requests.slice(pypiBefore).map((r) => r.headers.authorization));
    assert.deepEqual([...npmSeen], ['Bearer ROTATED_npm_77aa']);
    assert.deepEqual([...pypiSeen], [basic('netrcuser', 'ROTATED_netrc_88bb')]);
    assert.doesNotMatch(stdout + stderr, /ROTATED_/);
  } finally {
    writeFileSync(npmrcPath, npmrc);
    writeFileSync(netrcPath, netrc);
  }
});
