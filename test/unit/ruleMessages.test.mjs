// Messages keep their reason and name the rule that decided, and whose rule it is: two direct
// requirements on one package, yanked releases under pip's and uv's PEP 592 rules, "the latest".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolvePythonFindings } from '../../dist/core/python/checks/resolutionFindings.js';
import { checkPypiDependencies } from '../../dist/core/python/checks/registryChecks.js';
import { LINUX_311, dep, memoryPypi } from '../support/memoryPypi.mjs';

const at = (line) => ({ start: { line, character: 0 }, end: { line, character: 10 } });
function manifest(lines, kind = 'requirements') {
  return { path: '/p/manifest', kind, dependencies: lines.map((l, i) => dep(l, { range: at(i), nameRange: at(i) })), options: [], includes: [], problems: [] };
}
async function resolved(registry, lines, installer) {
  const r = await resolvePythonFindings([manifest(lines)], memoryPypi(registry), { target: { environment: LINUX_311, description: 'Python 3.11' }, installer, whatIf: false });
  return r.findings.map((f) => `${f.range.start.line} ${f.code}: ${f.message}`);
}
async function registryMessages(registry, lines, installer) {
  const r = await checkPypiDependencies([manifest(lines)], memoryPypi(registry), { installer });
  return r.findings.map((f) => `${f.range.start.line} ${f.code}: ${f.message}`);
}

const YANKED = { b: { '0.5': [], '1.0.0': { deps: [], yanked: 'broken wheel' } } };
const ALL_YANKED = { b: { '0.9': { deps: [], yanked: true }, '1.0.0': { deps: [], yanked: 'broken wheel' } } };

test('two direct requirements on one package: the reason is the one-version rule, never empty', async () => {
  const text = 'a==1.0.0 conflicts with a==2.0.0: both require a, and no version of a satisfies both (available: 1.0.0 to 2.0.0); only one version of a package can be installed.';
  assert.deepEqual(await resolved({ a: { '1.0.0': [], '2.0.0': [] } }, ['a==1.0.0', 'a==2.0.0'], 'pip'), [`0 conflict: ${text}`, `1 conflict: ${text}`]);
});

test('no version matches because the match is yanked: the explanation says so, with pip’s rule or uv’s', async () => {
  assert.deepEqual(await resolved(YANKED, ['b>=1'], 'pip'), [
    '0 conflict: No version of b matches b>=1 (available: 0.5 to 1.0.0); 1.0.0 is yanked (broken wheel), and pip takes a yanked release only when the requirements pin it with == or === and every release they allow is yanked (PEP 592).',
  ]);
  assert.deepEqual(await resolved({ ...YANKED, app: { '1.0': ['b>=1'] } }, ['app'], 'uv'), [
    '0 conflict: app cannot be installed: app 1.0 depends on b>=1 (no version of b matches; available: 0.5 to 1.0.0; 1.0.0 is yanked (broken wheel), and uv takes a yanked release only when a requirement of yours pins exactly that version (== or ===)).',
  ]);
});

test('registry check: only yanked releases match, in a uv project, with no specifier: uv’s rule, "any version", and no yanked "latest"', async () => {
  assert.deepEqual(await registryMessages(ALL_YANKED, ['b'], 'uv'), [
    '0 no-matching-version: No release of b on memory satisfies any version; every release of b is yanked. Only yanked releases match (0.9, 1.0.0: broken wheel), and uv takes a yanked release only when a requirement of yours pins exactly that version (== or ===).',
  ]);
  assert.deepEqual(await registryMessages(YANKED, ['b>=1'], 'pip'), [
    '0 no-matching-version: No release of b on memory satisfies >=1; the latest is 0.5. Only yanked releases match (1.0.0: broken wheel), and pip takes a yanked release only when the requirements pin it with == or === and every release they allow is yanked (PEP 592).',
  ]);
  assert.deepEqual(await registryMessages({ b: { '1.0': { deps: [], yanked: true }, '2.0b1': [] } }, ['b<2'], 'pip'), [
    '0 no-matching-version: No release of b on memory satisfies <2; the latest release that is not yanked is 2.0b1. Only yanked releases match (1.0), and pip takes a yanked release only when the requirements pin it with == or === and every release they allow is yanked (PEP 592).',
  ]);
});

test('a yanked exact pin names the installer that still installs it', async () => {
  assert.deepEqual(await registryMessages(YANKED, ['b==1.0.0'], 'uv'), [
    '0 yanked: b 1.0.0 was yanked (reason: broken wheel). uv still installs it because it is pinned exactly (PEP 592), but it was withdrawn for a reason. Consider 0.5.',
  ]);
});
