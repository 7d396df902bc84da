// [tool.poetry] dependency tables: `name = "^1.2"`, `name = {version = ..., python = ..., ...}`,
// git/path/url sources, and arrays of those (multiple-constraint dependencies). Constraints are
// converted to PEP 440 and `python`/`platform` keys to markers the way poetry-core builds wheels.
import type { AST } from 'toml-eslint-parser';
import type { Dependency, Range, SourceKind } from '../../model';
import { parseMarker } from '../versions/markers';
import { parseSpecifierSet } from '../versions/pep440';
import { normalizeName } from '../versions/pep508';
import { convertPoetryConstraint, poetryPlatformMarker, poetryPythonMarker, poetryRequiresPython } from './poetry';
import type { PyprojectContext } from './pyprojectContext';
import { mapSpan, mapString } from '../../toml/tomlText';
import { getEntry, isArray, isBoolean, isString, isTable, isTableArray, toItem, type TomlEntry, type TomlItem, type TomlTable } from '../../toml/tomlTree';

const KEY_TYPES: Record<string, 'string' | 'boolean' | 'strings'> = {
  version: 'string', python: 'string', markers: 'string', platform: 'string', source: 'string',
  git: 'string', branch: 'string', tag: 'string', rev: 'string', subdirectory: 'string',
  path: 'string', file: 'string', url: 'string',
  extras: 'strings', optional: 'boolean', develop: 'boolean', 'allow-prereleases': 'boolean',
};

/** Reads [tool.poetry] dependencies, dev-dependencies and group.<name>.dependencies. */
export function collectPoetry(ctx: PyprojectContext, root: TomlTable): void {
  const entry = getEntry(root, ['tool', 'poetry']);
  if (!entry) return;
  if (!isTable(entry.item)) {
    ctx.wrongType('[tool.poetry]', entry.item, 'a table');
    return;
  }
  const poetry = entry.item;
  const main = poetry.entries.get('dependencies');
  if (main) readTable(ctx, main.item, 'tool.poetry.dependencies', true);
  const dev = poetry.entries.get('dev-dependencies');
  if (dev) readTable(ctx, dev.item, 'tool.poetry.dev-dependencies', false);
  const groups = poetry.entries.get('group');
  if (!groups) return;
  if (!isTable(groups.item)) {
    ctx.wrongType('tool.poetry.group', groups.item, 'a table of group names');
    return;
  }
  for (const [name, group] of groups.item.entries) {
    if (!isTable(group.item)) {
      ctx.wrongType(`tool.poetry.group.${name}`, group.item, 'a table with a dependencies table');
      continue;
    }
    const deps = group.item.entries.get('dependencies');
    if (deps) readTable(ctx, deps.item, `tool.poetry.group.${name}.dependencies`, false);
  }
}

function readTable(ctx: PyprojectContext, item: TomlItem, section: string, main: boolean): void {
  if (!isTable(item)) {
    ctx.wrongType(section, item, 'a table of package names to version constraints');
    return;
  }
  const entries = [...item.entries];
  entries.forEach(([name, entry], i) => {
    if (name.toLowerCase() === 'python') {
      if (main) readPython(ctx, entry);
      return;
    }
    const nextStart = entries[i + 1]?.[1].span[0];
    const value = entry.item;
    if (isArray(value)) {
      value.elements.forEach((element, j) => {
        const next = value.elements[j + 1]?.range[0] ?? nextStart;
        readForm(ctx, { name, entry, section, item: toItem(element), span: [element.range[0], element.range[1]], next });
      });
    } else if (isTableArray(value)) {
      // `[[tool.poetry.dependencies.numpy]]` blocks: the same multiple-constraint form, written as an array of tables.
      value.tables.forEach((table, j) => {
        const end = Math.max(table.span[1], ...[...table.entries.values()].map((e) => e.span[1]));
        const next = value.tables[j + 1]?.span[0] ?? nextStart;
        readForm(ctx, { name, entry, section, item: table, span: [table.span[0], end], next, nameSpan: headerName(ctx.text, table.span, name) });
      });
    } else {
      readForm(ctx, { name, entry, section, item: value, span: entry.span, next: nextStart });
    }
  });
}

