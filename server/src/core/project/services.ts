// Which registry clients a manifest uses. Index and registry configuration depend on the manifest
// (requirements-file options, uv indexes, the project's .npmrc), so clients are made per
// configuration and shared between manifests that configure alike; all share one RegistryHttp,
// whose cache and connection pools are process-wide.

import { dirname, join } from 'node:path';
import type { ParsedManifest } from '../model';
import type { RegistryHttp } from '../http/registryHttp';
import { NpmClient } from '../npm/registry/npmClient';
import { loadNpmConfig, type NpmRegistryConfig } from '../npm/registry/npmrc';
import { PypiClient } from '../python/index/pypi';
import { loadPythonIndexConfig, type PythonIndexConfig } from '../python/index/indexConfig';

export type Platform = 'linux' | 'darwin' | 'win32';

export interface RegistrySettings {
  indexUrl?: string;
  extraIndexUrls?: string[];
  npmRegistry?: string;
  /** Whether the settings came from the editor or the command line, for messages. */
  origin: 'setting' | 'cli';
  /**
   * Like pip's --isolated: ignore environment variables and user and global configuration (pip.conf,
   * .netrc, ~/.npmrc); only the settings and the project's own files count. For reproducible runs.
   */
  isolated?: boolean;
}

export interface ServicesInput {
  http: RegistryHttp;
  /** Where each loaded configuration registers its credentials (see createAuthorization). */
  auth: AuthorizationRegistry;
  settings: RegistrySettings;
  env: Record<string, string | undefined>;
  home?: string;
  platform: Platform;
  readFile: (path: string) => Promise<string | undefined>;
  /** npm's global prefix, for the global npmrc. */
  npmGlobalPrefix?: string;
}

/** One authorization callback for RegistryHttp, fed by every configuration loaded so far. */
export class AuthorizationRegistry {
  private readonly sources: Array<(url: URL) => string | undefined> = [];
  private readonly known = new Set<unknown>();

  add(source: { authorization(url: URL): string | undefined }): void {
    if (this.known.has(source)) return;
    this.known.add(source);
    this.sources.push((url) => source.authorization(url));
  }

  /** Each source scopes its own credentials to their host; the first that has one answers. */
  readonly authorization = (url: URL): string | undefined => {
    for (const source of this.sources) {
      const value = source(url);
      if (value !== undefined) return value;
    }
    return undefined;
  };
}

export interface NpmServices {
  client: NpmClient;
  config: NpmRegistryConfig;
}

export interface PythonServices {
  client: PypiClient | null;
  config: PythonIndexConfig;
}

/** Makes and shares registry clients for manifests. */
export class RegistryServices {
  private readonly pypiClients = new Map<string, PypiClient>();
  private readonly npmClients = new Map<string, Promise<NpmServices>>();

  constructor(private readonly input: ServicesInput) {}

  get http(): RegistryHttp {
    return this.input.http;
  }

  /** The PyPI client for a manifest tree (root first); client is null under --no-index. */
  async pypiFor(manifests: ParsedManifest[]): Promise<PythonServices> {
    const root = manifests[0];
    const manifestOptions = manifests
      .filter((m) => m.kind === 'requirements')
      .flatMap((m) => m.options.map((o) => ({ name: o.name, value: o.value, path: m.path, line: o.range.start.line + 1 })));
    const pyproject = root?.kind === 'pyproject' ? pyprojectIndexes(root) : undefined;
    const isolated = this.input.settings.isolated === true;
    const config = await loadPythonIndexConfig({
      settings: { indexUrl: this.input.settings.indexUrl, extraIndexUrls: this.input.settings.extraIndexUrls, origin: this.input.settings.origin },
      manifestOptions,
      pyproject,
      env: isolated ? {} : this.input.env,
      home: isolated ? undefined : this.input.home,
      platform: this.input.platform,
      readFile: isolated ? async () => undefined : this.input.readFile,
    });
    this.input.auth.add(config);
    if (config.indexes.length === 0) return { client: null, config };
    const key = config.indexes.map((i) => i.url).join('\n');
    let client = this.pypiClients.get(key);
    if (!client) {
      client = new PypiClient(this.input.http, config.indexes.map((i) => ({ url: i.url })));
      this.pypiClients.set(key, client);
    }
    return { client, config };
  }

  /** The npm client for a package.json (its folder's .npmrc, the user's, the global one). */
  npmFor(packageJsonPath: string): Promise<NpmServices> {
    const projectDir = dirname(packageJsonPath);
    let client = this.npmClients.get(projectDir);
    if (!client) {
      const isolated = this.input.settings.isolated === true;
      const projectNpmrc = join(projectDir, '.npmrc');
      client = loadNpmConfig({
        projectDir,
        home: isolated ? undefined : this.input.home,
        env: isolated ? {} : this.input.env,
        readFile: isolated ? (p) => (p === projectNpmrc ? this.input.readFile(p) : Promise.resolve(undefined)) : this.input.readFile,
        cliRegistry: this.input.settings.npmRegistry,
        globalPrefix: isolated ? undefined : this.input.npmGlobalPrefix,
        platform: this.input.platform,
      }).then((config) => {
        this.input.auth.add(config);
        return { client: new NpmClient(this.input.http, config), config };
      });
      this.npmClients.set(projectDir, client);
    }
    return client;
  }

  /** Configuration changed (a setting, an .npmrc): make clients afresh on next use. */
  reset(): void {
    this.pypiClients.clear();
    this.npmClients.clear();
  }
}

function pyprojectIndexes(manifest: ParsedManifest): NonNullable<Parameters<typeof loadPythonIndexConfig>[0]['pyproject']> {
  const uvIndexes = (manifest.meta?.uvIndexes ?? []) as Array<{ name?: string; url: string; default?: boolean; explicit?: boolean }>;
  const indexUrl = manifest.options.find((o) => o.name === 'index-url')?.value;
  const extras = manifest.options.filter((o) => o.name === 'extra-index-url').map((o) => o.value);
  return { uvIndexes, uvIndexUrl: indexUrl, uvExtraIndexUrls: extras, path: manifest.path };
}
