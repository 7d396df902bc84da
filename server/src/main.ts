// stdio entry of the language server: builds the real runtime and starts the server.
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { createNodeRuntime } from './node/runtime';
import { startServer } from './server';

process.on('unhandledRejection', (reason) => {
  // Handlers catch their own errors; this is a last line so that a bug never kills the server.
  process.stderr.write(`pinsight: unhandled rejection: ${String(reason instanceof Error ? reason.stack : reason)}\n`);
});

const connection = createConnection(ProposedFeatures.all);
startServer(connection, (openText) => createNodeRuntime(openText));
