// package.json parsing: sections, specifier classification (cases drawn from npm-package-arg's own
// tests), exact UTF-16 ranges, malformed JSON, and a seeded mutation loop proving it never throws.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePackageJson, classifyNpmSpecifier } from '../../dist/core/npm/manifest/packageJson.js';
import { prng as mulberry32 } from '../support/prng.mjs';

const parse = (text) => parsePackageJson(text, '/proj/package.json');
const pos = (line, character) => ({ line, character });
const span = (line, start, end, endLine = line) => ({ start: pos(line, start), end: pos(endLine, end) });
const problemsOf = (r, code) => r.problems.filter((p) => p.code === code);

// ---- specifier classification -----------------------------------------------------------------

// [specifier, source, location?]  npm-package-arg's type in the comment where ours differs in name.
const SPECIFIERS = [
  ['1.2', 'range'],
  ['~1.2', 'range'],
  ['^1.2.3', 'range'],
  ['1.2.3', 'range'], // npa: version
  ['=v1.2.3', 'range'], // npa: version
  ['', 'range'],
  ['*', 'range'],
  ['x', 'range'],
  ['>=1.0.0 <2.0.0', 'range'],
  ['1.x || >=2.5.0 || 5.0.0 - 7.2.3', 'range'],
  ['>= 1.0.0', 'range'],
  ['~>1.2', 'range'],
  ['v1', 'range'],
  ['1.0.0-rc.1', 'range'],
  ['  ^1.0.0  ', 'range'],
  ['latest', 'tag'],
  ['next', 'tag'],
  ['beta', 'tag'],
  ['baz', 'tag'],
  ['latest-1', 'tag'],
  ['npm:bar', 'alias', 'bar'],
  ['npm:bar@^1.0.0', 'alias', 'bar'],
  ['npm:@scope/bar@2', 'alias', '@scope/bar'],
  ['jsr:@std/path@^1', 'alias', '@jsr/std__path'],
  ['git+ssh://git@notgithub.com/user/foo#1.2.3', 'git', 'git+ssh://git@notgithub.com/user/foo'],
  ['git+ssh://git@notgithub.com/user/foo', 'git', 'git+ssh://git@notgithub.com/user/foo'],
  ['git+ssh://git@notgithub.com:user/foo', 'git', 'git+ssh://git@notgithub.com:user/foo'],
  ['git+ssh://mydomain.com:foo', 'git', 'git+ssh://mydomain.com:foo'],
  ['git+ssh://mydomain.com:foo/bar#1.2.3', 'git', 'git+ssh://mydomain.com:foo/bar'],
  ['git+ssh://mydomain.com:1234#1.2.3', 'git', 'git+ssh://mydomain.com:1234'],
  ['git+ssh://mydomain.com:1234/hey#1.2.3', 'git', 'git+ssh://mydomain.com:1234/hey'],
  ['git+ssh://username:password@mydomain.com:1234/hey#1.2.3', 'git', 'git+ssh://username:password@mydomain.com:1234/hey'],
  ['git+ssh://git@github.com/user/foo#1.2.3', 'git', 'git+ssh://git@github.com/user/foo'],
  ['git+ssh://git@notgithub.com/user/foo#semver:^1.2.3', 'git', 'git+ssh://git@notgithub.com/user/foo'],
  ['git+ssh://git@github.com:user/foo#semver:^1.2.3', 'git', 'git+ssh://git@github.com:user/foo'],
  ['git+file://path/to/repo#1.2.3', 'git', 'git+file://path/to/repo'],
  ['git://notgithub.com/user/foo', 'git', 'git://notgithub.com/user/foo'],
  ['git://github.com/user/foo', 'git', 'git://github.com/user/foo'],
  ['git+https://github.com/user/foo.git#v1', 'git', 'git+https://github.com/user/foo.git'],
  ['git+http://foo.com/bar', 'git', 'git+http://foo.com/bar'],
  ['git@github.com:user/foo.git', 'git', 'git@github.com:user/foo.git'],
  ['https://github.com/user/foo.git', 'git', 'https://github.com/user/foo.git'], // hosted-git-info: a repo link
  ['https://github.com/user/foo', 'git', 'https://github.com/user/foo'],
  ['https://gitlab.com/group/project', 'git', 'https://gitlab.com/group/project'],
  ['user/foo-js', 'github', 'user/foo-js'],
  ['user/foo-js#bar/baz', 'github', 'user/foo-js'],
  ['user/foo-js#bar/baz/bin', 'github', 'user/foo-js'],
  ['user..blerg--/..foo-js# . . . . . some . tags / / /', 'github', 'user..blerg--/..foo-js'],
  ['user/foo#semver:^1.2.3', 'github', 'user/foo'],
  ['github:user/foo-js', 'github', 'github:user/foo-js'],
  ['gitlab:user/foo', 'github', 'gitlab:user/foo'],
  ['gitlab:group/subgroup/project', 'github', 'gitlab:group/subgroup/project'],
  ['bitbucket:user/foo#v2', 'github', 'bitbucket:user/foo'],
  ['gist:11081aaa281', 'github', 'gist:11081aaa281'],
  ['/path/to/foo', 'file', '/path/to/foo'], // npa: directory
  ['/path/to/foo.tar', 'file', '/path/to/foo.tar'],
  ['/path/to/foo.tgz', 'file', '/path/to/foo.tgz'],
  ['file:path/to/foo', 'file', 'path/to/foo'],
  ['file:path/to/foo.tar.gz', 'file', 'path/to/foo.tar.gz'],
  ['file:~/path/to/foo', 'file', '~/path/to/foo'],
  ['file:../path/to/foo', 'file', '../path/to/foo'],
  ['file:///path/to/foo', 'file', '///path/to/foo'],
  ['./foo', 'file', './foo'],
  ['../foo/bar', 'file', '../foo/bar'],
  ['~/foo', 'file', '~/foo'],
  ['path/to/thing/package@1.2.3', 'file', 'path/to/thing/package@1.2.3'],
  ['foo.tgz', 'file', 'foo.tgz'],
  ['link:../shared', 'link', '../shared'],
  ['portal:../shared', 'link', '../shared'],
  ['workspace:*', 'workspace'],
  ['workspace:^', 'workspace'],
  ['workspace:~', 'workspace'],
  ['workspace:^1.2.0', 'workspace'],
  ['workspace:../packages/core', 'workspace', '../packages/core'],
  ['workspace:core@*', 'workspace', 'core'],
  ['http://insecure.com/foo.tgz', 'remote', 'http://insecure.com/foo.tgz'],
  ['https://server.com/foo.tgz', 'remote', 'https://server.com/foo.tgz'],
  ['https://github.com/user/foo/archive/main.tar.gz', 'remote', 'https://github.com/user/foo/archive/main.tar.gz'],
  ['https://bitbucket.org/user/foo/get/master.tar.gz', 'remote', 'https://bitbucket.org/user/foo/get/master.tar.gz'],
  ['patch:lodash@npm%3A4.17.21#./patches/lodash.patch', 'alias', 'lodash'],
];

