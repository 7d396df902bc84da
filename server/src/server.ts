import {
  CodeActionKind,
  DidChangeConfigurationNotification,
  TextDocumentSyncKind,
  TextDocuments,
  type Connection,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { resolve } from 'node:path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  ClearCacheRequest,
  ExplainRequest,
  PythonEnvironmentNotification,
  RefreshRequest,
  StatusNotification,
  TrustNotification,
  UpdateAllRequest,
  WhyRequest,
  type ExplainParams,
  type PythonEnvironmentParams,
  type TrustParams,
  type WhyParams,
} from '../../common/protocol';
import { clearDiskCache, explainConflicts, updateAll, whyIsThisHere } from './features/commands';
import { normalizeSettings, type InitializationOptions, type PinsightSettings } from '../../common/settings';
import { WITHHELD_ENV, type Runtime } from './core/runtime';
import { uriToPath } from './convert';
import type { AnalysisEntry, OnlineEntry, ServerContext } from './context';
import { DiagnosticsFeature } from './features/diagnostics';
import { provideCodeActions } from './features/codeActions';
import { provideDocumentSymbols } from './features/documentSymbols';
import { provideHover } from './features/hover';
import { provideInlayHints } from './features/inlayHints';
import { provideCompletion } from './features/completion';
import { BackgroundChecks } from './features/backgroundChecks';
import { WorkspaceIndex } from './features/workspaceIndex';
import { statusOf } from './features/status';
import { isRuleFile } from './core/project/teamRules';
import { planWatchedChanges } from './core/project/watchedFiles';
import { createHostRegistries, type HostRegistries } from './node/registries';
import { snapshotStamp } from './node/snapshotTransport';

/** Files that only the drift stage reads: installed distributions' metadata and lockfiles. */
/**
 * In an untrusted workspace nothing of the workspace may choose where requests go: no registry check
 * at all (no request, so no index, registry or credential from its files or settings is used).
 */
function restrictUntrusted(settings: PinsightSettings, trusted: boolean): PinsightSettings {
  if (trusted) return settings;
  return { ...settings, checkRegistries: false, pythonIndexUrl: '', pythonExtraIndexUrls: [], npmRegistry: '', registrySnapshot: '', offline: false };
}

/**
 * Wires capabilities and one handler per LSP method. `makeRuntime` receives a reader for open
 * documents so that includes see unsaved edits.
 */
