import { CompletionItemKind, CompletionItemTag, type CancellationToken, type CompletionItem, type CompletionParams } from 'vscode-languageserver/node';
import { detectManifestKind } from '../core/project/detect';
import { ecosystemOf } from '../core/project/ecosystems';
import { uriToPath } from '../convert';
import type { ServerContext } from '../context';
import { signalOf } from './cancellation';


/**
 * Versions after an operator and extras inside `[...]`, from the registry (cached answers first).
 * The highest compatible version from the last results comes first: "update" means compatible.
 */
export async function provideCompletion(ctx: ServerContext, params: CompletionParams, token?: CancellationToken): Promise<CompletionItem[]> {
  const uri = params.textDocument.uri;
  const document = ctx.documents.get(uri);
  const path = uriToPath(uri);
  const kind = path ? detectManifestKind(path) : null;
  if (!document || !kind) return [];
  const settings = await ctx.getSettings(uri);
  if (!settings.enable || !settings.checkRegistries) return [];
  const { line, character } = params.position;
  const request = ecosystemOf(kind).completionContext(document.getText({ start: { line, character: 0 }, end: params.position }), kind);
  const analysis = request ? await ctx.analysisFor(uri) : null;
  if (!request || !analysis) return [];
  // The last results may be for an older version of the text: good enough to order the choices.
  const entry = ctx.online.get(uri);
  const dep = request.kind === 'version' ? entry?.analysis.manifests[0]?.dependencies.find((d) => d.normalizedName === request.name) : undefined;
  const facts = dep && entry ? await entry.result.hoverFacts(dep, signalOf(token)) : undefined;
  const preferred = facts?.highestCompatible ?? facts?.resolved;
  const choices = await ctx.registriesFor(settings).project.complete(analysis, request, request.kind === 'version' ? preferred : undefined, signalOf(token));
  const range = { start: { line, character: character - request.typed.length }, end: params.position };
  return choices.map((c) => ({
    label: c.label,
    kind: request.kind === 'version' ? CompletionItemKind.Value : request.kind === 'name' ? CompletionItemKind.Module : CompletionItemKind.EnumMember,
    detail: c.detail,
    sortText: c.sortText,
    filterText: c.label,
    tags: c.deprecated ? [CompletionItemTag.Deprecated] : undefined,
    textEdit: { range, newText: c.label },
  }));
}
