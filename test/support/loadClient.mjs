// The extension client (client/src/client.ts) bundled against the fake vscode module and a fake
// language client (test/support/fakeVscode.mjs), for unit tests of the client without an editor.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';

const root = fileURLToPath(new URL('../..', import.meta.url));
const fake = fileURLToPath(new URL('./fakeVscode.mjs', import.meta.url));

/** Bundles the client into `dir` and imports it. */
export async function loadClient(dir) {
  writeFileSync(join(dir, 'vscode.mjs'), `export * from ${JSON.stringify(pathToFileURL(fake).href)};\nimport { vscode } from ${JSON.stringify(pathToFileURL(fake).href)};\nexport default vscode;\nexport const { window, languages, LanguageStatusSeverity, workspace, Uri, commands, extensions, EventEmitter, Disposable } = vscode;\n`);
  writeFileSync(join(dir, 'languageclient.mjs'), `export { LanguageClient } from ${JSON.stringify(pathToFileURL(fake).href)};\nexport const TransportKind = { stdio: 0, ipc: 1 };\n`);
  const out = join(dir, 'client.mjs');
  await esbuild.build({
    entryPoints: [join(root, 'client/src/client.ts')],
    bundle: true,
    format: 'esm',
    platform: 'node',
    outfile: out,
    logLevel: 'silent',
    alias: { vscode: join(dir, 'vscode.mjs'), 'vscode-languageclient/node': join(dir, 'languageclient.mjs') },
    external: [pathToFileURL(fake).href],
  });
  return import(pathToFileURL(out).href);
}
