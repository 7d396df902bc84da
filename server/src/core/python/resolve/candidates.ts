// Which versions of a Python project a requirement may pick: the installers' pre-release, yanked
// and Requires-Python rules, as sets over the project's version list (provider.ts explains the model).
//
// pip 23.2.1 asks its PackageFinder for candidates with ONE specifier set per package: every
// requirement currently on it plus the constraint, ANDed (resolvelib/factory.py
// `_iter_found_candidates`). CandidateEvaluator.get_applicable_candidates then filters with its
// vendored packaging 21.3 `SpecifierSet.filter(prereleases=--pre or None)`, whose rules are:
// - a clause `==`, `>=`, `<=`, `~=` or `===` naming a pre-release (`>=2.0b1`, `==1.0rc1.*`) lets
//   pre-releases in for the whole set; `<`, `>` and `!=` never do (that changed in packaging 22);
// - otherwise a NON-EMPTY set rejects every pre-release, with no fallback (21.3 passes
//   prereleases=False down to each clause): `foo>=1` fails when only 2.0b1 exists;
// - an EMPTY set keeps the final releases, or all pre-releases when there is no final one.
// Files whose Requires-Python excludes the interpreter are not candidates at all (LinkEvaluator),
// and yanked files are dropped after filtering unless every applicable candidate is yanked and the
// set pins with `==` (not `==X.*`) or `===` (PEP 592).
//
// A requirement's allowed set here applies those rules to that requirement alone, with two
// package-wide facts added because they hold in pip for every requirement on the package: a root
// requirement or constraint that names a pre-release (or pins a yanked release) is always part of
// pip's combined set. What a per-requirement model cannot express is pip's non-monotonic mix of
// two TRANSITIVE requirements, e.g. `foo>=1.0b1` from one package and `foo<2` from another: pip
// allows pre-releases for both, this model only for the first. Such cases are rare and end in a
// reported conflict rather than a wrong install; resolvePython.ts then re-solves with every
// requirement relaxed to plain containment and keeps a solution only if pip's combined rule
// (pipRejects below) accepts every version in it.
//
// uv (`if-necessary-or-explicit`): pre-releases of a package are allowed when any first-party
// requirement on it names one (any operator), or when the package has no final release at all;
// yanked releases only when a first-party requirement pins exactly that version.

import { compareVersions, isPrerelease, parseSpecifierSet, parseVersion, type SpecifierSet, type Version } from '../versions/pep440';
import type { PypiProject } from '../index/pypi';

export type Installer = 'pip' | 'uv';

export interface VersionFacts {
  version: string;
  parsed: Version;
  pre: boolean;
  /** Every file that the target Python may use is yanked. */
  yanked: boolean;
  yankedReason?: string;
  /** Some file's Requires-Python admits the target (true when the target is unknown). */
  compatible: boolean;
  /** The Requires-Python that excludes the target, for messages. */
  requiresPython?: string;
}

export interface PackageFacts {
  name: string;
  /** Versions with files, ascending. */
  versions: VersionFacts[];
  byVersion: Map<string, VersionFacts>;
  hasCompatibleFinal: boolean;
  hasAnyFinal: boolean;
}

/** Package-wide allowances that come from first-party requirements (see the header). */
export interface PackagePolicy {
  installer: Installer;
  /** `--pre` / `--prerelease allow`. */
  allowAllPrereleases: boolean;
  /** A first-party requirement on the package names a pre-release. */
  explicitPrerelease: boolean;
  /** Whether a yanked version is admitted for every requirement on the package. */
  yankedAllowed: (v: VersionFacts) => boolean;
}

/** What one requirement allows, plus the versions it would allow if pre-releases were welcome. */
export interface AllowedSet {
  allowed: Set<string>;
  /** Non-empty only when nothing is allowed but pre-releases match the specifier. */
  prereleasesOnly: string[];
}

const PIP_PRE_OPERATORS = new Set(['==', '>=', '<=', '~=', '===']);

/** packaging 21.3's SpecifierSet.prereleases: an inclusive clause names a pre-release. */
export function namesPrereleasePip(set: SpecifierSet): boolean {
  return set.specifiers.some((s) => {
    if (!PIP_PRE_OPERATORS.has(s.operator)) return false;
    const text = s.operator === '==' && s.version.endsWith('.*') ? s.version.slice(0, -2) : s.version;
    const v = parseVersion(text);
    return v !== null && isPrerelease(v);
  });
}

/** uv's `any_prerelease`: some clause's version is a pre-release, whatever its operator. */
export function namesPrereleaseUv(set: SpecifierSet): boolean {
  return set.specifiers.some((s) => {
    const v = parseVersion(s.version.replace(/\.\*$/, ''));
    return v !== null && isPrerelease(v);
  });
}

