// Reads team rules from TOML text with source ranges: `pinsight.toml` holds `[[incompatible]]` and
// `[[pin]]` at top level, pyproject.toml the same tables under `[tool.pinsight]`. The table shape
// is checked here, with no ecosystem; each requirement is read by its wing through `parse`.
// Never throws: a malformed rule becomes an `invalid-rule` finding on the rule and is left out.

import { parseTOML } from 'toml-eslint-parser';
import type { AST } from 'toml-eslint-parser';
import type { EcosystemId, Finding, Range, Severity } from '../model';
import { LineIndex, stripBom } from '../text';
import { mapString } from '../toml/tomlText';
import { buildTomlTree, describeItem, getEntry, isArray, isString, isTable, isTableArray, itemSpan, toItem, type TomlItem, type TomlTable } from '../toml/tomlTree';
import type { IncompatibleRule, PinRule, RuleRequirement, RuleRequirementParser, TeamRules } from './types';
import { noRules } from './types';

const INCOMPATIBLE_KEYS = new Set(['packages', 'reason', 'source', 'ecosystem']);
const PIN_KEYS = new Set(['package', 'reason', 'source', 'ecosystem']);
const ECOSYSTEMS: Record<string, EcosystemId> = { pypi: 'pypi', python: 'pypi', npm: 'npm' };
// `name@range`, scoped or not: how npm writes a requirement; PEP 508 never has `@` before a version.
const NPM_FORM = /^(@[^/\s@]+\/)?[^@\s]+@/;

export type RuleFileKind = 'pinsight' | 'pyproject';

class RuleReader {
  readonly rules: TeamRules = noRules();

  constructor(
    readonly path: string,
    readonly text: string,
    readonly lines: LineIndex,
    readonly parse: RuleRequirementParser,
    readonly defaultEcosystem: EcosystemId | undefined,
  ) {}

  range(span: readonly [number, number]): Range {
    return this.lines.range(span[0], span[1]);
  }

  problem(message: string, span: readonly [number, number], severity: Severity = 'error', code: Finding['code'] = 'invalid-rule'): void {
    this.rules.problems.push({ code, severity, package: null, path: this.path, range: this.range(span), message, related: [], fixes: [] });
  }

