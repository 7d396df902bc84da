// Words for terms and incompatibilities. Version sets are exact subsets of the known version list,
// so they read as the versions that exist ("realtime 2.4.x", "foo 1.0 to 1.3"); a term that comes
// straight from a dependency reads as the specifier its author wrote ("realtime>=2.4.0,<2.5.0").

import type { PackageName, RuleNote } from './types';
import { ROOT } from './types';
import type { Incompatibility, Term } from './incompatibility';
import { isDerived, positive } from './incompatibility';
import { VersionSet } from './versionSet';

export interface ExplainOptions {
  /** The package's version list as the solver saw it (SolveResult.packageVersions). */
  versionsOf: (pkg: PackageName) => readonly string[];
  displayName?: (pkg: PackageName) => string;
  /** How a requirement reads; default: name then specifier ('realtime>=2.4.0,<2.5.0', 'foo ^1.2'). */
  formatRequirement?: (name: string, specifier: string) => string;
  /**
   * Why versions the specifier matches were still left out, by whose rule ("1.0.0 is yanked, and pip
   * takes a yanked release only when …"); undefined when none was. The ecosystem supplies it.
   */
  excludedBy?: (pkg: PackageName, specifier: string) => string | undefined;
}

const MAX_RUNS = 6;
const CLAUSE = /^\s*(===|==|~=|!=|>=|<=|>|<)/;
const RANK: Record<string, number> = { '===': 0, '==': 0, '~=': 1, '>=': 2, '>': 2, '<=': 3, '<': 3, '!=': 4 };

/** Lower bounds before upper bounds ('<2.5.0,>=2.4.0' reads '>=2.4.0,<2.5.0'); other forms as written. */
export function displaySpecifier(spec: string): string {
  const clauses = spec.split(',').map((c) => c.trim());
  if (clauses.length < 2 || !clauses.every((c) => CLAUSE.test(c))) return spec.trim();
  const rank = (c: string) => RANK[(CLAUSE.exec(c) as RegExpExecArray)[1]];
  return clauses
    .map((c, i) => ({ c, i }))
    .sort((a, b) => rank(a.c) - rank(b.c) || a.i - b.i)
    .map((x) => x.c)
    .join(',');
}

export class Words {
  /** Specifier texts seen in the derivation's dependencies, by package, for terms with equal sets. */
  private readonly specs = new Map<PackageName, Array<{ set: VersionSet; text: string }>>();

  constructor(private readonly options: ExplainOptions) {}

  /** Remembers that `set` of `pkg` was written as `specifier`. */
  learnSpecifier(pkg: PackageName, set: VersionSet, specifier: string): void {
    let list = this.specs.get(pkg);
    if (!list) this.specs.set(pkg, (list = []));
    if (!list.some((s) => s.set.equals(set))) list.push({ set, text: this.requirement(pkg, specifier) });
  }

  name(pkg: PackageName): string {
    return this.options.displayName ? this.options.displayName(pkg) : pkg;
  }

  versions(pkg: PackageName): readonly string[] {
    return this.options.versionsOf(pkg);
  }

  /** '; 1.0.0 is yanked, and pip …' when the ecosystem's rules left out versions the specifier matches, else ''. */
  excluded(pkg: PackageName, specifier: string): string {
    const why = this.options.excludedBy?.(pkg, specifier);
    return why ? `; ${why}` : '';
  }

  /** 'realtime>=2.4.0,<2.5.0'; 'realtime' for any version. */
  requirement(pkg: PackageName, specifier: string): string {
    const spec = displaySpecifier(specifier);
    if (this.options.formatRequirement) return this.options.formatRequirement(this.name(pkg), spec);
    if (spec === '') return this.name(pkg);
    return CLAUSE.test(spec) ? `${this.name(pkg)}${spec}` : `${this.name(pkg)} ${spec}`;
  }

