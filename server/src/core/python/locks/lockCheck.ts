// What every Python lockfile check returns, and the one way it builds a lock-stale finding.
import type { Finding, Range } from '../../model';

/** The result of comparing one lockfile with the manifests it was made for. */
export interface LockCheck {
  findings: Finding[];
  /** Per normalised package name, the locked version (several, comma-separated, when the lock forks). */
  locked: Map<string, string>;
  /** Per normalised package name, what requires it (pip-compile's `# via` lines). */
  via?: Map<string, string[]>;
  /** What could not be checked, each with why. */
  skipped: string[];
  /** The lockfiles read, in words, for the status item ("uv.lock"). */
  sources: string[];
}

/** An empty result. */
export function emptyLockCheck(): LockCheck {
  return { findings: [], locked: new Map(), skipped: [], sources: [] };
}

/** A lock-stale warning on a manifest range. */
export function staleFinding(path: string, range: Range, pkg: string | null, message: string): Finding {
  return { code: 'lock-stale', severity: 'warning', package: pkg, path, range, message, related: [], fixes: [] };
}

/** Adds a locked version to the map, keeping every version of a package that the lock forks. */
export function addLocked(locked: Map<string, string>, name: string, version: string): void {
  const existing = locked.get(name);
  if (existing === undefined) locked.set(name, version);
  else if (!existing.split(', ').includes(version)) locked.set(name, `${existing}, ${version}`);
}

/** "a", "a and b", "a, b and c". */
export function listWords(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
