// uv.lock (version 1) as uv writes it: the [manifest] the lock was made for, and per package its
// source, dependency edges, and [package.metadata] (the requirements a workspace member declared
// when the lock was made). Only what the staleness check and the hover need is kept.
import { normalizeName } from '../versions/pep508';
import { plainString, plainStrings, plainTable, plainTables, readPlainToml, type PlainItem, type PlainTable } from './plainToml';

/** Where a requirement comes from, as uv.lock spells it. */
export type UvSource =
  | { kind: 'registry'; index?: string }
  | { kind: 'git'; url: string }
  | { kind: 'url'; url: string; subdirectory?: string }
  | { kind: 'path'; path: string; flavor: 'path' | 'directory' | 'editable' | 'virtual' };

/** A requirement in [manifest] or [package.metadata]. */
export interface UvLockRequirement {
  name: string;
  extras: string[];
  specifier: string;
  marker: string | null;
  source: UvSource;
  line: number;
}

/** A dependency edge from one locked package to another. */
export interface UvLockEdge {
  name: string;
  version?: string;
  marker: string | null;
  extras: string[];
  line: number;
}

export interface UvLockPackage {
  name: string;
  version?: string;
  /** 'registry', 'editable', 'virtual', 'directory', 'path', 'git' or 'url', with its value. */
  source: { kind: string; value: string } | null;
  dependencies: UvLockEdge[];
  optionalDependencies: Map<string, UvLockEdge[]>;
  devDependencies: Map<string, UvLockEdge[]>;
  requiresDist: UvLockRequirement[];
  /** null when the lock does not record them (older revisions). */
  providesExtras: string[] | null;
  requiresDev: Map<string, UvLockRequirement[]>;
  line: number;
}

export interface UvLockManifest {
  members: string[];
  requirements: UvLockRequirement[];
  constraints: UvLockRequirement[];
  overrides: UvLockRequirement[];
  buildConstraints: UvLockRequirement[];
  excludes: string[];
  dependencyGroups: Map<string, UvLockRequirement[]>;
  /** Names in [[manifest.dependency-metadata]]. */
  dependencyMetadata: string[];
}

export interface UvLock {
  path: string;
  version: number;
  revision: number;
  requiresPython: string | null;
  manifest: UvLockManifest;
  packages: UvLockPackage[];
}

export type UvLockRead = { ok: true; lock: UvLock } | { ok: false; reason: string };

const SOURCE_KEYS = ['registry', 'editable', 'virtual', 'directory', 'path', 'git', 'url'] as const;

function numberAt(table: PlainTable, key: string): number | undefined {
  const item = table.entries.get(key);
  return typeof item === 'number' && Number.isInteger(item) ? item : undefined;
}

function requirementSource(table: PlainTable): UvSource {
  const git = plainString(table, 'git');
  if (git !== undefined) return { kind: 'git', url: git };
  const url = plainString(table, 'url');
  if (url !== undefined) {
    const subdirectory = plainString(table, 'subdirectory');
    return subdirectory === undefined ? { kind: 'url', url } : { kind: 'url', url, subdirectory };
  }
  for (const flavor of ['editable', 'virtual', 'directory', 'path'] as const) {
    const path = plainString(table, flavor);
    if (path !== undefined) return { kind: 'path', path, flavor };
  }
  const index = plainString(table, 'index');
  return index === undefined ? { kind: 'registry' } : { kind: 'registry', index };
}

function readRequirements(item: PlainItem | undefined): UvLockRequirement[] {
  return plainTables(item).flatMap((table) => {
    const name = plainString(table, 'name');
    if (name === undefined) return [];
    return [{
      name: normalizeName(name),
      extras: (plainStrings(table, 'extras') ?? []).map(normalizeName).sort(),
      specifier: plainString(table, 'specifier') ?? '',
      marker: plainString(table, 'marker') ?? null,
      source: requirementSource(table),
      line: table.line,
    }];
  });
}

