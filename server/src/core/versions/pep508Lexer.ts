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
const PY_WS_SET = new RegExp(`^${WS}$`);

/** The text of `re` matched at `pos`, or null. */
export function matchAt(re: RegExp, text: string, pos: number): string | null {
  re.lastIndex = pos;
  const m = re.exec(text);
  return m ? m[0] : null;
}

/** Python's `\b`: is there a word boundary at `pos`? */
function isBoundary(text: string, pos: number): boolean {
  const before = pos > 0 && WORD_CHAR.test(text[pos - 1]);
  const after = pos < text.length && WORD_CHAR.test(text[pos]);
  return before !== after;
}

/** packaging's IDENTIFIER token `\b[a-zA-Z0-9][a-zA-Z0-9._-]*\b`, backtracking like Python's re. */
export function matchIdentifier(text: string, pos: number): string | null {
  const greedy = matchAt(RE.identifier, text, pos);
  if (greedy === null) return null;
  for (let end = pos + greedy.length; end > pos; end--) {
    if (isBoundary(text, end)) return text.slice(pos, end);
  }
  return null;
}

/** packaging's END token: Python's `$` also matches just before a final newline. */
export function atEnd(text: string, pos: number): boolean {
  return pos === text.length || (pos === text.length - 1 && text[pos] === '\n');
}

/** Python's `str.isspace()` for one character. */
export function isPyWhitespace(ch: string): boolean {
  return PY_WS_SET.test(ch);
}

/** Python's `str.strip()` with no arguments. */
export function pyStrip(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isPyWhitespace(s[a])) a++;
  while (b > a && isPyWhitespace(s[b - 1])) b--;
  return s.slice(a, b);
}

/** Drops every Python whitespace character, for specifier clauses such as `>= 1.0`. */
export function removePyWhitespace(s: string): string {
  let out = '';
  for (const ch of s) if (!isPyWhitespace(ch)) out += ch;
  return out;
}

const SIMPLE_ESCAPES: Record<string, string> = {
  '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v',
};

/**
 * Decodes a quoted marker string the way `ast.literal_eval` does; null when Python would refuse
 * it (a raw newline, a NUL, a truncated or out-of-range escape). `\N{name}` escapes need the
 * Unicode name database, which we do not ship, so they are refused too.
 */
export function decodePythonString(token: string): string | null {
  // Python reads source with universal newlines before tokenising.
  const body = token.slice(1, -1).replace(/\r\n?/g, '\n');
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