test('classifies at least 40 real-world specifiers like npm-package-arg', () => {
  assert.ok(SPECIFIERS.length >= 40);
  for (const [spec, source, location] of SPECIFIERS) {
    const got = classifyNpmSpecifier('pkg', spec);
    assert.equal(got.source, source, `source of ${JSON.stringify(spec)}`);
    assert.equal(got.problem, undefined, `no problem for ${JSON.stringify(spec)}: ${got.problem}`);
    assert.equal(got.location, location, `location of ${JSON.stringify(spec)}`);
  }
});

test('aliases carry the target name and range', () => {
  assert.deepEqual(classifyNpmSpecifier('foo', 'npm:bar@^1.0.0'), {
    source: 'alias',
    location: 'bar',
    aliasName: 'bar',
    aliasSpecifier: '^1.0.0',
  });
  assert.equal(classifyNpmSpecifier('foo', 'npm:bar').aliasSpecifier, '');
  assert.equal(classifyNpmSpecifier('foo', 'npm:@scope/bar@~2.1').aliasName, '@scope/bar');
  assert.equal(classifyNpmSpecifier('foo', 'jsr:@std/path@^1').aliasSpecifier, '^1');
  assert.equal(classifyNpmSpecifier('lodash', 'patch:lodash@npm%3A4.17.21#./p.patch').aliasSpecifier, '4.17.21');
});

