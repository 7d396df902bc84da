// "Why is this here": for every package in a tree, the shortest chains of dependencies that lead to
// it from a package.json line (the root's or a workspace's), at most a few per package, each from a
// different line. The same walk tells which line brings a package in, for findings about it.
import type { DepEdge, DepGraph, DepNode } from './depGraph';

export interface Chain {
  /** The package.json the chain starts in: '' for the root, else the workspace's location. */
  owner: string;
  /** The dependency line it starts from. */
  edge: DepEdge;
  /** The package the chain ends at. */
  node: DepNode;
  /** The chain to the package before it; undefined for the direct dependency. */
  previous?: Chain;
  length: number;
}

/** The packages of a chain, from the direct dependency to the end. */
export function chainPath(chain: Chain): DepNode[] {
  const out: DepNode[] = new Array(chain.length);
  for (let c: Chain | undefined = chain, i = chain.length - 1; c; c = c.previous, i--) out[i] = c.node;
  return out;
}

function passes(chain: Chain, node: DepNode): boolean {
  for (let c: Chain | undefined = chain; c; c = c.previous) if (c.node === node) return true;
  return false;
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
      const node = step(top, edge);
      if (node) frontier.push({ owner: top.location, edge, node, length: 1 });
    }
  }
  while (frontier.length > 0) {
    const next: Chain[] = [];
    for (const chain of frontier) {
      const known = out.get(chain.node);
      if (known && (known.length >= perPackage || known.some((c) => c.owner === chain.owner && c.edge === chain.edge))) continue;
      if (known) known.push(chain);
      else out.set(chain.node, [chain]);
      for (const edge of chain.node.edges.values()) {
        const node = step(chain.node, edge);
        if (node && !passes(chain, node)) next.push({ owner: chain.owner, edge: chain.edge, node, previous: chain, length: chain.length + 1 });
      }
    }
    frontier = next;
  }
  return out;
}

/** A chain in words: "react-redux 7.2.9 > hoist-non-react-statics 3.3.2", prefixed by the workspace it starts in. */
export function describeChain(chain: Chain): string {
  const steps = chainPath(chain)
    .map((node) => (node.version ? `${node.name} ${node.version}` : node.name))
    .join(' > ');
  return chain.owner === '' ? steps : `${chain.owner}: ${steps}`;
}

/** " (via a 1.0.0 > b 2.0.0)": the packages before the chain's last one; '' for a direct dependency. */
export function viaText(chain: Chain): string {
  if (!chain.previous) return chain.owner === '' ? '' : ` (in ${chain.owner})`;
  const before = describeChain(chain.previous);
  return ` (via ${before})`;
}
