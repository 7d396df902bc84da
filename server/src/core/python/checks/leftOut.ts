// Partial resolution: one requirement the resolver cannot use (a project the index lacks, a version
// it does not have, a line that does not parse) must not hide a conflict between two others. The
// resolver runs without those requirements, and the verdict says which it left out and why.

import type { Dependency, FindingCode, ParsedManifest } from '../../model';
import type { PypiCheckResult } from './registryChecks';

/** What the resolution leaves out and the sentence that says so. */
export interface LeftOut {
  /** Requirements the resolver does not see. */
  excluded: Set<Dependency>;
  /** One sentence naming each left-out requirement and why; undefined when none was left out but the unread ones (already said). */
  sentence?: string;
}

// Stage-1 problems that drop a requirement line from the parsed dependencies.
const DROPPED: Partial<Record<FindingCode, string>> = {
  'invalid-requirement': 'is not a valid requirement',
  'invalid-name': 'has an invalid package name',
  'invalid-specifier': 'has an invalid version specifier',
  'invalid-marker': 'has an invalid marker',
  'invalid-extra': 'has an invalid extra',
};

const REJECTED: Partial<Record<FindingCode, (dep: Dependency) => string>> = {
  'unknown-package': (d) => `${d.name} is not on the index`,
  'unknown-version': (d) => `${d.name}${d.specifier} names a version the index does not have`,
  'no-matching-version': (d) => `no release of ${d.name} satisfies ${d.specifier}`,
};

/**
 * The requirements a resolution of this tree must leave out: those the registry check rejected or
 * could not read, and lines a parse problem dropped. Unread ones are excluded but not restated:
 * their own incomplete reason names them.
 */
export function leftOutOfResolution(manifests: ParsedManifest[], checked: PypiCheckResult, display: (path: string) => string): LeftOut {
  const root = manifests[0];
  const where = (path: string, line: number) => (path === root?.path ? `line ${line + 1}` : `${display(path)} line ${line + 1}`);
  const excluded = new Set<Dependency>();
  const parts: string[] = [];
  for (const { manifest, dep, code } of checked.rejected) {
    if (excluded.has(dep)) continue;
    excluded.add(dep);
    const say = REJECTED[code];
    parts.push(`${say ? say(dep) : `${dep.name} has an error`} (${where(manifest.path, dep.range.start.line)})`);
  }
  for (const { dep } of checked.unread) excluded.add(dep);
  for (const manifest of manifests) {
    const lines = new Set(manifest.dependencies.map((d) => d.range.start.line));
    const seen = new Set<number>();
    for (const problem of manifest.problems) {
      const what = DROPPED[problem.code];
      const line = problem.range.start.line;
      if (!what || problem.severity !== 'error' || lines.has(line) || seen.has(line)) continue;
      seen.add(line);
      parts.push(`${where(manifest.path, line)}${problem.package ? ` (${problem.package})` : ''} ${what}`);
    }
  }
  if (parts.length === 0) return { excluded };
  const them = parts.length === 1 ? 'it' : 'them';
  return { excluded, sentence: `Not resolved: ${parts.join('; ')}. The other requirements were resolved without ${them}, so a conflict ${them === 'it' ? 'it takes' : 'they take'} part in is not reported.` };
}
