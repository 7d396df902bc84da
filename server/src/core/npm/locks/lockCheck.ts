// `lock-stale`: whether `npm ci` would refuse package-lock.json (or npm-shrinkwrap.json), decided the
// way npm 11 decides it. npm ci builds the ideal tree starting from the lock, with the root's and the
// workspaces' dependencies read from their package.json; any dependency the lock leaves missing or
// does not satisfy is re-resolved, and a re-resolved package makes the tree differ from the lock,
// which npm ci refuses ("can only install packages when your package.json and package-lock.json are
// in sync"). So the verdict is: some edge npm ci walks is missing or invalid. Dependencies removed
// from package.json are pruned without complaint, and a changed range the locked version still
// satisfies passes, exactly as npm ci lets both through.
import type { Finding } from '../../model';
import { describeChain, shortestChains, viaText, type Chain } from './chains';
import { childLocation, type DepEdge, type DepGraph, type DepNode, type PackageFields } from './depGraph';
import type { NpmProject } from './npmProject';
import { lockNodes, parsePackageLock, type ParsedLock } from './packageLock';
import { lineFor, overrideLine, projectGraph, workspaceFields } from './projectGraph';

/** An edge npm ci would have to re-resolve. */
export interface LockProblem {
  from: DepNode;
  edge: DepEdge;
  /** The spec npm checks (an override's, when one applies). */
  spec: string;
  /** What the lock has where the edge resolves, if anything. */
  found?: DepNode;
}

export interface LockCheck {
  findings: Finding[];
  /** The edges npm ci would re-resolve; empty when it would install the lock as it is. */
  problems: LockProblem[];
  /** Per package name: the locked version (the hoisted one when several are locked). */
  locked: Map<string, string>;
  /** Per package name: chains from a package.json line to it, in words. */
  chains: Map<string, string[]>;
  /** Sentences saying what was not checked and why. */
  skipped: string[];
  /** The lock as a tree, for the node_modules check; absent when the lock was not read. */
  graph?: DepGraph;
  /** The lock's packages (links excluded), for the status line. */
  packageCount: number;
}

/**
 * Checks a lockfile against the project's package.json files as `npm ci` would. `lockPath` names the
 * file in messages; `linkedFolders` gives the package.json fields of linked folders outside
 * node_modules other than workspaces (npm reads those from disk). Never throws.
 */
export function checkPackageLock(
  project: NpmProject,
  lockText: string | ParsedLock,
  lockPath: string,
  linkedFolders: Map<string, PackageFields> = new Map(),
): LockCheck {
  const name = lockPath.split(/[\\/]/).pop() ?? lockPath;
  const out: LockCheck = { findings: [], problems: [], locked: new Map(), chains: new Map(), skipped: [], packageCount: 0 };
  const lock = typeof lockText === 'string' ? parsePackageLock(lockText, name) : lockText;
  if (lock.kind === 'skipped') {
    out.skipped.push(lock.reason);
    return out;
  }
  const folders = new Map([...linkedFolders, ...workspaceFields(project)]);
  const { nodes, brokenLinks } = lockNodes(lock, folders);
  for (const link of brokenLinks) {
    out.skipped.push(`${name} links ${link} to a folder it does not list, so \`npm ci\` refuses it (EMISSINGTARGET); run \`npm install\` to write the lock again.`);
  }
  const graph = projectGraph(project, nodes);
  out.graph = graph;
  out.packageCount = nodes.filter((n) => n.linkTo === undefined && n.location.includes('node_modules/')).length;
  out.problems = ciProblems(graph);
  const tops = [graph.root, ...project.workspaces.map((w) => graph.nodes.get(w.location)).filter((n): n is DepNode => !!n)];
  const chains = shortestChains(graph, tops);
  for (const problem of out.problems) {
    const finding = lockFinding(project, name, lock.root, problem, chains);
    if (finding && !out.findings.some((f) => f.path === finding.path && f.message === finding.message)) out.findings.push(finding);
  }
  fillLocked(graph, chains, out);
  return out;
}

