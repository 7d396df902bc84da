// One object per registry configuration (the CLI run, or the editor's settings): it owns the
// registry context (HTTP stack and caches, credentials, configuration sources) and each wing's
// clients, and runs stages 2 and 3 for any manifest the same way for the CLI and the server.

import type { CompletionChoice, CompletionRequest, EcosystemCheck, EcosystemChecker, RegistryContext, StageOptions } from '../ecosystem';
import type { EcosystemId } from '../model';
import type { Analysis } from './analyze';
import { ecosystemOf } from './ecosystems';

export type { EcosystemCheck as ProjectCheck } from '../ecosystem';

/** A check that read nothing: no manifest, or registry checks off. */
export function emptyCheck(): EcosystemCheck {
  return { findings: [], failures: [], stale: false, registries: [], hoverFacts: async () => ({}) };
}

export class Project {
  private readonly checkers = new Map<EcosystemId, EcosystemChecker>();

  constructor(readonly context: RegistryContext) {}

  /** Registry checks and resolution for one analysed manifest tree (stages 2 and 3). */
  async check(analysis: Analysis, options: StageOptions): Promise<EcosystemCheck> {
    if (analysis.manifests.length === 0) return emptyCheck();
    return this.checkerFor(analysis).check(analysis.manifests, analysis.kind, { ...options, rules: options.rules ?? analysis.rules });
  }

  private checkerFor(analysis: Analysis): EcosystemChecker {
    const ecosystem = ecosystemOf(analysis.kind);
    let checker = this.checkers.get(ecosystem.id);
    if (!checker) this.checkers.set(ecosystem.id, (checker = ecosystem.createChecker(this.context)));
    return checker;
  }

  /** Completion choices for the cursor's context in a manifest, from its wing's registry. */
  async complete(analysis: Analysis, request: CompletionRequest, preferred: string | undefined, signal?: AbortSignal): Promise<CompletionChoice[]> {
    if (analysis.manifests.length === 0) return [];
    const checker = this.checkerFor(analysis);
    return checker.complete ? checker.complete(analysis.manifests, request, preferred, signal) : [];
  }

  /** Configuration changed (a setting, an .npmrc, pip.conf): every wing makes its clients afresh. */
  reset(): void {
    // Credentials follow their configuration: each scope registers them again when it reloads.
    this.context.credentials.clear();
    for (const checker of this.checkers.values()) checker.reset();
  }
}
