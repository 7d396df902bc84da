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

/** Root-relative folders the `workspaces` value matches that hold a package.json, in pattern order. */
export async function findWorkspaceFolders(rootDir: string, value: unknown, runtime: Runtime): Promise<string[]> {
  const patterns = workspacePatterns(value);
  if (!patterns || !runtime.listDir) return [];
  const excluded = patterns.exclude.map(globRegExp);
  const found: string[] = [];
  for (const pattern of patterns.include) {
    const regex = globRegExp(pattern);
    const matches: string[] = [];
    for (const alternative of expandBraces(pattern)) {
      const parts = alternative.split('/').filter((s) => s !== '' && s !== '.');
      const fixed = parts.findIndex((s) => /[*?[\]]/.test(s));
      const base = (fixed < 0 ? parts : parts.slice(0, fixed)).join('/');
      const depth = fixed < 0 ? 0 : parts.includes('**') ? MAX_DEPTH : parts.length - fixed;
      await walk(rootDir, base, depth, runtime, (folder) => {
        if (regex.test(folder) && !excluded.some((e) => e.test(folder))) matches.push(folder);
      });
    }
    for (const folder of matches.sort((a, b) => a.localeCompare(b, 'en'))) if (!found.includes(folder)) found.push(folder);
  }
  const withPackage: string[] = [];
  for (const folder of found) {
    const file = join(rootDir, folder, 'package.json');
    const exists = runtime.stat ? (await runtime.stat(file))?.kind === 'file' : (await runtime.readFile(file)) !== undefined;
    if (exists) withPackage.push(folder);
  }
  return withPackage;
}

async function walk(rootDir: string, folder: string, depth: number, runtime: Runtime, visit: (folder: string) => void): Promise<void> {
  if (folder !== '') visit(folder);
  if (depth <= 0) return;
  const entries = await runtime.listDir?.(folder === '' ? rootDir : join(rootDir, folder));
  for (const entry of entries ?? []) {
    if (entry.kind !== 'dir' || entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    await walk(rootDir, folder === '' ? entry.name : `${folder}/${entry.name}`, depth - 1, runtime, visit);
  }
}
