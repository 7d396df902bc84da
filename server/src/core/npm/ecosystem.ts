// The npm wing: package.json, the npm registry as .npmrc configures it, and npm's peer-dependency
// placement (ERESOLVE) reproduced from arborist.

import { basename } from 'node:path';
import semver from 'semver';
import type { CompletionChoice, CompletionRequest, Ecosystem, EcosystemCheck, EcosystemChecker, ProjectState, RegistryContext, StageOptions } from '../ecosystem';
import { npmCompletionContext, npmCompletions } from './checks/completion';
import { RegistryError } from '../http/types';
import type { HoverFacts } from '../insight/hoverText';
import { unreachableFinding } from '../insight/registryFindings';
import type { Dependency, ManifestKind, ParsedManifest } from '../model';
import { npmPeerFindings } from './checks/peerFindings';
import { npmRuleFindings, versionsInTree } from './checks/ruleFindings';
import { npmRuleFix } from './checks/ruleFixes';
import { unknownRulePackages } from '../rules/unknownPackages';
import { NpmDriftCache } from './environment/driftCache';
import { inspectNpm } from './environment/inspectNpm';
import { loadNpmProject } from './locks/npmProject';
import { addCommandFixes } from '../insight/commandFixes';
import type { Runtime } from '../runtime';
import { checkNpmDependencies, type NpmFacts } from './checks/registryChecks';
import { parsePackageJson } from './manifest/packageJson';
import { parseNpmRuleRequirement } from './checks/ruleRequirement';
import { NpmRegistryServices } from './registry/services';

/** The hover's registry facts: the latest version and the one npm would pick for the range. */
function hoverFacts(facts: Map<string, NpmFacts>, dep: Dependency, stale: boolean): HoverFacts {
  const known = facts.get(dep.source === 'alias' ? (dep.location ?? dep.name) : dep.name);
  return { latest: known?.latest, resolved: known?.picked, pinned: semver.valid(dep.specifier.trim(), { loose: true }) ?? undefined, stale };
}

/** False only when no version satisfies both ranges (tags and invalid ranges count as agreeing). */
function npmRangesAgree(a: string, b: string): boolean {
  const ra = semver.validRange(a.trim() || '*', { loose: true });
  const rb = semver.validRange(b.trim() || '*', { loose: true });
  if (ra === null || rb === null) return true;
  return semver.intersects(ra, rb, { loose: true, includePrerelease: true });
}

/** The version npm picks for each direct dependency's range, by package name. */
function pickedVersions(root: ParsedManifest, facts: Map<string, NpmFacts>): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const dep of root.dependencies) {
    const name = dep.source === 'alias' ? (dep.location ?? dep.name) : dep.name;
    const picked = facts.get(name)?.picked;
    if (picked) out.set(name, (out.get(name) ?? new Set()).add(picked));
  }
  return out;
}

class NpmChecker implements EcosystemChecker {
  private readonly services: NpmRegistryServices;

  constructor(context: RegistryContext) {
    this.services = new NpmRegistryServices(context);
  }

  reset(): void {
    this.services.reset();
  }

  async complete(manifests: ParsedManifest[], request: CompletionRequest, preferred: string | undefined, signal?: AbortSignal): Promise<CompletionChoice[]> {
    const root = manifests[0];
    if (!root) return [];
    const { client } = await this.services.npmFor(root.path);
    return npmCompletions(client, request, preferred, signal);
  }

