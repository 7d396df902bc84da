// A reduced model of arborist's Node and Edge: a node_modules tree where a dependency resolves to the
// nearest package of that name walking up the folders, and an edge is valid when what it resolves to
// satisfies its spec. Edges resolve on demand and keep the answer only until the next move in any
// tree, so moving or replacing a node never leaves them stale.
// Virtual roots (arborist's scratch trees for loading peer sets) are roots with a sourceReference.
// npm workspaces are folders outside node_modules: each is a node whose fsParent is the root (it
// resolves through the root's node_modules), linked into the root's node_modules by a link node.
import { overriddenSpec, type OverrideSet } from './overrides';
import { parseRegistrySpec, versionSatisfies } from './pick';
import { gatherDepSet } from './treeWalk';

export type EdgeType = 'prod' | 'dev' | 'optional' | 'peer' | 'peerOptional' | 'workspace';

/** The dependency fields of a package.json or a packument version. */
export interface PackageData {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean } | undefined>;
}

// Bumped on every move in any tree: edges cache what they resolve to until the next move.
let treeEpoch = 0;

// Made on first use: building a collator costs about 6 ms, paid at every CLI start otherwise.
let collator: Intl.Collator | undefined;
/** arborist's ordering (@isaacs/string-locale-compare with the 'en' locale). */
export const localeCompare = (a: string, b: string): number => (collator ??= new Intl.Collator('en')).compare(a, b);

export class Edge {
  /** Set when npm accepted this peer edge as broken (a conflict it is allowed to override). */
  peerConflicted = false;
  private cachedAt = -1;
  private cachedTo: TreeNode | null = null;
  private cachedError: 'MISSING' | 'PEER LOCAL' | 'INVALID' | null = null;

  constructor(
    readonly from: TreeNode,
    readonly name: string,
    readonly rawSpec: string,
    readonly type: EdgeType,
  ) {}

  get peer(): boolean {
    return this.type === 'peer' || this.type === 'peerOptional';
  }

  get optional(): boolean {
    return this.type === 'optional' || this.type === 'peerOptional';
  }

  get overrides(): OverrideSet | undefined {
    return this.from.overrides?.getEdgeRule(this);
  }

  /** The spec after overrides, as npm shows it. */
  get spec(): string {
    if (this.type === 'workspace') return this.rawSpec;
    const lookup = (ref: string): string | undefined => this.from.projectRoot.referencedSpec(ref) ?? this.from.referencedSpec(ref);
    return overriddenSpec(this.overrides, this.name, lookup) ?? this.rawSpec;
  }

  get to(): TreeNode | null {
    this.refresh();
    return this.cachedTo;
  }

  private refresh(): void {
    if (this.cachedAt === treeEpoch) return;
    this.cachedAt = treeEpoch;
    this.cachedTo = this.from.resolve(this.name);
    this.cachedError = this.computeError(this.cachedTo);
  }

  satisfiedBy(node: TreeNode): boolean {
    if (node.name !== this.name) return false;
    // a workspace edge wants the link to its folder, whatever the version
    if (this.type === 'workspace') return node.linkTarget !== undefined && `file:${node.linkTarget.location}` === this.rawSpec;
    const rule = this.overrides;
    if (!rule?.keySpec) return specAccepts(node, this.spec);
    if (specAccepts(node, this.spec)) return true;
    if (!specAccepts(node, this.rawSpec)) return false;
    // In the original range but not the override's: fine unless the override's key range catches it.
    return !specAccepts(node, rule.keySpec);
  }

  get error(): 'MISSING' | 'PEER LOCAL' | 'INVALID' | null {
    this.refresh();
    return this.cachedError;
  }

  private computeError(to: TreeNode | null): 'MISSING' | 'PEER LOCAL' | 'INVALID' | null {
    if (!to) return this.optional ? null : 'MISSING';
    if (this.peer && this.from === to.parent && !this.from.isTop) return 'PEER LOCAL';
    if (!this.satisfiedBy(to)) return 'INVALID';
    return null;
  }

