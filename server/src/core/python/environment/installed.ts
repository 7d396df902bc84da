// The distributions installed in an environment, as pip 23.2.1 lists them: every `*.dist-info`
// and `*.egg-info` in each folder of sys.path (site-packages, then the folders its .pth files add),
// the first of each normalised name winning. Metadata folders are cached by (path, mtime): pip
// replaces a distribution's folder on every install, so a changed mtime means a changed install.

import { isAbsolute, join, relative } from 'node:path';
import type { DirEntry, Runtime } from '../../runtime';
import { readDistribution, type DistributionRead, type InstalledDistribution } from './distInfo';
import type { EnvLocation } from './location';

/** What was read from an environment. */
export interface InstalledEnvironment {
  location: EnvLocation;
  /** Per normalised name, the distribution pip sees (the first found on sys.path). */
  distributions: Map<string, InstalledDistribution>;
  /** Further metadata folders of a name already found; pip ignores them. */
  shadowed: InstalledDistribution[];
  /** What could not be read or looks broken, one sentence each. */
  notes: string[];
}

interface CacheEntry {
  mtimeMs: number;
  read: DistributionRead;
}

/** Metadata folders already read, per sys.path folder and entry name, with the mtime they were read at. */
export interface EnvironmentCache {
  readonly folders: Map<string, Map<string, CacheEntry>>;
  /** Whole environments per prefix, valid while every site folder keeps its mtime (an install adds or removes a metadata folder). */
  readonly environments: Map<string, { stamp: string; env: Promise<InstalledEnvironment> }>;
  /** Metadata folders read (not served from the cache) since creation, for tests and benchmarks. */
  reads: number;
}

/** An empty cache to pass to readInstalledEnvironment across re-checks. */
export function createEnvironmentCache(): EnvironmentCache {
  return { folders: new Map(), environments: new Map(), reads: 0 };
}

const METADATA_ENTRY = /\.(dist|egg)-info$/i;

/**
 * Reads every distribution in the environment through the runtime; never throws. Concurrent
 * checks of one environment share one read, and a re-check whose site folders kept their mtime
 * reuses it whole (one stat per folder instead of one per distribution).
 */
export async function readInstalledEnvironment(location: EnvLocation, runtime: Runtime, cache: EnvironmentCache = createEnvironmentCache()): Promise<InstalledEnvironment> {
  const stamp = runtime.stat ? (await Promise.all(location.sitePackages.map(async (p) => `${p}@${(await runtime.stat!(p))?.mtimeMs ?? 'none'}`))).join('|') : undefined;
  const known = cache.environments.get(location.prefix);
  if (stamp !== undefined && known?.stamp === stamp) return known.env;
  const env = readEnvironment(location, runtime, cache);
  if (stamp !== undefined) cache.environments.set(location.prefix, { stamp, env });
  return env;
}

async function readEnvironment(location: EnvLocation, runtime: Runtime, cache: EnvironmentCache): Promise<InstalledEnvironment> {
  const env: InstalledEnvironment = { location, distributions: new Map(), shadowed: [], notes: [] };
  if (!runtime.listDir) {
    env.notes.push(`${location.display} was not read: this host cannot list folders.`);
    return env;
  }
  const folders = await sysPathFolders(location, runtime);
  if (!folders.some((f) => f.entries)) {
    env.notes.push(`${location.display} has no readable site-packages folder, so its installed distributions are unknown.`);
    return env;
  }
  const reads = await Promise.all(folders.map((f) => (f.entries ? readFolder(f.path, f.entries, runtime, cache) : Promise.resolve([]))));
  for (const read of reads.flat()) {
    if (!read.ok) {
      env.notes.push(`${shorten(location, read.path)} was skipped because ${read.reason}; pip skips it too.`);
      continue;
    }
    const dist = read.dist;
    if (env.distributions.has(dist.normalizedName)) {
      env.shadowed.push(dist);
      const first = env.distributions.get(dist.normalizedName)!;
      env.notes.push(`${first.name} has a second metadata folder, ${shorten(location, dist.path)} (${dist.version}); pip uses ${shorten(location, first.path)} (${first.version}) and ignores it.`);
      continue;
    }
    env.distributions.set(dist.normalizedName, dist);
    if (dist.requiresError) env.notes.push(`${dist.name} ${dist.version}: ${dist.requiresError}; pip check leaves ${dist.name} out, so what requires it counts as not installed.`);
    if (dist.recordProblem) env.notes.push(`${dist.name} ${dist.version} (${shorten(location, dist.path)}): ${dist.recordProblem}.`);
  }
  return env;
}

