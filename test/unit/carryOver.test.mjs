// Registry findings of an older version carried onto the current text while new results are made.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRequirements } from '../../dist/core/python/requirements/requirements.js';
import { carryOverFindings } from '../../dist/core/insight/carryOver.js';

const PATH = '/p/requirements.txt';
const finding = (pkg, line, chars = [0, 18]) => ({
  code: 'conflict', severity: 'error', package: pkg, path: PATH,
  range: { start: { line, character: chars[0] }, end: { line, character: chars[1] } },
  message: `${pkg} conflicts`, related: [{ path: PATH, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } }, message: 'x' }, { path: '/p/other.txt', range: { start: { line: 3, character: 0 }, end: { line: 3, character: 1 } }, message: 'y' }],
  fixes: [{ title: 'fix', edits: [] }],
});

test('a finding moves with its unchanged requirement, loses its fixes, keeps other files related', () => {
  const before = parseRequirements('supabase==2.15.3\nwebsockets==15.0.1\n', PATH);
  const after = parseRequirements('# a new comment\nsupabase==2.15.3\nwebsockets==15.0.1\nhttpx\n', PATH);
  const moved = carryOverFindings({ root: before, findings: [finding('websockets', 1), finding('supabase', 0, [0, 16])] }, after);
  assert.deepEqual(moved.map((f) => [f.package, f.range.start.line, f.range.end.character]), [['websockets', 2, 18], ['supabase', 1, 16]]);
  for (const f of moved) {
    assert.deepEqual(f.fixes, []);
    assert.deepEqual(f.related.map((r) => r.path), ['/p/other.txt']);
  }
});

test('a finding whose requirement was edited or removed is dropped, as are findings about the file', () => {
  const before = parseRequirements('supabase==2.15.3\nwebsockets==15.0.1\n', PATH);
  const after = parseRequirements('supabase==2.15.3\nwebsockets==14.2\n', PATH);
  const fileLevel = { ...finding('websockets', 1), package: null, code: 'registry-unreachable' };
  const moved = carryOverFindings({ root: before, findings: [finding('websockets', 1), fileLevel, finding('supabase', 0, [0, 16])] }, after);
  assert.deepEqual(moved.map((f) => f.package), ['supabase']);
  assert.deepEqual(carryOverFindings({ root: before, findings: [finding('supabase', 0)] }, parseRequirements('websockets==15.0.1\n', PATH)), []);
});
