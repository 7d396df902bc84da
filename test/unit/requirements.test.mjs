// Requirements files: lines, options, includes, ranges; pip 23.2.1 is the oracle for how lines are
// joined, stripped, expanded and split into requirement and options.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { parseRequirements, loadRequirementsTree } from '../../dist/core/python/requirements/requirements.js';
import { readLogicalLines } from '../../dist/core/python/requirements/lines.js';
import { breakArgsOptions, parseOptions } from '../../dist/core/python/requirements/options.js';
import { prng as rng } from '../support/prng.mjs';
import { HOSTILE_REQUIREMENTS, EXPONENTIAL_VARIABLES } from '../support/hostileInput.mjs';

const FILE = '/work/proj/requirements.txt';

/** LSP position of a UTF-16 offset, computed independently of the code under test. */
function pos(text, offset) {
  let line = 0;
  let character = 0;
  for (let i = 0; i < offset; i++) {
    const c = text[i];
    if (c === '\r' && text[i + 1] === '\n' && i + 1 < offset) {
      i++;
      line++;
      character = 0;
    } else if (c === '\r' || c === '\n') {
      line++;
      character = 0;
    } else character++;
  }
  return { line, character };
}

/** The range of a substring of `text`: 'sub', [sub, nth] or { from: subA, to: subB } (start of A to end of B). */
function where(text, spec) {
  if (spec && typeof spec === 'object' && !Array.isArray(spec) && 'from' in spec) {
    const a = text.indexOf(spec.from);
    const b = text.indexOf(spec.to, a);
    assert.ok(a >= 0 && b >= 0, `substrings ${JSON.stringify(spec)} not in ${JSON.stringify(text)}`);
    return { start: pos(text, a), end: pos(text, b + spec.to.length) };
  }
  const [sub, nth] = Array.isArray(spec) ? spec : [spec, 0];
  let at = -1;
  for (let k = 0; k <= nth; k++) at = text.indexOf(sub, at + 1);
  assert.ok(at >= 0, `substring ${JSON.stringify(sub)} not in ${JSON.stringify(text)}`);
  return { start: pos(text, at), end: pos(text, at + sub.length) };
}

/** Runs one table case: every listed field, range and problem must match; nothing unlisted may appear. */
function check(c) {
  const m = parseRequirements(c.text, c.path ?? FILE, { env: c.env ?? {}, constraint: c.constraint });
  const shown = JSON.stringify(m, null, 1);
  const text = c.text.replace(/^\ufeff/, '');
  const deps = c.deps ?? (c.dep ? [c.dep] : []);
  assert.equal(m.dependencies.length, deps.length, `dependencies of ${JSON.stringify(c.text)}: ${shown}`);
  deps.forEach((want, i) => {
    const got = m.dependencies[i];
    for (const [key, value] of Object.entries(want)) {
      if (key === 'at') continue;
      assert.deepEqual(got[key], value, `${key} of ${JSON.stringify(c.text)}: ${shown}`);
    }
    for (const [key, spec] of Object.entries(want.at ?? {})) {
      if (spec === null) assert.equal(got[key], undefined, `${key} should be absent: ${shown}`);
      else assert.deepEqual(got[key], where(text, spec), `${key} of ${JSON.stringify(c.text)}: ${shown}`);
    }
  });
  const options = c.options ?? [];
  assert.equal(m.options.length, options.length, `options of ${JSON.stringify(c.text)}: ${shown}`);
  options.forEach((want, i) => {
    assert.equal(m.options[i].name, want.name);
    assert.equal(m.options[i].value, want.value);
    assert.deepEqual(m.options[i].range, where(text, want.at), `option range: ${shown}`);
  });
  const includes = c.includes ?? [];
  assert.equal(m.includes.length, includes.length, `includes of ${JSON.stringify(c.text)}: ${shown}`);
  includes.forEach((want, i) => {
    const got = m.includes[i];
    assert.equal(got.kind, want.kind);
    assert.equal(got.target, want.target);
    assert.equal(got.resolvedPath, want.resolvedPath);
    assert.deepEqual(got.range, where(text, want.at), `include range: ${shown}`);
    assert.deepEqual(got.targetRange, where(text, want.targetAt), `include target range: ${shown}`);
  });
  const problems = c.problems ?? [];
  assert.equal(m.problems.length, problems.length, `problems of ${JSON.stringify(c.text)}: ${shown}`);
  problems.forEach((want, i) => {
    const got = m.problems[i];
    assert.equal(got.code, want.code, shown);
    if (want.severity) assert.equal(got.severity, want.severity, shown);
    assert.deepEqual(got.range, where(text, want.at), `problem range of ${JSON.stringify(c.text)}: ${shown}`);
    for (const part of [want.says ?? []].flat()) assert.ok(got.message.toLowerCase().includes(part.toLowerCase()), `message ${JSON.stringify(got.message)} lacks ${JSON.stringify(part)}`);
    assert.match(got.message, /[.?!]$/, 'a problem message is a sentence');
  });
  return m;
}

const PEP508 = [
  { text: 'requests', dep: { name: 'requests', normalizedName: 'requests', specifier: '', extras: [], marker: null, source: 'registry', editable: false, hashes: [], raw: 'requests', section: 'requirements', constraint: false, at: { nameRange: 'requests', range: 'requests', specifierRange: null, extrasRange: null, markerRange: null } } },
  { text: 'requests==2.31.0', dep: { name: 'requests', specifier: '==2.31.0', at: { nameRange: 'requests', specifierRange: '==2.31.0', range: 'requests==2.31.0' } } },
  { text: 'Django>=4.2,<5.0', dep: { name: 'Django', normalizedName: 'django', specifier: '>=4.2,<5.0', at: { specifierRange: '>=4.2,<5.0' } } },
  {
    text: 'django[bcrypt,argon2] (>=4.2,<5) ; python_version < "3.11"',
    dep: { name: 'django', extras: ['bcrypt', 'argon2'], specifier: '>=4.2,<5', marker: 'python_version < "3.11"', at: { nameRange: 'django', extrasRange: '[bcrypt,argon2]', specifierRange: '>=4.2,<5', markerRange: 'python_version < "3.11"', range: 'django[bcrypt,argon2] (>=4.2,<5) ; python_version < "3.11"' } },
  },
  { text: 'numpy >= 1.24 , < 2', dep: { specifier: '>=1.24,<2', at: { specifierRange: '>= 1.24 , < 2', range: 'numpy >= 1.24 , < 2' } } },
  { text: 'Foo_Bar.baz ~= 1.4.2', dep: { name: 'Foo_Bar.baz', normalizedName: 'foo-bar-baz', specifier: '~=1.4.2' } },
  { text: 'pkg==1.0   # pinned: see issue 12', dep: { specifier: '==1.0', comment: 'pinned: see issue 12', raw: 'pkg==1.0', at: { range: 'pkg==1.0' } } },
  { text: 'pkg==1.0\t# tab before the comment', dep: { comment: 'tab before the comment', at: { range: 'pkg==1.0' } } },
  { text: 'foo ; sys_platform == "win32"', dep: { name: 'foo', specifier: '', marker: 'sys_platform == "win32"', at: { markerRange: 'sys_platform == "win32"', range: 'foo ; sys_platform == "win32"' } } },
  { text: 'foo ;   ', dep: { marker: null, at: { markerRange: null, range: 'foo ;' } } },
  { text: 'foo;python_version>="3.8"', dep: { marker: 'python_version>="3.8"', at: { markerRange: 'python_version>="3.8"' } } },
  { text: '  indented == 1.0  ', dep: { name: 'indented', at: { range: 'indented == 1.0', specifierRange: '== 1.0' } } },
  { text: 'pkg===1.0-weird', dep: { specifier: '===1.0-weird' } },
  { text: 'pkg!=1.5.*,>=1', dep: { specifier: '!=1.5.*,>=1' } },
  { text: 'zope.interface[test]>=5', dep: { name: 'zope.interface', extras: ['test'], at: { extrasRange: '[test]', specifierRange: '>=5' } } },
];

