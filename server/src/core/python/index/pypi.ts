// The PyPI client: version lists from simple-API indexes (PEP 691 JSON, else PEP 503 HTML, merged
// across indexes as pip merges --index-url and --extra-index-url) and one version's dependency
// metadata, by the cheapest route the index offers: a PEP 658 `.metadata` file, PyPI's JSON API, or
// METADATA read out of the wheel with range requests. It never builds an sdist.

import type { Connection } from '../../http/connection';
import { normalizeName } from '../versions/pep508';
import { formatVersion, parseVersion } from '../versions/pep440';
import { extrasFromRequirements, parseCoreMetadata } from './coreMetadata';
import { parseHtmlPage, parseJsonPage, SimpleIndexError, type PypiFile, type SimplePage } from './simpleIndex';
import type { CachePolicy, FetchOptions, FetchResult, ReadPriority } from '../../http/registryHttp';
import { redactUrl } from '../../http/httpSupport';
import { RegistryError } from '../../http/types';
import { readWheelMetadata, WheelError, type ByteRange, type RangeChunk } from './wheelZip';

export type { PypiFile } from './simpleIndex';

/** The part of RegistryHttp this client uses; structural so that tests can pass a stand-in. */
export interface PypiHttp {
  fetch(url: string, options: FetchOptions): Promise<FetchResult>;
  /** Drops a cached answer (RegistryHttp has it; a stand-in may not). */
  invalidate?(url: string, options?: Pick<FetchOptions, 'accept' | 'range' | 'headers' | 'registry'>): Promise<void>;
  /** Requests sent to the network so far (RegistryHttp counts them; a stand-in may not). */
  readonly stats?: { readonly requests: number };
}

export interface PypiVersion {
  /** Every file of this version on every index, primary index first. Empty when PEP 700 lists a version with no files left. */
  files: PypiFile[];
  /** PEP 592: true when every file is yanked. */
  yanked: boolean;
  yankedReason?: string;
  /** Requires-Python of the file Pinsight would read metadata from (files may differ; each keeps its own). */
  requiresPython?: string;
}

export interface PypiProject {
  /** The name as the caller asked for it. */
  name: string;
  normalized: string;
  /** Keyed by the version as the index lists it; equal versions spelled differently are merged. */
  versions: Map<string, PypiVersion>;
  /** The first index that has the project (credentials removed). */
  index: string;
  /** Some page came from the cache because its index was unreachable. */
  stale: boolean;
  /** PEP 792 project status from the first index that gave one. */
  status?: { status: string; reason?: string };
  /** Indexes that failed while another answered (pip warns and carries on; so do we). */
  errors: RegistryError[];
}

export type PypiMetadata =
  | { kind: 'known'; requiresDist: string[]; requiresPython?: string; providesExtra: string[]; source: 'metadata-file' | 'json-api' | 'wheel-range' }
  | { kind: 'unknown'; reason: string };

export interface PypiClientOptions {
  /** Base URL of a PyPI-style JSON API (`<base>/pypi/<name>/<version>/json`) for the primary index; set for pypi.org automatically. */
  jsonApiBase?: string;
  /** Trust, client certificate and proxy from pip's configuration, sent with every request. */
  connection?: Connection;
  /** Parsed answers shared with other clients over the same RegistryHttp (see ParsedBodies). */
  parsed?: ParsedBodies;
}

/**
 * Parsed forms keyed by the response body. RegistryHttp's memory cache returns the same body object
 * for every hit, so a warm lookup skips parsing (the bench showed parsing, not I/O, dominating warm
 * runs). One instance serves every client of a registry stack: each manifest tree has its own client
 * (its credentials), and 50 open manifests would otherwise hold 50 parsed copies of each page. An
 * entry is used only for the same URL and reader (`stamp`), so a body never stands for another request.
 */
