// Facts of the machine a run is on that the CLI's start-up needs before the bundle is loaded: kept
// apart from registries.ts so that dist/cli.js (the loader) does not pull the registry stack in.
import { homedir } from 'node:os';
import { join } from 'node:path';
import * as zlib from 'node:zlib';
import type { Platform } from '../core/ecosystem';
import { crc32 } from '../core/http/cache';

export function hostPlatform(): Platform {
  return process.platform === 'win32' ? 'win32' : process.platform === 'darwin' ? 'darwin' : 'linux';
}

/** The per-user cache folder the CLI uses by default, as XDG and the platforms lay them out. */
export function defaultCacheDir(env: Record<string, string | undefined>, platform: Platform = hostPlatform()): string {
  const home = env.HOME ?? homedir();
  if (platform === 'win32') return join(env.LOCALAPPDATA ?? join(home, 'AppData', 'Local'), 'pinsight', 'Cache');
  if (platform === 'darwin') return join(home, 'Library', 'Caches', 'pinsight');
  return join(env.XDG_CACHE_HOME || join(home, '.cache'), 'pinsight');
}

/** zlib's CRC-32 where Node has it (20.15 and later), else the cache's own: the same function. */
export function hostCrc32(): (bytes: Uint8Array) => number {
  const native = (zlib as { crc32?: (data: Uint8Array) => number }).crc32;
  return typeof native === 'function' ? (bytes) => native(bytes) : crc32;
}
