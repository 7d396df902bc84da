// The PubGrub DependencyProvider for PyPI projects: pip 23.2.1's semantics for requirements files,
// uv's for uv projects. Extras are virtual packages `name[extra]` whose version v depends on
// exactly `name==v` plus that extra's requirements, as pip's ExtrasCandidate does. Markers are
// evaluated three-valued against the target: false drops a requirement, unknown keeps it with a
// `condition` so that a conflict resting on it reads as possible. Which versions each requirement
// may pick (pre-releases, yanked releases, Requires-Python) is candidates.ts's business; its
// header compares the model with pip's PackageFinder. Solve through resolvePython (resolvePython.ts),
// which adds the part of pip's rules a per-requirement provider cannot express. Registry data is
// fetched once per project and version, shared by every provider made with withRoots or derive.

import type { CheckDeadline } from '../../ecosystem';
import type { Dependency, ParsedManifest } from '../../model';
import type { PypiProject } from '../index/pypi';
import { evaluateMarker, parseMarker, type Marker, type MarkerEnvironment, type Tristate } from '../versions/markers';
import { compareVersions, exactPin, parseVersion, SpecifierSet, type Version } from '../versions/pep440';
import { normalizeName } from '../versions/pep508';
import {
  allowedVersions, cachedSpecifierSet as specifierSet, pythonAdmits, exactPinMatches, namesPrereleasePip, namesPrereleaseUv, packageFacts, pinAdmitsYanked,
  type AllowedSet, type Installer, type PackageFacts, type PackagePolicy,
} from './candidates';
import { RegistryView, withSignal, type ParsedRequirement, type PypiSource, type ReadFailure } from './registryView';
import { warmDependencies, warmMetadata, warmRelease, warmRequirements, type WarmHost } from './warm';
import { collectNotes, type NoteLog, type PythonNote, type SolutionView } from './notes';
import type { DependenciesResult, DependencyOrigin, DependencyProvider, PackageName, ProvidedDependency, ProvidedRule, VersionsResult } from '../../pubgrub/types';
import { ROOT } from '../../pubgrub/types';

export type { Installer, PackageFacts, VersionFacts } from './candidates';
export type { PythonNote, SolutionView } from './notes';
export type { PypiSource } from './registryView';

export interface PythonTarget {
  /** Marker variables; any left out evaluate as unknown. `extra` is set by the provider. */
  environment: MarkerEnvironment;
  /** For Requires-Python: '3.11' or '3.11.7'; defaults to the environment's python version. */
  pythonVersion?: string;
}

/** A manifest requirement and where it was written. */
export interface RootRequirement {
  dependency: Dependency;
  origin?: DependencyOrigin;
}

export interface PythonProviderOptions {
  pypi: PypiSource;
  /** Requirements, constraints and overrides of the manifest tree. */
  roots: Array<Dependency | RootRequirement>;
  target: PythonTarget;
  installer: Installer;
  /** pip `--pre`, uv `--prerelease allow`. */
  allowPrereleases?: boolean;
  /** Checks a given set of versions (a lock, an installed set): each project may only be the version named here, and projects not named have none. */
  restrictTo?: ReadonlyMap<string, string>;
  /** Packages whose lowest allowed version the solver should try first (what-if probes). */
  preferLowest?: ReadonlySet<string>;
  /** The check's time limit for registry reads; a read it cuts short stops the solve as incomplete. */
  deadline?: CheckDeadline;
  /** Team rules: incompatibilities known from the start (project names normalised). */
  rules?: readonly ProvidedRule[];
  /**
   * The source's request count (PypiSource.requestsSent) when the check began: reads ahead start
   * once a request has gone out since (RegistryView.readsWentOut). Default: when the provider is made.
   */
  requestsAtCheckStart?: number;
}

