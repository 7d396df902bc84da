// Predicts npm 7+'s ERESOLVE for a package.json, without npm: the root's dependencies are placed in
// node_modules the way arborist places them (idealTree.ts), so plain dependency ranges never
// conflict (they nest) while peer dependencies must agree with what sits beside their dependant.
// Conflicts come back in npm's words, with two what-if answers: the highest version of the peer that
// every dependant allows, and the newest dependant version that accepts the project's version.
import type { Dependency, ParsedManifest } from '../../model';
import { IdealTreeBuilder, LoadError, isRegistryEdge, type PeerDepsMode } from './idealTree';
import { OverrideSet, type OverridesJson } from './overrides';
import type { EngineVersions, PeerPackument } from './pick';
import { ResolveConflict } from './place';
import { describeConflict, type RootInfo } from './peersExplain';
import { TreeNode, localeCompare, type EdgeType, type PackageData } from './tree';

export type { PeerPackument, PeerPackumentVersion } from './pick';

export interface NpmPeerConflict {
  /**
   * The version npm found in the way, and who put it there ('the root project' or 'pkg@ver'); the
   * package.json entry behind it, and that package.json's path (the root's or a workspace's).
   */
  found: { name: string; version: string; requiredBy: string; dependency?: Dependency; path?: string };
  /** The peer requirement that failed: its dependant ('react-beautiful-dnd@13.1.1') and range; the root or workspace entry that brought it. */
  peer: { dependant: string; spec: string; dependency?: Dependency; path?: string };
  /** npm's ERESOLVE explanation in one sentence group. */
  message: string;
  /** The highest version of the peer that every dependant allows (for editing the root's spec). */
  highestCompatible?: string;
  /** A sentence: the newest dependant version whose peer range admits the found version, or that none does. */
  unlock?: string;
  /** The dependant version named in `unlock`, when one exists. */
  unlockVersion?: string;
}

export type NpmPeerReport =
  | {
      kind: 'ok';
      /** Top-level node_modules: package (or alias) name -> version, as in package-lock.json; a workspace's link -> 'link:packages/a'. */
      placed: Map<string, string>;
      /** Every installed package by folder ('node_modules/a/node_modules/b', 'packages/a'), as package-lock.json lists them; links as in `placed`. */
      tree: Map<string, string>;
      /** Peer conflicts npm accepts with "npm warn ERESOLVE overriding peer dependency". */
      warnings: string[];
      /** Root dependencies npm would fetch from git, files or URLs, which this check leaves out. */
      unchecked: string[];
    }
  | { kind: 'conflict'; conflicts: NpmPeerConflict[] }
  | { kind: 'error'; message: string };

/** One npm workspace of the project: the name it is linked under, its folder relative to the root, its package.json. */
export interface NpmPeerWorkspace {
  name: string;
  location: string;
  manifest: ParsedManifest;
}

export interface NpmPeerOptions extends EngineVersions, PeerDepsMode {
  signal?: AbortSignal;
  /**
   * The workspaces the root's `workspaces` globs name (read by the caller, locks/npmProject.ts). When
   * the root declares workspaces and this is undefined, the check says it cannot predict ERESOLVE.
   */
  workspaces?: readonly NpmPeerWorkspace[];
  /** Further conflicts to look for after the first (each found by setting the failing root dependency aside). */
  maxConflicts?: number;
}

type DependencySection = 'dependencies' | 'devDependencies' | 'optionalDependencies' | 'peerDependencies';

const SECTIONS: Record<string, DependencySection> = {
  dependencies: 'dependencies',
  devDependencies: 'devDependencies',
  optionalDependencies: 'optionalDependencies',
  peerDependencies: 'peerDependencies',
};

/**
 * Runs npm's ideal-tree placement for `manifest` against registry packuments and reports whether
 * `npm install` would fail with ERESOLVE. Rejects only when `signal` aborts.
 */
