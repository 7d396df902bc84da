// Python source as logical lines of tokens: just enough of Python's tokenizer to find statements.
// Strings (any prefix, triple-quoted, f-strings with nested expressions), comments, backslash
// continuations and newlines inside brackets are handled so that nothing inside a string or a
// comment is ever taken for code; `;` splits simple statements; the body of a one-line compound
// statement (`if x: import y`) becomes a statement of its own, one level deeper.

export type TokenKind = 'name' | 'op' | 'string' | 'number';

export interface Token {
  kind: TokenKind;
  text: string;
}

/** One simple statement or compound-statement header, with where it starts. */
export interface Statement {
  /** Column of the first token of the physical line it starts on (tabs count to the next multiple of 8). */
  indent: number;
  /** 1-based line of its first token. */
  line: number;
  tokens: Token[];
}

const COMPOUND = new Set(['if', 'elif', 'else', 'try', 'except', 'finally', 'with', 'for', 'while', 'def', 'class', 'async']);
const OPERATORS3 = new Set(['**=', '//=', '>>=', '<<=', '...']);
const OPERATORS2 = new Set(['->', ':=', '**', '//', '<<', '>>', '<=', '>=', '==', '!=', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '@=']);
const STRING_PREFIX = /^(?:[rRbBuUfF]|[rR][bBfF]|[bBfF][rR])$/;

/** Splits Python source into statements; never throws (unterminated strings end at the end of the text). */
export function tokenizeStatements(text: string): Statement[] {
  return new Lexer(text).run();
}

class Lexer {
  private i = 0;
  private line = 1;
  private readonly out: Statement[] = [];
  private tokens: Token[] = [];
  private start = { indent: 0, line: 1 };
  private depth = 0;
  private atLineStart = true;

  constructor(private readonly s: string) {}

  run(): Statement[] {
    const s = this.s;
    while (this.i < s.length) {
      if (this.atLineStart && this.depth === 0 && this.tokens.length === 0) this.readIndent();
      if (this.i >= s.length) break;
      const c = s[this.i];
      if (c === '\n' || c === '\r') {
        this.newline();
        if (this.depth === 0) this.flush();
        continue;
      }
      if (c === ' ' || c === '\t' || c === '\f') {
        this.i++;
        continue;
      }
      if (c === '#') {
        while (this.i < s.length && s[this.i] !== '\n' && s[this.i] !== '\r') this.i++;
        continue;
      }
      if (c === '\\' && (s[this.i + 1] === '\n' || s[this.i + 1] === '\r')) {
        this.i++;
        this.newline();
        continue;
      }
      this.readToken();
    }
    this.flush();
    return this.out;
  }

  private newline(): void {
    if (this.s[this.i] === '\r' && this.s[this.i + 1] === '\n') this.i++;
    this.i++;
    this.line++;
    this.atLineStart = true;
  }

  private readIndent(): void {
    let col = 0;
    while (this.i < this.s.length) {
      const c = this.s[this.i];
      if (c === ' ') col++;
      else if (c === '\t') col = (Math.floor(col / 8) + 1) * 8;
      else if (c === '\f') col = 0;
      else break;
      this.i++;
    }
    this.start = { indent: col, line: this.line };
    this.atLineStart = false;
  }

  private push(token: Token): void {
    if (this.tokens.length === 0) this.start = { indent: this.start.indent, line: this.line };
    this.tokens.push(token);
  }

  private readToken(): void {
    const s = this.s;
    const c = s.charCodeAt(this.i);
    if (isNameStart(c)) {
      let j = this.i + 1;
      while (j < s.length && isNamePart(s.charCodeAt(j))) j++;
      const word = s.slice(this.i, j);
      const q = s[j];
      if ((q === '"' || q === "'") && j - this.i <= 2 && STRING_PREFIX.test(word)) {
        this.i = j;
        this.push({ kind: 'string', text: this.readString(word.includes('f') || word.includes('F')) });
        return;
      }
      this.i = j;
      this.push({ kind: 'name', text: word });
      return;
    }
    if (c === 34 || c === 39) {
      this.push({ kind: 'string', text: this.readString(false) });
      return;
    }
    if ((c >= 48 && c <= 57) || (c === 46 && isDigit(s.charCodeAt(this.i + 1)))) {
      let j = this.i + 1;
      while (j < s.length) {
        const d = s.charCodeAt(j);
        if (isNamePart(d) || d === 46) j++;
        else if ((d === 43 || d === 45) && (s[j - 1] === 'e' || s[j - 1] === 'E')) j++;
        else break;
      }
      this.push({ kind: 'number', text: s.slice(this.i, j) });
      this.i = j;
      return;
    }
    const op = operatorAt(s, this.i);
    this.i += op.length;
    if (op === '(' || op === '[' || op === '{') this.depth++;
    else if ((op === ')' || op === ']' || op === '}') && this.depth > 0) this.depth--;
    if (op === ';' && this.depth === 0) {
      this.flush(true);
      return;
    }
    this.push({ kind: 'op', text: op });
  }

