// The Node transport behind RegistryHttp: keep-alive pools (node:http for direct requests,
// directPool.ts; undici for proxies chosen per URL by the pure proxyFor rules), bodies read under a
// byte cap and decoded with node:zlib, one deadline for the whole exchange, and every failure mapped
// to a TransportError kind the core can act on.
// A request's Connection (the asking wing's pip.conf or .npmrc trust, client certificate and proxy)
// picks its own pool; without one, Node's default trust store applies, which NODE_EXTRA_CA_CERTS
// extends when this process starts.

import { brotliDecompress, gunzip, inflate, inflateRaw, type BrotliOptions, type ZlibOptions } from 'node:zlib';
import { promisify } from 'node:util';
import type * as Undici from 'undici';
import type { Dispatcher } from 'undici';
import { verifiesCertificate, type Connection } from '../core/http/connection';
import { proxyFor, proxySettingsFromEnv, type ProxySettings } from '../core/http/proxy';
import { DirectPool, type DirectTls, type OpenedResponse } from './directPool';
import { TransportError, type HttpRequest, type HttpResponse, type TlsProblem, type Transport, type TransportErrorKind } from '../core/http/types';

export interface NodeTransportOptions {
  /** Explicit proxy (VS Code's http.proxy); wins over a wing's configuration and the environment. */
  proxy?: string;
  /** NO_PROXY rules; wins over the environment's NO_PROXY. */
  noProxy?: string;
  /** Connections per origin (default 16, matching RegistryHttp's per-host cap). */
  maxSockets?: number;
  /** How long a kept-alive connection may sit unused before it is closed (default 4,000 ms, undici's). */
  idleSocketMs?: number;
  /** Where HTTPS_PROXY, HTTP_PROXY and NO_PROXY are read from (usually process.env; {} in tests). */
  env: Record<string, string | undefined>;
}

/** A Transport that owns connection pools; close() releases them (tests, server shutdown). */
export type NodeTransport = Transport & { close(): Promise<void> };

const DECODERS: Record<string, (data: Buffer, maxOutputLength: number) => Promise<Buffer>> = {
  gzip: (data, max) => promisify<Buffer, ZlibOptions, Buffer>(gunzip)(data, { maxOutputLength: max }),
  'x-gzip': (data, max) => promisify<Buffer, ZlibOptions, Buffer>(gunzip)(data, { maxOutputLength: max }),
  // "deflate" should be zlib-wrapped (RFC 9110) but some servers send raw deflate: sniff the header.
  deflate: (data, max) => promisify<Buffer, ZlibOptions, Buffer>(isZlibWrapped(data) ? inflate : inflateRaw)(data, { maxOutputLength: max }),
  br: (data, max) => promisify<Buffer, BrotliOptions, Buffer>(brotliDecompress)(data, { maxOutputLength: max }),
};

let undiciModule: typeof Undici | undefined;
// undici is loaded on the first proxied request: a run that reaches its registries directly, or is
// answered from the disk cache, never pays for it (40-50 ms).
function undici(): typeof Undici {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (undiciModule ??= require('undici') as typeof Undici);
}

/** Keep-alive transport with proxy support, decompression, a byte cap and a total deadline. */
export function createNodeTransport(options: NodeTransportOptions): NodeTransport {
  const fromEnv = proxySettingsFromEnv(options.env);
  const settingsFor = (connection: Connection | undefined): ProxySettings => {
    const base = connection?.proxy ?? fromEnv;
    return { ...base, proxy: options.proxy ?? base.proxy, noProxy: options.noProxy ?? base.noProxy };
  };
  const connections = options.maxSockets ?? 16;
  const direct = new DirectPool(connections, options.idleSocketMs ?? 4_000);
  // One undici pool per (proxy, connect timeout, connection): undici fixes the connect timeout and
  // TLS options when a pool is built.
  const proxied = new Map<string, Dispatcher>();

  const openerFor = (url: string, connectTimeoutMs: number, connection: Connection | undefined): Opener => {
    const proxy = proxyFor(url, settingsFor(connection));
    const verify = connection ? verifiesCertificate(connection, new URL(url)) : true;
    if (!proxy) {
      const key = `${connection?.id ?? ''}\u0000${verify}`;
      const tls = connection ? trustOptions(connection, verify) : undefined;
      return (request, target, signal) => direct.request(request, target, signal, key, tls);
    }
    const key = `${proxy}\u0000${connectTimeoutMs}\u0000${connection?.id ?? ''}\u0000${verify}`;
    let dispatcher = proxied.get(key);
    if (!dispatcher) {
      const tls = tlsOptions(connectTimeoutMs, connection, verify);
      // proxyTunnel false: plain-http targets go as absolute-form requests, which every HTTP proxy
      // supports; https targets are always tunnelled with CONNECT. An https proxy is verified with
      // the same trust, but the client certificate is for the registry only.
      dispatcher = new (undici().ProxyAgent)({ uri: proxy, proxyTunnel: false, connections, connect: tls, proxyTls: { ...tls, cert: undefined, key: undefined }, requestTls: tls });
      proxied.set(key, dispatcher);
    }
    return viaUndici(dispatcher);
  };

  const transport = async (request: HttpRequest) => send(request, openerFor(request.url, request.connectTimeoutMs, request.connection));
  const close = async () => {
    const directClosed = direct.close();
    const all = [...proxied.values()];
    proxied.clear();
    await Promise.all([directClosed, ...all.map((dispatcher) => dispatcher.close())]);
  };
  return Object.assign(transport, { close });
}

