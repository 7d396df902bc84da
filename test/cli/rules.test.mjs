// Team rules with `pinsight check` against loopback fake registries (issue 10, part 1): a rule file
// turns a set that resolves into a conflict citing the rule, moves the highest compatible version,
// applies from parent folders up to the working directory, works for npm, and an invalid rule is a
// finding in the file that holds it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFakePypi } from '../support/fakePypi.mjs';
import { startFakeNpm } from '../support/fakeNpm.mjs';
import { isolatedEnv } from '../support/isolatedEnv.mjs';
import { runProcess } from '../support/runProcess.mjs';

const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const TARGET = ['--isolated', '--python-version', '3.11', '--platform', 'linux'];
const RULE = `[[incompatible]]
packages = ["uvicorn<0.30", "websockets>=14"]
reason = "uvicorn before 0.30 uses websockets APIs that 14 removed"
`;

let pypi;
let npm;
let root;

before(async () => {
  pypi = await startFakePypi({ projects: ['uvicorn', 'websockets', 'click', 'h11', 'typing-extensions'] });
  npm = await startFakeNpm({});
  root = mkdtempSync(join(tmpdir(), 'pinsight-cli-rules-'));
});

after(async () => {
  await pypi?.close();
  await npm?.close();
  rmSync(root, { recursive: true, force: true });
});

