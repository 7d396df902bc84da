// Which PyPI client a manifest tree uses. Index configuration depends on the manifest
// (requirements-file options, uv indexes), so clients are made per configuration and shared
// between manifests that configure alike; all share the context's RegistryHttp.

import type { RegistryContext } from '../../ecosystem';
import { scopedHttp } from '../../http/credentials';
import type { ParsedManifest } from '../../model';
import { loadPythonIndexConfig, type PythonIndexConfig } from './indexConfig';
import { ParsedBodies, PypiClient } from './pypi';

export interface PythonServices {
  client: PypiClient | null;
  config: PythonIndexConfig;
}

/** Makes and shares PyPI clients for manifest trees. */
export class PythonIndexServices {
  private readonly clients = new Map<string, PypiClient>();
  /** One parse of each answer for every client (each manifest tree has its own, for its credentials). */
  readonly parsed = new ParsedBodies();

  constructor(private readonly context: RegistryContext) {}

  /** The PyPI client for a manifest tree (root first); client is null under --no-index. */
  async pypiFor(manifests: ParsedManifest[]): Promise<PythonServices> {
    const root = manifests[0];
    const manifestOptions = manifests
      .filter((m) => m.kind === 'requirements')
      .flatMap((m) => m.options.map((o) => ({ name: o.name, value: o.value, path: m.path, line: o.range.start.line + 1 })));
    const pyproject = root?.kind === 'pyproject' ? pyprojectIndexes(root) : undefined;
    const { settings } = this.context;
    const isolated = settings.isolated === true;
    const config = await loadPythonIndexConfig({
      settings: { indexUrl: settings.indexUrl, extraIndexUrls: settings.extraIndexUrls, origin: settings.origin },
      manifestOptions,
      pyproject,
      env: isolated ? {} : this.context.env,
      home: isolated ? undefined : this.context.home,
      platform: this.context.platform,
      readFile: isolated ? async () => undefined : this.context.readFile,
    });
    // The tree's credentials are what its configuration holds now (a rotated .netrc or index URL
    // replaces them), and only its own requests carry them.
    const scope = `python\n${root?.path ?? ''}`;
    this.context.credentials.set(scope, config);
    if (config.indexes.length === 0) return { client: null, config };
    const key = [scope, config.connection.id, ...config.indexes.map((i) => i.url)].join('\n');
    let client = this.clients.get(key);
    if (!client) {
      client = new PypiClient(scopedHttp(this.context.http, this.context.credentials.forScope(scope)), config.indexes.map((i) => ({ url: i.url })), { connection: config.connection, parsed: this.parsed });
      this.clients.set(key, client);
    }
    return { client, config };
  }

  /** Configuration changed: make clients afresh on next use. */
  reset(): void {
    this.clients.clear();
  }
}

function pyprojectIndexes(manifest: ParsedManifest): NonNullable<Parameters<typeof loadPythonIndexConfig>[0]['pyproject']> {
  const uvIndexes = (manifest.meta?.uvIndexes ?? []) as Array<{ name?: string; url: string; default?: boolean; explicit?: boolean }>;
  const indexUrl = manifest.options.find((o) => o.name === 'index-url')?.value;
  const extras = manifest.options.filter((o) => o.name === 'extra-index-url').map((o) => o.value);
  return { uvIndexes, uvIndexUrl: indexUrl, uvExtraIndexUrls: extras, path: manifest.path };
}
