// Stage 1b for npm, no network: the project's lockfile checked as `npm ci` would, and node_modules
// checked as `npm ls` would, joined into the wing's ProjectState (findings, per-package locked and
// installed versions with the lock's "why is this here" chains, what was read, what was not).
import type { ProjectState } from '../../ecosystem';
import type { ParsedManifest } from '../../model';
import type { Runtime } from '../../runtime';
import { checkPackageLock, type LockCheck } from '../locks/lockCheck';
import { findNpmLock, loadNpmProject, type NpmProject } from '../locks/npmProject';
import { parsePackageLock } from '../locks/packageLock';
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
  const lockFile = await findNpmLock(project.rootDir, runtime);
  const parsed = lockFile ? cache.parsedText(lockFile.path, lockFile.text, (text) => parsePackageLock(text, lockFile.name)) : undefined;
  const okLock = parsed?.kind === 'ok' ? parsed : undefined;
  const linkedFolders = okLock ? await readLinkedFolders(project, okLock, runtime, cache) : new Map();
  if (lockFile && parsed) {
    state.lock = checkPackageLock(project, parsed, lockFile.path, linkedFolders);
    state.findings.push(...state.lock.findings);
    state.skipped.push(...state.lock.skipped);
    if (okLock) state.sources.push(`${lockFile.name} (lockfileVersion ${okLock.lockfileVersion}, ${state.lock.packageCount} packages)`);
  }
  const tree = await readNodeModules(project, runtime, { cache, lock: okLock, linkedFolders });
  if (tree.kind === 'skipped') state.skipped.push(tree.reason);
  if (tree.kind === 'ok') {
    state.nodeModules = checkNodeModules(project, tree, state.lock?.graph && lockFile ? { graph: state.lock.graph, name: lockFile.name } : undefined);
    state.findings.push(...state.nodeModules.findings);
    state.sources.push(describeInstalled(tree, state.nodeModules));
    for (const location of tree.unreadable) state.skipped.push(`${location} was read as a package with no version: ${location}/package.json is missing or not valid JSON.`);
  }
  fillPackages(state);
  return state;
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
