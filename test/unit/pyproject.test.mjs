// pyproject.toml parsing: every section and form, exact source ranges (escapes, multi-line
// strings and arrays, CRLF, BOM), problems for malformed input, and a seeded mutation loop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePyproject } from '../../dist/core/python/pyproject/pyproject.js';
import { prng as rng } from '../support/prng.mjs';

// Positions computed independently of the code under test: LSP lines split at \r\n, \n and \r.
function positionAt(text, offset) {
  let line = 0;
  let start = 0;
  for (let i = 0; i < offset; i++) {
    const c = text[i];
    if (c === '\r' && text[i + 1] === '\n') continue;
    if (c === '\n' || c === '\r') {
      line++;
      start = i + 1;
    }
  }
  return { line, character: offset - start };
}

/** Range of the n-th occurrence of `needle` in `text` (the text the editor shows, no BOM). */
function rangeOf(text, needle, n = 0) {
  let at = -1;
  for (let k = 0; k <= n; k++) {
    at = text.indexOf(needle, at + 1);
    assert.ok(at >= 0, `${JSON.stringify(needle)} occurs ${n + 1} times`);
  }
  return { start: positionAt(text, at), end: positionAt(text, at + needle.length) };
}

const parse = (text) => parsePyproject(text, '/work/pyproject.toml');
const deps = (m, section) => m.dependencies.filter((d) => section === undefined || d.section === section);
const only = (m, name) => {
  const found = m.dependencies.filter((d) => d.name === name);
  assert.equal(found.length, 1, `one dependency named ${name}`);
  return found[0];
};
const codes = (m) => m.problems.map((p) => p.code);

test('project.dependencies: names, extras, specifiers, markers and their ranges', () => {
  const text = [
    '[project]',
    'name = "demo"',
    'requires-python = ">=3.9"',
    'dependencies = [',
    '  "requests[socks,security] >=2.31,<3 ; python_version >= \'3.8\'",',
    "  'flask',",
    '  "pkg @ https://example.com/pkg-1.0.tar.gz",',
    '  "vcs @ git+https://github.com/o/vcs.git@v1",',
    ']',
  ].join('\n');
  const m = parse(text);
  assert.deepEqual(m.problems, []);
  assert.equal(m.kind, 'pyproject');
  assert.equal(m.path, '/work/pyproject.toml');
  assert.deepEqual(m.requiresPython, { specifier: '>=3.9', range: rangeOf(text, '>=3.9') });
  const r = only(m, 'requests');
  assert.equal(r.section, 'project.dependencies');
  assert.equal(r.normalizedName, 'requests');
  assert.equal(r.ecosystem, 'pypi');
  assert.deepEqual(r.extras, ['socks', 'security']);
  assert.equal(r.specifier, '>=2.31,<3');
  assert.equal(r.marker, "python_version >= '3.8'");
  assert.equal(r.source, 'registry');
  assert.deepEqual(r.range, rangeOf(text, `"requests[socks,security] >=2.31,<3 ; python_version >= '3.8'"`));
  assert.deepEqual(r.nameRange, rangeOf(text, 'requests'));
  assert.deepEqual(r.extrasRange, rangeOf(text, '[socks,security]'));
  assert.deepEqual(r.specifierRange, rangeOf(text, '>=2.31,<3'));
  assert.deepEqual(r.markerRange, rangeOf(text, "python_version >= '3.8'"));
  assert.equal(r.raw, "requests[socks,security] >=2.31,<3 ; python_version >= '3.8'");
  assert.deepEqual([r.constraint, r.override, r.optional, r.editable, r.hashes], [false, false, false, false, []]);
  const f = only(m, 'flask');
  assert.deepEqual(f.range, rangeOf(text, "'flask'"));
  assert.equal(f.specifier, '');
  assert.equal(f.specifierRange, undefined);
  assert.equal(f.marker, null);
  const pkg = only(m, 'pkg');
  assert.deepEqual([pkg.source, pkg.location], ['url', 'https://example.com/pkg-1.0.tar.gz']);
  const vcs = only(m, 'vcs');
  assert.deepEqual([vcs.source, vcs.location], ['vcs', 'git+https://github.com/o/vcs.git@v1']);
});

