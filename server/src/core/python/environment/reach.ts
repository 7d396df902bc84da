// Which declared requirement brings each installed distribution in: a breadth-first walk over the
// installed distributions' Requires-Dist from every manifest line at once, so each distribution is
// credited to the line with the shortest chain (the earlier line on a tie). Requirements that only
// an extra adds are checked on the way, since pip check never looks at extras.

import type { Dependency, ParsedManifest } from '../../model';
import { normalizeName } from '../versions/pep508';
import type { InstalledDistribution, InstalledRequirement } from './distInfo';
import type { InstalledEnvironment } from './installed';
import type { RequirementJudge } from './pipCheck';

/** A declared requirement that applies in the environment. */
export interface Root {
  manifest: ParsedManifest;
  dep: Dependency;
}

/** How a distribution is reached: the root line and the names along the way, root's distribution first. */
export interface Reach {
  root: Root;
  chain: string[];
}

/** A requirement an extra adds that the environment does not meet. */
export interface ExtraProblem {
  reach: Reach;
  /** The distribution whose extra it is, and the extra. */
  dist: InstalledDistribution;
  extra: string;
  requirement: InstalledRequirement;
  /** Installed at a version outside the requirement; absent when not installed at all. */
  installed?: InstalledDistribution;
}

interface Visit {
  dist: InstalledDistribution;
  extras: string[];
  reach: Reach;
}

/** Walks from the roots; returns the reach of every distribution reached and the unmet extra requirements. */
export function walkFromRoots(roots: Root[], env: InstalledEnvironment, judge: RequirementJudge): { reached: Map<string, Reach>; extraProblems: ExtraProblem[] } {
  const reached = new Map<string, Reach>();
  const done = new Map<string, Set<string>>();
  const extraProblems: ExtraProblem[] = [];
  const queue: Visit[] = [];
  const enqueue = (dist: InstalledDistribution, extras: string[], reach: Reach) => {
    if (!reached.has(dist.normalizedName)) reached.set(dist.normalizedName, reach);
    const seen = done.get(dist.normalizedName);
    // '' stands for the distribution's own requirements; anything not yet walked is queued.
    if (seen && ['', ...extras].every((e) => seen.has(e))) return;
    queue.push({ dist, extras, reach });
  };
  for (const root of roots) {
    const dist = env.distributions.get(root.dep.normalizedName);
    if (dist) enqueue(dist, root.dep.extras.map(normalizeName), { root, chain: [dist.name] });
  }
  for (let i = 0; i < queue.length; i++) {
    const { dist, extras, reach } = queue[i];
    const seen = done.get(dist.normalizedName) ?? new Set<string>();
    done.set(dist.normalizedName, seen);
    for (const extra of ['', ...extras]) {
      if (seen.has(extra)) continue;
      seen.add(extra);
      for (const requirement of dist.requires) {
        if (!appliesFor(requirement, judge, extra)) continue;
        const target = env.distributions.get(requirement.normalizedName);
        if (extra !== '' && !(target && judge.satisfied(requirement, target.version))) extraProblems.push({ reach, dist, extra, requirement, installed: target });
        if (target) enqueue(target, requirement.extras, { root: reach.root, chain: [...reach.chain, target.name] });
      }
    }
  }
  return { reached, extraProblems };
}

/** With extra '' the requirement holds unconditionally; with an extra, only when that extra is what makes it hold. */
function appliesFor(requirement: InstalledRequirement, judge: RequirementJudge, extra: string): boolean {
  if (extra === '') return judge.holds(requirement) === true;
  return judge.holds(requirement, extra) === true && judge.holds(requirement) !== true;
}
