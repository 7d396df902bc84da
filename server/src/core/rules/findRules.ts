// Which rule files apply to a manifest: `pinsight.toml` and pyproject.toml's `[tool.pinsight]` in
// the manifest's folder and each parent up to the search root (the workspace folder, the CLI's
// working directory); every rule found applies. Read through the injected Runtime (open buffers
// first in the editor), so the core does no I/O of its own.

import { dirname, join, relative, isAbsolute } from 'node:path';
import type { Runtime } from '../runtime';
import { parseRules } from './parseRules';
import type { RuleRequirementParser, TeamRules } from './types';
import { noRules } from './types';

/** The folders searched for rules, nearest first: the manifest's, then its parents up to `root` (only its own when outside `root`). */
export function ruleFolders(manifestPath: string, root: string | undefined): string[] {
  const start = dirname(manifestPath);
  const inside = root !== undefined && (() => {
    const rel = relative(root, start);
    return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
  })();
  if (!inside) return [start];
  const out: string[] = [];
  for (let at = start; ; at = dirname(at)) {
    out.push(at);
    if (relative(root!, at) === '' || dirname(at) === at) break;
  }
  return out;
}

/** The team rules that apply to a manifest; `text` overrides the disk for that one path (an unsaved buffer). */
export async function loadTeamRules(
  manifestPath: string,
  runtime: Runtime,
  parse: RuleRequirementParser,
  options: { root?: string; text?: { path: string; value: string } } = {},
): Promise<TeamRules> {
  const out = noRules();
  for (const folder of ruleFolders(manifestPath, options.root)) {
    for (const [name, kind] of [['pinsight.toml', 'pinsight'], ['pyproject.toml', 'pyproject']] as const) {
      const path = join(folder, name);
      const text = options.text?.path === path ? options.text.value : await runtime.readFile(path);
      if (text === undefined) continue;
      // Most pyproject files hold no rules: skip the parse unless the table is named.
      if (kind === 'pyproject' && !/\bpinsight\b/.test(text)) continue;
      const rules = parseRules(path, text, kind, parse);
      out.files.push(path);
      out.incompatible.push(...rules.incompatible);
      out.pins.push(...rules.pins);
      out.problems.push(...rules.problems);
    }
  }
  return out;
}
