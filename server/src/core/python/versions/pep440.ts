/**
 * PEP 440 versions and specifier sets, agreeing exactly with Python `packaging` 26.2 (what pip
 * vendors). Hand-written because `@renovatebot/pep440` 4.2.4 disagrees with packaging on plain
 * inputs: it says `1.0` does not satisfy `>1.0a1` or `<1.0.post1`, that `1.0+local` satisfies
 * `==1.0+abc`, that 1.9007199254740993 equals 1.9007199254740992, and it cleans `1.0+UBUNTU-01`
 * to `1.0+ubuntu,1`. The differential test (test/differential/pep440.test.mjs) holds us to
 * packaging's verdicts, quirks included (`~=1.0c1` is not `~=1.0rc1`; `~=v1.0` matches nothing).
 *
 * Internally every number is kept as its canonical digit string so that components beyond
 * 2^53 compare exactly, and each version gets a string key whose plain `<` order is PEP 440's.
 * Specifier sets live in specifiers.ts and are re-exported from here.
 */

export type PreLabel = 'a' | 'b' | 'rc';
export type Operator = '~=' | '==' | '!=' | '<=' | '>=' | '<' | '>' | '===';

/** A parsed version. Treat as immutable: keys are cached per object. */
export interface Version {
  epoch: number;
  release: number[];
  pre: [PreLabel, number] | null;
  post: number | null;
  dev: number | null;
  local: (string | number)[] | null;
  /** The text as written (for derived versions, their normalised form). */
  text: string;
}

/** Exact form of a version: numbers as canonical digit strings, local parts lower-cased (internal). */
export interface Parts {
  epoch: string;
  release: string[];
  pre: [PreLabel, string] | null;
  post: string | null;
  dev: string | null;
  local: string[] | null; // all-digit entries are numeric
  pub?: string;
  full?: string;
}

// The exports below marked (internal) are shared with specifiers.ts only; they are not public API.

/** PEP 440's canonical version pattern, case-insensitive (internal). */
export const VERSION_RE =
  /^v?(?:([0-9]+)!)?([0-9]+(?:\.[0-9]+)*)(?:[._-]?(alpha|a|beta|b|preview|pre|c|rc)[._-]?([0-9]+)?)?(?:-([0-9]+)|[._-]?(post|rev|r)[._-]?([0-9]+)?)?(?:[._-]?(dev)[._-]?([0-9]+)?)?(?:\+([a-z0-9]+(?:[._-][a-z0-9]+)*))?$/i;
/** All digits (internal). */
export const DIGITS_RE = /^[0-9]+$/;
/** Python refuses int() on more than 4300 digits, so packaging cannot parse such versions (internal). */
export const MAX_DIGITS = 4300;
const PRE_NAMES: Record<string, PreLabel> = {
  a: 'a', alpha: 'a', b: 'b', beta: 'b', c: 'rc', rc: 'rc', pre: 'rc', preview: 'rc',
};
const PRE_RANK: Record<PreLabel, string> = { a: 'B', b: 'C', rc: 'D' };
const END = '\u0001';
const PARTS = new WeakMap<Version, Parts>();

/** Python's str.isspace() for one UTF-16 unit, which packaging's `\s` and strip() use; JS `\s` differs (internal). */
export function isWs(c: number): boolean {
  return (c >= 9 && c <= 13) || (c >= 0x1c && c <= 0x20) || c === 0x85 || c === 0xa0 ||
    c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 ||
    c === 0x202f || c === 0x205f || c === 0x3000;
}

/** [start, end) without Python whitespace at either end. */
function trimWs(text: string, start: number, end: number): [number, number] {
  while (start < end && isWs(text.charCodeAt(start))) start++;
  while (end > start && isWs(text.charCodeAt(end - 1))) end--;
  return [start, end];
}

function canon(d: string): string {
  let i = 0;
  while (i < d.length - 1 && d.charCodeAt(i) === 48) i++;
  return i ? d.slice(i) : d;
}

function num(d: string | undefined, tooLong: { hit: boolean }): string | null {
  if (d === undefined) return null;
  if (d.length > MAX_DIGITS) tooLong.hit = true;
  return canon(d);
}

/** Parses untrimmed version text; null when invalid or when a number is too long for packaging (internal). */
export function partsFromText(s: string): Parts | null {
  const m = VERSION_RE.exec(s);
  if (!m) return null;
  const long = { hit: false };
  const release = m[2].split('.').map((d) => num(d, long) as string);
  const preLabel = m[3] ? PRE_NAMES[m[3].toLowerCase()] : undefined;
  const pre: [PreLabel, string] | null = preLabel ? [preLabel, num(m[4] ?? '0', long) as string] : null;
  const post = m[5] !== undefined ? num(m[5], long) : m[6] ? num(m[7] ?? '0', long) : null;
  const dev = m[8] ? num(m[9] ?? '0', long) : null;
  let local: string[] | null = null;
  if (m[10] !== undefined) {
    local = m[10].toLowerCase().split(/[._-]/).map((p) => (DIGITS_RE.test(p) ? num(p, long) as string : p));
  }
  const epoch = num(m[1] ?? '0', long) as string;
  return long.hit ? null : { epoch, release, pre, post, dev, local };
}

