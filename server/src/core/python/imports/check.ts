// Import-level checks of an edge A -> B (A requires B): read A's source for the imports of B's
// modules and check each against B: the module is in B's file list and the imported name is
// defined at B's module level (or is a submodule). A name that cannot be known (compiled module,
// module __getattr__, star import, a file past the bounds) is never a break. The files come from a
// DistributionFiles: the installed environment (RECORD, read through the Runtime and cached per
// metadata folder and mtime: pip replaces that folder on every install, so a warm check reads
// nothing but one stat per distribution) or a wheel on the index (imports/wheelFiles.ts).

import { dirname, join } from 'node:path';
import type { Runtime } from '../../runtime';
import type { InstalledDistribution } from '../environment/distInfo';
import { parseRecord } from '../environment/distInfo';
import { modulesFromRecord, type DistributionModules, type ModuleFile } from './modules';
import { analyzeSource, type ImportRef, type ModuleDefinitions } from './scan';

/** Bounds on the work per distribution. */
export interface ImportCheckLimits {
  /** Source files of one importing distribution that are read at most. */
  maxFilesPerPackage: number;
  /** Bytes of source of one distribution that are read at most (imports and definitions together). */
  maxBytesPerPackage: number;
  /**
   * Source files read at most by one check (files already cached are free): a cold check of a
   * large environment stops there, so that it never holds the other findings up for long, and the
   * next check goes on from the cache.
   */
  maxFilesPerCheck: number;
}

export const DEFAULT_IMPORT_LIMITS: ImportCheckLimits = { maxFilesPerPackage: 1000, maxBytesPerPackage: 8_000_000, maxFilesPerCheck: 4000 };

/** The incomplete reason of an edge left for the next check by maxFilesPerCheck. */
export const LEFT_FOR_NEXT_CHECK = 'left for the next check';

/** A distribution as the import checks name it, wherever its files come from. */
export interface ImportDistribution {
  name: string;
  version: string;
  normalizedName: string;
}

/** Where a distribution's files come from: its installed folder, or its wheel on the index. */
export interface DistributionFiles<D extends ImportDistribution> {
  /** The cache key of these exact files and a stamp that changes with them; undefined when they cannot be listed (no RECORD). */
  identify(dist: D): Promise<{ key: string; stamp?: number | string } | undefined>;
  /** The modules the distribution ships (from RECORD, or from the wheel's central directory); throws when unreadable. */
  modules(dist: D): Promise<DistributionModules>;
  /** Reads ahead the files about to be read (neighbours in one request); optional. */
  prefetch?(dist: D, files: string[]): Promise<void>;
  /** One file's text, the path relative to site-packages (the wheel's root). */
  read(dist: D, file: string): Promise<string | undefined>;
}

/** A bound (bytes, time) stopped the reading: the edge is incomplete, never a break. */
export class ImportBoundError extends Error {
  override name = 'ImportBoundError';
}

/** The files could not be read (an outage, a damaged wheel): the edge is incomplete, never a break. */
export class ImportReadError extends Error {
  override name = 'ImportReadError';
}

/** An import of A that B does not satisfy. */
export interface ImportBreak {
  /** A's file (relative to site-packages) and 1-based line. */
  file: string;
  line: number;
  module: string;
  /** The name taken with `from module import name`; absent when the module itself is missing. */
  name?: string;
  /** Inside a function: it fails when that function is called, not on `import A`. */
  inFunction: boolean;
}

/** The verdict on one edge. */
export interface ImportEdge<D extends ImportDistribution = InstalledDistribution> {
  importer: D;
  target: D;
  /** Imports of B by A that were checked (guarded ones excluded). */
  checked: number;
  /** Of those, the ones whose answer cannot be known from the files. */
  unknown: number;
  /** Imports left out because a try/except ImportError, TYPE_CHECKING or a version check guards them. */
  guarded: number;
  breaks: ImportBreak[];
  /** Why part of A or B was not read (a bound), when it was not. */
  incomplete?: string;
  /** The files could not be read at all (ImportReadError: an outage, a file the index does not serve), as opposed to a bound. */
  unreadable?: boolean;
  /** A byte or time bound of the check stopped the reading (ImportBoundError). */
  bounded?: boolean;
}

