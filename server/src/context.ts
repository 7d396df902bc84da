import type { Connection, TextDocuments } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Analysis } from './core/analyze';
import type { Runtime } from './core/runtime';
import type { PinsightSettings } from '../../common/settings';

/** The latest analysis of an open document, tagged with the document version it was made from. */
export interface AnalysisEntry {
  version: number;
  analysis: Analysis | null;
}

/** What every feature handler shares. Built once in server.ts. */
export interface ServerContext {
  connection: Connection;
  documents: TextDocuments<TextDocument>;
  runtime: Runtime;
  analyses: Map<string, AnalysisEntry>;
  getSettings(uri: string): Promise<PinsightSettings>;
  /** Resolves with the analysis of the document's current version, or null when it is not a manifest. */
  analysisFor(uri: string): Promise<Analysis | null>;
}
