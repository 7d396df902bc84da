// One pyproject.toml as uv reads it to decide whether uv.lock is current: the member's name and
// version, its requires-dist (dependencies and optional dependencies, extras as `extra == '...'`
// markers), its dependency groups flattened (includes expanded, tool.uv.dev-dependencies merged into
// `dev`, a group's requires-python as a marker), the workspace-level tables (constraints, overrides,
// build constraints, excludes, members), and the ranges where a finding about each belongs.
import { dirname } from 'node:path';
import type { Dependency, ParsedManifest, Range } from '../../model';
import { parsePyproject } from '../pyproject/pyproject';
import { normalizeName, parsePep508 } from '../versions/pep508';
import { andExpr, markerExpr, pythonExpr, TRUE, type MarkerExpr } from './markerSpace';
import { booleanAt, headerRange, itemAt, rangeOf, readToml, stringAt, stringNodesOf, stringsOf, tableAt, tablesOf, type TomlDocument } from './lockToml';
import { readSources, type SourceSpec } from './uvSources';
import { getEntry, isTable, type TomlTable } from '../../toml/tomlTree';

/** A requirement as written in pyproject.toml, before lowering. */
export interface DeclaredRequirement {
  name: string;
  extras: string[];
  specifier: string;
  marker: MarkerExpr;
  url?: string;
  /** The requirement as written, for messages. */
  text: string;
  path: string;
  range: Range;
  /** The extra or group it belongs to (normalised), for sources and messages. */
  extra?: string;
  group?: string;
}

export interface UvMember {
  path: string;
  dir: string;
  manifest: ParsedManifest;
  /** Normalised [project] name, or null for a root without [project]. */
  name: string | null;
  version: { value: string; range: Range } | null;
  /** [project] requires-python (uv reads no other), with the range of its value. */
  requiresPython: { specifier: string; range: Range } | null;
  dynamic: Set<string>;
  hasBuildSystem: boolean;
  /** tool.uv.package, when set. */
  packageSetting?: boolean;
  requiresDist: DeclaredRequirement[];
  providesExtras: string[];
  groups: Map<string, DeclaredRequirement[]>;
  constraints: DeclaredRequirement[];
  overrides: DeclaredRequirement[];
  buildConstraints: DeclaredRequirement[];
  excludes: string[];
  sources: Map<string, SourceSpec[]>;
  indexes: Map<string, string>;
  workspace: { members: string[]; exclude: string[]; range: Range } | null;
  /** Where findings about a removed requirement or a table-level change go. */
  anchors: Map<string, Range>;
  /** Why this file cannot be compared, when it cannot. */
  unreadable?: string;
}

function anchorsOf(doc: TomlDocument): Map<string, Range> {
  const out = new Map<string, Range>();
  const put = (key: string, path: string[]) => {
    const range = headerRange(doc, path);
    if (range) out.set(key, range);
  };
  put('project', ['project']);
  put('dependencies', ['project', 'dependencies']);
  put('optional-dependencies', ['project', 'optional-dependencies']);
  for (const extra of tableAt(doc.root, ['project', 'optional-dependencies'])?.entries.keys() ?? []) put(`extra:${normalizeName(extra)}`, ['project', 'optional-dependencies', extra]);
  put('dependency-groups', ['dependency-groups']);
  for (const group of tableAt(doc.root, ['dependency-groups'])?.entries.keys() ?? []) put(`group:${normalizeName(group)}`, ['dependency-groups', group]);
  put('version', ['project', 'version']);
  put('build-system', ['build-system']);
  put('tool.uv', ['tool', 'uv']);
  for (const key of ['dev-dependencies', 'constraint-dependencies', 'override-dependencies', 'build-constraint-dependencies', 'exclude-dependencies']) put(key, ['tool', 'uv', key]);
  put('workspace', ['tool', 'uv', 'workspace']);
  put('members', ['tool', 'uv', 'workspace', 'members']);
  put('requires-python', ['project', 'requires-python']);
  out.set('file', { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } });
  return out;
}

