// PEP 508 environment markers: three-valued evaluation and normalised printing.
// With every variable known, evaluation reproduces packaging 26.2's `Marker.evaluate`, quirks
// included (string fallbacks for non-version values, `<=` meaning `==` on strings, extras
// normalised only in top-level comparisons); a variable missing from the environment makes the
// comparisons that read it 'unknown', and and/or combine them with Kleene logic.

import { parseSpecifierSet, parseVersion } from './pep440';
import { Marker, MarkerComparison, MarkerNode, MarkerOperand, normalizeName } from './markerParser';
import { FULL_SPECIFIER, pyStrip } from './pep508Lexer';

export { parseMarker } from './markerParser';
export type { Marker, MarkerComparison, MarkerGroup, MarkerNode, MarkerOperand, MarkerOp, BoolOp } from './markerParser';

export type Tristate = true | false | 'unknown';

export interface MarkerEnvironment {
  python_version?: string;
  python_full_version?: string;
  os_name?: string;
  sys_platform?: string;
  platform_system?: string;
  platform_machine?: string;
  platform_release?: string;
  platform_version?: string;
  platform_python_implementation?: string;
  implementation_name?: string;
  implementation_version?: string;
  /** The extras being installed; none = []. The marker holds if it holds for any one of them. */
  extra?: string[];
  /** Lock-file context: the set of extras (the `extras` variable). */
  extras?: string[];
  /** Lock-file context: the set of dependency groups. */
  dependency_groups?: string[];
}

/** A definite value, unknown, or an evaluation error packaging would raise (UndefinedComparison etc.). */
export type MarkerOutcome = { value: Tristate } | { error: string };

type Value = string | Set<string>;
type Outcome = Tristate | { error: string };
/** The environment as evaluation sees it: one `extra` at a time, sets as Sets. */
type Bindings = Map<string, Value>;

const STRING_KEYS = [
  'python_version', 'python_full_version', 'os_name', 'sys_platform', 'platform_system', 'platform_machine',
  'platform_release', 'platform_version', 'platform_python_implementation', 'implementation_name', 'implementation_version',
] as const;
const SET_KEYS = new Set(['extras', 'dependency_groups']);
const VERSION_KEYS = new Set(['implementation_version', 'platform_release', 'python_full_version', 'python_version']);
const ALL_KEYS = new Set<string>([...STRING_KEYS, 'extra', ...SET_KEYS]);

/** Evaluates a marker; a variable absent from `env` is unknown, and errors count as unknown. */
export function evaluateMarker(marker: Marker, env: MarkerEnvironment): Tristate {
  const outcome = evaluateMarkerDetailed(marker, env);
  return 'error' in outcome ? 'unknown' : outcome.value;
}

/** Like evaluateMarker but reports comparisons packaging refuses (e.g. `os_name ~= "1.0"`) as errors. */
export function evaluateMarkerDetailed(marker: Marker, env: MarkerEnvironment): MarkerOutcome {
  const base = toBindings(env);
  // pip evaluates a requirement's marker once per requested extra (or with extra "" when none).
  const extras = env.extra === undefined ? [null] : env.extra.length ? env.extra.map(normalizeName) : [''];
  const outcomes = extras.map((extra) => {
    const bindings = new Map(base);
    if (extra !== null) bindings.set('extra', extra);
    return evalNode(marker, bindings);
  });
  const result = combine(outcomes, 'or');
  return typeof result === 'object' ? result : { value: result };
}

function toBindings(env: MarkerEnvironment): Bindings {
  const bindings: Bindings = new Map();
  for (const key of STRING_KEYS) {
    const value = env[key];
    if (value !== undefined) bindings.set(key, value);
  }
  // packaging repairs `platform.python_version()` of untagged builds ("3.12.0+") the same way.
  const full = bindings.get('python_full_version');
  if (typeof full === 'string' && full.endsWith('+')) bindings.set('python_full_version', `${full}local`);
  if (env.extras !== undefined) bindings.set('extras', new Set(env.extras));
  if (env.dependency_groups !== undefined) bindings.set('dependency_groups', new Set(env.dependency_groups));
  return bindings;
}

/** Kleene and/or over outcomes; an error anywhere wins because packaging evaluates every term. */
function combine(outcomes: Outcome[], op: 'and' | 'or'): Outcome {
  const error = outcomes.find((o): o is { error: string } => typeof o === 'object');
  if (error) return error;
  const decisive = op === 'and' ? false : true;
  if (outcomes.includes(decisive)) return decisive;
  return outcomes.includes('unknown') ? 'unknown' : !decisive;
}

function evalNode(node: MarkerNode, env: Bindings): Outcome {
  if (node.kind === 'comparison') return evalComparison(node, env);
  // `a and b or c and d`: 'and' binds tighter, as packaging's grouping on 'or' does.
  const disjuncts: Outcome[] = [];
  let conjuncts: Outcome[] = [evalNode(node.items[0], env)];
  node.ops.forEach((op, i) => {
    if (op === 'or') {
      disjuncts.push(combine(conjuncts, 'and'));
      conjuncts = [];
    }
    conjuncts.push(evalNode(node.items[i + 1], env));
  });
  disjuncts.push(combine(conjuncts, 'and'));
  return combine(disjuncts, 'or');
}

