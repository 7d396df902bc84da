// A dependency tree as arborist sees one on disk or in a lockfile: packages keyed by location
// ('node_modules/a/node_modules/b', 'packages/web'), a dependency resolving to the nearest folder of
// that name walking up, and an edge valid when what it resolves to satisfies its spec (dep-valid,
// overrides included). The lock check (npm ci) and the node_modules check (npm ls) share it.
import { posix } from 'node:path';
import { OverrideSet, overriddenSpec, type OverridesJson } from '../arborist/overrides';
import { specAccepts } from './specValid';

export type DepEdgeType = 'prod' | 'dev' | 'optional' | 'peer' | 'peerOptional' | 'workspace';

/** The dependency fields of a package.json or a lockfile entry. */
export interface PackageFields {
  name?: string;
  version?: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean } | undefined>;
  bundleDependencies?: string[];
}

export interface DepEdge {
  name: string;
  /** The spec as written (before overrides). */
  spec: string;
  type: DepEdgeType;
}

export interface DepNode {
  /** '' for the project root; otherwise the folder relative to it, with '/' separators. */
  location: string;
  /** The folder name (an npm: alias's own name); the package name for the root. */
  name: string;
  /** The `name` in its package.json (the aliased package). */
  packageName: string;
  /** '' when unknown (an unreadable package.json). */
  version: string;
  resolved?: string;
  /** For a symlink (workspaces, file: folders): the location it points to. */
  linkTo?: string;
  edges: Map<string, DepEdge>;
  inBundle?: boolean;
  hasShrinkwrap?: boolean;
  bundled?: string[];
  /** Why the package could not be read, when it could not. */
  error?: string;
}

export type EdgeError = 'MISSING' | 'PEER LOCAL' | 'INVALID' | null;

const UNDER_NODE_MODULES = /(?:^|\/)node_modules\/(?:@[^/]+\/)?[^/]+$/;

/** The folder name a location ends in ('node_modules/@s/x' -> '@s/x'). */
export function folderName(location: string): string {
  const m = /(?:^|\/)((?:@[^/]+\/)?[^/]+)$/.exec(location);
  const tail = m?.[1] ?? location;
  return UNDER_NODE_MODULES.test(location) ? tail : tail.split('/').pop() ?? tail;
}

/** Where package `name` sits inside the node_modules of the package at `location`. */
export function childLocation(location: string, name: string): string {
  return location === '' ? `node_modules/${name}` : `${location}/node_modules/${name}`;
}

function stringMap(value: unknown): Record<string, string> | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const out: Record<string, string> = {};
  for (const [key, spec] of Object.entries(value)) if (typeof spec === 'string') out[key] = spec;
  return out;
}

/** The dependency fields of an untrusted JSON object (a lock entry, an installed package.json); never throws. */
export function packageFieldsOf(json: unknown): PackageFields {
  if (!json || typeof json !== 'object' || Array.isArray(json)) return {};
  const raw = json as Record<string, unknown>;
  const meta = raw.peerDependenciesMeta;
  const bundle = raw.bundleDependencies ?? raw.bundledDependencies;
  return {
    name: typeof raw.name === 'string' ? raw.name : undefined,
    version: typeof raw.version === 'string' ? raw.version : undefined,
    dependencies: stringMap(raw.dependencies),
    devDependencies: stringMap(raw.devDependencies),
    optionalDependencies: stringMap(raw.optionalDependencies),
    peerDependencies: stringMap(raw.peerDependencies),
    peerDependenciesMeta: meta && typeof meta === 'object' && !Array.isArray(meta) ? (meta as PackageFields['peerDependenciesMeta']) : undefined,
    bundleDependencies: Array.isArray(bundle) ? bundle.filter((b): b is string => typeof b === 'string') : undefined,
  };
}

/**
 * A package's edges in arborist's order: peers, then dependencies, optionalDependencies and (for a
 * top package only) devDependencies, each replacing an earlier edge of the same name; workspace
 * edges are never replaced.
 */
