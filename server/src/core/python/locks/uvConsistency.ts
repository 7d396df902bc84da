// The lock against itself: a requirement that [package.metadata] records as written must be met by
// the packages the lock installs for it. A lock edited by hand or merged badly can record
// `uvicorn[standard]>=0.24` while pinning uvicorn 0.22 or leaving out the extra; uv would re-resolve,
// so for the person reading the manifest the lock is stale on that line.
import { listWords } from './lockCheck';
import { specifierAllows } from './lockSpecifiers';
import { andExpr, markerExpr, neverHolds, TRUE } from './markerSpace';
import { extrasSentence } from './uvMessages';
import type { ListDiff } from './uvDiff';
import type { UvLock, UvLockEdge, UvLockPackage } from './uvLock';
import type { DeclaredRequirement } from './uvProject';

type Report = (decl: DeclaredRequirement, what: string) => void;

function targetsOf(lock: UvLock, edge: UvLockEdge): UvLockPackage[] {
  return lock.packages.filter((p) => p.name === edge.name && (edge.version === undefined || p.version === edge.version));
}

function firstProblem(lock: UvLock, decl: DeclaredRequirement, specifier: string, registry: boolean, edges: UvLockEdge[]): string | null {
  const missing = edges.find((e) => targetsOf(lock, e).length === 0);
  if (missing) return `it lists ${missing.name}${missing.version ? ` ${missing.version}` : ''} as a dependency and has no entry for it`;
  const versions = [...new Set(edges.flatMap((e) => targetsOf(lock, e)).map((p) => p.version).filter((v): v is string => v !== undefined))];
  if (registry && specifier !== '' && versions.length > 0 && !versions.some((v) => specifierAllows(specifier, v))) {
    return `it pins ${decl.name} ${listWords(versions)}, which \`${specifier}\` excludes`;
  }
  const lacking = decl.extras.filter((x) => !edges.some((e) => e.extras.includes(x)));
  if (lacking.length > 0) {
    const sentence = extrasSentence(lock, decl.name, lacking);
    return sentence.replace(/^The lock /, 'it ').replace(/\.$/, '').replace(/\. The lock /g, '; it ');
  }
  return null;
}

function checkList(lock: UvLock, pkg: UvLockPackage, diff: ListDiff, edgesFor: (decl: DeclaredRequirement) => UvLockEdge[] | undefined, report: Report): void {
  for (const { decl, actual } of diff.matched) {
    if (decl.name === pkg.name) continue;
    // Only the edges for the environments this line applies to: `x<2; python_version < '3.11'`
    // says nothing about the x the lock installs for 3.12.
    const edges = (edgesFor(decl) ?? []).filter((e) => e.name === decl.name && !neverHolds(andExpr(decl.marker, markerExpr(e.marker) ?? TRUE), lock.requiresPython));
    // No edge: the requirement applies in no environment the lock covers (markers, conflicts).
    if (edges.length === 0) continue;
    const problem = firstProblem(lock, decl, actual.specifier, actual.source.kind === 'registry', edges);
    if (problem) report(decl, problem);
  }
}

/** Reports requirements the lock records but whose locked packages disagree with them. */
export function checkLockConsistency(lock: UvLock, pkg: UvLockPackage, dist: ListDiff | null, groups: Map<string, ListDiff>, report: Report): void {
  if (dist) checkList(lock, pkg, dist, (decl) => (decl.extra !== undefined ? pkg.optionalDependencies.get(decl.extra) : pkg.dependencies), report);
  for (const [group, diff] of groups) checkList(lock, pkg, diff, () => pkg.devDependencies.get(group), report);
}
