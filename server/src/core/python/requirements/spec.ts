// Turns the requirement text of one requirements line into a Dependency, classifying it as pip
// 23.2.1's req/constructors.py does (URL, local path or archive, PEP 508, editable), without
// touching the file system: a path-like text is taken to be a local project.

import { basename } from 'node:path';
import type { Dependency, Range, SourceKind } from '../../model';
import type { LineIndex } from '../../text';
// Imported from the modules that define them rather than through re-exports: in the CommonJS build
// each re-export adds a getter call to every use, and these run once or more per requirement.
import { normalizeName, parseMarker } from '../versions/markerParser';
import { parsePep508 } from '../versions/pep508';
import { specifierSetProblem } from '../versions/specifiers';
import { Mapped, RawProblem, clip } from './lines';
import {
  Naming, archiveExtension, guessFromFolder, guessFromUrl, isWheel, nameFromEgg, nameFromFile, sdistNaming, trimSlashes,
  urlFileName,
} from './naming';

export interface RequirementContext {
  path: string;
  constraint: boolean;
  index: LineIndex;
  problems: RawProblem[];
}

/** What the requirement line adds beyond the requirement text. */
export interface LineExtras {
  hashes: string[];
  comment?: string;
}

const VCS_SCHEMES = ['bzr+http', 'bzr+https', 'bzr+ssh', 'bzr+sftp', 'bzr+ftp', 'bzr+lp', 'bzr+file', 'git+http', 'git+https',
  'git+ssh', 'git+git', 'git+file', 'hg+file', 'hg+http', 'hg+https', 'hg+ssh', 'hg+static-http', 'svn+ssh', 'svn+http',
  'svn+https', 'svn+svn', 'svn+file'];
const URL_SCHEMES = ['http', 'https', 'file', 'ftp', ...VCS_SCHEMES];
const MAX_SCHEME_LENGTH = Math.max(...URL_SCHEMES.map((s) => s.length));
const VCS_NAMES = ['bzr', 'git', 'hg', 'svn'];
const UNKNOWN_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]+:\/\//;

/**
 * pip's _strip_extras, `^(.+)(\[[^\]]+\])$` without the regex's backtracking: the length of the
 * text before a final `[extras]`, or null when there is none.
 */
function extrasAt(text: string): number | null {
  if (text.length < 4 || !text.endsWith(']')) return null;
  const open = text.lastIndexOf('[', text.length - 3);
  if (open < 1 || text.lastIndexOf(']', text.length - 2) > open) return null;
  return open;
}

/** pip's get_url_scheme + is_url. */
function urlScheme(text: string): string | null {
  const colon = text.indexOf(':');
  return colon < 0 ? null : text.slice(0, colon).toLowerCase();
}

function isUrl(text: string): boolean {
  // No scheme pip accepts is longer than 'hg+static-http', and lower-casing never shortens text.
  const colon = text.indexOf(':');
  if (colon < 0 || colon > MAX_SCHEME_LENGTH) return false;
  const scheme = urlScheme(text);
  return scheme !== null && URL_SCHEMES.includes(scheme);
}

/** Starts with `scheme://` (any scheme); most requirements have no '://' at all. */
function hasUnknownScheme(text: string): boolean {
  return text.includes('://') && UNKNOWN_SCHEME.test(text);
}

function looksLikePath(text: string): boolean {
  return text.includes('/') || text.includes('\\') || text.startsWith('.');
}

/** The requirement written on an ordinary (not -e) line: `args` is already stripped. */
export function buildRequirement(args: Mapped, ctx: RequirementContext, extras: LineExtras): Dependency | null {
  const url = isUrl(args.text);
  // pip splits off the marker before anything else: at '; ' for URLs, at the first ';' otherwise.
  const sep = url ? args.text.indexOf('; ') : args.text.indexOf(';');
  const head = args.strippedSlice(0, sep < 0 ? args.text.length : sep);
  const markerText = sep < 0 ? null : args.strippedSlice(Math.min(sep + (url ? 2 : 1), args.text.length), args.text.length);
  const marker = markerText && markerText.text.length > 0 ? markerText : null;
  let dep: Dependency | null;
  if (url) dep = fromLink(head, ctx, false);
  // An unknown scheme such as `git://` is neither a path nor a URL pip accepts: let PEP 508 fail on it.
  else if (!hasUnknownScheme(head.text) && isPathLike(head.text)) dep = fromPath(head, ctx, false);
  else dep = fromPep508(head, ctx);
  // pip rejects the line when either half is invalid; check both so both errors are shown.
  if (marker && !checkMarker(marker, ctx)) return null;
  if (dep === null) return null;
  dep.range = rangeOf(ctx, args);
  dep.raw = args.text;
  dep.hashes = extras.hashes;
  if (extras.comment !== undefined) dep.comment = extras.comment;
  if (marker) {
    dep.marker = marker.text;
    dep.markerRange = rangeOf(ctx, marker);
  }
  return dep;
}

