// Solving with pip's rules in full. pip decides pre-releases and yanked releases on the AND of
// every requirement on a package, so one requirement can let a version in for all the others (a
// requirement naming `>=2.0b1` admits 2.0b3 for a plain `>=1` too; `==1.0` of a yanked 1.0 admits
// it for a plain `foo`; an extra's exact `foo==2.0b1` is taken as it is). That is not monotone,
// and PubGrub needs monotone facts: the provider judges each requirement alone
// (candidates.ts), which never admits a version pip would refuse but can miss a solution pip
// finds. So after a conflict this re-solves with every requirement relaxed to plain containment
// (finals preferred, as pip tries them first) and keeps that solution only if pip's combined rule
// accepts every version in it and pip, meeting the requirements in its own order, can walk to it
// (pipReplay.ts). A refused solution's relaxed choices are excluded and the re-solve repeats, a
// few times at most; otherwise the first conflict stands, with its explanation. uv decides on
// first-party requirements only: one pass.
//
// A conflict that rests on the registry's failure (a project the index does not have, a version
// whose metadata could not be read) is not a verdict: it comes back as 'incomplete', naming the
// package and the chain that needs it, and no what-if question or fix is built on it.

import { externals } from '../../pubgrub/explain';
import { chainTo, solve, type SolveOptions, type SolveResult } from '../../pubgrub/solver';
import { splitPackage, type PythonProvider } from './provider';
import { cachedSpecifierSet, pipRejects } from './candidates';
import { replayPip } from './pipReplay';
import type { PackageName } from '../../pubgrub/types';

export interface PythonResolution {
  result: SolveResult;
  /** The provider whose answers produced the result (read notes from it). */
  provider: PythonProvider;
  /** 1 when the first solve decided; more when a relaxed re-solve found pip's solution. */
  passes: number;
}

type Solution = Extract<SolveResult, { kind: 'solution' }>;

/** Solves with the provider, then (pip, after a conflict) relaxed with pip's combined rule as the check; at most `maxPasses` solves. */
export async function resolvePython(provider: PythonProvider, options: SolveOptions & { maxPasses?: number } = {}): Promise<PythonResolution> {
  const first = settle(await solve(provider, options));
  if (first.kind !== 'conflict' || provider.options.installer !== 'pip') return { result: first, provider, passes: 1 };
  const exclude = new Map<string, Set<string>>();
  for (let pass = 2; pass <= (options.maxPasses ?? 4); pass++) {
    const next = provider.relaxed(exclude);
    const result = settle(await solve(next, options));
    if (result.kind === 'conflict') break;
    if (result.kind !== 'solution') return { result, provider: next, passes: pass };
    let refused: Array<{ package: PackageName; version: string }> = pipViolations(next, result);
    if (refused.length === 0) {
      if ((await replayPip(next, result, options.signal)) === undefined) return { result, provider: next, passes: pass };
      refused = relaxedChoices(next, result);
      if (refused.length === 0) break;
    }
    for (const r of refused) {
      const base = splitPackage(r.package).base;
      exclude.set(base, new Set([...(exclude.get(base) ?? []), r.version]));
    }
  }
  return { result: first, provider, passes: 1 };
}

/** A conflict that rests on what the registry failed to give, as 'incomplete'; any other result unchanged. */
export function settle(result: SolveResult): SolveResult {
  if (result.kind !== 'conflict') return result;
  for (const inc of externals(result.incompatibility)) {
    const c = inc.cause;
    if (c.kind === 'unknown-package' && c.dependent !== undefined) {
      const chain = chainTo(result.requirers, c.package);
      return { kind: 'incomplete', package: c.package, reason: c.message, unknownPackage: true, chain, stats: result.stats };
    }
    if (c.kind === 'unavailable' && c.incomplete) {
      const chain = chainTo(result.requirers, c.package);
      const versions = result.packageVersions.get(c.package) ?? [];
      const term = inc.terms.find((t) => t.package === c.package);
      const only = term && term.set.count() === 1 ? versions[term.set.last()] : undefined;
      if (only !== undefined && chain.length > 0) chain[chain.length - 1].version = only;
      return { kind: 'incomplete', package: c.package, version: only, reason: c.reason, chain, stats: result.stats };
    }
  }
  return result;
}

/** The versions in a solution that pip's combined rule would refuse, with why (empty for a solution pip accepts). */
export function pipViolations(provider: PythonProvider, solution: Solution): Array<{ package: PackageName; version: string; reason: string }> {
  const out: Array<{ package: PackageName; version: string; reason: string }> = [];
  const allowAll = provider.options.allowPrereleases === true;
  for (const [pkg, version] of solution.versions) {
    const facts = provider.versionFacts(pkg);
    if (!facts) continue;
    const requirers = solution.requiredBy.get(pkg) ?? [];
    // A project pulled in by its own extra is an explicit candidate in pip: only containment is checked.
    if (!pkg.includes('[') && requirers.some((r) => r.by !== pkg && splitPackage(r.by).base === pkg)) continue;
    const sets = [...requirers.map((r) => cachedSpecifierSet(r.specifier)), ...provider.constraintSets(pkg)].filter((s) => s !== null);
    const reason = pipRejects(facts, version, sets, allowAll);
    if (reason) out.push({ package: pkg, version, reason });
  }
  return out;
}

// The versions a relaxed solve picked that some requirer alone would not admit.
function relaxedChoices(provider: PythonProvider, solution: Solution): Array<{ package: PackageName; version: string }> {
  const out: Array<{ package: PackageName; version: string }> = [];
  for (const [pkg, version] of solution.versions) {
    const requirers = solution.requiredBy.get(pkg) ?? [];
    if (requirers.some((r) => splitPackage(r.by).base !== pkg && !provider.candidatesFor(pkg, r.specifier).includes(version))) out.push({ package: pkg, version });
  }
  return out;
}
