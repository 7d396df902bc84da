// PubGrub version solving (dart-lang/pub doc/solver.md), ecosystem-agnostic: unit propagation,
// conflict resolution with backjumping and learned incompatibilities, and decision making that
// tries the most constrained package first. Registry data comes only through a DependencyProvider.

import type { DependencyOrigin, DependencyProvider, PackageName, ProvidedDependency } from './types';
import { ROOT } from './types';
import type { Incompatibility, Term } from './incompatibility';
import { differenceTerms, makeIncompatibility, negate, negative, relation, termSubset, VersionSet } from './incompatibility';
import { PartialSolution } from './partialSolution';
import { SolverData, SolveStop } from './solverData';

export type { Incompatibility, IncompatibilityCause, Term } from './incompatibility';
export { VersionSet } from './versionSet';

export interface SolveStats {
  decisions: number;
  conflicts: number;
  steps: number;
}

export interface Requirer {
  by: PackageName;
  byVersion: string;
  specifier: string;
  condition?: string;
  origin?: DependencyOrigin;
}

/** One step of the chain from the root to a package: what the previous step requires of it. */
export interface ChainLink {
  package: PackageName;
  /** The version tried, for every step but a last one that never got a version. */
  version?: string;
  specifier: string;
  /** Where the root requirement (the first link) was written. */
  origin?: DependencyOrigin;
}

export type SolveResult =
  | { kind: 'solution'; versions: Map<PackageName, string>; requiredBy: Map<PackageName, Requirer[]>; stats: SolveStats }
  | {
      kind: 'conflict';
      /** The derived incompatibility {ROOT} (or {}) whose derivation graph explains the failure. */
      incompatibility: Incompatibility;
      /** Every version list the solver fetched, for explanations (explainConflict's versionsOf). */
      packageVersions: Map<PackageName, readonly string[]>;
      /** The latest requirer seen of each package, for chainTo. */
      requirers: Map<PackageName, Requirer>;
      stats: SolveStats;
    }
  /** The provider could not say what a package offers or needs (its registry failed): no verdict. */
  | {
      kind: 'incomplete';
      package: PackageName;
      version?: string;
      reason: string;
      /** The registry said it has no such package (rather than failing to answer). */
      unknownPackage?: boolean;
      /** Other packages needed by the same requirer that could not be read either. */
      also?: Array<{ package: PackageName; reason: string }>;
      chain: ChainLink[];
      stats: SolveStats;
    }
  | { kind: 'error'; message: string }
  | { kind: 'too-complex'; stats: SolveStats }
  | { kind: 'aborted' };

export interface SolveOptions {
  signal?: AbortSignal;
  /** Cap on propagation, resolution and decision steps (default 100,000). */
  maxSteps?: number;
}

const DEFAULT_MAX_STEPS = 100_000;
/** How far ahead a walk through a package's releases is hinted: each hint past the release that works is a wasted read. */
const WALK_AHEAD = 4;

/** Finds versions for every package reachable from ROOT, or the incompatibility proving none exist. */
export async function solve(provider: DependencyProvider, options: SolveOptions = {}): Promise<SolveResult> {
  const solver = new Solver(provider, options);
  try {
    return await solver.run();
  } catch (e) {
    if (options.signal?.aborted) return { kind: 'aborted' };
    if (e instanceof SolveStop) {
      if (e.reason === 'aborted') return { kind: 'aborted' };
      if (e.reason === 'incomplete' && e.at) {
        const chain = chainTo(solver.requirers, e.at.package);
        if (e.at.version !== undefined && chain.length > 0) chain[chain.length - 1].version = e.at.version;
        const also = e.at.also?.length ? { also: e.at.also } : {};
        return { kind: 'incomplete', package: e.at.package, version: e.at.version, reason: e.message, ...also, chain, stats: solver.stats };
      }
      if (e.reason === 'too-complex') return { kind: 'too-complex', stats: solver.stats };
      return { kind: 'error', message: e.message };
    }
    return { kind: 'error', message: e instanceof Error ? e.message : String(e) };
  }
}

