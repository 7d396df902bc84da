// Simple-API page parsing (PEP 691 JSON, PEP 503 HTML), distribution filenames, merging pages and
// core metadata headers, on tables of real and malformed input.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mergePages } from '../../dist/core/python/index/pypi.js';
import { parseDistFilename, parseHtmlPage, parseJsonPage } from '../../dist/core/python/index/simpleIndex.js';
import { parseCoreMetadata } from '../../dist/core/python/index/coreMetadata.js';

describe('simple index parsing', () => {
  test('distribution filenames', () => {
    const cases = [
      ['realtime-2.4.3-py3-none-any.whl', 'realtime', { kind: 'wheel', version: '2.4.3', tags: 'py3-none-any' }],
      ['typing_extensions-4.12.2-1-py3-none-any.whl', 'typing-extensions', { kind: 'wheel', version: '4.12.2', tags: 'py3-none-any' }],
      ['Pillow-10.0.0-cp311-cp311-manylinux_2_28_x86_64.whl', 'pillow', { kind: 'wheel', version: '10.0.0', tags: 'cp311-cp311-manylinux_2_28_x86_64' }],
      ['python-dateutil-2.9.0.post0.tar.gz', 'python-dateutil', { kind: 'sdist', version: '2.9.0.post0' }],
      ['python_dateutil-2.9.0.post0.tar.gz', 'python-dateutil', { kind: 'sdist', version: '2.9.0.post0' }],
      ['zope.interface-6.0.zip', 'zope-interface', { kind: 'sdist', version: '6.0' }],
      ['other-1.0-py3-none-any.whl', 'realtime', undefined],
      ['realtime-1.0.egg', 'realtime', undefined],
      ['realtime-1.0-py3-any.whl', 'realtime', undefined],
      ['realtime.tar.gz', 'realtime', undefined],
    ];
    for (const [filename, project, expected] of cases) assert.deepEqual(parseDistFilename(filename, project), expected, filename);
  });

  test('HTML: entities, valueless and legacy attributes, base href, comments, broken tags', () => {
    const page = parseHtmlPage(
      `<!DOCTYPE html><html><head><base href="https://files.example/pkgs/"><meta name="pypi:repository-version" content="1.0"></head><body>
       <!-- <a href="x-9.9-py3-none-any.whl">commented out</a> -->
       <a href="x-1.0-py3-none-any.whl#sha256=ABCDEF" data-requires-python="&gt;=3.8,&#60;4" data-yanked data-dist-info-metadata="sha256=00ff">x-1.0-py3-none-any.whl</a>
       <a href='x-1.1.tar.gz' data-yanked='bad &amp; wrong' data-core-metadata="true">x-1.1.tar.gz</a>
       <A HREF=x-1.2-py3-none-any.whl data-core-metadata>x</A>
       </body></html>`,
      'https://index.example/simple/x/',
      'x',
      'https://index.example/simple',
    );
    const [a, b, c] = page.files;
    assert.equal(page.files.length, 3);
    assert.deepEqual([a.url, a.hashes, a.requiresPython, a.yanked, a.yankedReason, a.metadata], ['https://files.example/pkgs/x-1.0-py3-none-any.whl', { sha256: 'abcdef' }, '>=3.8,<4', true, undefined, { hashes: { sha256: '00ff' } }]);
    assert.deepEqual([b.kind, b.yanked, b.yankedReason, b.metadata], ['sdist', true, 'bad & wrong', { hashes: {} }]);
    assert.deepEqual([c.version, c.metadata], ['1.2', undefined]);
    for (const broken of ['<a href="x-1.0.tar.gz', 'plain text, no markup', '<html><a href=x-1.0.tar.gz data-x="unclosed>x</a>']) {
      assert.throws(() => parseHtmlPage(broken, 'https://i.example/simple/x/', 'x', 'i'), { name: 'SimpleIndexError' }, broken);
    }
    assert.throws(() => parseHtmlPage('<html><meta name="pypi:repository-version" content="2.0"></html>', 'https://i.example/', 'x', 'i'), /version 2\.0/);
  });

  test('JSON: yanked forms, metadata keys, versions, api version', () => {
    const page = parseJsonPage(
      JSON.stringify({
        meta: { 'api-version': '1.1' },
        name: 'x',
        versions: ['1.0', '1.1', '1.2'],
        files: [
          { filename: 'x-1.0-py3-none-any.whl', url: '../../f/x-1.0-py3-none-any.whl', hashes: { sha256: 'AB' }, yanked: 'bad', 'dist-info-metadata': { sha256: 'cd' } },
          { filename: 'x-1.1.tar.gz', url: 'https://f.example/x-1.1.tar.gz', hashes: {}, yanked: true, 'core-metadata': false, 'dist-info-metadata': true },
          { filename: 'x-1.2.tar.gz', url: 'https://f.example/x-1.2.tar.gz', hashes: {}, yanked: '', 'requires-python': '>=3.9' },
        ],
      }),
      'https://i.example/simple/x/',
      'x',
      'https://i.example/simple',
    );
    const [a, b, c] = page.files;
    assert.deepEqual([a.url, a.hashes, a.yanked, a.yankedReason, a.metadata], ['https://i.example/f/x-1.0-py3-none-any.whl', { sha256: 'ab' }, true, 'bad', { hashes: { sha256: 'cd' } }]);
    assert.deepEqual([b.yanked, b.yankedReason, b.metadata], [true, undefined, undefined], 'core-metadata false wins over the legacy key');
    assert.deepEqual([c.yanked, c.requiresPython], [false, '>=3.9'], 'an empty reason string is not a yank (as pip reads it)');
    assert.deepEqual(page.versions, ['1.0', '1.1', '1.2']);
    for (const broken of ['{"meta": {"api-version": "1.0"}, "files": [', '{"meta": {"api-version": "1.0"}}', '{"files": [{"filename": 1}]}', '[]']) {
      assert.throws(() => parseJsonPage(broken, 'https://i.example/simple/x/', 'x', 'i'), { name: 'SimpleIndexError' }, broken);
    }
    assert.throws(() => parseJsonPage('{"meta": {"api-version": "2.0"}, "files": []}', 'https://i.example/', 'x', 'i'), /version 2\.0/);
  });

  test('JSON: file links read as the URL parser reads them (absolute, odd hosts, dot segments, fragments)', () => {
    const links = [
      'http://127.0.0.1:35949/files/a/a-1.0-py3-none-any.whl',
      'https://Files.Example.org/a/a-1.0.tar.gz',
      'https://x.org:443/a/a-1.0.tar.gz',
      'http://127.1/a/a-1.0.tar.gz',
      'https://x.org/a/./b/a-1.0.tar.gz',
      'https://x.org/a/%2E%2E/a-1.0.tar.gz',
      'https://x.org/a/../a-1.0.tar.gz',
      'https://x.org/a/a-1.0.tar.gz#sha256=ABCDEF',
      'https://x.org/a/a-1.0.tar.gz#sha256=ab cd',
      'https://x.org/a/a-1.0.tar.gz#',
      'https://x.org/a/a%2D1.0.tar.gz',
      'https://x.org/a/a-1.0%zz.tar.gz',
      'https://x.org//a/a-1.0.tar.gz',
      "https://x.org/a/it's/a-1.0.tar.gz",
      'https://x.org/a b/a-1.0.tar.gz',
      'https://x.org/a\\b/a-1.0.tar.gz',
      'https://x.org/a/a-1.0.tar.gz?x=1',
      'HTTPS://x.org/a/a-1.0.tar.gz',
      ' https://x.org/a/a-1.0.tar.gz',
      'https://x.org/é/a-1.0.tar.gz',
      '../../files/a-1.0.tar.gz',
    ];
    const files = links.map((url) => ({ filename: 'a-1.0.tar.gz', url, hashes: {} }));
    const page = parseJsonPage(JSON.stringify({ meta: { 'api-version': '1.1' }, files }), 'https://x.org/simple/a/', 'a', 'i');
    for (const [i, link] of links.entries()) {
      const expected = new URL(link, 'https://x.org/simple/a/');
      const fragment = /^(sha1|sha224|sha384|sha256|sha512|md5)=([0-9a-fA-F]+)$/.exec(expected.hash.slice(1));
      expected.hash = '';
      assert.equal(page.files[i].url, expected.href, link);
      assert.deepEqual(page.files[i].hashes, fragment ? { [fragment[1]]: fragment[2].toLowerCase() } : {}, link);
    }
  });

  test('merging keeps the first spelling of equal versions', () => {
    const file = (version, index) => ({ filename: `x-${version}.tar.gz`, url: 'u', kind: 'sdist', version, hashes: {}, yanked: false, index });
    const merged = mergePages([{ files: [file('1.0', 'a')] }, { files: [file('1.0.0', 'b'), file('not-a-version', 'b')] }]);
    assert.deepEqual([...merged.keys()], ['1.0']);
    assert.deepEqual(merged.get('1.0').files.map((f) => f.index), ['a', 'b']);
    // Plain releases and other spellings of the same version meet under one key.
    const spellings = ['2.0', '02.0', '2', 'v2.0.0', '2.0.0.0', '2.1', '2.10', '2.1.0', '0!2.1', '10.0', '1.0.10', '1.0.1'];
    const many = mergePages([{ files: spellings.map((v) => file(v, 'a')) }]);
    assert.deepEqual([...many.keys()], ['2.0', '2.1', '2.10', '10.0', '1.0.10', '1.0.1']);
    assert.equal(many.get('2.0').files.length, 5);
    assert.equal(many.get('2.1').files.length, 3);
  });

  test('core metadata headers', () => {
    assert.equal(parseCoreMetadata('Name: x\nVersion: 1\n'), undefined, 'no Metadata-Version');
    assert.equal(parseCoreMetadata('\u0000\u0001 garbage'), undefined);
    const m = parseCoreMetadata('\uFEFFMetadata-Version: 2.3\nName: x\nRequires-Dist: a\nrequires-dist: b\nnot a header line\nRequires-Dist: c\n');
    assert.deepEqual(m.requiresDist, ['a', 'b'], 'a non-header line ends the headers, like Python email');
    // Every line ending, folded values, a header block with no line break at its end, and a body
    // after the blank line whose header-like lines are not headers.
    const cases = [
      ['Metadata-Version: 2.1\r\nRequires-Dist: a\r\n  ; extra == "x"\r\n\r\nRequires-Dist: body', ['a  ; extra == "x"']],
      ['Metadata-Version: 2.1\rRequires-Dist: a\rRequires-Dist: b\r\rRequires-Dist: body', ['a', 'b']],
      ['Metadata-Version: 2.1\nRequires-Dist: a\r\nRequires-Dist: b\rRequires-Dist: c', ['a', 'b', 'c']],
      ['Metadata-Version: 2.1\nRequires-Dist: a\n\tb\n\nRequires-Dist: body\n', ['a\tb']],
      ['Metadata-Version: 2.1\n\nRequires-Dist: body\n', []],
    ];
    for (const [text, requiresDist] of cases) assert.deepEqual(parseCoreMetadata(text).requiresDist, requiresDist, JSON.stringify(text));
    assert.equal(parseCoreMetadata(''), undefined);
    assert.equal(parseCoreMetadata('\n\nMetadata-Version: 2.1\n'), undefined, 'headers end at the first blank line');
  });
});
