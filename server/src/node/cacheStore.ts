// The on-disk CacheStore: one file per key in a flat directory. File names are sha256(key) so any
// key is a safe, fixed-length name; each file starts with its key so that list() can report keys
// for eviction without a separate index that could drift out of sync.

import { createHash, randomBytes } from 'node:crypto';
import { readFile as readFileCallback, readFileSync } from 'node:fs';
import { mkdir, open, readdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { CacheStore } from '../core/http/types';

// Frame: "PSK1" | uint32 BE key length | key (UTF-8) | data. The data carries its own checksum
// (see core/http/cache.ts); the frame only has to say whose data it is.
const MAGIC = Buffer.from('PSK1', 'latin1');
const PREFIX = MAGIC.length + 4;
const MAX_KEY_BYTES = 4096;
const ENTRY_NAME = /^[0-9a-f]{64}$/;
// A temp file this old belongs to a writer that died; younger ones may still be renamed.
const STALE_TEMP_MS = 60 * 60_000;
const LIST_PARALLELISM = 16;
// fs.readFile with a callback reads a whole file in one native job; the promise API's JS loop
// (open, fstat, read, close, each a hop through the thread pool) took two to three times longer
// over a warm run's two hundred small entries.
const readFile = promisify(readFileCallback);

export interface FileCacheStoreOptions {
  /**
   * Read entries with blocking reads. For a one-shot process (the CLI) with nothing else on its
   * event loop: a warm run reads about two hundred small entries, and each asynchronous read is four
   * hops through the thread pool (open, fstat, read, close) that cost more than the read itself on
   * a busy machine. The language server keeps the default, which never blocks its loop on the disk.
   */
  blockingReads?: boolean;
}

/** A CacheStore in `dir` (created on first write) with atomic writes: temp file + rename. */
export function createFileCacheStore(dir: string, options: FileCacheStoreOptions = {}): CacheStore {
  const read = options.blockingReads ? async (path: string) => readFileSync(path) : readFile;
  const pathOf = (key: string) => join(dir, createHash('sha256').update(key, 'utf8').digest('hex'));
  // The folder is made once per store, not once per write; a failed mkdir is tried again next time.
  let made: Promise<unknown> | undefined;
  const makeDir = () => (made ??= mkdir(dir, { recursive: true }).catch((error: unknown) => {
    made = undefined;
    throw error;
  }));

  return {
    async get(key) {
      let file: Buffer;
      try {
        file = await read(pathOf(key));
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw error;
      }
      const frame = readFrame(file);
      if (frame === undefined) {
        // A torn frame can never be read: remove it now rather than on every lookup.
        await unlinkQuietly(pathOf(key));
        return undefined;
      }
      if (frame.key !== key) return undefined;
      return new Uint8Array(file.buffer, file.byteOffset + frame.dataOffset, file.length - frame.dataOffset);
    },

    async put(key, data) {
      const keyBytes = Buffer.from(key, 'utf8');
      if (keyBytes.length > MAX_KEY_BYTES) throw new RangeError(`cache key longer than ${MAX_KEY_BYTES} bytes`);
      const header = Buffer.alloc(PREFIX);
      MAGIC.copy(header, 0);
      header.writeUInt32BE(keyBytes.length, MAGIC.length);
      await makeDir();
      const target = pathOf(key);
      const temp = `${target}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
      try {
        // No fsync: after a power cut a torn entry fails its checksum and is refetched, which is
        // cheaper than syncing every registry response.
        const frame = Buffer.concat([header, keyBytes, data]);
        try {
          await writeFile(temp, frame, { flag: 'wx' });
        } catch (error) {
          // The folder was removed since it was made (a user cleared the cache): make it again.
          if (!isMissing(error)) throw error;
          made = undefined;
          await makeDir();
          await writeFile(temp, frame, { flag: 'wx' });
        }
        await rename(temp, target);
      } catch (error) {
        await unlinkQuietly(temp);
        throw error;
      }
    },

    async delete(key) {
      await unlinkQuietly(pathOf(key));
    },

    async list() {
      let names: string[];
      try {
        names = await readdir(dir);
      } catch (error) {
        if (isMissing(error)) return [];
        throw error;
      }
      const out: Array<{ key: string; size: number; mtimeMs: number }> = [];
      for (let i = 0; i < names.length; i += LIST_PARALLELISM) {
        const batch = await Promise.all(names.slice(i, i + LIST_PARALLELISM).map((name) => describe(join(dir, name), name)));
        for (const item of batch) if (item) out.push(item);
      }
      return out;
    },
  };
}

async function describe(path: string, name: string): Promise<{ key: string; size: number; mtimeMs: number } | undefined> {
  try {
    if (name.endsWith('.tmp')) {
      const info = await stat(path);
      if (Date.now() - info.mtimeMs > STALE_TEMP_MS) await unlinkQuietly(path);
      return undefined;
    }
    if (!ENTRY_NAME.test(name)) return undefined; // not ours: leave it alone
    const key = await readKey(path);
    if (key === undefined) {
      await unlinkQuietly(path);
      return undefined;
    }
    const info = await stat(path);
    return { key, size: info.size, mtimeMs: info.mtimeMs };
  } catch (error) {
    if (isMissing(error)) return undefined; // deleted or replaced by another process meanwhile
    throw error;
  }
}

async function readKey(path: string): Promise<string | undefined> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(PREFIX + MAX_KEY_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return readFrame(buffer.subarray(0, bytesRead))?.key;
  } finally {
    await handle.close();
  }
}

function readFrame(file: Buffer): { key: string; dataOffset: number } | undefined {
  if (file.length < PREFIX || !file.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  const keyLength = file.readUInt32BE(MAGIC.length);
  if (keyLength > MAX_KEY_BYTES || PREFIX + keyLength > file.length) return undefined;
  const dataOffset = PREFIX + keyLength;
  return { key: file.toString('utf8', PREFIX, dataOffset), dataOffset };
}

async function unlinkQuietly(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (error) {
    if (!isMissing(error)) throw error;
  }
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}
