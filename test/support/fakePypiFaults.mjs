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
//     notFound?: string[] | { names, path? } } // 404 for these projects' pages and files

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
  };
}

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

function send(req, res, reply, rules, path) {
  let { status, headers, body } = reply;
  if ((status === 200 || status === 206) && take(rules.malformed, path)) {
    // A partial answer keeps its length so that Content-Range stays true; only the bytes are wrong.
    body = status === 206 ? Buffer.alloc(body.length, 0x5a) : malformedBody(headers['content-type']);
  }
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
        if (take(active.reset, path)) return void req.socket.destroy();
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
      if (matches(active.latency, path)) setTimeout(go, active.latency.ms);
      else go();
    },
  };
}
