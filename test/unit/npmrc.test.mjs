// .npmrc parsing and npm config resolution: the ini dialect npm's `ini` package reads, ${ENV}
// expansion as @npmcli/config does it, the layer precedence (cli > env > project > user > global >
// default), scope registries, and npm-registry-fetch's nerf-dart auth scoping — a credential goes
// only to URLs under its //host[:port]/path prefix. Expected values are derived from npm 11's source.
import { test, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  parseNpmrc,
  expandNpmEnv,
  envSettings,
  loadNpmConfig,
  registryForPackage,
  nerfDart,
  normalizeRegistry,
  DEFAULT_NPM_REGISTRY,
} from '../../dist/core/npm/registry/npmrc.js';

const values = (text) => Object.fromEntries(parseNpmrc(text).values);

// An in-memory file system for loadNpmConfig; records what was read.
function files(map) {
  const read = [];
  return {
    read,
    readFile: async (p) => {
      read.push(p);
      return Object.hasOwn(map, p) ? map[p] : undefined;
    },
  };
}

async function load({ fs = {}, env = {}, projectDir = '/work/app', home = '/home/u', ...rest } = {}) {
  const f = files(fs);
  const config = await loadNpmConfig({ projectDir, home, env, readFile: f.readFile, ...rest });
  return { config, read: f.read };
}

const auth = (config, url) => config.authorization(new URL(url));

describe('parseNpmrc: the ini dialect', () => {
  const cases = [
    ['plain', 'registry=https://r.example/', { registry: 'https://r.example/' }],
    ['spaces around =', '  registry  =  https://r.example/  ', { registry: 'https://r.example/' }],
    ['comment lines', '; a comment\n# another\nregistry=https://r.example/', { registry: 'https://r.example/' }],
    ['indented comment', '   ; registry=https://no.example/\nfoo=bar', { foo: 'bar' }],
    ['inline ; cuts the value', 'registry=https://r.example/ ; trailing', { registry: 'https://r.example/' }],
    ['inline # cuts the value, even without a space', 'registry=https://r.example/#frag', { registry: 'https://r.example/' }],
    ['escaped ; and #', 'x=a\\;b\\#c', { x: 'a;b#c' }],
    ['other escapes kept', 'x=C:\\Users\\me', { x: 'C:\\Users\\me' }],
    ['double quotes are JSON', 'x="a;b \\u0041"', { x: 'a;b A' }],
    ['single quotes stripped, no escapes', "x='a;b #c'", { x: 'a;b #c' }],
    ['a key on its own is true', 'always-auth', { 'always-auth': true }],
    // ini unquotes first and converts after, so even a quoted "true" becomes the boolean.
    ['true/false/null', 'a=true\nb=false\nc=null\nd="true"', { a: true, b: false, c: null, d: true }],
    ['later lines win', 'registry=https://one.example/\nregistry=https://two.example/', { registry: 'https://two.example/' }],
    ['arrays with []', 'ca[]=one\nca[]=two', { ca: ['one', 'two'] }],
    ['CRLF endings', 'a=1\r\nb=2\r\n', { a: '1', b: '2' }],
    ['lone CR endings', 'a=1\rb=2', { a: '1', b: '2' }],
    ['value may hold =', '//r.example/:_auth=dXNlcjpwYXNz==', { '//r.example/:_auth': 'dXNlcjpwYXNz==' }],
    ['quoted key', '"//r.example/:_authToken"=tok', { '//r.example/:_authToken': 'tok' }],
    ['empty value', 'x=', { x: '' }],
    ['BOM', '\uFEFFregistry=https://r.example/', { registry: 'https://r.example/' }],
    ['section keys are not settings', 'a=1\n[section]\nregistry=https://no.example/', { a: '1' }],
    ['__proto__ ignored', '__proto__=x\na=1', { a: '1' }],
  ];
  for (const [name, text, expected] of cases) {
    test(name, () => assert.deepEqual(values(text), expected));
  }

  test('lines npm drops are reported, never thrown', () => {
    const parsed = parseNpmrc('=novalue\nregistry=https://r.example/\n[sec]\nk=v\n');
    assert.deepEqual(Object.fromEntries(parsed.values), { registry: 'https://r.example/' });
    assert.deepEqual(
      parsed.ignored.map((i) => i.line),
      [1, 4],
    );
  });

  test('garbage never throws', () => {
    const junk = ['\0\0\0', '=', '==', '[', ']', '[]=x', '"', "'", '\\', '${', 'a=${', '\uD800', 'x'.repeat(100_000), '\n\n\r\r', '[a]b=c'];
    let seed = 7;
    for (let i = 0; i < 200; i++) {
      let s = '';
      for (let j = 0; j < 40; j++) {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        s += '=[]";\'#\\\n\r ab$\{}:/@'[seed % 22];
      }
      junk.push(s);
    }
    for (const text of junk) {
      assert.doesNotThrow(() => parseNpmrc(text));
      assert.doesNotThrow(() => expandNpmEnv(text, { a: '1' }));
    }
  });
});

