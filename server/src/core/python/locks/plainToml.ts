// A small TOML reader for lockfiles: plain values with the line each table starts on. uv.lock and
// poetry.lock run to megabytes, and the AST parser the editor features use (with offsets for every
// token) took a second on a large lock; this one reads the same documents in a few milliseconds.
// It accepts all of TOML 1.0 that lock tools write, reports the line of anything it cannot read,
// and is lenient where TOML is strict in ways that do not change a value (duplicate keys: the
// first wins). Manifests, whose ranges matter, keep using core/toml.

export interface PlainTable {
  kind: 'table';
  entries: Map<string, PlainItem>;
  /** 1-based line of the header or inline table that defines it. */
  line: number;
}

export interface PlainArray {
  kind: 'array';
  items: PlainItem[];
  line: number;
}

export type PlainItem = string | number | boolean | { kind: 'datetime'; text: string } | PlainArray | PlainTable;

export type PlainRead = { ok: true; root: PlainTable } | { ok: false; message: string; line: number };

class TomlError extends Error {
  constructor(message: string, readonly line: number) {
    super(message);
  }
}

const BARE_KEY = /[A-Za-z0-9_-]/;
const ESCAPES: Record<string, string> = { b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', e: '\x1b', '"': '"', '\\': '\\' };

class Reader {
  private pos = 0;
  private line = 1;

  constructor(private readonly text: string) {}

  fail(message: string): never {
    throw new TomlError(message, this.line);
  }

  private peek(offset = 0): string {
    return this.text[this.pos + offset] ?? '';
  }

  private advance(n = 1): void {
    for (let i = 0; i < n; i++) if (this.text[this.pos++] === '\n') this.line++;
  }

  private skipSpaces(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.pos++;
  }

  /** Spaces, newlines and comments (inside arrays). */
  private skipBlank(): void {
    for (;;) {
      const c = this.peek();
      if (c === ' ' || c === '\t' || c === '\r' || c === '\n') this.advance();
      else if (c === '#') while (this.pos < this.text.length && this.peek() !== '\n') this.pos++;
      else return;
    }
  }

  private endOfLine(): void {
    this.skipSpaces();
    if (this.peek() === '#') while (this.pos < this.text.length && this.peek() !== '\n') this.pos++;
    if (this.peek() === '\r') this.pos++;
    if (this.pos < this.text.length && this.peek() !== '\n') this.fail(`unexpected "${this.peek()}" after a value`);
  }

  read(): PlainTable {
    const root: PlainTable = { kind: 'table', entries: new Map(), line: 1 };
    let current = root;
    while (this.pos < this.text.length) {
      this.skipBlank();
      if (this.pos >= this.text.length) break;
      if (this.peek() === '[') current = this.header(root);
      else {
        this.keyValue(current);
        this.endOfLine();
      }
    }
    return root;
  }

  private header(root: PlainTable): PlainTable {
    const line = this.line;
    const array = this.peek(1) === '[';
    this.advance(array ? 2 : 1);
    this.skipSpaces();
    const keys = this.key();
    this.skipSpaces();
    if (this.peek() !== ']' || (array && this.peek(1) !== ']')) this.fail(`a table header must end with ${array ? ']]' : ']'}`);
    this.advance(array ? 2 : 1);
    this.endOfLine();
    const parent = this.descend(root, keys.slice(0, -1), line);
    const last = keys[keys.length - 1];
    const existing = parent.entries.get(last);
    const table: PlainTable = { kind: 'table', entries: new Map(), line };
    if (array) {
      if (existing === undefined) parent.entries.set(last, { kind: 'array', items: [table], line });
      else if (typeof existing === 'object' && existing.kind === 'array') existing.items.push(table);
      else this.fail(`[[${keys.join('.')}]] is already defined as something else`);
      return table;
    }
    if (existing === undefined) {
      parent.entries.set(last, table);
      return table;
    }
    if (typeof existing === 'object' && existing.kind === 'table') {
      existing.line = line;
      return existing;
    }
    return this.fail(`[${keys.join('.')}] is already defined as a value`);
  }

  private descend(table: PlainTable, keys: string[], line: number): PlainTable {
    let current = table;
    for (const key of keys) {
      let next = current.entries.get(key);
      if (next === undefined) {
        next = { kind: 'table', entries: new Map(), line };
        current.entries.set(key, next);
      }
      if (typeof next === 'object' && next.kind === 'array' && next.items.length > 0) next = next.items[next.items.length - 1];
      if (typeof next !== 'object' || next.kind !== 'table') this.fail(`"${key}" is a value, not a table`);
      current = next as PlainTable;
    }
    return current;
  }

  private key(): string[] {
    const keys: string[] = [];
    for (;;) {
      this.skipSpaces();
      const c = this.peek();
      if (c === '"' || c === "'") keys.push(this.string());
      else {
        const start = this.pos;
        while (BARE_KEY.test(this.peek())) this.pos++;
        if (start === this.pos) this.fail('a key is missing');
        keys.push(this.text.slice(start, this.pos));
      }
      this.skipSpaces();
      if (this.peek() !== '.') return keys;
      this.pos++;
    }
  }

  private keyValue(table: PlainTable): void {
    const line = this.line;
    const keys = this.key();
    this.skipSpaces();
    if (this.peek() !== '=') this.fail('a key must be followed by =');
    this.pos++;
    this.skipSpaces();
    const value = this.value();
    const parent = this.descend(table, keys.slice(0, -1), line);
    const last = keys[keys.length - 1];
    if (!parent.entries.has(last)) parent.entries.set(last, value);
  }

  private value(): PlainItem {
    const c = this.peek();
    if (c === '"' || c === "'") return this.string();
    if (c === '[') return this.array();
    if (c === '{') return this.inlineTable();
    const m = /^(true|false|[+-]?(inf|nan)|[0-9TZ:.+\-_eExobabcdefABCDEF]+(?: [0-9:.+\-Z]+)?)/.exec(this.text.slice(this.pos, this.pos + 64));
    if (!m) this.fail(`"${c}" does not start a value`);
    this.pos += m[0].length;
    const word = m[0];
    if (word === 'true' || word === 'false') return word === 'true';
    if (/^\d{4}-\d{2}-\d{2}|^\d{2}:\d{2}/.test(word)) return { kind: 'datetime', text: word };
    const number = Number(word.replace(/_/g, '').replace(/^([+-]?)(inf)$/, '$1Infinity').replace(/^[+-]?nan$/, 'NaN'));
    if (Number.isNaN(number) && !/nan$/.test(word)) this.fail(`"${word}" is not a value`);
    return number;
  }

  private array(): PlainArray {
    const array: PlainArray = { kind: 'array', items: [], line: this.line };
    this.advance();
    for (;;) {
      this.skipBlank();
      if (this.peek() === ']') {
        this.advance();
        return array;
      }
      if (this.pos >= this.text.length) this.fail('an array is not closed with ]');
      array.items.push(this.value());
      this.skipBlank();
      if (this.peek() === ',') this.advance();
      else if (this.peek() !== ']') this.fail('array items must be separated by commas');
    }
  }

  private inlineTable(): PlainTable {
    const table: PlainTable = { kind: 'table', entries: new Map(), line: this.line };
    this.advance();
    this.skipSpaces();
    if (this.peek() === '}') {
      this.advance();
      return table;
    }
    for (;;) {
      this.keyValue(table);
      this.skipSpaces();
      if (this.peek() === '}') {
        this.advance();
        return table;
      }
      if (this.peek() !== ',') this.fail('an inline table is not closed with }');
      this.advance();
    }
  }

  private string(): string {
    const quote = this.peek();
    if (this.peek(1) === quote && this.peek(2) === quote) return this.multilineString(quote);
    // One-line strings (almost every string in a lock): find the closing quote in one search.
    const start = this.pos + 1;
    const stop = quote === '"' ? /["\\\n]/g : /['\n]/g;
    stop.lastIndex = start;
    const hit = stop.exec(this.text);
    if (hit && hit[0] === quote) {
      this.pos = hit.index + 1;
      return this.text.slice(start, hit.index);
    }
    this.advance();
    let out = '';
    for (;;) {
      const c = this.peek();
      if (c === '' || c === '\n') this.fail('a string is not closed on its line');
      if (c === quote) {
        this.advance();
        return out;
      }
      if (c === '\\' && quote === '"') out += this.escape(false);
      else {
        out += c;
        this.advance();
      }
    }
  }

  private multilineString(quote: string): string {
    this.advance(3);
    if (this.peek() === '\n') this.advance();
    else if (this.peek() === '\r' && this.peek(1) === '\n') this.advance(2);
    let out = '';
    for (;;) {
      if (this.pos >= this.text.length) this.fail('a string is not closed');
      const c = this.peek();
      if (c === quote && this.peek(1) === quote && this.peek(2) === quote) {
        // Up to two quotes may end the content right before the closing three.
        let extra = 0;
        while (extra < 2 && this.peek(3 + extra) === quote) extra++;
        this.advance(3 + extra);
        return out + quote.repeat(extra);
      }
      if (c === '\\' && quote === '"') out += this.escape(true);
      else {
        out += c;
        this.advance();
      }
    }
  }

  private escape(multiline: boolean): string {
    const e = this.peek(1);
    if (multiline && (e === '\n' || e === '\r' || e === ' ' || e === '\t')) {
      this.advance();
      this.skipBlank();
      return '';
    }
    if (e in ESCAPES) {
      this.advance(2);
      return ESCAPES[e];
    }
    const length = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
    const code = Number.parseInt(this.text.slice(this.pos + 2, this.pos + 2 + length), 16);
    if (length === 0 || !Number.isFinite(code) || code > 0x10ffff) this.fail(`"\\${e}" is not an escape TOML knows`);
    this.advance(2 + length);
    return String.fromCodePoint(code);
  }
}

/** Reads TOML text into plain values; never throws. */
export function readPlainToml(text: string): PlainRead {
  const body = typeof text === 'string' ? (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text) : '';
  try {
    return { ok: true, root: new Reader(body).read() };
  } catch (e) {
    if (e instanceof TomlError) return { ok: false, message: e.message, line: e.line };
    return { ok: false, message: 'the file could not be read', line: 1 };
  }
}

/** The table at a key, or undefined. */
export function plainTable(table: PlainTable | undefined, key: string): PlainTable | undefined {
  const item = table?.entries.get(key);
  return typeof item === 'object' && item.kind === 'table' ? item : undefined;
}

/** The string at a key, or undefined. */
export function plainString(table: PlainTable | undefined, key: string): string | undefined {
  const item = table?.entries.get(key);
  return typeof item === 'string' ? item : undefined;
}

/** The strings of the array at a key (other items skipped), or undefined. */
export function plainStrings(table: PlainTable | undefined, key: string): string[] | undefined {
  const item = table?.entries.get(key);
  return typeof item === 'object' && item.kind === 'array' ? item.items.filter((i): i is string => typeof i === 'string') : undefined;
}

/** The tables of the array at a key (or the table itself), in order. */
export function plainTables(item: PlainItem | undefined): PlainTable[] {
  if (typeof item !== 'object') return [];
  if (item.kind === 'table') return [item];
  if (item.kind === 'array') return item.items.filter((i): i is PlainTable => typeof i === 'object' && i.kind === 'table');
  return [];
}
