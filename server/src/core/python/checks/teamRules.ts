// Team rules for the Python resolver: each `incompatible` rule about PyPI projects becomes a PubGrub
// incompatibility known from the start, so a conflict, "highest compatible" and the upgrade hint all
// respect it; the conflict's findings point at the rule.

import type { RelatedInformation } from '../../model';
import type { ProvidedRule, RuleNote } from '../../pubgrub/types';
import { ruleWhere, type IncompatibleRule, type TeamRules } from '../../rules/types';
import { ruleAllows } from './ruleRequirement';

/** The rule as the explanation cites it. */
export function ruleNote(rule: IncompatibleRule, displayPath?: (p: string) => string): RuleNote {
  const note: RuleNote = {
    requirements: rule.packages.map((p) => p.text),
    reason: rule.reason,
    where: ruleWhere(rule, displayPath),
    path: rule.path,
    range: rule.range,
  };
  if (rule.source) note.source = rule.source;
  return note;
}

/** The PyPI rules of a manifest as solver incompatibilities. */
export function pythonRules(rules: TeamRules | undefined, displayPath?: (p: string) => string): ProvidedRule[] {
  return (rules?.incompatible ?? [])
    .filter((r) => r.ecosystem === 'pypi')
    .map((r) => ({ terms: r.packages.map((p) => ({ package: p.package, allows: ruleAllows(p.specifier) })), note: ruleNote(r, displayPath) }));
}

/** Related information pointing at each rule a conflict rests on. */
export function ruleRelated(notes: RuleNote[]): RelatedInformation[] {
  return notes.map((n) => ({
    path: n.path,
    range: n.range,
    message: `Team rule: ${n.requirements.join(' and ')} are incompatible (${n.reason})${n.source ? `; evidence: ${n.source}` : ''}.`,
  }));
}
