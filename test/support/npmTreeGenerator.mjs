// Writes an installed npm project to disk the way `npm install` leaves it, with as many packages as
// asked: package.json, package-lock.json (v3), node_modules with hoisted, scoped and nested packages,
// and node_modules/.package-lock.json written last (so npm, and Pinsight, trust it). Deterministic
// for a seed. The tree is consistent: `npm ls` finds nothing wrong with it.
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { prng } from './prng.mjs';

/** Writes the project into `dir`; returns what it wrote (names, direct dependencies, locations). */
export function writeNpmTree(dir, { packages = 1000, direct = 40, seed = 7 } = {}) {
  const random = prng(seed);
  const names = Array.from({ length: packages }, (_, i) => (i % 10 === 3 ? `@gen/s${String(i).padStart(4, '0')}` : `g${String(i).padStart(4, '0')}`));
  // Package i depends only on later packages, so the graph has no cycles; every 25th also wants a
  // version 2 of `gdup`, which the root pins at 1, so those copies nest.
  const deps = names.map((_, i) => {
    const out = {};
    // A shallow tree reaches every package (as real trees are about ten levels deep) ...
    for (const j of [2 * i + 1, 2 * i + 2]) if (j < packages) out[names[j]] = '^1.0.0';
    // ... and shared dependencies make it a graph.
    const count = Math.floor(random() * 3);
    for (let k = 0; k < count; k++) {
      const j = i + 1 + Math.floor(random() * Math.min(50, packages - i - 1));
      if (j < packages) out[names[j]] = '^1.0.0';
    }
    return out;
  });
  const lock = { name: 'gen', version: '1.0.0', lockfileVersion: 3, requires: true, packages: {} };
  const rootDeps = { gdup: '^1.0.0' };
  rootDeps[names[0]] = '^1.0.0';
  for (let i = 1; i < direct; i++) rootDeps[names[Math.floor((i * packages) / direct)]] = '^1.0.0';
  lock.packages[''] = { name: 'gen', version: '1.0.0', dependencies: rootDeps };
  const entry = (name, version, dependencies) => ({
    version,
    resolved: `https://registry.example/${name}/-/${name.split('/').pop()}-${version}.tgz`,
    integrity: 'sha512-generated',
    ...(Object.keys(dependencies).length ? { dependencies } : {}),
  });
  const folders = [];
  const add = (location, name, version, dependencies) => {
    lock.packages[location] = entry(name, version, dependencies);
    folders.push([location, { name, version, ...(Object.keys(dependencies).length ? { dependencies } : {}) }]);
  };
  add('node_modules/gdup', 'gdup', '1.4.0', {});
  names.forEach((name, i) => {
    const own = { ...deps[i] };
    if (i % 25 === 0) own.gdup = '^2.0.0';
    add(`node_modules/${name}`, name, '1.0.0', own);
    if (own.gdup) add(`node_modules/${name}/node_modules/gdup`, 'gdup', '2.1.0', {});
  });
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'gen', version: '1.0.0', dependencies: rootDeps }, null, 2));
  writeFileSync(path.join(dir, 'package-lock.json'), JSON.stringify(lock, null, 2));
  for (const [location, pkg] of folders) {
    mkdirSync(path.join(dir, location), { recursive: true });
    writeFileSync(path.join(dir, location, 'package.json'), JSON.stringify(pkg, null, 2));
  }
  const hidden = { ...lock, packages: { ...lock.packages } };
  delete hidden.packages[''];
  const hiddenPath = path.join(dir, 'node_modules', '.package-lock.json');
  writeFileSync(hiddenPath, JSON.stringify(hidden, null, 2));
  const later = new Date(Date.now() + 5_000);
  utimesSync(hiddenPath, later, later);
  return { names, rootDeps, locations: folders.map(([location]) => location), hiddenPath };
}
