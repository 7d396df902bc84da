// The Python wing: requirements files and pyproject.toml, any PEP 503 index, resolution with pip's
// or uv's rules for a target interpreter and platform.

import { basename, dirname, join } from 'node:path';
import type { CompletionChoice, CompletionRequest, Ecosystem, EcosystemCheck, EcosystemChecker, HostEnvironment, LaterCheck, ProjectState, RegistryContext, StageOptions } from '../ecosystem';
import { inspectPythonEnvironment } from './environment/inspect';
import { inspectPythonLocks } from './locks/inspectLocks';
import { addCommandFixes } from '../insight/commandFixes';
import { createEnvironmentCache } from './environment/installed';
import { createImportCache } from './imports/check';
import { nameCompletions, pythonCompletionContext, pythonCompletions } from './checks/completion';
import { outdatedFindings } from './checks/outdated';
import type { Dependency, Finding, ManifestKind, ParsedManifest } from '../model';
import type { Runtime } from '../runtime';
import { findDuplicates } from './checks/duplicates';
import { parsePythonRuleRequirement } from './checks/ruleRequirement';
import { pythonRules } from './checks/teamRules';
import { unknownRulePackages } from '../rules/unknownPackages';
import { pep440SpecifiersAgree } from './checks/pinAgreement';
import { pythonHoverFacts, type PythonCheckState } from './checks/hoverFacts';
import { checkPypiDependencies, unreadFindings } from './checks/registryChecks';
import { exactPin } from './versions/pep440';
import { resolvePythonFindings, startResolutionReads, type PythonResolutionResult, type ResolveOptions } from './checks/resolutionFindings';
import { leftOutOfResolution } from './checks/leftOut';
import { PythonIndexServices } from './index/services';
import { parsePyproject } from './pyproject/pyproject';
import { loadRequirementsTree } from './requirements/requirements';
import { selectPythonTarget } from './resolve/target';
import { conflictForks } from './resolve/conflictForks';
import { highestCompatibleTogether } from './resolve/whatIf';
import { checkResolvedImports } from './checks/indexImports';
import type { ImportCache } from './imports/check';

const REQUIREMENTS = /^(requirements.*\.(txt|in)|constraints.*\.(txt|in)|.*\.pip)$/i;

function manifestKind(path: string): ManifestKind | null {
  const name = basename(path);
  if (name === 'pyproject.toml') return 'pyproject';
  if (REQUIREMENTS.test(name)) return 'requirements';
  // requirements/dev.txt, requirements/edx/github.in: a folder of requirement files (nested too) is a
  // common layout; MANIFEST.in and other setuptools .in files are not requirement files.
  if (/\.(txt|in)$/i.test(name) && !/^manifest\.in$/i.test(name) && dirname(path).split(/[\\/]/).some((d) => /^requirements$/i.test(d))) return 'requirements';
  return null;
}

async function parse(path: string, kind: ManifestKind, text: string, runtime: Runtime): Promise<ParsedManifest[]> {
  if (kind === 'pyproject') return [parsePyproject(text, path)];
  const readFile = (p: string) => (p === path ? Promise.resolve(text) : runtime.readFile(p));
  return loadRequirementsTree(path, readFile, { env: runtime.env, stat: runtime.stat?.bind(runtime) });
}

// pyproject projects are most often locked by uv (or poetry, whose pre-release rule is uv's).
const installerFor = (kind: ManifestKind): 'pip' | 'uv' => (kind === 'pyproject' ? 'uv' : 'pip');

class PythonChecker implements EcosystemChecker {
  private readonly services: PythonIndexServices;
  /** Projects the index has answered about in this session: what name completion offers. */
  private readonly known = new Set<string>();
  /** Wheels read for import checks, by URL: immutable, so kept across checks and resets. */
  private readonly importCache: ImportCache = createImportCache();

  constructor(private readonly context: RegistryContext) {
    this.services = new PythonIndexServices(context);
  }

  reset(): void {
    this.services.reset();
  }

  async complete(manifests: ParsedManifest[], request: CompletionRequest, preferred: string | undefined, signal?: AbortSignal): Promise<CompletionChoice[]> {
    if (request.kind === 'name') return nameCompletions(this.known, request.typed);
    const { client } = await this.services.pypiFor(manifests);
    return client ? pythonCompletions(client, request, preferred, signal) : [];
  }