export async function checkNpmPeers(
  manifest: ParsedManifest,
  getPackument: (name: string, signal?: AbortSignal) => Promise<PeerPackument>,
  options: NpmPeerOptions = {},
): Promise<NpmPeerReport> {
  const cache = new Map<string, Promise<PeerPackument>>();
  const fetch = (name: string): Promise<PeerPackument> => {
    let hit = cache.get(name);
    if (!hit) {
      try {
        hit = Promise.resolve(getPackument(name, options.signal));
      } catch (err) {
        hit = Promise.reject(err);
      }
      cache.set(name, hit);
    }
    return hit;
  };
  const report = await runChecks(manifest, fetch, options);
  options.signal?.throwIfAborted();
  return report;
}

// The first build decides ERESOLVE; later rounds set the failing root dependency aside to find more.
async function runChecks(manifest: ParsedManifest, fetch: (name: string) => Promise<PeerPackument>, options: NpmPeerOptions): Promise<NpmPeerReport> {
  const workspaces = manifest.meta?.workspaces;
  const declares = Array.isArray(workspaces) ? workspaces.length > 0 : !!workspaces && typeof workspaces === 'object';
  if (declares && !options.workspaces) {
    // npm links each workspace folder into the tree; without reading them the verdict would be a guess.
    return { kind: 'error', message: 'This package.json declares npm workspaces, whose package.json files were not read, so Pinsight cannot predict ERESOLVE here.' };
  }
  const info = rootInfo(manifest, options.workspaces ?? []);
  const refError = checkOverrideReferences(info);
  if (refError) return { kind: 'error', message: refError };
  const conflicts: NpmPeerConflict[] = [];
  const limit = 1 + Math.max(0, options.maxConflicts ?? 4);
  const setAside = new Set<string>();
  for (let round = 0; round < limit; round++) {
    const outcome = await buildOnce(info, setAside, fetch, options);
    if (outcome.kind === 'error') return conflicts.length > 0 ? { kind: 'conflict', conflicts } : outcome;
    if (outcome.kind === 'ok') return conflicts.length > 0 ? { kind: 'conflict', conflicts } : { ...outcome, unchecked: info.unchecked };
    const { conflict, rootEdge } = await describeConflict(outcome.error, outcome.builder, info, fetch, options);
    if (!conflicts.some((c) => c.message === conflict.message)) conflicts.push(conflict);
    // a dependency is set aside in the package.json it comes from (the root's or a workspace's)
    const key = rootEdge && `${rootEdge.location}\0${rootEdge.name}`;
    if (!key || setAside.has(key)) break;
    setAside.add(key);
  }
  return { kind: 'conflict', conflicts };
}

type BuildOutcome =
  | { kind: 'ok'; placed: Map<string, string>; tree: Map<string, string>; warnings: string[] }
  | { kind: 'conflict'; error: ResolveConflict; builder: IdealTreeBuilder }
  | { kind: 'error'; message: string };

