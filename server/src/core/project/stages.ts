// Stages 2 and 3: what needs a registry. Registry checks first (unknown, yanked, deprecated), then
// resolution (conflicts with their chain and fixes). Registry failures become one information
// finding per registry, never an error in the user's file.

import type { Analysis } from './analyze';
import type { Finding, ParsedManifest } from '../model';
import type { RegistryServices } from './services';
import { RegistryError } from '../http/types';
import type { Target } from '../python/resolve/target';
import { checkNpmDependencies, type NpmFacts } from '../npm/checks/registryChecks';
import { npmPeerFindings } from '../npm/checks/peerFindings';
import { checkPypiDependencies, type PypiFacts } from '../python/checks/registryChecks';
import { resolvePythonFindings, type PythonResolutionResult } from '../python/checks/resolutionFindings';

export interface OnlineOptions {
  target: Target;
  signal?: AbortSignal;
  /** Re-solve for fixes and "what would unlock" (default true). */
  whatIf?: boolean;
  allowPrereleases?: boolean;
}

export interface OnlineResult {
  findings: Finding[];
  failures: RegistryError[];
  /** Some answers came from the cache during an outage or in offline mode. */
  stale: boolean;
  pypiFacts: Map<string, PypiFacts>;
  npmFacts: Map<string, NpmFacts>;
  python?: PythonResolutionResult;
  /** The Python indexes used, credentials masked, for the status item and --explain. */
  indexes: string[];
}

function unreachableFinding(manifest: ParsedManifest, error: RegistryError, ecosystem: 'pypi' | 'npm'): Finding {
  const first = manifest.dependencies.find((d) => d.ecosystem === ecosystem);
  const range = first?.nameRange ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  const offline = error.kind === 'offline';
  const message = offline
    ? `Offline, and nothing about these packages is cached for ${error.registry}: registry checks are skipped until Pinsight can reach it.`
    : `${error.message.replace(/\.?$/, '.')} Registry checks for this file are skipped until it answers; cached answers are used where there are some.`;
  return { code: 'registry-unreachable', severity: 'information', package: null, path: manifest.path, range, message, related: [], fixes: [] };
}

function installerFor(analysis: Analysis): 'pip' | 'uv' {
  // pyproject projects are most often locked by uv (or poetry, whose pre-release rule is uv's).
  return analysis.kind === 'pyproject' ? 'uv' : 'pip';
}

/** Registry checks and resolution for one analysed manifest tree. */
export async function checkOnline(analysis: Analysis, services: RegistryServices, options: OnlineOptions): Promise<OnlineResult> {
  const out: OnlineResult = { findings: [], failures: [], stale: false, pypiFacts: new Map(), npmFacts: new Map(), indexes: [] };
  const root = analysis.manifests[0];
  if (!root) return out;
  if (analysis.kind === 'package.json') {
    try {
      const { client: npm, config } = await services.npmFor(root.path);
      const checked = await checkNpmDependencies(root, npm, options.signal);
      out.findings.push(...checked.findings);
      out.failures.push(...checked.failures);
      out.stale ||= checked.stale;
      out.npmFacts = checked.facts;
      for (const failure of checked.failures) out.findings.push(unreachableFinding(root, failure, 'npm'));
      // Peer resolution over unknown packages or an unreachable registry would only restate those findings.
      const blocked = checked.failures.length > 0 || checked.findings.some((f) => f.severity === 'error');
      if (!blocked && !options.signal?.aborted) out.findings.push(...(await npmPeerFindings(root, (name, signal) => npm.getPackument(name, signal), { ...config.peerDeps, signal: options.signal })));
    } catch (error) {
      if (!(error instanceof RegistryError)) throw error;
      out.failures.push(error);
      out.findings.push(unreachableFinding(root, error, 'npm'));
    }
    return out;
  }

  const { client, config } = await services.pypiFor(analysis.manifests);
  out.indexes = config.describe();
  if (!client) return out;
  const checked = await checkPypiDependencies(analysis.manifests, client, options.signal);
  out.findings.push(...checked.findings);
  out.failures.push(...checked.failures);
  out.stale ||= checked.stale;
  out.pypiFacts = checked.facts;
  for (const failure of checked.failures) out.findings.push(unreachableFinding(root, failure, 'pypi'));
  // Resolution over unknown packages or an unreachable index would only restate those findings.
  const blocked = checked.failures.length > 0 || checked.findings.some((f) => f.severity === 'error');
  if (blocked || options.signal?.aborted) return out;
  const python = await resolvePythonFindings(analysis.manifests, client, {
    target: options.target,
    installer: installerFor(analysis),
    allowPrereleases: options.allowPrereleases ?? analysis.manifests.some((m) => m.options.some((o) => o.name === 'pre')),
    signal: options.signal,
    whatIf: options.whatIf,
    latestOf: (name) => checked.facts.get(name)?.latest,
  });
  out.python = python;
  out.findings.push(...python.findings);
  return out;
}
