// The sentences of uv.lock findings: what the lock was made for, what the line asks now, what the
// lock lacks, and the command that refreshes it.
import { listWords } from './lockCheck';
import { specifierAllows, specifierKey } from './lockSpecifiers';
import { equivalentMarkers, markerExpr, TRUE } from './markerSpace';
import { formatLockRequirement } from './uvDiff';
import { describeSource, sourceKey, type Lowered } from './uvSources';
import type { DeclaredRequirement } from './uvProject';
import type { UvLock, UvLockPackage, UvLockRequirement } from './uvLock';

export const REFRESH = 'Run `uv lock` to refresh it.';

/** Where a requirement list lives, in words. */
export function sectionLabel(decl: { extra?: string; group?: string } | null, fallback: string): string {
  if (decl?.extra !== undefined) return `the \`${decl.extra}\` extra`;
  if (decl?.group !== undefined) return `the \`${decl.group}\` dependency group`;
  return fallback;
}

/** The locked versions of a package, in lock order. */
export function lockedVersions(lock: UvLock, name: string): string[] {
  return lock.packages.filter((p) => p.name === name && p.version !== undefined).map((p) => p.version!);
}

/** The names an extra of a locked package brings, from the lock's own [package.optional-dependencies]. */
export function extraPackages(lock: UvLock, name: string, extra: string): string[] | null {
  const pkgs = lock.packages.filter((p) => p.name === name && p.optionalDependencies.has(extra));
  if (pkgs.length === 0) return null;
  return [...new Set(pkgs.flatMap((p) => p.optionalDependencies.get(extra)!.map((e) => e.name)))];
}

/** "The lock does not install what the `standard` extra brings (websockets, uvloop and watchfiles)." */
export function extrasSentence(lock: UvLock, name: string, extras: string[]): string {
  return extras
    .map((extra) => {
      const brings = extraPackages(lock, name, extra);
      if (brings === null) return `The lock has not resolved the packages the \`${extra}\` extra of ${name} brings.`;
      if (brings.length === 0) return `The lock records no packages for the \`${extra}\` extra of ${name}.`;
      return `The lock does not install what the \`${extra}\` extra of ${name} brings (${listWords(brings)}).`;
    })
    .join(' ');
}

function outsideSentence(lock: UvLock, name: string, specifier: string): string {
  const versions = lockedVersions(lock, name);
  if (versions.length === 0 || specifier === '' || versions.some((v) => specifierAllows(specifier, v))) return '';
  return ` uv.lock pins ${name} ${listWords(versions)}, which \`${specifier}\` excludes.`;
}

/** A declared requirement the lock has in another form; `forms` are its lowered forms. */
export function changedMessage(lock: UvLock, decl: DeclaredRequirement, forms: Lowered[], was: UvLockRequirement, root: string, requiresPython: string | null): string {
  const sameSource = forms.find((f) => sourceKey(f.source, root) === sourceKey(was.source, root));
  const lowered = sameSource ?? forms[0];
  let detail = '';
  const added = decl.extras.filter((x) => !was.extras.includes(x));
  if (added.length > 0) detail += ` ${extrasSentence(lock, decl.name, added)}`;
  const removed = was.extras.filter((x) => !decl.extras.includes(x));
  if (removed.length > 0) detail += ` The lock still installs the ${listWords(removed.map((x) => `\`${x}\``))} extra${removed.length > 1 ? 's' : ''}.`;
  if (lowered && sourceKey(lowered.source, root) !== sourceKey(was.source, root)) {
    detail += ` The lock takes it ${describeSource(was.source)}; this line now takes it ${describeSource(lowered.source)}.`;
  } else if (lowered) {
    detail += outsideSentence(lock, decl.name, lowered.specifier);
    if (specifierKey(lowered.specifier) === specifierKey(was.specifier) && added.length === 0 && removed.length === 0 && equivalentMarkers(lowered.marker, markerExpr(was.marker) ?? TRUE, requiresPython) === false) {
      detail += ` The lock applies it ${was.marker ? `when \`${was.marker}\`` : 'in every environment'}; the conditions on this line or its [tool.uv.sources] entry have changed since.`;
    }
  }
  return `uv.lock was made for \`${formatLockRequirement(was)}\`, but this line now asks for \`${decl.text}\`.${detail} ${REFRESH}`;
}

/** A declared requirement the lock has no entry for. */
export function addedMessage(lock: UvLock, decl: DeclaredRequirement, section: string): string {
  const versions = lockedVersions(lock, decl.name);
  const has = versions.length > 0
    ? ` The lock has ${decl.name} ${listWords(versions)} only because other packages need it.${outsideSentence(lock, decl.name, decl.specifier)}`
    : lock.packages.some((p) => p.name === decl.name) ? '' : ` The lock has no ${decl.name} at all.`;
  return `uv.lock was made without \`${decl.name}\` in ${section}; this line asks for \`${decl.text}\`.${has} ${REFRESH}`;
}

/** A lock entry no declared requirement accounts for. */
export function removedMessage(req: UvLockRequirement, section: string, file: string): string {
  return `uv.lock still requires \`${formatLockRequirement(req)}\` in ${section}, which ${file} no longer lists. Run \`uv lock\` to drop it.`;
}

/** A requirement the lock records as written, whose locked packages do not agree with it. */
export function contradictionMessage(decl: DeclaredRequirement, what: string): string {
  return `uv.lock records \`${decl.text}\` as written, but ${what}; the lock contradicts itself. ${REFRESH}`;
}

/** The member package of the lock, by name. */
export function memberPackage(lock: UvLock, name: string): UvLockPackage | undefined {
  const candidates = lock.packages.filter((p) => p.name === name);
  return candidates.find((p) => p.source !== null && ['editable', 'virtual', 'directory'].includes(p.source.kind)) ?? candidates[0];
}
