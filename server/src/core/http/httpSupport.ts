// Small pieces of the registry HTTP client that have no state of their own: naming a registry for
// messages, credentials from URLs, Retry-After, backoff, a per-host concurrency limiter, redirects,
// cache validators, and the typed errors with their messages.

import type { CacheEntry } from './cache';
import type { TlsAdvice } from './connection';
import { RegistryError, type TlsProblem, type TransportErrorKind } from './types';

// Hop-by-hop and framing headers describe one transfer, not the cached body.
const UNSTORED_HEADERS = new Set(['set-cookie', 'connection', 'keep-alive', 'transfer-encoding', 'content-encoding', 'content-length']);

/** scheme://host[:port]/path-prefix of a registry URL, without credentials, query or package path. */
/** A URL without credentials, query or fragment, safe for messages; undefined when it is not a URL. */
export function redactUrl(raw: string): string | undefined {
  try {
    const url = new URL(raw);
    url.username = '';
    url.password = '';
    url.search = '';
    url.hash = '';
    return url.href;
  } catch {
    return undefined;
  }
}

export function registryOf(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '(invalid registry URL)';
  }
  const segments = parsed.pathname.split('/').filter((s) => s !== '');
  return `${parsed.protocol}//${parsed.host}${registryPrefix(segments)}`;
}

// Best effort: the registry is the URL minus the part that names a package or file. Clients that
// know their base URL pass it as FetchOptions.registry instead.
function registryPrefix(segments: string[]): string {
  const join = (end: number) => (end <= 0 ? '' : '/' + segments.slice(0, end).join('/'));
  const simple = segments.indexOf('simple');
  if (simple >= 0) return join(simple + 1); // PEP 503/691: <index>/simple/<project>/
  const pypi = segments.lastIndexOf('pypi');
  if (pypi >= 0 && segments[segments.length - 1] === 'json') return join(pypi); // <base>/pypi/<project>[/<v>]/json
  const packages = segments.indexOf('packages');
  if (packages >= 0) return join(packages); // files.pythonhosted.org/packages/...
  const dash = segments.indexOf('-');
  if (dash > 0) return join(segments[dash - 2]?.startsWith('@') ? dash - 2 : dash - 1); // npm tarball <name>/-/<file>
  if (segments.length === 0) return '';
  // npm packument: <base>/<name> or <base>/@scope/<name> or <base>/@scope%2f<name>
  const last = segments.length - 1;
  return join(segments[last - 1]?.startsWith('@') ? last - 1 : last);
}

export interface CleanUrl {
  /** The URL without userinfo (and without a fragment, which is never sent). */
  url: URL;
  /** `Basic ...` built from the userinfo, for `url.origin` only. */
  basic?: string;
}

/** Splits `https://user:pass@host/...` into a clean URL and a Basic credential for that origin. */
export function stripCredentials(raw: string, registry: string): CleanUrl {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new RegistryError('http', registry, `Pinsight cannot use the registry address ${registry}: it is not a valid URL.`);
  }
  // file: indexes are what pip calls a local index (`--index-url file:///srv/pypi/simple`); the
  // transport reads them from disk.
  if (url.protocol !== 'https:' && url.protocol !== 'http:' && url.protocol !== 'file:') {
    throw new RegistryError('http', registry, `Pinsight can fetch http, https and file URLs, not ${url.protocol} (${registry}).`);
  }
  url.hash = '';
  if (url.username === '' && url.password === '') return { url };
  const basic = basicAuth(safeDecode(url.username), safeDecode(url.password));
  url.username = '';
  url.password = '';
  return { url, basic };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** RFC 7617 Basic credentials, UTF-8 encoded. */
export function basicAuth(user: string, password: string): string {
  const bytes = new TextEncoder().encode(`${user}:${password}`);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return `Basic ${btoa(binary)}`;
}

/** Retry-After in ms (delta-seconds or HTTP-date, clamped to [0, capMs]), or undefined when absent or unparsable. */
export function parseRetryAfter(value: string | undefined, now: number, capMs: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  let ms: number;
  if (/^\d+$/.test(text)) ms = Number(text) * 1000;
  else {
    const date = Date.parse(text);
    if (Number.isNaN(date)) return undefined;
    ms = date - now;
  }
  return Math.min(Math.max(ms, 0), capMs);
}

/** Full-jitter exponential backoff: uniform in [0, min(cap, base * 2^attempt)). */
export function backoffDelay(attempt: number, baseMs: number, capMs: number, random: number): number {
  return Math.floor(random * Math.min(capMs, baseMs * 2 ** attempt));
}

interface HostSlots {
  active: number;
  queue: Array<{ grant: () => void; urgent?: () => boolean }>;
}

/**
 * Caps concurrent requests per host; waiters are served first come, first served, except that a
 * waiter whose `urgent` answers true (asked when a slot frees) goes before those whose answers false.
 */
export class HostLimiter {
  private readonly hosts = new Map<string, HostSlots>();
  /** Highest concurrency seen per host, for tests and benchmarks. */
  readonly peak = new Map<string, number>();

  constructor(private readonly limit: number) {}