interface DistIndex {
  modules: DistributionModules;
  /** Absolute imports of its source files, read on first need (with the bounds they were read under). */
  importsLimits?: string;
  imports?: Promise<{ refs: Array<ImportRef & { file: string }>; incomplete?: string }>;
  /** Each source file read, analysed once for both its imports and its definitions. */
  sources: Map<string, Promise<{ imports: ImportRef[]; definitions: ModuleDefinitions } | undefined>>;
  bytesRead: number;
  /** Verdicts on edges from this distribution, per target index (both unchanged while both are cached). */
  verdicts: WeakMap<DistIndex, ImportEdge<ImportDistribution>>;
}

/** Distribution indexes kept across checks, per metadata folder with its mtime. */
export interface ImportCache {
  readonly entries: Map<string, { stamp: number | string | undefined; index: Promise<DistIndex> }>;
  /** Files read (RECORD, top_level.txt and sources) since creation, for tests and benchmarks. */
  reads: number;
}

export function createImportCache(): ImportCache {
  return { entries: new Map(), reads: 0 };
}

/**
 * Checks each edge (importer, target) of installed distributions; never throws. `distributions`
 * is every installed distribution (for modules a namespace package shares with another one).
 */
export async function checkImportEdges(
  edges: Array<[InstalledDistribution, InstalledDistribution]>,
  distributions: Iterable<InstalledDistribution>,
  runtime: Runtime,
  cache: ImportCache = createImportCache(),
  limits: ImportCheckLimits = DEFAULT_IMPORT_LIMITS,
): Promise<ImportEdge[]> {
  return checkImportEdgesWith(installedFiles(runtime, cache), edges, distributions, cache, limits);
}

/** The same checks over any source of files (checkImportEdges reads installed ones); never throws. */
export async function checkImportEdgesWith<D extends ImportDistribution>(
  files: DistributionFiles<D>,
  edges: Array<[D, D]>,
  distributions: Iterable<D>,
  cache: ImportCache = createImportCache(),
  limits: ImportCheckLimits = DEFAULT_IMPORT_LIMITS,
): Promise<Array<ImportEdge<D>>> {
  const checker = new Checker(files, cache, limits, [...distributions]);
  return Promise.all(edges.map(([a, b]) => checker.edge(a, b)));
}

/** The installed files: RECORD and top_level.txt beside METADATA, sources under site-packages. */
function installedFiles(runtime: Runtime, cache: ImportCache): DistributionFiles<InstalledDistribution> {
  return {
    async identify(dist) {
      if (dist.format !== 'dist-info') return undefined;
      return { key: dist.path, stamp: (await runtime.stat?.(dist.path))?.mtimeMs };
    },
    async modules(dist) {
      cache.reads += 2;
      const [record, topLevel] = await Promise.all([runtime.readFile(join(dist.path, 'RECORD')), runtime.readFile(join(dist.path, 'top_level.txt'))]);
      if (record === undefined) throw new Error(`${dist.name} has no RECORD`);
      return modulesFromRecord(parseRecord(record).entries, topLevel);
    },
    read: (dist, file) => runtime.readFile(join(dirname(dist.path), file)),
  };
}

/** Whether an edge was denied a read by the per-check budget. */
interface EdgeContext {
  denied: boolean;
}

class Checker<D extends ImportDistribution> {
  private budget: number;
  private owners?: Promise<Map<string, D[]>>;
  /** One identification per distribution per check. */
  private readonly indexes = new Map<D, Promise<DistIndex | undefined>>();
  /** The distribution each index was last read for, so that reads go through this check's source. */
  private readonly distOf = new WeakMap<DistIndex, D>();

