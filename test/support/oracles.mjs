// The oracles the differential tests hold Pinsight to, with the versions the tests were written
// against. A test names the ones it uses (`before(() => requireOracles('python', 'pip'))`): a
// missing or different oracle fails the test with what to install, never a silent pass and never a
// disagreement blamed on Pinsight. The Python target of a resolution is read from the oracle
// interpreter itself (`oracleTarget()`), not assumed.
import { execFileSync } from 'node:child_process';

export const ORACLES = {
  python: { want: '3.11', how: 'install CPython 3.11 as python3 (Debian bookworm: apt-get install python3)' },
  pip: { want: '23.2.1', how: 'install it for python3: python3 -m pip install pip==23.2.1' },
  packaging: { want: '26.2', how: 'install it for python3: python3 -m pip install packaging==26.2' },
  npm: { want: '11', how: 'install Node.js 20+ with npm 11: npm install -g npm@11' },
};

const PROBE = String.raw`
import json, platform, sys
out = {"python": platform.python_version()}
try:
    import pip; out["pip"] = pip.__version__
except Exception: out["pip"] = None
try:
    import packaging; out["packaging"] = packaging.__version__
    from packaging.markers import default_environment; out["markers"] = default_environment()
except Exception: out["packaging"] = None
print(json.dumps(out))
`;

let python;
function probePython() {
  if (python) return python;
  try {
    python = JSON.parse(execFileSync('python3', ['-c', PROBE], { encoding: 'utf8', env: { ...process.env, PYTHONWARNINGS: 'ignore' } }));
  } catch (error) {
    python = { error: error instanceof Error ? error.message.split('\n')[0] : String(error) };
  }
  return python;
}

let npm;
function probeNpm() {
  if (npm !== undefined) return npm;
  try {
    npm = execFileSync('npm', ['--version'], { encoding: 'utf8', env: { ...process.env, NPM_CONFIG_USERCONFIG: '/dev/null', npm_config_update_notifier: 'false' } }).trim();
  } catch {
    npm = null;
  }
  return npm;
}

/** The version found for one oracle, or null when it is not there. */
export function oracleVersion(name) {
  if (name === 'npm') return probeNpm();
  const found = probePython();
  return found.error ? null : (found[name] ?? null);
}

function matches(name, found) {
  const want = ORACLES[name].want;
  // python and npm: the series (3.11.x, 11.x); pip and packaging: the exact release.
  return name === 'python' || name === 'npm' ? found === want || found.startsWith(`${want}.`) : found === want;
}

/** Throws, naming what to install, unless every named oracle is there in the version the tests need. */
export function requireOracles(...names) {
  const problems = [];
  for (const name of names) {
    const oracle = ORACLES[name];
    if (!oracle) throw new Error(`requireOracles: unknown oracle ${name}`);
    const found = oracleVersion(name);
    if (found === null) {
      const why = name !== 'npm' && probePython().error ? ` (python3 -c failed: ${probePython().error})` : '';
      problems.push(`${name} ${oracle.want} is not installed${why}; ${oracle.how}`);
    } else if (!matches(name, found)) {
      problems.push(`${name} ${oracle.want} is needed but ${name} ${found} is installed; ${oracle.how}`);
    }
  }
  if (problems.length > 0) throw new Error(`This test compares Pinsight with its oracles and cannot run: ${problems.join('. ')}.`);
}

/** The oracle interpreter's PEP 508 marker environment, as the Python target of a resolution. */
export function oracleTarget() {
  requireOracles('python', 'packaging');
  return { environment: { ...probePython().markers } };
}
