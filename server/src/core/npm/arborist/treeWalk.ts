// Read-only walks over the node_modules tree that arborist's placement relies on: the dependency
// set only a node needs, the deepest folder a package may go to, the peer sets a node belongs to,
// and whether a nested copy may give way to its ancestor's.
import * as semver from 'semver';
import type { Edge, TreeNode } from './tree';

/** The nodes only reachable from `set` through edges passing `edgeFilter` (arborist's gatherDepSet). */
export function gatherDepSet(set: Iterable<TreeNode>, edgeFilter: (edge: Edge) => boolean): Set<TreeNode> {
  const deps = new Set(set);
  for (const node of deps) {
    for (const edge of node.edgesOut.values()) {
      const to = edge.to;
      if (to && edgeFilter(edge)) deps.add(to);
    }
  }
  // Drop every node with a dependant outside the set, until none is left; dropping a node can only
  // affect the nodes it depends on, so only those are checked again. (arborist re-scans the whole
  // set until nothing changes, which reaches the same, unique, largest such set.)
  const queue = [...deps];
  for (let i = 0; i < queue.length; i++) {
    const dep = queue[i];
    if (!deps.has(dep) || !dep.edgesIn.some((edge) => !deps.has(edge.from) && edgeFilter(edge))) continue;
    deps.delete(dep);
    for (const edge of dep.edgesOut.values()) {
      const to = edge.to;
      if (to && deps.has(to)) queue.push(to);
    }
  }
  return deps;
}

/** The deepest folder where `name` could go for a dependant at `start` (peers go up a level). */
export function deepestNestingTarget(start: TreeNode, name: string): TreeNode {
  for (const target of start.ancestry()) {
    if (target.isProjectRoot || !target.resolveParent) return target;
    const edge = target.edgesOut.get(name);
    if (!edge || !edge.peer) return target;
  }
  return start.root;
}

/** Each entry edge into the peer sets `node` belongs to, with the peers it brings (arborist's peerEntrySets). */
export function peerEntrySets(node: TreeNode): Map<Edge, Set<TreeNode>> {
  const union = new Set<TreeNode>([node]);
  for (const member of union) {
    for (const edge of member.edgesOut.values()) {
      const to = edge.to;
      if (to && edge.valid && edge.peer) union.add(to);
    }
    for (const edge of member.edgesIn) if (edge.valid && edge.peer) union.add(edge.from);
  }
  const entrySets = new Map<Edge, Set<TreeNode>>();
  for (const peer of union) {
    for (const edge of peer.edgesIn) {
      if (!edge.valid || (edge.peer && !edge.from.isTop)) continue;
      const sub = new Set<TreeNode>([peer]);
      for (const member of sub) {
        for (const out of member.edgesOut.values()) {
          const to = out.to;
          if (to && out.valid && out.peer) sub.add(to);
        }
      }
      if (sub.has(node)) entrySets.set(edge, sub);
    }
  }
  return entrySets;
}

/** May `node` go because an ancestor's copy serves every dependant? (arborist's Node.canDedupe) */
export function canDedupe(node: TreeNode, preferDedupe: boolean): boolean {
  // a workspace's own node_modules gives way to the root's (the workspace resolves through it)
  const grandparent = node.parent?.resolveParent;
  if (!grandparent) return false;
  if (node.edgesIn.length === 0) return true;
  const other = grandparent.resolve(node.name);
  if (!other) return false;
  if (other.matches(node)) return true;
  if (!other.canReplace(node)) return false;
  if (other.version === '' || node.version === '') return false;
  if (preferDedupe || semver.eq(other.version, node.version, { loose: true })) return true;
  return !isOverridden(node) && semver.gt(other.version, node.version, { loose: true });
}

function isOverridden(node: TreeNode): boolean {
  const rule = node.overrides;
  if (!rule?.value || rule.name !== node.name) return false;
  return node.edgesIn.some((e) => {
    const set = e.overrides;
    return set?.name === node.name && set.value === node.version && !set.isEqual(e.from.overrides);
  });
}
