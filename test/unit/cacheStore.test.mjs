// The on-disk cache store (node/cacheStore.ts) and the entry checksum (core/http/cache.ts) that
// every warm run reads through: entries round-trip, a removed cache folder is made again on the
// next write, and the sliced CRC-32 equals zlib's on every length and alignment.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileCacheStore } from '../../dist/node/cacheStore.js';
import { crc32, decodeEntry, encodeEntry } from '../../dist/core/http/cache.js';

test('crc32 equals zlib.crc32 on every length from 0 to 300 and at every offset into a buffer', () => {
  const data = randomBytes(4096);
  for (let n = 0; n <= 300; n++) assert.equal(crc32(data.subarray(0, n)), zlibCrc32(data.subarray(0, n)), `length ${n}`);
  for (let offset = 1; offset < 9; offset++) assert.equal(crc32(data.subarray(offset, offset + 1000)), zlibCrc32(data.subarray(offset, offset + 1000)), `offset ${offset}`);
  assert.equal(crc32(data), zlibCrc32(data));
});

test('an entry survives the store; a damaged byte is caught by the checksum', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pinsight-store-'));
  try {
    const store = createFileCacheStore(join(dir, 'cache'));
    const entry = { key: 'k', url: 'https://example.test/simple/a/', status: 200, headers: { etag: '"1"' }, storedAt: 5, body: new TextEncoder().encode('{"files":[]}') };
    await store.put('v1-k', encodeEntry(entry));
    const read = await store.get('v1-k');
    assert.deepEqual(decodeEntry(read, 'k'), { ok: true, entry });
    const damaged = new Uint8Array(read);
    damaged[damaged.length - 2] ^= 0xff;
    assert.equal(decodeEntry(damaged, 'k').ok, false);
    assert.equal(await store.get('v1-missing'), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('blocking reads (the CLI\'s store) read what the default store wrote, report misses, drop torn frames and never throw for a missing folder', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pinsight-store-'));
  try {
    const folder = join(dir, 'cache');
    const blocking = createFileCacheStore(folder, { blockingReads: true });
    assert.equal(await blocking.get('v1-k'), undefined); // no folder yet
    const writer = createFileCacheStore(folder);
    const entry = { key: 'k', url: 'https://example.test/simple/a/', status: 200, headers: {}, storedAt: 5, body: new TextEncoder().encode('{"files":[]}') };
    await writer.put('v1-k', encodeEntry(entry));
    assert.deepEqual(decodeEntry(await blocking.get('v1-k'), 'k'), { ok: true, entry });
    assert.equal(await blocking.get('v1-other'), undefined);
    // A file cut inside its frame header reads as a miss and is removed.
    const [name] = readdirSync(folder);
    writeFileSync(join(folder, name), Buffer.from('PSK1'));
    assert.equal(await blocking.get('v1-k'), undefined);
    assert.deepEqual(readdirSync(folder), []);
    // The same store writes too.
    await blocking.put('v1-k', encodeEntry(entry));
    assert.deepEqual(decodeEntry(await writer.get('v1-k'), 'k'), { ok: true, entry });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the cache folder is made on the first write and made again when it was removed meanwhile', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pinsight-store-'));
  try {
    const folder = join(dir, 'nested', 'cache');
    const store = createFileCacheStore(folder);
    await store.put('a', new Uint8Array([1]));
    assert.equal(readdirSync(folder).length, 1);
    rmSync(join(dir, 'nested'), { recursive: true, force: true });
    await store.put('b', new Uint8Array([2]));
    assert.deepEqual([...(await store.get('b'))], [2]);
    assert.equal(await store.get('a'), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('entries written with the host\'s native checksum read back with the core\'s, and the other way round', () => {
  const entry = { key: 'k', url: 'https://example.test/m', status: 200, headers: {}, storedAt: 1, body: randomBytes(5000) };
  const native = (bytes) => zlibCrc32(bytes);
  assert.deepEqual(decodeEntry(encodeEntry(entry, native), 'k'), { ok: true, entry: { ...entry, body: new Uint8Array(entry.body) } });
  assert.equal(decodeEntry(encodeEntry(entry), 'k', native).ok, true);
  const spoiled = encodeEntry(entry);
  spoiled[spoiled.length - 1] ^= 1;
  assert.equal(decodeEntry(spoiled, 'k', native).ok, false);
});
