// Completion in package.json dependency values: versions of the package (the version npm would
// pick first, then newest first; pre-releases and deprecated versions marked), after any ^ ~ >= <.

import semver from 'semver';
import type { CompletionChoice, CompletionRequest } from '../../ecosystem';
import type { NpmClient } from '../registry/npmClient';

const VERSION_CONTEXT = /"(@?[a-z0-9][\w.-]*(?:\/[\w.-]+)?)"\s*:\s*"(?:[~^]|[<>]=?|=)?\s*([0-9A-Za-z.+-]*)$/i;

/** The completion a package.json line asks for at the cursor (a version inside a dependency's value). */
export function npmCompletionContext(linePrefix: string): CompletionRequest | null {
  const match = VERSION_CONTEXT.exec(linePrefix);
  return match ? { kind: 'version', name: match[1]!, typed: match[2]! } : null;
}

/** Versions from the registry, the preferred one first; empty when the registry cannot answer. */
export async function npmCompletions(client: NpmClient, request: CompletionRequest, preferred: string | undefined, signal?: AbortSignal): Promise<CompletionChoice[]> {
  if (request.kind !== 'version') return [];
  const packument = await client.getPackument(request.name, signal).catch(() => undefined);
  if (!packument) return [];
  const versions = [...packument.versions.values()].filter((v) => semver.valid(v.version, { loose: true })).sort((a, b) => semver.rcompare(a.version, b.version, { loose: true }));
  const latest = packument.distTags.latest;
  return versions.map((v, i) => {
    const first = v.version === preferred;
    const notes = [
      first ? 'npm picks this' : undefined,
      v.version === latest ? 'latest' : undefined,
      semver.prerelease(v.version, { loose: true }) ? 'pre-release' : undefined,
      v.deprecated ? `deprecated: ${v.deprecated}` : undefined,
    ].filter(Boolean);
    return { label: v.version, detail: notes.join(' · ') || undefined, sortText: `${first ? '0' : '1'}${String(i).padStart(5, '0')}`, deprecated: v.deprecated !== undefined };
  });
}
