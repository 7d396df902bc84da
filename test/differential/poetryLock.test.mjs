// poetry.lock freshness against Poetry itself: Debian's python3-poetry (1.3.2) runs
// `poetry lock --check` (its content-hash comparison; no network) on generated pyproject.toml files
// beside locks whose content-hash Pinsight computed, before and after an edit. Pinsight's verdict
// (a lock-stale finding or none) must agree with Poetry's exit status in every case. Edits that do
// not touch what Poetry hashes (a description, key order, quoting, comments, other tables) must keep
// both fresh; edits to dependencies, groups, extras, sources and python must make both stale.
//
// PINSIGHT_POETRY_CASES (default 30, three per edit; ~1 s of Poetry start-up each) and PINSIGHT_POETRY_SEED (default 20260822) shape the cases.
import { test, before } from 'node:test';
import { requireOracles } from '../support/oracles.mjs';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsePyproject } from '../../dist/core/python/pyproject/pyproject.js';
import { checkPoetryLock } from '../../dist/core/python/locks/poetryLock.js';
import { poetryContentHash } from '../../dist/core/python/locks/poetryHash.js';
import { readToml } from '../../dist/core/python/locks/lockToml.js';
import { isolatedEnv } from '../support/isolatedEnv.mjs';
import { prng } from '../support/prng.mjs';
import { runProcess } from '../support/runProcess.mjs';

// The oracles this file compares with, in the versions it was written against.
before(() => requireOracles('python'));

const CASES = Number(process.env.PINSIGHT_POETRY_CASES ?? 30);
const SEED = Number(process.env.PINSIGHT_POETRY_SEED ?? 20260822);
const POETRY_VERSION = '1.3.2';
const ENV = isolatedEnv({ POETRY_VIRTUALENVS_CREATE: 'false', POETRY_NO_INTERACTION: '1', PYTHONWARNINGS: 'ignore' });

const pick = (rand, list) => list[Math.floor(rand() * list.length)];

const NAMES = ['requests', 'Flask', 'typing_extensions', 'zope.interface', 'pyyaml', 'uvicorn', 'attrs', 'Jinja2', 'rich', 'httpx', 'numpy', 'click'];
const CONSTRAINTS = ['^1.2', '~1.2.3', '>=1,<2', '*', '1.2.3', '==2.0.*', '>=2.0.0', '^0.24', '~=3.1', '!=1.5'];
const QUOTES = [(s) => `"${s}"`, (s) => `'${s}'`];

function dependencyValue(rand, state) {
  const q = pick(rand, QUOTES);
  switch (Math.floor(rand() * 8)) {
    case 0:
      return `{ version = ${q(pick(rand, CONSTRAINTS))}, extras = ["standard", "socks"] }`;
    case 1:
      state.optional = true;
      return `{ version = ${q(pick(rand, CONSTRAINTS))}, optional = true }`;
    case 2:
      return `{ version = ">=2", python = ">=3.10" }`;
    case 3:
      return `{ version = "*", markers = "sys_platform == 'linux' and platform_machine != \\"\\u00e9\\"" }`;
    case 4:
      return `{ git = "https://github.com/example/tool.git", tag = "v1" }`;
    case 5:
      return `[{ version = "<2", python = "<3.10" }, { version = ">=2", python = ">=3.10" }]`;
    default:
      return q(pick(rand, CONSTRAINTS));
  }
}

/** A pyproject.toml Poetry 1.3 accepts, as a list of sections so edits can reorder them. */
function generate(rand, n) {
  const state = { optional: false };
  const names = [...NAMES].sort(() => rand() - 0.5).slice(0, 2 + Math.floor(rand() * 4));
  const deps = names.map((name) => `${name.includes('.') ? `"${name}"` : name} = ${dependencyValue(rand, state)}`);
  const optionalName = names.find((_, i) => deps[i].includes('optional = true'));
  void state;
  const sections = {
    head: `[tool.poetry]\nname = "gen-${n}"\nversion = "0.1.0"\ndescription = "Case ${n}: caf\u00e9 \\"quoted\\""\nauthors = ["Dev <dev@example.com>"]\n`,
    deps: `[tool.poetry.dependencies]\npython = "^3.9"\n${deps.join('\n')}\n`,
    group: rand() < 0.6 ? `[tool.poetry.group.dev.dependencies]\npytest = "^7.4"\nruff = { version = ">=0.1", python = ">=3.8" }\n` : '',
    legacy: rand() < 0.3 ? `[tool.poetry.dev-dependencies]\nblack = "^23.1"\n` : '',
    extras: optionalName ? `[tool.poetry.extras]\nall = ["${optionalName}"]\n` : '',
    source: rand() < 0.3 ? `[[tool.poetry.source]]\nname = "internal"\nurl = "https://pypi.example.com/simple/"\nsecondary = true\n` : '',
  };
  return sections;
}

const render = (s) => [s.head, s.deps, s.group, s.legacy, s.extras, s.source].filter(Boolean).join('\n');

