// The lockfile formats against CPython's own implementations: the plain TOML reader against
// tomllib (on the committed fixtures, a table of TOML's corners and generated documents), and
// poetry's content-hash serialisation (json.dumps with sort_keys, float repr, ensure_ascii) for
// every rule against Python computing the same hash from tomllib's reading of the same file.
import { test, before } from 'node:test';
import { requireOracles } from '../support/oracles.mjs';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { readPlainToml } from '../../dist/core/python/locks/plainToml.js';
import { readToml } from '../../dist/core/python/locks/lockToml.js';
import { poetryContentHash } from '../../dist/core/python/locks/poetryHash.js';
import { prng } from '../support/prng.mjs';
import { runProcess } from '../support/runProcess.mjs';

// The oracles this file compares with, in the versions it was written against.
before(() => requireOracles('python'));

const PYTHON = 'python3';

// One Python process reads every case (a JSON list of {text, rule}) and answers per case.
const ORACLE = `
import tomllib, json, hashlib, sys, datetime
def plain(o):
    if isinstance(o, dict): return {"t": {k: plain(v) for k, v in o.items()}}
    if isinstance(o, list): return [plain(v) for v in o]
    if isinstance(o, (datetime.date, datetime.time)): return {"d": True}
    if isinstance(o, float): return {"f": repr(o)}
    return o
def poetry_hash(data, rule):
    poetry = data.get("tool", {}).get("poetry", {})
    legacy = ["dependencies", "source", "extras", "dev-dependencies"]
    if rule == "tool-poetry":
        content = {k: poetry.get(k) for k in legacy}
        if poetry.get("group") is not None: content["group"] = poetry["group"]
    else:
        project = {k: data["project"][k] for k in ["requires-python", "dependencies", "optional-dependencies"] if k in data.get("project", {})}
        groups = data.get("dependency-groups", {}) if rule == "project-and-groups" else {}
        rel = {}
        for k in legacy + ["group"]:
            v = poetry.get(k)
            if v is None and (k not in legacy or project or groups): continue
            rel[k] = v
        content = {}
        if project: content["project"] = project
        if groups: content["dependency-groups"] = groups
        if content: content["tool"] = {"poetry": rel}
        else: content = rel
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()
out = []
for case in json.loads(sys.stdin.read()):
    try:
        data = tomllib.loads(case["text"])
    except Exception as e:
        out.append({"error": str(e)}); continue
    entry = {"value": plain(data)}
    if case.get("rules"):
        entry["hashes"] = {r: poetry_hash(data, r) for r in case["rules"]}
    out.append(entry)
print(json.dumps(out))
`;

function oracle(cases) {
  return new Promise((resolve, reject) => {
    const p = spawn(PYTHON, ['-c', ORACLE]);
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve(JSON.parse(stdout)) : reject(new Error(`python3 failed: ${stderr}`))));
    p.stdin.end(JSON.stringify(cases));
  });
}

/** Our plain reading in the oracle's shape: tables as {t}, floats as {f} (Python's repr), dates as {d}. */
function ours(item) {
  if (typeof item === 'number') return Number.isInteger(item) && !Object.is(item, -0) ? item : { f: null };
  if (typeof item !== 'object') return item;
  if (item.kind === 'datetime') return { d: true };
  if (item.kind === 'array') return item.items.map(ours);
  return { t: Object.fromEntries([...item.entries].map(([k, v]) => [k, ours(v)])) };
}

// Floats are compared by value: Python's repr and JavaScript's number agree on the value, not the text.
function sameValue(a, b) {
  if (a && typeof a === 'object' && 'f' in a) return b && typeof b === 'object' && ('f' in b || typeof b === 'number');
  if (typeof b === 'object' && b && 'f' in b) return typeof a === 'number' || (a && 'f' in a);
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  if (a && typeof a === 'object') {
    if (!b || typeof b !== 'object') return false;
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => sameValue(a[k], b[k]));
  }
  return a === b;
}

const CORNERS = [
  'a = "basic \\" \\\\ \\t \\u00e9 \\U0001F600"\nb = \'literal \\n no escape\'\n',
  'a = """\nline one\nline "two" ""\n"""\nb = \'\'\'\nraw \\ text\n\'\'\'\n',
  's = """one \\\n    two"""\n',
  '"quoted key" = 1\n\'literal key\' = 2\nbare-key_1 = 3\na.b.c = 4\na . d = 5\n',
  '[x]\ny = 1\n[x.z]\nw = 2\n[[arr]]\nn = 1\n[[arr]]\nn = 2\n[arr.sub]\nq = 3\n',
  'nums = [1, -2, +3, 1_000, 0x1f, 0o17, 0b101, 3.5, -0.0, 1e6, 6.626e-34, inf, -inf]\n',
  'dt = 1979-05-27T07:32:00Z\nd = 1979-05-27\nt = 07:32:00\nldt = 1979-05-27 07:32:00\n',
  'arr = [\n  1, # one\n  2,\n  # comment line\n  3,\n]\nempty = []\nnested = [[1, 2], ["a"]]\n',
  'inline = { a = 1, b = { c = "d" }, e = [1, 2] }\nempty = {}\n',
  '# comments only\n\n   # indented\n',
  'a = 1\r\nb = "crlf"\r\n[t]\r\nc = true\r\n',
  '[a.b]\nx = 1\n[a]\ny = 2\n',
];

