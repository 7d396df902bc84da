import type { StatusParams } from '../../../common/protocol';
import type { ServerContext } from '../context';

const unique = (lines: string[]): string[] => [...new Set(lines)];
const plural = (n: number, word: string, many = `${word}s`) => `${n} ${n === 1 ? word : many}`;

const UNTRUSTED =
  'Registry checks are off because this workspace is not trusted: Pinsight sends no registry request, expands no ${VAR}, and uses no index, registry or credential from the workspace. Syntax and local checks still run. Trust the workspace (Workspaces: Manage Workspace Trust) to check versions and conflicts.';

/** A check that has been waiting on registries for a while: how long, its limit, who has not answered. */
export interface StatusWait {
  seconds: number;
  limit: number;
  registries: string[];
}

function hostOf(registry: string): string {
  try {
    return new URL(registry).host;
  } catch {
    return registry;
  }
}

/** What the language status item shows: progress (and what it waits for), then conflicts, registry trouble or all clear. */
export function statusOf(ctx: ServerContext, busy: boolean, wait?: StatusWait, phase?: 'imports'): StatusParams {
  const manifests = [...ctx.analyses.values()].filter((a) => a.analysis !== null).length;
  const entries = [...ctx.online.values()];
  const failures = new Map<string, string>();
  for (const entry of entries) for (const f of entry.result.failures) failures.set(f.registry, f.message);
  const stale = entries.some((e) => e.result.stale);
  const incomplete = entries.flatMap((e) => e.result.incomplete ?? []);
  const conflicts = entries.reduce((n, e) => n + e.result.findings.filter((f) => f.code === 'conflict' || f.code === 'peer-conflict').length, 0);
  const targets = [...new Set(entries.flatMap((e) => (e.result.target ? [e.result.target] : [])))];
  const registriesOff = !ctx.trusted || entries.some((e) => !e.result.registriesChecked);
  const detail = [
    ...(!ctx.trusted ? [UNTRUSTED] : registriesOff ? ['Registry checks are off (pinsight.checkRegistries): lockfiles and environments were read, versions and conflicts were not checked.'] : []),
    ...targets.map((t) => `Resolving for ${t}.`),
    ...unique(entries.flatMap((e) => e.result.registries)),
    ...unique(entries.flatMap((e) => e.result.state?.sources.map((s) => `Read ${s}.`) ?? [])),
    ...unique(entries.flatMap((e) => e.result.state?.skipped.map((s) => `Not checked: ${s}`) ?? [])),
    ...[...failures.values()],
    ...(stale ? ['Some registry answers came from the cache and may be out of date.'] : []),
    ...incomplete,
  ].join('\n');
  if (busy && wait) {
    const who = wait.registries.length > 0 ? wait.registries.map(hostOf).join(', ') : 'registries';
    const why = `Waiting ${wait.seconds} s for ${wait.registries.join(', ') || 'the registries'}; Pinsight gives up after ${wait.limit} s (pinsight.registryTimeoutSeconds) and reports what it could not read. The other findings are shown meanwhile.`;
    return { state: 'busy', text: `Waiting for ${who} (${wait.seconds} s)…`, detail: [why, detail].filter(Boolean).join('\n'), manifests };
  }
  if (busy && phase === 'imports') {
    const why = "The verdict is shown; Pinsight is reading the resolved releases' wheels on the index (range requests, within pinsight.importChecks.maxBytesPerCheck and pinsight.importChecks.timeoutSeconds) to check each dependency's imports.";
    return { state: 'busy', text: 'Checking imports…', detail: [why, detail].filter(Boolean).join('\n'), manifests };
  }
  if (busy) return { state: 'busy', text: registriesOff ? 'Checking…' : 'Checking registries…', detail, manifests };
  if (failures.size > 0) return { state: 'error', text: `${plural(failures.size, 'registry', 'registries')} unreachable${stale ? ', using cache' : ''}`, detail, manifests };
  const base = `${plural(manifests, 'manifest')} checked`;
  // The conflicts found lead even when the verdict left something out (a line's own error, an
  // unreadable project): both are said, and the state stays an error.
  if (incomplete.length > 0 && conflicts > 0) return { state: 'error', text: `${base}, ${plural(conflicts, 'conflicting requirement')}; check incomplete: ${plural(incomplete.length, 'problem')}`, detail, manifests };
  if (incomplete.length > 0) return { state: 'error', text: `Check incomplete: ${plural(incomplete.length, 'problem')}`, detail, manifests };
  if (conflicts > 0) return { state: 'ok', text: `${base}, ${plural(conflicts, 'conflicting requirement')}`, detail, manifests };
  if (!ctx.trusted) return { state: 'ok', text: `${base}; registry checks off: workspace not trusted`, detail, manifests };
  return { state: 'ok', text: stale ? `${base} (cached)` : registriesOff ? `${base} (registries off)` : base, detail, manifests };
}
