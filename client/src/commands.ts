import * as vscode from 'vscode';
import { Commands } from '../../common/commands';
import type { PinsightClient } from './client';

/**
 * The command table. Each entry says what it does while the server is down: restart starts it
 * again; showOutput works regardless.
 */
export function registerCommands(context: vscode.ExtensionContext, client: PinsightClient): void {
  const table: Record<string, () => unknown> = {
    [Commands.restartServer]: () => client.restart(), // server down: starts it
    [Commands.showOutput]: () => client.showOutput(), // server down: still shows the log
  };
  for (const [id, run] of Object.entries(table)) context.subscriptions.push(vscode.commands.registerCommand(id, run));
}