  get valid(): boolean {
    return this.error === null;
  }
}

function specAccepts(node: TreeNode, spec: string): boolean {
  const parsed = parseRegistrySpec(node.name, spec);
  if (parsed.kind === 'other') return false;
  if (parsed.packageName !== node.packageName && parsed.packageName !== node.name) return false;
  return versionSatisfies(node.version, parsed);
}

export interface NodeOptions {
  name: string;
  /** The registry package, when `name` is an npm: alias. */
  packageName?: string;
  version: string;
  pkg: PackageData;
  parent?: TreeNode | null;
  sourceReference?: TreeNode | null;
  overrides?: OverrideSet;
  /** Skips edges whose spec npm would fetch from elsewhere than the registry (git, file, URLs). */
  keepEdge?: (name: string, spec: string) => boolean;
  /** Why the package could not be loaded; such a node has no version and no edges. */
  error?: string;
  /** npm's --legacy-peer-deps: peer dependencies are neither installed nor checked. */
  legacyPeerDeps?: boolean;
  /** On the project root: its workspaces, name -> folder; each becomes a `workspace` edge that wins over other edges of its name. */
  workspaces?: ReadonlyMap<string, string>;
  /** For a workspace: its folder relative to the root ('packages/a'); it joins the tree through `fsParent`. */
  folder?: string;
  /** For a link in node_modules: the workspace it points to. */
  linkTarget?: TreeNode;
}

export class TreeNode {
  readonly name: string;
  readonly packageName: string;
  readonly version: string;
  readonly pkg: PackageData;
  readonly sourceReference: TreeNode | null;
  readonly edgesOut = new Map<string, Edge>();
  readonly children = new Map<string, TreeNode>();
  /** Nodes of the tree in the order they joined it; meaningful on roots only. */
  readonly inventory = new Set<TreeNode>([this]);
  /** On roots: the nodes of the tree with an edge of each name, so edgesIn need not scan the tree. */
  private readonly dependants = new Map<string, Set<TreeNode>>();
  overrides?: OverrideSet;
  /** Set on a placeholder for a package that failed to load (arborist's failure node). */
  readonly error?: string;
  readonly legacyPeerDeps: boolean;
  /** A workspace's folder relative to the root; undefined for packages in node_modules and for roots. */
  readonly folder?: string;
  /** For a link: the workspace it points to. */
  readonly linkTarget?: TreeNode;
  private parentNode: TreeNode | null = null;
  private fsParentNode: TreeNode | null = null;

  constructor(options: NodeOptions) {
    this.error = options.error;
    this.name = options.name;
    this.packageName = options.packageName ?? options.name;
    this.version = options.version;
    this.pkg = options.pkg;
    this.sourceReference = options.sourceReference ?? null;
    this.overrides = options.overrides;
    const keep = options.keepEdge ?? (() => true);
    // Dev dependencies count for a top node only, and for a virtual root only when its source is top.
    const dev = !options.parent && (!this.sourceReference || this.sourceReference.isTop);
    this.legacyPeerDeps = options.legacyPeerDeps ?? false;
    this.folder = options.folder;
    this.linkTarget = options.linkTarget;
    this.loadEdges(this.pkg, dev, keep);
    for (const [name, folder] of options.workspaces ?? []) {
      this.edgesOut.delete(name);
      this.edgesOut.set(name, new Edge(this, name, `file:${folder}`, 'workspace'));
    }
    this.list(this);
    if (options.parent) this.parent = options.parent;
  }

