// Command-line parsing for `pinsight`, kept apart from what the commands do.

import { resolve } from 'node:path';
import { defaultCacheDir } from './node/host';

export class UsageError extends Error {}

export interface CliOptions {
  command: 'check' | 'list';
  format: 'text' | 'json';
  paths: string[];
  indexUrl?: string;
  extraIndexUrls: string[];
  registry?: string;
  cacheDir?: string;
  noCache: boolean;
  offline: boolean;
  /** Stage 1 only: no registry, no resolution. */
  noRegistry: boolean;
  registrySnapshot?: string;
  pythonVersion?: string;
  platform?: 'linux' | 'darwin' | 'win32';
  explain: boolean;
  pre: boolean;
  /** Report exact pins older than their highest compatible version (`outdated`). */
  outdated: boolean;
  /** Leave out the import-level checks of the installed environment (--no-import-checks). */
  noImportChecks: boolean;
  isolated: boolean;
  /** Exit 1 when anything was skipped or the verdict is incomplete (--strict). */
  strict: boolean;
  /** Bounds of one import check of the resolution from the index (--import-timeout, --import-max-bytes). */
  importTimeoutSeconds?: number;
  importMaxBytes?: number;
  /** Seconds the registry checks and resolution may take in all (--timeout). */
  timeoutSeconds: number;
}

/** The default for --timeout: long enough for a cold cache on a slow index, short enough for a CI job. */
export const DEFAULT_TIMEOUT_SECONDS = 120;

export const USAGE = `Usage: pinsight <command> [options] [PATH...]

Commands:
  check   Report problems in dependency manifests (exit 1 if any is an error).
  list    Print the dependencies Pinsight parsed.

PATH is a manifest (requirements*.txt, *.in, constraints*.txt, pyproject.toml, package.json),
a team rule file (pinsight.toml) or a folder searched for them (node_modules and virtualenvs
are skipped). Default: .
Team rules in pinsight.toml or [tool.pinsight] apply from each manifest's folder up to the
working directory.

Options:
  --format text|json        Output format (default: text).
  --explain                 Print the full derivation of each conflict.
  --python-version X.Y[.Z]  Resolve for this Python (default: the project's .venv, else the
                            lower bound of requires-python).
  --platform linux|darwin|win32
                            Resolve for this platform (default: this machine's).
  --pre                     Allow pre-releases, like pip's --pre.
  --outdated                Report exact pins older than the highest version every other
                            requirement allows (finding code outdated, a hint).
  --index-url URL           Python package index (overrides pip.conf, PIP_INDEX_URL, ...).
  --extra-index-url URL     An extra Python index; may be repeated.
  --registry URL            npm registry (overrides .npmrc and npm_config_registry).
  --cache-dir DIR           Registry cache folder (default: the user cache folder).
  --no-cache                Keep the registry cache in memory only.
  --offline                 Use only cached registry answers.
  --registry-snapshot FILE  Answer registry requests from a recorded snapshot (no network).
  --no-registry             Only the checks that need no registry.
  --no-import-checks        Do not read installed source files or the resolution's wheels on
                            the index for import-break.
  --import-timeout SECONDS  Bound of the import check from the wheels on the index (default: 30).
  --import-max-bytes BYTES  Bytes it may download at most (default: 16000000).
  --timeout SECONDS         Stop waiting for registries after this long in all (default: 120);
                            what was not read by then is reported and the verdict is marked
                            incomplete. One request gives up after 15 s.
  --strict                  Exit 1 when anything was not checked or resolved (a registry
                            failed, the verdict is incomplete, a "not checked:" line).
  --isolated                Ignore environment variables and user configuration (pip.conf,
                            .netrc, ~/.npmrc), like pip --isolated.
  -h, --help                Show this help.
  --version                 Show the version.
`;

const PLATFORMS = new Set(['linux', 'darwin', 'win32']);

