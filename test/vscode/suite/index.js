// Runs inside VS Code's extension host (loaded by @vscode/test-electron through runTest.mjs).
// A minimal check that the extension activates, picks the language, and publishes Pinsight
// diagnostics; the detailed UI checks live in test/e2e (code-server). Waits are events with deadlines.
const assert = require('node:assert/strict');
const path = require('node:path');
const vscode = require('vscode');

const DEADLINE_MS = 30_000;

/** Resolves with the Pinsight diagnostics of `uri` once `accept` holds for them, or rejects at the deadline. */
function waitForDiagnostics(uri, accept) {
  return new Promise((resolve, reject) => {
    const current = () => vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'pinsight');
    const check = () => {
      const found = current();
      if (!accept(found)) return false;
      subscription.dispose();
      clearTimeout(timer);
      resolve(found);
      return true;
    };
    const subscription = vscode.languages.onDidChangeDiagnostics((event) => {
      if (event.uris.some((u) => u.toString() === uri.toString())) check();
    });
    // A deadline, not a sleep: it only fires if the diagnostics never arrive.
    const timer = setTimeout(() => {
      subscription.dispose();
      reject(new Error(`no matching Pinsight diagnostics for ${uri.fsPath} within ${DEADLINE_MS} ms; last: ${JSON.stringify(current())}`));
    }, DEADLINE_MS);
    check(); // they may already be there
  });
}

async function run() {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'runTest.mjs opens a copy of examples/seed as the workspace');
  const uri = vscode.Uri.file(path.join(folder.uri.fsPath, 'requirements.txt'));
  const document = await vscode.workspace.openTextDocument(uri);
  const editor = await vscode.window.showTextDocument(document);
  assert.equal(document.languageId, 'pip-requirements');

  const extension = vscode.extensions.getExtension('pinsight.pinsight');
  assert.ok(extension, 'the extension under development is loaded');
  await extension.activate();

  // Break the last requirement, then wait for the server's stage-1 error on that line.
  const line = document.lineCount - 1;
  await editor.edit((edit) => edit.insert(new vscode.Position(line, 0), 'requests>=>2\n'));
  const diagnostics = await waitForDiagnostics(uri, (found) => found.some((d) => d.range.start.line === line));
  const problem = diagnostics.find((d) => d.range.start.line === line);
  assert.equal(problem.severity, vscode.DiagnosticSeverity.Error);
  assert.match(problem.message, />=>2/);

  // Remove the line again (an edit, not the undo command, which needs window focus) and wait for the error to go away.
  await editor.edit((edit) => edit.delete(new vscode.Range(line, 0, line + 1, 0)));
  await waitForDiagnostics(uri, (found) => found.length === 0);

  const hovers = await vscode.commands.executeCommand('vscode.executeHoverProvider', uri, positionOf(document, 'websockets'));
  const hoverText = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
  assert.match(hoverText, /Pinned for the \/ws endpoint/);
}

function positionOf(document, text) {
  const offset = document.getText().indexOf(text);
  assert.ok(offset >= 0, `${text} is in ${document.uri.fsPath}`);
  return document.positionAt(offset + 1);
}

module.exports = { run };
