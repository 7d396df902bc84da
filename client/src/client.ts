import * as vscode from 'vscode';
import type { LanguageClient, LanguageClientOptions, ServerOptions } from 'vscode-languageclient/node';

// The language client library is 98% of the extension's code: esbuild.mjs makes it its own file
// (dist/languageClient.js), loaded here when the server starts, after activation has returned.
function languageClient(): typeof import('vscode-languageclient/node') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('vscode-languageclient/node');
}
import { PythonEnvironmentNotification, StatusNotification, TrustNotification, type StatusParams, type TrustParams } from '../../common/protocol';
import { onPythonChange, selectedPython } from './pythonEnvironment';
import type { InitializationOptions } from '../../common/settings';
import { SERVER_EXEC_ARGV } from '../../common/serverProcess';
import { registerCommands } from './commands';
import { StatusItem } from './status';

/** Documents the server analyses: manifests on disk (and unsaved ones by name). */
export const MANIFEST_SELECTOR: Array<{ scheme: string; pattern: string }> = [
  { scheme: 'file', pattern: '**/requirements*.{txt,in}' },
  { scheme: 'file', pattern: '**/constraints*.{txt,in}' },
  { scheme: 'file', pattern: '**/requirements/**/*.{txt,in}' },
  { scheme: 'file', pattern: '**/*.pip' },
  { scheme: 'file', pattern: '**/pyproject.toml' },
  { scheme: 'file', pattern: '**/package.json' },
  // Team rules (docs/cli.md): the server reports their problems.
  { scheme: 'file', pattern: '**/pinsight.toml' },
];

/** Owns the language client and the UI around it; the server owns the work. */
export class PinsightClient {
  private client: LanguageClient | undefined;
  /** What one server session registered (file watcher, notification handlers); disposed when it stops. */
  private session: vscode.Disposable[] = [];
  private readonly output = vscode.window.createOutputChannel('Pinsight', { log: true });
  private readonly status = new StatusItem(MANIFEST_SELECTOR);

  constructor(private readonly context: vscode.ExtensionContext) {
    context.subscriptions.push(this.output, this.status);
    registerCommands(context, this);
  }

  async start(): Promise<void> {
    const { LanguageClient, TransportKind } = languageClient();
    const module = this.context.asAbsolutePath('dist/server.js');
    const serverOptions: ServerOptions = {
      run: { module, transport: TransportKind.stdio, options: { execArgv: [...SERVER_EXEC_ARGV] } },
      debug: { module, transport: TransportKind.stdio, options: { execArgv: ['--nolazy', '--inspect=6010', ...SERVER_EXEC_ARGV] } },
    };
    const init: InitializationOptions = {
      cacheDir: vscode.Uri.joinPath(this.context.globalStorageUri, 'registry-cache').fsPath,
      proxy: vscode.workspace.getConfiguration('http').get<string>('proxy') || undefined,
      // Untrusted: the server shows stage 1 only and sends nothing anywhere until trust is granted.
      trusted: vscode.workspace.isTrusted,
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: MANIFEST_SELECTOR,
      initializationOptions: init,
      outputChannel: this.output,
      synchronize: {
        configurationSection: 'pinsight',
        fileEvents: [
          // Included requirement files, configuration and lockfiles change on disk without being open.
          this.track(vscode.workspace.createFileSystemWatcher('**/{*.txt,*.in,*.pip,*.toml,.npmrc,pip.conf,pyvenv.cfg,uv.lock,poetry.lock,package-lock.json,npm-shrinkwrap.json}')),
          // An install (pip, uv sync, npm install) changes what is installed: each distribution's METADATA, npm's hidden lockfile.
          this.track(vscode.workspace.createFileSystemWatcher('**/{site-packages/*.dist-info/METADATA,node_modules/.package-lock.json}')),
        ],
      },
    };
    this.client = new LanguageClient('pinsight', 'Pinsight', serverOptions, clientOptions);
    this.status.set({ state: 'busy', text: 'Starting', manifests: 0 });
    try {
      await this.client.start();
    } catch (error) {
      this.status.set({ state: 'error', text: 'Server failed to start', detail: String(error), manifests: 0 });
      this.output.appendLine(`Pinsight could not start its language server: ${String(error)}`);
      return;
    }
    this.track(this.client.onNotification(StatusNotification, (params: StatusParams) => this.status.set(params)));
    this.status.set({ state: 'ok', text: 'Ready', manifests: 0 });
    if (!init.trusted) {
      this.track(vscode.workspace.onDidGrantWorkspaceTrust(() => void this.sendTrust()));
      // Trust may have been granted while the server was starting.
      if (vscode.workspace.isTrusted) await this.sendTrust();
    }
    await this.sendPythonEnvironment();
    const watcher = await onPythonChange(() => void this.sendPythonEnvironment());
    if (watcher) this.track(watcher);
  }

  private async sendTrust(): Promise<void> {
    const client = this.client;
    if (!client?.isRunning()) return;
    const params: TrustParams = { trusted: true };
    await client.sendNotification(TrustNotification, params).catch(() => undefined);
  }

  private track<T extends vscode.Disposable>(disposable: T): T {
    this.session.push(disposable);
    return disposable;
  }

  /** Tells the server which interpreter the Python extension selected (the resolution target). */
  private async sendPythonEnvironment(): Promise<void> {
    const client = this.client;
    if (!client?.isRunning()) return;
    await client.sendNotification(PythonEnvironmentNotification, await selectedPython()).catch(() => undefined);
  }

  get running(): boolean {
    return this.client?.isRunning() ?? false;
  }

  /** Sends a request to the server; undefined (and a message to the user) when it is not running. */
  async request<R>(method: string, params: unknown): Promise<R | undefined> {
    const client = this.client;
    if (!client?.isRunning()) {
      void vscode.window.showWarningMessage('The Pinsight server is not running: run "Pinsight: Restart Server".');
      return undefined;
    }
    return client.sendRequest<R>(method, params);
  }

  showOutput(): void {
    this.output.show(true);
  }

  async restart(): Promise<void> {
    await this.dispose();
    await this.start();
  }

  /** Stops the server and disposes what its session registered, so a restart starts clean. */
  async dispose(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    const session = this.session;
    this.session = [];
    if (client) await client.stop().catch(() => undefined);
    for (const disposable of session) disposable.dispose();
  }
}
