// Runs a CommonJS bundle with V8's code cache, so that a run after the first skips compiling it:
// compiling dist/cliMain.js (1 MB) and the functions a check calls was about 50 ms of a warm
// `pinsight check` of 500 ms. Node 22 does this itself (module.enableCompileCache); on Node 20 the
// bundle is compiled through vm.Script with the cached data, as Node's own loader would compile it.
//
// The cache is one file per bundle, named by the bundle's size and CRC-32, Node's version and
// the architecture: V8 checks only the length of the source it is given, so a rebuilt bundle must
// never meet the old one's code. It is written once, when the process exits, so that it holds the
// functions the run compiled lazily as well as the top level. Any failure (a read-only or full
// disk, a cache V8 rejects) costs only the speed-up: the bundle then compiles as it always did.

import { mkdirSync, readdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { isAscii } from 'node:buffer';
import Module from 'node:module';
import { basename, dirname, join } from 'node:path';
import * as vm from 'node:vm';

interface NodeModuleInternals {
  wrap(source: string): string;
  _nodeModulePaths(dir: string): string[];
  enableCompileCache?: (dir: string) => unknown;
}

interface LoadedModule {
  exports: unknown;
  filename: string;
  paths: string[];
  loaded: boolean;
  require(id: string): unknown;
}

/** The cache file for one build of a bundle on this Node (exported for tests). */
export function codeCacheFile(dir: string, bundle: string, bytes: Uint8Array, checksum: (bytes: Uint8Array) => number): string {
  const crc = (checksum(bytes) >>> 0).toString(16).padStart(8, '0');
  return join(dir, `${basename(bundle, '.js')}-${process.version}-${process.arch}-${bytes.length}-${crc}.bin`);
}

/**
 * Runs `bundle` as the main program, with V8's code cache kept in `dir` (none when undefined).
 * Returns how the code was compiled, for tests: 'cached', 'compiled' (and written at exit), 'plain'
 * (no folder), or 'node' (Node's own compile cache).
 */
export function runBundle(bundle: string, dir: string | undefined, checksum: (bytes: Uint8Array) => number): 'cached' | 'compiled' | 'plain' | 'node' {
  const internals = Module as unknown as NodeModuleInternals;
  if (dir === undefined) {
    require(bundle);
    return 'plain';
  }
  if (typeof internals.enableCompileCache === 'function') {
    try {
      internals.enableCompileCache(dir);
    } catch {
      // No cache folder: the bundle compiles as usual.
    }
    require(bundle);
    return 'node';
  }
  const bytes = readFileSync(bundle);
  // An all-ASCII bundle (esbuild escapes what is not, outside comments) is its bytes as Latin-1,
  // which Node makes a string of in 2 ms where UTF-8 decoding takes 12-15 ms.
  const raw = isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
  // The shebang is not JavaScript; Node's loader strips it the same way.
  const source = raw.startsWith('#!') ? `//${raw.slice(2)}` : raw;
  const file = codeCacheFile(dir, bundle, bytes, checksum);
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(file);
  } catch {
    cachedData = undefined;
  }
  // No import() in the bundle: Node 20 has none for vm.Script without an experimental flag, and
  // esbuild.mjs fails the build of a bundle that has one.
  const script = new vm.Script(internals.wrap(source), { filename: bundle, cachedData });
  const fresh = cachedData === undefined || script.cachedDataRejected === true;
  if (fresh) process.once('exit', () => writeCodeCache(dir, file, script));
  const mod = new (Module as unknown as new (id: string, parent: unknown) => LoadedModule)(bundle, null);
  mod.filename = bundle;
  mod.paths = internals._nodeModulePaths(dirname(bundle));
  const wrapper = script.runInThisContext() as (exports: unknown, require: (id: string) => unknown, module: LoadedModule, filename: string, dirname: string) => void;
  const requireFrom = Object.assign((id: string) => mod.require(id), { resolve: (id: string) => require.resolve(id, { paths: [dirname(bundle)] }), main: mod, cache: require.cache });
  wrapper.call(mod.exports, mod.exports, requireFrom, mod, bundle, dirname(bundle));
  mod.loaded = true;
  return fresh ? 'compiled' : 'cached';
}

function writeCodeCache(dir: string, file: string, script: vm.Script): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const data = script.createCachedData();
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, data, { mode: 0o600 });
    renameSync(temp, file);
    // One file per bundle: the caches of earlier builds or Node versions go.
    const prefix = `${basename(file).split('-')[0]}-`;
    for (const name of readdirSync(dir)) {
      if (name.startsWith(prefix) && name.endsWith('.bin') && join(dir, name) !== file) unlinkSync(join(dir, name));
    }
  } catch {
    // A read-only or full disk: the next run compiles again.
  }
}