describe('expandNpmEnv: ${VAR} as npm expands it', () => {
  const env = { TOKEN: 'abc', EMPTY: '', HOST: 'r.example' };
  const cases = [
    ['${TOKEN}', 'abc'],
    ['pre-${TOKEN}-post', 'pre-abc-post'],
    ['${MISSING}', '${MISSING}'], // left as written
    ['${MISSING?}', ''], // optional form
    ['${TOKEN?}', 'abc'],
    ['${EMPTY}', ''],
    ['\\${TOKEN}', '${TOKEN}'], // one backslash escapes
    ['\\\\${TOKEN}', '\\abc'], // two give one literal backslash, then the value
    ['\\\\\\${TOKEN}', '\\${TOKEN}'],
    ['$TOKEN', '$TOKEN'], // no braces, no expansion
    ['${}', '${}'],
    ['${A B}', '${A B}'], // names may hold spaces; unset stays literal
    ['//${HOST}/:_authToken', '//r.example/:_authToken'],
    ['${TOKEN}${TOKEN}', 'abcabc'],
  ];
  for (const [input, expected] of cases) test(JSON.stringify(input), () => assert.equal(expandNpmEnv(input, env), expected));
});

describe('envSettings: npm_config_* variables', () => {
  test('case-insensitive prefix, _ to -, lower-cased, empty skipped, nerf darts kept as written', () => {
    const s = envSettings({
      NPM_CONFIG_REGISTRY: 'https://upper.example/',
      npm_config_strict_ssl: 'false',
      npm_config_empty: '',
      'npm_config_@Corp:registry': 'https://corp.example/',
      'npm_config_//r.example/:_authToken': 'tok',
      npm_config__auth: 'x',
      OTHER: 'y',
    });
    assert.deepEqual(Object.fromEntries(s), {
      registry: 'https://upper.example/',
      'strict-ssl': 'false',
      '@corp:registry': 'https://corp.example/',
      '//r.example/:_authToken': 'tok',
      _auth: 'x',
    });
  });
});

