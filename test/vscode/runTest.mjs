// `npm run test:vscode`: runs test/vscode/suite inside a real VS Code (Electron) with this repo as
// the extension under development, via @vscode/test-electron. It needs to download VS Code from
// update.code.visualstudio.com; where that is impossible (as in the sandbox this project is built
// in) it says so in one line and exits 1. The code-server suite (`npm run test:e2e`) covers the same
// ground without a download. Set VSCODE_EXECUTABLE to an installed `code` binary to skip the download.
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { downloadAndUnzipVSCode, runTests } from '@vscode/test-electron';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const cachePath = join(root, '.e2e-tools/vscode-test'); // gitignored, beside code-server

async function vscodeExecutable() {
  if (process.env.VSCODE_EXECUTABLE) return process.env.VSCODE_EXECUTABLE;
  try {
    mkdirSync(cachePath, { recursive: true });
    return await downloadAndUnzipVSCode({ version: 'stable', cachePath, timeout: 30_000 });
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    console.error(`could not download VS Code: ${reason}; run npm run test:e2e for the code-server suite`);
    process.exit(1);
  }
}

const executable = await vscodeExecutable();
// The suite edits files, so it gets a copy of the examples, never the repository's own.
const workspace = mkdtempSync(join(tmpdir(), 'pinsight-vscode-'));
cpSync(join(root, 'examples/seed'), workspace, { recursive: true });
try {
  await runTests({
    vscodeExecutablePath: executable,
    extensionDevelopmentPath: root,
    extensionTestsPath: join(root, 'test/vscode/suite/index.js'),
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes'],
  });
} catch (error) {
  console.error(`VS Code tests failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  rmSync(workspace, { recursive: true, force: true });
}
