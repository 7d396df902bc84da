// The ideal-tree loop of arborist's build-ideal-tree.js, reduced to registry packages: take the
// shallowest node with missing or invalid dependencies, load each missing dependency with its peer
// set in a scratch ("virtual") root that mirrors the dependant, then place it. Peer conflicts that
// belong to the project throw ResolveConflict, which is npm's ERESOLVE; others are accepted with a
// warning, as npm does without --strict-peer-deps.
import type { OverrideSet } from './overrides';
import { PlaceDep, ResolveConflict, type LoadConflict, type PlaceContext } from './place';
import { parseRegistrySpec, pickVersion, type EngineVersions, type PeerPackument } from './pick';
import { TreeNode, localeCompare, type Edge } from './tree';

/** A package npm could not load (unknown package, no matching version, registry failure). */
export class LoadError extends Error {
  constructor(
    message: string,
    readonly packageName: string,
  ) {
    super(message);
  }
}

/** The npm settings that change how peer conflicts end (npm config / .npmrc). */
export interface PeerDepsMode {
  /** --legacy-peer-deps: ignore peer dependencies altogether (npm 4-6 behaviour). */
  legacyPeerDeps?: boolean;
  /** --strict-peer-deps: every peer conflict fails, not only the project's own. */
  strictPeerDeps?: boolean;
  /** --force: no peer conflict fails; npm warns and installs anyway. */
  force?: boolean;
}

export interface BuildOptions extends EngineVersions, PeerDepsMode {
  signal?: AbortSignal;
  /** The project's workspace nodes by folder, not yet in the tree: each joins when its link is placed. */
  workspaces?: ReadonlyMap<string, TreeNode>;
}

/** A peer conflict npm accepts with "npm warn ERESOLVE overriding peer dependency". */
export interface PeerWarning {
  edge: Edge;
  dep: TreeNode;
}

export type FetchPackument = (name: string) => Promise<PeerPackument>;

/** Spec kinds npm would fetch from the registry; others (git, files, URLs) are left out of the model. */
export function isRegistryEdge(name: string, spec: string): boolean {
  return parseRegistrySpec(name, spec).kind !== 'other';
}

export class IdealTreeBuilder {
  readonly warnings: PeerWarning[] = [];
  /** The root edge whose peer set is being loaded, so a conflict can name the root dependency. */
  loadingFor: Edge | null = null;
  private readonly queue: TreeNode[] = [];
  private queueSorted = true;
  private readonly seen = new Set<TreeNode>();
  private readonly virtualRoots = new Map<TreeNode, TreeNode>();
  private readonly peerSetSource = new Map<TreeNode, TreeNode>();
  private readonly placeContext: PlaceContext;

  constructor(
    readonly root: TreeNode,
    private readonly fetch: FetchPackument,
    private readonly options: BuildOptions = {},
  ) {
    this.placeContext = {
      preferDedupe: false,
      strictPeerDeps: options.strictPeerDeps ?? false,
      force: options.force ?? false,
      warn: (edge, dep) => this.warnings.push({ edge, dep }),
      copyNode: (dep) => this.newNode(dep.name, dep.packageName, dep.version, dep.pkg, null, dep.overrides, dep.error, dep.linkTarget),
    };
  }

  /** Builds the tree in place under `root`; throws ResolveConflict (ERESOLVE) or LoadError. */
  async build(): Promise<void> {
    this.push(this.root);
    while (this.queueLinkTargets()) await this.drainQueue();
    this.checkFailures();
  }

  private async drainQueue(): Promise<void> {
    while (this.queue.length > 0) {
      this.options.signal?.throwIfAborted();
      if (!this.queueSorted) {
        // shallowest first, then by folder, as arborist's DepsQueue
        this.queue.sort((a, b) => a.depth - b.depth || localeCompare(a.location, b.location));
        this.queueSorted = true;
      }
      const node = this.queue.shift() as TreeNode;
      if (this.seen.has(node) || node.root !== this.root) continue;
      this.seen.add(node);
      await this.buildDepStep(node);
    }
  }

  // arborist's #resolveLinks: once the queue is empty, the workspaces whose links were placed and
  // that were not visited yet get their turn (so the root's own tree is built first).
  private queueLinkTargets(): boolean {
    if (this.queue.length > 0) return true;
    for (const node of this.root.inventory) {
      const target = node.linkTarget;
      if (target && target.root === this.root && !this.seen.has(target)) this.push(target);
    }
    return this.queue.length > 0;
  }

