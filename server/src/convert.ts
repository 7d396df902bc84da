// Core types -> LSP types. The only module that knows both.
import { URI } from 'vscode-uri';
import {
  Diagnostic,
  DiagnosticRelatedInformation,
  DiagnosticSeverity,
  type Position as LspPosition,
  type Range as LspRange,
} from 'vscode-languageserver/node';
import type { Finding, Position, Range, Severity } from './core/model';

export function pathToUri(path: string): string {
  return URI.file(path).toString();
}

export function uriToPath(uri: string): string | null {
  const parsed = URI.parse(uri);
  return parsed.scheme === 'file' ? parsed.fsPath : null;
}

export function toLspPosition(position: Position): LspPosition {
  return { line: position.line, character: position.character };
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

/** A finding as a diagnostic; `severity` overrides the finding's own (the pinsight.severity setting). */
export function toLspDiagnostic(finding: Finding, severity: Severity = finding.severity): Diagnostic {
  const diagnostic = Diagnostic.create(toLspRange(finding.range), finding.message, toLspSeverity(severity), finding.code, 'pinsight');
  if (finding.related.length > 0) {
    diagnostic.relatedInformation = finding.related.map((r) =>
      DiagnosticRelatedInformation.create({ uri: pathToUri(r.path), range: toLspRange(r.range) }, r.message),
    );
  }
  return diagnostic;
}
