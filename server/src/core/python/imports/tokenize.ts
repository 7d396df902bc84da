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
const OPERATORS = ['**=', '//=', '>>=', '<<=', '...', '->', ':=', '**', '//', '<<', '>>', '<=', '>=', '==', '!=', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '@='];
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
    const c = s[this.i];
    const name = /[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*/y;
    name.lastIndex = this.i;
    const m = name.exec(s);
    if (m) {
      const q = s[this.i + m[0].length];
      if ((q === '"' || q === "'") && STRING_PREFIX.test(m[0])) {
        this.i += m[0].length;
        this.push({ kind: 'string', text: this.readString(/[fF]/.test(m[0])) });
        return;
      }
      this.i += m[0].length;
      this.push({ kind: 'name', text: m[0] });
      return;
    }
    if (c === '"' || c === "'") {
      this.push({ kind: 'string', text: this.readString(false) });
      return;
    }
    const num = /[0-9](?:[0-9a-zA-Z_.]|[eE][+-])*|\.[0-9](?:[0-9a-zA-Z_]|[eE][+-])*/y;
    num.lastIndex = this.i;
    const n = num.exec(s);
    if (n) {
      this.i += n[0].length;
      this.push({ kind: 'number', text: n[0] });
      return;
    }
    const op = OPERATORS.find((o) => s.startsWith(o, this.i)) ?? c;
    this.i += op.length;
    if (op === '(' || op === '[' || op === '{') this.depth++;
    else if ((op === ')' || op === ']' || op === '}') && this.depth > 0) this.depth--;
    if (op === ';' && this.depth === 0) {
      this.flush(true);
      return;
    }
    this.push({ kind: 'op', text: op });
  }

  /** Reads a string literal from its opening quote; returns its content (escapes left as written). */
  private readString(formatted: boolean): string {
    const s = this.s;
    const q = s[this.i];
    const triple = s.startsWith(q.repeat(3), this.i);
    const close = triple ? q.repeat(3) : q;
    this.i += close.length;
    let content = '';
    while (this.i < s.length) {
      const c = s[this.i];
      if (c === '\\') {
        content += s.slice(this.i, this.i + 2);
        if (s[this.i + 1] === '\n') this.line++;
        this.i += 2;
        continue;
      }
      if (s.startsWith(close, this.i)) {
        this.i += close.length;
        return content;
      }
      if (!triple && (c === '\n' || c === '\r')) return content; // unterminated: Python rejects it; stop at the line's end
      if (c === '\n') this.line++;
      if (formatted && c === '{') {
        if (s[this.i + 1] === '{') {
          content += '{{';
          this.i += 2;
          continue;
        }
        this.skipReplacementField();
        content += '{}';
        continue;
      }
      content += c;
      this.i++;
    }
    return content;
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