  /** The versions of a set that is neither empty nor every version: '2.4.3', '2.4.x', '1.0 to 1.3'. */
  versionList(pkg: PackageName, set: VersionSet): string {
    const all = this.versions(pkg);
    if (set.count() === 1) return all[set.first()] ?? '?';
    const prefix = wildcardPrefix(all, set);
    if (prefix) return `${prefix}.x`;
    return this.runsText(pkg, set);
  }

  /** '1.0, 1.2 to 1.4 or 2.0', never abbreviated to a wildcard. */
  runsText(pkg: PackageName, set: VersionSet, separator = ' to '): string {
    const all = this.versions(pkg);
    const runs = set.runs().map(([a, b]) => (a === b ? all[a] : `${all[a]}${separator}${all[b]}`));
    if (runs.length > MAX_RUNS) return `${runs.slice(0, MAX_RUNS - 1).join(', ')} and ${set.count()} more versions`;
    return runs.length === 1 ? runs[0] : `${runs.slice(0, -1).join(', ')} or ${runs[runs.length - 1]}`;
  }

  /** A selected package version range: 'foo 1.0.0', 'every version of foo' (or 'foo' without every). */
  subject(t: Term, every: boolean): string {
    const all = this.versions(t.package);
    const count = t.set.count();
    if (count === all.length && all.length !== 1) return every ? `every version of ${this.name(t.package)}` : this.name(t.package);
    if (count === 0) return `no version of ${this.name(t.package)}`;
    return `${this.name(t.package)} ${this.versionList(t.package, t.set)}`;
  }

  /** Like subject, but stressing that the statement holds for each version: 'every realtime 2.4.x (2.4.0 to 2.4.3)'. */
  every(pkg: PackageName, set: VersionSet): string {
    const all = this.versions(pkg);
    const count = set.count();
    if (count === 1 || (count === all.length && all.length !== 1)) return this.subject(positive(pkg, set), true);
    const first = all[set.first()];
    const last = all[set.last()];
    const prefix = wildcardPrefix(all, set);
    if (prefix) return `every ${this.name(pkg)} ${prefix}.x (${first} to ${last})`;
    if (set.runs().length === 1) return `every ${this.name(pkg)} from ${first} to ${last}`;
    return `each of ${this.name(pkg)} ${this.runsText(pkg, set)}`;
  }

  /** What a requirement on a set reads as: the written specifier when one matches exactly. */
  target(pkg: PackageName, set: VersionSet): string {
    const known = this.specs.get(pkg)?.find((s) => s.set.equals(set));
    if (known) return known.text;
    if (set.count() === this.versions(pkg).length) return this.name(pkg);
    return `${this.name(pkg)} ${this.versionList(pkg, set)}`;
  }

  /** One incompatibility as a clause ("supabase 2.15.3 depends on realtime>=2.4.0,<2.5.0"). */
  describe(inc: Incompatibility): string {
    const c = inc.cause;
    const dependentTerm = (pkg: PackageName | undefined) => inc.terms.find((t) => t.package === pkg && t.positive);
    const who = (pkg: PackageName | undefined) => {
      const t = dependentTerm(pkg);
      return pkg === ROOT || !t ? 'your requirements' : this.subject(t, true);
    };
    switch (c.kind) {
      case 'root':
        return 'your project is required';
      case 'dependency': {
        const req = this.requirement(c.dependency.package, c.dependency.specifier);
        const when = c.dependency.condition ? ` (when ${c.dependency.condition})` : '';
        if (c.dependency.constraintOnly) {
          return c.dependent === ROOT ? `your constraints allow only ${req}${when}` : `${who(c.dependent)} constrains ${req}${when}`;
        }
        return `${who(c.dependent)} ${c.dependent === ROOT ? 'include' : 'depends on'} ${req}${when}`;
      }
      case 'no-versions': {
        if (!c.dependency) return `no version of ${this.name(c.package)} is left`;
        const verb = c.dependent === ROOT ? 'include' : 'depends on';
        const all = this.versions(c.package);
        const available = all.length > 0 ? `available: ${this.runsText(c.package, VersionSet.full(all.length))}` : `it has no versions`;
        return `${who(c.dependent)} ${verb} ${this.requirement(c.package, c.dependency.specifier)} (no version of ${this.name(c.package)} matches; ${available}${this.excluded(c.package, c.dependency.specifier)})`;
      }
      case 'unknown-package': {
        const verb = c.dependent === ROOT ? 'include' : 'depends on';
        const req = c.dependency ? this.requirement(c.package, c.dependency.specifier) : this.name(c.package);
        return `${who(c.dependent)} ${verb} ${req} (${this.name(c.package)} cannot be found: ${c.message})`;
      }
      case 'unavailable':
        return `${this.forbidden(inc.terms[0])} (${c.reason})`;
      case 'rule':
        return describeRule(c.rule);
      case 'conflict':
        return this.describeDerived(inc);
    }
  }

