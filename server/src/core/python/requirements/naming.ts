// How a URL or path requirement is named, as pip 23.2.1 names it (wheel file names, #egg=, sdist
// archive names) or as well as we can guess without fetching it. Split from spec.ts,
// which classifies requirement text and builds the Dependency.

import { basename, dirname, isAbsolute, join } from 'node:path';
import { parsePep508 } from '../versions/pep508';
import { specifierSetProblem } from '../versions/specifiers';
import { Mapped, RawProblem, clip } from './lines';
import type { RequirementContext } from './spec';

const ARCHIVE_EXTENSIONS = ['.zip', '.whl', '.tar.bz2', '.tbz', '.tar.gz', '.tgz', '.tar', '.tar.xz', '.txz', '.tlz', '.tar.lz', '.tar.lzma'];
/** The last characters of the archive extensions (see endsWithLowered for why this suffices). */
const ARCHIVE_LAST = new Set(ARCHIVE_EXTENSIONS.map((ext) => ext.charCodeAt(ext.length - 1)));
const WHEEL_FILE = /^([^\s-]+?)-([^\s-]*?)(?:-\d[^-]*?)?-[^\s-]+?-[^\s-]+?-[^\s-]+?\.whl$/;
const EGG = /[#&]egg=([^&]*)/;
const PROJECT_NAME = /^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$/i;

/** A name pip would know for the requirement, or our best guess and where it is written. */
export interface Naming {
  name: string;
  nameSpan: [number, number];
  /** False when pip would treat the requirement as unnamed and we guessed from the path. */
  known: boolean;
  extras: string[];
  extrasSpan?: [number, number];
  specifier: string;
}

/** The text without trailing slashes (a loop: `/[/\\]+$/` backtracks quadratically on long runs). */
export function trimSlashes(text: string): string {
  let end = text.length;
  while (end > 0 && (text[end - 1] === '/' || text[end - 1] === '\\')) end--;
  return text.slice(0, end);
}

/** pip's splitext-based is_archive_file. */
export function archiveExtension(path: string): string | null {
  const trimmed = trimSlashes(path);
  // Most requirements end in a version digit: settle them on the last character.
  if (!ARCHIVE_LAST.has(asciiLower(trimmed.charCodeAt(trimmed.length - 1)))) return null;
  for (const ext of ARCHIVE_EXTENSIONS) if (endsWithLowered(trimmed, ext)) return ext;
  return null;
}

function asciiLower(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

/**
 * `text.toLowerCase()` ends with the lower-case ASCII `suffix` and is longer than it, without
 * lower-casing the text: of all characters only ASCII ones lower-case to a string ending in ASCII
 * (besides the Kelvin sign, to 'k', in no extension), one character to one.
 */
function endsWithLowered(text: string, suffix: string): boolean {
  if (text.length <= suffix.length) return false;
  for (let i = 1; i <= suffix.length; i++) {
    const c = text.charCodeAt(text.length - i);
    if (asciiLower(c) !== suffix.charCodeAt(suffix.length - i)) return false;
  }
  return true;
}

/** `#egg=name[extras]` in a URL, as pip's Link.egg_fragment reads it. */
export function nameFromEgg(head: Mapped, ctx: RequirementContext): Naming | null {
  const m = EGG.exec(head.text);
  if (!m) return null;
  const at = (m.index ?? 0) + m[0].length - m[1].length;
  const r = parsePep508(m[1]);
  if (!r.ok || r.requirement.url !== undefined || !PROJECT_NAME.test(r.requirement.name)) {
    const span = head.span(at, at + Math.max(1, m[1].length));
    problem(ctx, 'invalid-name', 'warning', span, `'${clip(m[1])}' after #egg= is not a valid project name; pip may not name this requirement. Write name @ url instead.`);
    return null;
  }
  const req = r.requirement;
  const naming: Naming = { name: req.name, nameSpan: head.span(at + req.nameStart, at + req.nameEnd), known: true, extras: req.extras, specifier: '' };
  if (req.extrasStart !== undefined) naming.extrasSpan = head.span(at + req.extrasStart, at + (req.extrasEnd ?? req.extrasStart));
  return naming;
}

/** Whether a URL's file name (percent-decoded) is a wheel. */
export function isWheel(fileName: string): boolean {
  return safeDecode(fileName).endsWith('.whl');
}

/** The file name at the end of a URL's path, without query or fragment. */
export function urlFileName(url: string): string {
  const path = url.replace(/[?#].*$/s, '');
  return path.slice(path.lastIndexOf('/') + 1);
}

/** A wheel names its project and version; an sdist archive usually does (`name-1.0.tar.gz`). */
export function nameFromFile(head: Mapped, fileName: string, ctx: RequirementContext): Naming | null {
  if (!isWheel(fileName)) return sdistNaming(head, fileName);
  const decoded = safeDecode(fileName);
  const m = WHEEL_FILE.exec(decoded);
  const at = head.text.lastIndexOf(fileName);
  if (!m) {
    const span = at >= 0 ? head.span(at, at + fileName.length) : head.span();
    problem(ctx, 'invalid-requirement', 'error', span, `${clip(decoded)} is not a valid wheel file name (name-version-python-abi-platform.whl); pip rejects it. Rename the file or rebuild the wheel.`);
    // Still a local file dependency: name it from the file so the rest of the line stays useful.
    return { name: decoded.slice(0, -'.whl'.length) || decoded, nameSpan: head.span(), known: false, extras: [], specifier: '' };
  }
  const name = m[1].replace(/_/g, '-');
  const version = m[2].replace(/_/g, '-');
  const nameSpan = at >= 0 && decoded === fileName ? head.span(at, at + m[1].length) : head.span();
  const specifier = specifierSetProblem('==' + version) === null ? '==' + version : '';
  return { name, nameSpan, known: true, extras: [], specifier };
}

/** The project an sdist archive's file name (`name-1.0.tar.gz`) names, where the name is written. */
export function sdistNaming(head: Mapped, fileName: string): Naming | null {
  const ext = archiveExtension(fileName);
  if (ext === null) return null;
  const stem = fileName.slice(0, fileName.length - ext.length);
  const name = /^(.+?)-\d/.exec(stem)?.[1] ?? stem;
  if (name.length === 0) return null;
  const at = head.text.lastIndexOf(fileName);
  return { name, nameSpan: at >= 0 ? head.span(at, at + name.length) : head.span(), known: false, extras: [], specifier: '' };
}

/** A VCS or other URL without #egg=: the repository or file name is the best guess. */
export function guessFromUrl(head: Mapped): Naming {
  const path = trimSlashes(head.text.replace(/[?#].*$/s, ''));
  const last = path.slice(path.lastIndexOf('/') + 1);
  const name = last.replace(/@.*$/s, '').replace(/\.git$/i, '') || head.text;
  return { name, nameSpan: head.span(), known: false, extras: [], specifier: '' };
}

/** A local folder is named by its last path component, resolved against the requirements file. */
export function guessFromFolder(pathPart: Mapped, file: string): Naming {
  const written = pathPart.text.replace(/\\/g, '/');
  const resolved = isAbsolute(written) ? written : join(dirname(file), written);
  const name = basename(resolved) || pathPart.text;
  return { name, nameSpan: pathPart.span(), known: false, extras: [], specifier: '' };
}

function problem(ctx: RequirementContext, code: RawProblem['code'], severity: RawProblem['severity'], span: [number, number], message: string): void {
  ctx.problems.push({ code, severity, message, start: span[0], end: span[1] });
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
