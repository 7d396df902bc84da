// Team rules: what a team learned about its dependencies, written down beside its manifests
// (`pinsight.toml`, or `[tool.pinsight]` in pyproject.toml). Plain data with source ranges; the
// wings read each requirement in their own syntax, the resolvers apply the rules.

import type { EcosystemId, Finding, Range } from '../model';

/** One entry of a rule's `packages`, read by its ecosystem. */
export interface RuleRequirement {
  /** As written: `uvicorn<0.30`, `react@>=18`. */
  text: string;
  /** The package name as written. */
  name: string;
  /** The name as the ecosystem compares names (PEP 503 for Python). */
  package: string;
  /** The versions the entry names, in the ecosystem's syntax ('' for any version). */
  specifier: string;
  range: Range;
}

/** "These requirements cannot all hold at once." */
export interface IncompatibleRule {
  ecosystem: EcosystemId;
  packages: RuleRequirement[];
  reason: string;
  /** A link to the evidence (an issue, a changelog): required of rules shipped with Pinsight. */
  source?: string;
  path: string;
  /** The rule's table (its `[[...incompatible]]` header, or the inline table). */
  range: Range;
}

/** "This package is pinned on purpose": shown in the hover of the package in every manifest. */
export interface PinRule {
  /** Undefined: the name applies in every ecosystem that has it. */
  ecosystem?: EcosystemId;
  name: string;
  /** Per ecosystem, the name as that ecosystem compares names. */
  packages: Partial<Record<EcosystemId, string>>;
  reason: string;
  source?: string;
  path: string;
  range: Range;
}

/** Every rule that applies to one manifest, with the problems of the files they came from. */
export interface TeamRules {
  incompatible: IncompatibleRule[];
  pins: PinRule[];
  /** `invalid-rule` findings, located in the file that holds the rule. */
  problems: Finding[];
  /** The files read, nearest first. */
  files: string[];
}

/** How a wing reads one requirement of a rule: its name, normalised name and specifier, or why it cannot. */
export type RuleRequirementParser = (ecosystem: EcosystemId, text: string) => { name: string; package: string; specifier: string } | { error: string };

/** Rules that apply nowhere: no file, nothing learned. */
export function noRules(): TeamRules {
  return { incompatible: [], pins: [], problems: [], files: [] };
}

/** `pinsight.toml:3`: where a rule is, for messages. */
export function ruleWhere(rule: { path: string; range: Range }, displayPath: (p: string) => string = basenameOf): string {
  return `${displayPath(rule.path)}:${rule.range.start.line + 1}`;
}

function basenameOf(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

/** The rules (pins and incompatibilities) that name a package of an ecosystem. */
export function rulesAbout(rules: TeamRules | undefined, ecosystem: EcosystemId, pkg: string): { pins: PinRule[]; incompatible: IncompatibleRule[] } {
  if (!rules) return { pins: [], incompatible: [] };
  return {
    pins: rules.pins.filter((p) => (p.ecosystem === undefined || p.ecosystem === ecosystem) && p.packages[ecosystem] === pkg),
    incompatible: rules.incompatible.filter((r) => r.ecosystem === ecosystem && r.packages.some((p) => p.package === pkg)),
  };
}
