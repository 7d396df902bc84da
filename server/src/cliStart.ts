#!/usr/bin/env node
// The `pinsight` command (dist/cli.js): runs the CLI's bundle (dist/cliMain.js) with V8's code cache
// (node/codeCache.ts), so a run after the first does not compile it again. It reads only the
// arguments that turn the caches off; everything else is cliMain's.
import { join } from 'node:path';
import { cacheDirOf, parseCliArgs } from './cliArgs';
import { runBundle } from './node/codeCache';
import { defaultCacheDir, hostCrc32 } from './node/host';

// The code cache belongs to the installed CLI, not to a registry cache: it lives in the user's cache
// folder whatever --cache-dir names (as Python's bytecode stays with the code, not in pip's cache),
// so a check with a new or empty registry cache still starts compiled. --no-cache and
// --registry-snapshot, which write no registry cache, write no code cache either.
function codeCacheDir(): string | undefined {
  try {
    const options = parseCliArgs(process.argv.slice(2));
    if (typeof options === 'string') return undefined;
    return cacheDirOf(options, process.env) === undefined ? undefined : join(defaultCacheDir(process.env), 'code');
  } catch {
    // A usage error is cliMain's to report.
    return undefined;
  }
}

runBundle(join(__dirname, 'cliMain.js'), codeCacheDir(), hostCrc32());
