// Turns requirements file text into pip's logical lines: split as Python's str.splitlines does,
// join `\` continuations, drop comments, strip, expand ${VAR} (pip 23.2.1 req_file.preprocess).
// Every character keeps the source span it came from, so ranges survive joining and expansion.

import { rememberSecret } from '../../redact';
import { WITHHELD_ENV } from '../../runtime';

/**
 * A string whose every UTF-16 unit remembers the source span it came from. Most lines are one run
 * of source text, so the map is compact: with `segs` null, text[i] came from [base + i, base + i + 1).
 * Otherwise `segs` holds runs as triples (textStart, srcStart, srcEnd): srcEnd -1 marks a run copied
 * from the source (unit i maps to the one character at srcStart + i - textStart); any other srcEnd
 * marks a run whose every unit maps to [srcStart, srcEnd), as an expanded ${VAR} or a synthetic
 * space does. Runs are in text order, non-empty, and the first starts at 0.
 */
export class Mapped {
  constructor(
    readonly text: string,
    readonly base: number,
    readonly segs: readonly number[] | null,
    /** Source offset an empty string stands at. */
    readonly anchor: number,
  ) {}

  /** Source text [from, to) as a mapped string. */
  static fromSource(source: string, from: number, to: number): Mapped {
    return new Mapped(source.slice(from, to), from, null, from);
  }

  /** Source start of text[i], 0 <= i < text.length. */
  startAt(i: number): number {
    const segs = this.segs;
    if (segs === null) return this.base + i;
    const k = runAt(segs, i);
    return segs[k + 2] < 0 ? segs[k + 1] + i - segs[k] : segs[k + 1];
  }

  /** Source end of text[i], 0 <= i < text.length. */
  endAt(i: number): number {
    const segs = this.segs;
    if (segs === null) return this.base + i + 1;
    const k = runAt(segs, i);
    return segs[k + 2] < 0 ? segs[k + 1] + i - segs[k] + 1 : segs[k + 2];
  }

  /** Source offset that the position before text[i] (0 <= i <= text.length) stands at. */
  private anchorAt(i: number): number {
    if (i < this.text.length) return this.startAt(i);
    return i > 0 ? this.endAt(i - 1) : this.anchor;
  }

  /** The characters [a, b), still mapped. */
  slice(a: number, b: number): Mapped {
    const lo = Math.max(0, Math.min(a, this.text.length));
    const hi = Math.max(lo, Math.min(b, this.text.length));
    const text = this.text.slice(lo, hi);
    const anchor = this.anchorAt(lo);
    if (this.segs === null) return new Mapped(text, this.base + lo, null, anchor);
    if (hi === lo) return new Mapped(text, anchor, null, anchor);
    const out = new MappedBuilder();
    out.addMapped(this, lo, hi);
    return out.build(anchor);
  }

  /** Source span [start, end) covering characters [a, b). */
  span(a = 0, b = this.text.length): [number, number] {
    return [this.spanStart(a, b), this.spanEnd(a, b)];
  }

  /** span(a, b)[0], without building the pair. */
  spanStart(a = 0, b = this.text.length): number {
    const lo = Math.max(0, Math.min(a, this.text.length));
    const hi = Math.max(lo, Math.min(b, this.text.length));
    return hi > lo ? this.startAt(lo) : this.anchorAt(lo);
  }

  /** span(a, b)[1], without building the pair. */
  spanEnd(a = 0, b = this.text.length): number {
    const lo = Math.max(0, Math.min(a, this.text.length));
    const hi = Math.max(lo, Math.min(b, this.text.length));
    return hi > lo ? Math.max(this.startAt(lo), this.endAt(hi - 1)) : this.anchorAt(lo);
  }

  /** Strips Python whitespace from both ends, keeping the mapping. */
  pyStrip(): Mapped {
    return this.strippedSlice(0, this.text.length);
  }

  /** slice(a, b).pyStrip() in one step, 0 <= a <= b <= text.length. */
  strippedSlice(a: number, b: number): Mapped {
    const text = this.text;
    const from = a;
    const to = b;
    while (a < b && isSpaceCode(text.charCodeAt(a))) a++;
    while (b > a && isSpaceCode(text.charCodeAt(b - 1))) b--;
    if (a === 0 && b === text.length) return this;
    if (a < b || from === to) return this.slice(a, b);
    // Only whitespace: pyStrip of the slice leaves an empty string at the end of that slice.
    const end = this.endAt(to - 1);
    return new Mapped('', end, null, end);
  }

