// What reading node_modules again can skip: folder listings keyed by the folder's mtime (adding or
// removing an entry changes it), parsed files keyed by mtime and size. Freshness always comes from
// Runtime.stat, so a warm inspection stats every folder but reads and parses only what changed.
import type { DirEntry, FileStat, Runtime } from '../../runtime';

const LIMIT = 50_000;

export class NpmDriftCache {
  private readonly listings = new Map<string, { mtimeMs: number; entries: DirEntry[] | undefined }>();
  private readonly files = new Map<string, { mtimeMs: number; size: number; value: unknown }>();
  private readonly texts = new Map<string, { text: string; value: unknown }>();
  private readonly derived = new Map<string, { inputs: unknown[]; value: unknown }>();

  /** A folder's entries, listed again only when `stat` (the folder's own) says it changed. */
  async listDir(runtime: Runtime, path: string, stat: FileStat | undefined): Promise<DirEntry[] | undefined> {
    if (!stat || stat.kind !== 'dir' || !runtime.listDir) return undefined;
    const hit = this.listings.get(path);
    if (hit && hit.mtimeMs === stat.mtimeMs) return hit.entries;
    const entries = await runtime.listDir(path);
    if (this.listings.size >= LIMIT) this.listings.clear();
    this.listings.set(path, { mtimeMs: stat.mtimeMs, entries });
    return entries;
  }

  /** A file's text through `parse`, read again only when its mtime or size changed; undefined when it is missing. */
  async readParsed<T>(runtime: Runtime, path: string, parse: (text: string) => T, stat?: FileStat): Promise<T | undefined> {
    const st = stat ?? (await runtime.stat?.(path));
    if (st && st.kind !== 'file') return undefined;
    const hit = st ? this.files.get(path) : undefined;
    if (st && hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit.value as T;
    const text = await runtime.readFile(path);
    if (text === undefined) return undefined;
    const value = parse(text);
    if (st) {
      if (this.files.size >= LIMIT) this.files.clear();
      this.files.set(path, { mtimeMs: st.mtimeMs, size: st.size, value });
    }
    return value;
  }

  /** `parse(text)`, kept while the same text comes back for `key` (a lockfile read by the caller). */
  parsedText<T>(key: string, text: string, parse: (text: string) => T): T {
    const hit = this.texts.get(key);
    if (hit && hit.text === text) return hit.value as T;
    const value = parse(text);
    if (this.texts.size >= 100) this.texts.clear();
    this.texts.set(key, { text, value });
    return value;
  }

  /** `make()`, kept for `key` while every input is the same value (===) as last time. */
  memo<T>(key: string, inputs: unknown[], make: () => T): T {
    const hit = this.derived.get(key);
    if (hit && hit.inputs.length === inputs.length && hit.inputs.every((v, i) => v === inputs[i])) return hit.value as T;
    const value = make();
    if (this.derived.size >= LIMIT) this.derived.clear();
    this.derived.set(key, { inputs, value });
    return value;
  }
}