function readEdges(item: PlainItem | undefined): UvLockEdge[] {
  return plainTables(item).flatMap((table) => {
    const name = plainString(table, 'name');
    if (name === undefined) return [];
    const edge: UvLockEdge = {
      name: normalizeName(name),
      marker: plainString(table, 'marker') ?? null,
      extras: (plainStrings(table, 'extra') ?? []).map(normalizeName),
      line: table.line,
    };
    const version = plainString(table, 'version');
    if (version !== undefined) edge.version = version;
    return [edge];
  });
}

function readGroups<T>(table: PlainTable | undefined, read: (item: PlainItem) => T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const [name, item] of table?.entries ?? []) out.set(normalizeName(name), read(item));
  return out;
}

function packageSource(table: PlainTable): UvLockPackage['source'] {
  const source = plainTable(table, 'source');
  if (!source) return null;
  for (const kind of SOURCE_KEYS) {
    const value = plainString(source, kind);
    if (value !== undefined) return { kind, value };
  }
  return null;
}

function readPackage(table: PlainTable): UvLockPackage | null {
  const name = plainString(table, 'name');
  if (name === undefined) return null;
  const metadata = plainTable(table, 'metadata');
  const pkg: UvLockPackage = {
    name: normalizeName(name),
    source: packageSource(table),
    dependencies: readEdges(table.entries.get('dependencies')),
    optionalDependencies: readGroups(plainTable(table, 'optional-dependencies'), (i) => readEdges(i)),
    devDependencies: readGroups(plainTable(table, 'dev-dependencies'), (i) => readEdges(i)),
    requiresDist: readRequirements(metadata?.entries.get('requires-dist')),
    providesExtras: plainStrings(metadata, 'provides-extras')?.map(normalizeName) ?? null,
    requiresDev: readGroups(plainTable(metadata, 'requires-dev'), (i) => readRequirements(i)),
    line: table.line,
  };
  const version = plainString(table, 'version');
  if (version !== undefined) pkg.version = version;
  return pkg;
}

function readManifest(root: PlainTable): UvLockManifest {
  const manifest = plainTable(root, 'manifest');
  const get = (key: string) => manifest?.entries.get(key);
  return {
    members: (plainStrings(manifest, 'members') ?? []).map(normalizeName),
    requirements: readRequirements(get('requirements')),
    constraints: readRequirements(get('constraints')),
    overrides: readRequirements(get('overrides')),
    buildConstraints: readRequirements(get('build-constraints')),
    excludes: (plainStrings(manifest, 'excludes') ?? []).map(normalizeName),
    dependencyGroups: readGroups(plainTable(manifest, 'dependency-groups'), (i) => readRequirements(i)),
    dependencyMetadata: plainTables(get('dependency-metadata')).map((t) => normalizeName(plainString(t, 'name') ?? '')),
  };
}

/** Reads uv.lock text; a lock that is not valid TOML or not version 1 comes back with the reason. */
export function parseUvLock(text: string, path: string): UvLockRead {
  const read = readPlainToml(text);
  if (!read.ok) return { ok: false, reason: `uv.lock is not valid TOML at line ${read.line} (${read.message})` };
  const { root } = read;
  const version = numberAt(root, 'version');
  if (version !== 1) {
    return { ok: false, reason: version === undefined ? 'uv.lock has no version number, so it is not a lock uv wrote' : `uv.lock is version ${version}, which Pinsight does not read (it reads version 1)` };
  }
  const packages = plainTables(root.entries.get('package'))
    .map((t) => readPackage(t))
    .filter((p): p is UvLockPackage => p !== null);
  return {
    ok: true,
    lock: {
      path,
      version,
      revision: numberAt(root, 'revision') ?? 0,
      requiresPython: plainString(root, 'requires-python') ?? null,
      manifest: readManifest(root),
      packages,
    },
  };
}

/** Whether a locked package is a workspace member or other local source tree (its metadata is the project's). */
export function isSourceTree(pkg: UvLockPackage): boolean {
  return pkg.source !== null && ['editable', 'virtual', 'directory'].includes(pkg.source.kind);
}