  // Like npm, a package that failed to load is reported only once no ERESOLVE came first, and only
  // if something needs it: a failure reached through optional edges alone makes that optional branch
  // inert (not installed, still in package-lock.json), which changes nothing about peers.
  private checkFailures(): void {
    const needed = new Set<TreeNode>([this.root]);
    for (const node of needed) {
      for (const edge of node.edgesOut.values()) {
        const to = edge.to;
        if (to && !edge.optional) needed.add(to.linkTarget ?? to);
      }
    }
    for (const node of [...this.root.inventory]) {
      if (node.error === undefined || node.root !== this.root) continue;
      if (needed.has(node)) throw new LoadError(node.error, node.packageName);
    }
  }

  private push(node: TreeNode): void {
    if (this.queue.includes(node)) return;
    this.queue.push(node);
    this.queueSorted = false;
  }

  private async buildDepStep(node: TreeNode): Promise<void> {
    const tasks: { edge: Edge; dep: TreeNode }[] = [];
    const peerSource = this.peerSetSource.get(node) ?? node;
    for (const edge of this.problemEdges(node)) {
      if (edge.peerConflicted) continue;
      const source = edge.peer ? peerSource : node;
      const virtualRoot = this.virtualRoot(source, true);
      const vrEdge = virtualRoot.edgesOut.get(edge.name);
      const vrDep = vrEdge && vrEdge.valid ? vrEdge.to : null;
      let dep = vrDep && vrDep.satisfies(edge) ? vrDep : null;
      if (!dep && edge.type === 'peerOptional') dep = findHoistableNode(edge.from.resolveParent ?? edge.from, edge);
      if (!dep) {
        this.loadingFor = node === this.root || node.isWorkspace ? edge : null;
        dep = await this.nodeFromEdge(edge, edge.peer ? virtualRoot : null, null, new Set([edge.from]));
      }
      tasks.push({ edge, dep });
    }
    tasks.sort((a, b) => localeCompare(a.edge.name, b.edge.name));
    for (const { edge, dep } of tasks) {
      this.loadingFor = node === this.root || node.isWorkspace ? edge : null;
      this.visit(new PlaceDep(dep, edge, this.placeContext));
    }
  }

  // Queue what placing changed: the placed node itself, and dependants it left invalid.
  private visit(pd: PlaceDep): void {
    const placed = pd.placed;
    // a workspace joins the tree with its link, its own dependencies waiting for queueLinkTargets
    if (placed?.linkTarget && placed.root === this.root) placed.linkTarget.fsParent = this.root;
    if (placed) {
      for (const edgeIn of placed.edgesIn) {
        if (edgeIn === pd.edge || edgeIn.valid || edgeIn.peerConflicted) continue;
        // Re-visit the dependant even if it was done: `npm install` saves, so npm re-queues a node
        // whose (optional) peer just became invalid (npm/cli#8726), and always does after a REPLACE.
        this.seen.delete(edgeIn.from);
        this.push(edgeIn.from);
      }
      this.push(placed);
      for (const dep of pd.needEvaluation) {
        this.seen.delete(dep);
        this.push(dep);
      }
    }
    for (const child of pd.children) this.visit(child);
  }

  private problemEdges(node: TreeNode): Edge[] {
    const problems: Edge[] = [];
    for (const edge of node.edgesOut.values()) {
      if (edge.to?.error !== undefined) continue;
      if (!edge.to) {
        if (edge.type !== 'peerOptional') problems.push(edge);
        continue;
      }
      if (!edge.valid) problems.push(edge);
    }
    return problems;
  }

  private virtualRoot(node: TreeNode, reuse = false): TreeNode {
    const existing = reuse ? this.virtualRoots.get(node) : undefined;
    if (existing) return existing;
    const vr = new TreeNode({
      name: node.name,
      packageName: node.packageName,
      version: node.version,
      pkg: node.pkg,
      sourceReference: node,
      overrides: node.overrides,
      keepEdge: isRegistryEdge,
      legacyPeerDeps: this.options.legacyPeerDeps,
    });
    this.virtualRoots.set(node, vr);
    return vr;
  }

  // Loads the node an edge wants into a scratch root, then its peers (and theirs) beside it.
  private async nodeFromEdge(edge: Edge, parentIn: TreeNode | null, secondEdge: Edge | null, required: Set<TreeNode>): Promise<TreeNode> {
    const parent = parentIn ?? this.virtualRoot(edge.from);
    const first = await this.nodeFromSpec(edge.name, edge.spec, parent, edge);
    // When the dependant's own edge is broad (>=1) and the peer wants 1.x, prefer the peer's pick if both accept it.
    const second = secondEdge && !secondEdge.valid ? await this.nodeFromSpec(edge.name, secondEdge.spec, parent, secondEdge) : null;
    const node = second && edge.valid ? second : first;
    node.parent = parent;
    const needed = (e: Edge | null): boolean => !!e && required.has(e.from) && e.type !== 'peerOptional';
    if (needed(edge) || needed(secondEdge)) required.add(node);
    if (parent.sourceReference) this.peerSetSource.set(node, parent.sourceReference);
    return this.loadPeerSet(node, required);
  }

