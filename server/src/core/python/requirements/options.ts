// The option half of a requirements line, read as pip 23.2.1 reads it: shlex.split (POSIX mode)
// and then optparse with the options req_file.py registers, including optparse's unique-prefix
// abbreviations (`--index` is `--index-url`) and short-option clusters (`-rfile`).

import { Mapped, RawProblem, clip } from './lines';

export type OptionScope = 'global' | 'requirement' | 'include' | 'editable';

export interface OptionSpec {
  /** Canonical long name without dashes. */
  name: string;
  long: string[];
  short?: string;
  takesValue: boolean;
  scope: OptionScope;
  /** An example argument for messages. */
  example?: string;
}

/** Every option pip 23.2.1 accepts in a requirements file (req_file.py SUPPORTED_OPTIONS and _REQ). */
export const OPTION_SPECS: OptionSpec[] = [
  { name: 'index-url', long: ['--index-url', '--pypi-url'], short: '-i', takesValue: true, scope: 'global', example: 'https://pypi.org/simple' },
  { name: 'extra-index-url', long: ['--extra-index-url'], takesValue: true, scope: 'global', example: 'https://example.com/simple' },
  { name: 'no-index', long: ['--no-index'], takesValue: false, scope: 'global' },
  { name: 'constraint', long: ['--constraint'], short: '-c', takesValue: true, scope: 'include', example: 'constraints.txt' },
  { name: 'requirement', long: ['--requirement'], short: '-r', takesValue: true, scope: 'include', example: 'base.txt' },
  { name: 'editable', long: ['--editable'], short: '-e', takesValue: true, scope: 'editable', example: '.' },
  { name: 'find-links', long: ['--find-links'], short: '-f', takesValue: true, scope: 'global', example: './wheels' },
  { name: 'no-binary', long: ['--no-binary'], takesValue: true, scope: 'global', example: ':all:' },
  { name: 'only-binary', long: ['--only-binary'], takesValue: true, scope: 'global', example: ':all:' },
  { name: 'prefer-binary', long: ['--prefer-binary'], takesValue: false, scope: 'global' },
  { name: 'require-hashes', long: ['--require-hashes'], takesValue: false, scope: 'global' },
  { name: 'pre', long: ['--pre'], takesValue: false, scope: 'global' },
  { name: 'trusted-host', long: ['--trusted-host'], takesValue: true, scope: 'global', example: 'example.com' },
  { name: 'use-feature', long: ['--use-feature'], takesValue: true, scope: 'global', example: 'truststore' },
  { name: 'global-option', long: ['--global-option'], takesValue: true, scope: 'requirement', example: '--no-user-cfg' },
  { name: 'hash', long: ['--hash'], takesValue: true, scope: 'requirement', example: 'sha256:<hex digest>' },
  { name: 'config-settings', long: ['--config-settings'], short: '-C', takesValue: true, scope: 'requirement', example: 'KEY=VALUE' },
];

const LONG = new Map<string, OptionSpec>(OPTION_SPECS.flatMap((s) => s.long.map((l) => [l, s] as [string, OptionSpec])));
const SHORT = new Map<string, OptionSpec>(OPTION_SPECS.filter((s) => s.short).map((s) => [s.short as string, s]));
const FEATURES = ['fast-deps', 'truststore', 'no-binary-enable-wheel-cache'];
const STRONG_HASHES = ['sha256', 'sha384', 'sha512'];
/** pip install options that people put in requirements files, where pip rejects them. */
const CLI_ONLY = ['--no-deps', '--upgrade', '--user', '--target', '--force-reinstall', '--ignore-installed', '--no-cache-dir',
  '--no-build-isolation', '--use-pep517', '--install-option', '--src', '--upgrade-strategy', '--no-clean', '--root'];

/** One option occurrence with its argument. */
export interface ParsedOption {
  spec: OptionSpec;
  /** The option as written, e.g. '-r', '--requirement', '--req'. */
  written: string;
  value?: Mapped;
  /** Source span of the option and its argument. */
  start: number;
  end: number;
}

export interface ParsedOptions {
  options: ParsedOption[];
  /** Words optparse collects as positional arguments; pip ignores them. */
  stray: Mapped[];
  /** False when pip would reject the line (shlex or optparse error). */
  ok: boolean;
}

/** pip's break_args_options: the requirement is every space-separated word before the first '-' word. */
export function breakArgsOptions(line: Mapped): { args: Mapped; options: Mapped | null } {
  const text = line.text;
  for (let at = 0; at < text.length; at = text.indexOf(' ', at) + 1) {
    if (text[at] === '-') return { args: line.slice(0, Math.max(0, at - 1)), options: line.slice(at, text.length) };
    if (text.indexOf(' ', at) < 0) break;
  }
  return { args: line, options: null };
}

interface Token {
  value: Mapped;
  start: number;
  end: number;
}

