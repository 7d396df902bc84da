// The npm client: one package's packument (every version's dependency fields and dist-tags) from
// the registry npm itself would ask — the package's scope registry, else the default — as the
// abbreviated install document npm downloads, read defensively since registries vary.

import type { FetchOptions, FetchResult } from '../../http/registryHttp';
import { registryForPackage, type NpmRegistryConfig } from './npmrc';
import { redactUrl } from '../../http/httpSupport';
import { RegistryError } from '../../http/types';

/** The part of RegistryHttp this client uses; structural so that tests can pass a stand-in. */
export interface NpmHttp {
  fetch(url: string, options: FetchOptions): Promise<FetchResult>;
  /** Drops a cached answer (RegistryHttp has it; a stand-in may not). */
  invalidate?(url: string, options?: Pick<FetchOptions, 'accept' | 'registry'>): Promise<void>;
}

export interface NpmVersion {
  version: string;
  dependencies: Record<string, string>;
  optionalDependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
  peerDependenciesMeta: Record<string, { optional?: boolean }>;
  engines?: Record<string, string>;
  /** The deprecation message; absent when the version is not deprecated. */
  deprecated?: string;
}

export interface NpmPackument {
  name: string;
  distTags: Record<string, string>;
  /** In the registry's order (publication order on registry.npmjs.org). Shared between callers: read-only. */
  versions: Map<string, NpmVersion>;
  modified?: string;
  /** The registry base URL it came from, credentials removed. */
  registry: string;
  /** Served from cache because the registry was unreachable. */
  stale: boolean;
}

/** What npm sends for installs: the abbreviated ("corgi") document, else the full one. */
export const NPM_ABBREVIATED_ACCEPT = 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*';

