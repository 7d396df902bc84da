// Raw DEFLATE (RFC 1951) decoding in plain TypeScript, after Mark Adler's `puff`: the core reads a
// wheel's METADATA from a few ranged bytes without node:zlib, so it runs the same in the server, the
// CLI and tests. It decodes canonical Huffman codes bit by bit, which is slow for megabytes but
// ample for METADATA files of a few kilobytes.

const LENGTH_BASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const LENGTH_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DIST_BASE = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577];
const DIST_EXTRA = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
const CODE_LENGTH_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

/** Thrown for data that is not valid DEFLATE or that inflates past the size limit. */
export class InflateError extends Error {
  override name = 'InflateError';
}

interface Huffman {
  count: Uint16Array; // codes of each length 0..15
  symbol: Uint16Array; // symbols ordered by code
}

function buildHuffman(lengths: ArrayLike<number>): Huffman {
  const count = new Uint16Array(16);
  for (let i = 0; i < lengths.length; i++) count[lengths[i]]++;
  let left = 1;
  for (let len = 1; len < 16; len++) {
    left = (left << 1) - count[len];
    if (left < 0) throw new InflateError('over-subscribed Huffman code');
  }
  const offsets = new Uint16Array(16);
  for (let len = 1; len < 15; len++) offsets[len + 1] = offsets[len] + count[len];
  const symbol = new Uint16Array(lengths.length);
  for (let i = 0; i < lengths.length; i++) if (lengths[i] !== 0) symbol[offsets[lengths[i]]++] = i;
  return { count, symbol };
}

let fixedCodes: { lit: Huffman; dist: Huffman } | undefined;
function fixed(): { lit: Huffman; dist: Huffman } {
  if (!fixedCodes) {
    const lengths = new Uint8Array(288);
    lengths.fill(8, 0, 144).fill(9, 144, 256).fill(7, 256, 280).fill(8, 280, 288);
    fixedCodes = { lit: buildHuffman(lengths), dist: buildHuffman(new Uint8Array(30).fill(5)) };
  }
  return fixedCodes;
}

class Inflater {
  private pos = 0;
  private bitBuf = 0;
  private bitCount = 0;
  out: Uint8Array;
  outLen = 0;

  constructor(
    private readonly data: Uint8Array,
    private readonly maxOutput: number,
  ) {
    this.out = new Uint8Array(Math.min(maxOutput, Math.max(1024, data.length * 4)));
  }

  bits(n: number): number {
    let value = this.bitBuf;
    while (this.bitCount < n) {
      if (this.pos >= this.data.length) throw new InflateError('compressed data ends early');
      value |= this.data[this.pos++] << this.bitCount;
      this.bitCount += 8;
    }
    this.bitBuf = value >>> n;
    this.bitCount -= n;
    return value & ((1 << n) - 1);
  }

  private push(byte: number): void {
    if (this.outLen === this.out.length) {
      if (this.outLen >= this.maxOutput) throw new InflateError(`inflated data exceeds ${this.maxOutput} bytes`);
      const grown = new Uint8Array(Math.min(this.maxOutput, this.out.length * 2));
      grown.set(this.out);
      this.out = grown;
    }
    this.out[this.outLen++] = byte;
  }

  private decode(h: Huffman): number {
    let code = 0;
    let first = 0;
    let index = 0;
    for (let len = 1; len < 16; len++) {
      code |= this.bits(1);
      const count = h.count[len];
      if (code - count < first) return h.symbol[index + (code - first)];
      index += count;
      first = (first + count) << 1;
      code <<= 1;
    }
    throw new InflateError('invalid Huffman code');
  }

  stored(): void {
    this.bitBuf = 0;
    this.bitCount = 0;
    if (this.pos + 4 > this.data.length) throw new InflateError('stored block header ends early');
    const len = this.data[this.pos] | (this.data[this.pos + 1] << 8);
    const nlen = this.data[this.pos + 2] | (this.data[this.pos + 3] << 8);
    this.pos += 4;
    if (len !== (~nlen & 0xffff)) throw new InflateError('stored block length check failed');
    if (this.pos + len > this.data.length) throw new InflateError('stored block ends early');
    for (let i = 0; i < len; i++) this.push(this.data[this.pos + i]);
    this.pos += len;
  }

  codes(lit: Huffman, dist: Huffman): void {
    for (;;) {
      const sym = this.decode(lit);
      if (sym < 256) this.push(sym);
      else if (sym === 256) return;
      else {
        const li = sym - 257;
        if (li >= 29) throw new InflateError('invalid length symbol');
        const length = LENGTH_BASE[li] + this.bits(LENGTH_EXTRA[li]);
        const di = this.decode(dist);
        if (di >= 30) throw new InflateError('invalid distance symbol');
        const distance = DIST_BASE[di] + this.bits(DIST_EXTRA[di]);
        if (distance > this.outLen) throw new InflateError('distance reaches before the start of the data');
        for (let i = 0; i < length; i++) this.push(this.out[this.outLen - distance]);
      }
    }
  }

  dynamic(): void {
    const nlen = this.bits(5) + 257;
    const ndist = this.bits(5) + 1;
    const ncode = this.bits(4) + 4;
    if (nlen > 286 || ndist > 30) throw new InflateError('bad code counts in a dynamic block');
    const codeLengths = new Uint8Array(19);
    for (let i = 0; i < ncode; i++) codeLengths[CODE_LENGTH_ORDER[i]] = this.bits(3);
    const lencode = buildHuffman(codeLengths);
    const lengths = new Uint8Array(nlen + ndist);
    for (let i = 0; i < nlen + ndist; ) {
      const sym = this.decode(lencode);
      if (sym < 16) {
        lengths[i++] = sym;
        continue;
      }
      let repeat: number;
      let value = 0;
      if (sym === 16) {
        if (i === 0) throw new InflateError('repeat with no previous length');
        value = lengths[i - 1];
        repeat = 3 + this.bits(2);
      } else repeat = sym === 17 ? 3 + this.bits(3) : 11 + this.bits(7);
      if (i + repeat > nlen + ndist) throw new InflateError('too many code lengths');
      lengths.fill(value, i, i + repeat);
      i += repeat;
    }
    if (lengths[256] === 0) throw new InflateError('no end-of-block code');
    this.codes(buildHuffman(lengths.subarray(0, nlen)), buildHuffman(lengths.subarray(nlen)));
  }
}

/** Inflates raw DEFLATE data (zip method 8); throws InflateError on bad data or past maxOutput bytes. */
export function inflateRaw(data: Uint8Array, maxOutput = 16 * 1024 * 1024): Uint8Array {
  const inflater = new Inflater(data, maxOutput);
  let last = 0;
  while (!last) {
    last = inflater.bits(1);
    const type = inflater.bits(2);
    if (type === 0) inflater.stored();
    else if (type === 1) inflater.codes(fixed().lit, fixed().dist);
    else if (type === 2) inflater.dynamic();
    else throw new InflateError('invalid block type');
  }
  return inflater.out.subarray(0, inflater.outLen);
}