export function edgesOf(pkg: PackageFields, top: boolean, workspaces?: Map<string, string>): Map<string, DepEdge> {
  const edges = new Map<string, DepEdge>();
  for (const [name, location] of workspaces ?? []) edges.set(name, { name, spec: `file:${location}`, type: 'workspace' });
  const add = (deps: Record<string, string> | undefined, type: (name: string) => DepEdgeType): void => {
    for (const [name, spec] of Object.entries(deps ?? {})) {
      if (edges.get(name)?.type === 'workspace') continue;
      edges.delete(name);
      edges.set(name, { name, spec, type: type(name) });
    }
  };
  const meta = pkg.peerDependenciesMeta ?? {};
  add(pkg.peerDependencies, (name) => (meta[name]?.optional ? 'peerOptional' : 'peer'));
  add(pkg.dependencies, () => 'prod');
  add(pkg.optionalDependencies, () => 'optional');
  if (top) add(pkg.devDependencies, () => 'dev');
  return edges;
}

/** A node from a location and package fields (a lock entry, an installed package.json). */
export function makeNode(location: string, pkg: PackageFields, extra: Partial<DepNode> = {}): DepNode {
  const name = folderName(location);
  const top = !UNDER_NODE_MODULES.test(location);
  return {
    location,
    name,
    packageName: pkg.name ?? name,
    version: pkg.version ?? '',
    edges: edgesOf(pkg, top),
    bundled: pkg.bundleDependencies,
    ...extra,
  };
}

/** The tree: nodes by location, resolution, edge validity with the root's overrides. */
export class DepGraph {
  readonly nodes = new Map<string, DepNode>();
  private readonly overrideOf = new Map<DepNode, OverrideSet>();
  private readonly parents = new Map<DepNode, DepNode | undefined>();
  // The graph never changes once built, so resolutions and edge errors are kept.
  private readonly resolved = new Map<DepNode, Map<string, DepNode | null>>();
  private readonly errors = new Map<DepEdge, EdgeError>();

  constructor(
    readonly root: DepNode,
    nodes: Iterable<DepNode>,
    private readonly rootPackage: PackageFields = {},
    overrides?: OverridesJson,
  ) {
    this.nodes.set('', root);
    for (const node of nodes) if (node.location !== '') this.nodes.set(node.location, node);
    if (overrides && typeof overrides === 'object' && Object.keys(overrides).length > 0) this.propagateOverrides(new OverrideSet(overrides));
  }

  /** A link's target (itself for any other node). */
  target(node: DepNode): DepNode {
    return node.linkTo !== undefined ? (this.nodes.get(node.linkTo) ?? node) : node;
  }

  /** Root, or a package outside any node_modules (a workspace, a linked folder): devDependencies count. */
  isTop(node: DepNode): boolean {
    return node.location === '' || !UNDER_NODE_MODULES.test(node.location);
  }

  /** The node_modules parent (or, for a top package, the nearest package folder above it). */
  resolveParent(node: DepNode): DepNode | undefined {
    if (node.location === '') return undefined;
    if (this.parents.has(node)) return this.parents.get(node);
    let found: DepNode | undefined;
    for (let dir = posix.dirname(node.location); ; dir = posix.dirname(dir)) {
      const at = dir === '.' || dir === '/' ? '' : dir;
      found = this.nodes.get(at);
      if (found || at === '' || at.startsWith('..')) break;
    }
    this.parents.set(node, found ?? this.root);
    return found ?? this.root;
  }

  /** The package folder whose node_modules holds `node`, if any (arborist's `parent`). */
  nodeModulesParent(node: DepNode): string | undefined {
    const m = /^(.*?)\/?node_modules\/(?:@[^/]+\/)?[^/]+$/.exec(node.location);
    return m ? m[1] : undefined;
  }

  /** What `from`'s dependency `name` resolves to: the nearest node_modules/<name> walking up. */
  resolve(from: DepNode, name: string): DepNode | undefined {
    const start = this.target(from);
    let known = this.resolved.get(start);
    if (!known) this.resolved.set(start, (known = new Map()));
    const hit = known.get(name);
    if (hit !== undefined) return hit ?? undefined;
    let found: DepNode | undefined;
    for (let node: DepNode | undefined = start; node && !found; node = this.resolveParent(node)) found = this.nodes.get(childLocation(node.location, name));
    known.set(name, found ?? null);
    return found;
  }

