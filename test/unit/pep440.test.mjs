// PEP 440 versions and specifier sets: tables of real and tricky input. Every expected value
// here was checked against Python packaging 26.2 (the differential test repeats that at scale).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HOSTILE_VERSIONS } from '../support/hostileInput.mjs';
import {
  parseVersion, formatVersion, compareVersions, isPrerelease, isPostrelease, publicVersion,
  parseSpecifierSet, specifierContains, SpecifierSet,
} from '../../dist/core/python/versions/pep440.js';

// [as written, normalised]
const NORMALISED = [
  ["1.0", "1.0"],
  ["v1.0", "1.0"],
  ["V1.0", "1.0"],
  [" 1.0\n", "1.0"],
  ["\u00a01.0\u3000", "1.0"],
  ["\u001c1.0", "1.0"],
  ["1.0-1", "1.0.post1"],
  ["1.0-post1", "1.0.post1"],
  ["1.0.r2", "1.0.post2"],
  ["1.0rev", "1.0.post0"],
  ["1.0.POST", "1.0.post0"],
  ["1.0a", "1.0a0"],
  ["1.0-alpha.1", "1.0a1"],
  ["1.0.b2", "1.0b2"],
  ["1.0BETA", "1.0b0"],
  ["1.0c1", "1.0rc1"],
  ["1.0pre1", "1.0rc1"],
  ["1.0preview", "1.0rc0"],
  ["1.0RC", "1.0rc0"],
  ["1.0.dev", "1.0.dev0"],
  ["1.0-dev-1", "1.0.dev1"],
  ["1.0_dev_1", "1.0.dev1"],
  ["1!1.0", "1!1.0"],
  ["0!1.0", "1.0"],
  ["00!01.002", "1.2"],
  ["1.0+ubuntu.1", "1.0+ubuntu.1"],
  ["1.0+UBUNTU-01", "1.0+ubuntu.1"],
  ["1.0+abc_def-1.2", "1.0+abc.def.1.2"],
  ["1.0a1.post2.dev3", "1.0a1.post2.dev3"],
  ["1.0a-1", "1.0a1"],
  ["1.0rc-", "1.0rc0"],
  ["2019.10.1", "2019.10.1"],
  ["1.9007199254740993", "1.9007199254740993"],
  ["1.123456789012345678901234567890", "1.123456789012345678901234567890"],
  ["0.24.0.post1", "0.24.0.post1"],
  ["2.0.0b1", "2.0.0b1"],
  ["1.0-r", "1.0.post0"],
];

const INVALID_VERSIONS = [
  "",
  "  ",
  "1..0",
  ".1",
  "1.",
  "1.0+",
  "1.0+.a",
  "+1",
  "1!",
  "!1",
  "1!2!3",
  "1.0.*",
  "1.*",
  "v",
  "vv1",
  "1.0a1a2",
  "1.0-1-1",
  "\ufeff1.0",
  "1.0\u200b",
  "\u0661.\u0660",
  "1.0po\u017ft1",
  "1.0+\u212a",
  "1.0prev\u0131ew",
  "1.0 a1",
  "1,0",
  "latest",
  "1.0-",
  "1.0.post1-1",
];

// Strictly increasing in PEP 440 order.
const ORDER = ["0.dev0", "0", "1.0.dev0", "1.0a0.dev0", "1.0a0", "1.0a1.dev0", "1.0a1", "1.0a1+local", "1.0a1.post0.dev0", "1.0a1.post0", "1.0a2", "1.0b1", "1.0rc1", "1.0", "1.0+abc", "1.0+abc.1", "1.0+1", "1.0+1.abc", "1.0+2", "1.0+10", "1.0.post0.dev0", "1.0.post0", "1.0.post1", "1.0.1", "1.9007199254740992", "1.9007199254740993", "2", "1!0.1"];

const EQUAL = [
  ["1.0", "1"],
  ["1.0.0", "1"],
  ["1.0+ABC", "1.0+abc"],
  ["1.0+a-1", "1.0+a.1"],
  ["1.0+01", "1.0+1"],
  ["v1.0-1", "1.0.post1"],
  ["1.0c1", "1.0rc1"],
  ["0!1", "1"],
];

