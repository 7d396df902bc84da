// poetry.lock staleness by poetry's rule: the lock is fresh exactly when its [metadata]
// content-hash equals the hash of pyproject.toml's relevant content for the Poetry that wrote it
// (poetryHash.ts). When it is not, each manifest line the locked packages do not reflect gets a
// finding (a package missing, a locked version the line excludes, an extra whose packages are not
// locked, a changed python constraint), and each top-level locked package no line asks for any more
// gets one on its section's header; when no line explains the mismatch, one finding says so.
import { basename } from 'node:path';
import type { Dependency, ParsedManifest, Range } from '../../model';
import { normalizeName } from '../versions/pep508';
import { addLocked, emptyLockCheck, listWords, staleFinding, type LockCheck } from './lockCheck';
import { specifierAllows } from './lockSpecifiers';
import { headerRange, itemAt, readToml, type TomlDocument } from './lockToml';
import { plainString, plainStrings, plainTable, plainTables, readPlainToml, type PlainTable } from './plainToml';
import { poetryContentHash, poetryHashRules } from './poetryHash';

export interface PoetryLockPackage {
  name: string;
  version: string;
  /** Lock 2.1 `groups`, or the 1.x `category`. */
  groups: string[];
  /** Normalised names this package depends on (optional ones included). */
  dependencies: string[];
  /** Per extra, the normalised names it brings. */
  extras: Map<string, string[]>;
}

export interface PoetryLock {
  writer: string | null;
  lockVersion: string | null;
  contentHash: string | null;
  pythonVersions: string | null;
  packages: PoetryLockPackage[];
}

const SECTIONS = /^(tool\.poetry\.(dependencies|dev-dependencies|group\.[^.]+\.dependencies)|project\.dependencies|project\.optional-dependencies\..+|dependency-groups\..+)$/;

function requirementName(text: string): string {
  return normalizeName(/^\s*([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(text)?.[1] ?? text);
}

function readPackage(table: PlainTable): PoetryLockPackage | null {
  const name = plainString(table, 'name');
  const version = plainString(table, 'version');
  if (name === undefined || version === undefined) return null;
  const category = plainString(table, 'category');
  const extras = new Map<string, string[]>();
  for (const [extra, item] of plainTable(table, 'extras')?.entries ?? []) {
    const names = typeof item === 'object' && item.kind === 'array' ? item.items.filter((i): i is string => typeof i === 'string').map(requirementName) : [];
    extras.set(normalizeName(extra), names);
  }
  return {
    name: normalizeName(name),
    version,
    groups: plainStrings(table, 'groups') ?? (category ? [category] : []),
    dependencies: [...(plainTable(table, 'dependencies')?.entries.keys() ?? [])].map(normalizeName),
    extras,
  };
}

/** Reads poetry.lock text; never throws. */
export function parsePoetryLock(text: string): { ok: true; lock: PoetryLock } | { ok: false; reason: string } {
  const read = readPlainToml(text);
  if (!read.ok) return { ok: false, reason: `poetry.lock is not valid TOML at line ${read.line} (${read.message})` };
  const metadata = plainTable(read.root, 'metadata');
  if (!metadata) return { ok: false, reason: 'poetry.lock has no [metadata] table, so it is not a lock Poetry wrote' };
  const firstLine = (typeof text === 'string' ? text : '').split('\n', 1)[0];
  const writer = /Poetry (\d[^ ]*)/.exec(firstLine)?.[1] ?? null;
  return {
    ok: true,
    lock: {
      writer,
      lockVersion: plainString(metadata, 'lock-version') ?? null,
      contentHash: plainString(metadata, 'content-hash') ?? null,
      pythonVersions: plainString(metadata, 'python-versions') ?? null,
      packages: plainTables(read.root.entries.get('package')).map(readPackage).filter((p): p is PoetryLockPackage => p !== null),
    },
  };
}

const refresh = (lock: PoetryLock) =>
  lock.writer !== null && Number(lock.writer.split('.')[0]) < 2 ? 'Run `poetry lock --no-update` to refresh it (`poetry lock` also updates the other packages).' : 'Run `poetry lock` to refresh it.';

/** Compares poetry.lock with pyproject.toml as the Poetry that wrote the lock would. */
export function checkPoetryLock(pyproject: ParsedManifest, pyprojectText: string, lockText: string, lockPath: string): LockCheck {
  const out = emptyLockCheck();
  out.sources.push(basename(lockPath));
  const parsed = parsePoetryLock(lockText);
  if (!parsed.ok) {
    out.skipped.push(parsed.reason);
    return out;
  }
  const lock = parsed.lock;
  for (const p of lock.packages) addLocked(out.locked, p.name, p.version);
  const read = readToml(pyprojectText);
  if (!read.ok || pyproject.problems.some((p) => p.severity === 'error')) {
    out.skipped.push(`${basename(pyproject.path)} has errors, so whether poetry.lock matches it is checked once they are fixed`);
    return out;
  }
  const anchor = firstSection(read.doc);
  if (lock.contentHash === null) {
    out.findings.push(staleFinding(pyproject.path, anchor, null, `poetry.lock has no content-hash, so Poetry treats it as out of date. ${refresh(lock)}`));
    return out;
  }
  const hashes = poetryHashRules(lock.writer, lock.lockVersion).map((rule) => poetryContentHash(read.doc.root, rule));
  const failed = hashes.find((h): h is { error: string } => 'error' in h);
  if (failed && hashes.every((h) => 'error' in h)) {
    out.skipped.push(`poetry.lock's content-hash cannot be recomputed: ${failed.error}`);
    return out;
  }
  if (hashes.some((h) => 'hash' in h && h.hash === lock.contentHash)) return out;
  const findings = lineFindings(pyproject, read.doc, lock);
  out.findings.push(...(findings.length > 0 ? findings : [staleFinding(pyproject.path, anchor, null, `poetry.lock was made for a different pyproject.toml: its content-hash does not match the dependencies, groups, extras and sources written here. Every locked version still fits these lines, but Poetry refuses the lock until it is refreshed. ${refresh(lock)}`)]));
  return out;
}

function firstSection(doc: TomlDocument): Range {
  const paths = [['tool', 'poetry', 'dependencies'], ['project', 'dependencies'], ['tool', 'poetry'], ['project'], ['dependency-groups']];
  for (const path of paths) {
    const range = headerRange(doc, path);
    if (range) return range;
  }
  return { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
}

function groupOf(section: string): string {
  const m = /^tool\.poetry\.group\.([^.]+)\.dependencies$|^dependency-groups\.(.+)$/.exec(section);
  if (m) return normalizeName(m[1] ?? m[2]);
  return section === 'tool.poetry.dev-dependencies' ? 'dev' : 'main';
}

function lineMessage(dep: Dependency, lock: PoetryLock, byName: Map<string, PoetryLockPackage[]>): string | null {
  const pkgs = byName.get(dep.normalizedName) ?? [];
  const asks = `this line asks for \`${dep.raw.trim()}\``;
  if (pkgs.length === 0) return `poetry.lock has no ${dep.normalizedName}; ${asks}. ${refresh(lock)}`;
  const versions = pkgs.map((p) => p.version);
  if (dep.source === 'registry' && dep.specifier !== '' && !versions.some((v) => specifierAllows(dep.specifier, v))) {
    return `poetry.lock pins ${dep.normalizedName} ${listWords(versions)}, which \`${dep.specifier}\` excludes; ${asks}. ${refresh(lock)}`;
  }
  // Lock 2.1 records which groups need each package: one locked only for tests is not there for the main install.
  const group = groupOf(dep.section);
  if (lock.lockVersion !== null && Number(lock.lockVersion) >= 2.1 && pkgs.every((p) => p.groups.length > 0 && !p.groups.includes(group))) {
    return `poetry.lock locks ${dep.normalizedName} only for ${listWords([...new Set(pkgs.flatMap((p) => p.groups))].map((g) => `the \`${g}\` group`))}, not for ${group === 'main' ? 'the main dependencies' : `the \`${group}\` group`}; ${asks}. ${refresh(lock)}`;
  }
  const locked = new Set(lock.packages.map((p) => p.name));
  for (const extra of dep.extras.map(normalizeName)) {
    const brings = [...new Set(pkgs.flatMap((p) => p.extras.get(extra) ?? []))];
    const missing = brings.filter((n) => !locked.has(n));
    if (missing.length > 0) return `poetry.lock lacks what the \`${extra}\` extra of ${dep.normalizedName} brings (${listWords(missing)}); ${asks}. ${refresh(lock)}`;
  }
  return null;
}

