// Team rules for npm. npm's own resolution is reproduced by arborist/ (peer placement), which has no
// place for an extra incompatibility, so a rule is checked over the set npm would install: the ideal
// tree when placement succeeds, else the version npm picks for each direct dependency. When every
// requirement of a rule matches a package of that set, the rule is broken: a `conflict` on each
// package.json line that names one of its packages, pointing at the rule.

import type { Dependency, Finding, ParsedManifest, RelatedInformation } from '../../model';
import { ruleWhere, type IncompatibleRule, type TeamRules } from '../../rules/types';
import { npmRuleAllows } from './ruleRequirement';

/** Package name -> versions, from an ideal tree's folders ('node_modules/a/node_modules/@s/b'). */
export function versionsInTree(tree: ReadonlyMap<string, string>): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const [folder, version] of tree) {
    const at = folder.lastIndexOf('node_modules/');
    if (at < 0) continue;
    const name = folder.slice(at + 'node_modules/'.length);
    if (!name) continue;
    out.set(name, (out.get(name) ?? new Set()).add(version));
  }
  return out;
}

const isDirect = (d: Dependency) => !d.override && (d.section === 'dependencies' || d.section === 'devDependencies' || d.section === 'optionalDependencies' || d.section === 'peerDependencies');

/** The npm rules the set to install breaks, each with the `name@version` that matches each of its requirements. */
export function brokenNpmRules(rules: TeamRules | undefined, installed: ReadonlyMap<string, ReadonlySet<string>>): Array<{ rule: IncompatibleRule; found: string[] }> {
  const out: Array<{ rule: IncompatibleRule; found: string[] }> = [];
  for (const rule of rules?.incompatible ?? []) {
    if (rule.ecosystem !== 'npm') continue;
    const matches = rule.packages.map((p) => {
      const allows = npmRuleAllows(p.specifier);
      const version = [...(installed.get(p.package) ?? [])].find(allows);
      return version === undefined ? undefined : `${p.name}@${version}`;
    });
    if (matches.some((m) => m === undefined)) continue;
    out.push({ rule, found: matches as string[] });
  }
  return out;
}

/** A `conflict` for each npm rule that the set to install breaks. */
export function npmRuleFindings(root: ParsedManifest, rules: TeamRules | undefined, installed: ReadonlyMap<string, ReadonlySet<string>>, displayPath?: (p: string) => string): Finding[] {
  return brokenNpmRules(rules, installed).flatMap(({ rule, found }) => violation(root, rule, found, displayPath));
}

function violation(root: ParsedManifest, rule: IncompatibleRule, found: string[], displayPath?: (p: string) => string): Finding[] {
  const names = new Set(rule.packages.map((p) => p.package));
  const lines = root.dependencies.filter((d) => isDirect(d) && names.has(d.name));
  const joined = found.length === 2 ? found.join(' and ') : `${found.slice(0, -1).join(', ')} and ${found[found.length - 1]}`;
  const source = rule.source ? `; evidence: ${rule.source}` : '';
  const message = `npm would install ${joined}, but the team rule in ${ruleWhere(rule, displayPath)} says ${rule.packages.map((p) => p.text).join(' and ')} are incompatible ("${rule.reason.replace(/\.$/, '')}"${source}).`;
  const ruleInfo: RelatedInformation = { path: rule.path, range: rule.range, message: `Team rule: ${rule.reason}` };
  // A rule about packages that only come in indirectly is said on the first dependency: the file's lines bring them in.
  const at = lines.length > 0 ? lines : root.dependencies.filter(isDirect).slice(0, 1);
  return at.map((dep) => ({
    code: 'conflict',
    severity: 'error',
    package: dep.normalizedName,
    path: root.path,
    range: dep.range,
    message,
    related: [...lines.filter((o) => o !== dep).map((o) => ({ path: root.path, range: o.range, message: `${o.raw} is part of this conflict.` })), ruleInfo],
    fixes: [],
  }));
}
