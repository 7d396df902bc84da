// Team rules (issue 10, part 1): the rule file parser on valid and malformed tables, the folders
// searched, the solver with rules as incompatibilities known from the start (against a brute-force
// search on generated registries), the explanation's words, the hover lines and the npm check.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { prng } from '../support/prng.mjs';
import { parseRules } from '../../dist/core/rules/parseRules.js';
import { loadTeamRules, ruleFolders } from '../../dist/core/rules/findRules.js';
import { ruleHoverLines } from '../../dist/core/rules/describe.js';
import { parseRuleRequirement, ruleFileFindings } from '../../dist/core/project/teamRules.js';
import { solve } from '../../dist/core/pubgrub/solver.js';
import { explainConflict, externals } from '../../dist/core/pubgrub/explain.js';
import { npmRuleFindings, versionsInTree } from '../../dist/core/npm/checks/ruleFindings.js';
import { parsePackageJson } from '../../dist/core/npm/manifest/packageJson.js';
import { memoryProvider, allowsDotted, compareDotted } from '../support/memoryProvider.mjs';

const rules = (text, kind = 'pinsight', path = '/w/pinsight.toml') => parseRules(path, text, kind, parseRuleRequirement);
const problems = (text, kind) => rules(text, kind).problems.map((p) => [p.code, p.severity, p.range.start.line, p.message]);

test('a valid pinsight.toml: incompatible rules with parsed requirements and positions, pins, optional source', () => {
  const r = rules(`# learned
[[incompatible]]
packages = ["Uvicorn<0.30", "websockets >= 14"]
reason = "uvicorn before 0.30 uses websockets APIs that 14 removed"
source = "https://github.com/encode/uvicorn/issues/1"

incompatible_note = 1
`);
  // A key after the table belongs to it: unknown keys are warnings, the rule still applies.
  assert.deepEqual(r.problems.map((p) => [p.severity, p.range.start.line]), [['warning', 6]]);
  assert.equal(r.incompatible.length, 1);
  const [rule] = r.incompatible;
  assert.equal(rule.ecosystem, 'pypi');
  assert.deepEqual(rule.packages.map((p) => [p.name, p.package, p.specifier, p.text]), [['Uvicorn', 'uvicorn', '<0.30', 'Uvicorn<0.30'], ['websockets', 'websockets', '>=14', 'websockets >= 14']]);
  assert.deepEqual(rule.packages[1].range, { start: { line: 2, character: 29 }, end: { line: 2, character: 45 } });
  assert.deepEqual(rule.range.start, { line: 1, character: 0 });
  assert.equal(rule.source, 'https://github.com/encode/uvicorn/issues/1');
});

test('npm rules are recognised by name@range (scoped too), or by ecosystem = "npm"; pins apply to both ecosystems unless told', () => {
  const r = rules(`incompatible = [
  { packages = ["react@>=18", "@types/react@<18"], reason = "types lag behind" },
  { packages = ["left-pad", "right-pad"], reason = "bare names", ecosystem = "npm" },
]
[[pin]]
package = "React_DOM"
reason = "held for the design system"
`);
  assert.deepEqual(r.problems, []);
  assert.deepEqual(r.incompatible.map((x) => [x.ecosystem, x.packages.map((p) => `${p.package}|${p.specifier}`)]), [
    ['npm', ['react|>=18', '@types/react|<18']],
    ['npm', ['left-pad|', 'right-pad|']],
  ]);
  assert.deepEqual(r.pins[0].packages, { pypi: 'react-dom', npm: 'React_DOM' });
  assert.equal(r.pins[0].ecosystem, undefined);
});

test('[tool.pinsight] in pyproject.toml: the same tables, Python by default; other tables and syntax are the manifest\'s business', () => {
  const text = `[project]\nname = "x"\n\n[[tool.pinsight.incompatible]]\npackages = ["a<1", "b>=2"]\nreason = "r"\n\n[[tool.pinsight.pin]]\npackage = "a"\nreason = "why"\n\n[tool.pinsight]\n`;
  const r = rules(text, 'pyproject', '/w/pyproject.toml');
  assert.equal(r.incompatible.length, 1);
  assert.equal(r.pins[0].ecosystem, 'pypi');
  assert.deepEqual(rules('[project\n', 'pyproject', '/w/pyproject.toml').problems, []);
  assert.deepEqual(problems('[[incompatible]\n').map((p) => p[0]), ['syntax-error']);
  assert.deepEqual(problems('[tool.pinsight]\nrules = 1\n', 'pyproject').map((p) => [p[1], p[3]]), [['warning', 'Unknown key `tool.pinsight.rules`; Pinsight reads `tool.pinsight.incompatible` and `tool.pinsight.pin`.']]);
});