test('ranges point into the source after escapes in basic strings', () => {
  const text = [
    '[project]',
    'dependencies = [',
    '  "\\u0066oo [b\\u0061r] >= 1.0 ; python_version >= \\"3.8\\"",',
    '  "caf\\u00e9s-x\\t; os_name == \\"nt\\"",',
    '  "\\U0001F600",',
    ']',
  ].join('\n');
  const m = parse(text);
  const foo = only(m, 'foo');
  assert.deepEqual(foo.extras, ['bar']);
  assert.deepEqual(foo.nameRange, rangeOf(text, '\\u0066oo'));
  assert.deepEqual(foo.extrasRange, rangeOf(text, '[b\\u0061r]'));
  assert.deepEqual(foo.specifierRange, rangeOf(text, '>= 1.0'));
  assert.equal(foo.marker, 'python_version >= "3.8"');
  assert.deepEqual(foo.markerRange, rangeOf(text, 'python_version >= \\"3.8\\"'));
  // é is not allowed in a name: the error underlines the source text from the escape on.
  const bad = m.problems.find((p) => p.range.start.line === 3);
  assert.ok(bad, 'a problem on the café line');
  assert.equal(bad.code, 'invalid-requirement');
  assert.ok(bad.range.start.character >= 3 && bad.range.end.character <= 38, JSON.stringify(bad.range));
  const emoji = m.problems.find((p) => p.range.start.line === 4);
  assert.deepEqual(emoji.range, rangeOf(text, '\\U0001F600'));
});

test('literal and multi-line strings map offsets exactly', () => {
  const text = [
    '[project]',
    'dependencies = [',
    "  'lit>=1 ; sys_platform == \"linux\"',",
    '  """',
    'multi>=2""",',
    "  '''",
    "mlit<3 ; python_version < '3.12''''",
    ',',
    '  """cont\\',
    '     inued>=4""",',
    ']',
  ].join('\n');
  const m = parse(text);
  assert.deepEqual(m.problems, []);
  const lit = only(m, 'lit');
  assert.deepEqual(lit.specifierRange, rangeOf(text, '>=1'));
  assert.deepEqual(lit.markerRange, rangeOf(text, 'sys_platform == "linux"'));
  const multi = only(m, 'multi');
  assert.deepEqual(multi.nameRange, rangeOf(text, 'multi'));
  assert.deepEqual(multi.specifierRange, rangeOf(text, '>=2'));
  assert.deepEqual(multi.range, rangeOf(text, '"""\nmulti>=2"""'));
  const mlit = only(m, 'mlit');
  assert.deepEqual(mlit.markerRange, rangeOf(text, "python_version < '3.12'"));
  // A line-ending backslash joins "cont" and "inued": the name spans both lines in the source.
  const cont = only(m, 'continued');
  assert.deepEqual(cont.nameRange, { start: rangeOf(text, 'cont\\').start, end: rangeOf(text, 'inued').end });
  assert.deepEqual(cont.specifierRange, rangeOf(text, '>=4'));
});

test('CRLF line endings and a BOM do not shift ranges', () => {
  const lf = '[project]\ndependencies = [\n  # pinned\n  "a>=1",\n  """\nb ; os_name == \'nt\'""",\n]\n';
  const crlf = lf.replace(/\n/g, '\r\n');
  for (const text of [lf, crlf, `\ufeff${crlf}`, `\ufeff${lf}`]) {
    const shown = text.replace(/^\ufeff/, '');
    const m = parse(text);
    assert.deepEqual(m.problems, []);
    const a = only(m, 'a');
    assert.deepEqual(a.nameRange, { start: { line: 3, character: 3 }, end: { line: 3, character: 4 } });
    assert.deepEqual(a.specifierRange, rangeOf(shown, '>=1'));
    assert.deepEqual(a.range, rangeOf(shown, '"a>=1"'));
    assert.equal(a.comment, 'pinned');
    const b = only(m, 'b');
    assert.deepEqual(b.nameRange, { start: { line: 5, character: 0 }, end: { line: 5, character: 1 } });
    assert.deepEqual(b.markerRange, rangeOf(shown, "os_name == 'nt'"));
  }
});

test('project.optional-dependencies and build-system.requires', () => {
  const text = [
    '[build-system]',
    'requires = ["setuptools>=68", "wheel"]',
    '[project.optional-dependencies]',
    'socks = ["PySocks>=1.5.6,!=1.5.7"]',
    'dev-tools = ["pytest>=7", "ruff"]',
  ].join('\n');
  const m = parse(text);
  assert.deepEqual(m.problems, []);
  assert.deepEqual(deps(m, 'build-system.requires').map((d) => d.name), ['setuptools', 'wheel']);
  assert.deepEqual(deps(m, 'project.optional-dependencies.socks').map((d) => [d.name, d.normalizedName, d.specifier, d.optional]), [['PySocks', 'pysocks', '>=1.5.6,!=1.5.7', true]]);
  assert.deepEqual(deps(m, 'project.optional-dependencies.dev-tools').map((d) => d.name), ['pytest', 'ruff']);
  assert.deepEqual(only(m, 'wheel').range, rangeOf(text, '"wheel"'));
});