function lineFindings(pyproject: ParsedManifest, doc: TomlDocument, lock: PoetryLock): ReturnType<typeof staleFinding>[] {
  const byName = new Map<string, PoetryLockPackage[]>();
  for (const p of lock.packages) byName.set(p.name, [...(byName.get(p.name) ?? []), p]);
  const deps = pyproject.dependencies.filter((d) => SECTIONS.test(d.section));
  const findings = deps.flatMap((dep) => {
    const message = lineMessage(dep, lock, byName);
    return message ? [staleFinding(pyproject.path, dep.range, dep.normalizedName, message)] : [];
  });
  const python = pyproject.requiresPython;
  const declaredPython = pythonConstraintText(doc);
  if (python && declaredPython !== null && lock.pythonVersions !== null && declaredPython.replace(/\s+/g, '') !== lock.pythonVersions.replace(/\s+/g, '')) {
    findings.push(staleFinding(pyproject.path, python.range, null, `poetry.lock was made for Python \`${lock.pythonVersions}\`; this line now asks for \`${declaredPython}\`. ${refresh(lock)}`));
  }
  findings.push(...removedFindings(pyproject, doc, lock, new Set(deps.map((d) => d.normalizedName))));
  return findings;
}

// poetry writes metadata.python-versions from [project] requires-python, else tool.poetry's python.
function pythonConstraintText(doc: TomlDocument): string | null {
  for (const path of [['project', 'requires-python'], ['tool', 'poetry', 'dependencies', 'python']]) {
    const item = itemAt(doc.root, path);
    if (item && 'type' in item && item.type === 'TOMLValue' && item.kind === 'string') return item.value;
  }
  return null;
}

function removedFindings(pyproject: ParsedManifest, doc: TomlDocument, lock: PoetryLock, declared: Set<string>): ReturnType<typeof staleFinding>[] {
  const needed = new Set(lock.packages.flatMap((p) => [...p.dependencies, ...[...p.extras.values()].flat()]));
  const top = lock.packages.filter((p) => !needed.has(p.name) && !declared.has(p.name));
  return top.map((p) => {
    const group = p.groups.find((g) => g !== 'main');
    const range = (group ? headerRange(doc, ['tool', 'poetry', 'group', group, 'dependencies']) ?? headerRange(doc, ['dependency-groups', group]) ?? headerRange(doc, ['tool', 'poetry', 'dev-dependencies']) : undefined) ?? firstSection(doc);
    const where = group ? `the \`${group}\` group` : 'the main dependencies';
    return staleFinding(pyproject.path, range, p.name, `poetry.lock still locks ${p.name} ${p.version} for ${where}, but no line here asks for it and no locked package needs it. ${refresh(lock)}`);
  });
}
