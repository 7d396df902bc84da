import type { Dependency, Finding, ParsedManifest, Range } from '../model';
import { rangeContains } from '../text';

function shift(range: Range, lines: number): Range {
  return { start: { line: range.start.line + lines, character: range.start.character }, end: { line: range.end.line + lines, character: range.end.character } };
}

function depAt(manifest: ParsedManifest, finding: Finding): Dependency | undefined {
  return manifest.dependencies.find((d) => d.normalizedName === finding.package && rangeContains(d.range, finding.range.start));
}

/**
 * Registry and resolver findings of an older version of a file, moved onto the current one while
 * the new results are computed, so that conflicts do not blink out on every keystroke. A finding
 * survives only if its requirement is still written exactly as it was (same text, so the same
 * columns); it moves with the requirement's line. Its fixes are dropped: edits computed for the
 * old text must not be applied to the new one.
 */
export function carryOverFindings(previous: { root: ParsedManifest; findings: Finding[] }, current: ParsedManifest): Finding[] {
  const out: Finding[] = [];
  for (const finding of previous.findings) {
    if (finding.path !== current.path || finding.package === null) continue;
    const before = depAt(previous.root, finding);
    if (!before) continue;
    const after = current.dependencies.find((d) => d.normalizedName === before.normalizedName && d.raw === before.raw);
    if (!after) continue;
    const lines = after.range.start.line - before.range.start.line;
    out.push({
      ...finding,
      range: shift(finding.range, lines),
      // Related places in this file move only if they are requirements that still read the same.
      related: finding.related.filter((r) => r.path !== current.path),
      fixes: [],
    });
  }
  return out;
}
