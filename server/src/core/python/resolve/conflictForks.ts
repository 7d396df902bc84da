// [tool.uv] conflicts: extras or dependency groups a project declares mutually exclusive are never
// installed together, so uv resolves them in separate forks ("Conflicting dependencies",
// docs/concepts/projects/config.md). Resolving every extra at once would report their
// incompatibility as a conflict uv never meets. Each fork keeps one item of every declared set and
// leaves the others out; a conflict in any fork is real, because that fork is an installable choice.

import type { Dependency, ParsedManifest } from '../../model';
import type { UvConflictItem } from '../pyproject/pyproject';
import { normalizeName } from '../versions/pep508';

/** One resolution of the project: what it leaves out and, for messages, which items it keeps. */
export interface ConflictFork {
  excluded: Set<Dependency>;
  keeps: string[];
}

// Enough for every choice of two or three declared sets; more would multiply the resolutions for little.
const MAX_FORKS = 16;

const itemKey = (item: UvConflictItem) => `${item.kind}:${normalizeName(item.name)}`;

/** The extra or group a requirement belongs to (uv's names), or undefined for the project's own dependencies. */
function itemOf(dep: Dependency): string | undefined {
  const extra = /^project\.optional-dependencies\.(.+)$/.exec(dep.section);
  if (extra) return `extra:${normalizeName(extra[1])}`;
  const group = /^dependency-groups\.(.+)$/.exec(dep.section);
  if (group) return `group:${normalizeName(group[1])}`;
  if (dep.section === 'tool.uv.dev-dependencies') return 'group:dev';
  return undefined;
}

/** The forks a pyproject's declared conflicts call for; undefined when it declares none. */
export function conflictForks(manifests: ParsedManifest[]): ConflictFork[] | undefined {
  const root = manifests[0];
  const sets = (root?.kind === 'pyproject' ? root.meta?.uvConflicts : undefined) as UvConflictItem[][] | undefined;
  if (!root || !sets || sets.length === 0) return undefined;
  const keys = sets.map((set) => [...new Set(set.map(itemKey))]);
  let choices: string[][] = [[]];
  for (const set of keys) {
    choices = choices.flatMap((chosen) => set.map((item) => [...chosen, item]));
    if (choices.length > MAX_FORKS) choices = choices.slice(0, MAX_FORKS);
  }
  return choices.map((chosen) => {
    const excluded = new Set<Dependency>();
    for (const dep of root.dependencies) {
      const item = itemOf(dep);
      if (item && keys.some((set, i) => set.includes(item) && chosen[i] !== item)) excluded.add(dep);
    }
    return { excluded, keeps: [...new Set(chosen)] };
  });
}