test('dependency-groups: requirements, include-group records, missing groups and cycles', () => {
  const text = [
    '[dependency-groups]',
    'test = ["pytest>=8", {include-group = "Lint_Tools"}]',
    'lint-tools = ["ruff"]',
    'all = [{include-group = "test"}, {include-group = "docs"}]',
  ].join('\n');
  const m = parse(text);
  assert.deepEqual(deps(m, 'dependency-groups.test').map((d) => d.name), ['pytest']);
  assert.deepEqual(deps(m, 'dependency-groups.lint-tools').map((d) => d.name), ['ruff']);
  assert.deepEqual(m.meta.dependencyGroupIncludes, [
    { group: 'test', include: 'Lint_Tools', range: rangeOf(text, '"Lint_Tools"') },
    { group: 'all', include: 'test', range: rangeOf(text, '"test"') },
    { group: 'all', include: 'docs', range: rangeOf(text, '"docs"') },
  ]);
  assert.equal(m.problems.length, 1);
  assert.equal(m.problems[0].code, 'invalid-manifest');
  assert.deepEqual(m.problems[0].range, rangeOf(text, '"docs"'));
  assert.match(m.problems[0].message, /"all" includes "docs", but \[dependency-groups\] has no group/);

  const cyclic = ['[dependency-groups]', 'a = [{include-group = "b"}]', 'b = [{include-group = "c"}]', 'c = ["x", {include-group = "a"}]', 'self = [{include-group = "self"}]'].join('\n');
  const c = parse(cyclic);
  assert.deepEqual(codes(c), ['include-cycle', 'include-cycle']);
  assert.deepEqual(c.problems[0].range, rangeOf(cyclic, '"a"'));
  assert.match(c.problems[0].message, /a -> b -> c -> a/);
  assert.deepEqual(c.problems[1].range, rangeOf(cyclic, '"self"'));

  const bad = ['[dependency-groups]', 'x = "pytest"', 'y = [1, {include-group = 2}, {include-group = "x", extra = 1}]', 'Y = []'].join('\n');
  const b = parse(bad);
  assert.deepEqual(codes(b), ['invalid-manifest', 'invalid-manifest', 'invalid-manifest', 'invalid-manifest', 'invalid-manifest']);
  assert.match(b.problems[0].message, /^dependency-groups\.x must be an array .*, but it is a string\.$/);
  assert.match(b.problems[1].message, /^Each entry of dependency-groups\.y must be a requirement string .*, but it is a number\.$/);
  assert.match(b.problems[2].message, /^include-group in dependency-groups\.y must be a group name string, but it is a number\.$/);
  assert.match(b.problems[4].message, /"Y" is the same group as "y"/);
});

