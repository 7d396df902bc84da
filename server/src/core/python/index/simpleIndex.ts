// Reading one project page of a simple repository: PEP 691 JSON (with PEP 700 and PEP 714 fields)
// or PEP 503 HTML (with PEP 592 yanking, PEP 658/714 metadata attributes), and naming the files
// in it per the binary distribution format and sdist naming specs.

import { normalizeName } from '../versions/pep508';

/** One distribution file listed on a project page. */
export interface PypiFile {
  filename: string;
  /** Absolute URL without its fragment. */
  url: string;
  kind: 'wheel' | 'sdist';
  /** The version as spelled in the filename. */
  version: string;
  /** Wheel tags `python-abi-platform`, for wheels. */
  tags?: string;
  /** Hash name -> hex digest (from JSON `hashes` or the HTML URL fragment). */
  hashes: Record<string, string>;
  requiresPython?: string;
  yanked: boolean;
  yankedReason?: string;
  /** Present when the index serves `<url>.metadata` (PEP 658 / 714); hashes may be empty. */
  metadata?: { hashes: Record<string, string> };
  size?: number;
  uploadTime?: string;
  /** The index this file was listed on, credentials removed. */
  index: string;
}

/** A project page as read: its files, and PEP 700 `versions` when the index sent them. */
export interface SimplePage {
  files: PypiFile[];
  versions?: string[];
  apiVersion?: string;
  /** PEP 792 project status (`active`, `archived`, `quarantined`, `deprecated`), when given. */
  status?: { status: string; reason?: string };
}

/** The page is not what the simple API promises; the message says what was wrong. */
export class SimpleIndexError extends Error {
  override name = 'SimpleIndexError';
}

const SDIST_EXTENSIONS = ['.tar.gz', '.zip', '.tar.bz2', '.tar.xz', '.tgz', '.tbz', '.txz', '.tlz', '.tar.lz', '.tar.lzma', '.tar'];
const HASH_FRAGMENT = /^(sha1|sha224|sha384|sha256|sha512|md5)=([0-9a-fA-F]+)$/;

/** Kind, version and tags of a wheel or sdist filename belonging to `normalized`; undefined for anything else. */
export function parseDistFilename(filename: string, normalized: string): { kind: 'wheel' | 'sdist'; version: string; tags?: string } | undefined {
  if (filename.toLowerCase().endsWith('.whl')) {
    const parts = filename.slice(0, -4).split('-');
    if (parts.length !== 5 && parts.length !== 6) return undefined;
    if (normalizeName(parts[0]) !== normalized || parts[1] === '') return undefined;
    return { kind: 'wheel', version: parts[1], tags: parts.slice(-3).join('-') };
  }
  const ext = SDIST_EXTENSIONS.find((e) => filename.toLowerCase().endsWith(e));
  if (!ext) return undefined;
  const stem = filename.slice(0, -ext.length);
  // As pip does: the first `-` whose prefix normalises to the project name separates the version.
  for (let i = stem.indexOf('-'); i > 0; i = stem.indexOf('-', i + 1)) {
    if (normalizeName(stem.slice(0, i)) === normalized) {
      const version = stem.slice(i + 1);
      return version ? { kind: 'sdist', version } : undefined;
    }
  }
  return undefined;
}