test('invalid rules: each problem on the rule, with a sentence that says what to write', () => {
  const cases = [
    ['[[incompatible]]\npackages = ["a<1"]\nreason = "r"\n', 1, /at least 2 packages .* has 1/],
    ['[[incompatible]]\npackages = ["a<1", "b>=>2"]\nreason = "r"\n', 1, /"b>=>2" is not a Python requirement|invalid version specifier/],
    ['[[incompatible]]\npackages = ["a<1", "b[x]>=2"]\nreason = "r"\n', 1, /names extras/],
    ['[[incompatible]]\npackages = ["a<1", "b>=2; python_version<\'3.9\'"]\nreason = "r"\n', 1, /has a marker/],
    ['[[incompatible]]\npackages = ["a<1", "a>=2"]\nreason = "r"\n', 1, /a is named twice/],
    ['[[incompatible]]\npackages = ["a<1", "b>=2"]\n', 0, /has no `reason`/],
    ['[[incompatible]]\npackages = ["a<1", "b>=2"]\nreason = "  "\n', 2, /`reason` is empty/],
    ['[[incompatible]]\npackages = "a<1, b>=2"\nreason = "r"\n', 1, /`packages` must be an array of requirement strings, not a string/],
    ['[[incompatible]]\npackages = ["a<1", 2]\nreason = "r"\n', 1, /must be a requirement string, not a number/],
    ['[[incompatible]]\nreason = "r"\n', 0, /has no `packages`/],
    ['[[incompatible]]\npackages = ["react@>=18", "b<2"]\nreason = "r"\n', 1, /mix npm requirements/],
    ['[[incompatible]]\npackages = ["react@^^18", "vue@3"]\nreason = "r"\n', 1, /no valid semver range/],
    ['[[incompatible]]\npackages = ["a<1", "b>=2"]\nreason = "r"\nsource = "see the wiki"\n', 3, /`source` must be a link/],
    ['[[incompatible]]\npackages = ["a<1", "b>=2"]\nreason = "r"\necosystem = "cargo"\n', 3, /Unknown ecosystem "cargo"/],
    ['incompatible = 3\n', 0, /must be an array of tables/],
    ['[[pin]]\npackage = "a==1.0"\nreason = "r"\necosystem = "pypi"\n', 1, /names a package only/],
    ['[[pin]]\npackage = ["a"]\nreason = "r"\n', 1, /`package` must be a string, not an array/],
    ['[[pin]]\npackage = "a"\n', 0, /has no `reason`/],
  ];
  for (const [text, line, pattern] of cases) {
    const found = problems(text);
    assert.equal(found.length, 1, `${text}\n${JSON.stringify(found)}`);
    assert.equal(found[0][0], 'invalid-rule', text);
    assert.equal(found[0][1], 'error', text);
    assert.equal(found[0][2], line, text);
    assert.match(found[0][3], pattern, text);
    assert.equal(rules(text).incompatible.length + rules(text).pins.length, 0, `an invalid rule does not apply: ${text}`);
  }
});

test('the rule parser never throws, on any mutation of a rule file', () => {
  const base = '[[incompatible]]\npackages = ["uvicorn<0.30", "websockets>=14"]\nreason = "r"\n[[pin]]\npackage = "websockets"\nreason = "why"\n';
  for (let i = 0; i < base.length; i++) {
    for (const text of [base.slice(0, i), base.slice(0, i) + base.slice(i + 1), base.slice(0, i) + '"' + base.slice(i), base.slice(0, i) + '[' + base.slice(i)]) {
      const r = ruleFileFindings('/w/pinsight.toml', text);
      assert.ok(Array.isArray(r));
      for (const p of r) assert.ok(p.range.start.line >= 0 && typeof p.message === 'string' && p.message.length > 0);
    }
  }
});

