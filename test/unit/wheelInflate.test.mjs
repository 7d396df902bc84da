// Wheel METADATA decompression (fflate behind inflateBounded) against node:zlib's deflate: every
// block type and strategy, long back-references, and bad input that must fail rather than hang,
// crash or return more than the zip entry declares.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { constants, deflateRawSync } from 'node:zlib';
import { inflateBounded } from '../../dist/core/python/index/wheelZip.js';

function pseudoRandom(size, seed) {
  const out = Buffer.alloc(size);
  let x = seed;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

const metadata = Buffer.from(
  'Metadata-Version: 2.1\nName: realtime\nVersion: 2.4.3\nRequires-Python: >=3.9,<4.0\n' +
    Array.from({ length: 40 }, (_, i) => `Requires-Dist: dependency-${i} (>=${i}.0,<${i + 1}) ; python_version >= "3.${i % 12}"\n`).join('') +
    '\n' +
    '# A long description with ünïcödé, repeated. '.repeat(300),
);
const inputs = {
  empty: Buffer.alloc(0),
  metadata,
  random: pseudoRandom(70_000, 7),
  // Repeats just under the 32 KiB window exercise the longest distances.
  farRepeat: Buffer.concat([pseudoRandom(32_000, 3), pseudoRandom(32_000, 3), pseudoRandom(5_000, 3)]),
  runs: Buffer.alloc(100_000, 0x61),
};

test('inflates what zlib deflates, for every level and strategy', () => {
  const strategies = [constants.Z_DEFAULT_STRATEGY, constants.Z_FIXED, constants.Z_HUFFMAN_ONLY, constants.Z_RLE, constants.Z_FILTERED];
  for (const [name, input] of Object.entries(inputs)) {
    for (const level of [0, 1, 6, 9]) {
      for (const strategy of strategies) {
        const compressed = deflateRawSync(input, { level, strategy });
        assert.deepEqual(Buffer.from(inflateBounded(compressed, input.length)), input, `${name} level ${level} strategy ${strategy}`);
      }
    }
  }
});

test('bad data fails', () => {
  const good = deflateRawSync(metadata);
  const cases = {
    'reserved block type': new Uint8Array([0x07]),
    truncated: good.subarray(0, good.length >> 1),
    'stored length check': new Uint8Array([0x01, 0x05, 0x00, 0x05, 0x00]),
    'distance too far': deflateLike(),
  };
  for (const [name, data] of Object.entries(cases)) assert.throws(() => inflateBounded(data, metadata.length), Error, name);
  assert.throws(() => inflateBounded(deflateRawSync(inputs.runs), 1000), /more than 1000 bytes/);
});

// A fixed-Huffman block whose first code is a back-reference: nothing to refer back to.
function deflateLike() {
  // BFINAL=1, BTYPE=01, then length code 257 (7 bits 0000001) and distance code 0 (5 bits 00000).
  const bits = [1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0];
  const out = new Uint8Array(4);
  bits.forEach((b, i) => (out[i >> 3] |= b << (i & 7)));
  return out;
}