export interface PythonProvider extends DependencyProvider {
  readonly roots: readonly RootRequirement[];
  readonly options: Readonly<PythonProviderOptions>;
  /** What the insight layer should say about a result (see PythonNote); pass the solution when there is one. */
  notes(solution?: SolutionView): PythonNote[];
  /** Another provider for other roots, sharing this one's registry data. */
  withRoots(roots: Array<Dependency | RootRequirement>): PythonProvider;
  /** Another provider with other options (not another registry), sharing this one's registry data. */
  derive(changes: Partial<Omit<PythonProviderOptions, 'pypi'>>): PythonProvider;
  /** The candidate versions fetched so far for a package (virtual extras included), ascending. */
  versionsOf(pkg: PackageName): readonly string[] | undefined;
  /** The project name as the manifest spells it, with the extra for virtual packages. */
  displayName(pkg: PackageName): string;
  /** Pre-release, yanked and Requires-Python facts of a fetched project's versions. */
  versionFacts(pkg: PackageName): PackageFacts | undefined;
  /**
   * The same provider with every requirement reduced to plain containment (pre-releases and yanked
   * releases admitted, finals preferred) and some versions excluded: resolvePython.ts's re-solve.
   */
  relaxed(exclude: ReadonlyMap<string, ReadonlySet<string>>): PythonProvider;
  /** pip: the constraints that apply to a package (with every requirer's specifier they form pip's combined set). */
  constraintSets(pkg: PackageName): SpecifierSet[];
  /** The versions one requirement on a fetched package lets the installer consider, alone with the constraints (ascending). */
  candidatesFor(pkg: PackageName, specifier: string): string[];
  /** The extras a release declares (Provides-Extra); [] when unknown. */
  extrasOf(pkg: PackageName, version: string, signal?: AbortSignal): Promise<string[]>;
  /** Why a package's project could not be read (not found, or the registry failed), once that has happened. */
  readFailure(pkg: PackageName): ReadFailure | undefined;
  /** Starts reading ahead for the roots (their pages, then each one's likely release as its page arrives), as the solve's first step does. */
  warmRoots(): void;
}

/** Splits `name[extra]` into its project and extra. */
export function splitPackage(pkg: PackageName): { base: string; extra?: string } {
  const m = /^(.*)\[([^\]]*)\]$/.exec(pkg);
  return m ? { base: m[1], extra: m[2] } : { base: pkg };
}

interface Override {
  specifier: string;
  state: Tristate;
  marker: string | null;
}

// Facts computed once per version list: PypiClient shares one merged version map while the index
// sends the same pages, so every check, document and what-if probe reading it shares these (they
// are read-only). Keyed by installer, target Python and project (factsKey).
const factsByVersionMap = new WeakMap<PypiProject['versions'], Map<string, PackageFacts>>();

// A metadata marker's value per target environment and extra (see Provider.markerOf).
const markerValues = new WeakMap<Marker, Map<string, Tristate>>();

/** packageFacts, shared by every provider that reads the same version map. */
function sharedPackageFacts(key: string, project: PypiProject, python: Version | undefined, installer: Installer): PackageFacts {
  let byKey = factsByVersionMap.get(project.versions);
  if (!byKey) factsByVersionMap.set(project.versions, (byKey = new Map()));
  let facts = byKey.get(key);
  if (!facts) byKey.set(key, (facts = packageFacts(project, python, installer)));
  return facts;
}

/** Creates the provider for one manifest tree and target. */
export function createPythonProvider(options: PythonProviderOptions): PythonProvider {
  return new Provider(options, new RegistryView(options.pypi, options.requestsAtCheckStart));
}

/** Every PyPI requirement of a manifest tree with its origin; `include` narrows the sections. */
export function rootsFromManifests(manifests: ParsedManifest[], include: (d: Dependency) => boolean = (d) => d.ecosystem === 'pypi'): RootRequirement[] {
  const out: RootRequirement[] = [];
  for (const m of manifests) m.dependencies.forEach((dependency, index) => include(dependency) && out.push({ dependency, origin: { path: m.path, index } }));
  return out;
}

