// uv.lock (version 1) as uv writes it: the [manifest] the lock was made for, and per package its
// source, dependency edges, and [package.metadata] (the requirements a workspace member declared
// when the lock was made). Only what the staleness check and the hover need is kept.
import { normalizeName } from '../versions/pep508';
import { lineOf, readToml, skimToml, stringAt, stringsOf, tableAt, tablesOf, type TomlDocument } from './lockToml';
import type { TomlItem, TomlTable } from '../../toml/tomlTree';

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

function numberAt(table: TomlTable, key: string): number | undefined {
  const item = table.entries.get(key)?.item;
  return item && 'type' in item && item.type === 'TOMLValue' && item.kind === 'integer' ? item.value : undefined;
}

function requirementSource(table: TomlTable): UvSource {
  const git = stringAt(table, 'git');
  if (git !== undefined) return { kind: 'git', url: git };
  const url = stringAt(table, 'url');
  if (url !== undefined) {
    const subdirectory = stringAt(table, 'subdirectory');
    return subdirectory === undefined ? { kind: 'url', url } : { kind: 'url', url, subdirectory };
  }
  for (const flavor of ['editable', 'virtual', 'directory', 'path'] as const) {
    const path = stringAt(table, flavor);
    if (path !== undefined) return { kind: 'path', path, flavor };
  }
  const index = stringAt(table, 'index');
  return index === undefined ? { kind: 'registry' } : { kind: 'registry', index };
}

function readRequirements(doc: TomlDocument, item: TomlItem | undefined): UvLockRequirement[] {
  return tablesOf(item).flatMap((table) => {
    const name = stringAt(table, 'name');
    if (name === undefined) return [];
    return [{
      name: normalizeName(name),
      extras: (stringsOf(table.entries.get('extras')?.item) ?? []).map(normalizeName).sort(),
      specifier: stringAt(table, 'specifier') ?? '',
      marker: stringAt(table, 'marker') ?? null,
      source: requirementSource(table),
      line: lineOf(doc, table.span),
    }];
  });
}

function readEdges(doc: TomlDocument, item: TomlItem | undefined): UvLockEdge[] {
  return tablesOf(item).flatMap((table) => {
    const name = stringAt(table, 'name');
    if (name === undefined) return [];
    const edge: UvLockEdge = {
      name: normalizeName(name),
      marker: stringAt(table, 'marker') ?? null,
      extras: (stringsOf(table.entries.get('extra')?.item) ?? []).map(normalizeName),
      line: lineOf(doc, table.span),
    };
    const version = stringAt(table, 'version');
    if (version !== undefined) edge.version = version;
    return [edge];
  });
}

function readGroups<T>(table: TomlTable | undefined, read: (item: TomlItem) => T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const [name, entry] of table?.entries ?? []) out.set(normalizeName(name), read(entry.item));
  return out;
}

function packageSource(table: TomlTable): UvLockPackage['source'] {
  const source = tableAt(table, ['source']);
  if (!source) return null;
  for (const kind of SOURCE_KEYS) {
    const value = stringAt(source, kind);
    if (value !== undefined) return { kind, value };
  }
  return null;
}

function readPackage(doc: TomlDocument, table: TomlTable): UvLockPackage | null {
  const name = stringAt(table, 'name');
  if (name === undefined) return null;
  const metadata = tableAt(table, ['metadata']);
  const pkg: UvLockPackage = {
    name: normalizeName(name),
    source: packageSource(table),
    dependencies: readEdges(doc, table.entries.get('dependencies')?.item),
    optionalDependencies: readGroups(tableAt(table, ['optional-dependencies']), (i) => readEdges(doc, i)),
    devDependencies: readGroups(tableAt(table, ['dev-dependencies']), (i) => readEdges(doc, i)),
    requiresDist: readRequirements(doc, metadata?.entries.get('requires-dist')?.item),
    providesExtras: stringsOf(metadata?.entries.get('provides-extras')?.item)?.map(normalizeName) ?? null,
    requiresDev: readGroups(tableAt(metadata, ['requires-dev']), (i) => readRequirements(doc, i)),
    line: lineOf(doc, table.span),
  };
  const version = stringAt(table, 'version');
  if (version !== undefined) pkg.version = version;
  return pkg;
}

function readManifest(doc: TomlDocument): UvLockManifest {
  const manifest = tableAt(doc.root, ['manifest']);
  const get = (key: string) => manifest?.entries.get(key)?.item;
  return {
    members: (stringsOf(get('members')) ?? []).map(normalizeName),
    requirements: readRequirements(doc, get('requirements')),
    constraints: readRequirements(doc, get('constraints')),
    overrides: readRequirements(doc, get('overrides')),
    buildConstraints: readRequirements(doc, get('build-constraints')),
    excludes: (stringsOf(get('excludes')) ?? []).map(normalizeName),
    dependencyGroups: readGroups(tableAt(manifest, ['dependency-groups']), (i) => readRequirements(doc, i)),
    dependencyMetadata: tablesOf(get('dependency-metadata')).map((t) => normalizeName(stringAt(t, 'name') ?? '')),
  };
}

/** Reads uv.lock text; a lock that is not valid TOML or not version 1 comes back with the reason. */
export function parseUvLock(text: string, path: string): UvLockRead {
  let read = readToml(skimToml(text, ['wheels', 'sdist']));
  // An error may lie in the skimmed part's neighbourhood; the full text gives the exact place.
  if (!read.ok) read = readToml(text);
  if (!read.ok) return { ok: false, reason: `uv.lock is not valid TOML at line ${read.line} (${read.message})` };
  const { doc } = read;
  const version = numberAt(doc.root, 'version');
  if (version !== 1) {
    return { ok: false, reason: version === undefined ? 'uv.lock has no version number, so it is not a lock uv wrote' : `uv.lock is version ${version}, which Pinsight does not read (it reads version 1)` };
  }
  const packages = tablesOf(doc.root.entries.get('package')?.item)
    .map((t) => readPackage(doc, t))
    .filter((p): p is UvLockPackage => p !== null);
  return {
    ok: true,
    lock: {
      path,
      version,
      revision: numberAt(doc.root, 'revision') ?? 0,
      requiresPython: stringAt(doc.root, 'requires-python') ?? null,
      manifest: readManifest(doc),
      packages,
    },
  };
}

/** Whether a locked package is a workspace member or other local source tree (its metadata is the project's). */
export function isSourceTree(pkg: UvLockPackage): boolean {
  return pkg.source !== null && ['editable', 'virtual', 'directory'].includes(pkg.source.kind);
}

