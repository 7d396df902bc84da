import { basename, dirname } from 'node:path';
import type { ManifestKind } from '../model';

const REQUIREMENTS = /^(requirements.*\.(txt|in)|constraints.*\.(txt|in)|.*\.pip)$/i;

/** The manifest kind a file name implies, or null when Pinsight does not read that file. */
export function detectManifestKind(path: string): ManifestKind | null {
  const name = basename(path);
  if (name === 'package.json') return 'package.json';
  if (name === 'pyproject.toml') return 'pyproject';
  if (REQUIREMENTS.test(name)) return 'requirements';
  // requirements/dev.txt, requirements/base.in: a folder of requirement files is a common layout.
  if (/^requirements$/i.test(basename(dirname(path))) && /\.(txt|in)$/i.test(name)) return 'requirements';
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
