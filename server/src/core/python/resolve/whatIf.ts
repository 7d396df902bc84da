// What-if questions over the Python provider, answered by re-solving with edited roots: the
// highest version of a package the other requirements allow, the smallest upgrade of another
// direct requirement that would admit a wanted version, and why a package is in a solution.
// Every re-solve shares the provider's registry cache; a budget (solves, time, AbortSignal)
// keeps the answers bounded in an editor.

import type { Dependency } from '../../model';
import { compareVersions, parseSpecifierSet, parseVersion, type Version } from '../versions/pep440';
import { normalizeName } from '../versions/pep508';
import type { Requirer, SolveResult } from '../../pubgrub/solver';
import type { PythonProvider, RootRequirement } from './provider';
import { resolvePython } from './resolvePython';
import type { DependencyOrigin, PackageName } from '../../pubgrub/types';
import { ROOT } from '../../pubgrub/types';

type Solution = Extract<SolveResult, { kind: 'solution' }>;
type Stop = { kind: 'stopped'; reason: 'aborted' | 'too-complex' | 'error' | 'budget' | 'incomplete'; message: string };

export interface WhatIfOptions {
  signal?: AbortSignal;
  /** Solver step cap per re-solve (the solver's default otherwise). */
  maxSteps?: number;
  /** Re-solves allowed in total (default 40). */
  maxSolves?: number;
  /** Wall-clock budget in milliseconds (default 15 s). */
  timeBudgetMs?: number;
  /** Clock for the budget (default Date.now). */
  now?: () => number;
}

export type HighestCompatible =
  | { kind: 'found'; package: string; version: string; solution: Solution }
  /** Even with the pin removed the requirements conflict: the conflict is elsewhere. */
  | { kind: 'conflict'; result: Extract<SolveResult, { kind: 'conflict' }> }
  /** The package is not part of the relaxed solution (e.g. only under a false marker). */
  | { kind: 'absent'; package: string; solution: Solution }
  | Stop;

export type Unlock =
  /** The wanted version already works with the requirements as they are. */
  | { kind: 'already'; message: string; solution: Solution }
  | { kind: 'unlocked'; package: string; version: string; from: string; message: string; solution: Solution }
  | { kind: 'none'; message: string; tried: Array<{ package: string; outcome: 'no-newer-release' | 'no-release-works' | 'budget' }> }
  | Stop;

export interface ChainStep {
  package: PackageName;
  version: string;
  /** What the previous step (or the manifest, for the first) requires of this package. */
  specifier: string;
  condition?: string;
  origin?: DependencyOrigin;
}

class Budget {
  private solves = 0;
  private readonly deadline: number;
  private readonly now: () => number;

  constructor(private readonly options: WhatIfOptions) {
    this.now = options.now ?? Date.now;
    this.deadline = this.now() + (options.timeBudgetMs ?? 15_000);
  }

  exhausted(): boolean {
    return this.solves >= (this.options.maxSolves ?? 40) || this.now() >= this.deadline;
  }

  async solve(provider: PythonProvider): Promise<SolveResult> {
    this.solves++;
    return (await resolvePython(provider, { signal: this.options.signal, maxSteps: this.options.maxSteps })).result;
  }
}

function stopOf(result: SolveResult): Stop | undefined {
  if (result.kind === 'aborted') return { kind: 'stopped', reason: 'aborted', message: 'The question was cancelled.' };
  if (result.kind === 'too-complex') return { kind: 'stopped', reason: 'too-complex', message: 'The re-solve took too many steps; try again with fewer requirements.' };
  if (result.kind === 'error') return { kind: 'stopped', reason: 'error', message: result.message };
  // A registry that failed mid-question leaves no answer, never a guessed one.
  if (result.kind === 'incomplete') return { kind: 'stopped', reason: 'incomplete', message: result.reason };
  return undefined;
}

/** The roots with every requirement on `name` given `specifier`, its constraints and overrides dropped; added when absent. */
export function withRootSpecifier(roots: readonly RootRequirement[], name: string, specifier: string): RootRequirement[] {
  const out: RootRequirement[] = [];
  let present = false;
  for (const r of roots) {
    const d = r.dependency;
    if (d.ecosystem !== 'pypi' || d.normalizedName !== name) out.push(r);
    else if (!d.constraint && !d.override) {
      present = true;
      out.push({ ...r, dependency: { ...d, specifier } });
    }
  }
  if (!present) out.push({ dependency: syntheticDependency(name, specifier) });
  return out;
}

function syntheticDependency(name: string, specifier: string): Dependency {
  const zero = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  return {
    name, normalizedName: name, ecosystem: 'pypi', extras: [], specifier, marker: null, section: 'what-if', constraint: false, override: false,
    optional: false, source: 'registry', range: zero, nameRange: zero, hashes: [], editable: false, raw: `${name}${specifier}`,
  };
}

