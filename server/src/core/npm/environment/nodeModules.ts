// What is installed in a project's node_modules, read the way `npm ls` (arborist's loadActual) reads
// it: from node_modules/.package-lock.json when npm would trust it, else from every package folder's
// package.json (scoped folders, nested node_modules, the workspaces' own node_modules). Through the
// Runtime only; listings and package.json files are cached by mtime in an NpmDriftCache.
import { join } from 'node:path';
import type { DirEntry, Runtime } from '../../runtime';
import { makeNode, packageFieldsOf, type DepNode, type PackageFields } from '../locks/depGraph';
import type { NpmProject } from '../locks/npmProject';
import { lockNodes, normaliseTarget, parsePackageLock, type ParsedLock } from '../locks/packageLock';
import { workspaceFields } from '../locks/projectGraph';
import { relativeToRoot } from '../locks/specValid';
import { NpmDriftCache } from './driftCache';
import { hiddenLockProblem } from './hiddenLock';

export type InstalledTree =
  | { kind: 'absent' }
  | { kind: 'skipped'; reason: string }
  | {
      kind: 'ok';
      /** Where the tree came from, in words. */
      source: 'node_modules/.package-lock.json' | 'package folders';
      nodes: DepNode[];
      /** Why npm would not use the hidden lockfile, when it exists but was not used. */
      hiddenLockIgnored?: string;
      /** Package folders whose package.json could not be read. */
      unreadable: string[];
    };

type OkLock = Extract<ParsedLock, { kind: 'ok' }>;

export interface ReadNodeModulesOptions {
  cache?: NpmDriftCache;
  /** The project's package-lock.json: its links, and the `resolved` of packages installed at the locked version. */
  lock?: OkLock;
  /** package.json fields of linked folders outside node_modules that are not workspaces. */
  linkedFolders?: Map<string, PackageFields>;
}

const OTHER_MANAGERS: [string, string][] = [
  ['.pnpm', 'pnpm'],
  ['.modules.yaml', 'pnpm'],
  ['.yarn-state.yml', 'yarn'],
  ['.yarn-integrity', 'yarn'],
];

/** Reads what is installed under the project root's node_modules; never throws. */
export async function readNodeModules(project: NpmProject, runtime: Runtime, options: ReadNodeModulesOptions = {}): Promise<InstalledTree> {
  const cache = options.cache ?? new NpmDriftCache();
  const nm = join(project.rootDir, 'node_modules');
  if (!runtime.stat || !runtime.listDir) return { kind: 'skipped', reason: 'node_modules was not read: this host cannot list folders.' };
  const stat = await runtime.stat(nm);
  if (stat?.kind !== 'dir') return { kind: 'absent' };
  const top = (await cache.listDir(runtime, nm, stat)) ?? [];
  const other = OTHER_MANAGERS.find(([marker]) => top.some((e) => e.name === marker));
  if (other) return { kind: 'skipped', reason: `node_modules was installed by ${other[1]}, whose layout Pinsight does not read; only npm's is checked.` };
  const folders = new Map([...(options.linkedFolders ?? []), ...workspaceFields(project)]);
  let hiddenLockIgnored: string | undefined;
  const hiddenPath = join(nm, '.package-lock.json');
  const hiddenStat = await runtime.stat(hiddenPath);
  if (hiddenStat?.kind === 'file') {
    const hidden = await cache.readParsed(runtime, hiddenPath, (text) => parsePackageLock(text, 'node_modules/.package-lock.json'), hiddenStat);
    if (hidden?.kind === 'ok') {
      hiddenLockIgnored = await hiddenLockProblem(project.rootDir, hidden, hiddenStat.mtimeMs, runtime, cache);
      if (hiddenLockIgnored === undefined) {
        return { kind: 'ok', source: 'node_modules/.package-lock.json', nodes: lockNodes(hidden, folders).nodes, unreadable: [] };
      }
    } else {
      hiddenLockIgnored = hidden?.kind === 'skipped' ? hidden.reason : 'it could not be read';
    }
  }
  if (top.some((e) => e.name === '.store')) {
    return { kind: 'skipped', reason: 'node_modules uses npm\'s linked install strategy (node_modules/.store), which Pinsight reads only through node_modules/.package-lock.json, and that is out of date.' };
  }
  const walked = await walkFolders(project, runtime, cache, options.lock, folders);
  return { kind: 'ok', source: 'package folders', nodes: walked.nodes, unreadable: walked.unreadable, hiddenLockIgnored };
}

/** Link locations and their targets: the lock's links, node_modules/<workspace>, and the root's `file:` folders. */
function knownLinks(project: NpmProject, lock: OkLock | undefined): Map<string, string> {
  const links = new Map<string, string>();
  for (const entry of lock?.entries.values() ?? []) {
    const target = entry.link ? normaliseTarget(entry.resolved) : undefined;
    if (target !== undefined) links.set(entry.location, target);
  }
  for (const ws of project.workspaces) links.set(`node_modules/${ws.name}`, ws.location);
  for (const dep of project.root.dependencies) {
    if (dep.source === 'file' && dep.location && !/\.(tgz|tar\.gz|tar)$/i.test(dep.location) && !links.has(`node_modules/${dep.name}`)) {
      links.set(`node_modules/${dep.name}`, relativeToRoot('', dep.location));
    }
  }
  return links;
}

