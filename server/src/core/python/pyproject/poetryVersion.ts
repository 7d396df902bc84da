// poetry-core's version model (poetry.core.version.pep440 + constraints.version.Version), reduced to
// what constraint conversion needs. It differs from PEP 440 normalisation in small ways that show in
// poetry's output (release precision is kept: `^1.2.3` gives `<2.0.0`, not `<2`), so it is not
// shared with versions/pep440.ts.

export interface Tag {
  phase: string;
  num: number;
}

export interface PVersion {
  epoch: number;
  /** Release parts as written (precision = length, at least 1). */
  release: number[];
  pre: Tag | null;
  post: Tag | null;
  dev: Tag | null;
  local: string[] | null;
  /** poetry's `text`: the normalised string, lower-cased. */
  text: string;
}

// packaging's VERSION_PATTERN as vendored by poetry-core (ASCII, case-insensitive).
export const VERSION_PATTERN =
  'v?(?:(?:(?<epoch>[0-9]+)!)?(?<release>[0-9]+(?:\\.[0-9]+)*)' +
  '(?<pre>[-_\\.]?(?<pre_l>alpha|a|beta|b|preview|pre|c|rc)[-_\\.]?(?<pre_n>[0-9]+)?)?' +
  '(?<post>(?:-(?<post_n1>[0-9]+))|(?:[-_\\.]?(?<post_l>post|rev|r)[-_\\.]?(?<post_n2>[0-9]+)?))?' +
  '(?<dev>[-_\\.]?(?<dev_l>dev)[-_\\.]?(?<dev_n>[0-9]+)?)?)' +
  '(?:\\+(?<local>[a-z0-9]+(?:[-_\\.][a-z0-9]+)*))?';

const FULL = new RegExp(`^\\s*${VERSION_PATTERN}\\s*$`, 'i');

const PHASES: Record<string, string> = {
  a: 'a', alpha: 'a', b: 'b', beta: 'b', rc: 'rc', c: 'rc', pre: 'rc', preview: 'rc',
  post: 'post', r: 'post', rev: 'post', '-': 'post', dev: 'dev',
};

function tag(phase: string, num: number): Tag {
  // poetry looks the spelling up case-sensitively; an upper-case spelling stays as written.
  return { phase: PHASES[phase] ?? phase, num };
}

function toInt(s: string | undefined): number {
  return s ? Number(s) : 0;
}

/** Builds a version from parts, computing poetry's `text`. */
export function makeVersion(epoch: number, release: number[], pre: Tag | null = null, post: Tag | null = null, dev: Tag | null = null, local: string[] | null = null): PVersion {
  let text = release.join('.');
  if (epoch) text = `${epoch}!${text}`;
  if (pre) text += `${pre.phase}${pre.num}`;
  if (post) text += `.${post.phase}${post.num}`;
  if (dev) text += `.${dev.phase}${dev.num}`;
  if (local) text += `+${local.join('.')}`;
  return { epoch, release, pre, post, dev, local, text: text.toLowerCase() };
}

/** Parses a version as poetry-core does, or returns null. */
export function parseVersion(value: string): PVersion | null {
  const m = value ? FULL.exec(value) : null;
  if (!m || !m.groups) return null;
  const g = m.groups;
  const release = g.release.split('.').map(Number);
  const pre = g.pre !== undefined ? tag(g.pre_l, toInt(g.pre_n)) : null;
  const post = g.post !== undefined ? tag(g.post_l ?? 'post', toInt(g.post_n1 ?? g.post_n2)) : null;
  const dev = g.dev !== undefined ? tag(g.dev_l, toInt(g.dev_n)) : null;
  const local = g.local !== undefined ? g.local.split(/[._-]/).map((p) => p.toLowerCase()) : null;
  return makeVersion(toInt(g.epoch), release, pre, post, dev, local);
}

function releaseKey(release: number[]): number[] {
  const key = release.slice();
  while (key.length && key[key.length - 1] === 0) key.pop();
  return key;
}

function compareArrays(a: number[], b: number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  return a.length - b.length;
}

// Tags sort by (phase, number) with phase compared as a string, between -inf and +inf sentinels.
type TagKey = -1 | 1 | Tag;
function compareTags(a: TagKey, b: TagKey): number {
  if (typeof a === 'number' || typeof b === 'number') {
    const ra = typeof a === 'number' ? a * 2 : 0;
    const rb = typeof b === 'number' ? b * 2 : 0;
    return ra - rb;
  }
  if (a.phase !== b.phase) return a.phase < b.phase ? -1 : 1;
  return a.num - b.num;
}

function compareLocal(a: string[] | null, b: string[] | null): number {
  // No local sorts first; numeric segments sort after alphanumeric ones.
  const ka: [number, string][] = a ? a.map((s) => (/^[0-9]+$/.test(s) ? [Number(s), ''] : [-Infinity, s])) : [[-Infinity, '']];
  const kb: [number, string][] = b ? b.map((s) => (/^[0-9]+$/.test(s) ? [Number(s), ''] : [-Infinity, s])) : [[-Infinity, '']];
  for (let i = 0; i < Math.min(ka.length, kb.length); i++) {
    if (ka[i][0] !== kb[i][0]) return ka[i][0] < kb[i][0] ? -1 : 1;
    if (ka[i][1] !== kb[i][1]) return ka[i][1] < kb[i][1] ? -1 : 1;
  }
  return ka.length - kb.length;
}