  /** The characters at the given indices, in that order; `anchor` is where an empty result stands. */
  pick(indices: number[], anchor: number): Mapped {
    const out = new MappedBuilder();
    for (let i = 0; i < indices.length;) {
      // Indices mostly come in consecutive runs: copy each run at once.
      let j = i + 1;
      while (j < indices.length && indices[j] === indices[j - 1] + 1) j++;
      out.addMapped(this, indices[i], indices[j - 1] + 1);
      i = j;
    }
    return out.build(anchor);
  }
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

// Line breaks of str.splitlines other than \n: most files have none, and then indexOf finds the lines.
const RARE_LINE_BREAK = /[\x0b\x0c\r\x1c-\x1e\x85\u2028\u2029]/;
const ENV_VAR = /\$\{([A-Z0-9_]+)\}/g;
// ${VAR} values that contain these can create new ${...} references, so pip's sequential
// str.replace calls must then be repeated faithfully instead of skipped.
const REFERENCE_CHARS = /[${}]/;
const MAX_EXPANDED = 1_000_000;
// pip re-scans the whole line for every ${NAME} occurrence; past this many characters of work
// on one line we stop rather than go quadratic.
const MAX_EXPANSION_WORK = 5_000_000;

/** Python's str.isspace for one UTF-16 unit given as a char code. */
function isSpaceCode(c: number): boolean {
  if (c < 0x85) return (c >= 9 && c <= 13) || (c >= 0x1c && c <= 0x20);
  return c === 0x85 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 ||
    c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000;
}

/** Where str.splitlines splits: \n \v \f \r \x1c-\x1e \x85 \u2028 \u2029. */
function isLineBreakCode(c: number): boolean {
  if (c < 0x85) return (c >= 10 && c <= 13) || (c >= 0x1c && c <= 0x1e);
  return c === 0x85 || c === 0x2028 || c === 0x2029;
}

/** Index into `segs` of the run holding text index i (binary search: expansions can make many runs). */
function runAt(segs: readonly number[], i: number): number {
  let lo = 0;
  let hi = segs.length / 3 - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (segs[mid * 3] <= i) lo = mid;
    else hi = mid - 1;
  }
  return lo * 3;
}

/** Accumulates a mapped string run by run, merging runs that continue each other. */
class MappedBuilder {
  text = '';
  private readonly segs: number[] = [];

  private addRun(length: number, srcStart: number, srcEnd: number): void {
    if (length <= 0) return;
    const at = this.text.length;
    const segs = this.segs;
    const n = segs.length;
    if (n > 0) {
      const lastEnd = segs[n - 1];
      const continues = lastEnd < 0
        ? srcEnd < 0 && segs[n - 2] + at - segs[n - 3] === srcStart
        : srcStart === segs[n - 2] && srcEnd === lastEnd;
      if (continues) return;
    }
    segs.push(at, srcStart, srcEnd);
  }

  addSource(source: string, from: number, to: number): void {
    this.addRun(to - from, from, -1);
    this.text += source.slice(from, to);
  }

  /** Text whose every unit maps to the span [start, end). */
  addSpanning(text: string, start: number, end: number): void {
    this.addRun(text.length, start, end);
    this.text += text;
  }

  /** Characters [a, b) of another mapped string, 0 <= a <= b <= m.text.length. */
  addMapped(m: Mapped, a: number, b: number): void {
    if (b <= a) return;
    const segs = m.segs;
    if (segs === null) {
      this.addRun(b - a, m.base + a, -1);
      this.text += m.text.slice(a, b);
      return;
    }
    for (let k = runAt(segs, a); k < segs.length && segs[k] < b; k += 3) {
      const from = Math.max(a, segs[k]);
      const to = k + 3 < segs.length ? Math.min(b, segs[k + 3]) : b;
      this.addRun(to - from, segs[k + 2] < 0 ? segs[k + 1] + from - segs[k] : segs[k + 1], segs[k + 2]);
      this.text += m.text.slice(from, to);
    }
  }

  build(anchor: number): Mapped {
    const segs = this.segs;
    if (segs.length === 0) return new Mapped(this.text, anchor, null, anchor);
    if (segs.length === 3 && segs[2] < 0) return new Mapped(this.text, segs[1], null, anchor);
    return new Mapped(this.text, 0, segs, anchor);
  }
}

/** Where the physical line starting at `from` ends: the next str.splitlines break, or the text's end. */
function lineEnd(text: string, from: number, onlyNewlines: boolean): number {
  if (onlyNewlines) {
    const i = text.indexOf('\n', from);
    return i < 0 ? text.length : i;
  }
  for (let i = from; i < text.length; i++) if (isLineBreakCode(text.charCodeAt(i))) return i;
  return text.length;
}

/** COMMENT_RE.match: the line is only whitespace and a comment. */
function isCommentLine(text: string, from: number, to: number): boolean {
  let i = from;
  while (i < to && isSpaceCode(text.charCodeAt(i))) i++;
  return i < to && text.charCodeAt(i) === 35;
}

function isBlank(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (!isSpaceCode(text.charCodeAt(i))) return false;
  return true;
}

