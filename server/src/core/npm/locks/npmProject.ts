// The npm project a package.json belongs to: its root (the nearest folder above whose package.json
// lists this one as a workspace, else itself), the workspaces with their own package.json, and the
// lockfile npm would read (npm-shrinkwrap.json before package-lock.json, as arborist prefers).
import { basename, dirname, join, relative } from 'node:path';
import type { Dependency, ParsedManifest } from '../../model';
import type { Runtime } from '../../runtime';
import { overridesOf } from '../arborist/peers';
import type { OverridesJson } from '../arborist/overrides';
import { parsePackageJson } from '../manifest/packageJson';
import type { DepEdge, PackageFields } from './depGraph';
import { findWorkspaceFolders, isWorkspaceFolder, workspacePatterns } from './workspaces';

export interface NpmWorkspace {
  /** The package name npm links it under (its package.json name, else the folder name). */
  name: string;
  /** Folder relative to the root, '/'-separated. */
  location: string;
  manifest: ParsedManifest;
}

export interface NpmProject {
  rootDir: string;
  root: ParsedManifest;
  workspaces: NpmWorkspace[];
  /** What could not be read about the workspaces, as sentences. */
  notes: string[];
}

const SECTION_OF: Record<string, string> = {
  prod: 'dependencies',
  dev: 'devDependencies',
  optional: 'optionalDependencies',
  peer: 'peerDependencies',
  peerOptional: 'peerDependencies',
};

/** The dependency fields of a parsed package.json, as JSON.parse would give them (the last duplicate wins). */
export function manifestFields(manifest: ParsedManifest): PackageFields {
  const meta = manifest.meta ?? {};
  const out: PackageFields = {
    name: typeof meta.name === 'string' ? meta.name : undefined,
    version: typeof meta.version === 'string' ? meta.version : undefined,
  };
  for (const dep of manifest.dependencies) {
    if (dep.override || dep.ecosystem !== 'npm') continue;
    const key = dep.section as 'dependencies' | 'devDependencies' | 'optionalDependencies' | 'peerDependencies';
    if (!Object.values(SECTION_OF).includes(key)) continue;
    (out[key] ??= {})[dep.name] = dep.specifier;
    if (key === 'peerDependencies') (out.peerDependenciesMeta ??= {})[dep.name] = { optional: dep.optional };
  }
  if (Array.isArray(meta.bundleDependencies)) out.bundleDependencies = meta.bundleDependencies as string[];
  return out;
}

/** The root's `overrides`, as arborist reads them. */
export function manifestOverrides(manifest: ParsedManifest): OverridesJson | undefined {
  return overridesOf(manifest);
}

/** The package.json line an edge of this manifest comes from (the last entry of its section, as JSON.parse keeps). */
export function dependencyFor(manifest: ParsedManifest, edge: DepEdge): Dependency | undefined {
  const section = SECTION_OF[edge.type];
  let found: Dependency | undefined;
  for (const dep of manifest.dependencies) if (!dep.override && dep.section === section && dep.name === edge.name) found = dep;
  return found;
}

/** A project of one package.json, with no workspaces. */
export function singleProject(manifest: ParsedManifest): NpmProject {
  return { rootDir: dirname(manifest.path), root: manifest, workspaces: [], notes: [] };
}

const MAX_LEVELS_UP = 6;

/**
 * The project of `manifests[0]`: its workspace root when it is a workspace, and every workspace's
 * package.json (from `manifests` when given there, as open editors hold newer text, else the disk).
 */
export async function loadNpmProject(manifests: ParsedManifest[], runtime: Runtime): Promise<NpmProject> {
  const given = new Map(manifests.map((m) => [m.path, m]));
  const first = manifests[0];
  let root = first;
  if (!workspacePatterns(first.meta?.workspaces)) {
    const dir = dirname(first.path);
    let above = dirname(dir);
    for (let level = 0; level < MAX_LEVELS_UP && above !== dirname(above); level++, above = dirname(above)) {
      const path = join(above, 'package.json');
      const text = given.get(path) ? undefined : await runtime.readFile(path);
      const candidate = given.get(path) ?? (text === undefined ? undefined : parsePackageJson(text, path));
      if (!candidate) continue;
      if (isWorkspaceFolder(candidate.meta?.workspaces, relative(above, dir).split('\\').join('/'))) {
        root = candidate;
        break;
      }
    }
  }
  const rootDir = dirname(root.path);
  const project: NpmProject = { rootDir, root, workspaces: [], notes: [] };
  const byName = new Map<string, string>();
  const { folders, notes } = await findWorkspaceFolders(rootDir, root.meta?.workspaces, runtime);
  project.notes.push(...notes);
  for (const location of folders) {
    const path = join(rootDir, location, 'package.json');
    let manifest = given.get(path);
    if (!manifest) {
      const text = await runtime.readFile(path);
      if (text === undefined) {
        project.notes.push(`${location}/package.json could not be read, so the workspace ${location} was not checked.`);
        continue;
      }
      manifest = parsePackageJson(text, path);
    }
    const name = typeof manifest.meta?.name === 'string' ? manifest.meta.name : basename(location);
    const earlier = byName.get(name);
    if (earlier !== undefined) {
      project.notes.push(`The workspaces ${earlier} and ${location} are both named ${name}; npm refuses that (EDUPLICATEWORKSPACE), so ${location} was not checked.`);
      continue;
    }
    byName.set(name, location);
    project.workspaces.push({ name, location, manifest });
  }
  return project;
}

/** The lockfile npm reads for a project root: npm-shrinkwrap.json, else package-lock.json; undefined when neither exists. */
export async function findNpmLock(rootDir: string, runtime: Runtime): Promise<{ path: string; name: string; text: string } | undefined> {
  for (const name of ['npm-shrinkwrap.json', 'package-lock.json']) {
    const path = join(rootDir, name);
    const text = await runtime.readFile(path);
    if (text !== undefined) return { path, name, text };
  }
  return undefined;
}