/** pip's `is_pinned`: a `===` clause, or `==` without a wildcard. */
export function isPinned(set: SpecifierSet): boolean {
  return set.specifiers.some((s) => s.operator === '===' || (s.operator === '==' && !s.version.endsWith('.*')));
}

const specifierCache = new Map<string, SpecifierSet | null>();

/** A parsed specifier set, cached by text; null when it is not valid PEP 440. */
export function cachedSpecifierSet(text: string): SpecifierSet | null {
  let set = specifierCache.get(text);
  if (set === undefined) {
    const r = parseSpecifierSet(text);
    specifierCache.set(text, (set = r.ok ? r.set : null));
  }
  return set;
}

/**
 * Whether a Requires-Python value admits the target, by the installer's rule; unknown target or
 * invalid value admit. pip enforces the whole range. uv checks only the lower bound ("`>=3.8, <4`
 * is treated as `>=3.8`"): its resolver rejects a distribution when
 * `!python_requirement.target().is_contained_by(requires_python)`, and `RequiresPython::is_contained_by`
 * compares the target's lower bound with the lower bound of the distribution's bounding range only
 * (astral-sh/uv 26a9dd4b: crates/uv-distribution-types/src/requires_python.rs, crates/uv-resolver/src/resolver/mod.rs;
 * docs/pip/compatibility.md, "requires-python upper bounds").
 */
export function pythonAdmits(requiresPython: string | undefined, python: Version | undefined, installer: Installer = 'pip'): boolean {
  if (!requiresPython || !python) return true;
  const set = cachedSpecifierSet(requiresPython);
  if (set === null) return true;
  if (installer === 'pip') return set.contains(python, { prereleases: true });
  const bound = lowerBound(set);
  if (!bound) return true;
  // uv compares release numbers only (3.13.0b1 meets >=3.13).
  const release = parseVersion(python.release.join('.')) ?? python;
  const order = compareVersions(release, bound.version);
  return order > 0 || (order === 0 && bound.inclusive);
}

/** The lower bound of a specifier set's bounding range (the highest clause lower bound); null when unbounded below. */
export function lowerBound(set: SpecifierSet): { version: Version; inclusive: boolean } | null {
  let best: { version: Version; inclusive: boolean } | null = null;
  for (const s of set.specifiers) {
    if (s.operator === '<' || s.operator === '<=' || s.operator === '!=') continue;
    const version = parseVersion(s.version.replace(/\.\*$/, ''));
    if (!version) continue;
    const inclusive = s.operator !== '>';
    const order = best ? compareVersions(version, best.version) : 1;
    if (order > 0 || (order === 0 && best !== null && !inclusive)) best = { version, inclusive };
  }
  return best;
}

/** The candidate facts of a project: versions with files, their pre-release, yanked and Python status. */
export function packageFacts(project: PypiProject, python: Version | undefined, installer: Installer = 'pip'): PackageFacts {
  const versions: VersionFacts[] = [];
  // A project's files share a few Requires-Python values (pydantic-core: 60 wheels a release, one
  // value): each is judged once, not once per file.
  const admitted = new Map<string | undefined, boolean>();
  const admits = (requiresPython: string | undefined): boolean => {
    let ok = admitted.get(requiresPython);
    if (ok === undefined) admitted.set(requiresPython, (ok = pythonAdmits(requiresPython, python, installer)));
    return ok;
  };
  for (const [version, entry] of project.versions) {
    const parsed = parseVersion(version);
    if (!parsed || entry.files.length === 0) continue;
    // pip judges each file on its own: a version is usable if one of its files is.
    const usable = entry.files.filter((f) => admits(f.requiresPython));
    const facts: VersionFacts = {
      version,
      parsed,
      pre: isPrerelease(parsed),
      yanked: usable.length > 0 ? usable.every((f) => f.yanked) : entry.yanked,
      compatible: usable.length > 0,
    };
    const reason = (usable.length > 0 ? usable : entry.files).find((f) => f.yanked && f.yankedReason)?.yankedReason;
    if (facts.yanked && reason) facts.yankedReason = reason;
    if (!facts.compatible) facts.requiresPython = entry.requiresPython ?? entry.files.find((f) => f.requiresPython)?.requiresPython;
    versions.push(facts);
  }
  versions.sort((a, b) => compareVersions(a.parsed, b.parsed));
  return {
    name: project.normalized,
    versions,
    byVersion: new Map(versions.map((v) => [v.version, v])),
    hasCompatibleFinal: versions.some((v) => v.compatible && !v.pre),
    hasAnyFinal: versions.some((v) => !v.pre),
  };
}

