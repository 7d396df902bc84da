// Findings about node_modules against the project's package.json files and its lock, each on the
// package.json line that brings the package in: `not-installed` (npm ls "missing" for a direct
// dependency), `installed-mismatch` (npm ls "invalid" for a direct dependency, or a version other
// than the locked one), `installed-conflict` (a missing or invalid dependency of an installed
// package, with the chain that leads to it). Extraneous packages are counted, not reported.
import type { Finding, ParsedManifest, Range, Severity } from '../../model';
import { shortestChains, viaText, type Chain } from '../locks/chains';
import type { DepEdge, DepGraph, DepNode } from '../locks/depGraph';
import type { NpmProject } from '../locks/npmProject';
import { lineFor, overrideLine, projectGraph } from '../locks/projectGraph';
import { lsProblems, type LsProblem } from './lsProblems';
import type { InstalledTree } from './nodeModules';

export interface NodeModulesCheck {
  findings: Finding[];
  /** What npm ls --all would report, in its terms. */
  problems: LsProblem[];
  extraneous: DepNode[];
  /** Per package name: the installed version (the hoisted one when several are installed). */
  installed: Map<string, string>;
  graph: DepGraph;
}

type Tree = Extract<InstalledTree, { kind: 'ok' }>;

interface Pending {
  /** Where the finding goes when not on the owner's line (an override's entry). */
  at?: { manifest: ParsedManifest; range: Range };
  code: Finding['code'];
  severity: Severity;
  owner: string;
  edge: DepEdge;
  text: string;
}

const REPAIR = 'run `npm install` to repair node_modules.';

/** Checks installed packages as npm ls does, and against the lock's versions when `lock` is given. Never throws. */
export function checkNodeModules(project: NpmProject, tree: Tree, lock?: { graph?: DepGraph; name: string }): NodeModulesCheck {
  const graph = projectGraph(project, tree.nodes);
  const { problems, extraneous } = lsProblems(graph);
  const tops = topNodes(project, graph);
  const topSet = new Set(tops);
  const flagged = new Set(problems.flatMap((p) => (p.kind === 'invalid' ? [p.node] : [])));
  const differing = lock?.graph ? lockDifferences(graph, lock.graph, flagged) : [];
  // Chains cost a walk of the whole tree; a healthy node_modules needs none.
  const needed = differing.length > 0 || problems.some((p) => p.kind !== 'extraneous');
  const chains = needed ? shortestChains(graph, tops) : new Map<DepNode, Chain[]>();
  const pending: Pending[] = [];
  for (const problem of problems) {
    if (problem.kind === 'missing') pending.push(...missingFinding(problem, topSet, chains));
    if (problem.kind === 'invalid') pending.push(...invalidFindings(problem, topSet, chains, project));
  }
  for (const [node, locked] of differing) {
    const chain = chains.get(node)?.[0];
    if (!chain) continue;
    const via = viaText(chain);
    const text = `node_modules has ${version(node)}${via}, but ${lock?.name} locks ${locked}`;
    pending.push({ code: 'installed-mismatch', severity: 'information', owner: chain.owner, edge: chain.edge, text });
  }
  return { findings: toFindings(project, pending), problems, extraneous: [...extraneous], installed: installedVersions(graph), graph };
}

function topNodes(project: NpmProject, graph: DepGraph): DepNode[] {
  return [graph.root, ...project.workspaces.map((w) => graph.nodes.get(w.location)).filter((n): n is DepNode => !!n)];
}

function version(node: DepNode): string {
  return node.version ? `${node.name} ${node.version}` : `${node.name} (with no readable version)`;
}

function missingFinding(problem: Extract<LsProblem, { kind: 'missing' }>, tops: Set<DepNode>, chains: Map<DepNode, Chain[]>): Pending[] {
  const { from, edge, spec } = problem;
  if (tops.has(from)) {
    const text = `${edge.name} is not installed: node_modules has no ${edge.name} for "${spec}" (npm ls reports it missing); run \`npm install\`.`;
    return [{ code: 'not-installed', severity: 'warning', owner: from.location, edge, text }];
  }
  const chain = chains.get(from)?.[0];
  if (!chain) return [];
  const peer = edge.type === 'peer' ? 'peer ' : '';
  const text = `${version(from)}${viaText(chain)} needs ${peer}${edge.name}@"${spec}", which is not installed (npm ls: missing)`;
  return [{ code: 'installed-conflict', severity: 'warning', owner: chain.owner, edge: chain.edge, text }];
}

