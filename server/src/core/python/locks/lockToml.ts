// Reading lockfiles and the parts of pyproject.toml that lock tools hash or compare: typed getters
// over the keyed TOML view (core/toml), source ranges for messages, and plain values for hashing.
import { parseTOML } from 'toml-eslint-parser';
import type { AST } from 'toml-eslint-parser';
import type { Range } from '../../model';
import { LineIndex, stripBom } from '../../text';
import { buildTomlTree, getEntry, isArray, isString, isTable, isTableArray, itemSpan, toItem, type TomlItem, type TomlTable } from '../../toml/tomlTree';

export interface TomlDocument {
  root: TomlTable;
  lines: LineIndex;
  text: string;
}

export type TomlRead = { ok: true; doc: TomlDocument } | { ok: false; message: string; line: number };

/** Parses TOML text into the keyed view; never throws. */
export function readToml(text: string): TomlRead {
  const body = stripBom(typeof text === 'string' ? text : '');
  const lines = new LineIndex(body);
  try {
    const program = parseTOML(body);
    return { ok: true, doc: { root: buildTomlTree(program, body), lines, text: body } };
  } catch (e) {
    const err = e as { index?: unknown; message?: unknown };
    const index = typeof err.index === 'number' ? err.index : 0;
    const reason = typeof err.message === 'string' ? err.message.replace(/\.$/, '') : 'unexpected input';
    return { ok: false, message: reason, line: lines.positionAt(index).line + 1 };
  }
}

/** The item at a dotted path, or undefined. */
export function itemAt(table: TomlTable | undefined, path: string[]): TomlItem | undefined {
  return table ? getEntry(table, path)?.item : undefined;
}

/** The table at a dotted path, or undefined when absent or not a table. */
export function tableAt(table: TomlTable | undefined, path: string[]): TomlTable | undefined {
  const item = itemAt(table, path);
  return isTable(item) ? item : undefined;
}

/** The string at a key, or undefined. */
export function stringAt(table: TomlTable | undefined, key: string): string | undefined {
  const item = table?.entries.get(key)?.item;
  return isString(item) ? item.value : undefined;
}

/** The boolean at a key, or undefined. */
export function booleanAt(table: TomlTable | undefined, key: string): boolean | undefined {
  const item = table?.entries.get(key)?.item;
  return item && 'type' in item && item.type === 'TOMLValue' && item.kind === 'boolean' ? item.value : undefined;
}

/** The strings of an array (other elements skipped), or undefined when the item is not an array. */
export function stringsOf(item: TomlItem | undefined): string[] | undefined {
  if (!isArray(item)) return undefined;
  return item.elements.filter(isString).map((e) => e.value);
}

/** The string nodes of an array, for their ranges. */
export function stringNodesOf(item: TomlItem | undefined): AST.TOMLStringValue[] {
  return isArray(item) ? item.elements.filter(isString) : [];
}

/** The tables of an array of tables or of an inline array of tables. */
export function tablesOf(item: TomlItem | undefined): TomlTable[] {
  if (isTableArray(item)) return item.tables;
  if (isArray(item)) return item.elements.map(toItem).filter(isTable);
  return [];
}

/** The range of an item's source span. */
export function rangeOf(doc: TomlDocument, item: TomlItem | [number, number]): Range {
  const span = Array.isArray(item) ? item : itemSpan(item);
  return doc.lines.range(span[0], span[1]);
}

/** The first line of an entry's definition (a table header, or `key = [` of a long array), or undefined. */
export function headerRange(doc: TomlDocument, path: string[]): Range | undefined {
  const entry = getEntry(doc.root, path);
  if (!entry) return undefined;
  const start = doc.lines.positionAt(entry.span[0]);
  return doc.lines.range(entry.span[0], Math.min(entry.span[1], doc.lines.lineEnd(start.line)));
}

/** The 1-based line where an item starts, for messages that point into a lockfile. */
export function lineOf(doc: TomlDocument, item: TomlItem | [number, number]): number {
  const span = Array.isArray(item) ? item : itemSpan(item);
  return doc.lines.positionAt(span[0]).line + 1;
}

/** A TOML value as plain data; integers keep their exact digits and floats stay marked for hashing. */
export type PlainValue = string | boolean | null | { int: string } | { float: number } | { date: string } | PlainValue[] | { table: Map<string, PlainValue> };

/** Converts a TOML item to plain data, keys in document order. */
export function plainValue(item: TomlItem | AST.TOMLContentNode): PlainValue {
  if (!('type' in item)) {
    if (item.kind === 'table-array') return item.tables.map((t) => plainValue(t));
    const table = new Map<string, PlainValue>();
    for (const [key, entry] of item.entries) table.set(key, plainValue(entry.item));
    return { table };
  }
  if (item.type === 'TOMLArray') return item.elements.map((e) => plainValue(toItem(e)));
  if (item.type === 'TOMLInlineTable') return plainValue(toItem(item));
  switch (item.kind) {
    case 'string':
    case 'boolean':
      return item.value;
    case 'integer':
      return { int: item.bigint.toString() };
    case 'float':
      return { float: item.value };
    default:
      return { date: item.datetime };
  }
}
