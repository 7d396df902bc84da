// PEP 508 requirement strings (`name[extras] (specifier) ; marker` and `name @ url ; marker`)
// with source offsets. The grammar follows packaging 26.2's `_parser.py` exactly, so validity
// agrees with pip; only the error messages are our own, written for the person editing the file.
// PEP 440 semantics of the specifier are checked by callers through pep440.ts.

import { Marker, parseMarkerAt } from './markerParser';
import { parseSpecifierSet } from './pep440';
import { FULL_SPECIFIER, RE, Scanner, isPyWhitespace } from './pep508Lexer';

// Read once: in the CommonJS build every use of an imported binding is a getter call.
const T = RE;

export { normalizeName } from './markerParser';

export interface Pep508Requirement {
  name: string;
  nameStart: number;
  nameEnd: number;
  extras: string[];
  /** Span of `[...]`, brackets included. */
  extrasStart?: number;
  extrasEnd?: number;
  /** Clauses with whitespace removed and parentheses dropped, joined by ',' ('' if none). */
  specifier: string;
  /** Span of the clauses as written (inside parentheses if any). */
  specifierStart?: number;
  specifierEnd?: number;
  url?: string;
  urlStart?: number;
  urlEnd?: number;
  /** Marker text after ';', trimmed; null when there is no marker. */
  marker: string | null;
  markerStart?: number;
  markerEnd?: number;
  /** The parsed marker, for evaluation and normalised printing (see markers.ts). */
  markerTree?: Marker;
}

export type Pep508Result =
  | { ok: true; requirement: Pep508Requirement }
  | { ok: false; message: string; start: number; end: number };

export type MarkerCheck = { ok: true } | { ok: false; message: string; start: number; end: number };

class RequirementError {
  constructor(readonly message: string, readonly start: number, readonly end: number) {}
}

/** Parses one PEP 508 requirement string; never throws. */
export function parsePep508(text: string): Pep508Result {
  try {
    return { ok: true, requirement: new RequirementParser(text).parse() };
  } catch (e) {
    if (e instanceof RequirementError) return { ok: false, message: e.message, start: e.start, end: e.end };
    return { ok: false, message: 'This requirement could not be parsed', start: 0, end: text.length };
  }
}

/** Checks that `text` is a complete, parseable PEP 508 marker expression. */
export function validateMarkerText(text: string): MarkerCheck {
  const result = parseMarkerAt(text, 0);
  return result.ok ? { ok: true } : result;
}

class RequirementParser extends Scanner {
  private readonly req: Pep508Requirement = { name: '', nameStart: 0, nameEnd: 0, extras: [], specifier: '', marker: null };
  /** Span of the last version clause parseClauses read. */
  private lastClauseStart = 0;
  private lastClauseEnd = 0;

  constructor(text: string) {
    super(text, 0);
  }

  parse(): Pep508Requirement {
    this.skipWs();
    this.parseName();
    this.skipWs();
    this.parseExtras();
    this.skipWs();
    if (this.text[this.pos] === '@') this.parseUrlTail();
    else this.parseSpecifierTail();
    return this.req;
  }

  /** The run of text at `pos` that a message should underline; one character at the end of text. */
  private offending(from = this.pos): [number, number] {
    const run = /^[^ \t,;()[\]]+/.exec(this.text.slice(from))?.[0] ?? this.text.slice(from, from + 1);
    if (run.length > 0) return [from, from + run.length];
    const last = Math.max(0, this.text.length - 1);
    return [Math.min(from, last), Math.min(this.text.length, Math.min(from, last) + 1)];
  }

  private fail(message: string, span: [number, number] = this.offending()): never {
    throw new RequirementError(message, span[0], span[1]);
  }

  private parseName(): void {
    const name = this.identifier();
    if (name === null) {
      const span: [number, number] = this.text.trim() === '' ? [0, this.text.length] : this.offending();
      this.fail('Expected a package name (letters, digits, and . _ -) at the start of the requirement', span);
    }
    this.req.name = name;
    this.req.nameStart = this.pos;
    this.req.nameEnd = this.pos + name.length;
    this.pos += name.length;
  }

  private parseExtras(): void {
    if (this.text[this.pos] !== '[') return;
    const open = this.pos;
    this.pos += 1;
    this.skipWs();
    const first = this.identifier();
    if (first !== null) {
      this.req.extras.push(first);
      this.pos += first.length;
      for (;;) {
        this.skipWs();
        if (this.identifier() !== null) this.fail("Expected ',' between extra names");
        if (this.text[this.pos] !== ',') break;
        this.pos += 1;
        this.skipWs();
        const extra = this.identifier();
        if (extra === null) this.fail("Expected an extra name after ','");
        this.req.extras.push(extra);
        this.pos += extra.length;
      }
    }
    this.skipWs();
    if (this.text[this.pos] !== ']') {
      this.fail("Expected ']' to close the extras", this.atEnd() ? [open, this.text.length] : this.offending());
    }
    this.pos += 1;
    this.req.extrasStart = open;
    this.req.extrasEnd = this.pos;
  }

