// Where the PyPI client gets its indexes and credentials: every source alone, every precedence pair,
// pip.conf locations and override order per platform, uv's default/explicit indexes, credential
// scoping (URL userinfo, .netrc), masking, and malformed files that must never throw.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadPythonIndexConfig, maskUrl, DEFAULT_INDEX_URL } from '../../dist/core/python/index/indexConfig.js';
import { parseIni, pipConfigFiles } from '../../dist/core/python/index/pipConf.js';
import { parseNetrc, netrcCredentials } from '../../dist/core/python/index/netrc.js';

const HOME = '/home/u';
const USER_CONF = `${HOME}/.config/pip/pip.conf`;

function load({ files = {}, env = {}, platform = 'linux', home = HOME, ...rest } = {}) {
  const readFile = async (p) => files[p];
  return loadPythonIndexConfig({ env, platform, home, readFile, ...rest });
}
const urls = (config) => config.indexes.map((ix) => ix.url);
const sources = (config) => config.indexes.map((ix) => ix.source);
const basic = (user, password) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

test('nothing configured: PyPI, from the default', async () => {
  const c = await load();
  assert.deepEqual(c.indexes, [{ url: DEFAULT_INDEX_URL, source: 'default' }]);
  assert.deepEqual(c.trustedHosts, []);
  assert.equal(c.noIndex, undefined);
  assert.deepEqual(c.warnings, []);
  assert.deepEqual(c.describe(), ['Index: https://pypi.org/simple (from default)']);
});

test('each source alone', async () => {
  const cases = [
    [{ settings: { indexUrl: 'https://s.example/simple', extraIndexUrls: ['https://s2.example/simple', ' '] } },
      [['https://s.example/simple', 'setting pinsight.python.indexUrl'], ['https://s2.example/simple', 'setting pinsight.python.extraIndexUrls']]],
    [{ settings: { indexUrl: 'https://s.example/simple', origin: 'cli' } }, [['https://s.example/simple', '--index-url on the command line']]],
    [{ manifestOptions: [{ name: 'index-url', value: 'https://r.example/simple', path: 'requirements.txt', line: 3 }, { name: 'extra-index-url', value: 'https://r2.example/simple', path: 'requirements/dev.txt', line: 1 }] },
      [['https://r.example/simple', 'requirements.txt:3 (--index-url)'], ['https://r2.example/simple', 'requirements/dev.txt:1 (--extra-index-url)']]],
    [{ pyproject: { path: 'pyproject.toml', uvIndexes: [{ name: 'internal', url: 'https://u.example/simple', default: true }, { url: 'https://u2.example/simple' }] } },
      [['https://u.example/simple', 'pyproject.toml [[tool.uv.index]] "internal"'], ['https://u2.example/simple', 'pyproject.toml [[tool.uv.index]] #2']]],
    [{ pyproject: { path: 'pyproject.toml', uvIndexUrl: 'https://u.example/simple', uvExtraIndexUrls: ['https://u2.example/simple'] } },
      [['https://u.example/simple', 'pyproject.toml [tool.uv] index-url'], ['https://u2.example/simple', 'pyproject.toml [tool.uv] extra-index-url']]],
    [{ env: { UV_DEFAULT_INDEX: 'https://d.example/simple', UV_INDEX_URL: 'https://old.example/simple', UV_INDEX: 'corp=https://c.example/simple https://n.example/simple', UV_EXTRA_INDEX_URL: 'https://e.example/simple' } },
      [['https://d.example/simple', 'UV_DEFAULT_INDEX'], ['https://c.example/simple', 'UV_INDEX ("corp")'], ['https://n.example/simple', 'UV_INDEX'], ['https://e.example/simple', 'UV_EXTRA_INDEX_URL']]],
    [{ env: { UV_INDEX_URL: 'https://old.example/simple' } }, [['https://old.example/simple', 'UV_INDEX_URL']]],
    [{ env: { PIP_INDEX_URL: 'https://p.example/simple', PIP_EXTRA_INDEX_URL: ' https://p2.example/simple\n\thttps://p3.example/simple ' } },
      [['https://p.example/simple', 'PIP_INDEX_URL'], ['https://p2.example/simple', 'PIP_EXTRA_INDEX_URL'], ['https://p3.example/simple', 'PIP_EXTRA_INDEX_URL']]],
    [{ files: { [USER_CONF]: '[global]\nindex-url = https://c.example/simple\nextra-index-url =\n    https://c2.example/simple\n    https://c3.example/simple\n' } },
      [['https://c.example/simple', `${USER_CONF} [global] index-url`], ['https://c2.example/simple', `${USER_CONF} [global] extra-index-url`], ['https://c3.example/simple', `${USER_CONF} [global] extra-index-url`]]],
  ];
  for (const [input, expected] of cases) {
    const c = await load(input);
    assert.deepEqual(c.indexes.map((ix) => [ix.url, ix.source]), expected, JSON.stringify(input));
    assert.deepEqual(c.warnings, [], JSON.stringify(input));
  }
  // Extras alone keep PyPI as the primary index.
  assert.deepEqual(urls(await load({ env: { PIP_EXTRA_INDEX_URL: 'https://x.example/simple' } })), [DEFAULT_INDEX_URL, 'https://x.example/simple']);
});