describe('loadNpmConfig: layers and precedence', () => {
  const GLOBAL = '/usr/local/etc/npmrc';
  test('nothing configured: the public registry', async () => {
    const { config, read } = await load();
    assert.equal(config.defaultRegistry, DEFAULT_NPM_REGISTRY);
    assert.equal(config.registrySource, 'default');
    assert.deepEqual(config.scopes, {});
    assert.deepEqual(read, ['/work/app/.npmrc', '/home/u/.npmrc']); // no prefix known: no global file
  });

  const layered = {
    [GLOBAL]: 'registry=https://global.example/',
    '/home/u/.npmrc': 'registry=https://user.example/',
    '/work/app/.npmrc': 'registry=https://project.example/',
  };
  const precedence = [
    ['global', { fs: { [GLOBAL]: layered[GLOBAL] }, globalPrefix: '/usr/local' }, 'https://global.example/', 'global'],
    ['user over global', { fs: layered, globalPrefix: '/usr/local', projectDir: '/elsewhere' }, 'https://user.example/', 'user'],
    ['project over user', { fs: layered, globalPrefix: '/usr/local' }, 'https://project.example/', 'project'],
    ['npm_config_registry over project', { fs: layered, env: { npm_config_registry: 'https://env.example' } }, 'https://env.example/', 'env'],
    ['NPM_CONFIG_REGISTRY too', { fs: layered, env: { NPM_CONFIG_REGISTRY: 'https://env2.example/' } }, 'https://env2.example/', 'env'],
    ['an empty env value does not count', { fs: layered, env: { npm_config_registry: '' } }, 'https://project.example/', 'project'],
    ['cli over env', { fs: layered, env: { npm_config_registry: 'https://env.example/' }, cliRegistry: 'https://cli.example/x' }, 'https://cli.example/x/', 'cli'],
    ['an invalid value falls through', { fs: { ...layered, '/work/app/.npmrc': 'registry=not a url' } }, 'https://user.example/', 'user'],
    ['a non-http value falls through', { fs: { ...layered, '/work/app/.npmrc': 'registry=file:///tmp/r' } }, 'https://user.example/', 'user'],
    ['a bare key falls through', { fs: { ...layered, '/work/app/.npmrc': 'registry' } }, 'https://user.example/', 'user'],
    ['env expansion in the value', { fs: { '/work/app/.npmrc': 'registry=https://${REG_HOST}/npm' }, env: { REG_HOST: 'mirror.example' } }, 'https://mirror.example/npm/', 'project'],
  ];
  for (const [name, options, registry, source] of precedence) {
    test(name, async () => {
      const { config } = await load(options);
      assert.equal(config.defaultRegistry, registry);
      assert.equal(config.registrySource, source);
    });
  }

  test('PREFIX and NPM_CONFIG_GLOBALCONFIG choose the global file', async () => {
    const fs = { '/opt/node/etc/npmrc': 'registry=https://prefix.example/', '/cfg/global': 'registry=https://named.example/' };
    assert.equal((await load({ fs, env: { PREFIX: '/opt/node' } })).config.defaultRegistry, 'https://prefix.example/');
    assert.equal((await load({ fs, env: { PREFIX: '/opt/node', NPM_CONFIG_GLOBALCONFIG: '/cfg/global' } })).config.defaultRegistry, 'https://named.example/');
    assert.equal((await load({ fs, env: { npm_config_prefix: '/opt/node' } })).config.defaultRegistry, 'https://prefix.example/');
  });

  test('NPM_CONFIG_USERCONFIG moves the user file; so does userconfig in the project file', async () => {
    const fs = { '/cfg/user': 'registry=https://moved.example/', '/home/u/.npmrc': 'registry=https://home.example/', '/home/u/alt': 'registry=https://alt.example/' };
    const moved = await load({ fs, env: { NPM_CONFIG_USERCONFIG: '/cfg/user' } });
    assert.equal(moved.config.defaultRegistry, 'https://moved.example/');
    assert.ok(!moved.read.includes('/home/u/.npmrc'));
    const fromProject = await load({ fs: { ...fs, '/work/app/.npmrc': 'userconfig=~/alt' } });
    assert.equal(fromProject.config.defaultRegistry, 'https://alt.example/');
  });

  test('a project in the home folder is read once, as the user file', async () => {
    const { config, read } = await load({ projectDir: '/home/u', fs: { '/home/u/.npmrc': 'registry=https://home.example/' } });
    assert.equal(config.registrySource, 'user');
    assert.deepEqual(read, ['/home/u/.npmrc']);
  });

  test('unreadable files are skipped', async () => {
    const config = await loadNpmConfig({ projectDir: '/p', home: '/h', env: {}, readFile: async () => Promise.reject(new Error('EACCES')) });
    assert.equal(config.defaultRegistry, DEFAULT_NPM_REGISTRY);
    assert.ok(config.files.every((f) => !f.found));
  });

  test('windows paths', async () => {
    const fs = { 'C:\\Users\\u\\.npmrc': 'registry=https://win.example/', 'C:\\node\\etc\\npmrc': '@s:registry=https://s.example' };
    const { config } = await load({ fs, platform: 'win32', projectDir: 'C:\\work\\app', home: 'C:\\Users\\u', globalPrefix: 'C:\\node' });
    assert.equal(config.defaultRegistry, 'https://win.example/');
    assert.deepEqual(config.scopes, { '@s': 'https://s.example/' });
  });
});

