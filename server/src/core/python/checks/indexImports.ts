// Import checks of the RESOLUTION, read from the wheels on the index: for each edge A -> B of the
// versions the resolver picked, the same checks as for an installed environment
// (imports/check.ts), with each release's wheel for the target as its files (imports/wheelFiles.ts:
// range requests, immutable cache, a byte and time bound per check). Edges whose two versions are
// installed were already checked from the disk and are left out. Runs after the verdict is
// published (EcosystemCheck.later), so it never holds the other findings up.

import type { Finding, Fix, ParsedManifest, Dependency } from '../../model';
import type { PypiProject, PypiVersion } from '../index/pypi';
import type { MarkerEnvironment } from '../versions/markers';
import type { Requirer } from '../../pubgrub/solver';
import { ROOT, type DependencyOrigin } from '../../pubgrub/types';
import type { PythonProvider } from '../resolve/provider';
import { whyIsThisHere } from '../resolve/whatIf';
import { chooseWheel, wheelTargetOf } from '../index/wheelTags';
import { checkImportEdgesWith, DEFAULT_IMPORT_LIMITS, type ImportCache, type ImportCheckLimits, type ImportEdge } from '../imports/check';
import { createWheelBudget, wheelFiles, type IndexDistribution, type WheelBudget, type WheelRangeSource } from '../imports/wheelFiles';
import { describeEdge, describeResolvedEdge } from '../environment/importBreaks';
import { searchImportFixes, type ImportFixes } from './importFixes';
import { pinEdit } from './resolutionFindings';

/** Bounds of one check from the index: the per-distribution ones, plus bytes and time for the whole check. */
export interface IndexImportLimits extends ImportCheckLimits {
  /** Bytes read from the network at most by one check (cached ranges are free). */
  maxBytesPerCheck: number;
  /** Seconds one check may take at most. */
  timeoutSeconds: number;
  /** Releases of one package a fix search reads at most. */
  maxFixCandidates: number;
}

export const DEFAULT_INDEX_IMPORT_LIMITS: IndexImportLimits = { ...DEFAULT_IMPORT_LIMITS, maxBytesPerCheck: 16_000_000, timeoutSeconds: 30, maxFixCandidates: 8 };

/** The part of PypiClient the checks use. */
export interface IndexImportClient extends WheelRangeSource {
  getProject(name: string, signal?: AbortSignal): Promise<PypiProject>;
  findVersion(project: PypiProject, version: string): PypiVersion;
}

export interface ResolvedImportsInput {
  manifests: ParsedManifest[];
  /** The provider the verdict was solved with (unbound by the check's deadline): names, versions, re-solves for fixes. */
  provider: PythonProvider;
  solution: { versions: Map<string, string>; requiredBy: Map<string, Requirer[]> };
  client: IndexImportClient;
  environment: MarkerEnvironment;
  cache: ImportCache;
  limits?: Partial<IndexImportLimits>;
  /** Installed versions by normalised name: an edge whose two versions are installed was checked from the disk. */
  installed?: ReadonlyMap<string, string | undefined>;
  signal?: AbortSignal;
  now: () => number;
  /** Look for the fixes of each break (default true). */
  fixes?: boolean;
}

export interface ResolvedImportsResult {
  findings: Finding[];
  /** Edges the bounds or the index left unchecked, one sentence each. */
  incomplete: string[];
  /** Hover lines per normalised package name: what was checked, or why it could not be. */
  evidence: Map<string, string[]>;
  edges: Array<ImportEdge<IndexDistribution>>;
  /** What the check read from the network. */
  budget: WheelBudget;
  /** Why edges could not be read (an outage, a wheel the index does not serve), one per edge. */
  unread: string[];
}

/** Reads releases' wheels for import checks under one budget, shared by the check and its fix searches. */
export class IndexImportSession {
  readonly budget: WheelBudget;
  readonly limits: IndexImportLimits;
  private readonly dists = new Map<string, Promise<IndexDistribution | { reason: string }>>();

