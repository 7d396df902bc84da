// The registry HTTP client: every PyPI and npm request goes through here. It adds what a plain
// transport lacks — per-host concurrency, request coalescing, retries, redirects with credentials
// scoped to their host, a two-level cache with revalidation, offline mode and stale-on-outage — using
// only the injected Transport, Clock and CacheStore, so the same code runs in the server, the CLI
// and tests with a fake clock.

import { rememberAuthorization } from '../redact';
import { EntryCache, hashString, type CacheEntry } from './cache';
import type { Connection } from './connection';
import {
  HostLimiter,
  abortedError,
  backoffDelay,
  deadlineError,
  isOutage,
  lowerCaseHeaders,
  parseRetryAfter,
  redirectTarget,
  registryOf,
  storable,
  stripCredentials,
  unreachableError,
  validatorsOf,
  withCause,
} from './httpSupport';
import { RegistryError, TransportError, type CacheStore, type Clock, type HttpResponse, type Transport, type TransportErrorKind } from './types';

export { registryOf } from './httpSupport';

export type CachePolicy = 'ttl' | 'immutable' | 'none';

export interface FetchOptions {
  /** Accept header. */
  accept?: string;
  /** 'ttl': fresh for ttlMs then revalidated; 'immutable': never revalidated once cached; 'none': not cached. */
  cache: CachePolicy;
  signal?: AbortSignal;
  maxBytes?: number;
  /** HTTP Range; the cache key includes it, so a partial body never stands in for the full one. */
  range?: { start: number; end: number } | { suffix: number };
  headers?: Record<string, string>;
  /** The registry to name in errors; defaults to registryOf(url). */
  registry?: string;
  /**
   * Clock time (ms) by which the caller needs an answer (a check's time limit): each attempt's
   * timeout is cut to fit, and no retry waits past it. Callers sharing a request get the latest.
   */
  deadline?: number;
  /** The asking wing's trust, client certificate and proxy (pip.conf, .npmrc); undefined: the host's defaults. */
  connection?: Connection;
  /**
   * Credentials for this request (one configuration scope's, see CredentialSources.forScope), in
   * place of RegistryHttpOptions.authorization; applied per hop like it.
   */
  authorization?: (url: URL) => string | undefined;
  /** How much the caller needs it now (read-ahead); absent: a caller awaits it. */
  priority?: ReadPriority;
}

/**
 * A read's urgency, which its owner may raise while the read waits: read-ahead starts one with
 * `urgent: false` and sets it when a caller comes to await the read. At the per-host limit, a
 * queued urgent read takes the next free slot before reads ahead.
 */
export interface ReadPriority {
  urgent: boolean;
}

export interface FetchResult {
  status: number;
  /** Lowercased. */
  headers: Record<string, string>;
  /** Shared between coalesced callers and the memory cache: treat as read-only. */
  body: Uint8Array;
  /** Final URL after redirects (never with credentials). */
  url: string;
  fromCache: boolean;
  /** Served from cache because the registry was unreachable or offline mode is on. */
  stale: boolean;
}

export interface RegistryHttpOptions {
  transport: Transport;
  clock: Clock;
  store?: CacheStore;
  maxConcurrentPerHost?: number;
  ttlMs?: number;
  connectTimeoutMs?: number;
  /** One attempt, connect to last byte: a slow drip cannot extend it (default 15 s, pip's timeout). */
  totalTimeoutMs?: number;
  /** Retries after the first attempt, on 5xx, 429, reset and timeout. */
  retries?: number;
  maxBytes?: number;
  /** Serve only from cache; a miss throws RegistryError('offline'). */
  offline?: boolean;
  /** Authorization header value for a URL, or undefined. Applied per request URL, after every redirect, so credentials never reach another host. */
  authorization?: (url: URL) => string | undefined;
  userAgent?: string;
  memoryEntries?: number;
  /** In-memory LRU bound on body bytes (default 64 MiB). */
  memoryBytes?: number;
  /** Disk cache bound; least recently written entries are evicted first. */
  maxStoreBytes?: number;
  /** A native CRC-32 (IEEE) for the store's entry checksums; the core's own otherwise. */
  checksum?: (bytes: Uint8Array) => number;
  /** Backoff base: attempt n waits uniformly in [0, min(retryMaxDelayMs, base * 2^n)). Default 500 ms. */
  retryBaseDelayMs?: number;
  /** Default 10 s. */
  retryMaxDelayMs?: number;
  /**
   * Answer a fetch once its entry is in memory, and write the store after (flush() waits for those
   * writes). For a one-shot process (the CLI), whose every response otherwise waits for a few
   * thread-pool hops to the disk; the language server keeps writing through.
   */
  writeBehind?: boolean;
}

