// The PyPI client against the loopback fake index: every protocol path (PEP 691 JSON, PEP 503
// HTML, PEP 658 metadata files, the JSON API, wheel range reads, sdist-only), yanking, name
// normalisation, request counts, merged indexes and errors. Requests go through the real
// RegistryHttp with a fetch-based transport and a fake clock.
import { test, describe, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ParsedBodies, PypiClient } from '../../dist/core/python/index/pypi.js';
import { RegistryHttp } from '../../dist/core/http/registryHttp.js';
import { RegistryError } from '../../dist/core/http/types.js';
import { CredentialSources } from '../../dist/core/http/credentials.js';
import { PythonIndexServices } from '../../dist/core/python/index/services.js';
import { startFakePypi, negotiate } from '../support/fakePypi.mjs';
import { fetchTransport } from '../support/fetchTransport.mjs';

const fixture = (name) => JSON.parse(readFileSync(new URL(`../fixtures/pypi/${name}.json`, import.meta.url), 'utf8'));
const REALTIME = fixture('realtime');

const EXTRA = [
  {
    name: 'yankee',
    versions: {
      '1.0.0': { requires_dist: ['six>=1.0'], requires_python: '>=3.8,<4', upload_time: '2024-01-01T00:00:00Z' },
      '1.1.0': { requires_dist: [], requires_python: '>=3.8', yanked: true, yanked_reason: 'Broken build: <missing> "module" & more', upload_time: '2024-02-01T00:00:00Z' },
      '1.2.0': { requires_dist: null, requires_python: null, yanked: true, upload_time: '2024-03-01T00:00:00Z' },
      '2.0.0': { requires_dist: ['httpx[http2]>=0.27; python_version >= "3.9"', 'rich; extra == "cli"'], requires_python: '>=3.10', upload_time: '2024-04-01T00:00:00Z' },
    },
  },
  { name: 'Sdist_Only.Pkg', versions: { '0.1': { requires_dist: ['six'], files: 'sdist', upload_time: '2019-01-01T00:00:00Z' } } },
  {
    name: 'folded',
    versions: {
      '1.0': {
        metadata:
          'Metadata-Version: 2.1\r\nName: folded\r\nVersion: 1.0\r\nRequires-Dist: alpha>=1;\r\n  python_version >= "3.8"\r\nRequires-Dist: beta\r\n' +
          'Requires-Python: >=3.8,\r\n\t<4\r\nProvides-Extra: fast\r\nRequires-Dist: gamma; extra == "fast"\r\n\r\nRequires-Dist: from-the-body\r\n',
      },
    },
  },
  { name: 'platformy', versions: { '1.0': { requires_dist: ['numpy'], wheelTags: ['cp311-cp311-manylinux_2_17_x86_64', 'py3-none-any'] } } },
  { name: 'bigwheel', versions: { '1.0': { requires_dist: ['attrs>=22'], layout: { padBytes: 100_000, metadataFirst: true } } } },
  { name: 'ghost', versions: { '1.0': { requires_dist: [], files: 'none' }, '1.1': { requires_dist: ['six'] } } },
  { name: 'Weird_Name.Pkg', versions: { '3.1.4': { requires_dist: ['six'] } } },
  { name: 'retired', status: { status: 'deprecated', reason: 'Use "fresh" instead' }, versions: { '1.0': { requires_dist: [] } } },
];
const PROJECTS = ['realtime', 'six', 'websockets'];

const transport = fetchTransport;

function makeHttp(options = {}) {
  const clock = { t: 1_000_000, now: () => clock.t, sleep: async () => {}, random: () => 0 };
  const http = new RegistryHttp({ transport, clock, retries: 0, ...options });
  return { http, clock };
}

function client(fake, options) {
  return new PypiClient(makeHttp().http, [{ url: fake.indexUrl }], options);
}

async function rejects(promise, kind) {
  await assert.rejects(promise, (error) => {
    assert.ok(error instanceof RegistryError, `expected RegistryError, got ${error}`);
    assert.equal(error.kind, kind, error.message);
    return true;
  });
}

