// Differential test: the indexes, --no-index and trusted hosts our config loader resolves from pip's
// configuration (pip.conf files in every location pip searches, PIP_* variables, and requirements
// file options) against what pip 23.2.1's `pip install` builds its PackageFinder with
// (test/differential/oracle_pipconfig.py). Each case gets its own directory tree; the oracle
// re-roots /etc into it so this machine's /etc/pip.conf plays no part, and so does our readFile.
import { test, before } from 'node:test';
import { requireOracles } from '../support/oracles.mjs';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { loadPythonIndexConfig } from '../../dist/core/python/index/indexConfig.js';
import { parseNetrc } from '../../dist/core/python/index/netrc.js';
import { prng as mulberry32 } from '../support/prng.mjs';

// The oracles this file compares with, in the versions it was written against.
before(() => requireOracles('python', 'pip'));

const here = path.dirname(fileURLToPath(import.meta.url));
const SEED = 0x91bc0f;
const RANDOM_CASES = 300;

const rnd = mulberry32(SEED);
const chance = (p) => rnd() < p;
const int = (n) => Math.floor(rnd() * n);
const pick = (xs) => xs[int(xs.length)];

const URLS = [
  'https://idx-a.example/simple', 'https://idx-b.example/simple', 'https://user:s3cret@idx-c.example/simple',
  'http://idx-d.example:8080/simple', 'https://idx-e.example/pypi/simple', 'https://token@idx-f.example/simple',
  'file:///opt/wheels/simple', 'https://idx-g.example/api/pypi/simple',
];
const HOSTS = ['idx-a.example', 'idx-d.example:8080', 'mirror.local', '10.0.0.7'];
const SECTIONS = ['global', 'global', 'install', 'install', 'DEFAULT', 'download', 'Global', 'freeze', ':env:'];
const INDEX_KEYS = ['index-url', 'index-url', 'index_url', 'INDEX-URL', 'pypi-url', 'Index_Url', '--index-url'];
const EXTRA_KEYS = ['extra-index-url', 'extra-index-url', 'extra_index_url', 'Extra-Index-URL'];
const BOOLS = ['yes', 'no', 'true', 'false', '1', '0', 'on', 'off', 'Y', 'F', 'TRUE'];
const DELIMS = [' = ', '=', ': ', ' : ', ':', '\t=\t', '\u00a0=\u3000'];
// Indents for continuation lines, Python whitespace that JavaScript's \s does not match among them.
const INDENTS = ['    ', '  ', '\t', '\u00a0\u00a0', '\u3000', '\x0c', '\x1f', '\x85'];
// Locations relative to the case root; /etc paths are re-rooted on both sides.
const FILES = ['etc/pip.conf', 'etc/xdg/pip/pip.conf', 'xdg-a/pip/pip.conf', 'xdg-b/pip/pip.conf', 'home/.pip/pip.conf',
  'home/.config/pip/pip.conf', 'cfg-home/pip/pip.conf', 'venv/pip.conf', 'custom.conf'];

function value(kind) {
  if (kind === 'index') return chance(0.05) ? '' : pick(URLS);
  if (kind === 'bool') return chance(0.04) ? 'maybe' : pick(BOOLS);
  if (kind === 'hosts') return Array.from({ length: 1 + int(2) }, () => pick(HOSTS)).join(' ');
  const urls = Array.from({ length: 1 + int(3) }, () => pick(URLS));
  // Multi-line forms: value on the key line or not, blank and comment lines inside, deeper indents.
  const style = int(4);
  if (style === 0) return urls.join(' ');
  if (style === 1) return '\n' + urls.map((u) => `${pick(INDENTS)}${u}`).join('\n');
  if (style === 2) return urls[0] + urls.slice(1).map((u) => `\n${pick(INDENTS)}${u}`).join('');
  return '\n' + urls.map((u) => `\t${u}`).join('\n\n  # a comment inside the value\n');
}

