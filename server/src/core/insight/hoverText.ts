// Hover markdown for a dependency: what is required, what the registry has, who constrains it and
// the range that results, the full explanation of a conflict it is part of, and the comment written
// above the pin. The findings themselves are diagnostics, which editors already show in the hover.

import type { Dependency, ParsedManifest } from '../model';
import { describeDependencyParts } from './describe';

export interface HoverFacts {
  /** Highest final, non-yanked release (Python) or the `latest` dist-tag (npm). */
  latest?: string;
  /** The version an exact pin names (`==14.2`, npm `1.2.3`), when the requirement is one. */
  pinned?: string;
  /** The version the resolver chose in a solution, or npm's pick for the range. */
  resolved?: string;
  /** Highest version the other requirements allow (a re-solve with this pin relaxed). */
  highestCompatible?: string;
  /** Every requirement on the package in the solution: who and with which specifier. */
  requiredBy?: Array<{ by: string; specifier: string; condition?: string }>;
  /** Requirement chains from the manifest to the package ("why is this here"). */
  chains?: string[];
  /** What each extra of the requirement brings in, with versions ("websockets 15.0.1"). */
  extras?: Array<{ extra: string; adds: string[] }>;
  /** For a requirement written without extras: the extras its resolved release declares. */
  availableExtras?: string[];
  /** When the latest is not the highest compatible: what leaves it out and the upgrade that would allow it. */
  whyNotNewer?: { latest: string; blockers: string[]; unlock?: string };
  /** The full derivation of a conflict this dependency is part of. */
  explanation?: string[];
  /** "Python 3.11 on linux (from .venv)". */
  target?: string;
  /** The version installed in the project's environment. */
  installed?: string;
  /** The version the project's lockfile holds. */
  locked?: string;
  /** What the lockfile says brings the package in (pip-tools "via" lines, npm lock chains). */
  via?: string[];
  /** Import-level evidence from the installed files: breaks, or "every import of B by A resolves in B 3.0". */
  imports?: string[];
  /** The same evidence for the resolution's versions, read from their wheels on the index. */
  indexImports?: string[];
  /** Answers came from the cache while the registry was unreachable or offline. */
  stale?: boolean;
  /** The team rules (pinsight.toml, [tool.pinsight]) that name this package, one line each. */
  teamRules?: string[];
}

function resultingRange(requiredBy: NonNullable<HoverFacts['requiredBy']>): string {
  const clauses = [...new Set(requiredBy.flatMap((r) => r.specifier.split(',').map((c) => c.trim()).filter(Boolean)))];
  return clauses.length ? clauses.join(', ') : 'any version';
}

/** The hover for one dependency, stage-1 description first, registry and resolver facts after. */
export function hoverMarkdown(dep: Dependency, manifests: ParsedManifest[], facts: HoverFacts): string {
  const { head, comment } = describeDependencyParts(dep, manifests);
  const out = [head];
  const versions: string[] = [];
  if (facts.resolved) versions.push(`resolves to **${facts.resolved}**`);
  if (facts.highestCompatible) versions.push(`highest compatible **${facts.highestCompatible}**`);
  if (facts.latest) versions.push(`latest **${facts.latest}**`);
  if (facts.locked) versions.push(`locked **${facts.locked}**`);
  if (facts.installed) versions.push(`installed **${facts.installed}**`);
  if (versions.length > 0) out.push('', `${versions.join(' · ')}${facts.stale ? ' _(cached, may be out of date)_' : ''}`);
  if (facts.requiredBy && facts.requiredBy.length > 0) {
    out.push('', '**Constrained by**');
    for (const r of facts.requiredBy) out.push(`- ${r.by}: \`${r.specifier || 'any version'}\`${r.condition ? ` (when ${r.condition})` : ''}`);
    out.push('', `Resulting range: \`${resultingRange(facts.requiredBy)}\``);
  }
  if (facts.extras && facts.extras.length > 0) {
    out.push('', '**Extras**');
    for (const e of facts.extras) out.push(`- \`${e.extra}\` adds ${e.adds.length > 0 ? e.adds.join(', ') : 'nothing new to this solution'}`);
  }
  if (facts.availableExtras && facts.availableExtras.length > 0) out.push('', `Extras available: ${facts.availableExtras.map((e) => `\`${e}\``).join(', ')} (none requested).`);
  if (facts.whyNotNewer) {
    out.push('', `**Why not ${facts.whyNotNewer.latest}**`);
    for (const b of facts.whyNotNewer.blockers) out.push(`- ${b}`);
    if (facts.whyNotNewer.unlock) out.push('', facts.whyNotNewer.unlock);
  }
  if (facts.teamRules && facts.teamRules.length > 0) {
    out.push('', '**Team rules**');
    for (const r of facts.teamRules) out.push(`- ${r}`);
  }
  if (facts.chains && facts.chains.length > 0) {
    out.push('', '**Why it is here**');
    for (const c of facts.chains.slice(0, 6)) out.push(`- ${c}`);
  }
  if (facts.via && facts.via.length > 0) {
    out.push('', '**Locked because of**');
    for (const v of facts.via.slice(0, 6)) out.push(`- ${v}`);
  }
  if (facts.imports && facts.imports.length > 0) {
    out.push('', '**Imports (installed files)**');
    for (const line of facts.imports.slice(0, 6)) out.push(`- ${line}`);
  }
  if (facts.indexImports && facts.indexImports.length > 0) {
    out.push('', '**Imports (wheels on the index, for the resolved versions)**');
    for (const line of facts.indexImports.slice(0, 6)) out.push(`- ${line}`);
  }
  if (facts.explanation && facts.explanation.length > 0) {
    // Plain Markdown that every LSP client renders (Neovim and Helix show HTML tags raw).
    out.push('', '**Full explanation**', '', ...facts.explanation.map((l) => (l ? `> ${l}` : '>')));
  }
  if (facts.target) out.push('', `_Resolved for ${facts.target}._`);
  if (comment) out.push('', comment);
  return out.join('\n');
}
