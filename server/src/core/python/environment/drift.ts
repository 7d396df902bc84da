// The installed environment against what the manifests declare: declared requirements that are
// not installed or installed at a version outside their specifier, requirements of requested
// extras, and what `pip check` reports, each placed on the manifest line that brings it in.

import type { Platform } from '../../ecosystem';
import type { Dependency, Finding, ParsedManifest, Range } from '../../model';
import { parseMarker, type MarkerEnvironment } from '../versions/markers';
import { parseSpecifierSet, type SpecifierSet } from '../versions/pep440';
import type { InstalledDistribution } from './distInfo';
import type { InstalledEnvironment } from './installed';
import { checkInstalledSet, describeProblem, installedMarkerEnvironment, markerHolds, RequirementJudge, type InstalledProblem } from './pipCheck';
import { walkFromRoots, type ExtraProblem, type Reach, type Root } from './reach';

/** The command that brings the environment in line with the manifests, and what it installs. */
export interface InstallPlan {
  /** For messages: `pip install -r requirements.txt`, `uv sync`, `pip install -e .`. */
  command: string;
  /** Whether the command installs this requirement; `not-installed` is reported only then. */
  installs(dep: Dependency): boolean;
}

export interface CheckInstalledOptions {
  platform: Platform;
  arch?: string;
  plan: InstallPlan;
  /** The pyproject's own project name: its installed metadata's problems go on the dependency lines. */
  projectName?: string;
}

/** What checkInstalled found. */
export interface InstalledCheck {
  findings: Finding[];
  /** Per normalised name, the installed version (for the hover and for comparing with a lock). */
  installed: Map<string, string>;
  /** Everything `pip check` would report, placed on a line or not. */
  problems: InstalledProblem[];
  /** The pip check problems no manifest line brings in (not reported as findings). */
  unplaced: InstalledProblem[];
  /** What could not be checked, one sentence each. */
  skipped: string[];
  /** ".venv: Python 3.11.7, 112 distributions". */
  summary: string;
  /** The manifest lines that apply, and the line each installed distribution is brought in by (for the import checks). */
  roots: Root[];
  reached: Map<string, Reach>;
}

/** Checks the installed environment against a manifest tree (root first); pure, never throws. */
export function checkInstalled(manifests: ParsedManifest[], env: InstalledEnvironment, options: CheckInstalledOptions): InstalledCheck {
  const environment = installedMarkerEnvironment(env.location.pythonVersion, options.platform, options.arch);
  const { roots, undecided } = applicableRoots(manifests, environment);
  const out: InstalledCheck = { findings: [], installed: new Map(), problems: [], unplaced: [], skipped: [...env.notes], summary: summaryOf(env), roots, reached: new Map() };
  for (const [name, dist] of env.distributions) out.installed.set(name, dist.version);
  const say = new Messages(env, options.plan.command);
  for (const root of roots) checkRoot(root, env, options.plan, say, out.findings);
  const judge = new RequirementJudge(environment);
  const { reached, extraProblems } = walkFromRoots(roots.filter((r) => !r.dep.constraint && !r.dep.override), env, judge);
  out.reached = reached;
  for (const problem of extraProblems) out.findings.push(say.extra(problem));
  out.problems = checkInstalledSet(env, judge);
  for (const problem of out.problems) {
    const placed = placeProblem(problem, reached, roots, options.projectName, out.findings);
    if (placed === null) out.unplaced.push(problem);
    else if (placed !== 'covered') out.findings.push(say.conflict(problem, placed));
  }
  if (undecided.length) {
    out.skipped.push(`${undecided.length} requirement${undecided.length === 1 ? ' was' : 's were'} not compared with ${env.location.display} because ${undecided.length === 1 ? 'its marker' : 'their markers'} cannot be decided without running the interpreter (${undecided.slice(0, 3).map((d) => `${d.name}${d.specifier} ; ${d.marker}`).join(', ')}).`);
  }
  if (out.unplaced.length) {
    const examples = out.unplaced.slice(0, 2).map(describeProblem).join(' ');
    out.skipped.push(`pip check would report ${out.unplaced.length} problem${out.unplaced.length === 1 ? '' : 's'} in ${env.location.display} that no manifest line brings in: ${examples}`);
  }
  return out;
}

/** The summary line for the status item and the CLI. */
export function summaryOf(env: InstalledEnvironment): string {
  const count = env.distributions.size;
  const python = env.location.pythonVersion ? `Python ${env.location.pythonVersion}, ` : '';
  return `${env.location.display}: ${python}${count} distribution${count === 1 ? '' : 's'}`;
}

/** Declared requirements whose marker holds in the environment, and those whose marker cannot be decided. */
function applicableRoots(manifests: ParsedManifest[], environment: MarkerEnvironment): { roots: Root[]; undecided: Dependency[] } {
  const roots: Root[] = [];
  const undecided: Dependency[] = [];
  for (const manifest of manifests) {
    for (const dep of manifest.dependencies) {
      // Build requirements live in pip's isolated build environment, never in this one.
      if (dep.ecosystem !== 'pypi' || dep.section === 'build-system.requires') continue;
      let holds: ReturnType<typeof markerHolds> = true;
      if (dep.marker) {
        const parsed = parseMarker(dep.marker);
        if (!parsed.ok) continue;
        holds = markerHolds({ marker: parsed.marker }, environment);
      }
      if (holds === 'unknown') undecided.push(dep);
      else if (holds) roots.push({ manifest, dep });
    }
  }
  return { roots, undecided };
}

