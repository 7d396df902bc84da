// Explanations of a failed solve: the full derivation in the style of pub's error reporting
// (dart-lang/pub doc/solver.md, "Error Reporting"), plus a short summary, the chain of
// requirements behind it and the manifest requirements at its roots (explainSummary.ts).

import type { PackageName } from './types';
import { ROOT } from './types';
import type { Incompatibility, IncompatibilityCause, Term } from './incompatibility';
import { isDerived, negate, termSubset } from './incompatibility';
import type { ExplainOptions } from './explainText';
import { Words } from './explainText';
import type { RootRequirement } from './explainSummary';
import { summarize, virtualBase } from './explainSummary';

export type { ExplainOptions } from './explainText';
export type { RootRequirement } from './explainSummary';

export interface Explanation {
  /** One or two sentences for a diagnostic on a root requirement. */
  summary: string;
  /** The full derivation, one sentence a line; '' separates independent branches. */
  lines: string[];
  /** The manifest requirements (and constraints) the conflict starts from. */
  roots: RootRequirement[];
  /** The requirement edges from one root to the other: 'realtime 2.4.0..2.4.3 -> websockets>=11,<15'. */
  chain: string[];
}

/** Explains why the incompatibility a failed solve returned holds. */
export function explainConflict(incompatibility: Incompatibility, options: ExplainOptions): Explanation {
  const root = simplifyDerivation(incompatibility);
  const words = new Words(options);
  for (const inc of externals(root)) {
    const c = inc.cause;
    if (c.kind !== 'dependency') continue;
    const t = inc.terms.find((x) => x.package === c.dependency.package);
    if (t) words.learnSpecifier(t.package, t.positive ? t.set.complement() : t.set, c.dependency.specifier);
  }
  const lines = new LineWriter(words).write(root);
  return { ...summarize(root, externals(root), words), lines };
}

/** The external incompatibilities of a derivation graph, each once, in depth-first order. */
export function externals(root: Incompatibility): Incompatibility[] {
  const out: Incompatibility[] = [];
  const seen = new Set<Incompatibility>();
  const stack = [root];
  while (stack.length > 0) {
    const inc = stack.pop() as Incompatibility;
    if (seen.has(inc)) continue;
    seen.add(inc);
    if (inc.cause.kind === 'conflict') stack.push(inc.cause.other, inc.cause.conflict);
    else out.push(inc);
  }
  return out;
}

/** The derivation graph as explanations read it: virtual extras folded away, equal requirements joined. */
export function simplifyDerivation(incompatibility: Incompatibility): Incompatibility {
  return simplify(incompatibility, new Map());
}

/**
 * Hides virtual packages: a derivation joining 'P[x] depends on P==v' with one fact about P is
 * restated as that fact about P[x] ("uvicorn[standard] 0.30.0 depends on websockets>=10.4").
 */
function simplify(inc: Incompatibility, memo: Map<Incompatibility, Incompatibility>): Incompatibility {
  if (inc.cause.kind !== 'conflict') return inc;
  const known = memo.get(inc);
  if (known) return known;
  const a = simplify(inc.cause.conflict, memo);
  const b = simplify(inc.cause.other, memo);
  let out = fold(inc, a, b) ?? fold(inc, b, a) ?? regroup(inc, a, b) ?? regroup(inc, b, a) ?? rebuilt(inc, a, b);
  if (out.cause.kind === 'conflict') out = sameDependency(out, out.cause.conflict, out.cause.other) ?? out;
  memo.set(inc, out);
  return out;
}

function rebuilt(inc: Incompatibility, a: Incompatibility, b: Incompatibility): Incompatibility {
  if (inc.cause.kind === 'conflict' && a === inc.cause.conflict && b === inc.cause.other) return inc;
  return { ...inc, cause: { kind: 'conflict', conflict: a, other: b } };
}

// Two versions of P with the same requirement, joined: one fact about both ({P A∪B, not Q T}).
function sameDependency(inc: Incompatibility, a: Incompatibility, b: Incompatibility): Incompatibility | undefined {
  const ca = a.cause;
  const cb = b.cause;
  if (ca.kind !== 'dependency' || cb.kind !== 'dependency' || ca.dependent !== cb.dependent || ca.dependency.constraintOnly) return undefined;
  if (ca.dependency.package !== cb.dependency.package || cb.dependency.constraintOnly || inc.terms.length !== 2) return undefined;
  // Joined only when written alike, so the one specifier shown is what each version says.
  if (ca.dependency.specifier !== cb.dependency.specifier || ca.dependency.condition !== cb.dependency.condition) return undefined;
  const from = inc.terms.find((t) => t.package === ca.dependent && t.positive);
  const to = inc.terms.find((t) => t.package === ca.dependency.package && !t.positive);
  const ta = a.terms.find((t) => t.package === ca.dependency.package);
  const tb = b.terms.find((t) => t.package === ca.dependency.package);
  if (!from || !to || !ta || !tb || !ta.set.equals(to.set) || !tb.set.equals(to.set)) return undefined;
  return { id: inc.id, terms: inc.terms, cause: ca };
}

