// The server answering from a registry snapshot (pinsight.registrySnapshot): nothing of it is written
// to the disk cache (its answers are recorded under the real registries' URLs), and an edited
// snapshot file is read again on the next check.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, fileUri } from '../support/lspClient.mjs';

const ACCEPT = 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*';
let client;
let dir;

function writeSnapshot(versions) {
  const doc = { name: 'snapdemo', 'dist-tags': { latest: versions.at(-1) }, versions: Object.fromEntries(versions.map((v) => [v, { name: 'snapdemo', version: v }])) };
  const key = `GET https://registry.npmjs.org/snapdemo ${ACCEPT}`;
  writeFileSync(join(dir, 'snapshot.json'), JSON.stringify({ version: 1, responses: { [key]: { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(doc), encoding: 'utf8' } } }));
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pinsight-snapshot-'));
  writeSnapshot(['1.0.0']);
  client = await startServer({
    rootUri: fileUri(dir),
    settings: { enable: true, checkRegistries: true, debounceMs: 0, registrySnapshot: 'snapshot.json' },
    initializationOptions: { cacheDir: join(dir, 'cache') },
  });
});

after(async () => {
  await client?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('snapshot answers never reach the disk cache, and an edited snapshot is read again', async () => {
  const uri = fileUri(join(dir, 'package.json'));
  const text = (extra) => JSON.stringify({ name: 'app', version: extra, dependencies: { snapdemo: '^2.0.0' } }, null, 2);
  client.open(uri, text('1.0.0'), 'json');
  const first = await client.waitForChecked(uri);
  assert.match(first.diagnostics.find((d) => d.code === 'no-matching-version')?.message ?? '', /snapdemo/, JSON.stringify(first.diagnostics));
  const cache = join(dir, 'cache');
  assert.ok(!existsSync(cache) || readdirSync(cache).length === 0, `the disk cache holds ${existsSync(cache) ? readdirSync(cache).join(', ') : ''}`);

  writeSnapshot(['1.0.0', '2.0.0']);
  client.change(uri, text('1.0.1'));
  const second = await client.waitForChecked(uri);
  assert.deepEqual(second.diagnostics.filter((d) => d.code === 'no-matching-version'), []);
  assert.ok(!existsSync(cache) || readdirSync(cache).length === 0);
});
