// Where npm puts a package and its peer set in node_modules: a port of arborist's CanPlaceDep (may
// this dep go in this folder?) and PlaceDep (walk up from the deepest allowed folder, place at the
// shallowest one that does not conflict, then place the peers alongside). When no folder works and
// the conflict is the project's own (a root dependency or its peers), npm fails with ERESOLVE.
import * as semver from 'semver';
import { localeCompare, type Edge, type TreeNode } from './tree';
import { canDedupe, deepestNestingTarget, gatherDepSet, peerEntrySets } from './treeWalk';

export type Placement = 'OK' | 'REPLACE' | 'KEEP' | 'CONFLICT';

/** What npm's explainPeerConflict records, in tree terms; peers.ts turns it into sentences. */
export interface PlaceConflict {
  kind: 'place';
  /** The edge being placed when placement failed (the top of the peer-set placement). */
  edge: Edge;
  dep: TreeNode;
  current: TreeNode | null;
  /** The package in the way, and the peer that could not join it. */
  peerConflict?: { current: TreeNode | null; peer: TreeNode; peerEdge: Edge };
}

export class ResolveConflict extends Error {
  constructor(readonly detail: PlaceConflict | LoadConflict) {
    super('unable to resolve dependency tree');
  }
}

/** npm's #failPeerConflict while loading a peer set (build-ideal-tree.js). */
export interface LoadConflict {
  kind: 'load';
  /** The peer edge that cannot be satisfied. */
  edge: Edge;
  /** The dependant's own edge on the same package (a root dependency when loading for the root). */
  currentEdge?: Edge;
  current: TreeNode | null;
}

const CONFLICT: Placement = 'CONFLICT';

interface CanPlaceOptions {
  dep: TreeNode;
  target: TreeNode;
  edge: Edge;
  preferDedupe: boolean;
  parent?: CanPlace | null;
  peerPath?: TreeNode[];
}

/** May `dep` go into `target` for `edge`, together with its peers? (arborist's CanPlaceDep) */
export class CanPlace {
  readonly dep: TreeNode;
  readonly target: TreeNode;
  readonly edge: Edge;
  readonly parent: CanPlace | null;
  readonly children: CanPlace[] = [];
  readonly current: TreeNode | undefined;
  readonly canPlace: Placement;
  canPlaceSelf: Placement | null = null;
  private readonly peerPath: TreeNode[];
  private readonly preferDedupe: boolean;
  private readonly targetEdge: Edge | undefined;
  private readonly edgeOverride: boolean;
  private peersResult: Placement | null = null;

  constructor(options: CanPlaceOptions) {
    const { dep, target, edge } = options;
    this.dep = dep;
    this.target = target;
    this.edge = edge;
    this.parent = options.parent ?? null;
    this.peerPath = options.peerPath ?? [];
    // peers always prefer deduping: they try harder to be singletons
    this.preferDedupe = options.preferDedupe || edge.peer;
    this.current = target.children.get(edge.name);
    this.targetEdge = target.edgesOut.get(edge.name);
    this.edgeOverride = !dep.satisfies(edge);
    this.canPlace = this.checkCanPlace();
    if (!this.canPlaceSelf) this.canPlaceSelf = this.canPlace;
  }

  private checkCanPlace(): Placement {
    const { target, targetEdge, current, dep } = this;
    // a package that failed to load goes anywhere: the build fails on it later anyway
    if (dep.error !== undefined) return current ? 'REPLACE' : 'OK';
    if (targetEdge && targetEdge.peer && !target.isTop) return CONFLICT;
    if (!current && targetEdge && !dep.satisfies(targetEdge) && targetEdge !== this.edge) return CONFLICT;
    return current ? this.checkCanPlaceCurrent(current) : this.checkCanPlaceNoCurrent();
  }

