import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { HostEnvironment } from '../core/ecosystem';
import type { Analysis } from '../core/project/analyze';
import { runLaterStage, runStages } from '../core/project/stages';
import { checkDeadline } from '../node/clock';
import { hostPlatform } from '../node/host';
import { machineEngines } from '../node/engines';
import type { RegistryHttp } from '../core/http/registryHttp';
import type { ServerContext } from '../context';
import { uriToPath } from '../convert';
import type { StatusWait } from './status';
import type { PinsightSettings } from '../../../common/settings';
import { CheckedNotification, type CheckedParams } from '../../../common/protocol';

/** Text that parses cleanly is a finished edit: check it soon; while a line is broken, wait the full delay. */
const SETTLED_DELAY_MS = 60;

function delayFor(analysis: Analysis, debounceMs: number): number {
  // A broken rule file is not a line being typed in this manifest.
  const broken = analysis.findings.some((f) => f.severity === 'error' && !analysis.rules?.problems.includes(f));
  return broken ? debounceMs : Math.min(debounceMs, SETTLED_DELAY_MS);
}
// The status item says what a check waits for once it has taken this long, then every REFRESH.
const WAIT_NOTICE_MS = 1_000;
const WAIT_REFRESH_MS = 5_000;

/**
 * Stages 2 and 3 in the background: debounced per document, each run under an AbortSignal that a
 * newer edit aborts and a deadline (pinsight.registryTimeoutSeconds) past which what was not read
 * is reported; published only if the document still has the version it started from.
 */
export class BackgroundChecks {
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly controllers = new Map<string, AbortController>();
  private readonly runs = new Map<string, Promise<void>>();
  private readonly started = new Map<string, { at: number; limit: number; http: RegistryHttp }>();
  /** Documents whose check has published its verdict and now reads wheels for the import checks. */
  private readonly importing = new Set<string>();
  /** The registry configuration last logged per document, so the output says where requests went once per change. */
  private readonly logged = new Map<string, string>();

  constructor(private readonly ctx: ServerContext) {}

  get busy(): boolean {
    return this.runs.size > 0 || this.timers.size > 0;
  }

  /** 'imports' while every running check has its verdict published and only reads wheels for the import checks. */
  get phase(): 'imports' | undefined {
    if (this.timers.size > 0 || this.runs.size === 0) return undefined;
    return [...this.runs.keys()].every((uri) => this.importing.has(uri)) ? 'imports' : undefined;
  }

  /** The longest-running check, once it has waited long enough to be worth saying. */
  waiting(now = Date.now()): StatusWait | undefined {
    let oldest: { at: number; limit: number; http: RegistryHttp } | undefined;
    for (const run of this.started.values()) if (!oldest || run.at < oldest.at) oldest = run;
    if (!oldest || now - oldest.at < WAIT_NOTICE_MS) return undefined;
    return { seconds: Math.floor((now - oldest.at) / 1000), limit: oldest.limit, registries: oldest.http.pendingRegistries() };
  }

  /** Starts (after the debounce) the registry checks for this version of the document. */
  schedule(document: TextDocument, analysis: Analysis | null, settings: PinsightSettings): void {
    this.cancel(document.uri);
    if (!analysis || !settings.enable) return;
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
    }, delayFor(analysis, settings.debounceMs));
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
    // Lockfiles and the environment are read from disk whatever the registry setting says.
    const registries = settings.checkRegistries ? this.ctx.registriesFor(settings) : undefined;
    if (registries) this.started.set(uri, { at: Date.now(), limit: settings.registryTimeoutSeconds, http: registries.http });
    let refresh: ReturnType<typeof setInterval> | undefined;
    const notice = setTimeout(() => {
      this.ctx.reportStatus();
      refresh = setInterval(() => this.ctx.reportStatus(), WAIT_REFRESH_MS);
    }, WAIT_NOTICE_MS);
    try {
      const deadline = checkDeadline(settings.registryTimeoutSeconds, 'the pinsight.registryTimeoutSeconds setting');
      const options = { host: this.hostFor(settings), signal, deadline, outdated: settings.outdated };
      // The verdict first; a conflict's fixes and outdated pins (what-if re-solves) follow in a second publish.
      let result = await runStages(analysis, this.ctx.runtime, registries?.project, { ...options, whatIf: false });
      const current = () => !signal.aborted && this.ctx.documents.get(uri)?.version === version;
      if (!current()) return;
      if (settings.outdated || result.findings.some((f) => f.code === 'conflict' || f.code === 'possible-conflict')) {
        this.ctx.online.set(uri, { version, analysis, result });
        await this.ctx.publish(uri);
        result = await runStages(analysis, this.ctx.runtime, registries?.project, options);
        if (!current()) return;
      }
      this.ctx.online.set(uri, { version, analysis, result });
      await this.ctx.publish(uri);
      // Import checks from the wheels on the index follow the verdict, which is already published.
      if (result.later) {
        const before = result;
        // The registry wait notice no longer applies (the import checks have their own bounds): the
        // status item says the imports are being checked.
        this.started.delete(uri);
        this.importing.add(uri);
        this.ctx.reportStatus();
        result = await runLaterStage(result, { signal });
        if (!current()) return;
        this.ctx.online.set(uri, { version, analysis, result });
        if (result.findings.length !== before.findings.length || (result.incomplete?.length ?? 0) !== (before.incomplete?.length ?? 0)) await this.ctx.publish(uri);
      }
      // What the registry said about the rules belongs to the open rule files.
      for (const doc of this.ctx.documents.all()) {
        const path = uriToPath(doc.uri);
        if (doc.uri !== uri && path && analysis.rules?.files.includes(path)) void this.ctx.publish(doc.uri).catch(() => undefined);
      }
      this.ctx.refreshInlayHints();
      this.logRegistries(uri, result.registries);
      const checked: CheckedParams = { uri, version, findings: result.findings.length };
      void this.ctx.connection.sendNotification(CheckedNotification, checked).catch(() => undefined);
    } catch (error) {
      if (signal.aborted) return;
      // Our bug, not the user's: log it and keep serving stage-1 results.
      this.ctx.connection.console.error(`Pinsight registry checks failed for ${analysis.root}: ${String(error instanceof Error ? error.stack : error)}`);
    } finally {
      clearTimeout(notice);
      clearInterval(refresh);
      this.started.delete(uri);
      this.importing.delete(uri);
    }
  }

  // The Pinsight output says which indexes and registries a manifest was checked against, and
  // where that configuration came from (credentials masked; the server's writer redacts the rest).
  private logRegistries(uri: string, registries: string[]): void {
    const text = registries.join('\n');
    if (text === '' || this.logged.get(uri) === text) return;
    this.logged.set(uri, text);
    this.ctx.connection.console.info(`Pinsight checked ${uri} against:\n${text}`);
  }

  /** What the editor knows of the environment: settings, the selected interpreter, this machine, the workspace folder. */
  private hostFor(settings: PinsightSettings): HostEnvironment {
    return {
      pythonVersion: settings.pythonVersion ? { version: settings.pythonVersion, source: 'the pinsight.python.version setting' } : undefined,
      selectedPython: this.ctx.selectedPython,
      platform: settings.platform || hostPlatform(),
      arch: settings.platform ? undefined : process.arch,
      searchRoot: this.ctx.workspaceRoot,
      machine: { platform: hostPlatform(), arch: process.arch },
      engines: machineEngines,
      importChecks: settings.importChecks,
    };
  }
}
