import { MarkupKind, type Hover, type HoverParams } from 'vscode-languageserver/node';
import { describeDependency } from '../core/insight/describe';
import { rangeContains } from '../core/text';
import { toLspRange } from '../convert';
import type { ServerContext } from '../context';

/** Explains the dependency under the cursor from the latest analysis. */
export async function provideHover(ctx: ServerContext, params: HoverParams): Promise<Hover | null> {
  const analysis = await ctx.analysisFor(params.textDocument.uri);
  const manifest = analysis?.manifests[0];
  const dep = manifest?.dependencies.find((d) => rangeContains(d.range, params.position));
  if (!dep || !analysis) return null;
  return { contents: { kind: MarkupKind.Markdown, value: describeDependency(dep, analysis.manifests) }, range: toLspRange(dep.range) };
}
