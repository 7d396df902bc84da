import type { Finding, ManifestKind, ParsedManifest } from '../model';
import type { Runtime } from '../runtime';
import { parseProblemFindings } from '../insight/stage1';
import { detectManifestKind } from './detect';
import { ecosystemOf } from './ecosystems';

export interface Analysis {
  root: string;
  kind: ManifestKind;
  /** The root manifest first, then any included files (requirements only). */
  manifests: ParsedManifest[];
  findings: Finding[];
}

/**
 * Parses a manifest (following requirement includes) and computes the checks that need no
 * network. `text` overrides the disk for the root file (an editor's unsaved buffer).
 */
export async function analyzeManifest(
  path: string,
  runtime: Runtime,
  text?: string,
  kind: ManifestKind | null = detectManifestKind(path),
): Promise<Analysis | null> {
  if (kind === null) return null;
  const rootText = text ?? (await runtime.readFile(path));
  if (rootText === undefined) return null;
  const ecosystem = ecosystemOf(kind);
  const manifests = await ecosystem.parse(path, kind, rootText, runtime);
  return { root: path, kind, manifests, findings: [...parseProblemFindings(manifests), ...ecosystem.localFindings(manifests)] };
}
