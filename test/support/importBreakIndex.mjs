// The import-break fixtures (test/fixtures/import-breaks: stubs of real releases, origin.json per
// folder) as projects for the fake PyPI: each release's wheel is built from its stub files, so the
// index serves the same modules a venv built from them holds. `padBytes` adds a stored,
// incompressible data file (not a module) so that a wheel has a realistic size and reading it
// whole differs clearly from reading its directory and a few members.
import { readFile, readdir } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { normalize } from './fakePypiArtifacts.mjs';

export const IMPORT_FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'import-breaks');

/** Every file under `dir`, by its '/'-separated relative path, as text. */
export async function filesUnder(dir) {
  const out = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = join(entry.parentPath ?? entry.path, entry.name);
    out[relative(dir, full).split(sep).join('/')] = await readFile(full, 'utf8');
  }
  return out;
}

/** Every fixture release: folder -> { dist, files }. */
export async function importFixtures() {
  const out = new Map();
  for (const folder of (await readdir(IMPORT_FIXTURES)).sort()) {
    if (folder.endsWith('.md')) continue;
    const dist = JSON.parse(await readFile(join(IMPORT_FIXTURES, folder, 'dist.json'), 'utf8'));
    out.set(folder, { dist, files: await filesUnder(join(IMPORT_FIXTURES, folder, 'src')) });
  }
  return out;
}

/**
 * Releases the resolver needs for Flask 2.3.0 (its Requires-Dist lower bounds) that no stub models:
 * metadata only, and a wheel with one module that imports nothing. No stub imports from them, so no
 * verdict rests on their contents (FACTS.md).
 */
const STAND_INS = [
  { name: 'Jinja2', version: '3.1.2', requiresDist: ['MarkupSafe>=2.0'] },
  { name: 'itsdangerous', version: '2.1.2', requiresDist: [] },
  { name: 'blinker', version: '1.6.2', requiresDist: [] },
];

/** Fake PyPI projects (startFakePypi's `extra`) holding the given fixture folders (all by default) and the stand-ins, wheels only. */
export async function importBreakProjects({ folders, padBytes = 0, standIns = !folders } = {}) {
  const projects = new Map();
  for (const s of standIns ? STAND_INS : []) {
    const key = normalize(s.name);
    if (!projects.has(key)) projects.set(key, { name: s.name, versions: {} });
    projects.get(key).versions[s.version] = { requires_dist: s.requiresDist, files: 'wheel', ...(padBytes ? { layout: { padBytes } } : {}) };
  }
  for (const [folder, { dist, files }] of await importFixtures()) {
    if (folders && !folders.includes(folder)) continue;
    const key = normalize(dist.name);
    if (!projects.has(key)) projects.set(key, { name: dist.name, versions: {} });
    projects.get(key).versions[dist.version] = {
      requires_dist: dist.requiresDist,
      files: 'wheel',
      layout: { files, topLevel: dist.topLevel, ...(padBytes ? { padBytes } : {}) },
    };
  }
  return [...projects.values()];
}
