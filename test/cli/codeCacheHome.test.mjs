// Where `pinsight check` keeps V8's code cache of itself (cliStart.ts): in the user's cache folder
// ($XDG_CACHE_HOME/pinsight/code here), whatever --cache-dir names, so a check with a new registry
// cache still starts compiled; --no-cache writes none. (test/unit/codeCache.test.mjs covers what is
// in the folder: one file per bundle and Node, replaced when either changes.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isolatedEnv } from '../support/isolatedEnv.mjs';
import { runProcess } from '../support/runProcess.mjs';

const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

test('the code cache is written to the user cache folder, not under --cache-dir, and read by the next run; --no-cache writes none', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pinsight-cli-code-'));
  try {
    writeFileSync(join(dir, 'requirements.txt'), 'websockets==14.2\n');
    const userCache = join(dir, 'user-cache');
    const env = isolatedEnv({ XDG_CACHE_HOME: userCache });
    const code = join(userCache, 'pinsight', 'code');
    const run = (...extra) => runProcess(process.execPath, [cli, 'check', '--no-registry', ...extra, 'requirements.txt'], { cwd: dir, env });

    const off = await run('--no-cache');
    assert.equal(off.code, 0, off.stderr);
    assert.equal(existsSync(code), false, '--no-cache wrote a code cache');

    const first = await run('--cache-dir', join(dir, 'registry-a'));
    assert.equal(first.code, 0, first.stderr);
    const files = readdirSync(code);
    assert.equal(files.length, 1, `${files}`);
    assert.match(files[0], /^cliMain-v\d+\.\d+\.\d+-[a-z0-9]+-\d+-[0-9a-f]{8}\.bin$/);
    assert.equal(existsSync(join(dir, 'registry-a', 'code')), false, 'the code cache went under --cache-dir');
    const written = statSync(join(code, files[0])).mtimeMs;

    // Another registry cache, the same code cache: the same output, and the file is not rewritten
    // (a cache V8 rejected, or none, is written at exit).
    const second = await run('--cache-dir', join(dir, 'registry-b'));
    assert.equal(second.code, 0, second.stderr);
    assert.equal(second.stdout, first.stdout);
    assert.deepEqual(readdirSync(code), files);
    assert.equal(statSync(join(code, files[0])).mtimeMs, written, 'the code cache was written again: the second run did not use it');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
