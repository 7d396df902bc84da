// What `pip check` (pip 23.2.1, operations/check.py) reports for an installed set: for every
// distribution, each Requires-Dist whose marker holds (with extra "") that names a distribution
// not installed, or one installed at a version outside the specifier (pre-releases allowed).
// A distribution with an unparseable Requires-Dist is left out of the set, as pip leaves it out.

import type { Platform } from '../../ecosystem';
import { makeTarget } from '../resolve/target';
import { evaluateMarker, type MarkerEnvironment, type Tristate } from '../versions/markers';
import type { InstalledDistribution, InstalledRequirement } from './distInfo';
import type { InstalledEnvironment } from './installed';

/** One line of `pip check`. */
export interface InstalledProblem {
  kind: 'missing' | 'conflict';
  /** The distribution whose requirement is not met. */
  dist: InstalledDistribution;
  requirement: InstalledRequirement;
  /** For conflicts: the distribution installed at a version the requirement excludes. */
  installed?: InstalledDistribution;
}

/** The marker environment of an installed interpreter on this platform (CPython assumed, as target selection does). */
export function installedMarkerEnvironment(pythonVersion: string | undefined, platform: Platform, arch?: string): MarkerEnvironment {
  const environment = { ...makeTarget({ pythonVersion, platform, arch }).environment };
  // CPython's implementation version is its Python version; without it a marker on it stays unknown.
  if (environment.python_full_version && environment.implementation_name === 'cpython') environment.implementation_version = environment.python_full_version;
  return environment;
}

/** Whether a requirement's marker holds when these extras are requested ([] = none, as pip check asks). */
export function markerHolds(req: { marker: InstalledRequirement['marker'] }, environment: MarkerEnvironment, extras: string[] = []): Tristate {
  if (!req.marker) return true;
  return evaluateMarker(req.marker, { ...environment, extra: extras });
}

interface Memo {
  environment: string;
  /** Per extra ('' for none), whether the marker holds. */
  holds: Map<string, Tristate>;
  /** The last installed version compared with the specifier, and the verdict. */
  version?: string;
  satisfied?: boolean;
}

// Requirements live as long as the environment cache keeps their distribution, so verdicts are
// remembered across re-checks: a warm check of 1,000 distributions evaluates no marker twice.
const memos = new WeakMap<InstalledRequirement, Memo>();

/** Marker and specifier verdicts for one environment, remembered per requirement across checks. */
export class RequirementJudge {
  private readonly key: string;

  constructor(readonly environment: MarkerEnvironment) {
    this.key = JSON.stringify(environment);
  }

  private memo(req: InstalledRequirement): Memo {
    let memo = memos.get(req);
    if (!memo || memo.environment !== this.key) {
      memo = { environment: this.key, holds: new Map() };
      memos.set(req, memo);
    }
    return memo;
  }

  /** Whether the marker holds with this extra requested ('' for none). */
  holds(req: InstalledRequirement, extra = ''): Tristate {
    if (!req.marker) return true;
    const memo = this.memo(req);
    let verdict = memo.holds.get(extra);
    if (verdict === undefined) {
      verdict = markerHolds(req, this.environment, extra === '' ? [] : [extra]);
      memo.holds.set(extra, verdict);
    }
    return verdict;
  }

  /** Whether an installed version satisfies the specifier, pre-releases allowed (pip check's rule). */
  satisfied(req: InstalledRequirement, version: string): boolean {
    if (!req.specifierSet) return true;
    const memo = this.memo(req);
    if (memo.version !== version) {
      memo.version = version;
      memo.satisfied = req.specifierSet.contains(version, { prereleases: true });
    }
    return memo.satisfied!;
  }
}

/** The distributions pip check considers: all but those whose Requires-Dist pip cannot parse. */
export function checkedSet(env: InstalledEnvironment): Map<string, InstalledDistribution> {
  const out = new Map<string, InstalledDistribution>();
  for (const [name, dist] of env.distributions) if (!dist.requiresError) out.set(name, dist);
  return out;
}

/** Every problem `pip check` reports for the environment, in pip's order (by distribution, then requirement text). */
export function checkInstalledSet(env: InstalledEnvironment, environment: MarkerEnvironment | RequirementJudge): InstalledProblem[] {
  const judge = environment instanceof RequirementJudge ? environment : new RequirementJudge(environment);
  const set = checkedSet(env);
  const missing: InstalledProblem[] = [];
  const conflicts: InstalledProblem[] = [];
  for (const dist of set.values()) {
    const distMissing: InstalledProblem[] = [];
    const distConflicts: InstalledProblem[] = [];
    for (const requirement of dist.requires) {
      // An unknown marker (a variable this host cannot know) is not reported: only what pip would.
      if (judge.holds(requirement) !== true) continue;
      const installed = set.get(requirement.normalizedName);
      if (!installed) distMissing.push({ kind: 'missing', dist, requirement });
      else if (!judge.satisfied(requirement, installed.version)) distConflicts.push({ kind: 'conflict', dist, requirement, installed });
    }
    missing.push(...dedupe(distMissing));
    conflicts.push(...dedupe(distConflicts));
  }
  return [...missing, ...conflicts];
}

/** pip keeps a set per distribution: the same requirement twice is one problem. */
function dedupe(problems: InstalledProblem[]): InstalledProblem[] {
  const seen = new Set<string>();
  return problems
    .filter((p) => {
      const key = p.kind === 'missing' ? p.requirement.normalizedName : `${p.requirement.normalizedName} ${p.requirement.specifier}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort((a, b) => (a.requirement.raw < b.requirement.raw ? -1 : a.requirement.raw > b.requirement.raw ? 1 : 0));
}

/** The problem in pip check's own words (the requirement in its normalised form). */
export function describeProblem(problem: InstalledProblem): string {
  const { dist, requirement, installed } = problem;
  if (problem.kind === 'missing') return `${dist.normalizedName} ${dist.version} requires ${requirement.normalizedName}, which is not installed.`;
  return `${dist.normalizedName} ${dist.version} has requirement ${requirement.name}${requirement.specifier}, but you have ${installed!.normalizedName} ${installed!.version}.`;
}
