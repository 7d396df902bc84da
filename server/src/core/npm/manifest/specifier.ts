// Classifies npm dependency specifiers the way npm-package-arg's `resolve(name, spec)` does, plus the
// pnpm/yarn protocols (workspace:, link:, portal:, patch:, exec:) that monorepos use every day.
// Pure string work: nothing here touches the file system or the network.
import * as semver from 'semver';
import type { SourceKind } from '../../model';

export interface NpmSpecifierClass {
  source: SourceKind;
  /** Path, URL or repository for file/link/git/github/remote; the target package for aliases. */
  location?: string;
  /** For `npm:`/`jsr:`/`patch:` aliases: the package actually installed. */
  aliasName?: string;
  /** For aliases: the range after `name@` ('' when none is written, which means the latest tag). */
  aliasSpecifier?: string;
  /** A sentence the user can act on, when the specifier is malformed. */
  problem?: string;
}

export interface NpmNameCheck {
  /** Reasons npm refuses the name outright. */
  errors: string[];
  /** Forms only packages published before 2017 may use (capital letters, ~'!()*, over 214 characters). */
  legacy: string[];
}

const IS_URL = /^(?:git[+])?[a-z]+:/i;
const SCP_GIT = /^[^@]+@[^:.]+\.[^:]+:.+$/i;
const FILE_TYPE = /[.](?:tgz|tar\.gz|tar)$/i;
const POSIX_FILE = /^(?:[.]|~[/]|[/]|[a-zA-Z]:)/;
const PORT_NUMBER = /:[0-9]+(\/|$)/;
const SCOPED_NAME = /^(?:@([^/]+?)[/])?([^/]+?)$/;
const HOSTED_SHORTCUT = /^(github|gitlab|bitbucket|gist|sourcehut|codeberg):/i;
const GIT_PROTOCOLS = new Set(['git:', 'git+http:', 'git+https:', 'git+rsync:', 'git+ftp:', 'git+file:', 'git+ssh:']);

// The semver grammar (with node-semver's loose extras: v and = prefixes, ~>, spaces after operators).
// node-semver's validRange silently drops some garbage, e.g. `>=1.0.0 <<2` becomes `>=1.0.0`, so a
// range must also pass this token check to count as well-formed.
const XR = '(?:\\d+|[xX*])';
const ID = '[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*';
const PARTIAL = `[=v]*${XR}(?:\\.${XR}(?:\\.${XR}(?:-?${ID})?(?:\\+${ID})?)?)?`;
const COMPARATOR = new RegExp(`^(?:<=|>=|<|>|=|~>|~|\\^)?${PARTIAL}$`);
const HYPHEN = new RegExp(`^${PARTIAL}\\s+-\\s+${PARTIAL}$`);
const LOOKS_LIKE_VERSION = /^\s*(?:[<>=~^]|v?\d+(?:[.\s]|$))/;

const RANGE_EXAMPLES = 'such as ^1.2.3, ~1.2 or >=1.0.0 <2.0.0';