async function buildOnce(
  info: RootInfo,
  setAside: Set<string>,
  fetch: (name: string) => Promise<PeerPackument>,
  options: NpmPeerOptions,
): Promise<BuildOutcome> {
  const pkg = withoutNames(info.pkg, setAside, '');
  const overrides = info.overrides === undefined ? undefined : new OverrideSet(info.overrides);
  const legacyPeerDeps = options.legacyPeerDeps;
  const links = new Map(info.members.map((m) => [m.name, m.location]));
  const root = new TreeNode({ name: info.name, version: info.version, pkg, overrides, keepEdge: isRegistryEdge, legacyPeerDeps, workspaces: links });
  // Workspaces share the root's overrides (npm applies the root's to them) and join the tree with their links.
  const members = new Map<string, TreeNode>();
  for (const m of info.members) {
    const memberPkg = withoutNames(m.pkg, setAside, m.location);
    members.set(m.location, new TreeNode({ name: m.name, version: m.version, pkg: memberPkg, folder: m.location, overrides, keepEdge: isRegistryEdge, legacyPeerDeps }));
  }
  // npm refuses an override that changes a direct dependency's spec (EOVERRIDE), before resolving.
  for (const edge of root.edgesOut.values()) {
    if (edge.spec !== edge.rawSpec) {
      return { kind: 'error', message: `Override for ${edge.name}@${edge.rawSpec} conflicts with direct dependency; make the override "$${edge.name}" or the same spec.` };
    }
  }
  const builder = new IdealTreeBuilder(root, fetch, { ...options, workspaces: members });
  try {
    await builder.build();
  } catch (err) {
    if (err instanceof ResolveConflict) return { kind: 'conflict', error: err, builder };
    if (options.signal?.aborted) throw err;
    if (err instanceof LoadError) return { kind: 'error', message: err.message };
    return { kind: 'error', message: `Pinsight could not check npm peer dependencies: ${err instanceof Error ? err.message : String(err)}` };
  }
  const versionOf = (node: TreeNode): string => (node.linkTarget ? `link:${node.linkTarget.location}` : node.version);
  const placed = new Map<string, string>();
  for (const name of [...root.children.keys()].sort(localeCompare)) {
    const node = root.children.get(name) as TreeNode;
    if (node.error === undefined) placed.set(name, versionOf(node)); // failed optional dependencies are dropped
  }
  const tree = new Map<string, string>();
  const locations = [...root.inventory].filter((n) => n !== root && n.error === undefined).map((n) => [n.location, versionOf(n)] as const);
  for (const [location, version] of locations.sort((a, b) => localeCompare(a[0], b[0]))) tree.set(location, version);
  const warnings = builder.warnings.map(
    (w) => `overriding peer dependency: ${w.edge.type} ${w.edge.name}@"${w.edge.spec}" from ${w.edge.from.name}@${w.edge.from.version}`,
  );
  return { kind: 'ok', placed, tree, warnings };
}

// The package's dependencies less those set aside (keys 'location\0name') in its own package.json.
function withoutNames(pkg: PackageData, keys: Set<string>, location: string): PackageData {
  if (keys.size === 0) return pkg;
  const out: PackageData = {};
  for (const key of Object.values(SECTIONS)) {
    const section = pkg[key];
    if (section) out[key] = Object.fromEntries(Object.entries(section).filter(([name]) => !keys.has(`${location}\0${name}`)));
  }
  out.peerDependenciesMeta = pkg.peerDependenciesMeta;
  return out;
}

// ---- the root package and its workspaces, rebuilt from the parsed manifests ------------------------

interface PackageInfo {
  pkg: PackageData;
  bySection: Map<EdgeType, Map<string, Dependency>>;
  unchecked: string[];
}

function packageInfo(manifest: ParsedManifest): PackageInfo {
  const pkg: PackageData = {};
  const bySection = new Map<EdgeType, Map<string, Dependency>>();
  const meta: Record<string, { optional: boolean }> = {};
  // Later entries win, as JSON.parse keeps the last of duplicate keys.
  for (const dep of manifest.dependencies) {
    const key = SECTIONS[dep.section];
    if (dep.override || dep.ecosystem !== 'npm' || !key) continue;
    const section = (pkg[key] ??= {});
    section[dep.name] = dep.specifier;
    const types: EdgeType[] = key === 'peerDependencies' ? ['peer', 'peerOptional'] : [edgeTypeOf(key)];
    for (const type of types) {
      const map = bySection.get(type) ?? new Map<string, Dependency>();
      map.set(dep.name, dep);
      bySection.set(type, map);
    }
    if (key === 'peerDependencies') meta[dep.name] = { optional: dep.optional };
  }
  if (Object.keys(meta).length > 0) pkg.peerDependenciesMeta = meta;
  const unchecked = [...new Set(manifest.dependencies.filter((d) => !d.override && SECTIONS[d.section] && !isRegistryEdge(d.name, d.specifier)).map((d) => d.name))];
  return { pkg, bySection, unchecked };
}

function rootInfo(manifest: ParsedManifest, workspaces: readonly NpmPeerWorkspace[]): RootInfo {
  const root = packageInfo(manifest);
  const text = (value: unknown): string => (typeof value === 'string' ? value : '');
  const members = workspaces.map((w) => ({ ...w, ...packageInfo(w.manifest), version: text(w.manifest.meta?.version) }));
  const byLocation = new Map(members.map((m) => [m.location, m]));
  return {
    unchecked: [...new Set([...root.unchecked, ...members.flatMap((m) => m.unchecked)])],
    name: text(manifest.meta?.name),
    version: text(manifest.meta?.version),
    pkg: root.pkg,
    overrides: overridesOf(manifest),
    members,
    dependencyFor: (location, edgeName, type) => {
      const owner = location === '' ? { ...root, manifest } : byLocation.get(location);
      const dependency = owner?.bySection.get(type)?.get(edgeName);
      return owner && dependency ? { dependency, path: owner.manifest.path } : undefined;
    },
  };
}