/** poetry's `_compare_key` ordering. */
export function compareVersions(a: PVersion, b: PVersion): number {
  if (a.epoch !== b.epoch) return a.epoch - b.epoch;
  const r = compareArrays(releaseKey(a.release), releaseKey(b.release));
  if (r) return r;
  const preKey = (v: PVersion): TagKey => (v.pre === null && v.post === null && v.dev !== null ? -1 : v.pre ?? 1);
  const c1 = compareTags(preKey(a), preKey(b));
  if (c1) return c1;
  const c2 = compareTags(a.post ?? -1, b.post ?? -1);
  if (c2) return c2;
  const c3 = compareTags(a.dev ?? 1, b.dev ?? 1);
  if (c3) return c3;
  return compareLocal(a.local, b.local);
}

export function eqVersion(a: PVersion | null, b: PVersion | null): boolean {
  if (a === null || b === null) return a === b;
  return compareVersions(a, b) === 0;
}

export const isStable = (v: PVersion): boolean => v.pre === null && v.dev === null;
export const isUnstable = (v: PVersion): boolean => !isStable(v);

export function stable(v: PVersion): PVersion {
  if (isStable(v)) return v;
  return makeVersion(v.epoch, v.release, null, v.pre === null ? v.post : null);
}

export function withoutLocal(v: PVersion): PVersion {
  return makeVersion(v.epoch, v.release, v.pre, v.post, v.dev, null);
}

export function withoutPost(v: PVersion): PVersion {
  return v.post ? makeVersion(v.epoch, v.release, v.pre, null, null, v.local) : v;
}

export function withoutDev(v: PVersion): PVersion {
  return makeVersion(v.epoch, v.release, v.pre, v.post, null, v.local);
}

export function firstDev(v: PVersion): PVersion {
  return makeVersion(v.epoch, v.release, v.pre, v.post, tag('dev', 0));
}

// Release increments keep the precision written, as poetry's Release.next_* do.
function relNextMajor(r: number[]): number[] {
  return [r[0] + 1, ...r.slice(1).map(() => 0)];
}
function relNextMinor(r: number[]): number[] {
  return [r[0], (r[1] ?? 0) + 1, ...r.slice(2).map(() => 0)];
}
function relNextPatch(r: number[]): number[] {
  return [r[0], r[1] ?? 0, (r[2] ?? 0) + 1, ...r.slice(3).map(() => 0)];
}
function relNext(r: number[]): number[] {
  if (r.length === 1) return relNextMajor(r);
  if (r.length === 2) return relNextMinor(r);
  if (r.length === 3) return relNextPatch(r);
  return [...r.slice(0, -1), r[r.length - 1] + 1];
}

function incrementRequired(v: PVersion): boolean {
  return isStable(v) || (v.pre === null && v.post !== null);
}

function bump(v: PVersion, floor: number[], next: (r: number[]) => number[]): PVersion {
  const release = incrementRequired(v) || compareArrays(releaseKey(floor), releaseKey(v.release)) < 0 ? next(v.release) : v.release;
  return makeVersion(v.epoch, release);
}

export const nextMajor = (v: PVersion): PVersion => bump(v, [v.release[0], 0, 0], relNextMajor);
export const nextMinor = (v: PVersion): PVersion => bump(v, [v.release[0], v.release[1] ?? 0, 0], relNextMinor);
export const nextPatch = (v: PVersion): PVersion => bump(v, v.release.slice(0, 3), relNextPatch);

export function nextStable(v: PVersion): PVersion {
  return makeVersion(v.epoch, isStable(v) ? relNext(v.release) : v.release, null, null, null, v.local);
}

export function nextPre(v: PVersion): PVersion {
  let pre: Tag;
  if (v.pre) pre = v.dev === null || v.post !== null ? { ...v.pre, num: v.pre.num + 1 } : v.pre;
  else pre = tag('a', 0);
  return makeVersion(v.epoch, v.release, pre);
}

export function nextPost(v: PVersion): PVersion {
  const post = v.post ? (v.dev === null ? { ...v.post, num: v.post.num + 1 } : v.post) : tag('post', 0);
  return makeVersion(v.epoch, v.release, v.pre, post);
}

export function nextDev(v: PVersion): PVersion {
  const dev = v.dev ? { ...v.dev, num: v.dev.num + 1 } : tag('dev', 0);
  return makeVersion(v.epoch, v.release, v.pre, v.post, dev);
}

/** Caret upper bound: poetry's Version.next_breaking. */
export function nextBreaking(v: PVersion): PVersion {
  const [major, minor, patch] = v.release;
  if (major > 0 || minor === undefined) return nextMajor(stable(v));
  if (minor > 0 || patch === undefined) return nextMinor(stable(v));
  return nextPatch(stable(v));
}
