// The installed-environment part of the Python wing's `inspect`: find the environment, read it
// (through a cache that survives re-checks), decide which command would bring it in line, check
// the manifest tree against it and say what was read. No process is started, no network is used.

import { parseTOML } from 'toml-eslint-parser';
import { basename, dirname, join } from 'node:path';
import type { HostEnvironment, ProjectState } from '../../ecosystem';
import type { Dependency, ManifestKind, ParsedManifest } from '../../model';
import type { Runtime } from '../../runtime';
import { stripBom } from '../../text';
import { buildTomlTree, getEntry, isString } from '../../toml/tomlTree';
import { normalizeName } from '../versions/pep508';
import { checkInstalled, type InstallPlan, type InstalledCheck } from './drift';
import { createImportCache, type ImportCache } from '../imports/check';
import { checkImportBreaks, describeEdge, describeResolvedEdge } from './importBreaks';
import { createEnvironmentCache, readInstalledEnvironment, type EnvironmentCache, type InstalledEnvironment } from './installed';
import { displayEnvPath, findPythonEnvironment } from './location';

/** ProjectState for the installed environment, with the details behind it for callers that combine it with a lock. */
export interface EnvironmentState extends ProjectState {
  environment?: InstalledEnvironment;
  check?: InstalledCheck;
}

/** Finds, reads and checks the environment a manifest tree (root first) is installed in; never throws. */
export async function inspectPythonEnvironment(
  manifests: ParsedManifest[],
  kind: ManifestKind,
  runtime: Runtime,
  host: HostEnvironment,
  cache: EnvironmentCache = createEnvironmentCache(),
  importCache: ImportCache = createImportCache(),
): Promise<EnvironmentState> {
  const state: EnvironmentState = { findings: [], packages: new Map(), sources: [], skipped: [] };
  const root = manifests[0];
  if (!root) return state;
  const location = await findPythonEnvironment(root.path, host, runtime);
  if (!location) {
    const where = displayEnvPath(dirname(root.path), host);
    const selected = host.selectedPython?.path ? `, and the selected interpreter ${host.selectedPython.path} is not in a virtual environment` : '';
    const note = `No Python environment was found (no .venv or venv in ${where || '.'} or the folders above it, up to the workspace${selected}), so installed versions are not checked there.`;
    state.skipped.push(note);
    state.absent = [note];
    return state;
  }
  const environment = await readInstalledEnvironment(location, runtime, cache);
  const plan = await installPlanFor(manifests, kind, runtime, host);
  const projectName = kind === 'pyproject' ? projectNameOf(await runtime.readFile(root.path)) : undefined;
  const check = checkInstalled(manifests, environment, { platform: host.platform, arch: host.arch, plan, projectName });
  state.findings = check.findings;
  for (const [name, version] of check.installed) state.packages.set(name, { installed: version });
  state.sources.push(check.summary);
  state.skipped.push(...check.skipped);
  state.environment = environment;
  state.check = check;
  if (host.importChecks?.enabled !== false) {
    const imports = await checkImportBreaks(environment, check, runtime, importCache, {
      platform: host.platform,
      arch: host.arch,
      limits: host.importChecks ? { maxFilesPerPackage: host.importChecks.maxFilesPerPackage, maxFilesPerCheck: host.importChecks.maxFilesPerCheck } : undefined,
    });
    state.findings.push(...imports.findings);
    state.skipped.push(...imports.skipped);
    for (const edge of imports.edges) {
      const line = edge.breaks.length ? describeEdge(edge) : describeResolvedEdge(edge);
      if (!line) continue;
      for (const dist of [edge.importer, edge.target]) {
        const facts = state.packages.get(dist.normalizedName) ?? {};
        state.packages.set(dist.normalizedName, { ...facts, imports: [...(facts.imports ?? []), line] });
      }
    }
  }
  return state;
}

const MAIN_SECTIONS = new Set(['project.dependencies', 'tool.poetry.dependencies']);

/** Which command installs what a manifest tree declares: pip for requirements files; uv sync, poetry install or pip install -e for a pyproject. */
export async function installPlanFor(manifests: ParsedManifest[], kind: ManifestKind, runtime: Runtime, host: Pick<HostEnvironment, 'displayPath' | 'searchRoot'>): Promise<InstallPlan> {
  const root = manifests[0]!;
  if (kind !== 'pyproject') {
    const shown = host.displayPath ? host.displayPath(root.path) || basename(root.path) : basename(root.path);
    return { command: `pip install -r ${quote(shown)}`, installs: (dep) => !dep.constraint && !dep.override };
  }
  const dir = dirname(root.path);
  const main = (dep: Dependency) => MAIN_SECTIONS.has(dep.section) && !dep.optional;
  if (await exists(runtime, join(dir, 'uv.lock'))) {
    // uv sync installs the project and its default group, "dev" (also the legacy tool.uv.dev-dependencies).
    return { command: 'uv sync', installs: (dep) => main(dep) || dep.section === 'dependency-groups.dev' || dep.section === 'tool.uv.dev-dependencies' };
  }
  if (await exists(runtime, join(dir, 'poetry.lock'))) {
    return { command: 'poetry install', installs: (dep) => main(dep) || (/^tool\.poetry\.(dev-dependencies|group\.[^.]+\.dependencies)$/.test(dep.section) && !dep.optional) };
  }
  const shown = host.displayPath ? host.displayPath(dir) || '.' : '.';
  return { command: `pip install -e ${quote(shown)}`, installs: main };
}

async function exists(runtime: Runtime, path: string): Promise<boolean> {
  if (runtime.stat) return (await runtime.stat(path))?.kind === 'file';
  return (await runtime.readFile(path)) !== undefined;
}

function quote(arg: string): string {
  return /^[A-Za-z0-9_./@:+=-]+$/.test(arg) ? arg : JSON.stringify(arg);
}

/** `[project] name` (or poetry's `[tool.poetry] name`), normalised; undefined when absent or the file does not parse. */
export function projectNameOf(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  try {
    const body = stripBom(text);
    const tree = buildTomlTree(parseTOML(body), body);
    const item = getEntry(tree, ['project', 'name'])?.item ?? getEntry(tree, ['tool', 'poetry', 'name'])?.item;
    return isString(item) ? normalizeName(item.value) : undefined;
  } catch {
    return undefined;
  }
}
