import type { Dependency, Finding, ParsedManifest, RelatedInformation } from '../model';

/**
 * Findings that need no registry: every parse problem, and duplicate requirements of the same
 * package (same name, same marker) within a requirements tree or within one pyproject section.
 */
export function collectStage1Findings(manifests: ParsedManifest[]): Finding[] {
  const findings: Finding[] = [];
  for (const manifest of manifests) {
    for (const problem of manifest.problems) {
      findings.push({
        code: problem.code,
        severity: problem.severity,
        package: problem.package ?? null,
        path: manifest.path,
        range: problem.range,
        message: problem.message,
        related: [],
        fixes: [],
      });
    }
  }
  findings.push(...findDuplicates(manifests));
  return findings;
}

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

function findDuplicates(manifests: ParsedManifest[]): Finding[] {
  const seen = new Map<string, Located>();
  const findings: Finding[] = [];
  for (const manifest of manifests) {
    for (const dep of manifest.dependencies) {
      const key = duplicateKey(manifest, dep);
      if (key === null) continue;
      const first = seen.get(key);
      if (!first) {
        seen.set(key, { dep, path: manifest.path });
        continue;
      }
      const where = first.path === manifest.path ? `line ${first.dep.range.start.line + 1}` : `${first.path}:${first.dep.range.start.line + 1}`;
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
