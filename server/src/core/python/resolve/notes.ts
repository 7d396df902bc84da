// What the Python provider tells the insight layer besides the solver's verdict: requirements it
// could not resolve (direct URLs, paths, invalid specifiers), versions whose metadata failed, and
// choices that rest on installer rules a person may want to change (a pre-release taken only
// because nothing else fits, a yanked pin, a specifier that only pre-releases meet).

import type { SourceKind } from '../../model';
import type { PackageFacts } from './candidates';
import type { DependencyOrigin, PackageName } from '../../pubgrub/types';
import { ROOT } from '../../pubgrub/types';

/** The parts of a solver solution the notes read. */
export interface SolutionView {
  versions: Map<PackageName, string>;
  requiredBy?: Map<PackageName, Array<{ by: PackageName; byVersion: string; specifier: string }>>;
}

/** Who wrote a requirement: the manifest (package ROOT, with origin) or a package version. */
export interface NoteSource {
  package: PackageName;
  version?: string;
  origin?: DependencyOrigin;
}

export type PythonNote =
  | { kind: 'direct-reference'; package: string; source: SourceKind; location?: string; requiredBy: NoteSource; message: string }
  | { kind: 'invalid-specifier'; package: string; specifier: string; requiredBy: NoteSource; message: string }
  | { kind: 'metadata-error'; package: string; version: string; message: string }
  | { kind: 'unknown-extra'; package: string; version: string; extra: string; message: string }
  /** Nothing but pre-releases match this requirement, and the installer leaves them out. */
  | { kind: 'prerelease-only'; package: string; specifier: string; requiredBy: NoteSource; prereleases: string[]; message: string }
  /** The solution uses a pre-release only because no final release could be used. */
  | { kind: 'prerelease-fallback'; package: string; version: string; highestFinal?: string; message: string }
  | { kind: 'yanked'; package: string; version: string; reason?: string; message: string };

interface Logged {
  package: string;
  by: string; // ROOT or "name version"
  origin?: DependencyOrigin;
}

/** What the provider records while it answers the solver. */
export interface NoteLog {
  direct: Map<string, Logged & { source: SourceKind; location?: string }>;
  invalid: Map<string, Logged & { specifier: string }>;
  metadataErrors: Map<string, { package: string; version: string; message: string }>;
  unknownExtras: Map<string, { package: string; version: string; extra: string }>;
  prereleaseOnly: Map<string, Logged & { specifier: string; prereleases: string[] }>;
}

export interface NoteContext {
  installer: 'pip' | 'uv';
  facts(base: string): PackageFacts | undefined;
  /** Whether pre-releases of `pkg` were welcome for these specifiers (opt-in or named), so a pre-release is no fallback. */
  prereleaseWelcome(pkg: PackageName, specifiers: string[]): boolean;
}

function sourceOf(entry: Logged): NoteSource {
  if (entry.by === ROOT) return entry.origin ? { package: ROOT, origin: entry.origin } : { package: ROOT };
  const at = entry.by.indexOf(' ');
  return { package: entry.by.slice(0, at), version: entry.by.slice(at + 1) };
}

function inSolution(by: string, solution: SolutionView | undefined): boolean {
  if (!solution || by === ROOT) return true;
  const at = by.indexOf(' ');
  return solution.versions.get(by.slice(0, at)) === by.slice(at + 1);
}

const who = (s: NoteSource) => (s.package === ROOT ? 'your requirements' : `${s.package} ${s.version}`);

/** Notes about one resolution; with a solution, only those about what it uses. */
export function collectNotes(log: NoteLog, solution: SolutionView | undefined, ctx: NoteContext): PythonNote[] {
  const notes: PythonNote[] = [];
  for (const e of log.direct.values()) {
    if (!inSolution(e.by, solution)) continue;
    const where = e.location ? ` (${e.location})` : '';
    notes.push({ kind: 'direct-reference', package: e.package, source: e.source, location: e.location, requiredBy: sourceOf(e),
      message: `${e.package} is a direct reference${where} in ${who(sourceOf(e))}; Pinsight does not resolve it, so its own requirements are not checked.` });
  }
  for (const e of log.invalid.values()) {
    if (!inSolution(e.by, solution)) continue;
    notes.push({ kind: 'invalid-specifier', package: e.package, specifier: e.specifier, requiredBy: sourceOf(e),
      message: `The version specifier "${e.specifier}" for ${e.package} in ${who(sourceOf(e))} is not valid PEP 440, so that requirement was left out.` });
  }
  for (const e of log.metadataErrors.values()) {
    notes.push({ kind: 'metadata-error', ...e, message: `The metadata of ${e.package} ${e.version} could not be read (${e.message}); that version was treated as unusable.` });
  }
  for (const e of log.unknownExtras.values()) {
    if (solution && solution.versions.get(e.package) !== e.version) continue;
    notes.push({ kind: 'unknown-extra', ...e, message: `${e.package} ${e.version} has no extra named "${e.extra}"; ${ctx.installer} installs it without that extra.` });
  }
  for (const e of log.prereleaseOnly.values()) {
    if (!inSolution(e.by, solution)) continue;
    const shown = e.prereleases.slice(-3).join(', ');
    notes.push({ kind: 'prerelease-only', package: e.package, specifier: e.specifier, requiredBy: sourceOf(e), prereleases: e.prereleases,
      message: `Only pre-releases of ${e.package} (${shown}) match "${e.specifier || 'any version'}", and ${ctx.installer} leaves pre-releases out unless a specifier names one or pre-releases are allowed.` });
  }
  if (solution) notes.push(...solutionNotes(solution, ctx));
  return notes;
}

function solutionNotes(solution: SolutionView, ctx: NoteContext): PythonNote[] {
  const notes: PythonNote[] = [];
  for (const [pkg, version] of solution.versions) {
    if (pkg.includes('[')) continue;
    const facts = ctx.facts(pkg);
    const v = facts?.byVersion.get(version);
    if (!facts || !v) continue;
    if (v.yanked) {
      const why = v.yankedReason ? ` (${v.yankedReason})` : '';
      notes.push({ kind: 'yanked', package: pkg, version, reason: v.yankedReason, message: `${pkg} ${version} has been yanked${why}; it is used only because a requirement pins it exactly.` });
    }
    if (v.pre && !ctx.prereleaseWelcome(pkg, specifiersOn(pkg, solution))) {
      const final = [...facts.versions].reverse().find((f) => !f.pre);
      const tail = final ? ` The highest final release is ${final.version}${final.compatible ? '' : `, which needs Python ${final.requiresPython}`}.` : ' There is no final release yet.';
      notes.push({ kind: 'prerelease-fallback', package: pkg, version, highestFinal: final?.version,
        message: `${pkg} ${version} is a pre-release, picked only because no final release could be used.${tail}` });
    }
  }
  return notes;
}

// The specifiers the solution's requirers put on a project, through its extras too (not the
// `name==v` edges the extras themselves add).
function specifiersOn(pkg: PackageName, solution: SolutionView): string[] {
  const out: string[] = [];
  for (const [target, requirers] of solution.requiredBy ?? []) {
    if (target !== pkg && !target.startsWith(`${pkg}[`)) continue;
    for (const r of requirers) if (!r.by.startsWith(`${pkg}[`)) out.push(r.specifier);
  }
  return out;
}
