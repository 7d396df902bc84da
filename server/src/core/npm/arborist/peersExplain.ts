// Turns an ERESOLVE from the tree builder into npm's sentences (lib/utils/explain-eresolve.js, one
// diagnostic's worth) and answers the two what-if questions a fix needs: which version of the peer
// every dependant accepts, and which version of the dependant accepts the project's peer.
import * as semver from 'semver';
import type { Dependency } from '../../model';
import type { OverridesJson } from './overrides';
import type { IdealTreeBuilder } from './idealTree';
import { parseRegistrySpec, pickVersion, satisfyingVersions, type EngineVersions, type PeerPackument } from './pick';
import type { ResolveConflict } from './place';
import type { Edge, EdgeType, PackageData, TreeNode } from './tree';
import type { NpmPeerConflict } from './peers';

/** A package.json entry and the path of the package.json it is in. */
export interface LocatedDependency {
  dependency: Dependency;
  path: string;
}

/** The project as the checker sees it. */
export interface RootInfo {
  name: string;
  version: string;
  pkg: PackageData;
  overrides?: OverridesJson;
  /** The workspaces: linked name, folder, version and dependencies. */
  members: { name: string; location: string; version: string; pkg: PackageData }[];
  /** Dependencies of the root and the workspaces with git, file or URL specs, left out of the check. */
  unchecked: string[];
  /** The manifest entry behind an edge of the root ('') or of the workspace at `location`. */
  dependencyFor(location: string, edgeName: string, type: EdgeType): LocatedDependency | undefined;
}

type Fetch = (name: string) => Promise<PeerPackument>;

interface Parts {
  peerName: string;
  edge: Edge;
  found: TreeNode | null;
  foundBy: string;
  foundDependency?: LocatedDependency;
  conflicting?: string;
  rootEdge?: Edge;
}

/** The root or workspace a node stands for (a scratch root stands for what it mirrors), if it is one. */
function ownerOf(node: TreeNode): TreeNode | undefined {
  const real = node.sourceReference ?? node;
  return real.isProjectRoot || real.isWorkspace ? real : undefined;
}

function locatedFor(info: RootInfo, edge: Edge): LocatedDependency | undefined {
  const owner = ownerOf(edge.from);
  return owner ? info.dependencyFor(owner.location, edge.name, edge.type) : undefined;
}

/**
 * The conflict npm would report, and the root or workspace dependency whose placement failed (to set
 * aside next): its name and the folder of the package.json it is in ('' for the root).
 */
export async function describeConflict(
  error: ResolveConflict,
  builder: IdealTreeBuilder,
  info: RootInfo,
  fetch: Fetch,
  options: EngineVersions,
): Promise<{ conflict: NpmPeerConflict; rootEdge?: { location: string; name: string } }> {
  const parts = error.detail.kind === 'load' ? loadParts(error, builder, info) : placeParts(error, info);
  const { peerName, edge, found } = parts;
  const dependant = edge.from;
  const peerPackument = await fetch(found?.packageName ?? peerName).catch(() => undefined);
  const conflicting = parts.conflicting ?? (peerPackument ? pickVersion(peerPackument, parseRegistrySpec(peerName, edge.spec), options) : undefined);
  const type = edge.type === 'prod' ? '' : `${edge.type} `;
  const foundText = found ? `${peerName}@${found.version}` : `no ${peerName}`;
  const message =
    `Could not resolve dependency: ${type}${peerName}@"${edge.spec}" from ${nodeId(dependant)}. ` +
    `Found: ${foundText} (from ${parts.foundBy}).` +
    (conflicting ? ` Conflicting peer dependency: ${peerName}@${conflicting}.` : '');
  const rootEdge = parts.rootEdge;
  const conflict: NpmPeerConflict = {
    found: { name: peerName, version: found?.version ?? '', requiredBy: parts.foundBy },
    peer: { dependant: nodeId(dependant), spec: edge.spec },
    message,
  };
  if (parts.foundDependency) Object.assign(conflict.found, parts.foundDependency);
  const rootDep = rootEdge ? locatedFor(info, rootEdge) : undefined;
  if (rootDep) Object.assign(conflict.peer, rootDep);
  if (peerPackument) {
    const highest = await highestCompatible(peerName, edge.spec, found?.version, peerPackument, info, fetch, options);
    if (highest) conflict.highestCompatible = highest;
  }
  // a workspace is no registry package: there is no release of it to upgrade to
  if (found?.version && dependant.version && !dependant.isProjectRoot && !ownerOf(dependant)) Object.assign(conflict, await unlockFor(dependant, peerName, found.version, fetch));
  const owner = rootEdge && ownerOf(rootEdge.from);
  return rootEdge && owner ? { conflict, rootEdge: { location: owner.location, name: rootEdge.name } } : { conflict };
}

// Conflict while loading a root dependency's peer set: the root (or a sibling peer) already fixed the version.
function loadParts(error: ResolveConflict, builder: IdealTreeBuilder, info: RootInfo): Parts {
  const detail = error.detail;
  if (detail.kind !== 'load') throw new Error('expected a load conflict');
  const found = detail.current;
  const parts: Parts = { peerName: detail.edge.name, edge: detail.edge, found, foundBy: 'the root project' };
  if (detail.currentEdge) {
    parts.foundBy = nodeId(detail.currentEdge.from);
    const dep = locatedFor(info, detail.currentEdge);
    if (dep) parts.foundDependency = dep;
  } else if (found) {
    const via = found.edgesIn.find((e) => e !== detail.edge);
    parts.foundBy = via ? nodeId(via.from) : 'the root project';
  }
  if (builder.loadingFor) {
    parts.rootEdge = builder.loadingFor;
  } else {
    // under --strict-peer-deps the scratch root may mirror a package deeper in the tree
    const source = detail.edge.from.root.sourceReference;
    const viaRoot = source && !ownerOf(source) ? rootEdgeOf(source) : undefined;
    if (viaRoot) parts.rootEdge = viaRoot;
  }
  return parts;
}