// [specifier set, version, contains(), contains(prereleases=false)]
const CONTAINS = [
  [">=1.0", "1.0", true, true],
  [">=1.0", "0.9", false, false],
  [">=1.0", "2.0a1", true, false],
  [">=1.0", "1.0+local", true, true],
  ["<=1.0", "1.0+local", true, true],
  ["<=1.0", "1.0.post1", false, false],
  ["<1.0", "1.0a1", false, false],
  ["<1.0", "0.9", true, true],
  ["<1.0", "0.9a1", true, false],
  ["<1.0", "1.0.dev0", false, false],
  ["<1.0a2", "1.0a1", true, false],
  ["<1.0a2", "1.0.dev0", true, false],
  ["<1.0.post1", "1.0", true, true],
  ["<1.0.post1", "1.0.post1.dev0", false, false],
  [">1.0", "1.0.post1", false, false],
  [">1.0", "1.0+local", false, false],
  [">1.0", "1.0.1", true, true],
  [">1.0", "1.1a1", true, false],
  [">1.0.post1", "1.0.post2", true, true],
  [">1.0.post1", "1.0.post1+x", false, false],
  [">1.0a1", "1.0a1.post1", false, false],
  [">1.0a1", "1.0", true, true],
  [">1.0.dev1", "1.0.post1", true, true],
  ["==1.0", "1.0.0", true, true],
  ["==1.0", "1.0+local", true, true],
  ["==1.0+abc", "1.0+ABC", true, true],
  ["==1.0+abc", "1.0+local", false, false],
  ["==1.0+abc", "1.0", false, false],
  ["!=1.0", "1.0+local", false, false],
  ["!=1.0+abc", "1.0+def", true, true],
  ["==1.*", "1.0", true, true],
  ["==1.*", "1", true, true],
  ["==1.*", "1.9.post1", true, true],
  ["==1.*", "1.0a1", true, false],
  ["==1.*", "2.0", false, false],
  ["==1.0.*", "1", true, true],
  ["==1.0.*", "1.0.5+x", true, true],
  ["==1.0.*", "1.1", false, false],
  ["==1!1.*", "1.0", false, false],
  ["!=1.*", "1.5", false, false],
  ["!=1.*", "2.0", true, true],
  ["~=1.4.5", "1.4.9", true, true],
  ["~=1.4.5", "1.5.0", false, false],
  ["~=1.4", "1.9", true, true],
  ["~=1.4", "2.0", false, false],
  ["~=1.4", "1.4.post1", true, true],
  ["~=2.2.post3", "2.3", true, true],
  ["~=2.2.post3", "2.2.post2", false, false],
  ["~=1.0rc1", "1.1", true, true],
  ["~=1.0c1", "1.1", false, false],
  ["~=v1.0", "1.5", false, false],
  ["~=1.0.DEV1", "1.1", false, false],
  ["~=1.0.dev1", "1.1", true, true],
  ["===1.0", "1.0", true, true],
  ["===1.0", "1.0.0", false, false],
  ["===foobar", "FooBar", true, true],
  ["===1.0a1", "1.0A1", true, false],
  ["===1.0", " 1.0", false, false],
  ["", "1.0a1", true, false],
  ["", "anything", true, true],
  [">=1", "anything", false, false],
  [">=1.0,<2.0", "1.5", true, true],
  [">=1.0,<2.0", "2.0", false, false],
  [">=1.0,!=1.5.*,<2", "1.5.1", false, false],
  [">=1.0a1", "1.0a2", true, false],
];

// [specifier set, str()]
const SET_STRINGS = [
  ["", ""],
  [" , ", ""],
  [">=1.0 , <2", "<2,>=1.0"],
  ["== v1.0", "==v1.0"],
  [">=1.0,==1.0.0,==1,===foo,!=2.*,~=1.0.0,~=1.0", "!=2.*,==1,===foo,>=1.0,~=1.0,~=1.0.0"],
  ["<2,>=1,<2.0", "<2,>=1"],
];

// [specifier set, prereleases (null = undecided)]
const SET_PRERELEASES = [
  ["", null],
  [">=1.0", null],
  [">=1.0a1", true],
  ["!=1.0a1", null],
  ["==1.0.*", null],
  ["===1.0a1", true],
  ["===foo", null],
  [">=1,<2.0.dev0", true],
];

// [specifier set, items, filter()]
const FILTERS = [
  [">=1.2.3", ["1.2", "1.3", "1.5a1"], ["1.3"]],
  [">=1.2.3", ["1.2", "1.5a1"], ["1.5a1"]],
  ["", ["1.3", "1.5a1", "x"], ["1.3", "x"]],
  ["", ["1.5a1", "2.0b1"], ["1.5a1", "2.0b1"]],
  [">=1.0a1", ["1.3", "1.5a1"], ["1.3", "1.5a1"]],
];

const INVALID_SPECS = [
  "1.0",
  "=>1.0",
  "=<1.0",
  "=1.0",
  "~1.0",
  "^1.0",
  "!1.0",
  ">=",
  "~=1",
  "~=1!1",
  ">=1.0+local",
  "<1.0+local",
  "~=1.0+local",
  "~=1.0.*",
  ">=1.*",
  "==1.0a1.*",
  "==1.0+abc.*",
  "==1.*.0",
  "==1.0 .*",
  "=== 1.0 a",
  "===1.0;",
  "(>=1.0)",
  ">=1.0;",
  "> =1.0",
  "<>1.0",
  "==1.0,foo",
  ">=1.0garbage",
  "~=1.0po\u017ft1",
  "==\u0661.0",
];

