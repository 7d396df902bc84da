// `pinsight check` against loopback fake registries: the seed conflict end to end (finding, fix,
// --explain), registry findings, outages and the offline cache.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFakePypi } from '../support/fakePypi.mjs';
import { startFakeNpm } from '../support/fakeNpm.mjs';
import { isolatedEnv } from '../support/isolatedEnv.mjs';
import { runProcess } from '../support/runProcess.mjs';

const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const examples = fileURLToPath(new URL('../../examples/', import.meta.url));
const TARGET = ['--isolated', '--python-version', '3.11', '--platform', 'linux'];

let pypi;
let npm;
let dir;

const EXTRA = [
  { name: 'yankedpkg', versions: { '1.0': { requires_dist: [], yanked: 'broken wheel, use 1.1' }, '1.1': { requires_dist: [] } } },
  { name: 'onlypre', versions: { '2.0b1': { requires_dist: [] } } },
];

before(async () => {
  pypi = await startFakePypi({ projects: 'all', extra: EXTRA });
  npm = await startFakeNpm({});
  dir = mkdtempSync(join(tmpdir(), 'pinsight-cli-registry-'));
  cpSync(join(examples, 'seed'), join(dir, 'seed'), { recursive: true });
});

after(async () => {
  await pypi?.close();
  await npm?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs the CLI without blocking the event loop (the fake registries live in this process). */
function run(args) {
  return runProcess(process.execPath, [cli, ...args], { cwd: dir, env: isolatedEnv() });
}

const registryArgs = () => ['--index-url', pypi.indexUrl, '--registry', `${npm.url}/`, '--no-cache', ...TARGET];

function applyEdit(text, { range, newText }) {
  const lines = text.split('\n');
  const offset = (p) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  return text.slice(0, offset(range.start)) + newText + text.slice(offset(range.end));
}

test('the seed conflict: a finding on each root line, a fix to websockets==14.2, and no error once applied', async () => {
  const r = await run(['check', '--format', 'json', ...registryArgs(), 'seed/requirements.txt']);
  assert.equal(r.code, 1, r.stderr);
  const findings = JSON.parse(r.stdout).files.find((f) => f.path === 'seed/requirements.txt').findings;
  const conflicts = findings.filter((f) => f.code === 'conflict');
  assert.deepEqual(conflicts.map((f) => [f.package, f.range.start.line]).sort(), [['supabase', 4], ['websockets', 6]]);
  const ws = conflicts.find((f) => f.package === 'websockets');
  assert.equal(ws.severity, 'error');
  assert.match(ws.message, /^websockets==15\.0\.1 conflicts with supabase==2\.15\.3: supabase 2\.15\.3 requires realtime>=2\.4\.0,<2\.5\.0, and every realtime 2\.4\.x \(2\.4\.0 to 2\.4\.3\) requires websockets>=11,<15\./);
  assert.deepEqual(ws.related.map((x) => [x.path, x.range.start.line]), [['seed/requirements.txt', 4]]);
  const fix = ws.fixes.find((f) => /highest version/.test(f.title));
  assert.deepEqual(fix.edits, [{ path: 'seed/requirements.txt', range: { start: { line: 6, character: 10 }, end: { line: 6, character: 18 } }, newText: '==14.2' }]);
  const unlock = ws.fixes.find((f) => /^Upgrade supabase to /.test(f.title));
  assert.ok(unlock, JSON.stringify(ws.fixes));
  assert.match(ws.message, /supabase 2\.\d+\.\d+ allows websockets 15\.0\.1\./);

  const path = join(dir, 'seed', 'requirements.txt');
  const fixed = applyEdit(readFileSync(path, 'utf8'), fix.edits[0]);
  assert.match(fixed, /^websockets==14\.2$/m);
  writeFileSync(path, fixed);
  try {
    const again = await run(['check', '--format', 'json', ...registryArgs(), 'seed/requirements.txt']);
    assert.equal(again.code, 0, again.stdout);
    const all = JSON.parse(again.stdout).files.flatMap((f) => f.findings);
    assert.deepEqual(all.filter((f) => f.severity === 'error'), []);
  } finally {
    cpSync(join(examples, 'seed', 'requirements.txt'), path);
  }
});

test('--explain prints the chain', async () => {
  const r = await run(['check', '--explain', ...registryArgs(), 'seed/requirements.txt']);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /Because supabase 2\.15\.3 depends on realtime>=2\.4\.0,<2\.5\.0 and realtime 2\.4\.x depends on websockets>=11,<15, supabase 2\.15\.3 requires websockets>=11,<15\./);
  assert.match(r.stdout, /version solving failed/);
  assert.match(r.stdout, /Resolving for Python 3\.11 on linux/);
});

test('with no --python-version the target is the nearest .venv up to the working directory (the server rule)', async () => {
  mkdirSync(join(dir, 'venvproj', '.venv'), { recursive: true });
  mkdirSync(join(dir, 'venvproj', 'app'), { recursive: true });
  writeFileSync(join(dir, 'venvproj', '.venv', 'pyvenv.cfg'), 'home = /usr/bin\nversion = 3.12.1\n');
  cpSync(join(examples, 'seed', 'requirements.txt'), join(dir, 'venvproj', 'app', 'requirements.txt'));
  writeFileSync(join(dir, 'venvproj', 'app', 'requirements-dev.txt'), '');
  const args = ['--isolated', '--platform', 'linux', '--index-url', pypi.indexUrl, '--no-cache'];
  const r = await run(['check', '--explain', ...args, 'venvproj/app/requirements.txt']);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, /Resolving for Python 3\.12\.1 on linux \(from venvproj\/\.venv\):/);
});

