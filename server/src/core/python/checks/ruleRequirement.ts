// A team rule's requirement in Python's syntax: a PEP 508 name with an optional PEP 440 specifier.
// Extras, markers and URLs say nothing about which versions cannot go together, so a rule refuses them.

import { parsePep508, normalizeName } from '../versions/pep508';
import { parseVersion, SpecifierSet, specifierSetProblem } from '../versions/pep440';
import { cachedSpecifierSet } from '../resolve/candidates';

/** Reads `uvicorn<0.30` as a rule requirement, or says why it cannot. */
export function parsePythonRuleRequirement(text: string): { name: string; package: string; specifier: string } | { error: string } {
  const parsed = parsePep508(text);
  if (!parsed.ok) return { error: `"${text}" is not a Python requirement: ${parsed.message.replace(/\.$/, '')}. Write a name and a version specifier, e.g. "uvicorn<0.30".` };
  const r = parsed.requirement;
  if (r.url !== undefined) return { error: `"${text}" names a URL; a rule names versions of a package, e.g. "${r.name}>=1.0".` };
  if (r.marker !== null) return { error: `"${text}" has a marker; a rule holds everywhere, so write it without "; ${r.marker}".` };
  if (r.extras.length > 0) return { error: `"${text}" names extras; a rule is about the package's versions, so write it without [${r.extras.join(',')}].` };
  const problem = specifierSetProblem(r.specifier);
  if (problem) return { error: `"${text}" has an invalid version specifier: ${problem.message.replace(/\.$/, '')}.` };
  return { name: r.name, package: normalizeName(r.name), specifier: r.specifier };
}

/** Whether a version is inside a rule's specifier; pre-releases count (the rule is about the versions, not the installer's choice). */
export function ruleAllows(specifier: string): (version: string) => boolean {
  const set: SpecifierSet | null = cachedSpecifierSet(specifier);
  return (version) => {
    const v = parseVersion(version);
    return set !== null && v !== null && set.contains(v, { prereleases: true });
  };
}
