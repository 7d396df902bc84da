// Shared state for reading one pyproject.toml: the manifest being built, offset -> range mapping,
// comments, problem reporting, and turning a PEP 508 string node into a Dependency.
import type { AST } from 'toml-eslint-parser';
import type { Dependency, FindingCode, ParsedManifest, Range, Severity, SourceKind } from '../../model';
import type { LineIndex } from '../../text';
import { parseMarker } from '../versions/markers';
import { parseSpecifierSet } from '../versions/pep440';
import { normalizeName, parsePep508, type Pep508Requirement } from '../versions/pep508';
import { CommentIndex, mapSpan, mapString, type StringMap } from '../../toml/tomlText';
import { describeItem, isArray, isString, itemSpan, toItem, type TomlItem } from '../../toml/tomlTree';

export interface DependencyFlags {
  constraint?: boolean;
  override?: boolean;
  optional?: boolean;
}

export class PyprojectContext {
  readonly comments: CommentIndex;

  constructor(
    readonly text: string,
    readonly lines: LineIndex,
    readonly manifest: ParsedManifest,
    comments: AST.Comment[],
  ) {
    this.comments = new CommentIndex(text, lines, comments);
  }

  range(start: number, end: number): Range {
    return this.lines.range(start, end);
  }

  problem(code: FindingCode, message: string, span: [number, number], severity: Severity = 'error', pkg?: string): void {
    const problem = { code, severity, message, range: this.range(span[0], span[1]) };
    this.manifest.problems.push(pkg === undefined ? problem : { ...problem, package: pkg });
  }

  /** Reports a value of the wrong type: `what` says what the key should hold. */
  wrongType(key: string, item: TomlItem, what: string): void {
    this.problem('invalid-manifest', `${key} must be ${what}, but it is ${describeItem(item)}.`, itemSpan(item));
  }

  meta(): Record<string, unknown> {
    this.manifest.meta ??= {};
    return this.manifest.meta;
  }

  /** Content range of a string node (inside the quotes). */
  contentRange(node: AST.TOMLStringValue | AST.TOMLQuoted): Range {
    const map = mapString(this.text, node);
    return this.range(map.contentStart, map.contentEnd);
  }

  /** Reads an array of PEP 508 strings (project.dependencies and the like) into dependencies. */
  requirementArray(item: TomlItem, section: string, flags: DependencyFlags = {}): void {
    if (!isArray(item)) {
      this.wrongType(section, item, 'an array of PEP 508 requirement strings, such as ["requests>=2.31"]');
      return;
    }
    const elements = item.elements;
    elements.forEach((element, i) => {
      if (!isString(element)) {
        this.wrongType(`Each entry of ${section}`, toItem(element), 'a PEP 508 requirement string such as "requests>=2.31"');
        return;
      }
      const dep = this.requirementFromString(element, section, flags, elements[i + 1]?.range[0]);
      if (dep) this.manifest.dependencies.push(dep);
    });
  }

  /** Parses one PEP 508 string node; reports problems and returns null when it is not usable. */
  requirementFromString(node: AST.TOMLStringValue, section: string, flags: DependencyFlags, nextStart?: number): Dependency | null {
    const map = mapString(this.text, node);
    const value = node.value;
    const result = parsePep508(value);
    if (!result.ok) {
      const span = mapSpan(map, result.start, Math.max(result.end, result.start));
      this.problem(classifyFailure(value, result.start), `${result.message}.`.replace(/\.\.$/, '.'), span);
      return null;
    }
    const req = result.requirement;
    const at = (a: number | undefined, b: number | undefined): Range | undefined =>
      a === undefined || b === undefined ? undefined : this.range(...mapSpan(map, a, b));
    const pkg = normalizeName(req.name);
    if (req.specifier !== '') {
      const spec = parseSpecifierSet(req.specifier);
      if (!spec.ok) {
        this.problem('invalid-specifier', spec.message, mapSpan(map, req.specifierStart ?? 0, req.specifierEnd ?? value.length), 'error', pkg);
        return null;
      }
    }
    if (req.marker !== null) {
      const marker = parseMarker(req.marker);
      if (!marker.ok) {
        this.problem('invalid-marker', marker.message, mapSpan(map, req.markerStart ?? 0, req.markerEnd ?? value.length), 'error', pkg);
        return null;
      }
    }
    return this.buildDependency(req, node, map, section, flags, at, nextStart);
  }

  private buildDependency(
    req: Pep508Requirement,
    node: AST.TOMLStringValue,
    map: StringMap,
    section: string,
    flags: DependencyFlags,
    at: (a: number | undefined, b: number | undefined) => Range | undefined,
    nextStart?: number,
  ): Dependency {
    const dep: Dependency = {
      name: req.name,
      normalizedName: normalizeName(req.name),
      ecosystem: 'pypi',
      extras: req.extras,
      specifier: req.specifier,
      marker: req.marker,
      section,
      constraint: flags.constraint ?? false,
      override: flags.override ?? false,
      optional: flags.optional ?? false,
      source: req.url !== undefined ? urlSourceKind(req.url) : 'registry',
      range: this.range(node.range[0], node.range[1]),
      nameRange: at(req.nameStart, req.nameEnd) ?? this.range(map.contentStart, map.contentStart),
      hashes: [],
      editable: false,
      raw: node.value,
    };
    if (req.url !== undefined) dep.location = req.url;
    const extrasRange = at(req.extrasStart, req.extrasEnd);
    if (extrasRange) dep.extrasRange = extrasRange;
    const specifierRange = at(req.specifierStart, req.specifierEnd);
    if (specifierRange) dep.specifierRange = specifierRange;
    const markerRange = at(req.markerStart, req.markerEnd);
    if (markerRange) dep.markerRange = markerRange;
    const comment = this.comments.commentFor(node.range[0], node.range[1], nextStart);
    if (comment !== undefined) dep.comment = comment;
    return dep;
  }
}

/** Source kind of a `name @ url` requirement. */
export function urlSourceKind(url: string): SourceKind {
  if (/^(git|hg|svn|bzr)\+/i.test(url)) return 'vcs';
  if (/^file:/i.test(url)) return 'path';
  return 'url';
}

// The PEP 508 parser reports where it failed, not what failed; the position tells: after ';' is
// the marker, after the name (and extras) a version operator starts the specifier.
function classifyFailure(text: string, start: number): FindingCode {
  const head = /^[ \t]*[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?[ \t]*(?:\[[^\]]*\])?[ \t]*/.exec(text);
  const afterName = head ? head[0].length : 0;
  const semicolon = text.indexOf(';');
  const isUrl = text.slice(afterName).startsWith('@');
  if (semicolon >= 0 && start > semicolon && (!isUrl || /\s;/.test(text))) return 'invalid-marker';
  if (!isUrl && head && start >= afterName && /^\(?[ \t]*[<>=!~]/.test(text.slice(afterName))) return 'invalid-specifier';
  return 'invalid-requirement';
}
