// Turns requirements file text into pip's logical lines: split as Python's str.splitlines does,
// join `\` continuations, drop comments, strip, expand ${VAR} (pip 23.2.1 req_file.preprocess).
// Every character keeps the source span it came from, so ranges survive joining and expansion.

/** A string whose every UTF-16 unit remembers the source span [starts[i], ends[i]) it came from. */
export interface Mapped {
  text: string;
  starts: number[];
  ends: number[];
  /** Source offset an empty slice stands at. */
  anchor: number;
}

/** A problem found while reading a file, located by source offsets. */
export interface RawProblem {
  code: 'undefined-variable' | 'invalid-option' | 'unknown-option' | 'invalid-requirement' | 'invalid-specifier'
    | 'invalid-marker' | 'invalid-name' | 'invalid-extra' | 'unsupported-source' | 'include-not-found' | 'syntax-error';
  severity: 'error' | 'warning' | 'information' | 'hint';
  message: string;
  start: number;
  end: number;
  package?: string;
}

export interface LogicalLine {
  /** 1-based number of the first physical line, counted as pip counts (str.splitlines). */
  pipLine: number;
  /** The line after joining, comment removal and strip, before ${VAR} expansion. */
  source: Mapped;
  /** The same after ${VAR} expansion: what pip parses. */
  content: Mapped;
  /** The trailing ` # comment` text, without '#' and one space. */
  comment?: string;
  /** Full-line comments directly above (no blank line between), without '#' and one space. */
  commentsAbove: string[];
}

const PY_SPACE = /[\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/;
const PY_LINE_BREAK = /[\n\x0b\x0c\r\x1c-\x1e\x85\u2028\u2029]/;
const ENV_VAR = /\$\{([A-Z0-9_]+)\}/g;
// ${VAR} values that contain these can create new ${...} references, so pip's sequential
// str.replace calls must then be repeated faithfully instead of skipped.
const REFERENCE_CHARS = /[${}]/;
const MAX_EXPANDED = 1_000_000;
// pip re-scans the whole line for every ${NAME} occurrence; past this many characters of work
// on one line we stop rather than go quadratic.
const MAX_EXPANSION_WORK = 5_000_000;

/** Python's str.isspace for one UTF-16 unit. */
export function isPySpace(ch: string | undefined): boolean {
  return ch !== undefined && ch.length > 0 && PY_SPACE.test(ch);
}

/** The characters [a, b) of a mapped string, still mapped. */
export function mappedSlice(m: Mapped, a: number, b: number): Mapped {
  const lo = Math.max(0, Math.min(a, m.text.length));
  const hi = Math.max(lo, Math.min(b, m.text.length));
  return { text: m.text.slice(lo, hi), starts: m.starts.slice(lo, hi), ends: m.ends.slice(lo, hi), anchor: anchorAt(m, lo) };
}

function anchorAt(m: Mapped, i: number): number {
  if (i < m.text.length) return m.starts[i];
  return i > 0 ? m.ends[i - 1] : m.anchor;
}

/** Source span [start, end) covering characters [a, b) of a mapped string. */
export function spanOf(m: Mapped, a = 0, b = m.text.length): [number, number] {
  const lo = Math.max(0, Math.min(a, m.text.length));
  const hi = Math.max(lo, Math.min(b, m.text.length));
  if (hi > lo) return [m.starts[lo], Math.max(m.starts[lo], m.ends[hi - 1])];
  const at = anchorAt(m, lo);
  return [at, at];
}

/** Strips Python whitespace from both ends, keeping the mapping. */
export function pyStripMapped(m: Mapped): Mapped {
  let a = 0;
  let b = m.text.length;
  while (a < b && isPySpace(m.text[a])) a++;
  while (b > a && isPySpace(m.text[b - 1])) b--;
  return mappedSlice(m, a, b);
}

class MappedBuilder {
  text = '';
  starts: number[] = [];
  ends: number[] = [];

  addSource(source: string, from: number, to: number): void {
    this.text += source.slice(from, to);
    for (let i = from; i < to; i++) {
      this.starts.push(i);
      this.ends.push(i + 1);
    }
  }

  addSynthetic(ch: string, at: number): void {
    this.text += ch;
    this.starts.push(at);
    this.ends.push(at);
  }

  build(anchor: number): Mapped {
    return { text: this.text, starts: this.starts, ends: this.ends, anchor };
  }
}

/** Physical lines as [start, end) offsets, split exactly where str.splitlines splits. */
function physicalLines(text: string): Array<[number, number]> {
  const lines: Array<[number, number]> = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (!PY_LINE_BREAK.test(ch)) continue;
    lines.push([start, i]);
    if (ch === '\r' && text[i + 1] === '\n') i++;
    start = i + 1;
  }
  if (start < text.length) lines.push([start, text.length]);
  return lines;
}

/** COMMENT_RE.match: the line is only whitespace and a comment. */
function isCommentLine(text: string, from: number, to: number): boolean {
  let i = from;
  while (i < to && isPySpace(text[i])) i++;
  return i < to && text[i] === '#';
}

function isBlank(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (!isPySpace(text[i])) return false;
  return true;
}

/** Where COMMENT_RE `(^|\s+)#.*$` first matches, and where its '#' is; null when nothing matches. */
export function findComment(text: string): { cut: number; hash: number } | null {
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== '#' || (i > 0 && !isPySpace(text[i - 1]))) continue;
    let cut = i;
    while (cut > 0 && isPySpace(text[cut - 1])) cut--;
    return { cut, hash: i };
  }
  return null;
}

