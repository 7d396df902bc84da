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
