// PEP 440 specifier sets with packaging 26.2's semantics (re-exported from pep440.ts). Parsing only
// validates each clause; the sort keys and prefixes a clause needs for `contains` are built on first
// use, because most parsed sets (a whole requirements file's) are only checked, never evaluated.
// Module-level code here must not read pep440.ts bindings: the two modules import each other.

import {
  DIGITS_RE, MAX_DIGITS, Operator, Parts, VERSION_RE, Version, formatParts, formatVersion, fullKey, isVersionText, isWs,
  parseParts, partsArePre, partsFromText, partsOf, publicKey,
} from './pep440';

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

const WS_OR_STOP = /[\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000;)]/;
const RELEASE_ONLY_RE = /^v?(?:[0-9]+!)?[0-9]+(?:\.[0-9]+)*$/i;
// Given a valid version, it has at least two release segments exactly when this matches: no other
// part of the grammar can consume `.<digit>` right after the first release number.
const TWO_SEGMENTS_RE = /^v?(?:[0-9]+!)?[0-9]+\.[0-9]/i;
const COMPILED = new WeakMap<Specifier, Compiled | null>();

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

/** The operator a trimmed clause [s, e) starts with, the longest one first as in OPERATORS; null if none. */
function operatorAt(text: string, s: number, e: number): Operator | null {
  const second = s + 1 < e ? text.charCodeAt(s + 1) : -1;
  switch (text.charCodeAt(s)) {
    case 0x3d: // =
      if (second !== 0x3d) return null;
      return s + 2 < e && text.charCodeAt(s + 2) === 0x3d ? '===' : '==';
    case 0x7e: return second === 0x3d ? '~=' : null; // ~
    case 0x21: return second === 0x3d ? '!=' : null; // !
    case 0x3c: return second === 0x3d ? '<=' : '<'; // <
    case 0x3e: return second === 0x3d ? '>=' : '>'; // >
    default: return null;
  }
}

/**
 * pep440's isWs, answering printable ASCII (nearly every character of a specifier) without calling
 * it: in the CommonJS build each call into another module goes through a getter.
 */
function isSpace(c: number): boolean {
  return (c <= 0x20 || c >= 0x85) && isWs(c);
}

/** Why `op version` is not a valid clause, or null: compile's verdict without building sort keys. */
function clauseProblem(op: Operator, version: string): string | null {
  // The usual clause: a valid version, which only '~=' and a local label can still make wrong.
  if (op !== '===' && isVersionText(version)) {
    const local = version.includes('+');
    if (op === '==' || op === '!=') return null;
    if (!local && (op !== '~=' || TWO_SEGMENTS_RE.test(version))) return null;
  }
  const compiled = compile(op, version);
  return typeof compiled === 'string' ? compiled : null;
}

export type SpecifierProblem = Extract<SpecifierSetResult, { ok: false }>;

/** Parses a comma-separated specifier set like packaging's SpecifierSet; '' allows any version. */
export function parseSpecifierSet(text: string): SpecifierSetResult {
  const specs: Specifier[] = [];
  return readClauses(text, specs) ?? { ok: true, set: new SpecifierSet(specs) };
}

/** The version an exact pin (`==1.0`, `===1.0`) names, or null for anything else. */
export function exactPin(specifier: string): { operator: '==' | '==='; version: string } | null {
  const check = parseSpecifierSet(specifier);
  if (!check.ok || check.set.specifiers.length !== 1) return null;
  const [spec] = check.set.specifiers;
  if ((spec.operator === '==' && !spec.version.endsWith('.*')) || spec.operator === '===') return { operator: spec.operator, version: spec.version };
  return null;
}

/** What parseSpecifierSet would report for text it rejects, or null when it accepts it; builds no set. */
export function specifierSetProblem(text: string): SpecifierProblem | null {
  return readClauses(text, null);
}

/** Checks each clause in order, collecting them into `specs` when given; the first problem, or null. */
function readClauses(text: string, specs: Specifier[] | null): SpecifierProblem | null {
  if (typeof text !== 'string') return { ok: false, message: 'A version specifier must be text.', offset: 0, length: 0 };
  for (let start = 0; ;) {
    const comma = text.indexOf(',', start);
    let s = start;
    let e = comma < 0 ? text.length : comma;
    while (s < e && isSpace(text.charCodeAt(s))) s++;
    while (e > s && isSpace(text.charCodeAt(e - 1))) e--;
    if (s < e) {
      const op = operatorAt(text, s, e);
      if (op === null) return { ok: false, message: operatorProblem(text.slice(s, e)), offset: s, length: e - s };
      let v = s + op.length;
      while (v < e && isSpace(text.charCodeAt(v))) v++;
      const version = text.slice(v, e);
      const message = clauseProblem(op, version);
      if (message !== null) return version ? { ok: false, message, offset: v, length: e - v } : { ok: false, message, offset: s, length: e - s };
      if (specs !== null) specs.push(clause(op, version, s, e));
    }
    if (comma < 0) return null;
    start = comma + 1;
  }
}

function clause(op: Operator, version: string, s: number, e: number): Specifier {
  const spec: Specifier = { operator: op, version, offset: s, length: e - s };
  // compiledOf compiles unknown clauses from JS-trimmed text. JS trims U+FEFF too, the one
  // character it trims that Python's strip() keeps: such a clause keeps the text it was parsed with.
  if (version.charCodeAt(0) === 0xfeff || version.charCodeAt(version.length - 1) === 0xfeff) {
    COMPILED.set(spec, compile(op, version) as Compiled);
  }
  return spec;
}

/** The compiled form of a clause, built on first use and then cached per Specifier object. */
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
  private compiledClauses: (Compiled | null)[] | null = null;
  private readonly override: boolean | undefined;

  constructor(specifiers: Specifier[] = [], prereleases?: boolean) {
    this.specifiers = specifiers;
    this.override = prereleases;
  }

  /** The clauses compiled, on first use: parsing a set only validates it. */
  private get compiled(): (Compiled | null)[] {
    return (this.compiledClauses ??= this.specifiers.map(compiledOf));
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
