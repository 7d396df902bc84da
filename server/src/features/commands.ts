import { rm } from 'node:fs/promises';
import type { CancellationToken } from 'vscode-languageserver/node';
import type { ExplainParams, ExplainResult, UpdateAllResult, WhyParams, WhyResult } from '../../../common/protocol';
import { explainMarkdown, whyMarkdown } from '../core/insight/commandText';
import { planUpdateAll } from '../core/project/updateAll';
import { rangeContains } from '../core/text';
import { pathToUri, toLspRange, uriToPath } from '../convert';
import type { OnlineEntry, ServerContext } from '../context';
import { signalOf } from './cancellation';


/** The document's latest checked result, when it belongs to the current version. */
function currentEntry(ctx: ServerContext, uri: string): OnlineEntry | undefined {
  const entry = ctx.online.get(uri);
  return entry && entry.version === ctx.documents.get(uri)?.version ? entry : undefined;
}

/** Explain conflict: the whole derivation for a read-only document. */
export async function explainConflicts(ctx: ServerContext, params: ExplainParams): Promise<ExplainResult> {
  const path = uriToPath(params.uri) ?? params.uri;
  const entry = currentEntry(ctx, params.uri);
  return {
    markdown: explainMarkdown(path, {
      checked: entry?.result.registriesChecked === true,
      findings: entry?.result.findings ?? [],
      explanation: entry?.result.explanation,
      target: entry?.result.target,
    }),
  };
}

/** Why is this here: the chains for the dependency under the cursor. */
export async function whyIsThisHere(ctx: ServerContext, params: WhyParams, token?: CancellationToken): Promise<WhyResult> {
  const analysis = await ctx.analysisFor(params.uri);
  const dep = analysis?.manifests[0]?.dependencies.find((d) => rangeContains(d.range, params.position));
  if (!dep) return { markdown: null };
  const facts = (await currentEntry(ctx, params.uri)?.result.hoverFacts(dep, signalOf(token))) ?? {};
  return { markdown: whyMarkdown(dep, facts) };
}

/** Update all to highest compatible: one workspace edit over every open, checked manifest. */
export async function updateAll(ctx: ServerContext, token?: CancellationToken): Promise<UpdateAllResult> {
  const entries = ctx.documents.all().flatMap((d) => {
    const entry = currentEntry(ctx, d.uri);
    return entry ? [{ analysis: entry.analysis, result: entry.result }] : [];
  });
  const plan = await planUpdateAll(entries, signalOf(token));
  const changes: UpdateAllResult['edit']['changes'] = {};
  for (const edit of plan.edits) (changes[pathToUri(edit.path)] ??= []).push({ range: toLspRange(edit.range), newText: edit.newText });
  const unchecked = ctx.documents.all().length - entries.length;
  const skipped = unchecked > 0 ? [...plan.skipped, `${unchecked} open manifest${unchecked === 1 ? ' has' : 's have'} not finished checking; run the command again when the status item is idle.`] : plan.skipped;
  return { edit: { changes }, updated: plan.edits.length, skipped };
}

/** Deletes the disk cache folder's contents (the folder is the extension's own storage). */
export async function clearDiskCache(cacheDir: string | undefined): Promise<void> {
  if (cacheDir) await rm(cacheDir, { recursive: true, force: true });
}