  constructor(private readonly input: ResolvedImportsInput) {
    this.limits = { ...DEFAULT_INDEX_IMPORT_LIMITS, ...input.limits };
    this.budget = createWheelBudget(this.limits.maxBytesPerCheck, this.limits.timeoutSeconds, input.now, input.signal);
  }

  get provider(): PythonProvider {
    return this.input.provider;
  }

  /** Whether the byte or time bound is spent. */
  spent(): boolean {
    return this.budget.stopped !== undefined || this.budget.now() >= this.budget.deadline || this.budget.bytes >= this.budget.maxBytes || this.input.signal?.aborted === true;
  }

  /** A release with the wheel pip would install for the target, or why there is none. */
  dist(name: string, version: string): Promise<IndexDistribution | { reason: string }> {
    const key = `${name}@${version}`;
    let found = this.dists.get(key);
    if (!found) {
      found = this.findDist(name, version);
      this.dists.set(key, found);
    }
    return found;
  }

  private async findDist(name: string, version: string): Promise<IndexDistribution | { reason: string }> {
    const display = this.input.provider.displayName(name);
    try {
      const entry = this.input.client.findVersion(await this.input.client.getProject(name, this.input.signal), version);
      const wheel = chooseWheel(entry.files, wheelTargetOf(this.input.environment));
      if (wheel) return { name: display, version, normalizedName: name, wheel };
      const reason = entry.files.some((f) => f.kind === 'wheel')
        ? `no wheel of ${display} ${version} fits the target (Python ${this.input.environment.python_version ?? '?'} on ${this.input.environment.sys_platform ?? '?'})`
        : `no wheel of ${display} ${version} is published (Pinsight does not read sdists)`;
      return { reason };
    } catch (error) {
      return { reason: `${display} ${version} could not be read from the index (${error instanceof Error ? error.message : String(error)})` };
    }
  }

  /** The verdicts on edges between releases (name, version pairs); an edge without a wheel on either side is 'unknown'. */
  async check(pairs: Array<[[string, string], [string, string]]>): Promise<Array<ImportEdge<IndexDistribution> | { reason: string }>> {
    const resolved = await Promise.all(pairs.map(async ([[a, va], [b, vb]]) => [await this.dist(a, va), await this.dist(b, vb)] as const));
    const readable: Array<[IndexDistribution, IndexDistribution]> = [];
    for (const [a, b] of resolved) if (!('reason' in a) && !('reason' in b)) readable.push([a, b]);
    const all = [...new Set(readable.flat())];
    const verdicts = await checkImportEdgesWith(wheelFiles(this.input.client, this.budget), readable, all, this.input.cache, this.limits);
    return resolved.map(([a, b]) => {
      if ('reason' in a) return { reason: `unknown: ${a.reason}` };
      if ('reason' in b) return { reason: `unknown: ${b.reason}` };
      return verdicts[readable.findIndex(([x, y]) => x === a && y === b)];
    });
  }
}

