// Fixes for an import-break A -> B, read from the index under the check's budget: the highest B
// release below the picked one whose files still have what A imports, and the lowest A release
// above the picked one whose imports fit B; each only if the resolver accepts it with everything
// else (a re-solve with both packages pinned). Newest-first from the break for B, oldest-first for
// A, at most `maxFixCandidates` releases each; the message says when a bound stopped the search.

import { compareVersions, parseVersion } from '../versions/pep440';
import type { PythonProvider } from '../resolve/provider';
import { resolvePython } from '../resolve/resolvePython';
import { withRootSpecifier } from '../resolve/whatIf';
import type { ImportEdge } from '../imports/check';
import type { IndexDistribution } from '../imports/wheelFiles';
import type { IndexImportSession } from './indexImports';

export interface ImportFixes {
  /** Versions that fix the break, the preferred first. */
  found: Array<{ package: string; version: string; why: string }>;
  /** What the search found, for the message: the fixes, or why there is none (a bound that stopped it included). */
  sentence: string;
}

type Search = { kind: 'found'; version: string } | { kind: 'none'; tried: number } | { kind: 'bound'; tried: number };

/** Both fixes of one break; never throws (a search that fails says so). */
export async function searchImportFixes(session: IndexImportSession, edge: ImportEdge<IndexDistribution>): Promise<ImportFixes> {
  const a = edge.importer;
  const b = edge.target;
  const missing = edge.breaks.map((x) => (x.name ? `${x.module}.${x.name}` : x.module));
  const names = [...new Set(missing)].map((m) => `\`${m}\``);
  const what = names.length <= 3 ? names.join(names.length === 2 ? ' and ' : ', ').replace(/, ([^,]*)$/, ' and $1') : `the ${names.length} names it imports`;
  const found: ImportFixes['found'] = [];
  const sentences: string[] = [];
  // The two searches read different releases: side by side, each request's latency overlaps the other's.
  const [older, newer] = await Promise.all([
    searchReleases(session, b.normalizedName, b.version, 'below', (v) => [[a.normalizedName, a.version], [b.normalizedName, v]]),
    searchReleases(session, a.normalizedName, a.version, 'above', (v) => [[a.normalizedName, v], [b.normalizedName, b.version]]),
  ]);
  if (older.kind === 'found') {
    found.push({ package: b.normalizedName, version: older.version, why: `the highest release that still has ${what}` });
    sentences.push(`${b.name} ${older.version} is the highest release that still has ${what} and fits the other requirements.`);
  } else if (older.kind === 'bound') sentences.push(stopped(session, older.tried, `a ${b.name} release below ${b.version} that still has ${what}`));
  else sentences.push(older.tried === 0 ? `No ${b.name} release below ${b.version} is on the index to try.` : `No ${b.name} release below ${b.version} both still has ${what} and fits the other requirements (${older.tried} read).`);
  if (newer.kind === 'found') {
    found.push({ package: a.normalizedName, version: newer.version, why: `the lowest release whose imports fit ${b.name} ${b.version}` });
    sentences.push(`${a.name} ${newer.version} is the lowest release whose imports fit ${b.name} ${b.version}.`);
  } else if (newer.kind === 'bound') sentences.push(stopped(session, newer.tried, `a ${a.name} release above ${a.version} whose imports fit ${b.name} ${b.version}`));
  else sentences.push(newer.tried === 0 ? `No ${a.name} release above ${a.version} is on the index to try.` : `No ${a.name} release above ${a.version} both fits ${b.name} ${b.version} and the other requirements (${newer.tried} read).`);
  return { found, sentence: sentences.join(' ') };
}

function stopped(session: IndexImportSession, tried: number, what: string): string {
  const budget = session.budget;
  const why =
    budget.stopped === 'bytes' || budget.bytes >= budget.maxBytes
      ? `the check's byte bound, ${budget.maxBytes} bytes: pinsight.importChecks.maxBytesPerCheck`
      : budget.stopped === 'time' || budget.now() >= budget.deadline
        ? `the check's time bound, ${budget.seconds} s: pinsight.importChecks.timeoutSeconds`
        : session.spent()
          ? 'the check was cancelled'
          : `${session.limits.maxFixCandidates} releases at most`;
  return `The search for ${what} stopped at its bound after ${tried} release${tried === 1 ? '' : 's'} (${why}).`;
}

/**
 * The first release of `pkg` beyond `from` (below: newest first; above: oldest first) whose edge
 * has no break and that the resolver accepts with both packages of the edge pinned.
 */
async function searchReleases(session: IndexImportSession, pkg: string, from: string, direction: 'below' | 'above', edgeOf: (v: string) => [[string, string], [string, string]]): Promise<Search> {
  const candidates = releasesBeyond(session.provider, pkg, from, direction);
  let tried = 0;
  for (const version of candidates) {
    if (tried >= session.limits.maxFixCandidates || session.spent()) return { kind: 'bound', tried };
    tried++;
    const [[a, va], [b, vb]] = edgeOf(version);
    const [verdict] = await session.check([[[a, va], [b, vb]]]);
    if (!verdict || 'reason' in verdict) continue;
    if (verdict.bounded || session.spent()) return { kind: 'bound', tried };
    // Part of a release past the per-package bounds, or unreadable: not an answer either way.
    if (verdict.incomplete) continue;
    if (verdict.breaks.length) continue;
    const roots = withRootSpecifier(withRootSpecifier(session.provider.roots, a, `==${va}`), b, `==${vb}`);
    const solved = await resolvePython(session.provider.withRoots(roots), { signal: session.budget.signal }).catch(() => undefined);
    if (solved?.result.kind === 'solution') return { kind: 'found', version };
    if (solved?.result.kind !== 'conflict') return { kind: 'bound', tried };
  }
  return { kind: 'none', tried };
}

/** Final, unyanked releases the target can use, beyond `from`: below it newest first, above it oldest first. */
function releasesBeyond(provider: PythonProvider, pkg: string, from: string, direction: 'below' | 'above'): string[] {
  const pivot = parseVersion(from);
  const facts = provider.versionFacts(pkg);
  if (!pivot || !facts) return [];
  const usable = facts.versions.filter((v) => v.compatible && !v.yanked && !v.pre);
  const out = usable.filter((v) => (direction === 'below' ? compareVersions(v.parsed, pivot) < 0 : compareVersions(v.parsed, pivot) > 0)).map((v) => v.version);
  return direction === 'below' ? out.reverse() : out;
}