/** A path inside the environment as people see it (".venv/lib/python3.11/site-packages/x-1.0.dist-info"). */
function shorten(location: EnvLocation, path: string): string {
  const rel = relative(location.prefix, path);
  return rel.startsWith('..') || isAbsolute(rel) ? path : join(location.display, rel);
}

/** site-packages folders and what their .pth files add, in sys.path order, each with its listing. */
async function sysPathFolders(location: EnvLocation, runtime: Runtime): Promise<Array<{ path: string; entries?: DirEntry[] }>> {
  const out: Array<{ path: string; entries?: DirEntry[] }> = [];
  const seen = new Set<string>();
  for (const site of location.sitePackages) {
    if (seen.has(site)) continue;
    seen.add(site);
    const entries = await runtime.listDir!(site);
    out.push({ path: site, entries });
    for (const added of await pthFolders(site, entries ?? [], runtime)) {
      if (seen.has(added)) continue;
      seen.add(added);
      const addedEntries = await runtime.listDir!(added);
      // site.py adds only folders that exist; a stale line in a .pth file is ignored.
      if (addedEntries) out.push({ path: added, entries: addedEntries });
    }
  }
  return out;
}

/** The folders site.py appends for a site folder's .pth files (sorted by name; `import` lines run code and are skipped). */
async function pthFolders(site: string, entries: DirEntry[], runtime: Runtime): Promise<string[]> {
  const out: string[] = [];
  const pths = entries.filter((e) => e.kind === 'file' && e.name.endsWith('.pth') && !e.name.startsWith('.')).map((e) => e.name).sort();
  for (const name of pths) {
    const text = await runtime.readFile(join(site, name));
    for (const line of (text ?? '').split(/\r\n|\n|\r/)) {
      if (line.startsWith('#') || line.trim() === '' || /^import[ \t]/.test(line)) continue;
      const target = line.trimEnd();
      out.push(isAbsolute(target) ? target : join(site, target));
    }
  }
  return out;
}

/**
 * The metadata entries of one folder in importlib.metadata's order (grouped by the name part of
 * the entry name, groups in order of first appearance, the listing's order within), read or cached.
 */
async function readFolder(folder: string, entries: DirEntry[], runtime: Runtime, cache: EnvironmentCache): Promise<DistributionRead[]> {
  const groups = new Map<string, DirEntry[]>();
  for (const entry of entries) {
    if (entry.kind === 'other' || !METADATA_ENTRY.test(entry.name)) continue;
    const key = entry.name.toLowerCase().replace(/\.[^.]*$/, '').split('-')[0].replace(/[-_.]+/g, '_');
    const group = groups.get(key);
    if (group) group.push(entry);
    else groups.set(key, [entry]);
  }
  const ordered = [...groups.values()].flat();
  const previous = cache.folders.get(folder) ?? new Map<string, CacheEntry>();
  const next = new Map<string, CacheEntry>();
  const reads = await Promise.all(
    ordered.map(async (entry) => {
      const path = join(folder, entry.name);
      const stat = await runtime.stat?.(path);
      const hit = previous.get(entry.name);
      if (stat && hit && hit.mtimeMs === stat.mtimeMs) {
        next.set(entry.name, hit);
        return hit.read;
      }
      cache.reads++;
      const read = await readDistribution(path, entry.kind === 'file' ? 'file' : 'dir', runtime);
      if (stat) next.set(entry.name, { mtimeMs: stat.mtimeMs, read });
      return read;
    }),
  );
  // Entries that disappeared drop out of the cache with the folder's new map.
  cache.folders.set(folder, next);
  return reads;
}