class Provider implements PythonProvider {
  readonly roots: RootRequirement[];
  private readonly python: Version | undefined;
  private readonly pythonText: string | undefined;
  private readonly overrides = new Map<string, Override[]>();
  /** Per solver package: the first-party specifier sets that shape its policy (candidates.ts). */
  private readonly rootSets = new Map<string, SpecifierSet[]>();
  private rootPins?: Map<string, Version>;
  private readonly policies = new Map<string, PackagePolicy>();
  private readonly allowedCache = new Map<string, AllowedSet>();
  private readonly names = new Map<string, string>();
  private readonly log: NoteLog = { direct: new Map(), invalid: new Map(), metadataErrors: new Map(), unknownExtras: new Map(), prereleaseOnly: new Map() };
  private rootEdges: ProvidedDependency[] | undefined;
  private warmer: WarmHost | undefined;

  constructor(
    readonly options: PythonProviderOptions,
    private readonly view: RegistryView,
    private readonly relaxation?: ReadonlyMap<string, ReadonlySet<string>>,
  ) {
    this.roots = options.roots.map((r) => ('dependency' in r ? r : { dependency: r }));
    this.pythonText = options.target.pythonVersion ?? options.target.environment.python_full_version ?? options.target.environment.python_version;
    this.python = this.pythonText ? (parseVersion(this.pythonText) ?? undefined) : undefined;
    this.indexRoots();
  }

  withRoots(roots: Array<Dependency | RootRequirement>): PythonProvider {
    return this.derive({ roots });
  }

  get rules(): readonly ProvidedRule[] | undefined {
    return this.options.rules;
  }

  derive(changes: Partial<Omit<PythonProviderOptions, 'pypi'>>): PythonProvider {
    return new Provider({ ...this.options, ...changes }, this.view);
  }

  preferred(pkg: PackageName, allowed: string[]): string | undefined {
    const facts = this.relaxation ? this.versionFacts(pkg) : undefined;
    // Relaxed, try what pip would try first: finals that are not yanked, then the rest.
    const usual = facts ? allowed.filter((v) => !facts.byVersion.get(v)?.pre && !facts.byVersion.get(v)?.yanked) : allowed;
    const pool = usual.length ? usual : allowed;
    return this.options.preferLowest?.has(pkg) ? pool[0] : pool.at(-1);
  }

  relaxed(exclude: ReadonlyMap<string, ReadonlySet<string>>): PythonProvider {
    return new Provider(this.options, this.view, exclude);
  }

  constraintSets(pkg: PackageName): SpecifierSet[] {
    return this.rootSets.get(`c:${splitPackage(pkg).base}`) ?? [];
  }

  candidatesFor(pkg: PackageName, specifier: string): string[] {
    const facts = this.versionFacts(pkg);
    const set = specifierSet(specifier);
    if (!facts || !set) return [];
    const merged = new SpecifierSet([...set.specifiers, ...this.constraintSets(pkg).flatMap((c) => c.specifiers)]);
    const { allowed } = allowedVersions(facts, merged, this.policy(pkg, facts, true));
    return facts.versions.filter((v) => allowed.has(v.version)).map((v) => v.version);
  }

  private markerState(marker: string | null, extra: string[]): Tristate {
    if (!marker) return true;
    const parsed = parseMarker(marker);
    return parsed.ok ? evaluateMarker(parsed.marker, { ...this.options.target.environment, extra }) : 'unknown';
  }

  // Overrides first (uv replaces every requirement on their package), then the first-party sets.
  private indexRoots(): void {
    for (const { dependency: d } of this.roots) {
      if (d.ecosystem !== 'pypi') continue;
      if (!this.names.has(d.normalizedName)) this.names.set(d.normalizedName, d.name);
      if (!d.override || d.source !== 'registry') continue;
      const list = this.overrides.get(d.normalizedName) ?? [];
      list.push({ specifier: d.specifier, state: this.markerState(d.marker, []), marker: d.marker });
      this.overrides.set(d.normalizedName, list);
    }
    const add = (key: string, text: string) => {
      const set = specifierSet(text);
      if (set) this.rootSets.set(key, [...(this.rootSets.get(key) ?? []), set]);
    };
    for (const { dependency: d } of this.roots) {
      if (d.ecosystem !== 'pypi' || d.source !== 'registry' || this.markerState(d.marker, []) === false) continue;
      const uv = this.options.installer === 'uv';
      // pip applies a constraint to `name` and every `name[extra]`; uv keys everything by project.
      const keys = d.constraint || d.override || uv ? [d.normalizedName] : d.extras.length ? d.extras.map((e) => `${d.normalizedName}[${normalizeName(e)}]`) : [d.normalizedName];
      for (const spec of this.replaced(d.normalizedName, d.specifier, d.override)) for (const key of keys) add(d.constraint && !uv ? `c:${key}` : key, spec.specifier);
    }
  }

