import semver from 'semver';
import type { Dependency, Finding, ParsedManifest } from '../../model';
import type { NpmPackument } from '../registry/npmClient';
import { RegistryError } from '../../http/types';
import type { RegistryCheckResult } from '../../ecosystem';
import { parseRegistrySpec, pickVersion, type EngineVersions } from '../arborist/pick';

/** The part of NpmClient these checks use. */
export interface NpmLookup {
  getPackument(name: string, signal?: AbortSignal): Promise<NpmPackument>;
}

/** What the registry says about one npm dependency, for hovers. */
export interface NpmFacts {
  packument: NpmPackument;
  latest?: string;
  /** The version npm would pick for the specifier (npm-pick-manifest's rules, with this machine's engines). */
  picked?: string;
}

/**
 * The version npm installs for a range or tag: npm-pick-manifest's rules (arborist/pick.ts), so the
 * deprecated check, the hover's "resolves to" and the peer placement name the same version: the
 * `latest` tag only when it satisfies the range, is not deprecated and suits the engines, else the
 * highest satisfying version ranked by engines and deprecation.
 */
export function pickNpmVersion(packument: NpmPackument, name: string, spec: string, engines: EngineVersions = {}): string | undefined {
  const tagged = packument.distTags[spec.trim()];
  if (tagged !== undefined) return packument.versions.has(tagged) ? tagged : undefined;
  return pickVersion(packument, parseRegistrySpec(name, spec), engines);
}

function at(manifest: ParsedManifest, dep: Dependency, code: Finding['code'], severity: Finding['severity'], message: string, onSpecifier = true): Finding {
  return { code, severity, package: dep.normalizedName, path: manifest.path, range: (onSpecifier && dep.specifierRange) || dep.nameRange, message, related: [], fixes: [] };
}

function checkOne(manifest: ParsedManifest, dep: Dependency, name: string, spec: string, packument: NpmPackument, engines: EngineVersions): { findings: Finding[]; facts: NpmFacts } {
  const latest = packument.distTags.latest;
  const findings: Finding[] = [];
  const picked = pickNpmVersion(packument, name, spec, engines);
  const facts: NpmFacts = { packument, latest, picked };
  if (picked === undefined) {
    const isTag = semver.validRange(spec.trim() === '' ? '*' : spec, { loose: true }) === null;
    const exact = semver.valid(spec, { loose: true });
    const latestText = latest ? `; the latest is ${latest}` : '';
    if (isTag) findings.push(at(manifest, dep, 'unknown-version', 'error', `${name} has no dist-tag "${spec}" on ${packument.registry}${latestText}.`));
    else if (exact) findings.push(at(manifest, dep, 'unknown-version', 'error', `${name}@${exact} does not exist on ${packument.registry}${latestText}.`));
    else findings.push(at(manifest, dep, 'no-matching-version', 'error', `No version of ${name} on ${packument.registry} satisfies ${spec}${latestText}.`));
    return { findings, facts };
  }
  const deprecated = packument.versions.get(picked)?.deprecated;
  if (deprecated) findings.push(at(manifest, dep, 'deprecated', 'warning', `${name}@${picked} is deprecated: ${deprecated}`, false));
  return { findings, facts };
}

/** Whether npm links this dependency to a workspace of the project instead of fetching it: its name is a workspace's and the range admits that workspace's version. */
function isLinkedWorkspace(dep: Dependency, workspaces: ReadonlyMap<string, string> | undefined): boolean {
  if (dep.source !== 'range' || !workspaces) return false;
  const version = workspaces.get(dep.name);
  if (version === undefined) return false;
  const range = dep.specifier.trim() === '' ? '*' : dep.specifier;
  return range === '*' || (semver.valid(version, { loose: true }) !== null && semver.satisfies(version, range, { loose: true }));
}

/**
 * Registry checks for every npm dependency that names a registry package (ranges, tags and
 * aliases): unknown packages, versions and tags, ranges nothing satisfies, deprecated versions.
 * Dependencies npm links to one of the project's `workspaces` (name -> version) are not looked up.
 */
export async function checkNpmDependencies(
  manifest: ParsedManifest,
  npm: NpmLookup,
  signal?: AbortSignal,
  engines: EngineVersions = {},
  workspaces?: ReadonlyMap<string, string>,
): Promise<RegistryCheckResult<NpmFacts>> {
  const result: RegistryCheckResult<NpmFacts> = { findings: [], facts: new Map(), failures: [], stale: false };
  const targets = manifest.dependencies
    .filter((d) => d.ecosystem === 'npm' && !d.override && (d.source === 'range' || d.source === 'tag' || d.source === 'alias'))
    .filter((d) => !isLinkedWorkspace(d, workspaces))
    .map((dep) => ({ dep, name: dep.source === 'alias' ? (dep.location ?? dep.name) : dep.name, spec: dep.source === 'alias' ? (dep.aliasSpecifier ?? '') : dep.specifier }));
  const packuments = new Map<string, Promise<NpmPackument | RegistryError>>();
  for (const { name } of targets) {
    if (!packuments.has(name)) packuments.set(name, npm.getPackument(name, signal).catch((e: unknown) => (e instanceof RegistryError ? e : new RegistryError('malformed', 'the npm registry', String(e)))));
  }
  const failed = new Set<string>();
  for (const { dep, name, spec } of targets) {
    const packument = await packuments.get(name)!;
    if (packument instanceof RegistryError) {
      if (packument.kind === 'not-found') {
        result.findings.push(at(manifest, dep, 'unknown-package', 'error', `${name} was not found on ${packument.registry}. Check the spelling, or the registry its scope should come from.`, false));
      } else if (packument.kind !== 'aborted' && !failed.has(packument.registry)) {
        failed.add(packument.registry);
        result.failures.push(packument);
      }
      continue;
    }
    result.stale ||= packument.stale;
    const checked = checkOne(manifest, dep, name, spec, packument, engines);
    result.findings.push(...checked.findings);
    result.facts.set(name, checked.facts);
  }
  return result;
}
