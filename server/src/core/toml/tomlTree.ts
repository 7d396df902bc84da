// A keyed view of a toml-eslint-parser AST that keeps source offsets. TOML can define one table
// through headers, dotted keys and inline tables; manifest code wants "the value at
// tool.poetry.dependencies" whichever way it was written, plus exact offsets for strings.
import type { AST } from 'toml-eslint-parser';

export type TomlValueNode = AST.TOMLValue | AST.TOMLArray;

export interface TomlTable {
  kind: 'table';
  entries: Map<string, TomlEntry>;
  /** Source span that defines the table: its header, inline table or first dotted key. */
  span: [number, number];
}

export interface TomlTableArray {
  kind: 'table-array';
  tables: TomlTable[];
  span: [number, number];
}

export type TomlItem = TomlTable | TomlTableArray | TomlValueNode;

export interface TomlEntry {
  item: TomlItem;
  /** The key segment that names this entry (for a header table, the last header segment). */
  key: AST.TOMLBare | AST.TOMLQuoted;
  /** The whole definition: `key = value`, or the table header. */
  span: [number, number];
}

export function isTable(item: TomlItem | undefined): item is TomlTable {
  return item !== undefined && !('type' in item) && item.kind === 'table';
}

export function isTableArray(item: TomlItem | undefined): item is TomlTableArray {
  return item !== undefined && !('type' in item) && item.kind === 'table-array';
}

export function keyName(key: AST.TOMLBare | AST.TOMLQuoted): string {
  return key.type === 'TOMLBare' ? key.name : key.value;
}

function newTable(span: [number, number]): TomlTable {
  return { kind: 'table', entries: new Map(), span };
}

/** Converts an inline table into a table view; other nodes are returned unchanged. */
export function toItem(node: AST.TOMLContentNode): TomlItem {
  if (node.type !== 'TOMLInlineTable') return node;
  const table = newTable(node.range);
  for (const kv of node.body) insertKeyValue(table, kv);
  return table;
}

// Walks (and creates) the tables along `keys`; returns null if a non-table value is in the way,
// which the parser already rejects, so it only guards against surprises.
function descend(table: TomlTable, keys: (AST.TOMLBare | AST.TOMLQuoted)[], span: [number, number]): TomlTable | null {
  let current = table;
  for (const key of keys) {
    const name = keyName(key);
    let entry = current.entries.get(name);
    if (!entry) {
      entry = { item: newTable(span), key, span };
      current.entries.set(name, entry);
    }
    const item = entry.item;
    if (isTable(item)) current = item;
    else if (isTableArray(item) && item.tables.length > 0) current = item.tables[item.tables.length - 1];
    else return null;
  }
  return current;
}

function insertKeyValue(table: TomlTable, kv: AST.TOMLKeyValue): void {
  const keys = kv.key.keys;
  const parent = descend(table, keys.slice(0, -1), kv.range);
  const last = keys[keys.length - 1];
  if (!parent || !last || parent.entries.has(keyName(last))) return;
  parent.entries.set(keyName(last), { item: toItem(kv.value), key: last, span: kv.range });
}

function insertHeaderTable(root: TomlTable, node: AST.TOMLTable, text: string): void {
  const keys = node.key.keys;
  const last = keys[keys.length - 1];
  const parent = descend(root, keys.slice(0, -1), node.range);
  if (!parent || !last) return;
  const name = keyName(last);
  const close = text.indexOf(node.kind === 'array' ? ']]' : ']', node.key.range[1]);
  const headerEnd = close < 0 ? node.key.range[1] : close + (node.kind === 'array' ? 2 : 1);
  const headerSpan: [number, number] = [node.range[0], headerEnd];
  let target: TomlTable | null;
  if (node.kind === 'array') {
    let entry = parent.entries.get(name);
    if (!entry) {
      entry = { item: { kind: 'table-array', tables: [], span: headerSpan }, key: last, span: headerSpan };
      parent.entries.set(name, entry);
    }
    if (!isTableArray(entry.item)) return;
    target = newTable(headerSpan);
    entry.item.tables.push(target);
  } else {
    const existing = parent.entries.get(name);
    if (existing && isTable(existing.item)) {
      // Implicitly created by an earlier `[a.b.c]`; the header now defines it.
      existing.item.span = headerSpan;
      existing.span = headerSpan;
      target = existing.item;
    } else if (existing) {
      return;
    } else {
      target = newTable(headerSpan);
      parent.entries.set(name, { item: target, key: last, span: headerSpan });
    }
  }
  for (const kv of node.body) insertKeyValue(target, kv);
}

/** Builds the keyed view of a whole document. */
export function buildTomlTree(program: AST.TOMLProgram, text: string): TomlTable {
  const root = newTable([0, 0]);
  const top = program.body[0];
  for (const node of top?.body ?? []) {
    if (node.type === 'TOMLKeyValue') insertKeyValue(root, node);
    else insertHeaderTable(root, node, text);
  }
  return root;
}

/** The entry at a dotted path, or undefined. */
export function getEntry(table: TomlTable, path: string[]): TomlEntry | undefined {
  let current: TomlTable = table;
  let entry: TomlEntry | undefined;
  for (let i = 0; i < path.length; i++) {
    entry = current.entries.get(path[i]);
    if (!entry) return undefined;
    if (i < path.length - 1) {
      if (!isTable(entry.item)) return undefined;
      current = entry.item;
    }
  }
  return entry;
}

/** Source span of an item: a node's range or a table's defining span. */
export function itemSpan(item: TomlItem): [number, number] {
  return 'type' in item ? item.range : item.span;
}

/** What a TOML value is, for messages ("a string", "an array", ...). */
export function describeItem(item: TomlItem | AST.TOMLContentNode): string {
  if (!('type' in item)) return item.kind === 'table' ? 'a table' : 'an array of tables';
  if (item.type === 'TOMLArray') return 'an array';
  if (item.type === 'TOMLInlineTable') return 'a table';
  switch (item.kind) {
    case 'string':
      return 'a string';
    case 'integer':
    case 'float':
      return 'a number';
    case 'boolean':
      return 'a boolean';
    default:
      return 'a date or time';
  }
}

export function isString(item: TomlItem | AST.TOMLContentNode | undefined): item is AST.TOMLStringValue {
  return item !== undefined && 'type' in item && item.type === 'TOMLValue' && item.kind === 'string';
}

export function isBoolean(item: TomlItem | AST.TOMLContentNode | undefined): item is AST.TOMLBooleanValue {
  return item !== undefined && 'type' in item && item.type === 'TOMLValue' && item.kind === 'boolean';
}

export function isArray(item: TomlItem | AST.TOMLContentNode | undefined): item is AST.TOMLArray {
  return item !== undefined && 'type' in item && item.type === 'TOMLArray';
}
