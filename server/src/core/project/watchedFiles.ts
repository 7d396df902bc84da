// Which open documents a change on disk concerns. The client's watcher is broad (every *.txt and
// *.toml of the workspace, since a requirements file may include a file of any name), so most
// events concern nothing: a `pip install` into .venv touches hundreds of .txt files. Each changed
// path is sorted into one of these, and only the documents that read it are checked again:
// - inside a virtualenv's site-packages, node_modules, .git or __pycache__: ignored, except
// - an installed distribution's METADATA, a venv's pyvenv.cfg, npm's hidden lockfile: the drift
//   stage of the documents in that project's folder;
// - a lockfile (uv.lock, poetry.lock, package-lock.json, npm-shrinkwrap.json): the drift stage of
//   the documents in its folder and below;
// - a configuration file (.npmrc, pip.conf, pinsight.toml, pyproject.toml): the registries'
//   settings and team rules may change, so the registry clients are reset and the documents in
//   its folder and below are parsed and checked again (a pyproject.toml is also a manifest);
// - any other file (a manifest, an included file): the documents that include it are parsed and
//   checked again; the others only republish (their inconsistent pins may have changed).

import { dirname, sep } from 'node:path';

export interface WatchedDocument {
  uri: string;
  path: string;
  /** Every file the document's last analysis read: the manifest and its includes. */
  files: readonly string[];
}

export interface WatchPlan {
  /** Documents whose parse is stale: read again, then checked. */
  reparse: Set<string>;
  /** Documents whose drift stage is stale: checked again with their parse kept. */
  recheck: Set<string>;
  /** A configuration file changed: reset the registry clients (credentials, indexes). */
  configuration: boolean;
  /** A manifest no open document reads changed: republish (workspace-wide pins). */
  republish: boolean;
  /** What each changed path was taken as, for the log. */
  notes: string[];
}

const IGNORED_SEGMENT = /(^|[\\/])(site-packages|dist-packages|node_modules|\.git|__pycache__)([\\/]|$)/;
const METADATA = /^(.*?)[\\/](lib[\\/]python[^\\/]*|Lib)[\\/]site-packages[\\/][^\\/]+\.dist-info[\\/]METADATA$/;
const HIDDEN_NPM_LOCK = /^(.*)[\\/]node_modules[\\/]\.package-lock\.json$/;
const LOCKFILE = /(^|[\\/])(uv\.lock|poetry\.lock|package-lock\.json|npm-shrinkwrap\.json)$/;
const CONFIG = /(^|[\\/])(\.npmrc|\.netrc|pip\.conf|pip\.ini|uv\.toml|pinsight\.toml|pyproject\.toml)$/;

function within(folder: string, path: string): boolean {
  const f = folder.replace(/[\\/]+$/, '');
  return path === f || path.startsWith(f + sep);
}

export function planWatchedChanges(paths: readonly string[], documents: readonly WatchedDocument[]): WatchPlan {
  const plan: WatchPlan = { reparse: new Set(), recheck: new Set(), configuration: false, republish: false, notes: [] };
  const under = (folder: string) => documents.filter((d) => within(folder, d.path)).map((d) => d.uri);
  const driftOf = (path: string, project: string, what: string) => {
    const uris = under(project);
    // A virtualenv outside every open document's folders (a selected interpreter elsewhere): its
    // documents cannot be told apart, so every one is checked again.
    const targets = uris.length > 0 ? uris : documents.map((d) => d.uri);
    for (const uri of targets) plan.recheck.add(uri);
    plan.notes.push(`${path}: ${what}; re-checking ${targets.length} document${targets.length === 1 ? '' : 's'}`);
  };
  for (const path of paths) {
    const metadata = METADATA.exec(path);
    const hidden = HIDDEN_NPM_LOCK.exec(path);
    if (metadata) {
      driftOf(path, dirname(metadata[1]!), 'an installed distribution');
    } else if (hidden) {
      driftOf(path, hidden[1]!, "npm's record of node_modules");
    } else if (/(^|[\\/])pyvenv\.cfg$/.test(path)) {
      driftOf(path, dirname(dirname(path)), 'a virtual environment');
    } else if (IGNORED_SEGMENT.test(path)) {
      plan.notes.push(`${path}: inside an environment or tool folder; ignored`);
    } else if (LOCKFILE.test(path)) {
      const uris = under(dirname(path));
      for (const uri of uris) plan.recheck.add(uri);
      plan.notes.push(`${path}: a lockfile; re-checking ${uris.length} document${uris.length === 1 ? '' : 's'}`);
    } else if (CONFIG.test(path)) {
      plan.configuration = true;
      const uris = new Set([...under(dirname(path)), ...documents.filter((d) => d.files.includes(path)).map((d) => d.uri)]);
      for (const uri of uris) plan.reparse.add(uri);
      plan.republish = true;
      plan.notes.push(`${path}: configuration; reading ${uris.size} document${uris.size === 1 ? '' : 's'} again`);
    } else {
      const uris = documents.filter((d) => d.files.includes(path)).map((d) => d.uri);
      for (const uri of uris) plan.reparse.add(uri);
      plan.republish = true;
      plan.notes.push(uris.length > 0 ? `${path}: read by ${uris.length} open document${uris.length === 1 ? '' : 's'}; reading ${uris.length === 1 ? 'it' : 'them'} again` : `${path}: no open document reads it`);
    }
  }
  for (const uri of plan.reparse) plan.recheck.delete(uri);
  return plan;
}