/** The chain of requirements from the root to `pkg`, as the solver last saw it (empty when nothing required it). */
export function chainTo(requirers: ReadonlyMap<PackageName, Requirer>, pkg: PackageName): ChainLink[] {
  const chain: ChainLink[] = [];
  const seen = new Set<PackageName>();
  let version: string | undefined;
  for (let at = pkg; at !== ROOT && !seen.has(at); ) {
    seen.add(at);
    const r = requirers.get(at);
    if (!r) return [];
    const link: ChainLink = { package: at, specifier: r.specifier };
    if (version !== undefined) link.version = version;
    if (r.origin) link.origin = r.origin;
    chain.unshift(link);
    version = r.byVersion;
    at = r.by;
  }
  return chain[0] && requirers.get(chain[0].package)?.by === ROOT ? chain : [];
}

class Solver {
  readonly stats: SolveStats = { decisions: 0, conflicts: 0, steps: 0 };
  /** The latest requirer of each package: what an 'incomplete' stop names as the chain. */
  readonly requirers = new Map<PackageName, Requirer>();
  private readonly data: SolverData;
  private readonly solution = new PartialSolution();
  private readonly maxSteps: number;
  /** Per package: the release tried last and how many different releases were tried (prefetchNext). */
  private readonly tries = new Map<PackageName, { at: number; tries: number }>();

  constructor(
    private readonly provider: DependencyProvider,
    options: SolveOptions,
  ) {
    this.data = new SolverData(provider, options.signal);
    this.maxSteps = options.maxSteps ?? DEFAULT_MAX_STEPS;
  }

  async run(): Promise<SolveResult> {
    this.data.checkAbort();
    await this.data.ensureVersions([ROOT]);
    const root = this.data.info(ROOT);
    if (root.versions.length === 0) return { kind: 'error', message: 'The root package has no version.' };
    const rootIncompatibility = makeIncompatibility([negative(ROOT, VersionSet.of(root.versions.length, [0]))], { kind: 'root' });
    if (rootIncompatibility) this.data.add(rootIncompatibility);
    let next: PackageName | undefined = ROOT;
    while (next !== undefined) {
      this.step();
      const failure = this.propagate(next);
      if (failure) return this.conflictResult(failure);
      next = await this.decide();
    }
    return this.solutionResult();
  }

  private step(): void {
    if (++this.stats.steps > this.maxSteps) throw new SolveStop('too-complex');
    if ((this.stats.steps & 255) === 0) this.data.checkAbort();
  }

  /** Unit propagation from `start`; returns the root-level incompatibility if solving failed. */
  private propagate(start: PackageName): Incompatibility | undefined {
    const changed = new Set<PackageName>([start]);
    while (changed.size > 0) {
      const pkg = changed.values().next().value as PackageName;
      changed.delete(pkg);
      const list = this.data.about(pkg);
      for (let i = list.length - 1; i >= 0; i--) {
        this.step();
        const inc = list[i];
        const state = this.solution.stateOf(inc);
        if (state.kind === 'almost') {
          this.solution.derive(negate(state.term), inc);
          changed.add(state.term.package);
        } else if (state.kind === 'satisfied') {
          const resolved = this.resolveConflict(inc);
          if (resolved.failure) return resolved.failure;
          const after = this.solution.stateOf(resolved.learned);
          if (after.kind !== 'almost') throw new SolveStop('error', 'Internal solver error: a learned incompatibility is not almost satisfied.');
          this.solution.derive(negate(after.term), resolved.learned);
          changed.clear();
          changed.add(after.term.package);
          break;
        }
      }
    }
    return undefined;
  }

