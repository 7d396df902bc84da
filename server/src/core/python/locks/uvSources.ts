// [tool.uv.sources] and direct URLs, lowered the way uv records them in uv.lock: a workspace member
// becomes its folder (editable unless it is virtual), a path is relative to the workspace root, a
// git source keeps its repository and reference, an index source keeps the specifier and names the
// index URL. A source with a marker splits the requirement, and the rest of the marker space keeps
// the registry. Comparison keys make the two spellings (pyproject and lock) meet.
import { isAbsolute, join, normalize, relative, resolve } from 'node:path';
import { normalizeName } from '../versions/pep508';
import { andExpr, markerExpr, neverHolds, notExpr, orExpr, TRUE, type MarkerExpr } from './markerSpace';
import { booleanAt, stringAt, tablesOf } from './lockToml';
import { isTable, type TomlTable } from '../../toml/tomlTree';
import type { UvSource } from './uvLock';

export interface SourceSpec {
  kind: 'workspace' | 'path' | 'git' | 'url' | 'index';
  value: string;
  editable?: boolean;
  /** `package = false` on a path source: the folder is not built (virtual). */
  package?: boolean;
  ref?: string;
  subdirectory?: string;
  marker: MarkerExpr;
  extra?: string;
  group?: string;
}

/** Reads [tool.uv.sources]: per normalised package name, its source tables (one or an array). */
export function readSources(table: TomlTable | undefined): Map<string, SourceSpec[]> {
  const out = new Map<string, SourceSpec[]>();
  for (const [name, entry] of table?.entries ?? []) {
    const tables = isTable(entry.item) ? [entry.item] : tablesOf(entry.item);
    const specs = tables.map(readSpec).filter((s): s is SourceSpec => s !== null);
    if (specs.length > 0) out.set(normalizeName(name), specs);
  }
  return out;
}

function readSpec(table: TomlTable): SourceSpec | null {
  const marker = markerExpr(stringAt(table, 'marker')) ?? TRUE;
  const spec = (kind: SourceSpec['kind'], value: string): SourceSpec => {
    const out: SourceSpec = { kind, value, marker };
    const editable = booleanAt(table, 'editable');
    if (editable !== undefined) out.editable = editable;
    const pkg = booleanAt(table, 'package');
    if (pkg !== undefined) out.package = pkg;
    const ref = stringAt(table, 'rev') ?? stringAt(table, 'tag') ?? stringAt(table, 'branch');
    if (ref !== undefined) out.ref = ref;
    const subdirectory = stringAt(table, 'subdirectory');
    if (subdirectory !== undefined) out.subdirectory = subdirectory;
    const extra = stringAt(table, 'extra');
    if (extra !== undefined) out.extra = normalizeName(extra);
    const group = stringAt(table, 'group');
    if (group !== undefined) out.group = normalizeName(group);
    return out;
  };
  if (booleanAt(table, 'workspace') === true) return spec('workspace', '');
  for (const kind of ['git', 'url', 'path', 'index'] as const) {
    const value = stringAt(table, kind);
    if (value !== undefined) return spec(kind, value);
  }
  return null;
}

/** What lowering needs to know about the workspace. */
export interface LoweringContext {
  workspaceRoot: string;
  projectDir: string;
  /** Workspace members by normalised name: folder and whether uv builds it (a package, not virtual). */
  members: Map<string, { dir: string; isPackage: boolean }>;
  /** [[tool.uv.index]] names to URLs. */
  indexes: Map<string, string>;
  requiresPython: string | null;
}

/** One lowered form of a requirement: its source, the marker it applies under, and the specifier kept. */
export interface Lowered {
  source: UvSource;
  marker: MarkerExpr;
  specifier: string;
}

const ARCHIVE = /\.(whl|tar\.gz|tgz|zip|tar\.bz2|tar\.xz|tar)$/i;

function lowerSpec(spec: SourceSpec, specifier: string, ctx: LoweringContext, name: string): Omit<Lowered, 'marker'> {
  switch (spec.kind) {
    case 'index':
      return { source: { kind: 'registry', index: ctx.indexes.get(spec.value) ?? spec.value }, specifier };
    case 'git': {
      const query = [spec.subdirectory ? `subdirectory=${spec.subdirectory}` : '', spec.ref ? `rev=${spec.ref}` : ''].filter(Boolean).join('&');
      return { source: { kind: 'git', url: query ? `${spec.value}?${query}` : spec.value }, specifier: '' };
    }
    case 'url':
      return { source: spec.subdirectory ? { kind: 'url', url: spec.value, subdirectory: spec.subdirectory } : { kind: 'url', url: spec.value }, specifier: '' };
    case 'path': {
      const path = relativeToRoot(join(ctx.projectDir, spec.value), ctx.workspaceRoot);
      if (ARCHIVE.test(spec.value)) return { source: { kind: 'path', path, flavor: 'path' }, specifier: '' };
      const flavor = spec.package === false ? 'virtual' : spec.editable ? 'editable' : 'directory';
      return { source: { kind: 'path', path, flavor }, specifier: '' };
    }
    case 'workspace': {
      const member = ctx.members.get(name);
      const path = member ? relativeToRoot(member.dir, ctx.workspaceRoot) : name;
      const flavor = member && !member.isPackage ? 'virtual' : spec.editable === false ? 'directory' : 'editable';
      return { source: { kind: 'path', path, flavor }, specifier: '' };
    }
  }
}

