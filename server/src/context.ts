import type { Connection, TextDocuments } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Analysis } from './core/project/analyze';
import type { StagesResult } from './core/project/stages';
import type { Runtime } from './core/runtime';
import type { HostRegistries } from './node/registries';
import type { WorkspaceIndex } from './features/workspaceIndex';
import type { PinsightSettings } from '../../common/settings';

/** The latest analysis of an open document, tagged with the document version it was made from. */
export interface AnalysisEntry {
  version: number;
  analysis: Analysis | null;
}

/** The latest registry and resolver result of an open document (stages 2 and 3). */
export interface OnlineEntry {
  version: number;
  analysis: Analysis;
  result: StagesResult;
}

/** What every feature handler shares. Built once in server.ts. */
export interface ServerContext {
  connection: Connection;
  documents: TextDocuments<TextDocument>;
  runtime: Runtime;
  analyses: Map<string, AnalysisEntry>;
  online: Map<string, OnlineEntry>;
  /** The workspace folder's manifests, for comparing pins across files. */
  workspace: WorkspaceIndex;
  /** The first workspace folder, which bounds the search for a project's virtualenv. */
  workspaceRoot?: string;
  /** Whether the workspace is trusted; untrusted: stage 1 only, no registry request, no ${VAR} expansion. */
  trusted: boolean;
  /** The interpreter the Python extension selected (pinsight/pythonEnvironment), if any. */
  selectedPython?: { version: string; path?: string };
  getSettings(uri: string): Promise<PinsightSettings>;
  /** Resolves with the analysis of the document's current version, or null when it is not a manifest. */
  analysisFor(uri: string): Promise<Analysis | null>;
  /** The registry stack for these settings (shared while the settings that shape it are equal). */
  registriesFor(settings: PinsightSettings): HostRegistries;
  /** Publishes stage-1 findings plus the online ones when they belong to the current version. */
  publish(uri: string): Promise<void>;
  /** Asks the editor to request inlay hints again (new registry results), when it supports that. */
  refreshInlayHints(): void;
  /** Tells the client what the server is doing (pinsight/status). */
  reportStatus(): void;
}
