// The Node runtime's file reads: a large file read with every check (a CA bundle, a lockfile) is
// answered from memory while it is unchanged on disk, and read again as soon as it changes, even
// when its size and mtime are put back as they were.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNodeRuntime, fileReads } from '../../dist/node/runtime.js';

test('a large unchanged file is kept; a change (same size, mtime restored) is read; small files are always read', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pinsight-runtime-'));
  try {
    const runtime = createNodeRuntime();
    const big = join(dir, 'bundle.pem');
    const first = 'a'.repeat(100_000);
    writeFileSync(big, first);
    const before = { ...fileReads };
    assert.equal(await runtime.readFile(big), first);
    assert.equal(await runtime.readFile(big), first);
    assert.deepEqual({ reads: fileReads.reads - before.reads, kept: fileReads.kept - before.kept }, { reads: 2, kept: 1 });
    // Same size, mtime put back: ctime still moves, so the new text is read.
    const { atime, mtime } = statSync(big);
    const second = 'b'.repeat(100_000);
    writeFileSync(big, second);
    utimesSync(big, atime, mtime);
    assert.equal(await runtime.readFile(big), second);
    assert.equal(fileReads.kept - before.kept, 1);
    // Replaced by another file (a new inode) of the same size.
    rmSync(big);
    writeFileSync(big, 'c'.repeat(100_000));
    assert.equal(await runtime.readFile(big), 'c'.repeat(100_000));
    const small = join(dir, 'pip.conf');
    writeFileSync(small, '[global]\n');
    const mark = fileReads.kept;
    assert.equal(await runtime.readFile(small), '[global]\n');
    assert.equal(await runtime.readFile(small), '[global]\n');
    assert.equal(fileReads.kept, mark);
    rmSync(big);
    assert.equal(await runtime.readFile(big), undefined, 'a removed file reads as absent, not as what was kept');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
