// The registry layer's contracts: the injected transport and clock, typed errors, and the data the
// PyPI and npm clients return. Plain data; no I/O here.

import type { Connection } from './connection';

/** One HTTP exchange as the core sees it. The transport does not follow redirects. */
export interface HttpRequest {
  url: string;
  method: 'GET' | 'HEAD';
  headers: Record<string, string>;
  signal?: AbortSignal;
  /** Give up connecting after this long. */
  connectTimeoutMs: number;
  /** Give up on the whole exchange (connect, headers and body) after this long. */
  totalTimeoutMs: number;
  /** Stop reading and fail with kind 'too-large' past this many decoded bytes. */
  maxBytes: number;
  /** Trust, client certificate and proxy from the asking wing's configuration; undefined: the host's defaults. */
  connection?: Connection;
}

export interface HttpResponse {
  status: number;
  /** Header names lowercased. */
  headers: Record<string, string>;
  /** Decoded (gunzipped / brotli-decoded) body. */
  body: Uint8Array;
}

/** What the transport throws: a typed failure, never a raw socket error. */
export type TransportErrorKind = 'timeout' | 'reset' | 'refused' | 'dns' | 'tls' | 'proxy' | 'too-large' | 'aborted' | 'other';

/** What went wrong in a TLS handshake, for a message that says what to set. */
export type TlsProblem = 'untrusted' | 'expired' | 'hostname' | 'client-certificate' | 'other';

export class TransportError extends Error {
  constructor(
    readonly kind: TransportErrorKind,
    message: string,
    /** For kind 'tls': which problem. */
    readonly tls?: TlsProblem,
  ) {
    super(message);
    this.name = 'TransportError';
  }
}

/** Sends one request (keep-alive, decompression and proxies are the transport's business). */
export type Transport = (request: HttpRequest) => Promise<HttpResponse>;

/** Time as the core sees it, injected so that tests run a fake clock with no sleeps. */
export interface Clock {
  now(): number;
  /** Resolves after ms, or rejects with an AbortError when the signal aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** In [0, 1): jitter for retries. */
  random(): number;
}

/** A byte store for the on-disk cache (the extension's global storage, or the CLI's cache dir). */
export interface CacheStore {
  get(key: string): Promise<Uint8Array | undefined>;
  /** Writes atomically: a reader sees the old entry or the new one, never half of one. */
  put(key: string, data: Uint8Array): Promise<void>;
  delete(key: string): Promise<void>;
  /** Every key with its size and last write time, for eviction. */
  list(): Promise<Array<{ key: string; size: number; mtimeMs: number }>>;
}

export type RegistryErrorKind =
  | 'unreachable' // connection refused, DNS, timeout, reset after retries
  | 'http' // a status the registry should not answer (5xx after retries, 401, 403, ...)
  | 'not-found' // 404: the package does not exist on this registry
  | 'too-large'
  | 'malformed' // the body is not what the protocol says
  | 'offline' // offline mode and nothing cached
  | 'deadline' // the caller's deadline (FetchOptions.deadline) passed before an answer
  | 'aborted';

/** A registry failure in our own terms; becomes at most one `registry-unreachable` finding per registry. */
export class RegistryError extends Error {
  constructor(
    readonly kind: RegistryErrorKind,
    /** The registry (index or npm registry base URL, credentials removed) this concerns. */
    readonly registry: string,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'RegistryError';
  }
}
