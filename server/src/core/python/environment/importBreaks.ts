// `import-break` findings: an installed distribution A imports from a dependency B something the
// installed B does not have, so `import A` (or the code that holds the import) fails with
// ImportError. Placed on the manifest line that brings A in, and on B's own line when B is
// declared. Only the installed files are read here; checks/indexImports.ts checks the resolution's
// edges from the wheels on the index, and looks for the version fixes there.

import type { Finding } from '../../model';
import type { Runtime } from '../../runtime';
import { checkImportEdges, DEFAULT_IMPORT_LIMITS, LEFT_FOR_NEXT_CHECK, type ImportBreak, type ImportCache, type ImportCheckLimits, type ImportDistribution, type ImportEdge } from '../imports/check';
import type { InstalledDistribution, InstalledRequirement } from './distInfo';
import { normalizeName } from '../versions/pep508';
import { via, type InstalledCheck } from './drift';
import type { InstalledEnvironment } from './installed';
import { installedMarkerEnvironment, RequirementJudge } from './pipCheck';
import type { Platform } from '../../ecosystem';

export interface ImportBreakOptions {
  platform: Platform;
  arch?: string;
  limits?: Partial<ImportCheckLimits>;
}

/** What the import checks found: findings, and per edge "A->B" the verdict (for the hover). */
export interface ImportBreakCheck {
  findings: Finding[];
  edges: ImportEdge[];
  /** One line for the summary: how many edges and imports were checked. */
  summary: string;
  skipped: string[];
}

