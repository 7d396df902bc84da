// The fix for an npm team-rule conflict, as Python's conflicts have one: the highest version of a
// package the rule names that npm would install with the rest of package.json without breaking any
// team rule. "Would install" is the same placement the peer check runs (arborist/peers.ts), so a
// candidate that npm would refuse with ERESOLVE, or whose tree brings in a package the rule forbids,
// is passed over. The edit keeps the user's style (a caret range stays a caret range) when that range
// still picks the candidate's side of the rule; otherwise it is an exact version.

import semver from 'semver';
import type { Dependency, Fix, ParsedManifest } from '../../model';
import type { TeamRules } from '../../rules/types';
import { checkNpmPeers, type NpmPeerOptions, type PeerPackument } from '../arborist/peers';
import { brokenNpmRules, versionsInTree } from './ruleFindings';
import { npmRuleAllows } from './ruleRequirement';

/** Placements tried at most per package line (each is one ideal-tree build over cached packuments). */
export const MAX_RULE_FIX_TRIES = 8;

/** The package.json text that edits `dep` to `version` in the user's style: '^1.2.3' stays caret, '1.2.3' exact. */
function styled(dep: Dependency, version: string): string {
  const first = dep.specifier.trim()[0];
  return first === '^' || first === '~' ? `${first}${version}` : version;
}

function withSpecifier(root: ParsedManifest, dep: Dependency, specifier: string): ParsedManifest {
  return { ...root, dependencies: root.dependencies.map((d) => (d === dep ? { ...d, specifier } : d)) };
}

/**
 * The highest version of `dep` outside every broken rule's range for it that npm would install with
 * the rest of `root` and no rule broken, as a preferred fix; undefined when none is found within
 * MAX_RULE_FIX_TRIES placements.
 */
export async function npmRuleFix(
  root: ParsedManifest,
  dep: Dependency,
  rules: TeamRules,
  installed: ReadonlyMap<string, ReadonlySet<string>>,
  getPackument: (name: string, signal?: AbortSignal) => Promise<PeerPackument>,
  options: NpmPeerOptions = {},
): Promise<Fix | undefined> {
  if (!dep.specifierRange) return undefined;
  // The ranges this package must leave: its side of each rule the current set breaks.
  const ranges = brokenNpmRules(rules, installed).flatMap(({ rule }) => rule.packages.filter((p) => p.package === dep.name).map((p) => npmRuleAllows(p.specifier)));
  if (ranges.length === 0) return undefined;
  const packument = await getPackument(dep.name, options.signal);
  const current = installed.get(dep.name) ?? new Set<string>();
  const candidates = [...packument.versions.values()]
    .filter((v) => semver.valid(v.version) && !semver.prerelease(v.version) && !v.deprecated && !current.has(v.version))
    .filter((v) => !ranges.some((inside) => inside(v.version)))
    .map((v) => v.version)
    .sort(semver.rcompare);
  let tries = 0;
  for (const version of candidates) {
    for (const specifier of [...new Set([styled(dep, version), version])]) {
      if (tries++ >= MAX_RULE_FIX_TRIES) return undefined;
      options.signal?.throwIfAborted();
      const edited = withSpecifier(root, dep, specifier);
      const report = await checkNpmPeers(edited, getPackument, { ...options, maxConflicts: 0 });
      if (report.kind !== 'ok') continue;
      const tree = versionsInTree(report.tree);
      if (tree.get(dep.name)?.has(version) !== true) continue;
      if (brokenNpmRules(rules, tree).length > 0) continue;
      return {
        title: `Change ${dep.name} to ${specifier}, the highest version npm would install with the rest of package.json that no team rule forbids`,
        edits: [{ path: root.path, range: dep.specifierRange, newText: specifier }],
        preferred: true,
      };
    }
  }
  return undefined;
}