/** The base package P when `inc` is the edge 'P[x] depends on P==v'. */
function virtualEdgeBase(inc: Incompatibility): PackageName | undefined {
  const c = inc.cause;
  return c.kind === 'dependency' && virtualBase(c.dependent) === c.dependency.package ? c.dependency.package : undefined;
}

// Direct case: inc resolves the virtual edge against one external fact about P.
function fold(inc: Incompatibility, edge: Incompatibility, fact: Incompatibility): Incompatibility | undefined {
  const base = virtualEdgeBase(edge);
  if (base === undefined || isDerived(fact) || inc.terms.some((t) => t.package === base)) return undefined;
  return restate(inc.terms, edge, fact);
}

// The edge sits one step further up: ((A1, edge), fact) is regrouped as (A1, (edge, fact)).
function regroup(inc: Incompatibility, derived: Incompatibility, fact: Incompatibility): Incompatibility | undefined {
  if (derived.cause.kind !== 'conflict' || isDerived(fact)) return undefined;
  const { conflict, other } = derived.cause;
  const edge = virtualEdgeBase(other) !== undefined ? other : virtualEdgeBase(conflict) !== undefined ? conflict : undefined;
  if (!edge) return undefined;
  const base = virtualEdgeBase(edge) as PackageName;
  const rest = edge === other ? conflict : other;
  if (inc.terms.some((t) => t.package === base) || rest.terms.some((t) => t.package === base)) return undefined;
  const terms = [...edge.terms, ...fact.terms].filter((t) => t.package !== base);
  if (new Set(terms.map((t) => t.package)).size !== terms.length) return undefined;
  const folded = restate(terms, edge, fact);
  return folded ? { ...inc, cause: { kind: 'conflict', conflict: rest, other: folded } } : undefined;
}

// 'P[x] depends on P==v' with a fact about P, restated as that fact about P[x].
function restate(terms: Term[], edge: Incompatibility, fact: Incompatibility): Incompatibility | undefined {
  const e = edge.cause;
  const f = fact.cause;
  if (e.kind !== 'dependency') return undefined;
  const base = e.dependency.package;
  const extra = e.dependent;
  if (!terms.some((t) => t.package === extra && t.positive)) return undefined;
  // The restated fact must have the usual shape: {P[x] S, not Q T} for a dependency, {P[x] S} otherwise.
  const onlyExtra = terms.length === 1;
  let cause: IncompatibilityCause | undefined;
  if (f.kind === 'dependency' && f.dependent === base && !f.dependency.constraintOnly) {
    const target = f.dependency.package;
    if (terms.length === 2 && target !== extra && terms.some((t) => t.package === target && !t.positive)) cause = { ...f, dependent: extra };
  } else if ((f.kind === 'no-versions' || f.kind === 'unknown-package') && f.dependent === base && onlyExtra) cause = { ...f, dependent: extra };
  else if (f.kind === 'unavailable' && f.package === base && onlyExtra) cause = { ...f, package: extra };
  return cause ? { id: fact.id, terms, cause } : undefined;
}

interface Line {
  text: string;
  number?: number;
}

/** solver.md's error-reporting walk, with pub's collapsing of linear chains. */
class LineWriter {
  private readonly lines: Line[] = [];
  private readonly numbers = new Map<Incompatibility, number>();
  private readonly uses = new Map<Incompatibility, number>();
  private root: Incompatibility | undefined;

  constructor(private readonly words: Words) {}

  write(root: Incompatibility): string[] {
    if (!isDerived(root)) return [`Because ${this.words.describe(root)}, version solving failed.`];
    this.count(root);
    this.root = root;
    this.visit(root);
    const width = this.numbers.size === 0 ? 0 : `(${this.numbers.size}) `.length;
    const out: string[] = [];
    for (const line of this.lines) {
      if (line.text === '') {
        if (out.length > 0 && out[out.length - 1] !== '') out.push('');
      } else out.push((line.number === undefined ? '' : `(${line.number}) `).padEnd(width) + line.text);
    }
    return out;
  }

  private count(inc: Incompatibility): void {
    const seen = this.uses.get(inc);
    this.uses.set(inc, (seen ?? 0) + 1);
    if (seen === undefined && inc.cause.kind === 'conflict') {
      this.count(inc.cause.conflict);
      this.count(inc.cause.other);
    }
  }