// An absolute http(s) link whose path holds only characters the URL parser keeps as they are, and
// no dot segment: its normalised form is the text itself once its authority is (checked once per
// authority, below). Pages list thousands of such links, and parsing each was a visible share of a
// warm run.
const PLAIN_LINK = /^(https?:\/\/[^/?#\\\s]+)(\/[A-Za-z0-9\-._~!$&'()*+,;=:@/%]*)(?:#([^\x00-\x20\x7f]*))?$/;
const plainAuthority = new Map<string, boolean>();

function isPlainAuthority(authority: string): boolean {
  let plain = plainAuthority.get(authority);
  if (plain === undefined) {
    try {
      plain = new URL(`${authority}/`).href === `${authority}/`;
    } catch {
      plain = false;
    }
    if (plainAuthority.size > 1000) plainAuthority.clear();
    plainAuthority.set(authority, plain);
  }
  return plain;
}

function splitPlainLink(href: string): { url: string; hashes: Record<string, string>; filename: string } | undefined {
  const m = PLAIN_LINK.exec(href);
  if (!m || /\/(\.|%2e)/i.test(m[2]) || !isPlainAuthority(m[1])) return undefined;
  const hashes: Record<string, string> = {};
  const fragment = m[3] === undefined ? null : HASH_FRAGMENT.exec(m[3]);
  if (fragment) hashes[fragment[1]] = fragment[2].toLowerCase();
  const last = m[2].slice(m[2].lastIndexOf('/') + 1);
  let filename = last;
  try {
    filename = decodeURIComponent(last);
  } catch {
    // As below.
  }
  return { url: m[1] + m[2], hashes, filename };
}

function splitUrl(href: string, base: string): { url: string; hashes: Record<string, string>; filename: string } {
  const plain = splitPlainLink(href);
  if (plain) return plain;
  let parsed: URL;
  try {
    parsed = new URL(href, base);
  } catch {
    throw new SimpleIndexError(`a file link is not a valid URL: ${href.slice(0, 200)}`);
  }
  // Only a local (file:) index may point at local files: a remote page must not make Pinsight read
  // this machine's disk.
  if (parsed.protocol === 'file:' && !base.startsWith('file:')) {
    throw new SimpleIndexError(`a file link points at this machine's disk (${href.slice(0, 200)}), which only a local index may do`);
  }
  const hashes: Record<string, string> = {};
  const fragment = HASH_FRAGMENT.exec(parsed.hash.slice(1));
  if (fragment) hashes[fragment[1]] = fragment[2].toLowerCase();
  parsed.hash = '';
  const last = parsed.pathname.slice(parsed.pathname.lastIndexOf('/') + 1);
  let filename = last;
  try {
    filename = decodeURIComponent(last);
  } catch {
    // A stray % in a filename: keep it as written.
  }
  return { url: parsed.href, hashes, filename };
}

function metadataHashes(value: unknown): { hashes: Record<string, string> } | undefined {
  if (value === true) return { hashes: {} };
  if (value && typeof value === 'object' && !Array.isArray(value)) return { hashes: stringRecord(value) };
  return undefined;
}

// The string values of `value`, lower-cased, added to `out` (a key already there keeps its place).
function stringRecord(value: unknown, out: Record<string, string> = {}): Record<string, string> {
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    for (const k of Object.keys(record)) {
      const v = record[k];
      if (typeof v === 'string') out[k] = v.toLowerCase();
    }
  }
  return out;
}

function checkApiVersion(version: string | undefined): void {
  if (version !== undefined && !/^1(\.|$)/.test(version)) {
    throw new SimpleIndexError(`the index speaks simple API version ${version}, and Pinsight understands version 1`);
  }
}

function makeFile(
  fields: Omit<PypiFile, 'kind' | 'version' | 'tags' | 'index'>,
  normalized: string,
  index: string,
): PypiFile | undefined {
  const dist = parseDistFilename(fields.filename, normalized);
  if (!dist) return undefined;
  // Built field by field, leaving absent ones out: pages with tens of thousands of files are common.
  const file: PypiFile = { filename: fields.filename, url: fields.url, kind: dist.kind, version: dist.version, hashes: fields.hashes, yanked: fields.yanked, index };
  if (dist.tags !== undefined) file.tags = dist.tags;
  if (fields.requiresPython !== undefined) file.requiresPython = fields.requiresPython;
  if (fields.yankedReason !== undefined) file.yankedReason = fields.yankedReason;
  if (fields.metadata !== undefined) file.metadata = fields.metadata;
  if (fields.size !== undefined) file.size = fields.size;
  if (fields.uploadTime !== undefined) file.uploadTime = fields.uploadTime;
  return file;
}

/** Reads a PEP 691 JSON project page; throws SimpleIndexError when it is not one. */
export function parseJsonPage(text: string, pageUrl: string, normalized: string, index: string): SimplePage {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new SimpleIndexError(`the project page is not valid JSON (${(error as Error).message})`);
  }
  const page = data as { meta?: { 'api-version'?: unknown }; files?: unknown; versions?: unknown; 'project-status'?: unknown };
  if (!page || typeof page !== 'object' || !Array.isArray(page.files)) throw new SimpleIndexError('the project page has no "files" list');
  const apiVersion = typeof page.meta?.['api-version'] === 'string' ? page.meta['api-version'] : undefined;
  checkApiVersion(apiVersion);
  const files: PypiFile[] = [];
  for (const raw of page.files as unknown[]) {
    const f = raw as Record<string, unknown>;
    if (!f || typeof f.filename !== 'string' || typeof f.url !== 'string') throw new SimpleIndexError('a file entry lacks "filename" or "url"');
    const { url, hashes: fragmentHashes } = splitUrl(f.url, pageUrl);
    // As pip reads PEP 691: a reason string (non-empty) or true means yanked.
    const yanked = f.yanked === true || (typeof f.yanked === 'string' && f.yanked !== '');
    const file = makeFile(
      {
        filename: f.filename,
        url,
        hashes: stringRecord(f.hashes, fragmentHashes), // a fresh object per link
        requiresPython: typeof f['requires-python'] === 'string' && f['requires-python'] ? f['requires-python'] : undefined,
        yanked,
        yankedReason: typeof f.yanked === 'string' && f.yanked ? f.yanked : undefined,
        metadata: metadataHashes(f['core-metadata'] ?? f['dist-info-metadata']),
        size: typeof f.size === 'number' ? f.size : undefined,
        uploadTime: typeof f['upload-time'] === 'string' ? f['upload-time'] : undefined,
      },
      normalized,
      index,
    );
    if (file) files.push(file);
  }
  const versions = Array.isArray(page.versions) ? page.versions.filter((v): v is string => typeof v === 'string') : undefined;
  const status = page['project-status'] as { status?: unknown; reason?: unknown } | undefined;
  return {
    files,
    versions,
    apiVersion,
    status: status && typeof status.status === 'string' ? { status: status.status, reason: typeof status.reason === 'string' ? status.reason : undefined } : undefined,
  };
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/** Decodes HTML character references (named basics, decimal and hex). */
export function decodeEntities(text: string): string {
  return text.replace(/&(#[0-9]+|#[xX][0-9a-fA-F]+|[a-zA-Z]+);/g, (whole, ref: string) => {
    if (ref[0] !== '#') return ENTITIES[ref.toLowerCase()] ?? whole;
    const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '\ufffd';
  });
}

interface Tag {
  name: string;
  attrs: Map<string, string | null>;
  end: number;
}

// A value is quoted, or unquoted and not starting with a quote (so an unclosed quote fails).
const ATTR = /\s*([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>][^\s>]*)))?/y;

