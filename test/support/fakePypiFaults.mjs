// Fault injection for the fake PyPI: simulated latency, failing statuses, broken bodies and broken
// connections. Each fault may be limited to request paths matching a RegExp (its own `path`, else
// the top-level `faults.path`). Counted faults (status500, status429, and reset/truncate/malformed
// given a `count`) hit the first n matching requests only.
//
//   { path?: RegExp,
//     latency?: ms | { ms, path? },
//     status500?: n | { count, path? },
//     status429?: { count, retryAfter?: string | number, path? },
//     truncate?: true | { count?, path? },     // Content-Length larger than the body, then destroy
//     malformed?: true | { count?, path? },    // invalid JSON / HTML / metadata / zip body
//     reset?: true | { count?, path? },        // destroy the socket without answering
//     slowDrip?: { bytesPerChunk, intervalMs, path? },
//     notFound?: string[] | { names, path? },  // 404 for these projects' pages and files
//     status403?: true | { count?, path? },
//     status503?: n | { count, retryAfter?: string | number, path? },
//     garbage?: true | { count?, path? },      // random non-UTF-8 bytes under the real content type
//     wrongShape?: true | { count?, path? },   // valid JSON that is not a project page or API answer
//     oversized?: true | { bytes?, path? },    // a chunked 200 body of `bytes` (default 300 MB), no length
//     redirectLoop?: true | { path? },         // 302 back to the same URL, forever
//     redirectToFile?: true | { path? },       // 302 to file:///etc/passwd
//     hang?: true | { path? },                 // accept the request and never answer
//     hold?: { until: Promise, path? } }       // answer only once `until` settles (a test's gate)

const normalize = (name) => name.toLowerCase().replace(/[-_.]+/g, '-');

function compile(spec = {}) {
  const rule = (value, shape) => {
    if (value === undefined || value === false || value === null) return null;
    const obj = shape(value);
    return { ...obj, path: obj.path ?? spec.path, remaining: obj.count ?? Infinity };
  };
  return {
    latency: rule(spec.latency, (v) => (typeof v === 'number' ? { ms: v } : v)),
    status500: rule(spec.status500, (v) => (typeof v === 'number' ? { count: v } : v)),
    status429: rule(spec.status429, (v) => v),
    truncate: rule(spec.truncate, (v) => (v === true ? {} : v)),
    malformed: rule(spec.malformed, (v) => (v === true ? {} : v)),
    reset: rule(spec.reset, (v) => (v === true ? {} : v)),
    slowDrip: rule(spec.slowDrip, (v) => v),
    notFound: rule(spec.notFound, (v) => (Array.isArray(v) ? { names: v } : v)),
    status403: rule(spec.status403, flag),
    status503: rule(spec.status503, (v) => (typeof v === 'number' ? { count: v } : v === true ? {} : v)),
    garbage: rule(spec.garbage, flag),
    wrongShape: rule(spec.wrongShape, flag),
    oversized: rule(spec.oversized, flag),
    redirectLoop: rule(spec.redirectLoop, flag),
    redirectToFile: rule(spec.redirectToFile, flag),
    hang: rule(spec.hang, flag),
    hold: rule(spec.hold, (v) => v),
  };
}

const flag = (v) => (v === true ? {} : v);

const matches = (r, path) => r !== null && (!r.path || r.path.test(path));

// Takes one use of a counted fault when it applies to this path.
function take(r, path) {
  if (!matches(r, path) || r.remaining <= 0) return false;
  r.remaining--;
  return true;
}

function malformedBody(contentType = '') {
  if (contentType.includes('json')) return Buffer.from('{"meta": {"api-version": "1.1"}, "name": "broken", "files": [{"filename": ');
  if (contentType.includes('html')) return Buffer.from('<!DOCTYPE html>\n<html><body>\n<a href="https://broken.invalid/x.whl#sha256=');
  return Buffer.from('\u0000\u0001\u0002 this is not what the protocol promised \u00ff');
}

// Bytes that are not UTF-8, not JSON, not HTML, not a zip: what a broken proxy or disk sends.
function garbageBody() {
  const out = Buffer.alloc(4096);
  for (let i = 0; i < out.length; i++) out[i] = (i * 197 + 0x80) & 0xff;
  return out;
}

// Well-formed JSON in the shape of nothing the client asked for.
const WRONG_SHAPE = Buffer.from(JSON.stringify([{ meta: 'not an object' }, { files: 'not a list', info: 42, versions: { '1.0': null } }]));

