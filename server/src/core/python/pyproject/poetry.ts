// Poetry constraint syntax -> PEP 440, following poetry-core (constraints/version/parser.py and
// Dependency.base_pep_508_name), so that what we check is what a poetry-built wheel declares.
import { ANY, constraintToString, constraintsOverlap, excludedVersion, excludedWildcard, intersect, invert, isAny, point, range, unionOf, type Constraint } from './poetryConstraint';
import { VERSION_PATTERN, firstDev, isStable, nextBreaking, nextMajor, nextMinor, nextDev, nextPost, nextPre, nextStable, parseVersion, stable, makeVersion, type PVersion } from './poetryVersion';

export type PoetryResult = { ok: true; specifier: string } | { ok: false; message: string };

class ConstraintError extends Error {}

const ANY_X = /^v?[x*](\.[x*])*$/i;
const TILDE = new RegExp(`^~(?!=)\\s*(?<version>${VERSION_PATTERN})$`, 'i');
const TILDE_PEP440 = new RegExp(`^~=\\s*(?<version>${VERSION_PATTERN})$`, 'i');
const CARET = new RegExp(`^\\^\\s*(?<version>${VERSION_PATTERN})$`, 'i');
const X_RANGE = /^(?<op>!=|==)?\s*v?(?<version>(\d+)(?:\.(\d+))?(?:\.(\d+))?)(?:\.\*)+$/;
const BASIC = new RegExp(`^(?<op><>|!=|>=?|<=?|==?)?\\s*(?<version>${VERSION_PATTERN}|dev)(?<wildcard>\\.\\*)?$`, 'i');
// poetry splits AND clauses on a comma or space that does not follow an operator.
const AND_SPLIT = /(?<!^)(?<![\^~=>< ,]) *(?<!-)[, ](?!-) *(?!,|$)/;

function mustParse(text: string, whole: string): PVersion {
  const v = parseVersion(text);
  if (!v) throw new ConstraintError(`Could not parse version constraint: ${whole}`);
  return v;
}

function xRange(version: PVersion, invertIt: boolean): Constraint {
  let next: PVersion;
  if (version.post) next = nextPost(version);
  else if (isStable(version)) next = nextStable(version);
  else if (version.pre) next = nextPre(version);
  else next = nextDev(version);
  const max = next.dev ? next : firstDev(next);
  const result = range(firstDev(version), max, true, false);
  return invertIt ? invert(result) : result;
}

function parseSingle(c: string): Constraint {
  if (ANY_X.test(c)) return ANY;
  let m = TILDE.exec(c);
  if (m) {
    const v = mustParse(m.groups!.version, c);
    const high = v.release.length === 1 ? nextMajor(stable(v)) : nextMinor(stable(v));
    return range(v, high, true);
  }
  m = TILDE_PEP440.exec(c);
  if (m) {
    const v = mustParse(m.groups!.version, c);
    return range(v, v.release.length === 2 ? nextMajor(stable(v)) : nextMinor(stable(v)), true);
  }
  m = CARET.exec(c);
  if (m) {
    const v = mustParse(m.groups!.version, c);
    return range(v, nextBreaking(v), true);
  }
  m = X_RANGE.exec(c);
  if (m) return xRange(mustParse(m.groups!.version, c), m.groups!.op === '!=');
  m = BASIC.exec(c);
  if (!m) throw new ConstraintError(`Could not parse version constraint: ${c}`);
  const op = m.groups!.op;
  const v = mustParse(m.groups!.version === 'dev' ? '0.0-dev' : m.groups!.version, c);
  if (op === '<') return range(null, v);
  if (op === '<=') return range(null, v, false, true);
  if (op === '>') return range(v, null);
  if (op === '>=') return range(v, null, true);
  if (m.groups!.wildcard !== undefined) return xRange(v, op === '!=');
  if (op === '!=') return { kind: 'union', ranges: [range(null, v), range(v, null)] };
  // `==`, `=`, no operator, and (as in poetry) `<>` all mean this exact version.
  return point(v);
}

