// `outdated` (opt-in): an exact pin older than the highest version every other requirement allows.
// Unlike a bare "newer version exists", the suggested version installs with the rest of the set.

import type { Finding, ParsedManifest } from '../../model';
import type { PythonProvider } from '../resolve/provider';
import { highestCompatible } from '../resolve/whatIf';
import { exactPin } from '../versions/pep440';
import { isNewer, pinEdit } from './resolutionFindings';

/** A hint with its fix on each exact pin (root files, not constraints) that a newer compatible version exists for. */
export async function outdatedFindings(manifests: ParsedManifest[], provider: PythonProvider, latestOf: (name: string) => string | undefined, signal?: AbortSignal): Promise<Finding[]> {
  const out: Finding[] = [];
  for (const manifest of manifests) {
    for (const dep of manifest.dependencies) {
      if (signal?.aborted) return out;
      const pin = dep.ecosystem === 'pypi' && dep.source === 'registry' && !dep.constraint && !dep.override ? exactPin(dep.specifier) : null;
      if (!pin) continue;
      const best = await highestCompatible(provider, dep.normalizedName, { signal, timeBudgetMs: 2_000 });
      if (best.kind !== 'found' || !isNewer(best.version, pin.version)) continue;
      const latest = latestOf(dep.normalizedName);
      const beyond = latest && latest !== best.version ? ` (the latest is ${latest}; the hover says what keeps it out)` : '';
      out.push({
        code: 'outdated',
        severity: 'hint',
        package: dep.normalizedName,
        path: manifest.path,
        range: dep.specifierRange ?? dep.range,
        message: `${dep.name} ${pin.version} is pinned; ${best.version} is the highest version every other requirement allows${beyond}.`,
        related: [],
        fixes: [{ title: `Change to ${dep.name}==${best.version}, the highest compatible version`, edits: [pinEdit(manifest, dep, best.version)], preferred: true }],
      });
    }
  }
  return out;
}
