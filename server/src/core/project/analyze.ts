import { detectManifestKind } from './detect';
import { parsePackageJson } from '../npm/manifest/packageJson';
import { parsePyproject } from '../python/pyproject/pyproject';
import { loadRequirementsTree } from '../python/requirements/requirements';
import type { Finding, ManifestKind, ParsedManifest } from '../model';
import type { Runtime } from '../runtime';
import { collectStage1Findings } from '../insight/stage1';

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
  let manifests: ParsedManifest[];
  if (kind === 'requirements') {
    const readFile = (p: string) => (p === path ? Promise.resolve(rootText) : runtime.readFile(p));
    manifests = await loadRequirementsTree(path, readFile, { env: runtime.env });
  } else if (kind === 'pyproject') {
    manifests = [parsePyproject(rootText, path)];
  } else {
    manifests = [parsePackageJson(rootText, path)];
  }
  return { root: path, kind, manifests, findings: collectStage1Findings(manifests) };
}
