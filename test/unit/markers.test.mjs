// PEP 508 markers: three-valued evaluation, packaging-compatible printing, parse errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMarker, evaluateMarker, evaluateMarkerDetailed, markerToString } from '../../dist/core/python/versions/markers.js';

function parse(text) {
  const result = parseMarker(text);
  assert.ok(result.ok, `${text}: ${result.message}`);
  return result.marker;
}

const evaluate = (text, env) => evaluateMarker(parse(text), env);

const LINUX_311 = {
  python_version: '3.11', python_full_version: '3.11.7', os_name: 'posix', sys_platform: 'linux', platform_system: 'Linux',
  platform_machine: 'x86_64', platform_release: '5.15.0-91-generic', platform_version: '#101-Ubuntu SMP',
  platform_python_implementation: 'CPython', implementation_name: 'cpython', implementation_version: '3.11.7', extra: [],
};

test('three-valued and/or with partly known environments', () => {
  const m = 'python_version < "3.11" and sys_platform == "win32"';
  assert.equal(evaluate(m, { python_version: '3.12' }), false, 'false and unknown is false');
  assert.equal(evaluate(m, { python_version: '3.10' }), 'unknown', 'true and unknown is unknown');
  assert.equal(evaluate(m, { python_version: '3.10', sys_platform: 'win32' }), true);
  assert.equal(evaluate(m, {}), 'unknown');
  const o = 'python_version < "3.8" or sys_platform == "win32"';
  assert.equal(evaluate(o, { python_version: '3.7' }), true, 'true or unknown is true');
  assert.equal(evaluate(o, { python_version: '3.11' }), 'unknown', 'false or unknown is unknown');
  assert.equal(evaluate(o, { python_version: '3.11', sys_platform: 'linux' }), false);
  // 'and' binds tighter than 'or'.
  const p = 'os_name == "nt" and python_version < "3" or sys_platform == "linux"';
  assert.equal(evaluate(p, { os_name: 'posix' }), 'unknown');
  assert.equal(evaluate(p, { os_name: 'posix', sys_platform: 'linux' }), true);
  assert.equal(evaluate('(os_name == "nt" or os_name == "posix") and implementation_name == "cpython"', { os_name: 'posix' }), 'unknown');
  assert.equal(evaluate('os_name == "nt" and (python_version < "3" or extra == "x")', { os_name: 'posix' }), false);
});

test('version comparisons follow PEP 440, with string fallbacks like packaging', () => {
  const env = { ...LINUX_311, python_version: '3.12', python_full_version: '3.12.0+' };
  const cases = [
    ['python_version >= "3.8"', true],
    ['python_version < "3.12"', false],
    ['python_version == "3.*"', true],
    ['python_version == "3.12.*"', true],
    ['python_version != "3.12"', false],
    ['python_version ~= "3.10"', true],
    ['python_version === "3.12"', true],
    ['"3.8" < python_version', true],
    ['python_version in "3.12 3.13"', true],
    ['python_full_version >= "3.12"', true, 'untagged build 3.12.0+ reads as 3.12.0+local'],
    ['python_full_version == "3.12.0+local"', true],
    ['platform_release >= "5.15.0-91-generic"', true, 'not a version: >= falls back to string equality'],
    ['platform_release < "6"', false, 'not a version: contains() is false'],
    ['platform_release > "5"', false],
    ['os_name <= "posix"', true, 'on strings <= means =='],
    ['os_name < "z"', false, 'on strings < is always false'],
    ['"linux" in sys_platform', true],
    ['sys_platform not in "win32 cygwin"', true],
    ['platform_machine == "X86_64"', false, 'string comparison is case-sensitive'],
  ];
  for (const [text, want, why] of cases) assert.equal(evaluate(text, env), want, `${text}${why ? ` (${why})` : ''}`);
});

test('extras: unknown when absent, any-of when several, normalised per PEP 685', () => {
  const m = 'extra == "Dev_Tools"';
  assert.equal(evaluate(m, { ...LINUX_311, extra: undefined }), 'unknown');
  assert.equal(evaluate(m, { extra: [] }), false);
  assert.equal(evaluate(m, { extra: ['dev-tools'] }), true);
  assert.equal(evaluate(m, { extra: ['docs', 'DEV.tools'] }), true);
  assert.equal(evaluate('extra != "docs"', { extra: ['docs'] }), false);
  assert.equal(evaluate('extra != "docs"', { extra: ['docs', 'test'] }), true, 'holds for the test extra');
  // packaging normalises only top-level comparisons; inside parentheses the literal stays as written.
  assert.equal(evaluate('(extra == "Dev_Tools")', { extra: ['Dev_Tools'] }), false);
  assert.equal(evaluate('(extra == "dev-tools")', { extra: ['Dev_Tools'] }), true);
  assert.equal(evaluate('"test" in extras', { extras: ['Test'] }), true);
  assert.equal(evaluate('"test" not in extras', { extras: [] }), true);
  assert.equal(evaluate('"Docs" in dependency_groups', { dependency_groups: ['docs'] }), true);
  assert.equal(evaluate('"docs" in dependency_groups', {}), 'unknown');
});