  async check(manifests: ParsedManifest[], _kind: ManifestKind, options: StageOptions): Promise<EcosystemCheck> {
    const root = manifests[0]!;
    let facts = new Map<string, NpmFacts>();
    const out: EcosystemCheck = { findings: [], failures: [], stale: false, registries: [], hoverFacts: async (dep) => hoverFacts(facts, dep, out.stale) };
    try {
      const { client: npm, config } = await this.services.npmFor(root.path);
      // Certificates and proxy from .npmrc, and settings that could not be used, for the status item.
      out.registries = [...(config.connection?.sources ?? []), ...(config.warnings ?? []).map((w) => `Warning: ${w}`)];
      // npm picks with the engines of the Node and npm that run it: this machine's.
      const engines = (await options.host.engines?.().catch(() => undefined)) ?? {};
      // npm resolves a workspace's dependencies with the whole project: peers are checked from its
      // root with every workspace, and a dependency on a workspace is a link, not a registry package
      const project = options.runtime ? await loadNpmProject(manifests, options.runtime) : undefined;
      const linked = new Map(project?.workspaces.map((w) => [w.name, typeof w.manifest.meta?.version === 'string' ? w.manifest.meta.version : '']));
      const checked = await checkNpmDependencies(root, npm, options.signal, engines, linked);
      out.findings.push(...checked.findings);
      out.failures.push(...checked.failures);
      out.stale = checked.stale;
      facts = checked.facts;
      for (const failure of checked.failures) out.findings.push(unreachableFinding(root, failure, 'npm'));
      out.findings.push(...(await unknownRulePackages(options.rules, 'npm', (name) => npm.getPackument(name, options.signal), (name) => facts.has(name))));
      // Peer resolution over unknown packages or an unreachable registry would only restate those findings.
      const blocked = checked.failures.length > 0 || checked.findings.some((f) => f.severity === 'error');
      // Nothing skipped in silence: the summary and the status item name what was not checked and why.
      out.incomplete = checked.failures.map((f) => f.message);
      const errors = [...new Set(checked.findings.filter((f) => f.severity === 'error').map((f) => f.package ?? ''))].filter(Boolean);
      if (blocked) out.incomplete.push(`Peer dependencies were not checked: ${checked.failures.length > 0 ? 'the registry did not answer for every package' : `${errors.join(', ')} ${errors.length === 1 ? 'has' : 'have'} an error above`}.`);
      if (!blocked && !options.signal?.aborted) {
        let tree: Map<string, string> | undefined;
        const onTree = (t: Map<string, string>) => void (tree = t);
        const peerRoot = project?.root ?? root;
        // a host that cannot list folders cannot find the workspaces: the check then says it cannot predict
        const workspaces = options.runtime?.listDir ? project?.workspaces : undefined;
        out.findings.push(...(await npmPeerFindings(peerRoot, (name, signal) => npm.getPackument(name, signal), { ...config.peerDeps, ...engines, signal: options.signal, onTree, workspaces })));
        if (options.rules?.incompatible.some((r) => r.ecosystem === 'npm')) {
          // Without an ideal tree (ERESOLVE, workspaces), the versions npm picks for the direct dependencies.
          const installed = tree ? versionsInTree(tree) : pickedVersions(root, facts);
          const ruled = npmRuleFindings(root, options.rules, installed, options.host.displayPath);
          // The fix: the highest version of each named line that npm would install with no rule broken.
          // It re-runs placement with the root's lines, so a workspace project (placed from its root) has none.
          if (tree && peerRoot === root && !(workspaces?.length)) {
            for (const finding of ruled) {
              const dep = root.dependencies.find((d) => d.range === finding.range);
              const fix = dep ? await npmRuleFix(root, dep, options.rules, installed, (name, signal) => npm.getPackument(name, signal), { ...config.peerDeps, ...engines, signal: options.signal }) : undefined;
              if (fix) finding.fixes.push(fix);
            }
          }
          out.findings.push(...ruled);
        }
      }
    } catch (error) {
      if (!(error instanceof RegistryError)) throw error;
      out.failures.push(error);
      out.findings.push(unreachableFinding(root, error, 'npm'));
      out.incomplete = [error.message];
    }
    return out;
  }
}

// node_modules trees and locks are read through one cache for the process (keyed by path and mtime).
const driftCache = new NpmDriftCache();

/** package-lock.json as npm ci reads it, node_modules as npm ls does; fixes run the command each message names. */
async function inspect(manifests: ParsedManifest[], _kind: ManifestKind, runtime: Runtime): Promise<ProjectState> {
  const state = await inspectNpm(manifests, runtime, driftCache);
  addCommandFixes(state.findings);
  return { findings: state.findings, packages: state.packages, sources: state.sources, skipped: state.skipped };
}

/** The npm ecosystem. */
export const npmEcosystem: Ecosystem = {
  id: 'npm',
  kinds: ['package.json'],
  manifestKind: (path) => (basename(path) === 'package.json' ? 'package.json' : null),
  parse: async (path, _kind, text) => [parsePackageJson(text, path)],
  // Duplicate keys are reported by the package.json parser itself.
  localFindings: () => [],
  parseRuleRequirement: parseNpmRuleRequirement,
  completionContext: (linePrefix) => npmCompletionContext(linePrefix),
  pinText: (_dep, version) => version,
  specifiersAgree: (a, b) => npmRangesAgree(a.source === 'alias' ? (a.aliasSpecifier ?? '') : a.specifier, b.source === 'alias' ? (b.aliasSpecifier ?? '') : b.specifier),
  inspect,
  createChecker: (context) => new NpmChecker(context),
};
