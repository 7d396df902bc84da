// `-r /dev/zero`, a FIFO, a folder or a huge file as an include: the CLI reports a clear problem on
// the include line and finishes, instead of hanging or reading gigabytes. The same guard (Runtime.stat
// before reading; the node runtime opens without blocking and reads regular files only) serves the server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isolatedEnv } from '../support/isolatedEnv.mjs';
import { runProcess } from '../support/runProcess.mjs';
import { loadRequirementsTree, MAX_INCLUDE_BYTES } from '../../dist/core/python/requirements/requirements.js';

const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

test('unit: includes that are not regular files or are too large are reported on their line, never read', async () => {
  const files = new Map([['/p/requirements.txt', '-r pipe\n-c dev\n-r big.txt\n-r ok.txt\nrequests==2.0\n'], ['/p/ok.txt', 'idna==3.7\n']]);
  const stats = new Map([
    ['/p/pipe', { kind: 'other', size: 0, mtimeMs: 0 }],
    ['/p/dev', { kind: 'dir', size: 4096, mtimeMs: 0 }],
    ['/p/big.txt', { kind: 'file', size: MAX_INCLUDE_BYTES + 1, mtimeMs: 0 }],
    ['/p/ok.txt', { kind: 'file', size: 10, mtimeMs: 0 }],
  ]);
  const read = [];
  const tree = await loadRequirementsTree('/p/requirements.txt', async (p) => (read.push(p), files.get(p)), { stat: async (p) => stats.get(p) });
  assert.deepEqual(read, ['/p/requirements.txt', '/p/ok.txt']);
  const problems = tree[0].problems.filter((p) => p.code === 'include-not-found');
  assert.deepEqual(problems.map((p) => p.range.start.line), [0, 1, 2]);
  assert.match(problems[0].message, /\/p\/pipe is not a regular file \(a device, a pipe or a socket\); Pinsight does not read it/);
  assert.match(problems[1].message, /\/p\/dev is a folder, not a file/);
  assert.match(problems[2].message, /\/p\/big\.txt is 5\.0 MB, more than the 5 MB a requirements file may have/);
  assert.deepEqual(tree.map((m) => m.path), ['/p/requirements.txt', '/p/ok.txt']);
});

test('cli: -r to a FIFO, /dev/zero, a folder and a 6 MB file finish with a problem on each line', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pinsight-include-guard-'));
  try {
    const fifo = spawnSync('mkfifo', [join(dir, 'pipe')]);
    assert.equal(fifo.status, 0, String(fifo.stderr));
    mkdirSync(join(dir, 'folder'));
    writeFileSync(join(dir, 'big.txt'), '');
    truncateSync(join(dir, 'big.txt'), 6 * 1024 * 1024);
    writeFileSync(join(dir, 'requirements.txt'), '-r pipe\n-r /dev/zero\n-c folder\n-r big.txt\nidna==3.7\n');
    const { code, stdout, stderr } = await runProcess(process.execPath, [cli, 'check', '--no-registry', '--format', 'json', 'requirements.txt'], { cwd: dir, env: isolatedEnv() });
    assert.equal(code, 1, stderr);
    const report = JSON.parse(stdout);
    const findings = report.files.find((f) => f.path === 'requirements.txt').findings.filter((f) => f.code === 'include-not-found');
    assert.deepEqual(findings.map((f) => f.range.start.line), [0, 1, 2, 3]);
    assert.match(findings[0].message, /pipe is not a regular file/);
    assert.match(findings[1].message, /\/dev\/zero is not a regular file/);
    assert.match(findings[2].message, /folder is a folder, not a file/);
    assert.match(findings[3].message, /big\.txt is 6\.0 MB, more than the 5 MB/);

    // The FIFO named as the manifest itself: not read, said so, no hang.
    const root = await runProcess(process.execPath, [cli, 'check', '--no-registry', 'pipe'], { cwd: dir, env: isolatedEnv() });
    assert.match(root.stderr, /could not read pipe/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