function commentText(raw: string): string {
  const body = raw.startsWith(' ') ? raw.slice(1) : raw;
  let end = body.length;
  while (end > 0 && isPySpace(body[end - 1])) end--;
  return body.slice(0, end);
}

/** User text for a message, shortened so a pathological line cannot make a huge message. */
export function clip(text: string, max = 80): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Reads a file's text into pip's logical lines; the env is consulted for ${VAR}. */
export function readLogicalLines(text: string, env: Record<string, string | undefined>, problems: RawProblem[]): LogicalLine[] {
  const out: LogicalLine[] = [];
  let pending: string[] = [];
  let joined: MappedBuilder | null = null;
  let primary = 0;
  let above: string[] = [];
  const lines = physicalLines(text);
  for (let n = 0; n < lines.length; n++) {
    const [start, end] = lines[n];
    const comment = isCommentLine(text, start, end);
    if (joined === null) {
      if (comment) {
        pending.push(commentText(text.slice(text.indexOf('#', start) + 1, end)));
        continue;
      }
      if (isBlank(text, start, end)) {
        pending = [];
        continue;
      }
      above = pending;
      pending = [];
    }
    if (end === start || text[end - 1] !== '\\' || comment) {
      const line: MappedBuilder = joined ?? new MappedBuilder();
      // pip prefixes a comment line with a space so the comment regex always matches it.
      if (comment) line.addSynthetic(' ', start);
      line.addSource(text, start, end);
      pushLine(out, joined ? primary : n, line.build(start), above, env, problems);
      joined = null;
      continue;
    }
    if (joined === null) {
      joined = new MappedBuilder();
      primary = n;
    }
    // str.strip('\\') removes backslashes from both ends of a continued line.
    let a = start;
    let b = end;
    while (a < b && text[a] === '\\') a++;
    while (b > a && text[b - 1] === '\\') b--;
    joined.addSource(text, a, b);
  }
  if (joined !== null) pushLine(out, primary, joined.build(text.length), above, env, problems);
  return out;
}

function pushLine(out: LogicalLine[], n: number, line: Mapped, above: string[], env: Record<string, string | undefined>, problems: RawProblem[]): void {
  const found = findComment(line.text);
  const body = pyStripMapped(mappedSlice(line, 0, found ? found.cut : line.text.length));
  if (body.text.length === 0) return;
  const comment = found ? commentText(line.text.slice(found.hash + 1)) : undefined;
  const content = expandVariables(body, env, problems);
  out.push({ pipLine: n + 1, source: body, content, comment: comment || undefined, commentsAbove: above });
}

function lookup(env: Record<string, string | undefined>, name: string): string | undefined {
  return Object.prototype.hasOwnProperty.call(env, name) ? env[name] : undefined;
}

/**
 * pip's expand_env_variables: for each ${NAME} found in the original line, in order, a set and
 * non-empty value replaces every current occurrence of ${NAME}; anything else stays as written.
 */
export function expandVariables(line: Mapped, env: Record<string, string | undefined>, problems: RawProblem[]): Mapped {
  const found = [...line.text.matchAll(ENV_VAR)];
  let current = line;
  let generation = 0;
  let work = 0;
  const doneAt = new Map<string, number>();
  for (const m of found) {
    const name = m[1];
    const value = lookup(env, name);
    if (!value) {
      const [start, end] = spanOf(line, m.index ?? 0, (m.index ?? 0) + m[0].length);
      const why = value === '' ? 'is set but empty' : 'is not set';
      problems.push({
        code: 'undefined-variable', severity: 'warning', start, end,
        message: `The environment variable ${name} ${why}, so pip leaves '${m[0]}' unexpanded. Set ${name} or replace the reference.`,
      });
      continue;
    }
    // Replacing ${NAME} by itself changes nothing; a name already replaced changes nothing more
    // unless some value since then could have formed a new ${...} reference.
    if (value === m[0] || doneAt.get(name) === generation) continue;
    work += current.text.length;
    const next = work > MAX_EXPANSION_WORK ? null : replaceAll(current, m[0], value);
    if (next === null) {
      const [start, end] = spanOf(line);
      problems.push({ code: 'syntax-error', severity: 'warning', start, end, message: 'Expanding the variables on this line takes more than a million characters of work; Pinsight stops expanding it. Check for variables that refer to each other.' });
      break;
    }
    doneAt.set(name, generation);
    if (next !== current && REFERENCE_CHARS.test(value)) generation++;
    current = next;
  }
  return current;
}

/** str.replace(old, value) on a mapped string: each inserted character maps to the whole ${NAME}. */
function replaceAll(m: Mapped, old: string, value: string): Mapped | null {
  let at = m.text.indexOf(old);
  if (at < 0) return m;
  const out = new MappedBuilder();
  let from = 0;
  while (at >= 0) {
    pushRange(out, m, from, at);
    const start = m.starts[at];
    const end = m.ends[at + old.length - 1];
    out.text += value;
    for (let k = 0; k < value.length; k++) {
      out.starts.push(start);
      out.ends.push(end);
    }
    if (out.text.length > MAX_EXPANDED) return null;
    from = at + old.length;
    at = m.text.indexOf(old, from);
  }
  pushRange(out, m, from, m.text.length);
  return out.text.length > MAX_EXPANDED ? null : out.build(m.anchor);
}

function pushRange(out: MappedBuilder, m: Mapped, a: number, b: number): void {
  out.text += m.text.slice(a, b);
  for (let i = a; i < b; i++) {
    out.starts.push(m.starts[i]);
    out.ends.push(m.ends[i]);
  }
}
