// An in-memory Runtime with symlinks (readFile, listDir, stat) for the npm drift tests: files by absolute path, folders
// implied by the files under them (or declared empty), symlinks as path prefixes that are followed,
// modification times settable per path, and counters of every call so tests can see what a cache
// saved. Paths are POSIX.
import { posix } from 'node:path';

export function memoryRuntime(files = {}, { links = {}, mtimes = {}, dirs = [], defaultMtime = 1_000_000 } = {}) {
  const text = new Map(Object.entries(files));
  const folders = new Set(dirs);
  const times = new Map(Object.entries(mtimes));
  const linkMap = new Map(Object.entries(links));
  const calls = { readFile: 0, listDir: 0, stat: 0 };

  // Follows the longest symlinked prefix, repeatedly.
  const real = (path) => {
    for (let guard = 0; guard < 20; guard++) {
      let hit;
      for (const [from, to] of linkMap) if ((path === from || path.startsWith(`${from}/`)) && (!hit || from.length > hit[0].length)) hit = [from, to];
      if (!hit) return path;
      path = hit[1] + path.slice(hit[0].length);
    }
    return path;
  };
  const isDir = (path) => {
    if (folders.has(path)) return true;
    for (const f of text.keys()) if (f.startsWith(`${path}/`)) return true;
    for (const d of folders) if (d.startsWith(`${path}/`)) return true;
    for (const l of linkMap.keys()) if (l.startsWith(`${path}/`)) return true;
    return false;
  };

  const runtime = {
    env: {},
    calls,
    async readFile(path) {
      calls.readFile++;
      return text.get(real(path));
    },
    async stat(path) {
      calls.stat++;
      const p = real(path);
      if (text.has(p)) return { kind: 'file', size: Buffer.byteLength(text.get(p)), mtimeMs: times.get(p) ?? defaultMtime };
      if (isDir(p)) return { kind: 'dir', size: 4096, mtimeMs: times.get(p) ?? defaultMtime };
      return undefined;
    },
    async listDir(path) {
      calls.listDir++;
      const p = real(path);
      if (!isDir(p)) return undefined;
      const out = new Map();
      const add = (full, kind) => {
        const rest = full.slice(p.length + 1);
        const name = rest.split('/')[0];
        if (!out.has(name)) out.set(name, rest.includes('/') ? 'dir' : kind);
      };
      for (const f of text.keys()) if (f.startsWith(`${p}/`)) add(f, 'file');
      for (const d of folders) if (d.startsWith(`${p}/`)) add(d, 'dir');
      for (const [from, to] of linkMap) if (from.startsWith(`${p}/`)) add(from, isDir(real(to)) ? 'dir' : text.has(real(to)) ? 'file' : 'other');
      return [...out].map(([name, kind]) => ({ name, kind }));
    },
    /** Writes a file (creating it changes its folder's mtime when `at` is given, as a real file system would). */
    write(path, content, at) {
      const created = !text.has(path);
      text.set(path, content);
      if (at !== undefined) {
        times.set(path, at);
        if (created) times.set(posix.dirname(path), at);
      }
    },
    /** Removes a file or a whole folder; `at` becomes the parent folder's mtime. */
    remove(path, at) {
      for (const f of [...text.keys()]) if (f === path || f.startsWith(`${path}/`)) text.delete(f);
      for (const d of [...folders]) if (d === path || d.startsWith(`${path}/`)) folders.delete(d);
      if (at !== undefined) times.set(posix.dirname(path), at);
    },
    touch(path, at) {
      times.set(path, at);
    },
  };
  return runtime;
}
