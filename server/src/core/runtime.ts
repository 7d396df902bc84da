// The I/O the pure core may use, injected by its host: the language server (open documents first,
// then the disk), the CLI (the disk) and tests (in-memory maps).

export interface DirEntry {
  name: string;
  kind: 'file' | 'dir' | 'other';
}

export interface FileStat {
  kind: 'file' | 'dir' | 'other';
  size: number;
  mtimeMs: number;
}

/**
 * The environment of an untrusted workspace: no variable is visible, and `${VAR}` references are
 * reported as withheld rather than unset (compared by identity).
 */
export const WITHHELD_ENV: Record<string, string | undefined> = Object.freeze({});

export interface Runtime {
  /** The file's text, or undefined when it does not exist or cannot be read. */
  readFile(path: string): Promise<string | undefined>;
  /** Environment variables used for `${VAR}` expansion and registry configuration. */
  env: Record<string, string | undefined>;
  /** A folder's entries (symlinks followed), or undefined when it does not exist or cannot be read. */
  listDir?(path: string): Promise<DirEntry[] | undefined>;
  /** What a path is, its size and modification time (symlinks followed), or undefined when it does not exist. */
  stat?(path: string): Promise<FileStat | undefined>;
}