// Old packages allow capitals and a few punctuation marks; anything else (spaces, `..`, `%`, extra
// slashes) cannot be a package on any registry and must not become part of a URL path.
const NAME = /^(?:@[A-Za-z0-9._~!*'()-]+\/)?[A-Za-z0-9._~!*'()-]+$/;

/** True for a name npm could look up (new or legacy naming rules). */
export function isValidPackageName(name: string): boolean {
  if (!NAME.test(name) || name.length > 214) return false;
  const last = name.slice(name.lastIndexOf('/') + 1);
  return !last.startsWith('.') && !name.startsWith('.') && last !== '';
}

/** `@scope/name` -> `@scope%2fname`, as npm-package-arg's escapedName; unscoped names unchanged. */
export function escapePackageName(name: string): string {
  return name.startsWith('@') ? name.replace('/', '%2f') : name;
}

/** A registry URL without credentials, query or fragment, for messages and results. */
export function displayRegistry(registry: string): string {
  return redactUrl(registry) ?? '(an invalid registry URL)';
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// Dependency maps: string values only. Some 2011-era documents list dependencies as an array of
// names; npm's normalisation reads those as `*`.
function stringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (Array.isArray(value)) {
    for (const name of value) if (typeof name === 'string' && name !== '') out[name] = '*';
  } else if (isObject(value)) {
    for (const [key, v] of Object.entries(value)) if (typeof v === 'string') out[key] = v;
  }
  return out;
}

function peerMeta(value: unknown): Record<string, { optional?: boolean }> {
  const out: Record<string, { optional?: boolean }> = {};
  if (!isObject(value)) return out;
  for (const [name, meta] of Object.entries(value)) {
    if (isObject(meta)) out[name] = typeof meta.optional === 'boolean' ? { optional: meta.optional } : {};
  }
  return out;
}

function toVersion(version: string, raw: Json): NpmVersion {
  const entry: NpmVersion = {
    version,
    dependencies: stringMap(raw.dependencies),
    optionalDependencies: stringMap(raw.optionalDependencies),
    peerDependencies: stringMap(raw.peerDependencies),
    peerDependenciesMeta: peerMeta(raw.peerDependenciesMeta),
  };
  // engines was once an array of strings ("node >= 0.4"); npm ignores that form, and so do we.
  if (isObject(raw.engines)) entry.engines = stringMap(raw.engines);
  // `npm deprecate pkg ""` un-deprecates by writing an empty string.
  if (typeof raw.deprecated === 'string' && raw.deprecated !== '') entry.deprecated = raw.deprecated;
  else if (raw.deprecated === true) entry.deprecated = 'This version is deprecated.';
  return entry;
}

/** Reads a packument body (abbreviated or full); throws RegistryError('malformed') when it is not one. */
export function parsePackument(body: Uint8Array | string, name: string, registry: string): Omit<NpmPackument, 'stale'> {
  const malformed = (detail: string) => new RegistryError('malformed', registry, `${registry} sent package data for "${name}" that Pinsight cannot read: ${detail}.`);
  let doc: unknown;
  try {
    doc = JSON.parse(typeof body === 'string' ? body : new TextDecoder().decode(body));
  } catch (error) {
    throw malformed(`it is not valid JSON (${(error as Error).message})`);
  }
  if (!isObject(doc)) throw malformed('it is not a JSON object');
  if (doc.name !== undefined && doc.name !== name) throw malformed(`it describes "${String(doc.name)}"`);
  if (!isObject(doc.versions)) throw malformed('it has no "versions" object');
  const versions = new Map<string, NpmVersion>();
  for (const [version, raw] of Object.entries(doc.versions)) {
    if (isObject(raw)) versions.set(version, toVersion(version, raw));
  }
  const distTags = stringMap(doc['dist-tags']);
  const time = isObject(doc.time) ? doc.time : {};
  const modified = typeof doc.modified === 'string' ? doc.modified : typeof time.modified === 'string' ? time.modified : undefined;
  return modified === undefined ? { name, distTags, versions, registry } : { name, distTags, versions, modified, registry };
}

/** Fetches packuments from the registry npm would use for each package. Credentials are the RegistryHttp's `authorization` (wire it to config.authorization). */
export class NpmClient {
  // The memory cache hands back the same body object on a hit; parsing a large packument once per
  // body, not once per call, keeps repeated lookups cheap.
  private readonly parsed = new WeakMap<Uint8Array, Omit<NpmPackument, 'stale'>>();

  constructor(
    private readonly http: NpmHttp,
    private readonly config: Pick<NpmRegistryConfig, 'defaultRegistry' | 'scopes' | 'connection'>,
  ) {}

  /** The registry that serves this package, credentials removed (for messages and grouping). */
  registryFor(name: string): string {
    return displayRegistry(registryForPackage(this.config, name));
  }

  private parse(result: FetchResult, name: string, registry: string): Omit<NpmPackument, 'stale'> {
    if (result.status === 404) {
      throw new RegistryError('not-found', registry, `No package named "${name}" was found on ${registry}.`, 404);
    }
    if (result.status !== 200) throw statusError(result.status, name, registry);
    let packument = this.parsed.get(result.body);
    if (!packument) {
      packument = parsePackument(result.body, name, registry);
      this.parsed.set(result.body, packument);
    }
    return packument;
  }

  /** One package's packument; throws RegistryError (not-found, malformed, http, unreachable, offline, aborted, too-large). */
  async getPackument(name: string, signal?: AbortSignal): Promise<NpmPackument> {
    // As configured: URL userinfo, if any, is the http layer's to turn into Basic auth for that origin.
    const base = registryForPackage(this.config, name);
    const registry = displayRegistry(base);
    if (!isValidPackageName(name)) {
      throw new RegistryError('not-found', registry, `"${name}" is not a valid npm package name, so no registry can have it.`);
    }
    const url = `${base.replace(/\/+$/, '')}/${escapePackageName(name)}`;
    const connection = this.config.connection;
    const fetchOnce = () => this.http.fetch(url, { accept: NPM_ABBREVIATED_ACCEPT, cache: 'ttl', signal, registry, ...(connection ? { connection } : {}) });
    let result = await fetchOnce();
    let packument: Omit<NpmPackument, 'stale'>;
    try {
      packument = this.parse(result, name, registry);
    } catch (error) {
      // A broken body can sit in the cache (it is stored before anyone parses it): ask once more.
      if (!(error instanceof RegistryError) || error.kind !== 'malformed' || !result.fromCache || !this.http.invalidate) throw error;
      await this.http.invalidate(url, { accept: NPM_ABBREVIATED_ACCEPT, registry });
      result = await fetchOnce();
      packument = this.parse(result, name, registry);
    }
    return { ...packument, stale: result.stale };
  }
}

function statusError(status: number, name: string, registry: string): RegistryError {
  const hint =
    status === 401 || status === 403
      ? ` Check the auth token for ${registry} in your .npmrc (a line like //host/:_authToken=...).`
      : '';
  return new RegistryError('http', registry, `${registry} answered HTTP ${status} for "${name}".${hint}`, status);
}