const SOURCES = [
  ['setting', (u) => ({ settings: { indexUrl: u } })],
  ['requirements', (u) => ({ manifestOptions: [{ name: 'index-url', value: u, path: 'requirements.txt', line: 1 }] })],
  ['pyproject', (u) => ({ pyproject: { path: 'pyproject.toml', uvIndexes: [{ name: 'corp', url: u, default: true }] } })],
  ['uv env', (u) => ({ env: { UV_DEFAULT_INDEX: u } })],
  ['pip env', (u) => ({ env: { PIP_INDEX_URL: u } })],
  ['pip.conf', (u) => ({ files: { [USER_CONF]: `[global]\nindex-url = ${u}\n` } })],
];

test('precedence: each source beats every source below it', async () => {
  for (let hi = 0; hi < SOURCES.length; hi++) {
    for (let lo = hi + 1; lo < SOURCES.length; lo++) {
      const [hiName, hiMake] = SOURCES[hi];
      const [loName, loMake] = SOURCES[lo];
      const a = hiMake(`https://${hi}.example/simple`);
      const b = loMake(`https://${lo}.example/simple`);
      const input = { ...b, ...a, env: { ...b.env, ...a.env }, files: { ...b.files, ...a.files } };
      const c = await load(input);
      assert.equal(c.indexes[0].url, `https://${hi}.example/simple`, `${hiName} over ${loName}`);
      assert.ok(!urls(c).includes(`https://${lo}.example/simple`), `${loName}'s primary is not an extra`);
    }
  }
});

test('extra indexes accumulate across sources, lower sources first; a requirements --index-url drops those below it', async () => {
  const base = {
    settings: { extraIndexUrls: ['https://set.example/simple'] },
    pyproject: { path: 'pyproject.toml', uvIndexes: [{ name: 'a', url: 'https://uv.example/simple' }] },
    env: { UV_INDEX: 'https://uvenv.example/simple', PIP_EXTRA_INDEX_URL: 'https://pipenv.example/simple' },
    files: { [USER_CONF]: '[global]\nextra-index-url = https://conf.example/simple\n' },
  };
  assert.deepEqual(urls(await load(base)), [DEFAULT_INDEX_URL, 'https://pipenv.example/simple', 'https://uvenv.example/simple', 'https://uv.example/simple', 'https://set.example/simple']);
  const withReq = await load({ ...base, manifestOptions: [
    { name: 'extra-index-url', value: 'https://before.example/simple', path: 'r.txt', line: 1 },
    { name: 'index-url', value: 'https://req.example/simple', path: 'r.txt', line: 2 },
    { name: 'extra-index-url', value: 'https://after.example/simple', path: 'r.txt', line: 3 },
  ] });
  assert.deepEqual(urls(withReq), ['https://req.example/simple', 'https://after.example/simple', 'https://set.example/simple']);
  // On one line pip applies --index-url before the line's --extra-index-url, whatever their order.
  const oneLine = await load({ manifestOptions: [
    { name: 'extra-index-url', value: 'https://x.example/simple', path: 'r.txt', line: 4 },
    { name: 'index-url', value: 'https://a.example/simple', path: 'r.txt', line: 4 },
    { name: 'index-url', value: 'https://b.example/simple', path: 'r.txt', line: 4 },
  ] });
  assert.deepEqual(urls(oneLine), ['https://b.example/simple', 'https://x.example/simple']);
});