describe('scope registries', () => {
  test('per scope, with precedence, from files and env', async () => {
    const { config } = await load({
      fs: {
        '/home/u/.npmrc': '@corp:registry=https://user-corp.example/\n@tools:registry=https://tools.example/npm',
        '/work/app/.npmrc': '@corp:registry=https://project-corp.example/\n@bad:registry=nope',
      },
      env: { 'npm_config_@env:registry': 'https://env-scope.example/' },
    });
    assert.deepEqual(config.scopes, {
      '@corp': 'https://project-corp.example/',
      '@tools': 'https://tools.example/npm/',
      '@env': 'https://env-scope.example/',
    });
    assert.equal(registryForPackage(config, '@corp/ui'), 'https://project-corp.example/');
    assert.equal(registryForPackage(config, '@tools/cli'), 'https://tools.example/npm/');
    assert.equal(registryForPackage(config, '@other/x'), DEFAULT_NPM_REGISTRY);
    assert.equal(registryForPackage(config, 'react'), DEFAULT_NPM_REGISTRY);
    assert.equal(registryForPackage(config, '@bad/x'), DEFAULT_NPM_REGISTRY);
  });
});

describe('auth: sent only under its nerf-darted prefix', () => {
  test('a host-wide token', async () => {
    const { config } = await load({ fs: { '/home/u/.npmrc': '//r.example/:_authToken=T1' } });
    assert.equal(auth(config, 'https://r.example/react'), 'Bearer T1');
    assert.equal(auth(config, 'https://r.example/@s%2fp'), 'Bearer T1');
    assert.equal(auth(config, 'http://r.example/react'), 'Bearer T1'); // npm keys ignore the scheme
    for (const elsewhere of ['https://registry.npmjs.org/react', 'https://r.example:8443/react', 'https://r.example.evil.com/react', 'https://evil.com/r.example/react', 'https://sub.r.example/react']) {
      assert.equal(auth(config, elsewhere), undefined, elsewhere);
    }
  });

  test('a path-scoped token stays under its path, segment by segment', async () => {
    const { config } = await load({ fs: { '/work/app/.npmrc': '//r.example/private/:_authToken=P\n//r.example/team:_authToken=TEAM' } });
    assert.equal(auth(config, 'https://r.example/private/pkg'), 'Bearer P');
    assert.equal(auth(config, 'https://r.example/private/@s%2fp'), 'Bearer P');
    assert.equal(auth(config, 'https://r.example/public/pkg'), undefined);
    assert.equal(auth(config, 'https://r.example/privateer/pkg'), undefined);
    assert.equal(auth(config, 'https://r.example/pkg'), undefined);
    assert.equal(auth(config, 'https://r.example/team/pkg'), 'Bearer TEAM'); // `//host/team` matches `//host/team/...`
    assert.equal(auth(config, 'https://r.example/teamwork/pkg'), undefined); // but not `//host/teamwork`
  });

  test('the longest prefix wins', async () => {
    const { config } = await load({ fs: { '/home/u/.npmrc': '//r.example/:_authToken=HOST\n//r.example/a/b/:_authToken=DEEP' } });
    assert.equal(auth(config, 'https://r.example/a/b/pkg'), 'Bearer DEEP');
    assert.equal(auth(config, 'https://r.example/a/pkg'), 'Bearer HOST');
  });

  test('port is part of the key', async () => {
    const { config } = await load({ fs: { '/home/u/.npmrc': '//127.0.0.1:4873/:_authToken=LOCAL' } });
    assert.equal(auth(config, 'http://127.0.0.1:4873/pkg'), 'Bearer LOCAL');
    assert.equal(auth(config, 'http://127.0.0.1:4874/pkg'), undefined);
    assert.equal(auth(config, 'http://127.0.0.1/pkg'), undefined);
  });

  test('_auth, username + _password, and their order', async () => {
    const b64 = (s) => Buffer.from(s).toString('base64');
    const { config } = await load({
      fs: {
        '/home/u/.npmrc': [
          `//basic.example/:_auth=${b64('alice:pw')}`,
          `//pair.example/:username=bob`,
          `//pair.example/:_password=${b64('pässword')}`,
          `//both.example/:_authToken=TOK`,
          `//both.example/:_auth=${b64('x:y')}`,
          `//half.example/:_authToken=OUTER`,
          `//half.example/inner/:username=nopassword`,
        ].join('\n'),
      },
    });
    assert.equal(auth(config, 'https://basic.example/p'), `Basic ${b64('alice:pw')}`);
    assert.equal(auth(config, 'https://pair.example/p'), `Basic ${b64('bob:pässword')}`);
    assert.equal(auth(config, 'https://both.example/p'), 'Bearer TOK');
    // A username without a password is not auth: the walk goes on up to the host's token.
    assert.equal(auth(config, 'https://half.example/inner/p'), 'Bearer OUTER');
  });

  test('credentials npm refuses or ignores are never sent', async () => {
    const { config } = await load({
      fs: { '/home/u/.npmrc': '_authToken=UNNERFED\n_auth=dTpw\n//empty.example/:_authToken=\n//r.example/:username=u' },
    });
    for (const url of ['https://registry.npmjs.org/react', 'https://empty.example/p', 'https://r.example/p']) assert.equal(auth(config, url), undefined, url);
  });

  test('env expansion in auth keys and values; ${VAR?} unset means no token', async () => {
    const text = '//${REG}/:_authToken=${NPM_TOKEN}\n//opt.example/:_authToken=${OPT_TOKEN?}';
    const set = await load({ fs: { '/work/app/.npmrc': text }, env: { REG: 'r.example', NPM_TOKEN: 'from-env' } });
    assert.equal(auth(set.config, 'https://r.example/p'), 'Bearer from-env');
    assert.equal(auth(set.config, 'https://opt.example/p'), undefined);
    // Unset without `?`: npm sends the text as written. So do we (and a 401 then says why).
    const unset = await load({ fs: { '/work/app/.npmrc': text }, env: { REG: 'r.example' } });
    assert.equal(auth(unset.config, 'https://r.example/p'), 'Bearer ${NPM_TOKEN}');
  });

  test('tokens from env and higher layers override lower ones key by key', async () => {
    const { config } = await load({
      fs: { '/home/u/.npmrc': '//r.example/:_authToken=USER\n//s.example/:_authToken=S', '/work/app/.npmrc': '//r.example/:_authToken=PROJECT' },
      env: { 'npm_config_//s.example/:_authToken': 'ENV' },
    });
    assert.equal(auth(config, 'https://r.example/p'), 'Bearer PROJECT');
    assert.equal(auth(config, 'https://s.example/p'), 'Bearer ENV');
  });
});

