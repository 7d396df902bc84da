// Packages whose `latest` npm-pick-manifest skips (deprecated, engines past any real Node) or keeps,
// for the npm pick tests: the CLI's registry checks and the real npm CLI must choose alike.
export const PICK_PACKAGES = {
  // latest deprecated, an older release satisfies ^1.0.0: npm installs 1.0.0.
  'pk-dep': { 'dist-tags': { latest: '1.1.0' }, versions: { '1.0.0': {}, '1.1.0': { deprecated: 'use 1.0.0' } } },
  // every release deprecated: npm installs latest all the same.
  'pk-alldep': { 'dist-tags': { latest: '1.1.0' }, versions: { '1.0.0': { deprecated: 'gone' }, '1.1.0': { deprecated: 'gone too' } } },
  // latest needs Node >=99: npm installs the highest release this machine's Node suits.
  'pk-eng': { 'dist-tags': { latest: '2.0.0' }, versions: { '1.0.0': {}, '1.5.0': { engines: { node: '>=18' } }, '2.0.0': { engines: { node: '>=99' } } } },
  // latest needs Node >=99, the other release is deprecated: engines outrank deprecation, so 1.0.0.
  'pk-engdep': { 'dist-tags': { latest: '2.0.0' }, versions: { '1.0.0': { deprecated: 'old' }, '2.0.0': { engines: { node: '>=99' } } } },
  // latest below the highest: npm installs latest when it satisfies.
  'pk-tag': { 'dist-tags': { latest: '1.0.0' }, versions: { '1.0.0': {}, '2.0.0': {} } },
};

/** [label, dependency spec, the version npm installs, whether that version is deprecated] for this machine (Node >=18 <99). */
export const PICK_CASES = [
  ['a deprecated latest is skipped', { 'pk-dep': '^1.0.0' }, 'pk-dep', '1.0.0', false],
  ['a deprecated latest named exactly is taken', { 'pk-dep': '1.1.0' }, 'pk-dep', '1.1.0', true],
  ['every release deprecated: latest all the same', { 'pk-alldep': '^1.0.0' }, 'pk-alldep', '1.1.0', true],
  ['a latest whose engines exclude this Node is skipped', { 'pk-eng': '^1.0.0 || ^2.0.0' }, 'pk-eng', '1.5.0', false],
  ['engines outrank deprecation (this machine’s Node decides)', { 'pk-engdep': '^1.0.0 || ^2.0.0' }, 'pk-engdep', '1.0.0', true],
  ['latest below the highest satisfying', { 'pk-tag': '*' }, 'pk-tag', '1.0.0', false],
  ['latest outside the range', { 'pk-tag': '^2.0.0' }, 'pk-tag', '2.0.0', false],
];