export class ParsedBodies {
  readonly pages = new WeakMap<Uint8Array, { stamp: string; page: SimplePage }>();
  readonly merged = new WeakMap<SimplePage, { others: SimplePage[]; versions: Map<string, PypiVersion> }>();
  readonly metadata = new WeakMap<Uint8Array, { stamp: string; metadata: PypiMetadata }>();
  /** How many bodies were parsed (not found here): what tests count. */
  parses = 0;
}

interface Index {
  base: string; // with a trailing slash, as given (credentials are http's business)
  display: string; // without credentials, for messages
  origin: string;
  userinfo?: string; // `user:pass@` from the index URL, for files on the same origin
}

function toIndex(url: string): Index {
  const index: Index = { base: url.replace(/\/*$/, '/'), display: displayIndex(url), origin: '' };
  try {
    const u = new URL(url);
    index.origin = u.origin;
    if (u.username || u.password) index.userinfo = `${u.username}:${u.password}@`;
  } catch {
    // An invalid URL fails on its first request, with http's message.
  }
  return index;
}

// JSON first, HTML as the fallback an older index answers with (the q-values uv and pip send).
const ACCEPT = 'application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01';
const PYPI_HOSTS: Record<string, string> = { 'pypi.org': 'https://pypi.org', 'test.pypi.org': 'https://test.pypi.org', 'pypi.python.org': 'https://pypi.org' };

/** An index URL without credentials, query or trailing slash, for messages. */
export function displayIndex(url: string): string {
  return redactUrl(url)?.replace(/\/+$/, '') ?? '(an invalid index URL)';
}

const N = '(?:0|[1-9][0-9]{0,15})';
// A version already in PEP 440's normal form, without epoch or local part: release, then optionally
// a pre-release, a post-release and a dev-release, spelled as normalisation spells them.
const NORMAL_FORM = new RegExp(`^${N}(?:\\.${N})*(?:(?:a|b|rc)${N})?(?:\\.post${N})?(?:\\.dev${N})?$`);

/** Equal versions get equal keys: normalised, and trailing `.0`s dropped (1.0 == 1.0.0 in PEP 440). */
export function canonicalVersion(text: string): string | undefined {
  // Most listed versions are already in normal form ("2.15.3", "2.0.0b3") and need no parse (the
  // warm profile's largest version cost); anything else is parsed and normalised.
  let normal = text;
  if (!NORMAL_FORM.test(text)) {
    const v = parseVersion(text);
    if (!v) return undefined;
    normal = formatVersion(v);
  }
  const m = /^(\d+!)?(\d+(?:\.\d+)*)(.*)$/s.exec(normal);
  return m ? `${m[1] ?? ''}${m[2].replace(/(\.0+)+$/, '')}${m[3]}` : normal;
}

type Fetcher = (url: string, options: Omit<FetchOptions, 'cache'>) => Promise<FetchResult>;
type ReadOptions = Pick<FetchOptions, 'signal' | 'deadline' | 'priority'>;

// Pinsight reads one wheel's metadata; a pure-Python wheel is the one every platform would agree on.
function wheelRank(file: PypiFile): number {
  const tags = file.tags ?? '';
  if (/(^|\.)py3(\.|-)/.test(tags) && tags.endsWith('-none-any')) return 0;
  return tags.endsWith('-none-any') ? 1 : 2;
}

function preferredWheels(files: PypiFile[]): PypiFile[] {
  return files.filter((f) => f.kind === 'wheel').sort((a, b) => wheelRank(a) - wheelRank(b));
}

/** Merges project pages from several indexes into one version map, as pip pools their candidates. */
export function mergePages(pages: SimplePage[]): Map<string, PypiVersion> {
  const versions = new Map<string, PypiVersion>();
  const keyOf = new Map<string, string>(); // canonical -> listed key
  // Every file of a version names it: the canonical form is worked out once per spelling.
  const canonicalOf = new Map<string, string | undefined>();
  const entryFor = (listed: string): PypiVersion | undefined => {
    let canonical = canonicalOf.get(listed);
    if (canonical === undefined && !canonicalOf.has(listed)) canonicalOf.set(listed, (canonical = canonicalVersion(listed)));
    if (canonical === undefined) return undefined; // not PEP 440: pip >= 24.1 ignores such files too
    const key = keyOf.get(canonical) ?? listed;
    keyOf.set(canonical, key);
    if (!versions.has(key)) versions.set(key, { files: [], yanked: false });
    return versions.get(key);
  };
  for (const page of pages) for (const v of page.versions ?? []) entryFor(v);
  for (const page of pages) for (const file of page.files) entryFor(file.version)?.files.push(file);
  for (const entry of versions.values()) {
    entry.yanked = entry.files.length > 0 && entry.files.every((f) => f.yanked);
    if (entry.yanked) entry.yankedReason = entry.files.find((f) => f.yankedReason)?.yankedReason;
    entry.requiresPython = preferredWheels(entry.files)[0]?.requiresPython ?? entry.files.find((f) => f.requiresPython)?.requiresPython;
  }
  return versions;
}

const decodeUtf8 = (body: Uint8Array, fatal: boolean) => new TextDecoder('utf-8', { fatal }).decode(body);

/** Reads projects and their dependency metadata from one or more simple-API indexes. */
export class PypiClient {
  private readonly indexes: Index[];
  private readonly parsed: ParsedBodies;

  constructor(
    private readonly http: PypiHttp,
    indexes: { url: string }[],
    private readonly options: PypiClientOptions = {},
  ) {
    if (indexes.length === 0) throw new Error('PypiClient needs at least one index');
    this.indexes = indexes.map(({ url }) => toIndex(url));
    this.parsed = options.parsed ?? new ParsedBodies();
  }

  /**
   * The project's versions and files on all indexes; throws RegistryError ('not-found' when no index
   * has it). `deadline` (clock ms) bounds the requests' attempts and retries (FetchOptions.deadline);
   * `priority` is FetchOptions.priority (read-ahead).
   */
  async getProject(name: string, signal?: AbortSignal, deadline?: number, priority?: ReadPriority): Promise<PypiProject> {
    const normalized = normalizeName(name);
    const settled = await Promise.allSettled(this.indexes.map((index) => this.cachedRead('ttl', (fetch) => this.readPage(fetch, index, name, normalized, { signal, deadline, priority }))));
    const found: Array<{ index: Index; page: SimplePage; stale: boolean }> = [];
    const errors: RegistryError[] = [];
    for (const [i, result] of settled.entries()) {
      if (result.status === 'fulfilled') {
        if (result.value) found.push({ index: this.indexes[i], ...result.value });
      } else if (result.reason instanceof RegistryError && result.reason.kind !== 'aborted') errors.push(result.reason);
      else throw result.reason;
    }
    if (found.length === 0) {
      if (errors.length > 0) throw errors[0];
      throw new RegistryError('not-found', this.indexes[0].display, `No project named "${name}" was found on ${this.indexes.map((x) => x.display).join(' or ')}.`, 404);
    }
    return {
      name,
      normalized,
      versions: this.mergeCached(found.map((f) => f.page)),
      index: found[0].index.display,
      stale: found.some((f) => f.stale),
      status: found.find((f) => f.page.status)?.page.status,
      errors,
    };
  }

  // The merged version map is shared while every index answers with the same pages (read-only).
  private mergeCached(pages: SimplePage[]): Map<string, PypiVersion> {
    const hit = this.parsed.merged.get(pages[0]);
    if (hit && hit.others.length === pages.length - 1 && hit.others.every((p, i) => p === pages[i + 1])) return hit.versions;
    const versions = mergePages(pages);
    this.parsed.merged.set(pages[0], { others: pages.slice(1), versions });
    return versions;
  }

  // One project page: undefined when this index does not have the project.
  private async readPage(fetch: Fetcher, index: Index, name: string, normalized: string, read: ReadOptions): Promise<{ page: SimplePage; stale: boolean } | undefined> {
    const result = await fetch(`${index.base}${encodeURIComponent(normalized)}/`, { accept: ACCEPT, ...read, registry: index.display });
    if (result.status === 404 || result.status === 410) return undefined;
    if (result.status !== 200) throw httpError(index.display, result.status, `the project page for "${name}"`);
    const type = (result.headers['content-type'] ?? '').toLowerCase();
    const stamp = `${result.url}\u0000${normalized}\u0000${index.display}\u0000${type}`;
    const parsed = this.parsed.pages.get(result.body);
    if (parsed?.stamp === stamp) return { page: parsed.page, stale: result.stale };
    this.parsed.parses++;
    const malformed = (detail: string) => new RegistryError('malformed', index.display, `${index.display} sent a project page for "${name}" that Pinsight cannot read: ${detail}.`);
    let text: string;
    try {
      text = decodeUtf8(result.body, true);
    } catch {
      throw malformed('it is not UTF-8 text');
    }
    const isJson = /^application\/(vnd\.pypi\.simple\.v\d+\+)?json\b/.test(type) || (type === '' && text.trimStart().startsWith('{'));
    try {
      const page = isJson ? parseJsonPage(text, result.url, normalized, index.display) : parseHtmlPage(text, result.url, normalized, index.display);
      this.parsed.pages.set(result.body, { stamp, page });
      return { page, stale: result.stale };
    } catch (error) {
      if (error instanceof SimpleIndexError) throw malformed(error.message);
      throw error;
    }
  }

  /** Dependency metadata of one version, with one request on the usual path; 'unknown' when only sdists exist. */
  async getMetadata(project: PypiProject, version: string, signal?: AbortSignal, deadline?: number, priority?: ReadPriority): Promise<PypiMetadata> {
    const entry = this.findVersion(project, version);
    const wheels = preferredWheels(entry.files);
    if (wheels.length === 0) {
      const reason = entry.files.length > 0 ? 'only an sdist is published; Pinsight does not build sdists' : 'no files are published for this version';
      return { kind: 'unknown', reason };
    }
    const read: ReadOptions = { signal, deadline, priority };
    const described = wheels.find((f) => f.metadata);
    if (described) {
      const found = await this.cachedRead('immutable', (fetch) => this.fromMetadataFile(fetch, project, version, described, read));
      if (found) return found;
    }
    const apiBase = this.jsonApiBase(wheels[0].index);
    if (apiBase) {
      const found = await this.cachedRead('immutable', (fetch) => this.fromJsonApi(fetch, apiBase, project, version, wheels[0].index, read));
      if (found) return found;
    }
    return this.cachedRead('immutable', (fetch) => this.fromWheelRange(fetch, project, version, wheels[0], read));
  }

  // A body is cached before anyone parses it, so a broken one can sit in the cache: when what failed
  // to parse came from there, drop those entries and read once more from the registry.
  private async cachedRead<T>(cache: CachePolicy, read: (fetch: Fetcher) => Promise<T>): Promise<T> {
    let fromCache = false;
    const fetched: Array<[string, Omit<FetchOptions, 'cache'>]> = [];
    const fetcher =
      (policy: CachePolicy): Fetcher =>
      async (url, options) => {
        const result = await this.http.fetch(url, { ...options, cache: policy, ...(this.options.connection ? { connection: this.options.connection } : {}) });
        fromCache ||= result.fromCache;
        fetched.push([url, options]);
        return result;
      };
    try {
      return await read(fetcher(cache));
    } catch (error) {
      if (!(error instanceof RegistryError) || error.kind !== 'malformed' || !fromCache) throw error;
      if (!this.http.invalidate) return read(fetcher('none'));
      await Promise.all(fetched.map(([url, options]) => this.http.invalidate!(url, options)));
      return read(fetcher(cache));
    }
  }

  // As pip does: files on an index's own origin get that index's URL credentials (file URLs never
  // carry them, so they cannot leak into messages); http sends them to that origin only.
  private withCredentials(url: string): string {
    for (const index of this.indexes) {
      if (index.userinfo && url.startsWith(`${index.origin}/`)) return index.origin.replace('://', `://${index.userinfo}`) + url.slice(index.origin.length);
    }
    return url;
  }

  /** Requests this client's HTTP stack has sent to the network so far; undefined when it does not count them. */
  requestsSent(): number | undefined {
    return this.http.stats?.requests;
  }

  /** The entry of one version (equal spellings match); throws RegistryError when the index lists none. */
  findVersion(project: PypiProject, version: string): PypiVersion {
    const direct = project.versions.get(version);
    if (direct) return direct;
    const canonical = canonicalVersion(version);
    for (const [listed, entry] of project.versions) if (canonical !== undefined && canonicalVersion(listed) === canonical) return entry;
    throw new RegistryError('not-found', project.index, `${project.index} lists no version ${version} of "${project.name}".`, 404);
  }

  private jsonApiBase(fileIndex: string): string | undefined {
    if (this.options.jsonApiBase && fileIndex === this.indexes[0].display) return this.options.jsonApiBase.replace(/\/+$/, '');
    try {
      return PYPI_HOSTS[new URL(fileIndex).hostname];
    } catch {
      return undefined;
    }
  }

  // PEP 658 / 714: `<file url>.metadata`; undefined when the index claimed one but has none.
  private async fromMetadataFile(fetch: Fetcher, project: PypiProject, version: string, file: PypiFile, read: ReadOptions): Promise<PypiMetadata | undefined> {
    const result = await fetch(this.withCredentials(`${file.url}.metadata`), { ...read, registry: file.index });
    if (result.status === 404) return undefined;
    if (result.status !== 200) throw httpError(file.index, result.status, `the metadata file of ${file.filename}`);
    const stamp = `${result.url}\u0000${project.normalized}\u0000${version}\u0000${file.filename}\u0000${file.index}`;
    const cached = this.parsed.metadata.get(result.body);
    if (cached?.stamp === stamp) return cached.metadata;
    this.parsed.parses++;
    const metadata = this.fromMetadataText(project, version, file, decodeUtf8(result.body, false), 'metadata-file');
    this.parsed.metadata.set(result.body, { stamp, metadata });
    return metadata;
  }

  private fromMetadataText(project: PypiProject, version: string, file: PypiFile, text: string, source: 'metadata-file' | 'wheel-range'): PypiMetadata {
    const metadata = parseCoreMetadata(text);
    const where = source === 'metadata-file' ? `The metadata file of ${file.filename}` : `The METADATA inside ${file.filename}`;
    if (!metadata) throw new RegistryError('malformed', file.index, `${where} on ${file.index} is not core metadata (no Metadata-Version header).`);
    // pip refuses metadata that names another project or version; so do we.
    if (metadata.name !== undefined && normalizeName(metadata.name) !== project.normalized) {
      throw new RegistryError('malformed', file.index, `${where} on ${file.index} names project "${metadata.name}", not "${project.name}".`);
    }
    if (metadata.version !== undefined && canonicalVersion(metadata.version) !== canonicalVersion(version)) {
      throw new RegistryError('malformed', file.index, `${where} on ${file.index} says version ${metadata.version}, not ${version}.`);
    }
    return { kind: 'known', requiresDist: metadata.requiresDist, requiresPython: metadata.requiresPython, providesExtra: metadata.providesExtra, source };
  }

  // PyPI's JSON API for one release; undefined on 404 so the wheel itself can be read instead.
  private async fromJsonApi(fetch: Fetcher, base: string, project: PypiProject, version: string, index: string, read: ReadOptions): Promise<PypiMetadata | undefined> {
    const url = `${base}/pypi/${encodeURIComponent(project.normalized)}/${encodeURIComponent(version)}/json`;
    const result = await fetch(url, { accept: 'application/json', ...read, registry: index });
    if (result.status === 404) return undefined;
    if (result.status !== 200) throw httpError(index, result.status, `the JSON API entry for ${project.name} ${version}`);
    let info: { requires_dist?: unknown; requires_python?: unknown; provides_extra?: unknown };
    try {
      info = (JSON.parse(decodeUtf8(result.body, true)) as { info: typeof info }).info;
      if (!info || typeof info !== 'object') throw new Error('no "info" object');
      if (info.requires_dist != null && !(Array.isArray(info.requires_dist) && info.requires_dist.every((r) => typeof r === 'string'))) throw new Error('"requires_dist" is not a list of strings');
    } catch (error) {
      throw new RegistryError('malformed', index, `The JSON API answer for ${project.name} ${version} from ${displayIndex(base)} cannot be read: ${(error as Error).message}.`);
    }
    // null means "none recorded": PyPI fills it from the first uploaded file, a wheel here.
    const requiresDist = (info.requires_dist as string[] | null | undefined) ?? [];
    const extras = Array.isArray(info.provides_extra) ? info.provides_extra.filter((e): e is string => typeof e === 'string') : extrasFromRequirements(requiresDist);
    const requiresPython = typeof info.requires_python === 'string' && info.requires_python ? info.requires_python : undefined;
    return { kind: 'known', requiresDist, requiresPython, providesExtra: extras, source: 'json-api' };
  }

  /**
   * Byte ranges of one wheel, each answer cached as immutable (the cache key holds the range);
   * `onRead` sees every answer's size and whether it came over the network. A server that ignores
   * Range answers with the whole file, which is used as it is.
   */
  wheelRangeReader(file: PypiFile, options: ReadOptions & { onRead?: (bytes: number, fromNetwork: boolean) => void } = {}): (range: ByteRange, maxBytes?: number) => Promise<RangeChunk> {
    const { onRead, ...read } = options;
    // A server that ignores Range sends the whole file: `maxBytes` stops reading it past the caller's budget.
    return (range, maxBytes) => {
      const fetch: Fetcher = (url, fetchOptions) =>
        this.http.fetch(url, { ...fetchOptions, cache: 'immutable', ...(maxBytes !== undefined ? { maxBytes: Math.max(1, maxBytes) } : {}), ...(this.options.connection ? { connection: this.options.connection } : {}) });
      return this.rangeReader(fetch, file, read, onRead)(range);
    };
  }

  private rangeReader(fetch: Fetcher, file: PypiFile, options: ReadOptions, onRead?: (bytes: number, fromNetwork: boolean) => void) {
    return async (range: ByteRange): Promise<RangeChunk> => {
      const result = await fetch(this.withCredentials(file.url), { range, ...options, registry: file.index });
      onRead?.(result.body.length, !result.fromCache);
      if (result.status === 200) return { bytes: result.body, start: 0, total: result.body.length };
      if (result.status !== 206) throw httpError(file.index, result.status, `a byte range of ${file.filename}`);
      const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec((result.headers['content-range'] ?? '').trim());
      if (!m || Number(m[2]) - Number(m[1]) + 1 !== result.body.length) throw new WheelError('the server sent a partial answer without a usable Content-Range');
      return { bytes: result.body, start: Number(m[1]), total: Number(m[3]) };
    };
  }

  // METADATA out of the wheel through range reads (a full 200 answer is used as it is).
  private async fromWheelRange(fetch: Fetcher, project: PypiProject, version: string, file: PypiFile, options: ReadOptions): Promise<PypiMetadata> {
    const read = this.rangeReader(fetch, file, options);
    let bytes: Uint8Array;
    try {
      bytes = await readWheelMetadata(read);
    } catch (error) {
      if (error instanceof WheelError) throw new RegistryError('malformed', file.index, `${file.filename} on ${file.index} cannot be read as a wheel: ${error.message}.`);
      throw error;
    }
    return this.fromMetadataText(project, version, file, decodeUtf8(bytes, false), 'wheel-range');
  }
}

function httpError(registry: string, status: number, what: string): RegistryError {
  const hint = status === 401 || status === 403 ? ' Check the credentials configured for this index.' : '';
  return new RegistryError('http', registry, `${registry} answered HTTP ${status} for ${what}.${hint}`, status);
}