// Where a table-array header names the package (its last key), so each block's findings point at its own header.
function headerName(text: string, header: [number, number], name: string): [number, number] | undefined {
  const close = text.lastIndexOf(']]', header[1]);
  const at = text.lastIndexOf(name, close < header[0] ? header[1] : close);
  return at >= header[0] ? [at, at + name.length] : undefined;
}

function readPython(ctx: PyprojectContext, entry: TomlEntry): void {
  if (!isString(entry.item)) {
    ctx.wrongType('tool.poetry.dependencies.python', entry.item, 'a version constraint string such as "^3.9"');
    return;
  }
  const converted = poetryRequiresPython(entry.item.value);
  if (!converted.ok) {
    ctx.problem('invalid-specifier', converted.message, [entry.item.range[0], entry.item.range[1]]);
    return;
  }
  // [project] requires-python wins, as in poetry-core's metadata.
  if (!ctx.manifest.requiresPython) ctx.manifest.requiresPython = { specifier: converted.specifier, range: ctx.contentRange(entry.item) };
}

interface Form {
  name: string;
  entry: TomlEntry;
  section: string;
  item: TomlItem;
  /** The whole dependency: `name = ...` or one element of a constraint array. */
  span: [number, number];
  next?: number;
  /** Where this form names the package, when not at the entry's key (a later `[[...]]` header). */
  nameSpan?: [number, number];
}

function readForm(ctx: PyprojectContext, form: Form): void {
  const { item, name, section } = form;
  if (isString(item)) {
    const dep = versionDependency(ctx, form, item);
    if (dep) ctx.manifest.dependencies.push(finish(ctx, dep, form));
    return;
  }
  if (!isTable(item)) {
    ctx.wrongType(`${section}.${name}`, item, 'a version constraint string, a table such as {version = "^1.2"} or an array of such tables');
    return;
  }
  if (!checkKeys(ctx, form, item)) return;
  const dep = tableDependency(ctx, form, item);
  if (dep) ctx.manifest.dependencies.push(finish(ctx, dep, form));
}

// Reports keys of the wrong type (an error) and keys poetry does not know (a warning, usually a typo).
function checkKeys(ctx: PyprojectContext, form: Form, table: TomlTable): boolean {
  let ok = true;
  for (const [key, entry] of table.entries) {
    const type = KEY_TYPES[key];
    const where = `${form.section}.${form.name}.${key}`;
    if (type === undefined) {
      ctx.problem('invalid-manifest', `Poetry does not know the key "${key}" in a dependency; it accepts ${Object.keys(KEY_TYPES).join(', ')}.`, [entry.key.range[0], entry.key.range[1]], 'warning', normalizeName(form.name));
    } else if (type === 'string' && !isString(entry.item)) {
      ctx.wrongType(where, entry.item, 'a string');
      ok = false;
    } else if (type === 'boolean' && !isBoolean(entry.item)) {
      ctx.wrongType(where, entry.item, 'true or false');
      ok = false;
    } else if (type === 'strings' && !(isArray(entry.item) && entry.item.elements.every((e) => isString(e)))) {
      ctx.wrongType(where, entry.item, 'an array of strings');
      ok = false;
    }
  }
  return ok;
}

function baseDependency(ctx: PyprojectContext, form: Form): Dependency {
  const key = form.entry.key;
  const nameRange = form.nameSpan ? ctx.range(form.nameSpan[0], form.nameSpan[1]) : key.type === 'TOMLQuoted' ? ctx.contentRange(key) : ctx.range(key.range[0], key.range[1]);
  return {
    name: form.name,
    normalizedName: normalizeName(form.name),
    ecosystem: 'pypi',
    extras: [],
    specifier: '',
    marker: null,
    section: form.section,
    constraint: false,
    override: false,
    optional: false,
    source: 'registry',
    range: ctx.range(form.span[0], form.span[1]),
    nameRange,
    hashes: [],
    editable: false,
    raw: ctx.text.slice(form.span[0], form.span[1]),
  };
}

