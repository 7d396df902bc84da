// The environment a manifest is resolved for. Markers are evaluated against it three-valued: what
// is not known stays unknown, so a conflict that depends on it is reported as possible.

import { dirname, isAbsolute, join, relative } from 'node:path';
import type { ParsedManifest } from '../../model';
import type { MarkerEnvironment } from '../versions/markers';
import { parseSpecifierSet, parseVersion } from '../versions/pep440';

export type Platform = 'linux' | 'darwin' | 'win32';

export interface TargetInput {
  /** '3.11' or '3.11.7', from a setting, --python-version, the selected interpreter or .venv. */
  pythonVersion?: string;
  /** Where pythonVersion came from, for the hover and the CLI's report. */
  pythonSource?: string;
  platform?: Platform;
  /** Host CPU as node names it (x64, arm64), when the target is this machine. */
  arch?: string;
  /** The manifest's requires-python, used for its lower bound when no version is given. */
  requiresPython?: string;
}

export interface Target {
  environment: MarkerEnvironment;
  /** For Requires-Python filtering; undefined when unknown. */
  pythonVersion?: string;
  /** One line for people: "Python 3.11 on linux (from .venv)". */
  description: string;
}

const PLATFORMS: Record<Platform, Pick<MarkerEnvironment, 'sys_platform' | 'platform_system' | 'os_name'>> = {
  linux: { sys_platform: 'linux', platform_system: 'Linux', os_name: 'posix' },
  darwin: { sys_platform: 'darwin', platform_system: 'Darwin', os_name: 'posix' },
  win32: { sys_platform: 'win32', platform_system: 'Windows', os_name: 'nt' },
};

function machineOf(platform: Platform, arch: string | undefined): string | undefined {
  if (!arch) return undefined;
  if (arch === 'x64') return platform === 'win32' ? 'AMD64' : 'x86_64';
  if (arch === 'arm64') return platform === 'linux' ? 'aarch64' : platform === 'win32' ? 'ARM64' : 'arm64';
  return undefined;
}

/** The lowest X.Y a requires-python specifier admits (e.g. '>=3.9,<4' -> '3.9'), or undefined. */
export function lowerBoundOfRequiresPython(spec: string): string | undefined {
  const parsed = parseSpecifierSet(spec);
  if (!parsed.ok) return undefined;
  for (let minor = 0; minor <= 40; minor++) {
    for (const candidate of [`3.${minor}`, `3.${minor}.99`]) {
      if (parsed.set.contains(candidate, { prereleases: false })) return `3.${minor}`;
    }
  }
  return undefined;
}

/** Builds the marker environment for a target; unknown parts are left out (three-valued). */
export function makeTarget(input: TargetInput): Target {
  let python = input.pythonVersion;
  let source = input.pythonSource;
  if (!python && input.requiresPython) {
    python = lowerBoundOfRequiresPython(input.requiresPython);
    if (python) source = `the lower bound of requires-python ${input.requiresPython}`;
  }
  const environment: MarkerEnvironment = {};
  const version = python ? parseVersion(python) : null;
  if (version) {
    environment.python_version = `${version.release[0]}.${version.release[1] ?? 0}`;
    if (version.release.length >= 3) environment.python_full_version = python;
    // CPython is what nearly everyone runs; leaving it unknown would make every PyPy-specific
    // marker (uvloop's, for one) a "possible" conflict.
    environment.implementation_name = 'cpython';
    environment.platform_python_implementation = 'CPython';
  }
  if (input.platform) {
    Object.assign(environment, PLATFORMS[input.platform]);
    const machine = machineOf(input.platform, input.arch);
    if (machine) environment.platform_machine = machine;
  }
  const pieces = [version ? `Python ${python}` : 'any Python version', input.platform ? `on ${input.platform}` : 'on any platform'];
  if (source) pieces.push(`(${source})`);
  return { environment, pythonVersion: version ? python : undefined, description: pieces.join(' ') };
}

/** Reads `version = 3.11.7` (or `version_info`) from a virtualenv's pyvenv.cfg text. */
export function pythonVersionFromPyvenvCfg(text: string): string | undefined {
  const match = /^\s*(?:version|version_info)\s*=\s*([0-9]+\.[0-9]+(?:\.[0-9]+)?)/im.exec(text);
  return match?.[1];
}

/** What target selection needs from the host (a subset of HostEnvironment). */
export interface TargetHints {
  pythonVersion?: { version: string; source: string };
  selectedPython?: { version: string; path?: string };
  platform: Platform;
  arch?: string;
  searchRoot?: string;
  displayPath?: (path: string) => string;
}

/** How many folders above the manifest's own a virtualenv is looked for when no search root bounds it. */
const VENV_SEARCH_DEPTH = 4;

/** The folders searched for a project's `.venv`: the manifest's folder upwards, to the search root when the manifest is inside it. */
export function virtualenvSearchPath(manifestPath: string, searchRoot?: string): string[] {
  const out: string[] = [];
  const rel = searchRoot ? relative(searchRoot, dirname(manifestPath)) : undefined;
  const inside = rel !== undefined && !rel.startsWith('..') && !isAbsolute(rel);
  for (let dir = dirname(manifestPath); ; dir = dirname(dir)) {
    out.push(dir);
    if (inside ? dir === searchRoot : out.length > VENV_SEARCH_DEPTH) break;
    if (dirname(dir) === dir) break;
  }
  return out;
}

/**
 * The target for a manifest tree, the same in the CLI and the server: an explicit version (setting,
 * --python-version), else the interpreter the editor selected, else the nearest `.venv` from the
 * manifest's folder up to the search root, else the lower bound of requires-python.
 */
export async function selectPythonTarget(manifests: ParsedManifest[], hints: TargetHints, readFile: (path: string) => Promise<string | undefined>): Promise<Target> {
  let pythonVersion = hints.pythonVersion?.version;
  let pythonSource = hints.pythonVersion?.source;
  if (!pythonVersion && hints.selectedPython) {
    pythonVersion = hints.selectedPython.version;
    pythonSource = `the selected interpreter${hints.selectedPython.path ? ` ${hints.selectedPython.path}` : ''}`;
  }
  const root = manifests[0];
  if (!pythonVersion && root) {
    for (const dir of virtualenvSearchPath(root.path, hints.searchRoot)) {
      const cfg = await readFile(join(dir, '.venv', 'pyvenv.cfg'));
      const found = cfg ? pythonVersionFromPyvenvCfg(cfg) : undefined;
      if (found) {
        pythonVersion = found;
        const venv = join(dir, '.venv');
        pythonSource = `from ${hints.displayPath ? hints.displayPath(venv) : venv}`;
        break;
      }
    }
  }
  return makeTarget({ pythonVersion, pythonSource, platform: hints.platform, arch: hints.arch, requiresPython: root?.requiresPython?.specifier });
}
