// poetry-core's version-constraint algebra (constraints/version: VersionRange, VersionUnion and a
// Version as a point), reduced to what parsing a poetry constraint and printing it need. The
// printed form must match poetry-core's byte for byte, because that is what ends up in the wheel
// metadata that pip and our resolver read, so the edge rules (allowed_max, wildcard ranges) are kept.
import { compareVersions, eqVersion, firstDev, isUnstable, nextPatch, stable, withoutDev, withoutLocal, withoutPost, type PVersion } from './poetryVersion';

/** A single version, or a range with optional ends (both absent = any version). */
export type Span =
  | { kind: 'version'; v: PVersion }
  | { kind: 'range'; min: PVersion | null; max: PVersion | null; incMin: boolean; incMax: boolean };
export type Constraint = Span | { kind: 'union'; ranges: Span[] } | { kind: 'empty' };

export const ANY: Span = { kind: 'range', min: null, max: null, incMin: false, incMax: false };
export const EMPTY: Constraint = { kind: 'empty' };

export function range(min: PVersion | null, max: PVersion | null, incMin = false, incMax = false): Span {
  return { kind: 'range', min, max, incMin, incMax };
}
export const point = (v: PVersion): Span => ({ kind: 'version', v });

const lo = (s: Span): PVersion | null => (s.kind === 'version' ? s.v : s.min);
const hi = (s: Span): PVersion | null => (s.kind === 'version' ? s.v : s.max);
const incLo = (s: Span): boolean => s.kind === 'version' || s.incMin;
const incHi = (s: Span): boolean => s.kind === 'version' || s.incMax;

export const isAny = (c: Constraint): boolean => c.kind === 'range' && c.min === null && c.max === null;

function allowedMax(s: Span): PVersion | null {
  const max = hi(s);
  if (max === null) return null;
  if (incHi(s) || isUnstable(max)) return max;
  if (eqVersion(lo(s), max) && (incLo(s) || incHi(s))) return max;
  // `<V` must not allow pre-releases of V (PEP 440), so the effective bound is V.dev0.
  return firstDev(max);
}

function allowsLower(a: Span, b: Span): boolean {
  const x = lo(a);
  const y = lo(b);
  if (x === null) return y !== null;
  if (y === null) return false;
  const c = compareVersions(x, y);
  return c !== 0 ? c < 0 : incLo(a) && !incLo(b);
}

function allowsHigher(a: Span, b: Span): boolean {
  const x = allowedMax(a);
  const y = allowedMax(b);
  if (x === null) return y !== null;
  if (y === null) return false;
  const c = compareVersions(x, y);
  return c !== 0 ? c > 0 : incHi(a) && !incHi(b);
}

function strictlyLower(a: Span, b: Span): boolean {
  const x = allowedMax(a);
  const y = lo(b);
  if (x === null || y === null) return false;
  const c = compareVersions(x, y);
  return c !== 0 ? c < 0 : !(incHi(a) && incLo(b));
}

function adjacent(a: Span, b: Span): boolean {
  if (!eqVersion(hi(a), lo(b))) return false;
  return incHi(a) !== incLo(b);
}

/** Whether a span allows one version (VersionRange.allows / Version.allows). */
export function allows(s: Span, v: PVersion): boolean {
  if (s.kind === 'version') return eqVersion(s.v, !s.v.local && v.local ? withoutLocal(v) : v);
  if (s.min !== null) {
    let other = v;
    if (!s.incMin && !s.min.post && other.post) other = withoutPost(other);
    if (!s.min.local && other.local) other = withoutLocal(other);
    const c = compareVersions(other, s.min);
    if (c < 0 || (!s.incMin && c === 0)) return false;
  }
  const max = allowedMax(s);
  if (s.max !== null && max !== null) {
    const other = !max.local && v.local ? withoutLocal(v) : v;
    const c = compareVersions(other, max);
    if (c > 0 || (!s.incMax && (eqVersion(other, s.max) || c === 0))) return false;
  }
  return true;
}

function allowsAny(a: Span, b: Span): boolean {
  if (a.kind === 'version') return intersectSpans(a, b).kind !== 'empty';
  if (b.kind === 'version') return allows(a, b.v) || (a.min !== null && a.min.local !== null && allows(b, a.min));
  return !(strictlyLower(b, a) || strictlyLower(a, b));
}

