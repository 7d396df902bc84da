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

/** One comma-separated clause of a specifier set. */
export interface Specifier {
  operator: Operator;
  /** Text after the operator, trimmed. */
  version: string;
  /** Where the trimmed clause sits in the parsed text. */
  offset: number;
  length: number;
}

export type SpecifierSetResult =
  | { ok: true; set: SpecifierSet }
  | { ok: false; message: string; offset: number; length: number };

/** Exact form of a version: numbers as canonical digit strings, local parts lower-cased. */
interface Parts {
  epoch: string;
  release: string[];
  pre: [PreLabel, string] | null;
  post: string | null;
  dev: string | null;
  local: string[] | null; // all-digit entries are numeric
  pub?: string;
  full?: string;
}

// Python's str.isspace() set, which `\s` and str.strip() use in packaging; JS `\s` differs.
const WS = '\\t-\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const WS_OR_STOP = new RegExp(`[${WS};)]`);
const VERSION_RE =
  /^v?(?:([0-9]+)!)?([0-9]+(?:\.[0-9]+)*)(?:[._-]?(alpha|a|beta|b|preview|pre|c|rc)[._-]?([0-9]+)?)?(?:-([0-9]+)|[._-]?(post|rev|r)[._-]?([0-9]+)?)?(?:[._-]?(dev)[._-]?([0-9]+)?)?(?:\+([a-z0-9]+(?:[._-][a-z0-9]+)*))?$/i;
const RELEASE_ONLY_RE = /^v?(?:[0-9]+!)?[0-9]+(?:\.[0-9]+)*$/i;
const DIGITS_RE = /^[0-9]+$/;
// Python refuses int() on more than 4300 digits, so packaging cannot parse such versions.
const MAX_DIGITS = 4300;
const PRE_NAMES: Record<string, PreLabel> = {
  a: 'a', alpha: 'a', b: 'b', beta: 'b', c: 'rc', rc: 'rc', pre: 'rc', preview: 'rc',
};
const PRE_RANK: Record<PreLabel, string> = { a: 'B', b: 'C', rc: 'D' };
const END = '\u0001';
const PARTS = new WeakMap<Version, Parts>();
const COMPILED = new WeakMap<Specifier, Compiled | null>();

function isWs(c: number): boolean {
  return (c >= 9 && c <= 13) || (c >= 0x1c && c <= 0x20) || c === 0x85 || c === 0xa0 ||
    c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 ||
    c === 0x202f || c === 0x205f || c === 0x3000;
}

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