  // uv: the specifiers a requirement on `name` really has once overrides replace it.
  private replaced(name: string, specifier: string, isOverride = false): Array<{ specifier: string; state: Tristate; marker: string | null }> {
    const list = isOverride ? undefined : this.overrides.get(name);
    return list ? list.filter((o) => o.state !== false) : [{ specifier, state: true, marker: null }];
  }

  private policy(pkg: PackageName, facts: PackageFacts, strict = false): PackagePolicy {
    if (this.relaxation && !strict) return { installer: this.options.installer, allowAllPrereleases: true, explicitPrerelease: true, yankedAllowed: () => true };
    let p = this.policies.get(pkg);
    if (p) return p;
    const { base } = splitPackage(pkg);
    const installer = this.options.installer;
    const allowAllPrereleases = this.options.allowPrereleases === true;
    if (installer === 'uv') {
      const sets = this.rootSets.get(base) ?? [];
      p = { installer, allowAllPrereleases, explicitPrerelease: sets.some(namesPrereleaseUv), yankedAllowed: (v) => sets.some((s) => exactPinMatches(s, v)) };
    } else {
      const sets = [...(this.rootSets.get(pkg) ?? []), ...(this.rootSets.get(`c:${base}`) ?? [])];
      const partial = { installer, allowAllPrereleases, explicitPrerelease: sets.some(namesPrereleasePip) };
      const yanked = sets.some((s) => pinAdmitsYanked(facts, s, partial));
      p = { ...partial, yankedAllowed: () => yanked };
    }
    this.policies.set(pkg, p);
    return p;
  }

  private allowedSet(pkg: PackageName, specifier: string, set: SpecifierSet, by: string): AllowedSet {
    const key = `${pkg}\u0000${specifier}`;
    let result = this.allowedCache.get(key);
    if (!result) {
      const facts = this.view.facts.get(this.factsKey(splitPackage(pkg).base));
      result = facts ? allowedVersions(facts, set, this.policy(pkg, facts)) : { allowed: new Set(), prereleasesOnly: [] };
      this.allowedCache.set(key, result);
    }
    if (result.prereleasesOnly.length > 0) this.log.prereleaseOnly.set(`${pkg}\u0000${specifier}\u0000${by}`, { package: pkg, specifier, by, prereleases: result.prereleasesOnly });
    return result;
  }

  private factsKey(base: string): string {
    return `${this.options.installer}\u0000${this.pythonText ?? ''}\u0000${base}`;
  }

  private factsOf(base: string, project: PypiProject): PackageFacts {
    const key = this.factsKey(base);
    let facts = this.view.facts.get(key);
    if (!facts) this.view.facts.set(key, (facts = this.view.warmFacts.get(key) ?? sharedPackageFacts(key, project, this.python, this.options.installer)));
    return facts;
  }

  /** Facts for warming: computed once, but published to \`view.facts\` only when a solve reads the package. */
  private warmFactsOf(base: string, project: PypiProject): PackageFacts {
    const key = this.factsKey(base);
    let facts = this.view.facts.get(key) ?? this.view.warmFacts.get(key);
    if (!facts) this.view.warmFacts.set(key, (facts = sharedPackageFacts(key, project, this.python, this.options.installer)));
    return facts;
  }

