import type { Finding, ParsedManifest } from '../model';

/** Every parse problem of a manifest tree as a finding (stage 1, no network). */
export function parseProblemFindings(manifests: ParsedManifest[]): Finding[] {
  return manifests.flatMap((manifest) =>
    manifest.problems.map((problem) => ({
      code: problem.code,
      severity: problem.severity,
      package: problem.package ?? null,
      path: manifest.path,
      range: problem.range,
      message: problem.message,
      related: [],
      fixes: [],
    })),
  );
}
