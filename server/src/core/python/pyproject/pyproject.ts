// pyproject.toml -> ParsedManifest: PEP 621 [project], PEP 518 [build-system], PEP 735
// [dependency-groups], [tool.poetry] and [tool.uv], each dependency with exact source ranges.
import { parseTOML } from 'toml-eslint-parser';
import type { AST } from 'toml-eslint-parser';
import type { ParsedManifest, Range } from '../../model';
import { LineIndex, stripBom } from '../../text';
import { parseSpecifierSet } from '../versions/pep440';
import { collectDependencyGroups } from './pyprojectGroups';
import { PyprojectContext } from './pyprojectContext';
import { collectPoetry } from './pyprojectPoetry';
import { buildTomlTree, getEntry, isArray, isBoolean, isString, isTable, isTableArray, toItem, type TomlItem, type TomlTable } from '../../toml/tomlTree';

/** Parses pyproject.toml text; never throws. */
export function parsePyproject(text: string, path: string): ParsedManifest {
  const body = stripBom(text);
  const lines = new LineIndex(body);
  const manifest: ParsedManifest = { path, kind: 'pyproject', dependencies: [], options: [], includes: [], problems: [] };
  let program: AST.TOMLProgram;
  try {
    program = parseTOML(body);
  } catch (e) {
    manifest.problems.push(syntaxProblem(e, lines));
    return manifest;
  }
  const ctx = new PyprojectContext(body, lines, manifest, program.comments);
  try {
    const root = buildTomlTree(program, body);
    collectProject(ctx, root);
    collectBuildSystem(ctx, root);
    collectDependencyGroups(ctx, root);
    collectPoetry(ctx, root);
    collectUv(ctx, root);
  } catch (e) {
    // A bug here must not take the editor down with it; say what happened on the first line.
    const detail = e instanceof Error ? e.message : String(e);
    ctx.problem('invalid-manifest', `Pinsight could not finish reading this file (${detail}); please report this.`, [0, 0]);
  }
  return manifest;
}

function syntaxProblem(e: unknown, lines: LineIndex): ParsedManifest['problems'][number] {
  const err = e as { index?: unknown; message?: unknown };
  const index = Math.max(0, Math.min(typeof err.index === 'number' ? err.index : 0, lines.text.length));
  let start = index;
  let end = Math.min(index + 1, lines.lineEnd(lines.positionAt(index).line));
  if (end <= start) {
    // At the end of a line or of the file (an unterminated string or array, a missing value),
    // underline the last character written before it.
    let j = index - 1;
    while (j >= 0 && /\s/.test(lines.text[j])) j--;
    if (j >= 0) [start, end] = [j, j + 1];
  }
  const reason = typeof err.message === 'string' ? err.message.replace(/\.$/, '') : 'unexpected input';
  return {
    code: 'syntax-error',
    severity: 'error',
    message: `This is not valid TOML: ${reason}. Dependencies are checked once the file parses.`,
    range: lines.range(start, end),
  };
}

function tableAt(ctx: PyprojectContext, root: TomlTable, path: string[]): TomlTable | null {
  const entry = getEntry(root, path);
  if (!entry) return null;
  if (isTable(entry.item)) return entry.item;
  ctx.wrongType(`[${path.join('.')}]`, entry.item, 'a table');
  return null;
}

function collectProject(ctx: PyprojectContext, root: TomlTable): void {
  const project = tableAt(ctx, root, ['project']);
  if (!project) return;
  const deps = project.entries.get('dependencies');
  if (deps) ctx.requirementArray(deps.item, 'project.dependencies');
  const optional = project.entries.get('optional-dependencies');
  if (optional) {
    if (!isTable(optional.item)) ctx.wrongType('project.optional-dependencies', optional.item, 'a table of extra names to arrays of requirement strings');
    else for (const [extra, entry] of optional.item.entries) ctx.requirementArray(entry.item, `project.optional-dependencies.${extra}`, { optional: true });
  }
  const requires = project.entries.get('requires-python');
  if (requires) {
    if (!isString(requires.item)) {
      ctx.wrongType('project.requires-python', requires.item, 'a version specifier string such as ">=3.9"');
      return;
    }
    const range = ctx.contentRange(requires.item);
    const check = parseSpecifierSet(requires.item.value);
    if (!check.ok) ctx.problem('invalid-specifier', `project.requires-python: ${check.message}`, [requires.item.range[0], requires.item.range[1]]);
    else ctx.manifest.requiresPython = { specifier: requires.item.value.trim(), range };
  }
}

function collectBuildSystem(ctx: PyprojectContext, root: TomlTable): void {
  const build = tableAt(ctx, root, ['build-system']);
  const requires = build?.entries.get('requires');
  if (requires) ctx.requirementArray(requires.item, 'build-system.requires');
}