  private async nodeFromSpec(name: string, spec: string, parent: TreeNode, edge: Edge): Promise<TreeNode> {
    if (edge.type === 'workspace') {
      // the root's edge to a workspace: a link to its folder, placed like any dependency
      const target = this.options.workspaces?.get(spec.slice('file:'.length));
      if (!target) return this.newNode(name, name, '', {}, parent, edge.overrides, `The workspace ${name} (${spec}) could not be read.`);
      return this.newNode(name, name, target.version, {}, parent, edge.overrides, undefined, target);
    }
    const parsed = parseRegistrySpec(name, spec);
    const failed = (error: string): TreeNode => this.newNode(name, parsed.packageName, '', {}, parent, edge.overrides, error);
    if (parsed.kind === 'other') return failed(`${name}@${spec} is not a registry package; npm would fetch it from elsewhere.`);
    let packument: PeerPackument;
    try {
      packument = await this.fetch(parsed.packageName);
    } catch (err) {
      if (this.options.signal?.aborted) throw err;
      return failed(err instanceof Error ? err.message : String(err));
    }
    const version = pickVersion(packument, parsed, this.options);
    const data = version === undefined ? undefined : packument.versions.get(version);
    if (version === undefined || !data) return failed(`No matching version found for ${name}@${spec}.`);
    const pkg = { dependencies: data.dependencies, optionalDependencies: data.optionalDependencies, peerDependencies: data.peerDependencies, peerDependenciesMeta: data.peerDependenciesMeta };
    return this.newNode(name, parsed.packageName, version, pkg, parent, edge.overrides);
  }

  private newNode(
    name: string,
    packageName: string,
    version: string,
    pkg: TreeNode['pkg'],
    parent: TreeNode | null,
    overrides: OverrideSet | undefined,
    error?: string,
    linkTarget?: TreeNode,
  ): TreeNode {
    const legacyPeerDeps = this.options.legacyPeerDeps;
    const node = new TreeNode({ name, packageName, version, pkg, parent, overrides, keepEdge: isRegistryEdge, error, legacyPeerDeps, linkTarget });
    // Warm the cache for what this node will ask for next; failures surface when they are needed.
    for (const edge of node.edgesOut.values()) {
      const target = parseRegistrySpec(edge.name, edge.spec);
      if (target.kind !== 'other') this.fetch(target.packageName).catch(() => undefined);
    }
    return node;
  }

  // arborist's #loadPeerSet: conflicts are fatal only when the scratch root mirrors the project.
  private async loadPeerSet(node: TreeNode, required: Set<TreeNode>): Promise<TreeNode> {
    const peerEdges = [...node.edgesOut.values()]
      .filter((e) => e.peer && !(e.valid && e.to))
      .sort((a, b) => localeCompare(a.name, b.name));
    for (const edge of peerEdges) {
      const scratch = node.parent;
      if (!scratch) break;
      if (edge.valid && edge.to) continue;
      const parentEdge = scratch.edgesOut.get(edge.name);
      const isMine = !!scratch.sourceReference?.isProjectRoot || !!scratch.sourceReference?.isWorkspace;
      const conflictOK = !!this.options.force || (!isMine && !this.options.strictPeerDeps);
      if (!edge.to) {
        if (!parentEdge) {
          await this.nodeFromEdge(edge, scratch, null, required);
          continue;
        }
        const dep = await this.nodeFromEdge(parentEdge, scratch, edge, required);
        if (edge.valid) continue;
        if (conflictOK || !required.has(dep)) {
          edge.peerConflicted = true;
          continue;
        }
        if (!node.parent) break;
        throw new ResolveConflict(this.explainLoad(edge, parentEdge));
      }
      const current = edge.to;
      const dep = await this.nodeFromEdge(edge, null, null, required);
      if (current && dep.canReplace(current)) {
        await this.nodeFromEdge(edge, node.parent, null, required);
        continue;
      }
      if (conflictOK || !required.has(edge.from)) continue;
      throw new ResolveConflict(this.explainLoad(edge, parentEdge));
    }
    return node;
  }

  private explainLoad(edge: Edge, currentEdge: Edge | undefined): LoadConflict {
    const out: LoadConflict = { kind: 'load', edge, current: edge.from.resolve(edge.name) };
    if (currentEdge) out.currentEdge = currentEdge;
    return out;
  }
}

/** The shallowest node below `root` that already satisfies an optional peer (npm/cli#9249). */
function findHoistableNode(root: TreeNode, edge: Edge): TreeNode | null {
  const queue = [...root.children.values()];
  for (let i = 0; i < queue.length; i++) {
    const node = queue[i];
    if (node.name === edge.name && node.satisfies(edge)) return node;
    queue.push(...node.children.values());
  }
  return null;
}
