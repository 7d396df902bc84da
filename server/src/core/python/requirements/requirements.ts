// pip requirements files (requirements.txt, constraints.txt, *.in), read as pip 23.2.1's
// req/req_file.py reads them, with exact source ranges for every requirement, option and include.
// Lines and ${VAR}s: lines.ts; options: options.ts; requirement text:
// spec.ts. This file decides what each line means and follows -r/-c includes.

import { basename, dirname, isAbsolute, join, normalize, relative } from 'node:path';
import type { Include, ManifestOption, ParsedManifest, ParseProblem } from '../../model';
import type { FileStat } from '../../runtime';
import { LineIndex, stripBom } from '../../text';
import { LogicalLine, Mapped, RawProblem, clip, readLogicalLines } from './lines';
import { ParsedOption, ParsedOptions, breakArgsOptions, parseOptions } from './options';
import { RequirementContext, buildEditable, buildRequirement } from './spec';

export interface RequirementsOptions {
  /** Environment variables for ${VAR} expansion. */
  env?: Record<string, string | undefined>;
  /** True when this file was included with -c. */
  constraint?: boolean;
}

const SCHEME = /^(http|https|file):/i;
/** Most lines have no options; they share this (never modified) result. */
const NO_OPTIONS: ParsedOptions = { options: [], stray: [], ok: true };
const INTERNAL_ERROR = 'Pinsight could not finish reading this file because of an internal error';

/** Parses one requirements file's text; never throws. */
export function parseRequirements(text: string, path: string, options: RequirementsOptions = {}): ParsedManifest {
  const manifest: ParsedManifest = { path, kind: 'requirements', dependencies: [], options: [], includes: [], problems: [] };
  const body = stripBom(typeof text === 'string' ? text : '');
  const index = new LineIndex(body);
  const raw: RawProblem[] = [];
  const ctx: RequirementContext = { path, constraint: options.constraint === true, index, problems: raw };
  try {
    for (const line of readLogicalLines(body, options.env ?? {}, raw)) readLine(line, ctx, manifest);
  } catch (e) {
    // A bug must not take the editor down with it; say so where the user will see it.
    raw.push({ code: 'syntax-error', severity: 'error', start: 0, end: 0, message: `${INTERNAL_ERROR} (${String(e)}); please report it.` });
  }
  manifest.problems.push(...raw.map((p) => toProblem(p, index)));
  return manifest;
}

function toProblem(p: RawProblem, index: LineIndex): ParseProblem {
  const problem: ParseProblem = { code: p.code, severity: p.severity, message: p.message, range: index.range(p.start, p.end) };
  if (p.package !== undefined) problem.package = p.package;
  return problem;
}

function readLine(line: LogicalLine, ctx: RequirementContext, manifest: ParsedManifest): void {
  const { args, options } = breakArgsOptions(line.content);
  const parsed: ParsedOptions = options ? parseOptions(options, ctx.problems) : NO_OPTIONS;
  const comment = joinComments(line.commentsAbove, line.comment);
  const requirement = args.pyStrip();
  const editable = requirement.text.length > 0 ? undefined : parsed.options.find((o) => o.spec.name === 'editable');
  if (requirement.text.length > 0) {
    const hashes: string[] = [];
    for (const o of parsed.options) {
      if (o.spec.name === 'hash' && o.value) hashes.push(o.value.text);
      else if (o.spec.scope !== 'requirement') ignored(ctx, o, `pip ignores ${o.written} on a line that has a requirement; move it to a line of its own.`);
    }
    const dep = buildRequirement(requirement, ctx, { hashes, comment });
    if (dep) manifest.dependencies.push(dep);
  } else if (editable !== undefined) {
    for (const o of parsed.options) {
      if (o === editable) continue;
      const why = o.spec.name === 'editable' ? 'pip reads only the first -e on a line; put each editable requirement on its own line.'
        : o.spec.scope === 'requirement' ? `pip ignores ${o.written} on an editable requirement.`
          : `pip ignores ${o.written} on a line with an editable requirement; move it to a line of its own.`;
      ignored(ctx, o, why);
    }
    const dep = editable.value ? buildEditable(editable.value, ctx, comment) : null;
    if (dep) manifest.dependencies.push(dep);
  } else {
    readOptionLine(parsed.options, ctx, manifest);
  }
  for (const word of parsed.stray) {
    const [start, end] = word.span();
    ctx.problems.push({
      code: 'syntax-error', severity: 'warning', start, end,
      message: `pip ignores '${clip(word.text)}' because it comes after an option; only the text before the first option is a requirement. Put it on a line of its own.`,
    });
  }
}

