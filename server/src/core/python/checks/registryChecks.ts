import { compareVersions, exactPin, isPrerelease, parseSpecifierSet, parseVersion, type Version } from '../versions/pep440';
import type { Dependency, Finding, ParsedManifest } from '../../model';
import type { PypiProject } from '../index/pypi';
import { RegistryError } from '../../http/types';
import type { CheckDeadline, RegistryCheckResult } from '../../ecosystem';
import { readFailure, type ReadFailure } from '../resolve/registryView';
import { unreachableFinding } from '../../insight/registryFindings';
import type { Installer } from '../resolve/candidates';
import { yankedRule } from '../resolve/ruleWords';

/** The part of PypiClient these checks use. */
export interface PypiLookup {
  getProject(name: string, signal?: AbortSignal, deadline?: number): Promise<PypiProject>;
}

/** Registry checks plus the requirements whose project could not be read. */
export interface PypiCheckResult extends RegistryCheckResult<PypiFacts> {
  /** Each requirement whose project the registry failed to give (an outage, a bad answer, the deadline), with why. */
  unread: Array<{ manifest: ParsedManifest; dep: Dependency; failure: Extract<ReadFailure, { kind: 'error' }> }>;
  /** Each requirement the index answered about and no release can satisfy (unknown package or version, nothing matches). */
  rejected: Array<{ manifest: ParsedManifest; dep: Dependency; code: Finding['code'] }>;
}

/** What the registry says about one Python dependency, for hovers and later stages. */
export interface PypiFacts {
  project: PypiProject;
  /** Highest final, non-yanked release. */
  latest?: string;
  /** Highest non-yanked release the dependency's own specifier allows (pre-releases only if it names one). */
  highestAllowed?: string;
}

interface Parsed {
  version: Version;
  text: string;
  yanked: boolean;
  yankedReason?: string;
}

// Sorted once per version map: PypiClient shares one while the index sends the same page, so a
// check after each edit does not parse every release again (read-only).
const sortedByMap = new WeakMap<PypiProject['versions'], Parsed[]>();

function sortedVersions(project: PypiProject): Parsed[] {
  let sorted = sortedByMap.get(project.versions);
  if (!sorted) sortedByMap.set(project.versions, (sorted = sortVersions(project)));
  return sorted;
}

function sortVersions(project: PypiProject): Parsed[] {
  const out: Parsed[] = [];
  for (const [text, info] of project.versions) {
    if (info.files.length === 0) continue;
    const version = parseVersion(text);
    if (version) out.push({ version, text, yanked: info.yanked, yankedReason: info.yankedReason });
  }
  return out.sort((a, b) => compareVersions(a.version, b.version));
}

function finding(manifest: ParsedManifest, dep: Dependency, code: Finding['code'], severity: Finding['severity'], message: string, onSpecifier = true): Finding {
  return {
    code,
    severity,
    package: dep.normalizedName,
    path: manifest.path,
    range: (onSpecifier && dep.specifierRange) || dep.nameRange,
    message,
    related: [],
    fixes: [],
  };
}

