// PubGrub's partial solution: the ordered assignments (decisions and derivations) with their
// decision levels. Assignments are indexed by package and each carries the running intersection
// for its package, so relations and satisfier searches never scan the whole list.

import type { PackageName } from './types';
import { ROOT } from './types';
import type { Incompatibility, Term } from './incompatibility';
import { intersectTerms, positive, relation, termSubset, VersionSet } from './incompatibility';

export interface Assignment {
  term: Term;
  level: number;
  /** The incompatibility it was derived from; undefined for a decision. */
  cause?: Incompatibility;
  /** Position in the partial solution. */
  index: number;
  /** Intersection of this package's assignments up to and including this one. */
  acc: Term;
}

export type IncompatibilityState =
  | { kind: 'satisfied' }
  | { kind: 'almost'; term: Term }
  | { kind: 'contradicted' }
  | { kind: 'inconclusive' };

export interface SatisfierInfo {
  satisfier: Assignment;
  /** The incompatibility's term on the satisfier's package. */
  term: Term;
  /** Decision level to backjump to: the previous satisfier's, or the root's (0). */
  previousLevel: number;
}

const CONTRADICTED: IncompatibilityState = { kind: 'contradicted' };
const INCONCLUSIVE: IncompatibilityState = { kind: 'inconclusive' };
const SATISFIED: IncompatibilityState = { kind: 'satisfied' };

export class PartialSolution {
  private readonly assignments: Assignment[] = [];
  private readonly byPackage = new Map<PackageName, Assignment[]>();
  private readonly decisions = new Map<PackageName, number>();
  /** Packages with a positive derivation and no decision yet: the candidates for deciding. */
  readonly pending = new Set<PackageName>();
  /** Decisions other than the root's so far; the root's decision sits at level 0. */
  level = 0;

  /** The running intersection for a package, or undefined when nothing is assigned. */
  accOf(pkg: PackageName): Term | undefined {
    const list = this.byPackage.get(pkg);
    return list && list.length > 0 ? list[list.length - 1].acc : undefined;
  }

  decisionOf(pkg: PackageName): number | undefined {
    return this.decisions.get(pkg);
  }

  decided(): ReadonlyMap<PackageName, number> {
    return this.decisions;
  }

  decide(pkg: PackageName, versionIndex: number, size: number): void {
    if (pkg !== ROOT) this.level++;
    this.decisions.set(pkg, versionIndex);
    this.push(positive(pkg, VersionSet.of(size, [versionIndex])), undefined);
  }

  derive(term: Term, cause: Incompatibility): void {
    this.push(term, cause);
  }

  /** Removes every assignment above `level`. */
  backtrack(level: number): void {
    const touched = new Set<PackageName>();
    while (this.assignments.length > 0 && this.assignments[this.assignments.length - 1].level > level) {
      const a = this.assignments.pop() as Assignment;
      const pkg = a.term.package;
      (this.byPackage.get(pkg) as Assignment[]).pop();
      if (a.cause === undefined) this.decisions.delete(pkg);
      touched.add(pkg);
    }
    this.level = level;
    for (const pkg of touched) this.refreshPending(pkg);
  }

  /** How the current assignments stand against an incompatibility. */
  stateOf(inc: Incompatibility): IncompatibilityState {
    let unsatisfied: Term | undefined;
    for (const t of inc.terms) {
      const r = relation(this.accOf(t.package), t);
      if (r === 'contradicted') return CONTRADICTED;
      if (r === 'inconclusive') {
        if (unsatisfied) return INCONCLUSIVE;
        unsatisfied = t;
      }
    }
    return unsatisfied ? { kind: 'almost', term: unsatisfied } : SATISFIED;
  }

  /** The earliest assignment that completes satisfying `inc`, and where to backjump (solver.md). */
  satisfierOf(inc: Incompatibility): SatisfierInfo {
    let satisfier: Assignment | undefined;
    let satisfierTerm: Term | undefined;
    const earliest: Assignment[] = [];
    for (const t of inc.terms) {
      const a = this.earliestSatisfying(t);
      earliest.push(a);
      if (!satisfier || a.index > satisfier.index) {
        satisfier = a;
        satisfierTerm = t;
      }
    }
    if (!satisfier || !satisfierTerm) throw new Error('satisfierOf: an incompatibility without terms');
    let previous = -1;
    let previousLevel = 0;
    for (const a of earliest) {
      if (a !== satisfier && a.index > previous) [previous, previousLevel] = [a.index, a.level];
    }
    // The satisfier may satisfy its term only together with earlier assignments of its package.
    for (const a of this.byPackage.get(satisfierTerm.package) as Assignment[]) {
      if (a.index >= satisfier.index) break;
      if (termSubset(intersectTerms(a.acc, satisfier.term), satisfierTerm)) {
        if (a.index > previous) [previous, previousLevel] = [a.index, a.level];
        break;
      }
    }
    return { satisfier, term: satisfierTerm, previousLevel };
  }

  private earliestSatisfying(t: Term): Assignment {
    for (const a of this.byPackage.get(t.package) ?? []) if (termSubset(a.acc, t)) return a;
    throw new Error(`satisfierOf: ${t.package} is not satisfied`);
  }

  private push(term: Term, cause: Incompatibility | undefined): void {
    const pkg = term.package;
    let list = this.byPackage.get(pkg);
    if (!list) this.byPackage.set(pkg, (list = []));
    const prior = list.length > 0 ? list[list.length - 1].acc : undefined;
    const acc = prior ? intersectTerms(prior, term) : term;
    const a: Assignment = { term, level: this.level, index: this.assignments.length, acc };
    if (cause) a.cause = cause;
    this.assignments.push(a);
    list.push(a);
    this.refreshPending(pkg);
  }

  private refreshPending(pkg: PackageName): void {
    const acc = this.accOf(pkg);
    if (acc && acc.positive && !this.decisions.has(pkg)) this.pending.add(pkg);
    else this.pending.delete(pkg);
  }
}
