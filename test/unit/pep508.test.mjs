// PEP 508 requirement strings: real Requires-Dist values, hand-checked spans, malformed input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { parsePep508, normalizeName, validateMarkerText } from '../../dist/core/python/versions/pep508.js';

const SNAPSHOT = new URL('../fixtures/pypi', import.meta.url).pathname;

/** The text each span of a parsed requirement covers, so expectations read like the input. */
function spans(text, r) {
  const cut = (s, e) => (s === undefined ? undefined : text.slice(s, e));
  return {
    name: cut(r.nameStart, r.nameEnd),
    extras: cut(r.extrasStart, r.extrasEnd),
    specifier: cut(r.specifierStart, r.specifierEnd),
    url: cut(r.urlStart, r.urlEnd),
    marker: cut(r.markerStart, r.markerEnd),
  };
}

test('every requires_dist string in the PyPI snapshot parses', () => {
  let count = 0;
  for (const file of readdirSync(SNAPSHOT).filter((f) => f.endsWith('.json'))) {
    const data = JSON.parse(readFileSync(`${SNAPSHOT}/${file}`, 'utf8'));
    for (const [version, info] of Object.entries(data.versions)) {
      for (const req of info.requires_dist ?? []) {
        const result = parsePep508(req);
        assert.ok(result.ok, `${data.name} ${version}: ${JSON.stringify(req)}: ${result.message}`);
        assert.equal(normalizeName(result.requirement.name), normalizeName(req.split(/[ \t[(<>=!~;@]/)[0]));
        count++;
      }
    }
  }
  assert.ok(count > 1000, `only ${count} requirement strings found`);
});

const GOOD = [
  {
    text: 'requests',
    want: { name: 'requests', extras: [], specifier: '', marker: null, url: undefined },
    spans: { name: 'requests' },
  },
  {
    text: 'aiohttp<4.0.0,>=3.11.18',
    want: { name: 'aiohttp', extras: [], specifier: '<4.0.0,>=3.11.18', marker: null },
    spans: { name: 'aiohttp', specifier: '<4.0.0,>=3.11.18' },
  },
  {
    text: 'foo >= 1.0 ,< 2',
    want: { name: 'foo', extras: [], specifier: '>=1.0,<2', marker: null },
    spans: { name: 'foo', specifier: '>= 1.0 ,< 2' },
  },
  {
    text: 'uvicorn[standard]>=0.30; extra == "server"',
    want: { name: 'uvicorn', extras: ['standard'], specifier: '>=0.30', marker: 'extra == "server"' },
    spans: { name: 'uvicorn', extras: '[standard]', specifier: '>=0.30', marker: 'extra == "server"' },
  },
  {
    text: 'httpx[ http2 , socks ] (>=0.26, <0.29) ; python_version >= "3.9"  ',
    want: { name: 'httpx', extras: ['http2', 'socks'], specifier: '>=0.26,<0.29', marker: 'python_version >= "3.9"' },
    spans: { name: 'httpx', extras: '[ http2 , socks ]', specifier: '>=0.26, <0.29', marker: 'python_version >= "3.9"' },
  },
  {
    text: '  Zope.Interface==5.*',
    want: { name: 'Zope.Interface', extras: [], specifier: '==5.*', marker: null },
    spans: { name: 'Zope.Interface', specifier: '==5.*' },
  },
  {
    text: 'pip @ https://github.com/pypa/pip/archive/1.3.1.zip#sha1=da9234ee9982d4bbb3c72346a6de940a148ea686',
    want: { name: 'pip', extras: [], specifier: '', marker: null, url: 'https://github.com/pypa/pip/archive/1.3.1.zip#sha1=da9234ee9982d4bbb3c72346a6de940a148ea686' },
    spans: { name: 'pip', url: 'https://github.com/pypa/pip/archive/1.3.1.zip#sha1=da9234ee9982d4bbb3c72346a6de940a148ea686' },
  },
  {
    text: 'name[quux]@ git+https://g.example/n.git@v1 ; os_name=="a"',
    want: { name: 'name', extras: ['quux'], specifier: '', marker: 'os_name=="a"', url: 'git+https://g.example/n.git@v1' },
    spans: { name: 'name', extras: '[quux]', url: 'git+https://g.example/n.git@v1', marker: 'os_name=="a"' },
  },
  {
    // Without whitespace the URL runs on through the ';', exactly as packaging reads it.
    text: 'foo @ http://x;os_name=="a"',
    want: { name: 'foo', extras: [], specifier: '', marker: null, url: 'http://x;os_name=="a"' },
    spans: { name: 'foo', url: 'http://x;os_name=="a"' },
  },
  {
    text: 'typing-extensions>=4.0; python_version < "3.11" and (sys_platform == "win32" or extra == "Dev_Tools")',
    want: { name: 'typing-extensions', extras: [], specifier: '>=4.0', marker: 'python_version < "3.11" and (sys_platform == "win32" or extra == "Dev_Tools")' },
    spans: { name: 'typing-extensions', specifier: '>=4.0', marker: 'python_version < "3.11" and (sys_platform == "win32" or extra == "Dev_Tools")' },
  },
  {
    text: 'foo===1.0,<2',
    want: { name: 'foo', extras: [], specifier: '===1.0,<2', marker: null },
    spans: { name: 'foo', specifier: '===1.0,<2' },
  },
  {
    text: 'foo[]()',
    want: { name: 'foo', extras: [], specifier: '', marker: null },
    spans: { name: 'foo', extras: '[]' },
  },
  {
    // packaging's tokenizer accepts a trailing '_' and a final newline.
    text: 'foo_>=1,\n',
    want: { name: 'foo_', extras: [], specifier: '>=1', marker: null },
    spans: { name: 'foo_', specifier: '>=1' },
  },
  {
    text: 'six ;python_version<"3"',
    want: { name: 'six', extras: [], specifier: '', marker: 'python_version<"3"' },
    spans: { name: 'six', marker: 'python_version<"3"' },
  },
];

for (const { text, want, spans: wantSpans } of GOOD) {
  test(`parses ${JSON.stringify(text)}`, () => {
    const result = parsePep508(text);
    assert.ok(result.ok, result.message);
    const r = result.requirement;
    assert.deepEqual({ name: r.name, extras: r.extras, specifier: r.specifier, marker: r.marker, url: r.url }, { url: undefined, ...want });
    const got = spans(text, r);
    for (const key of Object.keys(got)) assert.equal(got[key], wantSpans[key], `${key} span`);
    if (r.marker !== null) assert.ok(r.markerTree, 'marker tree present');
  });
}

const BAD = [
  { text: 'foo 1.0', message: /Expected a version specifier such as '>=1.0' after 'foo'/, span: '1.0' },
  { text: 'foo[bar] 1.0', message: /after 'foo\[bar\]'/, span: '1.0' },
  { text: 'foo[bar', message: /Expected '\]' to close the extras/, span: '[bar' },
  { text: 'foo[bar baz]', message: /Expected ',' between extra names/, span: 'baz' },
  { text: 'foo[bar,]', message: /Expected an extra name after ','/, span: ']' },
  { text: 'foo[bar!]', message: /Expected '\]' to close the extras/, span: '!' },
  { text: 'foo (>=1.0', message: /Expected ',' or '\)' to close the version specifier/, span: '(>=1.0' },
  { text: 'foo>=1.0abc', message: /'>=1\.0abc' is not a valid version specifier/, span: '>=1.0abc' },
  { text: 'foo>=1.0 <2', message: /Expected ',' between version specifiers, or ';' before a marker/, span: '<2' },
  { text: 'foo=>1.0', message: /'=>1\.0' uses '=>'; the operator is '>='/, span: '=>1.0' },
  { text: 'foo>=', message: /'>=' needs a version after it, as in '>=1\.0'/, span: '>=' },
  { text: 'foo>=1.*', message: /'\.\*' suffix can only be used with the == and != operators/, span: '>=1.*' },
  { text: 'foo<=1.0+local', message: /local version label/, span: '<=1.0+local' },
  { text: 'foo===1.0,>=1.*', message: /'>=1\.\*' is not a valid version specifier/, span: '>=1.*' },
  { text: '', message: /Expected a package name/, span: '' },
  { text: '>=1.0', message: /Expected a package name/, span: '>=1.0' },
  { text: '-foo', message: /Expected a package name/, span: '-foo' },
  { text: 'foo-', message: /Expected a version specifier/, span: '-' },
  { text: 'foo @', message: /Expected a URL after '@'/, span: '@' },
  { text: 'foo @ http://x os_name=="a"', message: /Expected ';' before the marker after the URL/, span: 'os_name=="a"' },
  { text: 'foo;', message: /Expected a marker variable/, span: ';' },
  { text: 'foo; python_version = "3"', message: /Expected a comparison operator/, span: '=' },
  { text: 'foo; pyhton_version < "3"', message: /Unknown marker variable 'pyhton_version'/, span: 'pyhton_version' },
  { text: 'foo; python_version < "3', message: /Unterminated string/, span: '"3' },
  { text: 'foo; os_name == "a" and', message: /Expected a marker variable/, span: 'd' },
  { text: 'foo; (os_name == "a"', message: /Expected '\)' to close/, span: '"' },
  { text: 'foo; os_name not "a"', message: /Expected 'in' after 'not'/, span: 'not "a"' },
  { text: 'foo; os_name == "a" extra', message: /Expected 'and', 'or' or the end of the marker/, span: 'extra' },
  { text: 'foo; os_name == "\\x4"', message: /invalid escape/, span: '"\\x4"' },
];

for (const { text, message, span } of BAD) {
  test(`rejects ${JSON.stringify(text)}`, () => {
    const result = parsePep508(text);
    assert.equal(result.ok, false, 'should not parse');
    assert.match(result.message, message);
    assert.equal(text.slice(result.start, result.end), span);
    if (text.length > 0) assert.ok(result.end > result.start, 'span is not empty');
  });
}

test('normalizeName follows PEP 503', () => {
  assert.equal(normalizeName('Foo.Bar__baz--QUX'), 'foo-bar-baz-qux');
  assert.equal(normalizeName('zope.interface'), 'zope-interface');
  assert.equal(normalizeName('a'), 'a');
});

test('validateMarkerText reports spans', () => {
  assert.deepEqual(validateMarkerText('python_version >= "3.8" and os_name == "nt"'), { ok: true });
  const bad = validateMarkerText('python_version >= 3.8');
  assert.equal(bad.ok, false);
  assert.equal('python_version >= 3.8'.slice(bad.start, bad.end), '3.8');
  assert.match(bad.message, /quote it/);
});

test('never throws on hostile input', () => {
  const inputs = ['('.repeat(20000) + 'x', 'foo;' + '('.repeat(20000), '\u0000', '\ud800', 'foo[' + 'a,'.repeat(10000), 'foo;"\\N{BULLET}"=="x"'];
  for (const text of inputs) {
    const result = parsePep508(text);
    assert.equal(typeof result.ok, 'boolean');
  }
});