function edgeTypeOf(key: DependencySection): EdgeType {
  if (key === 'devDependencies') return 'dev';
  if (key === 'optionalDependencies') return 'optional';
  return 'prod';
}

function checkOverrideReferences(info: RootInfo): string | undefined {
  const refs: string[] = [];
  const walk = (value: OverridesJson | undefined): void => {
    if (typeof value === 'string') {
      if (value.startsWith('$')) refs.push(value.slice(1));
    } else if (value) {
      for (const inner of Object.values(value)) walk(inner);
    }
  };
  walk(info.overrides);
  const pkg = info.pkg;
  for (const ref of refs) {
    const found = pkg.devDependencies?.[ref] ?? pkg.optionalDependencies?.[ref] ?? pkg.dependencies?.[ref] ?? pkg.peerDependencies?.[ref];
    if (found === undefined) return `Unable to resolve reference $${ref}: ${ref} is not a direct dependency of this package.`;
  }
  return undefined;
}

/**
 * The `overrides` object: meta.overrides when the parser provides it, else rebuilt from the override
 * dependencies (their section holds the path of nested keys, their raw text the key as written).
 */
export function overridesOf(manifest: ParsedManifest): OverridesJson | undefined {
  const given = manifest.meta?.overrides;
  if (given && typeof given === 'object' && !Array.isArray(given)) return given as OverridesJson;
  const entries = manifest.dependencies.filter((d) => d.override && (d.section === 'overrides' || d.section.startsWith('overrides.')));
  if (entries.length === 0) return undefined;
  const sections = new Set(entries.map((d) => d.section));
  const root: Record<string, OverridesJson> = {};
  for (const dep of entries) {
    const key = rawKey(dep.raw);
    if (key === undefined) continue;
    const path = dep.section === 'overrides' ? [] : splitSection(dep.section.slice('overrides.'.length));
    if (key === '.') {
      // A "." entry carries its parent's section and name; the parent's key is a nested section's tail.
      const parentKey = [...sections].map((s) => s.slice(dep.section.length + 1)).find((tail) => tail && keyName(tail) === dep.name && !tail.includes('.', tail.indexOf('@', 1) + 1));
      setAt(root, [...path, parentKey ?? dep.name], '.', dep.specifier);
    } else {
      setAt(root, path, key, dep.specifier);
    }
  }
  return root;
}

function rawKey(raw: string): string | undefined {
  try {
    const parsed = JSON.parse(`{${raw}}`) as Record<string, unknown>;
    return Object.keys(parsed)[0];
  } catch {
    return undefined;
  }
}

function keyName(key: string): string {
  const at = key.indexOf('@', 1);
  return at > 0 ? key.slice(0, at) : key;
}

// `a.b@1.x.c` -> ['a', 'b@1.x', 'c']: a dot inside a key's version range does not separate keys.
function splitSection(path: string): string[] {
  const out: string[] = [];
  for (const piece of path.split('.')) {
    const last = out[out.length - 1];
    if (last !== undefined && last.indexOf('@', 1) > 0 && /^[\dxX*]/.test(piece)) out[out.length - 1] = `${last}.${piece}`;
    else out.push(piece);
  }
  return out;
}

function setAt(root: Record<string, OverridesJson>, path: string[], key: string, value: string): void {
  let table = root;
  for (const step of path) {
    const existing = table[step];
    const next: Record<string, OverridesJson> = typeof existing === 'object' ? existing : typeof existing === 'string' ? { '.': existing } : {};
    table[step] = next;
    table = next;
  }
  const current = table[key];
  if (typeof current === 'object' && key !== '.') current['.'] = value;
  else table[key] = value;
}