  constructor(
    private readonly files: DistributionFiles<D>,
    private readonly cache: ImportCache,
    private readonly limits: ImportCheckLimits,
    private readonly all: D[],
  ) {
    this.budget = limits.maxFilesPerCheck;
  }

  async edge(a: D, b: D): Promise<ImportEdge<D>> {
    const out: ImportEdge<D> = { importer: a, target: b, checked: 0, unknown: 0, guarded: 0, breaks: [] };
    try {
      const [ia, ib] = await Promise.all([this.index(a), this.index(b)]);
      // A missing RECORD is already reported by the environment read.
      if (!ia || !ib) return out;
      // Both unchanged since the last check: the verdict stands (it reads nothing else, but for a
      // module another distribution provides, which an install beside them would change: rare).
      const known = ia.verdicts.get(ib);
      if (known) return { ...known, importer: a, target: b };
      const context: EdgeContext = { denied: false };
      const verdict = await this.judgeEdge(out, ia, ib, b, context);
      // Unknowns that only the budget caused are not an answer: the next check reads on.
      if (context.denied) return { ...out, checked: 0, unknown: 0, guarded: 0, breaks: [], incomplete: LEFT_FOR_NEXT_CHECK };
      if (!verdict.incomplete) ia.verdicts.set(ib, verdict);
      return verdict;
    } catch (e) {
      // Whatever was found before the reading stopped is not a verdict: no break on half the files.
      const why = e instanceof ImportBoundError ? e.message : `reading failed (${e instanceof Error ? e.message : String(e)})`;
      return { ...out, checked: 0, unknown: 0, guarded: 0, breaks: [], incomplete: why, ...(e instanceof ImportReadError ? { unreadable: true } : {}), ...(e instanceof ImportBoundError ? { bounded: true } : {}) };
    }
  }

  private async judgeEdge(out: ImportEdge<D>, ia: DistIndex, ib: DistIndex, b: D, context: EdgeContext): Promise<ImportEdge<D>> {
    const { refs, incomplete } = await this.importsOf(ia, context);
    if (incomplete) out.incomplete = incomplete;
    for (const ref of refs) {
      const top = ref.module.split('.')[0];
      if (!ib.modules.topLevel.has(top)) continue;
      if (ref.guard) {
        out.guarded++;
        continue;
      }
      for (const found of await this.judge(ref, b, ib, context)) {
        out.checked++;
        if (found === 'unknown') out.unknown++;
        else if (found !== 'ok') out.breaks.push(found);
      }
    }
    return out;
  }

  /** One verdict per imported name (one for a plain `import module`). */
  private async judge(ref: ImportRef & { file: string }, b: D, ib: DistIndex, context: EdgeContext): Promise<Array<'ok' | 'unknown' | ImportBreak>> {
    const base = { file: ref.file, line: ref.line, module: ref.module, inFunction: ref.inFunction };
    const found = await this.locate(ref.module, b, ib, context);
    if (found === 'elsewhere') return [];
    if (found === 'missing') return [base];
    if (found === 'unknown') return (ref.names ?? ['']).map(() => 'unknown' as const);
    if (ref.names === null) return ['ok'];
    const out: Array<'ok' | 'unknown' | ImportBreak> = [];
    for (const name of ref.names) {
      if (name === '*') {
        out.push('ok');
        continue;
      }
      // A plain module (mod.py) has no submodules of its own; a package may hold one by that name.
      const submodule = isPackage(found.module) ? await this.locate(`${ref.module}.${name}`, b, ib, context) : 'missing';
      if (submodule === 'unknown' || found.module.kind === 'compiled') out.push('unknown');
      else if (submodule !== 'missing') out.push('ok');
      else if (found.module.kind === 'namespace') out.push({ ...base, name });
      else {
        const defs = await this.definitions(found.index, found.module, context);
        out.push(!defs || defs.unknown ? 'unknown' : defs.names.has(name) ? 'ok' : { ...base, name });
      }
    }
    return out;
  }

