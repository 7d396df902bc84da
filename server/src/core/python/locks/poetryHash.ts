// poetry.lock's content-hash: sha256 of json.dumps(relevant content, sort_keys=True), where the
// relevant content depends on the Poetry that wrote the lock (poetry's Locker._get_content_hash):
// - before 2.0: [tool.poetry] dependencies, source, extras and dev-dependencies (null when absent),
//   and group when present;
// - 2.0 to 2.2: [project] requires-python, dependencies and optional-dependencies when present,
//   nested beside tool.poetry's keys; without [project] content, the 1.x form;
// - 2.3 on: the same plus [dependency-groups] (and 2.3 still accepts the 2.2 hash from an older writer).
import type { TomlTable } from '../../toml/tomlTree';
import { itemAt, plainValue, type PlainValue } from './lockToml';
import { pythonJsonDumps } from './pythonJson';
import { sha256Hex } from './sha256';

export type PoetryHashRule = 'tool-poetry' | 'project' | 'project-and-groups';

const LEGACY_KEYS = ['dependencies', 'source', 'extras', 'dev-dependencies'];
const RELEVANT_KEYS = [...LEGACY_KEYS, 'group'];
const PROJECT_KEYS = ['requires-python', 'dependencies', 'optional-dependencies'];

function table(entries: [string, PlainValue][]): PlainValue {
  return { table: new Map(entries) };
}

function valueAt(root: TomlTable, path: string[]): PlainValue | undefined {
  const item = itemAt(root, path);
  return item === undefined ? undefined : plainValue(item);
}

function isEmpty(value: PlainValue | undefined): boolean {
  return value === undefined || (typeof value === 'object' && value !== null && 'table' in value && value.table.size === 0);
}

/** The content poetry hashes under a rule. */
export function poetryRelevantContent(root: TomlTable, rule: PoetryHashRule): PlainValue {
  const poetryValue = (key: string) => valueAt(root, ['tool', 'poetry', key]);
  if (rule === 'tool-poetry') {
    const entries: [string, PlainValue][] = [];
    for (const key of RELEVANT_KEYS) {
      const data = poetryValue(key);
      if (data === undefined && !LEGACY_KEYS.includes(key)) continue;
      entries.push([key, data ?? null]);
    }
    return table(entries);
  }
  const project: [string, PlainValue][] = [];
  for (const key of PROJECT_KEYS) {
    const data = valueAt(root, ['project', key]);
    if (data !== undefined) project.push([key, data]);
  }
  const groups = rule === 'project-and-groups' ? valueAt(root, ['dependency-groups']) : undefined;
  const hasGroups = !isEmpty(groups);
  const poetry: [string, PlainValue][] = [];
  for (const key of RELEVANT_KEYS) {
    const data = poetryValue(key);
    if (data === undefined && (!LEGACY_KEYS.includes(key) || project.length > 0 || hasGroups)) continue;
    poetry.push([key, data ?? null]);
  }
  const relevant: [string, PlainValue][] = [];
  if (project.length > 0) relevant.push(['project', table(project)]);
  if (hasGroups) relevant.push(['dependency-groups', groups!]);
  if (relevant.length === 0) return table(poetry);
  relevant.push(['tool', table([['poetry', table(poetry)]])]);
  return table(relevant);
}

/** The content-hash poetry computes under a rule, or why it cannot be computed. */
export function poetryContentHash(root: TomlTable, rule: PoetryHashRule): { hash: string } | { error: string } {
  try {
    return { hash: sha256Hex(pythonJsonDumps(poetryRelevantContent(root, rule))) };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

function versionParts(text: string): number[] | null {
  const m = /^(\d+)\.(\d+)/.exec(text);
  return m ? [Number(m[1]), Number(m[2])] : null;
}

/** The rules a lock may have been hashed with, from the Poetry that wrote it (its first line) or its lock-version. */
export function poetryHashRules(writer: string | null, lockVersion: string | null): PoetryHashRule[] {
  const v = writer ? versionParts(writer) : null;
  if (v) {
    if (v[0] < 2) return ['tool-poetry'];
    if (v[0] === 2 && v[1] < 3) return ['project'];
    return ['project-and-groups'];
  }
  // No version on the first line: lock-version 2.1 is Poetry 2's, older ones are Poetry 1's.
  return lockVersion !== null && Number(lockVersion) >= 2.1 ? ['project-and-groups', 'project'] : ['tool-poetry'];
}
