// Marker equivalence for lockfile comparisons. uv compares markers as boolean functions (its
// decision diagrams), not as text: `python_version < "3.11"` in pyproject.toml is
// `python_full_version < '3.11'` in uv.lock, clauses may be reordered, and clauses implied by
// requires-python are dropped. Two markers are equivalent here when they agree on every
// environment that can tell them apart: each variable takes the values the markers mention, a
// value none of them mentions, and for versions the neighbours of every bound.
import { evaluateMarker, parseMarker, type Marker, type MarkerEnvironment, type MarkerNode } from '../versions/markers';
import { parseSpecifierSet, type SpecifierSet } from '../versions/pep440';
import { normalizeName } from '../versions/pep508';

export type MarkerExpr =
  | { kind: 'const'; value: boolean }
  | { kind: 'marker'; marker: Marker }
  /** python_full_version within a specifier set (requires-python of a dependency group). */
  | { kind: 'python'; set: SpecifierSet; text: string }
  | { kind: 'and' | 'or'; items: MarkerExpr[] }
  | { kind: 'not'; item: MarkerExpr };

export const TRUE: MarkerExpr = { kind: 'const', value: true };
export const FALSE: MarkerExpr = { kind: 'const', value: false };

/** The marker expression for marker text (null or blank is always true); null when it does not parse. */
export function markerExpr(text: string | null | undefined): MarkerExpr | null {
  if (text === null || text === undefined || text.trim() === '') return TRUE;
  const parsed = parseMarker(text);
  return parsed.ok ? { kind: 'marker', marker: parsed.marker } : null;
}

/** python_full_version within `specifier`; null when the specifier does not parse. */
export function pythonExpr(specifier: string): MarkerExpr | null {
  const parsed = parseSpecifierSet(specifier);
  return parsed.ok ? { kind: 'python', set: parsed.set, text: specifier } : null;
}

/** Conjunction, folding constants. */
export function andExpr(...items: MarkerExpr[]): MarkerExpr {
  const kept = items.filter((i) => !(i.kind === 'const' && i.value));
  if (kept.some((i) => i.kind === 'const' && !i.value)) return FALSE;
  return kept.length === 0 ? TRUE : kept.length === 1 ? kept[0] : { kind: 'and', items: kept };
}

/** Disjunction, folding constants. */
export function orExpr(...items: MarkerExpr[]): MarkerExpr {
  const kept = items.filter((i) => !(i.kind === 'const' && !i.value));
  if (kept.some((i) => i.kind === 'const' && i.value)) return TRUE;
  return kept.length === 0 ? FALSE : kept.length === 1 ? kept[0] : { kind: 'or', items: kept };
}

/** Negation. */
export function notExpr(item: MarkerExpr): MarkerExpr {
  if (item.kind === 'const') return { kind: 'const', value: !item.value };
  return { kind: 'not', item };
}

const OTHER = '\u0000other';
const PYTHON_KEYS = new Set(['python_version', 'python_full_version']);
const VERSION_KEYS = new Set(['implementation_version']);
const SET_KEYS = new Set(['extras', 'dependency_groups']);
const MAX_ENVIRONMENTS = 50_000;

interface Atoms {
  /** Per variable, the literal values compared with it. */
  values: Map<string, Set<string>>;
  python: Set<string>;
}

function collectNode(node: MarkerNode, atoms: Atoms): void {
  if (node.kind === 'group') {
    for (const item of node.items) collectNode(item, atoms);
    return;
  }
  const variable = node.left.kind === 'variable' ? node.left : node.right.kind === 'variable' ? node.right : null;
  const literal = node.left.kind === 'string' ? node.left : node.right.kind === 'string' ? node.right : null;
  if (!variable) return;
  const value = literal?.value ?? '';
  if (PYTHON_KEYS.has(variable.name)) {
    for (const v of value.match(/\d+(\.\d+)*/g) ?? []) atoms.python.add(v);
    return;
  }
  const set = atoms.values.get(variable.name) ?? new Set<string>();
  atoms.values.set(variable.name, set);
  if (VERSION_KEYS.has(variable.name)) for (const v of value.match(/\d+(\.\d+)*/g) ?? []) set.add(v);
  else set.add(variable.name === 'extra' || SET_KEYS.has(variable.name) ? normalizeName(value) : value);
}

function collect(expr: MarkerExpr, atoms: Atoms): void {
  if (expr.kind === 'marker') collectNode(expr.marker, atoms);
  else if (expr.kind === 'python') for (const s of expr.set.specifiers) for (const v of s.version.match(/\d+(\.\d+)*/g) ?? []) atoms.python.add(v);
  else if (expr.kind === 'and' || expr.kind === 'or') for (const i of expr.items) collect(i, atoms);
  else if (expr.kind === 'not') collect(expr.item, atoms);
}