test('tool.poetry dependency forms', () => {
  const text = [
    '[tool.poetry.dependencies]',
    'python = "^3.8"',
    'requests = "^2.31"',
    '"Quoted.Name" = "~1.2.3"',
    '# with extras',
    'foo = {version = "^1.2", extras = ["a", "b"], markers = "sys_platform == \'linux\'", python = "^3.8", optional = true, source = "private"} # note',
    'bar = [',
    '  {version = "<=1.9", python = ">=3.6,<3.8"},',
    '  {version = "^2.0", python = ">=3.8"},',
    ']',
    'gitdep = {git = "https://github.com/o/gitdep.git", tag = "v1.0"}',
    'local = {path = "../local", develop = true}',
    'remote = {url = "https://example.com/remote-1.0.whl"}',
    'any = "*"',
    'plat = {version = "1.2.*", platform = "linux"}',
    'nover = {extras = ["x"]}',
  ].join('\n');
  const m = parse(text);
  assert.deepEqual(m.problems, []);
  assert.deepEqual(m.requiresPython, { specifier: '>=3.8,<4.0', range: rangeOf(text, '^3.8') });
  assert.equal(m.dependencies.find((d) => d.name === 'python'), undefined);
  const r = only(m, 'requests');
  assert.deepEqual([r.section, r.specifier, r.marker, r.source], ['tool.poetry.dependencies', '>=2.31,<3.0', null, 'registry']);
  assert.deepEqual(r.range, rangeOf(text, 'requests = "^2.31"'));
  assert.deepEqual(r.nameRange, rangeOf(text, 'requests'));
  assert.deepEqual(r.specifierRange, rangeOf(text, '^2.31'));
  assert.equal(r.raw, 'requests = "^2.31"');
  const q = only(m, 'Quoted.Name');
  assert.deepEqual([q.normalizedName, q.specifier], ['quoted-name', '>=1.2.3,<1.3.0']);
  assert.deepEqual(q.nameRange, rangeOf(text, 'Quoted.Name'));
  const foo = only(m, 'foo');
  assert.equal(foo.specifier, '>=1.2,<2.0');
  assert.deepEqual(foo.extras, ['a', 'b']);
  assert.deepEqual(foo.extrasRange, rangeOf(text, '["a", "b"]'));
  assert.equal(foo.marker, 'sys_platform == \'linux\' and python_version >= "3.8" and python_version < "4.0"');
  assert.deepEqual(foo.markerRange, rangeOf(text, "sys_platform == 'linux'"));
  assert.equal(foo.optional, true);
  assert.equal(foo.comment, 'with extras\nnote');
  assert.deepEqual(m.meta.poetrySources, { foo: 'private' });
  const bars = m.dependencies.filter((d) => d.name === 'bar');
  assert.deepEqual(bars.map((d) => [d.specifier, d.marker]), [
    ['<=1.9', 'python_version >= "3.6" and python_version < "3.8"'],
    ['>=2.0,<3.0', 'python_version >= "3.8"'],
  ]);
  assert.deepEqual(bars[0].range, rangeOf(text, '{version = "<=1.9", python = ">=3.6,<3.8"}'));
  assert.deepEqual(bars[1].specifierRange, rangeOf(text, '^2.0'));
  assert.deepEqual(bars[1].markerRange, rangeOf(text, '>=3.8'));
  assert.deepEqual(bars[1].nameRange, rangeOf(text, 'bar'));
  const g = only(m, 'gitdep');
  assert.deepEqual([g.source, g.location, g.specifier], ['vcs', 'https://github.com/o/gitdep.git@v1.0', '']);
  assert.deepEqual([only(m, 'local').source, only(m, 'local').location], ['path', '../local']);
  assert.deepEqual([only(m, 'remote').source, only(m, 'remote').location], ['url', 'https://example.com/remote-1.0.whl']);
  assert.deepEqual([only(m, 'any').specifier, only(m, 'any').specifierRange], ['', rangeOf(text, '*')]);
  assert.deepEqual([only(m, 'plat').specifier, only(m, 'plat').marker], ['==1.2.*', 'sys_platform == "linux"']);
  assert.deepEqual([only(m, 'nover').specifier, only(m, 'nover').extras], ['', ['x']]);
});

test('tool.poetry groups, dev-dependencies and header-defined dependency tables', () => {
  const text = [
    '[tool.poetry.dependencies]',
    'python = ">=3.9,<4.0"',
    '[tool.poetry.dependencies.table-form]',
    'version = ">=1.0,!=1.5"',
    '[tool.poetry.dev-dependencies]',
    'pytest = "^7.0"',
    'python = "^3.10"',
    '[tool.poetry.group.docs]',
    'optional = true',
    '[tool.poetry.group.docs.dependencies]',
    'sphinx = "^7"',
    '[tool.poetry.group.lint.dependencies]',
    'ruff = ">=0.1"',
  ].join('\n');
  const m = parse(text);
  assert.deepEqual(m.problems, []);
  assert.deepEqual(m.dependencies.map((d) => [d.section, d.name, d.specifier]), [
    ['tool.poetry.dependencies', 'table-form', '>=1.0,!=1.5'],
    ['tool.poetry.dev-dependencies', 'pytest', '>=7.0,<8.0'],
    ['tool.poetry.group.docs.dependencies', 'sphinx', '>=7,<8'],
    ['tool.poetry.group.lint.dependencies', 'ruff', '>=0.1'],
  ]);
  assert.deepEqual(only(m, 'table-form').range, rangeOf(text, '[tool.poetry.dependencies.table-form]'));
  assert.equal(m.requiresPython.specifier, '>=3.9,<4.0');
});

test('project.requires-python wins over the poetry python dependency', () => {
  const m = parse('[project]\nrequires-python = ">=3.10"\n[tool.poetry.dependencies]\npython = "^3.8"\n');
  assert.equal(m.requiresPython.specifier, '>=3.10');
  const n = parse('[tool.poetry.dependencies]\npython = "^2.7 || ^3.6"\n');
  assert.equal(n.requiresPython.specifier, '>=2.7, !=3.0.*, !=3.1.*, !=3.2.*, !=3.3.*, !=3.4.*, !=3.5.*');
});

