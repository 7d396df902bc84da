// Where Pinsight's PyPI client finds its indexes and their credentials. Highest first: the Pinsight
// setting (or the CLI's --index-url/--extra-index-url), options in requirements files, uv's indexes
// in pyproject.toml, UV_* variables, then pip's own configuration (PIP_* variables over pip.conf,
// see pipConf.ts), then PyPI. The primary index comes from the highest source that names one;
// extra indexes accumulate (lower sources listed first, as pip and uv order them), except that an
// --index-url in a requirements file replaces everything below it, as pip's handle_option_line does. Credentials stay in the URLs; authorization() scopes
// them to their own origin, with .netrc as the fallback, as pip's MultiDomainBasicAuth does.

import { basicAuth } from '../../http/httpSupport';
import { netrcCandidates, netrcCredentials, parseNetrc, type Netrc } from './netrc';
import type { Connection } from '../../http/connection';
import { envValue, homeDir, loadPipConfig, splitWords, type Platform, type PipConfig } from './pipConf';
import { loadPythonConnection } from './tlsConfig';

export interface PythonIndex {
  /** As configured, credentials included (the HTTP layer strips and scopes them). */
  url: string;
  /** Where it was configured, e.g. `requirements.txt:3 (--index-url)` or `PIP_INDEX_URL`. */
  source: string;
}

export interface PythonIndexConfig {
  /** Primary first, then extras (lower-precedence sources first, as pip and uv list them), de-duplicated, credentials kept in the URL. Empty when --no-index applies. */
  indexes: PythonIndex[];
  /** Authorization header value for a URL (Basic from a configured index on the same origin, best path match, else .netrc by host) or undefined. */
  authorization(url: URL): string | undefined;
  /** Hosts from --trusted-host / trusted-host / UV_INSECURE_HOST (http allowed). */
  trustedHosts: string[];
  /** Human-readable description with credentials masked (user:****@host), for the status item and logs. */
  describe(): string[];
  /** Where --no-index came from, when it turned the configured indexes off. */
  noIndex?: string;
  /** Configuration Pinsight could not use, as sentences (also in describe()). */
  warnings: string[];
  /** Trust and client certificate for index requests (pip's cert and client_cert, REQUESTS_CA_BUNDLE, ...; see tlsConfig.ts). */
  connection: Connection;
}

export interface PythonIndexInput {
  /** The extension setting or the CLI's --index-url / --extra-index-url (highest). */
  settings?: { indexUrl?: string; extraIndexUrls?: string[]; origin?: 'setting' | 'cli' };
  /**
   * Options from requirements files and their includes (not pyproject.toml's), in pip's reading order.
   * `line` is 1-based; the options of one logical line (continuations joined) share it and are adjacent.
   */
  manifestOptions?: Array<{ name: string; value: string; path: string; line: number }>;
  pyproject?: { uvIndexes?: Array<{ name?: string; url: string; default?: boolean; explicit?: boolean }>; uvIndexUrl?: string; uvExtraIndexUrls?: string[]; path: string };
  env: Record<string, string | undefined>;
  home?: string;
  platform: Platform;
  /** sys.prefix of the project's Python, whose pip.conf pip reads; defaults to $VIRTUAL_ENV. */
  sysPrefix?: string;
  readFile: (path: string) => Promise<string | undefined>;
}

export const DEFAULT_INDEX_URL = 'https://pypi.org/simple';

interface Tier {
  primary?: PythonIndex;
  extras: PythonIndex[];
  /** An --index-url in a requirements file: pip drops every index configured before it. */
  replacesLower?: boolean;
  noIndex?: string;
  trusted: string[];
}

