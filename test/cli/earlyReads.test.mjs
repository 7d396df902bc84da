// A check's resolution reads start with the registry checks' reads, not after them
// (startResolutionReads, core/python/checks/resolutionFindings.ts): as soon as one root's page
// arrives, the release it will likely pick is requested, even while another root's page is still
// on its way. The fake index holds websockets' page until it has seen the request for supabase
// 2.15.3's metadata; a CLI that resolved only after every page would not ask for it, and the hold
// would end on its deadline instead.
import { test, before, after } from 'node:test';
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
const PINNED_METADATA = /^\/files\/supabase\/supabase-2\.15\.3-py3-none-any\.whl\.metadata$/;
const HOLD_DEADLINE_MS = 20_000;

let dir;
let pypi;
let stopWatching = false;
let released;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pinsight-cli-early-'));
  writeFileSync(join(dir, 'requirements.txt'), SEED);
  let fake;
  // Resolves with what ended the hold: the metadata request seen at the index, or the deadline.
  const until = (async () => {
    const deadline = Date.now() + HOLD_DEADLINE_MS;
    while (!stopWatching && Date.now() < deadline) {
      if (fake?.requests.some((r) => PINNED_METADATA.test(r.path))) return 'seen';
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return 'deadline';
  })();
  released = until;
  fake = await startFakePypi({ projects: 'all', faults: { hold: { path: /^\/simple\/websockets\/$/, until } } });
  pypi = fake;
});

after(async () => {
  stopWatching = true;
  await released;
  await pypi?.close();
  rmSync(dir, { recursive: true, force: true });
});

test("a pinned root's metadata is requested while another root's page is still held; the verdict is the same", { timeout: 60_000 }, async () => {
  const r = await runProcess(process.execPath, [cli, 'check', '--isolated', '--no-cache', '--index-url', pypi.indexUrl, '--python-version', '3.11', '--platform', 'linux', '--format', 'json', 'requirements.txt'], { cwd: dir, env: isolatedEnv() });
  assert.equal(await released, 'seen', "websockets' page was held until its deadline: supabase 2.15.3's metadata was not requested before it arrived");
  assert.equal(r.code, 1, r.stderr);
  const findings = JSON.parse(r.stdout).files[0].findings;
  assert.deepEqual(findings.map((f) => [f.code, f.range.start.line]), [['conflict', 2], ['conflict', 3]]);
  const paths = pypi.requests.map((q) => q.path);
  // The checks and the resolution share the pages: none was asked for twice.
  for (const page of ['fastapi', 'uvicorn', 'supabase', 'websockets']) assert.equal(paths.filter((p) => p === `/simple/${page}/`).length, 1, page);
});
