// "Update all to highest compatible": every exact pin moved to the highest version that every other
// requirement allows (never a bare latest that would conflict), as edits the user applies and can
// undo. A line whose comment says `pinned:` is the team's decision and is left alone, with why.

import type { Dependency, TextEdit } from '../model';
import type { Analysis } from './analyze';
import { ecosystemOf } from './ecosystems';
import type { StagesResult } from './stages';

export interface UpdatePlan {
  edits: TextEdit[];
  /** Lines left alone, each with why. */
  skipped: string[];
}

const PROTECTED = /(^|\s|#)pinned\s*:/im;

/** The edits that move each exact pin of these checked manifests (root files) to its highest compatible version. */
export async function planUpdateAll(entries: Array<{ analysis: Analysis; result: StagesResult }>, signal?: AbortSignal): Promise<UpdatePlan> {
  const plan: UpdatePlan = { edits: [], skipped: [] };
  for (const { analysis, result } of entries) {
    const manifest = analysis.manifests[0];
    if (!manifest) continue;
    if (!result.registriesChecked) {
      plan.skipped.push(`${manifest.path}: registry checks are off, so no compatible version is known.`);
      continue;
    }
    const wing = ecosystemOf(analysis.kind);
    const candidates: Array<{ dep: Dependency; pinned: string; single?: string }> = [];
    for (const dep of manifest.dependencies) {
      if (signal?.aborted) return plan;
      if (dep.constraint || dep.override || !dep.specifierRange) continue;
      const facts = await result.hoverFacts(dep, signal);
      if (!facts.pinned) continue;
      if (dep.comment && PROTECTED.test(dep.comment)) {
        if (facts.highestCompatible !== facts.pinned) plan.skipped.push(`${dep.name} (${manifest.path}:${dep.range.start.line + 1}): protected by its \`pinned:\` comment.`);
        continue;
      }
      candidates.push({ dep, pinned: facts.pinned, single: facts.highestCompatible });
    }
    // Together where the wing resolves (one pin's best depends on the others'), else one by one.
    const together = result.highestTogether ? await result.highestTogether(candidates.map((c) => c.dep.normalizedName), signal) : null;
    let noAnswer = 0;
    for (const c of candidates) {
      const best = together ? together.get(c.dep.normalizedName) : c.single;
      if (!best) noAnswer++;
      else if (best !== c.pinned) plan.edits.push({ path: manifest.path, range: c.dep.specifierRange!, newText: wing.pinText(c.dep, best) });
    }
    if (noAnswer > 0) plan.skipped.push(`${manifest.path}: ${noAnswer} exact pin${noAnswer === 1 ? ' has' : 's have'} no known highest compatible version (for npm Pinsight does not compute one yet; for Python the resolution did not answer).`);
  }
  return plan;
}