  /** What warm.ts needs of this provider: its markers, policies, root pins and target Python. */
  private get warmHost(): WarmHost {
    return (this.warmer ??= {
      view: this.view,
      deadline: this.options.deadline,
      // Through markerOf's cache when at most one extra is asked for (the usual case), as solves do.
      applies: (r, extras) =>
        !r.markerTree || (extras.length <= 1 ? this.markerOf(r.markerTree, extras[0] ?? null) : evaluateMarker(r.markerTree, { ...this.options.target.environment, extra: [...extras] })) !== false,
      admitsPython: (requiresPython) => !requiresPython || !this.python || this.pythonAdmitsText(requiresPython),
      likelyPick: (name, specifier, project) => this.likelyPick(name, specifier, project),
      nextPicks: (name, specifier, project, after, count) => this.nextPicks(name, specifier, project, after, count),
      excludesRootPin: (r) => this.excludesRootPin(r),
    });
  }

  // Whether a requirement excludes the version a root requirement pins exactly (`websockets<15`
  // against `websockets==15.0.1`): a release that carries it cannot be part of a solution.
  private excludesRootPin(r: ParsedRequirement): boolean {
    const pinned = (this.rootPins ??= this.exactRootPins()).get(r.name);
    if (!pinned) return false;
    const set = specifierSet(r.specifier);
    return set !== null && !set.contains(pinned, { prereleases: true });
  }

  private exactRootPins(): Map<string, Version> {
    const pins = new Map<string, Version>();
    for (const { dependency: d } of this.roots) {
      // An override replaces the dependency's own requirement (uv), so it dooms nothing: left out.
      if (d.ecosystem !== 'pypi' || d.source !== 'registry' || d.override || d.extras.length > 0 || this.markerState(d.marker, []) === false) continue;
      const pin = exactPin(d.specifier);
      const v = pin?.operator === '==' ? parseVersion(pin.version) : null;
      if (v) pins.set(d.normalizedName, v);
    }
    return pins;
  }

  // The releases a solve would try after `after` for the same requirement, in likelyPick's order.
  private nextPicks(name: string, specifier: string, project: PypiProject, after: string, count: number): string[] {
    if (this.options.restrictTo) return [];
    const out: string[] = [];
    let passed = false;
    for (const r of this.preferredReleases(name, specifier, project)) {
      if (out.length >= count) break;
      if (r.version === after) passed = true;
      else if (passed && r.agrees()) out.push(r.version);
    }
    return out;
  }

  // The release a solve would try first for a requirement: the preferred end of what it allows,
  // within the root requirements on the package when they agree with it (no notes are logged).
  private likelyPick(name: string, specifier: string, project: PypiProject): string | undefined {
    const only = this.options.restrictTo;
    if (only) return only.get(name);
    let fallback: string | undefined;
    for (const r of this.preferredReleases(name, specifier, project)) {
      fallback ??= r.version;
      if (r.agrees()) return r.version;
    }
    return fallback;
  }

  // The releases a requirement allows that the target can install, in the order a solve tries
  // them, each with whether the root requirements on the package agree with it.
  private *preferredReleases(name: string, specifier: string, project: PypiProject): Generator<{ version: string; agrees: () => boolean }> {
    const facts = this.warmFactsOf(name, project);
    const choice = this.replaced(name, specifier)[0]?.specifier;
    const set = choice === undefined ? null : specifierSet(choice);
    if (!set) return;
    const allowed = this.allowedQuietly(name, choice!, set, facts);
    const roots = this.rootSets.get(name) ?? [];
    const lowest = this.options.preferLowest?.has(name) === true;
    const n = facts.versions.length;
    for (let k = 0; k < n; k++) {
      const v = facts.versions[lowest ? k : n - 1 - k];
      if (v.compatible && allowed.has(v.version)) yield { version: v.version, agrees: () => roots.every((r) => r.contains(v.parsed, { prereleases: true })) };
    }
  }

