import { InlayHint, MarkupKind, type CancellationToken, type InlayHintParams } from 'vscode-languageserver/node';
import { glanceOf } from '../core/insight/glance';
import { toLspPosition } from '../convert';
import type { ServerContext } from '../context';

/**
 * Versions at a glance, at the end of each dependency line: what it resolves to, the highest
 * compatible version and the latest, from the last registry results of this document version.
 * Inlay hints rather than code lenses: they sit on the line they describe without pushing the
 * file down a line per dependency, and editors let users toggle them globally.
 */
export async function provideInlayHints(ctx: ServerContext, params: InlayHintParams, token?: CancellationToken): Promise<InlayHint[]> {
  const uri = params.textDocument.uri;
  const settings = await ctx.getSettings(uri);
  if (!settings.inlayHints) return [];
  const document = ctx.documents.get(uri);
  const entry = ctx.online.get(uri);
  if (!document || !entry || entry.version !== document.version || !entry.result.registriesChecked) return [];
  const manifest = entry.analysis.manifests[0];
  const hints: InlayHint[] = [];
  for (const dep of manifest?.dependencies ?? []) {
    if (token?.isCancellationRequested) return [];
    if (dep.constraint || dep.range.end.line < params.range.start.line || dep.range.start.line > params.range.end.line) continue;
    const glance = glanceOf(await entry.result.hoverFacts(dep));
    if (!glance) continue;
    const hint = InlayHint.create(toLspPosition(dep.range.end), glance.label);
    hint.paddingLeft = true;
    hint.tooltip = { kind: MarkupKind.PlainText, value: glance.tooltip };
    hints.push(hint);
  }
  return hints;
}