// [specifier, expected source, a fragment the message must contain]
const MALFORMED = [
  ['>=1.0.0 <<2', 'range', 'not a valid version range'],
  ['^1.2.3.4', 'range', 'not a valid version range'],
  ['1.2.3.4', 'range', 'not a valid version range'],
  ['>>1', 'range', 'not a valid version range'],
  ['^', 'range', 'not a valid version range'],
  ['a b', 'tag', 'neither a version range nor a valid dist-tag'],
  ['foo|bar', 'tag', 'neither a version range nor a valid dist-tag'],
  ['npm:', 'alias', 'needs a package name'],
  ['npm:@scope', 'alias', 'scoped name needs a slash'],
  ['npm:.hidden@1', 'alias', 'cannot start with a period'],
  ['npm:foo/bar', 'alias', 'only work for registry'],
  ['npm:bar@npm:baz', 'alias', 'cannot be nested'],
  ['npm:bar@>>1', 'alias', 'write a semver range'],
  ['npm:bar@github:u/r', 'alias', 'only work for registry'],
  ['jsr:foo', 'alias', 'JSR packages are scoped'],
  ['workspace:>>1', 'workspace', 'not a valid workspace range'],
  ['workspace:', 'workspace', 'not a valid workspace range'],
  ['link:', 'link', 'needs a path'],
  ['file:', 'file', 'needs a path'],
  ['github:', 'github', 'does not name a repository'],
  ['github:foo', 'github', 'does not name a repository'],
  ['git+ssh://git@github.com/u/r#semver:>>1', 'git', 'after #semver: is not a semver range'],
  ['git+https://github.com/u/r.git#v1::v2', 'git', 'either one commit-ish'],
  ['git+https://github.com/u/r.git#v1::semver:^1', 'git', 'either one commit-ish'],
  ['u/r#semver:%E0%A4%A', 'github', 'after #semver: is not a semver range'],
  ['git+https://', 'git', 'not a valid git URL'],
  ['https://exa mple.com/x.tgz', 'remote', 'not a valid URL'],
  ['gopher://example.com/x', 'remote', 'does not support "gopher:"'],
  ['ftp://example.com/x.tgz', 'remote', 'does not support "ftp:"'],
  ['patch:%E0%A4%A', 'alias', 'malformed %-escape'],
];

test('malformed specifiers get an actionable problem and a best-guess source', () => {
  for (const [spec, source, fragment] of MALFORMED) {
    const got = classifyNpmSpecifier('pkg', spec);
    assert.equal(got.source, source, `source of ${JSON.stringify(spec)}`);
    assert.ok(got.problem?.includes(fragment), `${JSON.stringify(spec)}: ${got.problem}`);
    assert.match(got.problem, /[.]$/, 'a problem is a sentence');
  }
});

// ---- sections -----------------------------------------------------------------------------------

const ALL_SECTIONS = `{
  "name": "demo",
  "version": "1.0.0",
  "packageManager": "pnpm@9.1.0",
  "workspaces": ["packages/*"],
  "engines": { "node": ">=18.17", "npm": ">=9" },
  "dependencies": { "react": "^18.2.0", "foo": "npm:bar@^1" },
  "devDependencies": { "typescript": "~5.4.0" },
  "peerDependencies": { "vue": "^3.4.0", "svelte": "^4" },
  "peerDependenciesMeta": { "vue": { "optional": true }, "svelte": { "optional": false } },
  "optionalDependencies": { "fsevents": "^2.3.3" },
  "bundleDependencies": ["react"],
  "overrides": { "foo": { ".": "2.0.0", "bar": "1.0.0" }, "baz@1.x": "1.5.0", "react": "$react" },
  "resolutions": { "**/qux": "1.2.3", "a/b": "^2.0.0", "@s/a/@s/b@1": "3.0.0" },
  "pnpm": { "overrides": { "foo@1>bar": "1.0.0", "lodash": "^4.17.21", "left-pad": "-", "@s/p@2>@s/q@^1": "1.1.0" } }
}`;

