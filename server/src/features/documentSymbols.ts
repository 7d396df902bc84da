import { DocumentSymbol, SymbolKind, type DocumentSymbolParams } from 'vscode-languageserver/node';
import type { Dependency } from '../core/model';
import { toLspRange } from '../convert';
import type { ServerContext } from '../context';

/** The outline: one node per section, its dependencies inside, in source order. */
export async function provideDocumentSymbols(ctx: ServerContext, params: DocumentSymbolParams): Promise<DocumentSymbol[]> {
  const analysis = await ctx.analysisFor(params.textDocument.uri);
  const manifest = analysis?.manifests[0];
  // VS Code's JSON support already outlines package.json; a second outline would only split it.
  if (!manifest || manifest.kind === 'package.json') return [];
  const sections = new Map<string, Dependency[]>();
  for (const dep of manifest.dependencies) {
    const list = sections.get(dep.section) ?? [];
    list.push(dep);
    sections.set(dep.section, list);
  }
  const symbols: DocumentSymbol[] = [];
  for (const [section, deps] of sections) {
    const children = deps.map(toSymbol);
    const range = { start: children[0].range.start, end: children[children.length - 1].range.end };
    symbols.push(DocumentSymbol.create(section, `${deps.length} ${deps.length === 1 ? 'dependency' : 'dependencies'}`, SymbolKind.Namespace, range, children[0].selectionRange, children));
  }
  return symbols;
}

function toSymbol(dep: Dependency): DocumentSymbol {
  const extras = dep.extras.length > 0 ? `[${dep.extras.join(',')}]` : '';
  const detail = [dep.specifier || (dep.location ?? ''), dep.marker ? `; ${dep.marker}` : ''].join('').trim();
  return DocumentSymbol.create(`${dep.name}${extras}`, detail || undefined, SymbolKind.Package, toLspRange(dep.range), toLspRange(dep.nameRange));
}
