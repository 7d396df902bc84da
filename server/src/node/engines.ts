// The Node and npm that would install a project on this machine, for npm's `engines` rule when it
// picks a version (npm-pick-manifest's nodeVersion/npmVersion). The language server runs inside the
// editor's own runtime, whose Node is not the user's: the `node` on PATH answers for itself, and npm's
// version is read from the package.json installed beside it. Read once per process, lazily.
import { readFile } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';

export interface MachineEngines {
  nodeVersion?: string;
  npmVersion?: string;
}

async function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<string | undefined> {
  // Loaded when first needed: only an npm check asks, and node:child_process costs a CLI start ~5 ms.
  // A require, not import(): the CLI's bundle runs through vm.Script (node/codeCache.ts), where
  // Node 20 has no dynamic import.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { execFile } = require('node:child_process') as typeof import('node:child_process');
  return new Promise((resolve) => {
    execFile(command, args, { env, timeout: 5_000, windowsHide: true, shell: process.platform === 'win32' }, (error, stdout) => resolve(error ? undefined : stdout.trim()));
  });
}

async function npmVersionBeside(nodePath: string | undefined, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const bins = nodePath ? [dirname(nodePath)] : (env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const bin of bins) {
    for (const file of [join(bin, '..', 'lib', 'node_modules', 'npm', 'package.json'), join(bin, 'node_modules', 'npm', 'package.json')]) {
      try {
        const version = (JSON.parse(await readFile(file, 'utf8')) as { version?: unknown }).version;
        if (typeof version === 'string') return version;
      } catch {
        // not there: try the next place
      }
    }
  }
  return undefined;
}

/** This machine's Node and npm versions; undefined fields when they cannot be found (npm then checks nothing for them). */
export async function readMachineEngines(env: NodeJS.ProcessEnv = process.env): Promise<MachineEngines> {
  // Under plain Node (the CLI, tests) the running Node is the user's; under Electron it is the editor's.
  const own = process.versions.electron === undefined;
  const nodePath = own ? process.execPath : await run('node', ['-p', 'process.execPath'], env);
  const nodeVersion = own ? process.version : await run('node', ['--version'], env);
  return { nodeVersion: nodeVersion || undefined, npmVersion: await npmVersionBeside(nodePath, env) };
}

let cached: Promise<MachineEngines> | undefined;

/** readMachineEngines, once per process. */
export function machineEngines(): Promise<MachineEngines> {
  return (cached ??= readMachineEngines());
}
