// A loopback npm registry for tests, serving the recorded packuments in test/fixtures/npm (plus any
// extra ones a test writes) the way registry.npmjs.org does: abbreviated or full documents by Accept,
// ETags and 304s, dist-tags, scoped names in either spelling, tarballs, optional Bearer-token auth,
// and injectable faults. Good enough for the real npm CLI to resolve a tree against it.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { tarHeader } from './tar.mjs';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'npm');
const ABBREVIATED = 'application/vnd.npm.install-v1+json';
const DEFAULT_MODIFIED = '2026-11-22T00:00:00.000Z';

/** Names of every recorded fixture packument. */
export function fixtureNames() {
  return readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length).replace('+', '/'));
}

const loaded = new Map();
/** One recorded packument as stored (abbreviated fields only; tarball URLs point at npmjs.org). */
export function loadFixture(name) {
  if (!loaded.has(name)) loaded.set(name, JSON.parse(readFileSync(join(FIXTURES, `${name.replace('/', '+')}.json`), 'utf8')));
  return structuredClone(loaded.get(name));
}

// ---- tarballs: a deterministic package/package.json in a gzipped ustar archive ----


/** A tiny but valid npm tarball whose package.json carries the version's dependency fields. */
export function buildTarball(manifest) {
  const pkg = { name: manifest.name, version: manifest.version };
  for (const f of ['dependencies', 'optionalDependencies', 'peerDependencies', 'peerDependenciesMeta', 'engines', 'os', 'cpu']) {
    if (manifest[f] !== undefined) pkg[f] = manifest[f];
  }
  const data = Buffer.from(JSON.stringify(pkg, null, 2) + '\n');
  const pad = Buffer.alloc((512 - (data.length % 512)) % 512);
  return gzipSync(Buffer.concat([tarHeader('package/package.json', data.length), data, pad, Buffer.alloc(1024)]), { level: 9 });
}

function tarballFileName(name, version) {
  return `${name.split('/').pop()}-${version}.tgz`;
}

// ---- documents ----

/** Fills in what a hand-written version entry leaves out, and points its tarball at this server. */
function normaliseVersion(name, version, manifest, base) {
  const out = { ...manifest, name, version };
  delete out.dist;
  const tarball = buildTarball(out);
  out.dist = {
    tarball: `${base}/${name}/-/${tarballFileName(name, version)}`,
    shasum: createHash('sha1').update(tarball).digest('hex'),
    integrity: `sha512-${createHash('sha512').update(tarball).digest('base64')}`,
  };
  return { manifest: out, tarball };
}

function mergeDocs(fixture, extra, name) {
  const doc = fixture ?? { name, 'dist-tags': {}, versions: {} };
  if (!extra) return doc;
  return {
    ...doc,
    ...extra,
    name,
    'dist-tags': { ...doc['dist-tags'], ...(extra['dist-tags'] ?? {}) },
    versions: { ...doc.versions, ...(extra.versions ?? {}) },
  };
}

function etagOf(text) {
  return `"${createHash('sha1').update(text).digest('base64url')}"`;
}

/** Both representations of one package, with ETags and tarballs, built lazily and kept. */
class PackageEntry {
  constructor(name, doc, base) {
    this.name = name;
    this.doc = doc;
    this.base = base;
    this.built = undefined;
  }

  build() {
    if (this.built) return this.built;
    const { name, doc } = this;
    const versions = {};
    const tarballs = new Map();
    for (const [version, manifest] of Object.entries(doc.versions ?? {})) {
      const built = normaliseVersion(name, version, manifest, this.base);
      versions[version] = built.manifest;
      tarballs.set(tarballFileName(name, version), built.tarball);
    }
    const distTags = { ...(doc['dist-tags'] ?? {}) };
    if (distTags.latest === undefined && Object.keys(versions).length > 0) distTags.latest = Object.keys(versions).at(-1);
    const modified = doc.modified ?? DEFAULT_MODIFIED;
    const abbreviated = JSON.stringify({ name, 'dist-tags': distTags, modified, versions });
    const full = JSON.stringify(fullDocument(name, distTags, modified, versions));
    this.built = {
      distTags,
      modified,
      tarballs,
      abbreviated: { body: abbreviated, etag: etagOf(abbreviated), type: ABBREVIATED },
      full: { body: full, etag: etagOf(full), type: 'application/json' },
    };
    return this.built;
  }
}

// The full ("corgi-less") document carries what installers do not need; tests tell the two apart by it.
function fullDocument(name, distTags, modified, versions) {
  const full = { _id: name, _rev: '1-fakenpm', name, description: `${name} (fixture)`, 'dist-tags': distTags, versions: {}, time: { modified } };
  for (const [version, manifest] of Object.entries(versions)) {
    full.versions[version] = { ...manifest, _id: `${name}@${version}`, description: `${name} (fixture)`, _npmVersion: '10.0.0' };
    full.time[version] = modified;
  }
  full.readme = `# ${name}\n\nFixture packument.`;
  return full;
}

