// Every custom message between the Pinsight client and server. Names carry the `pinsight/` prefix.

/** server -> client: what the server is doing, for the language status item. */
export const StatusNotification = 'pinsight/status';

export interface StatusParams {
  /** 'ok': idle with results; 'busy': checking; 'error': something the user should look at. */
  state: 'ok' | 'busy' | 'error';
  /** One short sentence for the status item. */
  text: string;
  /** Longer detail for its tooltip. */
  detail?: string;
  /** Manifests currently tracked. */
  manifests: number;
}

/** server -> client: registry checks and resolution finished for this version of a document and were published. */
export const CheckedNotification = 'pinsight/checked';

export interface CheckedParams {
  uri: string;
  version: number;
  /** Findings published from stages 2 and 3. */
  findings: number;
}

/** client -> server: the interpreter the Python extension has selected, when there is one. */
export const PythonEnvironmentNotification = 'pinsight/pythonEnvironment';

export interface PythonEnvironmentParams {
  /** 'X.Y.Z', or null when no interpreter is selected (or the Python extension is absent). */
  version: string | null;
  /** The interpreter's path, for the status tooltip. */
  path?: string;
}

/** client -> server: the user granted workspace trust; registry checks may start. */
export const TrustNotification = 'pinsight/trust';

export interface TrustParams {
  trusted: boolean;
}

/** client -> server request: the full derivation of every conflict in a document, as Markdown. */
export const ExplainRequest = 'pinsight/explain';

export interface ExplainParams {
  uri: string;
}

export interface ExplainResult {
  /** Markdown for a read-only document; says so when the file has no conflict or has not been checked. */
  markdown: string;
}

/** client -> server request: why the package under the cursor is installed (the chains that bring it in). */
export const WhyRequest = 'pinsight/why';

export interface WhyParams {
  uri: string;
  position: { line: number; character: number };
}

export interface WhyResult {
  /** Markdown for a read-only document, or null when the cursor is on no dependency. */
  markdown: string | null;
}

/** client -> server request: one workspace edit that moves every exact pin of the open manifests to its highest compatible version. */
export const UpdateAllRequest = 'pinsight/updateAll';

export interface UpdateAllResult {
  /** LSP WorkspaceEdit (changes keyed by document URI); empty when nothing can be updated. */
  edit: { changes: Record<string, Array<{ range: { start: { line: number; character: number }; end: { line: number; character: number } }; newText: string }>> };
  /** How many lines the edit changes. */
  updated: number;
  /** Lines left alone, each with why ("websockets: protected by its `# pinned:` comment"). */
  skipped: string[];
}

/** client -> server request: check again, revalidating every cached registry answer (Refresh). */
export const RefreshRequest = 'pinsight/refresh';

/** client -> server request: delete the registry cache (memory and disk), then check again. */
export const ClearCacheRequest = 'pinsight/clearCache';