const MAX_NESTING = 40;

interface InstalledJson {
  fields: PackageFields;
  resolved?: string;
  error?: string;
}

function parseInstalled(text: string): InstalledJson {
  try {
    const json = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text) as Record<string, unknown>;
    const resolved = json && typeof json === 'object' && typeof json._resolved === 'string' ? json._resolved : undefined;
    return { fields: packageFieldsOf(json), resolved };
  } catch {
    return { fields: {}, error: 'its package.json is not valid JSON' };
  }
}

async function walkFolders(project: NpmProject, runtime: Runtime, cache: NpmDriftCache, lock: OkLock | undefined, folders: Map<string, PackageFields>) {
  const abs = (rel: string): string => join(project.rootDir, rel);
  const links = knownLinks(project, lock);
  const nodes: DepNode[] = [];
  const unreadable: string[] = [];

  const listing = async (rel: string): Promise<DirEntry[]> => (await cache.listDir(runtime, abs(rel), await runtime.stat!(abs(rel)))) ?? [];

  const visitPackage = async (location: string): Promise<void> => {
    const linkTo = links.get(location);
    if (linkTo !== undefined) {
      const target = folders.get(linkTo) ?? lock?.entries.get(linkTo)?.fields ?? {};
      const { name, version } = target;
      nodes.push(cache.memo(`link\0${abs(location)}`, [linkTo, name, version], () => makeNode(location, { name, version }, { linkTo, edges: new Map() })));
      return;
    }
    const [own, json] = await Promise.all([listing(location), cache.readParsed(runtime, abs(`${location}/package.json`), parseInstalled)]);
    const installed: InstalledJson = json ?? { fields: {}, error: 'it has no package.json' };
    const locked = lock?.entries.get(location);
    const sameVersion = !locked?.fields.version || !installed.fields.version || locked.fields.version === installed.fields.version;
    const resolved = (sameVersion ? locked?.resolved : undefined) ?? installed.resolved;
    if (installed.error) unreadable.push(location);
    // The same package.json (kept by the cache while unchanged) gives the same node, so an unchanged
    // tree comes back as the same nodes and the checks over it need not run again.
    nodes.push(
      cache.memo(`package\0${abs(location)}`, [json, resolved], () => {
        const extra: Partial<DepNode> = {};
        if (resolved !== undefined) extra.resolved = resolved;
        if (installed.error) extra.error = installed.error;
        return makeNode(location, installed.fields, extra);
      }),
    );
    if (own.some((e) => e.name === 'node_modules' && e.kind === 'dir')) await visitNodeModules(`${location}/node_modules`);
  };

  const visitNodeModules = async (rel: string): Promise<void> => {
    // The Runtime follows symlinks, so a link back up the tree (npm link) must not walk forever.
    if (rel.split('/node_modules').length > MAX_NESTING) return;
    const entries = await listing(rel);
    await Promise.all(
      entries.map(async (entry) => {
        if (entry.name.startsWith('.') || entry.kind !== 'dir') return;
        if (!entry.name.startsWith('@')) return visitPackage(`${rel}/${entry.name}`);
        const scoped = await listing(`${rel}/${entry.name}`);
        await Promise.all(scoped.filter((e) => e.kind === 'dir' && !e.name.startsWith('.')).map((e) => visitPackage(`${rel}/${entry.name}/${e.name}`)));
      }),
    );
  };

  await visitNodeModules('node_modules');
  // Linked folders inside the project (workspaces) have node_modules of their own.
  const workspaces = new Set(project.workspaces.map((w) => w.location));
  for (const target of new Set(links.values())) {
    const fields = folders.get(target);
    if (fields && !workspaces.has(target)) nodes.push(makeNode(target, fields));
    if (target.startsWith('..') || target.startsWith('/')) continue;
    if ((await runtime.stat!(abs(`${target}/node_modules`)))?.kind === 'dir') await visitNodeModules(`${target}/node_modules`);
  }
  nodes.sort((a, b) => (a.location < b.location ? -1 : a.location > b.location ? 1 : 0));
  return { nodes: cache.memo(`folders\0${project.rootDir}`, nodes, () => nodes), unreadable: unreadable.sort() };
}

/** package.json fields of the lock's linked folders that are neither in node_modules nor workspaces (npm reads them from disk). */
export async function readLinkedFolders(project: NpmProject, lock: OkLock, runtime: Runtime, cache = new NpmDriftCache()): Promise<Map<string, PackageFields>> {
  const out = new Map<string, PackageFields>();
  const workspaces = new Set(project.workspaces.map((w) => w.location));
  for (const entry of lock.entries.values()) {
    const target = entry.link ? normaliseTarget(entry.resolved) : undefined;
    if (target === undefined || workspaces.has(target) || target.includes('node_modules/') || out.has(target)) continue;
    const json = await cache.readParsed(runtime, join(project.rootDir, target, 'package.json'), parseInstalled);
    if (json && !json.error) out.set(target, json.fields);
  }
  return out;
}