function intersectSpans(a: Span, b: Span): Constraint {
  if (a.kind === 'version') {
    if (b.kind === 'version') return allows(a, b.v) ? b : allows(b, a.v) ? a : EMPTY;
    return intersectSpans(b, a);
  }
  if (b.kind === 'version') {
    if (allows(a, b.v)) return b;
    // `>=1.2.3+local` and `1.2.3` share `1.2.3+local`.
    if (a.min !== null && a.min.local !== null && allows(b, a.min)) return range(a.min, nextPatch(stable(b.v)), a.incMin, false);
    return EMPTY;
  }
  let min: PVersion | null;
  let incMin: boolean;
  if (allowsLower(a, b)) {
    if (strictlyLower(a, b)) return EMPTY;
    [min, incMin] = [b.min, b.incMin];
  } else {
    if (strictlyLower(b, a)) return EMPTY;
    [min, incMin] = [a.min, a.incMin];
  }
  const [max, incMax] = allowsHigher(a, b) ? [b.max, b.incMax] : [a.max, a.incMax];
  if (min === null && max === null) return ANY;
  if (min !== null && eqVersion(min, max)) return point(min);
  return range(min, max, incMin, incMax);
}

function flatten(c: Constraint): Span[] {
  return c.kind === 'union' ? c.ranges : c.kind === 'empty' ? [] : [c];
}

/** VersionConstraint.intersect for the shapes a parsed constraint takes. */
export function intersect(a: Constraint, b: Constraint): Constraint {
  if (a.kind === 'empty' || b.kind === 'empty') return EMPTY;
  if (a.kind !== 'union' && b.kind === 'union') return intersect(b, a);
  if (a.kind !== 'union') return intersectSpans(a, b as Span);
  const ours = a.ranges;
  const theirs = flatten(b);
  const out: Constraint[] = [];
  let i = 0;
  let j = 0;
  while (i < ours.length && j < theirs.length) {
    const x = intersectSpans(ours[i], theirs[j]);
    if (x.kind !== 'empty') out.push(x);
    if (allowsHigher(theirs[j], ours[i])) i++;
    else j++;
  }
  return unionOf(out);
}

function unionSpans(a: Span, b: Span): Constraint {
  if (a.kind === 'version') {
    if (allows(b, a.v)) return b;
    const bmin = lo(b);
    const bmax = hi(b);
    if (bmin !== null && allows(a, bmin)) return range(bmin, bmax, true, incHi(b));
    if (bmax !== null && allows(a, bmax)) return range(bmin, bmax, incLo(b), true);
    return unionOf([a, b]);
  }
  if (b.kind === 'version') {
    if (allows(a, b.v)) return a;
    if (eqVersion(b.v, a.min)) return range(a.min, a.max, true, a.incMax);
    if (eqVersion(b.v, a.max)) return range(a.min, a.max, a.incMin, true);
    return unionOf([a, b]);
  }
  const touch = (eqVersion(a.max, b.min) && (a.incMax || b.incMin)) || (eqVersion(a.min, b.max) && (a.incMin || b.incMax));
  if (!touch && !allowsAny(a, b)) return unionOf([a, b]);
  const [min, incMin] = allowsLower(a, b) ? [a.min, a.incMin] : [b.min, b.incMin];
  const [max, incMax] = allowsHigher(a, b) ? [a.max, a.incMax] : [b.max, b.incMax];
  return range(min, max, incMin, incMax);
}

function compareSpans(a: Span, b: Span): number {
  const amin = lo(a);
  const bmin = lo(b);
  if (amin === null) return bmin === null ? compareMax(a, b) : -1;
  if (bmin === null) return 1;
  const c = compareVersions(amin, bmin);
  if (c) return c;
  if (incLo(a) !== incLo(b)) return incLo(a) ? -1 : 1;
  return compareMax(a, b);
}

function compareMax(a: Span, b: Span): number {
  const amax = hi(a);
  const bmax = hi(b);
  if (amax === null) return bmax === null ? 0 : 1;
  if (bmax === null) return -1;
  const c = compareVersions(amax, bmax);
  if (c) return c;
  if (incHi(a) !== incHi(b)) return incHi(a) ? 1 : -1;
  return 0;
}

/** VersionUnion.of: flattens, sorts and merges touching ranges. */
export function unionOf(parts: Constraint[]): Constraint {
  const flat = parts.flatMap(flatten);
  if (flat.length === 0) return EMPTY;
  if (flat.some(isAny)) return ANY;
  flat.sort(compareSpans);
  const merged: Span[] = [];
  for (const s of flat) {
    const last = merged[merged.length - 1];
    if (!last || (!allowsAny(last, s) && !adjacent(last, s))) merged.push(s);
    else merged[merged.length - 1] = unionSpans(last, s) as Span;
  }
  return merged.length === 1 ? merged[0] : { kind: 'union', ranges: merged };
}