const URLS = [
  { text: 'requests @ https://example.com/requests-2.31.0-py3-none-any.whl', dep: { name: 'requests', source: 'url', location: 'https://example.com/requests-2.31.0-py3-none-any.whl', specifier: '', at: { nameRange: 'requests', specifierRange: null } } },
  { text: 'pkg @ https://example.com/pkg.zip#sha256=abc', dep: { name: 'pkg', source: 'url', location: 'https://example.com/pkg.zip#sha256=abc' } },
  { text: 'requests @ git+https://github.com/psf/requests.git@v2.31.0', dep: { name: 'requests', source: 'vcs', location: 'git+https://github.com/psf/requests.git@v2.31.0' } },
  { text: 'lib @ file:///opt/src/lib', dep: { name: 'lib', source: 'path', location: 'file:///opt/src/lib' } },
  { text: 'pkg @ https://example.com/pkg.zip ; python_version >= "3.8"', dep: { name: 'pkg', source: 'url', location: 'https://example.com/pkg.zip', marker: 'python_version >= "3.8"', at: { markerRange: 'python_version >= "3.8"', range: 'pkg @ https://example.com/pkg.zip ; python_version >= "3.8"' } } },
  { text: 'https://example.com/pkgs/requests-2.31.0-py3-none-any.whl', dep: { name: 'requests', specifier: '==2.31.0', source: 'url', location: 'https://example.com/pkgs/requests-2.31.0-py3-none-any.whl', at: { nameRange: ['requests', 0], specifierRange: null } } },
  { text: 'https://example.com/dist/my_pkg-1.0-py3-none-any.whl ; python_version >= "3.8"', dep: { name: 'my-pkg', normalizedName: 'my-pkg', marker: 'python_version >= "3.8"', at: { nameRange: 'my_pkg', markerRange: 'python_version >= "3.8"' } } },
  { text: 'https://example.com/archive/foo-1.2.tar.gz', dep: { name: 'foo', source: 'url', at: { nameRange: 'foo' } } },
  { text: 'https://example.com/archive/foo-1.2.tar.gz#egg=foo-bar', dep: { name: 'foo-bar', at: { nameRange: ['foo-bar', 0] } } },
  { text: 'git+https://github.com/pallets/flask.git@2.3.0#egg=flask', dep: { name: 'flask', source: 'vcs', location: 'git+https://github.com/pallets/flask.git@2.3.0#egg=flask', at: { nameRange: ['flask', 1] } } },
  { text: 'git+https://github.com/pallets/flask.git@2.3.0', dep: { name: 'flask', source: 'vcs', at: { nameRange: 'git+https://github.com/pallets/flask.git@2.3.0' } } },
  { text: 'git+ssh://git@github.com/org/private-lib.git#egg=private_lib[extra1]', dep: { name: 'private_lib', normalizedName: 'private-lib', extras: ['extra1'], source: 'vcs', at: { nameRange: 'private_lib', extrasRange: '[extra1]' } } },
  { text: 'file:///opt/wheels/foo-1.0-py3-none-any.whl', dep: { name: 'foo', source: 'path', specifier: '==1.0', location: 'file:///opt/wheels/foo-1.0-py3-none-any.whl' } },
  { text: 'pkg @ https://example.com/\u{1F40D}/pkg.zip ; python_version > "3"', dep: { name: 'pkg', marker: 'python_version > "3"', at: { markerRange: 'python_version > "3"', range: { from: 'pkg', to: '"3"' } } } },
];

const PATHS = [
  { text: './pkg', dep: { name: 'pkg', source: 'path', location: './pkg', at: { nameRange: './pkg' } } },
  { text: '../dist/x_y-1.0-py3-none-any.whl', dep: { name: 'x-y', specifier: '==1.0', source: 'path', location: '../dist/x_y-1.0-py3-none-any.whl', at: { nameRange: 'x_y' } } },
  { text: '/abs/pkg-2.0.tar.gz', dep: { name: 'pkg', source: 'path', location: '/abs/pkg-2.0.tar.gz', at: { nameRange: ['pkg', 0] } } },
  { text: 'pkg-2.0.tar.gz', dep: { name: 'pkg', source: 'path', location: 'pkg-2.0.tar.gz' } },
  { text: '.', dep: { name: 'proj', source: 'path', location: '.', at: { nameRange: '.' } } },
  { text: '.[dev,test]', dep: { name: 'proj', source: 'path', location: '.', extras: ['dev', 'test'], at: { extrasRange: '[dev,test]', range: '.[dev,test]' } } },
  { text: './libs/core ; python_version >= "3.9"', dep: { name: 'core', source: 'path', marker: 'python_version >= "3.9"' } },
  { text: './\u{1F40D}dir ; python_version>"3"', dep: { name: '\u{1F40D}dir', at: { markerRange: 'python_version>"3"' } } },
];

const EDITABLE = [
  { text: '-e .', dep: { name: 'proj', editable: true, source: 'path', location: '.', raw: '.', at: { range: ['.', 0], nameRange: ['.', 0] } } },
  { text: '-e ./libs/core[dev]', dep: { name: 'core', editable: true, extras: ['dev'], location: './libs/core', at: { extrasRange: '[dev]', range: './libs/core[dev]' } } },
  { text: '--editable=git+https://github.com/x/y.git#egg=y', dep: { name: 'y', editable: true, source: 'vcs', location: 'git+https://github.com/x/y.git#egg=y', at: { nameRange: ['y', 1] } } },
  { text: '--editable git+https://github.com/x/y.git#egg=y', dep: { name: 'y', editable: true, source: 'vcs' } },
  { text: '-e git://github.com/x/y.git#egg=y', dep: { name: 'y', source: 'vcs', location: 'git+git://github.com/x/y.git#egg=y' } },
  { text: '-egit+https://github.com/x/y.git#egg=y', dep: { name: 'y', editable: true, at: { range: 'git+https://github.com/x/y.git#egg=y' } } },
  { text: '-e file:///srv/app#egg=app', dep: { name: 'app', editable: true, source: 'path' } },
  { text: '-e "./my project"', dep: { name: 'my project', editable: true, location: './my project', at: { range: './my project' } } },
];