function option() {
  const r = rnd();
  if (r < 0.35) return [pick(INDEX_KEYS), value('index')];
  if (r < 0.7) return [pick(EXTRA_KEYS), value('extra')];
  if (r < 0.85) return [pick(['no-index', 'no_index']), value('bool')];
  if (r < 0.95) return [pick(['trusted-host', 'trusted_host']), value('hosts')];
  return [pick(['timeout', 'find-links', 'cert']), '5'];
}

function confText() {
  const lines = [];
  if (chance(0.02)) lines.push('\ufeff# starts with a byte order mark');
  if (chance(0.2)) lines.push(pick(['# pip configuration', '; written by hand', '', '\u00a0', '  # indented comment']));
  if (chance(0.02)) lines.push('index-url = https://before-any-section.example/simple');
  const sections = 1 + int(3);
  const usedSections = new Set();
  for (let s = 0; s < sections; s++) {
    // A repeated section or key makes pip stop; let that happen now and then, not half the time.
    let section = pick(SECTIONS);
    while (usedSections.has(section) && !chance(0.05)) section = pick(SECTIONS);
    usedSections.add(section);
    lines.push(chance(0.05) ? `[${section}] trailing text` : `[${section}]`);
    const usedKeys = new Set();
    const n = int(4);
    for (let i = 0; i < n; i++) {
      let [key, val] = option();
      while (usedKeys.has(key.toLowerCase()) && !chance(0.05)) [key, val] = option();
      usedKeys.add(key.toLowerCase());
      lines.push(`${key}${pick(DELIMS)}${val}`.replace(/[ \t]+\n/, '\n'));
      if (chance(0.1)) lines.push(pick(['', '# comment', '  ; indented comment']));
    }
    if (chance(0.02)) lines.push('this line has no delimiter');
  }
  return lines.join(pick(['\n', '\n', '\r\n'])) + (chance(0.8) ? '\n' : '');
}

function requirementsLines() {
  const lines = [];
  const n = 1 + int(4);
  for (let i = 0; i < n; i++) {
    const r = rnd();
    if (r < 0.25) lines.push([['index-url', pick(URLS), '--index-url']]);
    else if (r < 0.35) lines.push([['index-url', pick(URLS), '-i']]);
    else if (r < 0.6) lines.push([['extra-index-url', pick(URLS), '--extra-index-url']]);
    else if (r < 0.68) lines.push([['no-index', '', '--no-index']]);
    else if (r < 0.78) lines.push([['trusted-host', pick(HOSTS), '--trusted-host']]);
    else if (r < 0.86) lines.push([['extra-index-url', pick(URLS), '--extra-index-url'], ['index-url', pick(URLS), '-i']]);
    else lines.push('requests==2.31.0');
  }
  return lines;
}

function randomCase(i) {
  const files = {};
  for (const f of FILES) if (chance(0.35)) files[f] = confText();
  const env = { HOME: '@ROOT@/home' };
  if (chance(0.15)) env.PIP_INDEX_URL = chance(0.1) ? '' : pick(URLS);
  if (chance(0.05)) env.PIP_PYPI_URL = pick(URLS);
  if (chance(0.15)) env.PIP_EXTRA_INDEX_URL = Array.from({ length: 1 + int(2) }, () => pick(URLS)).join(pick([' ', '\n', '  \t']));
  if (chance(0.07)) env.PIP_NO_INDEX = pick(['1', '0', 'yes', 'off', 'false']);
  if (chance(0.07)) env.PIP_TRUSTED_HOST = pick(HOSTS);
  const cfg = rnd();
  if (cfg < 0.12) env.PIP_CONFIG_FILE = '@ROOT@/custom.conf';
  else if (cfg < 0.16) env.PIP_CONFIG_FILE = '@ROOT@/missing.conf';
  else if (cfg < 0.19) env.PIP_CONFIG_FILE = '/dev/null';
  else if (cfg < 0.2) env.PIP_CONFIG_FILE = '';
  const xdgHome = rnd();
  if (xdgHome < 0.3) env.XDG_CONFIG_HOME = '@ROOT@/cfg-home';
  else if (xdgHome < 0.35) env.XDG_CONFIG_HOME = pick(['', '   ']);
  const xdgDirs = rnd();
  if (xdgDirs < 0.35) env.XDG_CONFIG_DIRS = '@ROOT@/xdg-a:@ROOT@/xdg-b';
  else if (xdgDirs < 0.45) env.XDG_CONFIG_DIRS = '@ROOT@/xdg-b';
  else if (xdgDirs < 0.5) env.XDG_CONFIG_DIRS = ' ';
  if (chance(0.4)) env.VIRTUAL_ENV = '@ROOT@/venv';
  const c = { name: `random #${i}`, files, env };
  if (chance(0.3)) c.requirements = requirementsLines();
  return c;
}