  /** 'foo 1.0.0 cannot be used', 'no version of foo can be used'. */
  forbidden(t: Term | undefined): string {
    if (!t) return 'version solving failed';
    const all = this.versions(t.package);
    if (t.set.count() === all.length && all.length !== 1) return `no version of ${this.name(t.package)} can be used`;
    return `${this.subject(t, false)} cannot be used`;
  }

  private describeDerived(inc: Incompatibility): string {
    const pos = inc.terms.filter((t) => t.positive);
    const neg = inc.terms.filter((t) => !t.positive);
    if (inc.terms.length === 0 || (pos.length === 1 && neg.length === 0 && pos[0].package === ROOT)) return 'version solving failed';
    const targets = neg.map((t) => this.target(t.package, t.set)).join(' or ');
    if (pos.length === 0) return `${targets} is required`;
    if (pos.length === 1 && neg.length === 0) return this.forbidden(pos[0]);
    if (pos.length === 1) {
      return pos[0].package === ROOT ? `your requirements need ${targets}` : `${this.subject(pos[0], true)} requires ${targets}`;
    }
    const subjects = pos.filter((t) => t.package !== ROOT).map((t) => this.subject(t, false));
    const joined = subjects.length === 1 ? subjects[0] : `${subjects.slice(0, -1).join(', ')} and ${subjects[subjects.length - 1]}`;
    if (neg.length === 0) return subjects.length === 1 ? this.forbidden(pos.find((t) => t.package !== ROOT)) : `${joined} are incompatible`;
    return `${joined} together require ${targets}`;
  }

  /** Whether an incompatibility is an external dependency fact (for "depends on" rather than "requires"). */
  isDependency(inc: Incompatibility): boolean {
    return inc.cause.kind === 'dependency' && !inc.cause.dependency.constraintOnly && !isDerived(inc);
  }
}

/** 'the team rule in pinsight.toml:3 says uvicorn<0.30 and websockets>=14 are incompatible ("...")'. */
export function describeRule(rule: RuleNote): string {
  const reqs = rule.requirements;
  const joined = reqs.length <= 2 ? reqs.join(' and ') : `${reqs.slice(0, -1).join(', ')} and ${reqs[reqs.length - 1]}`;
  const source = rule.source ? `; evidence: ${rule.source}` : '';
  return `the team rule in ${rule.where} says ${joined} are incompatible ("${rule.reason.replace(/\.$/, '')}"${source})`;
}

/** The dotted prefix P such that `set` is exactly the versions 'P.*' (at least two of them). */
function wildcardPrefix(all: readonly string[], set: VersionSet): string | undefined {
  if (set.count() < 2) return undefined;
  const a = all[set.first()].split('.');
  const b = all[set.last()].split('.');
  let n = 0;
  while (n < a.length - 1 && n < b.length - 1 && a[n] === b[n]) n++;
  if (n === 0) return undefined;
  const prefix = a.slice(0, n);
  let matching = 0;
  for (let i = 0; i < all.length; i++) {
    const parts = all[i].split('.');
    const inside = parts.length > n && prefix.every((p, j) => parts[j] === p);
    if (inside !== set.has(i)) return undefined;
    if (inside) matching++;
  }
  return matching >= 2 ? prefix.join('.') : undefined;
}