export interface RegistryHttpStats {
  /** Transport calls, retries and redirect hops included. */
  requests: number;
  cacheHits: number;
  /** Expired 'ttl' entries confirmed by a 304. */
  revalidated: number;
  /** Callers that joined a request already in flight. */
  coalesced: number;
  retries: number;
  /** Expired entries served because of an outage or offline mode. */
  staleServed: number;
  /** Store entries that failed to decode and were deleted. */
  corruptEntries: number;
}

const MAX_REDIRECTS = 5;
const RETRY_AFTER_CAP_MS = 60_000;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const RETRYABLE_KINDS = new Set<TransportErrorKind>(['reset', 'timeout']);

interface LoadRequest {
  url: URL;
  /** Basic credentials from the URL's userinfo, for url.origin only. */
  basic?: string;
  registry: string;
  key: string;
  policy: CachePolicy;
  headers: Record<string, string>;
  maxBytes: number;
  /** FetchOptions.deadline; undefined once any caller has none. */
  deadline?: number;
  connection?: Connection;
  /** FetchOptions.authorization. */
  authorization?: (url: URL) => string | undefined;
  /** The priorities of the callers sharing it; undefined once one has none (it is urgent). */
  priorities?: ReadPriority[];
}

const isUrgent = (request: LoadRequest) => request.priorities === undefined || request.priorities.some((p) => p.urgent);

interface Flight {
  request: LoadRequest;
  promise: Promise<FetchResult>;
  /** Aborted only when every waiting caller has aborted. */
  controller: AbortController;
  waiters: number;
}

const noop = () => {};

/** Fetches registry URLs through the caches; see FetchOptions and RegistryHttpOptions. */
export class RegistryHttp {
  readonly stats: RegistryHttpStats = { requests: 0, cacheHits: 0, revalidated: 0, coalesced: 0, retries: 0, staleServed: 0, corruptEntries: 0 };
  private isDegraded = false;
  /** Entries stored before this clock time are revalidated whatever their age (Refresh). */
  private freshAfter = -Infinity;
  private readonly cache: EntryCache;
  private readonly limiter: HostLimiter;
  private readonly flights = new Map<string, Flight>();
  /** Answers still being written to the store: a response is served from memory without waiting for the disk. */
  private readonly writes = new Set<Promise<void>>();
  private readonly transport: Transport;
  private readonly clock: Clock;
  private readonly settings: Required<Omit<RegistryHttpOptions, 'transport' | 'clock' | 'store' | 'authorization' | 'userAgent' | 'checksum' | 'writeBehind'>>;

