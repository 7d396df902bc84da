// .npmrc files and npm_config_* variables as npm 11 reads them (@npmcli/config with the `ini`
// package), reduced to what Pinsight needs: which registry serves each package, and which
// credential goes to which URL. Auth follows npm-registry-fetch's nerf-dart walk, so a token is sent
// only where npm would send it, and never to another host or to a path outside its prefix.

import { rememberAuthorization, rememberSecret } from '../../redact';
import path from 'node:path';
import type { Connection } from '../../http/connection';
import { basicAuth } from '../../http/httpSupport';
import { loadNpmConnection } from './npmConnection';

export type NpmrcValue = string | boolean | null | string[];

export interface NpmrcParse {
  /** Top-level keys in file order; a later line replaces an earlier one, `key[]` lines collect. */
  values: Map<string, NpmrcValue>;
  /** Lines npm's ini parser drops or files under a [section] (which npm never reads as settings). 1-based. */
  ignored: Array<{ line: number; reason: string }>;
}

export type NpmConfigLayer = 'cli' | 'env' | 'project' | 'user' | 'global' | 'default';

export interface NpmRegistryConfig {
  /** The `registry` setting, with a trailing slash. */
  defaultRegistry: string;
  /** `@scope:registry` settings by scope (with its `@`), each with a trailing slash. */
  scopes: Record<string, string>;
  /** The Authorization header npm would send to this URL, or undefined. */
  authorization(url: URL): string | undefined;
  /** Where defaultRegistry came from. */
  registrySource: NpmConfigLayer;
  /** The config files consulted, in precedence order, and whether each was there. */
  files: Array<{ layer: NpmConfigLayer; path: string; found: boolean }>;
  /** legacy-peer-deps, strict-peer-deps and force, which change what npm calls a peer conflict. */
  peerDeps: { legacyPeerDeps: boolean; strictPeerDeps: boolean; force: boolean };
  /** Trust, verification and proxy for registry requests (cafile, ca, strict-ssl, https-proxy, proxy, noproxy); set by loadNpmConfig. */
  connection?: Connection;
  /** Settings Pinsight could not use, as sentences. */
  warnings?: string[];
}

/** npm's built-in default registry. */
export const DEFAULT_NPM_REGISTRY = 'https://registry.npmjs.org/';

// ---- the ini format, as the `ini` package (v4/v5) decodes it ----

function isQuoted(text: string): boolean {
  return text.length >= 2 && ((text.startsWith('"') && text.endsWith('"')) || (text.startsWith("'") && text.endsWith("'")));
}

/** ini's `unsafe`: unquote (JSON for double quotes), else cut at an unescaped `;` or `#`. */
function unsafe(raw: string): string {
  const text = raw.trim();
  if (isQuoted(text)) {
    const inner = text.startsWith("'") ? text.slice(1, -1) : text;
    try {
      const parsed: unknown = JSON.parse(inner);
      return typeof parsed === 'string' ? parsed : inner;
    } catch {
      return inner;
    }
  }
  let out = '';
  let escaped = false;
  for (const ch of text) {
    if (escaped) {
      out += '\\;#'.includes(ch) ? ch : `\\${ch}`;
      escaped = false;
    } else if (ch === ';' || ch === '#') break;
    else if (ch === '\\') escaped = true;
    else out += ch;
  }
  if (escaped) out += '\\';
  return out.trim();
}