/** Checks every edge A -> B from a distribution a manifest line brings in; never throws. */
export async function checkImportBreaks(env: InstalledEnvironment, check: InstalledCheck, runtime: Runtime, cache: ImportCache, options: ImportBreakOptions): Promise<ImportBreakCheck> {
  const judge = new RequirementJudge(installedMarkerEnvironment(env.location.pythonVersion, options.platform, options.arch));
  const pairs: Array<[InstalledDistribution, InstalledDistribution]> = [];
  for (const name of check.reached.keys()) {
    const a = env.distributions.get(name);
    if (!a) continue;
    for (const requirement of a.requires) {
      const b = env.distributions.get(requirement.normalizedName);
      if (b && b !== a && applies(requirement, judge) && !pairs.some(([x, y]) => x === a && y === b)) pairs.push([a, b]);
    }
  }
  const limits = { ...DEFAULT_IMPORT_LIMITS, ...options.limits };
  const edges = await checkImportEdges(pairs, env.distributions.values(), runtime, cache, limits);
  const out: ImportBreakCheck = { findings: [], edges, summary: '', skipped: [] };
  const later = edges.filter((e) => e.incomplete === LEFT_FOR_NEXT_CHECK);
  if (later.length) {
    out.skipped.push(`${later.length} dependency edge${later.length === 1 ? ' was' : 's were'} not import-checked yet: one check reads at most ${limits.maxFilesPerCheck} new source files (pinsight.importChecks.maxFilesPerCheck); the next check goes on from what is cached.`);
  }
  for (const edge of edges) {
    if (edge.incomplete === LEFT_FOR_NEXT_CHECK) continue;
    if (edge.incomplete) out.skipped.push(`Imports of ${edge.target.name} by ${edge.importer.name} ${edge.importer.version} were not all checked: ${edge.incomplete}.`);
    if (!edge.breaks.length) continue;
    const reach = check.reached.get(edge.importer.normalizedName)!;
    const lines = [reach.root, ...check.roots.filter((r) => r.dep.normalizedName === edge.target.normalizedName && !r.dep.constraint && !r.dep.override)];
    const seen = new Set<string>();
    for (const root of lines) {
      const key = `${root.manifest.path}:${root.dep.range.start.line}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const message = describeEdge(edge, root === reach.root ? via(reach) : '');
      // A break only inside functions fails when that code runs, not on import: information.
      const severity = edge.breaks.some((b) => !b.inFunction) ? 'warning' : 'information';
      out.findings.push({ code: 'import-break', severity, package: root.dep.normalizedName, path: root.manifest.path, range: root.dep.range, message, related: [], fixes: [] });
    }
  }
  const imports = edges.reduce((n, e) => n + e.checked, 0);
  out.summary = `import checks: ${edges.length} dependency edge${edges.length === 1 ? '' : 's'}, ${imports} import${imports === 1 ? '' : 's'}`;
  return out;
}

/**
 * Whether A's code may import B: the requirement holds, or holds for one of A's extras (B being
 * installed, A's code that uses the extra will find it: uvicorn[standard] and websockets).
 */
function applies(requirement: InstalledRequirement, judge: RequirementJudge): boolean {
  if (judge.holds(requirement) === true) return true;
  const extras = [...requirement.raw.matchAll(/\bextra\s*==\s*["']([^"']*)["']/g)].map((m) => m[1]);
  return extras.some((extra) => judge.holds(requirement, normalizeName(extra)) === true);
}

/** "Flask 2.2.2 imports `werkzeug.urls.url_quote` (flask/app.py:30), which Werkzeug 3.0.0 does not define, ..." */
export function describeEdge(edge: ImportEdge<ImportDistribution>, chain = '', advice?: string): string {
  const { importer: a, target: b } = edge;
  // Module-level breaks first: they are what makes `import A` fail.
  const [first, ...rest] = [...edge.breaks].sort((x, y) => Number(x.inFunction) - Number(y.inFunction));
  const more = rest.length ? ` It also imports ${rest.slice(0, 3).map(brokenImport).join(', ')}${rest.length > 3 ? ` and ${rest.length - 3} more` : ''}, which ${b.name} ${b.version} lacks too.` : '';
  const lacks = first.name ? `which ${b.name} ${b.version} does not define` : `a module ${b.name} ${b.version} does not have`;
  const fails = first.inFunction ? `the code that holds it fails with ImportError when it runs` : `\`import ${moduleOf(first.file)}\` fails with ImportError`;
  return `${a.name} ${a.version}${chain} imports ${brokenImport(first)}, ${lacks}, so ${fails}.${more} ${advice ?? `Install a ${b.name} version that still has it, or a ${a.name} release that no longer imports it.`}`;
}

/** The hover's evidence line for an edge without breaks: "every import of B by A resolves in B 3.0". */
export function describeResolvedEdge(edge: ImportEdge<ImportDistribution>): string | undefined {
  if (edge.breaks.length) return undefined;
  if (edge.checked === 0) {
    if (!edge.guarded) return undefined;
    return `${edge.importer.name} ${edge.importer.version} imports ${edge.target.name} only under a guard (try/except ImportError, TYPE_CHECKING or a version check): ${edge.guarded} import${edge.guarded === 1 ? '' : 's'} left out.`;
  }
  const known = edge.checked - edge.unknown;
  const guarded = edge.guarded ? `; ${edge.guarded} guarded import${edge.guarded === 1 ? ' was' : 's were'} left out` : '';
  if (edge.unknown === 0) return `Every import of ${edge.target.name} by ${edge.importer.name} ${edge.importer.version} resolves in ${edge.target.name} ${edge.target.version} (${edge.checked} checked${guarded}).`;
  return `${known} of ${edge.checked} imports of ${edge.target.name} by ${edge.importer.name} ${edge.importer.version} resolve in ${edge.target.name} ${edge.target.version}; the rest cannot be read from the files (compiled or dynamic modules)${guarded}.`;
}

function brokenImport(b: ImportBreak): string {
  return `\`${b.name ? `${b.module}.${b.name}` : b.module}\` (${b.file}:${b.line}${b.inFunction ? ', inside a function' : ''})`;
}

/** "flask/app.py" -> "flask.app"; "flask/__init__.py" -> "flask". */
function moduleOf(file: string): string {
  return file.replace(/^[^/]+\.data\/(?:purelib|platlib)\//, '').replace(/\.py$/, '').replace(/\/__init__$/, '').split('/').join('.');
}
