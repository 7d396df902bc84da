import type { StatusParams } from '../../../common/protocol';
import type { ServerContext } from '../context';

const plural = (n: number, word: string, many = `${word}s`) => `${n} ${n === 1 ? word : many}`;

/** What the language status item shows: progress, then conflicts, registry trouble or all clear. */
export function statusOf(ctx: ServerContext, busy: boolean): StatusParams {
  const manifests = [...ctx.analyses.values()].filter((a) => a.analysis !== null).length;
  const entries = [...ctx.online.values()];
  const failures = new Map<string, string>();
  for (const entry of entries) for (const f of entry.result.failures) failures.set(f.registry, f.message);
  const stale = entries.some((e) => e.result.stale);
  const conflicts = entries.reduce((n, e) => n + e.result.findings.filter((f) => f.code === 'conflict' || f.code === 'peer-conflict').length, 0);
  const targets = [...new Set(entries.flatMap((e) => (e.result.target ? [e.result.target] : [])))];
  const registriesOff = entries.some((e) => !e.result.registriesChecked);
  const detail = [
    ...(registriesOff ? ['Registry checks are off (pinsight.checkRegistries): lockfiles and environments were read, versions and conflicts were not checked.'] : []),
    ...targets.map((t) => `Resolving for ${t}.`),
    ...entries.flatMap((e) => e.result.registries).filter((x, i, all) => all.indexOf(x) === i),
    ...entries.flatMap((e) => e.result.state?.sources.map((s) => `Read ${s}.`) ?? []).filter((x, i, all) => all.indexOf(x) === i),
    ...entries.flatMap((e) => e.result.state?.skipped.map((s) => `Not checked: ${s}`) ?? []).filter((x, i, all) => all.indexOf(x) === i),
    ...[...failures.values()],
    ...(stale ? ['Some registry answers came from the cache and may be out of date.'] : []),
  ].join('\n');
  if (busy) return { state: 'busy', text: registriesOff ? 'Checking…' : 'Checking registries…', detail, manifests };
  if (failures.size > 0) return { state: 'error', text: `${plural(failures.size, 'registry', 'registries')} unreachable${stale ? ', using cache' : ''}`, detail, manifests };
  const base = `${plural(manifests, 'manifest')} checked`;
  if (conflicts > 0) return { state: 'ok', text: `${base}, ${plural(conflicts, 'conflicting requirement')}`, detail, manifests };
  return { state: 'ok', text: stale ? `${base} (cached)` : registriesOff ? `${base} (registries off)` : base, detail, manifests };
}
