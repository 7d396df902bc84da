// Markdown for the read-only documents of the Explain conflict and Why is this here commands.

import { basename } from 'node:path';
import type { Dependency, Finding } from '../model';
import type { HoverFacts } from './hoverText';

/** The full derivation of a file's conflicts, or a sentence saying why there is none to show. */
export function explainMarkdown(path: string, input: { checked: boolean; findings: Finding[]; explanation?: string[]; target?: string }): string {
  const title = `# Conflicts in ${basename(path)}`;
  if (!input.checked) return `${title}\n\nThis file has not been checked against the registries yet (or registry checks are off): there is nothing to explain.\n`;
  const conflicts = input.findings.filter((f) => f.path === path && (f.code === 'conflict' || f.code === 'possible-conflict' || f.code === 'peer-conflict'));
  if (conflicts.length === 0) return `${title}\n\nNo conflict: the requirements of this file can be installed together${input.target ? ` for ${input.target}` : ''}.\n`;
  const out = [title, ''];
  if (input.target) out.push(`Resolved for ${input.target}.`, '');
  for (const f of conflicts) out.push(`- Line ${f.range.start.line + 1}: ${f.message}`);
  if (input.explanation && input.explanation.length > 0) out.push('', '## Derivation', '', ...input.explanation.map((l) => (l ? `> ${l}` : '>')));
  const fixes = conflicts.flatMap((f) => f.fixes.map((x) => x.title));
  if (fixes.length > 0) out.push('', '## Fixes (quick fixes on the lines above)', '', ...[...new Set(fixes)].map((t) => `- ${t}`));
  return out.join('\n') + '\n';
}

/** Why a package is installed: the chains from the manifest to it, who constrains it, what the lock says. */
export function whyMarkdown(dep: Dependency, facts: HoverFacts): string {
  const out = [`# Why ${dep.name} is here`, '', `Required as \`${dep.raw}\` in \`${dep.section}\`.`];
  if (facts.resolved) out.push('', `It resolves to ${facts.resolved}${facts.target ? ` for ${facts.target}` : ''}.`);
  if (facts.chains && facts.chains.length > 0) out.push('', '## Chains that bring it in', '', ...facts.chains.map((c) => `- ${c}`));
  if (facts.requiredBy && facts.requiredBy.length > 0) {
    out.push('', '## Who constrains it', '', ...facts.requiredBy.map((r) => `- ${r.by}: \`${r.specifier || 'any version'}\`${r.condition ? ` (when ${r.condition})` : ''}`));
  }
  if (facts.via && facts.via.length > 0) out.push('', '## The lockfile says', '', ...facts.via.map((v) => `- ${v}`));
  if (out.length === 3) out.push('', 'Nothing else requires it: it is here because this line asks for it. (Registry results may not have arrived yet.)');
  if (dep.comment) out.push('', '## The comment written with it', '', ...dep.comment.split('\n').map((l) => `> ${l}`));
  return out.join('\n') + '\n';
}
