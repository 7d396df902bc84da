// The verdict staged before its fixes (issue 11): resolvePythonFindings with `stageFixes` answers
// the conflict at once, without the what-if re-solves, and `fixes()` answers the same findings as
// an unstaged run; TextProgress prints each finding once and, later, only what the fixes added.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolvePythonFindings } from '../../dist/core/python/checks/resolutionFindings.js';
import { TextProgress } from '../../dist/core/insight/textProgress.js';
import { LINUX_311, memoryPypi, roots } from '../support/memoryPypi.mjs';

// app 1.0 needs lib<2, and the manifest pins lib 2.0: app 1.1 allows it, app 1.0 is the highest that fits lib 1.5.
const REGISTRY = { app: { '1.0': ['lib<2'], '1.1': ['lib>=2'] }, lib: { '1.5': [], '2.0': [] } };
const target = { environment: LINUX_311, pythonVersion: '3.11', description: 'Python 3.11 on Linux' };

function manifest() {
  const deps = roots(['app==1.0', 'lib==2.0']).map((r, i) => ({ ...r.dependency, range: { start: { line: i, character: 0 }, end: { line: i, character: 8 } } }));
  return { path: 'requirements.txt', kind: 'requirements', options: [], problems: [], includes: [], dependencies: deps };
}

test('stageFixes: the verdict without the what-if reads; fixes() answers what an unstaged run answers', async () => {
  const whole = await resolvePythonFindings([manifest()], memoryPypi(REGISTRY), { target, installer: 'pip' });
  assert.equal(whole.fixes, undefined);
  const pypi = memoryPypi(REGISTRY);
  const staged = await resolvePythonFindings([manifest()], pypi, { target, installer: 'pip', stageFixes: true });
  assert.deepEqual(staged.findings.map((f) => [f.code, f.range.start.line, f.fixes]), [['conflict', 0, []], ['conflict', 1, []]]);
  // The verdict's message is the whole message up to the unlocking upgrade the fix search adds.
  for (const [i, f] of staged.findings.entries()) assert.ok(whole.findings[i].message.startsWith(f.message), f.message);
  assert.ok(whole.findings.some((f, i) => f.message !== staged.findings[i].message), 'the unlock sentence comes with the fixes');
  // app 1.1 was read for the unlocking upgrade only: not before fixes() is asked.
  assert.ok(!pypi.calls.metadata.some((m) => /app.*1\.1/.test(String(m))), JSON.stringify(pypi.calls.metadata));
  const completed = await staged.fixes();
  assert.deepEqual(completed, whole.findings);
  assert.ok(completed.some((f) => f.fixes.length > 0));
  assert.ok(pypi.calls.metadata.some((m) => /app.*1\.1/.test(String(m))), 'read by the fix search');
});

test('stageFixes with whatIf false, or without a conflict: nothing is staged', async () => {
  const off = await resolvePythonFindings([manifest()], memoryPypi(REGISTRY), { target, installer: 'pip', stageFixes: true, whatIf: false });
  assert.equal(off.fixes, undefined);
  const fine = { ...manifest() };
  fine.dependencies = fine.dependencies.slice(0, 1);
  const solved = await resolvePythonFindings([fine], memoryPypi(REGISTRY), { target, installer: 'pip', stageFixes: true });
  assert.equal(solved.result.kind, 'solution');
  assert.equal(solved.fixes, undefined);
});

const at = (line) => ({ start: { line, character: 0 }, end: { line, character: 8 } });
const finding = (line, message, fixes = [], code = 'conflict') => ({ code, severity: 'error', package: 'x', path: '/p/requirements.txt', range: at(line), message, related: [], fixes: fixes.map((title) => ({ title, edits: [] })) });
const analysis = (findings) => ({ root: '/p/requirements.txt', kind: 'requirements', manifests: [], findings });

test('TextProgress: each finding once; a completed finding prints only what was added, under its place', () => {
  let out = '';
  const progress = new TextProgress((text) => (out += text), (p) => p.replace('/p/', ''));
  const local = finding(5, 'lib is listed twice.', [], 'duplicate');
  progress.show([analysis([local, finding(1, 'B conflicts.'), finding(0, 'A conflicts.')])]);
  assert.equal(out, 'requirements.txt:1:1: error [conflict] A conflicts.\nrequirements.txt:2:1: error [conflict] B conflicts.\nrequirements.txt:6:1: error [duplicate] lib is listed twice.\n');
  out = '';
  progress.show([analysis([local, finding(0, 'A conflicts.', ['Change to a==2']), finding(1, 'B conflicts. c 3 allows b 2.', ['Change to b==1', 'Upgrade c to 3'])])]);
  assert.equal(out, 'requirements.txt:1:1: fixes for this [conflict]:\n    fix: Change to a==2\nrequirements.txt:2:1: fixes for this [conflict]: c 3 allows b 2.\n    fix: Change to b==1\n    fix: Upgrade c to 3\n');
  out = '';
  // Shown again (the final pass over every analysis): nothing new, nothing printed.
  progress.show([analysis([local, finding(0, 'A conflicts.', ['Change to a==2']), finding(1, 'B conflicts. c 3 allows b 2.', ['Change to b==1', 'Upgrade c to 3'])])]);
  assert.equal(out, '');
  // A new finding at a place already printed, with another message, is a finding of its own.
  progress.show([analysis([finding(0, 'Something else.')])]);
  assert.equal(out, 'requirements.txt:1:1: error [conflict] Something else.\n');
});
