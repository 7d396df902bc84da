// Stage 3 for npm: what npm 7+ reports as ERESOLVE, on the package.json lines that cause it (the
// root's or a workspace's), with the highest compatible version as a fix and the dependant release
// that would allow the found one.

import type { Dependency, Finding, Fix, ParsedManifest, RelatedInformation } from '../../model';
import { RegistryError } from '../../http/types';
import { checkNpmPeers, type NpmPeerConflict, type NpmPeerWorkspace, type PeerPackument } from '../arborist/peers';

function specifierEdit(path: string, dep: Dependency, version: string): Fix['edits'][number] | undefined {
  if (!dep.specifierRange) return undefined;
  // Keep the user's style: a caret range stays a caret range, an exact pin stays exact.
  const prefix = /^\s*[~^]/.test(dep.specifier) ? dep.specifier.trim()[0] : /^\s*\d/.test(dep.specifier) ? '' : '^';
  return { path, range: dep.specifierRange, newText: `${prefix}${version}` };
}

function conflictFindings(manifest: ParsedManifest, conflict: NpmPeerConflict): Finding[] {
  const found = conflict.found.dependency;
  const dependant = conflict.peer.dependency;
  // each entry lies in its own package.json: the root's, or a workspace's
  const foundPath = conflict.found.path ?? manifest.path;
  const dependantPath = conflict.peer.path ?? manifest.path;
  // A sentence may start with a package name: npm names are lowercase, and stay so ("react-redux@9.3.1 allows react 19").
  const unlock = conflict.unlock?.startsWith('no released version') ? `No${conflict.unlock.slice(2)}` : conflict.unlock;
  const message = unlock ? `${conflict.message} ${unlock.replace(/\.?$/, '.')}` : conflict.message;
  const out: Finding[] = [];
  const on = (dep: Dependency, path: string, other: Dependency | undefined, otherPath: string, fixes: Fix[]): Finding => ({
    code: 'peer-conflict',
    severity: 'error',
    package: dep.normalizedName,
    path,
    range: dep.range,
    message,
    related: other ? [{ path: otherPath, range: other.range, message: `${other.raw} is part of this conflict.` } satisfies RelatedInformation] : [],
    fixes,
  });
  if (found) {
    const edit = conflict.highestCompatible ? specifierEdit(foundPath, found, conflict.highestCompatible) : undefined;
    const fixes = edit ? [{ title: `Change ${found.name} to ${edit.newText}, the highest version ${conflict.peer.dependant} allows`, edits: [edit], preferred: true }] : [];
    out.push(on(found, foundPath, dependant, dependantPath, fixes));
  }
  if (dependant && dependant !== found) {
    const edit = conflict.unlockVersion ? specifierEdit(dependantPath, dependant, conflict.unlockVersion) : undefined;
    const fixes = edit ? [{ title: `Upgrade ${dependant.name} to ${edit.newText}, which allows ${conflict.found.name}@${conflict.found.version}`, edits: [edit] }] : [];
    out.push(on(dependant, dependantPath, found, foundPath, fixes));
  }
  return out;
}

/** npm's peer-dependency verdict for a package.json, as findings. */
export async function npmPeerFindings(
  manifest: ParsedManifest,
  getPackument: (name: string, signal?: AbortSignal) => Promise<PeerPackument>,
  options: { signal?: AbortSignal; legacyPeerDeps?: boolean; strictPeerDeps?: boolean; force?: boolean; nodeVersion?: string; npmVersion?: string; onTree?: (tree: Map<string, string>) => void; workspaces?: readonly NpmPeerWorkspace[] } = {},
): Promise<Finding[]> {
  const signal = options.signal;
  let report;
  try {
    report = await checkNpmPeers(manifest, getPackument, options);
  } catch (error) {
    // Registry failures are already findings from the registry checks; an abort is the caller's.
    if (signal?.aborted || !(error instanceof RegistryError)) throw error;
    return [];
  }
  if (report.kind === 'ok') options.onTree?.(report.tree);
  if (report.kind !== 'conflict') return [];
  return report.conflicts.flatMap((c) => conflictFindings(manifest, c));
}