test('reads every section with its flags', () => {
  const r = parse(ALL_SECTIONS);
  assert.equal(r.kind, 'package.json');
  assert.equal(r.path, '/proj/package.json');
  assert.deepEqual(r.problems, []);
  const rows = r.dependencies.map((d) => [d.section, d.name, d.specifier, d.source, d.optional, d.override]);
  assert.deepEqual(rows, [
    ['dependencies', 'react', '^18.2.0', 'range', false, false],
    ['dependencies', 'foo', 'npm:bar@^1', 'alias', false, false],
    ['devDependencies', 'typescript', '~5.4.0', 'range', false, false],
    ['peerDependencies', 'vue', '^3.4.0', 'range', true, false],
    ['peerDependencies', 'svelte', '^4', 'range', false, false],
    ['optionalDependencies', 'fsevents', '^2.3.3', 'range', true, false],
    ['overrides', 'foo', '2.0.0', 'range', false, true],
    ['overrides.foo', 'bar', '1.0.0', 'range', false, true],
    ['overrides', 'baz', '1.5.0', 'range', false, true],
    ['overrides', 'react', '$react', 'range', false, true],
    ['resolutions', 'qux', '1.2.3', 'range', false, true],
    ['resolutions', 'b', '^2.0.0', 'range', false, true],
    ['resolutions', '@s/b', '3.0.0', 'range', false, true],
    ['pnpm.overrides', 'bar', '1.0.0', 'range', false, true],
    ['pnpm.overrides', 'lodash', '^4.17.21', 'range', false, true],
    ['pnpm.overrides', '@s/q', '1.1.0', 'range', false, true],
  ]);
  const foo = r.dependencies[1];
  assert.equal(foo.location, 'bar');
  assert.equal(foo.aliasSpecifier, '^1');
  for (const d of r.dependencies) {
    assert.equal(d.ecosystem, 'npm');
    assert.equal(d.normalizedName, d.name);
    assert.deepEqual(d.extras, []);
    assert.deepEqual(d.hashes, []);
    assert.equal(d.marker, null);
    assert.equal(d.constraint, false);
    assert.equal(d.editable, false);
    assert.equal(d.comment, undefined);
  }
  assert.equal(r.requiresPython, undefined);
  assert.deepEqual(r.options, []);
  assert.deepEqual(r.includes, []);
});

test('meta holds engines, packageManager, workspaces, bundles and override references', () => {
  const r = parse(ALL_SECTIONS);
  assert.equal(r.meta.name, 'demo');
  assert.equal(r.meta.version, '1.0.0');
  assert.equal(r.meta.packageManager, 'pnpm@9.1.0');
  assert.deepEqual(r.meta.workspaces, ['packages/*']);
  assert.deepEqual(r.meta.engines, { node: '>=18.17', npm: '>=9' });
  assert.equal(r.meta.enginesNode, '>=18.17');
  assert.deepEqual(r.meta.bundleDependencies, ['react']);
  assert.deepEqual(r.meta.overrideReferences, { $react: '^18.2.0' });
  assert.deepEqual(r.meta.pnpmRemovedDependencies, ['left-pad']);
  assert.deepEqual(r.meta.ranges['engines.node'], span(5, 23, 32)); // the value node, quotes included
  assert.deepEqual(r.meta.ranges.packageManager, span(3, 20, 32));
});

test('bundledDependencies: true, and bundled names missing from dependencies', () => {
  assert.equal(parse('{"bundledDependencies": true}').meta.bundleDependencies, true);
  const r = parse('{"dependencies": {"a": "1"}, "bundleDependencies": ["a", "ghost", 3]}');
  assert.deepEqual(r.meta.bundleDependencies, ['a', 'ghost']);
  const [ghost, three] = r.problems;
  assert.equal(ghost.code, 'invalid-manifest');
  assert.equal(ghost.severity, 'warning');
  assert.deepEqual(ghost.range, span(0, 58, 63));
  assert.equal(three.severity, 'error');
  assert.deepEqual(three.range, span(0, 66, 67));
  assert.equal(parse('{"bundleDependencies": "a"}').problems[0].code, 'invalid-manifest');
});

