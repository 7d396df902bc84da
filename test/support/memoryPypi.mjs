// An in-memory PypiSource (getProject / getMetadata) for provider tests, and Dependency builders.
//
//   memoryPypi({ foo: { '1.0': ['bar>=1'], '2.0b1': { deps: [], yanked: true, requiresPython: '>=3.12', files: 'sdist' } } })
//
// A version is a list of Requires-Dist strings or { deps, requiresPython, yanked, files: 'wheel' |
// 'sdist' | 'none', extras }. `calls` counts requests; `fail` makes a project or version throw.
import { RegistryError } from '../../dist/core/http/types.js';
import { parsePep508 } from '../../dist/core/python/versions/pep508.js';

export const normalize = (name) => name.toLowerCase().replace(/[-_.]+/g, '-');

export const LINUX_311 = {
  python_version: '3.11', python_full_version: '3.11.7', sys_platform: 'linux', platform_system: 'Linux', platform_machine: 'x86_64',
  os_name: 'posix', implementation_name: 'cpython', platform_python_implementation: 'CPython', platform_release: '6.1.0', platform_version: '#1 SMP', implementation_version: '3.11.7',
};

/** A Dependency as the manifest parsers produce it, from a PEP 508 line. */
export function dep(text, extra = {}) {
  const r = parsePep508(text);
  if (!r.ok) throw new Error(`bad requirement ${text}: ${r.message}`);
  const q = r.requirement;
  const zero = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  return {
    name: q.name, normalizedName: normalize(q.name), ecosystem: 'pypi', extras: q.extras, specifier: q.specifier, marker: q.marker,
    section: 'requirements', constraint: false, override: false, optional: false, source: q.url ? 'url' : 'registry', location: q.url,
    range: zero, nameRange: zero, hashes: [], editable: false, raw: text, ...extra,
  };
}

/** Roots with origins { path, index } in list order. */
export function roots(lines, path = 'requirements.txt') {
  return lines.map((line, index) => (typeof line === 'string' ? { dependency: dep(line), origin: { path, index } } : { dependency: line, origin: { path, index } }));
}

function shape(info) {
  return Array.isArray(info) ? { deps: info } : { deps: [], ...info };
}

export function memoryPypi(registry, { fail = {} } = {}) {
  const calls = { projects: [], metadata: [] };
  const projects = new Map(Object.entries(registry).map(([name, versions]) => [normalize(name), { name, versions }]));
  return {
    calls,
    async getProject(name) {
      calls.projects.push(name);
      const norm = normalize(name);
      if (fail[norm] === true) throw new RegistryError('unreachable', 'memory', `memory index is down for ${norm}`);
      const p = projects.get(norm);
      if (!p) throw new RegistryError('not-found', 'memory', `No project named "${name}" was found on memory.`, 404);
      const versions = new Map();
      for (const [version, raw] of Object.entries(p.versions)) {
        const info = shape(raw);
        const kinds = info.files ?? 'wheel';
        const files = kinds === 'none' ? [] : kinds.split('+').map((kind) => ({
          filename: `${norm}-${version}.${kind === 'wheel' ? 'whl' : 'tar.gz'}`, url: `memory://${norm}/${version}`, kind, version,
          tags: kind === 'wheel' ? 'py3-none-any' : undefined, hashes: {}, requiresPython: info.requiresPython, yanked: !!info.yanked,
          yankedReason: typeof info.yanked === 'string' ? info.yanked : undefined, index: 'memory',
        }));
        versions.set(version, { files, yanked: files.length > 0 && files.every((f) => f.yanked), yankedReason: typeof info.yanked === 'string' ? info.yanked : undefined, requiresPython: info.requiresPython });
      }
      return { name, normalized: norm, versions, index: 'memory', stale: false, errors: [] };
    },
    async getMetadata(project, version) {
      calls.metadata.push(`${project.normalized}==${version}`);
      if (fail[`${project.normalized}==${version}`]) throw new RegistryError('http', 'memory', `memory answered HTTP 500 for ${project.normalized} ${version}`, 500);
      const info = shape(projects.get(project.normalized).versions[version]);
      if ((info.files ?? 'wheel') === 'sdist') return { kind: 'unknown', reason: 'only an sdist is published; Pinsight does not build sdists' };
      const extras = info.extras ?? [...new Set(info.deps.flatMap((d) => [...d.matchAll(/extra\s*==\s*["']([^"']+)["']/g)].map((m) => m[1])))];
      return { kind: 'known', requiresDist: info.deps, requiresPython: info.requiresPython, providesExtra: extras, source: 'metadata-file' };
    },
  };
}