test('poetry constraint problems', () => {
  const text = [
    '[tool.poetry.dependencies]',
    'union = "1.0 || 2.0"',
    'garbage = "latest"',
    'local = "^1.2.3+local"',
    'num = 3',
    'typed = {version = 2, optional = "yes", extras = "a"}',
    'typo = {verison = "1.0"}',
    'badmarker = {version = "1", markers = "python_version >> \'3\'"}',
    'badpython = {version = "1", python = "three"}',
  ].join('\n');
  const m = parse(text);
  const byLine = (line) => m.problems.filter((p) => p.range.start.line === line);
  const union = byLine(1);
  assert.deepEqual(union.map((p) => [p.code, p.severity, p.package]), [['invalid-specifier', 'warning', 'union']]);
  assert.deepEqual(union[0].range, rangeOf(text, '"1.0 || 2.0"'));
  assert.match(union[0].message, /as if any version were allowed\.$/);
  assert.deepEqual(only(m, 'union').specifier, '');
  assert.deepEqual(byLine(2).map((p) => [p.code, p.severity]), [['invalid-specifier', 'error']]);
  assert.deepEqual(byLine(3).map((p) => p.code), ['invalid-specifier']);
  assert.match(byLine(3)[0].message, /Poetry turns "\^1\.2\.3\+local" into ">=1\.2\.3\+local,<2\.0\.0", which is not a valid PEP 440 specifier/);
  assert.deepEqual(byLine(4).map((p) => p.message), ['tool.poetry.dependencies.num must be a version constraint string, a table such as {version = "^1.2"} or an array of such tables, but it is a number.']);
  assert.deepEqual(byLine(5).map((p) => p.message), [
    'tool.poetry.dependencies.typed.version must be a string, but it is a number.',
    'tool.poetry.dependencies.typed.optional must be true or false, but it is a string.',
    'tool.poetry.dependencies.typed.extras must be an array of strings, but it is a string.',
  ]);
  assert.deepEqual(byLine(6).map((p) => [p.code, p.severity]), [['invalid-manifest', 'warning']]);
  assert.deepEqual(byLine(6)[0].range, rangeOf(text, 'verison'));
  assert.deepEqual(byLine(7).map((p) => p.code), ['invalid-marker']);
  assert.ok(byLine(7)[0].range.start.character >= rangeOf(text, "python_version >> '3'").start.character);
  assert.deepEqual(byLine(8).map((p) => p.code), ['invalid-specifier']);
  assert.deepEqual(m.dependencies.map((d) => d.name), ['union', 'typo']);
});

test('tool.uv sections and index options', () => {
  const text = [
    '[tool.uv]',
    'dev-dependencies = ["pytest>=8"]',
    'constraint-dependencies = ["urllib3<2"]',
    'override-dependencies = ["werkzeug==2.3.0"]',
    'index-url = "https://mirror.example/simple"',
    'extra-index-url = ["https://extra.example/simple", 5]',
    '[[tool.uv.index]]',
    'name = "pytorch"',
    'url = "https://download.pytorch.org/whl/cpu"',
    'explicit = true',
    '[[tool.uv.index]]',
    'url = "https://internal.example/simple"',
    'default = true',
    '[[tool.uv.index]]',
    'name = "broken"',
  ].join('\n');
  const m = parse(text);
  assert.deepEqual(m.dependencies.map((d) => [d.section, d.name, d.constraint, d.override]), [
    ['tool.uv.dev-dependencies', 'pytest', false, false],
    ['tool.uv.constraint-dependencies', 'urllib3', true, false],
    ['tool.uv.override-dependencies', 'werkzeug', false, true],
  ]);
  assert.deepEqual(m.options, [
    { name: 'index-url', value: 'https://mirror.example/simple', range: rangeOf(text, '"https://mirror.example/simple"') },
    { name: 'extra-index-url', value: 'https://extra.example/simple', range: rangeOf(text, '"https://extra.example/simple"') },
    { name: 'uv-index', value: 'https://download.pytorch.org/whl/cpu', range: rangeOf(text, '"https://download.pytorch.org/whl/cpu"') },
    { name: 'uv-index', value: 'https://internal.example/simple', range: rangeOf(text, '"https://internal.example/simple"') },
  ]);
  assert.deepEqual(m.meta.uvIndexes, [
    { name: 'pytorch', url: 'https://download.pytorch.org/whl/cpu', default: false, explicit: true },
    { url: 'https://internal.example/simple', default: true, explicit: false },
  ]);
  assert.deepEqual(m.problems.map((p) => p.message), [
    'Each entry of tool.uv.extra-index-url must be an index URL string, but it is a number.',
    'Each [[tool.uv.index]] needs a url, such as url = "https://pypi.org/simple".',
  ]);
  assert.deepEqual(m.problems[0].range, rangeOf(text, '5'));
  const inline = parse('[tool.uv]\nindex = [{name = "a", url = "https://a.example/simple"}]\n');
  assert.deepEqual(inline.meta.uvIndexes, [{ name: 'a', url: 'https://a.example/simple', default: false, explicit: false }]);
});

