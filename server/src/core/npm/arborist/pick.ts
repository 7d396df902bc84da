// Version choice the way npm makes it (npm-pick-manifest), and npm specifier parsing reduced to what
// the peer check needs. Packuments come in through a structural type, so any registry client whose
// documents have these fields can feed the check.
import * as semver from 'semver';
import { classifyNpmSpecifier } from '../manifest/specifier';

/** One published version, with the fields that shape the dependency tree. */
export interface PeerPackumentVersion {
  version: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean } | undefined>;
  engines?: unknown;
  deprecated?: unknown;
}

/** A packument as the peer check reads it (NpmClient.getPackument's result fits). */
export interface PeerPackument {
  name: string;
  distTags: Record<string, string>;
  versions: Map<string, PeerPackumentVersion>;
}

/** What the running npm would compare `engines` against; absent fields are not checked. */
export interface EngineVersions {
  nodeVersion?: string;
  npmVersion?: string;
}

/** A registry specifier, as npm-package-arg would type it; anything else is 'other'. */
export type RegistrySpec =
  | { kind: 'range'; packageName: string; range: string }
  | { kind: 'tag'; packageName: string; tag: string }
  | { kind: 'other'; packageName: string };

const LOOSE = { loose: true };

// Specs repeat across a tree and are checked over and over while placing; parsing is pure, so keep it.
const parsedSpecs = new Map<string, RegistrySpec>();
const satisfied = new Map<string, boolean>();
const MEMO_LIMIT = 50_000;

/** Parses `spec` for dependency `name`: ranges, dist-tags and npm: aliases resolve from the registry. */
export function parseRegistrySpec(name: string, spec: string): RegistrySpec {
  const key = `${name}\0${spec}`;
  let parsed = parsedSpecs.get(key);
  if (!parsed) {
    if (parsedSpecs.size >= MEMO_LIMIT) parsedSpecs.clear();
    parsed = parseUncached(name, spec);
    parsedSpecs.set(key, parsed);
  }
  return parsed;
}

function parseUncached(name: string, spec: string): RegistrySpec {
  const trimmed = spec.trim();
  if (trimmed === '' || trimmed === '*') return { kind: 'range', packageName: name, range: '*' };
  const kind = classifyNpmSpecifier(name, trimmed);
  if (kind.source === 'alias' && /^npm:/i.test(trimmed) && kind.aliasName !== undefined && !kind.problem) {
    const inner = parseUncached(kind.aliasName, kind.aliasSpecifier ?? '');
    return inner.kind === 'other' ? inner : { ...inner, packageName: kind.aliasName };
  }
  if (kind.source === 'range' && semver.validRange(trimmed, LOOSE) !== null) {
    return { kind: 'range', packageName: name, range: trimmed };
  }
  if (kind.source === 'tag' && !kind.problem) return { kind: 'tag', packageName: name, tag: trimmed };
  return { kind: 'other', packageName: name };
}

/** npm's depValid for registry versions: tags accept any registry version, ranges use loose semver. */
export function versionSatisfies(version: string, spec: RegistrySpec): boolean {
  if (spec.kind === 'tag') return true;
  if (spec.kind !== 'range') return false;
  if (spec.range === '*') return true;
  const key = `${version}\0${spec.range}`;
  let ok = satisfied.get(key);
  if (ok === undefined) {
    if (satisfied.size >= MEMO_LIMIT) satisfied.clear();
    ok = semver.satisfies(version, spec.range, LOOSE);
    satisfied.set(key, ok);
  }
  return ok;
}

function engineOk(manifest: PeerPackumentVersion, engines: EngineVersions): boolean {
  const eng = manifest.engines;
  if (!eng || typeof eng !== 'object') return true;
  const wanted = eng as Record<string, unknown>;
  const opt = { includePrerelease: true };
  try {
    if (engines.nodeVersion && typeof wanted.node === 'string' && !semver.satisfies(engines.nodeVersion, wanted.node, opt)) return false;
    if (engines.npmVersion && typeof wanted.npm === 'string' && !semver.satisfies(engines.npmVersion, wanted.npm, opt)) return false;
  } catch {
    return true; // npm-install-checks lets a range it cannot read pass
  }
  return true;
}

/**
 * The version npm installs for a range or tag (npm-pick-manifest): the `latest` tag when it fits the
 * range, is not deprecated and suits the engines; otherwise the best of the satisfying versions,
 * ranking engine-compatible and non-deprecated ones first. Undefined when nothing matches.
 */
export function pickVersion(packument: PeerPackument, spec: RegistrySpec, engines: EngineVersions = {}): string | undefined {
  if (spec.kind === 'other') return undefined;
  if (spec.kind === 'tag') {
    const tagged = packument.distTags[spec.tag];
    return tagged !== undefined && packument.versions.has(tagged) ? tagged : undefined;
  }
  const range = spec.range;
  const latest = packument.distTags.latest;
  const latestManifest = latest === undefined ? undefined : packument.versions.get(latest);
  if (latest !== undefined && latestManifest && (range === '*' || semver.satisfies(latest, range, LOOSE))) {
    if (engineOk(latestManifest, engines) && !latestManifest.deprecated) return latest;
  }
  let best: { version: string; rank: number } | undefined;
  for (const [version, manifest] of packument.versions) {
    if (semver.valid(version, LOOSE) === null || !semver.satisfies(version, range, LOOSE)) continue;
    const engine = engineOk(manifest, engines);
    const fresh = !manifest.deprecated;
    const rank = (engine && fresh ? 4 : 0) + (engine ? 2 : 0) + (fresh ? 1 : 0);
    if (!best || rank > best.rank || (rank === best.rank && semver.gt(version, best.version, LOOSE))) best = { version, rank };
  }
  return best?.version;
}

/** Every version of the packument that satisfies `spec`, newest first (releases only unless the range names a prerelease). */
export function satisfyingVersions(packument: PeerPackument, spec: RegistrySpec): string[] {
  const out: string[] = [];
  for (const version of packument.versions.keys()) {
    if (semver.valid(version, LOOSE) !== null && versionSatisfies(version, spec)) out.push(version);
  }
  return out.sort((a, b) => semver.rcompare(a, b, LOOSE));
}
