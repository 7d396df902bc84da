// Which installed Python environment a manifest is checked against, and where its distributions
// live: the interpreter the editor selected when it is a virtualenv, else `.venv` or `venv` from
// the manifest's folder up to the search root. Everything is read through the Runtime; no
// interpreter is started, so the layout is inferred the way `site` would build sys.path.

import { dirname, isAbsolute, join, relative } from 'node:path';
import type { HostEnvironment } from '../../ecosystem';
import type { Runtime } from '../../runtime';
import { pythonVersionFromPyvenvCfg, virtualenvSearchPath } from '../resolve/target';

/** A Python environment found on disk. */
export interface EnvLocation {
  /** The environment's root folder (where pyvenv.cfg is). */
  prefix: string;
  /** The interpreter's version from pyvenv.cfg (or the lib/pythonX.Y folder), e.g. '3.11.7'. */
  pythonVersion?: string;
  /** How it was chosen: the editor's selected interpreter, or a virtualenv near the manifest. */
  origin: 'selected' | 'nearby';
  /** Folders on the interpreter's sys.path that hold distributions, in sys.path order. */
  sitePackages: string[];
  /** The prefix as shown to people (".venv", "app/.venv"). */
  display: string;
}

const VENV_NAMES = ['.venv', 'venv'];

/** The `key = value` lines of a pyvenv.cfg, keys lower-cased. */
export function parsePyvenvCfg(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split(/\r\n|\n|\r/)) {
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq).trim().toLowerCase();
    if (key && !out.has(key)) out.set(key, line.slice(eq + 1).trim());
  }
  return out;
}

/** How a path is shown in messages: the host's display, else relative to the search root when inside it. */
export function displayEnvPath(path: string, host: Pick<HostEnvironment, 'displayPath' | 'searchRoot'>): string {
  if (host.displayPath) return host.displayPath(path) || '.';
  if (host.searchRoot) {
    const rel = relative(host.searchRoot, path);
    if (!rel.startsWith('..') && !isAbsolute(rel)) return rel || '.';
  }
  return path;
}

/**
 * Finds the environment for a manifest: the selected interpreter's virtualenv (two folders above
 * `bin/python`), else the nearest `.venv` or `venv` up to the search root; undefined when none.
 */
export async function findPythonEnvironment(manifestPath: string, host: HostEnvironment, runtime: Runtime): Promise<EnvLocation | undefined> {
  const selected = host.selectedPython?.path;
  if (selected) {
    const prefix = dirname(dirname(selected));
    const found = await locationAt(prefix, 'selected', host, runtime);
    if (found) return found;
  }
  for (const dir of virtualenvSearchPath(manifestPath, host.searchRoot)) {
    for (const name of VENV_NAMES) {
      const found = await locationAt(join(dir, name), 'nearby', host, runtime);
      if (found) return found;
    }
  }
  return undefined;
}

/** A virtualenv at `prefix` (it has a pyvenv.cfg), with its site-packages folders; undefined otherwise. */
async function locationAt(prefix: string, origin: EnvLocation['origin'], host: HostEnvironment, runtime: Runtime): Promise<EnvLocation | undefined> {
  const text = await runtime.readFile(join(prefix, 'pyvenv.cfg'));
  if (text === undefined) return undefined;
  const cfg = parsePyvenvCfg(text);
  let pythonVersion = pythonVersionFromPyvenvCfg(text);
  const own = await sitePackagesOf(prefix, pythonVersion, runtime);
  pythonVersion ??= own?.version;
  const sitePackages = own ? [own.path] : [];
  if (/^true$/i.test(cfg.get('include-system-site-packages') ?? '') && cfg.get('home')) {
    // `home` is the base interpreter's folder: bin/ on POSIX, the install folder itself on Windows.
    const home = cfg.get('home')!;
    const base = own?.windows ? await sitePackagesOf(home, pythonVersion, runtime) : await sitePackagesOf(dirname(home), pythonVersion, runtime);
    if (base) sitePackages.push(base.path);
  }
  return { prefix, pythonVersion, origin, sitePackages, display: displayEnvPath(prefix, host) };
}

/** `lib/pythonX.Y/site-packages` (the one matching the version when several exist) or Windows' `Lib/site-packages`. */
async function sitePackagesOf(prefix: string, version: string | undefined, runtime: Runtime): Promise<{ path: string; version?: string; windows: boolean } | undefined> {
  const entries = (await runtime.listDir?.(prefix)) ?? [];
  if (entries.some((e) => e.name === 'Lib' && e.kind === 'dir') && !entries.some((e) => e.name === 'lib')) {
    return { path: join(prefix, 'Lib', 'site-packages'), windows: true };
  }
  const lib = join(prefix, 'lib');
  const folders = ((await runtime.listDir?.(lib)) ?? []).filter((e) => e.kind === 'dir' && /^(python|pypy)\d+\.\d+t?$/.test(e.name)).map((e) => e.name);
  const minor = version && /^(\d+\.\d+)/.exec(version)?.[1];
  const chosen = folders.find((f) => minor && f.replace(/^(python|pypy)/, '').replace(/t$/, '') === minor) ?? (folders.length === 1 ? folders[0] : undefined);
  return chosen ? { path: join(lib, chosen, 'site-packages'), version: /(\d+\.\d+)/.exec(chosen)?.[1], windows: false } : undefined;
}
