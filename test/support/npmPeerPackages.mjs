// Synthetic npm packages for the peer-dependency checks, each built to drive one branch of npm's
// placement: peers of peers, optional peers, nesting under a non-root dependant, dist-tag and
// deprecation preferences, engines, scoped names, peer cycles. The unit tests read them in memory;
// the differential test serves them from the fake registry (as `extra`) to the real npm CLI.
import { loadFixture } from './fakeNpm.mjs';

export const SYNTHETIC = {
  'pz-a': { versions: { '1.0.0': { peerDependencies: { 'pz-b': '^1.0.0' } } } },
  'pz-b': {
    versions: {
      '1.0.0': { peerDependencies: { 'pz-c': '^1.0.0' } },
      '2.0.0': { peerDependencies: { 'pz-c': '^2.0.0' } },
    },
  },
  'pz-c': { versions: { '1.0.0': {}, '1.5.0': {}, '2.0.0': {} } },
  'pz-wrap': { versions: { '1.0.0': { dependencies: { 'pz-a': '^1.0.0' } } } },
  'pz-opt': {
    versions: { '1.0.0': { peerDependencies: { 'pz-c': '^1.0.0' }, peerDependenciesMeta: { 'pz-c': { optional: true } } } },
  },
  'pz-needs-c2': { versions: { '1.0.0': { dependencies: { 'pz-c': '^2.0.0' } } } },
  'pz-tagged': {
    'dist-tags': { latest: '1.0.0', next: '3.0.0-beta.1' },
    versions: { '1.0.0': {}, '2.0.0': {}, '3.0.0-beta.1': {} },
  },
  'pz-a-peer-t2': { versions: { '1.0.0': { peerDependencies: { 'pz-tagged': '^2.0.0' } } } },
  'pz-zz-peer-t2': { versions: { '1.0.0': { peerDependencies: { 'pz-tagged': '^2.0.0' } } } },
  'pz-dep': {
    'dist-tags': { latest: '1.1.0' },
    versions: {
      '1.0.0': { peerDependencies: { 'pz-c': '^1.0.0' } },
      '1.1.0': { deprecated: 'do not use', peerDependencies: { 'pz-c': '^2.0.0' } },
    },
  },
  'pz-eng': {
    'dist-tags': { latest: '2.0.0' },
    versions: {
      '1.0.0': { peerDependencies: { 'pz-c': '^1.0.0' } },
      '2.0.0': { engines: { node: '>=99' }, peerDependencies: { 'pz-c': '^2.0.0' } },
    },
  },
  '@pz/core': { versions: { '1.0.0': {}, '2.0.0': {} } },
  '@pz/peer-x': {
    versions: {
      '1.0.0': { peerDependencies: { '@pz/core': '^1.0.0' } },
      '2.0.0': { peerDependencies: { '@pz/core': '^1.0.0 || ^2.0.0' } },
    },
  },
  'pz-host': { versions: { '1.0.0': { dependencies: { 'pz-plugin': '^1.0.0' } } } },
  'pz-plugin': { versions: { '1.0.0': { peerDependencies: { 'pz-c': '^1.0.0' } } } },
  'pz-x': { versions: { '1.0.0': { peerDependencies: { 'pz-c': '^1.0.0' } } } },
  'pz-y': { versions: { '1.0.0': { peerDependencies: { 'pz-c': '^2.0.0' } } } },
  'pz-z': { versions: { '1.0.0': { peerDependencies: { 'pz-c': '^1.0.0' } } } },
  // a dependant whose own dependency (or own peer) disagrees with its child's peer
  'pz-wrap2': { versions: { '1.0.0': { dependencies: { 'pz-x': '^1.0.0', 'pz-c': '^2.0.0' } } } },
  'pz-wrap3': { versions: { '1.0.0': { peerDependencies: { 'pz-c': '^2.0.0' }, dependencies: { 'pz-x': '^1.0.0' } } } },
  'pz-host-opt': { versions: { '1.0.0': { dependencies: { 'pz-opt': '^1.0.0' } } } },
  'pz-pin': { versions: { '1.0.0': { peerDependencies: { 'pz-c': '1.0.0' } } } },
  'pz-peer-tag': { versions: { '1.0.0': { peerDependencies: { 'pz-tagged': 'next' } } } },
  'pz-cycle-a': { versions: { '1.0.0': { peerDependencies: { 'pz-cycle-b': '^1.0.0' } } } },
  'pz-cycle-b': { versions: { '1.0.0': { peerDependencies: { 'pz-cycle-a': '^1.0.0', 'pz-c': '1.0.0' } } } },
};

/** A fake-registry document as the peer check reads it: versions as a Map, dist-tags with a latest. */
export function toPackument(name, doc) {
  const versions = new Map(Object.entries(doc.versions ?? {}).map(([v, m]) => [v, { ...m, version: v }]));
  const distTags = { ...(doc['dist-tags'] ?? {}) };
  if (distTags.latest === undefined && versions.size > 0) distTags.latest = [...versions.keys()].at(-1);
  return { name, distTags, versions };
}

/** getPackument over the recorded fixtures plus SYNTHETIC, counting calls; unknown names reject like a 404. */
export function memoryRegistry(extra = SYNTHETIC) {
  const calls = [];
  const getPackument = async (name) => {
    calls.push(name);
    if (extra[name]) return toPackument(name, extra[name]);
    let doc;
    try {
      doc = loadFixture(name);
    } catch {
      throw new Error(`No package named "${name}" was found on the registry.`);
    }
    return toPackument(name, doc);
  };
  return { getPackument, calls };
}