/** The value of `-e`/`--editable`: a local project folder or a VCS URL with #egg=name. */
export function buildEditable(value: Mapped, ctx: RequirementContext, comment?: string): Dependency | null {
  const v = value.pyStrip();
  const noExtras = v.text.slice(0, extrasAt(v.text) ?? v.text.length);
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]+:/.test(noExtras) ? urlScheme(noExtras) : null;
  let dep: Dependency | null;
  if (v.text.length === 0) {
    problem(ctx, 'invalid-requirement', 'error', value.span(), '-e needs a local project folder or a VCS URL, such as -e . or -e git+https://host/repo.git#egg=name.');
    return null;
  } else if (scheme === null) {
    dep = fromPath(v, ctx, true);
  } else if (scheme === 'file') {
    dep = fromFileUrl(v, noExtras.length, ctx);
  } else {
    const vcs = VCS_NAMES.find((n) => scheme === n);
    const written = vcs ? `${vcs}+${v.text}` : v.text;
    if (!VCS_SCHEMES.includes(urlScheme(written) ?? '')) {
      problem(ctx, 'invalid-requirement', 'error', v.span(), `${clip(v.text)} is not a valid editable requirement: use a path to a local project or a VCS URL beginning with git+, hg+, svn+ or bzr+ (such as git+https://).`);
      return null;
    }
    dep = fromLink(v, ctx, true);
    if (dep && vcs) dep.location = written;
  }
  if (dep === null) return null;
  dep.editable = true;
  dep.range = rangeOf(ctx, v);
  dep.raw = v.text;
  if (comment !== undefined) dep.comment = comment;
  return dep;
}

/** `-e file:///path[extras]`: pip strips the extras before it reads the URL. */
function fromFileUrl(v: Mapped, urlLength: number, ctx: RequirementContext): Dependency | null {
  const dep = fromLink(v.slice(0, urlLength), ctx, true);
  if (dep === null || urlLength === v.text.length) return dep;
  const extras = parseExtras(v.slice(urlLength, v.text.length), ctx);
  if (extras === null) return null;
  dep.extras = extras.list;
  dep.extrasRange = toRange(ctx, extras.span);
  return dep;
}

function isPathLike(text: string): boolean {
  const at = text.indexOf('@');
  // `name @ https://...` is a PEP 508 URL requirement, not a path, when the part before '@' is not a path.
  const pep508Url = at >= 0 && !looksLikePath(text.slice(0, at));
  if (pep508Url) return false;
  return looksLikePath(text) || archiveExtension(text.slice(0, extrasAt(text) ?? text.length)) !== null;
}