function checkDependency(manifest: ParsedManifest, dep: Dependency, project: PypiProject, installer: Installer): { findings: Finding[]; facts: PypiFacts } {
  const versions = sortedVersions(project);
  const finals = versions.filter((v) => !v.yanked && !isPrerelease(v.version));
  const latest = finals.at(-1)?.text;
  const findings: Finding[] = [];
  const spec = parseSpecifierSet(dep.specifier);
  const set = spec.ok ? spec.set : undefined;
  const allowsPre = set?.prereleases === true;
  const allowed = set ? versions.filter((v) => !v.yanked && (allowsPre || !isPrerelease(v.version)) && set.contains(v.version, { prereleases: true })) : [];
  const facts: PypiFacts = { project, latest, highestAllowed: allowed.at(-1)?.text };
  const where = project.index;

  if (project.status && project.status.status !== 'active') {
    const reason = project.status.reason ? `: ${project.status.reason}` : '.';
    findings.push(finding(manifest, dep, 'deprecated', 'warning', `${dep.name} is marked ${project.status.status} on ${where}${reason}`, false));
  }
  if (versions.length === 0) {
    findings.push(finding(manifest, dep, 'unknown-version', 'error', `${dep.name} has no installable release on ${where}.`, false));
    return { findings, facts };
  }
  const pin = exactPin(dep.specifier);
  if (pin) {
    const wanted = parseVersion(pin.version);
    const match = pin.operator === '==='
      ? versions.find((v) => v.text.toLowerCase() === pin.version.toLowerCase())
      : versions.find((v) => set?.contains(v.version, { prereleases: true }));
    if (!match) {
      const near = wanted ? nearest(versions, wanted) : undefined;
      const hint = near ? ` The closest release is ${near}; the latest is ${latest ?? versions.at(-1)!.text}.` : '';
      findings.push(finding(manifest, dep, 'unknown-version', 'error', `${dep.name} ${pin.version} does not exist on ${where}.${hint}`));
    } else if (match.yanked) {
      const reason = match.yankedReason ? ` (reason: ${match.yankedReason})` : '';
      const instead = facts.latest ? ` Consider ${nearestUnyanked(versions, match) ?? facts.latest}.` : '';
      findings.push(finding(manifest, dep, 'yanked', 'warning', `${dep.name} ${match.text} was yanked${reason}. ${installer} still installs it because it is pinned exactly (PEP 592), but it was withdrawn for a reason.${instead}`));
    }
    return { findings, facts };
  }
  if (set && allowed.length === 0 && !dep.constraint) {
    const onlyPre = versions.some((v) => !v.yanked && isPrerelease(v.version) && set.contains(v.version, { prereleases: true }));
    // Pre-releases only: the resolver decides with the installer's rules and offers the opt-ins.
    if (onlyPre) return { findings, facts };
    const yanked = versions.filter((v) => v.yanked && (allowsPre || !isPrerelease(v.version)) && set.contains(v.version, { prereleases: true }));
    const reasons = [...new Set(yanked.map((v) => v.yankedReason).filter((r): r is string => !!r))];
    const names = yanked.slice(-3).map((v) => v.text).join(', ');
    const why = yanked.length > 0 ? ` Only yanked releases match (${names}${reasons.length === 1 ? `: ${reasons[0]}` : ''}), and ${yankedRule(installer)}.` : '';
    // "The latest" is never a yanked release: name the latest one that can be installed, or say there is none.
    const usable = versions.filter((v) => !v.yanked);
    const newest = latest ? `the latest is ${latest}` : usable.length > 0 ? `the latest release that is not yanked is ${usable.at(-1)!.text}` : `every release of ${dep.name} is yanked`;
    findings.push(finding(manifest, dep, 'no-matching-version', 'error', `No release of ${dep.name} on ${where} satisfies ${dep.specifier || 'any version'}; ${newest}.${why}`));
  }
  return { findings, facts };
}

function nearest(versions: Parsed[], wanted: Version): string | undefined {
  let best: Parsed | undefined;
  for (const v of versions) if (!v.yanked && compareVersions(v.version, wanted) <= 0) best = v;
  return (best ?? versions.find((v) => !v.yanked))?.text;
}

function nearestUnyanked(versions: Parsed[], from: Parsed): string | undefined {
  const i = versions.indexOf(from);
  const after = versions.slice(i + 1).find((v) => !v.yanked && !isPrerelease(v.version));
  return after?.text ?? versions.slice(0, i).reverse().find((v) => !v.yanked)?.text;
}

export interface PypiCheckOptions {
  signal?: AbortSignal;
  deadline?: CheckDeadline;
  /** Which requirements to read (default: all but constraints, see `requested`). */
  include?: (dep: Dependency) => boolean;
  /** Whose rules the messages apply and name (yanked releases). */
  installer?: Installer;
}

