// The short form of an explanation: which manifest requirements the conflict starts from, and the
// requirement edges that lead from one of them to a clash with another ("websockets==15.0.1
// conflicts with supabase==2.15.3: supabase 2.15.3 requires realtime>=2.4.0,<2.5.0, and every
// realtime 2.4.x (2.4.0 to 2.4.3) requires websockets>=11,<15.").

import type { DependencyOrigin, PackageName } from './types';
import { ROOT } from './types';
import type { Incompatibility } from './incompatibility';
import { isDerived } from './incompatibility';
import { describeRule, type Words } from './explainText';
import { VersionSet } from './versionSet';

export interface RootRequirement {
  package: PackageName;
  specifier: string;
  origin?: DependencyOrigin;
  /** A constraint (pip -c): limits the package's versions without requiring it. */
  constraintOnly?: boolean;
}

interface Edge {
  from: PackageName;
  dependents: VersionSet;
  to: PackageName;
  allowed: VersionSet;
  specifier: string;
  /** 'P[x] depends on P==v': walked through, never shown. */
  hidden: boolean;
}

interface Step {
  edge: Edge;
  /** The dependents this step speaks for: the edge's, within what the previous step allowed. */
  covered: VersionSet;
}

interface Reach {
  set: VersionSet;
  steps: Step[];
}

interface Start {
  label: string;
  set: VersionSet;
  reach: Map<PackageName, Reach[]>;
}

const MAX_DEPTH = 12;
const MAX_REACHES = 4;

/** 'uvicorn' for 'uvicorn[standard]', else undefined. */
export function virtualBase(pkg: PackageName): PackageName | undefined {
  const m = /^(.+)\[[^\]]*\]$/.exec(pkg);
  return m ? m[1] : undefined;
}

/** Summary, roots and chain for a derivation graph whose externals are given. */
export function summarize(root: Incompatibility, externals: Incompatibility[], words: Words): { summary: string; roots: RootRequirement[]; chain: string[] } {
  const roots = rootRequirements(externals);
  const edges = mergeEdges(externals.flatMap((inc) => toEdge(inc, words) ?? []));
  const rules = externals.flatMap((inc) => (inc.cause.kind === 'rule' ? [describeRule(inc.cause.rule)] : []));
  const pair = rootPair(externals, edges, words);
  // A team rule is what the team knows and the registry does not: say it in the summary, not only in the derivation.
  if (rules.length > 0 && !pair) return { summary: `${listRoots(roots, words)} cannot be installed: ${joinAnd(rules)}.`, roots, chain: [] };
  if (pair) return { summary: rules.length > 0 ? `${pair.summary} This also rests on ${joinAnd(rules)}.` : pair.summary, roots, chain: pair.chain };
  const distance = distances(edges);
  const far = (pkg: PackageName | undefined) => (pkg === undefined ? Infinity : (distance.get(pkg) ?? Infinity));
  const inside = insideConflicts(edges, words).sort((a, b) => far(a.pkg) - far(b.pkg));
  const rootText = listRoots(roots, words);
  if (inside.length > 0) {
    const phrases = inside.slice(0, 2).map((c) => c.phrase);
    return { summary: `${rootText} cannot be installed: ${phrases.join('; ')}.`, roots, chain: inside[0].chain };
  }
  const blockers = externals
    .filter((inc) => ['unknown-package', 'no-versions', 'unavailable'].includes(inc.cause.kind))
    .sort((a, b) => far(a.terms[0]?.package) - far(b.terms[0]?.package));
  if (blockers.length > 0) return { summary: blockerSummary(blockers, rootText, words), roots, chain: [] };
  const failed = isDerived(root) ? 'no combination of their versions works together (see the full explanation)' : words.describe(root);
  return { summary: roots.length === 0 ? 'Version solving failed.' : `${rootText} cannot be installed: ${failed}.`, roots, chain: [] };
}

/** Edge count from the root to each package, so summaries start near the user's own requirements. */
function distances(edges: Edge[]): Map<PackageName, number> {
  const out = new Map<PackageName, number>([[ROOT, 0]]);
  const queue: PackageName[] = [ROOT];
  while (queue.length > 0) {
    const at = queue.shift() as PackageName;
    for (const e of edges) {
      if (e.from !== at || out.has(e.to)) continue;
      out.set(e.to, (out.get(at) as number) + 1);
      queue.push(e.to);
    }
  }
  return out;
}