/** Starts one exchange and resolves with its status and headers; the body is read by send(). */
type Opener = (request: HttpRequest, url: URL, signal: AbortSignal) => Promise<OpenedResponse>;

function viaUndici(dispatcher: Dispatcher): Opener {
  return async (request, url, signal) => {
    const response = await dispatcher.request({
      origin: url.origin,
      path: url.pathname + url.search,
      method: request.method,
      headers: request.headers,
      signal,
      // Our deadline covers the whole exchange; undici's own (coarse) timers only back it up.
      headersTimeout: request.totalTimeoutMs,
      bodyTimeout: request.totalTimeoutMs,
    });
    return { statusCode: response.statusCode, headers: response.headers, body: response.body as unknown as OpenedResponse['body'] };
  };
}

function tlsOptions(timeout: number, connection: Connection | undefined, verify: boolean) {
  return connection ? { timeout, ...trustOptions(connection, verify) } : { timeout };
}

function trustOptions(connection: Connection, verify: boolean): DirectTls {
  return {
    // An explicit `ca` replaces Node's roots and NODE_EXTRA_CA_CERTS, as it does for pip's cert and npm's cafile.
    ...(connection.ca ? { ca: connection.ca } : {}),
    ...(connection.clientCert ? { cert: connection.clientCert.cert, key: connection.clientCert.key } : {}),
    rejectUnauthorized: verify,
  };
}

async function send(request: HttpRequest, open: Opener): Promise<HttpResponse> {
  if (request.signal?.aborted) throw new TransportError('aborted', 'the request was cancelled');
  const url = new URL(request.url);
  // One controller ends the exchange for either reason; `timedOut` says which, for the error kind.
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, request.totalTimeoutMs);
  const onCallerAbort = () => controller.abort();
  request.signal?.addEventListener('abort', onCallerAbort, { once: true });
  let response: OpenedResponse | undefined;
  try {
    response = await open({ ...request, headers: requestHeaders(request.headers) }, url, controller.signal);
    const headers = flattenHeaders(response.headers);
    const body = await readBody(response.body, headers, request.maxBytes);
    return { status: response.statusCode, headers, body };
  } catch (error) {
    // Destroying an unread body frees the socket instead of leaving it half-read in the pool.
    response?.body.destroy();
    throw toTransportError(error, timedOut, request.signal?.aborted === true, request.totalTimeoutMs);
  } finally {
    clearTimeout(timer);
    request.signal?.removeEventListener('abort', onCallerAbort);
  }
}

// Lowercased so that a caller's Accept-Encoding replaces the default instead of duplicating it.
function requestHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = { 'accept-encoding': 'gzip, deflate, br' };
  for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = value;
  return out;
}

async function readBody(body: AsyncIterable<Buffer>, headers: Record<string, string>, maxBytes: number): Promise<Uint8Array> {
  const encodings = (headers['content-encoding'] ?? '')
    .split(',')
    .map((e) => e.trim().toLowerCase())
    .filter((e) => e !== '' && e !== 'identity');
  for (const encoding of encodings) {
    if (!DECODERS[encoding]) throw new TransportError('other', `unsupported content-encoding ${encoding}`);
  }
  // Compressed data can exceed its decoded size by a hair (stored blocks, headers), so the raw cap
  // leaves a little room; the decoded size is held to maxBytes exactly below.
  const rawCap = encodings.length === 0 ? maxBytes : maxBytes + Math.ceil(maxBytes / 1000) + 1024;
  const declared = Number(headers['content-length']);
  if (Number.isFinite(declared) && declared > rawCap) throw tooLarge(maxBytes);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > rawCap) throw tooLarge(maxBytes);
    chunks.push(chunk);
  }
  let data: Buffer = Buffer.concat(chunks, size);
  // Content codings are listed in the order applied, so they are undone in reverse.
  for (const encoding of [...encodings].reverse()) data = await decode(encoding, data, maxBytes);
  if (data.length > maxBytes) throw tooLarge(maxBytes);
  if (encodings.length > 0) {
    // The body handed on is decoded: these headers described the encoded bytes.
    delete headers['content-encoding'];
    delete headers['content-length'];
  }
  return new Uint8Array(data.buffer, data.byteOffset, data.length);
}

