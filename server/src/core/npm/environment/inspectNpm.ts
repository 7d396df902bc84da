// Stage 1b for npm, no network: the project's lockfile checked as `npm ci` would, and node_modules
// checked as `npm ls` would, joined into the wing's ProjectState (findings, per-package locked and
// installed versions with the lock's "why is this here" chains, what was read, what was not).
import { join } from 'node:path';
import type { ProjectState } from '../../ecosystem';
import type { ParsedManifest } from '../../model';
import type { Runtime } from '../../runtime';
import { checkPackageLock, type LockCheck } from '../locks/lockCheck';
import { loadNpmProject, type NpmProject } from '../locks/npmProject';
import { parsePackageLock, type ParsedLock } from '../locks/packageLock';
import { NpmDriftCache } from './driftCache';
import { checkNodeModules, type NodeModulesCheck } from './installedCheck';
import { readLinkedFolders, readNodeModules } from './nodeModules';

/** What inspectNpm found, with the parts the CLI and tests look into. */
export interface NpmInspection extends ProjectState {
  project: NpmProject;
  lock?: LockCheck;
  nodeModules?: NodeModulesCheck;
}

/**
 * Reads the lockfile and node_modules of the project `manifests[0]` belongs to (its workspace root
 * when it is a workspace) and checks them; findings may lie in any of the project's package.json
 * files. Never throws on bad input; `cache` makes repeated inspections cheap.
 */
export async function inspectNpm(manifests: ParsedManifest[], runtime: Runtime, cache = new NpmDriftCache()): Promise<NpmInspection> {
  const project = await loadNpmProject(manifests, runtime);
  const state: NpmInspection = { project, findings: [], packages: new Map(), sources: [], skipped: [...project.notes] };
  const lockFile = await readLock(project.rootDir, runtime, cache);
  const parsed = lockFile?.parsed;
  const okLock = parsed?.kind === 'ok' ? parsed : undefined;
  const linkedFolders = okLock ? await readLinkedFolders(project, okLock, runtime, cache) : new Map();
  const fingerprint = projectFingerprint(project);
  if (lockFile && parsed) {
    const folders = JSON.stringify([...linkedFolders]);
    state.lock = cache.memo(`lock\0${lockFile.path}`, [parsed, fingerprint, folders], () => checkPackageLock(project, parsed, lockFile.path, linkedFolders));
    state.findings.push(...state.lock.findings);
    state.skipped.push(...state.lock.skipped);
    if (okLock) state.sources.push(`${lockFile.name} (lockfileVersion ${okLock.lockfileVersion}, ${state.lock.packageCount} packages)`);
  }
  const tree = await readNodeModules(project, runtime, { cache, lock: okLock, linkedFolders });
  if (tree.kind === 'skipped') state.skipped.push(tree.reason);
  if (tree.kind === 'ok') {
    const lock = state.lock?.graph && lockFile ? { graph: state.lock.graph, name: lockFile.name } : undefined;
    state.nodeModules = cache.memo(`node_modules\0${project.rootDir}`, [tree.nodes, fingerprint, state.lock], () => checkNodeModules(project, tree, lock));
    state.findings.push(...state.nodeModules.findings);
    state.sources.push(describeInstalled(tree, state.nodeModules));
    for (const location of tree.unreadable) state.skipped.push(`${location} was read as a package with no version: ${location}/package.json is missing or not valid JSON.`);
  }
  fillPackages(state);
  return state;
}

// The lockfile npm reads (npm-shrinkwrap.json first), parsed; a large lock is read and parsed again
// only when its mtime or size changes.
async function readLock(rootDir: string, runtime: Runtime, cache: NpmDriftCache): Promise<{ path: string; name: string; parsed: ParsedLock } | undefined> {
  for (const name of ['npm-shrinkwrap.json', 'package-lock.json']) {
    const path = join(rootDir, name);
    const parsed = await cache.readParsed(runtime, path, (text) => parsePackageLock(text, name));
    if (parsed) return { path, name, parsed };
  }
  return undefined;
}

function describeInstalled(tree: Extract<Awaited<ReturnType<typeof readNodeModules>>, { kind: 'ok' }>, check: NodeModulesCheck): string {
  const count = tree.nodes.filter((n) => n.linkTo === undefined).length;
  const from = tree.source === 'package folders' ? 'read from each package.json' : 'from node_modules/.package-lock.json';
  const extraneous = check.extraneous.map((n) => n.location.replace(/^.*node_modules\//, '')).sort();
  const shown = extraneous.slice(0, 5).join(', ') + (extraneous.length > 5 ? `, and ${extraneous.length - 5} more` : '');
  const extra = extraneous.length === 0 ? '' : `; ${extraneous.length} extraneous (no dependency needs them; \`npm prune\` removes them): ${shown}`;
  return `node_modules (${count} packages, ${from}${extra})`;
}

function fillPackages(state: NpmInspection): void {
  const names = new Set([...(state.lock?.locked.keys() ?? []), ...(state.nodeModules?.installed.keys() ?? [])]);
  for (const name of [...names].sort()) {
    const entry: { locked?: string; installed?: string; via?: string[] } = {};
    const locked = state.lock?.locked.get(name);
    const installed = state.nodeModules?.installed.get(name);
    const via = state.lock?.chains.get(name);
    if (locked !== undefined) entry.locked = locked;
    if (installed !== undefined) entry.installed = installed;
    if (via) entry.via = via;
    state.packages.set(name, entry);
  }
}

// Everything the checks read from the package.json files, positions included (findings carry them).
function projectFingerprint(project: NpmProject): string {
  const manifests = [project.root, ...project.workspaces.map((w) => w.manifest)];
  return JSON.stringify([
    project.rootDir,
    project.workspaces.map((w) => [w.name, w.location]),
    manifests.map((m) => [m.path, m.meta?.name, m.meta?.version, m.meta?.workspaces, m.meta?.bundleDependencies, m.meta?.ranges, m.dependencies.map((d) => [d.raw, d.section, d.specifier, d.override, d.optional, d.range])]),
  ]);
}
