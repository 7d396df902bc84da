// Contracts between the PubGrub solver (solver.ts, ecosystem-agnostic) and the providers that
// feed it (python/resolve/provider.ts for PyPI). Versions of a package are a finite, known list, so a version set is
// exactly a subset of that list: set algebra is exact and explanations can name the versions that
// exist ("realtime 2.4.0 to 2.4.3") instead of abstract ranges.

/** A package as the solver sees it: 'websockets', a virtual extra 'uvicorn[standard]', or ROOT. */
export type PackageName = string;

export const ROOT: PackageName = '<root>';

/** A requirement edge as the provider states it. */
export interface ProvidedDependency {
  package: PackageName;
  /** The versions of `package` this requirement allows; called with the package's sorted versions. */
  allows: (version: string) => boolean;
  /** As written, for explanations: '>=2.4.0,<2.5.0' ('' = any version). */
  specifier: string;
  /** The marker under which it applies, when it was only possibly true for the target (three-valued). */
  condition?: string;
  /** Where it was written, when it comes from the user's manifest (root dependencies only). */
  origin?: DependencyOrigin;
  /** Constraint only: limits versions if something else requires the package, adds no requirement. */
  constraintOnly?: boolean;
}

export interface DependencyOrigin {
  path: string;
  /** Index into that manifest's dependencies, so findings can use its exact ranges. */
  index: number;
}

export type VersionsResult =
  | { kind: 'ok'; versions: string[] /* ascending by PEP 440 / semver order */ }
  | { kind: 'unknown-package'; message: string }
  /** The registry failed to say (an outage, a deadline): solving stops, since any verdict would be a guess. */
  | { kind: 'incomplete'; reason: string }
  | { kind: 'error'; message: string };

export type DependenciesResult =
  | { kind: 'ok'; dependencies: ProvidedDependency[] }
  /**
   * This version cannot be used: its metadata is unknown, its requires-python excludes the target, ...
   * `incomplete` marks a reason that is the registry's failure rather than a fact about the version:
   * other versions are still tried, but a conflict that rests on it is not a verdict.
   */
  | { kind: 'unavailable'; reason: string; incomplete?: boolean }
  /** The registry failed to say and no other version should be tried (a deadline passed): solving stops. */
  | { kind: 'incomplete'; reason: string };

/** Where a team rule was written and why, for explanations (the solver only carries it). */
export interface RuleNote {
  /** The requirements as written: ['uvicorn<0.30', 'websockets>=14']. */
  requirements: string[];
  reason: string;
  /** A link to the evidence, when the rule gives one. */
  source?: string;
  /** 'pinsight.toml:3', for messages. */
  where: string;
  path: string;
  /** The rule's place in its file (0-based lines, as the model's ranges), for related information. */
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
}

/** A team rule as the solver sees it: these packages cannot all be selected within these versions. */
export interface ProvidedRule {
  terms: Array<{ package: PackageName; allows: (version: string) => boolean }>;
  note: RuleNote;
}

/** Registry data on demand. Both calls may be made many times: the provider caches. */
export interface DependencyProvider {
  /** Every candidate version of a package, ascending. */
  versions(pkg: PackageName, signal?: AbortSignal): Promise<VersionsResult>;
  dependencies(pkg: PackageName, version: string, signal?: AbortSignal): Promise<DependenciesResult>;
  /** Optional warm-up: the solver tells the provider what it will likely ask next. */
  prefetch?(pkg: PackageName, versions: string[]): void;
  /** Optional, further down a walk than prefetch: versions likely asked about later, whose own data alone is worth reading now. */
  prefetchShallow?(pkg: PackageName, versions: string[]): void;
  /** The version a decision should try first among the allowed ones (default: the highest). */
  preferred?(pkg: PackageName, allowed: string[]): string | undefined;
  /** Extra incompatibilities known from the start (team rules), each added once all its packages' versions are known. */
  readonly rules?: readonly ProvidedRule[];
}
