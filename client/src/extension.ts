import type { ExtensionContext } from 'vscode';
import { PinsightClient } from './client';

let client: PinsightClient | undefined;

export async function activate(context: ExtensionContext): Promise<void> {
  const started = (client = new PinsightClient(context));
  // Activation returns at once: the server starts in the background (the status item says
  // "Starting" meanwhile), so VS Code never waits on a process spawn or the Python extension. The
  // start waits for the next turn of the event loop too: loading the language client library
  // (dist/languageClient.js) and making the client are synchronous work that would otherwise be
  // counted in activate(), before its first await.
  setImmediate(() => {
    if (client === started) void started.start();
  });
}

export async function deactivate(): Promise<void> {
  await client?.dispose();
  client = undefined;
}