/** Resolves the index URLs, credentials and trusted hosts for the PyPI client from every source; never throws. */
export async function loadPythonIndexConfig(input: PythonIndexInput): Promise<PythonIndexConfig> {
  const warnings: string[] = [];
  const pip = await loadPipConfig({ env: input.env, home: input.home, platform: input.platform, sysPrefix: input.sysPrefix, readFile: input.readFile });
  warnings.push(...pip.warnings);
  const explicit: PythonIndex[] = [];
  const tiers = [settingsTier(input.settings), requirementsTier(input.manifestOptions ?? []), pyprojectTier(input, explicit), uvEnvTier(input, warnings), pipTier(pip)];
  const { indexes, all, hasPrimary, noIndex } = combine(tiers);
  for (const index of all) if (!isUsableUrl(index.url)) warnings.push(`${index.source} gives '${maskUrl(index.url)}', which is not a valid URL; requests to it will fail.`);
  const trustedHosts = [...new Set(tiers.flatMap((t) => t.trusted))];
  const netrc = await loadNetrc(input, warnings);
  const tls = await loadPythonConnection({ env: input.env, platform: input.platform, readFile: input.readFile, pip, trustedHosts });
  warnings.push(...tls.warnings);
  const credentials = [...all, ...explicit].flatMap((ix) => credentialOf(ix.url));
  const config: PythonIndexConfig = {
    indexes,
    trustedHosts,
    warnings,
    connection: tls.connection,
    authorization: (url) => authorize(url, credentials, netrc?.netrc),
    describe: () => describeConfig({ indexes, hasPrimary, explicit, trustedHosts, noIndex, pip, netrc, warnings, tls: tls.connection.sources }),
  };
  if (noIndex !== undefined) config.noIndex = noIndex;
  return config;
}

function settingsTier(settings: PythonIndexInput['settings']): Tier {
  const cli = settings?.origin === 'cli';
  const tier: Tier = { extras: [], trusted: [] };
  const primary = settings?.indexUrl?.trim();
  if (primary) tier.primary = { url: primary, source: cli ? '--index-url on the command line' : 'setting pinsight.python.indexUrl' };
  for (const raw of settings?.extraIndexUrls ?? []) {
    const url = raw.trim();
    if (url) tier.extras.push({ url, source: cli ? '--extra-index-url on the command line' : 'setting pinsight.python.extraIndexUrls' });
  }
  return tier;
}

// pip's handle_option_line, one line at a time: --no-index first, then the line's last --index-url
// (replacing every index so far), then its --extra-index-urls.
function requirementsTier(options: NonNullable<PythonIndexInput['manifestOptions']>): Tier {
  const tier: Tier = { extras: [], trusted: [] };
  const lines: Array<typeof options> = [];
  options.forEach((o, i) => {
    const previous = options[i - 1];
    if (previous && previous.path === o.path && previous.line === o.line) lines[lines.length - 1].push(o);
    else lines.push([o]);
  });
  for (const group of lines) {
    const at = (o: (typeof options)[number]) => ({ url: o.value, source: `${o.path}:${o.line} (--${o.name})` });
    const noIndex = group.find((o) => o.name === 'no-index');
    if (noIndex && tier.noIndex === undefined) tier.noIndex = at(noIndex).source;
    const primary = group.filter((o) => o.name === 'index-url' && o.value !== '').pop();
    if (primary && tier.noIndex === undefined) {
      tier.primary = at(primary);
      tier.extras = [];
      tier.replacesLower = true;
    }
    if (tier.noIndex === undefined) for (const o of group) if (o.name === 'extra-index-url' && o.value !== '') tier.extras.push(at(o));
    for (const o of group) if (o.name === 'trusted-host' && o.value !== '') tier.trusted.push(o.value);
  }
  return tier;
}