test('npm overrides: nesting, "." placement, selectors and $references', () => {
  const r = parse(
    JSON.stringify({
      devDependencies: { react: '^18.0.0' },
      dependencies: { react: '18.2.0' },
      overrides: { a: { b: { c: '1.0.0' } }, react: '$react', x: '$missing', '.': '1.0.0', 'y@>>1': '2.0.0', z: 7 },
    }),
  );
  const sections = r.dependencies.filter((d) => d.override).map((d) => [d.section, d.name, d.specifier]);
  assert.deepEqual(sections, [
    ['overrides.a.b', 'c', '1.0.0'],
    ['overrides', 'react', '$react'],
    ['overrides', 'x', '$missing'],
    ['overrides', 'y', '2.0.0'],
  ]);
  // devDependencies wins over dependencies when npm resolves a reference.
  assert.deepEqual(r.meta.overrideReferences, { $react: '^18.0.0' });
  const messages = r.problems.map((p) => `${p.code}:${p.severity}:${p.message}`);
  assert.ok(messages.some((m) => m.startsWith('invalid-npm-specifier:error:The override for x refers to $missing')));
  assert.ok(messages.some((m) => m.startsWith('invalid-manifest:error:"." is only meaningful inside a nested override')));
  assert.ok(messages.some((m) => m.startsWith('invalid-npm-specifier:error:In the override key "y@>>1"')));
  assert.ok(messages.some((m) => m.startsWith('invalid-npm-specifier:error:The version of z must be a string')));
});

test('yarn resolutions do not resolve $references', () => {
  const r = parse('{"dependencies": {"a": "1"}, "resolutions": {"a": "$a"}}');
  assert.equal(r.dependencies[1].source, 'tag');
  assert.match(problemsOf(r, 'invalid-npm-specifier')[0].message, /neither a version range nor a valid dist-tag/);
});

// ---- ranges -------------------------------------------------------------------------------------

test('ranges: property, name inside the key quotes, specifier inside the value quotes', () => {
  const text = '{\n  "name": "x",\n  "dependencies": {\n    "react": "^18.2.0"\n  }\n}\n';
  const [d] = parse(text).dependencies;
  assert.deepEqual(d.range, span(3, 4, 22));
  assert.deepEqual(d.nameRange, span(3, 5, 10));
  assert.deepEqual(d.specifierRange, span(3, 14, 21));
  assert.equal(d.raw, '"react": "^18.2.0"');
});

test('ranges on a CRLF file, including a value on the next line', () => {
  const text = '{\r\n  "dependencies": {\r\n    "left-pad": "1.3.0",\r\n    "a":\r\n      "^1"\r\n  }\r\n}\r\n';
  const [lp, a] = parse(text).dependencies;
  assert.deepEqual(lp.range, span(2, 4, 23));
  assert.deepEqual(lp.nameRange, span(2, 5, 13));
  assert.deepEqual(lp.specifierRange, span(2, 17, 22));
  assert.deepEqual(a.range, span(3, 4, 10, 4));
  assert.deepEqual(a.nameRange, span(3, 5, 6));
  assert.deepEqual(a.specifierRange, span(4, 7, 9));
  assert.equal(a.raw, '"a":\r\n      "^1"');
});

test('ranges count UTF-16 code units: surrogate pairs before the specifier', () => {
  // 😀 is two UTF-16 code units: LSP characters are UTF-16, not code points or bytes.
  const text = '{"d": "😀😀", "dependencies": {"a": "^1", "b😀": "x y"}}';
  const r = parse(text);
  const [a, b] = r.dependencies;
  assert.deepEqual(a.range, span(0, 31, 40));
  assert.deepEqual(a.nameRange, span(0, 32, 33));
  assert.deepEqual(a.specifierRange, span(0, 37, 39));
  assert.deepEqual(b.nameRange, span(0, 43, 46));
  assert.deepEqual(b.specifierRange, span(0, 50, 53));
  const [nameProblem, specProblem] = r.problems;
  assert.equal(nameProblem.code, 'invalid-name');
  assert.deepEqual(nameProblem.range, span(0, 43, 46));
  assert.equal(specProblem.code, 'invalid-npm-specifier');
  assert.deepEqual(specProblem.range, span(0, 50, 53));
});

test('a leading BOM is stripped and does not shift ranges', () => {
  const text = '{\n  "dependencies": { "a": "^1.0.0" }\n}';
  const plain = parse(text);
  const withBom = parse('\uFEFF' + text);
  assert.deepEqual(withBom, plain);
  assert.deepEqual(withBom.dependencies[0].nameRange, span(1, 21, 22));
});

test('escaped strings: the specifier is the JSON value, the range is the source text', () => {
  const [d] = parse('{"dependencies": {"a": "\\u005e1.0.0"}}').dependencies;
  assert.equal(d.specifier, '^1.0.0');
  assert.equal(d.source, 'range');
  assert.deepEqual(d.specifierRange, span(0, 24, 35));
});

