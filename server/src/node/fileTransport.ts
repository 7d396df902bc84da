// Local package indexes (`--index-url file:///srv/pypi/simple`, as pip allows): the same requests
// as over HTTP, answered from disk. A folder answers with its index.html, as pip reads it.

import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TransportError, type HttpRequest, type HttpResponse, type Transport } from '../core/http/types';

const TYPES: Record<string, string> = { '.html': 'text/html', '.htm': 'text/html', '.json': 'application/json', '.metadata': 'text/plain' };

function contentType(path: string): string {
  const dot = path.lastIndexOf('.');
  return TYPES[path.slice(dot).toLowerCase()] ?? 'application/octet-stream';
}

function parseRange(header: string | undefined, size: number): { start: number; end: number } | undefined {
  const m = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!m) return undefined;
  if (m[1] === '') return { start: Math.max(0, size - Number(m[2])), end: size - 1 };
  return { start: Number(m[1]), end: m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1) };
}

/** Reads file: URLs; anything else goes to `next`. */
export function withFileUrls(next: Transport): Transport {
  return async (request: HttpRequest): Promise<HttpResponse> => {
    if (!request.url.startsWith('file:')) return next(request);
    if (request.signal?.aborted) throw new TransportError('aborted', 'The request was cancelled.');
    let path: string;
    try {
      path = fileURLToPath(request.url);
    } catch {
      return { status: 404, headers: {}, body: new Uint8Array() };
    }
    try {
      if ((await stat(path)).isDirectory()) path = join(path, 'index.html');
      const file = await open(path, 'r');
      try {
        const size = (await file.stat()).size;
        const range = parseRange(request.headers.range ?? request.headers.Range, size);
        const start = range?.start ?? 0;
        const length = Math.max(0, (range ? range.end + 1 : size) - start);
        if (length > request.maxBytes) throw new TransportError('too-large', `${path} is larger than ${request.maxBytes} bytes.`);
        const body = new Uint8Array(length);
        await file.read(body, 0, length, start);
        const headers: Record<string, string> = { 'content-type': contentType(path) };
        if (range) headers['content-range'] = `bytes ${start}-${start + length - 1}/${size}`;
        return { status: range ? 206 : 200, headers, body };
      } finally {
        await file.close();
      }
    } catch (error) {
      if (error instanceof TransportError) throw error;
      return { status: 404, headers: {}, body: new Uint8Array() };
    }
  };
}