function declared(dep: Dependency, path: string, context: { extra?: string; group?: string }): DeclaredRequirement | null {
  const marker = markerExpr(dep.marker);
  if (!marker) return null;
  const out: DeclaredRequirement = {
    name: dep.normalizedName,
    extras: dep.extras.map(normalizeName).sort(),
    specifier: dep.specifier,
    marker: context.extra !== undefined ? andExpr(marker, markerExpr(`extra == "${context.extra}"`) ?? TRUE) : marker,
    text: dep.raw.trim(),
    path,
    range: dep.range,
    ...context,
  };
  if (dep.location !== undefined && dep.source !== 'registry') out.url = dep.location;
  return out;
}

// uv reads build-constraint-dependencies only for the lock; the manifest parser does not keep them.
function rawRequirements(doc: TomlDocument, path: string, key: string): DeclaredRequirement[] {
  return stringNodesOf(itemAt(doc.root, ['tool', 'uv', key])).flatMap((node) => {
    const parsed = parsePep508(node.value);
    const marker = parsed.ok ? markerExpr(parsed.requirement.marker) : null;
    if (!parsed.ok || !marker) return [];
    const r = parsed.requirement;
    return [{ name: normalizeName(r.name), extras: r.extras.map(normalizeName).sort(), specifier: r.specifier, marker, text: node.value.trim(), path, range: rangeOf(doc, node) }];
  });
}

function flattenGroups(doc: TomlDocument, own: Map<string, DeclaredRequirement[]>, manifest: ParsedManifest): Map<string, DeclaredRequirement[]> {
  const includes = ((manifest.meta?.dependencyGroupIncludes ?? []) as { group: string; include: string }[]).map((i) => ({ group: normalizeName(i.group), include: normalizeName(i.include) }));
  const flat = new Map<string, DeclaredRequirement[]>();
  const expand = (group: string, seen: Set<string>): DeclaredRequirement[] => {
    if (seen.has(group)) return [];
    seen.add(group);
    const reqs = [...(own.get(group) ?? [])];
    for (const inc of includes) if (inc.group === group) reqs.push(...expand(inc.include, seen).map((r) => ({ ...r, group })));
    return reqs;
  };
  const names = new Set([...own.keys(), ...includes.map((i) => i.group)]);
  for (const group of names) {
    let reqs = expand(group, new Set());
    // [tool.uv.dependency-groups] <name> = { requires-python = "..." } restricts the whole group.
    const rp = stringAt(tableAt(doc.root, ['tool', 'uv', 'dependency-groups', group]) ?? findGroupSettings(doc, group), 'requires-python');
    const python = rp ? pythonExpr(rp) : null;
    if (python) reqs = reqs.map((r) => ({ ...r, marker: andExpr(python, r.marker) }));
    flat.set(group, reqs);
  }
  return flat;
}

function findGroupSettings(doc: TomlDocument, group: string): TomlTable | undefined {
  for (const [name, entry] of tableAt(doc.root, ['tool', 'uv', 'dependency-groups'])?.entries ?? []) {
    if (normalizeName(name) === group && isTable(entry.item)) return entry.item;
  }
  return undefined;
}

function readIndexes(doc: TomlDocument): Map<string, string> {
  const out = new Map<string, string>();
  for (const table of tablesOf(itemAt(doc.root, ['tool', 'uv', 'index']))) {
    const name = stringAt(table, 'name');
    const url = stringAt(table, 'url');
    if (name !== undefined && url !== undefined) out.set(name, url);
  }
  return out;
}

function collectRequirements(member: UvMember): void {
  const { manifest, path } = member;
  const extraPrefix = 'project.optional-dependencies.';
  for (const dep of manifest.dependencies) {
    const s = dep.section;
    if (s === 'project.dependencies') pushIf(member.requiresDist, declared(dep, path, {}));
    else if (s.startsWith(extraPrefix)) pushIf(member.requiresDist, declared(dep, path, { extra: normalizeName(s.slice(extraPrefix.length)) }));
    else if (s === 'tool.uv.constraint-dependencies') pushIf(member.constraints, declared(dep, path, {}));
    else if (s === 'tool.uv.override-dependencies') pushIf(member.overrides, declared(dep, path, {}));
  }
}