const v = (text) => {
  const parsed = parseVersion(text);
  assert.ok(parsed, `${JSON.stringify(text)} should parse`);
  return parsed;
};
const set = (text) => {
  const r = parseSpecifierSet(text);
  assert.ok(r.ok, `${JSON.stringify(text)} should parse: ${r.message}`);
  return r.set;
};

test('versions normalise like packaging', () => {
  for (const [text, want] of NORMALISED) assert.equal(formatVersion(v(text)), want, JSON.stringify(text));
});

test('invalid versions are rejected, never thrown on', () => {
  for (const text of INVALID_VERSIONS) assert.equal(parseVersion(text), null, JSON.stringify(text));
  for (const odd of [undefined, null, 42, {}, '1.' + '1'.repeat(4301), '1.0+' + '0'.repeat(4301)]) {
    assert.equal(parseVersion(odd), null);
  }
  assert.ok(parseVersion('1.' + '1'.repeat(4300)), 'packaging accepts up to 4300 digits');
});

test('parsed fields', () => {
  assert.deepEqual(v(' 1!2.0RC1.post2.dev3+Ubuntu-01 '), {
    epoch: 1, release: [2, 0], pre: ['rc', 1], post: 2, dev: 3, local: ['ubuntu', 1],
    text: ' 1!2.0RC1.post2.dev3+Ubuntu-01 ',
  });
  assert.deepEqual(v('1.0-1'), { epoch: 0, release: [1, 0], pre: null, post: 1, dev: null, local: null, text: '1.0-1' });
});

test('ordering is a total order matching packaging', () => {
  const versions = ORDER.map(v);
  for (let i = 1; i < versions.length; i++) {
    assert.ok(compareVersions(versions[i - 1], versions[i]) < 0, `${ORDER[i - 1]} < ${ORDER[i]}`);
    assert.ok(compareVersions(versions[i], versions[i - 1]) > 0, `${ORDER[i]} > ${ORDER[i - 1]}`);
  }
  const shuffled = [...versions].reverse().sort(compareVersions);
  assert.deepEqual(shuffled.map(formatVersion), versions.map(formatVersion));
  for (const [a, b] of EQUAL) assert.equal(compareVersions(v(a), v(b)), 0, `${a} == ${b}`);
});

test('numbers past 2^53 stay exact', () => {
  assert.ok(compareVersions(v('1.9007199254740993'), v('1.9007199254740992')) > 0);
  assert.equal(formatVersion(v('1.0+123456789012345678901234567890')), '1.0+123456789012345678901234567890');
  assert.equal(formatVersion(publicVersion(v('1.99999999999999999999+x'))), '1.99999999999999999999');
});

test('hand-built Version objects work too', () => {
  const built = { epoch: 0, release: [1, 0], pre: ['a', 1], post: null, dev: null, local: ['Ubuntu', 1], text: '' };
  assert.equal(formatVersion(built), '1.0a1+ubuntu.1');
  assert.equal(compareVersions(built, v('1.0a1+ubuntu.1')), 0);
  assert.ok(set('>=1.0a1').contains(built));
});

test('predicates and publicVersion', () => {
  assert.equal(isPrerelease(v('1.0a1')), true);
  assert.equal(isPrerelease(v('1.0.dev0')), true);
  assert.equal(isPrerelease(v('1.0.post1')), false);
  assert.equal(isPostrelease(v('1.0-1')), true);
  const plain = v('1.0');
  assert.equal(publicVersion(plain), plain);
  assert.equal(formatVersion(publicVersion(v('1!1.0rc1.post1+abc.1'))), '1!1.0rc1.post1');
  assert.equal(publicVersion(v('1.0+x')).local, null);
});

test('contains agrees with packaging, with and without pre-releases', () => {
  for (const [spec, version, byDefault, noPre] of CONTAINS) {
    const s = set(spec);
    assert.equal(s.contains(version), byDefault, `${spec} contains ${version}`);
    assert.equal(s.contains(version, { prereleases: false }), noPre, `${spec} contains ${version} (prereleases=false)`);
    assert.equal(s.contains(version, { prereleases: true }), byDefault, `${spec} contains ${version} (prereleases=true)`);
  }
});

