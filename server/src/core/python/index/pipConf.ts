// pip's own configuration, read the way pip 23.2.1 reads it for `pip install`: the files that
// pip/_internal/configuration.py finds (global, user, site, $PIP_CONFIG_FILE), each parsed like
// Python's configparser.RawConfigParser, then PIP_* environment variables, merged in pip's override
// order and applied to the install options as ConfigOptionParser does ([global] < [install] < env).

import path from 'node:path';
import { expandHome } from './netrc';

export type Platform = 'linux' | 'darwin' | 'win32';

export interface IniFile {
  /** Sections in file order, keys lower-cased (configparser's optionxform); values joined and stripped. */
  sections: Map<string, Map<string, string>>;
  /** The [DEFAULT] section, whose keys every other section inherits. */
  defaults: Map<string, string>;
}

export type IniParse = { ok: true; ini: IniFile } | { ok: false; error: string; line: number };

// Python's str.isspace() set, which `\s`, strip() and the configparser regexes use (JS \s differs: it
// includes U+FEFF and lacks U+001C-U+001F and U+0085).
const PY_WS = '\\t\\n\\x0b\\x0c\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const LEADING_WS = new RegExp(`^[${PY_WS}]+`);
const TRAILING_WS = new RegExp(`[${PY_WS}]+$`);
const NON_SPACE = new RegExp(`[^${PY_WS}]`);
const SECTION = /^\[([^\n]+)\]/; // configparser: r"\[(?P<header>.+)\]", matched at the start only
const OPTION = new RegExp(`^([^\\n]*?)[${PY_WS}]*(=|:)[${PY_WS}]*([^\\n]*)$`);

const pyStrip = (s: string) => s.replace(LEADING_WS, '').replace(TRAILING_WS, '');

/** Parses INI text as Python 3.11's RawConfigParser does (pip's settings); never throws. */
export function parseIni(text: string): IniParse {
  const raw = new Map<string, Map<string, string[]>>();
  const defaults = new Map<string, string[]>();
  const seen = new Set<string>();
  let current: Map<string, string[]> | undefined;
  let sectionName = '';
  let option = '';
  let indent = 0;
  const lines = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const stripped = pyStrip(line);
    const comment = stripped.startsWith('#') || stripped.startsWith(';');
    if (comment || stripped === '') {
      // Blank lines belong to a multi-line value (trimmed at the end); comment lines do not.
      if (!comment && current && option) current.get(option)?.push('');
      continue;
    }
    const level = NON_SPACE.exec(line)?.index ?? 0;
    if (current && option && level > indent) {
      current.get(option)?.push(stripped);
      continue;
    }
    indent = level;
    const header = SECTION.exec(stripped);
    if (header) {
      sectionName = header[1];
      if (raw.has(sectionName)) return { ok: false, error: `section '${sectionName}' appears twice`, line: i + 1 };
      if (sectionName === 'DEFAULT') current = defaults;
      else raw.set(sectionName, (current = new Map()));
      option = '';
      continue;
    }
    if (!current) return { ok: false, error: 'the file does not start with a [section] header', line: i + 1 };
    const match = OPTION.exec(stripped);
    if (!match || match[1] === '') return { ok: false, error: `'${clip(stripped)}' is not a 'name = value' line`, line: i + 1 };
    option = match[1].replace(TRAILING_WS, '').toLowerCase();
    const key = `${sectionName}\u0000${option}`;
    if (seen.has(key)) return { ok: false, error: `'${option}' appears twice in [${sectionName}]`, line: i + 1 };
    seen.add(key);
    current.set(option, [match[3]]);
  }
  const join = (values: Map<string, string[]>) => new Map([...values].map(([k, v]) => [k, v.join('\n').replace(TRAILING_WS, '')]));
  return { ok: true, ini: { sections: new Map([...raw].map(([name, values]) => [name, join(values)])), defaults: join(defaults) } };
}

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** configparser's items(section): [DEFAULT] first, then the section's own keys; `fromDefault` says where each value was written. */
export function iniItems(ini: IniFile, section: string): Array<{ key: string; value: string; fromDefault: boolean }> {
  const own = ini.sections.get(section) ?? new Map<string, string>();
  const items = new Map<string, { key: string; value: string; fromDefault: boolean }>();
  for (const [key, value] of ini.defaults) items.set(key, { key, value, fromDefault: true });
  for (const [key, value] of own) items.set(key, { key, value, fromDefault: false });
  return [...items.values()];
}

export interface PipFileInput {
  env: Record<string, string | undefined>;
  home?: string;
  platform: Platform;
  /** sys.prefix of the Python that runs pip: its pip.conf is the "site" file. Defaults to $VIRTUAL_ENV. */
  sysPrefix?: string;
}

export interface PipConfigFiles {
  /** $PIP_CONFIG_FILE, if set (os.devnull turns every file off). */
  env?: string;
  global: string[];
  /** Legacy file first: the newer location overrides it. */
  user: string[];
  site: string[];
}