// ---- faults ----

function matches(fault, name, path) {
  if (fault.match === undefined) return true;
  if (fault.match instanceof RegExp) return fault.match.test(path);
  return fault.match === name || fault.match === path;
}

/** The faults that apply to one request: every matching latency, then the first other matching fault. */
function takeFaults(faults, name, path) {
  let delayMs = 0;
  let chosen;
  for (const fault of faults) {
    if ((fault.times ?? Infinity) <= 0 || !matches(fault, name, path)) continue;
    if (fault.kind === 'latency') {
      delayMs += fault.ms ?? 0;
      continue;
    }
    if (chosen) continue;
    chosen = fault;
    if (fault.times !== undefined) fault.times--;
  }
  return { delayMs, fault: chosen };
}

function drip(res, body, fault, timers) {
  const chunk = fault.bytes ?? 16;
  const every = fault.intervalMs ?? 50;
  let at = 0;
  const step = () => {
    if (res.destroyed) return;
    res.write(body.subarray(at, at + chunk));
    at += chunk;
    if (at >= body.length) res.end();
    else later(timers, step, every);
  };
  step();
}

// Server-side timers are cleared on close(), so that a long latency fault never holds a test process open.
function later(timers, fn, ms) {
  const timer = setTimeout(() => {
    timers.delete(timer);
    fn();
  }, ms);
  timers.add(timer);
}

/** Sends a successful body, bent by the request's fault if there is one. */
function sendBody(req, res, status, headers, body, fault, timers) {
  const bytes = Buffer.from(body);
  if (fault?.kind === 'malformed') {
    const bad = Buffer.from(fault.body ?? '{"name": "broken", "versions": {"1.0.0": ');
    res.writeHead(200, { ...headers, 'content-length': bad.length, etag: etagOf(bad) });
    res.end(req.method === 'HEAD' ? undefined : bad);
    return;
  }
  res.writeHead(status, { ...headers, 'content-length': bytes.length });
  if (req.method === 'HEAD') return void res.end();
  if (fault?.kind === 'truncate') {
    res.write(bytes.subarray(0, Math.floor(bytes.length * (fault.fraction ?? 0.5))));
    // Headers promised more: the client sees the connection end early.
    setImmediate(() => res.socket?.destroy());
    return;
  }
  if (fault?.kind === 'drip') return drip(res, bytes, fault, timers);
  res.end(bytes);
}

/** Answers with the fault itself when it replaces the response; true if it did. */
function answerFault(res, fault) {
  switch (fault?.kind) {
    case 'reset':
      res.socket?.destroy();
      return true;
    case 'error':
      sendJson(res, fault.status ?? 500, { error: fault.message ?? 'Internal Server Error' });
      return true;
    case 'rate-limit':
      sendJson(res, 429, { error: 'Too Many Requests' }, fault.retryAfter === undefined ? {} : { 'retry-after': String(fault.retryAfter) });
      return true;
    case 'not-found':
      sendJson(res, 404, { error: 'Not found' });
      return true;
    default:
      return false;
  }
}

function sendJson(res, status, value, headers = {}) {
  const body = Buffer.from(JSON.stringify(value));
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': body.length, ...headers });
  res.end(body);
}

// ---- routing ----

/** `/react`, `/@types%2freact`, `/@types/react`, `/react/-/react-1.0.0.tgz`, `/-/package/<name>/dist-tags`. */
export function parseRegistryPath(pathname) {
  const decode = (s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return undefined;
    }
  };
  const tags = /^\/-\/package\/(.+)\/dist-tags\/?$/.exec(pathname);
  if (tags) return { kind: 'dist-tags', name: decode(tags[1]) };
  const tarball = /^\/((?:@[^/]+(?:\/|%2[fF]))?[^/@][^/]*)\/-\/([^/]+\.tgz)$/.exec(pathname);
  if (tarball) return { kind: 'tarball', name: decode(tarball[1]), file: decode(tarball[2]) };
  const doc = /^\/((?:@[^/]+(?:\/|%2[fF]))?[^/@][^/]*)\/?$/.exec(pathname);
  if (doc) return { kind: 'packument', name: decode(doc[1]) };
  return { kind: 'unknown' };
}