function fromPep508(head: Mapped, ctx: RequirementContext): Dependency | null {
  const text = head.text;
  const badScheme = hasUnknownScheme(text) ? urlScheme(text) : null;
  const r = parsePep508(text);
  if (!r.ok) {
    if (reportSpecifier(head, r.start, ctx)) return null;
    let message = r.message;
    if (badScheme) message = `pip does not recognise the URL scheme '${clip(badScheme)}:'; use a scheme such as https:// or git+https://, or write name @ url.`;
    else if (text.includes('=') && !/===|==|~=|!=|<=|>=|<|>/.test(text)) message += ". '=' is not a version operator; did you mean '=='?";
    const span = badScheme ? head.span(0, badScheme.length + 1) : head.span(r.start, Math.max(r.end, r.start + 1));
    problem(ctx, 'invalid-requirement', 'error', span, endSentence(message));
    return null;
  }
  const req = r.requirement;
  const dep = baseDependency(ctx, req.name, rangeOf(ctx, head, req.nameStart, req.nameEnd), 'registry');
  dep.extras = req.extras;
  if (req.extrasStart !== undefined) dep.extrasRange = rangeOf(ctx, head, req.extrasStart, req.extrasEnd);
  dep.specifier = req.specifier;
  if (req.specifierStart !== undefined && req.specifierEnd !== undefined) {
    dep.specifierRange = rangeOf(ctx, head, req.specifierStart, req.specifierEnd);
    const spec = text.slice(req.specifierStart, req.specifierEnd);
    const checked = specifierSetProblem(spec);
    if (checked !== null) {
      const a = req.specifierStart + checked.offset;
      const b = checked.length > 0 ? a + checked.length : req.specifierEnd;
      problem(ctx, 'invalid-specifier', 'error', head.span(a, b), endSentence(checked.message), dep.normalizedName);
      return null;
    }
  }
  if (req.url !== undefined) {
    dep.source = sourceOfUrl(req.url);
    dep.location = req.url;
  }
  if (ctx.constraint && req.extras.length > 0) constraintProblem(ctx, dep, 'Constraints cannot have extras; pip rejects this line. Drop the extras here and keep them on the requirement.');
  return dep;
}

/**
 * When PEP 508 parsing fails inside the version specifier (`name==1.0abc`), PEP 440 explains the
 * problem better: report it as an invalid specifier on the clause pep440 points at.
 */
function reportSpecifier(head: Mapped, failedAt: number, ctx: RequirementContext): boolean {
  const m = /^[ \t]*[A-Za-z0-9][A-Za-z0-9._-]*[ \t]*(?:\[[^\]]*\][ \t]*)?\(?[ \t]*/.exec(head.text);
  if (!m || failedAt < m[0].length || !/^[<>=!~]/.test(head.text.slice(m[0].length))) return false;
  const start = m[0].length;
  const close = head.text.indexOf(')', start);
  const end = close < 0 ? head.text.length : close;
  const checked = specifierSetProblem(head.text.slice(start, end));
  if (checked === null) return false;
  const a = start + checked.offset;
  const b = checked.length > 0 ? a + checked.length : end;
  const name = /[A-Za-z0-9][A-Za-z0-9._-]*/.exec(head.text)?.[0] ?? '';
  problem(ctx, 'invalid-specifier', 'error', head.span(a, Math.max(b, a + 1)), endSentence(checked.message), normalizeName(name));
  return true;
}

function sourceOfUrl(url: string): SourceKind {
  const scheme = urlScheme(url) ?? '';
  if (VCS_SCHEMES.includes(scheme) || VCS_NAMES.includes(scheme)) return 'vcs';
  return scheme === 'file' ? 'path' : 'url';
}

/** A URL requirement (`https://.../x.whl`, `git+https://...#egg=x`, `file:///...`). */
function fromLink(head: Mapped, ctx: RequirementContext, editable: boolean): Dependency | null {
  const text = head.text;
  const fileName = urlFileName(text);
  // pip names a wheel from its file name before it looks at #egg=.
  const naming = isWheel(fileName) ? nameFromFile(head, fileName, ctx) : (nameFromEgg(head, ctx) ?? sdistNaming(head, fileName) ?? guessFromUrl(head));
  if (naming === null) return null;
  const dep = withNaming(ctx, naming, sourceOfUrl(text));
  dep.location = text;
  if (editable && sourceOfUrl(text) === 'vcs' && !naming.known) {
    problem(ctx, 'invalid-requirement', 'error', head.span(), `pip cannot tell the project name of ${clip(text)}; add #egg=your_package_name to the URL.`);
  }
  checkConstraint(ctx, dep, naming, editable);
  return dep;
}

