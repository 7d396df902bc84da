// Speaks JSON-RPC to dist/server.js over stdio, as an editor would. No sleeps: every wait is an
// event with a deadline.
import { spawn } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { isolatedEnv } from './isolatedEnv.mjs';
import { SERVER_EXEC_ARGV } from '../../dist/common/serverProcess.js';

const serverPath = fileURLToPath(new URL('../../dist/server.js', import.meta.url));

export function fileUri(path) {
  return pathToFileURL(path).href;
}

/** Starts the server and returns a client with helpers; call close() in a finally/after hook. */
// `env`: variables added to the isolated environment (undefined removes one).
export async function startServer({ settings = { enable: true, checkRegistries: false }, configuration = true, initializationOptions = {}, rootUri = null, capabilities, clientInfo, execArgv = [], env = {} } = {}) {
  // The flags the client starts the server with (common/serverProcess.ts), then the test's own.
  const child = spawn(process.execPath, [...SERVER_EXEC_ARGV, ...execArgv, serverPath, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'], env: isolatedEnv(env) });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  // Everything the server wrote to the client, for tests that look for what must never be sent.
  const transcript = [];
  child.stdout.on('data', (d) => transcript.push(d));
  // Writes racing the server's exit must not surface as unhandled errors.
  child.stdin.on('error', () => undefined);
  const connection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const diagnostics = new Map(); // uri -> latest params
  const waiters = new Set();
  const statuses = [];
  connection.onNotification('textDocument/publishDiagnostics', (params) => {
    diagnostics.set(params.uri, params);
    for (const w of [...waiters]) w();
  });
  connection.onNotification('pinsight/status', (params) => {
    statuses.push(params);
    for (const w of [...waiters]) w();
  });
  const checked = [];
  connection.onNotification('pinsight/checked', (params) => {
    checked.push(params);
    for (const w of [...waiters]) w();
  });
  const logs = [];
  connection.onNotification('window/logMessage', (params) => logs.push(params));
  connection.onRequest('workspace/configuration', (params) => params.items.map(() => settings));
  connection.onRequest('client/registerCapability', () => null);
  connection.listen();
  await connection.sendRequest('initialize', {
    processId: process.pid,
    initializationOptions,
    rootUri,
    clientInfo,
    capabilities: capabilities ?? { workspace: { configuration, didChangeConfiguration: { dynamicRegistration: true } }, textDocument: { hover: { contentFormat: ['markdown'] } } },
  });
  connection.sendNotification('initialized', {});

  const versions = new Map();
  const client = {
    connection,
    statuses,
    logs,
    /** Every byte the server sent on stdout so far (all LSP messages), as text. */
    get transcript() {
      return Buffer.concat(transcript).toString('utf8');
    },
    pid: child.pid,
    get stderr() {
      return stderr;
    },
    settings,
    open(uri, text, languageId = 'plaintext') {
      versions.set(uri, 1);
      connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version: 1, text } });
      return 1;
    },
    change(uri, text) {
      const version = (versions.get(uri) ?? 0) + 1;
      versions.set(uri, version);
      connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
      return version;
    },
    /** Closes a document (named apart from close(), which shuts the server down: one object key cannot be both). */
    closeDocument(uri) {
      connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
    },
    /** Resolves with the diagnostics published for uri that satisfy predicate (default: any, for the latest version). */
    waitForDiagnostics(uri, predicate = () => true, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const latest = diagnostics.get(uri);
          const wanted = versions.get(uri);
          if (latest && (latest.version === undefined || latest.version === wanted || wanted === undefined) && predicate(latest.diagnostics)) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(latest.diagnostics);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`No matching diagnostics for ${uri} within ${timeoutMs} ms; latest: ${JSON.stringify(diagnostics.get(uri))}\nserver stderr: ${stderr}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    checkedCount(uri) {
      return checked.filter((c) => c.uri === uri).length;
    },
    /** Resolves when stages 2 and 3 have published for the document's latest version (skipping the first `after` reports). */
    waitForChecked(uri, timeoutMs = 30_000, { after = 0 } = {}) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = checked.filter((c) => c.uri === uri).slice(after).find((c) => c.version === versions.get(uri));
          if (hit) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve({ checked: hit, diagnostics: diagnostics.get(uri)?.diagnostics ?? [] });
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`No pinsight/checked for ${uri} version ${versions.get(uri)} within ${timeoutMs} ms; got ${JSON.stringify(checked)}\nserver stderr: ${stderr}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    /** Resolves with the first pinsight/status report (from index `after` on) that satisfies predicate. */
    waitForStatus(predicate, timeoutMs = 10_000, { after = 0 } = {}) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = statuses.slice(after).find(predicate);
          if (hit) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(hit);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`No matching pinsight/status within ${timeoutMs} ms; got ${JSON.stringify(statuses.slice(after))}\nserver stderr: ${stderr}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    request(method, params) {
      return connection.sendRequest(method, params);
    },
    async close() {
      const exited = new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', resolve)));
      try {
        await connection.sendRequest('shutdown');
        await connection.sendNotification('exit');
      } catch {
        // the server may already be gone
      }
      // The server exits on 'exit'; kill it only if it has not within the deadline.
      const deadline = setTimeout(() => child.kill(), 5000);
      await exited;
      clearTimeout(deadline);
      connection.dispose();
    },
  };
  return client;
}
