// Offsets inside TOML strings and the comments around values. A PEP 508 string is parsed in its
// decoded form, but diagnostics must underline the source: escapes (`\"`, `\u00e9`), the newline
// trimmed after `"""` and CRLF folded to LF all shift offsets, so we map each decoded UTF-16 unit
// back to the source characters that produced it.
import type { AST } from 'toml-eslint-parser';
import type { LineIndex } from '../text';

export interface StringMap {
  /** Source offset where the decoded text starts and ends (inside the quotes). */
  contentStart: number;
  contentEnd: number;
  /** Per decoded UTF-16 unit: source span; null when decoding disagreed with the parser. */
  starts: number[] | null;
  ends: number[] | null;
}

type StringNode = AST.TOMLStringValue | AST.TOMLQuoted;

const SIMPLE_ESCAPES: Record<string, string> = { b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', e: '\x1b', '"': '"', '\\': '\\' };
const HEX_LENGTH: Record<string, number> = { x: 2, u: 4, U: 8 };

function isWsOrNewline(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r';
}

/** Maps a TOML string node's decoded value back to source offsets. */
export function mapString(text: string, node: StringNode): StringMap {
  const multiline = node.type === 'TOMLValue' && node.multiline;
  const quote = multiline ? 3 : 1;
  let i = node.range[0] + quote;
  const end = node.range[1] - quote;
  if (multiline) {
    if (text[i] === '\n') i += 1;
    else if (text[i] === '\r' && text[i + 1] === '\n') i += 2;
  }
  const map: StringMap = { contentStart: i, contentEnd: end, starts: [], ends: [] };
  const starts: number[] = [];
  const ends: number[] = [];
  let decoded = '';
  const push = (chars: string, from: number, to: number): void => {
    for (let k = 0; k < chars.length; k++) {
      starts.push(from);
      ends.push(to);
    }
    decoded += chars;
  };
  while (i < end) {
    const c = text[i];
    if (node.style === 'basic' && c === '\\') {
      const e = text[i + 1];
      if (multiline && isWsOrNewline(e)) {
        // A line-ending backslash drops all whitespace and newlines up to the next character.
        let j = i + 1;
        while (j < end && isWsOrNewline(text[j])) j++;
        i = j;
      } else if (e in SIMPLE_ESCAPES) {
        push(SIMPLE_ESCAPES[e], i, i + 2);
        i += 2;
      } else if (e in HEX_LENGTH) {
        const len = HEX_LENGTH[e];
        const code = Number.parseInt(text.slice(i + 2, i + 2 + len), 16);
        push(Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : '', i, i + 2 + len);
        i += 2 + len;
      } else {
        push(c, i, i + 1);
        i += 1;
      }
    } else if (multiline && c === '\r' && text[i + 1] === '\n') {
      push('\n', i, i + 2);
      i += 2;
    } else {
      push(c, i, i + 1);
      i += 1;
    }
  }
  if (decoded === node.value) {
    map.starts = starts;
    map.ends = ends;
  } else {
    map.starts = null;
    map.ends = null;
  }
  return map;
}

/** Source span of decoded offsets [start, end) of a mapped string. */
export function mapSpan(map: StringMap, start: number, end: number): [number, number] {
  const { starts, ends } = map;
  if (!starts || !ends) return [map.contentStart, map.contentEnd];
  const n = starts.length;
  const a = Math.max(0, Math.min(start, n));
  const b = Math.max(a, Math.min(end, n));
  const from = a < n ? starts[a] : map.contentEnd;
  if (b === a) return [from, from];
  return [from, ends[b - 1]];
}

/**
 * Finds the comments that describe a value: whole-line comments directly above it (when the value
 * starts its line) and a comment after it on its last line.
 */
export class CommentIndex {
  private readonly byLine = new Map<number, AST.Comment>();

  constructor(private readonly text: string, private readonly lines: LineIndex, comments: AST.Comment[]) {
    for (const c of comments) this.byLine.set(lines.positionAt(c.range[0]).line, c);
  }

  private wholeLine(line: number): AST.Comment | undefined {
    const c = this.byLine.get(line);
    if (!c) return undefined;
    return this.text.slice(this.lines.lineStart(line), c.range[0]).trim() === '' ? c : undefined;
  }

  /**
   * The comment text for a value spanning [start, end); `nextStart` is where the next sibling
   * begins, so that `"a", "b", # about b` does not give b's comment to a.
   */
  commentFor(start: number, end: number, nextStart?: number): string | undefined {
    const parts: string[] = [];
    const first = this.lines.positionAt(start);
    if (this.text.slice(this.lines.lineStart(first.line), start).trim() === '') {
      for (let line = first.line - 1; line >= 0; line--) {
        const c = this.wholeLine(line);
        if (!c) break;
        parts.unshift(c.value.trim());
      }
    }
    const lastLine = this.lines.positionAt(end).line;
    const trailing = this.byLine.get(lastLine);
    if (trailing && trailing.range[0] >= end && (nextStart === undefined || nextStart > trailing.range[0])) {
      parts.push(trailing.value.trim());
    }
    return parts.length > 0 ? parts.join('\n') : undefined;
  }
}