// ---- problems -----------------------------------------------------------------------------------

test('an invalid specifier is reported on the exact specifier range and the dependency kept', () => {
  const text = '{\n  "dependencies": {\n    "a": ">=1.0.0 <<2",\n    "b": "workspace:>>1",\n    "c": "npm:@scope"\n  }\n}';
  const r = parse(text);
  assert.deepEqual(r.dependencies.map((d) => d.name), ['a', 'b', 'c']);
  const ranges = problemsOf(r, 'invalid-npm-specifier').map((p) => [p.package, p.severity, p.range]);
  assert.deepEqual(ranges, [
    ['a', 'error', span(2, 10, 21)],
    ['b', 'error', span(3, 10, 23)],
    ['c', 'error', span(4, 10, 20)],
  ]);
});

test('non-string values and non-object sections', () => {
  const text = '{"dependencies": {"a": 1, "b": {"c": "1"}, "d": null, "e": ["1"], "f": true}, "devDependencies": [], "optionalDependencies": "x", "peerDependenciesMeta": 3}';
  const r = parse(text);
  assert.deepEqual(r.dependencies, []);
  const rows = r.problems.map((p) => [p.code, p.severity, p.range.start.character, p.range.end.character]);
  assert.deepEqual(rows, [
    ['invalid-npm-specifier', 'error', 23, 24],
    ['invalid-npm-specifier', 'error', 31, 41],
    ['invalid-npm-specifier', 'error', 48, 52],
    ['invalid-npm-specifier', 'error', 59, 64],
    ['invalid-npm-specifier', 'error', 71, 75],
    ['invalid-manifest', 'error', 97, 99],
    ['invalid-manifest', 'error', 125, 128],
    ['invalid-manifest', 'error', 154, 155],
  ]);
  assert.match(r.problems[0].message, /The version of a must be a string such as "\^1\.0\.0", not a number\./);
  assert.match(r.problems[5].message, /"devDependencies" must be an object mapping package names to versions, not an array\./);
  assert.match(r.problems[7].message, /"peerDependenciesMeta" must be an object mapping package names to \{ "optional": true \}, not a number\./);
});

test('invalid package names per npm rules; capital letters are a legacy-only hint', () => {
  const names = ['.hidden', '_private', ' spaced', 'node_modules', 'favicon.ico', 'a/b', '@scope', '@scope/.x', 'ü', 'a b', '@/x'];
  const deps = Object.fromEntries(names.map((n) => [n, '1.0.0']));
  const r = parse(JSON.stringify({ dependencies: deps }));
  const errors = problemsOf(r, 'invalid-name').filter((p) => p.severity === 'error');
  assert.deepEqual(errors.map((p) => p.package), names);
  for (const p of errors) assert.match(p.message, /is not a valid npm package name: .+\.$/);
  const legacy = parse('{"dependencies": {"JSONStream": "^1.3.5", "@Scope/Pkg": "1", "wow!": "1"}}');
  assert.deepEqual(legacy.problems.map((p) => [p.code, p.severity, p.package]), [
    ['invalid-name', 'hint', 'JSONStream'],
    ['invalid-name', 'hint', '@Scope/Pkg'],
    ['invalid-name', 'hint', 'wow!'],
  ]);
  assert.match(legacy.problems[0].message, /capital letters, which npm accepts only for packages published before 2017/);
  const ok = parse('{"dependencies": {"@types/node": "20", "lodash.merge": "4", "a-b_c.d": "1", "@a/b-c": "1"}}');
  assert.deepEqual(ok.problems, []);
});

test('duplicates: same section, dependencies + devDependencies, dependencies + optionalDependencies', () => {
  const text = [
    '{',
    '  "dependencies": { "a": "1.0.0", "b": "2.0.0", "a": "1.1.0", "c": "1" },',
    '  "devDependencies": { "b": "^2.1.0" },',
    '  "optionalDependencies": { "c": "2" }',
    '}',
  ].join('\n');
  const r = parse(text);
  assert.equal(r.dependencies.filter((d) => d.name === 'a').length, 2);
  const dups = problemsOf(r, 'duplicate-requirement').map((p) => [p.severity, p.package, p.range, p.message]);
  assert.deepEqual(dups, [
    ['warning', 'a', span(1, 49, 50), '"a" is listed twice in dependencies (first on line 2); npm uses only this later entry, so remove one of them.'],
    ['warning', 'c', span(1, 63, 64), 'c is also in optionalDependencies (line 4), which replaces this entry; keep it in one place.'],
    ['warning', 'b', span(2, 24, 25), 'b is also in dependencies (line 2): npm installs this devDependencies range (^2.1.0) here, but consumers of the package get 2.0.0; keep one entry so both agree.'],
  ]);
  // peerDependencies + devDependencies is the normal way to develop a plugin: no warning.
  assert.deepEqual(parse('{"peerDependencies": {"a": "^1"}, "devDependencies": {"a": "1.2.0"}}').problems, []);
});