  private emit(inc: Incompatibility, text: string, numbered: boolean): void {
    if (!numbered) {
      this.lines.push({ text });
      return;
    }
    const number = this.numbers.size + 1;
    this.numbers.set(inc, number);
    this.lines.push({ text, number });
  }

  private visit(inc: Incompatibility, conclusion = false): void {
    if (inc.cause.kind !== 'conflict') return;
    const numbered = conclusion || (this.uses.get(inc) ?? 0) > 1;
    const so = conclusion || inc === this.root ? 'So,' : 'And';
    const what = this.words.describe(inc);
    const { conflict, other } = inc.cause;
    if (isDerived(conflict) && isDerived(other)) {
      this.visitTwoDerived(inc, conflict, other, what, so, numbered);
    } else if (isDerived(conflict) || isDerived(other)) {
      const derived = isDerived(conflict) ? conflict : other;
      const external = derived === conflict ? other : conflict;
      const line = this.numbers.get(derived);
      if (line !== undefined) {
        this.emit(inc, `Because ${this.and(external, derived, undefined, line)}, ${what}.`, numbered);
      } else if (this.collapsible(derived)) {
        const inner = derived.cause as { conflict: Incompatibility; other: Incompatibility };
        const innerDerived = isDerived(inner.conflict) ? inner.conflict : inner.other;
        const innerExternal = innerDerived === inner.conflict ? inner.other : inner.conflict;
        this.visit(innerDerived);
        this.emit(inc, `${so} because ${this.and(innerExternal, external)}, ${what}.`, numbered);
      } else {
        this.visit(derived);
        this.emit(inc, `${so} because ${this.words.describe(external)}, ${what}.`, numbered);
      }
    } else {
      this.emit(inc, `Because ${this.and(conflict, other)}, ${what}.`, numbered);
    }
  }

  private visitTwoDerived(inc: Incompatibility, a: Incompatibility, b: Incompatibility, what: string, so: string, numbered: boolean): void {
    const lineA = this.numbers.get(a);
    const lineB = this.numbers.get(b);
    if (lineA !== undefined && lineB !== undefined) {
      this.emit(inc, `Because ${this.and(a, b, lineA, lineB)}, ${what}.`, numbered);
    } else if (lineA !== undefined || lineB !== undefined) {
      const [withLine, without, line] = lineA !== undefined ? [a, b, lineA] : [b, a, lineB as number];
      this.visit(without);
      this.emit(inc, `${so} because ${this.words.describe(withLine)} (${line}), ${what}.`, numbered);
    } else if (this.singleLine(a) || this.singleLine(b)) {
      const [first, second] = this.singleLine(b) ? [a, b] : [b, a];
      this.visit(first);
      this.visit(second);
      this.emit(inc, `Thus, ${what}.`, numbered);
    } else {
      this.visit(a, true);
      this.lines.push({ text: '' });
      this.visit(b);
      this.emit(inc, `${so} because ${this.words.describe(a)} (${this.numbers.get(a)}), ${what}.`, numbered);
    }
  }

  private singleLine(inc: Incompatibility): boolean {
    return inc.cause.kind === 'conflict' && !isDerived(inc.cause.conflict) && !isDerived(inc.cause.other);
  }

  // A derived cause with one external cause can be folded into its successor's line.
  private collapsible(inc: Incompatibility): boolean {
    if ((this.uses.get(inc) ?? 0) > 1 || inc.cause.kind !== 'conflict') return false;
    const { conflict, other } = inc.cause;
    if (isDerived(conflict) === isDerived(other)) return false;
    return !this.numbers.has(isDerived(conflict) ? conflict : other);
  }

  /** Two facts joined, with pub's shortcuts ("depends on both", "X depends on Y and Y depends on Z"). */
  private and(a: Incompatibility, b: Incompatibility, lineA?: number, lineB?: number): string {
    const ref = (n?: number) => (n === undefined ? '' : ` (${n})`);
    return (
      this.sameTarget(a, b) ??
      this.both(a, b, ref(lineA), ref(lineB)) ??
      this.through(a, b, ref(lineA), ref(lineB)) ??
      this.through(b, a, ref(lineB), ref(lineA)) ??
      this.forbiddenTarget(a, b, ref(lineA), ref(lineB)) ??
      this.forbiddenTarget(b, a, ref(lineB), ref(lineA)) ??
      this.plainAnd(a, b, ref(lineA), ref(lineB))
    );
  }

