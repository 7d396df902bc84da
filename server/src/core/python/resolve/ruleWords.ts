// The installer rules that leave out releases a specifier matches, in words that name whose rule
// it is: yanked releases (PEP 592, as pip and uv each apply it) and pre-releases. Conflict
// explanations add them to "no version of b matches", so "available: 1.0.0" never hides that
// 1.0.0 was there but yanked.

import type { Installer, PackageFacts } from './candidates';
import { cachedSpecifierSet } from './candidates';

const list = (versions: string[]): string => {
  const shown = versions.slice(-3);
  const more = versions.length > shown.length ? `${versions.length - shown.length} more and ` : '';
  return shown.length === 1 ? `${more}${shown[0]}` : `${more}${shown.slice(0, -1).join(', ')} and ${shown.at(-1)}`;
};

/** The rule by which an installer takes a yanked release, as a clause. */
export function yankedRule(installer: Installer): string {
  return installer === 'uv'
    ? 'uv takes a yanked release only when a requirement of yours pins exactly that version (== or ===)'
    : 'pip takes a yanked release only when the requirements pin it with == or === and every release they allow is yanked (PEP 592)';
}

/** The rule by which an installer takes a pre-release, as a clause. */
export function prereleaseRule(installer: Installer): string {
  return installer === 'uv'
    ? 'uv takes pre-releases only when a requirement of yours names one, the package has no final release, or --prerelease allow'
    : 'pip takes pre-releases only when a specifier names one or with --pre';
}

/**
 * Why releases a specifier matches were left out, by the installer's rule; undefined when every
 * matching release was a candidate. `allowed` is what the installer let this requirement pick.
 */
export function excludedReleases(facts: PackageFacts | undefined, specifier: string, allowed: readonly string[], installer: Installer): string | undefined {
  const set = cachedSpecifierSet(specifier);
  if (!facts || !set) return undefined;
  const taken = new Set(allowed);
  const left = facts.versions.filter((v) => v.compatible && !taken.has(v.version) && set.contains(v.parsed, { prereleases: true }));
  const yanked = left.filter((v) => v.yanked);
  const pre = left.filter((v) => !v.yanked && v.pre);
  const parts: string[] = [];
  if (yanked.length > 0) {
    const reasons = [...new Set(yanked.map((v) => v.yankedReason).filter((r): r is string => !!r))];
    const why = reasons.length === 1 ? ` (${reasons[0]})` : '';
    parts.push(`${list(yanked.map((v) => v.version))} ${yanked.length === 1 ? 'is' : 'are'} yanked${why}, and ${yankedRule(installer)}`);
  }
  if (pre.length > 0) parts.push(`${list(pre.map((v) => v.version))} ${pre.length === 1 ? 'is a pre-release' : 'are pre-releases'}, and ${prereleaseRule(installer)}`);
  return parts.length > 0 ? parts.join('; ') : undefined;
}
