// PEP 508 environment-marker parser. It mirrors packaging 26.2's `_parser.py` production by
// production so that what packaging rejects we reject, and keeps the same tree shape (nested
// groups for parentheses) because `str(Marker)` and evaluation both depend on that shape.

import { RE, Scanner } from './pep508Lexer';

// Read once: in the CommonJS build every use of an imported binding is a getter call.
const T = RE;

export type BoolOp = 'and' | 'or';
export type MarkerOp = '===' | '==' | '~=' | '!=' | '<=' | '>=' | '<' | '>' | 'in' | 'not in';

/** A marker variable (name normalised: dots to underscores, python_implementation aliased) or a string. */
export type MarkerOperand =
  | { kind: 'variable'; name: string; start: number; end: number }
  | { kind: 'string'; value: string; start: number; end: number };

export interface MarkerComparison {
  kind: 'comparison';
  left: MarkerOperand;
  op: MarkerOp;
  right: MarkerOperand;
  start: number;
  end: number;
}

/** A sequence `a and b or c`; `items.length === ops.length + 1`. Parentheses nest a group. */
export interface MarkerGroup {
  kind: 'group';
  items: MarkerNode[];
  ops: BoolOp[];
  start: number;
  end: number;
}

export type MarkerNode = MarkerComparison | MarkerGroup;
export type Marker = MarkerGroup;

export type MarkerParseResult =
  | { ok: true; marker: Marker }
  | { ok: false; message: string; start: number; end: number };

export const MARKER_VARIABLES = [
  'python_version', 'python_full_version', 'os_name', 'sys_platform', 'platform_release', 'platform_system',
  'platform_version', 'platform_machine', 'platform_python_implementation', 'implementation_name',
  'implementation_version', 'extra', 'extras', 'dependency_groups',
];

class MarkerSyntaxError {
  constructor(readonly message: string, readonly start: number, readonly end: number) {}
}

/** Parses a marker that starts at `from` and must run to the end of `text`. Offsets are into `text`. */
export function parseMarkerAt(text: string, from: number): MarkerParseResult {
  const parser = new MarkerParser(text, from);
  try {
    return { ok: true, marker: normalizeExtraValues(parser.parseWhole()) };
  } catch (e) {
    if (e instanceof MarkerSyntaxError) return { ok: false, message: e.message, start: e.start, end: e.end };
    // Only a stack overflow from thousands of nested parentheses gets here; packaging fails too.
    return { ok: false, message: 'The marker is nested too deeply to parse', start: from, end: text.length };
  }
}

/** Parses a complete marker expression such as `python_version < "3.11"`. */
export function parseMarker(text: string): MarkerParseResult {
  return parseMarkerAt(text, 0);
}

/** PEP 503 normalisation, which PEP 685 also applies to extra names. */
export function normalizeName(name: string): string {
  return isNormalized(name) ? name : name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** True when normalizeName would return the name unchanged: ASCII, no capitals, only single '-' separators. */
function isNormalized(name: string): boolean {
  let separator = false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c >= 128 || (c >= 65 && c <= 90) || c === 95 || c === 46 || (c === 45 && separator)) return false;
    separator = c === 45;
  }
  return true;
}

// packaging normalises the operand compared with `extra` only in top-level comparisons (not
// inside parentheses); copying that keeps str() and evaluation identical. The tree is fresh from
// the parser and not yet shared, so it is rewritten in place.
function normalizeExtraValues(marker: Marker): Marker {
  for (const item of marker.items) {
    if (item.kind !== 'comparison') continue;
    const { left, right } = item;
    if (left.kind === 'variable' && left.name === 'extra') item.right = canonicalOperand(right);
    else if (right.kind === 'variable' && right.name === 'extra') item.left = canonicalOperand(left);
  }
  return marker;
}

function canonicalOperand(op: MarkerOperand): MarkerOperand {
  const raw = op.kind === 'variable' ? op.name : op.value;
  return { kind: 'string', value: normalizeName(raw), start: op.start, end: op.end };
}

