// Settings the client sends and the server reads (section `pinsight`). Defaults live here once;
// package.json's contributes.configuration mirrors them for the Settings UI.

export interface PinsightSettings {
  enable: boolean;
  /** Stages 2 and 3: registry checks and resolution (needs the network or a cache). */
  checkRegistries: boolean;
  /** Python index (like pip --index-url); empty: pip.conf, PIP_INDEX_URL, ... then PyPI. */
  pythonIndexUrl: string;
  pythonExtraIndexUrls: string[];
  /** npm registry; empty: .npmrc, npm_config_registry, then registry.npmjs.org. */
  npmRegistry: string;
  /** Python version to resolve for ('3.11'); empty: the selected interpreter or .venv, else requires-python. */
  pythonVersion: string;
  /** Platform to resolve for; empty: this machine's. */
  platform: '' | 'linux' | 'darwin' | 'win32';
  /** Use only cached registry answers. */
  offline: boolean;
  /** A recorded registry snapshot to answer from (air-gapped machines, demos, tests). */
  registrySnapshot: string;
  /** Milliseconds after an edit that leaves a broken line before registry checks start (a file that parses waits at most 60 ms). */
  debounceMs: number;
  /** Versions at a glance at the end of each dependency line. */
  inlayHints: boolean;
  /** Report exact pins older than their highest compatible version (pinsight.outdated.enable). */
  outdated: boolean;
  /** Which manifest kinds to check (pinsight.manifests). */
  manifests: Array<'requirements' | 'pyproject' | 'package.json'>;
  /** Per finding code: another severity, or 'off' to hide it (pinsight.severity.<code>). */
  severity: Record<string, SeverityOverride>;
  /** Seconds one document's registry checks and resolution may take before what is missing is reported. */
  registryTimeoutSeconds: number;
  /** Import-level checks of the installed Python environment (pinsight.importChecks.*). */
  importChecks: { enabled: boolean; maxFilesPerPackage: number; maxFilesPerCheck: number; maxBytesPerCheck: number; timeoutSeconds: number };
}

export type SeverityOverride = 'error' | 'warning' | 'information' | 'hint' | 'off';
const SEVERITIES = new Set<string>(['error', 'warning', 'information', 'hint', 'off']);
const KINDS = new Set<string>(['requirements', 'pyproject', 'package.json']);

export const defaultSettings: PinsightSettings = {
  enable: true,
  checkRegistries: true,
  pythonIndexUrl: '',
  pythonExtraIndexUrls: [],
  npmRegistry: '',
  pythonVersion: '',
  platform: '',
  offline: false,
  registrySnapshot: '',
  debounceMs: 400,
  inlayHints: true,
  outdated: false,
  manifests: ['requirements', 'pyproject', 'package.json'],
  severity: {},
  registryTimeoutSeconds: 120,
  importChecks: { enabled: true, maxFilesPerPackage: 1000, maxFilesPerCheck: 4000, maxBytesPerCheck: 16_000_000, timeoutSeconds: 30 },
};

const PLATFORMS = new Set(['', 'linux', 'darwin', 'win32']);

function pick<T>(value: unknown, fallback: T, valid: (v: unknown) => boolean): T {
  return valid(value) ? (value as T) : fallback;
}

const isString = (v: unknown) => typeof v === 'string';

/** Fills missing or wrongly typed settings with defaults; a bad setting never breaks the server. */
export function normalizeSettings(raw: unknown): PinsightSettings {
  const v = (raw ?? {}) as Record<string, unknown>;
  const python = (v.python ?? {}) as Record<string, unknown>;
  const npm = (v.npm ?? {}) as Record<string, unknown>;
  const d = defaultSettings;
  return {
    enable: pick(v.enable, d.enable, (x) => typeof x === 'boolean'),
    checkRegistries: pick(v.checkRegistries, d.checkRegistries, (x) => typeof x === 'boolean'),
    pythonIndexUrl: pick(python.indexUrl, d.pythonIndexUrl, isString).trim(),
    pythonExtraIndexUrls: pick(python.extraIndexUrls, d.pythonExtraIndexUrls, (x) => Array.isArray(x) && x.every(isString)),
    npmRegistry: pick(npm.registry, d.npmRegistry, isString).trim(),
    pythonVersion: pick(python.version, d.pythonVersion, (x) => isString(x) && /^(\d+\.\d+(\.\d+)?)?$/.test(String(x).trim())).trim(),
    platform: pick(python.platform, d.platform, (x) => PLATFORMS.has(String(x))),
    offline: pick(v.offline, d.offline, (x) => typeof x === 'boolean'),
    registrySnapshot: pick(v.registrySnapshot, d.registrySnapshot, isString).trim(),
    debounceMs: pick(v.debounceMs, d.debounceMs, (x) => typeof x === 'number' && x >= 0 && x <= 10_000),
    inlayHints: pick((v.inlayHints as Record<string, unknown> | undefined)?.enable, d.inlayHints, (x) => typeof x === 'boolean'),
    outdated: pick((v.outdated as Record<string, unknown> | undefined)?.enable, d.outdated, (x) => typeof x === 'boolean'),
    manifests: pick(v.manifests, d.manifests, (x) => Array.isArray(x) && x.every((k) => KINDS.has(String(k)))),
    severity: severityOverrides(v.severity),
    registryTimeoutSeconds: pick(v.registryTimeoutSeconds, d.registryTimeoutSeconds, (x) => typeof x === 'number' && x > 0 && x <= 3600),
    importChecks: importChecksOf(v.importChecks),
  };
}

function importChecksOf(raw: unknown): PinsightSettings['importChecks'] {
  const v = (raw ?? {}) as Record<string, unknown>;
  const d = defaultSettings.importChecks;
  return {
    enabled: pick(v.enable, d.enabled, (x) => typeof x === 'boolean'),
    maxFilesPerPackage: pick(v.maxFilesPerPackage, d.maxFilesPerPackage, (x) => Number.isInteger(x) && (x as number) >= 1 && (x as number) <= 100_000),
    maxFilesPerCheck: pick(v.maxFilesPerCheck, d.maxFilesPerCheck, (x) => Number.isInteger(x) && (x as number) >= 1 && (x as number) <= 1_000_000),
    maxBytesPerCheck: pick(v.maxBytesPerCheck, d.maxBytesPerCheck, (x) => Number.isInteger(x) && (x as number) >= 0 && (x as number) <= 1_000_000_000),
    timeoutSeconds: pick(v.timeoutSeconds, d.timeoutSeconds, (x) => typeof x === 'number' && Number.isFinite(x) && x > 0 && x <= 600),
  };
}

/** Only known levels survive: a typo in one code's setting must not hide every finding. */
function severityOverrides(raw: unknown): Record<string, SeverityOverride> {
  const out: Record<string, SeverityOverride> = {};
  if (raw && typeof raw === 'object') for (const [code, level] of Object.entries(raw)) if (typeof level === 'string' && SEVERITIES.has(level)) out[code] = level as SeverityOverride;
  return out;
}

/** Sent once at start-up (initializationOptions). */
export interface InitializationOptions {
  /** The extension's global storage: the registry cache lives under it. */
  cacheDir?: string;
  /** VS Code's http.proxy. */
  proxy?: string;
  /**
   * Whether the workspace is trusted (vscode.workspace.isTrusted); absent means trusted. Untrusted:
   * stage 1 only, no registry request, no ${VAR} expansion, nothing from the workspace's configuration.
   */
  trusted?: boolean;
}