  /** Where a module is: in B, in another distribution (not this edge's business), missing, or unknown (under a compiled package). */
  private async locate(module: string, b: D, ib: DistIndex, context: EdgeContext): Promise<{ module: ModuleFile; index: DistIndex } | 'elsewhere' | 'missing' | 'unknown'> {
    const own = ib.modules.modules.get(module);
    if (own) return { module: own, index: ib };
    const parts = module.split('.');
    for (let n = parts.length - 1; n > 0; n--) {
      // Submodules of an extension module are made by its code, not by files.
      if (ib.modules.modules.get(parts.slice(0, n).join('.'))?.kind === 'compiled') return 'unknown';
    }
    // Missing for sure only inside a regular package B ships (its files are all in its RECORD) whose
    // __init__ does not edit sys.modules, globals() or __path__; six.moves exists only through sys.modules.
    const parent = ib.modules.modules.get(parts.slice(0, -1).join('.'));
    if (parent?.kind === 'source') {
      if (!isPackage(parent)) return 'unknown';
      const defs = await this.definitions(ib, parent, context);
      return defs && !defs.makesModules ? 'missing' : 'unknown';
    }
    // A namespace package's other portions may come from another distribution.
    const owners = (await this.ownersByTopLevel()).get(parts[0]) ?? [];
    for (const other of owners) {
      if (other === b) continue;
      const io = await this.index(other);
      if (io?.modules.modules.has(module)) return 'elsewhere';
    }
    // Not in B's RECORD at all (an editable install, files added by other means), or a namespace portion nobody ships: unknown.
    return 'unknown';
  }

  private ownersByTopLevel(): Promise<Map<string, D[]>> {
    this.owners ??= (async () => {
      const map = new Map<string, D[]>();
      for (const dist of this.all) {
        const index = await this.index(dist);
        for (const top of index?.modules.topLevel ?? []) map.set(top, [...(map.get(top) ?? []), dist]);
      }
      return map;
    })();
    return this.owners;
  }

  /** A distribution's file list, cached by key and stamp (metadata folder and mtime, wheel URL); undefined when unreadable. */
  private index(dist: D): Promise<DistIndex | undefined> {
    let index = this.indexes.get(dist);
    if (!index) {
      index = this.readIndex(dist).then((found) => {
        if (found) this.distOf.set(found, dist);
        return found;
      });
      this.indexes.set(dist, index);
    }
    return index;
  }

  private async readIndex(dist: D): Promise<DistIndex | undefined> {
    const id = await this.files.identify(dist);
    if (!id) return undefined;
    const hit = this.cache.entries.get(id.key);
    if (hit && id.stamp !== undefined && hit.stamp === id.stamp) return hit.index;
    const index = (async (): Promise<DistIndex> => ({ modules: await this.files.modules(dist), sources: new Map(), bytesRead: 0, verdicts: new WeakMap() }))();
    this.cache.entries.set(id.key, { stamp: id.stamp, index });
    // A list that could not be read is not kept: a bound or an outage may let the next check read it.
    index.catch(() => {
      if (this.cache.entries.get(id.key)?.index === index) this.cache.entries.delete(id.key);
    });
    // An installed distribution without a RECORD is already reported by the environment read; a wheel that could not be read is not a verdict.
    return index.catch((e) => {
      if (e instanceof ImportBoundError || e instanceof ImportReadError) throw e;
      return undefined;
    });
  }