test('--outdated: a hint with its fix on each exact pin older than its highest compatible version, none on a pin that is', async () => {
  const file = join(dir, 'outdated-requirements.txt');
  writeFileSync(file, 'supabase==2.15.3\nwebsockets==14.2\n');
  const r = await run(['check', '--format', 'json', '--outdated', ...registryArgs(), 'outdated-requirements.txt']);
  assert.equal(r.code, 0, r.stderr);
  const findings = JSON.parse(r.stdout).files[0].findings.filter((f) => f.code === 'outdated');
  assert.deepEqual(findings.map((f) => [f.package, f.range.start.line, f.severity]), [['supabase', 0, 'hint']]);
  assert.match(findings[0].message, /^supabase 2\.15\.3 is pinned; 2\.\d+\.\d+ is the highest version every other requirement allows/);
  assert.match(findings[0].fixes[0].edits[0].newText, /^==2\.\d+\.\d+$/);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.resolutions.length, 1);
  assert.equal(doc.resolutions[0].target, 'Python 3.11 on linux (--python-version)');
  assert.equal(doc.resolutions[0].packages.websockets, '14.2');
  assert.equal(doc.resolutions[0].packages.supabase, '2.15.3');
  assert.match(doc.resolutions[0].packages.realtime, /^2\.4\.\d+$/);
  const without = await run(['check', '--format', 'json', ...registryArgs(), 'outdated-requirements.txt']);
  assert.deepEqual(JSON.parse(without.stdout).files[0].findings.filter((f) => f.code === 'outdated'), [], 'off unless asked for');
});

test('registry findings: unknown package, unknown version, yanked with its reason, no matching release, pre-release only', async () => {
  writeFileSync(join(dir, 'requirements-registry.txt'), 'nosuchpkg==1.0\nwebsockets==99.0\nyankedpkg==1.0\nhttpx>=99\nonlypre>=1\n');
  const r = await run(['check', '--format', 'json', ...registryArgs(), 'requirements-registry.txt']);
  assert.equal(r.code, 1, r.stderr);
  const findings = JSON.parse(r.stdout).files[0].findings;
  const byLine = Object.fromEntries(findings.map((f) => [f.range.start.line, f]));
  assert.equal(byLine[0].code, 'unknown-package');
  assert.match(byLine[0].message, /nosuchpkg was not found on http:\/\/127\.0\.0\.1:\d+\/simple/);
  assert.equal(byLine[1].code, 'unknown-version');
  assert.match(byLine[1].message, /websockets 99\.0 does not exist .*the latest is 17\.0\.1/);
  assert.deepEqual(byLine[1].range, { start: { line: 1, character: 10 }, end: { line: 1, character: 16 } });
  assert.equal(byLine[2].code, 'yanked');
  assert.equal(byLine[2].severity, 'warning');
  assert.match(byLine[2].message, /yankedpkg 1\.0 was yanked \(reason: broken wheel, use 1\.1\)/);
  assert.equal(byLine[3].code, 'no-matching-version');
  // Registry errors leave their own lines out of the resolution, not the rest: the pre-release-only line is still judged.
  assert.equal(byLine[4].code, 'prerelease-only');
  assert.equal(Object.keys(byLine).length, 5);
});