/**
 * What the registry checks read before resolving: every requirement but constraints. A constraint
 * (`-c`, uv's constraint-dependencies) constrains only what gets installed, so a large shared
 * constraints file costs a request per entry the resolution touches, not per line; the wing judges
 * those afterwards (constraintsTouched).
 */
export const requested = (dep: Dependency): boolean => !dep.constraint;

/**
 * Registry checks for every Python dependency that names a package on an index: unknown
 * packages and versions, yanked pins, releases that no specifier matches, deprecated projects.
 * A registry failure becomes one entry in `failures` per registry and one in `unread` per
 * requirement, never a finding here (the wing decides where to say it).
 */
export async function checkPypiDependencies(manifests: ParsedManifest[], pypi: PypiLookup, options: PypiCheckOptions = {}): Promise<PypiCheckResult> {
  const { signal, deadline, include = requested, installer = 'pip' } = options;
  const result: PypiCheckResult = { findings: [], facts: new Map(), failures: [], stale: false, unread: [], rejected: [] };
  const targets = manifests.flatMap((manifest) => manifest.dependencies.filter((d) => d.ecosystem === 'pypi' && d.source === 'registry' && include(d)).map((dep) => ({ manifest, dep })));
  const projects = new Map<string, Promise<PypiProject | RegistryError>>();
  const bounded = deadline ? (signal ? AbortSignal.any([signal, deadline.signal]) : deadline.signal) : signal;
  for (const { dep } of targets) {
    if (!projects.has(dep.normalizedName)) {
      const read = pypi.getProject(dep.normalizedName, bounded, deadline?.at);
      projects.set(dep.normalizedName, read.catch((e: unknown) => (e instanceof RegistryError ? e : new RegistryError('malformed', 'the package index', String(e)))));
    }
  }
  const failed = new Set<string>();
  for (const { manifest, dep } of targets) {
    const project = await projects.get(dep.normalizedName)!;
    if (project instanceof RegistryError) {
      const failure = signal?.aborted ? undefined : readFailure(project, deadline);
      if (failure?.kind === 'missing') {
        result.findings.push(finding(manifest, dep, 'unknown-package', 'error', `${dep.name} was not found on ${project.registry}. Check the spelling, or the index this package should come from.`, false));
        result.rejected.push({ manifest, dep, code: 'unknown-package' });
      } else if (failure && (project.kind !== 'aborted' || failure.late)) {
        result.unread.push({ manifest, dep, failure });
        if (!failed.has(project.registry)) {
          failed.add(project.registry);
          result.failures.push(failure.late ? new RegistryError('deadline', project.registry, failure.message) : project);
        }
      }
      continue;
    }
    result.stale ||= project.stale;
    const checked = checkDependency(manifest, dep, project, installer);
    result.findings.push(...checked.findings);
    const error = checked.findings.find((f) => f.severity === 'error');
    if (error) result.rejected.push({ manifest, dep, code: error.code });
    result.facts.set(dep.normalizedName, checked.facts);
  }
  return result;
}

/**
 * Where a registry failure is said. When nothing at all could be read it is one finding per
 * registry, on the manifest's first requirement (registry-unreachable's usual form); when only
 * some projects failed, it is one on each requirement that needs them, so the line that is not
 * checked is the line that says so. Either way the check is incomplete, and each reason says why.
 */
export function unreadFindings(root: ParsedManifest, checked: PypiCheckResult): { findings: Finding[]; incomplete: string[] } {
  if (checked.facts.size === 0) {
    return { findings: checked.failures.map((f) => unreachableFinding(root, f, 'pypi')), incomplete: checked.failures.map((f) => f.message) };
  }
  const findings: Finding[] = [];
  const incomplete: string[] = [];
  for (const { manifest, dep, failure } of checked.unread) {
    const why = failure.message.replace(/\.?$/, '.');
    findings.push(finding(manifest, dep, 'registry-unreachable', 'information', `${dep.name} could not be checked: ${why} It was left out of the resolution, so this check is incomplete.`, false));
    incomplete.push(`${dep.name}: ${why}`);
  }
  return { findings, incomplete: [...new Set(incomplete)] };
}