  /** Reads a string literal from its opening quote; returns its content (escapes left as written, f-string fields as `{}`). */
  private readString(formatted: boolean): string {
    const s = this.s;
    const q = s[this.i];
    const triple = s[this.i + 1] === q && s[this.i + 2] === q;
    this.i += triple ? 3 : 1;
    let from = this.i;
    let content = '';
    while (this.i < s.length) {
      const c = s[this.i];
      if (c === '\\') {
        if (s[this.i + 1] === '\n') this.line++;
        this.i += 2;
        continue;
      }
      if (c === q && (!triple || (s[this.i + 1] === q && s[this.i + 2] === q))) {
        content += s.slice(from, this.i);
        this.i += triple ? 3 : 1;
        return content;
      }
      if (c === '\n' || c === '\r') {
        // Unterminated on its line: Python rejects it; stop at the line's end.
        if (!triple) return content + s.slice(from, this.i);
        if (c === '\n') this.line++;
      } else if (formatted && c === '{') {
        if (s[this.i + 1] === '{') {
          this.i += 2;
          continue;
        }
        content += s.slice(from, this.i) + '{}';
        this.skipReplacementField();
        from = this.i;
        continue;
      }
      this.i++;
    }
    return content + s.slice(from, this.i);
  }

  /** Skips an f-string's `{expression}`, which may hold strings with the same quote (Python 3.12). */
  private skipReplacementField(): void {
    const s = this.s;
    let depth = 0;
    while (this.i < s.length) {
      const c = s[this.i];
      if (c === '{' || c === '(' || c === '[') depth++;
      else if (c === '}' || c === ')' || c === ']') {
        depth--;
        if (depth === 0 && c === '}') {
          this.i++;
          return;
        }
      } else if (c === '"' || c === "'") {
        this.readString(false);
        continue;
      } else if (c === '\n') this.line++;
      this.i++;
    }
  }

  /** Ends the current statement; `semicolon` keeps the next one on the same indent. */
  private flush(semicolon = false): void {
    if (this.tokens.length) this.emit({ indent: this.start.indent, line: this.start.line, tokens: this.tokens });
    this.tokens = [];
    this.depth = 0;
    // `if x: a; b` puts b in the if's body too: the next statement takes the last one's indent.
    if (semicolon) this.start = { indent: this.out[this.out.length - 1]?.indent ?? this.start.indent, line: this.line };
  }

  /** Emits a statement, splitting a compound header from a body written on the same line. */
  private emit(statement: Statement): void {
    const first = statement.tokens[0];
    const colon = first && COMPOUND.has(first.text) && first.kind === 'name' ? headerColon(statement.tokens) : -1;
    if (colon < 0 || colon === statement.tokens.length - 1) {
      this.out.push(statement);
      return;
    }
    this.out.push({ ...statement, tokens: statement.tokens.slice(0, colon + 1) });
    this.emit({ indent: statement.indent + 1, line: statement.line, tokens: statement.tokens.slice(colon + 1) });
  }
}

function isNameStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c >= 128;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isNamePart(c: number): boolean {
  return isNameStart(c) || isDigit(c);
}

function operatorAt(s: string, i: number): string {
  const three = s.slice(i, i + 3);
  if (OPERATORS3.has(three)) return three;
  const two = three.slice(0, 2);
  return OPERATORS2.has(two) ? two : s[i];
}

/** The index of the `:` that ends a compound statement's header (not a lambda's, a slice's or a dict's). */
export function headerColon(tokens: Token[]): number {
  let depth = 0;
  let lambdas = 0;
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k];
    if (t.kind === 'op') {
      if (t.text === '(' || t.text === '[' || t.text === '{') depth++;
      else if (t.text === ')' || t.text === ']' || t.text === '}') depth--;
      else if (t.text === ':' && depth === 0) {
        if (lambdas > 0) lambdas--;
        else return k;
      }
    } else if (t.kind === 'name' && t.text === 'lambda' && depth === 0) lambdas++;
  }
  return -1;
}