/** Checks a package name against npm's rules (validate-npm-package-name). */
export function checkNpmName(name: string): NpmNameCheck {
  const errors: string[] = [];
  const legacy: string[] = [];
  if (name.length === 0) errors.push('a package name cannot be empty');
  if (name.startsWith('.')) errors.push('a package name cannot start with a period');
  if (name.startsWith('_')) errors.push('a package name cannot start with an underscore');
  if (name.trim() !== name) errors.push('a package name cannot have leading or trailing spaces');
  if (name === 'node_modules' || name === 'favicon.ico') errors.push(`"${name}" is a reserved name`);
  if (!isUrlSafe(name)) {
    const m = SCOPED_NAME.exec(name);
    const scope = m?.[1] ?? '';
    const pkg = m?.[2] ?? '';
    if (m && pkg.startsWith('.') && !name.startsWith('.')) errors.push('a package name cannot start with a period');
    if (name.startsWith('@') && !name.includes('/')) errors.push('a scoped name needs a slash, as in @scope/name');
    else if (!m || !isUrlSafe(scope) || !isUrlSafe(pkg)) {
      errors.push('a package name can only contain URL-safe characters (letters, digits, - . _ ~) and one @scope/ prefix');
    }
  }
  if (errors.length > 0) return { errors, legacy };
  if (name.toLowerCase() !== name) legacy.push('capital letters');
  if (/[~'!()*]/.test(name.split('/').pop() ?? '')) legacy.push(`the characters ~'!()*`);
  if (name.length > 214) legacy.push('more than 214 characters');
  return { errors, legacy };
}

/** True when a string is a semver range node-semver accepts and every comparator is well-formed. */
export function isWellFormedRange(spec: string): boolean {
  if (semver.validRange(spec, { loose: true }) === null) return false;
  return spec.split('||').every((set) => {
    const s = set.trim();
    if (s === '' || HYPHEN.test(s)) return true;
    const tokens = s.replace(/(<=|>=|<|>|=|~>|~|\^)\s+/g, '$1').split(/\s+/);
    return tokens.every((t) => COMPARATOR.test(t));
  });
}

/** Classifies a dependency specifier by npm-package-arg's rules; never throws. */
export function classifyNpmSpecifier(name: string, spec: string): NpmSpecifierClass {
  const lower = spec.toLowerCase();
  if (lower.startsWith('file:')) return classifyPathProtocol(name, spec, 5, 'file');
  if (POSIX_FILE.test(spec)) return { source: 'file', location: spec };
  if (lower.startsWith('npm:')) return classifyAlias(name, spec);
  if (lower.startsWith('jsr:')) return classifyJsr(name, spec);
  if (lower.startsWith('workspace:')) return classifyWorkspace(name, spec);
  if (lower.startsWith('link:')) return classifyPathProtocol(name, spec, 5, 'link');
  if (lower.startsWith('portal:')) return classifyPathProtocol(name, spec, 7, 'link');
  if (lower.startsWith('exec:')) return classifyPathProtocol(name, spec, 5, 'file');
  if (lower.startsWith('patch:')) return classifyPatch(name, spec);
  if (HOSTED_SHORTCUT.test(spec) || isGitHubShorthand(spec)) return classifyShortcut(name, spec);
  // npm itself would read `git@host:path` as a directory when it comes from package.json; nobody
  // means that, so it is read as the scp-style git URL it obviously is.
  if (SCP_GIT.test(spec)) return withCommittish(name, spec, { source: 'git', location: beforeHash(spec) });
  if (IS_URL.test(spec)) return classifyUrl(name, spec);
  if (spec.includes('/') || FILE_TYPE.test(spec)) return { source: 'file', location: spec };
  return classifyRegistry(name, spec);
}

function classifyRegistry(name: string, spec: string): NpmSpecifierClass {
  const s = spec.trim();
  if (isWellFormedRange(s)) return { source: 'range' };
  if (semver.validRange(s, { loose: true }) !== null || LOOKS_LIKE_VERSION.test(s)) {
    return { source: 'range', problem: `"${s}" is not a valid version range for ${name}; write a semver range ${RANGE_EXAMPLES}.` };
  }
  if (isUrlSafe(s)) return { source: 'tag' };
  return {
    source: 'tag',
    problem:
      `"${s}" is neither a version range nor a valid dist-tag for ${name} (tags cannot contain spaces or ` +
      `characters such as ^ < > | :); write a range ${RANGE_EXAMPLES}, or a tag such as latest.`,
  };
}

function classifyAlias(name: string, spec: string): NpmSpecifierClass {
  const rest = spec.slice(4);
  if (rest === '') {
    return { source: 'alias', problem: `"npm:" needs a package name after it, as in npm:other-package@^1.0.0, for ${name}.` };
  }
  const at = rest.indexOf('@', 1);
  const target = at > 0 ? rest.slice(0, at) : rest;
  const range = at > 0 ? rest.slice(at + 1) : '';
  const result: NpmSpecifierClass = { source: 'alias', location: target, aliasName: target, aliasSpecifier: range };
  const problem = aliasProblem(target, range);
  if (problem) result.problem = `The alias "${spec}" for ${name} is not valid: ${problem}.`;
  return result;
}

function aliasProblem(target: string, range: string): string | undefined {
  if (/^npm:/i.test(range)) return 'aliases cannot be nested';
  if (!target.startsWith('@') && (target.includes('/') || FILE_TYPE.test(target))) {
    return 'npm: aliases only work for registry packages; write npm:package-name@range';
  }
  const nameError = checkNpmName(target).errors[0];
  if (nameError) return `${nameError}; write npm:package-name@range`;
  const inner = classifyNpmSpecifier(target, range);
  if (inner.source !== 'range' && inner.source !== 'tag') {
    return 'npm: aliases only work for registry versions; write npm:package-name@range';
  }
  return inner.problem ? `write a semver range ${RANGE_EXAMPLES} after "${target}@"` : undefined;
}

// jsr:@scope/name@range installs @jsr/scope__name from npm.jsr.io; in our terms that is an alias.
function classifyJsr(name: string, spec: string): NpmSpecifierClass {
  const rest = spec.slice(4);
  const at = rest.indexOf('@', 1);
  const target = at > 0 ? rest.slice(0, at) : rest;
  const range = at > 0 ? rest.slice(at + 1) : '';
  const slash = target.indexOf('/');
  if (!target.startsWith('@') || slash < 0 || checkNpmName(target).errors.length > 0) {
    return { source: 'alias', problem: `"${spec}" for ${name} is not valid: JSR packages are scoped, as in jsr:@scope/name@^1.0.0.` };
  }
  const aliasName = `@jsr/${target.slice(1, slash)}__${target.slice(slash + 1)}`;
  const result: NpmSpecifierClass = { source: 'alias', location: aliasName, aliasName, aliasSpecifier: range };
  const inner = classifyRegistry(target, range);
  if (inner.problem) result.problem = inner.problem;
  return result;
}

function classifyWorkspace(name: string, spec: string): NpmSpecifierClass {
  const rest = spec.slice('workspace:'.length);
  if (rest === '*' || rest === '^' || rest === '~') return { source: 'workspace' };
  // yarn accepts a relative path to the workspace folder.
  if (/^[./]/.test(rest)) return { source: 'workspace', location: rest };
  const at = rest.indexOf('@', 1);
  if (at > 0) {
    // pnpm's alias form: workspace:other-package@*
    const target = rest.slice(0, at);
    const range = rest.slice(at + 1);
    const ok = checkNpmName(target).errors.length === 0 && (['*', '^', '~'].includes(range) || isWellFormedRange(range));
    if (ok) return { source: 'workspace', location: target };
  } else if (rest !== '' && isWellFormedRange(rest)) {
    return { source: 'workspace' };
  } else if (rest.includes('/') && !rest.startsWith('@')) {
    return { source: 'workspace', location: rest };
  }
  return {
    source: 'workspace',
    problem:
      `"${spec}" for ${name} is not a valid workspace range; write workspace:*, workspace:^, ` +
      `workspace:~ or workspace: followed by a semver range ${RANGE_EXAMPLES}.`,
  };
}

function classifyPathProtocol(name: string, spec: string, skip: number, source: SourceKind): NpmSpecifierClass {
  const location = spec.slice(skip);
  if (location === '') {
    const protocol = spec.slice(0, skip);
    return { source, problem: `"${protocol}" for ${name} needs a path after it, as in ${protocol}../shared.` };
  }
  return { source, location };
}

// yarn berry writes patched packages as patch:name@npm%3A1.2.3#./patches/name.patch; what gets
// installed is that registry version, so it is reported as an alias of it.
function classifyPatch(name: string, spec: string): NpmSpecifierClass {
  let descriptor: string;
  try {
    descriptor = decodeURIComponent(beforeHash(spec.slice(6)));
  } catch {
    return { source: 'alias', problem: `"${spec}" for ${name} has a malformed %-escape; write patch:name@npm%3A1.2.3#./file.patch.` };
  }
  const at = descriptor.indexOf('@', 1);
  const target = at > 0 ? descriptor.slice(0, at) : descriptor;
  const range = (at > 0 ? descriptor.slice(at + 1) : '').replace(/^npm:/i, '');
  if (checkNpmName(target).errors.length > 0) {
    return { source: 'alias', problem: `"${spec}" for ${name} does not name a package; write patch:name@npm%3A1.2.3#./file.patch.` };
  }
  return { source: 'alias', location: target, aliasName: target, aliasSpecifier: range };
}

function classifyShortcut(name: string, spec: string): NpmSpecifierClass {
  const match = HOSTED_SHORTCUT.exec(spec);
  const host = match ? match[1].toLowerCase() : 'github';
  const path = beforeHash(match ? spec.slice(match[0].length) : spec).replace(/^\/+/, '');
  const slash = path.lastIndexOf('/');
  const user = slash >= 0 ? path.slice(0, slash).replace(/^[^@]*@/, '') : '';
  const project = path.slice(slash + 1);
  if (project === '' || project === '.git' || (host !== 'gist' && user === '')) {
    const example = host === 'gist' ? 'gist:11081aaa281' : `${host}:user/repo`;
    const problem = `"${spec}" for ${name} does not name a repository; write ${example}, optionally followed by #branch or #semver:^1.0.0.`;
    return { source: 'github', problem };
  }
  return withCommittish(name, spec, { source: 'github', location: beforeHash(spec) });
}

function classifyUrl(name: string, spec: string): NpmSpecifierClass {
  const protocol = spec.slice(0, spec.indexOf(':') + 1).toLowerCase();
  const base = beforeHash(spec);
  if (protocol === 'git+ssh:') {
    // scp-style git+ssh://git@host:user/repo is not a real URL; npm matches it before new URL().
    const scp = /^git\+ssh:\/\/([^:#]+:[^#]+(?:\.git)?)(?:#.*)?$/i.exec(spec);
    if (scp && !PORT_NUMBER.test(scp[1])) return withCommittish(name, spec, { source: 'git', location: base });
  }
  const url = parseUrl(protocol === 'git+file:' ? base.replace(/\\/g, '/') : base);
  if (GIT_PROTOCOLS.has(protocol)) {
    if (!url || (url.host === '' && url.pathname.replace(/\//g, '') === '')) {
      return { source: 'git', problem: `"${spec}" for ${name} is not a valid git URL; write git+https://host/user/repo.git#ref.` };
    }
    return withCommittish(name, spec, { source: 'git', location: base });
  }
  if (protocol === 'http:' || protocol === 'https:') {
    if (!url) return { source: 'remote', problem: `"${spec}" for ${name} is not a valid URL; write the full https:// address of a tarball.` };
    if (isHostedRepoUrl(url)) return withCommittish(name, spec, { source: 'git', location: base });
    return { source: 'remote', location: spec };
  }
  return {
    source: 'remote',
    problem: `npm does not support "${protocol}" URLs (${name}); use git+https:, git+ssh:, git:, http: or https:, or a version range.`,
  };
}

function parseUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

// hosted-git-info treats plain https links to a repository on these hosts as git dependencies,
// while links to anything below the repository (archives, releases) stay tarball downloads.
function isHostedRepoUrl(url: URL): boolean {
  const host = url.hostname.replace(/^www\./, '');
  const parts = url.pathname.split('/');
  const user = parts[1] ?? '';
  const project = (parts[2] ?? '').replace(/\.git$/, '');
  const aux = parts[3] ?? '';
  const hasRepo = user !== '' && project !== '';
  if (host === 'github.com') return hasRepo && (aux === '' || aux === 'tree');
  if (url.protocol !== 'https:') return false;
  if (host === 'bitbucket.org') return hasRepo && aux !== 'get';
  if (host === 'gist.github.com') return user !== '' && aux !== 'raw';
  if (host === 'git.sr.ht') return hasRepo && aux !== 'archive';
  if (host === 'codeberg.org') return hasRepo && !['archive', 'issues', 'pulls', 'src', 'raw', '_edit'].includes(aux);
  if (host === 'gitlab.com') {
    const path = url.pathname.slice(1);
    return hasRepo && !path.includes('/-/') && !path.includes('/archive.tar.gz');
  }
  return false;
}

/** Checks the `#committish`, `#semver:range` and `#path:dir` parts of a git specifier (npm's setGitAttrs). */
function withCommittish(name: string, spec: string, result: NpmSpecifierClass): NpmSpecifierClass {
  const hash = spec.indexOf('#');
  if (hash < 0 || hash === spec.length - 1) return result;
  const problem = committishProblem(spec.slice(hash + 1));
  if (problem) result.problem = `"${spec}" for ${name} is not valid: ${problem}.`;
  return result;
}

function committishProblem(fragment: string): string | undefined {
  let committish = false;
  let range = false;
  let path = false;
  for (const part of fragment.split('::')) {
    if (!part.includes(':')) {
      if (range || committish) return 'write either one commit-ish or one #semver: range after #, not both';
      committish = true;
      continue;
    }
    const [key, value] = part.split(':');
    if (key === 'semver') {
      if (range || committish) return 'write either one commit-ish or one #semver: range after #, not both';
      range = true;
      let decoded: string | undefined;
      try {
        decoded = decodeURIComponent(value);
      } catch {
        decoded = undefined;
      }
      if (decoded === undefined || !isWellFormedRange(decoded)) {
        return `"${value}" after #semver: is not a semver range; write one ${RANGE_EXAMPLES}`;
      }
    } else if (key === 'path') {
      if (path) return 'only one #path: is allowed';
      path = true;
    }
  }
  return undefined;
}

// hosted-git-info's test for `user/repo` GitHub shorthand.
function isGitHubShorthand(arg: string): boolean {
  const firstHash = arg.indexOf('#');
  const firstSlash = arg.indexOf('/');
  const secondSlash = arg.indexOf('/', firstSlash + 1);
  const firstColon = arg.indexOf(':');
  const firstSpace = /\s/.exec(arg);
  const firstAt = arg.indexOf('@');
  const afterHash = (i: number): boolean => firstHash > -1 && i > firstHash;
  const spaceOk = !firstSpace || afterHash(firstSpace.index);
  const atOk = firstAt === -1 || afterHash(firstAt);
  const colonOk = firstColon === -1 || afterHash(firstColon);
  const secondSlashOk = secondSlash === -1 || afterHash(secondSlash);
  const endsOk = firstHash > -1 ? arg[firstHash - 1] !== '/' : !arg.endsWith('/');
  return spaceOk && firstSlash > 0 && endsOk && !arg.startsWith('.') && atOk && colonOk && secondSlashOk;
}

// encodeURIComponent throws on a lone surrogate, which a half-typed emoji easily leaves behind.
function isUrlSafe(text: string): boolean {
  try {
    return encodeURIComponent(text) === text;
  } catch {
    return false;
  }
}

function beforeHash(spec: string): string {
  const hash = spec.indexOf('#');
  return hash >= 0 ? spec.slice(0, hash) : spec;
}
