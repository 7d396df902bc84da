import type { ManifestKind } from '../model';
import { ECOSYSTEMS } from './ecosystems';

/** The manifest kind a file name implies, or null when Pinsight does not read that file. */
export function detectManifestKind(path: string): ManifestKind | null {
  for (const ecosystem of ECOSYSTEMS) {
    const kind = ecosystem.manifestKind(path);
    if (kind) return kind;
  }
  return null;
}

/** Folders never searched for manifests: installed packages, virtualenvs and VCS metadata. */
export function isIgnoredFolder(name: string): boolean {
  return (
    name === 'node_modules' ||
    name === '.git' ||
    name === '.hg' ||
    name === '.svn' ||
    name === '__pycache__' ||
    name === 'site-packages' ||
    name === '.tox' ||
    name === '.nox' ||
    name === '.mypy_cache' ||
    name === '.pytest_cache' ||
    name === '.venv' ||
    name === 'venv' ||
    name === '.e2e-tools' ||
    name === '.e2e-work'
  );
}