  private checkCanPlaceCurrent(current: TreeNode): Placement {
    const { preferDedupe, target, edge, dep } = this;
    if (dep.matches(current) && (current.satisfies(edge) || this.edgeOverride)) return 'KEEP';
    const tryReplace = current.version !== '' && dep.version !== '' && semver.gte(dep.version, current.version, { loose: true });
    if (tryReplace && dep.canReplace(current)) {
      const peers = this.canPlacePeers('REPLACE');
      if (peers !== CONFLICT) return peers;
    }
    if (current.satisfies(edge)) return 'KEEP';
    if (preferDedupe && !tryReplace && dep.canReplace(current)) {
      const peers = this.canPlacePeers('REPLACE');
      if (peers !== CONFLICT) return peers;
    }
    // Only the deepest possible folder may evict what is there; anywhere else, go deeper.
    if (target !== this.deepestNestingTarget) return CONFLICT;
    if (!edge.peer && target === edge.from) return this.canPlacePeers('REPLACE');
    if (!this.parent && !edge.peer) return CONFLICT;
    return this.canReplacePeerSets(current) ? this.canPlacePeers('REPLACE') : CONFLICT;
  }

  // Every peer set the current node belongs to must be replaceable by ours, or nestable deeper.
  private canReplacePeerSets(current: TreeNode): boolean {
    const { dep, target } = this;
    const scratch = dep.parent;
    let canReplace = true;
    for (const [entryEdge, currentPeers] of peerEntrySets(current)) {
      if (entryEdge === this.edge || entryEdge === this.peerEntryEdge) continue;
      const entryNode = entryEdge.to;
      if (!entryNode) continue;
      const entryRep = scratch?.children.get(entryNode.name);
      if (entryRep && entryRep.canReplace(entryNode, scratch ? scratch.children.keys() : [])) continue;
      if (!entryRep && this.canClobber(entryNode, scratch)) continue;
      for (const currentPeer of currentPeers) {
        const curDeep = deepestNestingTarget(entryEdge.from, currentPeer.name);
        if (curDeep === target || target.isDescendantOf(curDeep)) {
          canReplace = false;
          break;
        }
      }
    }
    return canReplace;
  }

  private canClobber(entryNode: TreeNode, scratch: TreeNode | null): boolean {
    const walk = new Set<TreeNode>([entryNode]);
    for (const peer of walk) {
      for (const edge of peer.edgesOut.values()) {
        if (!edge.peer || !edge.valid) continue;
        const rep = scratch?.children.get(edge.name);
        if (!rep) {
          const to = edge.to;
          if (to) walk.add(to);
          continue;
        }
        if (!rep.satisfies(edge)) return false;
      }
    }
    return true;
  }

  private checkCanPlaceNoCurrent(): Placement {
    const { target, dep } = this;
    // Something further up may be what deeper dependants resolve to; we must not shadow it badly.
    const shadowed = target !== this.peerEntryEdge.from ? target.resolve(this.edge.name) : null;
    if (shadowed) {
      for (const edge of shadowed.edgesIn) {
        if (edge.from.isDescendantOf(target) && edge.valid && !dep.satisfies(edge)) return CONFLICT;
      }
    }
    return this.canPlacePeers('OK');
  }

  get deepestNestingTarget(): TreeNode {
    const start = this.parent ? this.parent.deepestNestingTarget : this.edge.from;
    return deepestNestingTarget(start, this.edge.name);
  }

  get allChildren(): CanPlace[] {
    const all = new Set<CanPlace>(this.children);
    for (const child of all) for (const grandchild of child.children) all.add(grandchild);
    return [...all];
  }

  get conflictChildren(): CanPlace[] {
    return this.allChildren.filter((c) => c.canPlace === CONFLICT);
  }

  get top(): CanPlace {
    return this.parent ? this.parent.top : this;
  }

  get peerEntryEdge(): Edge {
    return this.top.edge;
  }

  private canPlacePeers(state: Placement): Placement {
    this.canPlaceSelf = state;
    if (this.peersResult) return this.peersResult;
    const peerPath = [...this.peerPath, this.dep];
    let sawConflict = false;
    for (const peerEdge of this.dep.edgesOut.values()) {
      const peer = peerEdge.to;
      if (!peerEdge.peer || !peer || peerPath.includes(peer)) continue;
      // a peer may have to go shallower than its dependant when the target peers on it too
      const target = deepestNestingTarget(this.target, peer.name);
      const check = new CanPlace({ dep: peer, target, parent: this, edge: peerEdge, peerPath, preferDedupe: true });
      this.children.push(check);
      if (check.canPlace === CONFLICT) sawConflict = true;
    }
    this.peersResult = sawConflict ? CONFLICT : state;
    return this.peersResult;
  }
}

