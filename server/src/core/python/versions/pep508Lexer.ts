// Token patterns shared by the PEP 508 requirement parser and the marker parser.
// They are ports of packaging 26.2's `_tokenizer.py` rules, including its Python-regex quirks
// (Unicode `\b`, Python's `\s`, `$` matching before a final newline), because the differential
// tests hold us to packaging's verdict on validity.

/** Characters Python's `str.isspace()` (and so its regex `\s`) accepts. */
export const PY_WS_CHARS = '\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const WS = `[${PY_WS_CHARS}]`;
// Python's Unicode word character, used to emulate `\b`.
const WORD = '[\\p{L}\\p{N}_]';
const WB_BEFORE = `(?<!${WORD})`;
const WB_AFTER = `(?!${WORD})`;

const PRE = '(?:[-_.]?(?:alpha|beta|preview|pre|a|b|c|rc)[-_.]?[0-9]*)?';
const POST = '(?:(?:-[0-9]+)|(?:[-_.]?(?:post|rev|r)[-_.]?[0-9]*))?';
const DEV = '(?:[-_.]?dev[-_.]?[0-9]*)?';
const LOCAL = '(?:\\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?';
const RELEASE = '(?:[0-9]+!)?[0-9]+(?:\\.[0-9]+)*';

/** packaging's `Specifier._specifier_regex_str`, one clause such as `>= 1.0` or `==1.*`. */
export const SPECIFIER_SOURCE =
  `(?:(?:===${WS}*[^${PY_WS_CHARS};)]*)` +
  `|(?:(?:==|!=)${WS}*v?${RELEASE}(?:\\.\\*|${PRE}${POST}${DEV}${LOCAL})?)` +
  `|(?:~=${WS}*v?(?:[0-9]+!)?[0-9]+(?:\\.[0-9]+)+${PRE}${POST}${DEV})` +
  `|(?:(?:<=|>=|<|>)${WS}*v?${RELEASE}${PRE}${POST}${DEV}))`;

// No `u` flag on the case-insensitive patterns: like packaging's `(?a:...)` groups, it keeps
// non-ASCII letters from case-folding onto ASCII ones.
export const RE = {
  ws: /[ \t]+/y,
  specifier: new RegExp(SPECIFIER_SOURCE, 'iy'),
  identifier: new RegExp(`${WB_BEFORE}[a-zA-Z0-9][a-zA-Z0-9._-]*`, 'uy'),
  quoted: /'[^']*'|"[^"]*"/y,
  op: /===|==|~=|!=|<=|>=|<|>/y,
  boolop: new RegExp(`${WB_BEFORE}(?:or|and)${WB_AFTER}`, 'uy'),
  in: new RegExp(`${WB_BEFORE}in${WB_AFTER}`, 'uy'),
  not: new RegExp(`${WB_BEFORE}not${WB_AFTER}`, 'uy'),
  variable: new RegExp(
    `${WB_BEFORE}(?:python_version|python_full_version|os[._]name|sys[._]platform|platform_(?:release|system)` +
      `|platform[._](?:version|machine|python_implementation)|python_implementation|implementation_(?:name|version)` +
      `|extras?|dependency_groups)${WB_AFTER}`,
    'uy',
  ),
  url: /[^ \t]+/y,
  prefixTrail: /\.\*/y,
  localTrail: /\+[a-z0-9]+(?:[-_.][a-z0-9]+)*/y,
};

/** Anchored single-clause check, as packaging's `Specifier(...)` constructor does it. */
export const FULL_SPECIFIER = new RegExp(`^${WS}*${SPECIFIER_SOURCE}${WS}*$`, 'i');

const WORD_CHAR = new RegExp(WORD, 'u');

/** Python's `str.isspace()` for one UTF-16 unit given as a char code. */
function isPyWhitespaceCode(c: number): boolean {
  if (c < 0x85) return (c >= 9 && c <= 13) || (c >= 0x1c && c <= 0x20);
  return c === 0x85 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 ||
    c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000;
}