/** Whether partsFromText accepts the text, without building its parts (internal). */
export function isVersionText(s: string): boolean {
  // A number too long for packaging needs more than MAX_DIGITS characters.
  return s.length <= MAX_DIGITS ? VERSION_RE.test(s) : partsFromText(s) !== null;
}

/** Like partsFromText after Python's strip() (internal). */
export function parseParts(text: string): Parts | null {
  const [s, e] = trimWs(text, 0, text.length);
  return partsFromText(s === 0 && e === text.length ? text : text.slice(s, e));
}

function digitsOf(n: number): string {
  if (Number.isSafeInteger(n) && n >= 0) return String(n);
  return Number.isFinite(n) && n >= 0 ? BigInt(Math.floor(n)).toString() : '0';
}

/** The exact parts of a Version, cached per object (internal). */
export function partsOf(v: Version): Parts {
  let p = PARTS.get(v);
  if (p) return p;
  p = {
    epoch: digitsOf(v.epoch),
    release: v.release.length ? v.release.map(digitsOf) : ['0'],
    pre: v.pre ? [v.pre[0], digitsOf(v.pre[1])] : null,
    post: v.post === null ? null : digitsOf(v.post),
    dev: v.dev === null ? null : digitsOf(v.dev),
    local: v.local ? v.local.map((x) => (typeof x === 'number' ? digitsOf(x) : canonLocal(String(x)))) : null,
  };
  PARTS.set(v, p);
  return p;
}

function canonLocal(s: string): string {
  const l = s.toLowerCase();
  return DIGITS_RE.test(l) ? canon(l) : l;
}

function toVersion(p: Parts, text: string): Version {
  const v: Version = {
    epoch: Number(p.epoch),
    release: p.release.map(Number),
    pre: p.pre ? [p.pre[0], Number(p.pre[1])] : null,
    post: p.post === null ? null : Number(p.post),
    dev: p.dev === null ? null : Number(p.dev),
    local: p.local ? p.local.map((x) => (DIGITS_RE.test(x) ? Number(x) : x)) : null,
    text,
  };
  PARTS.set(v, p);
  return v;
}

function tok(d: string): string {
  return String.fromCharCode(0x100 + d.length) + d;
}

// Mirrors packaging's _cmpkey tuple as a string: self-delimiting tokens, END sorts first.
function baseKey(p: Parts): string {
  let n = p.release.length;
  while (n > 0 && p.release[n - 1] === '0') n--;
  let k = tok(p.epoch);
  for (let i = 0; i < n; i++) k += tok(p.release[i]);
  k += END;
  if (p.pre) k += PRE_RANK[p.pre[0]] + tok(p.pre[1]);
  else k += (p.post === null && p.dev !== null ? 'A' : 'E') + tok('0');
  k += p.post === null ? 'A' + tok('0') : 'B' + tok(p.post);
  k += p.dev === null ? 'B' + tok('0') : 'A' + tok(p.dev);
  return k;
}

/** Sort key of the version without its local label (internal). */
export function publicKey(p: Parts): string {
  return p.pub ?? (p.pub = baseKey(p) + END);
}

/** Sort key of the whole version, local label included (internal). */
export function fullKey(p: Parts): string {
  if (p.full !== undefined) return p.full;
  if (!p.local) return (p.full = publicKey(p));
  let k = baseKey(p) + '\u0002';
  for (const s of p.local) k += DIGITS_RE.test(s) ? tok(s) : '\u0002' + s + END;
  return (p.full = k + END);
}

/** Normalised text of the parts, optionally with another release (internal). */
export function formatParts(p: Parts, release: string[] = p.release): string {
  let s = (p.epoch === '0' ? '' : p.epoch + '!') + release.join('.');
  if (p.pre) s += p.pre[0] + p.pre[1];
  if (p.post !== null) s += '.post' + p.post;
  if (p.dev !== null) s += '.dev' + p.dev;
  return p.local ? s + '+' + p.local.join('.') : s;
}

/** Pre-release or dev release (internal). */
export function partsArePre(p: Parts): boolean {
  return p.pre !== null || p.dev !== null;
}

/** Parses a PEP 440 version like packaging's Version(); null when packaging would reject it. */
export function parseVersion(text: string): Version | null {
  if (typeof text !== 'string') return null;
  const p = parseParts(text);
  return p ? toVersion(p, text) : null;
}

/** The normalised form, identical to str(packaging.version.Version(...)). */
export function formatVersion(v: Version): string {
  return formatParts(partsOf(v));
}

/** Negative, zero or positive as a sorts before, with or after b in PEP 440 order. */
export function compareVersions(a: Version, b: Version): number {
  const ka = fullKey(partsOf(a));
  const kb = fullKey(partsOf(b));
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** True for pre-releases and dev releases, like packaging's is_prerelease. */
export function isPrerelease(v: Version): boolean {
  return v.pre !== null || v.dev !== null;
}

/** True for post-releases. */
export function isPostrelease(v: Version): boolean {
  return v.post !== null;
}

/** The version without its local label (the same object when it has none). */
export function publicVersion(v: Version): Version {
  if (v.local === null) return v;
  const p = { ...partsOf(v), local: null, pub: undefined, full: undefined };
  return toVersion(p, formatParts(p));
}

export { SpecifierSet, exactPin, parseSpecifierSet, specifierContains, specifierSetProblem } from './specifiers';
export type { FilterOptions, Specifier, SpecifierProblem, SpecifierSetResult } from './specifiers';