test('duplicates are dropped, the first occurrence (with its source) kept', async () => {
  const c = await load({
    settings: { indexUrl: 'https://A.example/simple/' },
    env: { PIP_EXTRA_INDEX_URL: 'https://a.example/simple https://user:pw@a.example/simple https://pypi.org/simple' },
  });
  assert.deepEqual(c.indexes, [{ url: 'https://A.example/simple/', source: 'setting pinsight.python.indexUrl' }, { url: 'https://pypi.org/simple', source: 'PIP_EXTRA_INDEX_URL' }]);
});

test('--no-index empties the list and says so; Pinsight settings still apply', async () => {
  const req = [{ name: 'no-index', value: '', path: 'requirements.txt', line: 2 }, { name: 'index-url', value: 'https://late.example/simple', path: 'requirements.txt', line: 3 }];
  const c = await load({ manifestOptions: req, env: { PIP_EXTRA_INDEX_URL: 'https://x.example/simple' } });
  assert.deepEqual(c.indexes, []);
  assert.equal(c.noIndex, 'requirements.txt:2 (--no-index)');
  assert.match(c.describe()[0], /turned off by requirements\.txt:2 \(--no-index\); Pinsight consults no package index/);
  const s = await load({ manifestOptions: req, settings: { indexUrl: 'https://s.example/simple' } });
  assert.deepEqual(urls(s), ['https://s.example/simple']);
  assert.match(s.describe()[0], /only the indexes in its own settings/);
  assert.equal(s.describe()[1], 'Index: https://s.example/simple (from setting pinsight.python.indexUrl)');
  const extrasOnly = await load({ manifestOptions: req, settings: { extraIndexUrls: ['https://e.example/simple'] } });
  assert.deepEqual(extrasOnly.describe().slice(1), ['Extra index: https://e.example/simple (from setting pinsight.python.extraIndexUrls)']);
  for (const [env, files, source] of [
    [{ PIP_NO_INDEX: 'yes' }, {}, 'PIP_NO_INDEX'],
    [{}, { [USER_CONF]: '[install]\nno-index = true\n' }, `${USER_CONF} [install] no-index`],
    [{ UV_NO_INDEX: '1' }, {}, 'UV_NO_INDEX'],
  ]) {
    const n = await load({ env, files, pyproject: { path: 'pyproject.toml', uvIndexUrl: 'https://u.example/simple' } });
    assert.deepEqual(n.indexes, [], source);
    assert.equal(n.noIndex, source);
  }
  // A false value is no --no-index at all.
  assert.deepEqual(urls(await load({ env: { PIP_NO_INDEX: 'off', UV_NO_INDEX: 'false' } })), [DEFAULT_INDEX_URL]);
});

test('uv: the default index replaces PyPI, explicit indexes are left out of the search', async () => {
  const uvIndexes = [
    { name: 'torch', url: 'https://download.example/whl/cpu', explicit: true },
    { name: 'extra', url: 'https://extra.example/simple' },
    { name: 'corp', url: 'https://corp.example/simple', default: true },
  ];
  const c = await load({ pyproject: { path: 'pyproject.toml', uvIndexes } });
  assert.deepEqual(urls(c), ['https://corp.example/simple', 'https://extra.example/simple']);
  assert.ok(c.describe().some((l) => l.startsWith('Explicit uv index https://download.example/whl/cpu') && l.includes('[tool.uv.sources]')));
  const noDefault = await load({ pyproject: { path: 'pyproject.toml', uvIndexes: uvIndexes.filter((ix) => !ix.default) } });
  assert.deepEqual(urls(noDefault), [DEFAULT_INDEX_URL, 'https://extra.example/simple']);
  // `default = true` wins over the deprecated [tool.uv] index-url.
  const both = await load({ pyproject: { path: 'p.toml', uvIndexes, uvIndexUrl: 'https://old.example/simple' } });
  assert.equal(both.indexes[0].url, 'https://corp.example/simple');
});

