// The registry cache: a small in-memory LRU in front of an injected byte store (disk in the server and
// CLI). Entries are serialised with a format version and a CRC-32 so that a torn, truncated or
// foreign file reads as a miss, is deleted and refetched — the cache can lose data, never crash.

import type { CacheStore } from './types';

/** One cached response (only 200/206 bodies are cached). */
export interface CacheEntry {
  /** The logical key: URL, accept, range, caller headers and an auth fingerprint. Never credentials. */
  key: string;
  /** Final URL after redirects. */
  url: string;
  status: number;
  /** Lowercased response headers (ETag and Last-Modified drive revalidation). */
  headers: Record<string, string>;
  /** Clock time of the last fetch or successful revalidation. */
  storedAt: number;
  body: Uint8Array;
}

/** Bump when the layout below changes: older files then read as corrupt and are refetched. */
export const CACHE_FORMAT_VERSION = 1;

// Line 1 is fixed-width: "PINSIGHT-CACHE <version> <crc32 of the rest, 8 hex>\n". The rest is one
// line of JSON (JSON.stringify never emits a raw newline), "\n", then the body bytes.
const MAGIC = 'PINSIGHT-CACHE';
const FIRST_LINE_LENGTH = MAGIC.length + 1 + 1 + 1 + 8 + 1;
const NEWLINE = 0x0a;