function operandText(op: MarkerOperand): string {
  return op.kind === 'variable' ? op.name : op.value;
}

function evalComparison(cmp: MarkerComparison, env: Bindings): Outcome {
  // Like packaging: the environment key is the left variable, otherwise whatever is on the right.
  const leftIsVar = cmp.left.kind === 'variable';
  const key = leftIsVar ? operandText(cmp.left) : operandText(cmp.right);
  if (!ALL_KEYS.has(key)) return { error: `"${key}" is not a marker variable, so this comparison has no environment value` };
  const envValue = env.get(key);
  if (envValue === undefined) return alwaysFails(cmp, key) ?? 'unknown';
  const lhs = leftIsVar ? envValue : operandText(cmp.left);
  const rhs = leftIsVar ? operandText(cmp.right) : envValue;
  if (typeof lhs !== 'string') return { error: `${key} is a set; test it with 'in', as in "name" in ${key}` };
  return evalOp(...normalizeOperands(lhs, rhs, key), cmp.op, key);
}

/** For an unknown value: the error packaging raises whatever the value is, if it always does. */
function alwaysFails(cmp: MarkerComparison, key: string): { error: string } | null {
  if (SET_KEYS.has(key) && cmp.left.kind === 'variable') return { error: `${key} is a set; test it with 'in', as in "name" in ${key}` };
  if (cmp.op !== '~=' && cmp.op !== '===') return null;
  if (!VERSION_KEYS.has(key)) return { error: `'${cmp.op}' needs PEP 440 versions, but ${key} is not a version` };
  // With the variable on the left the specifier is built from the literal, which we know.
  if (cmp.left.kind === 'variable' && !FULL_SPECIFIER.test(cmp.op + operandText(cmp.right))) {
    return { error: `'${cmp.op}${operandText(cmp.right)}' is not a valid version specifier` };
  }
  return null;
}

function normalizeOperands(lhs: string, rhs: Value, key: string): [string, Value] {
  if (!SET_KEYS.has(key)) return [lhs, rhs];
  if (typeof rhs === 'string') return [normalizeName(lhs), normalizeName(rhs)];
  return [normalizeName(lhs), new Set([...rhs].map(normalizeName))];
}

function evalOp(lhs: string, rhs: Value, op: string, key: string): Outcome {
  if (VERSION_KEYS.has(key) && typeof rhs === 'string' && FULL_SPECIFIER.test(op + rhs)) {
    return specifierContains(op + rhs, lhs);
  }
  const equal = typeof rhs === 'string' && lhs === rhs;
  switch (op) {
    case 'in':
      return typeof rhs === 'string' ? rhs.includes(lhs) : rhs.has(lhs);
    case 'not in':
      return typeof rhs === 'string' ? !rhs.includes(lhs) : !rhs.has(lhs);
    case '<':
    case '>':
      return false;
    case '<=':
    case '==':
    case '>=':
      return equal;
    case '!=':
      return !equal;
    default:
      return { error: `'${op}' needs PEP 440 versions on both sides, but '${lhs}' and '${typeof rhs === 'string' ? rhs : key}' are not` };
  }
}

/** packaging's `Specifier(spec).contains(item, prereleases=True)` for one already-validated clause. */
function specifierContains(specText: string, item: string): Outcome {
  const spec = pyStrip(specText);
  const opLength = spec.startsWith('===') ? 3 : /^(~=|==|!=|<=|>=)/.test(spec) ? 2 : 1;
  const op = spec.slice(0, opLength);
  const version = pyStrip(spec.slice(opLength));
  if (op === '===') return item.toLowerCase() === version.toLowerCase();
  const parsed = parseVersion(pyStrip(item));
  if (parsed === null) return false;
  const set = parseSpecifierSet(op + version);
  if (!set.ok) return { error: `'${op}${version}' could not be read as a version specifier` };
  return set.set.contains(parsed, { prereleases: true });
}

/** Prints a marker the way `str(packaging.markers.Marker(...))` does. */
export function markerToString(marker: Marker): string {
  return formatNode(marker, true);
}

function formatNode(node: MarkerNode, first: boolean): string {
  if (node.kind === 'comparison') {
    return [node.left, node.op, node.right].map((part) => (typeof part === 'string' ? part : formatOperand(part))).join(' ');
  }
  // A group holding a single item prints as that item with no parentheses, even when nested.
  if (node.items.length === 1) return formatNode(node.items[0], true);
  const parts: string[] = [formatNode(node.items[0], false)];
  node.ops.forEach((op, i) => parts.push(op, formatNode(node.items[i + 1], false)));
  return first ? parts.join(' ') : `(${parts.join(' ')})`;
}

function formatOperand(op: MarkerOperand): string {
  return op.kind === 'variable' ? op.name : `"${op.value}"`;
}