const NAMED = [
  { name: 'nothing configured: PyPI', files: {}, env: { HOME: '@ROOT@/home' } },
  { name: '[install] of the global file beats [global] of the user file', env: { HOME: '@ROOT@/home' },
    files: { 'etc/pip.conf': '[install]\nindex-url = https://idx-a.example/simple\n', 'home/.config/pip/pip.conf': '[global]\nindex-url = https://idx-b.example/simple\n' } },
  { name: 'new user file over legacy user file', env: { HOME: '@ROOT@/home' },
    files: { 'home/.pip/pip.conf': '[global]\nindex-url = https://idx-a.example/simple\n', 'home/.config/pip/pip.conf': '[global]\nindex-url = https://idx-b.example/simple\n' } },
  { name: 'an existing PIP_CONFIG_FILE hides the user files but not the site file', env: { HOME: '@ROOT@/home', PIP_CONFIG_FILE: '@ROOT@/custom.conf', VIRTUAL_ENV: '@ROOT@/venv' },
    files: { 'custom.conf': '[global]\ntimeout = 5\n', 'home/.config/pip/pip.conf': '[global]\nindex-url = https://idx-b.example/simple\n', 'venv/pip.conf': '[global]\nextra-index-url = https://idx-e.example/pypi/simple\n' } },
  { name: 'PIP_CONFIG_FILE over the site file', env: { HOME: '@ROOT@/home', PIP_CONFIG_FILE: '@ROOT@/custom.conf', VIRTUAL_ENV: '@ROOT@/venv' },
    files: { 'custom.conf': '[global]\nindex-url = https://idx-a.example/simple\n', 'venv/pip.conf': '[install]\nindex-url = https://idx-b.example/simple\n' } },
  { name: 'os.devnull turns every file off, not the variables', env: { HOME: '@ROOT@/home', PIP_CONFIG_FILE: '/dev/null', PIP_EXTRA_INDEX_URL: 'https://idx-a.example/simple' },
    files: { 'etc/pip.conf': '[global]\nindex-url = https://idx-b.example/simple\n' } },
  { name: 'PIP_EXTRA_INDEX_URL replaces the files\' extra-index-url', env: { HOME: '@ROOT@/home', PIP_EXTRA_INDEX_URL: 'https://idx-a.example/simple https://idx-b.example/simple' },
    files: { 'home/.config/pip/pip.conf': '[global]\nextra-index-url =\n    https://idx-e.example/pypi/simple\n' } },
  { name: '[DEFAULT] values reach every section', env: { HOME: '@ROOT@/home' },
    files: { 'home/.config/pip/pip.conf': '[DEFAULT]\nindex-url = https://idx-a.example/simple\n[install]\nextra-index-url = https://idx-b.example/simple\n' } },
  { name: 'the last XDG_CONFIG_DIRS entry wins, /etc/pip.conf over both', env: { HOME: '@ROOT@/home', XDG_CONFIG_DIRS: '@ROOT@/xdg-a:@ROOT@/xdg-b' },
    files: { 'xdg-a/pip/pip.conf': '[global]\nindex-url = https://idx-a.example/simple\nextra-index-url = https://idx-g.example/api/pypi/simple\n', 'xdg-b/pip/pip.conf': '[global]\nindex-url = https://idx-b.example/simple\n', 'etc/pip.conf': '[global]\ntrusted-host = mirror.local\n' } },
  { name: 'requirements --index-url drops the configured extras', env: { HOME: '@ROOT@/home' },
    files: { 'home/.config/pip/pip.conf': '[global]\nextra-index-url = https://idx-e.example/pypi/simple\n' },
    requirements: [[['extra-index-url', 'https://idx-a.example/simple', '--extra-index-url']], [['index-url', 'https://idx-b.example/simple', '--index-url']], [['extra-index-url', 'https://idx-g.example/api/pypi/simple', '--extra-index-url']]] },
  { name: 'no-index in pip.conf beats the requirements file', env: { HOME: '@ROOT@/home' },
    files: { 'etc/pip.conf': '[install]\nno-index = yes\n' }, requirements: [[['index-url', 'https://idx-b.example/simple', '-i']]] },
  { name: 'a malformed file makes pip stop', env: { HOME: '@ROOT@/home' }, files: { 'home/.config/pip/pip.conf': 'index-url = https://idx-a.example/simple\n' } },
];

