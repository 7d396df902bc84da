import type { ExtensionContext } from 'vscode';
import { PinsightClient } from './client';

let client: PinsightClient | undefined;

export async function activate(context: ExtensionContext): Promise<void> {
  client = new PinsightClient(context);
  await client.start();
}

export async function deactivate(): Promise<void> {
  await client?.dispose();
  client = undefined;
}