/** Lowers a requirement under its sources (those matching its extra or group), as uv does. */
export function lowerRequirement(
  req: { name: string; specifier: string; marker: MarkerExpr; url?: string },
  context: { extra?: string; group?: string },
  sources: SourceSpec[] | undefined,
  ctx: LoweringContext,
): Lowered[] {
  if (req.url !== undefined) return [{ source: directSource(req.url, ctx), marker: req.marker, specifier: '' }];
  const applicable = (sources ?? []).filter((s) => (s.extra === undefined || s.extra === context.extra) && (s.group === undefined || s.group === context.group));
  if (applicable.length === 0) return [{ source: { kind: 'registry' }, marker: req.marker, specifier: req.specifier }];
  const out: Lowered[] = applicable.map((spec) => ({ ...lowerSpec(spec, req.specifier, ctx, req.name), marker: andExpr(spec.marker, req.marker) }));
  const remaining = andExpr(notExpr(orExpr(...applicable.map((s) => s.marker))), req.marker);
  if (!neverHolds(remaining, ctx.requiresPython)) out.push({ source: { kind: 'registry' }, marker: remaining, specifier: req.specifier });
  return out.filter((l) => !neverHolds(l.marker, ctx.requiresPython));
}

function directSource(url: string, ctx: LoweringContext): UvSource {
  if (/^git\+/i.test(url)) return { kind: 'git', url: url.slice(4) };
  if (/^file:/i.test(url)) {
    const path = decodeURIComponent(url.replace(/^file:(\/\/)?/i, ''));
    return { kind: 'path', path: relativeToRoot(isAbsolute(path) ? path : join(ctx.projectDir, path), ctx.workspaceRoot), flavor: ARCHIVE.test(path) ? 'path' : 'directory' };
  }
  return { kind: 'url', url };
}

function relativeToRoot(path: string, root: string): string {
  const rel = relative(root, normalize(path)).split('\\').join('/');
  return rel === '' ? '.' : rel;
}

function stripUrl(url: string): string {
  return url.replace(/^([a-z+]+:\/\/)[^/@]*@/i, '$1').replace(/\/+$/, '');
}

function gitKey(url: string): string {
  // git+https://host/repo.git@ref#subdirectory=x and https://host/repo.git?rev=ref#commit both come here.
  const [beforeFragment, fragment = ''] = url.split('#', 2);
  const [base, query = ''] = beforeFragment.split('?', 2);
  const params = new URLSearchParams(query);
  let repo = base;
  let ref = params.get('rev') ?? params.get('tag') ?? params.get('branch') ?? '';
  const at = /^(.*:\/\/[^/]*\/.*?)@([^/@]+)$/.exec(base);
  if (at) [repo, ref] = [at[1], at[2]];
  const subdirectory = params.get('subdirectory') ?? new URLSearchParams(fragment).get('subdirectory') ?? '';
  return `git ${stripUrl(repo).toLowerCase()}@${ref}#${subdirectory}`;
}

/** A key on which two spellings of one source agree: paths resolved against the workspace root, URLs without credentials. */
export function sourceKey(source: UvSource, workspaceRoot: string): string {
  switch (source.kind) {
    case 'registry':
      return source.index ? `index ${stripUrl(source.index)}` : 'registry';
    case 'git':
      return gitKey(source.url);
    case 'url':
      return `url ${stripUrl(source.url.split('#')[0])}${source.subdirectory ? `#${source.subdirectory}` : ''}`;
    case 'path':
      return `path ${resolve(workspaceRoot, source.path)}`;
  }
}

/** How a source reads in a message. */
export function describeSource(source: UvSource): string {
  switch (source.kind) {
    case 'registry':
      return source.index ? `from the index ${stripUrl(source.index)}` : 'from the package index';
    case 'git':
      return `from git ${stripUrl(source.url.split('#')[0])}`;
    case 'url':
      return `from ${stripUrl(source.url.split('#')[0])}`;
    case 'path':
      return `${source.flavor === 'editable' ? 'editable ' : ''}from ${source.path}`;
  }
}