const OPTIONS = [
  { text: '-i https://mirror.example/simple', options: [{ name: 'index-url', value: 'https://mirror.example/simple', at: '-i https://mirror.example/simple' }] },
  { text: '--index-url=https://mirror.example/simple', options: [{ name: 'index-url', value: 'https://mirror.example/simple', at: '--index-url=https://mirror.example/simple' }] },
  { text: '--pypi-url https://x/simple', options: [{ name: 'index-url', value: 'https://x/simple', at: '--pypi-url https://x/simple' }] },
  { text: '--index https://x/simple', options: [{ name: 'index-url', value: 'https://x/simple', at: '--index https://x/simple' }] },
  { text: '--extra-index-url https://a/simple --extra-index-url=https://b/simple', options: [{ name: 'extra-index-url', value: 'https://a/simple', at: '--extra-index-url https://a/simple' }, { name: 'extra-index-url', value: 'https://b/simple', at: '--extra-index-url=https://b/simple' }] },
  { text: '--no-index', options: [{ name: 'no-index', value: '', at: '--no-index' }] },
  { text: '-f ./wheels', options: [{ name: 'find-links', value: './wheels', at: '-f ./wheels' }] },
  { text: '--find-links=https://x/links', options: [{ name: 'find-links', value: 'https://x/links', at: '--find-links=https://x/links' }] },
  { text: '--pre', options: [{ name: 'pre', value: '', at: '--pre' }] },
  { text: '--no-binary :all:', options: [{ name: 'no-binary', value: ':all:', at: '--no-binary :all:' }] },
  { text: '--only-binary=numpy,scipy', options: [{ name: 'only-binary', value: 'numpy,scipy', at: '--only-binary=numpy,scipy' }] },
  { text: '--prefer-binary  --require-hashes', options: [{ name: 'prefer-binary', value: '', at: '--prefer-binary' }, { name: 'require-hashes', value: '', at: '--require-hashes' }] },
  { text: '--trusted-host pypi.internal', options: [{ name: 'trusted-host', value: 'pypi.internal', at: '--trusted-host pypi.internal' }] },
  { text: '--use-feature=truststore', options: [{ name: 'use-feature', value: 'truststore', at: '--use-feature=truststore' }] },
  { text: '--index-url "https://x/simple"', options: [{ name: 'index-url', value: 'https://x/simple', at: '--index-url "https://x/simple"' }] },
  {
    text: '--config-settings editable_mode=compat', options: [{ name: 'config-settings', value: 'editable_mode=compat', at: '--config-settings editable_mode=compat' }],
    problems: [{ code: 'invalid-option', severity: 'warning', at: '--config-settings editable_mode=compat', says: 'no effect' }],
  },
];

const INCLUDES = [
  { text: '-r base.txt', includes: [{ kind: 'requirement', target: 'base.txt', resolvedPath: '/work/proj/base.txt', at: '-r base.txt', targetAt: 'base.txt' }] },
  { text: '-rbase.txt', includes: [{ kind: 'requirement', target: 'base.txt', resolvedPath: '/work/proj/base.txt', at: '-rbase.txt', targetAt: 'base.txt' }] },
  { text: '--requirement=sub/dev.txt', includes: [{ kind: 'requirement', target: 'sub/dev.txt', resolvedPath: '/work/proj/sub/dev.txt', at: '--requirement=sub/dev.txt', targetAt: 'sub/dev.txt' }] },
  { text: '--requirement ../common.txt', includes: [{ kind: 'requirement', target: '../common.txt', resolvedPath: '/work/common.txt', at: '--requirement ../common.txt', targetAt: '../common.txt' }] },
  { text: '-c constraints.txt', includes: [{ kind: 'constraint', target: 'constraints.txt', resolvedPath: '/work/proj/constraints.txt', at: '-c constraints.txt', targetAt: 'constraints.txt' }] },
  { text: '--constraint=/etc/pins.txt', includes: [{ kind: 'constraint', target: '/etc/pins.txt', resolvedPath: '/etc/pins.txt', at: '--constraint=/etc/pins.txt', targetAt: '/etc/pins.txt' }] },
  { text: '-r "my reqs.txt"', includes: [{ kind: 'requirement', target: 'my reqs.txt', resolvedPath: '/work/proj/my reqs.txt', at: '-r "my reqs.txt"', targetAt: 'my reqs.txt' }] },
  { text: '-r file:///etc/req.txt', includes: [{ kind: 'requirement', target: 'file:///etc/req.txt', resolvedPath: '/etc/req.txt', at: '-r file:///etc/req.txt', targetAt: 'file:///etc/req.txt' }] },
  {
    text: '-r https://example.com/req.txt', includes: [{ kind: 'requirement', target: 'https://example.com/req.txt', resolvedPath: 'https://example.com/req.txt', at: '-r https://example.com/req.txt', targetAt: 'https://example.com/req.txt' }],
    problems: [{ code: 'unsupported-source', severity: 'information', at: 'https://example.com/req.txt', says: 'does not download' }],
  },
  {
    text: '-r a.txt -r b.txt -c c.txt', includes: [{ kind: 'requirement', target: 'a.txt', resolvedPath: '/work/proj/a.txt', at: '-r a.txt', targetAt: 'a.txt' }],
    problems: [{ code: 'invalid-option', severity: 'warning', at: '-r b.txt', says: 'first -r' }, { code: 'invalid-option', severity: 'warning', at: '-c c.txt' }],
  },
  { text: '-r ${REQ_DIR}/base.txt', env: { REQ_DIR: 'reqs' }, includes: [{ kind: 'requirement', target: 'reqs/base.txt', resolvedPath: '/work/proj/reqs/base.txt', at: '-r ${REQ_DIR}/base.txt', targetAt: '${REQ_DIR}/base.txt' }] },
];

const HASHES = [
  { text: 'foo==1.0 --hash=sha256:aaa --hash sha256:bbb', dep: { hashes: ['sha256:aaa', 'sha256:bbb'], raw: 'foo==1.0', at: { range: 'foo==1.0' } } },
  { text: 'foo==1.0 \\\n    --hash=sha256:aaa \\\n    --hash=sha512:bbb', dep: { hashes: ['sha256:aaa', 'sha512:bbb'], at: { range: 'foo==1.0', specifierRange: '==1.0' } } },
  { text: 'foo==1.0 --global-option=--quiet -C key=value', dep: { hashes: [], specifier: '==1.0' } },
];