  // The solver's allowed set for a requirement, shared with allowedSet's cache but logging nothing.
  private allowedQuietly(pkg: PackageName, specifier: string, set: SpecifierSet, facts: PackageFacts): Set<string> {
    if (this.relaxation) return allowedVersions(facts, set, this.policy(pkg, facts, true)).allowed;
    const key = `${pkg}\u0000${specifier}`;
    let result = this.allowedCache.get(key);
    if (!result) this.allowedCache.set(key, (result = allowedVersions(facts, set, this.policy(pkg, facts))));
    return result.allowed;
  }

  async versions(pkg: PackageName, signal?: AbortSignal): Promise<VersionsResult> {
    if (pkg === ROOT) return { kind: 'ok', versions: ['0'] };
    const { base } = splitPackage(pkg);
    const outcome = await withSignal(this.view.project(base, this.options.deadline), signal);
    if (outcome.kind === 'missing') return { kind: 'unknown-package', message: outcome.message };
    // Not knowing a project's versions is not knowing whether anything needing it installs.
    if (outcome.kind === 'error') return { kind: 'incomplete', reason: outcome.message };
    const excluded = this.relaxation?.get(base);
    const versions = this.factsOf(base, outcome.project).versions.map((v) => v.version).filter((v) => !excluded?.has(v));
    const only = this.options.restrictTo;
    if (!only) return { kind: 'ok', versions };
    const wanted = only.get(base);
    const parsed = wanted === undefined ? null : parseVersion(wanted);
    return { kind: 'ok', versions: versions.filter((v) => v === wanted || (parsed !== null && compareVersions(parseVersion(v) as Version, parsed) === 0)) };
  }

  readFailure(pkg: PackageName): ReadFailure | undefined {
    return this.view.failures.get(splitPackage(pkg).base);
  }

  versionsOf(pkg: PackageName): readonly string[] | undefined {
    return this.versionFacts(pkg)?.versions.map((v) => v.version);
  }

  versionFacts(pkg: PackageName): PackageFacts | undefined {
    return this.view.facts.get(this.factsKey(splitPackage(pkg).base));
  }

  displayName(pkg: PackageName): string {
    if (pkg === ROOT) return 'your requirements';
    const { base, extra } = splitPackage(pkg);
    const name = this.names.get(base) ?? base;
    return extra === undefined ? name : `${name}[${extra}]`;
  }

  prefetch(pkg: PackageName, versions: string[]): void {
    if (pkg === ROOT) return;
    const { base } = splitPackage(pkg);
    // Outcomes are cached, never thrown: nothing here can become an unhandled rejection.
    const deadline = this.options.deadline;
    void this.view.project(base, deadline, true).then((o) => {
      if (o.kind !== 'ok') return;
      for (const v of versions.slice(0, 8)) if (o.project.versions.has(v)) warmRelease(this.warmHost, o.project, v);
    });
  }

  prefetchShallow(pkg: PackageName, versions: string[]): void {
    if (pkg === ROOT) return;
    void this.view.project(splitPackage(pkg).base, this.options.deadline, true).then((o) => {
      if (o.kind === 'ok') for (const v of versions.slice(0, 8)) warmMetadata(this.warmHost, o.project, v);
    });
  }

  /** The extras a release declares (Provides-Extra), from the metadata the resolver reads anyway; [] when unknown. */
  async extrasOf(pkg: PackageName, version: string, signal?: AbortSignal): Promise<string[]> {
    const outcome = await withSignal(this.view.project(splitPackage(pkg).base), signal);
    if (outcome.kind !== 'ok') return [];
    const md = await withSignal(this.view.metadataOf(outcome.project, version), signal);
    return md.kind === 'error' || md.metadata.kind === 'unknown' ? [] : md.metadata.providesExtra;
  }

  warmRoots(): ProvidedDependency[] {
    if (!this.rootEdges) {
      this.rootEdges = this.buildRootEdges();
      warmRequirements(this.warmHost, this.rootEdges.filter((d) => !d.constraintOnly).map((d) => {
        const { base, extra } = splitPackage(d.package);
        return { name: base, specifier: d.specifier, extras: extra === undefined ? [] : [extra] };
      }));
    }
    return this.rootEdges;
  }

