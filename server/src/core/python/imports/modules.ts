// The modules an installed distribution provides, from the file list in its RECORD (paths relative
// to site-packages): `pkg/__init__.py` and `pkg/mod.py` are source modules, `mod.cpython-311-*.so`
// and `mod.pyd` compiled ones (their names cannot be read), and a folder with modules but no
// `__init__` is a namespace package. Its import names come from top_level.txt, else from RECORD.

export type ModuleKind = 'source' | 'compiled' | 'namespace';

export interface ModuleFile {
  kind: ModuleKind;
  /** The file that runs on import (relative to site-packages), for source and compiled modules. */
  path?: string;
  /** Its size in bytes as RECORD states it, when it does. */
  size?: number;
}

export interface DistributionModules {
  /** Top-level import names ("werkzeug", "_yaml"). */
  topLevel: Set<string>;
  /** Every module and package by dotted name. */
  modules: Map<string, ModuleFile>;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const COMPILED = /^([A-Za-z_][A-Za-z0-9_]*)(\.[^./]+)?\.(so|pyd)$/;

/** The modules RECORD lists; top_level.txt (when given) adds names RECORD cannot show. */
export function modulesFromRecord(entries: Array<{ path: string; size?: string }>, topLevelTxt?: string): DistributionModules {
  const modules = new Map<string, ModuleFile>();
  for (const entry of entries) {
    const path = entry.path.replace(/\\/g, '/');
    if (path.startsWith('../') || path.startsWith('/') || /(^|\/)__pycache__\//.test(path)) continue;
    const parts = path.split('/');
    const file = parts.pop()!;
    if (parts.length && /\.(dist-info|egg-info|data)$/.test(parts[0])) continue;
    if (!parts.every((p) => IDENTIFIER.test(p))) continue;
    const size = entry.size && /^\d+$/.test(entry.size) ? Number(entry.size) : undefined;
    let name: string | undefined;
    let kind: ModuleKind | undefined;
    if (file.endsWith('.py')) {
      const stem = file.slice(0, -3);
      if (!IDENTIFIER.test(stem)) continue;
      name = stem === '__init__' ? parts.join('.') : [...parts, stem].join('.');
      kind = 'source';
    } else {
      const m = COMPILED.exec(file);
      if (!m) continue;
      name = m[1] === '__init__' ? parts.join('.') : [...parts, m[1]].join('.');
      kind = 'compiled';
    }
    if (!name) continue;
    const known = modules.get(name);
    // A source module and a compiled one of the same name: Python picks the extension first.
    if (!known || known.kind === 'namespace' || kind === 'compiled') modules.set(name, { kind, path, ...(size !== undefined ? { size } : {}) });
    for (let n = 1; n <= parts.length; n++) {
      const parent = parts.slice(0, n).join('.');
      if (parent !== name && !modules.has(parent)) modules.set(parent, { kind: 'namespace' });
    }
  }
  const topLevel = new Set<string>();
  for (const name of modules.keys()) topLevel.add(name.split('.')[0]);
  for (const line of (topLevelTxt ?? '').split(/\r?\n/)) {
    const top = line.trim().replace(/\//g, '.').split('.')[0];
    if (IDENTIFIER.test(top)) topLevel.add(top);
  }
  return { topLevel, modules };
}
