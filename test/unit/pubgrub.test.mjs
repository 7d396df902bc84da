// The PubGrub solver on in-memory registries: solver.md's worked examples, constraint-only
// requirements, unavailable versions, unknown packages, provider behaviour (one fetch per package,
// parallel fetches, prefetch hints), abort and step caps, and a seeded comparison against a
// brute-force search on 1,000 generated registries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { prng } from '../support/prng.mjs';
import { solve } from '../../dist/core/pubgrub/solver.js';
import { explainConflict, externals, simplifyDerivation } from '../../dist/core/pubgrub/explain.js';
import { ROOT } from '../../dist/core/pubgrub/types.js';
import { memoryProvider, allowsDotted, compareDotted } from '../support/memoryProvider.mjs';

const versionsOf = (r) => Object.fromEntries(r.versions);

async function solved(registry, options) {
  const r = await solve(memoryProvider(registry, options));
  assert.equal(r.kind, 'solution', JSON.stringify(r.kind === 'conflict' ? explainConflict(r.incompatibility, { versionsOf: (p) => r.packageVersions.get(p) ?? [] }).lines : r));
  return r;
}

test('solver.md: no conflicts', async () => {
  const r = await solved({ foo: { '1.0.0': { bar: '>=1,<2' } }, bar: { '1.0.0': {}, '2.0.0': {} } }, { root: { foo: '>=1,<2' } });
  assert.deepEqual(versionsOf(r), { foo: '1.0.0', bar: '1.0.0' });
  assert.deepEqual(r.stats.conflicts, 0);
});

test('solver.md: avoiding a conflict during decision making', async () => {
  const registry = { foo: { '1.0.0': {}, '1.1.0': { bar: '>=2,<3' } }, bar: { '1.0.0': {}, '1.1.0': {}, '2.0.0': {} } };
  const r = await solved(registry, { root: { foo: '>=1,<2', bar: '>=1,<2' } });
  assert.deepEqual(versionsOf(r), { foo: '1.0.0', bar: '1.1.0' });
  assert.equal(r.stats.conflicts, 0, 'foo 1.1.0 is rejected while deciding, without a conflict');
});

test('solver.md: performing conflict resolution', async () => {
  const registry = { foo: { '1.0.0': {}, '2.0.0': { bar: '>=1,<2' } }, bar: { '1.0.0': { foo: '>=1,<2' } } };
  const r = await solved(registry, { root: { foo: '>=1' } });
  assert.deepEqual(versionsOf(r), { foo: '1.0.0' });
  assert.ok(r.stats.conflicts >= 1);
});

test('solver.md: conflict resolution with a partial satisfier', async () => {
  const registry = {
    foo: { '1.0.0': {}, '1.1.0': { left: '>=1,<2', right: '>=1,<2' } },
    left: { '1.0.0': { shared: '>=1' } },
    right: { '1.0.0': { shared: '<2' } },
    shared: { '1.0.0': { target: '>=1,<2' }, '2.0.0': {} },
    target: { '1.0.0': {}, '2.0.0': {} },
  };
  const r = await solved(registry, { root: { foo: '>=1,<2', target: '>=2,<3' } });
  assert.deepEqual(versionsOf(r), { foo: '1.0.0', target: '2.0.0' });
});

test('solver.md: linear and branching error reporting fail', async () => {
  const linear = { foo: { '1.0.0': { bar: '>=2,<3' } }, bar: { '2.0.0': { baz: '>=3,<4' } }, baz: { '1.0.0': {}, '3.0.0': {} } };
  const a = await solve(memoryProvider(linear, { root: { foo: '>=1,<2', baz: '>=1,<2' } }));
  assert.equal(a.kind, 'conflict');
  assert.deepEqual(a.incompatibility.terms.map((t) => [t.package, t.positive]), [[ROOT, true]]);
  const branching = {
    foo: { '1.0.0': { a: '>=1,<2', b: '>=1,<2' }, '1.1.0': { x: '>=1,<2', y: '>=1,<2' } },
    a: { '1.0.0': { b: '>=2,<3' } },
    b: { '1.0.0': {}, '2.0.0': {} },
    x: { '1.0.0': { y: '>=2,<3' } },
    y: { '1.0.0': {}, '2.0.0': {} },
  };
  const b = await solve(memoryProvider(branching, { root: { foo: '>=1,<2' } }));
  assert.equal(b.kind, 'conflict');
});

