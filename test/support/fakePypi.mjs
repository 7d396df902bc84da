// A loopback fake of PyPI for tests: the simple API (PEP 503 HTML, PEP 691 JSON with PEP 700 and
// PEP 714 fields, content negotiation), PEP 658 `.metadata` files, real wheels with HTTP range
// support, real sdists, and the JSON API (`/pypi/<name>/json`). Projects come from the snapshot in
// test/fixtures/pypi plus fixtures a test passes in; faults simulate a bad network or a bad index.
//
// Fixture shape (README in test/fixtures/pypi), with optional per-version extras for tests:
//   { name, status?: {status, reason?}, versions: { "<ver>": {
//       requires_dist, requires_python, upload_time,
//       yanked?: boolean | "<reason>", yanked_reason?: string,
//       files?: 'wheel+sdist' (default) | 'wheel' | 'sdist' | 'none',
//       wheelTags?: string[]           // default ['py3-none-any']
//       metadata?: string              // raw METADATA text instead of the generated one
//       metadataFile?: boolean         // false: no PEP 658 file for this version
//       layout?: { padBytes?, metadataFirst? } } } }
//
// startFakePypi({ projects = 'all' | string[], extra = [], faults = {} (see fakePypiFaults.mjs),
//   features = { json, html, metadataFiles, jsonApi, rangeRequests, pep700 (all true), relativeUrls (false) },
//   https = { key, cert, ca?, requestCert? } to serve over TLS at https://127.0.0.1:<port>,
//   requireAuthorization: the Authorization header every request must carry, else 401 })
//   -> { url, indexUrl (url + '/simple'), requests: [{method, path, headers}], setFaults(f),
//        setRequiredAuthorization(value), close() }
// Files live at /files/<normalized>/<filename> (absolute URLs unless relativeUrls).
import { createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { compareVersions, parseVersion, isPrerelease } from '../../dist/core/python/versions/pep440.js';
import { buildMetadata, buildSdist, buildWheel, extrasOf, filenameStem, normalize, sha256Hex } from './fakePypiArtifacts.mjs';
import { createFaults } from './fakePypiFaults.mjs';

export { normalize };

const FIXTURES = fileURLToPath(new URL('../fixtures/pypi/', import.meta.url));
const JSON_TYPE = 'application/vnd.pypi.simple.v1+json';
const HTML_TYPE = 'application/vnd.pypi.simple.v1+html';
const OFFERS = [JSON_TYPE, HTML_TYPE, 'text/html'];
const DEFAULT_FEATURES = { json: true, html: true, metadataFiles: true, jsonApi: true, rangeRequests: true, pep700: true, relativeUrls: false };

function loadFixtures(projects, extra) {
  const all = new Map();
  const names = projects === 'all' ? readdirSync(FIXTURES).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)) : projects;
  for (const name of names) {
    const data = JSON.parse(readFileSync(join(FIXTURES, `${normalize(name)}.json`), 'utf8'));
    all.set(normalize(data.name), data);
  }
  // A fixture the test passes in replaces a snapshot project of the same name.
  for (const data of extra) all.set(normalize(data.name), data);
  return all;
}

function yankOf(info) {
  if (typeof info.yanked === 'string') return { yanked: true, reason: info.yanked };
  return { yanked: info.yanked === true, reason: info.yanked === true ? (info.yanked_reason ?? '') : '' };
}

// Every file of every version, built once per project on first use.
function buildArtifacts(project) {
  const files = [];
  for (const [version, info] of Object.entries(project.versions)) {
    const kinds = info.files ?? 'wheel+sdist';
    if (kinds === 'none') continue;
    const metadata = Buffer.from(info.metadata ?? buildMetadata(project.name, version, info));
    const common = { version, requiresPython: info.requires_python ?? null, uploadTime: info.upload_time ?? '2020-01-01T00:00:00Z', ...yankOf(info) };
    const stem = filenameStem(project.name);
    if (kinds.includes('wheel')) {
      const bytes = buildWheel(project.name, version, metadata.toString(), info.layout, info.upload_time);
      for (const tag of info.wheelTags ?? ['py3-none-any']) {
        const hasMetadata = info.metadataFile !== false;
        files.push({ ...common, kind: 'wheel', filename: `${stem}-${version}-${tag}.whl`, bytes, sha256: sha256Hex(bytes), metadata: hasMetadata ? metadata : null, metadataSha256: sha256Hex(metadata) });
      }
    }
    if (kinds.includes('sdist')) {
      const bytes = buildSdist(project.name, version, metadata.toString(), info.upload_time);
      files.push({ ...common, kind: 'sdist', filename: `${stem}-${version}.tar.gz`, bytes, sha256: sha256Hex(bytes), metadata: null });
    }
  }
  return { files, byName: new Map(files.map((f) => [f.filename, f])) };
}