function generated(rand, n) {
  const key = () => ['name', 'version', 'a.b', '"quoted key"', 'x-y_z'][Math.floor(rand() * 5)];
  const scalar = () => ['"text"', "'lit'", '42', '-1.5', 'true', '"caf\\u00e9"', '[1, "two", [3]]', '{ k = "v", n = 2 }'][Math.floor(rand() * 8)];
  const lines = [];
  for (let t = 0; t < 3; t++) {
    lines.push(rand() < 0.5 ? `[table${t}]` : `[[items]]`);
    const used = new Set();
    for (let i = 0; i < 4; i++) {
      const k = key();
      if (used.has(k.split('.')[0])) continue;
      used.add(k.split('.')[0]);
      lines.push(`${k} = ${scalar()}${rand() < 0.3 ? ' # note' : ''}`);
    }
  }
  return `# case ${n}\n${lines.join('\n')}\n`;
}

test('python3 is 3.11 or newer (tomllib)', async () => {
  const result = await runProcess(PYTHON, ['-c', 'import sys, tomllib; print("%d.%d" % sys.version_info[:2])']).catch((e) => ({ code: -1, stdout: '', stderr: String(e) }));
  const [major, minor] = result.stdout.trim().split('.').map(Number);
  assert.ok(result.code === 0 && (major > 3 || (major === 3 && minor >= 11)), `This test needs Python 3.11 or newer (for tomllib): apt-get install python3; found ${result.stdout}${result.stderr}`);
});

test('the plain TOML reader reads what tomllib reads, and fails where it fails', async () => {
  const fixtures = join(import.meta.dirname, '../fixtures/locks');
  const files = readdirSync(fixtures, { recursive: true }).map(String).filter((f) => /\.(lock|toml)$/.test(f)).map((f) => readFileSync(join(fixtures, f), 'utf8'));
  const rand = prng(4242);
  const texts = [...files, ...CORNERS, ...Array.from({ length: 60 }, (_, n) => generated(rand, n)), 'a = 1\na = 2\n', 'a = "unterminated\n', '[t\nx = 1\n', 'a = [1, 2\n'];
  const answers = await oracle(texts.map((text) => ({ text })));
  const disagreements = [];
  texts.forEach((text, i) => {
    const read = readPlainToml(text);
    const expected = answers[i];
    // Duplicate keys are the one strictness the reader drops on purpose (the first value wins).
    if ('error' in expected) {
      if (read.ok && !/^a = 1\na = 2/.test(text)) disagreements.push(`tomllib rejects, we accept: ${JSON.stringify(text)}`);
      return;
    }
    if (!read.ok) disagreements.push(`we reject (${read.message}), tomllib accepts: ${JSON.stringify(text)}`);
    else if (!sameValue(ours(read.root), expected.value)) disagreements.push(`values differ: ${JSON.stringify(text)}\nours ${JSON.stringify(ours(read.root))}\npython ${JSON.stringify(expected.value)}`);
  });
  assert.deepEqual(disagreements, []);
  // A leading BOM is not part of a document (as everywhere in Pinsight); tomllib would refuse it.
  const withBom = readPlainToml(`\ufeff${CORNERS[4]}`);
  assert.ok(withBom.ok && sameValue(ours(withBom.root), answers[files.length + 4].value));
});

test('poetry content-hash serialisation equals json.dumps for every rule', async () => {
  const docs = [
    '[tool.poetry]\nname = "x"\n\n[tool.poetry.dependencies]\npython = "^3.9"\nrequests = { version = "^2.31", extras = ["socks"], optional = true }\n"caf\u00e9" = "*"\nweird = { version = ">=1", markers = "os_name == \\"nt\\" and extra == \'a\\\\b\'" }\n\n[tool.poetry.extras]\nall = ["requests"]\n\n[tool.poetry.group.dev.dependencies]\npytest = "^8"\n',
    '[project]\nname = "x"\nrequires-python = ">=3.10"\ndependencies = ["a>=1", "b; python_version < \'3.11\'"]\n\n[project.optional-dependencies]\nz = ["zz"]\n\n[dependency-groups]\ndev = ["pytest", { include-group = "lint" }]\nlint = ["ruff"]\n\n[tool.poetry]\npackage-mode = false\n\n[tool.poetry.dependencies]\na = { source = "internal" }\n\n[[tool.poetry.source]]\nname = "internal"\nurl = "https://example.com/simple"\npriority = "explicit"\n',
    '[tool.poetry]\nname = "numbers"\n\n[tool.poetry.dependencies]\nx = { version = "1", weight = 1.5, big = 12345678901234567890, tiny = 1e-7, huge = 1e22, neg = -0.0 }\n',
    '[tool.other]\nnothing = true\n',
  ];
  const rules = ['tool-poetry', 'project', 'project-and-groups'];
  const answers = await oracle(docs.map((text) => ({ text, rules })));
  for (const [i, text] of docs.entries()) {
    const root = readToml(text).doc.root;
    for (const rule of rules) assert.equal(poetryContentHash(root, rule).hash, answers[i].hashes[rule], `document ${i}, rule ${rule}`);
  }
});