const LAYOUT = [
  { text: 'foo\\\n==1.0', dep: { name: 'foo', specifier: '==1.0', raw: 'foo==1.0', at: { nameRange: 'foo', specifierRange: '==1.0', range: { from: 'foo', to: '==1.0' } } } },
  { text: 'foo[a,\\\nb] >= 1 ; \\\n  python_version < "3.12"', dep: { extras: ['a', 'b'], marker: 'python_version < "3.12"', at: { extrasRange: { from: '[a,', to: 'b]' }, markerRange: 'python_version < "3.12"', specifierRange: '>= 1' } } },
  { text: 'a==1\r\nb>=2\r\n', deps: [{ name: 'a', at: { range: 'a==1' } }, { name: 'b', at: { range: 'b>=2', specifierRange: '>=2' } }] },
  { text: 'a==1\rb>=2\r', deps: [{ name: 'a' }, { name: 'b', at: { specifierRange: '>=2' } }] },
  { text: 'a==1\r\n\r\nb>=2 \\\r\n  --hash=sha256:00\r\nc', deps: [{ name: 'a' }, { name: 'b', hashes: ['sha256:00'], at: { range: 'b>=2' } }, { name: 'c', at: { nameRange: ['c', 0] } }] },
  { text: '\ufeffa==1', dep: { name: 'a', at: { nameRange: 'a', specifierRange: '==1' } } },
  { text: '# Web framework\n# (LTS)\ndjango==4.2  # security fixes only', dep: { comment: 'Web framework\n(LTS)\nsecurity fixes only' } },
  { text: '#no space\n#  two spaces\nfoo', dep: { comment: 'no space\n two spaces' } },
  { text: '# detached\n\nfoo', dep: { comment: undefined } },
  { text: '# above an option\n--pre\nfoo', dep: { comment: undefined }, options: [{ name: 'pre', value: '', at: '--pre' }] },
  { text: '# comment ending in a backslash \\\nfoo', dep: { name: 'foo', comment: 'comment ending in a backslash \\' } },
  { text: 'foo # trailing \\\nbar==1', dep: { name: 'foo', comment: 'trailing bar==1' } },
  { text: 'foo \\\n# the comment line ends the continuation\nbar', deps: [{ name: 'foo', comment: 'the comment line ends the continuation', at: { range: 'foo' } }, { name: 'bar', comment: undefined }] },
  { text: 'pkg @ https://h/p.zip#egg=pkg # real comment', dep: { location: 'https://h/p.zip#egg=pkg', comment: 'real comment' } },
  { text: 'a\u000bb\u000cc\u2028d', deps: [{ name: 'a' }, { name: 'b' }, { name: 'c' }, { name: 'd', at: { nameRange: 'd' } }] },
  { text: 'foo==1.0 \\', dep: { name: 'foo', raw: 'foo==1.0', at: { range: 'foo==1.0' } } },
  { text: '\\\\foo==1.0\\\\\n', dep: { name: 'foo', raw: 'foo==1.0', at: { nameRange: 'foo' } } },
];

const ENV = [
  { text: 'foo==${VER}', env: { VER: '1.2' }, dep: { specifier: '==1.2', raw: 'foo==1.2', at: { specifierRange: '==${VER}', nameRange: 'foo' } } },
  { text: '${NAME}==1.0', env: { NAME: 'requests' }, dep: { name: 'requests', at: { nameRange: '${NAME}', specifierRange: '==1.0' } } },
  { text: '${A}${B} >= 2', env: { A: 'x', B: 'yz' }, dep: { name: 'xyz', at: { nameRange: '${A}${B}', specifierRange: '>= 2' } } },
  { text: 'bar @ ${BASE}/bar-1.0.tar.gz', env: { BASE: 'https://h' }, dep: { name: 'bar', location: 'https://h/bar-1.0.tar.gz', raw: 'bar @ https://h/bar-1.0.tar.gz', at: { nameRange: 'bar' } } },
  { text: '-i https://${USER_}:${TOKEN}@pypi.internal/simple', env: { USER_: 'me', TOKEN: 's3cret' }, options: [{ name: 'index-url', value: 'https://me:s3cret@pypi.internal/simple', at: '-i https://${USER_}:${TOKEN}@pypi.internal/simple' }] },
  { text: '$HOME/pkg ${lower}/x $ {A}', env: { HOME: '/h', lower: 'l', A: 'a' }, dep: { name: 'x $ {A}', source: 'path', location: '$HOME/pkg ${lower}/x $ {A}' }, problems: [] },
  {
    text: 'foo==${NOPE}', dep: undefined,
    problems: [{ code: 'undefined-variable', severity: 'warning', at: '${NOPE}', says: ['NOPE', 'not set'] }, { code: 'invalid-specifier', at: '${NOPE}' }],
  },
  { text: '${EMPTY}foo', env: { EMPTY: '' }, problems: [{ code: 'undefined-variable', at: '${EMPTY}', says: 'empty' }, { code: 'invalid-requirement', at: '${EMPTY}foo' }] },
  { text: '# ${IN_COMMENT}\nfoo # ${ALSO}', dep: { name: 'foo' } },
  { text: '${OPTS}', env: { OPTS: '--pre' }, options: [{ name: 'pre', value: '', at: '${OPTS}' }] },
];

const MALFORMED = [
  { text: '--indx-url https://x/simple', problems: [{ code: 'unknown-option', severity: 'warning', at: '--indx-url', says: 'did you mean --index-url?' }] },
  { text: '--extra_index_url https://x', problems: [{ code: 'unknown-option', at: '--extra_index_url', says: 'did you mean --extra-index-url?' }] },
  { text: '--frobnicate', problems: [{ code: 'unknown-option', at: '--frobnicate', says: '--frobnicate' }] },
  { text: '--no-deps', problems: [{ code: 'unknown-option', at: '--no-deps', says: 'command line' }] },
  { text: '-x foo', problems: [{ code: 'unknown-option', at: '-x' }] },
  { text: '-i', problems: [{ code: 'invalid-option', severity: 'error', at: '-i', says: 'needs a value' }] },
  { text: '--requirement', problems: [{ code: 'invalid-option', severity: 'error', at: '--requirement', says: 'needs a value' }] },
  { text: '--pre=1', problems: [{ code: 'invalid-option', severity: 'error', at: '--pre=1', says: 'takes no value' }] },
  { text: '--req x.txt', problems: [{ code: 'invalid-option', severity: 'error', at: '--req', says: ['ambiguous', '--requirement', '--require-hashes'] }] },
  { text: '--use-feature=nope', problems: [{ code: 'invalid-option', at: 'nope', says: 'truststore' }] },
  { text: 'foo==1 --hash=md5:abc', problems: [{ code: 'invalid-option', at: 'md5:abc', says: 'sha256' }], dep: { hashes: [] } },
  { text: 'foo==1 --hash=sha256', problems: [{ code: 'invalid-option', at: 'sha256', says: 'sha256:' }], dep: { hashes: [] } },
  { text: '--only-binary --pre', problems: [{ code: 'invalid-option', at: '--pre', says: ':all:' }] },
  { text: '-C novalue', problems: [{ code: 'invalid-option', at: 'novalue', says: 'KEY=VALUE' }] },
  { text: '--index-url "https://x', problems: [{ code: 'invalid-option', severity: 'error', at: '"https://x', says: 'never closed' }] },
  { text: '--index-url x\\ ', problems: [{ code: 'invalid-option', at: '\\', says: 'backslash' }] },
  { text: '--index-url x\\', options: [{ name: 'index-url', value: 'x', at: '--index-url x' }] },
  { text: '-index-url https://x', options: [{ name: 'index-url', value: 'ndex-url', at: '-index-url' }], problems: [{ code: 'invalid-option', severity: 'warning', at: '-index-url', says: 'did you mean --index-url?' }, { code: 'syntax-error', severity: 'warning', at: 'https://x' }] },
  { text: '--hash=sha256:abc', problems: [{ code: 'invalid-option', severity: 'warning', at: '--hash=sha256:abc', says: 'without a requirement' }] },
  { text: '--pre foo', options: [{ name: 'pre', value: '', at: '--pre' }], problems: [{ code: 'syntax-error', severity: 'warning', at: 'foo', says: "ignores 'foo'" }] },
  { text: 'foo -r other.txt --pre', dep: { name: 'foo' }, problems: [{ code: 'invalid-option', at: '-r other.txt', says: 'has a requirement' }, { code: 'invalid-option', at: '--pre' }] },
  { text: 'foo -e ./bar', dep: { name: 'foo' }, problems: [{ code: 'invalid-option', at: '-e ./bar' }] },
  { text: '-e ./a -e ./b --hash=sha256:x', dep: { name: 'a' }, problems: [{ code: 'invalid-option', at: '-e ./b', says: 'first -e' }, { code: 'invalid-option', at: '--hash=sha256:x', says: 'editable' }] },
  { text: '-f a -f b', options: [{ name: 'find-links', value: 'a', at: '-f a' }], problems: [{ code: 'invalid-option', at: '-f b', says: 'first --find-links' }] },
  { text: 'foo==1.0abc', problems: [{ code: 'invalid-specifier', severity: 'error', at: '1.0abc', says: 'not a valid' }] },
  { text: 'foo >= 1.0.*', problems: [{ code: 'invalid-specifier', at: '1.0.*' }] },
  { text: 'foo=1.0', problems: [{ code: 'invalid-specifier', at: '=1.0', says: '==' }] },
  { text: 'foo~=1', problems: [{ code: 'invalid-specifier', at: ['1', 0] }] },
  { text: 'foo ; python_versio < "3"', problems: [{ code: 'invalid-marker', severity: 'error', at: 'python_versio' }] },
  { text: 'foo ; python_version <', problems: [{ code: 'invalid-marker' }].map((p) => ({ ...p, at: '<' })) },
  { text: 'foo[bar', problems: [{ code: 'invalid-requirement', at: '[bar', says: ']' }] },
  { text: 'foo[bar ; python_versio < "3"', problems: [{ code: 'invalid-requirement', at: '[bar' }, { code: 'invalid-marker', at: 'python_versio' }] },
  { text: 'pkg\u{1F40D}>=1.0', problems: [{ code: 'invalid-requirement', at: '\u{1F40D}>=1.0' }] },
  { text: '-e https://example.com/x.zip', problems: [{ code: 'invalid-requirement', at: 'https://example.com/x.zip', says: 'not a valid editable' }] },
  { text: '-e git+https://github.com/x/y.git', dep: { name: 'y', editable: true }, problems: [{ code: 'invalid-requirement', at: 'git+https://github.com/x/y.git', says: '#egg=' }] },
  { text: '../x.whl', dep: { name: 'x', source: 'path', location: '../x.whl', at: { nameRange: '../x.whl' } }, problems: [{ code: 'invalid-requirement', at: 'x.whl', says: 'wheel' }] },
  { text: 'ftp2://example.com/y', problems: [{ code: 'invalid-requirement', at: 'ftp2:', says: "'ftp2:'" }] },
  { text: 'git+https://h/r.git#egg=not a name', dep: { name: 'r' }, problems: [{ code: 'invalid-name', severity: 'warning', at: 'not a name' }] },
];

