// An environment for child processes that sees none of this machine's package configuration
// (pip.conf, PIP_* variables, ~/.npmrc, .netrc), so tests talk only to the fake registries they start.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function isolatedEnv(extra = {}) {
  const home = mkdtempSync(join(tmpdir(), 'pinsight-home-'));
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(PIP_|UV_|NPM_CONFIG_|npm_config_|NETRC$|VIRTUAL_ENV$|XDG_CONFIG|HTTPS?_PROXY$|https?_proxy$)/.test(key)) continue;
    env[key] = value;
  }
  return { ...env, HOME: home, XDG_CONFIG_HOME: join(home, '.config'), XDG_CACHE_HOME: join(home, '.cache'), PIP_CONFIG_FILE: '/dev/null', NO_PROXY: '127.0.0.1,localhost', ...extra };
}