/** shlex.split(text) in POSIX mode, keeping where each character of each word came from. */
function shlexSplit(m: Mapped, problems: RawProblem[]): Token[] | null {
  const tokens: Token[] = [];
  const s = m.text;
  let i = 0;
  while (i <= s.length) {
    let state = ' ';
    let escaped = 'a';
    let quoted = false;
    let quoteAt = -1;
    const idx: number[] = [];
    let first = -1;
    for (; ; i++) {
      const ch = i < s.length ? s[i] : '';
      if (state === ' ' || state === 'a') {
        if (ch === '') break;
        if (ch === ' ' || ch === '\t') {
          if (state === 'a' || idx.length > 0 || quoted) break;
          continue;
        }
        if (first < 0) first = i;
        if (ch === '\\') {
          escaped = 'a';
          state = '\\';
        } else if (ch === '"' || ch === "'") {
          state = ch;
          quoteAt = i;
        } else {
          idx.push(i);
          state = 'a';
        }
      } else if (state === '"' || state === "'") {
        quoted = true;
        if (ch === '') return fail(m, problems, quoteAt, s.length, `The quote ${state} opened here is never closed, so pip cannot read this line's options. Close the quote or remove it.`);
        if (ch === state) state = 'a';
        else if (state === '"' && ch === '\\') {
          escaped = state;
          state = '\\';
        } else idx.push(i);
      } else {
        if (ch === '') return fail(m, problems, i - 1, i, 'A backslash at the end of the options escapes nothing, so pip cannot read this line. Remove it or add the character it should escape.');
        // Inside double quotes only a quote or a backslash can be escaped; otherwise both stay.
        if (escaped !== 'a' && ch !== '\\' && ch !== escaped) idx.push(i - 1);
        idx.push(i);
        state = escaped;
      }
    }
    if (idx.length > 0 || quoted) tokens.push(toToken(m, idx, first, i));
    if (i >= s.length) break;
  }
  return tokens;
}

function fail(m: Mapped, problems: RawProblem[], a: number, b: number, message: string): null {
  const [start, end] = m.span(a, b);
  problems.push({ code: 'invalid-option', severity: 'error', start, end, message });
  return null;
}

function toToken(m: Mapped, idx: number[], first: number, stop: number): Token {
  const value = m.pick(idx, m.span(first, first)[0]);
  let last = stop;
  while (last > first && (m.text[last - 1] === ' ' || m.text[last - 1] === '\t')) last--;
  const [start, end] = m.span(first, last);
  return { value, start, end };
}

function sliceToken(t: Token, from: number): Mapped {
  const v = t.value;
  if (from < v.text.length) return v.slice(from, v.text.length);
  return new Mapped('', t.end, null, t.end);
}

/** optparse's _match_abbrev: an exact long option, else the only one it is a prefix of. */
function matchLong(opt: string): OptionSpec | string[] {
  const exact = LONG.get(opt);
  if (exact) return exact;
  const candidates = [...LONG.keys()].filter((l) => l.startsWith(opt));
  if (candidates.length === 1) return LONG.get(candidates[0]) as OptionSpec;
  return candidates;
}

/** Parses the option words of one line as pip's optparse parser does. */
export function parseOptions(m: Mapped, problems: RawProblem[]): ParsedOptions {
  const result: ParsedOptions = { options: [], stray: [], ok: true };
  const tokens = shlexSplit(m, problems);
  if (tokens === null) return { ...result, ok: false };
  let afterUnknown = false;
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k];
    const v = t.value.text;
    if (v === '--') {
      for (const rest of tokens.slice(k + 1)) result.stray.push(rest.value);
      break;
    }
    const isLong = v.startsWith('--');
    if (!isLong && !(v.startsWith('-') && v.length > 1)) {
      if (!afterUnknown) result.stray.push(t.value);
      afterUnknown = false;
      continue;
    }
    afterUnknown = false;
    const step = isLong ? readLong(tokens, k, problems) : readShort(tokens, k, problems);
    if (step.option) result.options.push(step.option);
    if (step.error) result.ok = false;
    afterUnknown = step.unknown === true;
    k += step.consumed - 1;
  }
  return result;
}

interface Step {
  option?: ParsedOption;
  consumed: number;
  error?: boolean;
  unknown?: boolean;
}

function readLong(tokens: Token[], k: number, problems: RawProblem[]): Step {
  const t = tokens[k];
  const v = t.value.text;
  const eq = v.indexOf('=');
  const written = eq >= 0 ? v.slice(0, eq) : v;
  const match = matchLong(written);
  const [optStart, optEnd] = t.value.span(0, written.length);
  if (Array.isArray(match)) {
    if (match.length === 0) {
      problems.push({ code: 'unknown-option', severity: 'warning', start: optStart, end: optEnd, message: unknownMessage(written) });
      return { consumed: 1, unknown: eq < 0 };
    }
    const names = match.slice(0, -1).join(', ') + ' or ' + match[match.length - 1];
    problems.push({ code: 'invalid-option', severity: 'error', start: optStart, end: optEnd, message: `${clip(written)} is ambiguous: pip cannot tell whether you mean ${names}. Write the option in full.` });
    return { consumed: 1, error: true, unknown: eq < 0 };
  }
  if (!match.takesValue) {
    if (eq >= 0) {
      problems.push({ code: 'invalid-option', severity: 'error', start: optStart, end: t.end, message: `${written} is a flag and takes no value; write it as ${match.long[0]} alone.` });
      return { consumed: 1, error: true };
    }
    return { option: { spec: match, written, start: t.start, end: t.end }, consumed: 1 };
  }
  if (eq >= 0) return withValue(match, written, t.start, sliceToken(t, eq + 1), 1, problems);
  return valueFromNext(tokens, k, match, written, problems);
}

