// The environment for pip as an oracle: none of this machine's pip configuration (pip.conf, and
// PIP_* variables such as PIP_FIND_LINKS or PIP_EXTRA_INDEX_URL), so pip sees only the fake index.
export function pipEnv(extra = {}) {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('PIP_')) env[key] = value;
  return { ...env, PIP_DISABLE_PIP_VERSION_CHECK: '1', PIP_CONFIG_FILE: '/dev/null', PIP_NO_INPUT: '1', PIP_REQUIRE_VIRTUALENV: '0', ...extra };
}
