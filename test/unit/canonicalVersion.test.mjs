// canonicalVersion (core/python/index/pypi.ts) keys a page's versions: equal PEP 440 versions get
// one key. Text already in normal form takes a path with no parse; every other text is parsed and
// normalised. The same text with a leading space is never in normal form (the parse strips the
// space as packaging does), so it checks the fast path against the parse on every case.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalVersion } from '../../dist/core/python/index/pypi.js';

const TABLE = [
  ['2.15.3', '2.15.3'], ['1.0.0', '1'], ['0', '0'], ['0.0.0a0', '0a0'], ['10.0.0.0.1', '10.0.0.0.1'],
  ['1.0.0b1', '1b1'], ['1.0rc0', '1rc0'], ['2.0.post1', '2.post1'], ['1.0.0.dev0', '1.dev0'], ['1.0a1.post2.dev3', '1a1.post2.dev3'],
  // Not in normal form: parsed.
  ['1.0.0-beta1', '1b1'], ['01.2', '1.2'], ['1.0A1', '1a1'], ['1!2.0', '1!2'], ['1.0+local', '1+local'], ['1.0-1', '1.post1'], ['v1.0', '1'],
  ['1.0.0c1', '1rc1'], ['1.0.dev', '1.dev0'], ['1.0.post', '1.post0'], ['2.0.0.0a00', '2a0'],
  // Not PEP 440.
  ['1.0.0.final', undefined], ['latest', undefined], ['1..0', undefined],
];

test('canonical keys of listed versions, in normal form or not', () => {
  for (const [text, key] of TABLE) assert.equal(canonicalVersion(text), key, text);
});

test('the no-parse path gives what the parse gives, on every combination of release, pre, post and dev', () => {
  const releases = ['0', '1', '1.0', '1.0.0', '2.15.3', '3.0.10', '10.0.0.0.1', '0.0.0'];
  const pres = ['', 'a0', 'a1', 'b2', 'rc10'];
  const posts = ['', '.post0', '.post7'];
  const devs = ['', '.dev0', '.dev12'];
  let n = 0;
  for (const r of releases) for (const p of pres) for (const q of posts) for (const d of devs) {
    const text = `${r}${p}${q}${d}`;
    assert.equal(canonicalVersion(text), canonicalVersion(` ${text}`), text);
    n++;
  }
  assert.equal(n, releases.length * pres.length * posts.length * devs.length);
});
