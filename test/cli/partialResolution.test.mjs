// Partial resolution: a requirement the resolver cannot use (a project the index lacks, a version it
// does not have, a line that does not parse, here or in a -c file) does not hide a conflict between
// two other lines; the verdict says which requirements it left out.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFakePypi } from '../support/fakePypi.mjs';
import { isolatedEnv } from '../support/isolatedEnv.mjs';
import { runProcess } from '../support/runProcess.mjs';

const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const TARGET = ['--isolated', '--python-version', '3.11', '--platform', 'linux', '--no-cache', '--format', 'json'];

let pypi;
let dir;
before(async () => {
  pypi = await startFakePypi({ projects: 'all', faults: { notFound: ['nosuchpkg'] } });
  dir = mkdtempSync(join(tmpdir(), 'pinsight-partial-'));
});
after(async () => {
  await pypi?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function check(name, files) {
  const project = join(dir, name);
  mkdirSync(project);
  for (const [file, text] of Object.entries(files)) writeFileSync(join(project, file), text);
  const r = await runProcess(process.execPath, [cli, 'check', '--index-url', pypi.indexUrl, ...TARGET, 'requirements.txt'], { cwd: project, env: isolatedEnv() });
  return { ...r, doc: JSON.parse(r.stdout) };
}

const conflictLines = (doc) => doc.files.flatMap((f) => f.findings.filter((x) => x.code === 'conflict').map((x) => `${f.path}:${x.range.start.line}`)).sort();

test('an unknown package and an invalid specifier do not hide the supabase/websockets conflict', async () => {
  const r = await check('direct', { 'requirements.txt': 'nosuchpkg==1.0\nfastapi>=abc\nsupabase==2.15.3\nwebsockets==15.0.1\n' });
  assert.equal(r.code, 1, r.stderr);
  const findings = r.doc.files[0].findings;
  assert.deepEqual(findings.map((f) => `${f.range.start.line}:${f.code}`), ['0:unknown-package', '1:invalid-specifier', '2:conflict', '3:conflict']);
  assert.match(findings[2].message, /^websockets==15\.0\.1 conflicts with supabase==2\.15\.3: supabase 2\.15\.3 requires realtime/);
  assert.equal(r.doc.complete, false);
  assert.deepEqual(r.doc.incomplete, [
    'requirements.txt: Not resolved: nosuchpkg is not on the index (line 1); line 2 (fastapi) has an invalid version specifier. The other requirements were resolved without them, so a conflict they take part in is not reported.',
  ]);
});

test('an exact pin of a version the index lacks and a release no specifier matches are left out too', async () => {
  const r = await check('versions', { 'requirements.txt': 'fastapi==0.0.999\nuvicorn>=999\nsupabase==2.15.3\nwebsockets==15.0.1\n' });
  assert.deepEqual(conflictLines(r.doc), ['requirements.txt:2', 'requirements.txt:3']);
  assert.deepEqual(r.doc.files[0].findings.filter((f) => f.code !== 'conflict').map((f) => `${f.range.start.line}:${f.code}`), ['0:unknown-version', '1:no-matching-version']);
  assert.deepEqual(r.doc.incomplete, [
    'requirements.txt: Not resolved: fastapi==0.0.999 names a version the index does not have (line 1); no release of uvicorn satisfies >=999 (line 2). The other requirements were resolved without them, so a conflict they take part in is not reported.',
  ]);
});

test('broken lines in a -c constraints file do not turn conflict detection off', async () => {
  const r = await check('constraints', {
    'requirements.txt': '-c constraints.txt\nsupabase==2.15.3\nwebsockets==15.0.1\n',
    'constraints.txt': 'anyio>=zzz\nthis is not a requirement\nhttpx<1\n',
  });
  assert.equal(r.code, 1, r.stderr);
  assert.deepEqual(conflictLines(r.doc), ['requirements.txt:1', 'requirements.txt:2']);
  const constraintCodes = r.doc.files.find((f) => f.path === 'constraints.txt').findings.map((f) => `${f.range.start.line}:${f.code}`);
  assert.deepEqual(constraintCodes, ['0:invalid-specifier', '1:invalid-requirement']);
  assert.equal(r.doc.incomplete.length, 1);
  assert.match(r.doc.incomplete[0], /^requirements\.txt: Not resolved: constraints\.txt line 1 \(anyio\) has an invalid version specifier; constraints\.txt line 2 .*is not a valid requirement\. The other requirements were resolved without them/);
});

test('a file with nothing left out keeps a complete verdict', async () => {
  const r = await check('clean', { 'requirements.txt': 'supabase==2.15.3\nwebsockets==15.0.1\n' });
  assert.deepEqual(conflictLines(r.doc), ['requirements.txt:0', 'requirements.txt:1']);
  assert.equal(r.doc.complete, true);
  assert.deepEqual(r.doc.incomplete, []);
});