class MarkerParser extends Scanner {
  /** Throws with a span covering the next token-ish run, never an empty span when text remains. */
  failUnexpected(message: string, start = this.pos): never {
    const rest = this.text.slice(this.pos);
    const run = /^[^ \t()]+/.exec(rest)?.[0] ?? rest.slice(0, 1);
    let end = this.pos + run.length;
    if (end === start) {
      // At the end of the text: point at the last character rather than at nothing.
      start = Math.max(0, start - 1);
      end = Math.min(this.text.length, start + 1);
    }
    throw new MarkerSyntaxError(message, start, end);
  }

  /** A marker that must run to the end of the text. */
  parseWhole(): MarkerGroup {
    const marker = this.parseMarker();
    if (!this.atEnd()) this.failUnexpected('Expected \'and\', \'or\' or the end of the marker');
    return marker;
  }

  parseMarker(): MarkerGroup {
    const start = this.pos;
    const items = [this.parseAtom()];
    const ops: BoolOp[] = [];
    for (let op = this.boolOp(); op !== null; op = this.boolOp()) {
      ops.push(op as BoolOp);
      items.push(this.parseAtom());
    }
    return { kind: 'group', items, ops, start, end: this.pos };
  }

  // The first-character checks below only skip regexes that cannot match there: they are most of
  // the marker parser's work, and most operands are quoted strings.
  private boolOp(): string | null {
    return this.nextIsOneOf('ao') ? this.take(T.boolop) : null;
  }

  private parseAtom(): MarkerNode {
    this.skipWs();
    let node: MarkerNode;
    if (this.text[this.pos] === '(') {
      const open = this.pos;
      this.pos += 1;
      this.skipWs();
      node = this.parseMarker();
      this.skipWs();
      if (this.text[this.pos] !== ')') {
        this.failUnexpected(`Expected ')' to close the '(' at column ${open + 1}, or 'and'/'or' to continue`);
      }
      this.pos += 1;
      node = { ...node, start: open, end: this.pos };
    } else {
      node = this.parseComparison();
    }
    this.skipWs();
    return node;
  }

  private parseComparison(): MarkerComparison {
    const start = this.pos;
    const left = this.parseOperand('left');
    this.skipWs();
    const op = this.parseOp();
    this.skipWs();
    const right = this.parseOperand('right');
    const end = this.pos;
    this.skipWs();
    return { kind: 'comparison', left, op, right, start, end };
  }

  private parseOperand(side: 'left' | 'right'): MarkerOperand {
    const start = this.pos;
    const quote = this.nextIsOneOf('"\'');
    const variable = quote ? null : this.take(T.variable);
    if (variable !== null) {
      let name = variable.replace('.', '_');
      if (name === 'python_implementation') name = 'platform_python_implementation';
      return { kind: 'variable', name, start, end: this.pos };
    }
    const quoted = quote ? this.take(T.quoted) : null;
    if (quoted !== null) {
      const value = this.decodeString(quoted);
      if (value === null) {
        throw new MarkerSyntaxError(`The string ${quoted} has an invalid escape sequence or line break`, start, this.pos);
      }
      return { kind: 'string', value, start, end: this.pos };
    }
    const word = this.identifier();
    if (word !== null) {
      const message = side === 'right' || /^[0-9]/.test(word)
        ? `'${word}' is not a marker variable; if it is a value, quote it: "${word}"`
        : `Unknown marker variable '${word}'; use one of ${MARKER_VARIABLES.join(', ')}`;
      throw new MarkerSyntaxError(message, start, start + word.length);
    }
    const ch = this.text[this.pos];
    if (ch === '"' || ch === "'") {
      throw new MarkerSyntaxError(`Unterminated string: add the closing ${ch}`, start, this.text.length);
    }
    return this.failUnexpected('Expected a marker variable such as python_version, or a quoted string such as "3.11"');
  }

  private parseOp(): MarkerOp {
    if (this.nextIsOneOf('i') && this.skip(T.in)) return 'in';
    const notStart = this.pos;
    if (this.nextIsOneOf('n') && this.skip(T.not)) {
      if (!this.skip(T.ws) || !this.skip(T.in)) {
        this.failUnexpected("Expected 'in' after 'not' (write 'not in')", notStart);
      }
      return 'not in';
    }
    const op = this.nextIsOneOf('=~!<>') ? this.take(T.op) : null;
    if (op !== null) return op as MarkerOp;
    return this.failUnexpected('Expected a comparison operator: one of ==, !=, <, <=, >, >=, ~=, ===, in, not in');
  }
}