test('=== compares text: raw for strings, normalised for Version objects', () => {
  assert.equal(set('===1.0').contains('1.0.0'), false);
  assert.equal(set('===1.0').contains(v('1.0.0')), false);
  assert.equal(set('===1.0').contains(v('v1.0')), true);
  assert.equal(set('===v1.0').contains('V1.0'), true);
  assert.equal(set('===v1.0').contains(v('v1.0')), false);
});

test('installed pre-releases are accepted even when pre-releases are refused', () => {
  assert.equal(set('>=1.0').contains('2.0a1', { prereleases: false, installed: true }), true);
  assert.equal(set('>=1.0').contains('0.5a1', { installed: true }), false);
});

test('specifierContains judges one clause', () => {
  const [clause] = set('>=1.0').specifiers;
  assert.equal(specifierContains(clause, v('1.5')), true);
  assert.equal(specifierContains(clause, v('1.5a1')), true);
  assert.equal(specifierContains(clause, v('1.5a1'), false), false);
  assert.equal(specifierContains(clause, '0.9'), false);
  assert.equal(specifierContains(set('===weird').specifiers[0], 'WEIRD'), true);
  assert.equal(specifierContains({ operator: '~=', version: '1.0', offset: 0, length: 0 }, v('1.4')), true);
  assert.equal(specifierContains({ operator: '~=', version: '1', offset: 0, length: 0 }, v('1.4')), false);
});

test('str() of a set sorts and drops duplicate clauses', () => {
  for (const [spec, want] of SET_STRINGS) assert.equal(set(spec).toString(), want, JSON.stringify(spec));
});

test('prereleases getter', () => {
  for (const [spec, want] of SET_PRERELEASES) assert.equal(set(spec).prereleases ?? null, want, spec);
  assert.equal(new SpecifierSet(set('>=1.0').specifiers, false).contains('2.0a1'), false);
  assert.equal(new SpecifierSet([], false).contains('2.0a1'), false);
  assert.equal(new SpecifierSet([], true).prereleases, true);
});

test('filter keeps pre-releases only when nothing final matched', () => {
  for (const [spec, items, want] of FILTERS) assert.deepEqual(set(spec).filter(items), want, spec);
  assert.deepEqual(set('>=1.2.3').filter(['1.3', '1.5a1'], { prereleases: true }), ['1.3', '1.5a1']);
  const records = [{ ver: '1.2' }, { ver: '1.3' }, { ver: '1.4a1' }];
  assert.deepEqual(set('>=1.2.3').filter(records, { key: (r) => r.ver }), [{ ver: '1.3' }]);
});

test('clauses keep their positions in the text', () => {
  const s = set('  >= 1.0 ,<2 , ');
  assert.deepEqual(s.specifiers.map(({ operator, version, offset, length }) => [operator, version, offset, length]),
    [['>=', '1.0', 2, 6], ['<', '2', 10, 2]]);
});

test('invalid specifiers are rejected with a position', () => {
  for (const text of INVALID_SPECS) {
    const r = parseSpecifierSet(text);
    assert.equal(r.ok, false, JSON.stringify(text));
    assert.ok(r.offset >= 0 && r.offset + r.length <= text.length, `range inside ${JSON.stringify(text)}`);
    assert.match(r.message, /^['A-Z].*\.$/, 'a sentence');
  }
  for (const odd of [undefined, null, 7]) assert.equal(parseSpecifierSet(odd).ok, false);
});

test('messages say what to do', () => {
  const cases = [
    ['~=1', "'~=1' needs at least two release segments, as in '~=1.0'.", 2, 1],
    ['>=1.0, ~=1.0.*', "'~=1.0.*' cannot use a wildcard: '~=1.2' already means '>=1.2, ==1.*'.", 9, 5],
    ['>=1.0+local', "'>=1.0+local' cannot have a local version label ('+local'): only '==' and '!=' accept one.", 2, 9],
    ['=>1.0', "'=>1.0' uses '=>'; the operator is '>='.", 0, 5],
    ['1.0', "'1.0' needs an operator in front, such as '==' or '>='.", 0, 3],
    ['>=', "'>=' needs a version after it, as in '>=1.0'.", 0, 2],
    ['==1.0a1.*', "'==1.0a1.*' is not valid: a wildcard can only follow a release number, as in '==1.2.*'.", 2, 7],
    ['>=1.0garbage', "'1.0garbage' is not a valid PEP 440 version, so '>=1.0garbage' cannot be used.", 2, 10],
  ];
  for (const [text, message, offset, length] of cases) {
    assert.deepEqual(parseSpecifierSet(text), { ok: false, message, offset, length }, text);
  }
});

test('long hostile input is refused, not accepted (bench/parse.mjs times it)', () => {
  for (const text of HOSTILE_VERSIONS) {
    assert.equal(parseVersion(text), null);
    assert.equal(parseSpecifierSet('>=' + text).ok, false);
  }
});