  /** solver.md's conflict resolution: walk back to the root cause, learn it, backjump. */
  private resolveConflict(conflict: Incompatibility): { failure?: Incompatibility; learned: Incompatibility } {
    this.stats.conflicts++;
    let inc = conflict;
    for (;;) {
      this.step();
      if (isFailure(inc)) return { failure: inc, learned: inc };
      const { satisfier, term, previousLevel } = this.solution.satisfierOf(inc);
      if (satisfier.cause === undefined || previousLevel !== satisfier.level) {
        if (inc !== conflict) this.data.add(inc);
        this.solution.backtrack(previousLevel);
        return { learned: inc };
      }
      const cause = satisfier.cause;
      const pkg = satisfier.term.package;
      const terms: Term[] = [...inc.terms, ...cause.terms].filter((t) => t.package !== pkg);
      if (!termSubset(satisfier.term, term)) terms.push(negate(differenceTerms(satisfier.term, term)));
      const prior = makeIncompatibility(terms, { kind: 'conflict', conflict: inc, other: cause });
      if (!prior) throw new SolveStop('error', 'Internal solver error: conflict resolution produced an empty term.');
      inc = prior;
    }
  }

  /** Picks the most constrained undecided package and tries a version of it; undefined when done. */
  private async decide(): Promise<PackageName | undefined> {
    const pkg = this.pickPackage();
    if (pkg === undefined) return undefined;
    const info = this.data.info(pkg);
    const allowed = (this.solution.accOf(pkg) as Term).set;
    const at = this.pickVersion(pkg, allowed, info.versions);
    const version = info.versions[at];
    this.prefetchNext(pkg, allowed, at, info.versions);
    const deps = await this.data.dependencies(pkg, version);
    this.step();
    if (deps.kind === 'incomplete') throw new SolveStop('incomplete', deps.reason, { package: pkg, version });
    if (deps.kind === 'unavailable') {
      this.data.unavailable(pkg, at, deps.reason, deps.incomplete);
      return pkg;
    }
    for (const d of deps.dependencies) if (!d.constraintOnly) this.requirers.set(d.package, requirerOf(pkg, version, d));
    // Constraints alone do not fetch: a pip -c file may pin hundreds of packages nothing requires.
    await this.data.ensureVersions(deps.dependencies.filter((d) => !d.constraintOnly).map((d) => d.package));
    const added = this.data.dependencyIncompatibilities(pkg, at, deps.dependencies);
    this.prefetchTargets(added);
    if (!added.some((inc) => this.conflictsWithDecision(inc, pkg, at))) {
      this.solution.decide(pkg, at, info.versions.length);
      this.stats.decisions++;
    }
    return pkg;
  }

  private pickPackage(): PackageName | undefined {
    let best: PackageName | undefined;
    let bestCount = Infinity;
    for (const pkg of this.solution.pending) {
      const count = (this.solution.accOf(pkg) as Term).set.count();
      if (count < bestCount) [best, bestCount] = [pkg, count];
    }
    return best;
  }

  private pickVersion(pkg: PackageName, allowed: VersionSet, versions: string[]): number {
    if (this.provider.preferred) {
      const choice = this.provider.preferred(
        pkg,
        allowed.indices().map((i) => versions[i]),
      );
      const at = choice === undefined ? -1 : (this.data.info(pkg).index.get(choice) ?? -1);
      if (at >= 0 && allowed.has(at)) return at;
    }
    return allowed.last();
  }

  /** Whether deciding `pkg` at `at` would satisfy `inc` outright (solver.md: then don't decide). */
  private conflictsWithDecision(inc: Incompatibility, pkg: PackageName, at: number): boolean {
    return inc.terms.every((t) =>
      t.package === pkg ? t.set.has(at) === t.positive : relation(this.solution.accOf(t.package), t) === 'satisfied',
    );
  }

