// npm workspaces as @npmcli/map-workspaces finds them: the `workspaces` globs of the root
// package.json (an array, or { packages: [...] }), matched against folders that hold a package.json,
// never inside node_modules; `!pattern` excludes. Reads folders through the Runtime only.
import { join } from 'node:path';
import type { Runtime } from '../../runtime';
import { globSegmentSource } from '../../glob';

/** The include and exclude globs of a `workspaces` value; undefined when it declares none. */
export function workspacePatterns(value: unknown): { include: string[]; exclude: string[] } | undefined {
  const list = Array.isArray(value) ? value : value && typeof value === 'object' && Array.isArray((value as { packages?: unknown }).packages) ? (value as { packages: unknown[] }).packages : undefined;
  if (!list) return undefined;
  const include: string[] = [];
  const exclude: string[] = [];
  for (const item of list) {
    if (typeof item !== 'string') continue;
    const bangs = /^!+/.exec(item)?.[0].length ?? 0;
    const pattern = item.slice(bangs).replace(/\\/g, '/').replace(/^\.?\/+/, '').replace(/\/+$/, '');
    if (pattern === '') continue;
    if (bangs % 2 === 1) exclude.push(pattern);
    else include.push(pattern);
  }
  return include.length > 0 ? { include, exclude } : undefined;
}

function expandBraces(pattern: string): string[] {
  const m = /\{([^{}]*)\}/.exec(pattern);
  if (!m) return [pattern];
  return m[1].split(',').flatMap((alt) => expandBraces(pattern.slice(0, m.index) + alt + pattern.slice(m.index + m[0].length)));
}

function segmentSource(segment: string): string {
  const out = globSegmentSource(segment);
  // Wildcards do not match names that start with a dot unless the pattern says so (glob's default).
  return segment.startsWith('.') ? out : `(?!\\.)${out}`;
}

/** A RegExp for a workspace glob over root-relative folder paths. */
export function globRegExp(pattern: string): RegExp {
  const alternatives = expandBraces(pattern).map((p) => {
    const parts = p.split('/').filter((s) => s !== '' && s !== '.');
    let source = '';
    parts.forEach((part, i) => {
      const last = i === parts.length - 1;
      if (part === '**') source += last ? '(?:(?!\\.)[^/]+(?:/(?!\\.)[^/]+)*)?' : '(?:(?!\\.)[^/]+/)*';
      else source += segmentSource(part) + (last ? '' : '/');
    });
    return source.replace(/\/$/, '');
  });
  return new RegExp(`^(?:${alternatives.join('|')})$`);
}

/** Whether a root-relative folder is one of the declared workspaces' folders. */
export function isWorkspaceFolder(value: unknown, folder: string): boolean {
  const patterns = workspacePatterns(value);
  if (!patterns || folder.split('/').includes('node_modules')) return false;
  return patterns.include.some((p) => globRegExp(p).test(folder)) && !patterns.exclude.some((p) => globRegExp(p).test(folder));
}

const MAX_DEPTH = 8;
/** At most this many folders are listed for all the patterns together (a `**` over a large tree). */
const MAX_FOLDERS = 2000;
/** At most this many "matches but has no package.json" notes. */
const MAX_NOTES = 5;

/** The workspaces' folders, and what about the globs the user should know (as sentences). */
export interface WorkspaceFolders {
  /** Root-relative folders the `workspaces` value matches that hold a package.json, in pattern order. */
  folders: string[];
  notes: string[];
}

/**
 * Expands the `workspaces` globs over the folders under `rootDir`, listed through the Runtime and
 * bounded (depth, folder count). A pattern that matches no package, and a folder a plain pattern
 * names that has no package.json (npm skips both without a word), come back as notes.
 */
export async function findWorkspaceFolders(rootDir: string, value: unknown, runtime: Runtime): Promise<WorkspaceFolders> {
  const patterns = workspacePatterns(value);
  if (!patterns) return { folders: [], notes: [] };
  if (!runtime.listDir) return { folders: [], notes: ['The npm workspaces were not read: this host cannot list folders.'] };
  const excluded = patterns.exclude.map(globRegExp);
  const budget = { left: MAX_FOLDERS };
  const notes: string[] = [];
  const found: string[] = [];
  const bare: string[] = [];
  const byPattern = new Map<string, string[]>();
  for (const pattern of patterns.include) {
    const regex = globRegExp(pattern);
    const matches: string[] = [];
    for (const alternative of expandBraces(pattern)) {
      const parts = alternative.split('/').filter((s) => s !== '' && s !== '.');
      const fixed = parts.findIndex((s) => /[*?[\]]/.test(s));
      const base = (fixed < 0 ? parts : parts.slice(0, fixed)).join('/');
      const depth = fixed < 0 ? 0 : parts.includes('**') ? MAX_DEPTH : parts.length - fixed;
      await walk(rootDir, base, depth, runtime, budget, (folder) => {
        if (regex.test(folder) && !excluded.some((e) => e.test(folder))) matches.push(folder);
      });
    }
    const sorted = [...new Set(matches)].sort((a, b) => a.localeCompare(b, 'en'));
    byPattern.set(pattern, sorted);
    // under `**` every folder on the way matches: only a plain or one-level pattern names packages
    if (!pattern.includes('**')) bare.push(...sorted);
    for (const folder of sorted) if (!found.includes(folder)) found.push(folder);
  }
  if (budget.left <= 0) notes.push(`The npm workspaces globs reach more than ${MAX_FOLDERS} folders; only the first ${MAX_FOLDERS} were searched for workspaces.`);
  const folders: string[] = [];
  const missing: string[] = [];
  for (const folder of found) {
    const file = join(rootDir, folder, 'package.json');
    const exists = runtime.stat ? (await runtime.stat(file))?.kind === 'file' : (await runtime.readFile(file)) !== undefined;
    if (exists) folders.push(folder);
    else if (bare.includes(folder)) missing.push(folder);
  }
  for (const folder of missing.slice(0, MAX_NOTES)) {
    notes.push(`${folder} matches the npm workspaces globs but has no package.json, so npm does not install it as a workspace.`);
  }
  if (missing.length > MAX_NOTES) notes.push(`${missing.length - MAX_NOTES} more folders match the npm workspaces globs but have no package.json.`);
  for (const [pattern, matched] of byPattern) {
    if (!matched.some((f) => folders.includes(f))) notes.push(`The npm workspaces pattern "${pattern}" matches no folder with a package.json.`);
  }
  return { folders, notes };
}

async function walk(rootDir: string, folder: string, depth: number, runtime: Runtime, budget: { left: number }, visit: (folder: string) => void): Promise<void> {
  if (folder !== '') visit(folder);
  if (depth <= 0 || budget.left <= 0) return;
  budget.left--;
  const entries = await runtime.listDir?.(folder === '' ? rootDir : join(rootDir, folder));
  for (const entry of entries ?? []) {
    if (entry.kind !== 'dir' || entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    await walk(rootDir, folder === '' ? entry.name : `${folder}/${entry.name}`, depth - 1, runtime, budget, visit);
  }
}