/** The version of `pkg` a solve picks once the manifest's own pin on it is removed (the seed: websockets 14.2). */
export async function highestCompatible(provider: PythonProvider, pkg: string, options: WhatIfOptions = {}): Promise<HighestCompatible> {
  const name = normalizeName(pkg);
  const present = provider.roots.some((r) => r.dependency.normalizedName === name && !r.dependency.constraint && !r.dependency.override);
  const roots = present ? withRootSpecifier(provider.roots, name, '') : provider.roots.filter((r) => r.dependency.normalizedName !== name || (!r.dependency.constraint && !r.dependency.override));
  const result = await new Budget(options).solve(provider.withRoots(roots));
  if (result.kind === 'conflict') return { kind: 'conflict', result };
  if (result.kind !== 'solution') return stopOf(result) as Stop;
  const version = result.versions.get(name);
  return version === undefined ? { kind: 'absent', package: name, solution: result } : { kind: 'found', package: name, version, solution: result };
}

/**
 * The highest versions several direct requirements can take together: each relaxed to any version
 * at once, the others as written. Moving every pin to these versions is a fixed point: relaxing
 * them again gives the same solution. Null when the relaxed set does not resolve.
 */
export async function highestCompatibleTogether(provider: PythonProvider, pkgs: string[], options: WhatIfOptions = {}): Promise<Map<string, string> | null> {
  let roots: RootRequirement[] = [...provider.roots];
  for (const pkg of pkgs) roots = withRootSpecifier(roots, normalizeName(pkg), '');
  const result = await new Budget(options).solve(provider.withRoots(roots));
  if (result.kind !== 'solution') return null;
  const out = new Map<string, string>();
  for (const pkg of pkgs) {
    const version = result.versions.get(normalizeName(pkg));
    if (version !== undefined) out.set(normalizeName(pkg), version);
  }
  return out;
}

/**
 * The smallest upgrade of one other direct requirement that admits `pkg==version`, trying the
 * packages in `prefer` (the conflict chain) first, then the manifest's order.
 */
export async function whatWouldUnlock(
  provider: PythonProvider,
  pkg: string,
  version: string,
  options: WhatIfOptions & { prefer?: string[] } = {},
): Promise<Unlock> {
  const name = normalizeName(pkg);
  // The provider only throws when the signal aborts.
  const listed = await provider.versions(name, options.signal).catch(() => undefined);
  if (!listed) return stopOf({ kind: 'aborted' }) as Stop;
  if (listed.kind === 'incomplete') return { kind: 'stopped', reason: 'incomplete', message: listed.reason };
  const wanted = parseVersion(version);
  if (listed.kind === 'ok' && !listed.versions.some((v) => wanted !== null && compareVersions(parseVersion(v) as Version, wanted) === 0)) {
    return { kind: 'none', tried: [], message: `${provider.displayName(name)} has no release ${version}.` };
  }
  const budget = new Budget(options);
  const pinned = withRootSpecifier(provider.roots, name, `==${version}`);
  const first = await budget.solve(provider.withRoots(pinned));
  if (first.kind === 'solution') return { kind: 'already', message: `${provider.displayName(name)} ${version} already works with these requirements.`, solution: first };
  if (first.kind !== 'conflict') return stopOf(first) as Stop;
  const tried: Array<{ package: string; outcome: 'no-newer-release' | 'no-release-works' | 'budget' }> = [];
  for (const other of candidatesToUpgrade(provider, name, options.prefer ?? [])) {
    if (budget.exhausted()) {
      tried.push({ package: other, outcome: 'budget' });
      continue;
    }
    const found = await smallestUpgrade(provider, pinned, other, budget);
    if (found.kind === 'stopped') return found;
    if (found.kind === 'tried') tried.push({ package: other, outcome: found.outcome });
    else {
      const label = provider.displayName(other);
      return { kind: 'unlocked', package: other, version: found.version, from: found.from, solution: found.solution,
        message: `${label} ${found.version} allows ${provider.displayName(name)} ${version}.` };
    }
  }
  return { kind: 'none', tried, message: noneMessage(provider, name, version, tried) };
}