/** Parses untrimmed version text; null when invalid or when a number is too long for packaging. */
function partsFromText(s: string): Parts | null {
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

function parseParts(text: string): Parts | null {
  const [s, e] = trimWs(text, 0, text.length);
  return partsFromText(s === 0 && e === text.length ? text : text.slice(s, e));
}

function digitsOf(n: number): string {
  if (Number.isSafeInteger(n) && n >= 0) return String(n);
  return Number.isFinite(n) && n >= 0 ? BigInt(Math.floor(n)).toString() : '0';
}

function partsOf(v: Version): Parts {
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

function publicKey(p: Parts): string {
  return p.pub ?? (p.pub = baseKey(p) + END);
}

function fullKey(p: Parts): string {
  if (p.full !== undefined) return p.full;
  if (!p.local) return (p.full = publicKey(p));
  let k = baseKey(p) + '\u0002';
  for (const s of p.local) k += DIGITS_RE.test(s) ? tok(s) : '\u0002' + s + END;
  return (p.full = k + END);
}

function formatParts(p: Parts, release: string[] = p.release): string {
  let s = (p.epoch === '0' ? '' : p.epoch + '!') + release.join('.');
  if (p.pre) s += p.pre[0] + p.pre[1];
  if (p.post !== null) s += '.post' + p.post;
  if (p.dev !== null) s += '.dev' + p.dev;
  return p.local ? s + '+' + p.local.join('.') : s;
}

function partsArePre(p: Parts): boolean {
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

interface Compiled {
  op: Operator;
  text: string;
  parts: Parts | null; // null only for an unparseable `===` text
  wildcard: boolean;
  key: string;
  below: string; // '<': key of the earliest pre-release of V
  prefix: string[] | null; // '==X.*', '!=X.*', '~=': packaging's split prefix
  prefixNum: number;
  pre: boolean | undefined; // packaging's Specifier.prereleases
}

// packaging's _version_split: epoch, then dot items with "1a2" split into "1", "a2".
function versionSplit(s: string): string[] {
  const bang = s.lastIndexOf('!');
  const out = [bang > 0 ? s.slice(0, bang) : '0'];
  for (const item of s.slice(bang + 1).split('.')) {
    const m = /^([0-9]+)((?:a|b|c|rc)[0-9]+)$/.exec(item);
    if (m) out.push(m[1], m[2]);
    else out.push(item);
  }
  return out;
}

function numericPrefixLen(split: string[]): number {
  let n = 0;
  while (n < split.length && DIGITS_RE.test(split[n])) n++;
  return n;
}

// `~=V` is `>=V` plus `==P.*`, where packaging derives P from V's raw text (quirks included).
function tildePrefix(text: string): string[] | null {
  const split = versionSplit(text);
  let t = 0;
  while (t < split.length && !/^(?:dev|a|b|rc|post)/.test(split[t])) t++;
  const kept = t === 0 ? [] : split.slice(0, t - 1);
  if (kept.length === 0) return null;
  const joined = kept[0] + '!' + kept.slice(1).join('.');
  const p = parseParts(joined);
  return versionSplit(p ? formatParts(p) : joined);
}

function prefixMatches(c: Compiled, p: Parts): boolean {
  const split = c.prefix as string[];
  const numP = 1 + p.release.length;
  const pad = Math.max(0, c.prefixNum - numP);
  const suffix: string[] = [];
  if (p.pre) suffix.push(p.pre[0] + p.pre[1]);
  if (p.post !== null) suffix.push('post' + p.post);
  if (p.dev !== null) suffix.push('dev' + p.dev);
  for (let i = 0; i < split.length; i++) {
    const seg = i === 0 ? p.epoch : i < numP ? p.release[i - 1] : i < numP + pad ? '0' : suffix[i - numP - pad];
    if (seg !== split[i]) return false;
  }
  return true;
}

function equalTo(c: Compiled, p: Parts): boolean {
  if (c.wildcard) return prefixMatches(c, p);
  return (c.parts?.local ? fullKey(p) : publicKey(p)) === c.key;
}

function greaterThan(c: Compiled, p: Parts): boolean {
  if (!(fullKey(p) > c.key)) return false;
  if (c.parts?.post === null && p.post !== null) {
    if (publicKey({ ...p, post: null, dev: null, local: null, pub: undefined, full: undefined }) === c.key) return false;
  }
  return !(p.local !== null && publicKey(p) === c.key);
}

function lessThan(c: Compiled, p: Parts): boolean {
  const k = fullKey(p);
  if (!(k < c.key)) return false;
  return !(!partsArePre(c.parts as Parts) && partsArePre(p) && k >= c.below);
}

/** Whether p satisfies a non-`===` clause, ignoring pre-release policy. */
function satisfies(c: Compiled, p: Parts): boolean {
  switch (c.op) {
    case '==': return equalTo(c, p);
    case '!=': return !equalTo(c, p);
    case '<=': return publicKey(p) <= c.key;
    case '>=': return publicKey(p) >= c.key;
    case '<': return lessThan(c, p);
    case '>': return greaterThan(c, p);
    case '~=': return c.prefix !== null && publicKey(p) >= c.key && prefixMatches(c, p);
    default: return false;
  }
}

function quote(s: string): string {
  return `'${s.length > 60 ? s.slice(0, 57) + '...' : s}'`;
}

function versionProblem(op: Operator, version: string): string {
  const spec = quote(op + version);
  if (VERSION_RE.test(version)) return `${spec} has a number too long to compare (over ${MAX_DIGITS} digits).`;
  if (version.includes('*')) return `${spec} is not valid: a wildcard may only end a release number, as in '==1.2.*'.`;
  return `${quote(version)} is not a valid PEP 440 version, so ${spec} cannot be used.`;
}

function compileWildcard(op: Operator, version: string): Compiled | string {
  const spec = quote(op + version);
  if (op === '~=') return `${spec} cannot use a wildcard: '~=1.2' already means '>=1.2, ==1.*'.`;
  if (op !== '==' && op !== '!=') return `${spec} cannot use a wildcard: only '==' and '!=' accept '.*'.`;
  const base = version.slice(0, -2);
  if (!RELEASE_ONLY_RE.test(base)) {
    if (VERSION_RE.test(base)) return `${spec} is not valid: a wildcard can only follow a release number, as in '${op}1.2.*'.`;
    return versionProblem(op, version);
  }
  const parts = partsFromText(base);
  if (!parts) return versionProblem(op, base);
  const prefix = versionSplit(formatParts(parts));
  return { op, text: version, parts, wildcard: true, key: '', below: '', prefix, prefixNum: prefix.length, pre: false };
}

/** Checks and prepares one clause; a string is the user-facing reason it is invalid. */
function compile(op: Operator, version: string): Compiled | string {
  if (op === '===') {
    for (let i = 0; i < version.length; i++) {
      if (WS_OR_STOP.test(version[i])) return `'===' compares text exactly, so its version cannot contain spaces, ';' or ')'.`;
    }
    const parts = parseParts(version);
    return { op, text: version, parts, wildcard: false, key: '', below: '', prefix: null, prefixNum: 0, pre: parts ? partsArePre(parts) : undefined };
  }
  if (version === '') return `'${op}' needs a version after it, as in '${op}1.0'.`;
  if (version.endsWith('.*')) return compileWildcard(op, version);
  const parts = partsFromText(version);
  if (!parts) return versionProblem(op, version);
  const spec = quote(op + version);
  if (parts.local && op !== '==' && op !== '!=') {
    return `${spec} cannot have a local version label ('+${parts.local.join('.')}'): only '==' and '!=' accept one.`;
  }
  if (op === '~=' && parts.release.length < 2) return `${spec} needs at least two release segments, as in '~=${parts.release[0]}.0'.`;
  const prefix = op === '~=' ? tildePrefix(version) : null;
  const below = op === '<' ? fullKey({ ...parts, dev: '0', local: null }) : '';
  return {
    op, text: version, parts, wildcard: false, key: fullKey(parts), below, prefix,
    prefixNum: prefix ? numericPrefixLen(prefix) : 0, pre: op === '!=' ? false : partsArePre(parts),
  };
}

const OPERATORS: Operator[] = ['===', '~=', '==', '!=', '<=', '>=', '<', '>'];

function operatorProblem(clause: string): string {
  const q = quote(clause);
  const hints: [RegExp, string][] = [
    [/^=>/, `${q} uses '=>'; the operator is '>='.`],
    [/^=</, `${q} uses '=<'; the operator is '<='.`],
    [/^=[^=]/, `${q} uses a single '='; write '==' to pin a version.`],
    [/^~[^=]/, `${q} is Poetry/npm syntax; PEP 440 writes '~=' (as in '~=1.2').`],
    [/^\^/, `${q} is Poetry/npm syntax; PEP 440 has no '^', write a range such as '>=1.2,<2'.`],
    [/^!(?!=)/, `${q} uses '!'; the operator is '!='.`],
    [/^v?[0-9]/i, `${q} needs an operator in front, such as '==' or '>='.`],
  ];
  for (const [re, message] of hints) if (re.test(clause)) return message;
  return `${q} is not a version specifier; start it with an operator such as '==', '>=' or '~='.`;
}

type ClauseResult = { spec: Specifier; compiled: Compiled } | { message: string; offset: number; length: number } | null;

function parseClause(text: string, start: number, end: number): ClauseResult {
  const [s, e] = trimWs(text, start, end);
  if (s === e) return null;
  const clause = text.slice(s, e);
  const op = OPERATORS.find((o) => clause.startsWith(o));
  if (!op) return { message: operatorProblem(clause), offset: s, length: e - s };
  let v = op.length;
  while (v < clause.length && isWs(clause.charCodeAt(v))) v++;
  const version = clause.slice(v);
  const compiled = compile(op, version);
  if (typeof compiled === 'string') {
    return version ? { message: compiled, offset: s + v, length: e - s - v } : { message: compiled, offset: s, length: e - s };
  }
  return { spec: { operator: op, version, offset: s, length: e - s }, compiled };
}

/** Parses a comma-separated specifier set like packaging's SpecifierSet; '' allows any version. */
export function parseSpecifierSet(text: string): SpecifierSetResult {
  if (typeof text !== 'string') return { ok: false, message: 'A version specifier must be text.', offset: 0, length: 0 };
  const specs: Specifier[] = [];
  for (let start = 0; ;) {
    const comma = text.indexOf(',', start);
    const r = parseClause(text, start, comma < 0 ? text.length : comma);
    if (r && 'message' in r) return { ok: false, ...r };
    if (r) {
      COMPILED.set(r.spec, r.compiled);
      specs.push(r.spec);
    }
    if (comma < 0) break;
    start = comma + 1;
  }
  return { ok: true, set: new SpecifierSet(specs) };
}

function compiledOf(spec: Specifier): Compiled | null {
  let c = COMPILED.get(spec);
  if (c === undefined) {
    const r = typeof spec.version === 'string' && OPERATORS.includes(spec.operator) ? compile(spec.operator, spec.version.trim()) : null;
    c = r === null || typeof r === 'string' ? null : r;
    COMPILED.set(spec, c);
  }
  return c;
}

function lower(s: string): string {
  return s.toLowerCase();
}

/** One clause's verdict like packaging's Specifier.contains; prereleases=false rejects pre-releases. */
export function specifierContains(spec: Specifier, v: Version | string, prereleases?: boolean): boolean {
  const c = compiledOf(spec);
  if (!c) return false;
  const parsed = typeof v === 'string' ? parseParts(v) : partsOf(v);
  if (c.op === '===') {
    const matches = lower(typeof v === 'string' ? v : formatVersion(v)) === lower(c.text);
    return matches && !(parsed && prereleases === false && partsArePre(parsed));
  }
  if (!parsed || (prereleases === false && partsArePre(parsed))) return false;
  return satisfies(c, parsed);
}

function codePointCompare(a: string, b: string): number {
  const x = Array.from(a, (ch) => ch.codePointAt(0) as number);
  const y = Array.from(b, (ch) => ch.codePointAt(0) as number);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

function canonicalSpec(s: Specifier, c: Compiled | null): string {
  if (!c || c.op === '===' || c.wildcard || !c.parts) return `${s.operator}\u0000${s.version}`;
  if (c.op === '~=') return `~=\u0000${formatParts(c.parts)}`;
  let n = c.parts.release.length;
  while (n > 1 && c.parts.release[n - 1] === '0') n--;
  return `${c.op}\u0000${formatParts(c.parts, c.parts.release.slice(0, n))}`;
}

export interface FilterOptions<T> {
  prereleases?: boolean;
  key?: (item: T) => Version | string;
}

/** A parsed specifier set with packaging 26.2's contains/filter pre-release rules. */
export class SpecifierSet {
  readonly specifiers: Specifier[];
  private readonly compiled: (Compiled | null)[];
  private readonly override: boolean | undefined;

  constructor(specifiers: Specifier[] = [], prereleases?: boolean) {
    this.specifiers = specifiers;
    this.compiled = specifiers.map(compiledOf);
    this.override = prereleases;
  }

  /** packaging's SpecifierSet.prereleases: true when a clause names a pre-release, else undefined. */
  get prereleases(): boolean | undefined {
    if (this.override !== undefined) return this.override;
    if (this.specifiers.length === 0) return undefined;
    return this.compiled.some((c) => c?.pre === true) ? true : undefined;
  }

  /** Whether every clause admits the version; prereleases defaults as in packaging 26.2 (allowed). */
  contains(version: Version | string, options: { prereleases?: boolean; installed?: boolean } = {}): boolean {
    const parsed = typeof version === 'string' ? parseParts(version) : partsOf(version);
    let pre = options.prereleases;
    if (parsed && options.installed && partsArePre(parsed)) pre = true;
    pre ??= this.prereleases;
    if (this.specifiers.length === 0) return pre !== false || !parsed || !partsArePre(parsed);
    return this.matches(version, parsed, pre ?? true);
  }

  private matches(item: Version | string, parsed: Parts | null, allowPre: boolean): boolean {
    const text = typeof item === 'string' ? item : null;
    if (!parsed) return this.compiled.every((c) => c?.op === '===' && lower(text ?? '') === lower(c.text));
    if (!allowPre && partsArePre(parsed)) return false;
    return this.compiled.every((c) => {
      if (!c) return false;
      if (c.op !== '===') return satisfies(c, parsed);
      return lower(text ?? formatVersion(item as Version)) === lower(c.text);
    });
  }

  /** The items whose versions match, in order; with prereleases unset, pre-releases only if no final matched. */
  filter<T extends Version | string>(items: Iterable<T>, options?: FilterOptions<T>): T[];
  filter<T>(items: Iterable<T>, options: FilterOptions<T> & { key: (item: T) => Version | string }): T[];
  filter<T>(items: Iterable<T>, options: FilterOptions<T> = {}): T[] {
    const keyOf = options.key ?? ((item: T) => item as unknown as Version | string);
    const pre = options.prereleases ?? this.prereleases;
    const entries: { item: T; parsed: Parts | null }[] = [];
    for (const item of items) {
      const k = keyOf(item);
      const parsed = typeof k === 'string' ? parseParts(k) : partsOf(k);
      const keep = this.specifiers.length === 0
        ? pre !== false || !parsed || !partsArePre(parsed)
        : this.matches(k, parsed, pre ?? true);
      if (keep) entries.push({ item, parsed });
    }
    // PEP 440: without an explicit choice, pre-releases count only when no final release matched.
    if (pre === undefined && entries.some((e) => e.parsed && !partsArePre(e.parsed))) {
      return entries.filter((e) => !e.parsed || !partsArePre(e.parsed)).map((e) => e.item);
    }
    return entries.map((e) => e.item);
  }

  /** Normalised like str(SpecifierSet): clauses sorted, duplicates (by meaning) dropped. */
  toString(): string {
    const order = this.specifiers.map((s, i) => ({ s, c: this.compiled[i], str: s.operator + s.version }));
    order.sort((a, b) => codePointCompare(a.str, b.str));
    const seen = new Set<string>();
    const out: string[] = [];
    for (const { s, c, str } of order) {
      const k = canonicalSpec(s, c);
      if (!seen.has(k)) {
        seen.add(k);
        out.push(str);
      }
    }
    return out.join(',');
  }
}
