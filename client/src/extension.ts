import type { ExtensionContext } from 'vscode';
import { PinsightClient } from './client';

let client: PinsightClient | undefined;

export async function activate(context: ExtensionContext): Promise<void> {
  client = new PinsightClient(context);
  // Activation returns at once: the server starts in the background (the status item says
  // "Starting" meanwhile), so VS Code never waits on a process spawn or the Python extension.
  void client.start();
}

export async function deactivate(): Promise<void> {
  await client?.dispose();
  client = undefined;
}
