import * as vscode from 'vscode';
import { Commands, type RunInTerminalArgs } from '../../common/commands';
import { ClearCacheRequest, ExplainRequest, RefreshRequest, UpdateAllRequest, WhyRequest, type ExplainResult, type UpdateAllResult, type WhyResult } from '../../common/protocol';
import type { PinsightClient } from './client';
import { ReadOnlyDocuments } from './readOnlyDocuments';

/**
 * The command table. Each entry says what it does while the server is down: restart starts it
 * again; showOutput and runInTerminal work regardless; the others say the server is not running.
 */
export function registerCommands(context: vscode.ExtensionContext, client: PinsightClient): void {
  const documents = new ReadOnlyDocuments();
  context.subscriptions.push(documents.register());
  const table: Record<string, (...args: never[]) => unknown> = {
    [Commands.restartServer]: () => client.restart(), // server down: starts it
    [Commands.showOutput]: () => client.showOutput(), // server down: still shows the log
    [Commands.runInTerminal]: (args: RunInTerminalArgs) => runInTerminal(args), // server down: still runs what the user clicked
    [Commands.explainConflict]: () => explainConflict(client, documents), // server down: says so
    [Commands.whyIsThisHere]: () => whyIsThisHere(client, documents), // server down: says so
    [Commands.updateAll]: () => updateAll(client), // server down: says so
    [Commands.refresh]: () => client.request(RefreshRequest, {}), // server down: says so
    [Commands.clearCache]: () => client.request(ClearCacheRequest, {}), // server down: says so
  };
  for (const [id, run] of Object.entries(table)) context.subscriptions.push(vscode.commands.registerCommand(id, run));
}

function activeManifest(): vscode.TextEditor | undefined {
  const editor = vscode.window.activeTextEditor;
  if (!editor) void vscode.window.showInformationMessage('Open a requirements file, pyproject.toml or package.json first.');
  return editor;
}

async function explainConflict(client: PinsightClient, documents: ReadOnlyDocuments): Promise<void> {
  const editor = activeManifest();
  if (!editor) return;
  const result = await client.request<ExplainResult>(ExplainRequest, { uri: editor.document.uri.toString() });
  if (result) await documents.show(`Conflicts in ${editor.document.fileName.split(/[\\/]/).pop()}`, result.markdown);
}

async function whyIsThisHere(client: PinsightClient, documents: ReadOnlyDocuments): Promise<void> {
  const editor = activeManifest();
  if (!editor) return;
  const position = editor.selection.active;
  const result = await client.request<WhyResult>(WhyRequest, { uri: editor.document.uri.toString(), position: { line: position.line, character: position.character } });
  if (!result) return;
  if (result.markdown === null) return void vscode.window.showInformationMessage('Put the cursor on a dependency to see why it is here.');
  await documents.show('Why is this here', result.markdown);
}

async function updateAll(client: PinsightClient): Promise<void> {
  const result = await client.request<UpdateAllResult>(UpdateAllRequest, {});
  if (!result) return;
  const skipped = result.skipped.length > 0 ? ` Left alone: ${result.skipped.join(' ')}` : '';
  if (result.updated === 0) return void vscode.window.showInformationMessage(`Every exact pin is already at its highest compatible version.${skipped}`);
  const edit = new vscode.WorkspaceEdit();
  for (const [uri, edits] of Object.entries(result.edit.changes)) {
    for (const e of edits) edit.replace(vscode.Uri.parse(uri), new vscode.Range(e.range.start.line, e.range.start.character, e.range.end.line, e.range.end.character), e.newText);
  }
  // One workspace edit: a single undo in each file takes it back.
  const applied = await vscode.workspace.applyEdit(edit);
  void vscode.window.showInformationMessage(applied ? `Updated ${result.updated} pin${result.updated === 1 ? '' : 's'} to the highest compatible version.${skipped}` : 'The update could not be applied (a file changed meanwhile): run it again.');
}

/** Runs a fix's command where the user sees it: a terminal in the project folder, shown, never hidden. */
function runInTerminal(args: RunInTerminalArgs | undefined): void {
  if (!args || typeof args.line !== 'string' || typeof args.cwd !== 'string') return;
  const terminal = vscode.window.createTerminal({ name: 'Pinsight', cwd: args.cwd });
  terminal.show();
  terminal.sendText(args.line, true);
}