// Edits: the first five leave what Poetry hashes alone, the rest change it.
const EDITS = [
  ['none', (s) => s],
  ['description', (s) => ({ ...s, head: s.head.replace(/description = ".*"/, 'description = "Another text, na\u00efve"') })],
  ['other table', (s) => ({ ...s, source: `${s.source}\n[tool.black]\nline-length = 100\n` })],
  ['key order and comments', (s) => {
    const [header, ...lines] = s.deps.split('\n').filter(Boolean);
    return { ...s, deps: `# reordered\n${header}\n${lines.reverse().join('  # a comment\n')}\n` };
  }],
  ['section order', (s) => ({ ...s, head: s.deps, deps: s.head })],
  ['constraint', (s) => ({ ...s, deps: firstOf(s.deps, [[/(\n(?!python\b)[A-Za-z_.0-9"]+ = )(["'])([^"']*)\2/, '$1"$3,!=9.9"'], [/version = (["'])([^"']*)\1/, 'version = "$2,!=9.9"']]) })],
  ['added dependency', (s) => ({ ...s, deps: `${s.deps}tomli = ">=2"\n` })],
  ['python', (s) => ({ ...s, deps: s.deps.replace('python = "^3.9"', 'python = "^3.10"') })],
  ['group', (s) => ({ ...s, group: s.group ? s.group.replace('"^7.4"', '"^7.3"') : `[tool.poetry.group.lint.dependencies]\nmypy = "*"\n` })],
  ['extras', (s) => ({ ...s, deps: firstOf(s.deps, [[/\n((?!python\b)[A-Za-z_.0-9"]+) = (["'])([^"']*)\2\n/, '\n$1 = { version = "$3", extras = ["x"] }\n'], [/extras = \["standard", "socks"\]/, 'extras = ["standard"]'], [/\{ version = (["'])([^"']*)\1, optional = true \}/, '{ version = "$2", optional = true, extras = ["x"] }'], [/python = ">=3.10" \}/, 'python = ">=3.10", extras = ["x"] }']]) })],
];

/** The first replacement that changes the text. */
function firstOf(text, replacements) {
  for (const [pattern, replacement] of replacements) {
    const next = text.replace(pattern, replacement);
    if (next !== text) return next;
  }
  return text;
}

function lockFor(pyproject) {
  const read = readToml(pyproject);
  assert.ok(read.ok, 'generated pyproject.toml parses');
  const hash = poetryContentHash(read.doc.root, 'tool-poetry');
  assert.ok('hash' in hash, `content-hash computed: ${JSON.stringify(hash)}`);
  return `# This file is automatically @generated by Poetry ${POETRY_VERSION} and should not be changed by hand.\npackage = []\n\n[metadata]\nlock-version = "2.0"\npython-versions = "^3.9"\ncontent-hash = "${hash.hash}"\n`;
}

async function poetryVerdict(dir) {
  const result = await runProcess('poetry', ['lock', '--check', '--no-interaction'], { cwd: dir, env: ENV });
  if (/consistent with pyproject\.toml\./.test(result.stdout) && result.code === 0) return 'fresh';
  if (/not consistent/.test(result.stdout + result.stderr) && result.code === 1) return 'stale';
  throw new Error(`poetry lock --check in ${dir} said neither (exit ${result.code}): ${result.stdout}${result.stderr}`);
}

function pinsightVerdict(dir, pyproject, lock) {
  const path = join(dir, 'pyproject.toml');
  const result = checkPoetryLock(parsePyproject(pyproject, path), pyproject, lock, join(dir, 'poetry.lock'));
  assert.deepEqual(result.skipped, [], `nothing skipped in ${dir}: ${JSON.stringify(parsePyproject(pyproject, path).problems)}\n${pyproject}`);
  return result.findings.length > 0 ? 'stale' : 'fresh';
}

async function pool(items, width, work) {
  const results = [];
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i], i);
    }
  }));
  return results;
}

test(`poetry is Debian's ${POETRY_VERSION}`, async () => {
  const result = await runProcess('poetry', ['--version'], { env: ENV }).catch((e) => ({ code: -1, stdout: '', stderr: String(e) }));
  assert.match(result.stdout, new RegExp(`version ${POETRY_VERSION.replace(/\./g, '\\.')}\\b`), `This test needs Poetry ${POETRY_VERSION}: apt-get install python3-poetry (Debian bookworm); found: ${result.stdout}${result.stderr}`);
});

test(`Pinsight and poetry lock --check agree on ${CASES} generated projects, before and after edits`, async () => {
  const root = await mkdtemp(join(tmpdir(), 'pinsight-poetry-'));
  try {
    const rand = prng(SEED);
    const cases = Array.from({ length: CASES }, (_, n) => {
      const original = generate(rand, n);
      const [label, edit] = EDITS[n % EDITS.length];
      const pyproject = render(edit(original));
      if (label !== 'none') assert.notEqual(pyproject, render(original), `the ${label} edit changed case ${n}`);
      return { n, label, lock: lockFor(render(original)), pyproject };
    });
    const verdicts = await pool(cases, 2, async (c) => {
      const dir = join(root, `case-${c.n}`);
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, 'pyproject.toml'), c.pyproject);
      await writeFile(join(dir, 'poetry.lock'), c.lock);
      return { ...c, poetry: await poetryVerdict(dir), ours: pinsightVerdict(dir, c.pyproject, c.lock) };
    });
    const disagreements = verdicts.filter((v) => v.poetry !== v.ours).map((v) => `case ${v.n} (${v.label}): poetry ${v.poetry}, Pinsight ${v.ours}\n${v.pyproject}`);
    assert.deepEqual(disagreements, []);
    // Both verdicts must occur, or the comparison proves little.
    assert.ok(verdicts.some((v) => v.poetry === 'fresh') && verdicts.some((v) => v.poetry === 'stale'), 'some cases are fresh and some stale');
    // Every edit that leaves the hashed content alone keeps the lock fresh, as Poetry says.
    for (const v of verdicts.filter((x) => ['none', 'description', 'other table', 'key order and comments', 'section order'].includes(x.label))) assert.equal(v.poetry, 'fresh', `case ${v.n} (${v.label})`);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