/** An environment variable; Windows names are case-insensitive. */
export function envValue(env: Record<string, string | undefined>, name: string, platform: Platform): string | undefined {
  if (env[name] !== undefined || platform !== 'win32') return env[name];
  const upper = name.toUpperCase();
  for (const [key, value] of Object.entries(env)) if (key.toUpperCase() === upper) return value;
  return undefined;
}

/** The user's home as Python's expanduser finds it (HOME, or USERPROFILE on Windows). */
export function homeDir(input: { env: Record<string, string | undefined>; home?: string; platform: Platform }): string | undefined {
  if (input.home) return input.home;
  if (input.platform !== 'win32') return input.env.HOME;
  const profile = envValue(input.env, 'USERPROFILE', 'win32');
  if (profile) return profile;
  const drive = envValue(input.env, 'HOMEDRIVE', 'win32');
  const homePath = envValue(input.env, 'HOMEPATH', 'win32');
  return homePath ? (drive ?? '') + homePath : undefined;
}

// os.path.join without normalising, as Python builds these paths (a relative XDG entry stays relative).
function posixJoin(...parts: string[]): string {
  return parts.reduce((acc, part) => (part.startsWith('/') || acc === '' ? part : acc.endsWith('/') ? acc + part : `${acc}/${part}`), '');
}

/** The files pip 23.2.1 would consider, by kind (configuration.get_configuration_files + appdirs), for the given platform. */
export function pipConfigFiles(input: PipFileInput): PipConfigFiles {
  const { env, platform } = input;
  const home = homeDir(input);
  const get = (name: string) => envValue(env, name, platform);
  const files: PipConfigFiles = { global: [], user: [], site: [] };
  const configFile = get('PIP_CONFIG_FILE');
  if (configFile !== undefined) files.env = configFile;
  const prefix = input.sysPrefix ?? get('VIRTUAL_ENV');
  if (platform === 'win32') {
    const join = path.win32.join;
    files.global = [join(get('ALLUSERSPROFILE') ?? get('PROGRAMDATA') ?? 'C:\\ProgramData', 'pip', 'pip.ini')];
    const appData = get('APPDATA') ?? (home ? join(home, 'AppData', 'Roaming') : undefined);
    if (home) files.user.push(join(home, 'pip', 'pip.ini'));
    if (appData) files.user.push(join(appData, 'pip', 'pip.ini'));
    if (prefix) files.site = [join(prefix, 'pip.ini')];
    return files;
  }
  if (platform === 'darwin') {
    files.global = ['/Library/Application Support/pip/pip.conf'];
    if (home) {
      // pip uses ~/Library/Application Support/pip when that directory exists, else ~/.config/pip;
      // loadPipConfig reads the second only when the first has no pip.conf (it cannot see directories).
      files.user = [posixJoin(home, '.pip', 'pip.conf'), posixJoin(home, 'Library/Application Support/pip', 'pip.conf'), posixJoin(home, '.config/pip', 'pip.conf')];
    }
  } else {
    const dirs = get('XDG_CONFIG_DIRS');
    const list = dirs === undefined || pyStrip(dirs) === '' ? ['/etc/xdg'] : dirs.split(':');
    files.global = [...list.map((d) => posixJoin(expandHome(d, home, platform), 'pip', 'pip.conf')), '/etc/pip.conf'];
    const xdgHome = get('XDG_CONFIG_HOME');
    const configHome = xdgHome !== undefined && pyStrip(xdgHome) !== '' ? xdgHome : home ? posixJoin(home, '.config') : undefined;
    if (home) files.user.push(posixJoin(home, '.pip', 'pip.conf'));
    if (configHome) files.user.push(posixJoin(configHome, 'pip', 'pip.conf'));
  }
  if (prefix) files.site = [posixJoin(prefix, 'pip.conf')];
  return files;
}

export interface PipSetting<T> {
  value: T;
  /** Where the winning value was written: `/etc/pip.conf [global] index-url` or `PIP_INDEX_URL`. */
  source: string;
}

export interface PipConfig {
  indexUrl?: PipSetting<string>;
  extraIndexUrls?: PipSetting<string[]>;
  noIndex?: PipSetting<boolean>;
  trustedHosts?: PipSetting<string[]>;
  /** --cert: a CA bundle (PEM) that replaces the default trust store. */
  cert?: PipSetting<string>;
  /** --client-cert: one PEM file holding the client certificate and its private key. */
  clientCert?: PipSetting<string>;
  /** Configuration files that exist and were read, lowest priority first. */
  files: string[];
  /** Why a file or value was ignored, as sentences (pip itself would stop with an error). */
  warnings: string[];
}

type Dest = 'indexUrl' | 'extraIndexUrls' | 'noIndex' | 'trustedHosts' | 'cert' | 'clientCert';
// The install command's options these keys set (pip looks keys up as `--<key>`; --pypi-url is an alias).
const DESTS: Record<string, Dest> = {
  'index-url': 'indexUrl',
  'pypi-url': 'indexUrl',
  'extra-index-url': 'extraIndexUrls',
  'no-index': 'noIndex',
  'trusted-host': 'trustedHosts',
  cert: 'cert',
  'client-cert': 'clientCert',
};
const TRUE = new Set(['y', 'yes', 't', 'true', 'on', '1']);
const FALSE = new Set(['n', 'no', 'f', 'false', 'off', '0']);
const DEVNULL: Record<Platform, string> = { linux: '/dev/null', darwin: '/dev/null', win32: 'nul' };

