import type { RegistryError } from '../http/types';
import type { EcosystemId, Finding, ParsedManifest } from '../model';

/** The one information finding for a registry that failed: on the manifest's first dependency of that ecosystem. */
export function unreachableFinding(manifest: ParsedManifest, error: RegistryError, ecosystem: EcosystemId): Finding {
  const first = manifest.dependencies.find((d) => d.ecosystem === ecosystem);
  const range = first?.nameRange ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  const offline = error.kind === 'offline';
  const message = offline
    ? `Offline, and nothing about these packages is cached for ${error.registry}: registry checks are skipped until Pinsight can reach it.`
    : `${error.message.replace(/\.?$/, '.')} Registry checks for this file are skipped until it answers; cached answers are used where there are some.`;
  return { code: 'registry-unreachable', severity: 'information', package: null, path: manifest.path, range, message, related: [], fixes: [] };
}
