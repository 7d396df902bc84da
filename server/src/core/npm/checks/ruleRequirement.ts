// A team rule's requirement in npm's syntax: `name@range` (`react@>=18`, `@types/react@^17`), or a
// bare name for every version. Tags, git and file specifiers name no versions, so a rule refuses them.

import semver from 'semver';
import { checkNpmName, isWellFormedRange } from '../manifest/specifier';

/** Reads `react-dom@<18` as a rule requirement, or says why it cannot. */
export function parseNpmRuleRequirement(text: string): { name: string; package: string; specifier: string } | { error: string } {
  const at = text.indexOf('@', 1);
  const name = (at < 0 ? text : text.slice(0, at)).trim();
  const range = at < 0 ? '' : text.slice(at + 1).trim();
  const check = checkNpmName(name);
  if (check.errors.length > 0) return { error: `"${name}" is not an npm package name: ${check.errors[0]}.` };
  if (at >= 0 && (range === '' || !isWellFormedRange(range) || semver.validRange(range, { loose: true }) === null)) {
    return { error: `"${text}" has no valid semver range after "${name}@": write one such as ^1.2.3, <18 or >=1.0.0 <2.0.0.` };
  }
  return { name, package: name, specifier: range };
}

/** Whether a version is inside a rule's range; pre-releases count. */
export function npmRuleAllows(range: string): (version: string) => boolean {
  return (version) => range === '' || semver.satisfies(version, range, { loose: true, includePrerelease: true });
}
