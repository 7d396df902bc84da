import * as vscode from 'vscode';
import type { PythonEnvironmentParams } from '../../common/protocol';

// The small part of the Python extension's API (ms-python.python) that Pinsight reads.
interface PythonApi {
  environments?: {
    getActiveEnvironmentPath(resource?: vscode.Uri): { path: string } | undefined;
    resolveEnvironment(env: { path: string } | string): Promise<{ version?: { major?: number; minor?: number; micro?: number } } | undefined>;
    onDidChangeActiveEnvironmentPath?: vscode.Event<unknown>;
  };
}

async function pythonApi(): Promise<PythonApi | undefined> {
  const extension = vscode.extensions.getExtension<PythonApi>('ms-python.python');
  if (!extension) return undefined;
  try {
    return extension.isActive ? extension.exports : await extension.activate();
  } catch {
    return undefined;
  }
}

/** The selected interpreter's version, or null; never throws (the Python extension is optional). */
export async function selectedPython(): Promise<PythonEnvironmentParams> {
  const api = await pythonApi();
  try {
    const active = api?.environments?.getActiveEnvironmentPath(vscode.workspace.workspaceFolders?.[0]?.uri);
    if (!active) return { version: null };
    const resolved = await api!.environments!.resolveEnvironment(active);
    const v = resolved?.version;
    if (v?.major === undefined || v.minor === undefined) return { version: null, path: active.path };
    return { version: `${v.major}.${v.minor}${v.micro !== undefined ? `.${v.micro}` : ''}`, path: active.path };
  } catch {
    return { version: null };
  }
}

/** Calls back whenever the user selects another interpreter. */
export async function onPythonChange(callback: () => void): Promise<vscode.Disposable | undefined> {
  const event = (await pythonApi())?.environments?.onDidChangeActiveEnvironmentPath;
  return event ? event(() => callback()) : undefined;
}