test('requiredBy names every selected requirer with its specifier and origin', async () => {
  const registry = { a: { '1': { c: '>=1' } }, b: { '1': { c: '<3' } }, c: { '1': {}, '2': {}, '3': {} } };
  const r = await solved(registry, { root: { a: '', b: '' } });
  assert.deepEqual(versionsOf(r), { a: '1', b: '1', c: '2' });
  const byC = r.requiredBy.get('c').map((x) => `${x.by}@${x.byVersion} ${x.specifier}`).sort();
  assert.deepEqual(byC, ['a@1 >=1', 'b@1 <3']);
  assert.deepEqual(r.requiredBy.get('a'), [{ by: ROOT, byVersion: '0', specifier: '', origin: { path: 'requirements.txt', index: 0 } }]);
  assert.equal(r.versions.has(ROOT), false);
});

test('constraint-only requirements limit versions but never add a package', async () => {
  const registry = { foo: { '1': { bar: '' }, '2': { bar: '' } }, bar: { '1': {}, '2': {}, '3': {} }, extra: { '1': {} } };
  const p = memoryProvider(registry, { root: { foo: '' }, constraints: { bar: '<3', extra: '==1', ghost: '>=1' } });
  const r = await solve(p);
  assert.equal(r.kind, 'solution');
  assert.deepEqual(versionsOf(r), { foo: '2', bar: '2' });
  assert.equal(p.calls.versions.get('extra'), undefined, 'a constraint alone does not fetch its package');
  assert.equal(p.calls.versions.get('ghost'), undefined);
  const none = await solve(memoryProvider(registry, { root: { foo: '' }, constraints: { bar: '>=9' } }));
  assert.equal(none.kind, 'conflict');
});

test('a constraint steers the choice of a transitive dependency', async () => {
  const registry = { app: { '1': { lib: '>=1' } }, lib: { '1': {}, '2': { bad: '' } }, bad: { '1': {} } };
  const r = await solved(registry, { root: { app: '' }, constraints: { lib: '<2' } });
  assert.deepEqual(versionsOf(r), { app: '1', lib: '1' });
});

test('unavailable versions are skipped, and a conflict when nothing else is left', async () => {
  const registry = { foo: { '1': {}, '2': {}, '3': {} } };
  const unavailable = { foo: { '3': 'requires Python >=3.12', '2': 'requires Python >=3.12' } };
  const r = await solved(registry, { root: { foo: '' }, unavailable });
  assert.deepEqual(versionsOf(r), { foo: '1' });
  const none = await solve(memoryProvider(registry, { root: { foo: '>=2' }, unavailable }));
  assert.equal(none.kind, 'conflict');
});

test('unknown packages: a root requirement fails; a transitive one is avoided by an older version', async () => {
  const missing = await solve(memoryProvider({}, { root: { nothere: '>=1' } }));
  assert.equal(missing.kind, 'conflict');
  const registry = { foo: { '1': {}, '2': { nothere: '' } } };
  const r = await solved(registry, { root: { foo: '' } });
  assert.deepEqual(versionsOf(r), { foo: '1' });
});

test('a requirement no version matches is a conflict, and a registry error is an error', async () => {
  const r = await solve(memoryProvider({ foo: { '1': {} } }, { root: { foo: '>=5' } }));
  assert.equal(r.kind, 'conflict');
  const e = await solve(memoryProvider({ foo: { '1': {} } }, { root: { foo: '' }, failVersions: { foo: 'index unreachable' } }));
  assert.deepEqual(e, { kind: 'error', message: 'index unreachable' });
});

test('the provider is asked once per package and version, new targets are fetched in parallel, prefetch hints follow', async () => {
  let inFlight = 0;
  let peak = 0;
  let release;
  const gate = new Promise((resolve) => (release = resolve));
  const registry = { app: { '1': { a: '', b: '', c: '' } }, a: { '1': {}, '2': {} }, b: { '1': {} }, c: { '1': { a: '<2' } } };
  const p = memoryProvider(registry, {
    root: { app: '' },
    async onVersions(pkg) {
      if (!['a', 'b', 'c'].includes(pkg)) return;
      inFlight++;
      peak = Math.max(peak, inFlight);
      if (inFlight === 3) release();
      await gate;
      inFlight--;
    },
  });
  const r = await solve(p);
  assert.equal(r.kind, 'solution');
  assert.equal(peak, 3, 'the three targets of app 1 are fetched together');
  for (const [pkg, n] of p.calls.versions) assert.equal(n, 1, pkg);
  for (const [key, n] of p.calls.dependencies) assert.equal(n, 1, key);
  assert.ok(p.calls.prefetch.some(([pkg, v]) => pkg === 'a' && v === '2'), JSON.stringify(p.calls.prefetch));
});