function readShort(tokens: Token[], k: number, problems: RawProblem[]): Step {
  const t = tokens[k];
  const v = t.value.text;
  const written = v.slice(0, 2);
  const spec = SHORT.get(written);
  if (!spec) {
    const [start, end] = [t.start, t.end];
    problems.push({ code: 'unknown-option', severity: 'warning', start, end, message: unknownMessage(v.includes('=') ? v.slice(0, v.indexOf('=')) : v) });
    return { consumed: 1, unknown: !v.includes('=') };
  }
  if (v.length > 2) {
    // `-index-url x` is -i with the value 'ndex-url'; `-r=x` is -r with the value '=x'.
    const bare = v.slice(1).split('=')[0];
    const meant = LONG.get('--' + bare);
    if (meant) {
      const [start, end] = t.value.span(0, bare.length + 1);
      problems.push({ code: 'invalid-option', severity: 'warning', start, end, message: `pip reads -${bare} as ${written} followed by '${clip(v.slice(2))}'. Did you mean --${bare}?` });
    }
    return withValue(spec, written, t.start, sliceToken(t, 2), 1, problems);
  }
  return valueFromNext(tokens, k, spec, written, problems);
}

function valueFromNext(tokens: Token[], k: number, spec: OptionSpec, written: string, problems: RawProblem[]): Step {
  const t = tokens[k];
  const next = tokens[k + 1];
  if (next === undefined) {
    const example = spec.example ? `, such as ${spec.long[0]} ${spec.example}` : '';
    problems.push({ code: 'invalid-option', severity: 'error', start: t.start, end: t.end, message: `${written} needs a value${example}.` });
    return { consumed: 1, error: true };
  }
  return withValue(spec, written, t.start, next.value, 2, problems, next.end);
}

function withValue(spec: OptionSpec, written: string, start: number, value: Mapped, consumed: number, problems: RawProblem[], end?: number): Step {
  const [vs, ve] = value.span();
  const option: ParsedOption = { spec, written, value, start, end: end ?? ve };
  const error = checkValue(spec, written, value.text);
  if (error) {
    const [a, b] = value.text.length > 0 ? [vs, ve] : [start, option.end];
    problems.push({ code: 'invalid-option', severity: 'error', start: a, end: b, message: error });
    return { consumed, error: true };
  }
  return { option, consumed };
}

/** The checks pip's option callbacks and choice type make. */
function checkValue(spec: OptionSpec, written: string, value: string): string | null {
  switch (spec.name) {
    case 'use-feature':
      return FEATURES.includes(value) ? null : `'${clip(value)}' is not a feature pip 23.2 knows; use one of ${FEATURES.join(', ')}.`;
    case 'hash': {
      const colon = value.indexOf(':');
      if (colon < 0) return `${written} needs a hash name and a digest, like --hash=sha256:abcde...`;
      const algo = value.slice(0, colon);
      return STRONG_HASHES.includes(algo) ? null : `pip accepts only ${STRONG_HASHES.join(', ')} hashes, not '${clip(algo)}'; regenerate the hash with one of them.`;
    }
    case 'config-settings':
      return value.includes('=') ? null : `${written} takes KEY=VALUE, such as ${written} editable_mode=compat.`;
    case 'no-binary':
    case 'only-binary':
      return value.startsWith('-') ? `${written} needs a value: :all:, :none: or package names separated by commas.` : null;
    default:
      return null;
  }
}

function unknownMessage(written: string): string {
  if (CLI_ONLY.includes(written)) {
    return `pip accepts ${written} only on the command line, not in a requirements file; pass it to pip install instead.`;
  }
  const guess = closestOption(written);
  const hint = guess ? ` Did you mean ${guess}?` : '';
  return `pip does not recognise the option ${clip(written)} in a requirements file.${hint}`;
}

/** The known long option nearest to `written`, when it is close enough to be a likely typo. */
export function closestOption(written: string): string | null {
  const w = written.replace(/^-+/, '').toLowerCase();
  if (w.length === 0) return null;
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const long of LONG.keys()) {
    if (long === '--pypi-url') continue;
    const d = editDistance(w, long.slice(2), 3);
    if (d < bestDistance) {
      best = long;
      bestDistance = d;
    }
  }
  const limit = w.length <= 4 ? 1 : w.length <= 8 ? 2 : 3;
  return bestDistance <= limit ? best : null;
}

/** Levenshtein distance, giving up (returning limit + 1) once it must exceed `limit`. */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] || (a[i - 1] === '_' && b[j - 1] === '-') ? 0 : 1;
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      rowMin = Math.min(rowMin, cur[j]);
    }
    if (rowMin > limit) return limit + 1;
    prev = cur;
  }
  return prev[b.length];
}
