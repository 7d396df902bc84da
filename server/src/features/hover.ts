import { MarkupKind, type CancellationToken, type Hover, type HoverParams } from 'vscode-languageserver/node';
import type { Dependency } from '../core/model';
import { hoverMarkdown, type HoverFacts } from '../core/insight/hoverText';
import type { OnlineResult } from '../core/project/stages';
import { rangeContains } from '../core/text';
import { ROOT } from '../core/pubgrub/types';
import { highestCompatible, whyIsThisHere } from '../core/python/resolve/whatIf';
import { toLspRange } from '../convert';
import type { OnlineEntry, ServerContext } from '../context';

// Highest-compatible answers are re-solves: keep them per result so a second hover is instant.
const compatibleCache = new WeakMap<OnlineResult, Map<string, Promise<string | undefined>>>();

function signalOf(token: CancellationToken | undefined): AbortSignal | undefined {
  if (!token) return undefined;
  const controller = new AbortController();
  if (token.isCancellationRequested) controller.abort();
  token.onCancellationRequested(() => controller.abort());
  return controller.signal;
}

function compatible(entry: OnlineEntry, name: string, signal?: AbortSignal): Promise<string | undefined> {
  const python = entry.result.python;
  if (!python) return Promise.resolve(undefined);
  let byName = compatibleCache.get(entry.result);
  if (!byName) compatibleCache.set(entry.result, (byName = new Map()));
  let answer = byName.get(name);
  if (!answer) {
    answer = highestCompatible(python.provider, name, { signal, timeBudgetMs: 3_000 }).then(
      (r) => (r.kind === 'found' ? r.version : undefined),
      () => undefined,
    );
    byName.set(name, answer);
    // A cancelled hover must not leave a cancelled answer behind for the next one.
    void answer.then((v) => v === undefined && signal?.aborted && byName!.delete(name));
  }
  return answer;
}

async function pythonFacts(entry: OnlineEntry, dep: Dependency, signal?: AbortSignal): Promise<HoverFacts> {
  const name = dep.normalizedName;
  const facts: HoverFacts = { latest: entry.result.pypiFacts.get(name)?.latest, target: entry.target.description, stale: entry.result.stale };
  const result = entry.result.python?.result;
  if (result?.kind === 'solution') {
    facts.resolved = result.versions.get(name);
    facts.requiredBy = (result.requiredBy.get(name) ?? []).map((r) => ({ by: r.by === ROOT ? 'your requirements' : `${r.by} ${r.byVersion}`, specifier: r.specifier, condition: r.condition }));
    const chains = whyIsThisHere(result, name, 6).filter((c) => c.length > 1);
    facts.chains = chains.map((c) => c.map((s, i) => (i === 0 ? `${s.package} ${s.version}` : `${s.package}${s.specifier}`)).join(' → '));
  }
  if (result?.kind === 'conflict' && entry.result.python?.explanation) {
    const inConflict = entry.result.findings.some((f) => f.package === name && (f.code === 'conflict' || f.code === 'possible-conflict'));
    if (inConflict) facts.explanation = entry.result.python.explanation.lines;
  }
  if (dep.source === 'registry' && !dep.constraint) facts.highestCompatible = await compatible(entry, name, signal);
  return facts;
}

function npmFacts(entry: OnlineEntry, dep: Dependency): HoverFacts {
  const name = dep.source === 'alias' ? (dep.location ?? dep.name) : dep.name;
  const facts = entry.result.npmFacts.get(name);
  return { latest: facts?.latest, resolved: facts?.picked, stale: entry.result.stale };
}

/** Explains the dependency under the cursor from the latest analysis and registry results. */
export async function provideHover(ctx: ServerContext, params: HoverParams, token?: CancellationToken): Promise<Hover | null> {
  const analysis = await ctx.analysisFor(params.textDocument.uri);
  const manifest = analysis?.manifests[0];
  const dep = manifest?.dependencies.find((d) => rangeContains(d.range, params.position));
  if (!dep || !analysis || !manifest) return null;
  const document = ctx.documents.get(params.textDocument.uri);
  const entry = ctx.online.get(params.textDocument.uri);
  let facts: HoverFacts = {};
  if (entry && document && entry.version === document.version) {
    facts = dep.ecosystem === 'pypi' ? await pythonFacts(entry, dep, signalOf(token)) : npmFacts(entry, dep);
  }
  return { contents: { kind: MarkupKind.Markdown, value: hoverMarkdown(dep, analysis.manifests, facts) }, range: toLspRange(dep.range) };
}
