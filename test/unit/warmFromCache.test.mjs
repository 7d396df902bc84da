// Reading ahead (core/python/resolve/warm.ts) pays only while reads go to the network: a check whose
// every read is answered from the cache reads nothing ahead (RegistryView.readsWentOut), so it reads
// and parses only what the solve asks for. Counted at the fake PyPI (requests) and at the client's
// HTTP stack (every read, cached or not), with the same findings either way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startFakePypi } from '../support/fakePypi.mjs';
import { fetchTransport } from '../support/fetchTransport.mjs';
import { heldTransport } from '../support/heldTransport.mjs';
import { RegistryHttp } from '../../dist/core/http/registryHttp.js';
import { PypiClient } from '../../dist/core/python/index/pypi.js';
import { resolvePythonFindings } from '../../dist/core/python/checks/resolutionFindings.js';
import { LINUX_311, roots } from '../support/memoryPypi.mjs';

const SEED = ['fastapi==0.115.12', 'uvicorn==0.34.2', 'supabase==2.15.3', 'websockets==15.0.1'];
const target = { environment: LINUX_311, pythonVersion: '3.11', description: 'Python 3.11 on Linux' };
const manifest = (lines) => ({ path: 'requirements.txt', kind: 'requirements', options: [], problems: [], includes: [], dependencies: roots(lines).map((r) => r.dependency) });

test('a check answered wholly from the cache reads nothing ahead: fewer reads, no request, the same findings', async () => {
  const fake = await startFakePypi({ projects: 'all' });
  try {
    let requests = 0;
    const transport = (request) => {
      requests++;
      return fetchTransport(request);
    };
    const clock = { now: () => Date.now(), sleep: () => Promise.resolve(), random: () => 0.5 };
    const http = new RegistryHttp({ transport, clock, retries: 0 });
    const reads = [];
    const counted = { fetch: (url, options) => (reads.push(url), http.fetch(url, options)), get stats() { return http.stats; } };
    const client = new PypiClient(counted, [{ url: fake.indexUrl }]);
    const check = async () => {
      reads.length = 0;
      const before = requests;
      const result = await resolvePythonFindings([manifest(SEED)], client, { target, installer: 'pip' });
      return { requests: requests - before, reads: [...reads], findings: result.findings.map((f) => [f.code, f.message, f.fixes.map((x) => x.title)]) };
    };
    const cold = await check();
    const warm = await check();
    assert.ok(cold.requests > 0);
    assert.equal(warm.requests, 0, 'the second check is answered from the cache');
    assert.deepEqual(warm.findings, cold.findings);
    assert.ok(warm.findings.some(([code]) => code === 'conflict'));
    // What the warm check reads is what a solve asks for; the cold one read more than that ahead.
    assert.ok(warm.reads.length < cold.reads.length, `warm reads ${warm.reads.length}, cold ${cold.reads.length}`);
    for (const url of new Set(warm.reads)) assert.ok(cold.reads.includes(url), `${url} read warm but not cold`);

  } finally {
    await fake.close();
  }
});

test('reads ahead count from the check\'s start: root pages read by the registry checks just before still start them', async () => {
  const fake = await startFakePypi({ projects: 'all' });
  try {
    const clock = { now: () => Date.now(), sleep: () => Promise.resolve(), random: () => 0.5 };
    // Counts the rounds the check needs (each round answers every request waiting at the transport).
    const run = async (passStart) => {
      const { transport, rounds } = heldTransport();
      const http = new RegistryHttp({ transport, clock, retries: 0, maxConcurrentPerHost: 16 });
      const client = new PypiClient(http, [{ url: fake.indexUrl }]);
      const start = client.requestsSent();
      const check = (async () => {
        // What the registry checks do first: every root's page, from the network.
        await Promise.all(SEED.map((line) => client.getProject(line.split('==')[0])));
        return resolvePythonFindings([manifest(SEED)], client, { target, installer: 'pip', ...(passStart ? { requestsAtCheckStart: start } : {}) });
      })();
      const { value: result, rounds: count } = await rounds(check);
      return { rounds: count, findings: result.findings.map((f) => [f.code, f.message]) };
    };
    const fromCheck = await run(true);
    const fromView = await run(false);
    assert.deepEqual(fromCheck.findings, fromView.findings);
    // Counted from the view, the roots' likely picks wait for the solve to ask (their pages came from memory).
    assert.ok(fromCheck.rounds < fromView.rounds, `rounds counted from the check's start ${fromCheck.rounds}, from the view's ${fromView.rounds}`);
  } finally {
    await fake.close();
  }
});
