import { TextDocument } from 'vscode-languageserver-textdocument';
import { analyzeManifest, type Analysis } from '../core/project/analyze';
import { detectManifestKind } from '../core/project/detect';
import { carryOverFindings } from '../core/insight/carryOver';
import type { Finding } from '../core/model';
import { isRuleFile, ruleFileFindings } from '../core/project/teamRules';
import { toLspDiagnostic, uriToPath } from '../convert';
import type { ServerContext } from '../context';

/**
 * Stage-1 diagnostics: parse at once on open and change, publish only if the document has not
 * changed meanwhile (reading included files is asynchronous), and keep the analysis for hovers
 * and symbols. Stages 2 and 3 (features/backgroundChecks.ts) add to what is published.
 */
export class DiagnosticsFeature {
  private readonly pending = new Map<string, Promise<Analysis | null>>();

  constructor(private readonly ctx: ServerContext) {}

  /** Analyses the document's current version, sharing one run between concurrent callers. */
  analyze(document: TextDocument): Promise<Analysis | null> {
    const key = `${document.uri}#${document.version}`;
    const cached = this.ctx.analyses.get(document.uri);
    if (cached && cached.version === document.version) return Promise.resolve(cached.analysis);
    let run = this.pending.get(key);
    if (!run) {
      // A frozen copy: the live document may change (in place) while the analysis awaits.
      const frozen = TextDocument.create(document.uri, document.languageId, document.version, document.getText());
      run = this.run(frozen).finally(() => this.pending.delete(key));
      this.pending.set(key, run);
    }
    return run;
  }

  /** Stage 1 for the document's current version; resolves with its analysis once published. */
  async validate(document: TextDocument): Promise<Analysis | null> {
    const settings = await this.ctx.getSettings(document.uri);
    const path = uriToPath(document.uri);
    const kind = path ? detectManifestKind(path) : null;
    if (!settings.enable || (kind && !settings.manifests.includes(kind))) {
      this.clear(document.uri);
      return null;
    }
    if (path && isRuleFile(path)) {
      await this.ctx.publish(document.uri);
      return null;
    }
    const analysis = await this.analyze(document);
    const current = this.ctx.documents.get(document.uri);
    if (!current || current.version !== document.version) return null; // a newer edit will publish
    await this.ctx.publish(document.uri);
    return analysis;
  }

  /** Stage-1 findings plus online findings of the same version, for this file only. */
  async publish(uri: string): Promise<void> {
    // Publishes of one document overlap (each awaits the workspace index and the settings): only
    // the one started last may send, or an older edit's diagnostics could land after a newer one's
    // (seen in code-server: typing `requests>=>2` left the problem of `requests>=>`).
    const turn = this.nextTurn(uri);
    const live = this.ctx.documents.get(uri);
    if (!live) return;
    // The live document changes in place with each edit: publish for the version it has now.
    const document = { version: live.version };
    const rulePath = uriToPath(uri);
    if (rulePath && isRuleFile(rulePath)) return this.publishRuleFile(uri, rulePath, { version: live.version, text: live.getText() }, turn);
    const entry = this.ctx.analyses.get(uri);
    if (!entry || entry.version !== document.version) return;
    const path = entry.analysis?.root;
    const online = this.ctx.online.get(uri);
    const current = entry.analysis?.manifests[0];
    let later: Finding[] = [];
    if (online && online.version === document.version) later = online.result.findings;
    // Until stages 2 and 3 answer for this version, keep the last answer where it still applies.
    else if (online && current && online.analysis.manifests[0]) later = carryOverFindings({ root: online.analysis.manifests[0], findings: online.result.findings }, current);
    const open = [...this.ctx.analyses.values()].flatMap((a) => (a.analysis ? [a.analysis] : []));
    // Reading the workspace index may wait; a newer edit publishes for itself (checked before sending).
    const pins = path ? await this.ctx.workspace.pinFindings(path, open) : [];
    const findings = [...(entry.analysis?.findings ?? []), ...later, ...pins];
    const { severity } = await this.ctx.getSettings(uri);
    const diagnostics = findings
      .filter((f) => f.path === path && severity[f.code] !== 'off')
      .map((f) => toLspDiagnostic(f, (severity[f.code] as Finding['severity'] | undefined) ?? f.severity));
    if (!this.isLatestTurn(uri, turn) || this.ctx.documents.get(uri)?.version !== document.version) return;
    await this.ctx.connection.sendDiagnostics({ uri, version: document.version, diagnostics });
  }

  private readonly turns = new Map<string, number>();

  private nextTurn(uri: string): number {
    const turn = (this.turns.get(uri) ?? 0) + 1;
    this.turns.set(uri, turn);
    return turn;
  }

  private isLatestTurn(uri: string, turn: number): boolean {
    return this.turns.get(uri) === turn;
  }

  // pinsight.toml holds no dependencies: its diagnostics are the problems of its rules, read from the buffer.
  private async publishRuleFile(uri: string, path: string, document: { version: number; text: string }, turn: number): Promise<void> {
    const settings = await this.ctx.getSettings(uri);
    if (!settings.enable) return void (this.isLatestTurn(uri, turn) && this.ctx.connection.sendDiagnostics({ uri, diagnostics: [] }));
    // Registry answers about the rules (a package the index lacks) come with the manifests' checks.
    const online = [...this.ctx.online.values()].flatMap((e) => e.result.findings.filter((f) => f.path === path));
    const seen = new Set<string>();
    const diagnostics = [...ruleFileFindings(path, document.text), ...online]
      .filter((f) => {
        const key = `${f.code}|${f.message}|${f.range.start.line}:${f.range.start.character}`;
        return !seen.has(key) && seen.add(key) !== undefined;
      })
      .filter((f) => settings.severity[f.code] !== 'off')
      .map((f) => toLspDiagnostic(f, (settings.severity[f.code] as Finding['severity'] | undefined) ?? f.severity));
    if (!this.isLatestTurn(uri, turn) || this.ctx.documents.get(uri)?.version !== document.version) return;
    await this.ctx.connection.sendDiagnostics({ uri, version: document.version, diagnostics });
  }

  clear(uri: string): void {
    this.nextTurn(uri); // a publish still under way must not bring back what this clears
    this.ctx.analyses.delete(uri);
    this.ctx.online.delete(uri);
    void this.ctx.connection.sendDiagnostics({ uri, diagnostics: [] }).catch(() => undefined);
  }

  private async run(document: TextDocument): Promise<Analysis | null> {
    const path = uriToPath(document.uri);
    const kind = path ? detectManifestKind(path) : null;
    let analysis: Analysis | null = null;
    // A kind the user turned off (pinsight.manifests) has no analysis: no hover, hints or symbols either.
    const enabled = kind !== null && (await this.ctx.getSettings(document.uri)).manifests.includes(kind);
    if (path && kind && enabled) {
      try {
        analysis = await analyzeManifest(path, this.ctx.runtime, document.getText(), kind, { rulesRoot: this.ctx.workspaceRoot });
      } catch (error) {
        // The parsers never throw; if one does, that is our bug, not a problem in the user's file.
        this.ctx.connection.console.error(`Pinsight could not analyse ${path}: ${String(error instanceof Error ? error.stack : error)}`);
      }
    }
    const latest = this.ctx.analyses.get(document.uri);
    if (!latest || latest.version <= document.version) this.ctx.analyses.set(document.uri, { version: document.version, analysis });
    return analysis;
  }
}
