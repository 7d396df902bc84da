import * as vscode from 'vscode';
import { Commands } from '../../common/commands';
import type { StatusParams } from '../../common/protocol';

/** The language status item shown beside manifests, driven by the server's pinsight/status. */
export class StatusItem implements vscode.Disposable {
  private readonly item: vscode.LanguageStatusItem;

  constructor(selector: vscode.DocumentSelector) {
    this.item = vscode.languages.createLanguageStatusItem('pinsight.status', selector);
    this.item.name = 'Pinsight';
    this.item.command = { title: 'Show Output', command: Commands.showOutput };
  }

  set(status: StatusParams): void {
    this.item.text = `Pinsight: ${status.text}`;
    this.item.detail = status.detail;
    this.item.busy = status.state === 'busy';
    this.item.severity = status.state === 'error' ? vscode.LanguageStatusSeverity.Error : vscode.LanguageStatusSeverity.Information;
  }

  dispose(): void {
    this.item.dispose();
  }
}