  constructor(private readonly options: RegistryHttpOptions) {
    this.transport = options.transport;
    this.clock = options.clock;
    this.settings = {
      maxConcurrentPerHost: options.maxConcurrentPerHost ?? 16,
      ttlMs: options.ttlMs ?? 10 * 60_000,
      connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
      totalTimeoutMs: options.totalTimeoutMs ?? 15_000,
      retries: options.retries ?? 3,
      maxBytes: options.maxBytes ?? 50 * 1024 * 1024,
      offline: options.offline ?? false,
      memoryEntries: options.memoryEntries ?? 2000,
      memoryBytes: options.memoryBytes ?? 64 * 1024 * 1024,
      maxStoreBytes: options.maxStoreBytes ?? 500 * 1024 * 1024,
      retryBaseDelayMs: options.retryBaseDelayMs ?? 500,
      retryMaxDelayMs: options.retryMaxDelayMs ?? 10_000,
    };
    this.limiter = new HostLimiter(this.settings.maxConcurrentPerHost);
    this.cache = new EntryCache({
      store: options.store,
      checksum: options.checksum,
      memoryEntries: this.settings.memoryEntries,
      memoryBytes: this.settings.memoryBytes,
      maxStoreBytes: this.settings.maxStoreBytes,
    });
  }

  /** Refresh: every cached version list is revalidated on its next use (a 304 keeps the body); immutable metadata stays. */
  revalidateAll(): void {
    this.freshAfter = this.clock.now();
  }

  /** True once any request failed (unreachable, or 5xx/429 after retries) and was served stale: results may be old. */
  get degraded(): boolean {
    return this.isDegraded;
  }

  /** The registries with a request in flight, for a status item that says what it is waiting for. */
  pendingRegistries(): string[] {
    return [...new Set([...this.flights.values()].map((f) => f.request.registry))];
  }

  /** Highest number of concurrent transport calls seen per host (host[:port]). */
  peakConcurrency(host: string): number {
    return this.limiter.peak.get(host) ?? 0;
  }

  /** Resolves once every answer fetched so far is in the store (with writeBehind; a one-shot process awaits it before it exits). */
  async flush(): Promise<void> {
    while (this.writes.size > 0) await Promise.all([...this.writes]);
  }

  // Every answer is kept here. The memory cache holds the entry at once (later callers find it
  // there); with writeBehind, the store's write (a few thread-pool hops and a checksum) goes on after
  // the caller has the answer and never rejects; without it, the caller waits for the write.
  private async store(entry: CacheEntry): Promise<void> {
    if (!this.options.writeBehind) return this.cache.put(entry);
    const write: Promise<void> = this.cache
      .put(entry)
      .catch(noop)
      .finally(() => this.writes.delete(write));
    this.writes.add(write);
  }

  /** The registry clock's time (ms), the clock FetchOptions.deadline is on. */
  now(): number {
    return this.clock.now();
  }

  /**
   * Forgets a cached answer, for a caller that found its body unusable (a metadata file that does
   * not parse): the next fetch goes to the registry instead of serving the broken body again.
   */
  async invalidate(url: string, options: Pick<FetchOptions, 'accept' | 'range' | 'headers' | 'registry' | 'authorization'> = {}): Promise<void> {
    const registry = options.registry ?? registryOf(url);
    const { url: clean, basic } = stripCredentials(url, registry);
    await this.cache.delete(this.cacheKey(clean, basic, this.requestHeaders({ ...options, cache: 'none' }), options.authorization));
  }

