#!/usr/bin/env node
// `pinsight check` and `pinsight list`: the same core as the language server, for CI and other editors.
import { readdirSync, statSync, existsSync } from 'node:fs';
import { basename, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { analyzeManifest, type Analysis } from './core/analyze';
import { detectManifestKind, isIgnoredFolder } from './core/manifest/detect';
import type { ManifestKind } from './core/model';
import { formatCheckJson, formatCheckText, formatListJson, formatListText, mergeFindings, type ListedFile } from './core/insight/report';
import { createNodeRuntime } from './nodeRuntime';

const VERSION = '0.1.0';

const USAGE = `Usage: pinsight <command> [options] [PATH...]

Commands:
  check   Report problems in dependency manifests (exit 1 if any is an error).
  list    Print the dependencies Pinsight parsed.

PATH is a manifest (requirements*.txt, *.in, constraints*.txt, pyproject.toml, package.json)
or a folder searched for them (node_modules and virtualenvs are skipped). Default: .

Options:
  --format text|json   Output format (default: text).
  -h, --help           Show this help.
  --version            Show the version.
`;

class UsageError extends Error {}

interface Options {
  command: 'check' | 'list';
  format: 'text' | 'json';
  paths: string[];
}

function parseArgs(argv: string[]): Options | 'help' | 'version' {
  if (argv.length === 0) throw new UsageError('Missing a command: use `pinsight check` or `pinsight list`.');
  const [command, ...rest] = argv;
  if (command === '-h' || command === '--help' || command === 'help') return 'help';
  if (command === '--version') return 'version';
  if (command !== 'check' && command !== 'list') throw new UsageError(`Unknown command '${command}': use \`pinsight check\` or \`pinsight list\`.`);
  const options: Options = { command, format: 'text', paths: [] };
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (arg === '-h' || arg === '--help') return 'help';
    if (arg === '--format' || arg.startsWith('--format=')) {
      const value = arg === '--format' ? rest[++i] : arg.slice('--format='.length);
      if (value !== 'text' && value !== 'json') throw new UsageError(`--format takes 'text' or 'json', not '${value ?? ''}'.`);
      options.format = value;
    } else if (arg === '--') {
      options.paths.push(...rest.slice(i + 1));
      break;
    } else if (arg.startsWith('-')) {
      throw new UsageError(`Unknown option '${arg}'. Run \`pinsight --help\` for the options.`);
    } else {
      options.paths.push(arg);
    }
  }
  if (options.paths.length === 0) options.paths.push('.');
  return options;
}

function isVirtualenv(dir: string): boolean {
  return existsSync(join(dir, 'pyvenv.cfg'));
}

/** Manifests under a folder, in a stable order. */
function findManifests(dir: string, out: string[]): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!isIgnoredFolder(entry.name) && !isVirtualenv(full)) findManifests(full, out);
    } else if (entry.isFile() && detectManifestKind(full)) {
      out.push(full);
    }
  }
}

/** An explicitly named file is read whatever its name, by the kind its extension suggests. */
function kindOfNamedFile(path: string): ManifestKind {
  const detected = detectManifestKind(path);
  if (detected) return detected;
  const ext = extname(path).toLowerCase();
  if (ext === '.json') return 'package.json';
  if (ext === '.toml') return 'pyproject';
  return 'requirements';
}

function collectTargets(paths: string[]): Array<{ path: string; kind: ManifestKind }> {
  const targets: Array<{ path: string; kind: ManifestKind }> = [];
  for (const p of paths) {
    const full = resolve(p);
    let stat;
    try {
      stat = statSync(full);
    } catch {
      throw new UsageError(`No such file or folder: ${p}`);
    }
    if (stat.isDirectory()) {
      const found: string[] = [];
      findManifests(full, found);
      for (const f of found) targets.push({ path: f, kind: detectManifestKind(f)! });
    } else {
      targets.push({ path: full, kind: kindOfNamedFile(full) });
    }
  }
  return targets;
}

function displayPath(p: string): string {
  const rel = relative(process.cwd(), p);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel.split(sep).join('/') : p;
}

async function main(argv: string[]): Promise<number> {
  let options;
  try {
    options = parseArgs(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`pinsight: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    throw error;
  }
  if (options === 'help') return process.stdout.write(USAGE), 0;
  if (options === 'version') return process.stdout.write(`pinsight ${VERSION}\n`), 0;

  let targets;
  try {
    targets = collectTargets(options.paths);
  } catch (error) {
    if (error instanceof UsageError) return process.stderr.write(`pinsight: ${error.message}\n`), 2;
    throw error;
  }
  const runtime = createNodeRuntime();
  const analyses: Analysis[] = [];
  for (const target of targets) {
    const analysis = await analyzeManifest(target.path, runtime, undefined, target.kind);
    if (analysis) analyses.push(analysis);
    else process.stderr.write(`pinsight: could not read ${displayPath(target.path)}\n`);
  }

  if (options.command === 'list') {
    const seen = new Map<string, ListedFile>();
    for (const a of analyses) for (const m of a.manifests) if (!seen.has(m.path)) seen.set(m.path, { path: displayPath(m.path), kind: m.kind, dependencies: m.dependencies });
    const files = [...seen.values()];
    process.stdout.write((options.format === 'json' ? formatListJson(files) : formatListText(files)) + '\n');
    return 0;
  }

  const files = mergeFindings(analyses, displayPath);
  if (targets.length === 0) process.stderr.write(`pinsight: no manifests found in ${options.paths.map((p) => basename(resolve(p))).join(', ')}\n`);
  process.stdout.write((options.format === 'json' ? formatCheckJson(files) : formatCheckText(files)) + '\n');
  return files.some((f) => f.findings.some((x) => x.severity === 'error')) ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`pinsight: internal error: ${String(error instanceof Error ? error.stack : error)}\n`);
    process.exitCode = 3;
  },
);
