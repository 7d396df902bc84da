// .netrc files as pip reads them: requests' get_netrc_auth picks the file ($NETRC, else ~/.netrc,
// else ~/_netrc) and Python 3.11's netrc module parses it. A file Python cannot parse gives no
// credentials at all (requests swallows the error), so we do the same and report why.

import path from 'node:path';
import { rememberSecret } from '../../redact';

export interface NetrcEntry {
  login: string;
  account: string;
  password: string;
}

export interface Netrc {
  /** Machine entries by lower-cased host name; a later entry for the same host replaces an earlier one, as in Python. */
  machines: Map<string, NetrcEntry>;
  default?: NetrcEntry;
}

export type NetrcParse = { ok: true; netrc: Netrc } | { ok: false; error: string; line: number };

const WHITESPACE = new Set(['\n', '\t', '\r', ' ']);

// Python's _netrclex: a character stream with one-token pushback and readline() for comments and macros.
class Lexer {
  private pos = 0;
  private readonly pushback: string[] = [];
  line = 1;

  constructor(private readonly text: string) {}

  private readChar(): string {
    if (this.pos >= this.text.length) return '';
    const ch = this.text[this.pos++];
    if (ch === '\n') this.line++;
    return ch;
  }

  readLine(): string {
    if (this.pos >= this.text.length) return '';
    const end = this.text.indexOf('\n', this.pos);
    const stop = end < 0 ? this.text.length : end + 1;
    const line = this.text.slice(this.pos, stop);
    this.pos = stop;
    if (end >= 0) this.line++;
    return line;
  }

  push(token: string): void {
    this.pushback.push(token);
  }

  // A backslash escapes the next character, inside quotes or not; a quoted token may hold spaces.
  token(): string {
    if (this.pushback.length > 0) return this.pushback.shift() as string;
    let token = '';
    for (let ch = this.readChar(); ch !== ''; ch = this.readChar()) {
      if (WHITESPACE.has(ch)) continue;
      if (ch === '"') {
        for (ch = this.readChar(); ch !== ''; ch = this.readChar()) {
          if (ch === '"') return token;
          if (ch === '\\') ch = this.readChar();
          token += ch;
        }
        return token;
      }
      if (ch === '\\') ch = this.readChar();
      token += ch;
      for (ch = this.readChar(); ch !== ''; ch = this.readChar()) {
        if (WHITESPACE.has(ch)) return token;
        if (ch === '\\') ch = this.readChar();
        token += ch;
      }
      return token;
    }
    return token;
  }
}

// Python's repr() of a token, as its error messages quote them (control characters escaped).
function pyRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  const escaped = [...text].map((ch) => {
    if (ch === '\\' || ch === quote) return `\\${ch}`;
    if (ch === '\n') return '\\n';
    if (ch === '\r') return '\\r';
    if (ch === '\t') return '\\t';
    const code = ch.codePointAt(0) as number;
    return code < 0x20 || (code >= 0x7f && code < 0xa0) ? `\\x${code.toString(16).padStart(2, '0')}` : ch;
  });
  return quote + escaped.join('') + quote;
}

class NetrcError extends Error {
  constructor(message: string, readonly line: number) {
    super(message);
  }
}

/** Parses .netrc text as Python 3.11's netrc module does; never throws. */
export function parseNetrc(text: string): NetrcParse {
  // Python reads the file in text mode: every line ending becomes '\n'.
  const lexer = new Lexer(text.replace(/\r\n?/g, '\n'));
  const netrc: Netrc = { machines: new Map() };
  try {
    for (;;) {
      const startLine = lexer.line;
      const top = lexer.token();
      if (top === '') break;
      if (top.startsWith('#')) {
        if (lexer.line === startLine && top.length === 1) lexer.readLine();
        continue;
      }
      if (top === 'macdef') {
        skipMacro(lexer);
        continue;
      }
      if (top !== 'machine' && top !== 'default') throw new NetrcError(`bad toplevel token ${pyRepr(top)}`, lexer.line);
      const name = top === 'machine' ? lexer.token() : 'default';
      if (name === '') throw new NetrcError(`missing ${pyRepr(top)} name`, lexer.line);
      const entry = readEntry(lexer);
      // Python files both under hosts['default'], so `machine default` is the default entry too.
      if (name === 'default') netrc.default = entry;
      else netrc.machines.set(name.toLowerCase(), entry);
    }
  } catch (e) {
    if (e instanceof NetrcError) return { ok: false, error: e.message, line: e.line };
    throw e;
  }
  return { ok: true, netrc };
}

// A macro runs to the first empty line; one that never ends is an error in Python.
function skipMacro(lexer: Lexer): void {
  lexer.token(); // the macro's name
  for (;;) {
    const line = lexer.readLine();
    if (line === '') throw new NetrcError('Macro definition missing null line terminator.', lexer.line);
    if (line === '\n') return;
  }
}

function readEntry(lexer: Lexer): NetrcEntry {
  const entry: NetrcEntry = { login: '', account: '', password: '' };
  for (;;) {
    const startLine = lexer.line;
    const token = lexer.token();
    if (token.startsWith('#')) {
      if (lexer.line === startLine) lexer.readLine();
      continue;
    }
    if (token === '' || token === 'machine' || token === 'default' || token === 'macdef') {
      lexer.push(token);
      return entry;
    }
    if (token === 'login' || token === 'user') entry.login = lexer.token();
    else if (token === 'account') entry.account = lexer.token();
    else if (token === 'password') rememberSecret((entry.password = lexer.token()));
    else throw new NetrcError(`bad follower token ${pyRepr(token)}`, lexer.line);
  }
}

/** The user and password .netrc gives a host (its machine entry, else `default`), as requests picks them. */
export function netrcCredentials(netrc: Netrc, host: string): { user: string; password: string } | undefined {
  const entry = netrc.machines.get(host.toLowerCase()) ?? netrc.default;
  if (!entry) return undefined;
  // requests sends the account when there is no login; an entry with nothing in it is not worth a header.
  const user = entry.login !== '' ? entry.login : entry.account;
  if (user === '' && entry.password === '') return undefined;
  return { user, password: entry.password };
}

/** The .netrc files requests would try, in order: $NETRC alone when set, else ~/.netrc then ~/_netrc. */
export function netrcCandidates(env: Record<string, string | undefined>, home: string | undefined, platform: 'linux' | 'darwin' | 'win32'): string[] {
  const explicit = env.NETRC;
  if (explicit !== undefined) return explicit === '' ? [] : [expandHome(explicit, home, platform)];
  if (home === undefined || home === '') return [];
  const join = platform === 'win32' ? path.win32.join : path.posix.join;
  return [join(home, '.netrc'), join(home, '_netrc')];
}

/** Python's os.path.expanduser for a leading `~` (other users' homes are left alone). */
export function expandHome(p: string, home: string | undefined, platform: 'linux' | 'darwin' | 'win32'): string {
  if (home === undefined || home === '' || !p.startsWith('~')) return p;
  const rest = p.slice(1);
  const separators = platform === 'win32' ? /^[\\/]/ : /^\//;
  if (rest !== '' && !separators.test(rest)) return p;
  const trimmed = platform === 'win32' ? home.replace(/[\\/]+$/, '') : home.replace(/\/+$/, '');
  return trimmed + rest || (platform === 'win32' ? '\\' : '/');
}
