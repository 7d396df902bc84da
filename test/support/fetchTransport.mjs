// A Transport on node's fetch for client tests: no redirects followed (RegistryHttp does that),
// failures typed as the core expects.
import { TransportError } from '../../dist/core/http/types.js';

export async function fetchTransport(request) {
  try {
    const res = await fetch(request.url, { method: request.method, headers: request.headers, redirect: 'manual', signal: request.signal });
    const body = new Uint8Array(await res.arrayBuffer());
    return { status: res.status, headers: Object.fromEntries(res.headers), body };
  } catch (error) {
    if (request.signal?.aborted) throw new TransportError('aborted', 'aborted');
    const code = error.cause?.code ?? '';
    throw new TransportError(code === 'ECONNREFUSED' ? 'refused' : 'reset', String(error.cause?.message ?? error.message));
  }
}
