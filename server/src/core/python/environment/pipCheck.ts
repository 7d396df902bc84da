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

/** The distributions pip check considers: all but those whose Requires-Dist pip cannot parse. */
export function checkedSet(env: InstalledEnvironment): Map<string, InstalledDistribution> {
  const out = new Map<string, InstalledDistribution>();
  for (const [name, dist] of env.distributions) if (!dist.requiresError) out.set(name, dist);
  return out;
}

/** Every problem `pip check` reports for the environment, in pip's order (by distribution, then requirement text). */
export function checkInstalledSet(env: InstalledEnvironment, environment: MarkerEnvironment): InstalledProblem[] {
  const set = checkedSet(env);
  const missing: InstalledProblem[] = [];
  const conflicts: InstalledProblem[] = [];
  for (const dist of set.values()) {
    const distMissing: InstalledProblem[] = [];
    const distConflicts: InstalledProblem[] = [];
    for (const requirement of dist.requires) {
      // An unknown marker (a variable this host cannot know) is not reported: only what pip would.
      if (markerHolds(requirement, environment) !== true) continue;
      const installed = set.get(requirement.normalizedName);
      if (!installed) distMissing.push({ kind: 'missing', dist, requirement });
      else if (requirement.specifierSet && !requirement.specifierSet.contains(installed.version, { prereleases: true })) {
        distConflicts.push({ kind: 'conflict', dist, requirement, installed });
      }
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