  async dependencies(pkg: PackageName, version: string, signal?: AbortSignal): Promise<DependenciesResult> {
    if (pkg === ROOT) return { kind: 'ok', dependencies: this.warmRoots() };
    const { base, extra } = splitPackage(pkg);
    const outcome = await withSignal(this.view.project(base, this.options.deadline), signal);
    if (outcome.kind !== 'ok') return { kind: 'unavailable', reason: outcome.message, incomplete: true };
    const facts = this.factsOf(base, outcome.project).byVersion.get(version);
    if (!facts) return { kind: 'unavailable', reason: `${version} is not listed on ${outcome.project.index}` };
    if (!facts.compatible) return { kind: 'unavailable', reason: this.pythonReason(facts.requiresPython) };
    const md = await withSignal(this.view.metadataOf(outcome.project, version, this.options.deadline), signal);
    if (md.kind === 'error') {
      // Past the deadline every other version would fail the same way: stop rather than try them.
      if (md.late) return { kind: 'incomplete', reason: md.message };
      this.log.metadataErrors.set(`${base}\u0000${version}`, { package: base, version, message: md.message });
      // Other versions are still tried (one broken file should not sink a package), but a conflict resting on this is no verdict.
      return { kind: 'unavailable', reason: `its metadata could not be read: ${md.message}`, incomplete: true };
    }
    if (md.metadata.kind === 'unknown') return { kind: 'unavailable', reason: md.metadata.reason };
    const { requiresDist, requiresPython, providesExtra } = md.metadata;
    if (requiresPython && this.python && !this.pythonAdmitsText(requiresPython)) return { kind: 'unavailable', reason: this.pythonReason(requiresPython) };
    const parsed = this.view.requirementsOf(base, version, requiresDist);
    if ('invalid' in parsed) return { kind: 'unavailable', reason: `its metadata lists a requirement pip cannot read, "${parsed.invalid}" (${parsed.message})` };
    warmDependencies(this.warmHost, base, version, parsed, extra === undefined ? [] : [extra]);
    const by = { pkg, version };
    if (extra === undefined) return { kind: 'ok', dependencies: this.metadataEdges(parsed, null, by) };
    const exact: ProvidedDependency = { package: base, allows: (v) => v === version, specifier: `==${version}` };
    if (!providesExtra.some((e) => normalizeName(e) === extra)) {
      // pip warns that the extra does not exist and installs the project without it.
      this.log.unknownExtras.set(`${base}\u0000${version}\u0000${extra}`, { package: base, version, extra });
      return { kind: 'ok', dependencies: [exact] };
    }
    return { kind: 'ok', dependencies: [exact, ...this.metadataEdges(parsed, extra, by)] };
  }

  private pythonAdmitsText(requiresPython: string): boolean {
    return pythonAdmits(requiresPython, this.python, this.options.installer);
  }

  private pythonReason(requiresPython: string | undefined): string {
    const rule = this.options.installer === 'uv' ? ' (uv checks only the lower bound of Requires-Python)' : '';
    return `it requires Python ${requiresPython ?? '(another version)'} and the target is Python ${this.pythonText}${rule}`;
  }

  private environmentKey: string | undefined;

  // A metadata marker's value for this target, shared by every provider with an equal environment
  // (parsed requirement lists, and so their marker trees, are shared per metadata answer).
  private markerOf(tree: Marker, extra: string | null): Tristate {
    this.environmentKey ??= JSON.stringify(this.options.target.environment);
    let byTarget = markerValues.get(tree);
    if (!byTarget) markerValues.set(tree, (byTarget = new Map()));
    const key = `${this.environmentKey}\u0000${extra ?? ''}`;
    let state = byTarget.get(key);
    if (state === undefined) byTarget.set(key, (state = evaluateMarker(tree, { ...this.options.target.environment, extra: extra === null ? [] : [extra] })));
    return state;
  }