// npm ci walks the lock from the root through resolved edges (never into links), queueing every
// package with a missing or invalid edge; then the workspaces the root links to, one level. Optional
// peers are trusted as locked (npm/cli#8726), bundled and shrinkwrapped packages are the bundler's.
function ciProblems(graph: DepGraph): LockProblem[] {
  const problems: LockProblem[] = [];
  const seen = new Set<DepNode>();
  const stack: DepNode[] = [graph.root];
  while (stack.length > 0) {
    const node = stack.pop() as DepNode;
    if (seen.has(node)) continue;
    seen.add(node);
    if (!node.hasShrinkwrap) problems.push(...problemEdges(graph, node));
    for (const edge of node.edges.values()) {
      const to = graph.resolve(node, edge.name);
      if (to && !seen.has(to)) stack.push(to);
    }
  }
  for (const edge of graph.root.edges.values()) {
    const link = graph.resolve(graph.root, edge.name);
    if (link?.linkTo === undefined || link.linkTo.startsWith('..')) continue;
    const target = graph.nodes.get(link.linkTo);
    if (!target || seen.has(target)) continue;
    seen.add(target);
    problems.push(...problemEdges(graph, target));
  }
  return problems;
}

function inShrinkwrap(graph: DepGraph, node: DepNode): boolean {
  for (let up = graph.resolveParent(node); up && up.location !== ''; up = graph.resolveParent(up)) if (up.hasShrinkwrap) return true;
  return false;
}

function problemEdges(graph: DepGraph, node: DepNode): LockProblem[] {
  const bundled = new Set(graph.isTop(node) ? [] : (node.bundled ?? []));
  const out: LockProblem[] = [];
  for (const edge of node.edges.values()) {
    if (bundled.has(edge.name) || edge.type === 'peerOptional') continue;
    const to = graph.resolve(node, edge.name);
    if (to && inShrinkwrap(graph, to)) continue;
    if (to && graph.edgeError(node, edge, to) === null) continue;
    if (to && keptByAncestor(graph, node, edge, to)) continue;
    out.push({ from: node, edge, spec: graph.effectiveSpec(node, edge), found: to });
  }
  return out;
}

// npm re-resolves an invalid copy in a package's own node_modules by walking up from that package:
// when the next copy of that name above satisfies the range (and every package in between accepts
// its version), npm keeps that copy and drops the nested one (place-dep's KEEP), so the tree loses
// an entry but gains none and npm ci accepts it. This assumes the registry has nothing newer for
// the range than that copy, which is what npm install left behind.
function keptByAncestor(graph: DepGraph, from: DepNode, edge: DepEdge, to: DepNode): boolean {
  if (from.location === '' || edge.type === 'peer' || graph.nodeModulesParent(to) !== from.location) return false;
  const between: DepNode[] = [];
  for (let up = graph.resolveParent(from); up; up = graph.resolveParent(up)) {
    const kept = graph.nodes.get(childLocation(up.location, edge.name));
    if (!kept) {
      between.push(up);
      continue;
    }
    if (graph.edgeError(from, edge, kept) !== null) return false;
    return between.every((node) => {
      const own = node.edges.get(edge.name);
      if (!own || (own.type !== 'prod' && own.type !== 'optional' && own.type !== 'dev' && !graph.isTop(node))) return true;
      return graph.edgeError(node, own, kept) === null;
    });
  }
  return false;
}

function foundText(found: DepNode): string {
  if (found.linkTo !== undefined) return `links ${found.name} to ${found.linkTo}${found.version ? ` (version ${found.version})` : ''}`;
  const alias = found.packageName !== found.name ? ` (as ${found.packageName})` : '';
  return `locks ${found.name}${alias} ${found.version || 'with no version'}`;
}

const REFRESH = 'so `npm ci` refuses to install; run `npm install` to update the lock.';