  // arborist's _loadDeps: later types replace earlier ones, and a replaced edge moves to the end.
  private loadEdges(pkg: PackageData, dev: boolean, keep: (name: string, spec: string) => boolean): void {
    const peers = pkg.peerDependencies ?? {};
    const meta = pkg.peerDependenciesMeta ?? {};
    const required = Object.entries(peers).filter(([name]) => !meta[name]?.optional);
    const optional = Object.entries(peers).filter(([name]) => meta[name]?.optional);
    const add = (entries: [string, string][], type: EdgeType): void => {
      for (const [name, spec] of entries) {
        if (typeof spec !== 'string' || !keep(name, spec)) continue;
        this.edgesOut.delete(name);
        this.edgesOut.set(name, new Edge(this, name, spec, type));
      }
    };
    if (!this.legacyPeerDeps) {
      add(required, 'peer');
      add(optional, 'peerOptional');
    }
    add(Object.entries(pkg.dependencies ?? {}), 'prod');
    add(Object.entries(pkg.optionalDependencies ?? {}), 'optional');
    if (dev) add(Object.entries(pkg.devDependencies ?? {}), 'dev');
  }

  get parent(): TreeNode | null {
    return this.parentNode;
  }

  /** For a workspace: the project root whose node_modules it resolves through (arborist's fsParent). */
  get fsParent(): TreeNode | null {
    return this.fsParentNode;
  }

  /** Joins a workspace (with what is below it) to the project root's tree; once, when its link is placed. */
  set fsParent(root: TreeNode | null) {
    if (!root || this.fsParentNode || this.parentNode) return;
    treeEpoch++;
    const moving = this.subtree();
    this.fsParentNode = root;
    const newRoot = this.root;
    for (const node of moving) newRoot.list(node);
  }

  /** Where names resolve next: the parent folder's node_modules, or for a workspace the root's. */
  get resolveParent(): TreeNode | null {
    return this.parentNode ?? this.fsParentNode;
  }

  /** Moves this node (with its subtree) under `next`, clobbering a same-named child; null detaches. */
  set parent(next: TreeNode | null) {
    if (next === this.parentNode || next === this) return;
    treeEpoch++;
    const moving = this.subtree();
    const oldRoot = this.root;
    if (oldRoot !== this) for (const node of moving) oldRoot.unlist(node);
    if (this.parentNode?.children.get(this.name) === this) this.parentNode.children.delete(this.name);
    this.parentNode = next;
    if (!next) {
      this.inventory.clear();
      this.dependants.clear();
      for (const node of moving) this.list(node);
      return;
    }
    const clobbered = next.children.get(this.name);
    if (clobbered && clobbered !== this) clobbered.parent = null;
    next.children.set(this.name, this);
    const newRoot = this.root;
    for (const node of moving) newRoot.list(node);
  }

  private list(node: TreeNode): void {
    this.inventory.add(node);
    for (const name of node.edgesOut.keys()) {
      let set = this.dependants.get(name);
      if (!set) this.dependants.set(name, (set = new Set()));
      set.add(node);
    }
  }

  private unlist(node: TreeNode): void {
    this.inventory.delete(node);
    for (const name of node.edgesOut.keys()) this.dependants.get(name)?.delete(node);
  }

  /** Takes `old`'s place in its tree, adopting its children (arborist's Node.replace). */
  replace(old: TreeNode): void {
    for (const kid of [...old.children.values()]) kid.parent = this;
    const parent = old.parent;
    old.parent = null;
    this.parent = parent;
  }

  private subtree(): TreeNode[] {
    const out: TreeNode[] = [this];
    for (let i = 0; i < out.length; i++) out.push(...out[i].children.values());
    return out;
  }

  get root(): TreeNode {
    let node: TreeNode = this;
    for (let up = node.resolveParent; up; up = node.resolveParent) node = up;
    return node;
  }

  get isTop(): boolean {
    return !this.parentNode;
  }

  get isProjectRoot(): boolean {
    return !this.parentNode && this.folder === undefined;
  }

  /** A workspace folder of the project (not a root, not in node_modules). */
  get isWorkspace(): boolean {
    return this.folder !== undefined;
  }

  /** The real project root behind this tree (a virtual root's source, followed to its root). */
  get projectRoot(): TreeNode {
    const root = this.root;
    return root.sourceReference ? root.sourceReference.projectRoot : root;
  }

