// An in-memory Runtime (readFile, listDir, stat) over a map of file paths to text, for core unit
// tests. Folders are implied by the files under them; every path has an mtime that a test can
// bump to simulate an edit. Counts the calls so tests can see what a re-check rereads.
import { dirname } from 'node:path';

export function memoryRuntime(initial = {}, env = {}) {
  const files = new Map(Object.entries(initial));
  const mtimes = new Map();
  const calls = { readFile: 0, listDir: 0, stat: 0 };
  let clock = 1000;
  const touch = (path) => {
    clock += 1;
    for (let p = path; ; p = dirname(p)) {
      mtimes.set(p, clock);
      if (dirname(p) === p) break;
    }
  };
  for (const path of files.keys()) touch(path);
  // Folder listings, rebuilt after a write: folder -> (name -> kind).
  let index = null;
  const folders = () => {
    if (index) return index;
    index = new Map();
    for (const f of files.keys()) {
      for (let child = f, parent = dirname(f); child !== parent; child = parent, parent = dirname(parent)) {
        if (!index.has(parent)) index.set(parent, new Map());
        index.get(parent).set(child.slice(parent === '/' ? 1 : parent.length + 1), child === f ? 'file' : 'dir');
      }
    }
    return index;
  };
  return {
    env,
    calls,
    files,
    /** Writes (or, with undefined, deletes) a file and bumps the mtime of it and its folders. */
    write(path, text) {
      if (text === undefined) files.delete(path);
      else files.set(path, text);
      touch(path);
      index = null;
    },
    async readFile(path) {
      calls.readFile++;
      return files.get(path);
    },
    async listDir(path) {
      calls.listDir++;
      const children = folders().get(path);
      return children ? [...children].map(([name, kind]) => ({ name, kind })) : undefined;
    },
    async stat(path) {
      calls.stat++;
      if (files.has(path)) return { kind: 'file', size: files.get(path).length, mtimeMs: mtimes.get(path) ?? 0 };
      if (folders().has(path)) return { kind: 'dir', size: 0, mtimeMs: mtimes.get(path) ?? 0 };
      return undefined;
    },
  };
}
