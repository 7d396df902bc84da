// One installed distribution read from its metadata folder: `*.dist-info` (METADATA, RECORD,
// direct_url.json) or a legacy `*.egg-info` (PKG-INFO, requires.txt; or a single PKG-INFO file).
// What pip 23.2.1 reads is what counts: the Name and Version headers, every Requires-Dist, and
// for egg-info the requires.txt sections converted to markers as pip converts them.

import { join } from 'node:path';
import type { Runtime } from '../../runtime';
import { parseHeaders } from '../index/coreMetadata';
import type { Marker } from '../versions/markers';
import { parseSpecifierSet, type SpecifierSet } from '../versions/pep440';
import { normalizeName, parsePep508 } from '../versions/pep508';

/** One Requires-Dist entry, parsed. */
export interface InstalledRequirement {
  /** As written in the metadata. */
  raw: string;
  name: string;
  normalizedName: string;
  /** Extra names, normalised. */
  extras: string[];
  /** The specifier as packaging prints it ('' for any version or a direct URL). */
  specifier: string;
  specifierSet: SpecifierSet | null;
  marker: Marker | null;
}

/** A distribution found in site-packages. */
export interface InstalledDistribution {
  /** The Name header as written (what `pip list` shows). */
  name: string;
  normalizedName: string;
  /** The Version header as written. */
  version: string;
  requires: InstalledRequirement[];
  /** A Requires-Dist pip cannot parse: pip then leaves the whole distribution out of `pip check`. */
  requiresError?: string;
  /** The metadata folder (or file, for a single-file egg-info). */
  path: string;
  format: 'dist-info' | 'egg-info';
  /** Files listed in RECORD. */
  files?: number;
  /** RECORD missing or malformed, in words. */
  recordProblem?: string;
  /** PEP 660 editable install (direct_url.json). */
  editable?: boolean;
  /** The direct URL it was installed from, credentials removed. */
  directUrl?: string;
}

/** A distribution, or why its metadata folder could not be read. */
export type DistributionRead = { ok: true; dist: InstalledDistribution } | { ok: false; path: string; reason: string };

/** The header fields of core metadata that installation state depends on; the body is never read. */
export function parseDistMetadata(text: string): { name?: string; version?: string; requiresDist: string[] } {
  // Cut at the header block's end first: long descriptions make splitting the whole text costly.
  const end = /\r?\n\r?\n|\r\r/.exec(text);
  const fields = parseHeaders(end ? text.slice(0, end.index + 1) : text);
  const first = (key: string) => {
    const found = fields.find(([k]) => k === key)?.[1];
    return found === '' ? undefined : found;
  };
  return { name: first('name'), version: first('version'), requiresDist: fields.filter(([k, v]) => k === 'requires-dist' && v !== '').map(([, v]) => v) };
}

/** Parses one Requires-Dist value; an error message when packaging would reject it. */
export function parseInstalledRequirement(raw: string): InstalledRequirement | { error: string } {
  const parsed = parsePep508(raw);
  if (!parsed.ok) return { error: parsed.message };
  const req = parsed.requirement;
  const set = parseSpecifierSet(req.specifier);
  if (!set.ok) return { error: set.message };
  return {
    raw,
    name: req.name,
    normalizedName: normalizeName(req.name),
    extras: req.extras.map(normalizeName),
    specifier: req.specifier,
    specifierSet: req.specifier ? set.set : null,
    marker: req.markerTree ?? null,
  };
}

export interface RecordEntry {
  path: string;
  hash: string;
  size: string;
}

export type RecordResult = { ok: true; entries: RecordEntry[] } | { ok: false; entries: RecordEntry[]; line: number; message: string };

/** Parses a RECORD file (CSV rows `path,algorithm=digest,size`); stops at the first malformed row. */
export function parseRecord(text: string): RecordResult {
  const entries: RecordEntry[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] === '') continue;
    const fields = parseCsvRow(lines[i]);
    const fail = (message: string): RecordResult => ({ ok: false, entries, line: i + 1, message });
    if (!fields) return fail('a quoted field is not closed');
    if (fields.length !== 3) return fail(`it has ${fields.length} field${fields.length === 1 ? '' : 's'} where a RECORD row has 3 (path, hash, size)`);
    const [path, hash, size] = fields;
    if (path === '') return fail('the path is empty');
    if (hash !== '' && !/^[A-Za-z0-9_]+=[A-Za-z0-9_\-+/=]*$/.test(hash)) return fail(`"${hash}" is not a hash of the form algorithm=digest`);
    if (size !== '' && !/^\d+$/.test(size)) return fail(`"${size}" is not a size in bytes`);
    entries.push({ path, hash, size });
  }
  return { ok: true, entries };
}

