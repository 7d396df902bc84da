// Stand-ins for the `vscode` and `vscode-languageclient/node` modules, enough to run the extension's
// client code in node and count what it registers and disposes. The bundle that uses them is built
// by the test with esbuild, aliasing the two modules to this file's exports.
export const live = { watchers: 0, notificationHandlers: 0, clients: 0, created: { watchers: 0, notificationHandlers: 0, clients: 0 } };

const disposable = (kind) => {
  live[kind]++;
  live.created[kind]++;
  let done = false;
  return { dispose: () => (done ? undefined : ((done = true), live[kind]--)) };
};

class EventEmitter {
  constructor() {
    this.event = () => ({ dispose() {} });
  }
  fire() {}
  dispose() {}
}

/** Workspace trust: grantTrust() flips isTrusted and fires onDidGrantWorkspaceTrust, as VS Code does. */
const trustListeners = new Set();
export function grantTrust() {
  vscode.workspace.isTrusted = true;
  for (const listener of [...trustListeners]) listener();
}
export function resetTrust(trusted) {
  vscode.workspace.isTrusted = trusted;
}
/** Every LanguageClient made: its options and the notifications it sent. */
export const clients = [];

export const vscode = {
  EventEmitter,
  Disposable: { from: (...items) => ({ dispose: () => items.forEach((i) => i.dispose()) }) },
  window: { createOutputChannel: () => ({ appendLine() {}, show() {}, dispose() {} }) },
  languages: { createLanguageStatusItem: () => ({ dispose() {} }) },
  LanguageStatusSeverity: { Information: 0, Warning: 1, Error: 2 },
  workspace: {
    workspaceFolders: undefined,
    isTrusted: true,
    onDidGrantWorkspaceTrust: (listener) => {
      trustListeners.add(listener);
      return { dispose: () => trustListeners.delete(listener) };
    },
    createFileSystemWatcher: () => disposable('watchers'),
    getConfiguration: () => ({ get: () => undefined }),
    registerTextDocumentContentProvider: () => ({ dispose() {} }),
  },
  Uri: { joinPath: (base, ...parts) => ({ fsPath: [base.fsPath, ...parts].join('/') }) },
  commands: { registerCommand: () => ({ dispose() {} }) },
  extensions: { getExtension: () => undefined },
};

export class LanguageClient {
  constructor(id, name, serverOptions, clientOptions) {
    this.running = false;
    this.handle = null;
    this.options = clientOptions;
    this.serverOptions = serverOptions;
    this.sent = [];
    clients.push(this);
  }
  async start() {
    this.handle = disposable('clients');
    this.running = true;
  }
  async stop() {
    this.running = false;
    this.handle?.dispose();
  }
  isRunning() {
    return this.running;
  }
  onNotification() {
    return disposable('notificationHandlers');
  }
  async sendNotification(method, params) {
    this.sent.push({ method, params });
  }
}
