import { FileChangeType } from 'vscode-languageserver/node';
import { analyzeManifest, type Analysis } from '../core/project/analyze';
import { detectManifestKind } from '../core/project/detect';
import { findInconsistentPins, findManifests } from '../core/project/workspace';
import type { Finding } from '../core/model';
import type { Runtime } from '../core/runtime';

/**
 * Every manifest of the workspace folder, parsed from disk (stage 1 only), so that a pin can be
 * compared with the other manifests' pins (inconsistent-pin) even when they are not open. Open
 * documents take precedence over their disk copies. A watched-file change re-reads that file only.
 */
export class WorkspaceIndex {
  private readonly onDisk = new Map<string, Analysis>();
  private scan: Promise<void> = Promise.resolve();
  truncated = false;

  constructor(
    private readonly runtime: Runtime,
    private readonly log: (message: string) => void,
  ) {}

  /** Reads the workspace folder's manifests; resolves when done (never rejects). */
  load(root: string): Promise<void> {
    this.scan = (async () => {
      const found = await findManifests(root, this.runtime);
      this.truncated = found.truncated;
      if (found.truncated) this.log(`Pinsight compares pins across the first ${found.paths.length} manifests of ${root} only.`);
      for (const path of found.paths) await this.read(path);
    })().catch((error: unknown) => this.log(`Pinsight could not read the workspace's manifests: ${String(error)}`));
    return this.scan;
  }

  /** A file changed on disk: re-read it (or forget it when deleted); queued behind the scan so answers see it. */
  changed(path: string, type: FileChangeType): Promise<void> {
    if (!detectManifestKind(path)) return this.scan;
    this.scan = this.scan.then(() => (type === FileChangeType.Deleted ? void this.onDisk.delete(path) : this.read(path)));
    return this.scan;
  }

  /** inconsistent-pin findings located in `path`, with the open documents' analyses in place of their disk copies. */
  async pinFindings(path: string, open: Analysis[]): Promise<Finding[]> {
    await this.scan;
    const byRoot = new Map(this.onDisk);
    for (const a of open) byRoot.set(a.root, a);
    return findInconsistentPins([...byRoot.values()]).filter((f) => f.path === path);
  }

  private async read(path: string): Promise<void> {
    const analysis = await analyzeManifest(path, this.runtime, undefined, undefined, { rules: false }).catch(() => null);
    if (analysis) this.onDisk.set(path, analysis);
    else this.onDisk.delete(path);
  }
}
