import { dirname, join } from 'node:path';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Analysis } from '../core/project/analyze';
import { checkOnline } from '../core/project/stages';
import { makeTarget, pythonVersionFromPyvenvCfg, type Target } from '../core/python/resolve/target';
import { hostPlatform } from '../node/registries';
import type { ServerContext } from '../context';
import type { PinsightSettings } from '../../../common/settings';
import { CheckedNotification, type CheckedParams } from '../../../common/protocol';

/**
 * Stages 2 and 3 in the background: debounced per document, each run under an AbortSignal that a
 * newer edit aborts, published only if the document still has the version it started from.
 */
export class OnlineChecks {
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly controllers = new Map<string, AbortController>();
  private readonly runs = new Map<string, Promise<void>>();

  constructor(private readonly ctx: ServerContext) {}

  get busy(): boolean {
    return this.runs.size > 0 || this.timers.size > 0;
  }

  /** Starts (after the debounce) the registry checks for this version of the document. */
  schedule(document: TextDocument, analysis: Analysis | null, settings: PinsightSettings): void {
    this.cancel(document.uri);
    if (!analysis || !settings.enable || !settings.checkRegistries) return;
    const controller = new AbortController();
    this.controllers.set(document.uri, controller);
    const timer = setTimeout(() => {
      this.timers.delete(document.uri);
      const run = this.run(document.uri, document.version, analysis, settings, controller.signal).finally(() => {
        if (this.runs.get(document.uri) === run) this.runs.delete(document.uri);
        this.ctx.reportStatus();
      });
      this.runs.set(document.uri, run);
      this.ctx.reportStatus();
    }, settings.debounceMs);
    this.timers.set(document.uri, timer);
  }

  /** Resolves when the document's pending run (if any) has finished. */
  async settled(uri: string): Promise<void> {
    await this.runs.get(uri);
  }

  cancel(uri: string): void {
    const timer = this.timers.get(uri);
    if (timer) clearTimeout(timer);
    this.timers.delete(uri);
    this.controllers.get(uri)?.abort();
    this.controllers.delete(uri);
  }

  dispose(): void {
    for (const uri of [...this.timers.keys(), ...this.controllers.keys()]) this.cancel(uri);
  }

  private async run(uri: string, version: number, analysis: Analysis, settings: PinsightSettings, signal: AbortSignal): Promise<void> {
    try {
      const registries = this.ctx.registriesFor(settings);
      const target = await this.targetFor(analysis, settings);
      const result = await checkOnline(analysis, registries.services, { target, signal });
      if (signal.aborted || this.ctx.documents.get(uri)?.version !== version) return;
      this.ctx.online.set(uri, { version, analysis, result, target, registries });
      await this.ctx.publish(uri);
      const checked: CheckedParams = { uri, version, findings: result.findings.length };
      void this.ctx.connection.sendNotification(CheckedNotification, checked).catch(() => undefined);
    } catch (error) {
      if (signal.aborted) return;
      // Our bug, not the user's: log it and keep serving stage-1 results.
      this.ctx.connection.console.error(`Pinsight registry checks failed for ${analysis.root}: ${String(error instanceof Error ? error.stack : error)}`);
    }
  }

  /** The setting, else the nearest .venv above the manifest, else requires-python; this platform unless set. */
  private async targetFor(analysis: Analysis, settings: PinsightSettings): Promise<Target> {
    let pythonVersion = settings.pythonVersion || undefined;
    let pythonSource = pythonVersion ? 'the pinsight.python.version setting' : undefined;
    if (!pythonVersion && this.ctx.selectedPython) {
      pythonVersion = this.ctx.selectedPython.version;
      pythonSource = `the selected interpreter${this.ctx.selectedPython.path ? ` ${this.ctx.selectedPython.path}` : ''}`;
    }
    for (let dir = dirname(analysis.root), i = 0; !pythonVersion && i < 4; dir = dirname(dir), i++) {
      const cfg = await this.ctx.runtime.readFile(join(dir, '.venv', 'pyvenv.cfg'));
      const found = cfg ? pythonVersionFromPyvenvCfg(cfg) : undefined;
      if (found) {
        pythonVersion = found;
        pythonSource = `from ${join(dir, '.venv')}`;
      }
      if (dirname(dir) === dir) break;
    }
    const platform = settings.platform || hostPlatform();
    return makeTarget({ pythonVersion, pythonSource, platform, arch: settings.platform ? undefined : process.arch, requiresPython: analysis.manifests[0]?.requiresPython?.specifier });
  }
}
