// Which lockfiles belong to a manifest, found through the Runtime: uv.lock beside pyproject.toml or
// at the root of the uv workspace the project is a member of, poetry.lock beside it, and for
// pip-tools the compiled `x.txt` beside `x.in` (or the reverse). A uv workspace is read the way uv
// discovers it: the root's [project] (if any) plus every folder its member globs match that holds a
// pyproject.toml, less the excluded ones.
import { basename, dirname, join, relative } from 'node:path';
import type { Runtime } from '../../runtime';
import { readToml, stringsOf, tableAt } from './lockToml';
import type { PyprojectSource } from './uvCheck';
import { globSegmentSource } from '../../glob';

export type PythonLockFile =
  | { kind: 'uv'; path: string; workspaceRoot: string }
  | { kind: 'poetry'; path: string }
  | { kind: 'pip-tools'; compiled: string; source: string };

const MAX_LEVELS_UP = 12;

async function exists(runtime: Runtime, path: string): Promise<boolean> {
  if (runtime.stat) return (await runtime.stat(path))?.kind === 'file';
  return (await runtime.readFile(path)) !== undefined;
}

function workspaceGlobs(text: string): { members: string[]; exclude: string[] } | null {
  const read = readToml(text);
  if (!read.ok) return null;
  const ws = tableAt(read.doc.root, ['tool', 'uv', 'workspace']);
  if (!ws) return null;
  return { members: stringsOf(ws.entries.get('members')?.item) ?? [], exclude: stringsOf(ws.entries.get('exclude')?.item) ?? [] };
}

function segmentPattern(segment: string): RegExp {
  const out = globSegmentSource(segment);
  return new RegExp(`^${out}$`);
}

/** Whether a folder (relative to the root, with `/`) matches a workspace glob. */
export function matchesGlob(rel: string, glob: string): boolean {
  const parts = rel.split('/').filter((p) => p !== '' && p !== '.');
  const pattern = glob.split('/').filter((p) => p !== '' && p !== '.');
  const match = (i: number, j: number): boolean => {
    if (j === pattern.length) return i === parts.length;
    if (pattern[j] === '**') return match(i, j + 1) || (i < parts.length && match(i + 1, j));
    return i < parts.length && segmentPattern(pattern[j]).test(parts[i]) && match(i + 1, j + 1);
  };
  return match(0, 0);
}

async function expandGlob(runtime: Runtime, root: string, glob: string): Promise<string[]> {
  const pattern = glob.split('/').filter((p) => p !== '' && p !== '.');
  let dirs = [root];
  for (const segment of pattern) {
    const next: string[] = [];
    for (const dir of dirs) {
      if (!/[*?[]/.test(segment)) {
        next.push(segment === '..' ? dirname(dir) : join(dir, segment));
        continue;
      }
      const entries = (await runtime.listDir?.(dir)) ?? [];
      const re = segment === '**' ? null : segmentPattern(segment);
      for (const e of entries) if (e.kind === 'dir' && (re === null || re.test(e.name))) next.push(join(dir, e.name));
      if (segment === '**') next.push(dir);
    }
    dirs = [...new Set(next)];
  }
  return dirs;
}

async function isMemberOf(runtime: Runtime, root: string, dir: string): Promise<boolean> {
  const text = await runtime.readFile(join(root, 'pyproject.toml'));
  const globs = text === undefined ? null : workspaceGlobs(text);
  if (!globs) return false;
  const rel = relative(root, dir).split('\\').join('/');
  return globs.members.some((g) => matchesGlob(rel, g)) && !globs.exclude.some((g) => matchesGlob(rel, g));
}

async function findUvLock(runtime: Runtime, dir: string): Promise<PythonLockFile | null> {
  if (await exists(runtime, join(dir, 'uv.lock'))) return { kind: 'uv', path: join(dir, 'uv.lock'), workspaceRoot: dir };
  let current = dir;
  for (let level = 0; level < MAX_LEVELS_UP; level++) {
    const parent = dirname(current);
    if (parent === current) return null;
    current = parent;
    if (!(await exists(runtime, join(current, 'pyproject.toml')))) continue;
    // As uv: the nearest pyproject.toml above decides; a project or a workspace that excludes us ends the search.
    if (!(await isMemberOf(runtime, current, dir))) return null;
    const lock = join(current, 'uv.lock');
    return (await exists(runtime, lock)) ? { kind: 'uv', path: lock, workspaceRoot: current } : null;
  }
  return null;
}

/** The lockfiles that belong to a manifest (pyproject.toml, `x.in`, or a compiled `x.txt`). */
export async function findPythonLocks(manifestPath: string, runtime: Runtime): Promise<PythonLockFile[]> {
  const dir = dirname(manifestPath);
  const name = basename(manifestPath);
  const out: PythonLockFile[] = [];
  if (name === 'pyproject.toml') {
    const uv = await findUvLock(runtime, dir);
    if (uv) out.push(uv);
    if (await exists(runtime, join(dir, 'poetry.lock'))) out.push({ kind: 'poetry', path: join(dir, 'poetry.lock') });
  } else if (/\.in$/i.test(name)) {
    const compiled = manifestPath.replace(/\.in$/i, '.txt');
    if (await exists(runtime, compiled)) out.push({ kind: 'pip-tools', compiled, source: manifestPath });
  } else if (/\.txt$/i.test(name)) {
    const source = manifestPath.replace(/\.txt$/i, '.in');
    if (await exists(runtime, source)) out.push({ kind: 'pip-tools', compiled: manifestPath, source });
  }
  return out;
}

/** Reads the pyproject.toml files of the uv workspace rooted at `workspaceRoot`: the root first, then each member. */
export async function loadUvWorkspace(workspaceRoot: string, runtime: Runtime): Promise<{ projects: PyprojectSource[]; skipped: string[] }> {
  const rootPath = join(workspaceRoot, 'pyproject.toml');
  const rootText = await runtime.readFile(rootPath);
  if (rootText === undefined) return { projects: [], skipped: [`uv.lock has no pyproject.toml beside it (${rootPath}), so it is not checked`] };
  const projects: PyprojectSource[] = [{ path: rootPath, text: rootText }];
  const globs = workspaceGlobs(rootText);
  if (!globs) return { projects, skipped: [] };
  const skipped: string[] = [];
  if (globs.members.some((g) => /[*?[]/.test(g)) && !runtime.listDir) skipped.push('uv workspace member globs cannot be expanded here (no folder listing), so uv.lock is not checked');
  if (skipped.length) return { projects: [], skipped };
  const seen = new Set([workspaceRoot]);
  for (const glob of globs.members) {
    for (const dir of (await expandGlob(runtime, workspaceRoot, glob)).sort()) {
      const rel = relative(workspaceRoot, dir).split('\\').join('/');
      if (seen.has(dir) || globs.exclude.some((g) => matchesGlob(rel, g))) continue;
      seen.add(dir);
      const path = join(dir, 'pyproject.toml');
      const text = await runtime.readFile(path);
      if (text !== undefined) projects.push({ path, text });
    }
  }
  return { projects, skipped };
}