function send(req, res, reply, rules, path) {
  let { status, headers, body } = reply;
  if ((status === 200 || status === 206) && take(rules.malformed, path)) {
    // A partial answer keeps its length so that Content-Range stays true; only the bytes are wrong.
    body = status === 206 ? Buffer.alloc(body.length, 0x5a) : malformedBody(headers['content-type']);
  }
  if ((status === 200 || status === 206) && take(rules.garbage, path)) [status, body] = [200, garbageBody()];
  if ((status === 200 || status === 206) && take(rules.wrongShape, path)) [status, headers, body] = [200, { ...headers, 'content-type': 'application/vnd.pypi.simple.v1+json' }, WRONG_SHAPE];
  const withLength = { ...headers, 'content-length': String(body.length) };
  if (req.method === 'HEAD') {
    res.writeHead(status, withLength);
    res.end();
    return;
  }
  if (take(rules.truncate, path) && body.length > 0) {
    res.writeHead(status, { ...withLength, 'content-length': String(body.length * 2 + 100) });
    res.write(body.subarray(0, Math.ceil(body.length / 2)), () => res.destroy());
    return;
  }
  if (matches(rules.slowDrip, path)) {
    res.writeHead(status, withLength);
    const { bytesPerChunk, intervalMs } = rules.slowDrip;
    let at = 0;
    const drip = () => {
      if (res.destroyed) return;
      if (at >= body.length) return void res.end();
      res.write(body.subarray(at, at + bytesPerChunk));
      at += bytesPerChunk;
      setTimeout(drip, intervalMs);
    };
    drip();
    return;
  }
  res.writeHead(status, withLength);
  res.end(body);
}

function redirect(res, location) {
  res.writeHead(302, { location, 'content-type': 'text/plain', 'content-length': '0' });
  res.end();
}

// A body with no declared length that goes on until `bytes` or until the client hangs up.
function flood(res, bytes) {
  res.writeHead(200, { 'content-type': 'application/vnd.pypi.simple.v1+json' });
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  let sent = 0;
  const pump = () => {
    while (sent < bytes && !res.destroyed) {
      sent += chunk.length;
      if (!res.write(chunk)) return void res.once('drain', pump);
    }
    if (!res.destroyed) res.end();
  };
  res.on('close', () => res.removeAllListeners('drain'));
  pump();
}

function projectOf(path) {
  const m = /^\/(?:simple|pypi|files)\/([^/?]+)/.exec(path);
  return m ? normalize(decodeURIComponent(m[1])) : null;
}

/** Fault state for one server: `handle` answers a request through the active faults. */
export function createFaults(initial) {
  let rules = compile(initial);
  return {
    set(spec) {
      rules = compile(spec);
    },
    /** True when a notFound fault hides this project at this path. */
    hidden(norm, path = '') {
      return matches(rules.notFound, path) && rules.notFound.names.map(normalize).includes(norm);
    },
    handle(req, res, path, produce) {
      const active = rules;
      const go = () => {
        // The socket stays open until the client gives up or the server closes all connections.
        if (matches(active.hang, path)) return;
        if (take(active.reset, path)) return void req.socket.destroy();
        if (matches(active.redirectLoop, path)) return void redirect(res, path);
        if (matches(active.redirectToFile, path)) return void redirect(res, 'file:///etc/passwd');
        if (matches(active.oversized, path)) return void flood(res, active.oversized.bytes ?? 300 * 1024 * 1024);
        if (take(active.status403, path)) return send(req, res, { status: 403, headers: { 'content-type': 'text/plain' }, body: Buffer.from('Forbidden\n') }, active, path);
        if (take(active.status503, path)) {
          const headers = { 'content-type': 'text/plain' };
          if (active.status503.retryAfter !== undefined) headers['retry-after'] = String(active.status503.retryAfter);
          return send(req, res, { status: 503, headers, body: Buffer.from('Service Unavailable\n') }, active, path);
        }
        if (take(active.status500, path)) return send(req, res, { status: 500, headers: { 'content-type': 'text/plain' }, body: Buffer.from('Internal Server Error\n') }, active, path);
        if (take(active.status429, path)) {
          const headers = { 'content-type': 'text/plain' };
          if (active.status429.retryAfter !== undefined) headers['retry-after'] = String(active.status429.retryAfter);
          return send(req, res, { status: 429, headers, body: Buffer.from('Too Many Requests\n') }, active, path);
        }
        const project = projectOf(path);
        if (project && matches(active.notFound, path) && active.notFound.names.map(normalize).includes(project)) {
          return send(req, res, { status: 404, headers: { 'content-type': 'text/plain' }, body: Buffer.from('404 Not Found\n') }, active, path);
        }
        send(req, res, produce(), active, path);
      };
      const answer = () => (matches(active.latency, path) ? setTimeout(go, active.latency.ms) : go());
      if (matches(active.hold, path)) void Promise.resolve(active.hold.until).finally(answer);
      else answer();
    },
  };
}