function collectUv(ctx: PyprojectContext, root: TomlTable): void {
  const uv = tableAt(ctx, root, ['tool', 'uv']);
  if (!uv) return;
  const arrays: [string, { constraint?: boolean; override?: boolean }][] = [
    ['dev-dependencies', {}],
    ['constraint-dependencies', { constraint: true }],
    ['override-dependencies', { override: true }],
  ];
  for (const [key, flags] of arrays) {
    const entry = uv.entries.get(key);
    if (entry) ctx.requirementArray(entry.item, `tool.uv.${key}`, flags);
  }
  const indexUrl = uv.entries.get('index-url');
  if (indexUrl) addUrlOption(ctx, 'index-url', indexUrl.item, 'tool.uv.index-url');
  const extra = uv.entries.get('extra-index-url');
  if (extra) {
    if (!isArray(extra.item)) ctx.wrongType('tool.uv.extra-index-url', extra.item, 'an array of index URLs');
    else for (const el of extra.item.elements) addUrlOption(ctx, 'extra-index-url', toItem(el), 'Each entry of tool.uv.extra-index-url');
  }
  const index = uv.entries.get('index');
  if (index) collectUvIndexes(ctx, index.item);
  const conflicts = uv.entries.get('conflicts');
  if (conflicts) collectUvConflicts(ctx, conflicts.item);
}

/** One side of a [tool.uv] conflicts set: an extra or a dependency group of this project. */
export interface UvConflictItem {
  kind: 'extra' | 'group';
  name: string;
}

// `conflicts = [[{ extra = "cpu" }, { extra = "gpu" }], [{ group = "a" }, { group = "b" }]]`: sets of
// extras or groups that are never installed together (uv forks its resolution for them). Read into
// meta.uvConflicts; an item naming another workspace member (`package`) is not this project's and is skipped.
function collectUvConflicts(ctx: PyprojectContext, item: TomlItem): void {
  const shape = 'an array of arrays of tables such as [[{ extra = "cpu" }, { extra = "gpu" }]]';
  if (!isArray(item)) return ctx.wrongType('tool.uv.conflicts', item, shape);
  const sets: UvConflictItem[][] = [];
  for (const element of item.elements) {
    const set = toItem(element);
    if (!isArray(set)) {
      ctx.wrongType('Each set in tool.uv.conflicts', set, shape);
      continue;
    }
    const items: UvConflictItem[] = [];
    for (const el of set.elements) {
      const table = toItem(el);
      const extra = isTable(table) ? table.entries.get('extra')?.item : undefined;
      const group = isTable(table) ? table.entries.get('group')?.item : undefined;
      const pkg = isTable(table) ? table.entries.get('package') : undefined;
      const named = isString(extra) ? { kind: 'extra' as const, name: extra.value } : isString(group) ? { kind: 'group' as const, name: group.value } : undefined;
      if (!named) {
        ctx.problem('invalid-manifest', 'Each item of a tool.uv.conflicts set names an extra or a group, such as { extra = "cpu" } or { group = "lint" }.', [el.range[0], el.range[1]]);
        continue;
      }
      if (!pkg) items.push(named);
    }
    if (items.length > 1) sets.push(items);
  }
  ctx.meta().uvConflicts = sets;
}

function addUrlOption(ctx: PyprojectContext, name: string, item: TomlItem, key: string): void {
  if (!isString(item)) {
    ctx.wrongType(key, item, 'an index URL string');
    return;
  }
  ctx.manifest.options.push({ name, value: item.value, range: ctx.range(item.range[0], item.range[1]) });
}

interface UvIndex {
  name?: string;
  url: string;
  default: boolean;
  explicit: boolean;
}

function collectUvIndexes(ctx: PyprojectContext, item: TomlItem): void {
  let tables: TomlTable[];
  if (isTableArray(item)) tables = item.tables;
  else if (isArray(item)) tables = item.elements.map(toItem).filter(isTable);
  else {
    ctx.wrongType('tool.uv.index', item, 'an array of tables ([[tool.uv.index]] entries)');
    return;
  }
  const indexes: UvIndex[] = [];
  for (const table of tables) {
    const index = readUvIndex(ctx, table);
    if (!index) continue;
    indexes.push(index.value);
    ctx.manifest.options.push({ name: 'uv-index', value: index.value.url, range: index.range });
  }
  ctx.meta().uvIndexes = indexes;
}

function readUvIndex(ctx: PyprojectContext, table: TomlTable): { value: UvIndex; range: Range } | null {
  const url = table.entries.get('url');
  if (!url) {
    ctx.problem('invalid-manifest', 'Each [[tool.uv.index]] needs a url, such as url = "https://pypi.org/simple".', table.span);
    return null;
  }
  if (!isString(url.item)) {
    ctx.wrongType('tool.uv.index.url', url.item, 'an index URL string');
    return null;
  }
  const value: UvIndex = { url: url.item.value, default: false, explicit: false };
  const name = table.entries.get('name');
  if (name && isString(name.item)) value.name = name.item.value;
  else if (name) ctx.wrongType('tool.uv.index.name', name.item, 'a string');
  for (const flag of ['default', 'explicit'] as const) {
    const entry = table.entries.get(flag);
    if (entry && isBoolean(entry.item)) value[flag] = entry.item.value;
    else if (entry) ctx.wrongType(`tool.uv.index.${flag}`, entry.item, 'true or false');
  }
  return { value, range: ctx.range(url.item.range[0], url.item.range[1]) };
}