/** Converts the version string and records specifier and range; null when it is unusable. */
function versionDependency(ctx: PyprojectContext, form: Form, node: AST.TOMLStringValue): Dependency | null {
  const dep = baseDependency(ctx, form);
  const pkg = dep.normalizedName;
  const span: [number, number] = [node.range[0], node.range[1]];
  dep.specifierRange = ctx.contentRange(node);
  const converted = convertPoetryConstraint(node.value);
  if (!converted.ok) {
    if (!('union' in converted && converted.union)) {
      ctx.problem('invalid-specifier', converted.message, span, 'error', pkg);
      return null;
    }
    ctx.problem('invalid-specifier', `${converted.message} Pinsight checks ${form.name} as if any version were allowed.`, span, 'warning', pkg);
    return dep;
  }
  const check = parseSpecifierSet(converted.specifier);
  if (!check.ok) {
    ctx.problem('invalid-specifier', `Poetry turns "${node.value}" into "${converted.specifier}", which is not a valid PEP 440 specifier: ${check.message}`, span, 'error', pkg);
    return null;
  }
  dep.specifier = converted.specifier;
  return dep;
}

function tableDependency(ctx: PyprojectContext, form: Form, table: TomlTable): Dependency | null {
  const get = (key: string): TomlItem | undefined => table.entries.get(key)?.item;
  const version = get('version');
  const dep = isString(version) ? versionDependency(ctx, form, version) : baseDependency(ctx, form);
  if (!dep) return null;
  const source = sourceOf(table);
  if (source) {
    dep.source = source.kind;
    dep.location = source.location;
  }
  const extras = get('extras');
  if (isArray(extras)) {
    dep.extras = extras.elements.filter(isString).map((e) => e.value);
    dep.extrasRange = ctx.range(extras.range[0], extras.range[1]);
  }
  const optional = get('optional');
  if (isBoolean(optional)) dep.optional = optional.value;
  const poetrySource = get('source');
  if (isString(poetrySource)) recordSource(ctx, dep.normalizedName, poetrySource.value);
  return applyMarkers(ctx, dep, table) ? dep : null;
}

function sourceOf(table: TomlTable): { kind: SourceKind; location: string } | null {
  const pick = (key: string): string | null => {
    const item = table.entries.get(key)?.item;
    return isString(item) ? item.value : null;
  };
  const git = pick('git');
  if (git !== null) {
    const ref = pick('tag') ?? pick('branch') ?? pick('rev');
    return { kind: 'vcs', location: ref ? `${git}@${ref}` : git };
  }
  const path = pick('path') ?? pick('file');
  if (path !== null) return { kind: 'path', location: path };
  const url = pick('url');
  if (url !== null) return { kind: 'url', location: url };
  return null;
}

function recordSource(ctx: PyprojectContext, pkg: string, source: string): void {
  const meta = ctx.meta();
  const sources = (meta.poetrySources ?? {}) as Record<string, string>;
  sources[pkg] = source;
  meta.poetrySources = sources;
}

// marker = markers AND python AND platform, in poetry-core's order.
function applyMarkers(ctx: PyprojectContext, dep: Dependency, table: TomlTable): boolean {
  const parts: string[] = [];
  let markerRange: Range | undefined;
  const markers = table.entries.get('markers')?.item;
  if (isString(markers) && markers.value.trim() !== '') {
    const check = parseMarker(markers.value);
    if (!check.ok) {
      const span = mapSpan(mapString(ctx.text, markers), check.start, check.end);
      ctx.problem('invalid-marker', check.message, span, 'error', dep.normalizedName);
      return false;
    }
    parts.push(markers.value.trim());
    markerRange = ctx.contentRange(markers);
  }
  const python = table.entries.get('python')?.item;
  if (isString(python)) {
    const converted = poetryPythonMarker(python.value);
    if (!converted.ok) {
      ctx.problem('invalid-specifier', converted.message, [python.range[0], python.range[1]], 'error', dep.normalizedName);
      return false;
    }
    if (converted.marker !== '') parts.push(converted.marker);
    markerRange ??= ctx.contentRange(python);
  }
  const platform = table.entries.get('platform')?.item;
  if (isString(platform)) {
    const marker = poetryPlatformMarker(platform.value);
    if (marker !== '') parts.push(marker);
    markerRange ??= ctx.contentRange(platform);
  }
  if (parts.length > 0) {
    dep.marker = parts.length === 1 ? parts[0] : parts.map((p) => (/\bor\b/.test(p) ? `(${p})` : p)).join(' and ');
    if (markerRange) dep.markerRange = markerRange;
  }
  return true;
}

function finish(ctx: PyprojectContext, dep: Dependency, form: Form): Dependency {
  const comment = ctx.comments.commentFor(form.span[0], form.span[1], form.next);
  if (comment !== undefined) dep.comment = comment;
  return dep;
}