  /** The absolute imports of every source module of a distribution, within the bounds. */
  private importsOf(index: DistIndex, context: EdgeContext): Promise<{ refs: Array<ImportRef & { file: string }>; incomplete?: string }> {
    const limitsKey = `${this.limits.maxFilesPerPackage}/${this.limits.maxBytesPerPackage}`;
    if (index.importsLimits !== limitsKey) {
      index.imports = undefined;
      index.verdicts = new WeakMap();
    }
    index.importsLimits = limitsKey;
    if (index.imports) return index.imports;
    const files = [...index.modules.modules.values()].filter((m) => m.kind === 'source' && m.path && !/(^|\/)(tests?)\//.test(m.path)).map((m) => m.path!);
    // The bounds are applied to RECORD's sizes up front, so that every chosen file is read at once.
    const chosen: string[] = [];
    let bytes = 0;
    let skipped = 0;
    for (const file of files.sort()) {
      const size = index.modules.modules.get(moduleName(file))?.size ?? 0;
      if (chosen.length >= this.limits.maxFilesPerPackage || bytes + size > this.limits.maxBytesPerPackage) skipped++;
      else {
        chosen.push(file);
        bytes += size;
      }
    }
    const unread = chosen.filter((file) => !index.sources.has(file)).length;
    // A distribution larger than the whole budget is still read when it comes first, so that every check makes progress.
    if (unread > this.budget && this.budget < this.limits.maxFilesPerCheck) {
      context.denied = true;
      return Promise.resolve({ refs: [] });
    }
    this.budget = Math.max(0, this.budget - unread);
    const dist = this.distOf.get(index)!;
    const imports = (async () => {
      const refs: Array<ImportRef & { file: string }> = [];
      const unreadFiles = chosen.filter((file) => !index.sources.has(file));
      if (unreadFiles.length) await this.files.prefetch?.(dist, unreadFiles);
      const analysed = await Promise.all(chosen.map((file) => this.source(index, file)));
      chosen.forEach((file, k) => {
        for (const ref of analysed[k]?.imports ?? []) if (ref.level === 0) refs.push({ ...ref, file });
      });
      return skipped ? { refs, incomplete: `${skipped} of its ${files.length} source files were not read (pinsight.importChecks bounds)` } : { refs };
    })();
    index.imports = imports;
    // A read that failed (a bound, an outage) is tried again by the next check.
    imports.catch(() => {
      if (index.imports === imports) index.imports = undefined;
    });
    return imports;
  }

  private async definitions(index: DistIndex, module: ModuleFile, context: EdgeContext): Promise<ModuleDefinitions | undefined> {
    if (!index.sources.has(module.path!)) {
      // A module past twice the byte bound is left unread: its names are unknown.
      if (index.bytesRead + (module.size ?? 0) > this.limits.maxBytesPerPackage * 2) return undefined;
      if (this.budget <= 0) {
        context.denied = true;
        return undefined;
      }
      this.budget--;
    }
    return (await this.source(index, module.path!))?.definitions;
  }

  /** A source file read and analysed once per distribution index. */
  private source(index: DistIndex, path: string): Promise<{ imports: ImportRef[]; definitions: ModuleDefinitions } | undefined> {
    let found = index.sources.get(path);
    if (!found) {
      const read = this.read(index, path).then((text) => (text === undefined ? undefined : analyzeSource(text)));
      index.sources.set(path, read);
      read.catch(() => {
        if (index.sources.get(path) === read) index.sources.delete(path);
      });
      found = read;
    }
    return found;
  }

  private async read(index: DistIndex, file: string): Promise<string | undefined> {
    this.cache.reads++;
    const text = await this.files.read(this.distOf.get(index)!, file);
    index.bytesRead += text?.length ?? 0;
    return text;
  }
}

/** "pkg/mod.py" -> "pkg.mod", "pkg/__init__.py" -> "pkg". */
function moduleName(file: string): string {
  // A wheel's <name>.data/purelib/ files install at the top of site-packages.
  return file.replace(/^[^/]+\.data\/(?:purelib|platlib)\//, '').replace(/\.py$/, '').replace(/\/__init__$/, '').split('/').join('.');
}

/** A package (`__init__` file or namespace folder), as opposed to a plain module file. */
function isPackage(module: ModuleFile): boolean {
  return module.kind === 'namespace' || /(^|\/)__init__(\.[^/]*)?\.(py|so|pyd)$/.test(module.path ?? '');
}