/** Parses argv (without node and the script); 'help'/'version' for those requests. */
export function parseCliArgs(argv: string[]): CliOptions | 'help' | 'version' {
  if (argv.length === 0) throw new UsageError('Missing a command: use `pinsight check` or `pinsight list`.');
  const [command, ...rest] = argv;
  if (command === '-h' || command === '--help' || command === 'help') return 'help';
  if (command === '--version') return 'version';
  if (command !== 'check' && command !== 'list') throw new UsageError(`Unknown command '${command}': use \`pinsight check\` or \`pinsight list\`.`);
  const o: CliOptions = { command, format: 'text', paths: [], extraIndexUrls: [], noCache: false, offline: false, noRegistry: false, explain: false, pre: false, outdated: false, noImportChecks: false, isolated: false, strict: false, timeoutSeconds: DEFAULT_TIMEOUT_SECONDS };
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const value = (): string => {
      const v = arg.startsWith('--') && eq > 0 ? arg.slice(eq + 1) : rest[++i];
      if (v === undefined || v === '') throw new UsageError(`${name} needs a value.`);
      return v;
    };
    switch (name) {
      case '-h':
      case '--help':
        return 'help';
      case '--format': {
        const v = value();
        if (v !== 'text' && v !== 'json') throw new UsageError(`--format takes 'text' or 'json', not '${v}'.`);
        o.format = v;
        break;
      }
      case '--index-url':
      case '-i':
        o.indexUrl = value();
        break;
      case '--extra-index-url':
        o.extraIndexUrls.push(value());
        break;
      case '--registry':
        o.registry = value();
        break;
      case '--cache-dir':
        o.cacheDir = value();
        break;
      case '--registry-snapshot':
        o.registrySnapshot = value();
        break;
      case '--python-version': {
        const v = value();
        if (!/^\d+\.\d+(\.\d+)?$/.test(v)) throw new UsageError(`--python-version takes a version such as 3.11 or 3.11.7, not '${v}'.`);
        o.pythonVersion = v;
        break;
      }
      case '--platform': {
        const v = value();
        if (!PLATFORMS.has(v)) throw new UsageError(`--platform takes linux, darwin or win32, not '${v}'.`);
        o.platform = v as CliOptions['platform'];
        break;
      }
      case '--no-cache':
        o.noCache = true;
        break;
      case '--offline':
        o.offline = true;
        break;
      case '--no-registry':
        o.noRegistry = true;
        break;
      case '--explain':
        o.explain = true;
        break;
      case '--outdated':
        o.outdated = true;
        break;
      case '--no-import-checks':
        o.noImportChecks = true;
        break;
      case '--pre':
        o.pre = true;
        break;
      case '--isolated':
        o.isolated = true;
        break;
      case '--strict':
        o.strict = true;
        break;
      case '--import-timeout': {
        const v = value();
        const seconds = Number(v);
        if (!/^\d+(\.\d+)?$/.test(v) || !(seconds > 0) || seconds > 600) throw new UsageError(`--import-timeout takes a number of seconds greater than 0 and at most 600, such as 30, not '${v}'.`);
        o.importTimeoutSeconds = seconds;
        break;
      }
      case '--import-max-bytes': {
        const v = value();
        if (!/^\d+$/.test(v) || Number(v) > 1_000_000_000) throw new UsageError(`--import-max-bytes takes a whole number of bytes up to 1000000000, such as 16000000, not '${v}'.`);
        o.importMaxBytes = Number(v);
        break;
      }
      case '--timeout': {
        const v = value();
        const seconds = Number(v);
        if (!/^\d+(\.\d+)?$/.test(v) || !(seconds > 0)) throw new UsageError(`--timeout takes a number of seconds greater than 0, such as 120, not '${v}'.`);
        o.timeoutSeconds = seconds;
        break;
      }
      case '--':
        o.paths.push(...rest.slice(i + 1));
        i = rest.length;
        break;
      default:
        if (arg.startsWith('-')) throw new UsageError(`Unknown option '${arg}'. Run \`pinsight --help\` for the options.`);
        o.paths.push(arg);
    }
  }
  if (o.paths.length === 0) o.paths.push('.');
  return o;
}

/** The disk cache folder a check uses: none with --no-cache or a registry snapshot (its answers stay in memory). */
export function cacheDirOf(options: CliOptions, env: Record<string, string | undefined>): string | undefined {
  return options.noCache || options.registrySnapshot ? undefined : resolve(options.cacheDir ?? defaultCacheDir(env));
}