function materialize(c, root) {
  const sub = (s) => s.replaceAll('@ROOT@', root);
  const env = Object.fromEntries(Object.entries(c.env).map(([k, v]) => [k, sub(v)]));
  for (const [rel, text] of Object.entries(c.files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text);
  }
  mkdirSync(root, { recursive: true });
  const manifestOptions = [];
  let requirements;
  if (c.requirements) {
    requirements = path.join(root, 'requirements.txt');
    const text = c.requirements.map((line, i) => {
      if (typeof line === 'string') return line;
      for (const [name, value] of line) manifestOptions.push({ name, value, path: requirements, line: i + 1 });
      return line.map(([, value, flag]) => (value ? `${flag} ${value}` : flag)).join(' ');
    });
    writeFileSync(requirements, text.join('\n') + '\n');
  }
  return { env, manifestOptions, requirements };
}

test(`pip.conf, PIP_* and requirements options resolve as pip 23.2.1 does (${NAMED.length} named + ${RANDOM_CASES} random cases)`, async () => {
  const cases = [...NAMED, ...Array.from({ length: RANDOM_CASES }, (_, i) => randomCase(i))];
  const base = mkdtempSync(path.join(tmpdir(), 'pinsight-pipconf-'));
  try {
    const prepared = cases.map((c, i) => ({ c, root: path.join(base, `c${i}`), ...materialize(c, path.join(base, `c${i}`)) }));
    const payload = prepared.map((p) => ({ env: p.env, root: p.root, prefix: p.env.VIRTUAL_ENV, requirements: p.requirements }));
    const run = spawnSync('python3', [path.join(here, 'oracle_pipconfig.py')], { input: JSON.stringify(payload), encoding: 'utf8', maxBuffer: 64 << 20 });
    assert.equal(run.status, 0, run.stderr);
    const expected = JSON.parse(run.stdout);
    let compared = 0;
    let refused = 0;
    let turnedOff = 0;
    let withRequirements = 0;
    const disagreements = [];
    for (let i = 0; i < prepared.length; i++) {
      const { c, root, env, manifestOptions } = prepared[i];
      const readFile = async (p) => {
        const real = p === '/etc' || p.startsWith('/etc/') ? root + p : p;
        try {
          return readFileSync(real, 'utf8');
        } catch {
          return undefined;
        }
      };
      const ours = await loadPythonIndexConfig({ env, platform: 'linux', manifestOptions, readFile });
      const pip = expected[i];
      if (pip.error !== undefined) {
        assert.match(pip.error, /^exit /, `${c.name}: the oracle failed: ${pip.error}`);
        refused++;
        // pip refuses to run; we carry on without the broken file or value and say so.
        if (ours.warnings.length === 0) disagreements.push({ case: c.name, pip: pip.error, ours: 'no warning' });
        continue;
      }
      compared++;
      if (pip.noIndex) turnedOff++;
      if (c.requirements) withRequirements++;
      const pipIndexes = [...new Set(pip.indexUrls)];
      const got = { indexes: ours.indexes.map((ix) => ix.url), noIndex: ours.noIndex !== undefined, trusted: [...new Set(ours.trustedHosts)].sort() };
      const want = { indexes: pipIndexes, noIndex: pip.noIndex, trusted: [...new Set(pip.trustedHosts)].sort() };
      try {
        assert.deepEqual(got, want);
      } catch {
        disagreements.push({ case: c.name, env, files: c.files, requirements: c.requirements, pip: want, ours: got });
      }
    }
    assert.deepEqual(disagreements.slice(0, 3), [], `${disagreements.length} disagreements`);
    assert.ok(compared > RANDOM_CASES / 2, `only ${compared} cases compared`);
    assert.ok(refused > 0, 'no case exercised a configuration pip refuses');
    assert.ok(turnedOff > 0 && withRequirements > 0, `cases with no-index: ${turnedOff}, with a requirements file: ${withRequirements}`);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

// .netrc: our parser against Python 3.11's netrc module (which requests, and so pip, use) on
// generated token soups: same entries, and an error exactly where Python raises one.
const NETRC_ORACLE = `
import json, netrc, os, sys, tempfile
out = []
with tempfile.TemporaryDirectory() as d:
    p = os.path.join(d, "netrc")
    for text in json.load(sys.stdin):
        with open(p, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        try:
            n = netrc.netrc(p)
            out.append({"hosts": {k: list(v) for k, v in n.hosts.items()}})
        except netrc.NetrcParseError as e:
            out.append({"error": e.msg})
print(json.dumps(out))
`;

test('.netrc parses as Python 3.11 netrc does (1,500 generated files)', () => {
  const r = mulberry32(0x4e7c);
  const p = (xs) => xs[Math.floor(r() * xs.length)];
  const WORDS = ['machine', 'machine', 'default', 'login', 'user', 'account', 'password', 'password', 'macdef', '#', '#c',
    'h1.example', 'h2.example', '10.1.2.3', 'name', '"quoted value"', '"with \\" quote"', 'back\\ slash', '"', 'pa#ss', ''];
  const GAPS = [' ', ' ', '\n', '\t', '\n\n', '\r\n', '  \n', '\n\n\n'];
  const texts = Array.from({ length: 1500 }, () => {
    let text = '';
    const n = Math.floor(r() * 14);
    for (let i = 0; i < n; i++) text += p(WORDS) + p(GAPS);
    return text;
  });
  const run = spawnSync('python3', ['-c', NETRC_ORACLE], { input: JSON.stringify(texts), encoding: 'utf8', maxBuffer: 16 << 20 });
  assert.equal(run.status, 0, run.stderr);
  const expected = JSON.parse(run.stdout);
  const disagreements = [];
  let errors = 0;
  texts.forEach((text, i) => {
    const ours = parseNetrc(text);
    let got;
    if (!ours.ok) got = { error: ours.error };
    else {
      const hosts = {};
      for (const [name, e] of ours.netrc.machines) hosts[name] = [e.login, e.account, e.password];
      if (ours.netrc.default) hosts.default = [ours.netrc.default.login, ours.netrc.default.account, ours.netrc.default.password];
      got = { hosts };
    }
    const want = expected[i].error !== undefined ? { error: expected[i].error } : { hosts: expected[i].hosts };
    if (want.error !== undefined) errors++;
    // Python keeps machines in first-seen order and `default` among them; compare as sets of entries.
    const norm = (x) => (x.hosts ? { hosts: Object.fromEntries(Object.entries(x.hosts).sort(([a], [b]) => (a < b ? -1 : 1))) } : x);
    try {
      assert.deepEqual(norm(got), norm(want));
    } catch {
      disagreements.push({ text, ours: got, python: want });
    }
  });
  assert.deepEqual(disagreements.slice(0, 3), [], `${disagreements.length} disagreements`);
  assert.ok(errors > texts.length * 0.05 && errors < texts.length * 0.95, `${errors} of ${texts.length} files are errors in Python`);
});
