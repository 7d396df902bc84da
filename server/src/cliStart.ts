#!/usr/bin/env node
// The `pinsight` command (dist/cli.js): runs the CLI's bundle (dist/cliMain.js) with V8's code cache
// in the check's cache folder (node/codeCache.ts), so a run after the first does not compile it
// again. It reads only the arguments that choose that folder; everything else is cliMain's.
import { join } from 'node:path';
import { cacheDirOf, parseCliArgs } from './cliArgs';
import { runBundle } from './node/codeCache';
import { hostCrc32 } from './node/host';

function codeCacheDir(): string | undefined {
  try {
    const options = parseCliArgs(process.argv.slice(2));
    if (typeof options === 'string') return undefined;
    const dir = cacheDirOf(options, process.env);
    return dir === undefined ? undefined : join(dir, 'code');
  } catch {
    // A usage error is cliMain's to report.
    return undefined;
  }
}

runBundle(join(__dirname, 'cliMain.js'), codeCacheDir(), hostCrc32());
