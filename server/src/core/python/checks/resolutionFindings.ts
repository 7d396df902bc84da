// Stage 3 for Python: resolve the manifest tree for its target and turn the verdict into findings
// on the manifest lines that cause it, with fixes (the highest compatible version) and the
// upgrade that would unlock a newer one.

import type { CheckDeadline } from '../../ecosystem';
import type { Dependency, Finding, Fix, ParsedManifest, RelatedInformation } from '../../model';
import { explainConflict, externals, type Explanation } from '../../pubgrub/explain';
import type { SolveResult } from '../../pubgrub/solver';
import { createPythonProvider, rootsFromManifests, type PythonProvider, type PypiSource, type PythonNote } from '../resolve/provider';
import { resolvePython } from '../resolve/resolvePython';
import { excludedReleases } from '../resolve/ruleWords';
import type { Target } from '../resolve/target';
import { ROOT, type DependencyOrigin, type ProvidedRule, type RuleNote } from '../../pubgrub/types';
import { ruleRelated } from './teamRules';
import { highestCompatible, whatWouldUnlock } from '../resolve/whatIf';
import { compareVersions, exactPin, parseVersion } from '../versions/pep440';

export interface PythonResolutionResult {
  findings: Finding[];
  provider: PythonProvider;
  result: SolveResult;
  explanation?: Explanation;
  notes: PythonNote[];
  /** Why there is no verdict, when resolution could not finish (a registry failed, the deadline passed). */
  incomplete?: string;
  /**
   * With `stageFixes`, when a conflict has fixes to look for: `findings` is the verdict (no fixes, no
   * unlocking upgrade), and this answers the same findings in the same order, fixes included.
   */
  fixes?: () => Promise<Finding[]>;
}

export interface ResolveOptions {
  target: Target;
  installer: 'pip' | 'uv';
  allowPrereleases?: boolean;
  signal?: AbortSignal;
  /** Answer "highest compatible" and "what would unlock" for the conflict's roots (re-solves). */
  whatIf?: boolean;
  /** Return the verdict without waiting for those answers: they follow through `fixes` (the CLI's text output prints the verdict first). */
  stageFixes?: boolean;
  /** Latest final release per normalised name, from the registry checks (for the unlock question). */
  latestOf?: (name: string) => string | undefined;
  /** The check's time limit for registry reads. */
  deadline?: CheckDeadline;
  /** Requirements the resolution leaves out (the registry rejected or could not read them). */
  exclude?: ReadonlySet<Dependency>;
  /** Team rules as solver incompatibilities (teamRules.ts). */
  rules?: ProvidedRule[];
  /** PythonProviderOptions.requestsAtCheckStart. */
  requestsAtCheckStart?: number;
  /** A provider made by startResolutionReads with these options: the resolution shares its registry view and the reads it started. */
  early?: PythonProvider;
}

/** Requirements a resolver should see: everything but build requirements, which live in their own environment. */
export function resolvable(dep: Dependency): boolean {
  return dep.ecosystem === 'pypi' && dep.section !== 'build-system.requires';
}

function locate(manifests: ParsedManifest[], origin: DependencyOrigin | undefined): { manifest: ParsedManifest; dep: Dependency } | undefined {
  if (!origin) return undefined;
  const manifest = manifests.find((m) => m.path === origin.path);
  const dep = manifest?.dependencies[origin.index];
  return manifest && dep ? { manifest, dep } : undefined;
}