interface EntryHeader {
  key: string;
  url: string;
  status: number;
  headers: Record<string, string>;
  storedAt: number;
  bodyLength: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Serialises an entry: versioned first line with a checksum, JSON header line, body. */
export function encodeEntry(entry: CacheEntry, checksum: (bytes: Uint8Array) => number = crc32): Uint8Array {
  const header: EntryHeader = {
    key: entry.key,
    url: entry.url,
    status: entry.status,
    headers: entry.headers,
    storedAt: entry.storedAt,
    bodyLength: entry.body.length,
  };
  const headerBytes = encoder.encode(JSON.stringify(header) + '\n');
  const rest = new Uint8Array(headerBytes.length + entry.body.length);
  rest.set(headerBytes, 0);
  rest.set(entry.body, headerBytes.length);
  const crc = checksum(rest).toString(16).padStart(8, '0');
  const first = encoder.encode(`${MAGIC} ${CACHE_FORMAT_VERSION} ${crc}\n`);
  const out = new Uint8Array(first.length + rest.length);
  out.set(first, 0);
  out.set(rest, first.length);
  return out;
}

export type DecodeResult = { ok: true; entry: CacheEntry } | { ok: false; reason: string };

/** Parses stored bytes; anything torn, truncated, of another version or for another key is rejected. */
export function decodeEntry(data: Uint8Array, expectedKey: string, checksum: (bytes: Uint8Array) => number = crc32): DecodeResult {
  if (data.length < FIRST_LINE_LENGTH) return { ok: false, reason: 'shorter than the entry header' };
  let first: string;
  try {
    first = decoder.decode(data.subarray(0, FIRST_LINE_LENGTH));
  } catch {
    return { ok: false, reason: 'not a cache entry' };
  }
  const match = /^PINSIGHT-CACHE (\d) ([0-9a-f]{8})\n$/.exec(first);
  if (!match) return { ok: false, reason: 'not a cache entry' };
  if (Number(match[1]) !== CACHE_FORMAT_VERSION) return { ok: false, reason: `format version ${match[1]}` };
  const rest = data.subarray(FIRST_LINE_LENGTH);
  if (checksum(rest) !== parseInt(match[2], 16)) return { ok: false, reason: 'checksum mismatch (truncated or damaged)' };
  const newline = rest.indexOf(NEWLINE);
  if (newline < 0) return { ok: false, reason: 'no header line' };
  let header: unknown;
  try {
    header = JSON.parse(decoder.decode(rest.subarray(0, newline)));
  } catch {
    return { ok: false, reason: 'header is not JSON' };
  }
  if (!isEntryHeader(header)) return { ok: false, reason: 'header fields missing' };
  const body = rest.subarray(newline + 1);
  if (body.length !== header.bodyLength) return { ok: false, reason: 'body length mismatch' };
  // A different key means two logical keys hashed to one store key: a miss, not corruption.
  if (header.key !== expectedKey) return { ok: false, reason: 'entry belongs to another key' };
  const { key, url, status, headers, storedAt } = header;
  return { ok: true, entry: { key, url, status, headers, storedAt, body } };
}

function isEntryHeader(value: unknown): value is EntryHeader {
  if (typeof value !== 'object' || value === null) return false;
  const h = value as Record<string, unknown>;
  if (typeof h.key !== 'string' || typeof h.url !== 'string') return false;
  if (!Number.isInteger(h.status) || !Number.isFinite(h.storedAt) || !Number.isInteger(h.bodyLength)) return false;
  if (typeof h.headers !== 'object' || h.headers === null || Array.isArray(h.headers)) return false;
  return Object.values(h.headers).every((v) => typeof v === 'string');
}

// Slicing-by-8: eight derived tables let the loop take eight bytes a step. Every cached entry is
// checked on read, and the byte-at-a-time loop was the largest single item of a warm CLI run.
// Built on the first call: where zlib.crc32 checks the entries (Node 20.15+), it is never needed,
// and building it was about 5 ms of every CLI start.
let crcTables: Uint32Array | undefined;
const buildCrcTables = (): Uint32Array => {
  const tables = new Uint32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    tables[n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++) {
    for (let t = 1; t < 8; t++) tables[t * 256 + n] = (tables[(t - 1) * 256 + n] >>> 8) ^ tables[tables[(t - 1) * 256 + n] & 0xff];
  }
  return tables;
};

/** CRC-32 (IEEE), the zlib/PNG checksum; pure so the core needs no node:crypto. */
export function crc32(bytes: Uint8Array): number {
  const t = (crcTables ??= buildCrcTables());
  let crc = 0xffffffff;
  let i = 0;
  const end8 = bytes.length - (bytes.length % 8);
  for (; i < end8; i += 8) {
    const a = (crc ^ (bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24))) >>> 0;
    crc =
      t[1792 + (a & 0xff)] ^ t[1536 + ((a >>> 8) & 0xff)] ^ t[1280 + ((a >>> 16) & 0xff)] ^ t[1024 + (a >>> 24)] ^
      t[768 + bytes[i + 4]] ^ t[512 + bytes[i + 5]] ^ t[256 + bytes[i + 6]] ^ t[bytes[i + 7]];
  }
  for (; i < bytes.length; i++) crc = t[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** A short, stable, non-cryptographic hash (two seeded 53-bit cyrb53 rounds) as hex. */
export function hashString(text: string): string {
  return cyrb53(text, 0x9e3779b9).toString(16).padStart(14, '0') + cyrb53(text, 0x85ebca6b).toString(16).padStart(14, '0');
}

function cyrb53(text: string, seed: number): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** Least-recently-used map bounded by entry count and total body bytes. */
export class MemoryLru {
  private readonly entries = new Map<string, CacheEntry>();
  private bytes = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly maxBytes: number,
  ) {}

  get(key: string): CacheEntry | undefined {
    const entry = this.entries.get(key);
    if (entry) {
      // Map iteration order is insertion order: re-inserting marks the entry most recently used.
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    return entry;
  }

  set(entry: CacheEntry): void {
    this.delete(entry.key);
    // An entry bigger than the whole budget would only evict everything else and then itself.
    if (this.maxEntries <= 0 || entry.body.length > this.maxBytes) return;
    this.entries.set(entry.key, entry);
    this.bytes += entry.body.length;
    for (const [key, oldest] of this.entries) {
      if (this.entries.size <= this.maxEntries && this.bytes <= this.maxBytes) break;
      this.entries.delete(key);
      this.bytes -= oldest.body.length;
    }
  }

  delete(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.bytes -= entry.body.length;
  }

  get size(): number {
    return this.entries.size;
  }
}

export interface EntryCacheOptions {
  store?: CacheStore;
  /** The host's CRC-32 (IEEE) when it has a native one; crc32 above otherwise. Same values either way. */
  checksum?: (bytes: Uint8Array) => number;
  memoryEntries: number;
  memoryBytes: number;
  maxStoreBytes: number;
}

/** Store keys are hashes: stable, short, file-name safe, and free of URLs and credentials. */
export function storeKeyOf(key: string): string {
  return `v${CACHE_FORMAT_VERSION}-${hashString(key)}`;
}

// After an eviction the store is trimmed to this fraction of its bound, so that the next few writes
// do not each trigger another (costly) list().
const EVICT_LOW_WATER = 0.9;

/** Memory LRU over an optional CacheStore; store failures degrade to misses, never to errors. */
export class EntryCache {
  private readonly memory: MemoryLru;
  /** Running estimate of the store's size; undefined until the first list(). */
  private storeBytes: number | undefined;
  private evicting: Promise<void> | undefined;
  corruptEntries = 0;
  storeErrors = 0;

  constructor(private readonly options: EntryCacheOptions) {
    this.memory = new MemoryLru(options.memoryEntries, options.memoryBytes);
  }

  /** Memory only, synchronous: the fast path for fresh hits. */
  peek(key: string): CacheEntry | undefined {
    return this.memory.get(key);
  }

  /** Memory, then the store; a corrupt store entry is deleted and reported as a miss. */
  async get(key: string): Promise<CacheEntry | undefined> {
    const hit = this.memory.get(key);
    if (hit || !this.options.store) return hit;
    const storeKey = storeKeyOf(key);
    let data: Uint8Array | undefined;
    try {
      data = await this.options.store.get(storeKey);
    } catch {
      this.storeErrors++;
      return undefined;
    }
    if (!data) return undefined;
    const decoded = decodeEntry(data, key, this.options.checksum);
    if (!decoded.ok) {
      if (decoded.reason !== 'entry belongs to another key') {
        this.corruptEntries++;
        await this.safeDelete(storeKey);
      }
      return undefined;
    }
    this.memory.set(decoded.entry);
    return decoded.entry;
  }

  /** Writes through to the store, then trims the store to its byte bound. */
  async put(entry: CacheEntry): Promise<void> {
    this.memory.set(entry);
    const store = this.options.store;
    if (!store) return;
    const data = encodeEntry(entry, this.options.checksum);
    try {
      await store.put(storeKeyOf(entry.key), data);
    } catch {
      this.storeErrors++;
      return;
    }
    if (this.storeBytes !== undefined) this.storeBytes += data.length;
    if (this.storeBytes === undefined || this.storeBytes > this.options.maxStoreBytes) await this.evict();
  }

  /** Drops one entry from memory and store. */
  async delete(key: string): Promise<void> {
    this.memory.delete(key);
    await this.safeDelete(storeKeyOf(key));
  }

  private async safeDelete(storeKey: string): Promise<void> {
    try {
      await this.options.store?.delete(storeKey);
    } catch {
      this.storeErrors++;
    }
  }

  private evict(): Promise<void> {
    // One eviction at a time: concurrent writers share the running one.
    this.evicting ??= this.evictNow().finally(() => {
      this.evicting = undefined;
    });
    return this.evicting;
  }

  private async evictNow(): Promise<void> {
    const store = this.options.store;
    if (!store) return;
    let listing: Array<{ key: string; size: number; mtimeMs: number }>;
    try {
      listing = await store.list();
    } catch {
      this.storeErrors++;
      return;
    }
    let total = listing.reduce((sum, item) => sum + item.size, 0);
    const bound = this.options.maxStoreBytes;
    if (total > bound) {
      // Least recently written first: a version list refetched today outlives last month's.
      listing.sort((a, b) => a.mtimeMs - b.mtimeMs);
      for (const item of listing) {
        if (total <= bound * EVICT_LOW_WATER) break;
        await this.safeDelete(item.key);
        total -= item.size;
      }
    }
    this.storeBytes = total;
  }
}
