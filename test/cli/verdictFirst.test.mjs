// `pinsight check --format text` prints each manifest's verdict as soon as it is known and a
// conflict's fixes when the fix search ends (issue 11). The fake index holds the reads only the fix
// search makes (supabase releases other than the pinned one) until the test has seen the verdict on
// stdout: a CLI that waited for the fixes before printing would never show it, and the test fails.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFakePypi } from '../support/fakePypi.mjs';
import { isolatedEnv } from '../support/isolatedEnv.mjs';
import { runProcess } from '../support/runProcess.mjs';

const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const SEED = 'fastapi==0.115.12\nuvicorn==0.34.2\nsupabase==2.15.3\nwebsockets==15.0.1\n';
const SUMMARY = '2 errors, 0 warnings';
const VERDICT = /requirements\.txt:4:1: error \[conflict\] websockets==15\.0\.1 conflicts with supabase==2\.15\.3: supabase 2\.15\.3 requires realtime>=2\.4\.0,<2\.5\.0, and every realtime 2\.4\.x \(2\.4\.0 to 2\.4\.3\) requires websockets>=11,<15\.\n {4}requirements\.txt:3:1: supabase==2\.15\.3 is part of this conflict\.\n/;
// Only the fix search reads these: the verdict needs the pinned supabase 2.15.3 alone.
const FIX_READS = /^\/files\/supabase\/supabase-2\.(?!15\.3-)/;

let dir;
let pypi;
let release;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pinsight-cli-verdict-'));
  writeFileSync(join(dir, 'requirements.txt'), SEED);
  pypi = await startFakePypi({ projects: 'all', faults: { hold: { path: FIX_READS, until: new Promise((resolve) => (release = resolve)) } } });
});

after(async () => {
  release?.();
  await pypi?.close();
  rmSync(dir, { recursive: true, force: true });
});

const args = () => ['check', '--isolated', '--no-cache', '--index-url', pypi.indexUrl, '--python-version', '3.11', '--platform', 'linux'];

/** Starts the CLI; `stdoutMatches(re)` resolves with stdout once it matches, or rejects when the process ends first. */
function start(extra) {
  const child = spawn(process.execPath, [cli, ...args(), ...extra], { cwd: dir, env: isolatedEnv() });
  let stdout = '';
  let stderr = '';
  const waiters = [];
  const check = () => {
    for (const w of [...waiters]) if (w.re.test(stdout)) waiters.splice(waiters.indexOf(w), 1), w.resolve(stdout);
  };
  child.stdout.on('data', (d) => ((stdout += d), check()));
  child.stderr.on('data', (d) => (stderr += d));
  const closed = new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  void closed.then(({ code }) => {
    for (const w of waiters.splice(0)) w.reject(new Error(`the CLI exited (${code}) before printing ${w.re}; stdout:\n${stdout}\nstderr:\n${stderr}`));
  });
  return {
    closed,
    stdoutMatches: (re) => new Promise((resolve, reject) => (waiters.push({ re, resolve, reject }), check())),
  };
}

test('text: the conflict (both lines, with its chain) is printed before the fix search ends; its fixes follow; nothing is printed twice', { timeout: 60_000 }, async () => {
  const run = start(['requirements.txt']);
  const early = await run.stdoutMatches(VERDICT);
  // The fix search is held at the index: nothing of it, and no summary, has been printed yet.
  assert.match(early, /^requirements\.txt:3:1: error \[conflict\] websockets==15\.0\.1 conflicts with supabase==2\.15\.3: .*requires websockets>=11,<15\.\n {4}requirements\.txt:4:1: websockets==15\.0\.1 is part of this conflict\.\n/);
  assert.doesNotMatch(early, /fix:|fixes for|allows websockets|checked:/);
  release();
  const done = await run.closed;
  assert.equal(done.code, 1, done.stderr);
  assert.ok(done.stdout.startsWith(early), 'what was printed first stays first');
  const later = done.stdout.slice(early.length);
  assert.match(later, /^requirements\.txt:3:1: fixes for this \[conflict\]:\n {4}fix: Change to supabase==2\.\d+\.\d+, the highest version the other requirements allow\n/);
  assert.match(later, /\nrequirements\.txt:4:1: fixes for this \[conflict\]: supabase 2\.16\.0 allows websockets 15\.0\.1\.\n {4}fix: Change to websockets==14\.2, the highest version the other requirements allow\n {4}fix: Upgrade supabase to 2\.16\.0, which allows websockets 15\.0\.1\n/);
  assert.match(later, new RegExp(`\\n1 file checked: ${SUMMARY}\\.\\n`));
  assert.equal(done.stdout.match(/error \[conflict\]/g).length, 2, 'each conflict line once');
  assert.ok(pypi.requests.some((r) => FIX_READS.test(r.path)), 'the fix search read the held releases');

  // Nothing lost: every finding of the JSON document (one document, at the end) is in the text,
  // its message split between the verdict line and the fix line, with every fix.
  const json = await runProcess(process.execPath, [cli, ...args(), '--format', 'json', 'requirements.txt'], { cwd: dir, env: isolatedEnv() });
  assert.equal(json.code, 1, json.stderr);
  const findings = JSON.parse(json.stdout).files[0].findings;
  assert.deepEqual(findings.map((f) => [f.code, f.range.start.line]), [['conflict', 2], ['conflict', 3]]);
  for (const f of findings) {
    const line = f.range.start.line + 1;
    const head = new RegExp(`^requirements\\.txt:${line}:1: error \\[conflict\\] (.*)$`, 'm').exec(done.stdout)[1];
    const added = new RegExp(`^requirements\\.txt:${line}:1: fixes for this \\[conflict\\]:(.*)$`, 'm').exec(done.stdout)[1];
    assert.equal(`${head}${added}`, f.message);
    for (const fix of f.fixes) assert.ok(done.stdout.includes(`    fix: ${fix.title}\n`), fix.title);
  }
});

test('text: no conflict, nothing staged: the findings and the summary as before', { timeout: 60_000 }, async () => {
  writeFileSync(join(dir, 'requirements-ok.txt'), 'supabase==2.15.3\nwebsockets==14.2\n');
  const r = await runProcess(process.execPath, [cli, ...args(), 'requirements-ok.txt'], { cwd: dir, env: isolatedEnv() });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^1 file checked: 0 errors, 0 warnings\.\n/);
  assert.doesNotMatch(r.stdout, /fixes for this/);
});

test('text with --outdated: the hints (what-if re-solves, staged after the verdict) are printed with their fixes, as in JSON', { timeout: 60_000 }, async () => {
  writeFileSync(join(dir, 'requirements-old.txt'), 'supabase==2.15.3\nwebsockets==14.2\n');
  const text = await runProcess(process.execPath, [cli, ...args(), '--outdated', 'requirements-old.txt'], { cwd: dir, env: isolatedEnv() });
  const json = await runProcess(process.execPath, [cli, ...args(), '--outdated', '--format', 'json', 'requirements-old.txt'], { cwd: dir, env: isolatedEnv() });
  assert.equal(text.code, 0, text.stderr);
  const [hint] = JSON.parse(json.stdout).files[0].findings.filter((f) => f.code === 'outdated');
  assert.ok(text.stdout.includes(`requirements-old.txt:1:9: hint [outdated] ${hint.message}\n    fix: ${hint.fixes[0].title}\n`), text.stdout);
  assert.match(text.stdout, /^1 file checked: 0 errors, 0 warnings, 1 note\.$/m);
});
