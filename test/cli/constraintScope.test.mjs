// A -c constraints file constrains only what gets installed: Pinsight neither fetches nor judges the
// entries of a large shared constraints file that the resolution never reaches; the ones it reaches
// are judged as before.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFakePypi } from '../support/fakePypi.mjs';
import { isolatedEnv } from '../support/isolatedEnv.mjs';
import { runProcess } from '../support/runProcess.mjs';

const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const EXTRA = [
  { name: 'yankedpkg', versions: { '1.0': { requires_dist: [], yanked: 'broken wheel, use 1.1' }, '1.1': { requires_dist: [] } } },
  { name: 'usesyanked', versions: { '1.0': { requires_dist: ['yankedpkg'] } } },
];
// 200 packages nothing here needs: some on the index (the fixtures' own), most not.
const UNUSED = [...Array.from({ length: 190 }, (_, i) => `shared-constraint-${i}==1.${i}`), 'django==5.2', 'flask==3.1.1', 'numpy==2.3.1', 'pandas==2.3.0', 'requests==2.32.4', 'boto3==1.38.0', 'pytest==8.4.1', 'sqlalchemy==2.0.41', 'celery==5.5.3', 'redis==6.2.0'];

let pypi;
let dir;
before(async () => {
  pypi = await startFakePypi({ projects: 'all', extra: EXTRA });
  dir = mkdtempSync(join(tmpdir(), 'pinsight-constraints-'));
});
after(async () => {
  await pypi?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a 200-entry shared constraints file: no request and no finding for what the resolution does not reach', async () => {
  writeFileSync(join(dir, 'constraints.txt'), [...UNUSED, 'websockets==14.2', 'yankedpkg==1.0', ''].join('\n'));
  writeFileSync(join(dir, 'requirements.txt'), '-c constraints.txt\nsupabase==2.15.3\nusesyanked==1.0\n');
  const args = ['check', '--index-url', pypi.indexUrl, '--isolated', '--python-version', '3.11', '--platform', 'linux', '--no-cache', '--format', 'json', 'requirements.txt'];
  const r = await runProcess(process.execPath, [cli, ...args], { cwd: dir, env: isolatedEnv() });
  const doc = JSON.parse(r.stdout);
  const asked = new Set(pypi.requests.map((q) => q.path.split('/')[2]));
  for (const line of UNUSED) assert.equal(asked.has(line.split('==')[0]), false, `${line} was fetched`);
  // The entries the resolution reaches are applied and judged: websockets==14.2 lets supabase resolve, the yanked pin is said.
  assert.ok(asked.has('websockets') && asked.has('yankedpkg'));
  const constraintFindings = doc.files.find((f) => f.path === 'constraints.txt').findings;
  assert.deepEqual(constraintFindings.map((f) => `${f.range.start.line}:${f.code}`), [`${UNUSED.length + 1}:yanked`]);
  assert.match(constraintFindings[0].message, /^yankedpkg 1\.0 was yanked \(reason: broken wheel, use 1\.1\)/);
  assert.deepEqual(doc.files.find((f) => f.path === 'requirements.txt').findings, []);
  assert.equal(doc.resolutions[0].packages.websockets, '14.2');
  assert.equal(doc.resolutions[0].packages.yankedpkg, '1.0');
  assert.equal(doc.complete, true);
  assert.equal(r.code, 0, r.stderr);
});