describe('helpers', () => {
  test('nerfDart', () => {
    assert.equal(nerfDart('https://registry.npmjs.org/'), '//registry.npmjs.org/');
    assert.equal(nerfDart('https://r.example:8443/npm/'), '//r.example:8443/npm/');
    assert.equal(nerfDart('https://r.example/npm'), '//r.example/');
    assert.equal(nerfDart('https://user:pw@r.example/a/b/?q=1'), '//r.example/a/b/');
  });
  test('normalizeRegistry', () => {
    assert.equal(normalizeRegistry('https://r.example'), 'https://r.example/');
    assert.equal(normalizeRegistry('https://r.example/npm//'), 'https://r.example/npm/');
    assert.equal(normalizeRegistry('ftp://r.example/'), undefined);
    assert.equal(normalizeRegistry('r.example'), undefined);
    assert.equal(normalizeRegistry(''), undefined);
  });
});

describe('peer-dependency settings', () => {
  it('legacy-peer-deps, strict-peer-deps and force come from the layers, highest first', async () => {
    const none = (await load()).config.peerDeps;
    assert.deepEqual(none, { legacyPeerDeps: false, strictPeerDeps: false, force: false });
    const project = (await load({ fs: { '/work/app/.npmrc': 'legacy-peer-deps=true\nstrict-peer-deps\n' } })).config.peerDeps;
    assert.deepEqual(project, { legacyPeerDeps: true, strictPeerDeps: true, force: false });
    const envOff = (await load({ fs: { '/work/app/.npmrc': 'legacy-peer-deps=true\n' }, env: { npm_config_legacy_peer_deps: 'false', NPM_CONFIG_FORCE: 'true' } })).config.peerDeps;
    assert.deepEqual(envOff, { legacyPeerDeps: false, strictPeerDeps: false, force: true });
    const user = (await load({ fs: { '/home/u/.npmrc': 'legacy-peer-deps=true\n' } })).config.peerDeps;
    assert.equal(user.legacyPeerDeps, true);
  });
});
