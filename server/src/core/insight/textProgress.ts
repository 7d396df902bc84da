// `pinsight check`'s text report as it becomes known: each manifest's findings once its verdict is
// in, then what the fix search adds (a conflict's fixes and unlocking upgrade) when it ends, then
// the summary. Every finding is printed once; a later stage's additions name the finding's place.

import type { Finding } from '../model';
import type { Analysis } from '../project/analyze';
import { addedFixLines, findingLines, mergeFindings } from './report';

export class TextProgress {
  /** What was printed, per file, place and code: a later stage may complete one of these. */
  private readonly printed = new Map<string, Finding[]>();

  constructor(
    private readonly write: (text: string) => void,
    private readonly displayPath: (path: string) => string,
  ) {}

  /** Prints what these analyses hold that was not printed yet, in the final report's order (file, then line). */
  show(analyses: Analysis[]): void {
    const lines: string[] = [];
    for (const file of mergeFindings(analyses, this.displayPath)) {
      for (const f of file.findings) {
        const place = `${file.path}\u0000${f.code}\u0000${f.range.start.line}:${f.range.start.character}-${f.range.end.line}:${f.range.end.character}`;
        const seen = this.printed.get(place) ?? [];
        if (seen.some((p) => p.message === f.message && sameFixes(p, f))) continue;
        // The same finding with more said: the fix search appended a sentence or added fixes.
        const before = seen.find((p) => p.message === f.message) ?? seen.find((p) => f.message.startsWith(p.message));
        if (before) {
          lines.push(...addedFixLines(file.path, before, f));
          seen[seen.indexOf(before)] = f;
        } else {
          lines.push(...findingLines(file.path, f));
          seen.push(f);
        }
        this.printed.set(place, seen);
      }
    }
    if (lines.length > 0) this.write(lines.join('\n') + '\n');
  }
}

function sameFixes(a: Finding, b: Finding): boolean {
  return a.fixes.length === b.fixes.length && a.fixes.every((x, i) => x.title === b.fixes[i]!.title);
}