/** An ASCII character of Python's `\w`: letter, digit or underscore. */
function isAsciiWord(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

/** `[a-zA-Z0-9._-]`. */
function isIdentifierCode(c: number): boolean {
  return isAsciiWord(c) || c === 45 || c === 46;
}

/** The text of `re` matched at `pos`, or null. */
export function matchAt(re: RegExp, text: string, pos: number): string | null {
  re.lastIndex = pos;
  return re.test(text) ? text.slice(pos, re.lastIndex) : null;
}

/** Is text[i] one of Python's word characters (one UTF-16 unit, as the `u` regex sees it)? */
function isWordAt(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  return c < 128 ? isAsciiWord(c) : WORD_CHAR.test(text[i]);
}

/** Python's `\b`: is there a word boundary at `pos`? */
function isBoundary(text: string, pos: number): boolean {
  const before = pos > 0 && isWordAt(text, pos - 1);
  const after = pos < text.length && isWordAt(text, pos);
  return before !== after;
}

/** packaging's IDENTIFIER token `\b[a-zA-Z0-9][a-zA-Z0-9._-]*\b`, backtracking like Python's re. */
export function matchIdentifier(text: string, pos: number): string | null {
  const end = identifierEnd(text, pos);
  return end < 0 ? null : text.slice(pos, end);
}

/** Where the IDENTIFIER token at `pos` ends, or -1 when there is none. */
function identifierEnd(text: string, pos: number): number {
  let end: number;
  const prev = pos > 0 ? text.charCodeAt(pos - 1) : -1;
  if (prev >= 128) {
    // The lookbehind must see a whole code point (a surrogate pair): leave that to the regex.
    const greedy = matchAt(RE.identifier, text, pos);
    if (greedy === null) return -1;
    end = pos + greedy.length;
  } else {
    const first = text.charCodeAt(pos);
    if ((prev >= 0 && isAsciiWord(prev)) || !(isAsciiWord(first) && first !== 95)) return -1;
    end = pos + 1;
    while (isIdentifierCode(text.charCodeAt(end))) end++;
  }
  for (; end > pos; end--) if (isBoundary(text, end)) return end;
  return -1;
}

/** packaging's END token: Python's `$` also matches just before a final newline. */
export function atEnd(text: string, pos: number): boolean {
  return pos === text.length || (pos === text.length - 1 && text.charCodeAt(pos) === 10);
}

/**
 * A cursor over the text for the requirement and marker parsers, which extend it. Token methods
 * live here, and not as imported functions, because the CommonJS build turns every use of an
 * imported binding into a getter call, which the hot parsing loop would pay per token.
 */
export class Scanner {
  constructor(readonly text: string, public pos: number) {}

  /** Advances past a match of the sticky `re` at pos; the matched text, or null. */
  protected take(re: RegExp): string | null {
    const start = this.pos;
    return this.skip(re) ? this.text.slice(start, this.pos) : null;
  }

  /** Advances past a match of the sticky `re` at pos; false when there is none. */
  protected skip(re: RegExp): boolean {
    re.lastIndex = this.pos;
    if (!re.test(this.text)) return false;
    this.pos = re.lastIndex;
    return true;
  }

  /** The match of the sticky `re` at pos, without advancing; or null. */
  protected peek(re: RegExp): string | null {
    return matchAt(re, this.text, this.pos);
  }

  /** Whether the next character is one of `chars` (false at the end of the text). */
  protected nextIsOneOf(chars: string): boolean {
    return this.pos < this.text.length && chars.includes(this.text[this.pos]);
  }

  /** packaging's optional WS token `[ \t]+`. */
  protected skipWs(): void {
    let c = this.text.charCodeAt(this.pos);
    while (c === 32 || c === 9) c = this.text.charCodeAt(++this.pos);
  }

  /** The IDENTIFIER token at pos (not consumed), or null. */
  protected identifier(): string | null {
    return matchIdentifier(this.text, this.pos);
  }

  protected atEnd(): boolean {
    return atEnd(this.text, this.pos);
  }

  /** The text [start, end) without any Python whitespace, as removePyWhitespace gives it. */
  protected withoutPyWhitespace(start: number, end: number): string {
    return removePyWhitespace(this.text.slice(start, end));
  }

  /** The value of a quoted STRING token, as decodePythonString gives it. */
  protected decodeString(token: string): string | null {
    return decodePythonString(token);
  }

  /** [start, end) without Python whitespace at either end. */
  protected pyStripped(start: number, end: number): [number, number] {
    while (start < end && isPyWhitespaceCode(this.text.charCodeAt(start))) start++;
    while (end > start && isPyWhitespaceCode(this.text.charCodeAt(end - 1))) end--;
    return [start, end];
  }
}

/** Python's `str.isspace()` for one character. */
export function isPyWhitespace(ch: string): boolean {
  return ch.length === 1 && isPyWhitespaceCode(ch.charCodeAt(0));
}

/** Python's `str.strip()` with no arguments. */
export function pyStrip(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isPyWhitespaceCode(s.charCodeAt(a))) a++;
  while (b > a && isPyWhitespaceCode(s.charCodeAt(b - 1))) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

/** Drops every Python whitespace character, for specifier clauses such as `>= 1.0`. */
export function removePyWhitespace(s: string): string {
  let i = 0;
  while (i < s.length && !isPyWhitespaceCode(s.charCodeAt(i))) i++;
  if (i === s.length) return s;
  let out = s.slice(0, i);
  for (const ch of s.slice(i)) if (!isPyWhitespace(ch)) out += ch;
  return out;
}

// A quoted string without these decodes to itself.
const PLAIN_UNSAFE = /[\\\r\n\0]/;
const SIMPLE_ESCAPES: Record<string, string> = {
  '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v',
};

/**
 * Decodes a quoted marker string the way `ast.literal_eval` does; null when Python would refuse
 * it (a raw newline, a NUL, a truncated or out-of-range escape). `\N{name}` escapes need the
 * Unicode name database, which we do not ship, so they are refused too.
 */
export function decodePythonString(token: string): string | null {
  const raw = token.slice(1, -1);
  if (!PLAIN_UNSAFE.test(raw)) return raw;
  // Python reads source with universal newlines before tokenising.
  const body = raw.replace(/\r\n?/g, '\n');
  if (body.includes('\0')) return null;
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (ch === '\n') return null;
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const next = body[i + 1];
    if (next === undefined) return null; // cannot happen: the closing quote would be escaped
    if (next === '\n') {
      i += 1;
    } else if (next in SIMPLE_ESCAPES) {
      out += SIMPLE_ESCAPES[next];
      i += 1;
    } else if (/[0-7]/.test(next)) {
      const digits = /^[0-7]{1,3}/.exec(body.slice(i + 1))![0];
      out += String.fromCodePoint(parseInt(digits, 8));
      i += digits.length;
    } else if (next === 'x' || next === 'u' || next === 'U') {
      const width = next === 'x' ? 2 : next === 'u' ? 4 : 8;
      const hex = body.slice(i + 2, i + 2 + width);
      if (!new RegExp(`^[0-9a-fA-F]{${width}}$`).test(hex)) return null;
      const code = parseInt(hex, 16);
      if (code > 0x10ffff) return null;
      out += String.fromCodePoint(code);
      i += 1 + width;
    } else if (next === 'N') {
      return null;
    } else {
      out += '\\';
    }
  }
  return out;
}
