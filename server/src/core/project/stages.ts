// Stages 1b to 3 for one analysed manifest, the same for the CLI and the server: what the disk
// says (lockfiles, the installed environment: no network), then, when registries are on, registry
// checks and resolution. One result, whose hover facts join both.

import type { EcosystemCheck, LaterCheck, ProjectState, StageOptions } from '../ecosystem';
import type { Runtime } from '../runtime';
import type { Analysis } from './analyze';
import { ecosystemOf } from './ecosystems';
import { emptyCheck, type Project } from './project';

export interface StagesResult extends EcosystemCheck {
  /** Lockfiles and the installed environment, when the wing reads them. */
  state?: ProjectState;
  /** What the later checks read, once they have run (runLaterStage). */
  laterSummary?: string;
  /** False when registry checks were off (setting, --no-registry): only the disk was read. */
  registriesChecked: boolean;
}

/** Lockfile and environment checks through the wing that reads this manifest; undefined when it reads none. */
export async function inspectAnalysis(analysis: Analysis, runtime: Runtime, options: StageOptions): Promise<ProjectState | undefined> {
  const ecosystem = ecosystemOf(analysis.kind);
  if (!ecosystem.inspect || analysis.manifests.length === 0) return undefined;
  return ecosystem.inspect(analysis.manifests, analysis.kind, runtime, options.host);
}

/** Runs the drift stage and (with a project) the registry stages together, and joins their findings and hover facts. */
export async function runStages(analysis: Analysis, runtime: Runtime, project: Project | undefined, options: StageOptions): Promise<StagesResult> {
  // The drift stage reads only the disk and the registry stages never read what it found: they run
  // together, so the first request does not wait for the environment search.
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

/**
 * The what-if answers of a result staged with `stageFixes` (a conflict's fixes and unlocking
 * upgrade, outdated pins), joined into a new result; the same result when there are none.
 */
export async function runFixStage(result: StagesResult): Promise<StagesResult> {
  if (!result.fixes) return result;
  const online = await result.fixes();
  return { ...result, fixes: undefined, findings: [...(result.state?.findings ?? []), ...online] };
}

/**
 * The later checks of a result (import checks of the resolution from the index), joined into a new
 * result: the verdict is published before this is called, so these never hold it up. The same
 * result when there are none; never throws (a failure becomes an incomplete reason).
 */
export async function runLaterStage(result: StagesResult, options: { signal?: AbortSignal; whatIf?: boolean } = {}): Promise<StagesResult> {
  if (!result.later) return result;
  const installed = new Map<string, string | undefined>();
  for (const [name, facts] of result.state?.packages ?? []) if (facts.installed) installed.set(name, facts.installed);
  let later: LaterCheck;
  try {
    later = await result.later({ installed, signal: options.signal, whatIf: options.whatIf });
  } catch (error) {
    if (options.signal?.aborted) throw error;
    later = { findings: [], incomplete: [`The import checks from the index failed: ${error instanceof Error ? error.message : String(error)}.`], evidence: new Map(), summary: '' };
  }
  const incomplete = [...(result.incomplete ?? []), ...later.incomplete];
  return {
    ...result,
    later: undefined,
    laterSummary: later.summary,
    findings: [...result.findings, ...later.findings],
    ...(incomplete.length ? { incomplete } : {}),
    async hoverFacts(dep, signal) {
      const facts = await result.hoverFacts(dep, signal);
      const lines = later.evidence.get(dep.normalizedName);
      return lines?.length ? { ...facts, indexImports: lines } : facts;
    },
  };
}