async function decode(encoding: string, data: Buffer, maxBytes: number): Promise<Buffer> {
  try {
    return await DECODERS[encoding](data, maxBytes);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(maxBytes);
    throw new TransportError('other', `the ${encoding} body could not be decoded (${(error as Error).message})`);
  }
}

function isZlibWrapped(data: Buffer): boolean {
  return data.length >= 2 && (data[0] & 0x0f) === 8 && ((data[0] << 8) | data[1]) % 31 === 0;
}

function tooLarge(maxBytes: number): TransportError {
  return new TransportError('too-large', `the response exceeds ${maxBytes} bytes`);
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

const CODE_KINDS: Record<string, TransportErrorKind> = {
  UND_ERR_CONNECT_TIMEOUT: 'timeout',
  UND_ERR_HEADERS_TIMEOUT: 'timeout',
  UND_ERR_BODY_TIMEOUT: 'timeout',
  ETIMEDOUT: 'timeout',
  UND_ERR_SOCKET: 'reset',
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: 'reset',
  ECONNRESET: 'reset',
  EPIPE: 'reset',
  ECONNABORTED: 'reset',
  ECONNREFUSED: 'refused',
  EHOSTUNREACH: 'refused',
  ENETUNREACH: 'refused',
  ENOTFOUND: 'dns',
  EAI_AGAIN: 'dns',
  EAI_NODATA: 'dns',
  EAI_FAIL: 'dns',
};

/** Maps anything undici, the socket or zlib throws to a TransportError. */
export function toTransportError(error: unknown, timedOut: boolean, callerAborted: boolean, totalTimeoutMs: number): TransportError {
  if (error instanceof TransportError) return error;
  // Our abort shows up as an undici abort error: the flags say whose it was.
  if (timedOut) return new TransportError('timeout', `no complete response within ${totalTimeoutMs} ms`);
  if (callerAborted) return new TransportError('aborted', 'the request was cancelled');
  const code = errorCode(error);
  const message = redact(error instanceof Error ? error.message : String(error));
  // undici's words for a proxy that answered CONNECT with anything but 200 (407: credentials).
  const refused = /Proxy response \((\d{3})\) !== 200/.exec(message);
  if (refused) return new TransportError('proxy', `the proxy answered HTTP ${refused[1]} to CONNECT`);
  const kind = code === undefined ? undefined : CODE_KINDS[code] ?? (isTlsCode(code) ? 'tls' : undefined);
  return new TransportError(kind ?? 'other', code ? `${code}: ${message}` : message, kind === 'tls' ? tlsProblem(code as string) : undefined);
}

// undici wraps socket errors (`cause`); the first code found along the chain is the most specific.
function errorCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    const code = (current as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && code !== 'UND_ERR') return code;
  }
  return undefined;
}

const TLS_PROBLEMS: Record<string, TlsProblem> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'untrusted',
  UNABLE_TO_GET_ISSUER_CERT: 'untrusted',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'untrusted',
  SELF_SIGNED_CERT_IN_CHAIN: 'untrusted',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'untrusted',
  CERT_UNTRUSTED: 'untrusted',
  CERT_HAS_EXPIRED: 'expired',
  CERT_NOT_YET_VALID: 'expired',
  ERR_TLS_CERT_ALTNAME_INVALID: 'hostname',
  // The server's alert when it wanted a client certificate (TLS 1.3, then 1.2) or did not trust ours.
  ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: 'client-certificate',
  ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE: 'client-certificate',
  ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE: 'client-certificate',
  ERR_SSL_TLSV1_ALERT_UNKNOWN_CA: 'client-certificate',
};

function tlsProblem(code: string): TlsProblem {
  return TLS_PROBLEMS[code] ?? 'other';
}

function isTlsCode(code: string): boolean {
  return /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|ERR_OSSL_)/.test(code);
}

// Error messages can quote a proxy URL; never let its credentials reach a log.
function redact(message: string): string {
  return message.replace(/\/\/[^/@\s]+@/g, '//***@');
}
