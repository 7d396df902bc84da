// The manifest model shared by every parser, the resolver and the insight layer.
// Plain data only: positions are LSP-shaped (0-based line, UTF-16 character) but owned by us.

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export type Severity = 'error' | 'warning' | 'information' | 'hint';

export type ManifestKind = 'requirements' | 'pyproject' | 'package.json';

export type EcosystemId = 'pypi' | 'npm';

/** How a dependency is sourced. Python kinds first, then npm specifier kinds. */
export type SourceKind =
  // Python
  | 'registry' // a name with an optional PEP 440 specifier
  | 'url' // name @ https://... (archive or wheel)
  | 'vcs' // name @ git+https://... or -e git+...
  | 'path' // local directory or archive
  // npm (classified from the specifier string)
  | 'range' // a semver range, including '' and '*'
  | 'tag' // a dist-tag such as latest or next
  | 'alias' // npm:other@range
  | 'git' // git+ssh://, git://, git+https://
  | 'github' // user/repo, github:user/repo, gitlab:..., bitbucket:...
  | 'file' // file:../x
  | 'link' // link:../x
  | 'workspace' // workspace:*
  | 'remote'; // https://.../x.tgz

export interface Dependency {
  /** The name exactly as written. */
  name: string;
  /** PEP 503-normalised for Python; unchanged for npm. */
  normalizedName: string;
  ecosystem: EcosystemId;
  extras: string[];
  /**
   * Python: a PEP 440 specifier set ('' for any version), after poetry conversion.
   * npm: the specifier as written.
   */
  specifier: string;
  /** The PEP 508 marker text, or null. For poetry `python = "..."` the derived marker. */
  marker: string | null;
  /** Where in the manifest: 'project.dependencies', 'devDependencies', 'requirements', ... */
  section: string;
  /** True for `-c` constraint files and `[tool.uv] constraint-dependencies`. */
  constraint: boolean;
  /** True for `[tool.uv] override-dependencies`, npm overrides, resolutions, pnpm.overrides. */
  override: boolean;
  /** True for optional dependencies (poetry optional, npm optionalDependencies, optional peers). */
  optional: boolean;
  source: SourceKind;
  /** For url/vcs/path/file/link/git/remote sources: the location; for npm aliases: the target name. */
  location?: string;
  /** For npm aliases, the range after `npm:name@`. */
  aliasSpecifier?: string;
  /** The whole requirement (requirements line without options/comments, TOML string, JSON property). */
  range: Range;
  nameRange: Range;
  extrasRange?: Range;
  /** Range of the specifier text in the source; absent when no specifier is written. */
  specifierRange?: Range;
  markerRange?: Range;
  /** The comment lines directly above, and a trailing comment on the same line, without '#'. */
  comment?: string;
  /** `--hash=algo:digest` options on the requirement line. */
  hashes: string[];
  /** True when the requirement is `-e`/`--editable`. */
  editable: boolean;
  /** The requirement text as written (after continuation joining and ${VAR} expansion). */
  raw: string;
}

/** A global option in a requirements file or a TOML/JSON setting that affects resolution. */
export interface ManifestOption {
  /** Canonical long name: 'index-url', 'extra-index-url', 'find-links', 'pre', 'no-binary', ... */
  name: string;
  /** The value, or '' for flags. */
  value: string;
  range: Range;
}

export interface Include {
  kind: 'requirement' | 'constraint';
  /** As written after ${VAR} expansion. */
  target: string;
  /** The path resolved against the including file's folder (or the URL unchanged). */
  resolvedPath: string;
  range: Range;
  targetRange: Range;
}

export interface ParseProblem {
  code: FindingCode;
  severity: Severity;
  message: string;
  range: Range;
  /** Normalised package name, when the problem is about one. */
  package?: string;
}

export interface ParsedManifest {
  /** File system path of the manifest. */
  path: string;
  kind: ManifestKind;
  dependencies: Dependency[];
  options: ManifestOption[];
  includes: Include[];
  problems: ParseProblem[];
  /** `requires-python` / poetry `python` / engines.node, as PEP 440 or semver text. */
  requiresPython?: { specifier: string; range: Range };
  /** package.json: engines, packageManager, workspaces and the like, for later issues. */
  meta?: Record<string, unknown>;
}

/** Every finding code the core emits. docs/cli.md lists them with their meaning. */
export type FindingCode =
  | 'syntax-error'
  | 'invalid-requirement'
  | 'invalid-name'
  | 'invalid-specifier'
  | 'invalid-marker'
  | 'invalid-extra'
  | 'invalid-npm-specifier'
  | 'unknown-option'
  | 'invalid-option'
  | 'undefined-variable'
  | 'include-not-found'
  | 'include-cycle'
  | 'duplicate-requirement'
  | 'invalid-manifest'
  | 'unsupported-source'
  // registry (stage 2)
  | 'unknown-package'
  | 'unknown-version'
  | 'no-matching-version'
  | 'yanked'
  | 'deprecated'
  | 'registry-unreachable'
  // resolver (stage 3)
  | 'conflict'
  | 'possible-conflict'
  | 'prerelease-only'
  | 'unresolved-source'
  | 'peer-conflict'
  | 'outdated'
  // drift (stage 1b: lockfiles and installed environments, read from disk, no network)
  | 'lock-stale'
  | 'not-installed'
  | 'installed-mismatch'
  | 'installed-conflict'
  | 'import-break'
  | 'inconsistent-pin'
  // team rules (pinsight.toml, [tool.pinsight])
  | 'invalid-rule';

export interface TextEdit {
  path: string;
  range: Range;
  newText: string;
}

/** A command a fix offers to run in a terminal the user sees (never run without their click). */
export interface ShellCommand {
  /** The command line, as the user would type it ("uv lock"). */
  line: string;
  /** The folder to run it in. */
  cwd: string;
}

export interface Fix {
  title: string;
  /** Edits to the user's files; empty for a fix that only runs a command. */
  edits: TextEdit[];
  /** A command to run in a terminal instead of (or after) the edits: refresh a lock, install an environment. */
  run?: ShellCommand;
  /** The preferred fix is the one a quick-fix keybinding applies. */
  preferred?: boolean;
}

export interface RelatedInformation {
  path: string;
  range: Range;
  message: string;
}

/** An editor-agnostic result: the CLI prints it, the server converts it to a Diagnostic. */
export interface Finding {
  code: FindingCode;
  severity: Severity;
  /** Normalised package name, or null when the finding is about the file. */
  package: string | null;
  path: string;
  range: Range;
  message: string;
  related: RelatedInformation[];
  fixes: Fix[];
}