/** `not-installed` and `installed-mismatch` for one declared requirement. */
function checkRoot(root: Root, env: InstalledEnvironment, plan: InstallPlan, say: Messages, findings: Finding[]): void {
  const { dep, manifest } = root;
  const dist = env.distributions.get(dep.normalizedName);
  if (!dist) {
    const expected = !dep.constraint && !dep.override && nameIsKnown(dep) && plan.installs(dep);
    if (expected) findings.push(finding('not-installed', manifest, dep, dep.range, say.notInstalled(dep)));
    return;
  }
  if (dep.source !== 'registry' || !dep.specifier) return;
  // The parser has already reported a specifier it cannot read; an installed version is no worse.
  const set = parseSpecifierOf(dep);
  if (set && !set.contains(dist.version, { prereleases: true })) {
    findings.push(finding('installed-mismatch', manifest, dep, dep.specifierRange ?? dep.range, say.mismatch(dep, dist)));
  }
}

function parseSpecifierOf(dep: Dependency): SpecifierSet | null {
  const parsed = parseSpecifierSet(dep.specifier);
  return parsed.ok ? parsed.set : null;
}

/**
 * Whether the requirement names its distribution for sure: a plain name, `name @ url`, `#egg=name`
 * or an archive's file name. A local folder's name (`-e .`) is only the parser's guess.
 */
function nameIsKnown(dep: Dependency): boolean {
  if (dep.source === 'registry') return true;
  const raw = dep.raw.trim();
  if (/^[A-Za-z0-9][A-Za-z0-9._-]*\s*(\[[^\]]*\])?\s*@/.test(raw)) return true;
  if (dep.source === 'vcs') return /[#&]egg=/.test(raw);
  return /\.(whl|zip|tar\.gz|tgz|tar\.bz2|tbz|tar\.xz|txz|tar)$/i.test(raw.replace(/[#?].*$/, ''));
}

/**
 * The root line a pip check problem belongs on: the line that brings the distribution in; for
 * the project's own installed metadata, the line declaring the missing or conflicting requirement
 * ('covered' when a finding there already says it); null when no line brings it in.
 */
function placeProblem(problem: InstalledProblem, reached: Map<string, Reach>, roots: Root[], projectName: string | undefined, findings: Finding[]): Reach | 'covered' | null {
  const reach = reached.get(problem.dist.normalizedName);
  if (reach) return reach;
  if (!projectName || problem.dist.normalizedName !== projectName) return null;
  const root = roots.find((r) => r.manifest.kind === 'pyproject' && r.dep.normalizedName === problem.requirement.normalizedName && !r.dep.constraint && !r.dep.override);
  if (!root) return null;
  const said = findings.some((f) => f.path === root.manifest.path && f.package === root.dep.normalizedName && f.range.start.line === root.dep.range.start.line);
  return said ? 'covered' : { root, chain: [problem.dist.name] };
}

function finding(code: Finding['code'], manifest: ParsedManifest, dep: Dependency, range: Range, message: string): Finding {
  return { code, severity: 'warning', package: dep.normalizedName, path: manifest.path, range, message, related: [], fixes: [] };
}

/** The sentences, with the environment's short path and the command that fixes it. */
class Messages {
  private readonly where: string;
  private readonly run: string;

  constructor(env: InstalledEnvironment, command: string) {
    this.where = env.location.display;
    this.run = `Run \`${command}\``;
  }

  notInstalled(dep: Dependency): string {
    return `${dep.name}${dep.specifier} is not installed in ${this.where}. ${this.run} to install it.`;
  }

  mismatch(dep: Dependency, dist: InstalledDistribution): string {
    const what = dep.constraint ? `the constraint ${dep.specifier}` : dep.specifier;
    return `${this.where} has ${dist.name} ${dist.version} installed, which does not satisfy ${what}. ${this.run} to install a matching version.`;
  }

  extra(problem: ExtraProblem): Finding {
    const { reach, dist, extra, requirement, installed } = problem;
    const { dep, manifest } = reach.root;
    const wanted = `${requirement.name}${requirement.specifier}`;
    const because = `${dist.name} ${dist.version} requires ${wanted} for its extra "${extra}"${via(reach)}`;
    const message = installed
      ? `${this.where} has ${installed.name} ${installed.version} installed, but ${because}. ${this.run} to install a matching version.`
      : `${requirement.name} is not installed in ${this.where}, but ${because}. ${this.run} to install it.`;
    return finding(installed ? 'installed-mismatch' : 'not-installed', manifest, dep, dep.extrasRange ?? dep.range, message);
  }

  conflict(problem: InstalledProblem, reach: Reach): Finding {
    const { dist, requirement, installed } = problem;
    const { dep, manifest } = reach.root;
    const head = `${dist.name} ${dist.version}${via(reach)} requires ${requirement.name}${requirement.specifier}`;
    const message = installed
      ? `${head}, but ${this.where} has ${installed.name} ${installed.version}. ${this.run} to install a consistent set.`
      : `${head}, which is not installed in ${this.where}. ${this.run} to install it.`;
    return finding('installed-conflict', manifest, dep, dep.range, message);
  }
}

/** " (brought in by fastapi → starlette)" when the distribution is not the line's own. */
export function via(reach: Reach): string {
  if (reach.chain.length <= 1) return '';
  return ` (which ${reach.root.dep.name} brings in: ${reach.chain.join(' → ')})`;
}
