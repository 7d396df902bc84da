// Terms and incompatibilities as PubGrub defines them (dart-lang/pub doc/solver.md), over exact
// version sets. A term is a set over the package's versions plus "not selected" (⊥):
// positive(S) = S, negative(S) = (versions \ S) ∪ {⊥}. Every operation below follows from that.

import type { PackageName, ProvidedDependency, RuleNote } from './types';
import { ROOT } from './types';
import { VersionSet } from './versionSet';

/** A statement about one package: selected within `set` (positive) or not selected within it. */
export interface Term {
  package: PackageName;
  positive: boolean;
  set: VersionSet;
}

export type Relation = 'satisfied' | 'contradicted' | 'inconclusive';

/** Why an incompatibility holds: an external fact, or 'conflict' when derived from two others. */
export type IncompatibilityCause =
  /** {not ROOT}: the root must be selected. */
  | { kind: 'root' }
  /** {P S, not Q T} (or, constraint-only, {ROOT, Q outside T}): `dependent` in S requires `dependency`. */
  | { kind: 'dependency'; dependent: PackageName; dependency: ProvidedDependency }
  /** {P S}: no version of `package` matches what P S requires (or, without dependent, no version is left). */
  | { kind: 'no-versions'; package: PackageName; dependent?: PackageName; dependency?: ProvidedDependency }
  /** {P S}: these versions cannot be used, for `reason` (`incomplete`: because the registry failed, see DependenciesResult). */
  | { kind: 'unavailable'; package: PackageName; reason: string; incomplete?: boolean }
  /** {P S}: P S requires `package`, which the registry does not know. */
  | { kind: 'unknown-package'; package: PackageName; message: string; dependent?: PackageName; dependency?: ProvidedDependency }
  /** {P S, Q T, ...}: a team rule says these versions cannot all be selected. */
  | { kind: 'rule'; rule: RuleNote }
  | { kind: 'conflict'; conflict: Incompatibility; other: Incompatibility };

/** A set of terms that must not all hold at once; at most one term per package. */
export interface Incompatibility {
  id: number;
  terms: Term[];
  cause: IncompatibilityCause;
}

/** A term with the opposite polarity (its complement). */
export function negate(t: Term): Term {
  return { package: t.package, positive: !t.positive, set: t.set };
}

/** The conjunction of two terms on the same package. */
export function intersectTerms(a: Term, b: Term): Term {
  if (a.positive && b.positive) return { package: a.package, positive: true, set: a.set.intersect(b.set) };
  if (a.positive) return { package: a.package, positive: true, set: a.set.minus(b.set) };
  if (b.positive) return { package: a.package, positive: true, set: b.set.minus(a.set) };
  return { package: a.package, positive: false, set: a.set.union(b.set) };
}

/** a \ b for two terms on the same package. */
export function differenceTerms(a: Term, b: Term): Term {
  return intersectTerms(a, negate(b));
}

/** Whether every selection allowed by `a` is allowed by `b`. */
export function termSubset(a: Term, b: Term): boolean {
  if (a.positive && b.positive) return a.set.isSubsetOf(b.set);
  if (a.positive) return a.set.isDisjointFrom(b.set);
  if (b.positive) return false; // a allows "not selected", b does not
  return b.set.isSubsetOf(a.set);
}

/** Whether no selection is allowed by both. */
export function termDisjoint(a: Term, b: Term): boolean {
  if (a.positive && b.positive) return a.set.isDisjointFrom(b.set);
  if (a.positive) return a.set.isSubsetOf(b.set);
  if (b.positive) return b.set.isSubsetOf(a.set);
  return false; // both allow "not selected"
}

/** Relation of the accumulated assignments for a package (undefined: none yet) to a term. */
export function relation(acc: Term | undefined, t: Term): Relation {
  if (acc === undefined) return isUniversal(t) ? 'satisfied' : 'inconclusive';
  if (termSubset(acc, t)) return 'satisfied';
  if (termDisjoint(acc, t)) return 'contradicted';
  return 'inconclusive';
}

/** A term that every selection satisfies (not P ∅). */
export function isUniversal(t: Term): boolean {
  return !t.positive && t.set.isEmpty();
}

/** A term that no selection satisfies (P ∅). */
export function isVacuous(t: Term): boolean {
  return t.positive && t.set.isEmpty();
}

let nextId = 1;

/**
 * Builds a normalised incompatibility: terms on one package intersected, always-true terms
 * dropped, and positive root terms dropped from derived ones (the root is always selected).
 * Returns undefined when a term can never hold, since such an incompatibility says nothing.
 */
export function makeIncompatibility(terms: Term[], cause: IncompatibilityCause): Incompatibility | undefined {
  const byPackage = new Map<PackageName, Term>();
  for (const t of terms) {
    const prior = byPackage.get(t.package);
    byPackage.set(t.package, prior ? intersectTerms(prior, t) : t);
  }
  let out: Term[] = [];
  for (const t of byPackage.values()) {
    if (isVacuous(t)) return undefined;
    if (!isUniversal(t)) out.push(t);
  }
  if (cause.kind === 'conflict' && out.length > 1) out = out.filter((t) => !(t.positive && t.package === ROOT));
  return { id: nextId++, terms: out, cause };
}

/** A positive term over the given version set. */
export function positive(pkg: PackageName, set: VersionSet): Term {
  return { package: pkg, positive: true, set };
}

/** A negative term over the given version set. */
export function negative(pkg: PackageName, set: VersionSet): Term {
  return { package: pkg, positive: false, set };
}

/** Whether the incompatibility was derived by conflict resolution. */
export function isDerived(i: Incompatibility): i is Incompatibility & { cause: { kind: 'conflict' } } {
  return i.cause.kind === 'conflict';
}

export { VersionSet };
