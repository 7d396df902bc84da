import type { CancellationToken } from 'vscode-languageserver/node';

/** An AbortSignal that follows a request's cancellation token (undefined when the request has none). */
export function signalOf(token: CancellationToken | undefined): AbortSignal | undefined {
  if (!token) return undefined;
  const controller = new AbortController();
  if (token.isCancellationRequested) controller.abort();
  token.onCancellationRequested(() => controller.abort());
  return controller.signal;
}
