// npm drift on a real disk at size: a generated project with 1,041 installed packages (hoisted,
// scoped and nested), inspected through the node Runtime with an NpmDriftCache, from the hidden
// lockfile and from every package.json. What the cache must do is asserted by counting the
// Runtime's reads: a warm inspection reads no package.json again, and touching one package rereads
// that one. How long it takes is a speed target, measured beside `npm ls` in bench/npmDrift.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeNpmTree } from '../support/npmTreeGenerator.mjs';
import { createNodeRuntime } from '../../dist/node/runtime.js';
import { parsePackageJson } from '../../dist/core/npm/manifest/packageJson.js';
import { inspectNpm } from '../../dist/core/npm/environment/inspectNpm.js';
import { NpmDriftCache } from '../../dist/core/npm/environment/driftCache.js';

let dir;
before(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'pinsight-npm-size-'));
  writeNpmTree(dir, { packages: 1000 });
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** The node Runtime, with every readFile and listDir path recorded. */
function countingRuntime() {
  const inner = createNodeRuntime();
  const reads = [];
  const lists = [];
  return {
    reads,
    lists,
    runtime: {
      ...inner,
      readFile: (p) => (reads.push(p), inner.readFile(p)),
      listDir: (p) => (lists.push(p), inner.listDir(p)),
    },
  };
}

const packageJsons = (paths) => paths.filter((p) => p.includes('node_modules') && p.endsWith('package.json'));

test('1,000 packages: the hidden lockfile, then every package.json; a warm cache reads only what changed', async () => {
  const file = path.join(dir, 'package.json');
  const manifest = parsePackageJson(readFileSync(file, 'utf8'), file);
  const counted = countingRuntime();
  const cache = new NpmDriftCache();

  const hidden = await inspectNpm([manifest], counted.runtime, cache);
  assert.deepEqual(hidden.findings, []);
  assert.deepEqual(hidden.sources, ['package-lock.json (lockfileVersion 3, 1041 packages)', 'node_modules (1041 packages, from node_modules/.package-lock.json)']);
  assert.deepEqual(packageJsons(counted.reads), [], 'a fresh hidden lockfile spares every package folder');

  // A folder newer than the hidden lockfile: npm, and so Pinsight, read every package.json.
  const future = new Date(Date.now() + 60_000);
  utimesSync(path.join(dir, 'node_modules'), future, future);
  counted.reads.length = 0;
  const folders = await inspectNpm([manifest], counted.runtime, cache);
  assert.deepEqual(folders.findings, []);
  assert.equal(folders.sources[1], 'node_modules (1041 packages, read from each package.json)');
  assert.equal(packageJsons(counted.reads).length, 1041, 'cold: each installed package.json once');

  counted.reads.length = 0;
  counted.lists.length = 0;
  const warm = await inspectNpm([manifest], counted.runtime, cache);
  assert.deepEqual(warm.findings, []);
  assert.deepEqual(packageJsons(counted.reads), [], 'warm: no package.json read again');
  assert.deepEqual(counted.lists, [], 'warm: no folder listed again');

  // Touch one installed package: exactly that one is read again.
  const one = path.join(dir, 'node_modules', Object.keys(JSON.parse(readFileSync(path.join(dir, 'package-lock.json'), 'utf8')).packages).find((k) => k.startsWith('node_modules/') && !k.includes('/node_modules/', 1)).slice('node_modules/'.length), 'package.json');
  writeFileSync(one, readFileSync(one, 'utf8') + '\n');
  counted.reads.length = 0;
  const touched = await inspectNpm([manifest], counted.runtime, cache);
  assert.deepEqual(touched.findings, []);
  assert.deepEqual(packageJsons(counted.reads), [one]);
});