function rootRequirements(externals: Incompatibility[]): RootRequirement[] {
  const out: RootRequirement[] = [];
  for (const inc of externals) {
    const c = inc.cause;
    if ((c.kind !== 'dependency' && c.kind !== 'no-versions' && c.kind !== 'unknown-package') || c.dependent !== ROOT || !c.dependency) continue;
    const r: RootRequirement = { package: c.dependency.package, specifier: c.dependency.specifier };
    if (c.dependency.origin) r.origin = c.dependency.origin;
    if (c.dependency.constraintOnly) r.constraintOnly = true;
    out.push(r);
  }
  return out.sort((a, b) => (a.origin?.index ?? Infinity) - (b.origin?.index ?? Infinity));
}

function toEdge(inc: Incompatibility, words: Words): Edge | undefined {
  const c = inc.cause;
  if (c.kind !== 'dependency' || c.dependency.constraintOnly) return undefined;
  const from = inc.terms.find((t) => t.package === c.dependent && t.positive);
  const to = inc.terms.find((t) => t.package === c.dependency.package && !t.positive);
  if (!to) return undefined;
  const dependents = from?.set ?? VersionSet.full(words.versions(c.dependent).length);
  const hidden = virtualBase(c.dependent) === c.dependency.package;
  return { from: c.dependent, dependents, to: to.package, allowed: to.set, specifier: c.dependency.specifier, hidden };
}

/**
 * Edge paths from (pkg, set), breadth first: the shortest way to each package, plus up to
 * MAX_REACHES different sets per package, since a clash can need the second way to a package.
 */
function walk(pkg: PackageName, set: VersionSet, first: Step[], edges: Edge[]): Map<PackageName, Reach[]> {
  const reach = new Map<PackageName, Reach[]>([[pkg, [{ set, steps: first }]]]);
  const queue: Reach[] = [{ set, steps: first }];
  const packageOf = (r: Reach) => (r.steps.length > 0 ? r.steps[r.steps.length - 1].edge.to : pkg);
  while (queue.length > 0) {
    const here = queue.shift() as Reach;
    if (here.steps.length >= MAX_DEPTH) continue;
    const at = packageOf(here);
    for (const edge of edges) {
      if (edge.from !== at) continue;
      const known = reach.get(edge.to) ?? [];
      if (known.length >= MAX_REACHES || known.some((r) => r.set.equals(edge.allowed))) continue;
      const covered = edge.dependents.intersect(here.set);
      if (covered.isEmpty()) continue;
      const next = { set: edge.allowed, steps: [...here.steps, { edge, covered }] };
      reach.set(edge.to, [...known, next]);
      queue.push(next);
    }
  }
  return reach;
}

/** Pairs of reaches of one package with disjoint sets, from two walks. */
function disjointPairs(a: Map<PackageName, Reach[]>, b: Map<PackageName, Reach[]>): Array<[Reach, Reach]> {
  const out: Array<[Reach, Reach]> = [];
  for (const [pkg, list] of a) {
    for (const ra of list) for (const rb of b.get(pkg) ?? []) if (ra.set.isDisjointFrom(rb.set)) out.push([ra, rb]);
  }
  return out;
}

/** Edges that differ only in their dependents become one ('a 1.0 and a 1.1 depend on x' -> 'a 1.0 to 1.1'). */
function mergeEdges(edges: Edge[]): Edge[] {
  const out: Edge[] = [];
  for (const e of edges) {
    const same = out.find((o) => o.from === e.from && o.to === e.to && o.specifier === e.specifier && o.allowed.equals(e.allowed) && o.hidden === e.hidden);
    if (same) same.dependents = same.dependents.union(e.dependents);
    else out.push({ ...e });
  }
  return out;
}

interface Clash {
  short: Start;
  long: Start;
  shortSteps: Step[];
  longSteps: Step[];
}