test('a repeated top-level section: npm reads the last one', () => {
  const r = parse('{"dependencies": {"a": "1"}, "dependencies": {"b": "2"}}');
  assert.deepEqual(r.dependencies.map((d) => d.name), ['b']);
  assert.equal(r.problems.length, 1);
  assert.equal(r.problems[0].code, 'invalid-manifest');
  assert.equal(r.problems[0].severity, 'warning');
  assert.deepEqual(r.problems[0].range, span(0, 2, 14));
});

test('engines.node that is not a range is a warning on its value', () => {
  const r = parse('{"engines": {"node": "node 18"}}');
  assert.equal(r.meta.enginesNode, undefined);
  assert.deepEqual(r.problems.map((p) => [p.code, p.severity, p.range]), [['invalid-npm-specifier', 'warning', span(0, 22, 29)]]);
});

// ---- malformed JSON -----------------------------------------------------------------------------

test('trailing commas: one syntax error on the comma, dependencies still read', () => {
  const text = '{"dependencies": {"a": "1", "b": [1,],},}';
  const r = parse(text);
  assert.deepEqual(r.dependencies.map((d) => d.name), ['a']);
  const syntax = problemsOf(r, 'syntax-error');
  const commas = [...text.matchAll(/,(?=[}\]])/g)].map((m) => m.index);
  assert.deepEqual(syntax.map((p) => p.range), commas.map((i) => span(0, i, i + 1)));
  for (const p of syntax) assert.match(p.message, /trailing comma/);
});

test('truncated file: what was read is returned, with an error at the end', () => {
  const text = '{\n  "dependencies": {\n    "a": "^1",\n    "b": "^2"';
  const r = parse(text);
  assert.deepEqual(r.dependencies.map((d) => [d.name, d.specifier]), [['a', '^1'], ['b', '^2']]);
  const syntax = problemsOf(r, 'syntax-error');
  assert.ok(syntax.length > 0);
  assert.ok(syntax.every((p) => p.severity === 'error'));
  assert.ok(syntax.some((p) => /cut short/.test(p.message) && p.range.start.line === 3 && p.range.start.character === 13));
});

test('truncated inside a string and after a colon', () => {
  const r = parse('{"dependencies": {"a": "^1", "b": "^2');
  assert.deepEqual(r.dependencies.map((d) => d.name), ['a', 'b']);
  assert.deepEqual(r.dependencies[1].specifierRange, span(0, 35, 37));
  assert.ok(problemsOf(r, 'syntax-error').some((p) => /not closed/.test(p.message)));
  const colon = parse('{"dependencies": {"a": "^1", "b":');
  assert.deepEqual(colon.dependencies.map((d) => d.name), ['a']);
  assert.ok(problemsOf(colon, 'syntax-error').some((p) => /Expected a value/.test(p.message)));
});

test('comments, single quotes, empty text and non-object roots', () => {
  const commented = parse('{ // pinned\n  "dependencies": {"a": "1"} }');
  assert.deepEqual(commented.dependencies.map((d) => d.name), ['a']);
  assert.deepEqual(problemsOf(commented, 'syntax-error').map((p) => p.range), [span(0, 2, 11)]);
  assert.match(commented.problems[0].message, /comments/);
  const quoted = parse("{'dependencies': {}}");
  assert.ok(problemsOf(quoted, 'syntax-error').length > 0);
  const empty = parse('');
  assert.deepEqual(empty.dependencies, []);
  assert.equal(problemsOf(empty, 'syntax-error').length, 1);
  for (const text of ['[]', '"x"', '42', 'null']) {
    const r = parse(text);
    assert.deepEqual(r.problems.map((p) => p.code), ['invalid-manifest'], text);
  }
});