  /** GET a URL through the caches; throws RegistryError (kind unreachable/http/too-large/offline/aborted). */
  async fetch(url: string, options: FetchOptions): Promise<FetchResult> {
    const registry = options.registry ?? registryOf(url);
    const { url: clean, basic } = stripCredentials(url, registry);
    if (options.signal?.aborted) throw abortedError(registry);
    const headers = this.requestHeaders(options);
    const key = this.cacheKey(clean, basic, headers, options.authorization);
    if (options.cache !== 'none') {
      // Synchronous fast path: a fresh memory hit needs no flight, no store read and no await.
      const hit = this.cache.peek(key);
      if (hit && this.isFresh(hit, options.cache)) {
        this.stats.cacheHits++;
        return resultOf(hit, true, false);
      }
    }
    const maxBytes = options.maxBytes ?? this.settings.maxBytes;
    const flightKey = `${options.cache}\u0000${maxBytes}\u0000${options.connection?.id ?? ''}\u0000${key}`;
    let flight = this.flights.get(flightKey);
    if (flight) {
      this.stats.coalesced++;
      const before = flight.request.deadline;
      // A shared request waits for whoever needs it longest.
      flight.request.deadline = before === undefined || options.deadline === undefined ? undefined : Math.max(before, options.deadline);
      // A caller that awaits it makes it urgent, even when read-ahead asked first.
      if (!options.priority) flight.request.priorities = undefined;
      else flight.request.priorities?.push(options.priority);
    } else {
      const request: LoadRequest = { url: clean, basic, registry, key, policy: options.cache, headers, maxBytes, deadline: options.deadline, connection: options.connection, authorization: options.authorization, priorities: options.priority ? [options.priority] : undefined };
      flight = this.startFlight(flightKey, request);
    }
    return this.join(flightKey, flight, options.signal, registry);
  }

  private startFlight(flightKey: string, request: LoadRequest): Flight {
    const controller = new AbortController();
    const flight: Flight = { request, controller, waiters: 0, promise: this.load(request, controller.signal) };
    flight.promise = flight.promise.finally(() => {
      if (this.flights.get(flightKey) === flight) this.flights.delete(flightKey);
    });
    // Every caller may abort and stop listening; the shared promise must still never go unhandled.
    flight.promise.catch(noop);
    this.flights.set(flightKey, flight);
    return flight;
  }

