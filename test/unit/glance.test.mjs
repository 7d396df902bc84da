// Versions at a glance (the inlay text): "update" is the highest compatible version, the latest is
// marked when something blocks it, and a line that is current says so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { glanceOf } from '../../dist/core/insight/glance.js';

test('glance labels', () => {
  const cases = [
    [{ pinned: '14.2', resolved: '14.2', highestCompatible: '14.2', latest: '17.0.1' }, 'latest 17.0.1 (blocked)'],
    [{ pinned: '14.1', resolved: '14.1', highestCompatible: '14.2', latest: '17.0.1' }, 'compatible 14.2 · latest 17.0.1 (blocked)'],
    [{ resolved: '0.34.0', highestCompatible: '0.34.0', latest: '0.34.0' }, '→ 0.34.0'],
    [{ pinned: '2.0', resolved: '2.0', highestCompatible: '2.0', latest: '2.0' }, '✓ latest'],
    [{ resolved: '18.3.1', latest: '19.1.0' }, '→ 18.3.1 · latest 19.1.0'],
    [{ highestCompatible: '14.2', latest: '17.0.1', pinned: '15.0.1' }, 'compatible 14.2 · latest 17.0.1 (blocked)'],
    [{ pinned: '14.2', resolved: '14.2', highestCompatible: '14.2', latest: '14.2', installed: '15.0.1' }, '✓ latest · installed 15.0.1'],
  ];
  for (const [facts, label] of cases) assert.equal(glanceOf(facts)?.label, label, JSON.stringify(facts));
  assert.equal(glanceOf({}), undefined);
  assert.match(glanceOf({ resolved: '1.0', latest: '2.0', stale: true }).tooltip, /Cached registry answers/);
});
