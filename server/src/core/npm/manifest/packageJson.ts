// Reads package.json into the shared manifest model with exact ranges. jsonc-parser is tolerant, so a
// half-typed file still yields every dependency it can, next to syntax problems at their positions.
//
// Decisions worth knowing:
// - bundleDependencies/bundledDependencies name entries of `dependencies`, so they are not recorded
//   as dependencies of their own: meta.bundleDependencies holds the names (or true/false).
// - A malformed specifier still yields its Dependency (the name is real and hovers want it), with a
//   best-guess source and an `invalid-npm-specifier` problem; a non-string value yields only the problem.
// - Override keys name the package they pin: `foo@1.x` -> foo, `**/a/b` -> b, `a@1>b` -> b. The key
//   as written stays in `raw`; nested npm overrides put the ancestors in `section` (overrides.foo).
import { parseTree, type Node, type ParseError } from 'jsonc-parser';
import type { Dependency, ParsedManifest, Range } from '../../model';
import { LineIndex, stripBom } from '../../text';
import { checkNpmName, classifyNpmSpecifier, isWellFormedRange } from './specifier';
import {
  describe,
  entriesOf,
  entriesWithDuplicates,
  expectObject,
  innerRange,
  lastByKey,
  problemAt,
  pushProblem,
  report,
  reportSyntaxErrors,
  type Context,
  type Entry,
} from './packageJsonTree';

export { classifyNpmSpecifier, checkNpmName } from './specifier';

const DIRECT_SECTIONS = ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies'];

interface DepOptions {
  section: string;
  optional: boolean;
  override: boolean;
  /** The package the override pins, when it differs from the key. */
  name?: string;
}

/** Parses package.json text; never throws. */
export function parsePackageJson(text: string, path: string): ParsedManifest {
  const body = stripBom(text);
  const ctx: Context = { text: body, index: new LineIndex(body), deps: [], problems: [], meta: {}, ranges: {} };
  try {
    readDocument(ctx);
  } catch (err) {
    // A bug here must not take the language server down with it; say so where the user will see it.
    const message = err instanceof Error ? err.message : String(err);
    report(ctx, 'invalid-manifest', 'error', 0, 0, `Pinsight failed to read this package.json (${message}); please report this bug.`);
  }
  const byStart = (a: { range: Range }, b: { range: Range }): number =>
    a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character;
  ctx.deps.sort(byStart);
  ctx.problems.sort(byStart);
  ctx.meta.ranges = ctx.ranges;
  return { path, kind: 'package.json', dependencies: ctx.deps, options: [], includes: [], problems: ctx.problems, meta: ctx.meta };
}

