import * as vscode from 'vscode';
import { Commands, type RunInTerminalArgs } from '../../common/commands';
import type { PinsightClient } from './client';

/**
 * The command table. Each entry says what it does while the server is down: restart starts it
 * again; showOutput works regardless.
 */
export function registerCommands(context: vscode.ExtensionContext, client: PinsightClient): void {
  const table: Record<string, (...args: never[]) => unknown> = {
    [Commands.restartServer]: () => client.restart(), // server down: starts it
    [Commands.showOutput]: () => client.showOutput(), // server down: still shows the log
    [Commands.runInTerminal]: (args: RunInTerminalArgs) => runInTerminal(args), // server down: still runs what the user clicked
  };
  for (const [id, run] of Object.entries(table)) context.subscriptions.push(vscode.commands.registerCommand(id, run));
}

/** Runs a fix's command where the user sees it: a terminal in the project folder, shown, never hidden. */
function runInTerminal(args: RunInTerminalArgs | undefined): void {
  if (!args || typeof args.line !== 'string' || typeof args.cwd !== 'string') return;
  const terminal = vscode.window.createTerminal({ name: 'Pinsight', cwd: args.cwd });
  terminal.show();
  terminal.sendText(args.line, true);
}
