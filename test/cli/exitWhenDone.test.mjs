// `pinsight check` exits once its answers are in: reads still in flight then were made ahead of
// solves (warm.ts) that ended without them, and are cancelled rather than waited for. Here one
// such read (realtime 2.30.0's metadata, warmed for "highest compatible supabase" but never asked
// for by the solve, which fails on storage3 first) never gets an answer: waited for, it would hold
// the process for the request timeout and its retries (a minute), past this test's own timeout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFakePypi } from '../support/fakePypi.mjs';
import { isolatedEnv } from '../support/isolatedEnv.mjs';
import { runProcess } from '../support/runProcess.mjs';

const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const SEED = 'fastapi==0.115.12\nuvicorn==0.34.2\nsupabase==2.15.3\nwebsockets==15.0.1\n';
const HUNG = /^\/files\/realtime\/realtime-2\.30\.0-/;

test('a read ahead that never gets an answer does not hold the process once the check is done', { timeout: 40_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pinsight-exit-'));
  const fake = await startFakePypi({ projects: 'all', faults: { hang: { path: HUNG } } });
  try {
    const file = join(dir, 'requirements.txt');
    writeFileSync(file, SEED);
    const args = [cli, 'check', '--isolated', '--index-url', fake.indexUrl, '--python-version', '3.11', '--platform', 'linux', '--cache-dir', join(dir, 'cache'), '--format', 'json', file];
    const r = await runProcess(process.execPath, args, { env: isolatedEnv() });
    assert.ok(fake.requests.some((q) => HUNG.test(q.path)), 'the hung read was made');
    assert.equal(r.code, 1, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.complete, true);
    assert.deepEqual(doc.incomplete, []);
    const fixes = doc.files[0].findings.map((f) => [f.package, f.fixes.map((x) => x.title)]);
    assert.deepEqual(fixes, [
      ['supabase', ['Change to supabase==2.25.1, the highest version the other requirements allow']],
      ['websockets', ['Change to websockets==14.2, the highest version the other requirements allow', 'Upgrade supabase to 2.16.0, which allows websockets 15.0.1']],
    ]);
    assert.equal(r.stderr, '');
  } finally {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
