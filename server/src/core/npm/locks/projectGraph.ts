// Joins a project's package.json files with the packages of a lock or a node_modules folder into one
// DepGraph: the root's edges (workspace links included) come from the root package.json, each
// workspace's from its own, everything else from what was locked or installed.
import { basename } from 'node:path';
import type { ParsedManifest, Range } from '../../model';
import { DepGraph, edgesOf, makeNode, type DepEdge, type DepNode, type PackageFields } from './depGraph';
import { dependencyFor, manifestFields, manifestOverrides, type NpmProject } from './npmProject';

/** Workspace folders' package.json fields by location, which replace whatever a lock says about them. */
export function workspaceFields(project: NpmProject): Map<string, PackageFields> {
  return new Map(project.workspaces.map((w) => [w.location, manifestFields(w.manifest)]));
}

/** The graph of `project` over `nodes` (lock or installed packages); workspace folders get nodes of their own. */
export function projectGraph(project: NpmProject, nodes: Iterable<DepNode>): DepGraph {
  const fields = manifestFields(project.root);
  const workspaces = new Map(project.workspaces.map((w) => [w.name, w.location]));
  const root: DepNode = {
    location: '',
    name: fields.name ?? basename(project.rootDir),
    packageName: fields.name ?? basename(project.rootDir),
    version: fields.version ?? '',
    edges: edgesOf(fields, true, workspaces),
  };
  const all = new Map<string, DepNode>();
  for (const node of nodes) all.set(node.location, node);
  for (const ws of project.workspaces) {
    const wsFields = manifestFields(ws.manifest);
    const existing = all.get(ws.location);
    all.set(ws.location, { ...makeNode(ws.location, wsFields), resolved: existing?.resolved });
  }
  return new DepGraph(root, all.values(), fields, manifestOverrides(project.root));
}

/** The manifest whose edges a top node carries: the root's or a workspace's. */
export function manifestAt(project: NpmProject, location: string): ParsedManifest | undefined {
  if (location === '') return project.root;
  return project.workspaces.find((w) => w.location === location)?.manifest;
}

/** Where a finding about `owner`'s edge goes: its package.json line, or the root's "workspaces" for a workspace link. */
export function lineFor(project: NpmProject, owner: string, edge: DepEdge): { manifest: ParsedManifest; range: Range; dependency?: ReturnType<typeof dependencyFor> } | undefined {
  const manifest = manifestAt(project, owner);
  if (!manifest) return undefined;
  if (edge.type === 'workspace') {
    const ranges = manifest.meta?.ranges as Record<string, Range> | undefined;
    const range = ranges?.workspaces;
    return range ? { manifest, range } : undefined;
  }
  const dependency = dependencyFor(manifest, edge);
  return dependency ? { manifest, range: dependency.range, dependency } : undefined;
}

/** The root's `overrides` entry for a package: where a finding goes when an override set the spec that fails. */
export function overrideLine(project: NpmProject, name: string): { manifest: ParsedManifest; range: Range } | undefined {
  const dep = project.root.dependencies.find((d) => d.override && d.section.startsWith('overrides') && d.name === name);
  return dep ? { manifest: project.root, range: dep.range } : undefined;
}
