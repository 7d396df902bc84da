// Hover facts for a Python dependency from one check's results: the latest release, what the
// solution chose and who constrains it, the chains that bring it in, what each extra adds, the
// derivation of a conflict it is part of, the highest version the other requirements allow, and
// why the latest is not that (what blocks it, the upgrade that would allow it). Re-solves are kept
// per result so a second hover is instant. The resolver's virtual packages (`uvicorn[standard]`)
// never reach the text: an extra is named as an extra of its package.

import type { HoverFacts } from '../../insight/hoverText';
import type { Dependency, Finding } from '../../model';
import { ROOT, type ProvidedRule } from '../../pubgrub/types';
import { describeRule } from '../../pubgrub/explainText';
import { splitPackage } from '../resolve/provider';
import { highestCompatible, whatWouldUnlock, whyIsThisHere } from '../resolve/whatIf';
import { compareVersions, exactPin, isPrerelease, parseSpecifierSet, parseVersion, type Version } from '../versions/pep440';
import type { PypiFacts } from './registryChecks';
import type { PythonResolutionResult } from './resolutionFindings';

export interface PythonCheckState {
  findings: Finding[];
  pypiFacts: Map<string, PypiFacts>;
  python?: PythonResolutionResult;
  target: string;
  stale: boolean;
}

type Solution = Extract<PythonResolutionResult['result'], { kind: 'solution' }>;

/** "uvicorn (extra standard)" for the resolver's "uvicorn[standard]". */
function displayPackage(pkg: string): string {
  const { base, extra } = splitPackage(pkg);
  return extra === undefined ? base : `${base} (extra ${extra})`;
}

function requirers(solution: Solution, name: string): NonNullable<HoverFacts['requiredBy']> {
  const label = (by: string, version: string) => (by === ROOT ? 'your requirements' : `${displayPackage(by)} ${version}`);
  // An extra's own edge to its package (uvicorn[standard] -> uvicorn==v) stands for whoever required the extra.
  return (solution.requiredBy.get(name) ?? []).flatMap((r) =>
    r.by !== ROOT && splitPackage(r.by).base === name
      ? (solution.requiredBy.get(r.by) ?? []).map((up) => ({ by: label(up.by, up.byVersion), specifier: up.specifier, condition: up.condition }))
      : [{ by: label(r.by, r.byVersion), specifier: r.specifier, condition: r.condition }],
  );
}

function chainsOf(solution: Solution, name: string): string[] {
  return whyIsThisHere(solution, name, 6)
    .map((c) => c.filter((s, i) => i === 0 || splitPackage(s.package).base !== splitPackage(c[i - 1]!.package).base || splitPackage(s.package).extra !== undefined))
    .filter((c) => c.length > 1)
    .map((c) => c.map((s, i) => (i === 0 ? `${displayPackage(s.package)} ${s.version}` : `${displayPackage(s.package)}${s.specifier}`)).join(' → '));
}

/** What each extra of the requirement brings into the solution, with versions. */
function extrasAdded(solution: Solution, dep: Dependency): HoverFacts['extras'] {
  return dep.extras.map((extra) => {
    const virtual = `${dep.normalizedName}[${extra.toLowerCase()}]`;
    const adds: string[] = [];
    for (const [pkg, list] of solution.requiredBy) {
      if (splitPackage(pkg).base !== dep.normalizedName && list.some((r) => r.by === virtual)) adds.push(`${pkg} ${solution.versions.get(pkg) ?? ''}`.trim());
    }
    return { extra, adds: adds.sort() };
  });
}

/** Requirers in the solution whose specifier leaves `latest` out, with the chain that brings each in. */
function blockersOf(solution: Solution, name: string, latest: string): string[] {
  const out: string[] = [];
  for (const r of solution.requiredBy.get(name) ?? []) {
    if (r.by === ROOT || splitPackage(r.by).base === name) continue;
    const set = parseSpecifierSet(r.specifier);
    if (!set.ok || set.set.contains(latest, { prereleases: true })) continue;
    const via = whyIsThisHere(solution, splitPackage(r.by).base, 1)[0];
    const path = via && via.length > 1 ? ` (via ${via.slice(0, -1).map((s, i) => (i === 0 ? `${displayPackage(s.package)} ${s.version}` : displayPackage(s.package))).join(' → ')})` : '';
    out.push(`${displayPackage(r.by)} ${r.byVersion} requires ${name}${r.specifier}${path}`);
  }
  return out;
}

/** Team rules that leave `latest` out beside the versions the solution chose. */
function ruleBlockersOf(rules: readonly ProvidedRule[] | undefined, solution: Solution, name: string, latest: string): string[] {
  const out: string[] = [];
  for (const rule of rules ?? []) {
    const mine = rule.terms.find((t) => t.package === name);
    if (!mine || !mine.allows(latest)) continue;
    const others = rule.terms.filter((t) => t !== mine).map((t) => ({ t, version: solution.versions.get(t.package) }));
    if (others.every(({ t, version }) => version !== undefined && t.allows(version))) {
      out.push(`${describeRule(rule.note)}, and ${others.map(({ t, version }) => `${displayPackage(t.package)} ${version}`).join(', ')} ${others.length === 1 ? 'is' : 'are'} chosen`);
    }
  }
  return out;
}