/** The versions one requirement allows under the installer's rules and the package's policy. */
export function allowedVersions(facts: PackageFacts, set: SpecifierSet, policy: PackagePolicy): AllowedSet {
  const matching = matchingVersions(facts, set);
  const preOk = prereleasesAllowed(facts, set, policy);
  const chosen = matching.filter((v) => !v.pre || preOk);
  let yankOk: (v: VersionFacts) => boolean = policy.yankedAllowed;
  if (policy.installer === 'pip' && isPinned(set)) {
    const usable = chosen.filter((v) => v.compatible);
    if (usable.length > 0 && usable.every((v) => v.yanked)) yankOk = () => true;
  }
  const allowed = new Set(chosen.filter((v) => !v.yanked || yankOk(v)).map((v) => v.version));
  const prereleasesOnly = allowed.size === 0 && !preOk ? matching.filter((v) => v.pre && v.compatible && !v.yanked).map((v) => v.version) : [];
  return { allowed, prereleasesOnly };
}

// Which versions a specifier set contains, once per facts and set: facts are shared per version
// map (provider.ts) and sets per text (cachedSpecifierSet), so every check and document that asks
// again finds the answer (read-only).
const matchingCache = new WeakMap<PackageFacts, WeakMap<SpecifierSet, VersionFacts[]>>();

function matchingVersions(facts: PackageFacts, set: SpecifierSet): VersionFacts[] {
  let bySet = matchingCache.get(facts);
  if (!bySet) matchingCache.set(facts, (bySet = new WeakMap()));
  let matching = bySet.get(set);
  if (!matching) bySet.set(set, (matching = facts.versions.filter((v) => set.contains(v.parsed, { prereleases: true }))));
  return matching;
}

function prereleasesAllowed(facts: PackageFacts, set: SpecifierSet, policy: PackagePolicy): boolean {
  if (policy.allowAllPrereleases || policy.explicitPrerelease) return true;
  if (policy.installer === 'uv') return !facts.hasAnyFinal || namesPrereleaseUv(set);
  if (namesPrereleasePip(set)) return true;
  return set.specifiers.length === 0 && !facts.hasCompatibleFinal;
}

/** pip's package-wide yanked allowance from one first-party pin: it pins, and all it admits is yanked. */
export function pinAdmitsYanked(facts: PackageFacts, set: SpecifierSet, policy: Omit<PackagePolicy, 'yankedAllowed'>): boolean {
  if (!isPinned(set)) return false;
  const preOk = prereleasesAllowed(facts, set, { ...policy, yankedAllowed: () => false });
  const usable = matchingVersions(facts, set).filter((v) => v.compatible && (!v.pre || preOk));
  return usable.length > 0 && usable.every((v) => v.yanked);
}

/** uv's allowance: the version matches a first-party `==` / `===` clause. */
export function exactPinMatches(set: SpecifierSet, v: VersionFacts): boolean {
  return set.specifiers.some((s) => {
    if (s.operator !== '===' && !(s.operator === '==' && !s.version.endsWith('.*'))) return false;
    const single = parseSpecifierSet(`${s.operator}${s.version}`);
    return single.ok && single.set.contains(v.parsed, { prereleases: true });
  });
}

/** pip's candidates for a package given every specifier on it (requirers' and constraints'), as its PackageFinder and factory pick them. */
export function pipCandidates(facts: PackageFacts, specifiers: SpecifierSet[], allowAllPrereleases: boolean): VersionFacts[] {
  const empty = specifiers.every((s) => s.specifiers.length === 0);
  const pre = allowAllPrereleases || specifiers.some(namesPrereleasePip) || (empty && !facts.hasCompatibleFinal);
  const applicable = facts.versions.filter((f) => f.compatible && (pre || !f.pre) && specifiers.every((s) => s.contains(f.parsed, { prereleases: true })));
  if (specifiers.some(isPinned) && applicable.length > 0 && applicable.every((f) => f.yanked)) return applicable;
  return applicable.filter((f) => !f.yanked);
}

/** pip's combined rule for one chosen version: undefined when pip would take it, else why not. */
export function pipRejects(facts: PackageFacts, version: string, specifiers: SpecifierSet[], allowAllPrereleases: boolean): string | undefined {
  if (pipCandidates(facts, specifiers, allowAllPrereleases).some((v) => v.version === version)) return undefined;
  const v = facts.byVersion.get(version);
  if (!v) return 'it is not a candidate';
  if (v.pre && !allowAllPrereleases && !specifiers.some(namesPrereleasePip)) return 'it is a pre-release that no requirement names';
  return v.yanked ? 'it is yanked and not the only release an exact pin allows' : 'pip would not consider it';
}