// Artifacts depend only on the fixture, so servers started one after another (a test per fault)
// share them instead of building every wheel and sdist again.
const builtForFixture = new Map();

function builtArtifacts(project) {
  const key = JSON.stringify(project);
  if (!builtForFixture.has(key)) builtForFixture.set(key, buildArtifacts(project));
  return builtForFixture.get(key);
}

const escapeHtml = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

/** The media type PEP 691 negotiation picks for an Accept header, or null (406). */
export function negotiate(accept, features) {
  const offers = OFFERS.filter((o) => (o === JSON_TYPE ? features.json : features.html));
  if (!accept || !accept.trim()) return offers.includes('text/html') ? 'text/html' : (offers[0] ?? null);
  const ranges = accept.split(',').map((part) => {
    const [range, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return { range: range.trim(), q: q ? Number(q.slice(2)) : 1 };
  });
  const scored = [];
  for (const [order, offer] of offers.entries()) {
    const [type] = offer.split('/');
    let best = null;
    for (const { range, q } of ranges) {
      const specificity = range === offer ? 2 : range === `${type}/*` ? 1 : range === '*/*' ? 0 : -1;
      if (specificity >= 0 && (!best || specificity > best.specificity)) best = { specificity, q: Number.isFinite(q) ? q : 0 };
    }
    // Wildcard-only matches keep the legacy default (HTML) ahead of JSON.
    if (best && best.q > 0) scored.push({ offer, ...best, order: best.specificity === 0 ? -order : order });
  }
  scored.sort((a, b) => b.q - a.q || b.specificity - a.specificity || a.order - b.order);
  return scored[0]?.offer ?? null;
}

function httpDate(iso) {
  return new Date(iso).toUTCString();
}

/** Starts the fake index on 127.0.0.1 with an ephemeral port. */
/**
 * Starts the fake index on 127.0.0.1 with an ephemeral port. `https` ({ key, cert, ca?, requestCert? },
 * PEM texts) serves it over TLS instead, at https://127.0.0.1:<port>; with requestCert the server
 * accepts only clients whose certificate `ca` signed.
 */
export async function startFakePypi({ projects = 'all', extra = [], faults = {}, features = {}, https, requireAuthorization } = {}) {
  // Every request must carry this Authorization header (a Basic credential), else 401.
  let required = requireAuthorization;
  const feats = { ...DEFAULT_FEATURES, ...features };
  const fixtures = loadFixtures(projects, extra);
  const artifactCache = new Map();
  const requests = [];
  const faultState = createFaults(faults);
  let base = '';

  const artifacts = (norm) => {
    if (!artifactCache.has(norm)) artifactCache.set(norm, builtArtifacts(fixtures.get(norm)));
    return artifactCache.get(norm);
  };
  const exists = (norm) => fixtures.has(norm) && !faultState.hidden(norm);
  const fileUrl = (norm, filename, depth) => (feats.relativeUrls ? `${'../'.repeat(depth)}files/${norm}/${filename}` : `${base}/files/${norm}/${filename}`);
  const lastModified = (norm) =>
    Object.values(fixtures.get(norm).versions).reduce((max, v) => (v.upload_time && v.upload_time > max ? v.upload_time : max), '2000-01-01T00:00:00Z');
  const apiVersion = (project) => (project?.status ? '1.4' : feats.pep700 ? '1.1' : '1.0');

  function projectJson(norm) {
    const project = fixtures.get(norm);
    const files = artifacts(norm).files.map((f) => {
      const entry = { filename: f.filename, url: fileUrl(norm, f.filename, 2), hashes: { sha256: f.sha256 }, 'requires-python': f.requiresPython, yanked: f.yanked ? f.reason || true : false };
      if (feats.metadataFiles && f.metadata) entry['core-metadata'] = entry['dist-info-metadata'] = { sha256: f.metadataSha256 };
      if (feats.pep700) Object.assign(entry, { size: f.bytes.length, 'upload-time': f.uploadTime.replace(/Z$/, '.000000Z') });
      return entry;
    });
    const body = { meta: { 'api-version': apiVersion(project), '_last-serial': 1000 }, name: norm, files };
    if (feats.pep700) body.versions = Object.keys(project.versions);
    if (project.status) body['project-status'] = project.status;
    return JSON.stringify(body);
  }

  function projectHtml(norm) {
    const project = fixtures.get(norm);
    const anchors = artifacts(norm).files.map((f) => {
      let attrs = ` href="${escapeHtml(fileUrl(norm, f.filename, 2))}#sha256=${f.sha256}"`;
      if (f.requiresPython) attrs += ` data-requires-python="${escapeHtml(f.requiresPython)}"`;
      if (f.yanked) attrs += f.reason ? ` data-yanked="${escapeHtml(f.reason)}"` : ' data-yanked';
      if (feats.metadataFiles && f.metadata) attrs += ` data-dist-info-metadata="sha256=${f.metadataSha256}" data-core-metadata="sha256=${f.metadataSha256}"`;
      return `    <a${attrs}>${escapeHtml(f.filename)}</a><br />`;
    });
    let status = project.status ? `\n    <meta name="pypi:project-status" content="${escapeHtml(project.status.status)}">` : '';
    if (project.status?.reason) status += `\n    <meta name="pypi:project-status-reason" content="${escapeHtml(project.status.reason)}">`;
    return `<!DOCTYPE html>\n<html>\n  <head>\n    <meta name="pypi:repository-version" content="${apiVersion(project)}">${status}\n    <title>Links for ${escapeHtml(norm)}</title>\n  </head>\n  <body>\n    <h1>Links for ${escapeHtml(norm)}</h1>\n${anchors.join('\n')}\n  </body>\n</html>\n<!--SERIAL 1000-->\n`;
  }

  function rootPage(type) {
    const names = [...fixtures.keys()].filter(exists).sort();
    if (type === JSON_TYPE) return JSON.stringify({ meta: { 'api-version': feats.pep700 ? '1.1' : '1.0', '_last-serial': 1000 }, projects: names.map((name) => ({ name, '_last-serial': 1000 })) });
    const anchors = names.map((n) => `    <a href="/simple/${n}/">${n}</a>`).join('\n');
    return `<!DOCTYPE html>\n<html>\n  <head>\n    <meta name="pypi:repository-version" content="1.1">\n    <title>Simple index</title>\n  </head>\n  <body>\n${anchors}\n  </body>\n</html>\n`;
  }

  // A project's page never changes while a server runs, so each is rendered (and hashed) once; the
  // root page lists what faults leave visible, so it is rendered every time (no key).
  const rendered = new Map();

  // An index page: negotiated type, ETag / Last-Modified and conditional 304.
  function indexPage(req, build, modified, key) {
    const type = negotiate(req.headers.accept, feats);
    if (!type) return { status: 406, headers: { 'content-type': 'text/plain' }, body: Buffer.from('Not Acceptable\n') };
    const cacheKey = `${key}\u0000${type}`;
    let page = key === undefined ? undefined : rendered.get(cacheKey);
    if (!page) {
      const built = Buffer.from(build(type));
      page = { body: built, etag: `"${sha256Hex(Buffer.concat([Buffer.from(type), built])).slice(0, 32)}"` };
      if (key !== undefined) rendered.set(cacheKey, page);
    }
    const { body, etag } = page;
    const headers = { 'content-type': `${type}; charset=utf-8`, etag, 'last-modified': httpDate(modified), vary: 'Accept, Accept-Encoding', 'cache-control': 'max-age=600, public' };
    const inm = req.headers['if-none-match'];
    const ims = req.headers['if-modified-since'];
    const notModified = inm ? inm.split(',').some((t) => t.trim() === etag || t.trim() === '*' || t.trim() === `W/${etag}`) : ims ? Date.parse(ims) >= Date.parse(httpDate(modified)) : false;
    if (notModified) return { status: 304, headers: { etag, 'last-modified': headers['last-modified'], vary: headers.vary }, body: Buffer.alloc(0) };
    return { status: 200, headers, body };
  }

  function servePath(req, path) {
    const redirect = (location) => ({ status: 301, headers: { location, 'content-type': 'text/plain' }, body: Buffer.from(`Moved to ${location}\n`) });
    const notFound = () => ({ status: 404, headers: { 'content-type': 'text/plain' }, body: Buffer.from('404 Not Found\n') });
    if (path === '/simple') return redirect('/simple/');
    if (path === '/simple/') return indexPage(req, rootPage, '2025-01-01T00:00:00Z');
    let m = /^\/simple\/([^/]+)(\/?)$/.exec(path);
    if (m) {
      const name = decodeURIComponent(m[1]);
      const norm = normalize(name);
      if (name !== norm || !m[2]) return exists(norm) ? redirect(`/simple/${norm}/`) : notFound();
      if (!exists(norm)) return notFound();
      return indexPage(req, (type) => (type === JSON_TYPE ? projectJson(norm) : projectHtml(norm)), lastModified(norm), norm);
    }
    m = /^\/files\/([^/]+)\/([^/]+?)(\.metadata)?$/.exec(path);
    if (m) {
      const norm = m[1];
      const file = exists(norm) ? artifacts(norm).byName.get(decodeURIComponent(m[2])) : undefined;
      if (!file) return notFound();
      if (m[3]) return feats.metadataFiles && file.metadata ? { status: 200, headers: { 'content-type': 'application/octet-stream', etag: `"${file.metadataSha256}"` }, body: file.metadata } : notFound();
      return serveBytes(req, file);
    }
    m = /^\/pypi\/([^/]+)(?:\/([^/]+))?\/json\/?$/.exec(path);
    if (m && feats.jsonApi) {
      const name = decodeURIComponent(m[1]);
      const norm = normalize(name);
      if (!exists(norm)) return notFound();
      if (name !== norm) return redirect(`/pypi/${norm}${m[2] ? `/${m[2]}` : ''}/json`);
      const body = jsonApi(norm, m[2] && decodeURIComponent(m[2]));
      return body ? { status: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(body) } : notFound();
    }
    return notFound();
  }

  // A distribution file, honouring `Range: bytes=a-b`, `bytes=a-` and `bytes=-n` when enabled.
  function serveBytes(req, file) {
    const size = file.bytes.length;
    const type = file.kind === 'wheel' ? 'application/zip' : 'application/x-tar';
    const headers = { 'content-type': type, etag: `"${file.sha256}"`, 'last-modified': httpDate(file.uploadTime) };
    const range = req.headers.range;
    if (!feats.rangeRequests || !range) return { status: 200, headers: feats.rangeRequests ? { ...headers, 'accept-ranges': 'bytes' } : headers, body: file.bytes };
    headers['accept-ranges'] = 'bytes';
    const m = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
    let start;
    let end;
    if (m && m[1] === '' && m[2] !== '') [start, end] = [Math.max(0, size - Number(m[2])), size - 1];
    else if (m && m[1] !== '') [start, end] = [Number(m[1]), m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1)];
    if (start === undefined || start > end || start >= size || (m[1] === '' && Number(m[2]) === 0)) {
      return { status: 416, headers: { 'content-range': `bytes */${size}`, 'content-type': 'text/plain' }, body: Buffer.from('Range Not Satisfiable\n') };
    }
    return { status: 206, headers: { ...headers, 'content-range': `bytes ${start}-${end}/${size}` }, body: file.bytes.subarray(start, end + 1) };
  }

  function fileJson(norm, f) {
    return {
      comment_text: '',
      digests: { sha256: f.sha256, md5: sha256Hex(f.bytes).slice(0, 32) },
      downloads: -1,
      filename: f.filename,
      has_sig: false,
      packagetype: f.kind === 'wheel' ? 'bdist_wheel' : 'sdist',
      python_version: f.kind === 'wheel' ? 'py3' : 'source',
      requires_python: f.requiresPython,
      size: f.bytes.length,
      upload_time: f.uploadTime.replace(/Z$/, ''),
      upload_time_iso_8601: f.uploadTime.replace(/Z$/, '.000000Z'),
      url: `${base}/files/${norm}/${f.filename}`,
      yanked: f.yanked,
      yanked_reason: f.yanked && f.reason ? f.reason : null,
    };
  }

  // PyPI's JSON API: info describes the given version (or the latest), releases only without one.
  function jsonApi(norm, version) {
    const project = fixtures.get(norm);
    const all = artifacts(norm).files;
    const listed = Object.keys(project.versions);
    if (version !== undefined && !listed.includes(version)) return null;
    const ver = version ?? latestVersion(project);
    const info = project.versions[ver] ?? {};
    const { yanked, reason } = yankOf(info);
    const body = {
      info: {
        name: project.name,
        version: ver,
        summary: `Fixture project ${project.name} for Pinsight tests`,
        requires_dist: info.requires_dist?.length ? info.requires_dist : null,
        provides_extra: extrasOf(info.requires_dist).length ? extrasOf(info.requires_dist) : null,
        requires_python: info.requires_python ?? '',
        yanked,
        yanked_reason: yanked && reason ? reason : null,
        package_url: `${base}/project/${norm}/`,
        release_url: `${base}/project/${norm}/${ver}/`,
        project_urls: null,
      },
      last_serial: 1000,
      urls: all.filter((f) => f.version === ver).map((f) => fileJson(norm, f)),
      vulnerabilities: [],
    };
    if (version === undefined) body.releases = Object.fromEntries(listed.map((v) => [v, all.filter((f) => f.version === v).map((f) => fileJson(norm, f))]));
    return JSON.stringify(body);
  }

  const handler = (req, res) => {
    const path = req.url ?? '/';
    requests.push({ method: req.method, path, headers: { ...req.headers }, at: performance.now() });
    if (required !== undefined && req.headers.authorization !== required) {
      res.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Basic realm="fakePypi"' });
      res.end('credentials required\n');
      return;
    }
    faultState.handle(req, res, path, () => {
      if (req.method !== 'GET' && req.method !== 'HEAD') return { status: 405, headers: {}, body: Buffer.alloc(0) };
      try {
        return servePath(req, path.split('?')[0]);
      } catch (error) {
        // A broken fixture is a bug in the test: say so in the response rather than crash the server.
        return { status: 500, headers: { 'content-type': 'text/plain' }, body: Buffer.from(`fake PyPI failed: ${error.stack}\n`) };
      }
    });
  };
  const server = https
    ? createHttpsServer({ key: https.key, cert: https.cert, ca: https.ca, requestCert: https.requestCert === true, rejectUnauthorized: https.requestCert === true }, handler)
    : createServer(handler);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = https ? `https://127.0.0.1:${server.address().port}` : `http://127.0.0.1:${server.address().port}`;
  return {
    url: base,
    indexUrl: `${base}/simple`,
    requests,
    setFaults: (f) => faultState.set(f),
    /** Changes the Authorization header every request must carry (a rotated password); undefined: none. */
    setRequiredAuthorization: (value) => {
      required = value;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };

  function latestVersion(project) {
    const candidates = Object.entries(project.versions)
      .map(([v, info]) => ({ v, parsed: parseVersion(v), info }))
      .filter((c) => c.parsed && (c.info.files ?? 'wheel+sdist') !== 'none');
    candidates.sort((a, b) => compareVersions(b.parsed, a.parsed));
    const stable = candidates.find((c) => !isPrerelease(c.parsed) && !yankOf(c.info).yanked);
    return (stable ?? candidates[0])?.v ?? Object.keys(project.versions).at(-1);
  }
}