// One start tag at `start` (just after `<name`); throws when the tag never closes.
function readTag(html: string, name: string, start: number): Tag {
  const attrs = new Map<string, string | null>();
  let i = start;
  for (;;) {
    while (i < html.length && /\s/.test(html[i])) i++;
    if (i >= html.length) throw new SimpleIndexError(`an <${name}> tag is not closed`);
    if (html[i] === '>') return { name, attrs, end: i + 1 };
    if (html.startsWith('/>', i)) return { name, attrs, end: i + 2 };
    ATTR.lastIndex = i;
    const m = ATTR.exec(html);
    if (!m) throw new SimpleIndexError(`an <${name}> tag has a malformed attribute or an unclosed quote`);
    const raw = m[2] ?? m[3] ?? m[4];
    attrs.set(m[1].toLowerCase(), raw === undefined ? null : decodeEntities(raw));
    i += m[0].length;
  }
}

/** Reads a PEP 503 HTML project page; throws SimpleIndexError when it cannot be read as one. */
export function parseHtmlPage(html: string, pageUrl: string, normalized: string, index: string): SimplePage {
  if (!/<(!doctype|html|head|body|a|meta|title|h1)\b/i.test(html)) throw new SimpleIndexError('the project page is not HTML');
  let base = pageUrl;
  let apiVersion: string | undefined;
  let status: SimplePage['status'];
  let reason: string | undefined;
  const files: PypiFile[] = [];
  const tagStart = /<!--|<(a|base|meta)(?=[\s>/])/gi;
  for (let m = tagStart.exec(html); m; m = tagStart.exec(html)) {
    if (m[0] === '<!--') {
      const close = html.indexOf('-->', m.index + 4);
      tagStart.lastIndex = close < 0 ? html.length : close + 3;
      continue;
    }
    const tag = readTag(html, m[1].toLowerCase(), m.index + m[0].length);
    tagStart.lastIndex = tag.end;
    const href = tag.attrs.get('href');
    if (tag.name === 'base' && href) base = splitUrl(href, pageUrl).url;
    else if (tag.name === 'meta' && tag.attrs.get('name') === 'pypi:repository-version') apiVersion = tag.attrs.get('content') ?? undefined;
    else if (tag.name === 'meta' && tag.attrs.get('name') === 'pypi:project-status') status = { ...status, status: tag.attrs.get('content') ?? 'active' };
    else if (tag.name === 'meta' && tag.attrs.get('name') === 'pypi:project-status-reason') reason = tag.attrs.get('content') ?? undefined;
    else if (tag.name === 'a' && href) {
      const file = htmlFile(tag.attrs, href, base, normalized, index);
      if (file) files.push(file);
    }
  }
  checkApiVersion(apiVersion);
  if (status && reason) status.reason = reason;
  return { files, apiVersion, status };
}

function htmlFile(attrs: Map<string, string | null>, href: string, base: string, normalized: string, index: string): PypiFile | undefined {
  const { url, hashes, filename } = splitUrl(href, base);
  const yanked = attrs.has('data-yanked');
  const reason = attrs.get('data-yanked');
  // PEP 714: the new name wins when both are present; a valueless attribute means nothing (as in pip).
  const metadataAttr = attrs.has('data-core-metadata') ? attrs.get('data-core-metadata') : attrs.get('data-dist-info-metadata');
  let metadata: PypiFile['metadata'];
  if (metadataAttr === 'true') metadata = { hashes: {} };
  else if (metadataAttr) {
    const m = /^([a-z0-9]+)=([0-9a-fA-F]+)$/.exec(metadataAttr);
    // pip treats a value it cannot read as "no metadata file": do the same.
    metadata = m ? { hashes: { [m[1]]: m[2].toLowerCase() } } : undefined;
  }
  const requiresPython = attrs.get('data-requires-python');
  return makeFile({ filename, url, hashes, requiresPython: requiresPython || undefined, yanked, yankedReason: yanked && reason ? reason : undefined, metadata }, normalized, index);
}
