import {
  DidChangeConfigurationNotification,
  TextDocumentSyncKind,
  TextDocuments,
  type Connection,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { normalizeSettings, type PinsightSettings } from '../../common/settings';
import { StatusNotification, type StatusParams } from '../../common/protocol';
import type { Runtime } from './core/runtime';
import { uriToPath } from './convert';
import type { AnalysisEntry, ServerContext } from './context';
import { DiagnosticsFeature } from './features/diagnostics';
import { provideDocumentSymbols } from './features/documentSymbols';
import { provideHover } from './features/hover';

/**
 * Wires capabilities and one handler per LSP method. `makeRuntime` receives a reader for open
 * documents so that includes see unsaved edits.
 */
export function startServer(connection: Connection, makeRuntime: (openText: (path: string) => string | undefined) => Runtime): void {
  const documents = new TextDocuments(TextDocument);
  const analyses = new Map<string, AnalysisEntry>();
  const settingsCache = new Map<string, Promise<PinsightSettings>>();
  let configurationPull = false;

  const openText = (path: string): string | undefined => {
    for (const doc of documents.all()) if (uriToPath(doc.uri) === path) return doc.getText();
    return undefined;
  };

  const ctx: ServerContext = {
    connection,
    documents,
    runtime: makeRuntime(openText),
    analyses,
    getSettings(uri) {
      if (!configurationPull) return Promise.resolve(normalizeSettings(undefined));
      let settings = settingsCache.get(uri);
      if (!settings) {
        settings = connection.workspace
          .getConfiguration({ scopeUri: uri, section: 'pinsight' })
          .then(normalizeSettings, () => normalizeSettings(undefined));
        settingsCache.set(uri, settings);
      }
      return settings;
    },
    async analysisFor(uri) {
      const document = documents.get(uri);
      return document ? diagnostics.analyze(document) : null;
    },
  };
  const diagnostics = new DiagnosticsFeature(ctx);

  const sendStatus = (): void => {
    const manifests = [...analyses.values()].filter((a) => a.analysis !== null).length;
    const status: StatusParams = { state: 'ok', text: `${manifests} manifest${manifests === 1 ? '' : 's'} checked`, manifests };
    void connection.sendNotification(StatusNotification, status).catch(() => undefined);
  };

  const revalidateAll = (): void => {
    for (const document of documents.all()) void diagnostics.validate(document).then(sendStatus, logError);
  };
  const logError = (error: unknown): void => connection.console.error(String(error instanceof Error ? error.stack : error));

  connection.onInitialize((params): InitializeResult => {
    configurationPull = params.capabilities.workspace?.configuration === true;
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        documentSymbolProvider: true,
        hoverProvider: true,
      },
      serverInfo: { name: 'pinsight', version: '0.1.0' },
    };
  });

  connection.onInitialized(() => {
    if (configurationPull) void connection.client.register(DidChangeConfigurationNotification.type, undefined).catch(() => undefined);
  });

  connection.onDidChangeConfiguration(() => {
    settingsCache.clear();
    revalidateAll();
  });

  // An included file changed on disk: every open manifest may depend on it.
  connection.onDidChangeWatchedFiles(() => {
    analyses.clear();
    revalidateAll();
  });

  documents.onDidOpen((e) => void diagnostics.validate(e.document).then(sendStatus, logError));
  documents.onDidChangeContent((e) => void diagnostics.validate(e.document).then(sendStatus, logError));
  documents.onDidClose((e) => {
    settingsCache.delete(e.document.uri);
    diagnostics.clear(e.document.uri);
    sendStatus();
  });

  connection.onDocumentSymbol((params) => provideDocumentSymbols(ctx, params).catch((e) => (logError(e), [])));
  connection.onHover((params) => provideHover(ctx, params).catch((e) => (logError(e), null)));

  documents.listen(connection);
  connection.listen();
}

