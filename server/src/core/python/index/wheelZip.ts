// Reading `*.dist-info/METADATA` out of a remote wheel with HTTP range requests, as pip's
// `fast-deps` and uv do: one suffix read that usually holds the central directory and (because
// build backends write dist-info last) the METADATA entry itself, then at most a read or two more.

// The browser build: the same inflate without the node build's worker_threads import, which cost
// about 10 ms of every CLI start (the core runs no workers).
import { inflateSync } from 'fflate/browser';

/** A byte range request: `{start, end}` inclusive, or the last `suffix` bytes. */
export type ByteRange = { start: number; end: number } | { suffix: number };

/** The bytes a range read returned, where they sit in the file and the file's size. */
export interface RangeChunk {
  bytes: Uint8Array;
  start: number;
  total: number;
}

export type RangeReader = (range: ByteRange) => Promise<RangeChunk>;

/** The archive is not a readable wheel; the message says why. */
export class WheelError extends Error {
  override name = 'WheelError';
}

interface Entry {
  name: string;
  method: number;
  crc: number;
  compressedSize: number;
  uncompressedSize: number;
  localOffset: number;
  nameLength: number;
  extraLength: number;
}

const TAIL = 64 * 1024;
const MAX_METADATA = 16 * 1024 * 1024;

let crcTable: Uint32Array | undefined;
function crc32(data: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = crcTable[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

// The chunks read so far; `slice` answers from them or reads the missing span.
class RemoteFile {
  private chunks: RangeChunk[] = [];
  /** Reads under way, so that a span inside one waits for it instead of asking again. */
  private pending: Array<{ start: number; end: number; read: Promise<RangeChunk> }> = [];
  total = 0;

  constructor(private readonly read: RangeReader) {}

  async tail(size: number): Promise<RangeChunk> {
    const chunk = await this.read({ suffix: size });
    this.chunks.push(chunk);
    this.total = chunk.total;
    return chunk;
  }

  /** Bytes [start, end) of the file. */
  async slice(start: number, end: number): Promise<Uint8Array> {
    if (start < 0 || end > this.total || start > end) throw new WheelError('the zip directory points outside the file');
    let chunk = this.chunks.find((c) => c.start <= start && c.start + c.bytes.length >= end);
    if (!chunk) {
      const under = this.pending.find((p) => p.start <= start && p.end >= end);
      if (under) chunk = await under.read;
      else {
        const entry = { start, end, read: this.read({ start, end: end - 1 }) };
        this.pending.push(entry);
        try {
          chunk = await entry.read;
        } finally {
          this.pending = this.pending.filter((p) => p !== entry);
        }
        this.chunks.push(chunk);
      }
      if (chunk.start > start || chunk.start + chunk.bytes.length < end) throw new WheelError('the server returned a different byte range than asked for');
    }
    return chunk.bytes.subarray(start - chunk.start, end - chunk.start);
  }
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

// Central directory offset, size and entry count from the end record (and the zip64 one if needed).
async function locateDirectory(file: RemoteFile, tail: RangeChunk): Promise<{ offset: number; size: number; count: number }> {
  const b = tail.bytes;
  let at = -1;
  for (let i = b.length - 22; i >= Math.max(0, b.length - 22 - 0xffff); i--) {
    if (b[i] === 0x50 && b[i + 1] === 0x4b && b[i + 2] === 0x05 && b[i + 3] === 0x06) {
      at = i;
      break;
    }
  }
  if (at < 0) throw new WheelError('the file is not a zip archive (no end of central directory record)');
  const d = view(b);
  let count = d.getUint16(at + 10, true);
  let size = d.getUint32(at + 12, true);
  let offset = d.getUint32(at + 16, true);
  if (count === 0xffff || size === 0xffffffff || offset === 0xffffffff) {
    const locatorAt = tail.start + at - 20;
    const locator = view(await file.slice(locatorAt, locatorAt + 20));
    if (locator.getUint32(0, true) !== 0x07064b50) throw new WheelError('the zip64 end record locator is missing');
    const recordAt = Number(locator.getBigUint64(8, true));
    const record = view(await file.slice(recordAt, recordAt + 56));
    if (record.getUint32(0, true) !== 0x06064b50) throw new WheelError('the zip64 end record is missing');
    count = Number(record.getBigUint64(32, true));
    size = Number(record.getBigUint64(40, true));
    offset = Number(record.getBigUint64(48, true));
  }
  return { offset, size, count };
}

function readEntries(cd: Uint8Array, count: number): Entry[] {
  const d = view(cd);
  const entries: Entry[] = [];
  const decoder = new TextDecoder();
  let p = 0;
  for (let n = 0; n < count; n++) {
    if (p + 46 > cd.length || d.getUint32(p, true) !== 0x02014b50) throw new WheelError('the zip central directory is damaged');
    const nameLength = d.getUint16(p + 28, true);
    const extraLength = d.getUint16(p + 30, true);
    const commentLength = d.getUint16(p + 32, true);
    const entry: Entry = {
      name: decoder.decode(cd.subarray(p + 46, p + 46 + nameLength)),
      method: d.getUint16(p + 10, true),
      crc: d.getUint32(p + 16, true),
      compressedSize: d.getUint32(p + 20, true),
      uncompressedSize: d.getUint32(p + 24, true),
      localOffset: d.getUint32(p + 42, true),
      nameLength,
      extraLength,
    };
    applyZip64(entry, cd.subarray(p + 46 + nameLength, p + 46 + nameLength + extraLength));
    entries.push(entry);
    p += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

// The zip64 extra field holds, in order, whichever of the 32-bit fields were saturated.
function applyZip64(entry: Entry, extra: Uint8Array): void {
  const d = view(extra);
  for (let p = 0; p + 4 <= extra.length; ) {
    const id = d.getUint16(p, true);
    const len = d.getUint16(p + 2, true);
    if (id === 0x0001) {
      let q = p + 4;
      const next = () => {
        if (q + 8 > p + 4 + len) throw new WheelError('a zip64 extra field is too short');
        const v = Number(d.getBigUint64(q, true));
        q += 8;
        return v;
      };
      if (entry.uncompressedSize === 0xffffffff) entry.uncompressedSize = next();
      if (entry.compressedSize === 0xffffffff) entry.compressedSize = next();
      if (entry.localOffset === 0xffffffff) entry.localOffset = next();
      return;
    }
    p += 4 + len;
  }
}

/** Raw DEFLATE data decompressed, refusing more than `max` bytes of output (a zip bomb stops there). */
export function inflateBounded(data: Uint8Array, max: number): Uint8Array {
  // fflate stops writing at the end of a caller's buffer: one byte of room past `max` shows an overflow.
  const out = inflateSync(data, { out: new Uint8Array(max + 1) });
  if (out.length > max) throw new Error(`the data inflates to more than ${max} bytes`);
  return out;
}

/** The METADATA entry of a wheel: `<name>-<version>.dist-info/METADATA` at the top level. */
function findMetadata(entries: Entry[]): Entry {
  const candidates = entries.filter((e) => /^[^/]+\.dist-info\/METADATA$/.test(e.name));
  if (candidates.length === 0) throw new WheelError('the wheel has no .dist-info/METADATA file');
  if (candidates.length > 1) throw new WheelError('the wheel has more than one .dist-info directory');
  return candidates[0];
}

/** Reads and decompresses a remote wheel's METADATA through range reads; throws WheelError if unreadable. */
export async function readWheelMetadata(read: RangeReader): Promise<Uint8Array> {
  const file = new RemoteFile(read);
  const tail = await file.tail(TAIL);
  const dir = await locateDirectory(file, tail);
  const entry = findMetadata(readEntries(await file.slice(dir.offset, dir.offset + dir.size), dir.count));
  if (entry.compressedSize > MAX_METADATA || entry.uncompressedSize > MAX_METADATA) throw new WheelError('the METADATA file is implausibly large');
  return readEntry(file, entry, 'the METADATA file', 0);
}

/**
 * One entry's bytes through range reads: its local header (guessing that the local extra field has
 * the central one's length, plus `slack`, so that one read usually suffices), then its data,
 * decompressed and CRC-checked. `label` names it in the WheelError thrown when it is unreadable.
 */
async function readEntry(file: RemoteFile, entry: Entry, label: string, slack: number): Promise<Uint8Array> {
  const guess = 30 + entry.nameLength + entry.extraLength + entry.compressedSize + slack;
  const header = view(await file.slice(entry.localOffset, Math.min(file.total, entry.localOffset + Math.max(30, guess))));
  if (header.getUint32(0, true) !== 0x04034b50) throw new WheelError(`${label} has no local file header`);
  const dataStart = entry.localOffset + 30 + header.getUint16(26, true) + header.getUint16(28, true);
  const data = await file.slice(dataStart, dataStart + entry.compressedSize);
  let out: Uint8Array;
  if (entry.method === 0) out = data;
  else if (entry.method === 8) {
    try {
      out = inflateBounded(data, entry.uncompressedSize);
    } catch (error) {
      throw new WheelError(`${label} does not decompress (${(error as Error).message})`);
    }
  } else throw new WheelError(`${label} uses zip compression method ${entry.method}, which wheels may not use`);
  if (out.length !== entry.uncompressedSize || crc32(out) !== entry.crc) throw new WheelError(`${label} fails its zip CRC check`);
  return out;
}

/** One member of a remote wheel, as its central directory lists it. */
export interface WheelMember {
  name: string;
  /** Bytes once decompressed (what RECORD's size would say). */
  size: number;
  /** Bytes in the archive. */
  compressedSize: number;
}

// A local header's extra field may differ from the central one; this much slack usually covers it.
const LOCAL_SLACK = 64;
// Members closer together than this are read in one request: a request costs more than the gap.
const MERGE_GAP = 16 * 1024;

/**
 * A remote wheel opened through range reads: its central directory (the file list, in place of
 * RECORD) and, on demand, the members asked for, neighbours fetched in one request.
 */
export class RemoteWheel {
  private constructor(
    private readonly file: RemoteFile,
    private readonly entries: Map<string, Entry>,
  ) {}

  /** Reads the central directory with a suffix read of `tail` bytes (plus one read if the directory is larger). */
  static async open(read: RangeReader, tail = 16 * 1024): Promise<RemoteWheel> {
    const file = new RemoteFile(read);
    const end = await file.tail(tail);
    const dir = await locateDirectory(file, end);
    const entries = readEntries(await file.slice(dir.offset, dir.offset + dir.size), dir.count);
    return new RemoteWheel(file, new Map(entries.map((e) => [e.name, e])));
  }

  /** The file's size in bytes. */
  get total(): number {
    return this.file.total;
  }

  members(): WheelMember[] {
    return [...this.entries.values()].map((e) => ({ name: e.name, size: e.uncompressedSize, compressedSize: e.compressedSize }));
  }

  /** Reads members' spans ahead, merging neighbours, so that `member` answers from memory. */
  async prefetch(names: string[]): Promise<void> {
    const spans = names
      .map((n) => this.entries.get(n))
      .filter((e): e is Entry => e !== undefined)
      .map((e) => ({ start: e.localOffset, end: Math.min(this.file.total, e.localOffset + 30 + e.nameLength + e.extraLength + e.compressedSize + LOCAL_SLACK) }))
      .sort((a, b) => a.start - b.start);
    const merged: Array<{ start: number; end: number }> = [];
    for (const span of spans) {
      const last = merged.at(-1);
      if (last && span.start - last.end <= MERGE_GAP) last.end = Math.max(last.end, span.end);
      else merged.push({ ...span });
    }
    await Promise.all(merged.map((s) => this.file.slice(s.start, s.end)));
  }

  /** One member's bytes, decompressed (at most `max` bytes) and CRC-checked; throws WheelError. */
  async member(name: string, max = MAX_METADATA): Promise<Uint8Array> {
    const entry = this.entries.get(name);
    if (!entry) throw new WheelError(`the wheel has no ${name}`);
    if (entry.uncompressedSize > max) throw new WheelError(`${name} is larger than ${max} bytes`);
    return readEntry(this.file, entry, name, LOCAL_SLACK);
  }
}