/** Index of the '#' where COMMENT_RE `(^|\s+)#.*$` first matches, or -1. */
function commentHash(text: string): number {
  for (let i = text.indexOf('#'); i >= 0; i = text.indexOf('#', i + 1)) {
    if (i === 0 || isSpaceCode(text.charCodeAt(i - 1))) return i;
  }
  return -1;
}

/** Where COMMENT_RE `(^|\s+)#.*$` first matches, and where its '#' is; null when nothing matches. */
export function findComment(text: string): { cut: number; hash: number } | null {
  const hash = commentHash(text);
  if (hash < 0) return null;
  let cut = hash;
  while (cut > 0 && isSpaceCode(text.charCodeAt(cut - 1))) cut--;
  return { cut, hash };
}

function commentText(raw: string): string {
  const body = raw.startsWith(' ') ? raw.slice(1) : raw;
  let end = body.length;
  while (end > 0 && isSpaceCode(body.charCodeAt(end - 1))) end--;
  return end === body.length ? body : body.slice(0, end);
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
  const onlyNewlines = !RARE_LINE_BREAK.test(text);
  // Physical lines [start, end), numbered n from 0, split exactly where str.splitlines splits.
  for (let start = 0, next = 0, n = 0; start < text.length; start = next, n++) {
    const end = lineEnd(text, start, onlyNewlines);
    next = end + (end === text.length ? 0 : text.charCodeAt(end) === 13 && text.charCodeAt(end + 1) === 10 ? 2 : 1);
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
    if (end === start || text.charCodeAt(end - 1) !== 92 /* \ */ || comment) {
      if (joined === null) {
        pushLine(out, n, Mapped.fromSource(text, start, end), above, env, problems);
        continue;
      }
      // pip prefixes a comment line with a space so the comment regex always matches it.
      if (comment) joined.addSpanning(' ', start, start);
      joined.addSource(text, start, end);
      pushLine(out, primary, joined.build(start), above, env, problems);
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
    while (a < b && text.charCodeAt(a) === 92) a++;
    while (b > a && text.charCodeAt(b - 1) === 92) b--;
    joined.addSource(text, a, b);
  }
  if (joined !== null) pushLine(out, primary, joined.build(text.length), above, env, problems);
  return out;
}

function pushLine(out: LogicalLine[], n: number, line: Mapped, above: string[], env: Record<string, string | undefined>, problems: RawProblem[]): void {
  const found = findComment(line.text);
  const body = line.strippedSlice(0, found ? found.cut : line.text.length);
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
  if (!line.text.includes('${')) return line;
  const found = [...line.text.matchAll(ENV_VAR)];
  let current = line;
  let generation = 0;
  let work = 0;
  const doneAt = new Map<string, number>();
  for (const m of found) {
    const name = m[1];
    if (env === WITHHELD_ENV) {
      // A workspace nobody trusts must not read the user's variables (a URL could carry them away).
      const [start, end] = line.span(m.index ?? 0, (m.index ?? 0) + m[0].length);
      problems.push({
        code: 'undefined-variable', severity: 'information', start, end,
        message: `Pinsight does not expand ${m[0]} in an untrusted workspace, so this line is read as written. Trust the workspace to read it as pip would.`,
      });
      continue;
    }
    const value = lookup(env, name);
    if (!value) {
      const [start, end] = line.span(m.index ?? 0, (m.index ?? 0) + m[0].length);
      const why = value === '' ? 'is set but empty' : 'is not set';
      problems.push({
        code: 'undefined-variable', severity: 'warning', start, end,
        message: `The environment variable ${name} ${why}, so pip leaves '${m[0]}' unexpanded. Set ${name} or replace the reference.`,
      });
      continue;
    }
    // pip's documented use of ${VAR} is credentials: their values never reach a message. Paths are
    // left readable (a HOME or a checkout folder in a message is what lets the user find the file).
    if (!/^(\/|~|[A-Za-z]:[\\/]|\.)/.test(value)) rememberSecret(value);
    // Replacing ${NAME} by itself changes nothing; a name already replaced changes nothing more
    // unless some value since then could have formed a new ${...} reference.
    if (value === m[0] || doneAt.get(name) === generation) continue;
    work += current.text.length;
    const next = work > MAX_EXPANSION_WORK ? null : replaceAll(current, m[0], value);
    if (next === null) {
      const [start, end] = line.span();
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
    out.addMapped(m, from, at);
    out.addSpanning(value, m.startAt(at), m.endAt(at + old.length - 1));
    if (out.text.length > MAX_EXPANDED) return null;
    from = at + old.length;
    at = m.text.indexOf(old, from);
  }
  out.addMapped(m, from, m.text.length);
  return out.text.length > MAX_EXPANDED ? null : out.build(m.anchor);
}
