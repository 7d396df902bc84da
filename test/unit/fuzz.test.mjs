// A shorter run of bench/fuzz.mjs: every parser on mutated real manifests, no exception, no hang.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fuzzRun } from '../../bench/fuzzLib.mjs';

test('parsers survive 6,000 fuzzed inputs without an exception or a hang', async () => {
  const result = await fuzzRun({ count: 2000, seed: 42, hangMs: 5000 });
  assert.deepEqual(result.hangs, [], 'a parser made no progress for 5 s');
  assert.deepEqual(result.failures.map((f) => `${f.parser}: ${JSON.stringify(f.input)}: ${f.error.split('\n')[0]}`), []);
  assert.equal(result.inputs, 6000);
});