const CONSTRAINTS = [
  { text: 'foo==1.0', constraint: true, dep: { name: 'foo', constraint: true, section: 'constraints' } },
  { text: '-e .', constraint: true, dep: { editable: true, constraint: true }, problems: [{ code: 'invalid-requirement', severity: 'error', at: '.', says: 'unnamed' }] },
  { text: '-e git+https://h/r.git#egg=r', constraint: true, dep: { name: 'r' }, problems: [{ code: 'invalid-requirement', at: ['r', 1], says: 'editable' }] },
  { text: 'foo[bar]==1', constraint: true, dep: { extras: ['bar'] }, problems: [{ code: 'invalid-requirement', at: 'foo', says: 'extras' }] },
  { text: 'https://h/foo-1.0-py3-none-any.whl', constraint: true, dep: { name: 'foo', constraint: true } },
];

const TABLES = { PEP508, URLS, PATHS, EDITABLE, OPTIONS, INCLUDES, HASHES, LAYOUT, ENV, MALFORMED, CONSTRAINTS };

for (const [table, cases] of Object.entries(TABLES)) {
  test(`requirements lines: ${table}`, () => {
    for (const c of cases) check(c);
  });
}

test('the tables hold at least 60 real and malformed lines', () => {
  const count = Object.values(TABLES).reduce((n, cases) => n + cases.length, 0);
  assert.ok(count >= 60, `only ${count} cases`);
});

test('a surrogate pair earlier on the line shifts ranges by two UTF-16 units', () => {
  const m = check({ text: 'x @ https://h/\u{1F600}.zip ; os_name == "nt"', dep: { name: 'x', at: { markerRange: 'os_name == "nt"' } } });
  assert.equal(m.dependencies[0].markerRange.start.character, 'x @ https://h/'.length + 2 + '.zip ; '.length);
});

test('a ${VAR} split across a continuation still maps to both physical lines', () => {
  const text = 'pkg==${VE\\\nR}';
  const m = parseRequirements(text, FILE, { env: { VER: '3.1' } });
  assert.equal(m.dependencies[0].specifier, '==3.1');
  assert.deepEqual(m.dependencies[0].specifierRange, { start: { line: 0, character: 3 }, end: { line: 1, character: 2 } });
});

// ---------------------------------------------------------------------------------------------
// Includes

function memoryFs(files) {
  const reads = [];
  const readFile = async (p) => {
    reads.push(p);
    if (p === '/boom.txt') throw new Error('disk on fire');
    return files[p];
  };
  return { readFile, reads };
}

test('nested includes are followed relative to the including file, root first', async () => {
  const { readFile } = memoryFs({
    '/r/requirements.txt': 'a==1\n-r sub/dev.txt\n',
    '/r/sub/dev.txt': 'b==2\n-r ../common/base.txt\n',
    '/r/common/base.txt': 'c==3\n',
  });
  const ms = await loadRequirementsTree('/r/requirements.txt', readFile);
  assert.deepEqual(ms.map((m) => m.path), ['/r/requirements.txt', '/r/sub/dev.txt', '/r/common/base.txt']);
  assert.deepEqual(ms.map((m) => m.dependencies.map((d) => d.name)), [['a'], ['b'], ['c']]);
  assert.ok(ms.every((m) => m.problems.length === 0));
  assert.ok(ms.every((m) => m.dependencies.every((d) => !d.constraint && d.section === 'requirements')));
});

test('files included with -c hold constraints; a -r inside one holds requirements, as in pip', async () => {
  const { readFile } = memoryFs({
    '/r/requirements.txt': 'django\n-c constraints.txt\n',
    '/r/constraints.txt': 'django==4.2.7\n-r more.txt\n',
    '/r/more.txt': 'sqlparse==0.4.4\n',
  });
  const ms = await loadRequirementsTree('/r/requirements.txt', readFile);
  assert.deepEqual(ms.map((m) => m.path), ['/r/requirements.txt', '/r/constraints.txt', '/r/more.txt']);
  assert.equal(ms[0].dependencies[0].constraint, false);
  assert.equal(ms[1].dependencies[0].constraint, true);
  assert.equal(ms[1].dependencies[0].section, 'constraints');
  assert.equal(ms[2].dependencies[0].constraint, false);
  assert.equal(ms[2].dependencies[0].section, 'requirements');
  // pip reads a -r inside a constraints file as requirements: say so on that line.
  assert.equal(ms[1].problems.length, 1);
  assert.equal(ms[1].problems[0].code, 'invalid-option');
  assert.deepEqual(ms[1].problems[0].range, { start: { line: 1, character: 0 }, end: { line: 1, character: 11 } });
});