/** Parses .npmrc text as npm's ini decoder does; never throws. Values are not yet env-expanded. */
export function parseNpmrc(text: string): NpmrcParse {
  const values = new Map<string, NpmrcValue>();
  const ignored: NpmrcParse['ignored'] = [];
  let section: string | undefined;
  // ini splits on runs of CR/LF; line numbers here count LF so that they match an editor's.
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  lines.forEach((rawLine, index) => {
    const line = rawLine.replace(/\r+$/, '').replace(/\r/g, '\n');
    for (const part of line.split('\n')) {
      if (part === '' || /^\s*[;#]/.test(part) || /^\s*$/.test(part)) continue;
      const m = /^\[([^\]]*)\]\s*$|^([^=]+)(=(.*))?$/.exec(part);
      if (!m) {
        ignored.push({ line: index + 1, reason: 'not a key=value line' });
        continue;
      }
      if (m[1] !== undefined) {
        section = unsafe(m[1]);
        continue;
      }
      const rawKey = unsafe(m[2]);
      const isArray = rawKey.length > 2 && rawKey.endsWith('[]');
      const key = isArray ? rawKey.slice(0, -2) : rawKey;
      if (section !== undefined) {
        ignored.push({ line: index + 1, reason: `"${key}" is under [${section}], which npm does not read as a setting` });
        continue;
      }
      if (key === '__proto__' || key === '') continue;
      const rawValue = m[3] !== undefined ? unsafe(m[4]) : true;
      const value: NpmrcValue = rawValue === 'true' ? true : rawValue === 'false' ? false : rawValue === 'null' ? null : rawValue;
      const previous = values.get(key);
      if (isArray && !Array.isArray(previous)) values.set(key, previous === undefined ? [] : [String(previous)]);
      const current = values.get(key);
      if (Array.isArray(current)) current.push(String(value));
      else values.set(key, value);
    }
  });
  return { values, ignored };
}

/** npm's env-replace: `${VAR}` (left as written when unset), `${VAR?}` (empty when unset), `\${VAR}` literal. */
export function expandNpmEnv(text: string, env: Record<string, string | undefined>): string {
  return text.replace(/(?<!\\)(\\*)\$\{([^${}?]+)(\?)?\}/g, (whole: string, escapes: string, name: string, optional: string | undefined) => {
    const fallback = optional === '?' ? '' : `\${${name}}`;
    const value = env[name] !== undefined ? (env[name] as string) : fallback;
    if (escapes.length % 2 === 1) return whole.slice((escapes.length + 1) / 2);
    return escapes.slice(escapes.length / 2) + value;
  });
}

// ---- layers ----

/** One layer's settings after npm's per-layer processing (env expansion of keys and string values, trimming). */
export type NpmSettings = Map<string, NpmrcValue>;

function expandLayer(values: Map<string, NpmrcValue>, env: Record<string, string | undefined>): NpmSettings {
  const out: NpmSettings = new Map();
  for (const [key, value] of values) {
    out.set(expandNpmEnv(key, env), typeof value === 'string' ? expandNpmEnv(value.trim(), env) : value);
  }
  return out;
}

/** The env layer: `npm_config_*` in any case, empty values skipped, `_` to `-` and lower-cased except nerf-darted keys. */
export function envSettings(env: Record<string, string | undefined>): NpmSettings {
  const raw = new Map<string, NpmrcValue>();
  for (const [name, value] of Object.entries(env)) {
    if (!/^npm_config_/i.test(name) || value === undefined || value === '') continue;
    let key = name.slice('npm_config_'.length);
    if (!key.startsWith('//')) key = key.replace(/(?!^)_/g, '-').toLowerCase();
    raw.set(key, value);
  }
  return expandLayer(raw, env);
}

/** A file layer: parse, then expand as npm does. */
export function fileSettings(text: string, env: Record<string, string | undefined>): NpmSettings {
  const settings = expandLayer(parseNpmrc(text).values, env);
  // Credentials never reach a message, whether or not a request ever carries them.
  for (const [key, value] of settings) {
    if (typeof value !== 'string' || !/(^|:)(_authToken|_auth|_password)$/.test(key)) continue;
    rememberSecret(value);
    if (!key.endsWith('_authToken')) rememberAuthorization(`Basic ${value}`);
  }
  return settings;
}

function firstString(layers: NpmSettings[], key: string): string | undefined {
  for (const layer of layers) {
    const value = layer.get(key);
    if (typeof value === 'string') return value;
  }
  return undefined;
}

/** A registry URL with a trailing slash, or undefined when it is not an http(s) URL (npm drops such values). */
export function normalizeRegistry(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    return value.replace(/\/*$/, '/');
  } catch {
    return undefined;
  }
}

// ---- auth: npm-registry-fetch's regFromURI and Auth ----

// Buffer.from(x, 'base64') is lenient; so is this: invalid characters are dropped, padding repaired.
function decodeBase64(text: string): string {
  const clean = text.replace(/[^A-Za-z0-9+/\-_]/g, '').replace(/-/g, '+').replace(/_/g, '/');
  try {
    const binary = atob(clean + '='.repeat((4 - (clean.length % 4)) % 4));
    return new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
  } catch {
    return '';
  }
}

type Lookup = (key: string) => string | undefined;

function hasAuth(regKey: string, get: Lookup): boolean {
  return (
    get(`${regKey}:_authToken`) !== undefined ||
    get(`${regKey}:_auth`) !== undefined ||
    (get(`${regKey}:username`) !== undefined && get(`${regKey}:_password`) !== undefined) ||
    (get(`${regKey}:certfile`) !== undefined && get(`${regKey}:keyfile`) !== undefined)
  );
}

/** The Authorization value npm sends to a URL: the longest `//host[:port]/path` key with auth, walked up segment by segment. */
export function authorizationFor(url: URL, get: Lookup): string | undefined {
  let regKey = `//${url.host}${url.pathname}`;
  while (regKey.length > 2) {
    if (hasAuth(regKey, get)) {
      const token = get(`${regKey}:_authToken`);
      if (token !== undefined) return `Bearer ${token}`;
      const auth = get(`${regKey}:_auth`);
      if (auth !== undefined) return `Basic ${auth}`;
      const username = get(`${regKey}:username`);
      const password = get(`${regKey}:_password`);
      if (username !== undefined && password !== undefined) return basicAuth(username, decodeBase64(password));
      return undefined; // a client certificate only: no header
    }
    // `//host/a/b/` -> `//host/a/b` -> `//host/a/` ...: never `//host/ab` for a key `//host/a`.
    regKey = regKey.replace(/([^/]+|\/)$/, '');
  }
  // npm would fall back to the registry's credential for another path on the same host; Pinsight
  // fetches only packuments, which live under the registry's own prefix, so it never needs to.
  return undefined;
}

/** npm's nerf dart of a registry URL: `//host[:port]/path/` (the directory part, no scheme). */
export function nerfDart(registry: string): string {
  const parsed = new URL(registry);
  const rel = new URL('.', `${parsed.protocol}//${parsed.host}${parsed.pathname}`);
  return `//${rel.host}${rel.pathname}`;
}

// ---- resolution ----

export interface ResolvedLayer {
  layer: NpmConfigLayer;
  settings: NpmSettings;
}

/** Resolves layers given highest precedence first (cli, env, project, user, global). */
export function resolveNpmConfig(layers: ResolvedLayer[], files: NpmRegistryConfig['files'] = []): NpmRegistryConfig {
  let defaultRegistry = DEFAULT_NPM_REGISTRY;
  let registrySource: NpmConfigLayer = 'default';
  for (const { layer, settings } of layers) {
    const value = settings.get('registry');
    const registry = normalizeRegistry(typeof value === 'string' ? value : undefined);
    if (registry !== undefined) {
      defaultRegistry = registry;
      registrySource = layer;
      break;
    }
  }
  const scopes: Record<string, string> = {};
  // Lowest precedence first, so that higher layers overwrite.
  for (const { settings } of [...layers].reverse()) {
    for (const [key, value] of settings) {
      const m = /^(@[^:/]+):registry$/.exec(key);
      const registry = m && typeof value === 'string' ? normalizeRegistry(value) : undefined;
      if (m && registry !== undefined) scopes[m[1]] = registry;
    }
  }
  const all = layers.map((l) => l.settings);
  // npm ignores empty credentials (`hasAuth` tests truthiness).
  const get: Lookup = (key) => {
    const value = firstString(all, key);
    return value === '' ? undefined : value;
  };
  const flag = (key: string): boolean => {
    for (const layer of all) {
      const value = layer.get(key);
      // npm's boolean settings: `true`/`false` in files and variables, bare keys as true.
      if (value !== undefined && value !== null) return value === true || (typeof value === 'string' && value.trim().toLowerCase() === 'true');
    }
    return false;
  };
  const peerDeps = { legacyPeerDeps: flag('legacy-peer-deps'), strictPeerDeps: flag('strict-peer-deps'), force: flag('force') };
  return { defaultRegistry, scopes, registrySource, files, peerDeps, authorization: (url: URL) => authorizationFor(url, get) };
}

/** The registry npm would ask for a package: its scope's registry, else the default. */
export function registryForPackage(config: Pick<NpmRegistryConfig, 'defaultRegistry' | 'scopes'>, name: string): string {
  const scope = /^(@[^/]+)\//.exec(name)?.[1];
  return (scope !== undefined ? config.scopes[scope] : undefined) ?? config.defaultRegistry;
}

export interface NpmConfigInput {
  /** The folder holding package.json; its `.npmrc` is the project layer. */
  projectDir: string;
  /** The user's home folder (npm uses $HOME, else the OS's idea of it). */
  home?: string;
  env: Record<string, string | undefined>;
  /** The file's text, or undefined when it does not exist or cannot be read. */
  readFile: (path: string) => Promise<string | undefined>;
  /** Reads the file a setting names (cafile); defaults to readFile. */
  readSettingFile?: (path: string) => Promise<string | undefined>;
  /** `--registry` on the command line, or the editor setting that stands for it. */
  cliRegistry?: string;
  /** npm's global prefix when $PREFIX is unset (dirname(dirname(node)) on Unix); without it the global npmrc is skipped. */
  globalPrefix?: string;
  platform?: 'linux' | 'darwin' | 'win32';
}

// Path settings are resolved as npm's parse-field does: `~/` against home, relative against the project.
function resolvePath(p: string, input: NpmConfigInput): string {
  const lib = input.platform === 'win32' ? path.win32 : path.posix;
  const home = input.platform === 'win32' ? /^~[\\/]/ : /^~\//;
  if (home.test(p) && input.home) return lib.join(input.home, p.slice(2));
  return lib.isAbsolute(p) ? lib.normalize(p) : lib.join(input.projectDir, p);
}

/** Reads the project, user and global npmrc files and the environment, and resolves them with npm's precedence. */
export async function loadNpmConfig(input: NpmConfigInput): Promise<NpmRegistryConfig> {
  const lib = input.platform === 'win32' ? path.win32 : path.posix;
  const layers: ResolvedLayer[] = [];
  const files: NpmRegistryConfig['files'] = [];
  if (input.cliRegistry !== undefined && input.cliRegistry !== '') layers.push({ layer: 'cli', settings: new Map([['registry', input.cliRegistry]]) });
  const env = envSettings(input.env);
  layers.push({ layer: 'env', settings: env });
  const read = async (layer: NpmConfigLayer, file: string) => {
    const text = await input.readFile(file).catch(() => undefined);
    files.push({ layer, path: file, found: text !== undefined });
    const settings = text === undefined ? new Map() : fileSettings(text, input.env);
    layers.push({ layer, settings });
    return settings;
  };
  // Each file may move the next one: the project's .npmrc can name userconfig, either can name globalconfig or prefix.
  const userPath = (() => {
    const named = firstString([env], 'userconfig');
    return named !== undefined ? resolvePath(named, input) : input.home ? lib.join(input.home, '.npmrc') : undefined;
  })();
  const projectPath = lib.join(input.projectDir, '.npmrc');
  // npm skips the project file when it is the user file (a project in the home folder).
  const project = projectPath === userPath ? new Map() : await read('project', projectPath);
  const userNamed = firstString([env, project], 'userconfig');
  const userFile = userNamed !== undefined ? resolvePath(userNamed, input) : userPath;
  const user = userFile === undefined ? new Map() : await read('user', userFile);
  const globalNamed = firstString([env, project, user], 'globalconfig');
  const prefix = firstString([env, project, user], 'prefix') ?? input.env.PREFIX ?? input.globalPrefix;
  const globalFile = globalNamed !== undefined ? resolvePath(globalNamed, input) : prefix ? lib.join(resolvePath(prefix, input), 'etc', 'npmrc') : undefined;
  if (globalFile !== undefined) await read('global', globalFile);
  const tls = await loadNpmConnection({ layers, env: input.env, readFile: input.readSettingFile ?? input.readFile, resolvePath: (p) => resolvePath(p, input) });
  return { ...resolveNpmConfig(layers, files), connection: tls.connection, warnings: tls.warnings };
}