function readOptionLine(options: ParsedOption[], ctx: RequirementContext, manifest: ParsedManifest): void {
  // pip follows the first -r, or else the first -c, and uses only the first -f of a line.
  const include = options.find((o) => o.spec.name === 'requirement') ?? options.find((o) => o.spec.name === 'constraint');
  const findLinks = options.find((o) => o.spec.name === 'find-links');
  for (const o of options) {
    if (o.spec.scope === 'include') {
      if (o === include) manifest.includes.push(toInclude(o, ctx));
      else ignored(ctx, o, 'pip follows only the first -r (or, without one, the first -c) on a line; put each include on a line of its own.');
    } else if (o.spec.name === 'hash') {
      ignored(ctx, o, 'pip ignores --hash on a line without a requirement; put it on the line of the requirement it checks.');
    } else if (o.spec.name === 'global-option') {
      ignored(ctx, o, `pip ignores ${o.written} on a line without a requirement; put it on the line of the requirement it is for.`);
    } else if (o.spec.name === 'find-links' && o !== findLinks) {
      ignored(ctx, o, `pip uses only the first --find-links of a line; put ${clip(`${o.written} ${o.value?.text ?? ''}`)} on a line of its own.`);
    } else {
      manifest.options.push(toOption(o, ctx));
      if (o.spec.name === 'config-settings') {
        ignored(ctx, o, `pip 23.2 applies ${o.written} only to the requirement on the same line; on a line of its own it has no effect.`);
      }
    }
  }
}

function ignored(ctx: RequirementContext, o: ParsedOption, message: string): void {
  ctx.problems.push({ code: 'invalid-option', severity: 'warning', start: o.start, end: o.end, message });
}

function toOption(o: ParsedOption, ctx: RequirementContext): ManifestOption {
  return { name: o.spec.name, value: o.value?.text ?? '', range: ctx.index.range(o.start, o.end) };
}

function toInclude(o: ParsedOption, ctx: RequirementContext): Include {
  const value = o.value as Mapped;
  const target = value.text;
  const targetRange = ctx.index.range(...value.span());
  const kind = o.spec.name === 'constraint' ? 'constraint' : 'requirement';
  let resolvedPath: string;
  if (!SCHEME.test(target)) resolvedPath = isAbsolute(target) ? normalize(target) : join(dirname(ctx.path), target);
  else resolvedPath = fileUrlToPath(target) ?? target;
  if (SCHEME.test(resolvedPath)) {
    const [start, end] = value.span();
    ctx.problems.push({
      code: 'unsupported-source', severity: 'information', start, end,
      message: `Pinsight does not download requirements files, so the requirements in ${clip(target)} are not checked.`,
    });
  }
  return { kind, target, resolvedPath, range: ctx.index.range(o.start, o.end), targetRange };
}