test('a missing include is an error on its target naming the resolved path', async () => {
  const { readFile } = memoryFs({ '/r/requirements.txt': 'a\n-r  missing/dev.txt  # dev tools\n-c /boom.txt\n' });
  const ms = await loadRequirementsTree('/r/requirements.txt', readFile);
  assert.equal(ms.length, 1);
  const [missing, boom] = ms[0].problems;
  assert.equal(missing.code, 'include-not-found');
  assert.equal(missing.severity, 'error');
  assert.ok(missing.message.includes('/r/missing/dev.txt'), missing.message);
  assert.deepEqual(missing.range, { start: { line: 1, character: 4 }, end: { line: 1, character: 19 } });
  assert.equal(boom.code, 'include-not-found', 'a reader that throws counts as missing');
  assert.ok(boom.message.startsWith('Constraints file not found'), boom.message);
});

test('an include cycle is a warning naming the chain, and each file is read once', async () => {
  const { readFile, reads } = memoryFs({
    '/r/a.txt': 'x==1\n-r b.txt\n',
    '/r/b.txt': 'y==1\n-r a.txt\n',
  });
  const ms = await loadRequirementsTree('/r/a.txt', readFile);
  assert.deepEqual(ms.map((m) => m.path), ['/r/a.txt', '/r/b.txt']);
  assert.deepEqual(reads, ['/r/a.txt', '/r/b.txt']);
  assert.equal(ms[0].problems.length, 0);
  const [cycle] = ms[1].problems;
  assert.equal(cycle.code, 'include-cycle');
  assert.equal(cycle.severity, 'warning');
  assert.ok(cycle.message.includes('a.txt -> b.txt -> a.txt'), cycle.message);
  assert.deepEqual(cycle.range, { start: { line: 1, character: 0 }, end: { line: 1, character: 8 } });
});

test('a file that includes itself', async () => {
  const { readFile } = memoryFs({ '/r/self.txt': '-r ./self.txt\nz\n' });
  const ms = await loadRequirementsTree('/r/self.txt', readFile);
  assert.equal(ms.length, 1);
  assert.deepEqual(ms[0].dependencies.map((d) => d.name), ['z']);
  assert.equal(ms[0].problems[0].code, 'include-cycle');
  assert.ok(ms[0].problems[0].message.includes('self.txt -> self.txt'), ms[0].problems[0].message);
});

test('a diamond of includes parses the shared file once, without a cycle warning', async () => {
  const { readFile } = memoryFs({
    '/r/a.txt': '-r b.txt\n-r c.txt\n',
    '/r/b.txt': '-r d.txt\nb\n',
    '/r/c.txt': '-r d.txt\nc\n',
    '/r/d.txt': 'd\n',
  });
  const ms = await loadRequirementsTree('/r/a.txt', readFile);
  assert.deepEqual(ms.map((m) => m.path), ['/r/a.txt', '/r/b.txt', '/r/d.txt', '/r/c.txt']);
  assert.ok(ms.every((m) => m.problems.length === 0));
});

test('a huge include tree stops at maxFiles with a warning', async () => {
  const files = {};
  for (let i = 0; i < 50; i++) files[`/r/f${i}.txt`] = `p${i}\n-r f${i + 1}.txt\n`;
  const { readFile } = memoryFs(files);
  const ms = await loadRequirementsTree('/r/f0.txt', readFile, { maxFiles: 5 });
  assert.equal(ms.length, 5);
  const last = ms[4].problems;
  assert.equal(last.length, 1);
  assert.equal(last[0].code, 'invalid-manifest');
  assert.ok(last[0].message.includes('5'), last[0].message);
  const all = await loadRequirementsTree('/r/f0.txt', readFile);
  assert.equal(all.length, 50);
  assert.equal(all[49].problems[0].code, 'include-not-found');
});

test('a missing root file yields one manifest with one problem', async () => {
  const ms = await loadRequirementsTree('/nope/requirements.txt', async () => undefined);
  assert.equal(ms.length, 1);
  assert.equal(ms[0].problems.length, 1);
  assert.ok(ms[0].problems[0].message.includes('/nope/requirements.txt'));
});

test('includes see ${VAR} expansion from the env option', async () => {
  const { readFile } = memoryFs({ '/r/req.txt': '-r ${ENV_NAME}.txt\n', '/r/prod.txt': 'gunicorn\n' });
  const ms = await loadRequirementsTree('/r/req.txt', readFile, { env: { ENV_NAME: 'prod' } });
  assert.deepEqual(ms.map((m) => m.path), ['/r/req.txt', '/r/prod.txt']);
});

// ---------------------------------------------------------------------------------------------
// pip 23.2.1 as the oracle, and a mutation loop

const BASE = [
  '# Generated for the project',
  '--index-url https://pypi.org/simple',
  '--extra-index-url=https://${TOKEN}@private.example/simple',
  '-f ./wheels --trusted-host private.example',
  '-r base.txt',
  '-c constraints.txt',
  'django[bcrypt]>=4.2,<5 ; python_version >= "3.10"  # LTS',
  'requests==2.31.0 \\',
  '    --hash=sha256:58cd2187c01e70e6e26505bca751777aa9f2ee0b7f4300988b709f44e013003f \\',
  '    --hash=sha256:942c5a758f98d790eaed1a29cb6eefc7ffb0d1cf7af05c3d2791656dbd6ad1e1',
  '-e git+https://github.com/pallets/flask.git@2.3.0#egg=flask',
  '-e ./libs/core[dev]',
  'numpy @ https://example.com/numpy-1.26.0-cp311-cp311-manylinux_2_17_x86_64.whl',
  '${PKG}==${VERSION}',
  "--config-settings 'key=a value' --pre",
  'attrs ; sys_platform == "linux" and platform_machine != "aarch64"',
  './vendor/pkg-1.0.tar.gz',
  '\tuvicorn[standard] (>=0.23)\t# server',
  '--no-binary :all: --only-binary=numpy',
  'pytest>=7 \\',
  '# a comment closes the continuation',
  '',
].join('\n');

const ALPHABET = ['\\', '#', ' ', '\t', '\n', '\r', '\r\n', '"', "'", '-', '--', '=', ';', '[', ']', '(', ')', '@', '$', '{', '}', '${', ':', '/', '.', ',',
  '\f', '\x0b', '\x85', '\u2028', '\x1c', '\xa0', '\u{1F40D}', '\ud800', '\ufeff', '<', '>', '~', '!', '*', '+', 'a', 'Z', '0', '_', '-e ', '-r ', ' #', '\\\n',
  '${PKG}', '${NOPE}', '--hash=', 'git+', 'https://', '#egg=', '.whl', '.tar.gz'];

