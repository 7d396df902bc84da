import { MarkupKind, type CancellationToken, type Hover, type HoverParams } from 'vscode-languageserver/node';
import { hoverMarkdown, type HoverFacts } from '../core/insight/hoverText';
import { rangeContains } from '../core/text';
import { ruleHoverLines } from '../core/rules/describe';
import { toLspRange } from '../convert';
import type { ServerContext } from '../context';
import { signalOf } from './cancellation';


/** Explains the dependency under the cursor from the latest analysis and registry results. */
export async function provideHover(ctx: ServerContext, params: HoverParams, token?: CancellationToken): Promise<Hover | null> {
  const analysis = await ctx.analysisFor(params.textDocument.uri);
  const manifest = analysis?.manifests[0];
  const dep = manifest?.dependencies.find((d) => rangeContains(d.range, params.position));
  if (!dep || !analysis || !manifest) return null;
  const document = ctx.documents.get(params.textDocument.uri);
  const entry = ctx.online.get(params.textDocument.uri);
  let facts: HoverFacts = {};
  if (entry && document && entry.version === document.version) facts = await entry.result.hoverFacts(dep, signalOf(token));
  // Team rules are read with the manifest (stage 1): they show before, and without, any registry answer.
  const teamRules = ruleHoverLines(analysis.rules, dep, analysis.root);
  if (teamRules.length > 0) facts = { ...facts, teamRules };
  return { contents: { kind: MarkupKind.Markdown, value: hoverMarkdown(dep, analysis.manifests, facts) }, range: toLspRange(dep.range) };
}