// Conflict while placing: the package in node_modules cannot be replaced and the peer cannot nest.
function placeParts(error: ResolveConflict, info: RootInfo): Parts {
  const detail = error.detail;
  if (detail.kind !== 'place') throw new Error('expected a place conflict');
  const pc = detail.peerConflict;
  const edge = pc?.peerEdge ?? detail.edge;
  const found = pc?.current ?? detail.current;
  const parts: Parts = { peerName: edge.name, edge, found, foundBy: 'the root project' };
  if (pc) parts.conflicting = pc.peer.version;
  if (found) {
    const via = found.edgesIn[0];
    if (via) parts.foundBy = nodeId(via.from);
    const rootEdge = rootEdgeOf(found);
    const dep = rootEdge ? locatedFor(info, rootEdge) : undefined;
    if (dep) parts.foundDependency = dep;
  }
  const top = ownerOf(detail.edge.from) ? detail.edge : rootEdgeOf(detail.edge.from);
  if (top) parts.rootEdge = top;
  return parts;
}

/** The root or workspace edge through which a node came into the tree (nearest first). */
function rootEdgeOf(node: TreeNode): Edge | undefined {
  const seen = new Set<TreeNode>([node]);
  const queue = [node];
  for (let i = 0; i < queue.length; i++) {
    for (const edge of queue[i].edgesIn) {
      if (ownerOf(edge.from)) return edge;
      if (!seen.has(edge.from)) {
        seen.add(edge.from);
        queue.push(edge.from);
      }
    }
  }
  return undefined;
}

function nodeId(node: TreeNode): string {
  // a scratch root stands for the package (or project) it mirrors
  const real = node.sourceReference ?? node;
  if (real.isProjectRoot) return 'the root project';
  return `${real.name}@${real.version}`;
}

/**
 * The highest version of `peerName` that every blocking dependant allows: the failing range, and
 * every other peer range on it (from the root dependencies and their peers, at the versions npm would
 * pick) that rejects the found version too. Undefined when those ranges have no common release.
 */
async function highestCompatible(
  peerName: string,
  failingSpec: string,
  foundVersion: string | undefined,
  packument: PeerPackument,
  info: RootInfo,
  fetch: Fetch,
  options: EngineVersions,
): Promise<string | undefined> {
  const others = await peerSpecsOn(peerName, info, fetch, options);
  const rejects = (spec: string): boolean => foundVersion === undefined || !semver.satisfies(foundVersion, spec, { loose: true });
  const parsed = [failingSpec, ...others.filter(rejects)].map((s) => parseRegistrySpec(peerName, s));
  const candidates = satisfyingVersions(packument, parsed[0]).filter((v) => semver.prerelease(v) === null);
  return candidates.find((v) => parsed.every((p) => p.kind === 'tag' || (p.kind === 'range' && semver.satisfies(v, p.range, { loose: true }))));
}

async function peerSpecsOn(peerName: string, info: RootInfo, fetch: Fetch, options: EngineVersions): Promise<string[]> {
  const specs: string[] = [];
  const visited = new Set<string>();
  const queue: [string, string][] = [];
  for (const pkg of [info.pkg, ...info.members.map((m) => m.pkg)]) {
    for (const key of ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'] as const) {
      for (const [name, spec] of Object.entries(pkg[key] ?? {})) if (name !== peerName) queue.push([name, spec]);
    }
  }
  for (let i = 0; i < queue.length && i < 200; i++) {
    const [name, spec] = queue[i];
    const parsed = parseRegistrySpec(name, spec);
    if (parsed.kind === 'other' || visited.has(`${name}@${spec}`)) continue;
    visited.add(`${name}@${spec}`);
    const packument = await fetch(parsed.packageName).catch(() => undefined);
    const version = packument ? pickVersion(packument, parsed, options) : undefined;
    const data = version === undefined ? undefined : packument?.versions.get(version);
    for (const [peer, peerSpec] of Object.entries(data?.peerDependencies ?? {})) {
      if (peer === peerName) specs.push(peerSpec);
      else queue.push([peer, info.pkg.dependencies?.[peer] ?? info.pkg.devDependencies?.[peer] ?? peerSpec]);
    }
  }
  return specs;
}

/** The newest release of the dependant whose peer range on `peerName` admits `version`. */
async function unlockFor(dependant: TreeNode, peerName: string, version: string, fetch: Fetch): Promise<{ unlock: string; unlockVersion?: string }> {
  const label = semver.major(version, { loose: true }) > 0 ? `${peerName} ${semver.major(version, { loose: true })}` : `${peerName}@${version}`;
  const packument = await fetch(dependant.packageName).catch(() => undefined);
  const releases = [...(packument?.versions.keys() ?? [])]
    .filter((v) => semver.valid(v, { loose: true }) !== null && semver.prerelease(v, { loose: true }) === null)
    .sort((a, b) => semver.rcompare(a, b, { loose: true }));
  for (const candidate of releases) {
    // only upgrades count: an old release without the peer is no way forward
    if (!semver.gt(candidate, dependant.version, { loose: true })) break;
    const range = packument?.versions.get(candidate)?.peerDependencies?.[peerName];
    if (range === undefined || semver.satisfies(version, range, { loose: true })) {
      return { unlock: `${dependant.packageName}@${candidate} allows ${label}`, unlockVersion: candidate };
    }
  }
  return { unlock: `no released version of ${dependant.packageName} allows ${label}` };
}
