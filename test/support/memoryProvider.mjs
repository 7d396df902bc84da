// An in-memory DependencyProvider for solver tests.
//
//   memoryProvider({ foo: { '1.0.0': { bar: '>=1,<2' } }, bar: { '1.0.0': {}, '2.0.0': {} } },
//                  { root: { foo: '>=1,<2' }, constraints: { bar: '<2' }, unavailable: { bar: { '2.0.0': 'why' } } })
//
// Versions are dotted numbers compared numerically ('1.10' > '1.9', '1' == '1.0'). A requirement is
// a predicate (version => boolean) or a comma-separated specifier with the clauses
// ==, !=, >=, <=, >, < and '' for any version. `options.allows(spec, version)` and
// `options.compare(a, b)` replace the toy rules (the PyPI fixture test passes PEP 440 ones).
import { ROOT } from '../../dist/core/pubgrub/types.js';

/** Numeric comparison of dotted version strings; missing components count as 0. */
export function compareDotted(a, b) {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Whether `version` matches a toy specifier like '>=1,<2'. */
export function allowsDotted(spec, version) {
  return spec
    .split(',')
    .map((c) => c.trim())
    .filter(Boolean)
    .every((clause) => {
      const m = /^(==|!=|>=|<=|>|<)?\s*(.+)$/.exec(clause);
      if (!m) throw new Error(`bad toy specifier ${clause}`);
      const c = compareDotted(version, m[2]);
      switch (m[1] ?? '==') {
        case '==': return c === 0;
        case '!=': return c !== 0;
        case '>=': return c >= 0;
        case '<=': return c <= 0;
        case '>': return c > 0;
        default: return c < 0;
      }
    });
}

/** Builds the provider; `calls` counts versions/dependencies requests per package for assertions. */
export function memoryProvider(registry, options = {}) {
  const compare = options.compare ?? compareDotted;
  const allows = options.allows ?? allowsDotted;
  const calls = { versions: new Map(), dependencies: new Map(), prefetch: [] };
  const bump = (map, key) => map.set(key, (map.get(key) ?? 0) + 1);
  // Warm data, as a real provider's cache would have it: sorted lists and parsed edges kept.
  const sortedVersions = new Map();
  const edges = new Map();

  const edge = (pkg, want, extra = {}) =>
    typeof want === 'function'
      ? { package: pkg, allows: want, specifier: want.specifier ?? '<predicate>', ...extra }
      : { package: pkg, allows: (v) => allows(want, v), specifier: want, ...extra };

  const rootDeps = () => [
    ...Object.entries(options.root ?? {}).map(([pkg, want], index) => edge(pkg, want, { origin: { path: 'requirements.txt', index } })),
    ...Object.entries(options.constraints ?? {}).map(([pkg, want]) => edge(pkg, want, { constraintOnly: true })),
  ];

  const provider = {
    calls,
    async versions(pkg, signal) {
      bump(calls.versions, pkg);
      if (options.onVersions) await options.onVersions(pkg, signal);
      if (pkg === ROOT) return { kind: 'ok', versions: ['0'] };
      if (options.failVersions?.[pkg]) return { kind: 'error', message: options.failVersions[pkg] };
      if (!Object.hasOwn(registry, pkg)) return { kind: 'unknown-package', message: `no package named ${pkg}` };
      let sorted = sortedVersions.get(pkg);
      if (!sorted) sortedVersions.set(pkg, (sorted = Object.keys(registry[pkg]).sort(compare)));
      return { kind: 'ok', versions: sorted };
    },
    async dependencies(pkg, version, signal) {
      bump(calls.dependencies, `${pkg}@${version}`);
      if (options.onDependencies) await options.onDependencies(pkg, version, signal);
      if (pkg === ROOT) return { kind: 'ok', dependencies: rootDeps() };
      const reason = options.unavailable?.[pkg]?.[version];
      if (reason) return { kind: 'unavailable', reason };
      const key = `${pkg}@${version}`;
      if (!edges.has(key)) edges.set(key, Object.entries(registry[pkg]?.[version] ?? {}).map(([dep, want]) => edge(dep, want)));
      return { kind: 'ok', dependencies: edges.get(key) };
    },
    prefetch(pkg, versions) {
      calls.prefetch.push([pkg, ...versions]);
    },
  };
  if (options.preferred) provider.preferred = options.preferred;
  return provider;
}
