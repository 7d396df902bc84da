// The same package pinned in several manifests that nothing resolves together: PEP 440 and npm
// range agreement without a registry, and inconsistent-pin findings on each line, with related
// places and the fixes that align them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { pep440SpecifiersAgree } from '../../dist/core/python/checks/pinAgreement.js';
import { parseSpecifierSet } from '../../dist/core/python/versions/pep440.js';
import { analyzeManifest } from '../../dist/core/project/analyze.js';
import { findInconsistentPins, findManifests } from '../../dist/core/project/workspace.js';
import { prng } from '../support/prng.mjs';

test('PEP 440 agreement on named cases', () => {
  const cases = [
    ['==14.2', '==14.2.0', true],
    ['==14.2', '==15.0.1', false],
    ['>=1.0', '<1.0', false],
    ['>1.0', '<1.0.1', true],
    ['>=2,<3', '~=2.5', true],
    ['==1.2.*', '>1.2', true],
    ['==1.2.*', '>=1.3', false],
    ['!=1.0', '==1.0', false],
    // Only pre-releases of 2.0 lie between, and <2.0 excludes them (PEP 440).
    ['>=2.0b1', '<2.0', false],
    ['>=2.0b1', '<2.1', true],
    ['', '==1', true],
    ['<1.0', '<2', true],
    ['~=1.4.2', '==1.4.5', true],
    ['~=1.4.2', '==1.5', false],
    ['===foo', '==1', true],
    ['>=1!1.0', '<2', false],
  ];
  for (const [a, b, expected] of cases) assert.equal(pep440SpecifiersAgree(a, b), expected, `${a} vs ${b}`);
});

test('PEP 440 agreement never says "disagree" when a real version satisfies both (every snapshot version as witness)', () => {
  const dir = fileURLToPath(new URL('../fixtures/pypi/', import.meta.url));
  const versions = [...new Set(readdirSync(dir).filter((f) => f.endsWith('.json')).flatMap((f) => Object.keys(JSON.parse(readFileSync(dir + f, 'utf8')).versions ?? {})))];
  assert.ok(versions.length > 1000, `only ${versions.length} versions`);
  const random = prng(7);
  const ops = ['==', '!=', '>=', '<=', '>', '<', '~='];
  const pick = (xs) => xs[Math.floor(random() * xs.length)];
  const clause = () => {
    const op = pick(ops);
    const v = pick(versions);
    if (op === '~=' && !v.includes('.')) return `>=${v}`;
    return op === '==' && random() < 0.2 ? `==${v.split('.').slice(0, 2).join('.')}.*` : `${op}${v}`;
  };
  const spec = () => Array.from({ length: 1 + Math.floor(random() * 2) }, clause).join(',');
  let agreeing = 0;
  let witnessed = 0;
  for (let i = 0; i < 1500; i++) {
    const a = spec();
    const b = spec();
    const sa = parseSpecifierSet(a);
    const sb = parseSpecifierSet(b);
    if (!sa.ok || !sb.ok) continue;
    const witness = versions.find((v) => sa.set.contains(v, { prereleases: true }) && sb.set.contains(v, { prereleases: true }));
    const verdict = pep440SpecifiersAgree(a, b);
    if (verdict) agreeing++;
    if (witness) {
      witnessed++;
      assert.equal(verdict, true, `${a} and ${b} both admit ${witness}`);
    }
  }
  assert.ok(witnessed > 200 && agreeing < 1500, `witnessed ${witnessed}, agreeing ${agreeing}: the sample must hold both outcomes`);
});

function memoryRuntime(files) {
  const dirs = new Map();
  for (const path of Object.keys(files)) {
    for (let p = path; p !== '/'; ) {
      const parent = p.slice(0, p.lastIndexOf('/')) || '/';
      const entries = dirs.get(parent) ?? new Map();
      entries.set(p.slice(parent.length + (parent === '/' ? 0 : 1)), p === path ? 'file' : 'dir');
      dirs.set(parent, entries);
      p = parent;
    }
  }
  return {
    env: {},
    readFile: async (p) => files[p],
    listDir: async (p) => (dirs.has(p) ? [...dirs.get(p)].map(([name, kind]) => ({ name, kind })) : undefined),
  };
}

