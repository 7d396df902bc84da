// A rule about a package the registry does not have never applies: most often a typo. Each wing
// asks its own registry (one request per rule package, cached like any other); only a definite
// "not found" is reported, since a failing registry is already said on the manifest.

import { RegistryError } from '../http/types';
import type { EcosystemId, Finding } from '../model';
import type { TeamRules } from './types';

/** `invalid-rule` warnings, in the rule file, on each requirement whose package the registry does not know. */
export async function unknownRulePackages(
  rules: TeamRules | undefined,
  ecosystem: EcosystemId,
  lookup: (name: string) => Promise<unknown>,
  known: (pkg: string) => boolean,
): Promise<Finding[]> {
  const out: Finding[] = [];
  const asked = new Map<string, Promise<string | undefined>>();
  const missing = (name: string): Promise<string | undefined> => {
    let answer = asked.get(name);
    if (!answer) {
      answer = lookup(name).then(
        () => undefined,
        (error: unknown) => (error instanceof RegistryError && error.kind === 'not-found' ? error.registry : undefined),
      );
      asked.set(name, answer);
    }
    return answer;
  };
  for (const rule of rules?.incompatible ?? []) {
    if (rule.ecosystem !== ecosystem) continue;
    for (const req of rule.packages) {
      if (known(req.package)) continue;
      const registry = await missing(req.name);
      if (registry === undefined) continue;
      out.push({
        code: 'invalid-rule',
        severity: 'warning',
        package: req.package,
        path: rule.path,
        range: req.range,
        message: `${req.name} is not on ${registry}: check the name. A rule about a package the registry does not have never applies.`,
        related: [],
        fixes: [],
      });
    }
  }
  return out;
}