/** poetry-core's parse_constraint; throws ConstraintError on text poetry rejects. */
export function parsePoetryConstraint(text: string): Constraint {
  if (text === '*') return ANY;
  const groups: Constraint[] = [];
  for (let part of text.trim().split(/\s*\|\|?\s*/)) {
    part = part.replace(/,+$/, '').trimEnd();
    const clauses = part.split(AND_SPLIT);
    let c = parseSingle(clauses[0]);
    for (const clause of clauses.slice(1)) c = intersect(c, parseSingle(clause));
    groups.push(c);
  }
  return groups.length === 1 ? groups[0] : unionOf(groups);
}

/** The specifier poetry-core writes for a constraint (base_pep_508_name without the name). */
function pep508Specifier(text: string): string {
  const c = parsePoetryConstraint(text);
  if (c.kind === 'union') {
    if (excludedVersion(c.ranges) || excludedWildcard(c.ranges)) return constraintToString(c);
    // Intersections with `!=` clauses: poetry re-parses each comma-separated part as written.
    return text.split(',').map((part) => constraintToString(parsePoetryConstraint(part))).join(',');
  }
  if (c.kind === 'version') return `==${c.v.text}`;
  if (isAny(c)) return '';
  return constraintToString(c).replace(/ /g, '');
}

/** Converts a poetry constraint ("^1.2", "~1.2.3", "1.2.*", ">=1,<2", "1.0 || 2.0", "*") to PEP 440 exactly as poetry-core does. */
export function poetryToPep440(constraint: string): PoetryResult {
  const result = convertPoetryConstraint(constraint);
  return result.ok ? result : { ok: false, message: result.message };
}

/** Like poetryToPep440, but says whether a failure is a union that PEP 440 cannot express. */
export function convertPoetryConstraint(constraint: string): PoetryResult | { ok: false; message: string; union: boolean } {
  let specifier: string;
  try {
    specifier = pep508Specifier(constraint);
  } catch (e) {
    const detail = e instanceof ConstraintError ? e.message : 'Could not parse version constraint';
    return { ok: false, message: `"${constraint}" is not a poetry version constraint (${detail}).`, union: false };
  }
  if (specifier.includes('<empty>')) {
    return { ok: false, message: `The poetry constraint "${constraint}" allows no version at all; its clauses contradict each other.`, union: false };
  }
  if (specifier.includes('||')) {
    return {
      ok: false,
      union: true,
      message: `The poetry constraint "${constraint}" is a union of separate ranges (${specifier}), which a PEP 440 specifier cannot express; poetry-core writes it into the package metadata as is, where pip rejects it.`,
    };
  }
  return { ok: true, specifier };
}

function padRelease(v: PVersion): PVersion {
  const [major = 0, minor = 0, patch = 0, ...extra] = v.release;
  return makeVersion(v.epoch, [major, minor, patch, ...extra], v.pre, v.post, v.dev, v.local);
}

// poetry keeps `python_version` for X.Y bounds and switches to `python_full_version` where
// comparing X.Y.Z against an X.Y marker value would change the meaning.
function nestedPythonMarker(c: Constraint): string {
  if (c.kind === 'empty') return '<empty>';
  if (isAny(c)) return '';
  if (c.kind === 'union') return c.ranges.map((r) => `(${nestedPythonMarker(r)})`).join(' or ');
  if (c.kind === 'version') return `${c.v.release.length >= 3 ? 'python_full_version' : 'python_version'} == "${c.v.text}"`;
  const parts: string[] = [];
  if (c.min !== null) {
    const name = c.min.release.length >= 3 ? 'python_full_version' : 'python_version';
    if (name === 'python_version' && !c.incMin) parts.push(`python_full_version > "${padRelease(c.min).text}"`);
    else parts.push(`${name} ${c.incMin ? '>=' : '>'} "${stable(c.min).text}"`);
  }
  if (c.max !== null) {
    const name = c.max.release.length >= 3 ? 'python_full_version' : 'python_version';
    if (name === 'python_version' && c.incMax) parts.push(`python_full_version <= "${padRelease(c.max).text}"`);
    else parts.push(`${name} ${c.incMax ? '<=' : '<'} "${stable(c.max).text}"`);
  }
  return simplifyPythonPair(parts.join(' and '));
}

