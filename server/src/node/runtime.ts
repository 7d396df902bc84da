import { readFile } from 'node:fs/promises';
import type { Runtime } from '../core/runtime';

/** The real runtime for the CLI and the server: the disk and the process environment. */
export function createNodeRuntime(overlay?: (path: string) => string | undefined): Runtime {
  return {
    env: process.env,
    async readFile(path: string): Promise<string | undefined> {
      const open = overlay?.(path);
      if (open !== undefined) return open;
      try {
        return await readFile(path, 'utf8');
      } catch {
        return undefined;
      }
    },
  };
}