/** One CSV row as Python's csv module reads it (double quotes, doubled to escape); null when a quote is left open. */
function parseCsvRow(line: string): string[] | null {
  // Nearly every row has no quotes: splitting is then exact and far cheaper.
  if (!line.includes('"')) return line.split(',');
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (line[i] === '"') {
      i++;
      for (;;) {
        if (i >= line.length) return null;
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += line[i++];
      }
      // Python keeps characters after a closing quote as part of the field.
      while (i < line.length && line[i] !== ',') field += line[i++];
    } else {
      while (i < line.length && line[i] !== ',') field += line[i++];
    }
    fields.push(field);
    if (i >= line.length) return fields;
    i++;
  }
}

/** requires.txt of an egg-info as Requires-Dist strings, with pip's section-to-marker conversion. */
export function requiresFromRequiresTxt(text: string): string[] {
  const out: string[] = [];
  let extra = '';
  let marker = '';
  for (const rawLine of text.split(/\r\n|\n|\r/)) {
    const line = rawLine.trim();
    if (!line || line.startsWith('#')) continue;
    if (line.startsWith('[') && line.endsWith(']')) {
      const section = line.replace(/^\[+|\]+$/g, '');
      const colon = section.indexOf(':');
      [extra, marker] = colon < 0 ? [section, ''] : [section.slice(0, colon), section.slice(colon + 1)];
      continue;
    }
    const safeExtra = extra.replace(/[^A-Za-z0-9.-]+/g, '_').toLowerCase();
    const condition = extra && marker ? `(${marker}) and extra == "${safeExtra}"` : extra ? `extra == "${safeExtra}"` : marker;
    out.push(condition ? `${line} ; ${condition}` : line);
  }
  return out;
}

/** Reads one `*.dist-info` or `*.egg-info` entry (folder, or a single PKG-INFO file); never throws. */
export async function readDistribution(path: string, kind: 'file' | 'dir', runtime: Runtime): Promise<DistributionRead> {
  const format: InstalledDistribution['format'] = /\.dist-info$/i.test(path) ? 'dist-info' : 'egg-info';
  try {
    const text = kind === 'file' ? await runtime.readFile(path) : await readFirst(runtime, path, format === 'dist-info' ? ['METADATA', 'PKG-INFO'] : ['PKG-INFO']);
    if (text === undefined) return { ok: false, path, reason: `it has no ${format === 'dist-info' ? 'METADATA' : 'PKG-INFO'} file` };
    const meta = parseDistMetadata(text);
    if (!meta.name) return { ok: false, path, reason: 'its metadata has no Name header' };
    if (!meta.version) return { ok: false, path, reason: 'its metadata has no Version header' };
    let requiresDist = meta.requiresDist;
    if (format === 'egg-info' && kind === 'dir' && requiresDist.length === 0) {
      const requiresTxt = await runtime.readFile(join(path, 'requires.txt'));
      if (requiresTxt !== undefined) requiresDist = requiresFromRequiresTxt(requiresTxt);
    }
    const dist: InstalledDistribution = { name: meta.name, normalizedName: normalizeName(meta.name), version: meta.version, requires: [], path, format };
    for (const raw of requiresDist) {
      const req = parseInstalledRequirement(raw);
      if ('error' in req) dist.requiresError ??= `Requires-Dist "${withoutCredentials(raw)}" is not a valid requirement (${req.error})`;
      else dist.requires.push(req);
    }
    if (format === 'dist-info' && kind === 'dir') await readRecord(dist, runtime);
    return { ok: true, dist };
  } catch (e) {
    // A runtime that throws instead of answering undefined must not take the whole check down.
    return { ok: false, path, reason: `it could not be read (${e instanceof Error ? e.message : String(e)})` };
  }
}

async function readFirst(runtime: Runtime, dir: string, names: string[]): Promise<string | undefined> {
  for (const name of names) {
    const text = await runtime.readFile(join(dir, name));
    if (text !== undefined) return text;
  }
  return undefined;
}

/** RECORD's health and file count, and direct_url.json when RECORD lists it (or RECORD is missing). */
async function readRecord(dist: InstalledDistribution, runtime: Runtime): Promise<void> {
  const text = await runtime.readFile(join(dist.path, 'RECORD'));
  let listsDirectUrl = true;
  if (text === undefined) {
    dist.recordProblem = 'it has no RECORD file, so pip cannot uninstall or upgrade it cleanly';
  } else {
    const record = parseRecord(text);
    dist.files = record.entries.length;
    if (!record.ok) dist.recordProblem = `its RECORD is malformed at line ${record.line}: ${record.message}`;
    else listsDirectUrl = record.entries.some((e) => /(^|\/)direct_url\.json$/.test(e.path));
  }
  if (!listsDirectUrl) return;
  const direct = await runtime.readFile(join(dist.path, 'direct_url.json'));
  if (direct === undefined) return;
  try {
    const info = JSON.parse(direct) as { url?: unknown; dir_info?: { editable?: unknown } };
    if (typeof info.url === 'string') dist.directUrl = withoutCredentials(info.url);
    if (info.dir_info?.editable === true) dist.editable = true;
  } catch {
    // A broken direct_url.json only loses the "editable" detail; pip ignores it the same way.
  }
}

/** The text with the userinfo of any URL in it removed: metadata may carry an index token. */
function withoutCredentials(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^\s/@]*@/gi, '$1');
}