// Versions on both sides of every bound: a marker's value can only change at a mentioned version.
function versionSamples(mentioned: Iterable<string>): string[] {
  const out = new Set<string>();
  for (const text of mentioned) {
    const [a = 0, b = 0, c = 0] = text.split('.').map(Number);
    out.add(`${a}.${b}.${c}`).add(`${a}.${b}.${c + 1}`).add(`${a}.${b + 1}.0`).add(`${a + 1}.0.0`);
    if (c > 0) out.add(`${a}.${b}.${c - 1}`);
    else if (b > 0) out.add(`${a}.${b - 1}.99`);
    else if (a > 0) out.add(`${a - 1}.99.99`);
  }
  return [...out];
}

type Choice = (env: MarkerEnvironment) => void;

function dimensions(atoms: Atoms, requiresPython: SpecifierSet | null): Choice[][] {
  const dims: Choice[][] = [];
  if (atoms.python.size > 0) {
    let versions = versionSamples(atoms.python);
    if (requiresPython) versions = versions.filter((v) => requiresPython.contains(v, { prereleases: true }));
    dims.push(versions.map((v) => (env) => {
      env.python_full_version = v;
      env.python_version = v.split('.').slice(0, 2).join('.');
    }));
  }
  for (const [name, values] of atoms.values) {
    if (name === 'extra') dims.push(['', ...values].map((v) => (env) => void (env.extra = v === '' ? [] : [v])));
    else if (SET_KEYS.has(name)) {
      const subsets = [[], [...values], ...[...values].map((v) => [v])];
      dims.push(subsets.map((s) => (env) => void ((env as Record<string, unknown>)[name] = s)));
    } else {
      const samples = VERSION_KEYS.has(name) ? versionSamples(values) : [...values, OTHER];
      dims.push(samples.map((v) => (env) => void ((env as Record<string, unknown>)[name] = v)));
    }
  }
  return dims;
}

function evaluate(expr: MarkerExpr, env: MarkerEnvironment): boolean {
  switch (expr.kind) {
    case 'const':
      return expr.value;
    case 'marker':
      return evaluateMarker(expr.marker, env) === true;
    case 'python':
      return env.python_full_version === undefined || expr.set.contains(env.python_full_version, { prereleases: true });
    case 'and':
      return expr.items.every((i) => evaluate(i, env));
    case 'or':
      return expr.items.some((i) => evaluate(i, env));
    case 'not':
      return !evaluate(expr.item, env);
  }
}

/** Calls `visit` with every distinguishing environment; false when there are too many to try. */
function forEachEnvironment(exprs: MarkerExpr[], requiresPython: string | null, visit: (env: MarkerEnvironment) => boolean): boolean | 'unknown' {
  const atoms: Atoms = { values: new Map(), python: new Set() };
  for (const e of exprs) collect(e, atoms);
  const parsed = requiresPython ? parseSpecifierSet(requiresPython) : null;
  const dims = dimensions(atoms, parsed && parsed.ok ? parsed.set : null);
  if (dims.reduce((n, d) => n * Math.max(1, d.length), 1) > MAX_ENVIRONMENTS) return 'unknown';
  if (dims.some((d) => d.length === 0)) return true;
  const index = dims.map(() => 0);
  for (;;) {
    const env: MarkerEnvironment = {};
    dims.forEach((d, i) => d[index[i]](env));
    if (!visit(env)) return false;
    let k = 0;
    while (k < dims.length && ++index[k] === dims[k].length) index[k++] = 0;
    if (k === dims.length) return true;
  }
}

/** True when two markers agree on every environment allowed by requires-python ('unknown' when too many to try). */
export function equivalentMarkers(a: MarkerExpr, b: MarkerExpr, requiresPython: string | null = null): boolean | 'unknown' {
  if (a.kind === 'const' && b.kind === 'const') return a.value === b.value;
  return forEachEnvironment([a, b], requiresPython, (env) => evaluate(a, env) === evaluate(b, env));
}

/** True when a marker holds in no environment allowed by requires-python. */
export function neverHolds(expr: MarkerExpr, requiresPython: string | null = null): boolean {
  if (expr.kind === 'const') return !expr.value;
  return forEachEnvironment([expr], requiresPython, (env) => !evaluate(expr, env)) === true;
}

/** True when the marker can hold with no extra requested (the requirement applies to the base install). */
export function holdsWithoutExtras(expr: MarkerExpr, requiresPython: string | null = null): boolean {
  if (expr.kind === 'const') return expr.value;
  let holds = false;
  forEachEnvironment([expr], requiresPython, (env) => {
    env.extra = [];
    holds = evaluate(expr, env);
    return !holds;
  });
  return holds;
}