/** Hooks from the tree builder: warnings it keeps, and how to copy a scratch node into the tree. */
export interface PlaceContext {
  preferDedupe: boolean;
  strictPeerDeps: boolean;
  force: boolean;
  warn(edge: Edge, dep: TreeNode): void;
  copyNode(dep: TreeNode): TreeNode;
}

/** Places `dep` for `edge` and its peers in the real tree (arborist's PlaceDep); throws ResolveConflict. */
export class PlaceDep {
  readonly dep: TreeNode;
  readonly edge: Edge;
  readonly parent: PlaceDep | null;
  readonly top: PlaceDep;
  readonly children: PlaceDep[] = [];
  readonly needEvaluation = new Set<TreeNode>();
  readonly current: TreeNode | null;
  canPlace: CanPlace | null = null;
  canPlaceSelf: CanPlace | null = null;
  placed: TreeNode | null = null;

  constructor(
    dep: TreeNode,
    edge: Edge,
    private readonly ctx: PlaceContext,
    parent: PlaceDep | null = null,
  ) {
    this.dep = dep;
    this.edge = edge;
    this.parent = parent;
    this.top = parent?.top ?? this;
    this.current = edge.to;
    if (this.current && !edge.error) return; // nothing to do: the edge is fine as it is
    this.findTarget();
    if (!this.canPlace) {
      if (!this.ctx.force && (this.isMine || this.ctx.strictPeerDeps)) throw new ResolveConflict(this.explain(this.top.edge, this.top.dep));
      if (!this.canPlaceSelf) {
        this.warn();
        return;
      }
      this.canPlace = this.canPlaceSelf;
    }
    this.place(this.canPlace);
  }

  // Walk up from the deepest allowed folder; keep the shallowest that takes the whole peer set.
  private findTarget(): void {
    for (const target of this.getStartNode().ancestry()) {
      const targetEdge = target.edgesOut.get(this.edge.name);
      if (!target.isTop && targetEdge && targetEdge.peer) continue;
      const check = new CanPlace({
        dep: this.dep,
        edge: this.edge,
        parent: this.parent?.canPlace ?? null,
        target,
        preferDedupe: this.ctx.preferDedupe,
      });
      if (check.canPlaceSelf !== CONFLICT) this.canPlaceSelf = check;
      if (check.canPlace === CONFLICT) break;
      this.canPlace = check;
      if (this.dep.error !== undefined) break;
    }
  }

  private place(check: CanPlace): void {
    const target = check.target;
    const placement = check.canPlace === CONFLICT ? check.canPlaceSelf : check.canPlace;
    if (placement === 'KEEP') {
      if (this.edge.peer && !this.edge.valid) this.warn();
      this.pruneDedupable(target);
      return;
    }
    // A cycle that would nest forever: npm links to the earlier copy; we leave the edge as it is.
    for (let p: TreeNode | null = target; p; p = p.resolveParent) if (p.matches(this.dep) && !p.isTop) return;
    const scratch = this.dep.parent;
    const placed = this.ctx.copyNode(this.dep);
    this.placed = placed;
    const oldDep = target.children.get(this.edge.name);
    if (oldDep) this.replaceOldDep(oldDep, placed);
    else placed.parent = target;
    if (this.edge.peer && !placed.satisfies(this.edge)) this.warn();
    const edgeTo = this.edge.to;
    if (this.edge.valid && edgeTo && edgeTo !== placed) this.pruneDedupable(edgeTo, false);
    for (const node of [...target.root.inventory]) {
      if (node.name !== this.edge.name || !node.isDescendantOf(target) || node.isTop) continue;
      this.pruneDedupable(node, false);
      if (node.root === target.root) for (const kid of [...node.children.values()]) this.pruneDedupable(kid, false);
    }
    this.placePeers(placed, scratch);
  }

  private placePeers(placed: TreeNode, scratch: TreeNode | null): void {
    for (const peerEdge of placed.edgesOut.values()) {
      if (peerEdge.valid || !peerEdge.peer || peerEdge.peerConflicted) continue;
      const peer = scratch?.children.get(peerEdge.name);
      // absent: an optional peer nobody asked for; unsatisfying: a conflict npm already accepted
      if (!peer || !peer.satisfies(peerEdge)) continue;
      this.children.push(new PlaceDep(peer, peerEdge, this.ctx, this));
    }
  }

