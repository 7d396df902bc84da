import { dirname, relative } from 'node:path';
// Duplicate requirements of one package (same name, same marker) within a requirements tree or
// within one pyproject section: both apply, which is rarely what the author meant.
import type { Dependency, Finding, ParsedManifest, RelatedInformation } from '../../model';

interface Located {
  dep: Dependency;
  path: string;
}

function duplicateKey(manifest: ParsedManifest, dep: Dependency): string | null {
  // npm duplicates are reported by the package.json parser, which sees duplicate JSON keys.
  if (dep.ecosystem !== 'pypi' || dep.constraint || dep.override) return null;
  // In pyproject each section is its own list (an extra or a group may repeat a main dependency
  // on purpose); a requirements tree is one list across all its files.
  const scope = manifest.kind === 'requirements' ? 'requirements' : dep.section;
  return `${scope}\u0000${dep.normalizedName}\u0000${dep.marker ?? ''}`;
}

/**
 * Dependencies in the order pip reads them: an include's requirements come where the `-r` line
 * is, so "first" and "duplicate" mean what a reader of the files expects.
 */
function inReadingOrder(manifests: ParsedManifest[]): Array<{ manifest: ParsedManifest; dep: Dependency }> {
  const byPath = new Map(manifests.map((m) => [m.path, m]));
  const visited = new Set<string>();
  const out: Array<{ manifest: ParsedManifest; dep: Dependency }> = [];
  const visit = (manifest: ParsedManifest): void => {
    visited.add(manifest.path);
    const items = [
      ...manifest.dependencies.map((dep) => ({ line: dep.range.start.line, dep, include: undefined })),
      ...manifest.includes.map((include) => ({ line: include.range.start.line, dep: undefined, include })),
    ].sort((a, b) => a.line - b.line);
    for (const item of items) {
      if (item.dep) out.push({ manifest, dep: item.dep });
      const child = item.include && byPath.get(item.include.resolvedPath);
      if (child && !visited.has(child.path)) visit(child);
    }
  };
  for (const manifest of manifests) if (!visited.has(manifest.path)) visit(manifest);
  return out;
}

/** A warning on every requirement of a package that an earlier one (in pip's reading order) already requires. */
export function findDuplicates(manifests: ParsedManifest[]): Finding[] {
  const seen = new Map<string, Located>();
  const findings: Finding[] = [];
  for (const { manifest, dep } of inReadingOrder(manifests)) {
    {
      const key = duplicateKey(manifest, dep);
      if (key === null) continue;
      const first = seen.get(key);
      if (!first) {
        seen.set(key, { dep, path: manifest.path });
        continue;
      }
      const where = first.path === manifest.path ? `line ${first.dep.range.start.line + 1}` : `${relative(dirname(manifest.path), first.path)}:${first.dep.range.start.line + 1}`;
      const related: RelatedInformation[] = [{ path: first.path, range: first.dep.range, message: `First requirement of ${first.dep.name}: ${first.dep.raw}` }];
      findings.push({
        code: 'duplicate-requirement',
        severity: 'warning',
        package: dep.normalizedName,
        path: manifest.path,
        range: dep.nameRange,
        message: `${dep.name} is already required at ${where} (${first.dep.raw}); both requirements apply, so keep one to make the intent clear.`,
        related,
        fixes: [],
      });
    }
  }
  return findings;
}
