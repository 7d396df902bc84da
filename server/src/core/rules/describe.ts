// What the hover says of the team rules that name a package: pins first (why it is held where it
// is), then the incompatibilities it is part of, each with where it is written.

import { dirname, relative } from 'node:path';
import type { Dependency } from '../model';
import { rulesAbout, ruleWhere, type TeamRules } from './types';

/** One line per rule that names the dependency's package, with file:line relative to the manifest's folder. */
export function ruleHoverLines(rules: TeamRules | undefined, dep: Dependency, manifestPath: string): string[] {
  const { pins, incompatible } = rulesAbout(rules, dep.ecosystem, dep.normalizedName);
  const where = (r: { path: string; range: Dependency['range'] }) => ruleWhere(r, (p) => relative(dirname(manifestPath), p).split('\\').join('/') || p);
  const evidence = (source: string | undefined) => (source ? ` Evidence: ${source}` : '');
  return [
    ...pins.map((p) => `Pinned on purpose: ${p.reason.replace(/\.$/, '')} (${where(p)}).${evidence(p.source)}`),
    ...incompatible.map((r) => `${r.packages.map((p) => `\`${p.text}\``).join(' and ')} cannot be installed together: ${r.reason.replace(/\.$/, '')} (${where(r)}).${evidence(r.source)}`),
  ];
}