/** VersionRange().difference(r) for a bounded range: everything outside it. */
export function invert(r: Span): Constraint {
  const before = lo(r) === null ? EMPTY : range(null, lo(r), false, !incLo(r));
  const after = hi(r) === null ? EMPTY : range(hi(r), null, !incHi(r), false);
  return unionOf([before, after]);
}

/** Whether some version is in both (VersionUnion.allows_any over flattened spans). */
export function constraintsOverlap(a: Constraint, b: Constraint): boolean {
  const ours = flatten(a);
  const theirs = flatten(b);
  let i = 0;
  let j = 0;
  while (i < ours.length && j < theirs.length) {
    if (allowsAny(ours[i], theirs[j])) return true;
    if (allowsHigher(theirs[j], ours[i])) i++;
    else j++;
  }
  return false;
}

function isWildcardCandidate(min: PVersion, max: PVersion, inverted: boolean): boolean {
  if (min.local || max.local || min.pre || max.pre || !!min.post !== !!max.post) return false;
  if (!eqVersion(firstDev(min), min) || (max.dev && !eqVersion(firstDev(max), max))) return false;
  const first = inverted ? max : min;
  const second = inverted ? min : max;
  const p2 = second.release.slice();
  while (p2.length && p2[p2.length - 1] === 0) p2.pop();
  const p1 = first.release.slice();
  while (p1.length < p2.length) p1.push(0);
  if (p1.slice(p2.length).some((x) => x !== 0)) return false;
  const head = p1.slice(0, p2.length);
  if (first.post) return head.join('.') === p2.join('.') && second.post !== null && first.post.phase === second.post.phase && first.post.num + 1 === second.post.num;
  if (p2.length === 0) return false;
  return head.slice(0, -1).join('.') === p2.slice(0, -1).join('.') && head[head.length - 1] + 1 === p2[p2.length - 1];
}

function wildcardString(first: PVersion, second: PVersion): string {
  if (first.post) return `${withoutDev(first).text}.*`;
  const parts = second.release.slice();
  while (parts.length && parts[parts.length - 1] === 0) parts.pop();
  parts[parts.length - 1] -= 1;
  return `${parts.join('.')}.*`;
}

/** The excluded version when a union is `<V || >V` (VersionUnion.excludes_single_version). */
export function excludedVersion(u: Span[]): PVersion | null {
  if (u.length !== 2) return null;
  const [a, b] = u;
  if (a.kind !== 'range' || b.kind !== 'range') return null;
  if (a.min !== null || a.max === null || a.incMax || b.min === null || b.incMin || b.max !== null) return null;
  return eqVersion(a.max, b.min) ? a.max : null;
}

/** `!=X.*` when a union excludes exactly one wildcard range, else null. */
export function excludedWildcard(u: Span[]): string | null {
  if (u.length !== 2) return null;
  const [one, two] = hi(u[0]) !== null ? [u[0], u[1]] : [u[1], u[0]];
  const oneMax = hi(one);
  const twoMin = lo(two);
  if (oneMax === null || incHi(one) || lo(one) !== null || twoMin === null || !incLo(two) || hi(two) !== null) return null;
  return isWildcardCandidate(twoMin, oneMax, true) ? `!=${wildcardString(oneMax, twoMin)}` : null;
}

/** poetry's `str()` of a constraint. */
export function constraintToString(c: Constraint): string {
  if (c.kind === 'empty') return '<empty>';
  if (c.kind === 'version') return c.v.text;
  if (c.kind === 'union') {
    const excluded = excludedVersion(c.ranges);
    if (excluded) return `!=${excluded.text}`;
    return excludedWildcard(c.ranges) ?? c.ranges.map(constraintToString).join(' || ');
  }
  if (c.min !== null && c.max !== null && c.incMin && !c.incMax && isWildcardCandidate(c.min, c.max, false)) {
    return `==${wildcardString(c.min, c.max)}`;
  }
  if (c.min === null && c.max === null) return '*';
  let text = c.min !== null ? `${c.incMin ? '>=' : '>'}${c.min.text}` : '';
  if (c.max !== null) text += `${c.min !== null ? ',' : ''}${c.incMax ? '<=' : '<'}${c.max.text}`;
  return text;
}
