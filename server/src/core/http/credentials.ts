// Credentials per configuration scope (one Python manifest tree, one npm project folder), behind
// the authorization callback each scope's client passes with its requests. A scope's credentials
// are the ones its configuration holds now: loading it again replaces them (a rotated or deleted
// token is not sent again), a reset forgets them all, and a token for a host is never sent for
// another scope's requests to that host.

import type { FetchOptions, FetchResult } from './registryHttp';

/** A configuration that can authorise requests to its own hosts. */
export interface CredentialSource {
  authorization(url: URL): string | undefined;
}

/** The authorization callback of one scope, read at request time. */
export type Authorization = (url: URL) => string | undefined;

/** Credentials by scope, replaced on reload and cleared on reset. */
export class CredentialSources {
  private readonly scopes = new Map<string, CredentialSource>();

  /** Registers what a scope's configuration holds now, replacing what it held before. */
  set(scope: string, source: CredentialSource): void {
    this.scopes.set(scope, source);
  }

  /** Configuration changed: no credential is sent until a scope loads its configuration again. */
  clear(): void {
    this.scopes.clear();
  }

  /** How many scopes hold credentials (for tests). */
  get size(): number {
    return this.scopes.size;
  }

  /** The callback for requests made for `scope`: only that scope's current credentials answer. */
  forScope(scope: string): Authorization {
    return (url) => this.scopes.get(scope)?.authorization(url);
  }
}

/** An HTTP client as the wings' clients use it (RegistryHttp or a stand-in). */
export interface ScopableHttp {
  fetch(url: string, options: FetchOptions): Promise<FetchResult>;
  invalidate?(url: string, options?: Pick<FetchOptions, 'accept' | 'range' | 'headers' | 'registry' | 'authorization'>): Promise<void>;
  /** Requests sent to the network so far (RegistryHttp counts them). */
  readonly stats?: { readonly requests: number };
}

/** The same client with every request (and cache lookup) carrying one scope's authorization. */
export function scopedHttp(http: ScopableHttp, authorization: Authorization): ScopableHttp {
  const invalidate = http.invalidate?.bind(http);
  return {
    fetch: (url, options) => http.fetch(url, { ...options, authorization }),
    invalidate: invalidate && ((url, options) => invalidate(url, { ...options, authorization })),
    // The counters of the client it wraps, read live.
    get stats() {
      return http.stats;
    },
  };
}