function readDocument(ctx: Context): void {
  const errors: ParseError[] = [];
  const root = parseTree(ctx.text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  reportSyntaxErrors(ctx, errors);
  if (!root) return;
  if (root.type !== 'object') {
    problemAt(ctx, root, 'invalid-manifest', 'error', 'package.json must contain a JSON object, such as { "dependencies": {} }.');
    return;
  }
  const top = lastByKey(ctx, root);
  readMeta(ctx, top);
  const optionalPeers = readPeerMeta(ctx, top.get('peerDependenciesMeta'));
  for (const section of DIRECT_SECTIONS) {
    const entry = top.get(section);
    if (!entry) continue;
    const optional = (name: string): boolean =>
      section === 'optionalDependencies' || (section === 'peerDependencies' && optionalPeers.has(name));
    readDependencyObject(ctx, entry, section, optional);
  }
  readBundle(ctx, top.get('bundleDependencies') ?? top.get('bundledDependencies'));
  checkAcrossSections(ctx);
  const refs = directSpecs(ctx);
  const overrides = top.get('overrides');
  if (overrides && expectObject(ctx, overrides)) readNpmOverrides(ctx, overrides.value as Node, 'overrides', undefined, refs);
  readFlatOverrides(ctx, top.get('resolutions'), 'resolutions', resolutionTarget, undefined);
  const pnpm = top.get('pnpm');
  if (pnpm?.value?.type === 'object') {
    readFlatOverrides(ctx, lastByKey(ctx, pnpm.value).get('overrides'), 'pnpm.overrides', pnpmTarget, refs);
  }
}

// ---- dependencies --------------------------------------------------------------------------------

function readDependencyObject(ctx: Context, entry: Entry, section: string, optional: (name: string) => boolean): void {
  if (!expectObject(ctx, entry)) return;
  for (const item of entriesWithDuplicates(ctx, entry.value as Node, section)) {
    checkName(ctx, item.key, item.keyNode);
    addDependency(ctx, item, { section, optional: optional(item.key), override: false });
  }
}

function checkName(ctx: Context, name: string, keyNode: Node): void {
  const check = checkNpmName(name);
  if (check.errors.length > 0) {
    problemAt(ctx, keyNode, 'invalid-name', 'error', `"${name}" is not a valid npm package name: ${check.errors.join('; ')}.`, name, true);
  } else if (check.legacy.length > 0) {
    const message =
      `"${name}" uses ${check.legacy.join(' and ')}, which npm accepts only for packages published ` +
      'before 2017 (such as JSONStream); check the spelling.';
    problemAt(ctx, keyNode, 'invalid-name', 'hint', message, name, true);
  }
}

/** Records one `"name": "spec"` entry; `specOverride` classifies a `$name` reference's target instead. */
function addDependency(ctx: Context, item: Entry, opts: DepOptions, specOverride?: string): Dependency | undefined {
  const name = opts.name ?? item.key;
  const value = item.value;
  if (!value) return undefined; // `"foo":` with nothing after it: the syntax error says it all.
  if (value.type !== 'string' || typeof value.value !== 'string') {
    const message = `The version of ${name} must be a string such as "^1.0.0", not ${describe(value)}.`;
    problemAt(ctx, value, 'invalid-npm-specifier', 'error', message, name);
    return undefined;
  }
  const specifier: string = value.value;
  const kind = classifyNpmSpecifier(name, specOverride ?? specifier);
  const start = item.prop.offset;
  const end = item.prop.offset + item.prop.length;
  const dep: Dependency = {
    name,
    normalizedName: name,
    ecosystem: 'npm',
    extras: [],
    specifier,
    marker: null,
    section: opts.section,
    constraint: false,
    override: opts.override,
    optional: opts.optional,
    source: kind.source,
    range: ctx.index.range(start, end),
    nameRange: innerRange(ctx, item.keyNode),
    specifierRange: innerRange(ctx, value),
    hashes: [],
    editable: false,
    raw: ctx.text.slice(start, end),
  };
  if (kind.location !== undefined) dep.location = kind.location;
  if (kind.aliasSpecifier !== undefined) dep.aliasSpecifier = kind.aliasSpecifier;
  if (kind.problem) problemAt(ctx, value, 'invalid-npm-specifier', 'error', kind.problem, name, true);
  ctx.deps.push(dep);
  return dep;
}

function readPeerMeta(ctx: Context, entry: Entry | undefined): Set<string> {
  const optional = new Set<string>();
  if (!entry || !expectObject(ctx, entry, 'package names to { "optional": true }')) return optional;
  for (const item of entriesOf(entry.value as Node)) {
    if (item.value?.type !== 'object') continue;
    const flag = lastByKey(ctx, item.value).get('optional');
    if (flag?.value?.value === true) optional.add(item.key);
    else optional.delete(item.key);
  }
  return optional;
}

function readBundle(ctx: Context, entry: Entry | undefined): void {
  const value = entry?.value;
  if (!entry || !value) return;
  ctx.ranges[entry.key] = ctx.index.range(value.offset, value.offset + value.length);
  if (value.type === 'boolean') {
    ctx.meta.bundleDependencies = value.value === true;
    return;
  }
  if (value.type !== 'array') {
    problemAt(ctx, value, 'invalid-manifest', 'error', `"${entry.key}" must be an array of package names or true, not ${describe(value)}.`);
    return;
  }
  const installable = new Set(ctx.deps.filter((d) => d.section === 'dependencies' || d.section === 'optionalDependencies').map((d) => d.name));
  const names: string[] = [];
  for (const item of value.children ?? []) {
    if (item.type !== 'string' || typeof item.value !== 'string') {
      problemAt(ctx, item, 'invalid-manifest', 'error', `"${entry.key}" lists package names as strings, not ${describe(item)}.`);
      continue;
    }
    names.push(item.value);
    if (!installable.has(item.value)) {
      const message =
        `${item.value} is bundled but not listed in dependencies; npm bundles only packages it ` +
        'installs, so add it to dependencies or optionalDependencies.';
      problemAt(ctx, item, 'invalid-manifest', 'warning', message, item.value, true);
    }
  }
  ctx.meta.bundleDependencies = names;
}

// When a package is in both, npm 11 installs the devDependencies range in this project (checked
// against the npm CLI) while consumers of the package get the dependencies range; and
// optionalDependencies replace a `dependencies` entry of the same name.
function checkAcrossSections(ctx: Context): void {
  const lastIn = (section: string): Map<string, Dependency> =>
    new Map(ctx.deps.filter((d) => d.section === section).map((d) => [d.name, d]));
  const prod = lastIn('dependencies');
  const optional = lastIn('optionalDependencies');
  for (const dep of ctx.deps) {
    const inProd = prod.get(dep.name);
    if (dep.section === 'devDependencies' && inProd) {
      const message =
        `${dep.name} is also in dependencies (line ${inProd.range.start.line + 1}): npm installs this devDependencies range ` +
        `(${dep.specifier || '*'}) here, but consumers of the package get ${inProd.specifier || '*'}; keep one entry so both agree.`;
      pushProblem(ctx, 'duplicate-requirement', 'warning', dep.nameRange, message, dep.name);
    }
    const inOptional = optional.get(dep.name);
    if (dep.section === 'dependencies' && inOptional) {
      const message =
        `${dep.name} is also in optionalDependencies (line ${inOptional.range.start.line + 1}), ` +
        'which replaces this entry; keep it in one place.';
      pushProblem(ctx, 'duplicate-requirement', 'warning', dep.nameRange, message, dep.name);
    }
  }
}

/**
 * Specifiers of direct dependencies, which `$name` override references point at. npm's Edge looks in
 * devDependencies, optionalDependencies, dependencies, then peerDependencies; within one section the
 * last duplicate is the one JSON.parse keeps.
 */
function directSpecs(ctx: Context): Map<string, string> {
  const specs = new Map<string, string>();
  for (const section of ['peerDependencies', 'dependencies', 'optionalDependencies', 'devDependencies']) {
    for (const dep of ctx.deps) if (dep.section === section) specs.set(dep.name, dep.specifier);
  }
  return specs;
}

// ---- overrides -----------------------------------------------------------------------------------

/** npm overrides: nested objects scope an override to a parent; "." is the parent's own override. */
function readNpmOverrides(
  ctx: Context,
  node: Node,
  section: string,
  parent: { name: string; section: string } | undefined,
  refs: Map<string, string>,
): void {
  for (const item of entriesWithDuplicates(ctx, node, section)) {
    if (item.key === '.') {
      if (!parent) {
        const message = '"." is only meaningful inside a nested override, as in "foo": { ".": "1.0.0", "bar": "2.0.0" }.';
        problemAt(ctx, item.keyNode, 'invalid-manifest', 'error', message);
      } else {
        addOverride(ctx, item, { section: parent.section, name: parent.name, optional: false, override: true }, refs);
      }
      continue;
    }
    const name = selectorName(ctx, item.key, item.keyNode);
    if (item.value?.type === 'object') {
      readNpmOverrides(ctx, item.value, `${section}.${item.key}`, { name, section }, refs);
    } else {
      addOverride(ctx, item, { section, name, optional: false, override: true }, refs);
    }
  }
}

/** yarn resolutions and pnpm.overrides: a flat map from a (path) selector to a specifier. */
function readFlatOverrides(
  ctx: Context,
  entry: Entry | undefined,
  section: string,
  target: (key: string) => string,
  refs: Map<string, string> | undefined,
): void {
  if (!entry || !expectObject(ctx, entry)) return;
  for (const item of entriesWithDuplicates(ctx, entry.value as Node, section)) {
    // pnpm's "-" removes the dependency instead of pinning it.
    if (section === 'pnpm.overrides' && item.value?.value === '-') {
      const removed = (ctx.meta.pnpmRemovedDependencies ??= []) as string[];
      removed.push(item.key);
      continue;
    }
    const name = selectorName(ctx, target(item.key), item.keyNode);
    addOverride(ctx, item, { section, name, optional: false, override: true }, refs);
  }
}

/** Adds an override; `refs` is absent where `$name` references do not exist (yarn resolutions). */
function addOverride(ctx: Context, item: Entry, opts: DepOptions, refs: Map<string, string> | undefined): void {
  const spec = item.value?.value;
  if (!refs || typeof spec !== 'string' || !spec.startsWith('$')) {
    addDependency(ctx, item, opts);
    return;
  }
  const ref = spec.slice(1);
  const target = refs.get(ref);
  const dep = addDependency(ctx, item, opts, target ?? '');
  if (!dep || !item.value) return;
  if (target === undefined) {
    const message =
      `The override for ${dep.name} refers to ${spec}, but ${ref} is not a direct dependency; ` +
      `add ${ref} to dependencies or write a version range instead.`;
    problemAt(ctx, item.value, 'invalid-npm-specifier', 'error', message, dep.name, true);
    return;
  }
  const references = (ctx.meta.overrideReferences ??= {}) as Record<string, string>;
  references[spec] = target;
}

/** The package name in a selector such as `foo@^1` or `@scope/foo@1.x`, checking both halves. */
function selectorName(ctx: Context, selector: string, keyNode: Node): string {
  const at = selector.indexOf('@', 1);
  const name = at > 0 ? selector.slice(0, at) : selector;
  const range = at > 0 ? selector.slice(at + 1) : '';
  checkName(ctx, name, keyNode);
  const kind = range === '' ? undefined : classifyNpmSpecifier(name, range);
  if (kind?.problem) problemAt(ctx, keyNode, 'invalid-npm-specifier', 'error', `In the override key "${selector}": ${kind.problem}`, name, true);
  return name;
}

/** yarn: `**\/a/b`, `a/**\/@s/b`, `b@1.0.0` -> the last package of the path, with its range. */
function resolutionTarget(key: string): string {
  const parts = key.split('/');
  let last = '';
  for (let i = 0; i < parts.length; i++) {
    let part = parts[i];
    if (part.startsWith('@') && i + 1 < parts.length) part = `${part}/${parts[++i]}`;
    if (part !== '**' && part !== '*') last = part;
  }
  return last;
}

/** pnpm: `parent@1>child@2` -> `child@2` (the delimiter is a '>' not preceded by ' ', '|' or '@'). */
function pnpmTarget(key: string): string {
  const delimiter = key.search(/[^ |@]>/);
  return delimiter >= 0 ? key.slice(delimiter + 2) : key;
}

// ---- meta ----------------------------------------------------------------------------------------

function readMeta(ctx: Context, top: Map<string, Entry>): void {
  for (const key of ['name', 'version', 'packageManager', 'engines', 'workspaces']) {
    const value = top.get(key)?.value;
    if (!value) continue;
    ctx.ranges[key] = ctx.index.range(value.offset, value.offset + value.length);
    ctx.meta[key] = plainValue(value);
  }
  const engines = top.get('engines')?.value;
  if (engines?.type !== 'object') return;
  const node = lastByKey(ctx, engines).get('node')?.value;
  if (!node) return;
  ctx.ranges['engines.node'] = ctx.index.range(node.offset, node.offset + node.length);
  if (node.type === 'string' && typeof node.value === 'string' && isWellFormedRange(node.value.trim())) {
    ctx.meta.enginesNode = node.value;
  } else {
    const message = `engines.node must be a semver range such as ">=18" or "^20.11.0"; npm cannot check the Node.js version against this value.`;
    problemAt(ctx, node, 'invalid-npm-specifier', 'warning', message, undefined, node.type === 'string');
  }
}

/** The plain JSON value of a node (what JSON.parse would give, keeping the last duplicate key). */
function plainValue(node: Node): unknown {
  if (node.type === 'array') return (node.children ?? []).map(plainValue);
  if (node.type !== 'object') return node.value;
  const out: Record<string, unknown> = {};
  for (const entry of entriesOf(node)) if (entry.value) out[entry.key] = plainValue(entry.value);
  return out;
}