test('pip.conf override order: global < user < site < PIP_CONFIG_FILE < PIP_* variables, [install] over [global]', async () => {
  const conf = (u, section = 'global') => `[${section}]\nindex-url = https://${u}.example/simple\n`;
  const layers = [
    ['/etc/xdg/pip/pip.conf', conf('xdg')],
    ['/etc/pip.conf', conf('etc')],
    [`${HOME}/.pip/pip.conf`, conf('legacy')],
    [USER_CONF, conf('user')],
    ['/venv/pip.conf', conf('site')],
    ['/custom/pip.conf', conf('envfile')],
  ];
  const env = { VIRTUAL_ENV: '/venv', PIP_CONFIG_FILE: '/custom/pip.conf', PIP_INDEX_URL: 'https://var.example/simple' };
  const expected = ['xdg', 'etc', 'legacy', 'user', 'site', 'envfile', 'var'];
  // Each layer alone, then each with every layer below it.
  for (let top = 0; top < layers.length; top++) {
    const files = Object.fromEntries(layers.slice(0, top + 1));
    const e = { VIRTUAL_ENV: env.VIRTUAL_ENV, ...(top === 5 ? { PIP_CONFIG_FILE: env.PIP_CONFIG_FILE } : {}) };
    assert.equal((await load({ files, env: e })).indexes[0].url, `https://${expected[top]}.example/simple`, expected[top]);
    assert.equal((await load({ files: Object.fromEntries([layers[top]]), env: e })).indexes[0].url, `https://${expected[top]}.example/simple`);
  }
  assert.equal((await load({ files: Object.fromEntries(layers), env })).indexes[0].url, 'https://var.example/simple');
  // [install] of a lower file beats [global] of a higher one: pip pools by section, then by file.
  const c = await load({ files: { '/etc/pip.conf': conf('etc-install', 'install'), [USER_CONF]: conf('user-global') } });
  assert.deepEqual(c.indexes[0], { url: 'https://etc-install.example/simple', source: '/etc/pip.conf [install] index-url' });
  // Other commands' sections and case variants of section names are not [install] / [global].
  assert.deepEqual(urls(await load({ files: { [USER_CONF]: conf('dl', 'download') + conf('g', 'Global') } })), [DEFAULT_INDEX_URL]);
});

test('PIP_CONFIG_FILE: an existing file hides the user files, os.devnull hides every file', async () => {
  const files = { [USER_CONF]: '[global]\nextra-index-url = https://user.example/simple\n', '/etc/pip.conf': '[global]\ntrusted-host = etc.example\n', '/c.conf': '[global]\ntimeout = 1\n' };
  const hidden = await load({ files, env: { PIP_CONFIG_FILE: '/c.conf' } });
  assert.deepEqual(urls(hidden), [DEFAULT_INDEX_URL]);
  assert.deepEqual(hidden.trustedHosts, ['etc.example']);
  const missing = await load({ files, env: { PIP_CONFIG_FILE: '/missing.conf' } });
  assert.deepEqual(urls(missing), [DEFAULT_INDEX_URL, 'https://user.example/simple']);
  const off = await load({ files, env: { PIP_CONFIG_FILE: '/dev/null', PIP_TRUSTED_HOST: 'var.example' } });
  assert.deepEqual(urls(off), [DEFAULT_INDEX_URL]);
  assert.deepEqual(off.trustedHosts, ['var.example']);
});