test('PEP 508 problems are classified and located', () => {
  const text = [
    '[project]',
    'dependencies = [',
    '  "bad name",',
    '  "x>=1.0.*",',
    '  "y ; python_version >> \'3\'",',
    '  "z[",',
    '  "",',
    '  42,',
    ']',
  ].join('\n');
  const m = parse(text);
  assert.deepEqual(m.dependencies, []);
  assert.deepEqual(codes(m), ['invalid-requirement', 'invalid-specifier', 'invalid-marker', 'invalid-requirement', 'invalid-requirement', 'invalid-manifest']);
  assert.deepEqual(m.problems[0].range, rangeOf(text, 'name'));
  const spec = m.problems[1].range;
  assert.equal(spec.start.line, 3);
  assert.ok(spec.start.character >= 4 && spec.end.character <= 11);
  assert.equal(m.problems[2].range.start.line, 4);
  assert.ok(m.problems[2].range.start.character >= rangeOf(text, 'python_version').start.character);
  assert.equal(m.problems[5].message, 'Each entry of project.dependencies must be a PEP 508 requirement string such as "requests>=2.31", but it is a number.');
  for (const p of m.problems) assert.equal(p.severity, 'error');
});

test('wrong types are invalid-manifest with a sentence naming the key', () => {
  const cases = [
    ['project = 1', '[project] must be a table, but it is a number.'],
    ['[project]\ndependencies = "requests"', 'project.dependencies must be an array of PEP 508 requirement strings, such as ["requests>=2.31"], but it is a string.'],
    ['[project]\noptional-dependencies = ["a"]', 'project.optional-dependencies must be a table of extra names to arrays of requirement strings, but it is an array.'],
    ['[project.optional-dependencies]\nx = {a = 1}', 'project.optional-dependencies.x must be an array of PEP 508 requirement strings, such as ["requests>=2.31"], but it is a table.'],
    ['[project]\nrequires-python = 3.9', 'project.requires-python must be a version specifier string such as ">=3.9", but it is a number.'],
    ['[build-system]\nrequires = true', 'build-system.requires must be an array of PEP 508 requirement strings, such as ["requests>=2.31"], but it is a boolean.'],
    ['dependency-groups = []', '[dependency-groups] must be a table of group names to arrays, but it is an array.'],
    ['[tool]\npoetry = "x"', '[tool.poetry] must be a table, but it is a string.'],
    ['[tool.poetry]\ndependencies = ["a"]', 'tool.poetry.dependencies must be a table of package names to version constraints, but it is an array.'],
    ['[tool.poetry.group]\ndev = 1', 'tool.poetry.group.dev must be a table with a dependencies table, but it is a number.'],
    ['[tool.uv]\ndev-dependencies = {a = "1"}', 'tool.uv.dev-dependencies must be an array of PEP 508 requirement strings, such as ["requests>=2.31"], but it is a table.'],
    ['[tool.uv]\nindex-url = 1979-05-27', 'tool.uv.index-url must be an index URL string, but it is a date or time.'],
    ['[tool.uv]\nindex = "x"', 'tool.uv.index must be an array of tables ([[tool.uv.index]] entries), but it is a string.'],
    ['[project]\nrequires-python = ">=3.9,<"', null],
  ];
  for (const [text, message] of cases) {
    const m = parse(text);
    assert.equal(m.problems.length, 1, `${text}: ${JSON.stringify(m.problems)}`);
    if (message === null) assert.equal(m.problems[0].code, 'invalid-specifier');
    else assert.deepEqual([m.problems[0].code, m.problems[0].message], ['invalid-manifest', message], text);
  }
});

test('TOML syntax errors become one syntax-error problem and no dependencies', () => {
  const cases = [
    ['[project]\ndependencies = ["a",\n', 1],
    ['[project]\nname = "x\ndependencies = []', 1],
    ['a = 1\na = 2', 1],
    ['[project]\ndependencies = ["ok"]\n= 3', 2],
    ['[project\ndependencies = []', 1],
    ['\ufeffkey = ', 0],
  ];
  for (const [text, line] of cases) {
    const m = parse(text);
    assert.deepEqual(m.dependencies, [], text);
    assert.equal(m.problems.length, 1, text);
    const p = m.problems[0];
    assert.deepEqual([p.code, p.severity], ['syntax-error', 'error']);
    assert.equal(p.range.start.line, line, `${JSON.stringify(text)}: ${p.message}`);
    assert.ok(p.range.end.character > p.range.start.character, `${JSON.stringify(text)}: a visible range`);
    assert.match(p.message, /^This is not valid TOML: [A-Z].+\. Dependencies are checked once the file parses\.$/);
  }
});