function mutate(text, random) {
  let out = text;
  const n = 1 + Math.floor(random() * 5);
  for (let k = 0; k < n; k++) {
    const at = Math.floor(random() * (out.length + 1));
    const op = random();
    if (op < 0.35) out = out.slice(0, at) + ALPHABET[Math.floor(random() * ALPHABET.length)] + out.slice(at);
    else if (op < 0.6) out = out.slice(0, at) + out.slice(at + 1 + Math.floor(random() * 4));
    else if (op < 0.75) {
      const len = Math.floor(random() * 40);
      out = out.slice(0, at) + out.slice(at, at + len) + out.slice(at);
    } else if (op < 0.85) {
      const lines = out.split('\n');
      const i = Math.floor(random() * lines.length);
      const j = Math.floor(random() * lines.length);
      [lines[i], lines[j]] = [lines[j], lines[i]];
      out = lines.join('\n');
    } else if (op < 0.95) out = out.slice(0, at) + ALPHABET[Math.floor(random() * ALPHABET.length)].repeat(1 + Math.floor(random() * 30)) + out.slice(at);
    else out = out.slice(0, at);
  }
  return out;
}

const MUTATION_ENV = { TOKEN: 't0k', PKG: 'six', VERSION: '1.16.0', LOOP: '${LOOP}${LOOP}' };

function assertRangeInside(text, range, what) {
  const lines = text.split(/\r\n|\r|\n/);
  const ok = (p) => p.line >= 0 && p.line < lines.length && p.character >= 0 && p.character <= lines[p.line].length;
  assert.ok(ok(range.start) && ok(range.end), `${what} ${JSON.stringify(range)} outside the document`);
  const order = range.start.line - range.end.line || range.start.character - range.end.character;
  assert.ok(order <= 0, `${what} ${JSON.stringify(range)} ends before it starts`);
}

test('5,000 mutated files never throw, never report an internal error, and keep ranges inside the text', () => {
  const random = rng(20230721);
  for (let i = 0; i < 5000; i++) {
    const text = mutate(BASE, random);
    let m;
    try {
      m = parseRequirements(text, FILE, { env: MUTATION_ENV, constraint: i % 7 === 0 });
    } catch (e) {
      assert.fail(`threw on case ${i} ${JSON.stringify(text)}: ${e.stack}`);
    }
    const doc = text.replace(/^\ufeff/, '');
    for (const p of m.problems) {
      assert.ok(!p.message.includes('internal error'), `case ${i} ${JSON.stringify(text)}: ${p.message}`);
      assert.ok(p.message.length > 10, p.message);
      assertRangeInside(doc, p.range, `problem ${p.code}`);
    }
    for (const d of m.dependencies) {
      for (const key of ['range', 'nameRange', 'extrasRange', 'specifierRange', 'markerRange']) if (d[key]) assertRangeInside(doc, d[key], key);
      assert.equal(typeof d.name, 'string');
    }
    for (const o of [...m.options, ...m.includes]) assertRangeInside(doc, o.range, 'option');
  }
});

test('pathological input is reported, and self-referencing variables are cut off (bench/parse.mjs times it)', () => {
  const m = parseRequirements(HOSTILE_REQUIREMENTS.text, FILE, { env: HOSTILE_REQUIREMENTS.env });
  assert.ok(m.problems.length > 0);
  const chain = parseRequirements(EXPONENTIAL_VARIABLES.text, FILE, { env: EXPONENTIAL_VARIABLES.env });
  assert.ok(chain.problems.some((p) => p.message.includes('million')), 'self-referencing variables are cut off');
});

const ORACLE = String.raw`
import json, os, shlex, sys
from pip._internal.req.req_file import preprocess, break_args_options, build_parser, OptionParsingError
from pip._internal.exceptions import CommandError
KEYS = ['index_url', 'extra_index_urls', 'no_index', 'constraints', 'requirements', 'editables', 'find_links',
        'prefer_binary', 'require_hashes', 'pre', 'trusted_hosts', 'features_enabled', 'global_options', 'hashes', 'config_settings']
out = []
for case in json.load(sys.stdin):
    os.environ.clear()
    os.environ.update(case['env'])
    lines = []
    for n, line in preprocess(case['text']):
        args, opts_str = break_args_options(line)
        entry = {'n': n, 'line': line, 'args': args}
        try:
            parser = build_parser()
            defaults = parser.get_default_values()
            defaults.index_url = None
            # optparse shares the list default of --use-feature between parsers; pip's own reuse leaks
            # features from one line into the next, which its option handling then de-duplicates.
            defaults.features_enabled = []
            opts, rest = parser.parse_args(shlex.split(opts_str), defaults)
            entry['opts'] = {k: getattr(opts, k) for k in KEYS if getattr(opts, k, None)}
            entry['rest'] = rest
        except (OptionParsingError, CommandError, ValueError) as e:
            entry['error'] = getattr(e, 'msg', str(e))
        lines.append(entry)
    out.append(lines)
sys.stdout.write(json.dumps(out))
`;

const DEST = {
  'index-url': 'index_url', 'extra-index-url': 'extra_index_urls', 'no-index': 'no_index', constraint: 'constraints', requirement: 'requirements',
  editable: 'editables', 'find-links': 'find_links', 'prefer-binary': 'prefer_binary', 'require-hashes': 'require_hashes', pre: 'pre',
  'trusted-host': 'trusted_hosts', 'use-feature': 'features_enabled', 'global-option': 'global_options',
};

/** Our parse of one file in the shape the oracle prints. */
function ourLines(text, env) {
  return readLogicalLines(text, env, []).map((line) => {
    const { args, options } = breakArgsOptions(line.content);
    const entry = { n: line.pipLine, line: line.content.text, args: args.text };
    if (!options) return { ...entry, opts: {}, rest: [] };
    const problems = [];
    const parsed = parseOptions(options, problems);
    if (!parsed.ok || problems.some((p) => p.code === 'unknown-option')) return { ...entry, error: true };
    const opts = {};
    for (const o of parsed.options) {
      const v = o.value?.text;
      if (o.spec.name === 'hash') {
        const [algo, digest] = [v.slice(0, v.indexOf(':')), v.slice(v.indexOf(':') + 1)];
        ((opts.hashes ??= {})[algo] ??= []).push(digest);
      } else if (o.spec.name === 'config-settings') {
        const [key, val] = [v.slice(0, v.indexOf('=')), v.slice(v.indexOf('=') + 1)];
        const cs = (opts.config_settings ??= {});
        cs[key] = key in cs ? [cs[key]].flat().concat(val) : val;
      } else if (o.spec.name === 'index-url') {
        opts.index_url = v;
      } else if (o.spec.takesValue && DEST[o.spec.name]) {
        (opts[DEST[o.spec.name]] ??= []).push(v);
      } else if (DEST[o.spec.name]) opts[DEST[o.spec.name]] = true;
    }
    for (const key of Object.keys(opts)) if (!opts[key] || (Array.isArray(opts[key]) && opts[key].length === 0)) delete opts[key];
    return { ...entry, opts, rest: parsed.stray.map((s) => s.text) };
  });
}