  // Base requirements hold with no extra; an extra's are those its marker adds (base ones come through name==v).
  private metadataEdges(requirements: ParsedRequirement[], extra: string | null, by: { pkg: string; version: string }): ProvidedDependency[] {
    const out: ProvidedDependency[] = [];
    for (const r of requirements) {
      const plain: Tristate = r.markerTree ? this.markerOf(r.markerTree, null) : true;
      let state = plain;
      if (extra !== null) {
        state = r.markerTree ? this.markerOf(r.markerTree, extra) : true;
        if (plain === true) continue;
      }
      if (state === false) continue;
      const condition = state === 'unknown' ? (r.marker ?? undefined) : undefined;
      out.push(...this.edges({ name: r.name, extras: r.extras, specifier: r.specifier, url: r.url }, `${by.pkg} ${by.version}`, { condition }));
    }
    return out;
  }

  private buildRootEdges(): ProvidedDependency[] {
    const out: ProvidedDependency[] = [];
    for (const { dependency: d, origin } of this.roots) {
      if (d.ecosystem !== 'pypi' || d.override) continue;
      const state = this.markerState(d.marker, []);
      if (state === false) continue;
      const condition = state === 'unknown' ? (d.marker ?? undefined) : undefined;
      if (d.source !== 'registry') {
        this.log.direct.set(`${ROOT}\u0000${d.normalizedName}\u0000${d.location ?? ''}`, { package: d.normalizedName, source: d.source, location: d.location, by: ROOT, origin });
        continue;
      }
      out.push(...this.edges({ name: d.normalizedName, extras: d.constraint ? [] : d.extras.map(normalizeName), specifier: d.specifier }, ROOT, { condition, origin, constraintOnly: d.constraint }));
    }
    return out;
  }

  private edges(
    req: { name: string; extras: string[]; specifier: string; url?: string },
    by: string,
    extra: { condition?: string; origin?: DependencyOrigin; constraintOnly?: boolean },
  ): ProvidedDependency[] {
    if (req.url !== undefined) {
      this.log.direct.set(`${by}\u0000${req.name}\u0000${req.url}`, { package: req.name, source: 'url', location: req.url, by, origin: extra.origin });
      return [];
    }
    const out: ProvidedDependency[] = [];
    const targets = req.extras.length ? req.extras.map((e) => `${req.name}[${e}]`) : [req.name];
    for (const choice of this.replaced(req.name, req.specifier)) {
      const set = specifierSet(choice.specifier);
      if (!set) {
        this.log.invalid.set(`${by}\u0000${req.name}\u0000${choice.specifier}`, { package: req.name, specifier: choice.specifier, by, origin: extra.origin });
        continue;
      }
      const conditions = [extra.condition, choice.state === 'unknown' ? (choice.marker ?? undefined) : undefined].filter((c): c is string => !!c);
      for (const target of targets) {
        let allowed: Set<string> | undefined;
        const dep: ProvidedDependency = {
          package: target,
          specifier: choice.specifier,
          allows: (v) => (allowed ??= this.allowedSet(target, choice.specifier, set, by).allowed).has(v),
        };
        if (conditions.length) dep.condition = conditions.length === 1 ? conditions[0] : conditions.map((c) => `(${c})`).join(' and ');
        if (extra.origin) dep.origin = extra.origin;
        if (extra.constraintOnly) dep.constraintOnly = true;
        out.push(dep);
      }
    }
    return out;
  }

  notes(solution?: SolutionView): PythonNote[] {
    return collectNotes(this.log, solution, {
      installer: this.options.installer,
      facts: (base) => this.view.facts.get(this.factsKey(base)),
      prereleaseWelcome: (pkg, specifiers) => {
        const facts = this.view.facts.get(this.factsKey(splitPackage(pkg).base));
        if (!facts) return true;
        const policy = this.policy(pkg, facts, true);
        if (policy.allowAllPrereleases || policy.explicitPrerelease) return true;
        const names = this.options.installer === 'uv' ? namesPrereleaseUv : namesPrereleasePip;
        return specifiers.some((s) => {
          const set = specifierSet(s);
          return set !== null && names(set);
        });
      },
    });
  }
}