test('comments above and after a value become the dependency comment', () => {
  const text = [
    '[project]',
    '# about the list',
    'dependencies = [',
    '  # first line',
    '  #second line',
    '  "a",  # trailing a',
    '',
    '  # separated by a blank line from nothing',
    '',
    '  "b", "c", # belongs to c',
    '  "d",',
    ']',
  ].join('\n');
  const m = parse(text);
  assert.deepEqual(m.dependencies.map((d) => [d.name, d.comment]), [
    ['a', 'first line\nsecond line\ntrailing a'],
    ['b', undefined],
    ['c', 'belongs to c'],
    ['d', undefined],
  ]);
  const inline = parse('[project]\n# deps\ndependencies = ["x"]\n');
  assert.equal(inline.dependencies[0].comment, undefined);
});

const SEED_DOC = [
  '[build-system]',
  'requires = ["setuptools>=68", "wheel"]',
  '[project]',
  'requires-python = ">=3.9"',
  'dependencies = [',
  '  # comment',
  '  "requests[socks]>=2.31,<3 ; python_version >= \\"3.8\\"",',
  "  'flask @ https://example.com/f.whl',",
  '  """',
  'multi>=1""",',
  ']',
  '[project.optional-dependencies]',
  'x = ["pytest"]',
  '[dependency-groups]',
  'a = ["ruff", {include-group = "b"}]',
  'b = [{include-group = "a"}]',
  '[tool.poetry.dependencies]',
  'python = "^3.8"',
  'foo = {version = "^1.2", extras = ["a"], markers = "os_name == \'nt\'", python = "~3.9"}',
  'bar = [{version = "<=1.9", python = ">=3.6,<3.8"}, {version = "^2.0"}]',
  'u = "1.0 || 2.0"',
  '[tool.uv]',
  'index-url = "https://x/simple"',
  'constraint-dependencies = ["c<2"]',
  '[[tool.uv.index]]',
  'url = "https://y/simple"',
].join('\r\n');

const FRAGMENTS = ['"', "'", '"""', '[', ']', '{', '}', '=', ',', '\n', '\r\n', '#', '\\', '\\u00e9', '\\"', ';', '@', '^', '~', '||', '*', '>=', '[[', ']]', '.', 'x', '1', ' ', '\ufeff', 'true', 'include-group', 'python', 'version'];

// Inside a string value: keeps the TOML valid, so the PEP 508 / poetry readers see odd input.
const VALUE_FRAGMENTS = ['>=', '<', '!=', '~=', '==', '.*', '^', '~', '||', ',', ';', ' and ', ' or ', 'python_version', "'3.8'", '[', ']', '@', ' ', '1', 'a', '+', '!', '(', ')', '\\u00e9', '\\"', '\\t', 'x'];

function mutateValue(doc, random) {
  const quotes = [];
  for (let i = 0; i < doc.length; i++) if (doc[i] === '"' && doc[i - 1] !== '\\') quotes.push(i);
  const q = quotes[Math.floor(random() * quotes.length)];
  const fragment = VALUE_FRAGMENTS[Math.floor(random() * VALUE_FRAGMENTS.length)];
  const cut = random() < 0.3 ? Math.floor(random() * 4) : 0;
  return doc.slice(0, q + 1) + fragment + doc.slice(q + 1 + cut);
}

function mutate(doc, random) {
  let text = doc;
  if (random() < 0.5) {
    for (let i = 1 + Math.floor(random() * 3); i > 0; i--) text = mutateValue(text, random);
    return text;
  }
  const edits = 1 + Math.floor(random() * 3);
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(random() * (text.length + 1));
    const kind = random();
    if (kind < 0.4) text = text.slice(0, at) + FRAGMENTS[Math.floor(random() * FRAGMENTS.length)] + text.slice(at);
    else if (kind < 0.7) text = text.slice(0, at) + text.slice(at + 1 + Math.floor(random() * 6));
    else if (kind < 0.85) text = text.slice(0, at) + String.fromCharCode(Math.floor(random() * 0x3000)) + text.slice(at);
    else {
      const from = Math.floor(random() * text.length);
      text = text.slice(0, at) + text.slice(from, from + Math.floor(random() * 30)) + text.slice(at);
    }
  }
  return text;
}