test('pip.conf locations per platform', () => {
  assert.deepEqual(pipConfigFiles({ env: {}, home: HOME, platform: 'linux' }), {
    global: ['/etc/xdg/pip/pip.conf', '/etc/pip.conf'], user: [`${HOME}/.pip/pip.conf`, `${HOME}/.config/pip/pip.conf`], site: [],
  });
  assert.deepEqual(pipConfigFiles({ env: { XDG_CONFIG_DIRS: '/a:~/b', XDG_CONFIG_HOME: '/xdg', VIRTUAL_ENV: '/v', PIP_CONFIG_FILE: '/c' }, home: HOME, platform: 'linux' }), {
    env: '/c', global: ['/a/pip/pip.conf', `${HOME}/b/pip/pip.conf`, '/etc/pip.conf'], user: [`${HOME}/.pip/pip.conf`, '/xdg/pip/pip.conf'], site: ['/v/pip.conf'],
  });
  assert.deepEqual(pipConfigFiles({ env: {}, home: '/Users/u', platform: 'darwin', sysPrefix: '/opt/py' }), {
    global: ['/Library/Application Support/pip/pip.conf'],
    user: ['/Users/u/.pip/pip.conf', '/Users/u/Library/Application Support/pip/pip.conf', '/Users/u/.config/pip/pip.conf'], site: ['/opt/py/pip.conf'],
  });
  assert.deepEqual(pipConfigFiles({ env: { appdata: 'C:\\Users\\u\\AppData\\Roaming', VIRTUAL_ENV: 'C:\\proj\\.venv' }, home: 'C:\\Users\\u', platform: 'win32' }), {
    global: ['C:\\ProgramData\\pip\\pip.ini'], user: ['C:\\Users\\u\\pip\\pip.ini', 'C:\\Users\\u\\AppData\\Roaming\\pip\\pip.ini'], site: ['C:\\proj\\.venv\\pip.ini'],
  });
});

test('pip.conf on macOS and Windows is read from its own places', async () => {
  const mac = await load({ platform: 'darwin', home: '/Users/u', files: {
    '/Users/u/Library/Application Support/pip/pip.conf': '[global]\nindex-url = https://appsupport.example/simple\n',
    '/Users/u/.config/pip/pip.conf': '[global]\nindex-url = https://dotconfig.example/simple\n',
  } });
  assert.equal(mac.indexes[0].url, 'https://appsupport.example/simple');
  const macFallback = await load({ platform: 'darwin', home: '/Users/u', files: { '/Users/u/.config/pip/pip.conf': '[global]\nindex-url = https://dotconfig.example/simple\n' } });
  assert.equal(macFallback.indexes[0].url, 'https://dotconfig.example/simple');
  const win = await load({ platform: 'win32', home: 'C:\\Users\\u', env: { APPDATA: 'C:\\Users\\u\\AppData\\Roaming', pip_extra_index_url: 'https://var.example/simple' }, files: {
    'C:\\ProgramData\\pip\\pip.ini': '[global]\nindex-url = https://programdata.example/simple\n',
    'C:\\Users\\u\\AppData\\Roaming\\pip\\pip.ini': '[install]\ntrusted-host = appdata.example\n',
  } });
  assert.deepEqual(urls(win), ['https://programdata.example/simple', 'https://var.example/simple']);
  assert.deepEqual(win.trustedHosts, ['appdata.example']);
  assert.equal((await load({ platform: 'win32', home: 'C:\\Users\\u', env: { PIP_CONFIG_FILE: 'nul' }, files: { 'C:\\ProgramData\\pip\\pip.ini': '[global]\nindex-url = https://x.example/simple\n' } })).indexes[0].url, DEFAULT_INDEX_URL);
});

test('pip.conf syntax as configparser reads it', async () => {
  const table = [
    ['[global]\nindex_url: https://a.example/simple\n', ['https://a.example/simple']],
    ['[global]\nINDEX-URL=https://a.example/simple\n', ['https://a.example/simple']],
    ['[global]\npypi-url = https://a.example/simple\n', ['https://a.example/simple']],
    ['[global]\n--index-url = https://a.example/simple\n', ['https://a.example/simple']],
    ['# comment\n; comment\n[global]\n  # indented comment\nindex-url = https://a.example/simple # not a comment\n', ['https://a.example/simple # not a comment']],
    ['[DEFAULT]\nindex-url = https://d.example/simple\n[global]\n', ['https://d.example/simple']],
    ['[global]\nindex-url =\n', [DEFAULT_INDEX_URL]],
    ['[global]\r\nextra-index-url = https://a.example/simple\r\n\r\n    https://b.example/simple\r\n  # skipped\r\n\thttps://c.example/simple\r\n', [DEFAULT_INDEX_URL, 'https://a.example/simple', 'https://b.example/simple', 'https://c.example/simple']],
    ['[global] trailing words\nindex-url = https://a.example/simple\n', ['https://a.example/simple']],
  ];
  for (const [text, expected] of table) {
    const c = await load({ files: { [USER_CONF]: text } });
    assert.deepEqual(urls(c), expected, JSON.stringify(text));
  }
  const ini = parseIni('[a]\nk = v\n  more\n\n[b]\nx:y\n');
  assert.equal(ini.ok, true);
  assert.deepEqual([...ini.ini.sections.get('a')], [['k', 'v\nmore']]);
  assert.deepEqual([...ini.ini.sections.get('b')], [['x', 'y']]);
});

