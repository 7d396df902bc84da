// What the solver knows about packages: version lists fetched once (in parallel for new
// dependency targets), dependency lists cached per version, and the incompatibility store with
// pubgrub-rs style merging, so "realtime 2.4.3 depends on X" and "realtime 2.4.2 depends on X"
// become one fact about realtime {2.4.2, 2.4.3} instead of two.

import type { DependenciesResult, DependencyProvider, PackageName, ProvidedDependency, ProvidedRule } from './types';
import type { Incompatibility, IncompatibilityCause, Term } from './incompatibility';
import { makeIncompatibility, negative, positive, VersionSet } from './incompatibility';

export interface PackageInfo {
  versions: string[];
  index: Map<string, number>;
  /** Set when the registry does not know the package. */
  unknown?: string;
}

/** Thrown out of the search; solve() turns it into its result. */
export class SolveStop extends Error {
  constructor(
    readonly reason: 'aborted' | 'too-complex' | 'error' | 'incomplete',
    message: string = reason,
    /**
     * For 'incomplete': the package the registry failed on, the version when it was one version's
     * data, and the other packages of the same batch that failed with it.
     */
    readonly at?: { package: PackageName; version?: string; also?: Array<{ package: PackageName; reason: string }> },
  ) {
    super(message);
  }
}

export class SolverData {
  readonly packages = new Map<PackageName, PackageInfo>();
  private readonly incompatibilities = new Map<PackageName, Incompatibility[]>();
  private readonly mergeable = new Map<string, Incompatibility>();
  private readonly dependencyCache = new Map<string, DependenciesResult>();
  /** Constraints on packages nothing has required yet: built when the package first turns up. */
  private readonly deferred = new Map<PackageName, Array<{ pkg: PackageName; at: number; dep: ProvidedDependency }>>();
  /** Team rules whose packages have not all been fetched: a rule about a package nothing needs costs no request. */
  private pendingRules: ProvidedRule[];

  constructor(
    private readonly provider: DependencyProvider,
    private readonly signal: AbortSignal | undefined,
  ) {
    this.pendingRules = [...(provider.rules ?? [])];
  }

  info(pkg: PackageName): PackageInfo {
    const info = this.packages.get(pkg);
    if (!info) throw new Error(`versions of ${pkg} were never fetched`);
    return info;
  }

  /** Fetches the version lists of the packages not seen yet, all at once. */
  async ensureVersions(pkgs: Iterable<PackageName>): Promise<void> {
    const missing = [...new Set(pkgs)].filter((p) => !this.packages.has(p));
    if (missing.length === 0) return;
    const results = await Promise.all(missing.map((p) => this.provider.versions(p, this.signal)));
    this.checkAbort();
    // Every package of the batch that could not be read is named, not just the first in order.
    const unread = missing.flatMap((pkg, i) => {
      const r = results[i];
      return r.kind === 'incomplete' ? [{ package: pkg, reason: r.reason }] : [];
    });
    if (unread.length > 0) throw new SolveStop('incomplete', unread[0].reason, { package: unread[0].package, also: unread.slice(1) });
    missing.forEach((pkg, i) => {
      const r = results[i];
      if (r.kind === 'error') throw new SolveStop('error', r.message);
      if (r.kind === 'incomplete') return;
      const versions = r.kind === 'ok' ? r.versions : [];
      const info: PackageInfo = { versions, index: new Map(versions.map((v, j) => [v, j])) };
      if (r.kind === 'unknown-package') info.unknown = r.message;
      this.packages.set(pkg, info);
    });
    for (const pkg of missing) {
      for (const { pkg: from, at, dep } of this.deferred.get(pkg) ?? []) this.dependencyIncompatibility(from, at, dep);
      this.deferred.delete(pkg);
    }
    if (this.pendingRules.length > 0) this.addReadyRules();
  }

  // {P S, Q T}: added before any of its packages is assigned, so propagation sees it like any fact.
  private addReadyRules(): void {
    this.pendingRules = this.pendingRules.filter((rule) => {
      const infos = rule.terms.map((t) => this.packages.get(t.package));
      if (infos.some((i) => i === undefined)) return true;
      if (infos.some((i) => i!.unknown !== undefined)) return false;
      const terms = rule.terms.map((t, k) => positive(t.package, VersionSet.where(infos[k]!.versions, t.allows)));
      const inc = makeIncompatibility(terms, { kind: 'rule', rule: rule.note });
      if (inc) this.add(inc);
      return false;
    });
  }

  /** The provider's dependencies of one version, asked once. */
  async dependencies(pkg: PackageName, version: string): Promise<DependenciesResult> {
    const key = `${pkg}\u0000${version}`;
    let r = this.dependencyCache.get(key);
    if (!r) {
      r = await this.provider.dependencies(pkg, version, this.signal);
      this.checkAbort();
      this.dependencyCache.set(key, r);
    }
    return r;
  }

