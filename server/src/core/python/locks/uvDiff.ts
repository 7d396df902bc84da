// Requirement lists compared as uv compares them (normalize_requirement, then set equality): name,
// sorted extras, specifier clauses, marker as a function under the lock's requires-python, and the
// lowered source. Beyond uv's yes/no, each declared requirement that has no equal in the lock is
// paired with the lock entry it most likely was (same name), and the lock entries left over are the
// requirements removed since.
import { equivalentMarkers, markerExpr, TRUE, type MarkerExpr } from './markerSpace';
import { specifierKey } from './lockSpecifiers';
import { sourceKey, type Lowered } from './uvSources';
import type { DeclaredRequirement } from './uvProject';
import type { UvLockRequirement, UvSource } from './uvLock';

/** A declared requirement in one of its lowered forms. */
export interface ExpectedEntry {
  decl: DeclaredRequirement;
  lowered: Lowered;
}

export interface DiffContext {
  workspaceRoot: string;
  requiresPython: string | null;
}

export interface ListDiff {
  /** Declared requirements the lock does not have as written, with the entry the lock has instead. */
  changed: { decl: DeclaredRequirement; was: UvLockRequirement | null }[];
  /** Lock entries no declared requirement accounts for. */
  removed: UvLockRequirement[];
  /** Declared requirements the lock has exactly. */
  matched: { decl: DeclaredRequirement; actual: UvLockRequirement }[];
}

const lockMarkers = new WeakMap<UvLockRequirement, MarkerExpr>();

/** The marker of a lock entry as an expression (an unparseable marker counts as always true). */
export function lockMarker(req: UvLockRequirement): MarkerExpr {
  let expr = lockMarkers.get(req);
  if (!expr) {
    expr = markerExpr(req.marker) ?? TRUE;
    lockMarkers.set(req, expr);
  }
  return expr;
}

function sameSource(a: UvSource, b: UvSource, root: string): boolean {
  return sourceKey(a, root) === sourceKey(b, root);
}

/** Whether a lowered declared requirement and a lock entry are the same requirement to uv. */
export function sameRequirement(e: ExpectedEntry, a: UvLockRequirement, ctx: DiffContext): boolean {
  if (e.decl.name !== a.name) return false;
  if (e.decl.extras.join(',') !== a.extras.join(',')) return false;
  if (specifierKey(e.lowered.specifier) !== specifierKey(a.specifier)) return false;
  if (!sameSource(e.lowered.source, a.source, ctx.workspaceRoot)) return false;
  // Too many environments to compare counts as equal: a false alarm is worse than a miss.
  return equivalentMarkers(e.lowered.marker, lockMarker(a), ctx.requiresPython) !== false;
}

function pickCandidate(decl: DeclaredRequirement, forms: ExpectedEntry[], pool: UvLockRequirement[], ctx: DiffContext): UvLockRequirement | null {
  const sameName = pool.filter((a) => a.name === decl.name);
  if (sameName.length === 0) return null;
  const sameSourceAs = (a: UvLockRequirement) => forms.some((f) => sameSource(f.lowered.source, a.source, ctx.workspaceRoot));
  // Prefer the entry from the same source, then the same marker (the same extra or condition), then the same extras.
  return (
    sameName.find((a) => sameSourceAs(a) && forms.some((f) => equivalentMarkers(f.lowered.marker, lockMarker(a), ctx.requiresPython) === true)) ??
    sameName.find(sameSourceAs) ??
    sameName.find((a) => equivalentMarkers(decl.marker, lockMarker(a), ctx.requiresPython) === true) ??
    sameName.find((a) => a.extras.join(',') === decl.extras.join(',')) ??
    sameName[0]
  );
}

/** Compares the lowered declared requirements of one list with the lock's. */
export function diffRequirements(expected: ExpectedEntry[], actual: UvLockRequirement[], ctx: DiffContext): ListDiff {
  const used = new Set<UvLockRequirement>();
  const byDecl = new Map<DeclaredRequirement, { ok: boolean; actual?: UvLockRequirement }>();
  for (const entry of expected) {
    const match = actual.find((a) => sameRequirement(entry, a, ctx));
    const state = byDecl.get(entry.decl) ?? { ok: true };
    if (match) {
      used.add(match);
      state.actual ??= match;
    } else {
      state.ok = false;
    }
    byDecl.set(entry.decl, state);
  }
  const diff: ListDiff = { changed: [], removed: [], matched: [] };
  const pool = actual.filter((a) => !used.has(a));
  for (const [decl, state] of byDecl) {
    if (state.ok && state.actual) {
      diff.matched.push({ decl, actual: state.actual });
      continue;
    }
    // An entry nothing else claimed is what this line was; failing that, one another line also
    // matches still says what the lock was made for (`jinja2` when the line now asks `jinja2[i18n]`).
    const forms = expected.filter((e) => e.decl === decl);
    const was = pickCandidate(decl, forms, pool, ctx);
    if (was) pool.splice(pool.indexOf(was), 1);
    diff.changed.push({ decl, was: was ?? pickCandidate(decl, forms, actual, ctx) });
  }
  // Leftovers with the name of a changed line are that line's other forms (a source split by a
  // marker): the finding on the line already covers them.
  const changedNames = new Set(diff.changed.map((c) => c.decl.name));
  diff.removed = pool.filter((a) => !changedNames.has(a.name));
  return diff;
}

/** A lock entry as a requirement string, for messages. */
export function formatLockRequirement(req: UvLockRequirement): string {
  const extras = req.extras.length ? `[${req.extras.join(',')}]` : '';
  let source = '';
  if (req.source.kind === 'git') source = ` @ git+${req.source.url}`;
  else if (req.source.kind === 'url') source = ` @ ${req.source.url}`;
  else if (req.source.kind === 'path') source = ` @ ${req.source.path}`;
  const marker = req.marker ? `; ${req.marker}` : '';
  return `${req.name}${extras}${source || req.specifier}${marker}`;
}