  async check(manifests: ParsedManifest[], kind: ManifestKind, options: StageOptions): Promise<EcosystemCheck> {
    const root = manifests[0]!;
    // Both read configuration files; neither needs the other.
    const [target, { client, config }] = await Promise.all([selectPythonTarget(manifests, options.host, this.context.readFile), this.services.pypiFor(manifests)]);
    const state: PythonCheckState = { findings: [], pypiFacts: new Map(), target: target.description, stale: false };
    const out: EcosystemCheck = { findings: state.findings, failures: [], stale: false, registries: [], target: target.description, hoverFacts: pythonHoverFacts(state) };
    out.registries = config.describe();
    if (!client) {
      // --no-index (or PIP_NO_INDEX) with no index left: nothing is read, and the verdict says so rather than passing as clean.
      out.incomplete = ['No package index is configured (--no-index), so versions were not checked and nothing was resolved.'];
      return out;
    }
    // Reading ahead of the resolution depends on whether this check has needed the network yet.
    const requestsAtCheckStart = client.requestsSent();
    let checked: Awaited<ReturnType<typeof checkPypiDependencies>> | undefined;
    const resolveOptions: ResolveOptions = {
      target,
      installer: installerFor(kind),
      allowPrereleases: options.allowPrereleases ?? manifests.some((m) => m.options.some((o) => o.name === 'pre')),
      signal: options.signal,
      whatIf: options.whatIf,
      stageFixes: options.stageFixes,
      latestOf: (name: string) => checked?.facts.get(name)?.latest,
      deadline: options.deadline,
      rules: pythonRules(options.rules, options.host.displayPath),
      requestsAtCheckStart,
    };
    // The resolution's first reads go out with the checks' (the same pages), not after them.
    resolveOptions.early = startResolutionReads(manifests, client, resolveOptions);
    checked = await checkPypiDependencies(manifests, client, { signal: options.signal, deadline: options.deadline, installer: installerFor(kind) });
    out.findings.push(...checked.findings);
    out.failures.push(...checked.failures);
    out.stale = state.stale = checked.stale;
    state.pypiFacts = checked.facts;
    for (const name of checked.facts.keys()) this.known.add(name);
    // A rule naming a project the index lacks is a typo to report in the rule file.
    out.findings.push(...(await unknownRulePackages(options.rules, 'pypi', (name) => client.getProject(name, options.signal, options.deadline?.at), (pkg) => checked.facts.has(pkg))));
    const unread = unreadFindings(root, checked);
    out.findings.push(...unread.findings);
    out.incomplete = unread.incomplete;
    // Nothing read, or no time left: a resolution would only restate the registry's failure.
    if ((checked.failures.length > 0 && checked.facts.size === 0) || options.signal?.aborted || options.deadline?.signal.aborted) return out;
    // One requirement the resolver cannot use must not hide a conflict between two others: resolve the rest and say what was left out.
    const leftOut = leftOutOfResolution(manifests, checked, options.host.displayPath ?? ((p) => basename(p)));
    if (leftOut.sentence) out.incomplete.push(leftOut.sentence);
    // Extras or groups declared mutually exclusive ([tool.uv] conflicts) are resolved apart, as uv forks them.
    const forks = conflictForks(manifests) ?? [{ excluded: new Set<Dependency>(), keeps: [] }];
    const runs: PythonResolutionResult[] = [];
    for (const fork of forks) runs.push(await resolvePythonFindings(manifests, client, { ...resolveOptions, exclude: new Set([...leftOut.excluded, ...fork.excluded]) }));
    const python = runs[0]!;
    // Hovers re-solve after the check: their reads are not bound by the check's time limit.
    state.python = { ...python, provider: python.provider.derive({ deadline: undefined }) };
    const unbound = state.python.provider;
    out.highestTogether = (names, signal) => highestCompatibleTogether(unbound, names, { signal, timeBudgetMs: 10_000 });
    const said = new Set<string>();
    for (const f of runs.flatMap((r) => r.findings)) {
      const key = `${f.code}\u0000${f.path}\u0000${f.range.start.line}\u0000${f.range.start.character}\u0000${f.message}`;
      if (said.has(key)) continue;
      said.add(key);
      out.findings.push(f);
    }
    for (const r of runs) if (r.incomplete && !out.incomplete.includes(r.incomplete)) out.incomplete.push(r.incomplete);
    const explained = runs.find((r) => r.explanation)?.explanation;
    if (explained) out.explanation = explained.lines;
    // Constraints are judged only where the resolution reached their package (see `requested`).
    const touched = (d: Dependency) => d.constraint && runs.some((r) => r.provider.versionFacts(d.normalizedName) !== undefined);
    const constraints = await checkPypiDependencies(manifests, client, { signal: options.signal, deadline: options.deadline, include: touched, installer: installerFor(kind) });
    out.findings.push(...constraints.findings);
    for (const [name, facts] of constraints.facts) if (!state.pypiFacts.has(name)) state.pypiFacts.set(name, facts);
    if (python.result.kind === 'solution') for (const name of python.result.versions.keys()) if (!name.includes('[')) this.known.add(name);
    if (python.result.kind === 'solution') out.resolution = Object.fromEntries([...python.result.versions].filter(([name]) => !name.includes('[')).sort(([a], [b]) => a.localeCompare(b)));
    const solution = python.result;
    if (solution.kind === 'solution' && options.host.importChecks?.enabled !== false) {
      const importChecks = options.host.importChecks;
      out.later = (later) =>
        laterImports(() =>
          checkResolvedImports({
            manifests,
            provider: unbound,
            solution,
            client,
            environment: target.environment,
            cache: this.importCache,
            limits: importChecks ? { maxFilesPerPackage: importChecks.maxFilesPerPackage, maxFilesPerCheck: importChecks.maxFilesPerCheck, ...(importChecks.maxBytesPerCheck !== undefined ? { maxBytesPerCheck: importChecks.maxBytesPerCheck } : {}), ...(importChecks.timeoutSeconds !== undefined ? { timeoutSeconds: importChecks.timeoutSeconds } : {}) } : undefined,
            installed: later.installed,
            signal: later.signal,
            now: () => this.context.http.now(),
            fixes: later.whatIf !== false,
          }),
        );
    }
    const outdated = options.outdated && options.whatIf !== false && python.result.kind === 'solution';
    const askOutdated = async () => (outdated ? outdatedFindings(manifests, unbound, (name) => checked.facts.get(name)?.latest, options.signal) : []);
    const staged = runs.filter((r) => r.fixes);
    if (options.stageFixes && (outdated || staged.length > 0)) {
      const verdict = out.findings;
      out.fixes = async () => {
        // Each staged run answers its findings again, in the same order, with the fixes: swap them in.
        const completed = new Map<Finding, Finding>();
        const answers = await Promise.all(staged.map(async (r) => [r.findings, await r.fixes!()] as const));
        for (const [before, after] of answers) before.forEach((f, i) => completed.set(f, after[i] ?? f));
        return [...verdict.map((f) => completed.get(f) ?? f), ...(await askOutdated())];
      };
      return out;
    }
    out.findings.push(...(await askOutdated()));
    return out;
  }
}