  /** Resolves when a slot is free; rejects with the signal's reason if it aborts while queued. */
  acquire(host: string, signal: AbortSignal, urgent?: () => boolean): Promise<void> {
    if (signal.aborted) return Promise.reject(signal.reason);
    let slots = this.hosts.get(host);
    if (!slots) {
      slots = { active: 0, queue: [] };
      this.hosts.set(host, slots);
    }
    if (slots.active < this.limit) {
      this.take(host, slots);
      return Promise.resolve();
    }
    const queued = slots;
    return new Promise<void>((resolve, reject) => {
      const grant = () => {
        signal.removeEventListener('abort', onAbort);
        this.take(host, queued);
        resolve();
      };
      const onAbort = () => {
        const index = queued.queue.findIndex((w) => w.grant === grant);
        if (index >= 0) queued.queue.splice(index, 1);
        this.forgetIfIdle(host, queued);
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      queued.queue.push({ grant, urgent });
    });
  }

  release(host: string): void {
    const slots = this.hosts.get(host);
    if (!slots) return;
    slots.active--;
    if (slots.queue.length === 0) return this.forgetIfIdle(host, slots);
    const first = slots.queue.findIndex((w) => w.urgent === undefined || w.urgent());
    const [next] = slots.queue.splice(first >= 0 ? first : 0, 1);
    next!.grant();
  }

  private take(host: string, slots: HostSlots): void {
    slots.active++;
    this.peak.set(host, Math.max(this.peak.get(host) ?? 0, slots.active));
  }

  // Without this the map would keep one record per host ever contacted.
  private forgetIfIdle(host: string, slots: HostSlots): void {
    if (slots.active === 0 && slots.queue.length === 0) this.hosts.delete(host);
  }
}

/** Header names lowercased; later names win. */
export function lowerCaseHeaders(headers: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) out[name.toLowerCase()] = value;
  return out;
}

/** Conditional-request headers from a cached entry's ETag and Last-Modified. */
export function validatorsOf(entry: CacheEntry): Record<string, string> {
  const out: Record<string, string> = {};
  if (entry.headers.etag !== undefined) out['if-none-match'] = entry.headers.etag;
  if (entry.headers['last-modified'] !== undefined) out['if-modified-since'] = entry.headers['last-modified'];
  return out;
}

/** The response headers worth caching (no cookies, no hop-by-hop or framing headers). */
export function storable(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (!UNSTORED_HEADERS.has(name)) out[name] = value;
  return out;
}

/** True for failures that justify serving a stale entry: unreachable, or 5xx/429 after retries. */
export function isOutage(error: unknown): boolean {
  if (!(error instanceof RegistryError)) return false;
  if (error.kind === 'unreachable' || error.kind === 'deadline') return true;
  return error.kind === 'http' && error.status !== undefined && (error.status >= 500 || error.status === 429);
}

/** The next hop of a redirect, without userinfo or fragment; only http(s) is followed. */
export function redirectTarget(from: URL, location: string, registry: string): URL {
  let next: URL;
  try {
    next = new URL(location, from);
  } catch {
    throw new RegistryError('http', registry, `${registry} sent a redirect that is not a valid URL.`);
  }
  if (next.protocol !== 'https:' && next.protocol !== 'http:') {
    throw new RegistryError('http', registry, `${registry} redirected to a ${next.protocol} URL, which Pinsight does not follow.`);
  }
  // Userinfo in a Location header comes from the server, not the user: never send it anywhere.
  next.username = '';
  next.password = '';
  next.hash = '';
  return next;
}

const KIND_TEXT: Record<TransportErrorKind, string> = {
  timeout: 'the request timed out',
  reset: 'the connection was reset',
  refused: 'the connection was refused',
  dns: 'the host name could not be resolved',
  tls: 'the TLS handshake failed (check certificates)',
  proxy: "the proxy refused to open a tunnel to it (check the proxy's address and the user and password in its URL)",
  'too-large': 'the response was too large',
  aborted: 'the request was interrupted',
  other: 'the request failed',
};

// Without a wing's advice (a bare RegistryHttp), the one setting every host honours.
const DEFAULT_ADVICE: TlsAdvice = {
  untrusted: "add the authority's certificate to the registry's configuration or to NODE_EXTRA_CA_CERTS",
  clientCertificate: 'configure a client certificate for this registry',
};

function tlsText(problem: TlsProblem, advice: TlsAdvice = DEFAULT_ADVICE): string {
  switch (problem) {
    case 'untrusted':
      return `its TLS certificate is signed by an unknown authority; ${advice.untrusted}`;
    case 'expired':
      return 'its TLS certificate has expired or is not valid yet';
    case 'hostname':
      return 'its TLS certificate does not name this host';
    case 'client-certificate':
      return `the server requires a client certificate it accepts; ${advice.clientCertificate}`;
    default:
      return KIND_TEXT.tls;
  }
}

/** The error for a registry that could not be reached, in words a user can act on. */
export function unreachableError(registry: string, kind: TransportErrorKind, attempts: number, tls?: { problem: TlsProblem; advice?: TlsAdvice }): RegistryError {
  const tries = attempts > 1 ? ` after ${attempts} attempts` : '';
  if (tls) return new RegistryError('unreachable', registry, `Pinsight could not reach ${registry}: ${tlsText(tls.problem, tls.advice)}.`);
  return new RegistryError('unreachable', registry, `Pinsight could not reach ${registry}: ${KIND_TEXT[kind]}${tries}. Check the network, proxy and registry settings.`);
}

/** The error for a request the caller's deadline cut short; `attempts` were made (0: none could start). */
export function deadlineError(registry: string, attempts: number): RegistryError {
  const tries = attempts > 1 ? ` (${attempts} attempts)` : '';
  return new RegistryError('deadline', registry, `${registry} did not answer before the check's time limit${tries}.`);
}

/** The error a cancelled caller sees. */
export function abortedError(registry: string): RegistryError {
  return new RegistryError('aborted', registry, `The request to ${registry} was cancelled.`);
}

/** Attaches the transport's error as `cause`: it may name the URL, so it goes to logs, never into the message. */
export function withCause(error: RegistryError, cause: unknown): RegistryError {
  error.cause = cause;
  return error;
}
