import { CodeAction, CodeActionKind, type CodeActionParams, type TextEdit as LspTextEdit, type WorkspaceEdit } from 'vscode-languageserver/node';
import type { Finding, Fix } from '../core/model';
import { pathToUri, toLspRange } from '../convert';
import type { ServerContext } from '../context';
import { Commands, type RunInTerminalArgs } from '../../../common/commands';

function sameRange(a: Finding['range'], b: { start: { line: number; character: number }; end: { line: number; character: number } }): boolean {
  return a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;
}

function toWorkspaceEdit(fix: Fix): WorkspaceEdit {
  const changes: Record<string, LspTextEdit[]> = {};
  for (const edit of fix.edits) (changes[pathToUri(edit.path)] ??= []).push({ range: toLspRange(edit.range), newText: edit.newText });
  return { changes };
}

/**
 * Quick fixes for Pinsight's diagnostics under the cursor: each finding's fixes (the highest
 * compatible version, the upgrade that unlocks a newer one). Nothing is applied without the user.
 */
export async function provideCodeActions(ctx: ServerContext, params: CodeActionParams): Promise<CodeAction[]> {
  const uri = params.textDocument.uri;
  const document = ctx.documents.get(uri);
  if (!document) return [];
  const stage1 = ctx.analyses.get(uri);
  const online = ctx.online.get(uri);
  const findings = [
    ...(stage1?.version === document.version ? (stage1.analysis?.findings ?? []) : []),
    ...(online?.version === document.version ? online.result.findings : []),
  ];
  const actions: CodeAction[] = [];
  for (const diagnostic of params.context.diagnostics) {
    if (diagnostic.source !== 'pinsight') continue;
    const finding = findings.find((f) => f.code === diagnostic.code && sameRange(f.range, diagnostic.range) && f.message === diagnostic.message);
    for (const fix of finding?.fixes ?? []) {
      const action = CodeAction.create(fix.title, toWorkspaceEdit(fix), CodeActionKind.QuickFix);
      if (fix.run) {
        const args: RunInTerminalArgs = { line: fix.run.line, cwd: fix.run.cwd };
        action.command = { title: fix.title, command: Commands.runInTerminal, arguments: [args] };
      }
      action.diagnostics = [diagnostic];
      if (fix.preferred) action.isPreferred = true;
      actions.push(action);
    }
  }
  return actions;
}