test('rule files are searched from the manifest folder up to the root, nearest first; outside the root only the manifest\'s folder', async () => {
  assert.deepEqual(ruleFolders('/w/a/b/requirements.txt', '/w'), ['/w/a/b', '/w/a', '/w']);
  assert.deepEqual(ruleFolders('/w/requirements.txt', '/w'), ['/w']);
  assert.deepEqual(ruleFolders('/elsewhere/requirements.txt', '/w'), ['/elsewhere']);
  assert.deepEqual(ruleFolders('/w/x/requirements.txt', undefined), ['/w/x']);
  const files = {
    '/w/pinsight.toml': '[[pin]]\npackage = "a"\nreason = "root"\n',
    '/w/a/pyproject.toml': '[project]\nname = "a"\n[[tool.pinsight.pin]]\npackage = "b"\nreason = "from a"\n',
    '/w/a/b/pinsight.toml': '[[pin]]\npackage = "c"\nreason = "nearest"\n',
    '/pinsight.toml': '[[pin]]\npackage = "d"\nreason = "above the root"\n',
  };
  const runtime = { env: {}, readFile: async (p) => files[p] };
  const found = await loadTeamRules('/w/a/b/requirements.txt', runtime, parseRuleRequirement, { root: '/w' });
  assert.deepEqual(found.files, ['/w/a/b/pinsight.toml', '/w/a/pyproject.toml', '/w/pinsight.toml']);
  assert.deepEqual(found.pins.map((p) => p.reason), ['nearest', 'from a', 'root']);
});

test('the hover lines: pins and incompatible rules that name the package, with the rule file relative to the manifest', () => {
  const r = rules('[[incompatible]]\npackages = ["uvicorn<0.30", "websockets>=14"]\nreason = "removed APIs."\nsource = "https://x.test/1"\n[[pin]]\npackage = "WebSockets"\nreason = "realtime needs <15"\n');
  const dep = { ecosystem: 'pypi', normalizedName: 'websockets' };
  assert.deepEqual(ruleHoverLines(r, dep, '/w/api/requirements.txt'), [
    'Pinned on purpose: realtime needs <15 (../pinsight.toml:5).',
    '`uvicorn<0.30` and `websockets>=14` cannot be installed together: removed APIs (../pinsight.toml:1). Evidence: https://x.test/1',
  ]);
  assert.deepEqual(ruleHoverLines(r, { ecosystem: 'npm', normalizedName: 'uvicorn' }, '/w/package.json'), []);
  assert.deepEqual(ruleHoverLines(undefined, dep, '/w/requirements.txt'), []);
});

// ---- the solver with team rules ----

const note = (reqs) => ({ requirements: reqs, reason: 'known bad', where: 'pinsight.toml:1', path: '/w/pinsight.toml', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 16 } } });
const asRule = (spec) => ({ terms: Object.entries(spec).map(([pkg, s]) => ({ package: pkg, allows: (v) => allowsDotted(s, v) })), note: note(Object.entries(spec).map(([p, s]) => `${p}${s}`)) });
function withRules(registry, options, ruleSpecs) {
  const provider = memoryProvider(registry, options);
  provider.rules = ruleSpecs.map(asRule);
  return provider;
}

test('a rule makes a resolvable set conflict, and the explanation cites it', async () => {
  const registry = { uvicorn: { '0.29': {}, '0.30': {} }, websockets: { '13.1': {}, '14.2': {} } };
  const root = { uvicorn: '==0.29', websockets: '==14.2' };
  assert.equal((await solve(memoryProvider(registry, { root }))).kind, 'solution');
  const r = await solve(withRules(registry, { root }, [{ uvicorn: '<0.30', websockets: '>=14' }]));
  assert.equal(r.kind, 'conflict');
  assert.ok(externals(r.incompatibility).some((i) => i.cause.kind === 'rule'));
  const e = explainConflict(r.incompatibility, { versionsOf: (p) => r.packageVersions.get(p) ?? [] });
  assert.equal(e.summary, 'uvicorn==0.29 and websockets==14.2 together cannot be installed: the team rule in pinsight.toml:1 says uvicorn<0.30 and websockets>=14 are incompatible ("known bad").');
  assert.match(e.lines.join('\n'), /the team rule in pinsight\.toml:1 says uvicorn<0\.30 and websockets>=14 are incompatible/);
});

