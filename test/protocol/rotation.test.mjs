// Credentials follow their configuration in a running server: a token rotated in .npmrc (the file
// watcher reports it) and a password rotated in .netrc are what the registries see on the next
// check, and the old ones are not sent again.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, fileUri } from '../support/lspClient.mjs';
import { startFakePypi } from '../support/fakePypi.mjs';
import { startFakeNpm } from '../support/fakeNpm.mjs';

const basic = (user, password) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
let pypi;
let npm;
let client;
let dir;
let home;

before(async () => {
  pypi = await startFakePypi({ projects: 'all', requireAuthorization: basic('bot', 'NETRC_OLD_1') });
  npm = await startFakeNpm({ requireToken: 'NPM_OLD_1' });
  dir = mkdtempSync(join(tmpdir(), 'pinsight-rotation-'));
  home = join(dir, 'home');
  mkdirSync(home);
  writeFileSync(join(home, '.netrc'), 'machine 127.0.0.1 login bot password NETRC_OLD_1\n');
  writeFileSync(join(dir, '.npmrc'), `registry=${npm.url}\n//127.0.0.1:${new URL(npm.url).port}/:_authToken=NPM_OLD_1\n`);
  client = await startServer({
    rootUri: fileUri(dir),
    settings: { enable: true, checkRegistries: true, debounceMs: 0, python: { indexUrl: pypi.indexUrl, version: '3.11', platform: 'linux' } },
    initializationOptions: { cacheDir: join(dir, 'cache') },
    env: { HOME: home },
  });
});

after(async () => {
  await client?.close();
  await pypi?.close();
  await npm?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a token rotated in .npmrc and a password rotated in .netrc are sent on the next check', { timeout: 120_000 }, async () => {
  const requirements = fileUri(join(dir, 'requirements.txt'));
  const manifest = fileUri(join(dir, 'package.json'));
  client.open(requirements, 'websockets==14.2\n');
  client.open(manifest, JSON.stringify({ name: 'app', dependencies: { react: '^18.2.0' } }));
  const first = await client.waitForChecked(requirements);
  const firstNpm = await client.waitForChecked(manifest);
  for (const d of [...first.diagnostics, ...firstNpm.diagnostics]) assert.notEqual(d.code, 'registry-unreachable', d.message);
  assert.ok(pypi.requests.some((r) => r.headers.authorization === basic('bot', 'NETRC_OLD_1')));
  assert.ok(npm.requests.some((r) => r.authorization === 'Bearer NPM_OLD_1' && r.status === 200));

  // Rotate both: the registries accept only the new credentials from now on.
  pypi.setRequiredAuthorization(basic('bot', 'NETRC_NEW_2'));
  npm.setRequiredToken('NPM_NEW_2');
  writeFileSync(join(home, '.netrc'), 'machine 127.0.0.1 login bot password NETRC_NEW_2\n');
  writeFileSync(join(dir, '.npmrc'), `registry=${npm.url}\n//127.0.0.1:${new URL(npm.url).port}/:_authToken=NPM_NEW_2\n`);
  const [pypiBefore, npmBefore] = [pypi.requests.length, npm.requests.length];
  // The editor's watcher reports the .npmrc change; Refresh revalidates what is cached.
  await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: fileUri(join(dir, '.npmrc')), type: 2 }] });
  await client.request('pinsight/refresh', null);
  client.change(requirements, 'websockets==14.2\nidna==3.7\n');
  client.change(manifest, JSON.stringify({ name: 'app', dependencies: { react: '^18.2.0', 'react-dom': '^18.2.0' } }));
  const second = await client.waitForChecked(requirements);
  const secondNpm = await client.waitForChecked(manifest);
  for (const d of [...second.diagnostics, ...secondNpm.diagnostics]) assert.notEqual(d.code, 'registry-unreachable', d.message);
  const newPypi = pypi.requests.slice(pypiBefore);
  const newNpm = npm.requests.slice(npmBefore);
  assert.ok(newPypi.length > 0 && newNpm.length > 0);
  assert.deepEqual([...new Set(newPypi.map((r) => r.headers.authorization))], [basic('bot', 'NETRC_NEW_2')]);
  assert.deepEqual([...new Set(newNpm.map((r) => r.authorization))], ['Bearer NPM_NEW_2']);
});