/** Checks every edge of the resolution from the index; never throws. */
export async function checkResolvedImports(input: ResolvedImportsInput): Promise<ResolvedImportsResult> {
  const session = new IndexImportSession(input);
  const out: ResolvedImportsResult = { findings: [], incomplete: [], evidence: new Map(), edges: [], budget: session.budget, unread: [] };
  const { versions } = input.solution;
  const pairs: Array<[[string, string], [string, string]]> = [];
  for (const [b, requirers] of input.solution.requiredBy) {
    if (b.includes('[') || !versions.has(b)) continue;
    for (const r of requirers) {
      const a = r.by === ROOT ? undefined : r.by.replace(/\[.*$/, '');
      if (!a || a === b || !versions.has(a)) continue;
      const va = versions.get(a)!;
      const vb = versions.get(b)!;
      if (input.installed?.get(a) === va && input.installed?.get(b) === vb) continue;
      if (!pairs.some(([[x], [y]]) => x === a && y === b)) pairs.push([[a, va], [b, vb]]);
    }
  }
  const verdicts = await session.check(pairs);
  const say = (pkg: string, line: string) => out.evidence.set(pkg, [...(out.evidence.get(pkg) ?? []), line]);
  for (const [i, verdict] of verdicts.entries()) {
    const [[a, va], [b, vb]] = pairs[i]!;
    if ('reason' in verdict) {
      const line = `Imports of ${session.provider.displayName(b)} ${vb} by ${session.provider.displayName(a)} ${va} were not checked: ${verdict.reason}.`;
      say(a, line);
      say(b, line);
      continue;
    }
    if (verdict.unreadable) {
      // The index does not serve the file (a registry snapshot holds no wheel ranges) or failed: said
      // where the package is hovered and in the summary; the verdict of the resolution stands as it is.
      out.unread.push(verdict.incomplete!);
      const line = `Imports of ${verdict.target.name} ${vb} by ${verdict.importer.name} ${va} were not checked: ${verdict.incomplete}.`;
      say(a, line);
      say(b, line);
      continue;
    }
    out.edges.push(verdict);
    if (verdict.incomplete) {
      out.incomplete.push(`Imports of ${verdict.target.name} ${vb} by ${verdict.importer.name} ${va} were not all checked from the index: ${verdict.incomplete}.`);
      continue;
    }
    if (!verdict.breaks.length) {
      const line = describeResolvedEdge(verdict);
      if (line) for (const pkg of [a, b]) say(pkg, line);
      continue;
    }
    const fixes = input.fixes === false ? undefined : await searchImportFixes(session, verdict);
    out.findings.push(...breakFindings(input, verdict, fixes));
    const line = describeEdge(verdict);
    say(a, line);
    say(b, line);
  }
  return out;
}

function breakFindings(input: ResolvedImportsInput, edge: ImportEdge<IndexDistribution>, fixes: ImportFixes | undefined): Finding[] {
  const a = edge.importer.normalizedName;
  const b = edge.target.normalizedName;
  const chain = whyIsThisHere(input.solution, a, 1)[0] ?? [];
  const root = locate(input.manifests, chain[0]?.origin) ?? rootLine(input.manifests, a);
  if (!root) return [];
  const via = chain.length > 1 ? ` (which ${root.dep.name} brings in: ${chain.map((s) => `${input.provider.displayName(s.package)} ${s.version}`).join(' → ')})` : '';
  const lines = [root, ...(rootLine(input.manifests, b) ? [rootLine(input.manifests, b)!] : [])];
  const codeFixes: Fix[] = [];
  for (const fix of fixes?.found ?? []) {
    const line = rootLine(input.manifests, fix.package);
    if (line) codeFixes.push({ title: `Pin ${input.provider.displayName(fix.package)} to ${fix.version} (${fix.why})`, edits: [pinEdit(line.manifest, line.dep, fix.version)], preferred: codeFixes.length === 0 });
  }
  const advice = fixes ? fixes.sentence : undefined;
  const message = `${describeEdge(edge, via, advice)} Read from the wheels on the index, for the versions the resolver picked.`;
  const severity = edge.breaks.some((x) => !x.inFunction) ? 'warning' : 'information';
  const seen = new Set<string>();
  const out: Finding[] = [];
  for (const line of lines) {
    const key = `${line.manifest.path}:${line.dep.range.start.line}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ code: 'import-break', severity, package: line.dep.normalizedName, path: line.manifest.path, range: line.dep.range, message, related: [], fixes: codeFixes });
  }
  return out;
}

function locate(manifests: ParsedManifest[], origin: DependencyOrigin | undefined): { manifest: ParsedManifest; dep: Dependency } | undefined {
  if (!origin) return undefined;
  const manifest = manifests.find((m) => m.path === origin.path);
  const dep = manifest?.dependencies[origin.index];
  return manifest && dep ? { manifest, dep } : undefined;
}

/** The manifest line that asks for a package itself (not a constraint or an override). */
function rootLine(manifests: ParsedManifest[], pkg: string): { manifest: ParsedManifest; dep: Dependency } | undefined {
  for (const manifest of manifests) {
    const dep = manifest.dependencies.find((d) => d.ecosystem === 'pypi' && d.normalizedName === pkg && !d.constraint && !d.override);
    if (dep) return { manifest, dep };
  }
  return undefined;
}
