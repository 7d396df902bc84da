// The Python wing: requirements files and pyproject.toml, any PEP 503 index, resolution with pip's
// or uv's rules for a target interpreter and platform.

import { basename, dirname } from 'node:path';
import type { Ecosystem, EcosystemCheck, EcosystemChecker, RegistryContext, StageOptions } from '../ecosystem';
import type { ManifestKind, ParsedManifest } from '../model';
import type { Runtime } from '../runtime';
import { findDuplicates } from './checks/duplicates';
import { pythonHoverFacts, type PythonCheckState } from './checks/hoverFacts';
import { checkPypiDependencies, unreadFindings } from './checks/registryChecks';
import { resolvePythonFindings } from './checks/resolutionFindings';
import { PythonIndexServices } from './index/services';
import { parsePyproject } from './pyproject/pyproject';
import { loadRequirementsTree } from './requirements/requirements';
import { selectPythonTarget } from './resolve/target';

const REQUIREMENTS = /^(requirements.*\.(txt|in)|constraints.*\.(txt|in)|.*\.pip)$/i;

function manifestKind(path: string): ManifestKind | null {
  const name = basename(path);
  if (name === 'pyproject.toml') return 'pyproject';
  if (REQUIREMENTS.test(name)) return 'requirements';
  // requirements/dev.txt, requirements/base.in: a folder of requirement files is a common layout.
  if (/^requirements$/i.test(basename(dirname(path))) && /\.(txt|in)$/i.test(name)) return 'requirements';
  return null;
}

async function parse(path: string, kind: ManifestKind, text: string, runtime: Runtime): Promise<ParsedManifest[]> {
  if (kind === 'pyproject') return [parsePyproject(text, path)];
  const readFile = (p: string) => (p === path ? Promise.resolve(text) : runtime.readFile(p));
  return loadRequirementsTree(path, readFile, { env: runtime.env });
}

// pyproject projects are most often locked by uv (or poetry, whose pre-release rule is uv's).
const installerFor = (kind: ManifestKind): 'pip' | 'uv' => (kind === 'pyproject' ? 'uv' : 'pip');

class PythonChecker implements EcosystemChecker {
  private readonly services: PythonIndexServices;

  constructor(private readonly context: RegistryContext) {
    this.services = new PythonIndexServices(context);
  }

  reset(): void {
    this.services.reset();
  }

  async check(manifests: ParsedManifest[], kind: ManifestKind, options: StageOptions): Promise<EcosystemCheck> {
    const root = manifests[0]!;
    const target = await selectPythonTarget(manifests, options.host, this.context.readFile);
    const state: PythonCheckState = { findings: [], pypiFacts: new Map(), target: target.description, stale: false };
    const out: EcosystemCheck = { findings: state.findings, failures: [], stale: false, registries: [], target: target.description, hoverFacts: pythonHoverFacts(state) };
    const { client, config } = await this.services.pypiFor(manifests);
    out.registries = config.describe();
    if (!client) return out;
    const checked = await checkPypiDependencies(manifests, client, options.signal, options.deadline);
    out.findings.push(...checked.findings);
    out.failures.push(...checked.failures);
    out.stale = state.stale = checked.stale;
    state.pypiFacts = checked.facts;
    const unread = unreadFindings(root, checked);
    out.findings.push(...unread.findings);
    out.incomplete = unread.incomplete;
    // Resolution over unknown packages or an unreachable index would only restate those findings.
    const errors = checked.findings.filter((f) => f.severity === 'error');
    if (checked.failures.length > 0 || errors.length > 0 || options.signal?.aborted) {
      // A clean-looking rest of the file must not read as "no conflicts": nothing was resolved.
      const unknown = [...new Set(errors.filter((f) => f.code === 'unknown-package').map((f) => f.package))];
      if (unknown.length > 0 && checked.failures.length === 0) out.incomplete.push(`Not resolved: ${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not on the index, so what ${unknown.length === 1 ? 'it needs' : 'they need'} is unknown.`);
      return out;
    }
    const python = await resolvePythonFindings(manifests, client, {
      target,
      installer: installerFor(kind),
      allowPrereleases: options.allowPrereleases ?? manifests.some((m) => m.options.some((o) => o.name === 'pre')),
      signal: options.signal,
      whatIf: options.whatIf,
      latestOf: (name) => checked.facts.get(name)?.latest,
      deadline: options.deadline,
    });
    // Hovers re-solve after the check: their reads are not bound by the check's time limit.
    state.python = { ...python, provider: python.provider.derive({ deadline: undefined }) };
    out.findings.push(...python.findings);
    if (python.incomplete) out.incomplete.push(python.incomplete);
    if (python.explanation) out.explanation = python.explanation.lines;
    return out;
  }
}

/** The Python ecosystem. */
export const pythonEcosystem: Ecosystem = {
  id: 'pypi',
  kinds: ['requirements', 'pyproject'],
  manifestKind,
  parse,
  localFindings: findDuplicates,
  createChecker: (context) => new PythonChecker(context),
};
