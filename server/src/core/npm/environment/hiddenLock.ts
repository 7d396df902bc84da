// Whether npm trusts node_modules/.package-lock.json, the record `npm install` leaves of what it put
// in node_modules. npm (arborist's Shrinkwrap.load with hiddenLockfile) uses it only when it is newer
// (by more than 10 ms) than node_modules, every scope folder and every package folder under it, when
// every package folder it finds is listed, and when every listed location was found; otherwise npm
// reads each package.json. The Runtime follows symlinks, so links are recognised by the lock's
// `link: true` entries, whose targets are walked in their place as npm walks a symlink's target.
import { basename, join } from 'node:path';
import type { Runtime } from '../../runtime';
import type { ParsedLock } from '../locks/packageLock';
import { normaliseTarget } from '../locks/packageLock';
import type { NpmDriftCache } from './driftCache';

type Lock = Extract<ParsedLock, { kind: 'ok' }>;

class Stale extends Error {}

/** Undefined when npm would use the hidden lockfile; otherwise why it would not. */
export async function hiddenLockProblem(rootDir: string, lock: Lock, lockMtimeMs: number, runtime: Runtime, cache: NpmDriftCache): Promise<string | undefined> {
  if (!runtime.stat || !runtime.listDir) return 'the host cannot list folders';
  const lockTime = Math.floor(lockMtimeMs) + 10;
  const seen = new Set<string>(['']);
  const abs = (rel: string): string => join(rootDir, rel);

  const visit = async (rel: string): Promise<void> => {
    seen.add(rel);
    const stat = await runtime.stat!(abs(rel));
    if (!stat) throw new Stale(`${rel} cannot be read`);
    if (Math.floor(stat.mtimeMs) > lockTime) throw new Stale(`${rel} changed after it was written`);
    const base = basename(rel);
    const parentLike = base === 'node_modules' || base.startsWith('@');
    if (!parentLike && !lock.entries.has(rel)) throw new Stale(`it does not list ${rel}`);
    const children = parentLike ? rel : `${rel}/node_modules`;
    const entries = parentLike ? await cache.listDir(runtime, abs(rel), stat) : await nestedEntries(rel, stat);
    await Promise.all(
      (entries ?? []).map(async (entry) => {
        const child = `${children}/${entry.name}`;
        const linked = lock.entries.get(child);
        if (linked?.link) {
          seen.add(child);
          const target = normaliseTarget(linked.resolved);
          if (target !== undefined && !seen.has(target) && (await runtime.stat!(abs(target)))?.kind === 'dir') await visit(target);
        } else if (entry.kind === 'dir' && !entry.name.startsWith('.')) {
          await visit(child);
        }
      }),
    );
  };

  // A package folder's node_modules is found through the folder's own (cached) listing, which saves
  // a stat for the many packages that have none.
  const nestedEntries = async (rel: string, stat: Parameters<NpmDriftCache['listDir']>[2]) => {
    const own = await cache.listDir(runtime, abs(rel), stat);
    if (!own?.some((e) => e.name === 'node_modules' && e.kind === 'dir')) return [];
    const nm = `${rel}/node_modules`;
    return cache.listDir(runtime, abs(nm), await runtime.stat!(abs(nm)));
  };

  try {
    await visit('node_modules');
    for (const extra of extraFolders(lock, seen)) await visit(extra);
  } catch (error) {
    if (error instanceof Stale) return error.message;
    throw error;
  }
  for (const location of lock.entries.keys()) {
    if (!seen.has(location)) return `${location} is missing from node_modules`;
  }
  return undefined;
}

// Folders the walk from node_modules cannot reach: workspaces not linked into node_modules, and the
// linked install strategy's store, whose entries are listed under .store/<key>/node_modules.
function extraFolders(lock: Lock, seen: Set<string>): string[] {
  const linkTargets = new Set<string>();
  for (const entry of lock.entries.values()) {
    const target = entry.link ? normaliseTarget(entry.resolved) : undefined;
    if (target !== undefined) linkTargets.add(target);
  }
  const extra = new Set<string>();
  for (const location of lock.entries.keys()) {
    const store = /^(.*\/\.store\/.+?)\/node_modules\//.exec(location);
    if (store) {
      seen.add(store[1]);
      extra.add(`${store[1]}/node_modules`);
      continue;
    }
    const at = location.indexOf('/node_modules/');
    const top = at === -1 ? location : location.slice(0, at);
    if (top && !/(^|\/)node_modules(\/|$)/.test(top) && !linkTargets.has(top)) extra.add(top);
  }
  return [...extra];
}
