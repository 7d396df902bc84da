import * as vscode from 'vscode';

/** Read-only Markdown documents (Explain conflict, Why is this here) under the pinsight: scheme. */
export class ReadOnlyDocuments implements vscode.TextDocumentContentProvider {
  static readonly scheme = 'pinsight';
  private readonly contents = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  register(): vscode.Disposable {
    return vscode.Disposable.from(vscode.workspace.registerTextDocumentContentProvider(ReadOnlyDocuments.scheme, this), this.changed);
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.toString()) ?? '';
  }

  /** Shows `markdown` in a read-only editor titled `title` (the same title reuses its editor). */
  async show(title: string, markdown: string): Promise<void> {
    const uri = vscode.Uri.from({ scheme: ReadOnlyDocuments.scheme, path: `/${title}.md` });
    this.contents.set(uri.toString(), markdown);
    this.changed.fire(uri);
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document, { preview: true, viewColumn: vscode.ViewColumn.Beside });
  }
}
