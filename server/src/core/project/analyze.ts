import type { Finding, ManifestKind, ParsedManifest } from '../model';
import type { Runtime } from '../runtime';
import type { TeamRules } from '../rules/types';
import { parseProblemFindings } from '../insight/stage1';
import { detectManifestKind } from './detect';
import { ecosystemOf } from './ecosystems';
import { rulesForManifest } from './teamRules';

export interface Analysis {
  root: string;
  kind: ManifestKind;
  /** The root manifest first, then any included files (requirements only). */
  manifests: ParsedManifest[];
  findings: Finding[];
  /** The team rules that apply (pinsight.toml and [tool.pinsight] from the manifest's folder up to the search root). */
  rules?: TeamRules;
}

export interface AnalyzeOptions {
  /** Where the search for rule files stops going up (the workspace folder, the CLI's working directory). */
  rulesRoot?: string;
  /** Read the team rules (default true); false for analyses that only compare pins. */
  rules?: boolean;
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
  options: AnalyzeOptions = {},
): Promise<Analysis | null> {
  if (kind === null) return null;
  const rootText = text ?? (await runtime.readFile(path));
  if (rootText === undefined) return null;
  const ecosystem = ecosystemOf(kind);
  const manifests = await ecosystem.parse(path, kind, rootText, runtime);
  const rules = options.rules === false ? undefined : await rulesForManifest(path, runtime, options.rulesRoot, rootText);
  // A rule file's problems are located in it: the server publishes those of the open file only.
  return { root: path, kind, manifests, findings: [...parseProblemFindings(manifests), ...ecosystem.localFindings(manifests), ...(rules?.problems ?? [])], rules };
}