function pushIf<T>(list: T[], item: T | null): void {
  if (item) list.push(item);
}

/** Reads one pyproject.toml for the uv.lock comparison; never throws. */
export function readUvMember(path: string, text: string): UvMember {
  const manifest = parsePyproject(text, path);
  const member: UvMember = {
    path, dir: dirname(path), manifest, name: null, version: null, requiresPython: null, dynamic: new Set(), hasBuildSystem: false,
    requiresDist: [], providesExtras: [], groups: new Map(), constraints: [], overrides: [], buildConstraints: [], excludes: [],
    sources: new Map(), indexes: new Map(), workspace: null, anchors: new Map(),
  };
  const read = readToml(text);
  if (!read.ok || manifest.problems.some((p) => p.severity === 'error')) {
    member.unreadable = `${path} has errors, so whether uv.lock matches it is checked once they are fixed`;
    return member;
  }
  const { doc } = read;
  member.anchors = anchorsOf(doc);
  const project = tableAt(doc.root, ['project']);
  const name = stringAt(project, 'name');
  member.name = name === undefined ? null : normalizeName(name);
  const version = project?.entries.get('version')?.item;
  if (version && 'type' in version && version.type === 'TOMLValue' && version.kind === 'string') member.version = { value: version.value, range: rangeOf(doc, version) };
  const requiresPython = project?.entries.get('requires-python')?.item;
  if (requiresPython && 'type' in requiresPython && requiresPython.type === 'TOMLValue' && requiresPython.kind === 'string') {
    // The parser keeps [project] requires-python over poetry's python, with the range of its content.
    member.requiresPython = { specifier: requiresPython.value.trim(), range: manifest.requiresPython?.range ?? rangeOf(doc, requiresPython) };
  }
  member.dynamic = new Set(stringsOf(project?.entries.get('dynamic')?.item) ?? []);
  member.hasBuildSystem = getEntry(doc.root, ['build-system']) !== undefined;
  const pkg = booleanAt(tableAt(doc.root, ['tool', 'uv']), 'package');
  if (pkg !== undefined) member.packageSetting = pkg;
  member.providesExtras = [...(tableAt(doc.root, ['project', 'optional-dependencies'])?.entries.keys() ?? [])].map(normalizeName).sort();
  collectRequirements(member);
  const own = new Map<string, DeclaredRequirement[]>();
  for (const dep of manifest.dependencies) {
    const group = dep.section.startsWith('dependency-groups.') ? normalizeName(dep.section.slice('dependency-groups.'.length)) : dep.section === 'tool.uv.dev-dependencies' ? 'dev' : null;
    const req = group === null ? null : declared(dep, path, { group });
    if (group !== null && req) own.set(group, [...(own.get(group) ?? []), req]);
  }
  member.groups = flattenGroups(doc, own, manifest);
  member.buildConstraints = rawRequirements(doc, path, 'build-constraint-dependencies');
  member.excludes = (stringsOf(itemAt(doc.root, ['tool', 'uv', 'exclude-dependencies'])) ?? []).map(normalizeName);
  member.sources = readSources(tableAt(doc.root, ['tool', 'uv', 'sources']));
  member.indexes = readIndexes(doc);
  const workspace = getEntry(doc.root, ['tool', 'uv', 'workspace']);
  if (workspace && isTable(workspace.item)) {
    member.workspace = {
      members: stringsOf(workspace.item.entries.get('members')?.item) ?? [],
      exclude: stringsOf(workspace.item.entries.get('exclude')?.item) ?? [],
      range: member.anchors.get('members') ?? member.anchors.get('workspace')!,
    };
  }
  return member;
}

/** Whether uv builds this member (a package) or only installs its dependencies (virtual). */
export function isPackage(member: UvMember, requiredByAnotherMember: boolean): boolean {
  if (member.packageSetting !== undefined) return member.packageSetting;
  return member.hasBuildSystem || requiredByAnotherMember;
}