/** The newest final release of each major between `low` and `high` (both excluded), newest first; at most three. */
function stepsBetween(versions: readonly string[], low: string, high: string): string[] {
  const lo = parseVersion(low);
  const hi = parseVersion(high);
  if (!lo || !hi) return [];
  const byMajor = new Map<number, { text: string; version: Version }>();
  for (const text of versions) {
    const v = parseVersion(text);
    if (!v || isPrerelease(v) || compareVersions(v, lo) <= 0 || compareVersions(v, hi) >= 0) continue;
    const major = v.release[0] ?? 0;
    const best = byMajor.get(major);
    if (!best || compareVersions(v, best.version) > 0) byMajor.set(major, { text, version: v });
  }
  return [...byMajor.values()].sort((a, b) => compareVersions(b.version, a.version)).slice(0, 3).map((x) => x.text);
}

/** A hover-facts function over one check's results; re-solves are shared between hovers. */
export function pythonHoverFacts(state: PythonCheckState): (dep: Dependency, signal?: AbortSignal) => Promise<HoverFacts> {
  const memo = new Map<string, Promise<string | undefined>>();
  // A cancelled hover must not leave a cancelled answer behind for the next one.
  const once = (key: string, signal: AbortSignal | undefined, compute: () => Promise<string | undefined>): Promise<string | undefined> => {
    let answer = memo.get(key);
    if (!answer) {
      answer = compute().catch(() => undefined);
      memo.set(key, answer);
      void answer.then((v) => v === undefined && signal?.aborted && memo.delete(key));
    }
    return answer;
  };
  const highest = (name: string, signal?: AbortSignal) =>
    once(`highest\u0000${name}`, signal, async () => {
      if (!state.python) return undefined;
      const r = await highestCompatible(state.python.provider, name, { signal, timeBudgetMs: 3_000 });
      return r.kind === 'found' ? r.version : undefined;
    });
  // The latest first; when no upgrade allows it, the newest release of each older major above the
  // highest compatible, so the answer names the nearest step that an upgrade does allow.
  const unlock = (name: string, latest: string, compatible: string, signal?: AbortSignal) =>
    once(`unlock\u0000${name}\u0000${latest}`, signal, async () => {
      const python = state.python;
      if (!python) return undefined;
      const first = await whatWouldUnlock(python.provider, name, latest, { signal, timeBudgetMs: 4_000 });
      if (first.kind === 'unlocked') return first.message;
      if (first.kind !== 'none' && first.kind !== 'stopped') return undefined;
      // An unreadable project on the way (a registry gap) leaves the latest undecided: say so, then try nearer steps.
      const latestAnswer = first.kind === 'none' ? first.message : `Whether an upgrade allows ${name} ${latest} is not known (${first.message.replace(/\.?$/, '')}).`;
      for (const step of stepsBetween(python.provider.versionsOf(name) ?? [], compatible, latest)) {
        const r = await whatWouldUnlock(python.provider, name, step, { signal, timeBudgetMs: 2_000 });
        if (r.kind === 'unlocked') return `${latestAnswer} ${r.message.replace(/\.?$/, '.')}`;
        if (r.kind !== 'none' && r.kind !== 'stopped') break;
      }
      return latestAnswer;
    });
  return async (dep, signal) => {
    const name = dep.normalizedName;
    const facts: HoverFacts = { latest: state.pypiFacts.get(name)?.latest, pinned: exactPin(dep.specifier)?.version, target: state.target, stale: state.stale };
    const result = state.python?.result;
    if (result?.kind === 'solution') {
      facts.resolved = result.versions.get(name);
      facts.requiredBy = requirers(result, name);
      facts.chains = chainsOf(result, name);
      if (dep.extras.length > 0) facts.extras = extrasAdded(result, dep);
      else if (facts.resolved && state.python) facts.availableExtras = await state.python.provider.extrasOf(name, facts.resolved, signal).catch(() => []);
    }
    if (result?.kind === 'conflict' && state.python?.explanation) {
      const inConflict = state.findings.some((f) => f.package === name && (f.code === 'conflict' || f.code === 'possible-conflict'));
      if (inConflict) facts.explanation = state.python.explanation.lines;
    }
    if (dep.source !== 'registry' || dep.constraint) return facts;
    facts.highestCompatible = await highest(name, signal);
    if (result?.kind === 'solution' && facts.latest && facts.highestCompatible && facts.latest !== facts.highestCompatible) {
      const blockers = [...blockersOf(result, name, facts.latest), ...ruleBlockersOf(state.python?.provider.rules, result, name, facts.latest)];
      if (blockers.length > 0) facts.whyNotNewer = { latest: facts.latest, blockers, unlock: await unlock(name, facts.latest, facts.highestCompatible, signal) };
    }
    return facts;
  };
}
