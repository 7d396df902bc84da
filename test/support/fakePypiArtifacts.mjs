// Builds the bytes a fake PyPI serves: core METADATA text, real wheels (zip archives written by hand,
// deflate-compressed with node:zlib) and real sdists (ustar + gzip). Deterministic: the same fixture
// always yields the same bytes, so hashes in index pages stay stable across runs.
import { createHash } from 'node:crypto';
import { crc32, deflateRawSync, gzipSync } from 'node:zlib';
import { tarHeader } from './tar.mjs';

/** PEP 503 normalisation. */
export function normalize(name) {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** The distribution-name part of wheel and sdist filenames (binary distribution format, PEP 625). */
export function filenameStem(name) {
  return normalize(name).replace(/-/g, '_');
}

export function sha256Hex(bytes) {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Extras named in `extra == "x"` markers, in first-seen order. */
export function extrasOf(requiresDist) {
  const extras = [];
  for (const req of requiresDist ?? []) {
    for (const m of req.matchAll(/\bextra\s*==\s*(["'])([^"']*)\1/g)) if (!extras.includes(m[2])) extras.push(m[2]);
  }
  return extras;
}

/** Core metadata (METADATA / PKG-INFO) as a wheel built by a modern backend would carry it. */
export function buildMetadata(displayName, version, info) {
  const lines = ['Metadata-Version: 2.1', `Name: ${displayName}`, `Version: ${version}`, `Summary: Fixture project ${displayName} for Pinsight tests`];
  if (info.requires_python) lines.push(`Requires-Python: ${info.requires_python}`);
  for (const extra of extrasOf(info.requires_dist)) lines.push(`Provides-Extra: ${extra}`);
  for (const req of info.requires_dist ?? []) lines.push(`Requires-Dist: ${req}`);
  lines.push('Description-Content-Type: text/markdown');
  // The body must never be read as headers: a line in it that looks like one is a good trap.
  lines.push('', `# ${displayName}`, '', 'Requires-Dist: not-a-header-this-is-the-description', '');
  return lines.join('\n');
}

// DOS date/time for zip entries, from the fixture's upload time.
function dosDateTime(iso) {
  const d = new Date(iso ?? '2020-01-01T00:00:00Z');
  const year = Math.max(1980, d.getUTCFullYear());
  const time = (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | (d.getUTCSeconds() >> 1);
  const date = ((year - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate();
  return { time, date };
}

function recordHash(bytes) {
  return 'sha256=' + createHash('sha256').update(bytes).digest('base64url');
}

// Incompressible but deterministic filler (xorshift), for wheels larger than a range read's tail.
function filler(size, seed) {
  const out = Buffer.alloc(size);
  let x = seed | 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/**
 * A real wheel: local headers, deflated (or stored) data, central directory and end record.
 * layout: { padBytes?: number (a stored, incompressible module of that size), metadataFirst?: boolean,
 *   files?: { path: text } (the package's files in place of the one fixture module), topLevel?: string (top_level.txt) }
 */
export function buildWheel(displayName, version, metadataText, layout = {}, uploadTime) {
  const stem = filenameStem(displayName);
  const distInfo = `${stem}-${version}.dist-info`;
  const wheelText = 'Wheel-Version: 1.0\nGenerator: pinsight-fake-pypi\nRoot-Is-Purelib: true\nTag: py3-none-any\n\n';
  const moduleText = `"""Fixture module for ${displayName} ${version}."""\n__version__ = ${JSON.stringify(version)}\n`;
  const entries = layout.files
    ? Object.entries(layout.files).map(([name, text]) => ({ name, data: Buffer.from(text) }))
    : [{ name: `${stem}/__init__.py`, data: Buffer.from(moduleText) }];
  if (layout.topLevel) entries.push({ name: `${distInfo}/top_level.txt`, data: Buffer.from(layout.topLevel) });
  if (layout.padBytes) entries.push({ name: `${stem}/_pad.bin`, data: filler(layout.padBytes, layout.padBytes), store: true });
  const meta = { name: `${distInfo}/METADATA`, data: Buffer.from(metadataText) };
  if (layout.metadataFirst) entries.unshift(meta);
  else entries.push(meta);
  entries.push({ name: `${distInfo}/WHEEL`, data: Buffer.from(wheelText) });
  const record = entries.map((e) => `${e.name},${recordHash(e.data)},${e.data.length}`).concat(`${distInfo}/RECORD,,`, '').join('\n');
  entries.push({ name: `${distInfo}/RECORD`, data: Buffer.from(record) });
  return zip(entries, dosDateTime(uploadTime));
}

function zip(entries, { time, date }) {
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name);
    const method = e.store ? 0 : 8;
    const data = e.store ? e.data : deflateRawSync(e.data);
    const crc = crc32(e.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(time, 10);
    local.writeUInt16LE(date, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(e.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(0x0314, 4); // made by Unix, spec 2.0
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt16LE(time, 12);
    central.writeUInt16LE(date, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(e.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE((0o100644 << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, data);
    centrals.push(central, name);
    offset += local.length + name.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}


/** A real sdist: `<stem>-<version>/PKG-INFO` and `pyproject.toml` in a gzipped ustar archive. */
export function buildSdist(displayName, version, metadataText, uploadTime) {
  const root = `${filenameStem(displayName)}-${version}`;
  const mtime = Math.floor(new Date(uploadTime ?? '2020-01-01T00:00:00Z').getTime() / 1000);
  const pyproject = `[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n\n[project]\nname = ${JSON.stringify(displayName)}\nversion = ${JSON.stringify(version)}\ndynamic = ["dependencies"]\n`;
  const parts = [];
  for (const [name, text] of [[`${root}/PKG-INFO`, metadataText], [`${root}/pyproject.toml`, pyproject]]) {
    const data = Buffer.from(text);
    parts.push(tarHeader(name, data.length, mtime), data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(parts), { level: 9 });
}
