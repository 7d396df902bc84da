// Whether an installed or locked package answers a dependency spec, as arborist's dep-valid decides:
// ranges by loose semver, dist-tags by a registry tarball resolution, URLs by the same URL, folders
// by a link to that folder, tarballs by the same file, git by the same repository. The caller
// passes locations relative to the project root; nothing here reads the disk.
import { posix } from 'node:path';
import * as semver from 'semver';
import { classifyNpmSpecifier, type NpmSpecifierClass } from '../manifest/specifier';

/** What dep-valid looks at on the package that an edge resolves to. */
export interface SpecTarget {
  version: string;
  /** The lock's `resolved`: a registry tarball URL, `file:` path (relative to the root) or git URL. */
  resolved?: string;
  /** For a link: the location of the folder it points to, relative to the project root. */
  linkTo?: string;
}

const LOOSE = { loose: true };
const satisfied = new Map<string, boolean>();
const kinds = new Map<string, NpmSpecifierClass>();

// A tree checks the same few specs over and over; classifying one is pure.
function classified(name: string, spec: string): NpmSpecifierClass {
  const key = `${name}\0${spec}`;
  let kind = kinds.get(key);
  if (!kind) {
    if (kinds.size > 50_000) kinds.clear();
    kinds.set(key, (kind = classifyNpmSpecifier(name, spec)));
  }
  return kind;
}

function satisfies(version: string, range: string): boolean {
  const key = `${version}\0${range}`;
  let ok = satisfied.get(key);
  if (ok === undefined) {
    if (satisfied.size > 50_000) satisfied.clear();
    try {
      ok = semver.satisfies(version, range, LOOSE);
    } catch {
      ok = false;
    }
    satisfied.set(key, ok);
  }
  return ok;
}

/** True when `target` satisfies `spec` for dependency `name` of the package at `fromDir` (a root-relative folder). */
export function specAccepts(target: SpecTarget, name: string, spec: string, fromDir: string): boolean {
  const trimmed = spec.trim();
  if (trimmed === '' || trimmed === '*') return true;
  if (/^npm:/i.test(trimmed)) {
    const kind = classifyNpmSpecifier(name, trimmed);
    if (kind.aliasName === undefined || kind.problem) return false;
    // `npm:foo` with no range means foo's latest tag.
    const inner = kind.aliasSpecifier ?? '';
    return inner === '' ? isRegistryTarball(target.resolved) : specAccepts(target, kind.aliasName, inner, fromDir);
  }
  const kind = classified(name, trimmed);
  switch (kind.source) {
    case 'range':
      return satisfies(target.version, trimmed);
    case 'tag':
      return isRegistryTarball(target.resolved);
    case 'remote':
      return target.resolved === trimmed;
    case 'file':
      return fileValid(target, kind.location ?? trimmed, fromDir);
    case 'git':
    case 'github':
      return gitValid(target, trimmed);
    default:
      // workspace:, link:, jsr:, patch: are other package managers' protocols, which npm cannot
      // install at all; the parser reports them, so they are not reported again as drift.
      return true;
  }
}

function isRegistryTarball(resolved: string | undefined): boolean {
  return !!resolved && /^https?:\/\//i.test(resolved) && !/^https?:\/\/(www\.)?(github|gitlab|bitbucket)\.(com|org)\/[^/]+\/[^/]+(\.git)?(#.*)?$/i.test(resolved);
}

const TARBALL = /\.(tgz|tar\.gz|tar)$/i;

/** Root-relative form of a path written relative to `fromDir` (absolute paths are kept as written). */
export function relativeToRoot(fromDir: string, path: string): string {
  const clean = path.replace(/\\/g, '/').replace(/^~\//, '/');
  return clean.startsWith('/') || /^[a-zA-Z]:\//.test(clean) ? posix.normalize(clean) : posix.normalize(posix.join(fromDir || '.', clean));
}

function fileValid(target: SpecTarget, location: string, fromDir: string): boolean {
  const wanted = relativeToRoot(fromDir, location).replace(/\/$/, '');
  if (!TARBALL.test(location)) return target.linkTo !== undefined && posix.normalize(target.linkTo) === wanted;
  if (target.linkTo !== undefined || !target.resolved?.startsWith('file:')) return false;
  return relativeToRoot('', target.resolved.slice(5)) === wanted;
}

/** host/path of a git repository, lower-cased, without protocol, user, `.git` or committish. */
function repoKey(spec: string): { repo: string; committish: string } {
  const hash = spec.indexOf('#');
  const committish = hash >= 0 ? spec.slice(hash + 1) : '';
  let base = hash >= 0 ? spec.slice(0, hash) : spec;
  const shortcut = /^(github|gitlab|bitbucket):/i.exec(base);
  if (shortcut) base = `${shortcut[1].toLowerCase()}.${shortcut[1].toLowerCase() === 'bitbucket' ? 'org' : 'com'}/${base.slice(shortcut[0].length)}`;
  else if (/^[^/:@]+\/[^/]+$/.test(base)) base = `github.com/${base}`;
  base = base.replace(/^git\+/i, '').replace(/^[a-z]+:\/\//i, '').replace(/^[^@/]+@/, '').replace(/^([^/:]+):(?!\d)/, '$1/');
  return { repo: base.replace(/\.git$/i, '').replace(/\/+$/, '').toLowerCase(), committish };
}

function gitValid(target: SpecTarget, spec: string): boolean {
  if (!target.resolved) return false;
  const wanted = repoKey(spec);
  const got = repoKey(target.resolved);
  if (wanted.repo !== got.repo) return false;
  const range = /^semver:(.+)$/.exec(wanted.committish)?.[1];
  if (range) return satisfies(target.version, range);
  // A full commit must match; a branch or tag cannot be checked offline and is taken as it is.
  return !/^[a-f0-9]{40,64}$/i.test(wanted.committish) || wanted.committish.toLowerCase() === got.committish.toLowerCase();
}
