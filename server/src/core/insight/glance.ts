// "Versions at a glance": the short text shown at the end of a dependency line (an inlay hint).
// Unlike tools that show a bare latest, "update" here means the highest version compatible with
// every other requirement; the latest is shown beside it, marked when something blocks it.

import type { HoverFacts } from './hoverText';

export interface Glance {
  label: string;
  /** One sentence per figure, for the hint's tooltip. */
  tooltip: string;
}

/** The inlay text for a dependency's facts, or undefined when nothing is known yet. */
export function glanceOf(facts: HoverFacts): Glance | undefined {
  const { resolved, highestCompatible: compatible, latest, pinned } = facts;
  if (!resolved && !compatible && !latest) return undefined;
  const parts: string[] = [];
  const tips: string[] = [];
  const current = resolved ?? pinned;
  if (resolved && resolved !== pinned) {
    parts.push(`→ ${resolved}`);
    tips.push(`Resolves to ${resolved}.`);
  }
  if (compatible && compatible !== current) {
    parts.push(`compatible ${compatible}`);
    tips.push(`${compatible} is the highest version every other requirement allows.`);
  }
  if (latest && latest !== compatible && latest !== current) {
    const blocked = compatible !== undefined && latest !== compatible;
    parts.push(blocked ? `latest ${latest} (blocked)` : `latest ${latest}`);
    tips.push(blocked ? `${latest} is the latest release, but another requirement does not allow it (the hover says which).` : `${latest} is the latest release.`);
  }
  if (parts.length === 0) {
    parts.push('✓ latest');
    tips.push(`${current ?? latest} is the latest release${compatible ? ' and compatible with every other requirement' : ''}.`);
  }
  if (facts.installed && facts.installed !== current) {
    parts.push(`installed ${facts.installed}`);
    tips.push(`${facts.installed} is installed in the project's environment.`);
  }
  return { label: parts.join(' · '), tooltip: tips.join(' ') + (facts.stale ? ' (Cached registry answers: they may be out of date.)' : '') };
}