test('a rule steers the choice: the highest version the rule allows, not the highest there is; a rule on a package nothing needs fetches nothing', async () => {
  const registry = { uvicorn: { '0.29': {}, '0.30': {} }, websockets: { '13.1': {}, '14.2': {}, '15.0': {} }, other: { '1.0': {} } };
  const provider = withRules(registry, { root: { uvicorn: '==0.29', websockets: '>=13' } }, [{ uvicorn: '<0.30', websockets: '>=14' }, { other: '', uvicorn: '' }]);
  const r = await solve(provider);
  assert.equal(r.kind, 'solution');
  assert.equal(r.versions.get('websockets'), '13.1');
  assert.equal(provider.calls.versions.get('other'), undefined);
  // Through a dependency: the rule on a transitive package holds too.
  const deep = { app: { '1.0': { websockets: '>=13' } }, uvicorn: { '0.29': {} }, websockets: { '13.1': {}, '14.2': {} } };
  const d = await solve(withRules(deep, { root: { app: '', uvicorn: '' } }, [{ uvicorn: '<0.30', websockets: '>=14' }]));
  assert.equal(d.versions.get('websockets'), '13.1');
});

function generate(rand) {
  const pick = (n) => Math.floor(rand() * n);
  const names = Array.from({ length: 8 }, (_, i) => `p${i}`);
  const lists = Object.fromEntries(names.map((n) => [n, Array.from({ length: 1 + pick(5) }, (_, i) => `${1 + Math.floor(i / 2)}.${i % 2}`)]));
  const spec = (target) => {
    const vs = lists[target];
    const a = vs[pick(vs.length)];
    return ['', `>=${a}`, `<${a}`, `==${a}`, `!=${a}`][pick(5)];
  };
  const registry = {};
  for (const n of names) {
    registry[n] = {};
    for (const v of lists[n]) {
      const deps = {};
      for (let k = pick(3); k > 0; k--) {
        const t = names[pick(names.length)];
        if (t !== n) deps[t] = spec(t);
      }
      registry[n][v] = deps;
    }
  }
  const root = {};
  for (let k = 1 + pick(3); k > 0; k--) {
    const t = names[pick(names.length)];
    root[t] = spec(t);
  }
  const ruleSpecs = [];
  for (let k = 1 + pick(5); k > 0; k--) {
    const spec2 = {};
    // Rules about what the root asks for decide more often than rules about packages nothing needs.
    const rooted = Object.keys(root);
    for (let j = 2 + pick(2); j > 0; j--) {
      const t = rand() < 0.5 ? rooted[pick(rooted.length)] : names[pick(names.length)];
      spec2[t] = spec(t);
    }
    if (Object.keys(spec2).length >= 2) ruleSpecs.push(spec2);
  }
  return { registry, root, ruleSpecs };
}

const broken = (ruleSpecs, selected) => ruleSpecs.some((r) => Object.entries(r).every(([p, s]) => selected.has(p) && allowsDotted(s, selected.get(p))));

/** Depth-first search over reachable packages: is there a selection that meets every requirement and breaks no rule? */
function bruteForce({ registry, root, ruleSpecs }) {
  const selected = new Map();
  const specsOn = (pkg) => [...(root[pkg] !== undefined ? [root[pkg]] : []), ...[...selected].flatMap(([p, v]) => (registry[p][v][pkg] !== undefined ? [registry[p][v][pkg]] : []))];
  const search = () => {
    const open = new Set(Object.keys(root));
    for (const [p, v] of selected) for (const q of Object.keys(registry[p][v])) open.add(q);
    for (const p of selected.keys()) open.delete(p);
    if (open.size === 0) return true;
    const pkg = [...open][0];
    for (const v of Object.keys(registry[pkg]).sort(compareDotted).reverse()) {
      if (!specsOn(pkg).every((s) => allowsDotted(s, v))) continue;
      if (!Object.entries(registry[pkg][v]).every(([q, s]) => !selected.has(q) || allowsDotted(s, selected.get(q)))) continue;
      selected.set(pkg, v);
      if (!broken(ruleSpecs, selected) && search()) return true;
      selected.delete(pkg);
    }
    return false;
  };
  return search();
}