interface Item {
  value: string;
  source: string;
}

// configuration._normalize_name
function normalizeName(name: string): string {
  const n = name.toLowerCase().replaceAll('_', '-');
  return n.startsWith('--') ? n.slice(2) : n;
}

/** Reads pip's configuration files and PIP_* variables and returns what `pip install` would use; never throws. */
export async function loadPipConfig(input: PipFileInput & { readFile: (path: string) => Promise<string | undefined> }): Promise<PipConfig> {
  const result: PipConfig = { files: [], warnings: [] };
  const files = pipConfigFiles(input);
  const variants = new Map<string, Map<string, Item>>([['global', new Map()], ['user', new Map()], ['site', new Map()], ['env', new Map()]]);
  const read = async (p: string) => {
    try {
      return await input.readFile(p);
    } catch {
      return undefined;
    }
  };
  const load = async (variant: string, p: string) => {
    const text = await read(p);
    if (text === undefined) return false;
    result.files.push(p);
    const parsed = parseIni(text);
    if (!parsed.ok) {
      result.warnings.push(`pip cannot read ${p} (line ${parsed.line}: ${parsed.error}) and stops with an error; Pinsight ignores that file.`);
      return true;
    }
    const into = variants.get(variant) as Map<string, Item>;
    for (const section of parsed.ini.sections.keys()) {
      for (const { key, value, fromDefault } of iniItems(parsed.ini, section)) {
        into.set(`${section}.${normalizeName(key)}`, { value, source: `${p} [${fromDefault ? 'DEFAULT' : section}] ${key}` });
      }
    }
    return true;
  };
  if (files.env === undefined || files.env !== DEVNULL[input.platform]) {
    const envFileExists = files.env !== undefined && files.env !== '' && (await load('env', files.env));
    for (const p of files.global) await load('global', p);
    // A $PIP_CONFIG_FILE that exists replaces the user's files (configuration.iter_config_files).
    if (!envFileExists) await loadUserFiles(input.platform, files.user, (p) => load('user', p));
    for (const p of files.site) await load('site', p);
  }
  const envItems = new Map<string, Item>();
  for (const [name, value] of Object.entries(input.env)) {
    const upper = input.platform === 'win32' ? name.toUpperCase() : name;
    if (value === undefined || !upper.startsWith('PIP_')) continue;
    const key = normalizeName(upper.slice(4));
    if (key !== 'version' && key !== 'help') envItems.set(`:env:.${key}`, { value, source: upper });
  }
  const merged = new Map<string, Item>();
  for (const variant of ['global', 'user', 'site', 'env']) for (const [k, v] of variants.get(variant) as Map<string, Item>) merged.set(k, v);
  for (const [k, v] of envItems) merged.set(k, v);
  applyOptions(merged, result);
  return result;
}

async function loadUserFiles(platform: Platform, user: string[], load: (p: string) => Promise<boolean>): Promise<void> {
  if (platform !== 'darwin') {
    for (const p of user) await load(p);
    return;
  }
  const [legacy, appSupport, dotConfig] = user;
  if (legacy) await load(legacy);
  if (appSupport && !(await load(appSupport)) && dotConfig) await load(dotConfig);
}

// ConfigOptionParser._update_defaults: pool by section, apply [global], then [install], then env.
function applyOptions(merged: Map<string, Item>, result: PipConfig): void {
  const order = ['global', 'install', ':env:'];
  const pools = new Map<string, Array<[string, Item]>>(order.map((s) => [s, []]));
  for (const [sectionKey, item] of merged) {
    if (item.value === '') continue; // pip ignores empty values
    const dot = sectionKey.indexOf('.');
    pools.get(sectionKey.slice(0, dot))?.push([sectionKey.slice(dot + 1), item]);
  }
  for (const section of order) {
    for (const [key, item] of pools.get(section) as Array<[string, Item]>) {
      const dest = DESTS[key];
      if (dest === 'indexUrl' || dest === 'cert' || dest === 'clientCert') result[dest] = { value: item.value, source: item.source };
      else if (dest === 'extraIndexUrls' || dest === 'trustedHosts') result[dest] = { value: splitWords(item.value), source: item.source };
      else if (dest === 'noIndex') {
        const word = item.value.toLowerCase();
        if (TRUE.has(word) || FALSE.has(word)) result.noIndex = { value: TRUE.has(word), source: item.source };
        else result.warnings.push(`${item.source} is '${clip(item.value)}', which is not yes/no, true/false or 1/0; pip stops with an error, and Pinsight ignores the setting.`);
      }
    }
  }
}

/** Python's str.split(): runs of whitespace separate words. */
export function splitWords(text: string): string[] {
  return text.split(new RegExp(`[${PY_WS}]+`)).filter((w) => w !== '');
}