test('malformed pip.conf is ignored with a warning, never thrown', async () => {
  const bad = [
    'index-url = https://no-section.example/simple\n',
    '\ufeff[global]\nindex-url = https://bom.example/simple\n',
    '[global]\nindex-url = a\nindex-url = b\n',
    '[global]\n[global]\n',
    '[global]\njust words\n',
    '[global]\n= value without a name\n',
    '[global\nindex-url = x\n',
  ];
  for (const text of bad) {
    const parsed = parseIni(text);
    assert.equal(parsed.ok, false, JSON.stringify(text));
    const c = await load({ files: { [USER_CONF]: text, '/etc/pip.conf': '[global]\nextra-index-url = https://etc.example/simple\n' } });
    assert.deepEqual(urls(c), [DEFAULT_INDEX_URL, 'https://etc.example/simple'], JSON.stringify(text));
    assert.equal(c.warnings.length, 1);
    assert.match(c.warnings[0], new RegExp(`^pip cannot read ${USER_CONF} \\(line \\d+: .+\\) and stops with an error; Pinsight ignores that file\\.$`));
  }
  const badBool = await load({ env: { PIP_NO_INDEX: 'maybe' } });
  assert.deepEqual(urls(badBool), [DEFAULT_INDEX_URL]);
  assert.match(badBool.warnings[0], /PIP_NO_INDEX is 'maybe', which is not yes\/no/);
  // A reader that throws counts as a missing file.
  const throwing = await loadPythonIndexConfig({ env: {}, platform: 'linux', home: HOME, readFile: async () => { throw new Error('EACCES'); } });
  assert.deepEqual(urls(throwing), [DEFAULT_INDEX_URL]);
  const rnd = mulberry(7);
  const alphabet = '[]=:#; \t\n\r\\"abcDEFAULT-_.\u00a0\ufeff\x85\u3000';
  for (let i = 0; i < 3000; i++) {
    const text = Array.from({ length: Math.floor(rnd() * 80) }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join('');
    parseIni(text);
    parseNetrc(text);
  }
  await load({ files: { [USER_CONF]: '\u0000\uffff[\u0000]\n\u0000=\u0000', [`${HOME}/.netrc`]: '"unterminated \\' } });
});

function mulberry(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('trusted hosts from pip.conf, PIP_TRUSTED_HOST, requirements and UV_INSECURE_HOST', async () => {
  const c = await load({
    files: { [USER_CONF]: '[global]\ntrusted-host = a.example\n    b.example:8080\n' },
    env: { UV_INSECURE_HOST: 'u.example a.example' },
    manifestOptions: [{ name: 'trusted-host', value: 'r.example', path: 'r.txt', line: 1 }],
  });
  assert.deepEqual(c.trustedHosts, ['r.example', 'u.example', 'a.example', 'b.example:8080']);
  assert.ok(c.describe().includes('Trusted hosts (plain http allowed): r.example, u.example, a.example, b.example:8080'));
  assert.deepEqual((await load({ files: { [USER_CONF]: '[global]\ntrusted-host = a.example\n' }, env: { PIP_TRUSTED_HOST: 'v.example' } })).trustedHosts, ['v.example']);
});

test('credentials from an index URL go to that origin only, the best-matching path first', async () => {
  const c = await load({
    settings: { indexUrl: 'https://alice:s%40cret@idx.example/team-a/simple' },
    env: { PIP_EXTRA_INDEX_URL: 'https://bob:pw2@idx.example/team-b/simple https://plain.example/simple' },
  });
  const auth = (u) => c.authorization(new URL(u));
  assert.equal(auth('https://idx.example/team-a/simple/requests/'), basic('alice', 's@cret'));
  assert.equal(auth('https://idx.example/team-b/simple/flask/'), basic('bob', 'pw2'));
  assert.equal(auth('https://idx.example/team-b/packages/flask-3.0.whl'), basic('bob', 'pw2'));
  // Files elsewhere on the same origin get the first configured index's credentials, as pip does.
  assert.equal(auth('https://idx.example/files/x.whl'), basic('alice', 's@cret'));
  for (const other of ['https://other.example/team-a/simple/', 'http://idx.example/team-a/simple/', 'https://idx.example:8443/team-a/simple/', 'https://idx.example.evil.test/team-a/simple/', 'https://plain.example/simple/', 'ftp://idx.example/team-a/simple/']) {
    assert.equal(auth(other), undefined, other);
  }
  // The URLs keep their credentials for the HTTP layer; describe() never shows them.
  assert.equal(c.indexes[0].url, 'https://alice:s%40cret@idx.example/team-a/simple');
  const text = c.describe().join('\n');
  assert.ok(!text.includes('s%40cret') && !text.includes('pw2'), text);
  assert.match(text, /Index: https:\/\/alice:\*\*\*\*@idx\.example\/team-a\/simple \(from setting pinsight\.python\.indexUrl\)/);
  assert.match(text, /Extra index: https:\/\/bob:\*\*\*\*@idx\.example\/team-b\/simple \(from PIP_EXTRA_INDEX_URL\)/);
});

test('.netrc: by host, default entry, $NETRC, _netrc; a URL username without password asks .netrc first', async () => {
  const netrc = 'machine idx.example login nl password np\nmachine Other.Example\n  login "o user"\n  password "p w"\n';
  const c = await load({ files: { [`${HOME}/.netrc`]: netrc }, settings: { indexUrl: 'https://idx.example/simple', extraIndexUrls: ['https://tok3n@tok.example/simple', 'https://tok3n@other.example/simple'] } });
  const auth = (u) => c.authorization(new URL(u));
  assert.equal(auth('https://idx.example/simple/x/'), basic('nl', 'np'));
  assert.equal(auth('https://other.example/simple/x/'), basic('o user', 'p w'));
  assert.equal(auth('https://tok.example/simple/x/'), basic('tok3n', ''));
  assert.equal(auth('https://nobody.example/simple/'), undefined);
  assert.ok(c.describe().includes(`Credentials file ${HOME}/.netrc: machines idx.example, other.example.`));
  assert.ok(!c.describe().join('\n').includes('np'));
  // URL userinfo with a password beats .netrc for its own origin.
  const both = await load({ files: { [`${HOME}/.netrc`]: netrc }, settings: { indexUrl: 'https://u:p@idx.example/simple' } });
  assert.equal(both.authorization(new URL('https://idx.example/simple/')), basic('u', 'p'));
  // requests' default entry applies to any host; account stands in for a missing login.
  const dflt = await load({ files: { '/secrets/netrc': 'default account acct password pw\n' }, env: { NETRC: '/secrets/netrc' } });
  assert.equal(dflt.authorization(new URL('https://anything.example/simple/')), basic('acct', 'pw'));
  const underscore = await load({ files: { [`${HOME}/_netrc`]: 'machine h.example login a password b' } });
  assert.equal(underscore.authorization(new URL('https://h.example/')), basic('a', 'b'));
  // $NETRC alone is consulted when set; the first existing file wins even if it is broken.
  const explicitMissing = await load({ files: { [`${HOME}/.netrc`]: netrc }, env: { NETRC: '/nope' } });
  assert.equal(explicitMissing.authorization(new URL('https://idx.example/')), undefined);
  const broken = await load({ files: { [`${HOME}/.netrc`]: 'machine idx.example login a password b\nbogus\n', [`${HOME}/_netrc`]: netrc } });
  assert.equal(broken.authorization(new URL('https://idx.example/')), undefined);
  assert.match(broken.warnings[0], /\.netrc cannot be parsed \(line \d+: bad follower token 'bogus'\)/);
});

test('parseNetrc follows Python 3.11: quotes, escapes, comments, macdef, repeated machines', () => {
  const text = [
    '# a comment line',
    'machine a.example login "user name" password p\\"q',
    'macdef init',
    'cd /pub',
    'machine not-a-real-entry login x password y',
    '',
    'machine b.example',
    '  login b  # trailing comment',
    '  password bp',
    'machine a.example login second password two',
    'default login anon password guest',
  ].join('\n');
  const r = parseNetrc(text);
  assert.equal(r.ok, true);
  assert.deepEqual([...r.netrc.machines.keys()], ['a.example', 'b.example']);
  assert.deepEqual(netrcCredentials(r.netrc, 'a.example'), { user: 'second', password: 'two' });
  assert.deepEqual(netrcCredentials(r.netrc, 'B.EXAMPLE'), { user: 'b', password: 'bp' });
  assert.deepEqual(netrcCredentials(r.netrc, 'zzz'), { user: 'anon', password: 'guest' });
  assert.deepEqual(parseNetrc('machine "q \\" x" login "a b" password "c\\\\d"').netrc.machines.get('q " x'), { login: 'a b', account: '', password: 'c\\d' });
  for (const [bad, message] of [['machine', "missing 'machine' name"], ['login x', "bad toplevel token 'login'"], ['macdef m\nline', 'Macro definition missing null line terminator.'], ['machine h frob 1', "bad follower token 'frob'"]]) {
    const p = parseNetrc(bad);
    assert.equal(p.ok, false, bad);
    assert.equal(p.error, message);
  }
});

test('uv credentials from UV_INDEX_<NAME>_USERNAME / _PASSWORD, explicit indexes included', async () => {
  const c = await load({
    pyproject: { path: 'pyproject.toml', uvIndexes: [{ name: 'my-corp.idx', url: 'https://corp.example/simple' }, { name: 'gpu', url: 'https://olduser@gpu.example/simple', explicit: true }] },
    env: { UV_INDEX_MY_CORP_IDX_USERNAME: 'ci', UV_INDEX_MY_CORP_IDX_PASSWORD: 'p:w', UV_INDEX_GPU_PASSWORD: 'gp', UV_INDEX: 'lab=https://lab.example/simple', UV_INDEX_LAB_USERNAME: 'only-user' },
  });
  assert.equal(c.authorization(new URL('https://corp.example/simple/x/')), basic('ci', 'p:w'));
  assert.equal(c.authorization(new URL('https://gpu.example/simple/torch/')), basic('olduser', 'gp'));
  assert.equal(c.authorization(new URL('https://lab.example/simple/')), basic('only-user', ''));
  assert.ok(!urls(c).some((u) => u.includes('gpu.example')));
  assert.ok(!c.describe().join('\n').includes('p%3Aw'));
});

test('maskUrl hides passwords and bare tokens, nothing else', () => {
  const table = [
    ['https://user:pass@host.example/simple', 'https://user:****@host.example/simple'],
    ['https://__token__:pypi-AgEI@host.example/simple', 'https://__token__:****@host.example/simple'],
    ['https://ghp_abc123@host.example/simple', 'https://****@host.example/simple'],
    ['https://u:p@a@host.example/simple', 'https://u:****@host.example/simple'],
    ['https://host.example/simple?x=a@b', 'https://host.example/simple?x=a@b'],
    ['https://host.example/simple', 'https://host.example/simple'],
    ['not a url', 'not a url'],
    // Spellings WHATWG URL still reads credentials from.
    ['https:user:pass@host.example/simple', 'https:user:****@host.example/simple'],
    [' \thttps://user:pass@host.example/simple', ' \thttps://user:****@host.example/simple'],
    ['https:\\\\user:pass@host.example/simple', 'https:\\\\user:****@host.example/simple'],
  ];
  for (const [raw, masked] of table) assert.equal(maskUrl(raw), masked, raw);
});

test('an invalid index URL is kept for the HTTP layer to report, with a warning that masks it', async () => {
  const c = await load({ settings: { indexUrl: 'https://u:secret@exa mple/simple' } });
  assert.equal(c.indexes[0].url, 'https://u:secret@exa mple/simple');
  assert.match(c.warnings[0], /^setting pinsight\.python\.indexUrl gives 'https:\/\/u:\*\*\*\*@exa mple\/simple', which is not a valid URL/);
  assert.ok(!c.describe().join('\n').includes('secret'));
});