// poetry's marker algebra turns `python_version >= "3.8" and python_version < "3.9"` into
// `python_version == "3.8"`; this is the only simplification a single `python` key can trigger.
function simplifyPythonPair(marker: string): string {
  const m = /^python_version >= "(\d+)\.(\d+)" and python_version < "(\d+)\.(\d+)"$/.exec(marker);
  if (m && m[1] === m[3] && Number(m[2]) + 1 === Number(m[4])) return `python_version == "${m[1]}.${m[2]}"`;
  return marker;
}

/** The marker poetry-core derives from a dependency's `python = "..."` key, or an error. */
export function poetryPythonMarker(constraint: string): { ok: true; marker: string } | { ok: false; message: string } {
  try {
    const marker = nestedPythonMarker(parsePoetryConstraint(constraint));
    if (marker === '<empty>') return { ok: false, message: `The python constraint "${constraint}" allows no Python version at all.` };
    return { ok: true, marker };
  } catch (e) {
    return { ok: false, message: `"${constraint}" is not a poetry version constraint for python (${e instanceof Error ? e.message : 'unparseable'}).` };
  }
}

/** The marker poetry-core derives from `platform = "linux"` (a generic constraint on sys_platform). */
export function poetryPlatformMarker(platform: string): string {
  if (platform.trim() === '*') return '';
  const ors = platform.trim().split(/\s*\|\|?\s*/).map((group) => {
    const ands = group.split(/\s*,\s*/).map((clause) => {
      const m = /^(!=|==?=?)?\s*(\S+?)\s*$/.exec(clause);
      const op = m?.[1] === '!=' ? '!=' : '==';
      return `sys_platform ${op} "${m ? m[2] : clause}"`;
    });
    return ands.length > 1 ? ands.join(' and ') : ands[0];
  });
  return ors.length > 1 ? ors.map((o) => (o.includes(' and ') ? `(${o})` : o)).join(' or ') : ors[0];
}

const PYTHON_VERSIONS = ['2.7', ...Array.from({ length: 15 }, (_, i) => `3.${i}`)].map((v) => `${v}.*`);

/** Requires-Python as poetry-core writes it for `[tool.poetry.dependencies] python = "..."`. */
export function poetryRequiresPython(constraint: string): PoetryResult {
  let c: Constraint;
  try {
    c = parsePoetryConstraint(constraint);
  } catch (e) {
    return { ok: false, message: `"${constraint}" is not a poetry version constraint for python (${e instanceof Error ? e.message : 'unparseable'}).` };
  }
  if (c.kind === 'version') {
    if (c.v.release.length >= 3) return { ok: true, specifier: `==${c.v.text}` };
    c = parsePoetryConstraint(c.v.release.length === 2 ? `~${c.v.release[0]}.${c.v.release[1]}` : `^${c.v.release[0]}.0`);
  }
  if (c.kind === 'empty') return { ok: false, message: `The python constraint "${constraint}" allows no Python version at all.` };
  if (c.kind !== 'union') return { ok: true, specifier: isAny(c) ? '' : constraintToString(c) };
  const formatted: string[] = [];
  const accepted: string[] = [];
  for (const version of PYTHON_VERSIONS) {
    if (constraintsOverlap(c, parsePoetryConstraint(version))) accepted.push(version);
    else formatted.push(`!=${version}`);
  }
  if (accepted.length === 0) return { ok: false, message: `The python constraint "${constraint}" allows none of Python 2.7 to 3.14.` };
  formatted.unshift(`>=${accepted[0].split('.').slice(0, 2).join('.')}`);
  return { ok: true, specifier: formatted.join(', ') };
}
