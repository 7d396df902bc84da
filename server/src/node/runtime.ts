import { constants } from 'node:fs';
import { open as openFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { DirEntry, FileStat, Runtime } from '../core/runtime';

function kindOf(s: { isFile(): boolean; isDirectory(): boolean }): FileStat['kind'] {
  return s.isFile() ? 'file' : s.isDirectory() ? 'dir' : 'other';
}

// Checks run side by side, each reading hundreds of small files: an unbounded burst would hit the
// open-file limit (EMFILE), and a file that cannot be opened reads as absent. 64 at a time keeps
// libuv's pool busy without that.
const MAX_OPEN = 64;
let open = 0;
const waiting: Array<() => void> = [];

async function bounded<T>(run: () => Promise<T>): Promise<T> {
  if (open >= MAX_OPEN) await new Promise<void>((resolve) => waiting.push(resolve));
  open++;
  try {
    return await run();
  } finally {
    open--;
    waiting.shift()?.();
  }
}

async function statPath(path: string): Promise<FileStat | undefined> {
  try {
    const s = await bounded(() => stat(path));
    return { kind: kindOf(s), size: s.size, mtimeMs: s.mtimeMs };
  } catch {
    return undefined;
  }
}

/** No file Pinsight reads (manifests, lockfiles, configuration) is near this; a larger one is not read. */
export const MAX_READ_BYTES = 64 * 1024 * 1024;

// Large files read with every check (a CA bundle named by REQUESTS_CA_BUNDLE, a lockfile) are kept
// while the descriptor's stat says they are the same file, unchanged: device, inode, size, mtime and
// ctime (a write changes ctime even when it restores mtime). Small files are simply read again.
const KEEP_FROM_BYTES = 32 * 1024;
const KEEP_FILES = 16;
const kept = new Map<string, { stamp: string; text: string }>();
/** Reads of regular files, and how many of them `kept` answered (what tests count). */
export const fileReads = { reads: 0, kept: 0 };

// Opened without blocking and checked on the open descriptor: a FIFO, a device (/dev/zero) or a
// huge file reads as unreadable instead of hanging or exhausting the process.
async function readRegularFile(path: string): Promise<string | undefined> {
  const handle = await openFile(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const info = await handle.stat();
    if (!info.isFile() || info.size > MAX_READ_BYTES) return undefined;
    fileReads.reads++;
    if (info.size < KEEP_FROM_BYTES) return await handle.readFile('utf8');
    const stamp = `${info.dev}:${info.ino}:${info.size}:${info.mtimeMs}:${info.ctimeMs}`;
    const hit = kept.get(path);
    if (hit?.stamp === stamp) {
      fileReads.kept++;
      return hit.text;
    }
    const text = await handle.readFile('utf8');
    kept.delete(path);
    if (kept.size >= KEEP_FILES) kept.delete(kept.keys().next().value!);
    kept.set(path, { stamp, text });
    return text;
  } finally {
    await handle.close();
  }
}

/** The real runtime for the CLI and the server: the disk and the process environment. */
export function createNodeRuntime(overlay?: (path: string) => string | undefined): Runtime {
  return {
    env: process.env,
    async readFile(path: string): Promise<string | undefined> {
      const open = overlay?.(path);
      if (open !== undefined) return open;
      try {
        return await bounded(() => readRegularFile(path));
      } catch {
        return undefined;
      }
    },
    async listDir(path: string): Promise<DirEntry[] | undefined> {
      try {
        const entries = await bounded(() => readdir(path, { withFileTypes: true }));
        return Promise.all(
          entries.map(async (e) => ({ name: e.name, kind: e.isSymbolicLink() ? ((await statPath(join(path, e.name)))?.kind ?? 'other') : kindOf(e) })),
        );
      } catch {
        return undefined;
      }
    },
    stat: statPath,
  };
}
