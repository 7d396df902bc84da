// The JSON-tree side of reading package.json: entries of object nodes, duplicate keys, exact
// ranges and problem reporting, shared by packageJson.ts. jsonc-parser offsets are UTF-16 code
// units of the BOM-less text, which is what LineIndex expects.
import { printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import type { Dependency, FindingCode, ParseProblem, Range, Severity } from '../../model';
import type { LineIndex } from '../../text';

/** One `"key": value` pair of an object node. */
export interface Entry {
  key: string;
  keyNode: Node;
  value: Node | undefined;
  prop: Node;
}

export interface Context {
  text: string;
  index: LineIndex;
  deps: Dependency[];
  problems: ParseProblem[];
  meta: Record<string, unknown>;
  ranges: Record<string, Range>;
}

/** The `"key": value` pairs of an object node, in document order. */
export function entriesOf(node: Node): Entry[] {
  const out: Entry[] = [];
  for (const prop of node.children ?? []) {
    const keyNode = prop.children?.[0];
    if (prop.type !== 'property' || !keyNode || typeof keyNode.value !== 'string') continue;
    out.push({ key: keyNode.value, keyNode, value: prop.children?.[1], prop });
  }
  return out;
}

/** The last entry for each key, as JSON.parse keeps it; earlier duplicates get a warning. */
export function lastByKey(ctx: Context, node: Node): Map<string, Entry> {
  const map = new Map<string, Entry>();
  for (const entry of entriesOf(node)) {
    const earlier = map.get(entry.key);
    if (earlier) {
      const message =
        `"${entry.key}" appears again on line ${lineOf(ctx, entry.keyNode)}; ` +
        'npm reads only the last one, so this one is ignored. Merge the two.';
      problemAt(ctx, earlier.keyNode, 'invalid-manifest', 'warning', message, undefined, true);
    }
    map.set(entry.key, entry);
  }
  return map;
}

/** All entries of a dependency-like object, warning on a key that repeats an earlier one. */
export function entriesWithDuplicates(ctx: Context, node: Node, section: string): Entry[] {
  const seen = new Map<string, Entry>();
  const entries = entriesOf(node);
  for (const entry of entries) {
    const first = seen.get(entry.key);
    if (first) {
      const message =
        `"${entry.key}" is listed twice in ${section} (first on line ${lineOf(ctx, first.keyNode)}); ` +
        'npm uses only this later entry, so remove one of them.';
      problemAt(ctx, entry.keyNode, 'duplicate-requirement', 'warning', message, entry.key, true);
    } else {
      seen.set(entry.key, entry);
    }
  }
  return entries;
}

/** True when an entry holds an object; otherwise reports an invalid-manifest error on its value. */
export function expectObject(ctx: Context, entry: Entry, holds = 'package names to versions'): boolean {
  if (!entry.value) return false;
  if (entry.value.type === 'object') return true;
  const message = `"${entry.key}" must be an object mapping ${holds}, not ${describe(entry.value)}.`;
  problemAt(ctx, entry.value, 'invalid-manifest', 'error', message);
  return false;
}

/** "an array", "a number", ...: how a message names a JSON value of the wrong type. */
export function describe(node: Node): string {
  if (node.type === 'array') return 'an array';
  if (node.type === 'object') return 'an object';
  if (node.type === 'null') return 'null';
  return `a ${node.type}`;
}

/** Turns jsonc-parser errors into syntax-error problems, folding a trailing comma's errors into one. */
export function reportSyntaxErrors(ctx: Context, errors: ParseError[]): void {
  const seen = new Set<string>();
  for (const error of errors) {
    const code = printParseErrorCode(error.error);
    let { offset, length } = error;
    let message = SYNTAX_MESSAGES[code] ?? 'This is not valid JSON.';
    const comma = trailingComma(ctx.text, offset, code);
    if (comma >= 0) {
      offset = comma;
      length = 1;
      message = 'Remove this trailing comma: JSON does not allow a comma before } or ].';
    }
    const key = `${offset}:${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    report(ctx, 'syntax-error', 'error', offset, offset + length, message);
  }
}

const SYNTAX_MESSAGES: Record<string, string> = {
  InvalidSymbol: 'Unexpected character: package.json must be strict JSON, with double-quoted strings.',
  InvalidNumberFormat: 'This number is not valid JSON.',
  PropertyNameExpected: 'Expected a property name in double quotes.',
  ValueExpected: 'Expected a value here.',
  ColonExpected: "Expected ':' after the property name.",
  CommaExpected: "Expected ',' between entries.",
  CloseBraceExpected: "Expected '}' to close the object; the file may be cut short.",
  CloseBracketExpected: "Expected ']' to close the array; the file may be cut short.",
  EndOfFileExpected: 'Unexpected text after the end of the JSON object; remove it.',
  InvalidCommentToken: 'JSON does not allow comments, and npm cannot read a package.json that has them; remove it.',
  UnexpectedEndOfComment: 'This comment is not closed, and JSON does not allow comments; remove it.',
  UnexpectedEndOfString: 'This string is not closed; add the closing double quote.',
  UnexpectedEndOfNumber: 'This number is cut short.',
  InvalidUnicode: 'Invalid \\u escape: write four hexadecimal digits, as in \\u00e9.',
  InvalidEscapeCharacter: 'Invalid escape sequence: JSON allows \\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX.',
  InvalidCharacter: 'Control characters such as tabs and line breaks must be escaped inside JSON strings.',
};

/** The offset of a comma directly before a `}`/`]` that produced this error, or -1. */
function trailingComma(text: string, offset: number, code: string): number {
  if (code !== 'PropertyNameExpected' && code !== 'ValueExpected') return -1;
  if (text[offset] !== '}' && text[offset] !== ']') return -1;
  let i = offset - 1;
  while (i >= 0 && /\s/.test(text[i])) i--;
  return text[i] === ',' ? i : -1;
}

/** The 1-based line of a node, for messages. */
export function lineOf(ctx: Context, node: Node): number {
  return ctx.index.positionAt(node.offset).line + 1;
}

/** The range inside a string node's quotes (up to the end of the text when the string is unterminated). */
export function innerRange(ctx: Context, node: Node): Range {
  const end = node.offset + node.length;
  const closed = node.length >= 2 && ctx.text[end - 1] === '"';
  return ctx.index.range(node.offset + 1, closed ? end - 1 : end);
}

/** Reports a problem on a node; `inner` narrows a string node to the text inside its quotes. */
export function problemAt(ctx: Context, node: Node, code: FindingCode, severity: Severity, message: string, pkg?: string, inner = false): void {
  const range = inner && node.type === 'string' ? innerRange(ctx, node) : ctx.index.range(node.offset, node.offset + node.length);
  pushProblem(ctx, code, severity, range, message, pkg);
}

/** Reports a problem on an offset span. */
export function report(ctx: Context, code: FindingCode, severity: Severity, start: number, end: number, message: string): void {
  pushProblem(ctx, code, severity, ctx.index.range(start, end), message);
}

/** Reports a problem on a range. */
export function pushProblem(ctx: Context, code: FindingCode, severity: Severity, range: Range, message: string, pkg?: string): void {
  const problem: ParseProblem = { code, severity, message, range };
  if (pkg !== undefined) problem.package = pkg;
  ctx.problems.push(problem);
}