function wantsAbbreviated(accept) {
  return (accept ?? '').split(',').some((part) => {
    const [type, ...params] = part.trim().split(';');
    if (type.trim().toLowerCase() !== ABBREVIATED) return false;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

function notModified(req, representation) {
  const inm = req.headers['if-none-match'];
  if (inm !== undefined) return inm.split(',').some((tag) => tag.trim().replace(/^W\//, '') === representation.etag);
  return false;
}

function servePackument(req, res, entry, fault, timers) {
  const built = entry.build();
  const rep = wantsAbbreviated(req.headers.accept) ? built.abbreviated : built.full;
  const headers = {
    'content-type': rep.type,
    etag: rep.etag,
    'last-modified': new Date(built.modified).toUTCString(),
    'cache-control': 'public, max-age=300',
    vary: 'Accept, Accept-Encoding',
  };
  if (!fault && notModified(req, rep)) {
    res.writeHead(304, headers);
    res.end();
    return 304;
  }
  sendBody(req, res, 200, headers, rep.body, fault, timers);
  return 200;
}

function route(req, res, state, fault) {
  const url = new URL(req.url, state.base);
  const target = parseRegistryPath(url.pathname);
  const entry = target.name === undefined ? undefined : state.entries.get(target.name);
  if (target.kind === 'unknown' || !entry) {
    sendJson(res, 404, { error: 'Not found' });
    return 404;
  }
  if (target.kind === 'packument') return servePackument(req, res, entry, fault, state.timers);
  if (target.kind === 'dist-tags') {
    sendBody(req, res, 200, { 'content-type': 'application/json' }, JSON.stringify(entry.build().distTags), fault, state.timers);
    return 200;
  }
  const tarball = entry.build().tarballs.get(target.file);
  if (!tarball) {
    sendJson(res, 404, { error: 'Not found' });
    return 404;
  }
  sendBody(req, res, 200, { 'content-type': 'application/octet-stream' }, tarball, fault, state.timers);
  return 200;
}

/**
 * Starts the registry on 127.0.0.1.
 * - packages: fixture names to serve (default: every fixture); extra: { name: { 'dist-tags'?, modified?, versions } }
 *   added to or merged over the fixtures (version entries need only the fields that matter).
 * - faults: [{ kind: 'latency'|'error'|'rate-limit'|'truncate'|'malformed'|'reset'|'drip'|'not-found',
 *   match?: name | path | RegExp, times?: n, ms?, status?, retryAfter?, body?, fraction?, bytes?, intervalMs? }]
 * - requireToken: every request must send `Authorization: Bearer <token>`, else 401.
 * - requireAuthorization: the whole Authorization header every request must send (Basic too), else 401.
 * - https: { key, cert } (PEM texts): serve over TLS at https://127.0.0.1:<port> instead.
 */
export async function startFakeNpm({ packages, extra = {}, faults = [], requireToken, requireAuthorization, https } = {}) {
  const requests = [];
  const state = { base: '', entries: new Map(), faults: faults.map((fault) => ({ ...fault })), timers: new Set(), requireToken, requireAuthorization };
  const handler = (req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    const { name } = parseRegistryPath(path);
    const record = { method: req.method, path, name, accept: req.headers.accept, authorization: req.headers.authorization, ifNoneMatch: req.headers['if-none-match'], status: 0 };
    requests.push(record);
    res.on('close', () => {
      if (!res.writableFinished) record.status = record.status || -1;
    });
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      record.status = 405;
      return sendJson(res, 405, { error: 'Method not allowed' });
    }
    const required = state.requireAuthorization ?? (state.requireToken === undefined ? undefined : `Bearer ${state.requireToken}`);
    if (required !== undefined && req.headers.authorization !== required) {
      record.status = 401;
      return sendJson(res, 401, { error: 'Unauthorized' }, { 'www-authenticate': 'Bearer realm="fakeNpm"' });
    }
    const { delayMs, fault } = takeFaults(state.faults, name, path);
    record.fault = fault?.kind;
    const respond = () => {
      if (res.destroyed) return;
      if (answerFault(res, fault)) {
        record.status = fault.kind === 'reset' ? -1 : res.statusCode;
        return;
      }
      record.status = route(req, res, state, fault);
    };
    if (delayMs > 0) later(state.timers, respond, delayMs);
    else respond();
  };
  const server = https ? createHttpsServer({ key: https.key, cert: https.cert }, handler) : createServer(handler);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  state.base = https ? `https://127.0.0.1:${port}` : `http://127.0.0.1:${port}`;
  const names = packages ?? fixtureNames();
  for (const name of new Set([...names, ...Object.keys(extra)])) {
    const fixture = names.includes(name) ? loadFixture(name) : undefined;
    state.entries.set(name, new PackageEntry(name, mergeDocs(fixture, extra[name], name), state.base));
  }
  return {
    /** Base URL with a trailing slash, as npm config expects. */
    url: `${state.base}/`,
    requests,
    /** Changes the token every request must carry (a rotated token); undefined: none required. */
    setRequiredToken(token) {
      state.requireToken = token;
    },
    /** Replaces the fault list (each fault's `times` counts down as it fires). */
    setFaults(next) {
      state.faults = next.map((fault) => ({ ...fault }));
    },
    close() {
      for (const timer of state.timers) clearTimeout(timer);
      state.timers.clear();
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
