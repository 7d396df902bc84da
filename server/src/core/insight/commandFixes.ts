import { dirname } from 'node:path';
import type { Finding } from '../model';

// Drift messages end with the command that fixes them ("Run `uv lock` to refresh it."): the fix
// offers exactly that command, to run where the manifest is, in a terminal the user sees.
const COMMAND = /\b[Rr]un `([^`]+)`/;

/** Adds a run-in-terminal fix to each finding whose message names the command that fixes it (none twice). */
export function addCommandFixes(findings: Finding[], rewrite: (line: string) => string = (line) => line): void {
  for (const f of findings) {
    const match = COMMAND.exec(f.message);
    if (!match || f.fixes.some((x) => x.run)) continue;
    const line = rewrite(match[1]!);
    f.fixes.push({ title: `Run \`${line}\` in a terminal`, edits: [], run: { line, cwd: dirname(f.path) } });
  }
}