/** A local path for file:///abs and file://localhost/abs URLs; null for anything else. */
function fileUrlToPath(url: string): string | null {
  const m = /^file:(?:\/\/(?:localhost)?)?(\/[^?#]*)$/i.exec(url);
  if (!m) return null;
  try {
    return normalize(decodeURIComponent(m[1]));
  } catch {
    return null;
  }
}

function joinComments(above: string[], trailing: string | undefined): string | undefined {
  const lines = trailing === undefined ? above : [...above, trailing];
  return lines.length > 0 ? lines.join('\n') : undefined;
}

/** Included files larger than this are not read: a requirements file is kilobytes, never megabytes. */
export const MAX_INCLUDE_BYTES = 5 * 1024 * 1024;

export interface RequirementsTreeOptions {
  env?: Record<string, string | undefined>;
  /** What a path is (Runtime.stat): an include that is not a regular file, or too large, is not read. */
  stat?: (path: string) => Promise<FileStat | undefined>;
  /** Stop following includes after this many files (default 200). */
  maxFiles?: number;
}

type ReadFile = (path: string) => Promise<string | undefined>;

/** Follows -r/-c includes from a root file through an injected reader; never throws. */
export async function loadRequirementsTree(rootPath: string, readFile: ReadFile, options: RequirementsTreeOptions = {}): Promise<ParsedManifest[]> {
  const out: ParsedManifest[] = [];
  const tree: Tree = { readFile, stat: options.stat, env: options.env ?? {}, maxFiles: Math.max(1, options.maxFiles ?? 200), out, seen: new Set(), rootDir: dirname(rootPath) };
  const text = await safeRead(readFile, rootPath);
  if (text === undefined) {
    const range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    const message = `Pinsight cannot read ${rootPath}; check that the file exists and is readable.`;
    return [{ path: rootPath, kind: 'requirements', dependencies: [], options: [], includes: [], problems: [{ code: 'include-not-found', severity: 'error', message, range }] }];
  }
  tree.seen.add(normalize(rootPath));
  try {
    await visit(tree, rootPath, text, false, [normalize(rootPath)]);
  } catch (e) {
    const first = out[0] ?? parseRequirements('', rootPath);
    const range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    first.problems.push({ code: 'syntax-error', severity: 'error', message: `${INTERNAL_ERROR} (${String(e)}); please report it.`, range });
    if (out.length === 0) out.push(first);
  }
  return out;
}

interface Tree {
  readFile: ReadFile;
  stat?: RequirementsTreeOptions['stat'];
  env: Record<string, string | undefined>;
  maxFiles: number;
  out: ParsedManifest[];
  seen: Set<string>;
  rootDir: string;
}

async function safeRead(readFile: ReadFile, path: string): Promise<string | undefined> {
  try {
    const text = await readFile(path);
    return typeof text === 'string' ? text : undefined;
  } catch {
    return undefined;
  }
}

async function visit(tree: Tree, path: string, text: string, constraint: boolean, chain: string[]): Promise<void> {
  const manifest = parseRequirements(text, path, { env: tree.env, constraint });
  tree.out.push(manifest);
  for (const include of manifest.includes) {
    if (SCHEME.test(include.resolvedPath)) continue;
    const key = normalize(include.resolvedPath);
    const problem = (code: ParseProblem['code'], severity: ParseProblem['severity'], message: string, range = include.range) =>
      manifest.problems.push({ code, severity, message, range });
    if (constraint && include.kind === 'requirement') {
      problem('invalid-option', 'warning', `pip reads a file included with -r from a constraints file as requirements: the packages in ${clip(include.target)} are installed, not only constrained. Write -c if you meant constraints.`);
    }
    const loop = chain.indexOf(key);
    if (loop >= 0) {
      const names = [...chain.slice(loop), key].map((p) => displayName(tree, p)).join(' -> ');
      problem('include-cycle', 'warning', `These includes form a cycle (${names}); pip follows it until it fails. Remove one of the includes.`);
      continue;
    }
    if (tree.seen.has(key)) continue;
    if (tree.out.length >= tree.maxFiles) {
      problem('invalid-manifest', 'warning', `Pinsight follows at most ${tree.maxFiles} included files, so ${clip(include.target)} is not checked.`);
      continue;
    }
    // `-r /dev/zero` or a FIFO would never end (or never start): look before reading.
    const unreadable = await whyUnreadable(tree, include.resolvedPath);
    if (unreadable !== undefined) {
      problem('include-not-found', 'error', `${clip(include.resolvedPath, 200)} ${unreadable}; Pinsight does not read it, and pip would fail or hang on it. Name a requirements file instead.`, include.targetRange);
      continue;
    }
    const child = await safeRead(tree.readFile, include.resolvedPath);
    if (child === undefined) {
      const what = include.kind === 'constraint' ? 'Constraints' : 'Requirements';
      problem('include-not-found', 'error', `${what} file not found: ${clip(include.resolvedPath, 200)}. The path is resolved from the folder of this file; fix it or create the file.`, include.targetRange);
      continue;
    }
    tree.seen.add(key);
    // As pip does: the include's own option decides, not the including file's kind.
    await visit(tree, include.resolvedPath, child, include.kind === 'constraint', [...chain, key]);
  }
}

async function whyUnreadable(tree: Tree, path: string): Promise<string | undefined> {
  let info: FileStat | undefined;
  try {
    info = await tree.stat?.(path);
  } catch {
    info = undefined;
  }
  // Absent on disk: an unsaved buffer may still stand for it; the reader decides.
  if (info === undefined) return undefined;
  if (info.kind === 'dir') return 'is a folder, not a file';
  if (info.kind !== 'file') return 'is not a regular file (a device, a pipe or a socket)';
  if (info.size > MAX_INCLUDE_BYTES) return `is ${(info.size / 1024 / 1024).toFixed(1)} MB, more than the ${MAX_INCLUDE_BYTES / 1024 / 1024} MB a requirements file may have`;
  return undefined;
}

function displayName(tree: Tree, path: string): string {
  const rel = relative(tree.rootDir, path);
  return rel === '' ? basename(path) : rel;
}