  /** The string under `key`, or undefined (with a problem when it is there but not a string, or required and missing). */
  string(table: TomlTable, key: string, label: string, required: boolean): { value: string; node: AST.TOMLStringValue } | undefined {
    const entry = table.entries.get(key);
    if (!entry) {
      if (required) this.problem(`This ${label} has no \`${key}\`: ${key === 'reason' ? 'say why, so that whoever meets the rule knows what the team learned.' : `add \`${key} = "..."\`.`}`, table.span);
      return undefined;
    }
    if (!isString(entry.item)) {
      this.problem(`\`${key}\` must be a string, not ${describeItem(entry.item)}.`, itemSpan(entry.item));
      return undefined;
    }
    if (entry.item.value.trim() === '') {
      if (required) this.problem(`\`${key}\` is empty: ${key === 'reason' ? 'say why the rule holds.' : `name the ${key}.`}`, entry.item.range);
      return undefined;
    }
    return { value: entry.item.value, node: entry.item };
  }

  unknownKeys(table: TomlTable, known: Set<string>, label: string): void {
    for (const [key, entry] of table.entries) {
      if (!known.has(key)) this.problem(`Unknown key \`${key}\` in a ${label}; Pinsight reads ${[...known].map((k) => `\`${k}\``).join(', ')}.`, entry.key.range, 'warning');
    }
  }

  /** The rule's evidence link; `ok` is false when one is written but is not a link (the rule then does not apply). */
  source(table: TomlTable, label: string): { value?: string; ok: boolean } {
    const s = this.string(table, 'source', label, false);
    if (!s) return { ok: !table.entries.has('source') };
    if (!/^https?:\/\/\S+$/i.test(s.value.trim())) {
      this.problem('`source` must be a link (http or https) to the evidence for the rule.', s.node.range);
      return { ok: false };
    }
    return { value: s.value.trim(), ok: true };
  }

  ecosystem(table: TomlTable, label: string): { value?: EcosystemId; ok: boolean } {
    const s = this.string(table, 'ecosystem', label, false);
    if (!s) return { ok: !table.entries.has('ecosystem') };
    const value = ECOSYSTEMS[s.value.trim().toLowerCase()];
    if (!value) this.problem(`Unknown ecosystem "${s.value}": use "pypi" or "npm".`, s.node.range);
    return { value, ok: value !== undefined };
  }

  /** The tables of `[[key]]` or `key = [{...}, ...]`. */
  tables(container: TomlTable, key: string, prefix: string): TomlTable[] {
    const entry = container.entries.get(key);
    if (!entry) return [];
    if (isTableArray(entry.item)) return entry.item.tables;
    if (isArray(entry.item)) {
      const out: TomlTable[] = [];
      for (const element of entry.item.elements) {
        const item = toItem(element);
        if (isTable(item)) out.push(item);
        else this.problem(`Each entry of \`${prefix}${key}\` must be a table, not ${describeItem(item)}.`, itemSpan(item));
      }
      return out;
    }
    this.problem(`\`${prefix}${key}\` must be an array of tables (\`[[${prefix}${key}]]\`), not ${describeItem(entry.item)}.`, itemSpan(entry.item));
    return [];
  }

  incompatible(table: TomlTable): void {
    const label = 'incompatible rule';
    this.unknownKeys(table, INCOMPATIBLE_KEYS, label);
    const reason = this.string(table, 'reason', label, true);
    const source = this.source(table, label);
    const chosen = this.ecosystem(table, label);
    const packages = table.entries.get('packages');
    if (!packages) return this.problem('This incompatible rule has no `packages`: list the requirements that cannot all hold, e.g. `packages = ["uvicorn<0.30", "websockets>=14"]`.', table.span);
    if (!isArray(packages.item)) return this.problem(`\`packages\` must be an array of requirement strings, not ${describeItem(packages.item)}.`, itemSpan(packages.item));
    const strings: AST.TOMLStringValue[] = [];
    for (const element of packages.item.elements) {
      if (isString(element)) strings.push(element);
      else this.problem(`Each entry of \`packages\` must be a requirement string, not ${describeItem(element)}.`, element.range);
    }
    if (strings.length !== packages.item.elements.length) return;
    if (strings.length < 2) return this.problem(`An incompatible rule needs at least 2 packages that cannot all hold at once; this one has ${strings.length}.`, packages.item.range);
    if (!chosen.ok) return;
    const ecosystem = chosen.value ?? this.defaultEcosystem ?? inferEcosystem(strings.map((s) => s.value));
    if (ecosystem === null) return this.problem('These packages mix npm requirements (`name@range`) with Python ones; add `ecosystem = "npm"` or `ecosystem = "pypi"`.', packages.item.range);
    const read: RuleRequirement[] = [];
    for (const s of strings) {
      const parsed = this.parse(ecosystem, s.value.trim());
      const map = mapString(this.text, s);
      const range = this.range([map.contentStart, map.contentEnd]);
      if ('error' in parsed) this.problem(parsed.error, [map.contentStart, map.contentEnd]);
      else read.push({ text: s.value.trim(), name: parsed.name, package: parsed.package, specifier: parsed.specifier, range });
    }
    if (read.length !== strings.length) return;
    const twice = read.find((r, i) => read.findIndex((o) => o.package === r.package) !== i);
    if (twice) return this.problem(`${twice.name} is named twice: an incompatible rule relates different packages (write the versions of one package as one specifier).`, packages.item.range);
    if (!reason || !source.ok) return;
    const rule: IncompatibleRule = { ecosystem, packages: read, reason: reason.value.trim(), path: this.path, range: this.range(table.span) };
    if (source.value) rule.source = source.value;
    this.rules.incompatible.push(rule);
  }

  pin(table: TomlTable): void {
    const label = 'pin rule';
    this.unknownKeys(table, PIN_KEYS, label);
    const reason = this.string(table, 'reason', label, true);
    const source = this.source(table, label);
    const chosen = this.ecosystem(table, label);
    const name = this.string(table, 'package', label, true);
    if (!name || !chosen.ok) return;
    const ecosystems: EcosystemId[] = chosen.value ? [chosen.value] : this.defaultEcosystem ? [this.defaultEcosystem] : ['pypi', 'npm'];
    const packages: PinRule['packages'] = {};
    const errors: string[] = [];
    for (const e of ecosystems) {
      const parsed = this.parse(e, name.value.trim());
      if ('error' in parsed) errors.push(parsed.error);
      else if (parsed.specifier !== '') errors.push(`A pin rule names a package only ("${parsed.name}"); the version stays in the manifest.`);
      else packages[e] = parsed.package;
    }
    if (Object.keys(packages).length === 0) return this.problem(errors[0] ?? `"${name.value}" is not a package name.`, name.node.range);
    if (!reason || !source.ok) return;
    const rule: PinRule = { name: name.value.trim(), packages, reason: reason.value.trim(), path: this.path, range: this.range(table.span) };
    if (chosen.value ?? this.defaultEcosystem) rule.ecosystem = chosen.value ?? this.defaultEcosystem;
    if (source.value) rule.source = source.value;
    this.rules.pins.push(rule);
  }

  /** The rule tables of one container: the whole pinsight.toml, or `[tool.pinsight]`. */
  read(container: TomlTable, prefix: string): void {
    for (const [key, entry] of container.entries) {
      if (key !== 'incompatible' && key !== 'pin') this.problem(`Unknown key \`${prefix}${key}\`; Pinsight reads \`${prefix}incompatible\` and \`${prefix}pin\`.`, entry.key.range, 'warning');
    }
    for (const t of this.tables(container, 'incompatible', prefix)) this.incompatible(t);
    for (const t of this.tables(container, 'pin', prefix)) this.pin(t);
  }
}

