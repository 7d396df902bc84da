// A virtualenv laid out as pip leaves it (pyvenv.cfg, lib/pythonX.Y/site-packages/*.dist-info with
// METADATA and RECORD), written directly for CLI, protocol and editor tests that need one fast.
// The differential suite builds real ones with `python3 -m venv` and pip against the fake index.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Writes a venv at `prefix` with these distributions ({ name, version, requires? }). */
export function writeVenv(prefix, distributions, python = '3.11.7') {
  const site = join(prefix, 'lib', `python${python.split('.').slice(0, 2).join('.')}`, 'site-packages');
  mkdirSync(site, { recursive: true });
  writeFileSync(join(prefix, 'pyvenv.cfg'), `home = /usr/bin\ninclude-system-site-packages = false\nversion = ${python}\n`);
  for (const d of distributions) installDist(site, d);
  return site;
}

/** Adds (or replaces) one distribution in a site-packages folder, as pip install does; `files` ({ path: text }) are written and listed in RECORD. */
export function installDist(site, { name, version, requires = [], files }) {
  const stem = name.replace(/[-.]+/g, '_');
  const dir = join(site, `${stem}-${version}.dist-info`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'METADATA'), [`Metadata-Version: 2.1`, `Name: ${name}`, `Version: ${version}`, ...requires.map((r) => `Requires-Dist: ${r}`), '', ''].join('\n'));
  const listed = files ? Object.keys(files) : [`${stem}/__init__.py`];
  for (const [path, text] of Object.entries(files ?? {})) {
    mkdirSync(dirname(join(site, path)), { recursive: true });
    writeFileSync(join(site, path), text);
  }
  writeFileSync(join(dir, 'RECORD'), [...listed, `${stem}-${version}.dist-info/METADATA`, `${stem}-${version}.dist-info/RECORD`].map((p) => `${p},,\n`).join(''));
  writeFileSync(join(dir, 'INSTALLER'), 'pip\n');
  return dir;
}

/** Removes a distribution's metadata folder, as pip uninstall does. */
export function uninstallDist(dir) {
  rmSync(dir, { recursive: true, force: true });
}
