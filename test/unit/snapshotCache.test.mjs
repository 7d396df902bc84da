// A registry snapshot answers from memory only: its answers, recorded under the real registries'
// URLs, never reach the disk cache (where they would stand in for those registries later), and an
// edited snapshot file is read again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHostRegistries } from '../../dist/node/registries.js';
import { createSnapshotTransport, snapshotKey } from '../../dist/node/snapshotTransport.js';

const URL_ = 'https://registry.npmjs.org/demo';
const ACCEPT = 'application/json';

function writeSnapshot(path, body, mtime) {
  const key = snapshotKey({ method: 'GET', url: URL_, headers: { accept: ACCEPT } });
  writeFileSync(path, JSON.stringify({ version: 1, responses: { [key]: { status: 200, headers: { 'content-type': 'application/json' }, body, encoding: 'utf8' } } }));
  if (mtime) utimesSync(path, mtime, mtime);
}

test('an edited snapshot file is read again by the transport', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pinsight-snapshot-'));
  try {
    const file = join(dir, 'snapshot.json');
    writeSnapshot(file, '{"v":1}', new Date(2025, 0, 1));
    const transport = createSnapshotTransport(file);
    const read = async () => new TextDecoder().decode((await transport({ method: 'GET', url: URL_, headers: { accept: ACCEPT } })).body);
    assert.equal(await read(), '{"v":1}');
    writeSnapshot(file, '{"v":22}', new Date(2025, 0, 2));
    assert.equal(await read(), '{"v":22}');
    // A snapshot that became unreadable is reported per request, not served from the old copy.
    writeFileSync(file, 'not json');
    await assert.rejects(transport({ method: 'GET', url: URL_, headers: { accept: ACCEPT } }), /Cannot read the registry snapshot/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('with a snapshot, the disk cache is never written; without one it is', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pinsight-snapshot-'));
  try {
    const file = join(dir, 'snapshot.json');
    writeSnapshot(file, '{"v":1}');
    const cacheDir = join(dir, 'cache');
    const options = { settings: { origin: 'setting' }, cacheDir, env: {}, readFile: async () => undefined };
    const fromSnapshot = createHostRegistries({ ...options, snapshot: file });
    const result = await fromSnapshot.http.fetch(URL_, { accept: ACCEPT, cache: 'ttl' });
    assert.equal(new TextDecoder().decode(result.body), '{"v":1}');
    await fromSnapshot.close();
    assert.ok(!existsSync(cacheDir) || readdirSync(cacheDir).length === 0, 'snapshot data was written to the disk cache');

    // The same stack over the network does use the disk cache (a loopback file: URL stands in).
    const local = join(dir, 'index.json');
    writeFileSync(local, '{"v":3}');
    const network = createHostRegistries(options);
    await network.http.fetch(`file://${local}`, { cache: 'ttl' });
    await network.close();
    assert.ok(existsSync(cacheDir) && readdirSync(cacheDir).length > 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
