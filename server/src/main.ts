// stdio entry of the language server: builds the real runtime and starts the server.
import { createConnection, ProposedFeatures, StreamMessageReader, StreamMessageWriter, type Message, type MessageWriter } from 'vscode-languageserver/node';
import { redact, redactDeep } from './core/redact';
import { createNodeRuntime } from './node/runtime';
import { startServer } from './server';

process.on('unhandledRejection', (reason) => {
  // Handlers catch their own errors; this is a last line so that a bug never kills the server.
  process.stderr.write(redact(`pinsight: unhandled rejection: ${String(reason instanceof Error ? reason.stack : reason)}\n`));
});

// Every message to the editor (diagnostics, hovers, logs, status, command results) goes through
// the one redaction function. Edits keep their text: they rewrite the user's own file.
const KEEP = new Set(['newText']);
function redactingWriter(inner: MessageWriter): MessageWriter {
  return {
    onError: inner.onError,
    onClose: inner.onClose,
    write: (message: Message) => inner.write(redactDeep(message, KEEP)),
    end: () => inner.end(),
    dispose: () => inner.dispose(),
  };
}

const connection = createConnection(ProposedFeatures.all, new StreamMessageReader(process.stdin), redactingWriter(new StreamMessageWriter(process.stdout)));
startServer(connection, (openText) => createNodeRuntime(openText));
