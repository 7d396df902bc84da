// One workspace with a distinctive secret in every place a credential can come from: index URL
// userinfo, a ${VAR} in an index URL, .netrc, a direct reference with a ${VAR} token, --find-links
// userinfo, .npmrc _authToken, _auth and _password, and a proxy URL. The loopback registries
// require the credentials (401 without them), so a check that finds anything really used them.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakePypi } from './fakePypi.mjs';
import { startFakeNpm } from './fakeNpm.mjs';

const b64 = (text) => Buffer.from(text).toString('base64');
const basic = (user, password) => `Basic ${b64(`${user}:${password}`)}`;

export const SECRET = {
  index: 'SECRET_idx_7f3a',
  indexEnv: 'SECRET_idxenv_0d2c',
  netrc: 'SECRET_netrc_3a9e',
  gitlab: 'SECRET_gitlab_4b8d',
  findLinks: 'SECRET_fl_91c2',
  npmToken: 'SECRET_npmtok_2e6a',
  npmAuth: 'SECRET_npmauth_5d1f',
  npmPassword: 'SECRET_npmpw_8c3e',
  proxy: 'SECRET_proxy_6f0b',
};

export async function startSecretsWorkspace() {
  const pypiIndex = await startFakePypi({ projects: 'all', requireAuthorization: basic('idxuser', SECRET.index) });
  const pypiEnv = await startFakePypi({ projects: 'all', requireAuthorization: basic('envuser', SECRET.indexEnv) });
  const npmToken = await startFakeNpm({ requireToken: SECRET.npmToken });
  const npmAuth = await startFakeNpm({ requireAuthorization: basic('authuser', SECRET.npmAuth), extra: { '@a/pkg': { 'dist-tags': { latest: '1.0.0' }, versions: { '1.0.0': {} } } } });
  const npmPassword = await startFakeNpm({ requireAuthorization: basic('pwuser', SECRET.npmPassword), extra: { '@b/pkg': { 'dist-tags': { latest: '1.0.0' }, versions: { '1.0.0': {} } } } });
  const dir = mkdtempSync(join(tmpdir(), 'pinsight-secrets-'));
  const home = join(dir, 'home');
  mkdirSync(home);
  const project = join(dir, 'project');
  mkdirSync(project);
  const port = (server) => new URL(server.url).port;
  // .netrc answers for 127.0.0.1 where no index URL carries credentials: the --extra-index-url below
  // that names none (pypiEnv's origin gets the ${VAR} userinfo, pypiIndex's the literal one).
  const pypiNetrc = await startFakePypi({ projects: 'all', requireAuthorization: basic('netrcuser', SECRET.netrc) });
  writeFileSync(join(home, '.netrc'), `machine 127.0.0.1 login netrcuser password ${SECRET.netrc}\n`);
  const requirements = [
    `--index-url http://idxuser:${SECRET.index}@127.0.0.1:${port(pypiIndex)}/simple`,
    `--extra-index-url http://envuser:\${IDX_PASSWORD}@127.0.0.1:${port(pypiEnv)}/simple`,
    `--extra-index-url http://127.0.0.1:${port(pypiNetrc)}/simple`,
    `--find-links http://fluser:${SECRET.findLinks}@127.0.0.1:${port(pypiIndex)}/links/`,
    'mylib @ git+https://oauth2:${GITLAB_TOKEN}@gitlab.example.com/org/mylib.git',
    'supabase==2.15.3',
    'websockets==15.0.1',
    '',
  ].join('\n');
  writeFileSync(join(project, 'requirements.txt'), requirements);
  const npmrc = [
    `registry=http://127.0.0.1:${port(npmToken)}/`,
    `//127.0.0.1:${port(npmToken)}/:_authToken=${SECRET.npmToken}`,
    `@a:registry=http://127.0.0.1:${port(npmAuth)}/`,
    `//127.0.0.1:${port(npmAuth)}/:_auth=${b64(`authuser:${SECRET.npmAuth}`)}`,
    `@b:registry=http://127.0.0.1:${port(npmPassword)}/`,
    `//127.0.0.1:${port(npmPassword)}/:username=pwuser`,
    `//127.0.0.1:${port(npmPassword)}/:_password=${b64(SECRET.npmPassword)}`,
    '',
  ].join('\n');
  writeFileSync(join(project, '.npmrc'), npmrc);
  const packageJson = JSON.stringify({ name: 'app', dependencies: { react: '^18.2.0', 'react-dom': '^17.0.2', '@a/pkg': '^1.0.0', '@b/pkg': '^2.0.0' } }, null, 2);
  writeFileSync(join(project, 'package.json'), packageJson);
  const env = {
    HOME: home,
    GITLAB_TOKEN: SECRET.gitlab,
    IDX_PASSWORD: SECRET.indexEnv,
    HTTPS_PROXY: `http://proxyuser:${SECRET.proxy}@127.0.0.1:9/`,
    HTTP_PROXY: `http://proxyuser:${SECRET.proxy}@127.0.0.1:9/`,
  };
  // Every secret as written, and the encodings a leak could take (Basic's base64, user:password, URL-encoded).
  const forbidden = [
    ...Object.values(SECRET),
    b64(`idxuser:${SECRET.index}`), b64(`envuser:${SECRET.indexEnv}`), b64(`netrcuser:${SECRET.netrc}`),
    b64(`authuser:${SECRET.npmAuth}`), b64(SECRET.npmPassword), b64(`pwuser:${SECRET.npmPassword}`),
    b64(`fluser:${SECRET.findLinks}`), b64(`oauth2:${SECRET.gitlab}`), b64(`proxyuser:${SECRET.proxy}`),
  ];
  const registries = { pypiIndex, pypiEnv, pypiNetrc, npmToken, npmAuth, npmPassword };
  return {
    dir,
    home,
    project,
    env,
    requirements,
    packageJson,
    forbidden,
    registries,
    /** What each registry saw: how many requests carried the credential it requires. */
    authorized() {
      const pypi = (server, header) => server.requests.filter((r) => r.headers.authorization === header).length;
      const npm = (server, header) => server.requests.filter((r) => r.authorization === header && r.status === 200).length;
      return {
        pypiIndex: pypi(pypiIndex, basic('idxuser', SECRET.index)),
        pypiEnv: pypi(pypiEnv, basic('envuser', SECRET.indexEnv)),
        pypiNetrc: pypi(pypiNetrc, basic('netrcuser', SECRET.netrc)),
        npmToken: npm(npmToken, `Bearer ${SECRET.npmToken}`),
        npmAuth: npm(npmAuth, basic('authuser', SECRET.npmAuth)),
        npmPassword: npm(npmPassword, basic('pwuser', SECRET.npmPassword)),
      };
    },
    /** The secrets (in any encoding) found in a text, with some context, for the assertion message. */
    leaks(text) {
      const out = [];
      for (const secret of forbidden) {
        let at = text.indexOf(secret);
        while (at >= 0) {
          out.push(`${secret}: …${text.slice(Math.max(0, at - 120), at + secret.length + 40)}…`);
          at = text.indexOf(secret, at + 1);
        }
      }
      return out;
    },
    async close() {
      await Promise.all(Object.values(registries).map((r) => r.close()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
