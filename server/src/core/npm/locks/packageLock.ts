// Reads package-lock.json, npm-shrinkwrap.json and node_modules/.package-lock.json (lockfileVersion 2
// and 3: the `packages` map keyed by location) into tree nodes. Never throws: a file that is not JSON,
// a v1 lock or a malformed `packages` map comes back as a sentence saying why it was not read.
import { stripBom } from '../../text';
import { makeNode, packageFieldsOf, type DepNode, type PackageFields } from './depGraph';

export interface LockEntry {
  location: string;
  fields: PackageFields;
  resolved?: string;
  link: boolean;
  inBundle: boolean;
  hasShrinkwrap: boolean;
}

export type ParsedLock =
  | {
      kind: 'ok';
      lockfileVersion: number;
      /** `packages[""]`: the root's dependency fields as they were when the lock was written. */
      root: PackageFields & { workspaces?: unknown };
      /** Every other entry, by location. */
      entries: Map<string, LockEntry>;
    }
  | { kind: 'skipped'; reason: string };

function describeJsonError(text: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const at = /position (\d+)/.exec(message);
  if (!at) return message.replace(/\.$/, '');
  const offset = Number(at[1]);
  const line = text.slice(0, offset).split('\n').length;
  return `${message.replace(/ in JSON at position \d+.*$/, '').replace(/\.$/, '')} at line ${line}`;
}

/** Parses a lockfile's text; `name` is how messages call it ('package-lock.json'). Never throws. */
export function parsePackageLock(text: string, name: string): ParsedLock {
  let json: unknown;
  const body = stripBom(text);
  try {
    json = JSON.parse(body);
  } catch (error) {
    return { kind: 'skipped', reason: `${name} is not valid JSON (${describeJsonError(body, error)}), so it was not checked; fix it or run \`npm install\` to write it again.` };
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) {
    return { kind: 'skipped', reason: `${name} does not hold a JSON object, so it was not checked; run \`npm install\` to write it again.` };
  }
  const data = json as Record<string, unknown>;
  const version = data.lockfileVersion;
  if (version === 1 || (version === undefined && data.dependencies && !data.packages)) {
    return {
      kind: 'skipped',
      reason: `${name} has lockfileVersion 1 (npm 6 and older), which Pinsight does not read; \`npm install\` with npm 7 or later upgrades it to version 3.`,
    };
  }
  const packages = data.packages;
  if (!packages || typeof packages !== 'object' || Array.isArray(packages)) {
    return { kind: 'skipped', reason: `${name} has no "packages" map (lockfileVersion ${String(version)}), so it was not checked; run \`npm install\` to write it again.` };
  }
  const entries = new Map<string, LockEntry>();
  let root: PackageFields & { workspaces?: unknown } = {};
  for (const [location, raw] of Object.entries(packages as Record<string, unknown>)) {
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) continue;
    const entry = raw as Record<string, unknown>;
    if (location === '') {
      root = { ...packageFieldsOf(entry), workspaces: entry.workspaces };
      continue;
    }
    const clean = location.replace(/\\/g, '/').replace(/\/+$/, '');
    entries.set(clean, {
      location: clean,
      fields: packageFieldsOf(entry),
      resolved: typeof entry.resolved === 'string' ? entry.resolved : undefined,
      link: entry.link === true,
      inBundle: entry.inBundle === true,
      hasShrinkwrap: entry.hasShrinkwrap === true,
    });
  }
  return { kind: 'ok', lockfileVersion: typeof version === 'number' ? version : 3, root, entries };
}

/**
 * Tree nodes for a parsed lock, as arborist's loadVirtual builds them: links point at their target's
 * location, and a link target outside node_modules (a workspace) takes its dependencies from its own
 * package.json (`folders`), because npm reads those from disk too.
 */
export function lockNodes(lock: Extract<ParsedLock, { kind: 'ok' }>, folders: Map<string, PackageFields> = new Map()): { nodes: DepNode[]; brokenLinks: string[] } {
  // Nodes are never changed once made, so an unchanged lock (the same parsed object, kept by the
  // caller's cache) with unchanged folders gives the same nodes without making them again.
  const fingerprint = JSON.stringify([...folders]);
  const known = made.get(lock);
  if (known?.fingerprint === fingerprint) return known.result;
  const result = makeLockNodes(lock, folders);
  made.set(lock, { fingerprint, result });
  return result;
}

const made = new WeakMap<object, { fingerprint: string; result: { nodes: DepNode[]; brokenLinks: string[] } }>();

function makeLockNodes(lock: Extract<ParsedLock, { kind: 'ok' }>, folders: Map<string, PackageFields>): { nodes: DepNode[]; brokenLinks: string[] } {
  const nodes: DepNode[] = [];
  const brokenLinks: string[] = [];
  const linkTargets = new Set<string>();
  for (const entry of lock.entries.values()) {
    if (!entry.link) continue;
    const target = normaliseTarget(entry.resolved);
    if (target === undefined || !lock.entries.has(target)) {
      brokenLinks.push(entry.location);
      continue;
    }
    linkTargets.add(target);
    const targetFields = folders.get(target) ?? lock.entries.get(target)?.fields ?? {};
    nodes.push(makeNode(entry.location, { name: targetFields.name, version: targetFields.version }, { linkTo: target, edges: new Map() }));
  }
  for (const entry of lock.entries.values()) {
    if (entry.link) continue;
    const fields = folders.get(entry.location) ?? entry.fields;
    const extra: Partial<DepNode> = { inBundle: entry.inBundle || undefined, hasShrinkwrap: entry.hasShrinkwrap || undefined };
    if (entry.resolved !== undefined) extra.resolved = entry.resolved;
    nodes.push(makeNode(entry.location, fields, extra));
  }
  return { nodes, brokenLinks };
}

/** A link's `resolved` ("packages/web", "../lib") as a root-relative location. */
export function normaliseTarget(resolved: string | undefined): string | undefined {
  if (!resolved) return undefined;
  const clean = resolved.replace(/\\/g, '/').replace(/^file:/, '').replace(/\/+$/, '');
  return clean.replace(/^\.\//, '');
}
