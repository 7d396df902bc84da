// "Why is this here": for every package in a tree, the shortest chains of dependencies that lead to
// it from a package.json line (the root's or a workspace's), at most a few per package, each from a
// different line. The same walk tells which line brings a package in, for findings about it.
import type { DepEdge, DepGraph, DepNode } from './depGraph';

export interface Chain {
  /** The package.json the chain starts in: '' for the root, else the workspace's location. */
  owner: string;
  /** The dependency line it starts from. */
  edge: DepEdge;
  /** The packages from the direct dependency to the package itself. */
  path: DepNode[];
}

/** Up to `perPackage` shortest chains to each reachable package, each from a different package.json line. */
export function shortestChains(graph: DepGraph, tops: DepNode[], perPackage = 3): Map<DepNode, Chain[]> {
  const topSet = new Set(tops);
  const out = new Map<DepNode, Chain[]>();
  const step = (from: DepNode, edge: DepEdge): DepNode | undefined => {
    const to = graph.resolve(from, edge.name);
    if (!to) return undefined;
    const real = graph.target(to);
    // A workspace's own dependencies start chains of their own.
    return topSet.has(real) ? undefined : real;
  };
  let frontier: Chain[] = [];
  for (const top of tops) {
    for (const edge of top.edges.values()) {
      const to = step(top, edge);
      if (to) frontier.push({ owner: top.location, edge, path: [to] });
    }
  }
  while (frontier.length > 0) {
    const next: Chain[] = [];
    for (const chain of frontier) {
      const node = chain.path[chain.path.length - 1];
      const known = out.get(node) ?? [];
      if (known.length >= perPackage || known.some((c) => c.owner === chain.owner && c.edge.name === chain.edge.name)) continue;
      known.push(chain);
      out.set(node, known);
      for (const edge of node.edges.values()) {
        const to = step(node, edge);
        if (to && !chain.path.includes(to)) next.push({ ...chain, path: [...chain.path, to] });
      }
    }
    frontier = next;
  }
  return out;
}

/** A chain in words: "react-redux 7.2.9 > hoist-non-react-statics 3.3.2", prefixed by the workspace it starts in. */
export function describeChain(chain: Chain): string {
  const steps = chain.path.map((node) => `${node.name}${node.version ? ` ${node.version}` : ''}`).join(' > ');
  return chain.owner === '' ? steps : `${chain.owner}: ${steps}`;
}
