// The contract between the ecosystem-neutral orchestration (project/) and each ecosystem's wing
// (python/, npm/). A wing parses its manifests, checks them against its registry and resolves
// them; the orchestration only iterates over wings. A third ecosystem is a new folder that
// implements this interface and one line in project/ecosystems.ts.

import type { CredentialSources } from './http/credentials';
import type { RegistryHttp } from './http/registryHttp';
import type { RegistryError } from './http/types';
import type { HoverFacts } from './insight/hoverText';
import type { Dependency, EcosystemId, Finding, ManifestKind, ParsedManifest } from './model';
import type { Runtime } from './runtime';
import type { TeamRules } from './rules/types';

export type Platform = 'linux' | 'darwin' | 'win32';

/** Registry settings from the editor or the command line. */
export interface RegistrySettings {
  indexUrl?: string;
  extraIndexUrls?: string[];
  npmRegistry?: string;
  /** Whether the settings came from the editor or the command line, for messages. */
  origin: 'setting' | 'cli';
  /**
   * Like pip's --isolated: ignore environment variables and user and global configuration (pip.conf,
   * .netrc, ~/.npmrc); only the settings and the project's own files count. For reproducible runs.
   */
  isolated?: boolean;
}

/** What every wing's registry clients are made from: one HTTP stack, one credential registry, the configuration sources. */
export interface RegistryContext {
  http: RegistryHttp;
  /** Where each loaded configuration registers its credentials. */
  credentials: CredentialSources;
  settings: RegistrySettings;
  env: Record<string, string | undefined>;
  home?: string;
  platform: Platform;
  readFile: (path: string) => Promise<string | undefined>;
  /** npm's global prefix, for the global npmrc. */
  npmGlobalPrefix?: string;
}

/** What the host knows about the environment a project runs in; each wing picks its target from it. */
export interface HostEnvironment {
  /** An explicit interpreter version (a setting, --python-version) and where it came from. */
  pythonVersion?: { version: string; source: string };
  /** The interpreter the editor selected (the Python extension), if any. */
  selectedPython?: { version: string; path?: string };
  platform: Platform;
  /** This machine's CPU as node names it, when the target is this machine (no platform was set). */
  arch?: string;
  /** This machine, whatever target is set: installed environments are judged against where they run. */
  machine?: { platform: Platform; arch: string };
  /** The folder that bounds the search for a project's virtualenv (workspace folder, working directory). */
  searchRoot?: string;
  /** Shortens paths in messages (the CLI's working-directory-relative paths). */
  displayPath?: (path: string) => string;
  /** The Node and npm that would install on this machine, for npm's `engines` rule when it picks a version; read once, lazily. */
  engines?: () => Promise<{ nodeVersion?: string; npmVersion?: string }>;
  /**
   * Import-level checks (pinsight.importChecks) of installed environments and, from the wheels on the
   * index, of the resolution; on with default bounds when absent. Bytes and seconds bound a check from the index.
   */
  importChecks?: { enabled: boolean; maxFilesPerPackage: number; maxFilesPerCheck: number; maxBytesPerCheck?: number; timeoutSeconds?: number };
}

/** When the registry part of a check must end; what was not read by then is reported, not waited for. */
export interface CheckDeadline {
  /** Aborts when the time is up. */
  signal: AbortSignal;
  /** The same moment in the registry clock's time (ms), for FetchOptions.deadline. */
  at: number;
  seconds: number;
  /** What sets it, for messages: "--timeout", "the pinsight.registryTimeoutSeconds setting". */
  setting: string;
}

/** Options for stages 2 and 3. */
export interface StageOptions {
  host: HostEnvironment;
  signal?: AbortSignal;
  /** The check's time limit; none when undefined (tests, callers with their own bound). */
  deadline?: CheckDeadline;
  /** Re-solve for fixes and "what would unlock" (default true). */
  whatIf?: boolean;
  /** Report exact pins older than their highest compatible version (opt-in: a re-solve per pin). */
  outdated?: boolean;
  /**
   * Answer the verdict without waiting for the what-if re-solves (a conflict's fixes and unlocking
   * upgrade, outdated pins): they follow through `EcosystemCheck.fixes`. Wings that do not stage ignore it.
   */
  stageFixes?: boolean;
  /** Pre-releases allowed for every requirement (the CLI's --pre). */
  allowPrereleases?: boolean;
  /** The team rules that apply to the manifest (pinsight.toml, [tool.pinsight]); each wing applies its own. */
  rules?: TeamRules;
  /** The disk, for a wing whose resolution reads more than the analysed manifests (npm workspaces' package.json files). */
  runtime?: Runtime;
}

/** What a registry check over one manifest tree found. */
export interface RegistryCheckResult<F> {
  findings: Finding[];
  facts: Map<string, F>;
  /** One entry per registry that failed: the message for the status item. */
  failures: RegistryError[];
  /** Some data came from the cache while the registry was unreachable or offline. */
  stale: boolean;
}