test('preferred versions are tried first when allowed', async () => {
  const registry = { foo: { '1': {}, '2': {}, '3': {} } };
  const r = await solved(registry, { root: { foo: '' }, preferred: (pkg, allowed) => (allowed.includes('2') ? '2' : undefined) });
  assert.deepEqual(versionsOf(r), { foo: '2' });
  const outside = await solved(registry, { root: { foo: '<2' }, preferred: () => '3' });
  assert.deepEqual(versionsOf(outside), { foo: '1' });
});

test('an abort before or during a provider call yields aborted', async () => {
  const registry = { foo: { '1': {} } };
  const early = new AbortController();
  early.abort();
  assert.deepEqual(await solve(memoryProvider(registry, { root: { foo: '' } }), { signal: early.signal }), { kind: 'aborted' });
  const late = new AbortController();
  const p = memoryProvider(registry, {
    root: { foo: '' },
    onDependencies: (pkg, version, signal) =>
      pkg === 'foo'
        ? new Promise((resolve, reject) => {
            signal.addEventListener('abort', () => reject(new Error('cancelled')));
            late.abort();
          })
        : undefined,
  });
  assert.deepEqual(await solve(p, { signal: late.signal }), { kind: 'aborted' });
});

test('maxSteps caps the search with too-complex', async () => {
  const { registry, root } = chainRegistry(30);
  const r = await solve(memoryProvider(registry, { root }), { maxSteps: 20 });
  assert.equal(r.kind, 'too-complex');
  assert.ok(r.stats.steps > 20);
  const ok = await solve(memoryProvider(registry, { root }));
  assert.equal(ok.kind, 'solution');
});

// p0 -> p1 -> ... with each version of p(i) requiring the same version of p(i+1), newest unusable.
function chainRegistry(n) {
  const registry = {};
  for (let i = 0; i < n; i++) {
    registry[`p${i}`] = {};
    for (let v = 1; v <= 4; v++) registry[`p${i}`][`${v}`] = i + 1 < n ? { [`p${i + 1}`]: `==${v}` } : v === 4 ? { nope: '' } : {};
  }
  return { registry, root: { p0: '' } };
}

// ---- randomised comparison with a brute-force search ----

function generate(rand) {
  const pick = (n) => Math.floor(rand() * n);
  const names = Array.from({ length: 20 }, (_, i) => `p${i}`);
  const versions = (count) => Array.from({ length: count }, (_, i) => `${1 + Math.floor(i / 3)}.${i % 3}`);
  const lists = Object.fromEntries(names.map((n) => [n, versions(1 + pick(8))]));
  const spec = (target) => {
    const vs = lists[target] ?? ['1.0', '2.0'];
    const a = vs[pick(vs.length)];
    const b = vs[pick(vs.length)];
    const [lo, hi] = compareDotted(a, b) <= 0 ? [a, b] : [b, a];
    return ['', `>=${a}`, `<${a}`, `>=${lo},<${hi}`, `==${a}`, `!=${a}`, `>=${lo},<=${hi}`][pick(7)];
  };
  // Two virtual extras, 'p0[x]' and 'p1[x]': each version requires its base at the same version.
  const extras = ['p0[x]', 'p1[x]'];
  for (const e of extras) lists[e] = lists[e.slice(0, 2)];
  const target = () => (rand() < 0.03 ? 'ghost' : rand() < 0.1 ? extras[pick(2)] : names[pick(names.length)]);
  const registry = {};
  const unavailable = {};
  for (const n of names) {
    registry[n] = {};
    for (const v of lists[n]) {
      const deps = {};
      for (let k = pick(4); k > 0; k--) {
        const t = target();
        if (t !== n) deps[t] = spec(t);
      }
      registry[n][v] = deps;
      if (rand() < 0.05) (unavailable[n] ??= {})[v] = 'not for this platform';
    }
  }
  for (const e of extras) {
    registry[e] = {};
    for (const v of lists[e]) {
      const deps = { [e.slice(0, 2)]: `==${v}` };
      for (let k = pick(3); k > 0; k--) {
        const t = names[pick(names.length)];
        if (deps[t] === undefined) deps[t] = spec(t);
      }
      registry[e][v] = deps;
    }
  }
  const root = {};
  for (let k = 1 + pick(4); k > 0; k--) {
    const t = target();
    root[t] = spec(t);
  }
  const constraints = {};
  if (rand() < 0.4) {
    const t = names[pick(names.length)];
    constraints[t] = spec(t);
  }
  return { registry, root, constraints, unavailable };
}

