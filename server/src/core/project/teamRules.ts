// Team rules for the orchestration: each rule's requirements read by the wing they belong to, the
// rule files that apply to a manifest, and the problems of a rule file on its own (for the editor).

import type { Runtime } from '../runtime';
import { loadTeamRules } from '../rules/findRules';
import { parseRules, ruleFileKind } from '../rules/parseRules';
import type { RuleRequirementParser, TeamRules } from '../rules/types';
import type { Finding } from '../model';
import { ecosystemById } from './ecosystems';

/** Reads a rule requirement with the wing of its ecosystem. */
export const parseRuleRequirement: RuleRequirementParser = (ecosystem, text) => ecosystemById(ecosystem).parseRuleRequirement(text);

/** The rules that apply to a manifest (rule files from its folder up to `root`); `text` is the manifest's unsaved buffer. */
export function rulesForManifest(path: string, runtime: Runtime, root: string | undefined, text?: string): Promise<TeamRules> {
  return loadTeamRules(path, runtime, parseRuleRequirement, { root, text: text === undefined ? undefined : { path, value: text } });
}

/** Whether a path is a file that only holds rules (`pinsight.toml`). */
export function isRuleFile(path: string): boolean {
  return ruleFileKind(path) === 'pinsight';
}

/** The problems of a `pinsight.toml` on its own: syntax, shape and each requirement. */
export function ruleFileFindings(path: string, text: string): Finding[] {
  return parseRules(path, text, 'pinsight', parseRuleRequirement).problems;
}