async function analyses(files) {
  const runtime = memoryRuntime(files);
  const found = await findManifests('/w', runtime);
  return Promise.all(found.paths.map((p) => analyzeManifest(p, runtime)));
}

test('a Docker image and the developer pin websockets differently: a finding on each line, with the other place and the fixes', async () => {
  const all = await analyses({
    '/w/requirements.txt': 'supabase==2.15.3\n# realtime 2.4.x needs websockets<15\nwebsockets==14.2\n',
    '/w/docker/requirements.txt': 'fastapi==0.115.12\nwebsockets==15.0.1\n',
    '/w/docker/.venv/pyvenv.cfg': 'version = 3.11.7\n',
    '/w/docker/.venv/lib/requirements.txt': 'websockets==1.0\n',
  });
  assert.deepEqual(all.map((a) => a.root), ['/w/docker/requirements.txt', '/w/requirements.txt'], 'the virtualenv is not searched');
  const findings = findInconsistentPins(all);
  assert.deepEqual(findings.map((f) => [f.path, f.range.start.line, f.code, f.severity]), [
    ['/w/docker/requirements.txt', 1, 'inconsistent-pin', 'warning'],
    ['/w/requirements.txt', 2, 'inconsistent-pin', 'warning'],
  ]);
  const mine = findings[1];
  assert.equal(mine.message, 'websockets==14.2 here and websockets==15.0.1 in docker/requirements.txt (line 2) cannot both hold: no version of websockets satisfies both, so the environments built from these files get different versions.');
  assert.deepEqual(mine.related.map((r) => [r.path, r.range.start.line]), [['/w/docker/requirements.txt', 1]]);
  assert.deepEqual(mine.range, { start: { line: 2, character: 10 }, end: { line: 2, character: 16 } });
  assert.equal(mine.fixes.length, 1);
  assert.equal(mine.fixes[0].title, 'Align every requirement of websockets to ==15.0.1 (as in docker/requirements.txt (line 2))');
  assert.deepEqual(mine.fixes[0].edits, [{ path: '/w/requirements.txt', range: mine.range, newText: '==15.0.1' }]);
  assert.deepEqual(findings[0].fixes[0].edits.map((e) => [e.path, e.newText]), [['/w/docker/requirements.txt', '==14.2']]);
});

test('what agrees stays silent: equal versions written differently, overlapping ranges, different markers, files read together', async () => {
  const all = await analyses({
    '/w/a/requirements.txt': 'websockets==14.2\nuvicorn>=0.24\nnumpy==1.24.4; python_version < "3.9"\n-r shared.txt\n',
    '/w/a/shared.txt': 'httpx==0.27.0\n',
    '/w/a/requirements-dev.txt': '-r requirements.txt\nhttpx==0.28.1\n',
    '/w/b/requirements.txt': 'websockets==14.2.0\nuvicorn<1\nnumpy==2.0.0; python_version >= "3.9"\n',
    '/w/web/package.json': '{ "dependencies": { "react": "^18.2.0", "left-pad": "1.3.0" } }',
    '/w/app/package.json': '{ "dependencies": { "react": "~18.3.1", "left-pad": "latest" } }',
  });
  // requirements-dev.txt reads requirements.txt (and so shared.txt): its httpx pin conflicts there, which
  // duplicate-requirement and the resolver explain; shared.txt read alone is another manifest only for
  // files that do not include it.
  assert.deepEqual(findInconsistentPins(all).map((f) => [f.path, f.package]), []);
});

test('npm ranges with no common version are inconsistent across a monorepo', async () => {
  const all = await analyses({
    '/w/web/package.json': '{\n  "dependencies": {\n    "react": "^17.0.2"\n  }\n}\n',
    '/w/app/package.json': '{\n  "devDependencies": {\n    "react": "^18.2.0"\n  }\n}\n',
  });
  const findings = findInconsistentPins(all);
  assert.deepEqual(findings.map((f) => [f.path, f.range.start.line]), [['/w/app/package.json', 2], ['/w/web/package.json', 2]]);
  assert.equal(findings[0].message, 'react@^18.2.0 here and react@^17.0.2 in ../web/package.json (line 3) cannot both hold: no version of react satisfies both, so the environments built from these files get different versions.');
  assert.deepEqual(findings[0].fixes[0].edits.map((e) => e.newText), ['^17.0.2']);
});
