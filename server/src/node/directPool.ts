// Requests that go straight to the registry (no proxy) use Node's own HTTP client: keep-alive
// agents, one per scheme and trust, with node:http's built-in parser. undici is kept for proxies
// (transport.ts): loading it costs 40-50 ms before a process's first request, which is on the path
// of every cold verdict, and a direct request needs nothing from it.

import type * as Http from 'node:http';
import type * as Https from 'node:https';
import type { Socket } from 'node:net';
import { TransportError, type HttpRequest } from '../core/http/types';

// node:http and node:https are required on the first request (about 9 ms): a run answered from the
// disk cache never loads them.
let httpModules: { http: typeof Http; https: typeof Https } | undefined;
function httpModule(): { http: typeof Http; https: typeof Https } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (httpModules ??= { http: require('node:http') as typeof Http, https: require('node:https') as typeof Https });
}

/** What an exchange answers before its body is read: the transport reads and decodes the body. */
export interface OpenedResponse {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  body: AsyncIterable<Buffer> & { destroy(error?: Error): void };
}

/** TLS settings for a pool (none: Node's default trust, extended by NODE_EXTRA_CA_CERTS). */
export interface DirectTls {
  ca?: string[];
  cert?: string;
  key?: string;
  rejectUnauthorized?: boolean;
}

/**
 * Keep-alive agents for direct requests, one per (scheme, trust) key. close() lets the exchanges
 * still open finish (each has its deadline), as undici's close does: a CLI's last reads are the
 * warming reads of the next run's disk cache. Then it ends the sockets; a request after close()
 * fails as 'aborted', which RegistryHttp does not retry.
 */
export class DirectPool {
  private readonly agents = new Map<string, Http.Agent>();
  /** The exchanges still open (request sent, body not yet ended), each settling when it ends either way. */
  private readonly open = new Set<Promise<void>>();
  private closed = false;

  /**
   * `idleMs`: a connection left unused that long is closed, as undici's pools do (4 s by default),
   * so a request after a pause rarely meets one the server has just closed (that fails as a reset).
   */
  constructor(
    private readonly maxSockets: number,
    private readonly idleMs: number,
  ) {}

  /** Sends the request and resolves once the status line and headers arrived; `signal` ends it at any point. */
  request(request: HttpRequest, url: URL, signal: AbortSignal, key: string, tls: DirectTls | undefined): Promise<OpenedResponse> {
    if (this.closed) return Promise.reject(closedError());
    const secure = url.protocol === 'https:';
    const agent = this.agentFor(secure, key, tls);
    const { http, https } = httpModule();
    const send = secure ? https.request : http.request;
    return new Promise((resolve, reject) => {
      let response: Http.IncomingMessage | undefined;
      let connectTimer: NodeJS.Timeout | undefined;
      // Throws at once on what Node refuses to send (a header value with a line break): nothing is open then.
      const req = send({ agent, protocol: url.protocol, hostname: url.hostname.replace(/^\[|\]$/g, ''), port: url.port, path: url.pathname + url.search, method: request.method, headers: request.headers });
      let settled!: () => void;
      const exchange = new Promise<void>((done) => (settled = done));
      this.open.add(exchange);
      // Once the exchange is over its socket may serve another request: nothing here touches it again.
      const settle = () => {
        this.open.delete(exchange);
        settled();
        clearTimeout(connectTimer);
        signal.removeEventListener('abort', onAbort);
      };
      // Ends the exchange at any point: before the answer (the promise rejects) or while its body is read (the read fails).
      const fail = (error: Error) => {
        settle();
        req.destroy(error);
        response?.destroy(error);
        reject(error);
      };
      const onAbort = () => fail(Object.assign(new Error('the request was aborted'), { code: 'ABORT_ERR' }));
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      req.on('socket', (socket: Socket) => {
        // As undici's connector does: a request is written at once, never held back by Nagle's algorithm.
        socket.setNoDelay(true);
        // The connect timeout covers TCP and, for https, the TLS handshake; a reused socket is already up.
        if (!socket.connecting) return;
        connectTimer = setTimeout(() => fail(Object.assign(new Error(`could not connect within ${request.connectTimeoutMs} ms`), { code: 'ETIMEDOUT' })), request.connectTimeoutMs);
        socket.once(secure ? 'secureConnect' : 'connect', () => clearTimeout(connectTimer));
      });
      req.on('error', fail);
      req.on('response', (res) => {
        clearTimeout(connectTimer);
        response = res;
        res.once('end', settle);
        res.once('close', settle);
        // A body cut short by the server ends the read with an error, not a short body.
        res.on('aborted', () => res.destroy(Object.assign(new Error('the connection closed before the body ended'), { code: 'ECONNRESET' })));
        resolve({ statusCode: res.statusCode ?? 0, headers: res.headers, body: res });
      });
      req.end();
    });
  }

  private agentFor(secure: boolean, key: string, tls: DirectTls | undefined): Http.Agent {
    const { http, https } = httpModule();
    const id = `${secure ? 'https' : 'http'}\u0000${key}`;
    let agent = this.agents.get(id);
    if (!agent) {
      // `timeout` is the agent's idle timeout: it closes a free socket that long unused (an exchange in
      // progress only hears a 'timeout' event, which nothing here acts on: send() keeps the deadline).
      const base = { keepAlive: true, maxSockets: this.maxSockets, timeout: this.idleMs };
      agent = secure ? new https.Agent({ ...base, ...(tls ?? {}) }) : new http.Agent(base);
      this.agents.set(id, agent);
    }
    return agent;
  }

  async close(): Promise<void> {
    this.closed = true;
    while (this.open.size > 0) await Promise.all([...this.open]);
    for (const agent of this.agents.values()) agent.destroy();
    this.agents.clear();
  }
}

function closedError(): TransportError {
  return new TransportError('aborted', 'the connection pool was closed');
}