/** 'npm' when every entry reads `name@range`, 'pypi' when none does, null when they mix. */
function inferEcosystem(entries: string[]): EcosystemId | null {
  const npm = entries.filter((e) => NPM_FORM.test(e.trim())).length;
  if (npm === entries.length) return 'npm';
  return npm === 0 ? 'pypi' : null;
}

/**
 * The rules in a rule file's text: `pinsight.toml` (top-level tables, syntax errors reported) or
 * pyproject.toml (`[tool.pinsight]`; its syntax errors are the manifest parser's to report).
 */
export function parseRules(path: string, text: string, kind: RuleFileKind, parse: RuleRequirementParser): TeamRules {
  const body = stripBom(text);
  const lines = new LineIndex(body);
  const reader = new RuleReader(path, body, lines, parse, kind === 'pyproject' ? 'pypi' : undefined);
  let program: AST.TOMLProgram;
  try {
    program = parseTOML(body);
  } catch (e) {
    if (kind === 'pinsight') {
      const err = e as { index?: unknown; message?: unknown };
      const at = Math.max(0, Math.min(typeof err.index === 'number' ? err.index : 0, body.length));
      const reason = typeof err.message === 'string' ? err.message.replace(/\.$/, '') : 'unexpected input';
      reader.problem(`This is not valid TOML: ${reason}. The rules in this file apply once it parses.`, [at, Math.min(at + 1, body.length)], 'error', 'syntax-error');
    }
    return reader.rules;
  }
  try {
    const root = buildTomlTree(program, body);
    if (kind === 'pinsight') reader.read(root, '');
    else {
      const entry = getEntry(root, ['tool', 'pinsight']);
      if (entry && isTable(entry.item)) reader.read(entry.item, 'tool.pinsight.');
      else if (entry) reader.problem(`\`[tool.pinsight]\` must be a table, not ${describeItem(entry.item as TomlItem)}.`, itemSpan(entry.item));
    }
  } catch (e) {
    reader.problem(`Pinsight could not finish reading the rules in this file (${e instanceof Error ? e.message : String(e)}); please report this.`, [0, 0]);
  }
  return reader.rules;
}

/** Which kind of rule file a path is, or null when it holds no rules. */
export function ruleFileKind(path: string): RuleFileKind | null {
  const name = path.split(/[\\/]/).pop();
  if (name === 'pinsight.toml') return 'pinsight';
  if (name === 'pyproject.toml') return 'pyproject';
  return null;
}