test('a requirement only pre-releases satisfy: pip fails, so an error that offers the opt-ins', async () => {
  writeFileSync(join(dir, 'requirements-pre.txt'), 'onlypre>=1\nhttpx==0.28.1\n');
  const r = await run(['check', '--format', 'json', ...registryArgs(), 'requirements-pre.txt']);
  const findings = JSON.parse(r.stdout).files[0].findings;
  assert.equal(r.code, 1);
  assert.deepEqual(findings.map((f) => [f.code, f.severity, f.range.start.line]), [['prerelease-only', 'error', 0]]);
  assert.match(findings[0].message, /Only pre-releases of onlypre \(2\.0b1\) match ">=1"/);
  const titles = findings[0].fixes.map((f) => f.title);
  assert.match(titles[0], /Pin the pre-release onlypre==2\.0b1/);
  assert.deepEqual(findings[0].fixes[0].edits[0].newText, '==2.0b1');
  assert.match(titles[1], /add --pre to requirements-pre\.txt/);
  assert.deepEqual(findings[0].fixes[1].edits[0], { path: 'requirements-pre.txt', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: '--pre\n' });
  const withPre = await run(['check', '--format', 'json', '--pre', ...registryArgs(), 'requirements-pre.txt']);
  assert.deepEqual(JSON.parse(withPre.stdout).files[0].findings, []);
});

test('npm: a deprecated version and an unknown package', async () => {
  writeFileSync(join(dir, 'package.json'), '{\n  "dependencies": {\n    "react-beautiful-dnd": "^13.1.1",\n    "no-such-package-xyz": "^1.0.0"\n  }\n}\n');
  const r = await run(['check', '--format', 'json', ...registryArgs(), 'package.json']);
  const findings = JSON.parse(r.stdout).files[0].findings;
  const deprecated = findings.find((f) => f.code === 'deprecated');
  assert.equal(deprecated.package, 'react-beautiful-dnd');
  assert.match(deprecated.message, /react-beautiful-dnd@13\.1\.1 is deprecated: /);
  const unknown = findings.find((f) => f.code === 'unknown-package');
  assert.equal(unknown.range.start.line, 3);
  rmSync(join(dir, 'package.json'));
});

test('npm peers: ERESOLVE for React 19 with react-beautiful-dnd 13, on both lines, with a fix to React 18', async () => {
  cpSync(join(examples, 'npm-peer'), join(dir, 'npm-peer'), { recursive: true });
  const r = await run(['check', '--format', 'json', ...registryArgs(), 'npm-peer']);
  assert.equal(r.code, 1, r.stderr);
  const findings = JSON.parse(r.stdout).files[0].findings.filter((f) => f.code === 'peer-conflict');
  assert.deepEqual(findings.map((f) => [f.package, f.range.start.line]), [['react', 5], ['react-beautiful-dnd', 7]]);
  assert.match(findings[0].message, /^Could not resolve dependency: peer react@"\^16\.8\.5 \|\| \^17\.0\.0 \|\| \^18\.0\.0" from react-beautiful-dnd@13\.1\.1\. Found: react@19\.\d+\.\d+ \(from the root project\)\./);
  assert.match(findings[0].message, /No released version of react-beautiful-dnd allows react 19\./);
  assert.deepEqual(findings[0].fixes[0].edits[0].newText, '^18.3.1');
  // legacy-peer-deps in the project's .npmrc: npm ignores peers, and so does the check.
  writeFileSync(join(dir, 'npm-peer', '.npmrc'), 'legacy-peer-deps=true\n');
  const legacy = await run(['check', '--format', 'json', ...registryArgs(), 'npm-peer']);
  assert.deepEqual(JSON.parse(legacy.stdout).files[0].findings.filter((f) => f.code === 'peer-conflict'), []);
  rmSync(join(dir, 'npm-peer', '.npmrc'));
  // With React 18 npm installs: no peer conflict.
  const pkg = join(dir, 'npm-peer', 'package.json');
  writeFileSync(pkg, readFileSync(pkg, 'utf8').replace(/\^19\.1\.0/g, '^18.3.1'));
  const ok = await run(['check', '--format', 'json', ...registryArgs(), 'npm-peer']);
  assert.deepEqual(JSON.parse(ok.stdout).files[0].findings.filter((f) => f.severity === 'error'), []);
});

