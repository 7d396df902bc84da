// Speculative registry reads for the Python provider. The solver decides one package at a time and
// asks for a release's dependencies only once it picks that release, so left to itself a
// resolution reads the index one dependency layer per round trip, with nothing in flight while it
// decides. Here, as soon as a release's metadata arrives, the pages of its dependencies and the
// metadata of the release each one will likely pick are requested at once, and so on down the tree
// as those arrive: the reads a solve will make are in flight before it asks. Each release is warmed
// once per RegistryView (shared by every re-solve), a bound caps what one view may warm, and every
// request goes through the same client, so the per-host limit holds; at that limit, a read a solve
// awaits goes before reads ahead (RegistryView's `ahead`, FetchOptions.priority). Warming never records
// anything a solve reports (notes, facts the checks read): only the view's promise caches fill.
// A view whose reads have all been answered from the caches reads nothing ahead (readsWentOut).

import type { CheckDeadline } from '../../ecosystem';
import type { PypiProject } from '../index/pypi';
import type { ParsedRequirement, RegistryView } from './registryView';

/** Releases one RegistryView warms at most (a resolution of a few hundred packages stays inside). */
export const WARM_LIMIT = 400;

/** What the provider knows that warming needs: which requirements apply, which release one would pick. */
export interface WarmHost {
  readonly view: RegistryView;
  readonly deadline?: CheckDeadline;
  /** Whether a dependency of a release applies to the target with these extras requested (its marker is not false). */
  applies(requirement: ParsedRequirement, extras: readonly string[]): boolean;
  /** The release a requirement on `name` will likely select, or undefined when none can be told. */
  likelyPick(name: string, specifier: string, project: PypiProject): string | undefined;
  /** Whether a release's Requires-Python admits the target. */
  admitsPython(requiresPython: string | undefined): boolean;
  /** The next `count` releases a solve would try for the requirement once `after` fails, best first. */
  nextPicks?(name: string, specifier: string, project: PypiProject, after: string, count: number): string[];
  /** Whether a dependency excludes what a root requirement pins exactly (the release that has it cannot be picked). */
  excludesRootPin?(requirement: ParsedRequirement): boolean;
}

/** Releases read at once after a likely pick that cannot be picked (see warmRelease). */
const NEXT_AFTER_DOOMED = 3;

/** Warms each requirement's page and likely release, then theirs as they arrive (never throws, never rejects). */
export function warmRequirements(host: WarmHost, requirements: ReadonlyArray<{ name: string; specifier: string; extras?: readonly string[]; url?: string }>): void {
  for (const r of requirements) {
    if (r.url !== undefined) continue;
    void host.view.project(r.name, host.deadline, true).then((outcome) => {
      // Picking is work too (the package's facts, its allowed versions): only for a release to read ahead.
      if (outcome.kind !== 'ok' || !host.view.readsWentOut()) return;
      const project = outcome.project;
      const version = host.likelyPick(r.name, r.specifier, project);
      if (version !== undefined) warmRelease(host, project, version, r.extras, () => host.nextPicks?.(r.name, r.specifier, project, version, NEXT_AFTER_DOOMED) ?? []);
    });
  }
}

/**
 * Warms one release's metadata and, once it arrives, its dependencies (never throws, never rejects).
 * A likely pick with a dependency that excludes a root's exact pin cannot be picked: the releases
 * a solve will try next (`next`) are warmed too, at once, rather than when the solve comes back to
 * the package (on the seed, realtime 2.4.3 needs websockets<15: 2.4.2 to 2.4.0 are read a round
 * earlier and the verdict comes in 5 round trips instead of 6).
 */
export function warmRelease(host: WarmHost, project: PypiProject, version: string, extras: readonly string[] = [], next?: () => string[]): void {
  const view = host.view;
  const key = warmKey(project.normalized, version, extras);
  // Nothing has needed the network: every answer is in the caches, where reading ahead gains nothing.
  if (!view.readsWentOut()) return;
  // A version the page does not list (a lock's spelling) is left to the solve to report.
  if (!project.versions.has(version) || view.warmed.has(key) || view.warmed.size >= WARM_LIMIT || host.deadline?.signal.aborted) return;
  view.warmed.add(key);
  void view.metadataOf(project, version, host.deadline, true).then((md) => {
    if (md.kind !== 'ok' || md.metadata.kind === 'unknown' || !host.admitsPython(md.metadata.requiresPython)) return;
    const parsed = view.requirementsOf(project.normalized, version, md.metadata.requiresDist);
    if ('invalid' in parsed) return;
    const applying = parsed.filter((r) => host.applies(r, extras));
    if (next && host.excludesRootPin && applying.some((r) => host.excludesRootPin!(r))) for (const v of next()) warmRelease(host, project, v, extras);
    warmRequirements(host, applying);
  });
}

/**
 * Reads one release's own metadata ahead of a walk down its package's releases, without its
 * dependencies: the solver will likely reach it, but later than the releases warmed in full, so
 * its dependencies can wait until warmRelease or the solve asks (never throws, never rejects).
 */
export function warmMetadata(host: WarmHost, project: PypiProject, version: string): void {
  if (!host.view.readsWentOut() || !project.versions.has(version) || host.view.warmed.size >= WARM_LIMIT || host.deadline?.signal.aborted) return;
  void host.view.metadataOf(project, version, host.deadline, true);
}

// A release with extras requested is another set of dependencies: `pyjwt[crypto]` adds cryptography.
function warmKey(base: string, version: string, extras: readonly string[]): string {
  return extras.length === 0 ? `${base}\u0000${version}` : `${base}\u0000${version}\u0000${[...extras].sort().join(',')}`;
}

/** Marks a release whose dependencies the solver itself is about to read, and warms those. */
export function warmDependencies(host: WarmHost, base: string, version: string, requirements: ParsedRequirement[], extras: readonly string[] = []): void {
  const key = warmKey(base, version, extras);
  // Already warmed (speculatively or by an earlier solve): its dependencies are on their way.
  if (host.view.warmed.has(key)) return;
  host.view.warmed.add(key);
  warmRequirements(host, requirements.filter((r) => host.applies(r, extras)));
}