const paths = (fake) => fake.requests.map((r) => r.path);

describe('fakePypi speaks the protocol', () => {
  let fake;
  before(async () => (fake = await startFakePypi({ projects: PROJECTS, extra: EXTRA })));
  after(() => fake.close());

  test('PEP 691 negotiation: q-values, wildcards, default HTML, 406', () => {
    const all = { json: true, html: true };
    const cases = [
      [undefined, 'text/html'],
      ['*/*', 'text/html'],
      ['application/vnd.pypi.simple.v1+json', 'application/vnd.pypi.simple.v1+json'],
      ['application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01', 'application/vnd.pypi.simple.v1+json'],
      ['application/vnd.pypi.simple.v1+json;q=0.1, text/html', 'text/html'],
      ['text/html;q=0.5, application/*;q=0.9', 'application/vnd.pypi.simple.v1+json'],
      ['application/vnd.pypi.simple.v1+html', 'application/vnd.pypi.simple.v1+html'],
      ['application/json', null],
      ['text/html;q=0', null],
    ];
    for (const [accept, expected] of cases) assert.equal(negotiate(accept, all), expected, String(accept));
    assert.equal(negotiate('application/vnd.pypi.simple.v1+json, text/html;q=0.01', { json: false, html: true }), 'text/html');
  });

  test('non-normalised names redirect with 301, ETag gives 304', async () => {
    let res = await fetch(`${fake.indexUrl}/Weird_Name.Pkg/`, { redirect: 'manual' });
    assert.equal(res.status, 301);
    assert.equal(res.headers.get('location'), '/simple/weird-name-pkg/');
    res = await fetch(`${fake.indexUrl}/weird-name-pkg`, { redirect: 'manual' });
    assert.equal(res.headers.get('location'), '/simple/weird-name-pkg/');
    res = await fetch(`${fake.indexUrl}/realtime/`, { headers: { accept: 'application/vnd.pypi.simple.v1+json' } });
    const etag = res.headers.get('etag');
    assert.ok(etag && res.headers.get('last-modified'));
    res = await fetch(`${fake.indexUrl}/realtime/`, { headers: { accept: 'application/vnd.pypi.simple.v1+json', 'if-none-match': etag } });
    assert.equal(res.status, 304);
    res = await fetch(`${fake.indexUrl}/realtime/`, { headers: { accept: 'text/html', 'if-none-match': etag } });
    assert.equal(res.status, 200, 'the HTML variant has its own ETag');
  });

  test('wheels answer ranges with 206, suffixes and 416', async () => {
    const page = await (await fetch(`${fake.indexUrl}/six/`, { headers: { accept: 'application/vnd.pypi.simple.v1+json' } })).json();
    const wheel = page.files.find((f) => f.filename.endsWith('.whl'));
    const full = new Uint8Array(await (await fetch(wheel.url)).arrayBuffer());
    assert.equal(full.length, wheel.size);
    let res = await fetch(wheel.url, { headers: { range: 'bytes=10-19' } });
    assert.equal(res.status, 206);
    assert.equal(res.headers.get('content-range'), `bytes 10-19/${full.length}`);
    assert.deepEqual(new Uint8Array(await res.arrayBuffer()), full.subarray(10, 20));
    res = await fetch(wheel.url, { headers: { range: 'bytes=-22' } });
    assert.deepEqual(new Uint8Array(await res.arrayBuffer()), full.subarray(full.length - 22));
    res = await fetch(wheel.url, { headers: { range: `bytes=-${full.length + 500}` } });
    assert.equal(res.headers.get('content-range'), `bytes 0-${full.length - 1}/${full.length}`);
    res = await fetch(wheel.url, { headers: { range: `bytes=${full.length}-` } });
    assert.equal(res.status, 416);
    assert.equal(res.headers.get('content-range'), `bytes */${full.length}`);
    assert.equal((await fetch(wheel.url)).headers.get('accept-ranges'), 'bytes');
  });
});