function assertRangeInside(range, lines, what) {
  for (const pos of [range.start, range.end]) {
    assert.ok(Number.isInteger(pos.line) && pos.line >= 0 && pos.line < lines.length, `${what}: line ${pos.line}`);
    assert.ok(Number.isInteger(pos.character) && pos.character >= 0 && pos.character <= lines[pos.line].length, `${what}: character`);
  }
  assert.ok(range.start.line < range.end.line || (range.start.line === range.end.line && range.start.character <= range.end.character), `${what}: start after end`);
}

test('5,000 seeded mutations never throw and keep every range inside the document', () => {
  const random = rng(20240611);
  assert.equal(parse(SEED_DOC).problems.filter((p) => p.code === 'syntax-error').length, 0);
  let parsedWithDependencies = 0;
  for (let i = 0; i < 5000; i++) {
    const text = mutate(SEED_DOC, random);
    let m;
    try {
      m = parse(text);
    } catch (e) {
      assert.fail(`mutation ${i} threw ${e && e.stack}\n${JSON.stringify(text)}`);
    }
    const lines = text.replace(/^\ufeff/, '').split(/\r\n|\n|\r/);
    for (const d of m.dependencies) {
      for (const key of ['range', 'nameRange', 'extrasRange', 'specifierRange', 'markerRange']) if (d[key]) assertRangeInside(d[key], lines, `mutation ${i} ${d.name}.${key}`);
      assert.equal(typeof d.specifier, 'string');
    }
    for (const p of m.problems) {
      assertRangeInside(p.range, lines, `mutation ${i} problem ${p.code}`);
      assert.ok(p.message.length > 10);
    }
    if (m.dependencies.length > 0) parsedWithDependencies++;
  }
  // The loop must exercise the section readers, not only the TOML syntax-error path.
  assert.ok(parsedWithDependencies > 1000, `only ${parsedWithDependencies} mutations parsed`);
});

test('tool.poetry multiple-constraint dependencies written as arrays of tables ([[tool.poetry.dependencies.numpy]])', () => {
  const text = [
    '[tool.poetry.dependencies]',
    'python = "^3.9"',
    'requests = "^2.31"',
    '',
    '# old Pythons',
    '[[tool.poetry.dependencies.numpy]]',
    'version = "<1.25"',
    'python = "<3.10"',
    '',
    '[[tool.poetry.dependencies.numpy]]',
    'version = "^1.26"',
    'python = ">=3.10"',
    'markers = "sys_platform == \'linux\'"',
    '',
    '[[tool.poetry.group.dev.dependencies.pytest]]',
    'version = "^8"',
    'extras = ["x"]',
    '',
    '[[tool.poetry.dependencies.bad]]',
    'version = 3',
    '',
  ].join('\n');
  const m = parse(text);
  const numpy = m.dependencies.filter((d) => d.name === 'numpy');
  assert.deepEqual(numpy.map((d) => [d.section, d.specifier, d.marker]), [
    ['tool.poetry.dependencies', '<1.25', 'python_version < "3.10"'],
    ['tool.poetry.dependencies', '>=1.26,<2.0', 'sys_platform == \'linux\' and python_version >= "3.10"'],
  ]);
  // Each block is its own requirement: its header through its last key, its name on its own header.
  assert.deepEqual(numpy[0].range, rangeOf(text, '[[tool.poetry.dependencies.numpy]]\nversion = "<1.25"\npython = "<3.10"'));
  assert.deepEqual(numpy[1].range, rangeOf(text, '[[tool.poetry.dependencies.numpy]]\nversion = "^1.26"\npython = ">=3.10"\nmarkers = "sys_platform == \'linux\'"'));
  assert.deepEqual(numpy[0].nameRange, rangeOf(text, 'numpy', 0));
  assert.deepEqual(numpy[1].nameRange, rangeOf(text, 'numpy', 1));
  assert.deepEqual(numpy[1].specifierRange, rangeOf(text, '^1.26'));
  assert.deepEqual(numpy[1].markerRange, rangeOf(text, "sys_platform == 'linux'"));
  const pytest = m.dependencies.filter((d) => d.name === 'pytest');
  assert.deepEqual(pytest.map((d) => [d.section, d.specifier, d.extras]), [['tool.poetry.group.dev.dependencies', '>=8,<9', ['x']]]);
  // A block with a wrong value is reported on that value; the others still count.
  assert.deepEqual(m.problems.map((p) => [p.code, p.message]), [['invalid-manifest', 'tool.poetry.dependencies.bad.version must be a string, but it is a number.']]);
  assert.equal(m.dependencies.some((d) => d.name === 'bad'), false);
});