function rootPair(externals: Incompatibility[], edges: Edge[], words: Words): { summary: string; chain: string[] } | undefined {
  const starts: Start[] = [];
  for (const inc of externals) {
    const c = inc.cause;
    if (c.kind !== 'dependency' || c.dependent !== ROOT) continue;
    const req = words.requirement(c.dependency.package, c.dependency.specifier);
    const term = inc.terms.find((t) => t.package === c.dependency.package);
    if (!term) continue;
    const set = term.positive ? term.set.complement() : term.set;
    starts.push({ label: c.dependency.constraintOnly ? `the constraint ${req}` : req, set, reach: walk(term.package, set, [], edges) });
  }
  const clashes = clashesBetween(starts);
  if (clashes.length === 0) return undefined;
  const best = clashes[0];
  // When the first clash speaks for only some versions of the longer side, add clashes for the rest.
  const chosen = [best];
  let covered = coveredBy(best);
  for (const c of clashes) {
    if (chosen.length >= 3 || !covered || covered.equals(best.long.set)) break;
    const more = coveredBy(c);
    if (c.long !== best.long || !more || more.isSubsetOf(covered)) continue;
    chosen.push(c);
    covered = covered.union(more);
  }
  const shorts = [...new Set(chosen.map((c) => c.short.label))];
  const verb = shorts.length > 1 ? 'conflict' : 'conflicts';
  const text = chosen
    .map((c) => {
      const main = sentences(c.longSteps, c.long.set, words);
      return c.shortSteps.length > 0 ? `${main}, while ${sentences(c.shortSteps, c.short.set, words)}` : main;
    })
    .join(', and ');
  const chain = chosen.flatMap((c) => [...c.longSteps, ...c.shortSteps]).filter((s) => !s.edge.hidden).map((s) => chainEdge(s, words));
  // Two requirements on the same package, with no step in between: the reason is the one-version rule itself.
  const reason = text.trim() !== '' ? text : directClash(best, words);
  return { summary: capitalizeThe(`${joinAnd(shorts)} ${verb} with ${best.long.label}: ${reason}.`), chain };
}

// 'both require a, and no version of a satisfies both (available: 1.0.0, 2.0.0); only one version of a package can be installed'.
function directClash(clash: Clash, words: Words): string {
  const pkg = [...clash.long.reach.keys()].find((p) => clash.short.reach.has(p)) ?? '';
  const name = pkg ? words.name(pkg) : 'the package';
  const all = pkg ? words.versions(pkg) : [];
  const available = all.length > 0 ? ` (available: ${words.runsText(pkg, VersionSet.full(all.length))})` : '';
  return `both require ${name}, and no version of ${name} satisfies both${available}; only one version of a package can be installed`;
}

/** Every pair of roots whose requirement paths reach one package with disjoint sets, shortest first. */
function clashesBetween(starts: Start[]): Clash[] {
  const out: Array<Clash & { cost: number }> = [];
  for (let i = 0; i < starts.length; i++) {
    for (let j = i + 1; j < starts.length; j++) {
      for (const [ra, rb] of disjointPairs(starts[i].reach, starts[j].reach)) {
        const aShort = ra.steps.length <= rb.steps.length;
        const [short, long] = aShort ? [starts[i], starts[j]] : [starts[j], starts[i]];
        const [shortSteps, longSteps] = aShort ? [ra.steps, rb.steps] : [rb.steps, ra.steps];
        out.push({ short, long, shortSteps, longSteps, cost: ra.steps.length + rb.steps.length });
      }
    }
  }
  return out.sort((a, b) => a.cost - b.cost);
}

function coveredBy(c: Clash): VersionSet | undefined {
  return c.longSteps[0]?.covered;
}