  // Your own requirements read first: "your requirements include foo and foo 1.0.0 depends on ...".
  private plainAnd(a: Incompatibility, b: Incompatibility, refA: string, refB: string): string {
    const fromRoot = (i: Incompatibility) => i.cause.kind === 'dependency' && i.cause.dependent === ROOT;
    if (fromRoot(b) && !fromRoot(a)) return `${this.words.describe(b)}${refB} and ${this.words.describe(a)}${refA}`;
    return `${this.words.describe(a)}${refA} and ${this.words.describe(b)}${refB}`;
  }

  private verb(external: boolean, pkg: PackageName): string {
    const root = pkg === ROOT;
    if (external) return root ? 'your requirements include' : 'depends on';
    return root ? 'your requirements need' : 'requires';
  }

  // Two versions with the same requirement: "every version of foo depends on bar>=1".
  private sameTarget(a: Incompatibility, b: Incompatibility): string | undefined {
    if (!this.words.isDependency(a) || !this.words.isDependency(b) || a.terms.length !== 2 || b.terms.length !== 2) return undefined;
    const [pa, pb, na, nb] = [single(a, true), single(b, true), single(a, false), single(b, false)];
    if (!pa || !pb || !na || !nb || pa.package !== pb.package || pa.package === ROOT) return undefined;
    if (na.package !== nb.package || !na.set.equals(nb.set)) return undefined;
    const subject = this.words.subject({ ...pa, set: pa.set.union(pb.set) }, true);
    return `${subject} depends on ${this.words.target(na.package, na.set)}`;
  }

  private both(a: Incompatibility, b: Incompatibility, refA: string, refB: string): string | undefined {
    const pa = single(a, true);
    const pb = single(b, true);
    // "P depends on both" only when it is the same P: the same versions on both sides.
    if (!pa || !pb || pa.package !== pb.package || !pa.set.equals(pb.set) || a.terms.length < 2 || b.terms.length < 2) return undefined;
    if (a.terms.some((t) => t.positive && t !== pa) || b.terms.some((t) => t.positive && t !== pb)) return undefined;
    const targets = (i: Incompatibility) => i.terms.filter((t) => !t.positive).map((t) => this.words.target(t.package, t.set)).join(' or ');
    const verb = this.verb(this.words.isDependency(a) && this.words.isDependency(b), pa.package);
    const subject = pa.package === ROOT ? '' : `${this.words.subject(pa, true)} `;
    return `${subject}${verb} both ${targets(a)}${refA} and ${targets(b)}${refB}`;
  }

  private through(prior: Incompatibility, latter: Incompatibility, refPrior: string, refLatter: string): string | undefined {
    const neg = single(prior, false);
    const pos = single(prior, true);
    const latterPos = single(latter, true);
    if (!neg || !pos || !latterPos || prior.terms.length !== 2 || latter.terms.length < 2) return undefined;
    if (latterPos.package !== neg.package || !termSubset(negate(neg), latterPos)) return undefined;
    if (latter.terms.some((t) => t.positive && t !== latterPos)) return undefined;
    const subject = pos.package === ROOT ? '' : `${this.words.subject(pos, true)} `;
    const middle = this.words.subject({ ...latterPos, set: neg.set }, true);
    const targets = latter.terms.filter((t) => !t.positive).map((t) => this.words.target(t.package, t.set)).join(' or ');
    const latterVerb = this.words.isDependency(latter) ? 'depends on' : 'requires';
    return `${subject}${this.verb(this.words.isDependency(prior), pos.package)} ${this.words.target(neg.package, neg.set)}${refPrior} and ${middle} ${latterVerb} ${targets}${refLatter}`;
  }

  private forbiddenTarget(prior: Incompatibility, latter: Incompatibility, refPrior: string, refLatter: string): string | undefined {
    const neg = single(prior, false);
    const pos = single(prior, true);
    if (latter.terms.length !== 1 || !neg || !pos || prior.terms.length !== 2) return undefined;
    const gone = latter.terms[0];
    if (!gone.positive || gone.package !== neg.package || !termSubset(negate(neg), gone)) return undefined;
    // Other external reasons (an unknown dependency, ...) need their own words: let the caller spell both out.
    if (latter.cause.kind !== 'unavailable' && latter.cause.kind !== 'conflict') return undefined;
    const subject = pos.package === ROOT ? '' : `${this.words.subject(pos, true)} `;
    const why = latter.cause.kind === 'unavailable' ? `, which cannot be used (${latter.cause.reason})` : ', which cannot be used';
    return `${subject}${this.verb(this.words.isDependency(prior), pos.package)} ${this.words.target(neg.package, neg.set)}${refPrior}${why}${refLatter}`;
  }
}

function single(inc: Incompatibility, positive: boolean): Term | undefined {
  const found = inc.terms.filter((t) => t.positive === positive);
  return found.length === 1 ? found[0] : undefined;
}
