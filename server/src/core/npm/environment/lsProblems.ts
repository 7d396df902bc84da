// The problems `npm ls --all` reports for an installed tree, found the way npm 11 finds them.
// Extraneous: a package no chain of dependencies reaches from the root (an optional peer does not
// count), except a folder that holds a reachable one (arborist's calcDepFlags). npm ls then walks
// from the root through every dependency (a link through its target) and into each visited
// package's extraneous children, and reports: "missing" for a required dependency with nothing
// installed where it would resolve, "invalid" for an installed package some visited dependant's
// range rejects, "extraneous" for each extraneous package it visits.
import type { DepEdge, DepGraph, DepNode } from '../locks/depGraph';

export type LsProblem =
  | { kind: 'missing'; from: DepNode; edge: DepEdge; spec: string }
  | { kind: 'invalid'; node: DepNode; dependants: { from: DepNode; edge: DepEdge; spec: string }[] }
  | { kind: 'extraneous'; node: DepNode };

/** The packages npm would flag extraneous. */
export function extraneousNodes(graph: DepGraph): Set<DepNode> {
  const reached = new Set<DepNode>([graph.root]);
  const queue: DepNode[] = [graph.root];
  for (let i = 0; i < queue.length; i++) {
    const node = queue[i];
    if (node.linkTo !== undefined) {
      const target = graph.nodes.get(node.linkTo);
      if (target && !reached.has(target)) {
        reached.add(target);
        queue.push(target);
      }
      continue;
    }
    for (const edge of node.edges.values()) {
      if (edge.type === 'peerOptional') continue;
      const to = graph.resolve(node, edge.name);
      if (to && !reached.has(to)) {
        reached.add(to);
        queue.push(to);
      }
    }
  }
  // A package folder that holds a needed package is kept too, so removing it would not remove that.
  for (const node of [...reached]) {
    for (let up = graph.resolveParent(node); up && !reached.has(up); up = graph.resolveParent(up)) reached.add(up);
  }
  const out = new Set<DepNode>();
  for (const node of graph.nodes.values()) if (!reached.has(node)) out.add(node);
  return out;
}

/** npm ls's problems for the tree, with the extraneous set it used. */
export function lsProblems(graph: DepGraph): { problems: LsProblem[]; extraneous: Set<DepNode> } {
  const extraneous = extraneousNodes(graph);
  const children = new Map<string, DepNode[]>();
  for (const node of graph.nodes.values()) {
    const parent = graph.nodeModulesParent(node);
    if (parent === undefined) continue;
    const list = children.get(parent) ?? [];
    list.push(node);
    children.set(parent, list);
  }
  const problems: LsProblem[] = [];
  const invalid = new Map<DepNode, Extract<LsProblem, { kind: 'invalid' }>>();
  const visited = new Set<DepNode>();
  const queue: DepNode[] = [graph.root];
  for (let i = 0; i < queue.length; i++) {
    const node = queue[i];
    if (visited.has(node)) continue;
    visited.add(node);
    if (extraneous.has(node)) problems.push({ kind: 'extraneous', node });
    const owner = graph.target(node);
    if (node.linkTo === undefined || owner !== node) {
      for (const edge of owner.edges.values()) {
        const to = graph.resolve(owner, edge.name);
        const error = graph.edgeError(owner, edge, to);
        if (error === 'MISSING') problems.push({ kind: 'missing', from: owner, edge, spec: graph.effectiveSpec(owner, edge) });
        if (!to) continue;
        if (error === 'INVALID') {
          let problem = invalid.get(to);
          if (!problem) {
            problem = { kind: 'invalid', node: to, dependants: [] };
            invalid.set(to, problem);
            problems.push(problem);
          }
          problem.dependants.push({ from: owner, edge, spec: graph.effectiveSpec(owner, edge) });
        }
        queue.push(to);
      }
    }
    // A link's children are its target's, which npm ls does not list under the link.
    if (node.linkTo === undefined) for (const child of children.get(node.location) ?? []) if (extraneous.has(child)) queue.push(child);
  }
  return { problems, extraneous };
}