export function startServer(connection: Connection, makeRuntime: (openText: (path: string) => string | undefined) => Runtime): void {
  const documents = new TextDocuments(TextDocument);
  const analyses = new Map<string, AnalysisEntry>();
  const online = new Map<string, OnlineEntry>();
  const settingsCache = new Map<string, Promise<PinsightSettings>>();
  const registries = new Map<string, HostRegistries>();
  let configurationPull = false;
  let inlayRefresh = false;
  let init: InitializationOptions = {};

  const openText = (path: string): string | undefined => {
    for (const doc of documents.all()) if (uriToPath(doc.uri) === path) return doc.getText();
    return undefined;
  };
  const logError = (error: unknown): void => connection.console.error(String(error instanceof Error ? error.stack : error));

  const runtime = makeRuntime(openText);
  const hostEnv = runtime.env;
  const ctx: ServerContext = {
    connection,
    documents,
    runtime,
    workspace: new WorkspaceIndex(runtime, (message) => connection.console.info(message)),
    analyses,
    online,
    trusted: true,
    getSettings(uri) {
      if (!configurationPull) return Promise.resolve(restrictUntrusted(normalizeSettings(undefined), ctx.trusted));
      let settings = settingsCache.get(uri);
      if (!settings) {
        const trusted = ctx.trusted;
        settings = connection.workspace
          .getConfiguration({ scopeUri: uri, section: 'pinsight' })
          .then(normalizeSettings, () => normalizeSettings(undefined))
          .then((s) => restrictUntrusted(s, trusted));
        settingsCache.set(uri, settings);
      }
      return settings;
    },
    async analysisFor(uri) {
      const document = documents.get(uri);
      return document ? diagnostics.analyze(document) : null;
    },
    registriesFor(settings) {
      // A relative snapshot path is the workspace's own file (examples, air-gapped checkouts); an
      // edited snapshot gets a fresh stack, so nothing read from its old content is served again.
      const snapshot = settings.registrySnapshot ? resolve(ctx.workspaceRoot ?? process.cwd(), settings.registrySnapshot) : undefined;
      const base = JSON.stringify([settings.pythonIndexUrl, settings.pythonExtraIndexUrls, settings.npmRegistry, settings.offline, snapshot ?? null]);
      const key = `${base}\n${snapshot ? snapshotStamp(snapshot) : ''}`;
      let stack = registries.get(key);
      if (!stack) {
        // The same settings over an older snapshot: that stack's answers are out of date.
        for (const [other, old] of registries) {
          if (other === key || !other.startsWith(`${base}\n`)) continue;
          registries.delete(other);
          void old.close().catch(() => undefined);
        }
        stack = createHostRegistries({
          settings: { indexUrl: settings.pythonIndexUrl || undefined, extraIndexUrls: settings.pythonExtraIndexUrls, npmRegistry: settings.npmRegistry || undefined, origin: 'setting' },
          cacheDir: init.cacheDir,
          offline: settings.offline,
          snapshot,
          proxy: init.proxy,
          env: process.env,
          readFile: (p) => ctx.runtime.readFile(p),
        });
        registries.set(key, stack);
      }
      return stack;
    },
    publish: (uri) => diagnostics.publish(uri),
    refreshInlayHints() {
      if (inlayRefresh) void connection.languages.inlayHint.refresh().catch(() => undefined);
    },
    reportStatus() {
      void connection.sendNotification(StatusNotification, statusOf(ctx, checks.busy, checks.waiting(), checks.phase)).catch(() => undefined);
    },
  };
  const diagnostics = new DiagnosticsFeature(ctx);
  const checks = new BackgroundChecks(ctx);

  const validate = async (live: TextDocument, cascade = true): Promise<void> => {
    // TextDocuments updates a document object in place as edits arrive: validate a frozen copy of
    // this version, or an older edit's text could be analysed and filed under a newer version.
    const document = TextDocument.create(live.uri, live.languageId, live.version, live.getText());
    const analysis = await diagnostics.validate(document);
    const current = documents.get(document.uri);
    if (current && current.version === document.version) checks.schedule(document, analysis, await ctx.getSettings(document.uri));
    // A rule file changed: the open manifests' rules (read with their analysis) and checks are stale.
    // Once only: what this re-validates does not cascade again.
    if (cascade && holdsRules(document)) {
      for (const other of documents.all()) {
        if (other.uri === document.uri) continue;
        analyses.delete(other.uri);
        void validate(other, false).catch(logError);
      }
    }
    // This file's pins may now agree or disagree with another open file's.
    for (const other of documents.all()) if (other.uri !== document.uri) void diagnostics.publish(other.uri).catch(logError);
    ctx.reportStatus();
  };
  // An untrusted workspace sees no environment variable; the registries are off through restrictUntrusted.
  const applyTrust = (trusted: boolean): void => {
    ctx.trusted = trusted;
    runtime.env = trusted ? hostEnv : WITHHELD_ENV;
  };
  const holdsRules = (document: TextDocument): boolean => {
    const path = uriToPath(document.uri);
    return !!path && (isRuleFile(path) || (/(^|[\\/])pyproject\.toml$/.test(path) && document.getText().includes('pinsight')));
  };
  const republishAll = (): void => {
    for (const document of documents.all()) void diagnostics.publish(document.uri).catch(logError);
  };
  const revalidateAll = (): void => {
    for (const document of documents.all()) void validate(document, false).catch(logError);
  };

  connection.onInitialize((params): InitializeResult => {
    configurationPull = params.capabilities.workspace?.configuration === true;
    inlayRefresh = params.capabilities.workspace?.inlayHint?.refreshSupport === true;
    init = (params.initializationOptions ?? {}) as InitializationOptions;
    applyTrust(init.trusted !== false);
    const folder = params.workspaceFolders?.[0]?.uri ?? params.rootUri;
    ctx.workspaceRoot = folder ? (uriToPath(folder) ?? undefined) : undefined;
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        documentSymbolProvider: true,
        hoverProvider: true,
        inlayHintProvider: true,
        completionProvider: { triggerCharacters: ['=', '>', '<', '~', '^', '[', ',', '"', '!'] },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
      },
      serverInfo: { name: 'pinsight', version: '0.1.0' },
    };
  });

  connection.onInitialized(() => {
    // Other manifests' pins matter to the open ones (inconsistent-pin): read them once, then re-publish.
    if (ctx.workspaceRoot) void ctx.workspace.load(ctx.workspaceRoot).then(republishAll);
    if (configurationPull) void connection.client.register(DidChangeConfigurationNotification.type, undefined).catch(() => undefined);
  });

  connection.onNotification(PythonEnvironmentNotification, (params: PythonEnvironmentParams) => {
    const next = params?.version ? { version: params.version, path: params.path } : undefined;
    if (next?.version === ctx.selectedPython?.version && next?.path === ctx.selectedPython?.path) return;
    ctx.selectedPython = next;
    online.clear();
    revalidateAll();
  });

  // Granting trust starts what an untrusted workspace may not do: registry checks, ${VAR} expansion.
  connection.onNotification(TrustNotification, (params: TrustParams) => {
    const trusted = params?.trusted === true;
    if (trusted === ctx.trusted) return;
    applyTrust(trusted);
    settingsCache.clear();
    for (const stack of registries.values()) void stack.close().catch(() => undefined);
    registries.clear();
    online.clear();
    analyses.clear();
    if (ctx.workspaceRoot) void ctx.workspace.load(ctx.workspaceRoot).then(republishAll);
    revalidateAll();
  });

  connection.onDidChangeConfiguration(() => {
    settingsCache.clear();
    for (const stack of registries.values()) void stack.close().catch(() => undefined);
    registries.clear();
    online.clear();
    revalidateAll();
  });

  // A file changed on disk: only the open documents that read it are read or checked again
  // (watchedFiles.ts sorts the paths; an install into .venv touches hundreds of watched *.txt).
  connection.onDidChangeWatchedFiles((params) => {
    const paths: string[] = [];
    for (const change of params.changes) {
      const path = uriToPath(change.uri);
      if (!path) continue;
      void ctx.workspace.changed(path, change.type);
      paths.push(path);
    }
    const open = documents.all().flatMap((d) => {
      const path = uriToPath(d.uri);
      return path ? [{ uri: d.uri, path, files: analyses.get(d.uri)?.analysis?.manifests.map((m) => m.path) ?? [path] }] : [];
    });
    const plan = planWatchedChanges(paths, open);
    connection.console.info(`Files changed on disk: ${plan.notes.join('. ')}.`);
    if (plan.configuration) for (const stack of registries.values()) stack.project.reset();
    for (const uri of plan.reparse) analyses.delete(uri);
    for (const document of documents.all()) {
      if (plan.reparse.has(document.uri) || plan.recheck.has(document.uri)) void validate(document, false).catch(logError);
    }
    // Pins agree or disagree across the workspace: the pin findings wait for the index to re-read the file.
    if (plan.republish) republishAll();
  });

  documents.onDidOpen((e) => void validate(e.document).catch(logError));
  documents.onDidChangeContent((e) => void validate(e.document).catch(logError));
  documents.onDidClose((e) => {
    settingsCache.delete(e.document.uri);
    checks.cancel(e.document.uri);
    diagnostics.clear(e.document.uri);
    ctx.reportStatus();
  });

  connection.onDocumentSymbol((params) => provideDocumentSymbols(ctx, params).catch((e) => (logError(e), [])));
  connection.onHover((params, token) => provideHover(ctx, params, token).catch((e) => (logError(e), null)));
  connection.onCompletion((params, token) => provideCompletion(ctx, params, token).catch((e) => (logError(e), [])));
  connection.languages.inlayHint.on((params, token) => provideInlayHints(ctx, params, token).catch((e) => (logError(e), [])));
  connection.onCodeAction((params) => provideCodeActions(ctx, params).catch((e) => (logError(e), [])));
  connection.onRequest(ExplainRequest, (params: ExplainParams) => explainConflicts(ctx, params).catch((e) => (logError(e), { markdown: 'Pinsight could not explain this file: see the Pinsight output.' })));
  connection.onRequest(WhyRequest, (params: WhyParams, token) => whyIsThisHere(ctx, params, token).catch((e) => (logError(e), { markdown: null })));
  connection.onRequest(UpdateAllRequest, (_params: unknown, token) =>
    updateAll(ctx, token).catch((e) => (logError(e), { edit: { changes: {} }, updated: 0, skipped: ['Pinsight could not plan the update: see the Pinsight output.'] })),
  );
  connection.onRequest(RefreshRequest, () => {
    for (const stack of registries.values()) {
      stack.http.revalidateAll();
      stack.project.reset();
    }
    online.clear();
    analyses.clear();
    revalidateAll();
    return null;
  });
  connection.onRequest(ClearCacheRequest, async () => {
    const stacks = [...registries.values()];
    registries.clear();
    await Promise.all(stacks.map((stack) => stack.close().catch(() => undefined)));
    await clearDiskCache(init.cacheDir).catch(logError);
    online.clear();
    analyses.clear();
    revalidateAll();
    return null;
  });
  connection.onShutdown(async () => {
    checks.dispose();
    await Promise.all([...registries.values()].map((stack) => stack.close().catch(() => undefined)));
  });

  documents.listen(connection);
  connection.listen();
}