/** Depth-first search with most-constrained-first ordering: is there any valid selection? */
function bruteForce({ registry, root, constraints, unavailable }) {
  const selected = new Map();
  let nodes = 0;
  const specsOn = (pkg) => {
    const out = [];
    if (root[pkg] !== undefined) out.push(root[pkg]);
    if (constraints[pkg] !== undefined) out.push(constraints[pkg]);
    for (const [p, v] of selected) {
      const s = registry[p][v][pkg];
      if (s !== undefined) out.push(s);
    }
    return out;
  };
  const candidates = (pkg) =>
    Object.keys(registry[pkg] ?? {})
      .filter((v) => !unavailable[pkg]?.[v] && specsOn(pkg).every((s) => allowsDotted(s, v)))
      .sort(compareDotted)
      .reverse();
  const search = () => {
    if (++nodes > 2_000_000) throw new Error('brute force blew its budget');
    const open = new Set(Object.keys(root));
    for (const [p, v] of selected) for (const q of Object.keys(registry[p][v])) open.add(q);
    for (const p of selected.keys()) open.delete(p);
    if (open.size === 0) return true;
    let best;
    let bestList;
    for (const p of open) {
      const list = candidates(p);
      if (!bestList || list.length < bestList.length) [best, bestList] = [p, list];
      if (list.length === 0) return false;
    }
    for (const v of bestList) {
      const deps = registry[best][v];
      const fits = Object.entries(deps).every(([q, s]) => !selected.has(q) || allowsDotted(s, selected.get(q)));
      if (!fits) continue;
      selected.set(best, v);
      if (search()) return true;
      selected.delete(best);
    }
    return false;
  };
  return search();
}

function checkSolution({ registry, root, constraints, unavailable }, versions) {
  const ok = (pkg, s) => versions.has(pkg) && allowsDotted(s, versions.get(pkg));
  for (const [q, s] of Object.entries(root)) assert.ok(ok(q, s), `root requirement ${q}${s}`);
  for (const [q, s] of Object.entries(constraints)) if (versions.has(q)) assert.ok(ok(q, s), `constraint ${q}${s}`);
  const reachable = new Set(Object.keys(root));
  for (const [p, v] of versions) {
    assert.ok(registry[p]?.[v], `${p} ${v} exists`);
    assert.ok(!unavailable[p]?.[v], `${p} ${v} is available`);
    for (const [q, s] of Object.entries(registry[p][v])) {
      assert.ok(ok(q, s), `${p} ${v} requires ${q}${s}`);
      reachable.add(q);
    }
  }
  for (const p of versions.keys()) assert.ok(reachable.has(p), `${p} is required by something`);
}

// ---- soundness of derivations: every derived incompatibility follows from its two causes ----

// A term as the set of options for its package: version indices, plus n for "not selected"
// (which the root never is: derived incompatibilities drop it for that reason).
function options(term, n) {
  const out = new Set();
  for (let i = 0; i <= (term.package === ROOT ? n - 1 : n); i++) {
    const inSet = i < n && term.set.has(i);
    if (term.positive ? inSet : !inSet) out.add(i);
  }
  return out;
}

function box(inc, sizeOf) {
  return new Map(inc.terms.map((t) => [t.package, options(t, sizeOf(t.package))]));
}

const intersect = (a, b) => new Set([...a].filter((x) => b.has(x)));
const minus = (a, b) => new Set([...a].filter((x) => !b.has(x)));
const full = (n) => new Set(Array.from({ length: n + 1 }, (_, i) => i));

/** Whether every selection making all of `d`'s terms true makes all of `a`'s or all of `b`'s true. */
function follows(d, a, b, sizeOf) {
  const [bd, ba, bb] = [box(d, sizeOf), box(a, sizeOf), box(b, sizeOf)];
  const coord = (bx, p) => bx.get(p) ?? (p === ROOT ? new Set([0]) : full(sizeOf(p)));
  // d \ a as disjoint boxes, each of which must lie inside b.
  const prefix = new Map(bd);
  for (const p of ba.keys()) {
    const piece = new Map(prefix);
    piece.set(p, minus(coord(prefix, p), ba.get(p)));
    const empty = [...piece.values()].some((x) => x.size === 0);
    if (!empty) {
      for (const q of bb.keys()) if (minus(coord(piece, q), bb.get(q)).size > 0) return false;
    }
    prefix.set(p, intersect(coord(prefix, p), ba.get(p)));
  }
  return true;
}