function noneMessage(provider: PythonProvider, name: string, version: string, tried: Array<{ package: string; outcome: string }>): string {
  const wanted = `${provider.displayName(name)} ${version}`;
  if (tried.length === 0) return `No other direct requirement could be upgraded to allow ${wanted}.`;
  if (tried.every((t) => t.outcome === 'budget')) return `Pinsight ran out of time before finding an upgrade that allows ${wanted}.`;
  const names = tried.filter((t) => t.outcome !== 'budget').map((t) => provider.displayName(t.package));
  const list = names.length <= 2 ? names.join(' or ') : `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;
  return `No released version of ${list} allows ${wanted} yet.`;
}

// Direct requirements other than `name` (and its extras), the preferred ones first.
function candidatesToUpgrade(provider: PythonProvider, name: string, prefer: string[]): string[] {
  const direct: string[] = [];
  for (const { dependency: d } of provider.roots) {
    if (d.ecosystem === 'pypi' && d.source === 'registry' && !d.constraint && !d.override && d.normalizedName !== name && !direct.includes(d.normalizedName)) direct.push(d.normalizedName);
  }
  const first = prefer.map((p) => normalizeName(p.replace(/\[.*$/, ''))).filter((p, i, all) => direct.includes(p) && all.indexOf(p) === i);
  return [...first, ...direct.filter((d) => !first.includes(d))];
}

type UpgradeOutcome =
  | { kind: 'found'; version: string; from: string; solution: Solution }
  | { kind: 'tried'; outcome: 'no-newer-release' | 'no-release-works' | 'budget' }
  | Stop;

async function smallestUpgrade(provider: PythonProvider, roots: RootRequirement[], other: string, budget: Budget): Promise<UpgradeOutcome> {
  const versions = await provider.versions(other);
  if (versions.kind === 'incomplete') return { kind: 'stopped', reason: 'incomplete', message: versions.reason };
  if (versions.kind !== 'ok') return { kind: 'tried', outcome: 'no-release-works' };
  const specs = roots.filter((r) => r.dependency.normalizedName === other).map((r) => r.dependency.specifier);
  const from = specs.filter(Boolean).join(',');
  const newer = newerReleases(provider, other, versions.versions, from);
  if (newer.length === 0) return { kind: 'tried', outcome: 'no-newer-release' };
  // One solve says whether any newer release works; preferring the lowest makes it usually the smallest.
  const floor = newer[0];
  const open = withRootSpecifier(roots, other, `>=${floor}`);
  const probe = await budget.solve(provider.derive({ roots: open, preferLowest: new Set([other]) }));
  if (probe.kind === 'conflict') return { kind: 'tried', outcome: 'no-release-works' };
  if (probe.kind !== 'solution') return stopOf(probe) as Stop;
  const found = probe.versions.get(other) as string;
  // Confirm nothing smaller works (preference is a heuristic, not a proof).
  for (const candidate of newer) {
    if (candidate === found) break;
    if (budget.exhausted()) break;
    const result = await budget.solve(provider.withRoots(withRootSpecifier(roots, other, `==${candidate}`)));
    if (result.kind === 'solution') return { kind: 'found', version: candidate, from, solution: result };
    const stop = stopOf(result);
    if (stop) return stop;
  }
  return { kind: 'found', version: found, from, solution: probe };
}

// Final, unyanked releases above everything the current specifier allows, ascending.
function newerReleases(provider: PythonProvider, name: string, versions: string[], specifier: string): string[] {
  const facts = provider.versionFacts(name);
  const parsed = parseSpecifierSet(specifier);
  const set = parsed.ok ? parsed.set : null;
  let ceiling = -1;
  versions.forEach((v, i) => {
    if (set?.contains(v, { prereleases: true })) ceiling = i;
  });
  const allowPre = provider.options.allowPrereleases === true;
  return versions.slice(ceiling + 1).filter((v) => {
    const f = facts?.byVersion.get(v);
    return f !== undefined && f.compatible && !f.yanked && (allowPre || !f.pre);
  });
}

/** Every chain of requirements from the manifest to `pkg` in a solution (at most `limit`). */
export function whyIsThisHere(solution: { versions: Map<PackageName, string>; requiredBy: Map<PackageName, Requirer[]> }, pkg: string, limit = 50): ChainStep[][] {
  const chains: ChainStep[][] = [];
  const walk = (target: PackageName, seen: Set<PackageName>, tail: ChainStep[]): void => {
    const version = solution.versions.get(target);
    if (version === undefined) return;
    for (const r of solution.requiredBy.get(target) ?? []) {
      if (chains.length >= limit) return;
      const step: ChainStep = { package: target, version, specifier: r.specifier };
      if (r.condition !== undefined) step.condition = r.condition;
      if (r.by === ROOT) {
        if (r.origin !== undefined) step.origin = r.origin;
        chains.push([step, ...tail]);
      } else if (!seen.has(r.by)) {
        walk(r.by, new Set(seen).add(r.by), [step, ...tail]);
      }
    }
  };
  const name = pkg.includes('[') ? pkg : normalizeName(pkg);
  walk(name, new Set([name]), []);
  return chains;
}