/** Stages 2 and 3 for one manifest tree, in ecosystem-neutral terms. */
export interface EcosystemCheck {
  findings: Finding[];
  failures: RegistryError[];
  /** Some answers came from the cache during an outage or in offline mode. */
  stale: boolean;
  /** The indexes or registries used, credentials masked, for the status item and --explain. */
  registries: string[];
  /** The environment resolved for, in words ("Python 3.11 on linux (from .venv)"), when it matters. */
  target?: string;
  /** The set the resolver chose, when it found one: package -> version (for the CLI's JSON, to compare with a lock or another resolver). */
  resolution?: Record<string, string>;
  /** The full derivation of a conflict, one line each, for --explain and the hover. */
  explanation?: string[];
  /** The highest versions these direct requirements (normalised names) can take together, when the wing resolves; for Update all. */
  highestTogether?(names: string[], signal?: AbortSignal): Promise<Map<string, string> | null>;
  /**
   * Why the verdict is incomplete, one sentence each (a registry failed or ran out of time for some
   * package, so resolution could not finish); empty or absent when the check is complete.
   */
  incomplete?: string[];
  /** Registry and resolver facts for one dependency's hover (answered from this result). */
  hoverFacts(dep: Dependency, signal?: AbortSignal): Promise<HoverFacts>;
  /**
   * With `StageOptions.stageFixes`, when what-if answers are still to come: the check's findings with
   * them (a conflict's fixes and unlocking upgrade, outdated pins), the whole list, replacing `findings`.
   */
  fixes?(): Promise<Finding[]>;
  /**
   * Checks that read more than the verdict needs (import checks of the resolution from the wheels
   * on the index), run after the verdict is published; absent when there are none.
   */
  later?(options: LaterOptions): Promise<LaterCheck>;
}

export interface LaterOptions {
  /** Installed versions by normalised name (what stage 1b read), so that what the disk answered is not read again. */
  installed: ReadonlyMap<string, string | undefined>;
  signal?: AbortSignal;
  /** Look for fixes (default true). */
  whatIf?: boolean;
}

/** What the later checks found. */
export interface LaterCheck {
  findings: Finding[];
  /** What they could not check, one sentence each (a bound, an unreadable file). */
  incomplete: string[];
  /** Hover lines per normalised package name. */
  evidence: Map<string, string[]>;
  /** What was read, in words, for the status and the CLI ("import checks from the index: 3 edges, 12 kB in 5 requests"). */
  summary: string;
}

/** What the text before the cursor asks to complete. `typed` is the partial word the choice replaces. */
export type CompletionRequest =
  | { kind: 'version'; name: string; typed: string }
  | { kind: 'extra'; name: string; typed: string }
  /** A package name being typed: answered from the packages the registry has already answered about. */
  | { kind: 'name'; typed: string };

export interface CompletionChoice {
  label: string;
  /** Why it is offered or what to know first: "highest compatible", "pre-release", "yanked: <reason>". */
  detail?: string;
  /** Orders the choices: the wing's preferred order. */
  sortText: string;
  /** Shown struck through: yanked or deprecated. */
  deprecated?: boolean;
}

/** Registry checks and resolution for one wing, bound to one registry context (its clients and caches). */
export interface EcosystemChecker {
  /** Versions (highest compatible first, pre-releases and yanked marked) or extras for the cursor's context. */
  complete?(manifests: ParsedManifest[], request: CompletionRequest, preferred: string | undefined, signal?: AbortSignal): Promise<CompletionChoice[]>;
  check(manifests: ParsedManifest[], kind: ManifestKind, options: StageOptions): Promise<EcosystemCheck>;
  /** Configuration changed (a setting, an .npmrc): make clients afresh on next use. */
  reset(): void;
}

/** What a wing read on disk for a manifest tree with no network: lockfiles and installed environments (stage 1b). */
export interface ProjectState {
  findings: Finding[];
  /** Per normalised package name: the locked and installed versions and the lock's "via" lines, for the hover. */
  packages: Map<string, { locked?: string; installed?: string; via?: string[]; imports?: string[] }>;
  /** What was read, in words, for the status item and the CLI summary ("uv.lock", ".venv: Python 3.11.7, 112 distributions"). */
  sources: string[];
  /** What could not be checked, each with why ("uv.lock: not valid TOML at line 3"). */
  skipped: string[];
  /**
   * The entries of `skipped` that say something looked for is not there (no Python environment):
   * shown like the others, but nothing failed, so `--strict` does not count them.
   */
  absent?: string[];
}

/** One ecosystem's wing. */
export interface Ecosystem {
  readonly id: EcosystemId;
  /** The manifest kinds this wing reads. */
  readonly kinds: readonly ManifestKind[];
  /** The manifest kind a file name implies, or null when this wing does not read that file. */
  manifestKind(path: string): ManifestKind | null;
  /** Parses a manifest and what it includes, root first; `text` is the root's content. */
  parse(path: string, kind: ManifestKind, text: string, runtime: Runtime): Promise<ParsedManifest[]>;
  /** False only when no version can satisfy both requirements' specifiers (across manifests, with no registry). */
  specifiersAgree(a: Dependency, b: Dependency): boolean;
  /** The specifier text that pins a dependency to one version, in the user's style (`==1.2`, `===1.2`, npm `1.2.0`). */
  pinText(dep: Dependency, version: string): string;
  /** What the text of the line before the cursor asks to complete, in this wing's syntax; null for nothing. */
  completionContext(linePrefix: string, kind: ManifestKind): CompletionRequest | null;
  /** Reads one requirement of a team rule in this wing's syntax (PEP 508, `name@range`), or says why it cannot. */
  parseRuleRequirement(text: string): { name: string; package: string; specifier: string } | { error: string };
  /** Stage-1 findings beyond parse problems (duplicates), with no network. */
  localFindings(manifests: ParsedManifest[]): Finding[];
  /** Lockfile and installed-environment checks (drift), reading the disk through the runtime; no network. */
  inspect?(manifests: ParsedManifest[], kind: ManifestKind, runtime: Runtime, host: HostEnvironment): Promise<ProjectState>;
  /** Binds the wing to a registry context. */
  createChecker(context: RegistryContext): EcosystemChecker;
}