  private replaceOldDep(oldDep: TreeNode, placed: TreeNode): void {
    const target = oldDep.parent as TreeNode;
    const oldDeps: TreeNode[] = [];
    for (const [name, edge] of oldDep.edgesOut) {
      const to = edge.to;
      if (!placed.edgesOut.has(name) && to) oldDeps.push(...gatherDepSet([to], (e) => e.to !== to));
    }
    // Peer sets at this level that the new version no longer satisfies are pruned and placed again,
    // unless the project itself brought them, in which case npm warns (or has already failed).
    const prunePeerSets: TreeNode[] = [];
    for (const edge of oldDep.edgesIn) {
      if (placed.satisfies(edge) || !edge.peer || edge.from.parent !== target || edge.peerConflicted) continue;
      for (const entryEdge of peerEntrySets(edge.from).keys()) {
        const entryNode = entryEdge.to;
        if (!entryNode) continue;
        if (entryNode !== target && !entryEdge.from.isProjectRoot && !entryEdge.from.isWorkspace) {
          prunePeerSets.push(...gatherDepSet([entryNode], (e) => e.to !== entryNode && !e.peerConflicted));
        } else {
          this.warn(edge, this.dep);
        }
      }
    }
    placed.replace(oldDep);
    this.pruneForReplacement(placed, oldDeps);
    for (const dep of prunePeerSets) {
      for (const edge of dep.edgesIn) this.needEvaluation.add(edge.from);
      dep.parent = null;
    }
  }

  private pruneForReplacement(node: TreeNode, oldDeps: TreeNode[]): void {
    const invalid = new Set<TreeNode>();
    for (const edge of node.edgesOut.values()) {
      const to = edge.to;
      if (to && !edge.valid) invalid.add(to);
    }
    for (const dep of oldDeps) for (const kept of gatherDepSet([dep], (e) => e.to !== dep && e.valid)) invalid.add(kept);
    const junk = gatherDepSet(invalid, (edge) => edge.from !== node && edge.to !== node && edge.valid);
    for (const dep of junk) dep.parent = null;
  }

  private pruneDedupable(node: TreeNode, descend = true): void {
    if (canDedupe(node, this.ctx.preferDedupe)) {
      for (const dep of gatherDepSet([node], (e) => e.to !== node && e.valid)) dep.parent = null;
      return;
    }
    if (!descend) return;
    const kids = [...node.children.values()].sort((a, b) => localeCompare(a.location, b.location));
    for (const kid of kids) this.pruneDedupable(kid);
  }

  /** The conflict is the project's: the top edge comes from the root or a workspace, or re-enters a peer set one of them brought. */
  get isMine(): boolean {
    const { edge } = this.top;
    const node = edge.from;
    if (node.isProjectRoot || node.isWorkspace) return true;
    if (!edge.peer) return false;
    let hasPeerEdges = false;
    for (const inbound of node.edgesIn) {
      if (inbound.peer) {
        hasPeerEdges = true;
        continue;
      }
      if (inbound.from.isProjectRoot || inbound.from.isWorkspace) return true;
    }
    if (hasPeerEdges) for (const entry of peerEntrySets(node).keys()) if (entry.from.isProjectRoot || entry.from.isWorkspace) return true;
    return false;
  }

  private warn(edge: Edge = this.edge, dep: TreeNode = this.dep): void {
    edge.peerConflicted = true;
    this.ctx.warn(edge, dep);
  }

  private explain(edge: Edge, dep: TreeNode): PlaceConflict {
    const current = edge.from.resolve(edge.name);
    const out: PlaceConflict = { kind: 'place', edge, dep, current };
    if (this.parent) {
      if (this.current) out.peerConflict = { current: this.current, peer: this.dep, peerEdge: this.edge };
      return out;
    }
    const self = this.canPlaceSelf;
    if (self && self.canPlaceSelf !== CONFLICT) {
      const peer = self.conflictChildren.find((c) => c.current);
      if (peer) out.peerConflict = { current: peer.current ?? null, peer: peer.dep, peerEdge: peer.edge };
    } else {
      out.peerConflict = { current: this.current, peer: this.dep, peerEdge: this.edge };
    }
    return out;
  }

  private getStartNode(): TreeNode {
    const from = this.parent?.getStartNode() ?? this.edge.from;
    return deepestNestingTarget(from, this.edge.name);
  }
}
