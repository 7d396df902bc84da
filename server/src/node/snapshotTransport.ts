// A registry snapshot: recorded HTTP answers replayed with no network. It lets `pinsight check` run
// the README's example on a fresh clone, and the editor tests run against fixed data. A URL that
// is not in the snapshot answers 404, as a registry without that package would.

import { readFileSync, statSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { TransportError, type HttpRequest, type HttpResponse, type Transport } from '../core/http/types';

/** The file format: `{ "version": 1, "responses": { "<method> <url> <accept>": { status, headers, body, encoding } } }`. */
export interface SnapshotFile {
  version: 1;
  responses: Record<string, { status: number; headers: Record<string, string>; body: string; encoding: 'utf8' | 'base64' }>;
}

/** The key a request is recorded and replayed under: method, URL and the Accept header. */
export function snapshotKey(request: Pick<HttpRequest, 'method' | 'url' | 'headers'>): string {
  const accept = Object.entries(request.headers).find(([k]) => k.toLowerCase() === 'accept')?.[1] ?? '';
  const range = Object.entries(request.headers).find(([k]) => k.toLowerCase() === 'range')?.[1];
  return `${request.method} ${request.url} ${accept}${range ? ` ${range}` : ''}`;
}

const loaded = new Map<string, { stamp: string; data: SnapshotFile }>();

/** The file's size and modification time, or '' when it cannot be read: a changed stamp means an edited snapshot. */
export function snapshotStamp(path: string): string {
  try {
    const info = statSync(path);
    return `${info.size}:${info.mtimeMs}`;
  } catch {
    return '';
  }
}

/** Reads a snapshot file (again when it changed on disk); throws an Error that says what is wrong with it. */
export function loadSnapshot(path: string): SnapshotFile {
  const stamp = snapshotStamp(path);
  const known = loaded.get(path);
  if (known && known.stamp === stamp && stamp !== '') return known.data;
  let data: SnapshotFile;
  try {
    const raw = readFileSync(path);
    // Snapshots are committed gzipped (a tenth of the size); plain JSON works too.
    const text = raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
    data = JSON.parse(text) as SnapshotFile;
  } catch (error) {
    throw new Error(`Cannot read the registry snapshot ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (data?.version !== 1 || typeof data.responses !== 'object') throw new Error(`${path} is not a Pinsight registry snapshot (expected "version": 1).`);
  loaded.set(path, { stamp, data });
  return data;
}

/**
 * Replays a snapshot file. A file that cannot be read makes every request fail with its reason,
 * which the registry layer reports once, like any unreachable registry.
 */
export function createSnapshotTransport(path: string): Transport {
  return async (request: HttpRequest): Promise<HttpResponse> => {
    if (request.signal?.aborted) throw new TransportError('aborted', 'The request was cancelled.');
    // Looked up per request, so an edited snapshot is read again (a stat when it is unchanged).
    let data: SnapshotFile | undefined;
    let problem: string | undefined;
    try {
      data = loadSnapshot(path);
    } catch (error) {
      problem = (error as Error).message;
    }
    if (!data) throw new TransportError('other', problem ?? `Cannot read the registry snapshot ${path}.`);
    const hit = data.responses[snapshotKey(request)];
    if (!hit) return { status: 404, headers: { 'content-type': 'text/plain' }, body: new TextEncoder().encode('not in the registry snapshot') };
    const body = hit.encoding === 'base64' ? new Uint8Array(Buffer.from(hit.body, 'base64')) : new TextEncoder().encode(hit.body);
    return { status: hit.status, headers: hit.headers, body };
  };
}

/** Wraps a transport and records every answer, for `bench/recordSnapshot.mjs`. */
export function createRecordingTransport(inner: Transport, rewriteUrl: (url: string) => string = (u) => u): { transport: Transport; snapshot: SnapshotFile } {
  const snapshot: SnapshotFile = { version: 1, responses: {} };
  const transport: Transport = async (request) => {
    const response = await inner(request);
    const text = new TextDecoder('utf-8', { fatal: false }).decode(response.body);
    const isText = /json|html|text|metadata/.test(response.headers['content-type'] ?? '') || request.url.endsWith('.metadata');
    const headers = Object.fromEntries(Object.entries(response.headers).filter(([k]) => ['content-type', 'etag', 'last-modified', 'location', 'content-range'].includes(k)));
    if (headers.location) headers.location = rewriteUrl(headers.location);
    snapshot.responses[snapshotKey({ ...request, url: rewriteUrl(request.url) })] = {
      status: response.status,
      headers,
      body: isText ? rewriteUrl(text) : Buffer.from(response.body).toString('base64'),
      encoding: isText ? 'utf8' : 'base64',
    };
    return response;
  };
  return { transport, snapshot };
}