test('logical lines, requirement text and options agree with pip 23.2.1 on real and mutated files', () => {
  const random = rng(7);
  const cases = [
    { text: BASE, env: MUTATION_ENV },
    { text: 'a \\\n\\b\\\\\n  c # x \\\nd\\', env: {} },
    { text: 'x ${A}${B} ${A}', env: { A: '${B}', B: 'b$' } },
    { text: '-r"a b" -c\'c d\' -e\\ x --index-url="q\\"r" -- tail', env: {} },
    { text: '--ind x --extra=y --no-b :none: --only-b=:all: -Ck=v -C k=w --global-option=-q --pre --prefer --require-h', env: {} },
    { text: 'foo  --hash=sha256:a  --hash  sha384:b', env: {} },
    { text: '--pre=x\n-r\n--req a\n--use-feature=fast-deps\n--use-feature=x\n--hash=md5:1\n-i "x', env: {} },
    { text: 'name\u00a0--pre\n\u2000foo\u2000\n\x1fbar\x1f #c\n#\\\nx\\\n', env: {} },
  ];
  for (let i = 0; i < 400; i++) cases.push({ text: mutate(BASE, random).replace(/^\ufeff/, ''), env: MUTATION_ENV });
  const run = spawnSync('python3', ['-c', ORACLE], { input: JSON.stringify(cases), encoding: 'utf8', maxBuffer: 1 << 28 });
  assert.equal(run.status, 0, run.stderr);
  const expected = JSON.parse(run.stdout);
  cases.forEach((c, i) => {
    const ours = ourLines(c.text, c.env);
    const pip = expected[i].map((e) => (e.error !== undefined ? { n: e.n, line: e.line, args: e.args, error: true } : e));
    assert.deepEqual(ours, pip, `case ${i}: ${JSON.stringify(c.text)}`);
  });
});

const CLASSIFY_ORACLE = String.raw`
import json, sys, warnings
warnings.simplefilter('ignore')
from pip._internal.req.constructors import parse_req_from_line, parse_editable
out = []
for editable, line in json.load(sys.stdin):
    try:
        if editable:
            name, url, extras = parse_editable(line)
            out.append({'name': name, 'location': url})
        else:
            p = parse_req_from_line(line, None)
            r = p.requirement
            out.append({'name': r.name if r else None, 'extras': sorted(r.extras) if r else [],
                        'specifier': sorted(str(s) for s in r.specifier) if r else [],
                        'marker': p.markers is not None, 'location': p.link.url if p.link else (r.url if r else None)})
    except Exception as e:
        out.append({'error': str(e)})
sys.stdout.write(json.dumps(out))
`;

test('URL, VCS, wheel, egg and marker handling agrees with pip 23.2.1 constructors', () => {
  const lines = [
    [false, 'https://example.com/pkgs/requests-2.31.0-py3-none-any.whl'],
    [false, 'https://example.com/dist/my_pkg-1.0-py3-none-any.whl ; python_version >= "3.8"'],
    [false, 'https://example.com/archive/foo-1.2.tar.gz#egg=foo-bar'],
    [false, 'git+https://github.com/pallets/flask.git@2.3.0#egg=flask'],
    [false, 'git+ssh://git@github.com/org/private-lib.git#egg=private_lib[extra1]'],
    [false, 'hg+https://hg.example/repo#egg=Repo_Name&subdirectory=src'],
    [false, 'https://example.com/x-1.0-py3-none-any.whl#egg=other'],
    [false, 'https://h/x.zip;python_version>"3"'],
    [false, 'https://h/pkg-1.0.zip#egg=pkg ; sys_platform == "linux"'],
    [false, 'django[bcrypt,argon2] (>=4.2,<5) ; python_version < "3.11"'],
    [false, 'pkg @ https://example.com/pkg.zip ; python_version >= "3.8"'],
    [false, 'foo;python_version>="3.8"'],
    [false, 'Foo_Bar [ x , y ] >= 1 , != 1.5'],
    [false, 'file:///opt/wheels/foo-1.0-py3-none-any.whl'],
    [true, 'git+https://github.com/x/y.git#egg=y'],
    [true, 'git://github.com/x/y.git#egg=y'],
    [true, 'hg+http://hg.example/r#egg=r'],
    [true, 'svn+svn://svn.example/r#egg=r'],
    [true, 'file:///srv/app#egg=app'],
    [true, 'https://example.com/x.zip'],
    [true, 'git+https://github.com/x/y.git'],
  ];
  const run = spawnSync('python3', ['-c', CLASSIFY_ORACLE], { input: JSON.stringify(lines), encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const expected = JSON.parse(run.stdout);
  lines.forEach(([editable, line], i) => {
    const pip = expected[i];
    const m = parseRequirements(editable ? `-e ${line}` : line, FILE);
    const errors = m.problems.filter((p) => p.severity === 'error');
    if (pip.error) {
      assert.ok(errors.length > 0, `pip rejects ${line} (${pip.error}); so must we: ${JSON.stringify(m.problems)}`);
      return;
    }
    assert.deepEqual(errors, [], line);
    const dep = m.dependencies[0];
    assert.equal(dep.location ?? null, pip.location, `location of ${line}`);
    if (pip.name !== null) assert.equal(dep.name, pip.name.replace(/\[.*$/, ''), `name of ${line}`);
    if (editable) return;
    assert.deepEqual([...dep.extras].sort(), pip.extras, `extras of ${line}`);
    assert.deepEqual(dep.specifier ? dep.specifier.split(',').sort() : [], pip.specifier, `specifier of ${line}`);
    assert.equal(dep.marker !== null, pip.marker, `marker of ${line}`);
  });
});

test('manifest kinds: requirement files in nested requirements folders (pip-tools layouts), never MANIFEST.in', async () => {
  const { detectManifestKind } = await import('../../dist/core/project/detect.js');
  const cases = [
    ['/p/requirements/edx/github.in', 'requirements'],
    ['/p/requirements/edx/base.txt', 'requirements'],
    ['/p/requirements/dev.txt', 'requirements'],
    ['/p/requirements-dev.in', 'requirements'],
    ['/p/MANIFEST.in', null],
    ['/p/requirements/MANIFEST.in', null],
    ['/p/docs/notes.txt', null],
    ['/p/src/template.in', null],
    ['/p/pyproject.toml', 'pyproject'],
    ['/p/web/package.json', 'package.json'],
  ];
  for (const [path, kind] of cases) assert.equal(detectManifestKind(path), kind, path);
});

test('an untrusted workspace (WITHHELD_ENV): no ${VAR} is expanded, and the line says why', async () => {
  const { WITHHELD_ENV } = await import('../../dist/core/runtime.js');
  const m = parseRequirements('--index-url https://u:${TOKEN}@host.example/simple\nrequests==${VERSION}\n', '/p/requirements.txt', { env: WITHHELD_ENV });
  assert.equal(m.options.find((o) => o.name === 'index-url').value, 'https://u:${TOKEN}@host.example/simple');
  const said = m.problems.filter((p) => p.code === 'undefined-variable');
  assert.deepEqual(said.map((p) => [p.severity, p.range.start.line]), [['information', 0], ['information', 1]]);
  assert.match(said[0].message, /does not expand \$\{TOKEN\} in an untrusted workspace/);
  // The same text with the variables set expands them, as pip does.
  const trusted = parseRequirements('--index-url https://u:${TOKEN}@host.example/simple\n', '/p/requirements.txt', { env: { TOKEN: 'abc123' } });
  assert.equal(trusted.options[0].value, 'https://u:abc123@host.example/simple');
});
