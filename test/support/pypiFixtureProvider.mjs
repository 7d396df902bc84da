// A stand-in PyPI provider over test/fixtures/pypi for solver tests: PEP 440 ordering and
// specifiers from our pep440 module, only the projects asked for, requirements with environment
// markers dropped (the real python provider, with markers and extras, lives elsewhere).
import { readFileSync } from 'node:fs';
import { compareVersions, parseSpecifierSet, parseVersion } from '../../dist/core/python/versions/pep440.js';
import { memoryProvider } from './memoryProvider.mjs';

const FIXTURES = new URL('../fixtures/pypi/', import.meta.url);
const REQUIREMENT = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*\(?([^;()]*)\)?\s*(;.*)?$/;

/** Loads `{ project: { version: { dep: specifier } } }` for the named fixture projects. */
export function loadPypiRegistry(projects) {
  const keep = new Set(projects);
  const registry = {};
  for (const name of projects) {
    const data = JSON.parse(readFileSync(new URL(`${name}.json`, FIXTURES), 'utf8'));
    registry[name] = {};
    for (const [version, meta] of Object.entries(data.versions)) {
      const deps = {};
      for (const req of meta.requires_dist ?? []) {
        const m = REQUIREMENT.exec(req);
        if (!m || m[4] || !keep.has(m[1].toLowerCase())) continue;
        deps[m[1].toLowerCase()] = m[3].trim();
      }
      registry[name][version] = deps;
    }
  }
  return registry;
}

const compare = (a, b) => compareVersions(parseVersion(a), parseVersion(b));
const specCache = new Map();
const verdicts = new Map();
function allows(spec, version) {
  const key = `${spec}\u0000${version}`;
  let verdict = verdicts.get(key);
  if (verdict === undefined) {
    let set = specCache.get(spec);
    if (!set) {
      const r = parseSpecifierSet(spec);
      if (!r.ok) throw new Error(`bad specifier ${spec}: ${r.message}`);
      specCache.set(spec, (set = r.set));
    }
    verdicts.set(key, (verdict = set.contains(version)));
  }
  return verdict;
}

/** A provider over the fixture projects with PEP 440 rules. */
export function pypiFixtureProvider(projects, options = {}) {
  return memoryProvider(loadPypiRegistry(projects), { compare, allows, ...options });
}