/** A fresh workspace folder with these files. */
function workspace(name, files) {
  const dir = join(root, name);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

async function check(cwd, ...paths) {
  const r = await runProcess(process.execPath, [cli, 'check', '--format', 'json', '--index-url', pypi.indexUrl, '--registry', `${npm.url}/`, '--no-cache', ...TARGET, ...paths], { cwd, env: isolatedEnv() });
  let report;
  try {
    report = JSON.parse(r.stdout);
  } catch {
    assert.fail(`not JSON (exit ${r.code}): ${r.stdout}\n${r.stderr}`);
  }
  return { code: r.code, report, findings: report.files.flatMap((f) => f.findings.map((x) => ({ ...x, path: f.path }))) };
}

test('without a rule the set resolves; with the rule it is a conflict on both lines citing the rule, and the fix moves to websockets 13.1', async () => {
  const dir = workspace('python', { 'requirements.txt': 'uvicorn==0.29.0\nwebsockets==14.2\n' });
  const plain = await check(dir, 'requirements.txt');
  assert.equal(plain.code, 0, JSON.stringify(plain.findings));
  assert.equal(plain.report.resolutions[0].packages.websockets, '14.2');

  writeFileSync(join(dir, 'pinsight.toml'), `# learned the hard way\n${RULE}`);
  const ruled = await check(dir, 'requirements.txt');
  assert.equal(ruled.code, 1);
  const conflicts = ruled.findings.filter((f) => f.code === 'conflict');
  assert.deepEqual(conflicts.map((f) => [f.package, f.range.start.line]).sort(), [['uvicorn', 0], ['websockets', 1]]);
  const ws = conflicts.find((f) => f.package === 'websockets');
  assert.equal(
    ws.message.split('. ')[0],
    'uvicorn==0.29.0 and websockets==14.2 together cannot be installed: the team rule in pinsight.toml:2 says uvicorn<0.30 and websockets>=14 are incompatible ("uvicorn before 0.30 uses websockets APIs that 14 removed")',
  );
  const related = ws.related.find((r) => r.path === 'pinsight.toml');
  assert.deepEqual(related.range.start, { line: 1, character: 0 });
  assert.match(related.message, /^Team rule: uvicorn<0\.30 and websockets>=14 are incompatible/);
  const fix = ws.fixes.find((f) => f.preferred);
  assert.deepEqual(fix.edits, [{ path: 'requirements.txt', range: { start: { line: 1, character: 10 }, end: { line: 1, character: 16 } }, newText: '==13.1' }]);
  assert.ok(ws.fixes.some((f) => f.title === 'Upgrade uvicorn to 0.30.0, which allows websockets 14.2'), JSON.stringify(ws.fixes.map((f) => f.title)));
});

test('a rule changes what resolves: the highest compatible websockets beside uvicorn 0.29.0 drops from 17.0.1 to 13.1', async () => {
  const dir = workspace('range', { 'requirements.txt': 'uvicorn==0.29.0\nwebsockets>=13\n' });
  const plain = await check(dir, 'requirements.txt');
  assert.equal(plain.report.resolutions[0].packages.websockets, '17.0.1');
  writeFileSync(join(dir, 'pinsight.toml'), RULE);
  const ruled = await check(dir, 'requirements.txt');
  assert.equal(ruled.code, 0, JSON.stringify(ruled.findings));
  assert.equal(ruled.report.resolutions[0].packages.websockets, '13.1');
});

test('rules apply from the manifest folder up to the working directory, from pinsight.toml and from [tool.pinsight]', async () => {
  const dir = workspace('nested', {
    'pyproject.toml': `[project]\nname = "mono"\nversion = "1"\n\n[[tool.pinsight.incompatible]]\npackages = ["uvicorn<0.30", "websockets>=14"]\nreason = "from the root pyproject"\n`,
    'services/api/requirements.txt': 'uvicorn==0.29.0\nwebsockets==14.2\n',
  });
  const r = await check(dir, 'services/api/requirements.txt');
  const ws = r.findings.find((f) => f.code === 'conflict' && f.package === 'websockets');
  assert.ok(ws, JSON.stringify(r.findings));
  assert.match(ws.message, /the team rule in pyproject\.toml:5 says uvicorn<0\.30 and websockets>=14 are incompatible \("from the root pyproject"\)/);
  // Run from the service's own folder, the root's rules are above the workspace: they do not apply.
  const inside = await check(join(dir, 'services', 'api'), 'requirements.txt');
  assert.equal(inside.code, 0, JSON.stringify(inside.findings));
});

test('an invalid rule is a finding in the file that holds it, and the valid rules beside it still apply', async () => {
  const dir = workspace('invalid', {
    'requirements.txt': 'uvicorn==0.29.0\nwebsockets==14.2\n',
    'pinsight.toml': `${RULE}\n[[incompatible]]\npackages = ["no such thing!!", "websockets>=14"]\nreason = "bad name"\n\n[[pin]]\npackage = "websockets"\nreason = ""\ncolour = "red"\n`,
  });
  const r = await check(dir, '.');
  assert.equal(r.code, 1);
  const problems = r.findings.filter((f) => f.path === 'pinsight.toml').map((f) => [f.code, f.severity, f.range.start.line]);
  assert.deepEqual(problems.sort((a, b) => a[2] - b[2]), [
    ['invalid-rule', 'error', 5],
    ['invalid-rule', 'error', 10],
    ['invalid-rule', 'warning', 11],
  ]);
  const bad = r.findings.find((f) => f.path === 'pinsight.toml' && f.range.start.line === 5);
  assert.match(bad.message, /"no such thing!!" is not a Python requirement/);
  assert.deepEqual(bad.range, { start: { line: 5, character: 13 }, end: { line: 5, character: 28 } });
  assert.ok(r.findings.some((f) => f.path === 'requirements.txt' && f.code === 'conflict'));
});

test('npm: a rule over the tree npm would install is a conflict on the package.json line, citing the rule', async () => {
  const dir = workspace('npm', {
    'package.json': '{\n  "name": "app",\n  "dependencies": {\n    "react": "^18.2.0",\n    "react-dom": "^18.2.0"\n  }\n}\n',
    'pinsight.toml': '[[incompatible]]\npackages = ["react-dom@>=18.3", "scheduler@>=0.23"]\nreason = "the team saw hydration errors with this pair"\n',
  });
  const r = await check(dir, 'package.json');
  assert.equal(r.code, 1);
  const conflicts = r.findings.filter((f) => f.code === 'conflict');
  assert.deepEqual(conflicts.map((f) => [f.package, f.range.start.line]), [['react-dom', 4]]);
  assert.match(conflicts[0].message, /^npm would install react-dom@18\.3\.1 and scheduler@0\.23\.2, but the team rule in pinsight\.toml:1 says react-dom@>=18\.3 and scheduler@>=0\.23 are incompatible \("the team saw hydration errors with this pair"\)\.$/);
  assert.deepEqual(conflicts[0].related.map((x) => [x.path, x.range.start.line]), [['pinsight.toml', 0]]);
  writeFileSync(join(dir, 'pinsight.toml'), '[[incompatible]]\npackages = ["react-dom@<18", "scheduler@>=0.23"]\nreason = "not this set"\n');
  const fine = await check(dir, 'package.json');
  assert.equal(fine.code, 0, JSON.stringify(fine.findings));
});

test('npm: the fix is the highest version of a named line that npm would install with no rule broken, in the style that picks it', async () => {
  const dir = workspace('npm-fix', {
    'package.json': '{\n  "name": "app",\n  "dependencies": {\n    "react": "^18.2.0",\n    "react-dom": "^18.2.0"\n  }\n}\n',
    'pinsight.toml': '[[incompatible]]\npackages = ["react-dom@>=18.3", "react@>=18"]\nreason = "react-dom 18.3 warns on every render here"\n',
  });
  const r = await check(dir, 'package.json');
  assert.equal(r.code, 1);
  const conflicts = r.findings.filter((f) => f.code === 'conflict');
  assert.deepEqual(conflicts.map((f) => [f.package, f.range.start.line]).sort(), [['react', 3], ['react-dom', 4]]);
  // ^18.2.0 would pick 18.3.1 again, so the edit is exact; 18.2.0 accepts react 18.3.1 as its peer.
  const dom = conflicts.find((f) => f.package === 'react-dom');
  assert.deepEqual(dom.fixes.map((f) => [f.title, f.preferred, f.edits.map((e) => [e.range.start.line, e.newText])]), [
    ['Change react-dom to 18.2.0, the highest version npm would install with the rest of package.json that no team rule forbids', true, [[4, '18.2.0']]],
  ]);
  // Every react below 18 is refused by react-dom ^18.2.0's peer range (ERESOLVE), so that line has no fix.
  assert.deepEqual(conflicts.find((f) => f.package === 'react').fixes, []);
  // Applying the fix gives a set with no conflict.
  writeFileSync(join(dir, 'package.json'), '{\n  "name": "app",\n  "dependencies": {\n    "react": "^18.2.0",\n    "react-dom": "18.2.0"\n  }\n}\n');
  const fixed = await check(dir, 'package.json');
  assert.equal(fixed.code, 0, JSON.stringify(fixed.findings));
});

test('a rule file is checked when named or found in a folder, even with no manifest beside it', async () => {
  const dir = workspace('alone', { 'rules/pinsight.toml': '[[pin]]\npackage = 3\nreason = "r"\n', 'clean/pinsight.toml': RULE });
  for (const target of ['rules/pinsight.toml', 'rules']) {
    const r = await check(dir, target);
    assert.equal(r.code, 1, target);
    assert.deepEqual(r.report.files.map((f) => [f.path, f.findings.map((x) => [x.code, x.range.start.line, x.message])]), [
      ['rules/pinsight.toml', [['invalid-rule', 1, '`package` must be a string, not a number.']]],
    ], target);
  }
  const clean = await check(dir, 'clean');
  assert.equal(clean.code, 0);
  assert.deepEqual(clean.report.files, [{ path: 'clean/pinsight.toml', findings: [] }]);
});

test('a rule naming a package the registry does not have is a warning on that name in the rule file (Python and npm)', async () => {
  const dir = workspace('typo', {
    'requirements.txt': 'uvicorn==0.29.0\n',
    'web/package.json': '{\n  "dependencies": {\n    "react": "^18.2.0"\n  }\n}\n',
    'pinsight.toml': '[[incompatible]]\npackages = ["uvicron<0.30", "websockets>=14"]\nreason = "typo in the first name"\n\n[[incompatible]]\npackages = ["react@>=18", "no-such-package-xyz@<1"]\nreason = "typo on npm"\n',
  });
  const r = await check(dir, '.');
  const warnings = r.findings.filter((f) => f.path === 'pinsight.toml').map((f) => [f.code, f.severity, f.range.start.line, f.range.start.character, f.message]);
  assert.deepEqual(warnings.map((w) => w.slice(0, 4)), [['invalid-rule', 'warning', 1, 13], ['invalid-rule', 'warning', 5, 27]]);
  assert.match(warnings[0][4], /^uvicron is not on http:\/\/127\.0\.0\.1:\d+\/simple: check the name\. A rule about a package the registry does not have never applies\.$/);
  assert.match(warnings[1][4], /^no-such-package-xyz is not on /);
  assert.equal(r.code, 0, JSON.stringify(r.findings));
});
