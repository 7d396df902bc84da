// Stages 1b to 3 for one analysed manifest, the same for the CLI and the server: what the disk
// says (lockfiles, the installed environment: no network), then, when registries are on, registry
// checks and resolution. One result, whose hover facts join both.

import type { EcosystemCheck, ProjectState, StageOptions } from '../ecosystem';
import type { Runtime } from '../runtime';
import type { Analysis } from './analyze';
import { ecosystemOf } from './ecosystems';
import { emptyCheck, type Project } from './project';

export interface StagesResult extends EcosystemCheck {
  /** Lockfiles and the installed environment, when the wing reads them. */
  state?: ProjectState;
  /** False when registry checks were off (setting, --no-registry): only the disk was read. */
  registriesChecked: boolean;
}

/** Lockfile and environment checks through the wing that reads this manifest; undefined when it reads none. */
export async function inspectAnalysis(analysis: Analysis, runtime: Runtime, options: StageOptions): Promise<ProjectState | undefined> {
  const ecosystem = ecosystemOf(analysis.kind);
  if (!ecosystem.inspect || analysis.manifests.length === 0) return undefined;
  return ecosystem.inspect(analysis.manifests, analysis.kind, runtime, options.host);
}

/** Runs the drift stage and (with a project) the registry stages, and joins their findings and hover facts. */
export async function runStages(analysis: Analysis, runtime: Runtime, project: Project | undefined, options: StageOptions): Promise<StagesResult> {
  // The disk and the registries are read side by side: neither stage uses what the other found.
  const [state, online] = await Promise.all([
    inspectAnalysis(analysis, runtime, options),
    project ? project.check(analysis, { runtime, ...options }) : Promise.resolve(emptyCheck()),
  ]);
  return {
    ...online,
    findings: [...(state?.findings ?? []), ...online.findings],
    state,
    registriesChecked: project !== undefined,
    highestTogether: online.highestTogether,
    resolution: online.resolution,
    async hoverFacts(dep, signal) {
      const facts = await online.hoverFacts(dep, signal);
      const local = state?.packages.get(dep.normalizedName);
      return local ? { ...facts, installed: local.installed, locked: local.locked, via: local.via, imports: local.imports } : facts;
    },
  };
}
