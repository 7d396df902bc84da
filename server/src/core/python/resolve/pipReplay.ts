// Would pip 23.2.1 walk to this solution? resolvelib meets requirements one at a time: each new
// requirement on a package recomputes its candidates from every requirement seen so far (pip's
// combined rule, candidates.ts), and an empty result is a conflict at once; a package already
// pinned only has to contain each new requirement (pre-releases and yanked releases included). So
// whether a version that only a combination of requirements admits is reachable depends on the
// order pip meets them in, which follows pip's preference: pinned (`==`) requirements first, then
// nearer the manifest, then the manifest's order, then constrained before free, then by name.
// replayPip pins the solution's versions in that order without backtracking and says where pip
// would stop. When pip gets to a package before the requirement that admits our version has
// arrived, it pins another candidate and changes its pin once that requirement makes the old one
// unsatisfying (resolvelib re-pins unsatisfied names); the replay models that as a placeholder
// that becomes our version when it turns into a candidate (what the placeholder itself would
// have pulled in is not followed). resolvePython.ts accepts a relaxed solution only if pip can
// reach it this way.

import type { SolveResult } from '../../pubgrub/solver';
import { splitPackage, type PythonProvider } from './provider';
import { cachedSpecifierSet, pipCandidates } from './candidates';
import type { PackageName } from '../../pubgrub/types';
import { ROOT } from '../../pubgrub/types';

type Solution = Extract<SolveResult, { kind: 'solution' }>;

interface Seen {
  specifier: string;
  /** The exact `name==v` an extra adds for its own project: pip's ExplicitRequirement. */
  explicit?: string;
  parent: PackageName;
}

/** Undefined when pip, pinning the solution's versions in its own order, meets no dead end; else where it stops. */
export async function replayPip(provider: PythonProvider, solution: Solution, signal?: AbortSignal): Promise<string | undefined> {
  const criteria = new Map<PackageName, Seen[]>();
  const pins = new Map<PackageName, string>([[ROOT, '0']]);
  const depth = new Map<PackageName, number>([[ROOT, 0]]);
  const requested = new Map<string, number>();
  const add = (pkg: PackageName, seen: Seen): string | undefined => {
    const list = [...(criteria.get(pkg) ?? []), seen];
    criteria.set(pkg, list);
    if (candidates(provider, pkg, list).length === 0) return `${describe(seen)} leaves pip no version of ${pkg} to try`;
    return undefined;
  };
  const pin = async (pkg: PackageName, version: string): Promise<string | undefined> => {
    pins.set(pkg, version);
    const deps = await provider.dependencies(pkg, version, signal);
    if (deps.kind !== 'ok') return `${pkg} ${version} cannot be used`;
    for (const dep of deps.dependencies) {
      if (dep.constraintOnly) continue;
      if (pkg === ROOT && !requested.has(splitPackage(dep.package).base)) requested.set(splitPackage(dep.package).base, requested.size);
      const explicit = pkg !== ROOT && splitPackage(pkg).base === dep.package ? version : undefined;
      const stop = add(dep.package, { specifier: dep.specifier, explicit, parent: pkg });
      if (stop) return stop;
    }
    return undefined;
  };
  const first = await pin(ROOT, '0');
  if (first) return first;
  const placeholders = new Set<PackageName>();
  for (;;) {
    for (const [p, list] of criteria) {
      const at = pins.get(p);
      if (at !== undefined && p !== ROOT && !placeholders.has(p) && !list.every((s) => contains(s, at))) return `${p} ${at} no longer fits a later requirement`;
    }
    const ready = (p: PackageName) => candidates(provider, p, criteria.get(p) ?? []).includes(solution.versions.get(p) ?? '');
    const open = [...criteria.keys()].filter((p) => !pins.has(p) || (placeholders.has(p) && ready(p)));
    if (open.length === 0) {
      const stuck = [...placeholders][0];
      return stuck === undefined ? undefined : `pip would settle on another version of ${stuck} before anything admits ${solution.versions.get(stuck)}`;
    }
    const next = open.map((p) => ({ p, key: preference(p, criteria.get(p) ?? [], depth, requested) })).sort((a, b) => compareKeys(a.key, b.key))[0].p;
    depth.set(next, Math.min(...(criteria.get(next) ?? []).map((s) => (depth.get(s.parent) ?? Infinity) + 1)));
    const version = solution.versions.get(next);
    if (version === undefined) return `the solution has no version of ${next}`;
    if (!ready(next)) {
      pins.set(next, '');
      placeholders.add(next);
      continue;
    }
    placeholders.delete(next);
    const stop = await pin(next, version);
    if (stop) return stop;
  }
}

function describe(seen: Seen): string {
  return seen.parent === ROOT ? 'a requirement in your requirements' : `a requirement of ${seen.parent}`;
}

function contains(seen: Seen, version: string): boolean {
  if (seen.explicit !== undefined) return seen.explicit === version;
  const set = cachedSpecifierSet(seen.specifier);
  return set !== null && set.contains(version, { prereleases: true });
}

// pip's find_matches: an explicit candidate if there is one (checked by containment), else the
// combined rule over every requirement and constraint on the project.
function candidates(provider: PythonProvider, pkg: PackageName, seen: Seen[]): string[] {
  const facts = provider.versionFacts(pkg);
  if (!facts) return [];
  const constraints = provider.constraintSets(pkg);
  const explicit = seen.find((s) => s.explicit !== undefined)?.explicit;
  if (explicit !== undefined) {
    const ok = seen.every((s) => contains(s, explicit)) && constraints.every((c) => c.contains(explicit, { prereleases: true }));
    return ok && facts.byVersion.has(explicit) ? [explicit] : [];
  }
  const sets = [...seen.map((s) => cachedSpecifierSet(s.specifier)), ...constraints].filter((s) => s !== null);
  return pipCandidates(facts, sets, provider.options.allowPrereleases === true).map((v) => v.version);
}

type Key = [number, number, number, number, string];

// pip 23.2.1's get_preference without URLs and backtrack causes: (not pinned, depth, user order, not unfree, name).
function preference(pkg: PackageName, seen: Seen[], depth: Map<PackageName, number>, requested: Map<string, number>): Key {
  const ops = seen.flatMap((s) => (s.explicit !== undefined ? [] : (cachedSpecifierSet(s.specifier)?.specifiers ?? []).map((c) => c.operator)));
  const order = pkg.includes('[') ? undefined : requested.get(pkg);
  const inferred = order !== undefined ? 1 : Math.min(...seen.map((s) => (depth.get(s.parent) ?? Infinity) + 1));
  return [ops.some((o) => o.startsWith('==')) ? 0 : 1, inferred, order ?? Infinity, ops.length > 0 ? 0 : 1, pkg];
}

function compareKeys(a: Key, b: Key): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  return 0;
}