test('npm workspaces: a member\'s ERESOLVE on the member\'s lines, globs that match nothing listed as skipped, clean once fixed', async () => {
  cpSync(join(examples, 'npm-workspaces'), join(dir, 'npm-workspaces'), { recursive: true });
  const r = await run(['check', '--format', 'json', ...registryArgs(), 'npm-workspaces']);
  assert.equal(r.code, 1, r.stderr);
  const doc = JSON.parse(r.stdout);
  const byFile = Object.fromEntries(doc.files.map((f) => [f.path, f.findings]));
  const codes = (path, code) => byFile[path].filter((f) => f.code === code).map((f) => f.range.start.line);
  assert.deepEqual(codes('npm-workspaces/packages/web/package.json', 'peer-conflict'), [5, 7]);
  assert.deepEqual(codes('npm-workspaces/package.json', 'peer-conflict'), []);
  assert.deepEqual(codes('npm-workspaces/packages/ui/package.json', 'peer-conflict'), []);
  // "@demo/ui" is the sibling workspace npm links: never an unknown registry package
  assert.deepEqual(doc.files.flatMap((f) => f.findings).filter((f) => f.code === 'unknown-package'), []);
  const react = byFile['npm-workspaces/packages/web/package.json'].find((f) => f.code === 'peer-conflict' && f.range.start.line === 5);
  assert.match(react.message, /Found: react@19\.\d+\.\d+ \(from @demo\/web@1\.0\.0\)\./);
  assert.equal(react.fixes[0].edits[0].newText, '^18.3.1');
  assert.deepEqual(doc.skipped, [], 'nothing about workspaces is skipped');
  // a glob that matches nothing and a matched folder without package.json: said once, not a crash
  const rootPkg = join(dir, 'npm-workspaces', 'package.json');
  writeFileSync(rootPkg, readFileSync(rootPkg, 'utf8').replace('["packages/*"]', '["packages/*", "tools/*"]'));
  mkdirSync(join(dir, 'npm-workspaces', 'packages', 'docs'));
  const web = join(dir, 'npm-workspaces', 'packages', 'web', 'package.json');
  writeFileSync(web, readFileSync(web, 'utf8').replace(/\^19\.1\.0/g, '^18.3.1'));
  const fixed = await run(['check', '--format', 'json', ...registryArgs(), 'npm-workspaces']);
  const after = JSON.parse(fixed.stdout);
  assert.deepEqual(after.files.flatMap((f) => f.findings).filter((f) => f.severity === 'error'), []);
  assert.ok(after.skipped.some((s) => s.includes('packages/docs matches the npm workspaces globs but has no package.json')), after.skipped.join('\n'));
  assert.ok(after.skipped.some((s) => s.includes('The npm workspaces pattern "tools/*" matches no folder with a package.json.')), after.skipped.join('\n'));
});

async function closedPort() {
  const server = createServer();
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  await new Promise((r) => server.close(r));
  return port;
}

test('an unreachable index is one information finding, not an error per line, and never a crash', async () => {
  const port = await closedPort();
  const r = await run(['check', '--format', 'json', '--index-url', `http://127.0.0.1:${port}/simple`, '--no-cache', ...TARGET, 'seed/requirements.txt']);
  assert.equal(r.code, 0, r.stderr);
  const findings = JSON.parse(r.stdout).files.find((f) => f.path === 'seed/requirements.txt').findings;
  assert.deepEqual(findings.map((f) => [f.code, f.severity]), [['registry-unreachable', 'information']]);
  assert.match(findings[0].message, new RegExp(`127\\.0\\.0\\.1:${port}`));
});

test('a cache filled online answers offline, and offline with an empty cache says so once', async () => {
  const cacheDir = join(dir, 'cache');
  const online = await run(['check', '--format', 'json', '--index-url', pypi.indexUrl, '--cache-dir', cacheDir, ...TARGET, 'seed/requirements.txt']);
  const offline = await run(['check', '--format', 'json', '--index-url', pypi.indexUrl, '--cache-dir', cacheDir, '--offline', ...TARGET, 'seed/requirements.txt']);
  const codes = (out) => JSON.parse(out).files.flatMap((f) => f.findings.map((x) => `${f.path}:${x.range.start.line}:${x.code}`)).sort();
  assert.deepEqual(codes(offline.stdout), codes(online.stdout));
  assert.equal(offline.code, 1);
  const empty = await run(['check', '--format', 'json', '--index-url', pypi.indexUrl, '--cache-dir', join(dir, 'empty-cache'), '--offline', ...TARGET, 'seed/requirements.txt']);
  const findings = JSON.parse(empty.stdout).files.find((f) => f.path === 'seed/requirements.txt').findings;
  assert.deepEqual(findings.map((f) => f.code), ['registry-unreachable']);
  assert.match(findings[0].message, /^Offline/);
});

test('the bundled snapshot answers the demo with no network', async () => {
  const r = await run(['check', '--format', 'json', '--registry-snapshot', join(examples, 'registry-snapshot.json.gz'), ...TARGET, 'seed']);
  assert.equal(r.code, 1, r.stderr);
  const conflicts = JSON.parse(r.stdout).files.flatMap((f) => f.findings).filter((f) => f.code === 'conflict');
  assert.equal(conflicts.length, 2);
});