  // Each caller waits on the shared flight under its own signal. Aborting one caller rejects only
  // that caller; the request itself is aborted when nobody is left waiting for it.
  private join(flightKey: string, flight: Flight, signal: AbortSignal | undefined, registry: string): Promise<FetchResult> {
    flight.waiters++;
    const own = (result: FetchResult): FetchResult => ({ ...result, headers: { ...result.headers } });
    if (!signal) return flight.promise.then(own);
    return new Promise<FetchResult>((resolve, reject) => {
      const onAbort = () => {
        flight.waiters--;
        if (flight.waiters === 0) {
          if (this.flights.get(flightKey) === flight) this.flights.delete(flightKey);
          flight.controller.abort();
        }
        reject(abortedError(registry));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      flight.promise.then(
        (result) => {
          signal.removeEventListener('abort', onAbort);
          resolve(own(result));
        },
        (error: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      );
    });
  }

  private async load(request: LoadRequest, signal: AbortSignal): Promise<FetchResult> {
    const cached = request.policy === 'none' ? undefined : await this.cache.get(request.key);
    this.stats.corruptEntries = this.cache.corruptEntries;
    if (cached && this.isFresh(cached, request.policy)) {
      this.stats.cacheHits++;
      return resultOf(cached, true, false);
    }
    if (this.settings.offline) {
      if (cached) {
        this.stats.staleServed++;
        return resultOf(cached, true, true);
      }
      const where = `${request.url.origin}${request.url.pathname}`;
      throw new RegistryError('offline', request.registry, `Pinsight is in offline mode and has no cached copy of ${where}.`);
    }
    const conditional = cached && request.policy === 'ttl' ? validatorsOf(cached) : {};
    let response: HttpResponse & { url: string };
    try {
      response = await this.follow(request, conditional, signal);
    } catch (error) {
      if (cached && !signal.aborted && isOutage(error)) {
        // Old data beats no data during an outage; `degraded` lets the UI say results may be old.
        this.isDegraded = true;
        this.stats.staleServed++;
        return resultOf(cached, true, true);
      }
      throw error;
    }
    if (response.status === 304 && cached && Object.keys(conditional).length > 0) {
      this.stats.revalidated++;
      const refreshed: CacheEntry = { ...cached, storedAt: this.clock.now(), headers: { ...cached.headers, ...storable(response.headers) } };
      await this.store(refreshed);
      return resultOf(refreshed, true, false);
    }
    const { status, headers, body, url } = response;
    // A "not found" page is an answer too: remembered like a page for the TTL (never as immutable), so offline a
    // project the index lacks is still reported as unknown rather than "nothing is cached".
    const notFound = request.policy === 'ttl' && (status === 404 || status === 410);
    if (request.policy !== 'none' && (status === 200 || status === 206 || notFound)) {
      await this.store({ key: request.key, url, status, headers: storable(headers), storedAt: this.clock.now(), body });
    }
    return { status, headers, body, url, fromCache: false, stale: false };
  }

  // Follows redirects itself (the transport does not) so that credentials are recomputed per hop.
  private async follow(request: LoadRequest, conditional: Record<string, string>, signal: AbortSignal): Promise<HttpResponse & { url: string }> {
    let url = request.url;
    for (let hop = 0; ; hop++) {
      const response = await this.sendWithRetries(url, this.hopHeaders(url, request, conditional), request, signal);
      const location = response.headers.location;
      if (!REDIRECT_STATUSES.has(response.status) || location === undefined) return { ...response, url: url.href };
      if (hop >= MAX_REDIRECTS) {
        throw new RegistryError('http', request.registry, `${request.registry} redirected more than ${MAX_REDIRECTS} times; Pinsight stopped following.`, response.status);
      }
      url = redirectTarget(url, location, request.registry);
    }
  }

  private hopHeaders(url: URL, request: LoadRequest, conditional: Record<string, string>): Record<string, string> {
    const headers = { ...request.headers, ...conditional };
    if (url.origin !== request.url.origin) {
      // Credentials the caller put in headers were meant for the first origin only.
      delete headers.authorization;
      delete headers.cookie;
    }
    const auth = this.authorizationFor(url, request.url, request.basic, request.authorization);
    if (auth !== undefined) headers.authorization = auth;
    // Whatever is sent as a credential is masked in every message and log from now on.
    rememberAuthorization(headers.authorization);
    return headers;
  }

  private authorizationFor(url: URL, first: URL, basic: string | undefined, scoped: FetchOptions['authorization']): string | undefined {
    if (basic !== undefined && url.origin === first.origin) return basic;
    return (scoped ?? this.options.authorization)?.(url);
  }

  private async sendWithRetries(url: URL, headers: Record<string, string>, request: LoadRequest, signal: AbortSignal): Promise<HttpResponse> {
    const { registry } = request;
    for (let attempt = 0; ; attempt++) {
      const timeoutMs = this.attemptTimeout(request);
      if (timeoutMs <= 0) throw deadlineError(registry, attempt);
      let delay: number;
      let giveUp: () => RegistryError;
      try {
        const response = await this.sendOnce(url, headers, request, timeoutMs, signal);
        if (response.status < 500 && response.status !== 429) return response;
        const tries = attempt + 1;
        giveUp = () => new RegistryError('http', registry, `${registry} answered HTTP ${response.status} ${tries === 1 ? 'once' : `${tries} times`}; try again later.`, response.status);
        if (attempt >= this.settings.retries) throw giveUp();
        delay = this.retryDelay(attempt, response);
      } catch (error) {
        if (error instanceof RegistryError) throw error;
        if (signal.aborted) throw abortedError(registry);
        const kind = error instanceof TransportError ? error.kind : 'other';
        if (kind === 'too-large') {
          throw withCause(new RegistryError('too-large', registry, `A response from ${registry} is larger than ${request.maxBytes} bytes; Pinsight stopped reading it.`), error);
        }
        // An attempt the deadline cut short says nothing about the registry but that it was slow.
        if (kind === 'timeout' && timeoutMs < this.settings.totalTimeoutMs) throw withCause(deadlineError(registry, attempt + 1), error);
        const tls = error instanceof TransportError && error.tls ? { problem: error.tls, advice: request.connection?.advice } : undefined;
        giveUp = () => withCause(unreachableError(registry, kind, attempt + 1, tls), error);
        if (!RETRYABLE_KINDS.has(kind) || attempt >= this.settings.retries) throw giveUp();
        delay = backoffDelay(attempt, this.settings.retryBaseDelayMs, this.settings.retryMaxDelayMs, this.clock.random());
      }
      // A retry that could not finish before the deadline only hides the registry's own answer.
      if (request.deadline !== undefined && this.clock.now() + delay >= request.deadline) throw giveUp();
      this.stats.retries++;
      try {
        await this.clock.sleep(delay, signal);
      } catch (error) {
        if (signal.aborted) throw abortedError(registry);
        throw error;
      }
    }
  }

  private attemptTimeout(request: LoadRequest): number {
    const total = this.settings.totalTimeoutMs;
    return request.deadline === undefined ? total : Math.min(total, request.deadline - this.clock.now());
  }

  private retryDelay(attempt: number, response: HttpResponse): number {
    if (response.status === 429 || response.status === 503) {
      const after = parseRetryAfter(response.headers['retry-after'], this.clock.now(), RETRY_AFTER_CAP_MS);
      if (after !== undefined) return after;
    }
    return backoffDelay(attempt, this.settings.retryBaseDelayMs, this.settings.retryMaxDelayMs, this.clock.random());
  }

  private async sendOnce(url: URL, headers: Record<string, string>, request: LoadRequest, totalTimeoutMs: number, signal: AbortSignal): Promise<HttpResponse> {
    const { maxBytes, connection } = request;
    await this.limiter.acquire(url.host, signal, () => isUrgent(request));
    try {
      this.stats.requests++;
      const response = await this.transport({
        url: url.href,
        method: 'GET',
        headers,
        signal,
        connectTimeoutMs: this.settings.connectTimeoutMs,
        totalTimeoutMs,
        maxBytes,
        ...(connection ? { connection } : {}),
      });
      // Defence in depth: a transport that ignores maxBytes must not grow the caches past it.
      if (response.body.length > maxBytes) throw new TransportError('too-large', `body of ${response.body.length} bytes exceeds ${maxBytes}`);
      return { status: response.status, headers: lowerCaseHeaders(response.headers), body: response.body };
    } finally {
      this.limiter.release(url.host);
    }
  }

  private requestHeaders(options: FetchOptions): Record<string, string> {
    const headers = lowerCaseHeaders(options.headers);
    if (options.accept !== undefined) headers.accept = options.accept;
    if (this.options.userAgent !== undefined) headers['user-agent'] = this.options.userAgent;
    const range = options.range;
    if (range) headers.range = 'suffix' in range ? `bytes=-${range.suffix}` : `bytes=${range.start}-${range.end}`;
    return headers;
  }

  // Everything that shapes the response is in the key; the credential only as a hash, because keys
  // are written to disk inside entries.
  private cacheKey(url: URL, basic: string | undefined, headers: Record<string, string>, scoped: FetchOptions['authorization']): string {
    const auth = this.authorizationFor(url, url, basic, scoped) ?? headers.authorization;
    const shaping = Object.entries(headers)
      .filter(([name]) => name !== 'user-agent' && name !== 'authorization')
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return JSON.stringify([url.href, shaping, auth === undefined ? '' : hashString(auth)]);
  }

  private isFresh(entry: CacheEntry, policy: CachePolicy): boolean {
    if (policy === 'immutable') return true;
    if (policy === 'none') return false;
    if (entry.storedAt < this.freshAfter) return false;
    const age = this.clock.now() - entry.storedAt;
    // A negative age means the clock went backwards: revalidate rather than trust the entry forever.
    return age >= 0 && age < this.settings.ttlMs;
  }
}

function resultOf(entry: CacheEntry, fromCache: boolean, stale: boolean): FetchResult {
  return { status: entry.status, headers: { ...entry.headers }, body: entry.body, url: entry.url, fromCache, stale };
}