describe('fakePypi faults', () => {
  let fake;
  before(async () => (fake = await startFakePypi({ projects: ['six'] })));
  after(() => fake.close());
  beforeEach(() => fake.setFaults({}));
  const page = () => `${fake.indexUrl}/six/`;

  test('status500 and status429 hit the first n matching requests only', async () => {
    fake.setFaults({ status500: { count: 2, path: /^\/simple\// }, status429: { count: 1, retryAfter: 7, path: /^\/pypi\// } });
    assert.equal((await fetch(`${fake.url}/pypi/six/json`)).status, 429);
    assert.equal((await fetch(`${fake.url}/pypi/six/json`)).status, 200);
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await fetch(page())).status);
    assert.deepEqual(statuses, [500, 500, 200]);
    fake.setFaults({ status429: { count: 1, retryAfter: 7 } });
    assert.equal((await fetch(page())).headers.get('retry-after'), '7');
    fake.setFaults({ status500: 2 });
    const { http } = makeHttp({ retries: 3 });
    assert.equal((await http.fetch(page(), { cache: 'none' })).status, 200, 'RegistryHttp retried through them');
    assert.equal(http.stats.retries, 2);
  });

  test('reset, truncate, malformed, slow drip, latency, notFound', async () => {
    fake.setFaults({ reset: { count: 1 } });
    await assert.rejects(fetch(page()));
    assert.equal((await fetch(page())).status, 200, 'count limits reset');
    fake.setFaults({ truncate: true });
    const truncated = await fetch(page());
    assert.ok(Number(truncated.headers.get('content-length')) > 0);
    await assert.rejects(truncated.arrayBuffer());
    fake.setFaults({ malformed: true });
    const broken = await (await fetch(page(), { headers: { accept: 'application/vnd.pypi.simple.v1+json' } })).text();
    assert.throws(() => JSON.parse(broken), SyntaxError);
    fake.setFaults({ slowDrip: { bytesPerChunk: 200, intervalMs: 1 } });
    const dripped = await (await fetch(page())).text();
    fake.setFaults({});
    assert.equal(dripped, await (await fetch(page())).text());
    fake.setFaults({ latency: { ms: 40, path: /^\/simple\// } });
    const start = performance.now();
    await fetch(page());
    assert.ok(performance.now() - start >= 35, 'the server held the answer back');
    fake.setFaults({ notFound: ['six'] });
    assert.equal((await fetch(page())).status, 404);
    assert.equal((await fetch(`${fake.url}/pypi/six/json`)).status, 404);
  });
});

describe('PypiClient', () => {
  let fake;
  before(async () => (fake = await startFakePypi({ projects: PROJECTS, extra: EXTRA })));
  after(() => fake.close());
  beforeEach(() => {
    fake.requests.length = 0;
    fake.setFaults({});
  });

  test('JSON project page: one negotiated request, versions as listed, file details', async () => {
    const project = await client(fake).getProject('realtime');
    assert.deepEqual(paths(fake), ['/simple/realtime/']);
    assert.match(fake.requests[0].headers.accept, /^application\/vnd\.pypi\.simple\.v1\+json/);
    assert.deepEqual([...project.versions.keys()], Object.keys(REALTIME.versions));
    assert.equal(project.normalized, 'realtime');
    assert.equal(project.index, fake.indexUrl);
    assert.equal(project.stale, false);
    const v = project.versions.get('2.4.3');
    assert.equal(v.yanked, false);
    assert.equal(v.requiresPython, '>=3.9,<4.0');
    assert.deepEqual(v.files.map((f) => [f.kind, f.filename]), [['wheel', 'realtime-2.4.3-py3-none-any.whl'], ['sdist', 'realtime-2.4.3.tar.gz']]);
    const wheel = v.files[0];
    assert.equal(wheel.url, `${fake.url}/files/realtime/realtime-2.4.3-py3-none-any.whl`);
    assert.match(wheel.hashes.sha256, /^[0-9a-f]{64}$/);
    assert.match(wheel.metadata.hashes.sha256, /^[0-9a-f]{64}$/);
    assert.equal(wheel.tags, 'py3-none-any');
    assert.equal(typeof wheel.size, 'number');
    assert.equal(v.files[1].metadata, undefined, 'sdists carry no metadata file');
  });

  test('HTML page (index without JSON) yields the same project', async () => {
    const html = await startFakePypi({ projects: PROJECTS, extra: EXTRA, features: { json: false } });
    try {
      const fromHtml = await client(html).getProject('realtime');
      assert.match(html.requests[0].headers.accept, /json/, 'JSON was asked for first');
      const fromJson = await client(fake).getProject('realtime');
      assert.deepEqual([...fromHtml.versions.keys()], [...fromJson.versions.keys()]);
      const strip = (p) => [...p.versions].map(([k, v]) => [k, v.yanked, v.requiresPython, v.files.map((f) => [f.filename, f.hashes, f.metadata, f.requiresPython, f.yanked])]);
      const relative = (p, base) => JSON.parse(JSON.stringify(strip(p)).replaceAll(base, 'BASE'));
      assert.deepEqual(relative(fromHtml, html.url), relative(fromJson, fake.url));
    } finally {
      await html.close();
    }
  });

  test('yanked versions with and without reasons, requires-python escaped, in JSON and HTML', async () => {
    const html = await startFakePypi({ projects: [], extra: EXTRA, features: { json: false } });
    try {
      for (const [label, index] of [['json', fake], ['html', html]]) {
        const project = await client(index).getProject('yankee');
        const v = (ver) => project.versions.get(ver);
        assert.deepEqual([v('1.0.0').yanked, v('1.0.0').yankedReason], [false, undefined], label);
        assert.deepEqual([v('1.1.0').yanked, v('1.1.0').yankedReason], [true, 'Broken build: <missing> "module" & more'], label);
        assert.deepEqual([v('1.2.0').yanked, v('1.2.0').yankedReason], [true, undefined], label);
        assert.equal(v('1.0.0').requiresPython, '>=3.8,<4', label);
        assert.equal(v('1.0.0').files[1].requiresPython, '>=3.8,<4', `${label}: per file`);
        assert.equal(v('1.2.0').requiresPython, undefined, label);
        assert.equal(v('2.0.0').requiresPython, '>=3.10', label);
      }
      const page = await (await fetch(`${html.indexUrl}/yankee/`)).text();
      assert.match(page, /data-requires-python="&gt;=3\.8,&lt;4"/);
      assert.match(page, /data-yanked="Broken build: &lt;missing&gt; &quot;module&quot; &amp; more"/);
    } finally {
      await html.close();
    }
  });

  test('PEP 792 project status from JSON and HTML', async () => {
    const html = await startFakePypi({ projects: [], extra: EXTRA, features: { json: false } });
    try {
      for (const index of [fake, html]) {
        const project = await client(index).getProject('retired');
        assert.deepEqual(project.status, { status: 'deprecated', reason: 'Use "fresh" instead' });
        assert.equal((await client(index).getProject('yankee')).status, undefined);
      }
    } finally {
      await html.close();
    }
  });

  test('metadata file (PEP 658): one request, fixture requirements, description not read', async () => {
    const c = client(fake);
    const project = await c.getProject('realtime');
    fake.requests.length = 0;
    const meta = await c.getMetadata(project, '2.4.3');
    const expected = REALTIME.versions['2.4.3'];
    assert.deepEqual(meta, { kind: 'known', requiresDist: expected.requires_dist, requiresPython: expected.requires_python, providesExtra: [], source: 'metadata-file' });
    assert.deepEqual(paths(fake), ['/files/realtime/realtime-2.4.3-py3-none-any.whl.metadata']);
    const yankee = await c.getProject('yankee');
    const two = await c.getMetadata(yankee, '2.0.0');
    assert.deepEqual(two.providesExtra, ['cli']);
    assert.deepEqual(two.requiresDist, EXTRA[0].versions['2.0.0'].requires_dist);
  });

  test('folded header lines, CRLF and several Requires-Dist', async () => {
    const c = client(fake);
    const meta = await c.getMetadata(await c.getProject('folded'), '1.0');
    assert.deepEqual(meta.requiresDist, ['alpha>=1;  python_version >= "3.8"', 'beta', 'gamma; extra == "fast"']);
    assert.equal(meta.requiresPython, '>=3.8,\t<4');
    assert.deepEqual(meta.providesExtra, ['fast']);
  });

  test('JSON API fallback when the index has no metadata files', async () => {
    const bare = await startFakePypi({ projects: PROJECTS, extra: EXTRA, features: { metadataFiles: false } });
    try {
      const c = client(bare, { jsonApiBase: bare.url });
      const project = await c.getProject('realtime');
      assert.equal(project.versions.get('2.4.3').files[0].metadata, undefined);
      bare.requests.length = 0;
      const meta = await c.getMetadata(project, '2.4.3');
      const expected = REALTIME.versions['2.4.3'];
      assert.deepEqual(meta, { kind: 'known', requiresDist: expected.requires_dist, requiresPython: expected.requires_python, providesExtra: [], source: 'json-api' });
      assert.deepEqual(paths(bare), ['/pypi/realtime/2.4.3/json']);
      const yankee = await c.getProject('yankee');
      assert.deepEqual((await c.getMetadata(yankee, '2.0.0')).providesExtra, ['cli']);
      const none = await c.getMetadata(yankee, '1.2.0');
      assert.deepEqual([none.requiresDist, none.requiresPython], [[], undefined], 'null requires_dist means none');
    } finally {
      await bare.close();
    }
  });

  test('range-read fallback: suffix read of the wheel, one request for a small wheel', async () => {
    for (const rangeRequests of [true, false]) {
      const bare = await startFakePypi({ projects: PROJECTS, extra: EXTRA, features: { metadataFiles: false, rangeRequests } });
      try {
        const c = client(bare);
        const project = await c.getProject('realtime');
        bare.requests.length = 0;
        const meta = await c.getMetadata(project, '2.4.3');
        const expected = REALTIME.versions['2.4.3'];
        assert.deepEqual(meta, { kind: 'known', requiresDist: expected.requires_dist, requiresPython: expected.requires_python, providesExtra: [], source: 'wheel-range' });
        assert.deepEqual(paths(bare), ['/files/realtime/realtime-2.4.3-py3-none-any.whl']);
        assert.equal(bare.requests[0].headers.range, 'bytes=-65536');
      } finally {
        await bare.close();
      }
    }
  });

  test('range read of a large wheel whose METADATA comes first: suffix, then the entry', async () => {
    const bare = await startFakePypi({ projects: [], extra: EXTRA, features: { metadataFiles: false } });
    try {
      const c = client(bare);
      const project = await c.getProject('bigwheel');
      assert.ok(project.versions.get('1.0').files[0].size > 100_000);
      bare.requests.length = 0;
      const meta = await c.getMetadata(project, '1.0');
      assert.deepEqual([meta.source, meta.requiresDist], ['wheel-range', ['attrs>=22']]);
      const ranges = bare.requests.map((r) => r.headers.range);
      assert.equal(ranges.length, 2);
      assert.equal(ranges[0], 'bytes=-65536');
      assert.match(ranges[1], /^bytes=0-\d+$/);
      assert.ok(Number(ranges[1].split('-')[1]) < 4096, 'only the local header and the compressed METADATA');
    } finally {
      await bare.close();
    }
  });

  test('sdist-only and file-less versions are unknown, without requests', async () => {
    const c = client(fake);
    const sdist = await c.getProject('sdist-only-pkg');
    assert.deepEqual([...sdist.versions.keys()], ['0.1']);
    fake.requests.length = 0;
    assert.deepEqual(await c.getMetadata(sdist, '0.1'), { kind: 'unknown', reason: 'only an sdist is published; Pinsight does not build sdists' });
    const ghost = await c.getProject('ghost');
    assert.deepEqual([...ghost.versions.keys()], ['1.0', '1.1'], 'PEP 700 lists versions whose files are gone');
    assert.deepEqual(ghost.versions.get('1.0').files, []);
    assert.equal((await c.getMetadata(ghost, '1.0')).kind, 'unknown');
    assert.deepEqual(paths(fake), ['/simple/ghost/']);
    await rejects(c.getMetadata(ghost, '9.9'), 'not-found');
  });

  test('without PEP 700, versions come from filenames', async () => {
    const old = await startFakePypi({ projects: ['realtime'], extra: EXTRA, features: { pep700: false } });
    try {
      const project = await client(old).getProject('ghost');
      assert.deepEqual([...project.versions.keys()], ['1.1']);
      const realtime = await client(old).getProject('realtime');
      assert.deepEqual([...realtime.versions.keys()], Object.keys(REALTIME.versions));
    } finally {
      await old.close();
    }
  });

  test('names are normalised before the request; the index redirect is followed too', async () => {
    const c = client(fake);
    const project = await c.getProject('Weird_Name.Pkg');
    assert.deepEqual(paths(fake), ['/simple/weird-name-pkg/']);
    assert.deepEqual([project.name, project.normalized, [...project.versions.keys()]], ['Weird_Name.Pkg', 'weird-name-pkg', ['3.1.4']]);
    const { http } = makeHttp();
    const res = await http.fetch(`${fake.indexUrl}/Weird_Name.Pkg/`, { cache: 'none', accept: 'application/vnd.pypi.simple.v1+json' });
    assert.equal(res.url, `${fake.indexUrl}/weird-name-pkg/`);
  });

  test('request counts: one list request per project, one metadata request per version', async () => {
    const { http, clock } = makeHttp();
    const c = new PypiClient(http, [{ url: fake.indexUrl }]);
    const project = await c.getProject('realtime');
    await c.getProject('realtime');
    const versions = ['2.4.0', '2.4.1', '2.4.2', '2.4.3'];
    await Promise.all(versions.map((v) => c.getMetadata(project, v)));
    await Promise.all(versions.map((v) => c.getMetadata(project, v)));
    assert.equal(fake.requests.filter((r) => r.path.startsWith('/simple/')).length, 1);
    assert.deepEqual(fake.requests.filter((r) => r.path.endsWith('.metadata')).map((r) => r.path).sort(), versions.map((v) => `/files/realtime/realtime-${v}-py3-none-any.whl.metadata`));
    assert.equal(fake.requests.length, 5);
    clock.t += 11 * 60_000; // past the TTL: the page is revalidated, and the ETag turns it into a 304
    const again = await c.getProject('realtime');
    assert.equal(fake.requests.length, 6);
    assert.ok(fake.requests[5].headers['if-none-match']);
    assert.deepEqual([...again.versions.keys()], [...project.versions.keys()]);
  });

  test('clients sharing ParsedBodies (one per manifest tree, one RegistryHttp) parse each answer once; a revalidated page is not parsed again', async () => {
    const { http, clock } = makeHttp();
    const parsed = new ParsedBodies();
    const first = new PypiClient(http, [{ url: fake.indexUrl }], { parsed });
    const second = new PypiClient(http, [{ url: fake.indexUrl }], { parsed });
    const a = await first.getProject('realtime');
    const metadata = await first.getMetadata(a, '2.4.3');
    assert.equal(parsed.parses, 2);
    const b = await second.getProject('Realtime');
    assert.equal(b.versions, a.versions, 'the second tree reads the same version map');
    assert.equal(await second.getMetadata(b, '2.4.3'), metadata);
    assert.equal(parsed.parses, 2);
    assert.equal(b.name, 'Realtime', 'what is per call stays per call');
    assert.equal(fake.requests.length, 2);
    // A client with its own ParsedBodies (the default) parses for itself.
    const alone = new PypiClient(http, [{ url: fake.indexUrl }]);
    assert.notEqual((await alone.getProject('realtime')).versions, a.versions);
    assert.equal(parsed.parses, 2);
    // Past the TTL the page is revalidated (304): the kept body is not parsed again.
    clock.t += 11 * 60_000;
    const d = await second.getProject('realtime');
    assert.ok(fake.requests.at(-1).headers['if-none-match']);
    assert.deepEqual([...d.versions.keys()], [...a.versions.keys()]);
    assert.equal(parsed.parses, 2);
  });

  test('PythonIndexServices: two manifest trees get clients of their own (their credentials) that parse each page once between them', async () => {
    const { http } = makeHttp();
    const services = new PythonIndexServices({
      http, credentials: new CredentialSources(), settings: { indexUrl: fake.indexUrl, extraIndexUrls: [], origin: 'setting', isolated: true },
      env: {}, platform: 'linux', readFile: async () => undefined,
    });
    const tree = (path) => [{ kind: 'requirements', path, options: [], dependencies: [] }];
    const a = await services.pypiFor(tree('/one/requirements.txt'));
    const b = await services.pypiFor(tree('/two/requirements.txt'));
    assert.notEqual(a.client, b.client);
    const first = await a.client.getProject('realtime');
    const second = await b.client.getProject('realtime');
    assert.equal(second.versions, first.versions);
    assert.equal(services.parsed.parses, 1);
    assert.equal(fake.requests.length, 1);
  });

  test('a py3-none-any wheel is preferred for metadata', async () => {
    const c = client(fake);
    const project = await c.getProject('platformy');
    fake.requests.length = 0;
    await c.getMetadata(project, '1.0');
    assert.deepEqual(paths(fake), ['/files/platformy/platformy-1.0-py3-none-any.whl.metadata']);
  });

  test('relative file URLs resolve against the page', async () => {
    for (const json of [true, false]) {
      const rel = await startFakePypi({ projects: ['six'], features: { relativeUrls: true, json } });
      try {
        const c = client(rel);
        const project = await c.getProject('six');
        const [version, entry] = [...project.versions].at(-1);
        assert.ok(entry.files[0].url.startsWith(`${rel.url}/files/six/`), entry.files[0].url);
        assert.equal((await c.getMetadata(project, version)).kind, 'known');
      } finally {
        await rel.close();
      }
    }
  });

  test('several indexes merge like pip: union of versions, files from both, primary first', async () => {
    const second = await startFakePypi({
      projects: [],
      extra: [
        { name: 'realtime', versions: { '2.4.3': { requires_dist: ['websockets<15,>=11'], wheelTags: ['py2.py3-none-any'], files: 'wheel' }, '99.0': { requires_dist: ['six'] } } },
        { name: 'yankee', versions: { '1.1.0': { requires_dist: [] } } },
        { name: 'only-here', versions: { '1.0': { requires_dist: [] } } },
      ],
    });
    try {
      const c = new PypiClient(makeHttp().http, [{ url: fake.indexUrl }, { url: second.indexUrl }]);
      const project = await c.getProject('realtime');
      assert.deepEqual([...project.versions.keys()], [...Object.keys(REALTIME.versions), '99.0']);
      assert.deepEqual(project.versions.get('2.4.3').files.map((f) => f.index), [fake.indexUrl, fake.indexUrl, second.indexUrl]);
      assert.equal(project.index, fake.indexUrl);
      second.requests.length = 0;
      assert.deepEqual((await c.getMetadata(project, '99.0')).requiresDist, ['six']);
      assert.deepEqual(paths(second), ['/files/realtime/realtime-99.0-py3-none-any.whl.metadata']);
      const yankee = await c.getProject('yankee');
      assert.equal(yankee.versions.get('1.1.0').yanked, false, 'an unyanked copy on another index keeps the version installable');
      const only = await c.getProject('only-here');
      assert.equal(only.index, second.indexUrl);
      await rejects(c.getProject('nowhere-at-all'), 'not-found');
    } finally {
      await second.close();
    }
  });

  test('an unreachable extra index is reported, the others still answer; abort is not swallowed', async () => {
    const gone = await startFakePypi({ projects: [] });
    await gone.close(); // its port now refuses connections
    const c = new PypiClient(makeHttp().http, [{ url: fake.indexUrl }, { url: gone.indexUrl }]);
    const project = await c.getProject('six');
    assert.ok(project.versions.size > 0);
    assert.deepEqual(project.errors.map((e) => [e.kind, e.registry]), [['unreachable', gone.indexUrl]]);
    await rejects(new PypiClient(makeHttp().http, [{ url: gone.indexUrl }]).getProject('six'), 'unreachable');
    const controller = new AbortController();
    controller.abort();
    await rejects(c.getProject('six', controller.signal), 'aborted');
  });

  test('credentials in an index URL reach its files on the same origin, and no message shows them', async () => {
    const secretUrl = fake.indexUrl.replace('http://', 'http://alice:s%3Dcret@');
    const c = new PypiClient(makeHttp().http, [{ url: secretUrl }]);
    const project = await c.getProject('realtime');
    assert.equal(project.index, fake.indexUrl);
    assert.ok(project.versions.get('2.4.3').files.every((f) => !f.url.includes('alice')));
    await c.getMetadata(project, '2.4.3');
    const basic = `Basic ${Buffer.from('alice:s=cret').toString('base64')}`;
    assert.deepEqual(fake.requests.map((r) => [r.path, r.headers.authorization]), [
      ['/simple/realtime/', basic],
      ['/files/realtime/realtime-2.4.3-py3-none-any.whl.metadata', basic],
    ]);
    const error = await c.getProject('no-such-project').catch((e) => e);
    assert.ok(!error.message.includes('alice') && !error.message.includes('cret'), error.message);
  });

  test('404 is not-found; notFound faults too', async () => {
    const c = client(fake);
    await rejects(c.getProject('no-such-project'), 'not-found');
    fake.setFaults({ notFound: ['realtime'] });
    const error = await c.getProject('realtime').catch((e) => e);
    assert.equal(error.kind, 'not-found');
    assert.equal(error.registry, fake.indexUrl);
    assert.match(error.message, /No project named "realtime"/);
  });

  test('malformed bodies are malformed errors on every path', async () => {
    const c = client(fake);
    fake.setFaults({ malformed: true, path: /^\/simple\// });
    await rejects(c.getProject('realtime'), 'malformed');
    const html = await startFakePypi({ projects: ['realtime'], features: { json: false }, faults: { malformed: true } });
    try {
      await rejects(client(html).getProject('realtime'), 'malformed');
    } finally {
      await html.close();
    }
    // The broken page went into the cache before it was parsed; the client reads past it once.
    fake.setFaults({});
    fake.requests.length = 0;
    const project = await c.getProject('realtime');
    assert.deepEqual(paths(fake), ['/simple/realtime/']);
    fake.setFaults({ malformed: true, path: /\.metadata$/ });
    await rejects(c.getMetadata(project, '2.4.3'), 'malformed');
    fake.setFaults({});
    assert.equal((await c.getMetadata(project, '2.4.3')).kind, 'known', 'an immutable cache entry does not keep a broken body forever');
    const bare = await startFakePypi({ projects: ['realtime'], features: { metadataFiles: false } });
    try {
      const b = client(bare, { jsonApiBase: bare.url });
      const p = await b.getProject('realtime');
      bare.setFaults({ malformed: true, path: /^\/pypi\// });
      await rejects(b.getMetadata(p, '2.4.2'), 'malformed');
      const ranged = client(bare);
      bare.setFaults({ malformed: true, path: /\.whl$/ });
      await rejects(ranged.getMetadata(p, '2.4.1'), 'malformed');
    } finally {
      await bare.close();
    }
  });

  test('metadata naming another version is refused', async () => {
    const liar = await startFakePypi({ projects: [], extra: [{ name: 'liar', versions: { '1.0': { metadata: 'Metadata-Version: 2.1\nName: liar\nVersion: 2.0\n' } } }] });
    try {
      const c = client(liar);
      await rejects(c.getMetadata(await c.getProject('liar'), '1.0'), 'malformed');
    } finally {
      await liar.close();
    }
  });
});