// uv: an index with `default = true` replaces PyPI as the default; `explicit = true` indexes serve only
// packages pinned to them in [tool.uv.sources], so they are not searched (but their credentials count).
function pyprojectTier(input: PythonIndexInput, explicit: PythonIndex[]): Tier {
  const tier: Tier = { extras: [], trusted: [] };
  const py = input.pyproject;
  if (!py) return tier;
  const indexes = py.uvIndexes ?? [];
  indexes.forEach((ix, i) => {
    if (!ix.url) return;
    const entry = { url: withUvCredentials(ix.url, ix.name, input), source: `${py.path} [[tool.uv.index]] ${ix.name !== undefined ? JSON.stringify(ix.name) : `#${i + 1}`}` };
    if (ix.explicit) explicit.push(entry);
    else if (ix.default && !tier.primary) tier.primary = entry;
    else if (!ix.default) tier.extras.push(entry);
  });
  if (!tier.primary && py.uvIndexUrl) tier.primary = { url: py.uvIndexUrl, source: `${py.path} [tool.uv] index-url` };
  for (const url of py.uvExtraIndexUrls ?? []) if (url) tier.extras.push({ url, source: `${py.path} [tool.uv] extra-index-url` });
  return tier;
}

// uv's boolish environment values.
const UV_TRUE = new Set(['1', 'true', 'yes', 'on', 'y', 't']);
const UV_FALSE = new Set(['0', 'false', 'no', 'off', 'n', 'f']);

function uvEnvTier(input: PythonIndexInput, warnings: string[]): Tier {
  const get = (name: string) => envValue(input.env, name, input.platform) || undefined;
  const tier: Tier = { extras: [], trusted: splitWords(get('UV_INSECURE_HOST') ?? '') };
  const primaryVar = get('UV_DEFAULT_INDEX') ? 'UV_DEFAULT_INDEX' : get('UV_INDEX_URL') ? 'UV_INDEX_URL' : undefined;
  if (primaryVar) tier.primary = { url: get(primaryVar) as string, source: primaryVar };
  for (const word of splitWords(get('UV_INDEX') ?? '')) {
    // `name=url`, unless what precedes '=' has a ':' (then the '=' belongs to the URL), as uv parses it.
    const eq = word.indexOf('=');
    const name = eq > 0 && !word.slice(0, eq).includes(':') ? word.slice(0, eq) : undefined;
    const url = name !== undefined ? word.slice(eq + 1) : word;
    tier.extras.push({ url: withUvCredentials(url, name, input), source: name !== undefined ? `UV_INDEX (${JSON.stringify(name)})` : 'UV_INDEX' });
  }
  for (const url of splitWords(get('UV_EXTRA_INDEX_URL') ?? '')) tier.extras.push({ url, source: 'UV_EXTRA_INDEX_URL' });
  const noIndex = get('UV_NO_INDEX')?.toLowerCase();
  if (noIndex !== undefined && UV_TRUE.has(noIndex)) tier.noIndex = 'UV_NO_INDEX';
  else if (noIndex !== undefined && !UV_FALSE.has(noIndex)) warnings.push(`UV_NO_INDEX is '${noIndex}', which is not true or false; Pinsight ignores it.`);
  return tier;
}

function pipTier(pip: PipConfig): Tier {
  const tier: Tier = { extras: [], trusted: pip.trustedHosts?.value ?? [] };
  if (pip.indexUrl) tier.primary = { url: pip.indexUrl.value, source: pip.indexUrl.source };
  for (const url of pip.extraIndexUrls?.value ?? []) tier.extras.push({ url, source: pip.extraIndexUrls?.source ?? '' });
  if (pip.noIndex?.value) tier.noIndex = pip.noIndex.source;
  return tier;
}

// A --no-index anywhere turns off every index but those the user gave Pinsight itself, as pip's
// no_index wins over any index option.
function combine(tiers: Tier[]): { indexes: PythonIndex[]; all: PythonIndex[]; hasPrimary: boolean; noIndex?: string } {
  const noIndex = tiers.slice(1).find((t) => t.noIndex !== undefined)?.noIndex;
  const active = noIndex !== undefined ? tiers.slice(0, 1) : tiers;
  const primary = active.find((t) => t.primary)?.primary ?? (noIndex !== undefined ? undefined : { url: DEFAULT_INDEX_URL, source: 'default' });
  const used: Tier[] = [];
  for (const tier of active) {
    used.push(tier);
    if (tier.replacesLower) break;
  }
  // Extras in the order the tools list them: pip appends a requirements file's extras to its
  // configuration's, and uv puts UV_INDEX before pyproject.toml's indexes.
  const all = primary ? [primary] : [];
  for (const tier of used.reverse()) all.push(...tier.extras);
  const seen = new Set<string>();
  const indexes = all.filter((ix) => {
    const key = dedupeKey(ix.url);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const hasPrimary = primary !== undefined;
  return noIndex !== undefined ? { indexes, all, hasPrimary, noIndex } : { indexes, all, hasPrimary };
}

// uv reads UV_INDEX_<NAME>_USERNAME / _PASSWORD for a named index (name upper-cased, other characters '_').
function withUvCredentials(url: string, name: string | undefined, input: PythonIndexInput): string {
  if (name === undefined) return url;
  const prefix = `UV_INDEX_${name.replace(/[^A-Za-z0-9]/g, '_').toUpperCase()}_`;
  const user = envValue(input.env, `${prefix}USERNAME`, input.platform);
  const password = envValue(input.env, `${prefix}PASSWORD`, input.platform);
  if (user === undefined && password === undefined) return url;
  const parts = splitAuthority(url);
  if (!parts) return url;
  const current = parts.userinfo !== undefined ? splitUserinfo(parts.userinfo) : { user: '' };
  const u = encodeURIComponent(user ?? current.user);
  const p = password ?? current.password;
  return `${parts.before}${u}${p !== undefined ? `:${encodeURIComponent(p)}` : ''}@${parts.hostAndRest}`;
}

interface Authority {
  before: string; // scheme://
  userinfo?: string; // raw, still percent-encoded
  hostAndRest: string;
}

// Splits at the last '@' of the authority, as both WHATWG URL and urllib do. Leading spaces and any
// run of slashes are allowed because WHATWG URL accepts `https:user:pass@host` and ` https://...`
// too, and a password must be masked however it was written.
function splitAuthority(raw: string): Authority | undefined {
  const m = /^([\x00-\x20]*[A-Za-z][A-Za-z0-9+.-]*:[/\\]*)([^/?#\\]*)/.exec(raw);
  if (!m) return undefined;
  const authority = m[2];
  const at = authority.lastIndexOf('@');
  const rest = raw.slice(m[1].length + authority.length);
  if (at < 0) return { before: m[1], hostAndRest: authority + rest };
  return { before: m[1], userinfo: authority.slice(0, at), hostAndRest: authority.slice(at + 1) + rest };
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

// `user` alone (no ':') has no password: pip then tries .netrc before sending an empty one.
function splitUserinfo(userinfo: string): { user: string; password?: string } {
  const colon = userinfo.indexOf(':');
  return colon < 0 ? { user: decode(userinfo) } : { user: decode(userinfo.slice(0, colon)), password: decode(userinfo.slice(colon + 1)) };
}

/** The URL with its password (or a username-only token) replaced by ****, for messages. */
export function maskUrl(raw: string): string {
  const parts = splitAuthority(raw);
  if (!parts || parts.userinfo === undefined) return raw;
  const colon = parts.userinfo.indexOf(':');
  const shown = colon < 0 ? '****' : `${parts.userinfo.slice(0, colon)}:****`;
  return `${parts.before}${shown}@${parts.hostAndRest}`;
}

function dedupeKey(raw: string): string {
  const parts = splitAuthority(raw);
  const clean = parts ? parts.before.toLowerCase() + parts.hostAndRest : raw;
  try {
    return new URL(clean).href.replace(/\/+$/, '');
  } catch {
    return clean.replace(/\/+$/, '');
  }
}

function isUsableUrl(raw: string): boolean {
  if (/\s/.test(raw)) return false;
  try {
    new URL(raw);
    return true;
  } catch {
    return false;
  }
}

interface Credential {
  origin: string;
  path: string;
  user: string;
  password?: string;
}

function credentialOf(raw: string): Credential[] {
  const parts = splitAuthority(raw);
  if (!parts || parts.userinfo === undefined) return [];
  let url: URL;
  try {
    url = new URL(parts.before + parts.hostAndRest);
  } catch {
    return [];
  }
  return [{ origin: url.origin, path: url.pathname, ...splitUserinfo(parts.userinfo) }];
}

// Python's os.path.commonprefix of two paths, cut back to its last '/' (pip's _get_index_url ranking).
function sharedDirLength(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return a.slice(0, i).lastIndexOf('/');
}

function authorize(url: URL, credentials: Credential[], netrc: Netrc | undefined): string | undefined {
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  const withSlash = (p: string) => p.replace(/\/+$/, '') + '/';
  const target = withSlash(url.pathname);
  let best: Credential | undefined;
  let bestLength = -2;
  for (const c of credentials) {
    if (c.origin !== url.origin) continue;
    const length = sharedDirLength(target, withSlash(c.path));
    if (length > bestLength) [best, bestLength] = [c, length];
  }
  if (best?.password !== undefined) return basicAuth(best.user, best.password);
  const fromNetrc = netrc ? netrcCredentials(netrc, url.hostname) : undefined;
  if (fromNetrc) return basicAuth(fromNetrc.user, fromNetrc.password);
  return best ? basicAuth(best.user, '') : undefined;
}

async function loadNetrc(input: PythonIndexInput, warnings: string[]): Promise<{ path: string; netrc: Netrc } | undefined> {
  const env = input.platform === 'win32' ? { ...input.env, NETRC: envValue(input.env, 'NETRC', 'win32') } : input.env;
  for (const path of netrcCandidates(env, homeDir(input), input.platform)) {
    let text: string | undefined;
    try {
      text = await input.readFile(path);
    } catch {
      text = undefined;
    }
    if (text === undefined) continue;
    // requests uses the first file that exists, even one it then cannot parse.
    const parsed = parseNetrc(text);
    if (parsed.ok) return { path, netrc: parsed.netrc };
    warnings.push(`${path} cannot be parsed (line ${parsed.line}: ${parsed.error}), so pip and Pinsight use none of its credentials.`);
    return undefined;
  }
  return undefined;
}

function describeConfig(state: {
  indexes: PythonIndex[];
  hasPrimary: boolean;
  explicit: PythonIndex[];
  trustedHosts: string[];
  noIndex?: string;
  pip: PipConfig;
  netrc?: { path: string; netrc: Netrc };
  warnings: string[];
  tls: string[];
}): string[] {
  const lines: string[] = [];
  if (state.noIndex !== undefined) {
    const rest = state.indexes.length > 0 ? 'Pinsight uses only the indexes in its own settings' : 'Pinsight consults no package index';
    lines.push(`Package indexes are turned off by ${state.noIndex}; ${rest}.`);
  }
  state.indexes.forEach((ix, i) => {
    const role = i === 0 && state.hasPrimary ? 'Index' : 'Extra index';
    lines.push(`${role}: ${maskUrl(ix.url)} (from ${ix.source})`);
  });
  for (const ix of state.explicit) lines.push(`Explicit uv index ${maskUrl(ix.url)} (from ${ix.source}) serves only packages pinned to it in [tool.uv.sources].`);
  if (state.trustedHosts.length > 0) lines.push(`Trusted hosts (plain http allowed): ${state.trustedHosts.join(', ')}`);
  lines.push(...state.tls);
  if (state.pip.files.length > 0) lines.push(`pip configuration read from: ${state.pip.files.join(', ')}`);
  if (state.netrc) {
    const machines = [...state.netrc.netrc.machines.keys()];
    const what = [machines.length > 0 ? `machines ${machines.join(', ')}` : 'no machines', ...(state.netrc.netrc.default ? ['a default entry'] : [])].join(' and ');
    lines.push(`Credentials file ${state.netrc.path}: ${what}.`);
  }
  for (const w of state.warnings) lines.push(`Warning: ${w}`);
  return lines;
}