/** Checks each external fact against the registry and each derivation against its causes. */
function checkDerivation(root, instance, versionsOf) {
  const sizeOf = (p) => versionsOf(p).length;
  const seen = new Set();
  const stack = [root];
  while (stack.length > 0) {
    const inc = stack.pop();
    if (seen.has(inc)) continue;
    seen.add(inc);
    if (inc.cause.kind === 'conflict') {
      assert.ok(follows(inc, inc.cause.conflict, inc.cause.other, sizeOf), `derivation #${inc.id} does not follow`);
      stack.push(inc.cause.conflict, inc.cause.other);
    }
  }
  for (const ext of externals(root)) checkFact(ext, instance, versionsOf);
}

function checkFact(inc, { registry, root, constraints, unavailable }, versionsOf) {
  const c = inc.cause;
  const dependents = (pkg) => {
    const t = inc.terms.find((x) => x.package === pkg && x.positive);
    return t ? t.set.indices().map((i) => versionsOf(pkg)[i]) : ['0'];
  };
  // A fact the explanation restated for an extra 'p0[x]' holds for its base at the same version.
  const base = (pkg) => (/\[x\]$/.test(pkg) ? pkg.slice(0, -3) : pkg);
  const specsOn = (pkg, v, q) => {
    if (pkg === ROOT) return [(c.dependency.constraintOnly ? constraints : root)[q]];
    return [registry[pkg][v][q], registry[base(pkg)][v][q]];
  };
  switch (c.kind) {
    case 'root':
      return;
    case 'unavailable':
      for (const v of dependents(c.package)) assert.ok(unavailable[c.package]?.[v] ?? unavailable[base(c.package)]?.[v], `${c.package} ${v} is unavailable`);
      return;
    case 'dependency':
    case 'no-versions':
    case 'unknown-package': {
      const q = c.dependency.package;
      for (const v of dependents(c.dependent)) assert.ok(specsOn(c.dependent, v, q).includes(c.dependency.specifier), `${c.dependent} ${v} -> ${q}${c.dependency.specifier}`);
      if (c.kind === 'unknown-package') assert.ok(!registry[q], `${q} is unknown`);
      if (c.kind === 'no-versions') assert.ok(versionsOf(q).every((v) => !allowsDotted(c.dependency.specifier, v)));
      const t = inc.terms.find((x) => x.package === q);
      if (c.kind === 'dependency' && t) {
        const allowed = versionsOf(q).map((v) => allowsDotted(c.dependency.specifier, v));
        allowed.forEach((ok, i) => assert.equal(t.set.has(i), c.dependency.constraintOnly ? !ok : ok, `${q} set ${JSON.stringify({ dependent: c.dependent, spec: c.dependency.specifier, set: t.set.indices(), positive: t.positive, versions: versionsOf(q), terms: inc.terms.map((x) => [x.package, x.positive, x.set.indices()]) })}`));
      }
      return;
    }
    default:
      assert.fail(`unexpected cause ${c.kind}`);
  }
}

test('1,000 generated registries: solve() agrees with brute force, solutions are valid, derivations are sound', async () => {
  const rand = prng(20240611);
  let satisfiable = 0;
  for (let i = 0; i < 1000; i++) {
    const instance = generate(rand);
    const expected = bruteForce(instance);
    const r = await solve(memoryProvider(instance.registry, instance));
    const label = `registry #${i}: ${JSON.stringify(instance)}`;
    assert.ok(r.kind === 'solution' || r.kind === 'conflict', `${label} gave ${r.kind}`);
    assert.equal(r.kind === 'solution', expected, label);
    if (r.kind === 'solution') {
      satisfiable++;
      checkSolution(instance, r.versions);
    } else {
      const versionsOf = (p) => r.packageVersions.get(p) ?? [];
      checkDerivation(r.incompatibility, instance, versionsOf);
      checkDerivation(simplifyDerivation(r.incompatibility), instance, versionsOf);
      const e = explainConflict(r.incompatibility, { versionsOf });
      assert.ok(e.summary.length > 0 && e.lines.length > 0, label);
      for (const root of e.roots) assert.ok(Object.hasOwn(instance.root, root.package) || Object.hasOwn(instance.constraints, root.package), label);
    }
  }
  // Both outcomes must be well represented for the comparison to mean something.
  assert.ok(satisfiable > 200 && satisfiable < 800, `satisfiable: ${satisfiable}`);
});