function lockFinding(
  project: NpmProject,
  lockName: string,
  recordedRoot: PackageFields,
  problem: LockProblem,
  chains: Map<DepNode, Chain[]>,
): Finding | undefined {
  const { from, edge, spec, found } = problem;
  const override = spec !== edge.spec ? overrideLine(project, edge.name) : undefined;
  if (override) {
    const has = found ? foundText(found) : `locks no ${edge.name}`;
    const message = `This override asks for ${edge.name}@"${spec}", but ${lockName} ${has}, ${REFRESH}`;
    return { code: 'lock-stale', severity: 'error', package: edge.name, path: override.manifest.path, range: override.range, message, related: [], fixes: [] };
  }
  const top = from.location === '' || project.workspaces.some((w) => w.location === from.location);
  if (top) {
    const where = lineFor(project, from.location, edge);
    if (!where) return undefined;
    let message: string;
    if (edge.type === 'workspace') {
      message = `${lockName} does not link the workspace ${edge.name} (${spec.slice('file:'.length)}), which was added after the lock was written, ${REFRESH}`;
    } else if (!found) {
      const recorded = from.location === '' ? recordedSpec(recordedRoot, edge.name) : undefined;
      message = recorded === undefined
        ? `${lockName} has no ${edge.name}: this line was added after the lock was written, ${REFRESH}`
        : `${lockName} records ${edge.name}@"${recorded}" but locks no version of it, ${REFRESH}`;
    } else {
      const recorded = from.location === '' ? recordedSpec(recordedRoot, edge.name) : undefined;
      const was = recorded !== undefined && recorded !== edge.spec ? ` (the lock was written for "${recorded}")` : '';
      message = `${lockName} ${foundText(found)}${was}, which does not satisfy "${spec}" on this line, ${REFRESH}`;
    }
    return { code: 'lock-stale', severity: 'error', package: edge.name, path: where.manifest.path, range: where.range, message, related: [], fixes: [] };
  }
  // An inconsistency inside the lock (a hand edit, a merge): report it on the line that brings the package in.
  const chain = chains.get(from)?.[0];
  if (!chain) return undefined;
  const where = lineFor(project, chain.owner, chain.edge);
  if (!where) return undefined;
  const has = found ? `it ${foundText(found)}` : `it locks no ${edge.name} there`;
  const message = `${lockName} is inconsistent: ${from.name} ${from.version}${viaText(chain)} needs ${edge.name}@"${spec}", but ${has}, ${REFRESH}`;
  return { code: 'lock-stale', severity: 'error', package: edge.name, path: where.manifest.path, range: where.range, message, related: [], fixes: [] };
}

function recordedSpec(root: PackageFields, name: string): string | undefined {
  return root.devDependencies?.[name] ?? root.optionalDependencies?.[name] ?? root.dependencies?.[name] ?? root.peerDependencies?.[name];
}

const MAX_CHAINS = 5;

function fillLocked(graph: DepGraph, chains: Map<DepNode, Chain[]>, out: LockCheck): void {
  const depthOf = (location: string): number => location.split('node_modules/').length;
  const byName = new Map<string, DepNode[]>();
  for (const node of graph.nodes.values()) {
    if (!node.location.includes('node_modules/')) continue;
    const list = byName.get(node.name) ?? [];
    list.push(node);
    byName.set(node.name, list);
  }
  for (const [name, list] of byName) {
    list.sort((a, b) => depthOf(a.location) - depthOf(b.location) || a.location.localeCompare(b.location));
    out.locked.set(name, graph.target(list[0]).version);
    const lines = new Set<string>();
    for (const node of list) {
      for (const chain of chains.get(node) ?? []) if (lines.size < MAX_CHAINS) lines.add(describeChain(chain));
      if (lines.size >= MAX_CHAINS) break;
    }
    if (lines.size > 0) out.chains.set(name, [...lines]);
  }
}
