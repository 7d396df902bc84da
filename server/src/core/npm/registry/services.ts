// Which npm client a package.json uses: its folder's .npmrc, the user's and the global one decide
// the registry per scope and the tokens, so clients are made per project folder and share the
// context's RegistryHttp.

import { dirname, join } from 'node:path';
import type { RegistryContext } from '../../ecosystem';
import { scopedHttp } from '../../http/credentials';
import { NpmClient } from './npmClient';
import { loadNpmConfig, type NpmRegistryConfig } from './npmrc';

export interface NpmServices {
  client: NpmClient;
  config: NpmRegistryConfig;
}

/** Makes and shares npm clients for package.json files. */
export class NpmRegistryServices {
  private readonly clients = new Map<string, Promise<NpmServices>>();

  constructor(private readonly context: RegistryContext) {}

  /** The npm client for a package.json (its folder's .npmrc, the user's, the global one). */
  npmFor(packageJsonPath: string): Promise<NpmServices> {
    const projectDir = dirname(packageJsonPath);
    let client = this.clients.get(projectDir);
    if (!client) {
      const { context } = this;
      const isolated = context.settings.isolated === true;
      const projectNpmrc = join(projectDir, '.npmrc');
      client = loadNpmConfig({
        projectDir,
        home: isolated ? undefined : context.home,
        env: isolated ? {} : context.env,
        readFile: isolated ? (p) => (p === projectNpmrc ? context.readFile(p) : Promise.resolve(undefined)) : context.readFile,
        // A cafile the project's own .npmrc names is part of the project, even under --isolated.
        readSettingFile: context.readFile,
        cliRegistry: context.settings.npmRegistry,
        globalPrefix: isolated ? undefined : context.npmGlobalPrefix,
        platform: context.platform,
      }).then((config) => {
        // The project's tokens go with its own requests only; a reset (an .npmrc changed) forgets them.
        const scope = `npm\n${projectDir}`;
        context.credentials.set(scope, config);
        return { client: new NpmClient(scopedHttp(context.http, context.credentials.forScope(scope)), config), config };
      });
      this.clients.set(projectDir, client);
    }
    return client;
  }

  /** Configuration changed: make clients afresh on next use. */
  reset(): void {
    this.clients.clear();
  }
}
