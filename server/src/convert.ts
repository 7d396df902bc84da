// Core types -> LSP types. The only module that knows both.
import { URI } from 'vscode-uri';
import {
  Diagnostic,
  DiagnosticRelatedInformation,
  DiagnosticSeverity,
  type Range as LspRange,
} from 'vscode-languageserver/node';
import type { Finding, Range, Severity } from './core/model';

export function pathToUri(path: string): string {
  return URI.file(path).toString();
}

export function uriToPath(uri: string): string | null {
  const parsed = URI.parse(uri);
  return parsed.scheme === 'file' ? parsed.fsPath : null;
}

export function toLspRange(range: Range): LspRange {
  return { start: { ...range.start }, end: { ...range.end } };
}

function toLspSeverity(severity: Severity): DiagnosticSeverity {
  switch (severity) {
    case 'error':
      return DiagnosticSeverity.Error;
    case 'warning':
      return DiagnosticSeverity.Warning;
    case 'information':
      return DiagnosticSeverity.Information;
    default:
      return DiagnosticSeverity.Hint;
  }
}

export function toLspDiagnostic(finding: Finding): Diagnostic {
  const diagnostic = Diagnostic.create(toLspRange(finding.range), finding.message, toLspSeverity(finding.severity), finding.code, 'pinsight');
  if (finding.related.length > 0) {
    diagnostic.relatedInformation = finding.related.map((r) =>
      DiagnosticRelatedInformation.create({ uri: pathToUri(r.path), range: toLspRange(r.range) }, r.message),
    );
  }
  return diagnostic;
}