test('comparisons packaging refuses are errors in detail and unknown in the tristate', () => {
  for (const text of ['os_name ~= "1.0"', 'os_name === "posix"', '"a" == "b"', 'extras == "x"']) {
    const marker = parse(text);
    const detailed = evaluateMarkerDetailed(marker, { ...LINUX_311, extras: ['x'] });
    assert.ok('error' in detailed, `${text} should be an error`);
    assert.equal(evaluateMarker(marker, { ...LINUX_311, extras: ['x'] }), 'unknown');
  }
  // An error anywhere wins, as packaging evaluates every comparison before combining.
  assert.ok('error' in evaluateMarkerDetailed(parse('os_name == "nt" and os_name ~= "1"'), LINUX_311));
  assert.deepEqual(evaluateMarkerDetailed(parse('python_version ~= "3.10"'), LINUX_311), { value: true });
  // A literal naming an environment key is looked up, as in packaging.
  assert.equal(evaluate('"3.8" < "python_version"', LINUX_311), true);
});

test('markerToString matches str(packaging.markers.Marker)', () => {
  const cases = [
    ["python_version>'3.8'", 'python_version > "3.8"'],
    ["os.name == 'nt'", 'os_name == "nt"'],
    ['python_implementation == "CPython"', 'platform_python_implementation == "CPython"'],
    ["extra == 'Foo_Bar'", 'extra == "foo-bar"'],
    ['"3.8" < python_version', '"3.8" < python_version'],
    ['(extra == "Foo_Bar")', 'extra == "Foo_Bar"'],
    ['(((os_name=="a")))', 'os_name == "a"'],
    ['extra == extra', 'extra == "extra"'],
    ['os_name == "a" and (os_name == "b" or (os_name == "c"))', 'os_name == "a" and (os_name == "b" or os_name == "c")'],
    // packaging drops the parentheses of a doubly parenthesised group; we print the same text.
    ['((os_name == "a" or os_name == "b")) and python_version > "3"', 'os_name == "a" or os_name == "b" and python_version > "3"'],
    ['sys_platform\tnot   in "win32"', 'sys_platform not in "win32"'],
    ['platform_version == "a\\tb"', 'platform_version == "a\tb"'],
  ];
  for (const [text, want] of cases) assert.equal(markerToString(parse(text)), want, text);
});

test('the printed form of a doubly parenthesised group still evaluates like the original', () => {
  const marker = parse('((os_name == "a" or os_name == "b")) and python_version > "3"');
  assert.equal(evaluateMarker(marker, { os_name: 'a', python_version: '2.7' }), false);
});

test('parse errors carry a message and a non-empty span', () => {
  const cases = [
    ['python_version >= 3.8', /'3\.8' is not a marker variable; if it is a value, quote it: "3\.8"/, '3.8'],
    ['os_name == posix', /quote it: "posix"/, 'posix'],
    ['python_version >= <', /Expected a marker variable/, '<'],
    ['python_version => "3.8"', /Expected a comparison operator/, '=>'],
    ['os_name == "a" or', /Expected a marker variable/, 'r'],
    ['os_name == "a" xor os_name == "b"', /Expected 'and', 'or' or the end/, 'xor'],
    ['(os_name == "a"', /Expected '\)' to close the '\(' at column 1/, '"'],
    ['platform == "linux"', /Unknown marker variable 'platform'/, 'platform'],
    ['os_name notin "a"', /Expected a comparison operator/, 'notin'],
    ['os_name not  "a"', /Expected 'in' after 'not'/, 'not  "a"'],
    ['os_name == "a', /Unterminated string/, '"a'],
    ['os_name == "\\N{BULLET}"', /invalid escape/, '"\\N{BULLET}"'],
    ['', /Expected a marker variable/, ''],
  ];
  for (const [text, message, span] of cases) {
    const result = parseMarker(text);
    assert.equal(result.ok, false, text);
    assert.match(result.message, message, text);
    assert.equal(text.slice(result.start, result.end), span, text);
  }
});

test('legacy and quirky spellings parse like packaging', () => {
  for (const text of ['sys.platform == "linux"', 'platform.machine == "x86_64"', 'platform.version == "1"', 'os_name == "a"\n', "os_name == 'it\"s'", 'os_name=="a"and os_name=="b"']) {
    assert.ok(parseMarker(text).ok, JSON.stringify(text));
  }
  for (const text of ['os_name == "a" andos_name == "b"', 'os_name == "a"\n\n', 'os_name == "a\nb"', 'os_nameé == "a"', "os_name == 'it\\'s'"]) {
    assert.equal(parseMarker(text).ok, false, JSON.stringify(text));
  }
});