  private parseUrlTail(): void {
    this.pos += 1;
    this.skipWs();
    const start = this.pos;
    const url = this.take(T.url);
    if (url === null) this.fail("Expected a URL after '@', such as 'name @ https://example.com/name.whl'");
    this.req.url = url;
    this.req.urlStart = start;
    this.req.urlEnd = this.pos;
    // The URL token stops only at a space or tab, so either the text ends or whitespace follows.
    if (this.pos === this.text.length) return;
    this.skipWs();
    if (this.atEnd()) return;
    if (this.text[this.pos] !== ';') this.fail("Expected ';' before the marker after the URL");
    this.parseMarkerTail();
  }

  private parseSpecifierTail(): void {
    const open = this.text[this.pos] === '(' ? this.pos : -1;
    if (open >= 0) {
      this.pos += 1;
      this.skipWs();
    }
    const clauses = this.parseClauses();
    if (open >= 0) {
      this.skipWs();
      if (this.text[this.pos] !== ')') {
        const span: [number, number] = this.atEnd() ? [open, this.text.length] : this.offending();
        this.fail(clauses ? "Expected ',' or ')' to close the version specifier" : "Expected ')' to close the version specifier", span);
      }
      this.pos += 1;
    }
    this.skipWs();
    if (this.atEnd()) return;
    if (this.text[this.pos] !== ';') this.failAfterSpecifier(clauses);
    this.parseMarkerTail();
  }

  /** version_many = (SPECIFIER (WS? COMMA WS? SPECIFIER)*)?; the number of clauses read. */
  private parseClauses(): number {
    let count = 0;
    let specifier = '';
    for (;;) {
      const start = this.pos;
      // Every clause starts with an operator character; skip the large regex when none is next.
      if (!this.nextIsOneOf('=!~<>') || !this.skip(T.specifier)) break;
      count += 1;
      this.lastClauseStart = start;
      this.lastClauseEnd = this.pos;
      specifier += (count > 1 ? ',' : '') + this.withoutPyWhitespace(start, this.pos);
      if (this.text.startsWith('===', start)) this.checkArbitraryTail(start);
      if (this.text.startsWith('.*', this.pos)) {
        this.fail("A '.*' suffix can only be used with the == and != operators", [start, this.pos + 2]);
      }
      const local = this.text[this.pos] === '+' ? this.peek(T.localTrail) : null;
      if (local !== null) {
        this.fail('A local version label (+...) can only be used with the == and != operators', [start, this.pos + local.length]);
      }
      if (count === 1) this.req.specifierStart = start;
      this.skipWs();
      if (this.text[this.pos] !== ',') break;
      this.pos += 1;
      this.skipWs();
    }
    if (count > 0) {
      this.req.specifier = specifier;
      this.req.specifierEnd = this.lastClauseEnd;
    }
    return count;
  }

  /**
   * An `===` clause swallows everything up to whitespace, `;` or `)`, commas included, and
   * SpecifierSet later splits it on commas: each piece after the first must be a clause itself.
   */
  private checkArbitraryTail(start: number): void {
    const token = this.text.slice(start, this.pos);
    if (!token.startsWith('===')) return;
    let offset = start + token.indexOf(',');
    for (const piece of token.split(',').slice(1)) {
      const pieceStart = offset + 1;
      offset = pieceStart + piece.length;
      if (piece !== '' && !FULL_SPECIFIER.test(piece)) {
        this.fail(`'${piece}' is not a valid version specifier; expected something like '>=1.0'`, [pieceStart, offset]);
      }
    }
  }

  /** Explains what is wrong with text that follows the name or the specifier. */
  private failAfterSpecifier(clauses: number): never {
    const glued = clauses > 0 && this.lastClauseEnd === this.pos && !isPyWhitespace(this.text[this.pos] ?? ' ');
    if (glued) {
      const span: [number, number] = [this.lastClauseStart, this.offending()[1]];
      this.fail(`'${this.text.slice(span[0], span[1])}' is not a valid version specifier`, span);
    }
    const afterComma = /,[ \t]*$/.test(this.text.slice(0, this.pos));
    if (/^[<>=!~]/.test(this.text.slice(this.pos)) && (clauses === 0 || afterComma)) {
      const span = this.offending();
      this.fail(explainBadSpecifier(this.text.slice(span[0], span[1])), span);
    }
    if (clauses > 0) this.fail("Expected ',' between version specifiers, or ';' before a marker");
    const what = this.req.extrasEnd !== undefined ? this.text.slice(this.req.nameStart, this.req.extrasEnd) : this.req.name;
    this.fail(`Expected a version specifier such as '>=1.0' after '${what}', or ';' before a marker`);
  }

  private parseMarkerTail(): void {
    this.pos += 1; // the ';'
    const result = parseMarkerAt(this.text, this.pos);
    if (!result.ok) {
      const span: [number, number] = result.start === result.end ? this.offending(result.start) : [result.start, result.end];
      this.fail(result.message, span);
    }
    const [start, end] = this.pyStripped(this.pos, this.text.length);
    this.req.marker = this.text.slice(start, end);
    this.req.markerStart = start;
    this.req.markerEnd = end;
    this.req.markerTree = result.marker;
  }
}

export type { Marker } from './markerParser';

/** The PEP 440 reason a clause the tokenizer rejected is wrong, when PEP 440 can say more. */
function explainBadSpecifier(piece: string): string {
  const check = parseSpecifierSet(piece);
  if (!check.ok) return check.message;
  return `'${piece}' is not a valid version specifier; expected something like '>=1.0'`;
}