function invalidFindings(problem: Extract<LsProblem, { kind: 'invalid' }>, tops: Set<DepNode>, chains: Map<DepNode, Chain[]>, project: NpmProject): Pending[] {
  const out: Pending[] = [];
  for (const { from, edge, spec } of problem.dependants) {
    const found = problem.node.linkTo !== undefined ? `a link to ${problem.node.linkTo}` : version(problem.node);
    const at = spec !== edge.spec ? overrideLine(project, edge.name) : undefined;
    if (at) {
      const text = `This override asks for ${edge.name}@"${spec}", but node_modules has ${found} (npm ls: invalid)`;
      out.push({ at, code: 'installed-conflict', severity: 'warning', owner: '', edge, text });
      continue;
    }
    if (tops.has(from)) {
      const text = `node_modules has ${found}, which does not satisfy "${spec}" on this line (npm ls: invalid); run \`npm install\` to install a matching version.`;
      out.push({ code: 'installed-mismatch', severity: 'warning', owner: from.location, edge, text });
      continue;
    }
    const chain = chains.get(from)?.[0];
    if (!chain) continue;
    const peer = edge.type === 'peer' || edge.type === 'peerOptional' ? 'peer ' : '';
    const text = `${version(from)}${viaText(chain)} needs ${peer}${edge.name}@"${spec}", but node_modules has ${found} (npm ls: invalid)`;
    out.push({ code: 'installed-conflict', severity: 'warning', owner: chain.owner, edge: chain.edge, text });
  }
  return out;
}

// A package installed at a version other than the locked one, at the same place: `npm ci` would
// change it. Links and packages the lock does not place there are layout questions, not versions.
function lockDifferences(graph: DepGraph, locked: DepGraph, flagged: Set<DepNode>): [DepNode, string][] {
  const out: [DepNode, string][] = [];
  for (const node of graph.nodes.values()) {
    if (node.linkTo !== undefined || flagged.has(node) || !node.location.includes('node_modules/')) continue;
    const lockNode = locked.nodes.get(node.location);
    if (lockNode && lockNode.linkTo === undefined && lockNode.version && lockNode.version !== node.version) out.push([node, lockNode.version]);
  }
  return out;
}

const PER_LINE = 3;

// One finding per line and code: the first few problems in full, then how many more.
function toFindings(project: NpmProject, pending: Pending[]): Finding[] {
  const groups = new Map<string, Pending[]>();
  for (const p of pending) {
    const place = p.at ? `${p.at.range.start.line}:${p.at.range.start.character}` : `${p.owner}\0${p.edge.type}\0${p.edge.name}`;
    const key = `${place}\0${p.code}\0${p.severity}`;
    const list = groups.get(key) ?? [];
    if (!list.some((q) => q.text === p.text)) list.push(p);
    groups.set(key, list);
  }
  const findings: Finding[] = [];
  for (const list of groups.values()) {
    const first = list[0];
    const where = first.at ?? lineFor(project, first.owner, first.edge);
    if (!where) continue;
    let message: string;
    if (first.code === 'not-installed' || (first.code === 'installed-mismatch' && first.severity === 'warning')) message = list.map((p) => p.text).join(' ');
    else {
      const shown = list.slice(0, PER_LINE).map((p) => p.text).join('; ');
      const more = list.length > PER_LINE ? `; and ${list.length - PER_LINE} more` : '';
      const action = first.code === 'installed-mismatch' ? 'run `npm ci` to install what the lock says.' : REPAIR;
      message = `${shown}${more}; ${action}`;
    }
    findings.push({ code: first.code, severity: first.severity, package: first.edge.name, path: where.manifest.path, range: where.range, message, related: [], fixes: [] });
  }
  return findings;
}

function installedVersions(graph: DepGraph): Map<string, string> {
  const out = new Map<string, string>();
  const depth = (location: string): number => location.split('node_modules/').length;
  const nodes = [...graph.nodes.values()].filter((n) => n.location.includes('node_modules/')).sort((a, b) => depth(a.location) - depth(b.location));
  for (const node of nodes) if (!out.has(node.name)) out.set(node.name, graph.target(node).version);
  return out;
}