  /** Cached dependencies, for reading the solution. */
  cachedDependencies(pkg: PackageName, version: string): ProvidedDependency[] {
    const r = this.dependencyCache.get(`${pkg}\u0000${version}`);
    return r?.kind === 'ok' ? r.dependencies : [];
  }

  checkAbort(): void {
    if (this.signal?.aborted) throw new SolveStop('aborted');
  }

  /** Incompatibilities mentioning a package, oldest first. */
  about(pkg: PackageName): Incompatibility[] {
    return this.incompatibilities.get(pkg) ?? [];
  }

  add(inc: Incompatibility): void {
    for (const t of inc.terms) {
      let list = this.incompatibilities.get(t.package);
      if (!list) this.incompatibilities.set(t.package, (list = []));
      list.push(inc);
    }
  }

  /** The incompatibilities saying what `pkg` at version index `at` depends on. */
  dependencyIncompatibilities(pkg: PackageName, at: number, deps: ProvidedDependency[]): Incompatibility[] {
    const out: Incompatibility[] = [];
    for (const dep of deps) {
      const inc = this.dependencyIncompatibility(pkg, at, dep);
      if (inc) out.push(inc);
    }
    return out;
  }

  /** {pkg at}: this version cannot be used. */
  unavailable(pkg: PackageName, at: number, reason: string, incomplete?: boolean): Incompatibility | undefined {
    const cause: IncompatibilityCause = incomplete ? { kind: 'unavailable', package: pkg, reason, incomplete } : { kind: 'unavailable', package: pkg, reason };
    return this.merged(`a\u0000${pkg}\u0000${reason}`, pkg, at, undefined, [], cause);
  }

  private dependencyIncompatibility(pkg: PackageName, at: number, dep: ProvidedDependency): Incompatibility | undefined {
    const target = this.packages.get(dep.package);
    if (!target) {
      // Only a constraint can name a package whose versions were not fetched (see Solver.decide).
      const list = this.deferred.get(dep.package) ?? [];
      this.deferred.set(dep.package, [...list, { pkg, at, dep }]);
      return undefined;
    }
    const key = `${pkg}\u0000${dep.package}\u0000${dep.specifier}\u0000${dep.condition ?? ''}`;
    const base = { dependent: pkg, dependency: dep };
    if (dep.constraintOnly) {
      if (target.unknown !== undefined || target.versions.length === 0) return undefined;
      const outside = VersionSet.where(target.versions, dep.allows).complement();
      return this.merged(`c\u0000${key}`, pkg, at, outside, [positive(dep.package, outside)], { kind: 'dependency', ...base });
    }
    if (target.unknown !== undefined) {
      return this.merged(`u\u0000${key}`, pkg, at, undefined, [], { kind: 'unknown-package', package: dep.package, message: target.unknown, ...base });
    }
    const allowed = VersionSet.where(target.versions, dep.allows);
    if (allowed.isEmpty()) return this.merged(`n\u0000${key}`, pkg, at, undefined, [], { kind: 'no-versions', package: dep.package, ...base });
    return this.merged(`d\u0000${key}`, pkg, at, allowed, [negative(dep.package, allowed)], { kind: 'dependency', ...base });
  }

  /**
   * Adds {pkg at, ...rest}, or widens an earlier incompatibility with the same key and the same
   * target set to cover `at` too (the wider one replaces it; assignments keep their old causes).
   */
  private merged(
    key: string,
    pkg: PackageName,
    at: number,
    targetSet: VersionSet | undefined,
    rest: Term[],
    cause: IncompatibilityCause,
  ): Incompatibility | undefined {
    const size = this.info(pkg).versions.length;
    let dependents = VersionSet.of(size, [at]);
    const prior = this.mergeable.get(key);
    const priorTarget = prior?.terms.find((t) => t.package !== pkg);
    const samePackageTerm = prior?.terms.find((t) => t.package === pkg && t.positive);
    const compatible = prior && samePackageTerm && (targetSet === undefined ? !priorTarget : priorTarget?.set.equals(targetSet));
    if (prior && compatible && samePackageTerm) {
      if (samePackageTerm.set.has(at)) return prior;
      dependents = dependents.union(samePackageTerm.set);
    }
    const inc = makeIncompatibility([positive(pkg, dependents), ...rest], cause);
    if (!inc) return undefined;
    if (prior && compatible) this.remove(prior);
    this.mergeable.set(key, inc);
    this.add(inc);
    return inc;
  }

  private remove(inc: Incompatibility): void {
    for (const t of inc.terms) {
      const list = this.incompatibilities.get(t.package);
      const i = list ? list.indexOf(inc) : -1;
      if (list && i >= 0) list.splice(i, 1);
    }
  }
}