  /** The spec npm checks for an edge: an override's value when one applies. */
  effectiveSpec(from: DepNode, edge: DepEdge): string {
    const rule = this.ruleFor(from, edge);
    const lookup = (ref: string): string | undefined => referenced(this.rootPackage, ref) ?? referenced(edgeFields(from), ref);
    return overriddenSpec(rule, edge.name, lookup) ?? edge.spec;
  }

  /** arborist's Edge.error for `from`'s edge (against `to` instead of what it resolves to, when given). */
  edgeError(from: DepNode, edge: DepEdge, to?: DepNode): EdgeError {
    const resolved = this.resolve(from, edge.name);
    if (to === undefined || to === resolved) {
      let error = this.errors.get(edge);
      if (error === undefined) this.errors.set(edge, (error = this.computeError(from, edge, resolved)));
      return error;
    }
    return this.computeError(from, edge, to);
  }

  private computeError(from: DepNode, edge: DepEdge, to: DepNode | undefined): EdgeError {
    if (!to) return edge.type === 'optional' || edge.type === 'peerOptional' ? null : 'MISSING';
    const peer = edge.type === 'peer' || edge.type === 'peerOptional';
    if (peer && !this.isTop(from) && this.nodeModulesParent(to) === from.location) return 'PEER LOCAL';
    return this.satisfiedBy(from, edge, to) ? null : 'INVALID';
  }

  private satisfiedBy(from: DepNode, edge: DepEdge, to: DepNode): boolean {
    if (to.name !== edge.name) return false;
    const real = this.target(to);
    const fromDir = this.target(from).location;
    const accepts = (spec: string): boolean =>
      specAccepts({ version: real.version, resolved: to.linkTo === undefined ? to.resolved : undefined, linkTo: to.linkTo }, edge.name, spec, fromDir);
    const rule = this.ruleFor(from, edge);
    if (to.inBundle || to.hasShrinkwrap || !rule?.keySpec) return accepts(to.inBundle || to.hasShrinkwrap ? edge.spec : this.effectiveSpec(from, edge));
    if (accepts(this.effectiveSpec(from, edge))) return true;
    if (!accepts(edge.spec)) return false;
    // In the original range but not the override's: fine unless the override's key range catches it.
    return !accepts(rule.keySpec);
  }

  private ruleFor(from: DepNode, edge: DepEdge): OverrideSet | undefined {
    return this.overrideOf.get(this.target(from))?.getEdgeRule({ name: edge.name, rawSpec: edge.spec });
  }

  // Each package takes the override rules of the first edge that reaches it, as arborist's nodes
  // inherit their edgesIn's rule set; workspaces take the root's.
  private propagateOverrides(rootSet: OverrideSet): void {
    this.overrideOf.set(this.root, rootSet);
    const queue: DepNode[] = [this.root];
    for (let i = 0; i < queue.length; i++) {
      const from = this.target(queue[i]);
      const set = this.overrideOf.get(from) ?? rootSet;
      for (const edge of from.edges.values()) {
        const to = this.resolve(from, edge.name);
        if (!to) continue;
        const real = this.target(to);
        if (this.overrideOf.has(real)) continue;
        this.overrideOf.set(real, edge.type === 'workspace' ? rootSet : set.getEdgeRule({ name: edge.name, rawSpec: edge.spec }));
        queue.push(real);
      }
    }
  }
}

function referenced(pkg: PackageFields, ref: string): string | undefined {
  return pkg.devDependencies?.[ref] ?? pkg.optionalDependencies?.[ref] ?? pkg.dependencies?.[ref] ?? pkg.peerDependencies?.[ref];
}

function edgeFields(node: DepNode): PackageFields {
  const out: PackageFields = { dependencies: {} };
  for (const edge of node.edges.values()) (out.dependencies as Record<string, string>)[edge.name] = edge.spec;
  return out;
}