  get depth(): number {
    let depth = 0;
    for (let node = this.parentNode; node; node = node.parentNode) depth++;
    return depth;
  }

  /** 'node_modules/a/node_modules/b', 'packages/a/node_modules/b'; '' for a root; a workspace's folder. */
  get location(): string {
    if (!this.parentNode) return this.folder ?? '';
    const above = this.parentNode.location;
    return `${above ? `${above}/` : ''}node_modules/${this.name}`;
  }

  *ancestry(): Generator<TreeNode> {
    for (let node: TreeNode | null = this; node; node = node.resolveParent) yield node;
  }

  resolve(name: string): TreeNode | null {
    for (let node: TreeNode | null = this; node; node = node.resolveParent) {
      const child = node.children.get(name);
      if (child) return child;
    }
    return null;
  }

  /** Edges in the same tree that resolve to this node, in the order their owners joined the tree. */
  get edgesIn(): Edge[] {
    const out: Edge[] = [];
    for (const node of this.root.dependants.get(this.name) ?? []) {
      const edge = node.edgesOut.get(this.name);
      if (edge && edge.to === this) out.push(edge);
    }
    return out;
  }

  isDescendantOf(other: TreeNode): boolean {
    for (let node = this.resolveParent; node; node = node.resolveParent) if (node === other) return true;
    return false;
  }

  satisfies(edge: Edge): boolean {
    return this.name === edge.name && edge.satisfiedBy(this);
  }

  /** Same package contents (arborist compares integrity; a registry version is its integrity). */
  matches(other: TreeNode): boolean {
    if (other === this) return true;
    if (other.name !== this.name) return false;
    if (this.isProjectRoot && other.isProjectRoot) return false;
    return this.packageName === other.packageName && this.version === other.version;
  }

  /** True when `replacement` could stand in for this node for every dependant outside its own deps. */
  canReplaceWith(replacement: TreeNode, ignorePeers: Iterable<string> = []): boolean {
    if (replacement.name !== this.name || replacement.packageName !== this.packageName) return false;
    if (this.edgesOut.size > 0) {
      if (replacement.overrides ? !replacement.overrides.isEqual(this.overrides) : this.overrides) return false;
    }
    const ignored = new Set(ignorePeers);
    // Dependants among this node's own dependencies do not count: they go if it goes. The set is
    // costly, so it is gathered only once some dependant is not satisfied by the replacement.
    let depSet: Set<TreeNode> | undefined;
    for (const edge of this.edgesIn) {
      if (!this.isTop && edge.from.parent === this.parent && edge.peer && ignored.has(edge.from.name)) continue;
      if (edge.satisfiedBy(replacement)) continue;
      // Only a dependant reachable from this node can be inside its dependency set.
      if (!depSet && !this.reaches(edge.from)) return false;
      depSet ??= gatherDepSet([this], (e) => e.to !== this && e.valid);
      if (!depSet.has(edge.from)) return false;
    }
    return true;
  }

  /** Whether `target` is among this node's dependencies, following valid edges (not back to this node). */
  private reaches(target: TreeNode): boolean {
    const seen = new Set<TreeNode>([this]);
    const queue: TreeNode[] = [this];
    for (let i = 0; i < queue.length; i++) {
      for (const edge of queue[i].edgesOut.values()) {
        const to = edge.to;
        if (!to || to === this || seen.has(to) || !edge.valid) continue;
        if (to === target) return true;
        seen.add(to);
        queue.push(to);
      }
    }
    return false;
  }

  canReplace(current: TreeNode, ignorePeers?: Iterable<string>): boolean {
    return current.canReplaceWith(this, ignorePeers);
  }

  /** A root dependency spec by name, for `$name` override references. */
  referencedSpec(ref: string): string | undefined {
    const pkg = this.pkg;
    return pkg.devDependencies?.[ref] ?? pkg.optionalDependencies?.[ref] ?? pkg.dependencies?.[ref] ?? pkg.peerDependencies?.[ref];
  }

  toString(): string {
    return `${this.name}@${this.version}`;
  }
}