function joinAnd(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** "supabase 2.15.3 requires realtime>=2.4.0,<2.5.0, and every realtime 2.4.x (...) requires ...". */
function sentences(steps: Step[], startSet: VersionSet, words: Words): string {
  const out: string[] = [];
  let previous = startSet;
  for (const { edge, covered } of steps) {
    if (!edge.hidden) {
      const whole = covered.equals(previous);
      const subject = whole ? words.every(edge.from, covered) : words.subject({ package: edge.from, positive: true, set: covered }, false);
      out.push(`${subject} requires ${words.requirement(edge.to, edge.specifier)}`);
    }
    previous = edge.allowed;
  }
  return out.join(', and ');
}

function chainEdge(step: Step, words: Words): string {
  const versions = step.covered.count() === 1 ? words.versions(step.edge.from)[step.covered.first()] : words.runsText(step.edge.from, step.covered, '..');
  return `${words.name(step.edge.from)} ${versions} -> ${words.requirement(step.edge.to, step.edge.specifier)}`;
}

/** Conflicts within one package's versions: two of their requirement paths clash. */
function insideConflicts(edges: Edge[], words: Words): Array<{ pkg: PackageName; phrase: string; chain: string[] }> {
  const out: Array<{ pkg: PackageName; phrase: string; chain: string[] }> = [];
  const seen = new Set<string>();
  for (const e of edges) {
    if (e.from === ROOT || e.hidden) continue;
    const key = `${e.from}\u0000${e.dependents.indices().join(',')}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const firsts = edges.filter((x) => x.from === e.from && e.dependents.isSubsetOf(x.dependents));
    const found = clashOf(e.from, e.dependents, firsts, edges, words);
    if (found) out.push({ pkg: e.from, ...found });
  }
  return out;
}

function clashOf(pkg: PackageName, set: VersionSet, firsts: Edge[], edges: Edge[], words: Words): { phrase: string; chain: string[] } | undefined {
  const walks = firsts.map((edge) => walk(edge.to, edge.allowed, [{ edge, covered: set }], edges));
  let best: { a: Step[]; b: Step[] } | undefined;
  for (let i = 0; i < walks.length; i++) {
    for (let j = i + 1; j < walks.length; j++) {
      for (const [ra, rb] of disjointPairs(walks[i], walks[j])) {
        if (!best || ra.steps.length + rb.steps.length < best.a.length + best.b.length) {
          best = ra.steps.length <= rb.steps.length ? { a: ra.steps, b: rb.steps } : { a: rb.steps, b: ra.steps };
        }
      }
    }
  }
  const who = words.every(pkg, set);
  if (!best) return cycleOf(pkg, set, walks, who, words);
  const [first, second] = [best.a[0].edge, best.b[0].edge];
  const reqs = `${words.requirement(first.to, first.specifier)} and ${words.requirement(second.to, second.specifier)}`;
  const tails = [best.a, best.b].filter((steps) => steps.length > 1).map((steps) => sentences(steps.slice(1), steps[0].edge.allowed, words));
  const phrase = tails.length > 0 ? `${who} requires ${reqs}, but ${tails.join(', and ')}` : `${who} requires both ${reqs}`;
  const chain = [...best.a, ...best.b].filter((s) => !s.edge.hidden).map((s) => chainEdge(s, words));
  return { phrase, chain };
}

// One path that comes back to the package and excludes the versions it started from.
function cycleOf(pkg: PackageName, set: VersionSet, walks: Array<Map<PackageName, Reach[]>>, who: string, words: Words): { phrase: string; chain: string[] } | undefined {
  let best: Step[] | undefined;
  for (const w of walks) {
    for (const r of w.get(pkg) ?? []) if (r.steps.length > 1 && r.set.isDisjointFrom(set) && (!best || r.steps.length < best.length)) best = r.steps;
  }
  if (!best) return undefined;
  const first = best[0].edge;
  const phrase = `${who} requires ${words.requirement(first.to, first.specifier)}, but ${sentences(best.slice(1), first.allowed, words)}`;
  return { phrase, chain: best.filter((s) => !s.edge.hidden).map((s) => chainEdge(s, words)) };
}

function listRoots(roots: RootRequirement[], words: Words): string {
  const texts = roots.map((r) => words.requirement(r.package, r.specifier));
  if (texts.length === 0) return 'Your requirements';
  if (texts.length === 1) return texts[0];
  return `${texts.slice(0, -1).join(', ')} and ${texts[texts.length - 1]} together`;
}

function blockerSummary(blockers: Incompatibility[], rootText: string, words: Words): string {
  const c = blockers[0].cause;
  if (c.kind === 'unknown-package' && c.dependent === ROOT) return `${words.name(c.package)} cannot be found: ${c.message}.`;
  if (c.kind === 'no-versions' && c.dependent === ROOT && c.dependency) {
    const all = words.versions(c.package);
    const available = all.length > 0 ? ` (available: ${words.runsText(c.package, VersionSet.full(all.length))})` : '';
    return `No version of ${words.name(c.package)} matches ${words.requirement(c.package, c.dependency.specifier)}${available}${words.excluded(c.package, c.dependency.specifier)}.`;
  }
  return `${rootText} cannot be installed: ${blockers.slice(0, 2).map((b) => words.describe(b)).join('; ')}.`;
}

// Package names keep their case ("websockets==15.0.1 conflicts ..."); words of ours start a sentence.
function capitalizeThe(text: string): string {
  return text.startsWith('the ') ? `T${text.slice(1)}` : text;
}