// ---- never throws -------------------------------------------------------------------------------

const REALISTIC = `{
  "name": "@acme/web",
  "version": "2.3.0",
  "private": true,
  "description": "Façade — 😀 UI",
  "packageManager": "pnpm@9.1.0",
  "workspaces": ["packages/*", "apps/*"],
  "engines": { "node": ">=18.17 <23" },
  "scripts": { "build": "tsc -b", "test": "node --test" },
  "dependencies": {
    "react": "^18.2.0",
    "react-dom": "18.2.0",
    "lodash": "npm:lodash-es@^4.17.21",
    "@acme/core": "workspace:^",
    "left-pad": "github:stevemao/left-pad#v1.3.0",
    "local": "file:../local",
    "linked": "link:../linked",
    "tarball": "https://example.com/pkg-1.0.0.tgz",
    "gitdep": "git+ssh://git@github.com/acme/gitdep.git#semver:^2.0.0",
    "tagged": "next"
  },
  "devDependencies": { "typescript": "~5.4.5", "@types/react": "^18" },
  "peerDependencies": { "vue": ">=3 <4" },
  "peerDependenciesMeta": { "vue": { "optional": true } },
  "optionalDependencies": { "fsevents": "^2.3.3" },
  "bundleDependencies": ["react"],
  "overrides": { "foo": { ".": "2.0.0", "bar@1": "1.0.0" }, "react": "$react" },
  "resolutions": { "**/qux": "1.2.3" },
  "pnpm": { "overrides": { "a@1>b": "2.0.0" } }
}`;


const NOISE = ['{', '}', '[', ']', '"', ':', ',', '\\', '/', '*', '\n', '\r', '\r\n', ' ', '#', '@', '$', '.', '^', '~', '<', '>', 'a', '1', '\uFEFF', '😀', '\uD83D', '\uDE00', '\u0000', 'é', 'npm:', 'workspace:', 'git+', '//', '/*'];

function mutate(text, rand) {
  let out = text;
  const steps = 1 + Math.floor(rand() * 4);
  for (let s = 0; s < steps; s++) {
    const at = Math.floor(rand() * (out.length + 1));
    const op = rand();
    if (op < 0.4) {
      out = out.slice(0, at) + out.slice(at + 1 + Math.floor(rand() * 3));
    } else if (op < 0.8) {
      out = out.slice(0, at) + NOISE[Math.floor(rand() * NOISE.length)] + out.slice(at);
    } else {
      const len = Math.floor(rand() * 40);
      out = out.slice(0, at) + out.slice(at, at + len) + out.slice(at);
    }
  }
  return out;
}

// An oracle independent of the code under test: UTF-16 offset of an LSP position (\r\n, \n, \r breaks).
function offsetOf(text, { line, character }) {
  let offset = 0;
  for (let l = 0; l < line; l++) {
    const nl = text.slice(offset).search(/\r\n|\r|\n/);
    assert.ok(nl >= 0, `line ${line} exists`);
    offset += nl + (text.startsWith('\r\n', offset + nl) ? 2 : 1);
  }
  return offset + character;
}

test('5,000 seeded random mutations never throw and keep ranges consistent', () => {
  const rand = mulberry32(0x5eed);
  assert.equal(parse(REALISTIC).problems.length, 0, 'the base document is clean');
  for (let i = 0; i < 5000; i++) {
    const text = mutate(REALISTIC, rand);
    let r;
    assert.doesNotThrow(() => {
      r = parse(text);
    }, `mutation ${i}: ${JSON.stringify(text)}`);
    const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    for (const p of r.problems) {
      assert.doesNotMatch(p.message, /please report this bug/, `mutation ${i}: ${p.message}`);
      const start = offsetOf(body, p.range.start);
      const end = offsetOf(body, p.range.end);
      assert.ok(start <= end && end <= body.length, `mutation ${i}: problem range`);
    }
    for (const d of r.dependencies) {
      assert.equal(body.slice(offsetOf(body, d.range.start), offsetOf(body, d.range.end)), d.raw, `mutation ${i}: raw`);
      assert.ok(d.raw.includes(body.slice(offsetOf(body, d.nameRange.start), offsetOf(body, d.nameRange.end))));
    }
  }
});
