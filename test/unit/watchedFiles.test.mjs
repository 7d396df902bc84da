// Which open documents a change on disk concerns (server/src/core/project/watchedFiles.ts): an install
// into a virtualenv touches hundreds of watched *.txt files and must re-check only the documents of
// that project, with their parse kept; an included file re-reads only the documents that include it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planWatchedChanges } from '../../dist/core/project/watchedFiles.js';

const A = { uri: 'file:///w/a/requirements.txt', path: '/w/a/requirements.txt', files: ['/w/a/requirements.txt', '/w/shared/base.txt'] };
const B = { uri: 'file:///w/b/requirements.txt', path: '/w/b/requirements.txt', files: ['/w/b/requirements.txt'] };
const WEB = { uri: 'file:///w/web/package.json', path: '/w/web/package.json', files: ['/w/web/package.json'] };
const MEMBER = { uri: 'file:///w/web/packages/ui/package.json', path: '/w/web/packages/ui/package.json', files: ['/w/web/packages/ui/package.json'] };
const DOCS = [A, B, WEB, MEMBER];
const sorted = (set) => [...set].sort();

test('pip install into a project venv: its METADATA re-checks that project only; every other file it touches is ignored', () => {
  const plan = planWatchedChanges([
    '/w/a/.venv/lib/python3.11/site-packages/websockets-15.0.1.dist-info/METADATA',
    '/w/a/.venv/lib/python3.11/site-packages/websockets-15.0.1.dist-info/top_level.txt',
    '/w/a/.venv/lib/python3.11/site-packages/websockets-15.0.1.dist-info/entry_points.txt',
    '/w/a/.venv/lib/python3.11/site-packages/certifi/cacert.txt',
  ], DOCS);
  assert.deepEqual(sorted(plan.recheck), [A.uri]);
  assert.deepEqual(sorted(plan.reparse), []);
  assert.equal(plan.configuration, false);
  assert.equal(plan.republish, false);
  assert.equal(plan.notes.filter((n) => n.endsWith('ignored')).length, 3);
});

test('Windows venv layout (Lib/site-packages) and a new venv (pyvenv.cfg) re-check the project in that folder', () => {
  assert.deepEqual(sorted(planWatchedChanges(['/w/b/venv/Lib/site-packages/x-1.0.dist-info/METADATA'], DOCS).recheck), [B.uri]);
  assert.deepEqual(sorted(planWatchedChanges(['/w/b/.venv/pyvenv.cfg'], DOCS).recheck), [B.uri]);
});

test('a venv outside every open document folder (a selected interpreter elsewhere): every document is re-checked', () => {
  assert.deepEqual(sorted(planWatchedChanges(['/w/envs/tools/lib/python3.11/site-packages/x-1.0.dist-info/METADATA'], DOCS).recheck), sorted(DOCS.map((d) => d.uri)));
});

test('npm install: the hidden lockfile re-checks the project and its workspaces; files inside node_modules are ignored', () => {
  const plan = planWatchedChanges(['/w/web/node_modules/.package-lock.json', '/w/web/node_modules/react/LICENSE.txt'], DOCS);
  assert.deepEqual(sorted(plan.recheck), sorted([WEB.uri, MEMBER.uri]));
  assert.equal(plan.configuration, false);
});

test('a lockfile re-checks the documents in its folder and below, keeping their parse', () => {
  const plan = planWatchedChanges(['/w/web/package-lock.json'], DOCS);
  assert.deepEqual(sorted(plan.recheck), sorted([WEB.uri, MEMBER.uri]));
  assert.deepEqual(sorted(planWatchedChanges(['/w/a/uv.lock'], DOCS).recheck), [A.uri]);
  assert.deepEqual(sorted(plan.reparse), []);
});

test('an included file re-reads exactly the documents that include it; a file no one reads only republishes', () => {
  const included = planWatchedChanges(['/w/shared/base.txt'], DOCS);
  assert.deepEqual(sorted(included.reparse), [A.uri]);
  assert.deepEqual(sorted(included.recheck), []);
  assert.equal(included.configuration, false);
  assert.equal(included.republish, true);
  const unrelated = planWatchedChanges(['/w/docs/notes.txt'], DOCS);
  assert.deepEqual([...unrelated.reparse, ...unrelated.recheck], []);
  assert.equal(unrelated.republish, true);
  assert.match(unrelated.notes[0], /no open document reads it/);
});

test('configuration (.npmrc, pip.conf, pinsight.toml, pyproject.toml) resets the registries and re-reads the documents below it', () => {
  const npmrc = planWatchedChanges(['/w/web/.npmrc'], DOCS);
  assert.equal(npmrc.configuration, true);
  assert.deepEqual(sorted(npmrc.reparse), sorted([WEB.uri, MEMBER.uri]));
  const rules = planWatchedChanges(['/w/pinsight.toml'], DOCS);
  assert.deepEqual(sorted(rules.reparse), sorted(DOCS.map((d) => d.uri)));
  const pipConf = planWatchedChanges(['/w/a/pip.conf'], DOCS);
  assert.deepEqual(sorted(pipConf.reparse), [A.uri]);
});

test('a document both re-read and re-checked is only re-read; a folder name that merely starts alike is not inside', () => {
  const plan = planWatchedChanges(['/w/a/.venv/lib/python3.11/site-packages/x-1.0.dist-info/METADATA', '/w/shared/base.txt'], DOCS);
  assert.deepEqual(sorted(plan.reparse), [A.uri]);
  assert.deepEqual(sorted(plan.recheck), []);
  assert.deepEqual(sorted(planWatchedChanges(['/w/a2/uv.lock'], DOCS).recheck), []);
});