/** A root requirement found by its package (and specifier) when the note carries no origin. */
function locateByName(manifests: ParsedManifest[], pkg: string, specifier?: string): { manifest: ParsedManifest; dep: Dependency } | undefined {
  const base = pkg.replace(/\[.*$/, '');
  for (const manifest of manifests) {
    const dep = manifest.dependencies.find((d) => d.ecosystem === 'pypi' && d.normalizedName === base && (specifier === undefined || d.specifier === specifier));
    if (dep) return { manifest, dep };
  }
  return undefined;
}

/** Conditions (markers only possibly true for the target) the conflict rests on. */
function conditionsOf(result: Extract<SolveResult, { kind: 'conflict' }>): string[] {
  const out = new Set<string>();
  for (const inc of externals(result.incompatibility)) {
    if (inc.cause.kind === 'dependency' && inc.cause.dependency.condition) out.add(inc.cause.dependency.condition);
  }
  return [...out];
}

export function pinEdit(manifest: ParsedManifest, dep: Dependency, version: string): Fix['edits'][number] {
  const keepArbitrary = exactPin(dep.specifier)?.operator === '===';
  const newText = `${keepArbitrary ? '===' : '=='}${version}`;
  if (dep.specifierRange) return { path: manifest.path, range: dep.specifierRange, newText };
  const end = dep.extrasRange?.end ?? dep.nameRange.end;
  return { path: manifest.path, range: { start: end, end }, newText };
}

async function fixesFor(
  provider: PythonProvider,
  manifests: ParsedManifest[],
  located: { manifest: ParsedManifest; dep: Dependency },
  chain: string[],
  options: ResolveOptions,
): Promise<{ fixes: Fix[]; unlockText?: string }> {
  const { manifest, dep } = located;
  const fixes: Fix[] = [];
  const best = await highestCompatible(provider, dep.normalizedName, { signal: options.signal, timeBudgetMs: 5_000 });
  let unlockText: string | undefined;
  if (best.kind === 'found' && best.version !== exactPin(dep.specifier)?.version) {
    fixes.push({ title: `Change to ${dep.name}==${best.version}, the highest version the other requirements allow`, edits: [pinEdit(manifest, dep, best.version)], preferred: true });
  }
  const latest = options.latestOf?.(dep.normalizedName);
  const wanted = exactPin(dep.specifier)?.version ?? latest;
  // Only a version newer than what already works needs unlocking (an older pin is fixed by the change above).
  if (wanted && (best.kind !== 'found' || isNewer(wanted, best.version))) {
    const unlock = await whatWouldUnlock(provider, dep.normalizedName, wanted, { signal: options.signal, timeBudgetMs: 8_000, prefer: chain.map((c) => c.split(' ')[0]) });
    if (unlock.kind === 'unlocked' || unlock.kind === 'none') unlockText = unlock.message;
    if (unlock.kind === 'unlocked') {
      const other = provider.roots.find((r) => r.dependency.normalizedName === unlock.package && !r.dependency.constraint);
      const target = locate(manifests, other?.origin);
      if (target) {
        fixes.push({ title: `Upgrade ${target.dep.name} to ${unlock.version}, which allows ${dep.name} ${wanted}`, edits: [pinEdit(target.manifest, target.dep, unlock.version)] });
      }
    }
  }
  return { fixes, unlockText };
}

export function isNewer(a: string, b: string): boolean {
  const va = parseVersion(a);
  const vb = parseVersion(b);
  return va !== null && vb !== null && compareVersions(va, vb) > 0;
}

/** The opt-ins a pre-release-only requirement can take: name the pre-release, allow them all, or the latest final. */
function prereleaseFixes(manifests: ParsedManifest[], at: { manifest: ParsedManifest; dep: Dependency }, prereleases: string[], latestFinal: string | undefined): Fix[] {
  const fixes: Fix[] = [];
  const newest = prereleases.at(-1);
  if (newest) fixes.push({ title: `Pin the pre-release ${at.dep.name}==${newest} (naming a pre-release allows it)`, edits: [pinEdit(at.manifest, at.dep, newest)], preferred: true });
  const root = manifests[0];
  if (root?.kind === 'requirements') {
    const start = { line: 0, character: 0 };
    fixes.push({ title: `Allow pre-releases for every requirement (add --pre to ${root.path.split(/[\\/]/).pop()})`, edits: [{ path: root.path, range: { start, end: start }, newText: '--pre\n' }] });
  }
  if (latestFinal) fixes.push({ title: `Use the latest final release, ${at.dep.name}==${latestFinal}`, edits: [pinEdit(at.manifest, at.dep, latestFinal)] });
  return fixes;
}

function noteFinding(manifests: ParsedManifest[], note: PythonNote, latestOf?: (name: string) => string | undefined): Finding | undefined {
  const source = 'requiredBy' in note ? note.requiredBy : undefined;
  const located = locate(manifests, source?.origin) ?? (source?.package === ROOT ? locateByName(manifests, note.package, 'specifier' in note ? note.specifier : undefined) : undefined);
  if (!located) return undefined;
  const base = { package: located.dep.normalizedName, path: located.manifest.path, related: [] as RelatedInformation[], fixes: [] as Fix[] };
  switch (note.kind) {
    case 'prerelease-only':
      return {
        ...base,
        code: 'prerelease-only',
        // A direct requirement (no marker left to decide) that only pre-releases meet fails to install with pip and uv alike,
        // whether the package has final releases or not; one a dependency adds may belong to a branch the resolver left.
        severity: source?.package === ROOT && !located.dep.constraint && !located.dep.marker ? 'error' : 'warning',
        range: located.dep.specifierRange ?? located.dep.range,
        message: note.message,
        fixes: prereleaseFixes(manifests, located, note.prereleases, latestOf?.(located.dep.normalizedName)),
      };
    case 'direct-reference':
      return { ...base, code: 'unresolved-source', severity: 'information', range: located.dep.range, message: note.message };
    default:
      return undefined;
  }
}

type Incomplete = Extract<SolveResult, { kind: 'incomplete' }>;

/**
 * The finding for a resolution the registry left unfinished: on the root requirement whose chain
 * needs the package, naming the chain; `unknown-package` when the index lacks it, else
 * `registry-unreachable`. Never a conflict and never a fix: nothing was decided.
 */
function incompleteFinding(manifests: ParsedManifest[], result: Incomplete, provider: PythonProvider): { finding: Finding; reason: string } {
  const name = provider.displayName(result.package);
  const names = [name, ...(result.also ?? []).map((a) => provider.displayName(a.package))];
  const links = result.chain.map((l) => (l.version ? `${provider.displayName(l.package)} ${l.version}` : provider.displayName(l.package)));
  if (names.length > 1 && links.length > 0) links[links.length - 1] = names.join(', ');
  const requiredBy = links.length >= 2 ? `, required by ${links[links.length - 2]},` : '';
  const subject = result.version ? `${name} ${result.version}` : names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1)}` : name;
  const chain = links.length >= 2 ? ` (${links.join(' -> ')})` : '';
  const failure = provider.readFailure(result.package);
  const missing = result.unknownPackage === true;
  const what = missing
    ? `${subject}${requiredBy} was not found on ${failure?.registry ?? 'the index'}${chain}.`
    : /^its metadata could not be read: /.test(result.reason)
      ? `The metadata of ${subject}${requiredBy} could not be read${chain}: ${result.reason.replace(/^its metadata could not be read: /, '')}`
      : `${subject}${requiredBy} could not be read${chain}: ${result.reason}`;
  const reason = what.replace(/\.?$/, '.');
  const message = `${reason} This check is incomplete: Pinsight cannot tell whether these requirements install together until ${missing ? `the index serves ${name}` : 'the index answers'}.`;
  const at = locate(manifests, result.chain[0]?.origin);
  const root = manifests[0];
  const fallback = root?.dependencies.find((d) => d.ecosystem === 'pypi')?.nameRange ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  const finding: Finding = {
    code: missing ? 'unknown-package' : 'registry-unreachable',
    severity: missing ? 'error' : 'information',
    package: at?.dep.normalizedName ?? result.package,
    path: at?.manifest.path ?? root?.path ?? '',
    range: at?.dep.range ?? fallback,
    message,
    related: [],
    fixes: [],
  };
  return { finding, reason };
}

/** Why a result that is neither a solution nor a conflict leaves the check without a verdict. */
function stoppedReason(result: SolveResult): string | undefined {
  if (result.kind === 'too-complex') return 'Resolution took too many steps and stopped; conflicts may be missing.';
  if (result.kind === 'error') return `Resolution failed: ${result.message}`;
  return undefined;
}

function providerFor(manifests: ParsedManifest[], pypi: PypiSource, options: ResolveOptions, roots = rootsFromManifests(manifests, resolvable)): PythonProvider {
  const target = { environment: options.target.environment, pythonVersion: options.target.pythonVersion };
  return createPythonProvider({ pypi, roots, target, installer: options.installer, allowPrereleases: options.allowPrereleases, deadline: options.deadline, rules: options.rules, requestsAtCheckStart: options.requestsAtCheckStart });
}

/**
 * Starts a resolution's registry reads before the checks that come first have finished: the roots'
 * pages, and each root's likely release as its page arrives. The checks read the same pages, so
 * nothing is read twice; what this saves is the time between a page's arrival and the end of the
 * checks (on the seed, about 20 ms of the first round). Pass the provider as ResolveOptions.early.
 */
export function startResolutionReads(manifests: ParsedManifest[], pypi: PypiSource, options: ResolveOptions): PythonProvider {
  const provider = providerFor(manifests, pypi, options);
  provider.warmRoots();
  return provider;
}

/** Resolves a manifest tree's Python requirements and explains a conflict on the lines that cause it. */
export async function resolvePythonFindings(manifests: ParsedManifest[], pypi: PypiSource, options: ResolveOptions): Promise<PythonResolutionResult> {
  const roots = rootsFromManifests(manifests, (d) => resolvable(d) && !options.exclude?.has(d));
  const provider = options.early?.withRoots(roots) ?? providerFor(manifests, pypi, options, roots);
  const resolution = await resolvePython(provider, { signal: options.signal });
  const result = resolution.result;
  const findings: Finding[] = [];
  const notes = resolution.provider.notes(result.kind === 'solution' ? result : undefined);
  for (const note of notes) {
    const f = noteFinding(manifests, note, options.latestOf);
    if (f) findings.push(f);
  }
  const stopped = result.kind === 'incomplete' ? incompleteFinding(manifests, result, resolution.provider) : undefined;
  if (stopped) findings.push(stopped.finding);
  const incomplete = stopped?.reason ?? stoppedReason(result);
  if (result.kind !== 'conflict') return { findings, provider: resolution.provider, result, notes, incomplete };

  const explanation = explainConflict(result.incompatibility, {
    versionsOf: (pkg) => result.packageVersions.get(pkg) ?? resolution.provider.versionsOf(pkg) ?? [],
    displayName: (pkg) => resolution.provider.displayName(pkg),
    excludedBy: (pkg, specifier) => excludedReleases(resolution.provider.versionFacts(pkg), specifier, resolution.provider.candidatesFor(pkg, specifier), options.installer),
  });
  const conditions = conditionsOf(result);
  const rules = externals(result.incompatibility).flatMap((inc) => (inc.cause.kind === 'rule' ? [inc.cause.rule] : [])) as RuleNote[];
  const located = explanation.roots.map((r) => ({ root: r, at: locate(manifests, r.origin) })).filter((x) => x.at !== undefined) as Array<{ root: Explanation['roots'][number]; at: { manifest: ParsedManifest; dep: Dependency } }>;
  const possible = conditions.length > 0;
  const when = possible ? ` This applies only when ${conditions.join(' and ')}; Pinsight could not tell whether that holds for ${options.target.description}.` : '';
  // A root that fails only because its matches are pre-releases is better told by that note.
  const preOnly = (at: { manifest: ParsedManifest; dep: Dependency }) => findings.find((f) => f.code === 'prerelease-only' && f.path === at.manifest.path && f.range.start.line === at.dep.range.start.line);
  const asks = (at: { manifest: ParsedManifest; dep: Dependency }) => options.whatIf !== false && !at.dep.constraint && !preOnly(at);
  const noFixes = { fixes: [] as Fix[], unlockText: undefined as string | undefined };
  // Each root's what-if questions are independent re-solves over the shared registry view: asked
  // together, their reads overlap instead of waiting one root after another.
  const askAll = () => Promise.all(located.map(({ at }) => (asks(at) ? fixesFor(resolution.provider, manifests, at, explanation.chain, options) : noFixes)));
  const conflictFindings = (extras: Array<{ fixes: Fix[]; unlockText?: string }>): Finding[] => {
    const out: Finding[] = [];
    for (const [i, { at }] of located.entries()) {
      const pre = preOnly(at);
      if (pre) {
        pre.severity = 'error';
        continue;
      }
      const related: RelatedInformation[] = located
        .filter((o) => o.at !== at)
        .map((o) => ({ path: o.at.manifest.path, range: o.at.dep.range, message: `${o.at.dep.raw} is part of this conflict.` } as RelatedInformation))
        .concat(ruleRelated(rules));
      const extra = extras[i]!;
      const unlock = extra.unlockText ? ` ${extra.unlockText}` : '';
      out.push({
        code: possible ? 'possible-conflict' : 'conflict',
        severity: possible ? 'warning' : 'error',
        package: at.dep.normalizedName,
        path: at.manifest.path,
        range: at.dep.range,
        message: `${explanation.summary}${when}${unlock}`,
        related,
        fixes: extra.fixes,
      });
    }
    return out;
  };
  const base = { provider: resolution.provider, result, explanation, notes };
  if (options.stageFixes && located.some(({ at }) => asks(at))) {
    const verdict = conflictFindings(located.map(() => noFixes));
    return { ...base, findings: [...findings, ...verdict], fixes: async () => [...findings, ...conflictFindings(await askAll())] };
  }
  findings.push(...conflictFindings(await askAll()));
  return { ...base, findings };
}