/** A local folder or archive, with optional `[extras]` after it. */
function fromPath(head: Mapped, ctx: RequirementContext, editable: boolean): Dependency | null {
  const cut = extrasAt(head.text);
  const pathPart = cut !== null ? head.slice(0, cut) : head;
  const fileName = basename(trimSlashes(pathPart.text).replace(/\\/g, '/'));
  const archive = archiveExtension(pathPart.text) !== null;
  const naming = (archive ? nameFromFile(pathPart, fileName, ctx) : null) ?? guessFromFolder(pathPart, ctx.path);
  if (cut !== null) {
    const extras = parseExtras(head.slice(cut, head.text.length), ctx);
    if (extras === null) return null;
    naming.extras = extras.list;
    naming.extrasSpan = extras.span;
  }
  const dep = withNaming(ctx, naming, 'path');
  dep.location = pathPart.text;
  checkConstraint(ctx, dep, naming, editable);
  return dep;
}

function parseExtras(m: Mapped, ctx: RequirementContext): { list: string[]; span: [number, number] } | null {
  const r = parsePep508('placeholder' + m.text);
  const shift = 'placeholder'.length;
  if (!r.ok) {
    problem(ctx, 'invalid-extra', 'error', m.span(Math.max(0, r.start - shift), Math.max(1, r.end - shift)), endSentence(r.message));
    return null;
  }
  return { list: r.requirement.extras, span: m.span() };
}

function checkConstraint(ctx: RequirementContext, dep: Dependency, naming: Naming, editable: boolean): void {
  if (!ctx.constraint) return;
  if (!naming.known) constraintProblem(ctx, dep, 'pip does not allow unnamed requirements as constraints; write name @ url or name==version instead.');
  else if (editable) constraintProblem(ctx, dep, 'pip does not allow editable requirements as constraints; move this line to a requirements file.');
  else if (naming.extras.length > 0) constraintProblem(ctx, dep, 'Constraints cannot have extras; pip rejects this line. Drop the extras here and keep them on the requirement.');
}

function constraintProblem(ctx: RequirementContext, dep: Dependency, message: string): void {
  ctx.problems.push({ code: 'invalid-requirement', severity: 'error', message, package: dep.normalizedName, ...offsets(ctx, dep) });
}

function offsets(ctx: RequirementContext, dep: Dependency): { start: number; end: number } {
  return { start: ctx.index.offsetAt(dep.nameRange.start), end: ctx.index.offsetAt(dep.nameRange.end) };
}

function checkMarker(marker: Mapped, ctx: RequirementContext): boolean {
  const r = parseMarker(marker.text);
  if (r.ok) return true;
  const end = r.end > r.start ? r.end : Math.min(marker.text.length, r.start + 1);
  const span = end > r.start ? marker.span(r.start, end) : marker.span();
  problem(ctx, 'invalid-marker', 'error', span, endSentence(r.message));
  return false;
}

function withNaming(ctx: RequirementContext, naming: Naming, source: SourceKind): Dependency {
  const dep = baseDependency(ctx, naming.name, toRange(ctx, naming.nameSpan), source);
  dep.extras = naming.extras;
  if (naming.extrasSpan) dep.extrasRange = toRange(ctx, naming.extrasSpan);
  dep.specifier = naming.specifier;
  return dep;
}

function baseDependency(ctx: RequirementContext, name: string, nameRange: Range, source: SourceKind): Dependency {
  return {
    name, normalizedName: normalizeName(name), ecosystem: 'pypi', extras: [], specifier: '', marker: null,
    section: ctx.constraint ? 'constraints' : 'requirements', constraint: ctx.constraint, override: false, optional: false,
    source, range: nameRange, nameRange, hashes: [], editable: false, raw: '',
  };
}

/** The document range of characters [a, b) of a mapped string (the whole of it by default). */
function rangeOf(ctx: RequirementContext, m: Mapped, a = 0, b = m.text.length): Range {
  return ctx.index.range(m.spanStart(a, b), m.spanEnd(a, b));
}

function toRange(ctx: RequirementContext, span: [number, number]) {
  return ctx.index.range(span[0], span[1]);
}

function problem(ctx: RequirementContext, code: RawProblem['code'], severity: RawProblem['severity'], span: [number, number], message: string, pkg?: string): void {
  ctx.problems.push({ code, severity, message, start: span[0], end: span[1], ...(pkg ? { package: pkg } : {}) });
}

function endSentence(message: string): string {
  const m = message.trimEnd();
  return /[.?!]$/.test(m) ? m : m + '.';
}