  /**
   * A package tried a second time is being walked through its versions: the provider hears of the
   * next ones in the order they would be tried (2, then 4 ahead), so that a walk down a
   * dozen releases does not wait one round trip per release. At the first step the 2 after those
   * are hinted shallow (their own metadata only): further hints cost more than they save once the
   * reads in flight reach the per-host limit (bench/README.md, issue 11).
   */
  private prefetchNext(pkg: PackageName, allowed: VersionSet, at: number, versions: string[]): void {
    const last = this.tries.get(pkg);
    // The same release decided again after a backjump elsewhere is no walk.
    if (last?.at === at) return;
    const tries = (last?.tries ?? 0) + 1;
    this.tries.set(pkg, { at, tries });
    if (tries < 2 || !this.provider.prefetch) return;
    const indices = allowed.indices();
    const pos = indices.indexOf(at);
    const ahead = Math.min(WALK_AHEAD, 2 ** (tries - 1));
    // The highest is tried first unless the provider prefers the lowest: walk away from the end picked.
    const next = pos === indices.length - 1 || pos !== 0 ? indices.slice(Math.max(0, pos - WALK_AHEAD), pos).reverse() : indices.slice(pos + 1, pos + 1 + WALK_AHEAD);
    if (next.length > 0) this.provider.prefetch(pkg, next.slice(0, ahead).map((i) => versions[i]));
    if (next.length > ahead) this.provider.prefetchShallow?.(pkg, next.slice(ahead).map((i) => versions[i]));
  }

  /** Tells the provider which versions it will likely be asked about next. */
  private prefetchTargets(added: Incompatibility[]): void {
    if (!this.provider.prefetch) return;
    for (const inc of added) {
      if (inc.cause.kind !== 'dependency' || inc.cause.dependency.constraintOnly) continue;
      const target = inc.terms.find((t) => !t.positive);
      if (!target || this.solution.decisionOf(target.package) !== undefined) continue;
      const acc = this.solution.accOf(target.package);
      const candidates = acc ? intersectWith(acc, target.set) : target.set;
      const top = candidates.last();
      if (top >= 0) this.provider.prefetch(target.package, [this.data.info(target.package).versions[top]]);
    }
  }

  private conflictResult(incompatibility: Incompatibility): SolveResult {
    const packageVersions = new Map<PackageName, readonly string[]>();
    for (const [pkg, info] of this.data.packages) packageVersions.set(pkg, info.versions);
    return { kind: 'conflict', incompatibility, packageVersions, requirers: this.requirers, stats: this.stats };
  }

  private solutionResult(): SolveResult {
    const versions = new Map<PackageName, string>();
    const chosen = new Map<PackageName, string>();
    for (const [pkg, at] of this.solution.decided()) {
      const version = this.data.info(pkg).versions[at];
      chosen.set(pkg, version);
      if (pkg !== ROOT) versions.set(pkg, version);
    }
    const requiredBy = new Map<PackageName, Requirer[]>();
    for (const [by, byVersion] of chosen) {
      for (const dep of this.data.cachedDependencies(by, byVersion)) {
        if (dep.constraintOnly || !versions.has(dep.package)) continue;
        const entry = requirerOf(by, byVersion, dep);
        let list = requiredBy.get(dep.package);
        if (!list) requiredBy.set(dep.package, (list = []));
        list.push(entry);
      }
    }
    return { kind: 'solution', versions, requiredBy, stats: this.stats };
  }
}

function requirerOf(by: PackageName, byVersion: string, dep: ProvidedDependency): Requirer {
  const entry: Requirer = { by, byVersion, specifier: dep.specifier };
  if (dep.condition !== undefined) entry.condition = dep.condition;
  if (dep.origin !== undefined) entry.origin = dep.origin;
  return entry;
}

function isFailure(inc: Incompatibility): boolean {
  return inc.terms.length === 0 || (inc.terms.length === 1 && inc.terms[0].positive && inc.terms[0].package === ROOT);
}

// The versions a positive-or-negative running intersection still allows within `set`.
function intersectWith(acc: Term, set: VersionSet): VersionSet {
  return acc.positive ? acc.set.intersect(set) : set.minus(acc.set);
}