test('600 generated registries with rules: solve() agrees with brute force, solutions break no rule, rule facts are what the rules say', async () => {
  const rand = prng(20261206);
  let satisfiable = 0;
  let ruleConflicts = 0;
  let changed = 0;
  for (let i = 0; i < 600; i++) {
    const instance = generate(rand);
    const expected = bruteForce(instance);
    const r = await solve(withRules(instance.registry, { root: instance.root }, instance.ruleSpecs));
    const plain = await solve(memoryProvider(instance.registry, { root: instance.root }));
    if (plain.kind === 'solution' && (r.kind !== 'solution' || [...r.versions].some(([p, v]) => plain.versions.get(p) !== v))) changed++;
    const label = `registry #${i}: ${JSON.stringify(instance)}`;
    assert.ok(r.kind === 'solution' || r.kind === 'conflict', `${label} gave ${r.kind}`);
    assert.equal(r.kind === 'solution', expected, label);
    if (r.kind === 'solution') {
      satisfiable++;
      assert.ok(!broken(instance.ruleSpecs, r.versions), `${label}: the solution breaks a rule`);
      continue;
    }
    const versionsOf = (p) => r.packageVersions.get(p) ?? [];
    for (const inc of externals(r.incompatibility)) {
      if (inc.cause.kind !== 'rule') continue;
      ruleConflicts++;
      const spec = instance.ruleSpecs.find((s) => Object.entries(s).map(([p, x]) => `${p}${x}`).join() === inc.cause.rule.requirements.join());
      assert.ok(spec, label);
      for (const t of inc.terms) {
        assert.ok(t.positive, label);
        versionsOf(t.package).forEach((v, k) => assert.equal(t.set.has(k), allowsDotted(spec[t.package], v), `${label}: ${t.package} ${v}`));
      }
    }
  }
  // The comparison means something only if rules often decide: a conflict resting on one, or another solution than without rules.
  assert.ok(satisfiable > 100 && satisfiable < 500, `satisfiable: ${satisfiable}`);
  assert.ok(ruleConflicts >= 10, `conflicts resting on a rule: ${ruleConflicts}`);
  assert.ok(changed >= 50, `instances whose outcome the rules changed: ${changed}`);
  console.log(`satisfiable ${satisfiable}, rule conflicts ${ruleConflicts}, changed ${changed}`);
});

// ---- npm ----

test('npm: a rule broken by the tree npm would install is a conflict on the lines naming its packages', () => {
  const manifest = parsePackageJson('{\n  "dependencies": {\n    "react": "^18.2.0",\n    "react-dom": "^18.2.0"\n  }\n}\n', '/w/package.json');
  const tree = new Map([['node_modules/react', '18.3.1'], ['node_modules/react-dom', '18.3.1'], ['node_modules/react-dom/node_modules/scheduler', '0.23.2'], ['node_modules/@types/react', '17.0.1']]);
  const installed = versionsInTree(tree);
  assert.deepEqual([...installed.get('scheduler')], ['0.23.2']);
  assert.deepEqual([...installed.get('@types/react')], ['17.0.1']);
  const r = rules('[[incompatible]]\npackages = ["react@>=18", "@types/react@<18"]\nreason = "types lag behind"\n[[incompatible]]\npackages = ["react@<18", "scheduler@>=0.23"]\nreason = "not this tree"\n');
  const found = npmRuleFindings(manifest, r, installed);
  assert.deepEqual(found.map((f) => [f.code, f.severity, f.package, f.range.start.line]), [['conflict', 'error', 'react', 2]]);
  assert.equal(found[0].message, 'npm would install react@18.3.1 and @types/react@17.0.1, but the team rule in pinsight.toml:1 says react@>=18 and @types/react@<18 are incompatible ("types lag behind").');
  assert.deepEqual(found[0].related.map((x) => [x.path, x.range.start.line]), [['/w/pinsight.toml', 0]]);
});
