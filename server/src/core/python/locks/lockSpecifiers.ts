// Specifier sets compared the way lock tools compare them: as sets of clauses whose versions are
// equal when PEP 440 says so (uv sorts clauses and compares versions, so `>=1.0,<2` is `<2.0,>=1`),
// and requires-python compared by the range it bounds, as uv's RequiresPython::range does.
import { parseSpecifierSet, parseVersion, formatVersion, compareVersions, type Version } from '../versions/pep440';

// Trailing zeros do not change a release's meaning, except after ~=, where they set the prefix.
function canonicalVersion(text: string, keepZeros: boolean): string {
  const v = parseVersion(text);
  if (!v) return text.toLowerCase();
  const formatted = formatVersion(v);
  if (keepZeros) return formatted;
  return formatted.replace(/^((?:\d+!)?\d+(?:\.\d+)*?)((?:\.0)+)(?!\.?\d)/, '$1');
}

/** A canonical key for a specifier set; equal keys mean the same clauses. Unparseable text is its own key. */
export function specifierKey(specifier: string): string {
  const parsed = parseSpecifierSet(specifier);
  if (!parsed.ok) return `\u0000${specifier.replace(/\s+/g, '')}`;
  const clauses = parsed.set.specifiers.map((s) => {
    if (s.operator === '===' || s.version.endsWith('.*')) return `${s.operator}${s.version.toLowerCase()}`;
    return `${s.operator}${canonicalVersion(s.version, s.operator === '~=')}`;
  });
  return [...new Set(clauses)].sort().join(',');
}

/** Whether a locked version satisfies a specifier (pre-releases allowed: the lock already chose it). */
export function specifierAllows(specifier: string, version: string): boolean {
  if (specifier.trim() === '') return true;
  const parsed = parseSpecifierSet(specifier);
  return !parsed.ok || parsed.set.contains(version, { prereleases: true });
}

/** Whether two version strings are the same PEP 440 version. */
export function sameVersion(a: string, b: string): boolean {
  const x = parseVersion(a);
  const y = parseVersion(b);
  return x && y ? compareVersions(x, y) === 0 : a.trim() === b.trim();
}

interface Bound {
  version: Version;
  inclusive: boolean;
}

/** The lower and upper bound of a requires-python specifier (null: unbounded). */
export interface PythonRange {
  lower: Bound | null;
  upper: Bound | null;
}

function release(text: string): number[] {
  return (/^(?:\d+!)?(\d+(?:\.\d+)*)/.exec(text)?.[1] ?? '0').split('.').map(Number);
}

function versionOf(parts: number[]): Version {
  return parseVersion(parts.join('.'))!;
}

function clauseRange(op: string, text: string): PythonRange {
  const wildcard = text.endsWith('.*');
  const rel = release(wildcard ? text.slice(0, -2) : text);
  const v = versionOf(rel);
  const next = (parts: number[]) => versionOf([...parts.slice(0, -1), parts[parts.length - 1] + 1]);
  switch (op) {
    case '>=':
      return { lower: { version: v, inclusive: true }, upper: null };
    case '>':
      return { lower: { version: v, inclusive: false }, upper: null };
    case '<=':
      return { lower: null, upper: { version: v, inclusive: true } };
    case '<':
      return { lower: null, upper: { version: v, inclusive: false } };
    case '==':
      return wildcard ? { lower: { version: v, inclusive: true }, upper: { version: next(rel), inclusive: false } } : { lower: { version: v, inclusive: true }, upper: { version: v, inclusive: true } };
    case '~=':
      return { lower: { version: v, inclusive: true }, upper: { version: next(rel.slice(0, Math.max(1, rel.length - 1))), inclusive: false } };
    default:
      // != and === leave the bounding range as it is.
      return { lower: null, upper: null };
  }
}

function tighterLower(a: Bound | null, b: Bound | null): Bound | null {
  if (!a || !b) return a ?? b;
  const c = compareVersions(a.version, b.version);
  return c > 0 || (c === 0 && !a.inclusive) ? a : b;
}

function tighterUpper(a: Bound | null, b: Bound | null): Bound | null {
  if (!a || !b) return a ?? b;
  const c = compareVersions(a.version, b.version);
  return c < 0 || (c === 0 && !a.inclusive) ? a : b;
}

/** The range several requires-python specifiers bound together (a workspace's members intersect). */
export function pythonRange(specifiers: string[]): PythonRange {
  let range: PythonRange = { lower: null, upper: null };
  for (const specifier of specifiers) {
    const parsed = parseSpecifierSet(specifier);
    if (!parsed.ok) continue;
    for (const s of parsed.set.specifiers) {
      const c = clauseRange(s.operator, s.version);
      range = { lower: tighterLower(range.lower, c.lower), upper: tighterUpper(range.upper, c.upper) };
    }
  }
  return range;
}

/** Whether two ranges have the same bounds. */
export function sameRange(a: PythonRange, b: PythonRange): boolean {
  const same = (x: Bound | null, y: Bound | null) => (!x || !y ? x === y : x.inclusive === y.inclusive && compareVersions(x.version, y.version) === 0);
  return same(a.lower, b.lower) && same(a.upper, b.upper);
}
