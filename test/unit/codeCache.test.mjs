// node/codeCache.ts: the CLI's bundle runs with V8's code cache. Each case runs a small bundle in a
// child process (the cache is written when a process exits), and checks what it printed, how it
// was compiled and what the cache folder holds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const codeCache = fileURLToPath(new URL('../../dist/node/codeCache.js', import.meta.url));
const host = fileURLToPath(new URL('../../dist/node/host.js', import.meta.url));

// Runs the bundle through runBundle in a child process; prints the bundle's output, then how it was compiled.
function runLoader(bundle, dir) {
  const script = `const how = require(${JSON.stringify(codeCache)}).runBundle(${JSON.stringify(bundle)}, ${dir === undefined ? 'undefined' : JSON.stringify(dir)}, require(${JSON.stringify(host)}).hostCrc32()); console.log('HOW ' + how);`;
  return execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' });
}

const nodeCaches = typeof (await import('node:module')).default.enableCompileCache === 'function';

// A minified bundle is all ASCII (read as Latin-1); a development build keeps comments that may not be.
function bundleText(word, text = 'ascii') {
  return [
    '#!/usr/bin/env node',
    "const path = require('node:path');",
    // What a bundle relies on: require (built-in, relative, later), module, __filename, __dirname.
    `const helper = require('./helper.js');`,
    `module.exports.word = ${JSON.stringify(word)};`,
    `console.log(${JSON.stringify(word)}, helper(), path.basename(__filename), path.basename(__dirname) === path.basename(path.dirname(__filename)));`,
    `console.log(${JSON.stringify(text)}); // ${text}`,
    "setImmediate(() => console.log('later', typeof require('node:os').tmpdir, require.resolve('./helper.js') === path.join(__dirname, 'helper.js')));",
  ].join('\n');
}

// A bundle (cliMain.js beside the helper.js it requires) in a temporary folder, removed afterwards.
function withBundle(word, run) {
  const root = mkdtempSync(join(tmpdir(), 'pinsight-codecache-'));
  try {
    const bundle = join(root, 'cliMain.js');
    writeFileSync(bundle, bundleText(word));
    writeFileSync(join(root, 'helper.js'), "module.exports = () => 'helped';");
    run(root, bundle);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

test('the second run of a bundle uses the code cache the first wrote, with the same output', () => {
  withBundle('first', (root, bundle) => {
    const dir = join(root, 'cache', 'code');
    const one = runLoader(bundle, dir);
    if (nodeCaches) {
      // Node 22 and later cache the code themselves, in the same folder.
      assert.match(one, /^first helped cliMain\.js true$/m);
      assert.match(one, /^HOW node$/m);
      assert.equal(runLoader(bundle, dir), one);
      return;
    }
    assert.match(one, /^first helped cliMain\.js true$/m);
    assert.match(one, /^later function true$/m);
    assert.match(one, /^ascii$/m);
    assert.match(one, /^HOW compiled$/m);
    const files = readdirSync(dir);
    assert.equal(files.length, 1);
    assert.match(files[0], new RegExp(`^cliMain-${process.version.replace(/\./g, '\\.')}-${process.arch}-\\d+-[0-9a-f]{8}\\.bin$`));
    const two = runLoader(bundle, dir);
    assert.equal(two.replace('HOW cached', 'HOW compiled'), one);
    assert.match(two, /^HOW cached$/m);
    assert.deepEqual(readdirSync(dir), files);

    // A rebuilt bundle of the same length never meets the old code: a new file, and the old one goes.
    writeFileSync(bundle, bundleText('later', 'naïve → “UTF-8”'));
    const three = runLoader(bundle, dir);
    assert.match(three, /^later helped cliMain\.js true$/m);
    assert.match(three, /^naïve → “UTF-8”$/m);
    assert.match(runLoader(bundle, dir), /^HOW cached$/m);
    assert.match(three, /^HOW compiled$/m);
    const after = readdirSync(dir);
    assert.equal(after.length, 1);
    assert.notEqual(after[0], files[0]);
  });
});

test('a damaged cache file is rejected by V8 and replaced; the bundle runs as before', () => {
  withBundle('word', (root, bundle) => {
    const dir = join(root, 'code');
    if (nodeCaches) return assert.match(runLoader(bundle, dir), /^word helped cliMain\.js true$/m);
    runLoader(bundle, dir);
    const [file] = readdirSync(dir);
    writeFileSync(join(dir, file), Buffer.from('not V8 code at all, just bytes'.repeat(40)));
    const out = runLoader(bundle, dir);
    assert.match(out, /^word helped cliMain\.js true$/m);
    assert.match(out, /^HOW compiled$/m);
    assert.match(runLoader(bundle, dir), /^HOW cached$/m);
  });
});

test('without a cache folder, or with one that cannot be written, the bundle still runs', () => {
  withBundle('plain', (root, bundle) => {
    const none = runLoader(bundle, undefined);
    assert.match(none, /^plain helped cliMain\.js true$/m);
    assert.match(none, /^HOW plain$/m);
    // A file where the folder should be: nothing can be created under it.
    const blocked = join(root, 'blocked');
    writeFileSync(blocked, 'a file, not a folder');
    const out = runLoader(bundle, join(blocked, 'code'));
    assert.match(out, /^plain helped cliMain\.js true$/m);
  });
});