/** The later stage's result in the wing-neutral shape, with what was read in words. */
async function laterImports(run: () => ReturnType<typeof checkResolvedImports>): Promise<LaterCheck> {
  const result = await run();
  const kb = (result.budget.bytes / 1024).toFixed(result.budget.bytes < 10_240 ? 1 : 0);
  const imports = result.edges.reduce((n, e) => n + e.checked, 0);
  const unread = result.unread.length ? `; ${result.unread.length} edge${result.unread.length === 1 ? '' : 's'} not read (${result.unread[0]})` : '';
  const summary = `import checks from the index: ${result.edges.length} dependency edge${result.edges.length === 1 ? '' : 's'}, ${imports} import${imports === 1 ? '' : 's'}; ${kb} kB in ${result.budget.requests} range request${result.budget.requests === 1 ? '' : 's'}${unread}`;
  return { findings: result.findings, incomplete: result.incomplete, evidence: result.evidence, summary };
}

// Installed environments are read through one cache for the process (keyed by folder and mtime).
const environmentCache = createEnvironmentCache();
const importCache = createImportCache();

/** Lockfile and installed-environment drift; fixes run the command each message names, in a terminal. */
async function inspect(manifests: ParsedManifest[], kind: ManifestKind, runtime: Runtime, host: HostEnvironment): Promise<ProjectState> {
  const machine = host.machine ? { ...host, platform: host.machine.platform, arch: host.machine.arch } : host;
  const [locks, state] = await Promise.all([inspectPythonLocks(manifests, runtime), inspectPythonEnvironment(manifests, kind, runtime, machine, environmentCache, importCache)]);
  const root = manifests[0];
  if (root && state.environment) {
    // pip runs as the environment's own interpreter, so the install lands where the check looked.
    const prefix = state.environment.location.prefix;
    addCommandFixes(state.findings, (line) => installLine(line, prefix, runtime));
  }
  addCommandFixes(locks.findings);
  for (const [name, locked] of locks.locked) state.packages.set(name, { ...state.packages.get(name), locked, via: locks.via?.get(name) });
  for (const [name, via] of locks.via ?? []) if (!state.packages.has(name)) state.packages.set(name, { via });
  return {
    findings: [...locks.findings, ...state.findings],
    packages: state.packages,
    sources: [...locks.sources, ...state.sources],
    skipped: [...locks.skipped, ...state.skipped],
    absent: state.absent,
  };
}

/** pip runs as the environment's own interpreter, so the install lands where the check looked. */
function installLine(command: string, prefix: string, runtime: Runtime): string {
  if (!command.startsWith('pip ')) return command;
  const windows = runtime.env.OS === 'Windows_NT' || /^[A-Za-z]:\\/.test(prefix);
  const python = windows ? join(prefix, 'Scripts', 'python.exe') : join(prefix, 'bin', 'python');
  return `${/\s/.test(python) ? `"${python}"` : python} -m ${command}`;
}

/** The Python ecosystem. */
export const pythonEcosystem: Ecosystem = {
  id: 'pypi',
  kinds: ['requirements', 'pyproject'],
  manifestKind,
  parse,
  localFindings: findDuplicates,
  parseRuleRequirement: parsePythonRuleRequirement,
  completionContext: pythonCompletionContext,
  specifiersAgree: (a, b) => pep440SpecifiersAgree(a.specifier, b.specifier),
  pinText: (dep, version) => `${exactPin(dep.specifier)?.operator === '===' ? '===' : '=='}${version}`,
  inspect,
  createChecker: (context) => new PythonChecker(context),
};
