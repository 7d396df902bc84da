// What one Python file imports, and what it defines at module level, read from its statements
// without running it. Imports that only run when something else failed or holds (a `try` whose
// handler catches ImportError, `if TYPE_CHECKING:`, a version or platform check) are marked
// guarded: they are deliberate fallbacks, not breaks.

import { tokenizeStatements, type Statement, type Token } from './tokenize';

export type Guard = 'try' | 'type-checking' | 'version-check';

/** One imported module, and for `from m import a, b` the names taken from it. */
export interface ImportRef {
  /** Absolute dotted module ('' with level > 0 for `from . import x`). */
  module: string;
  /** Leading dots of a relative import; 0 for an absolute one. */
  level: number;
  /** Names of `from module import ...`; null for `import module`; ['*'] for a star import. */
  names: string[] | null;
  /** 1-based line of the statement. */
  line: number;
  /** Why the import may legitimately fail, when it may. */
  guard?: Guard;
  /** Inside a def (runs on a call, not on import) or at module level, classes included. */
  inFunction: boolean;
}

/** The names a module defines at its top level, or why that cannot be known from its text. */
export interface ModuleDefinitions {
  names: Set<string>;
  /** Set when the module can define names no statement shows (module `__getattr__`, `from x import *`, globals()). */
  unknown?: string;
  /** It edits sys.modules, globals() or its __path__: submodules may exist that no file shows (six.moves). */
  makesModules?: boolean;
}

interface Block {
  indent: number;
  kind: string;
  guard?: Guard;
  /** This block's guard, else the nearest enclosing one. */
  effectiveGuard?: Guard;
  /** Inside a def, this one or an enclosing one. */
  inDef: boolean;
}

const CATCHES_IMPORT_ERROR = new Set(['ImportError', 'ModuleNotFoundError', 'Exception', 'BaseException']);

/** A file's imports and module-level definitions from one tokenization; never throws. */
export function analyzeSource(text: string): { imports: ImportRef[]; definitions: ModuleDefinitions } {
  const statements = tokenizeStatements(text);
  return { imports: importsFrom(statements), definitions: definitionsFrom(statements) };
}

/** Every import statement of a file, with the guard that makes its failure deliberate; never throws. */
export function scanImports(text: string): ImportRef[] {
  return importsFrom(tokenizeStatements(text));
}

function importsFrom(statements: Statement[]): ImportRef[] {
  const out: ImportRef[] = [];
  walk(statements, (statement, blocks) => {
    const tokens = statement.tokens;
    const innermost = blocks[blocks.length - 1];
    const guard = innermost?.effectiveGuard;
    const inFunction = innermost?.inDef ?? false;
    for (const ref of importsOf(tokens)) out.push({ ...ref, line: statement.line, inFunction, ...(guard ? { guard } : {}) });
  });
  return out;
}

/** The names a module binds at its top level (inside module-level if/try/with/for too); never throws. */
export function moduleDefinitions(text: string): ModuleDefinitions {
  return definitionsFrom(tokenizeStatements(text));
}

function definitionsFrom(statements: Statement[]): ModuleDefinitions {
  const names = new Set<string>();
  let unknown: string | undefined;
  let makesModules = false;
  walk(statements, (statement, blocks) => {
    const tokens = statement.tokens;
    if (usesGlobalsDynamically(tokens)) {
      unknown ??= 'it changes its namespace through globals() or sys.modules';
      makesModules = true;
    }
    if (tokens.some((t) => t.text === '__path__' || t.text === 'extend_path')) makesModules = true;
    if (tokens[0]?.text === 'global') {
      // A function that declares a global may define it when called.
      for (const t of tokens.slice(1)) if (t.kind === 'name') names.add(t.text);
      return;
    }
    if (blocks.some((b) => b.kind === 'def' || b.kind === 'class')) return;
    for (const ref of importsOf(tokens)) {
      if (ref.names?.includes('*')) unknown ??= `it imports * from ${'.'.repeat(ref.level)}${ref.module}`;
    }
    for (const name of boundNames(tokens)) names.add(name);
    if (names.has('__getattr__')) unknown ??= 'it defines a module-level __getattr__';
  });
  return { names, ...(unknown ? { unknown } : {}), ...(makesModules ? { makesModules } : {}) };
}

/** Calls `visit` for each statement with the blocks it is nested in (outermost first). */
function walk(statements: Statement[], visit: (statement: Statement, blocks: Block[]) => void): void {
  const blocks: Block[] = [];
  for (let k = 0; k < statements.length; k++) {
    const statement = statements[k];
    while (blocks.length && blocks[blocks.length - 1].indent >= statement.indent) blocks.pop();
    visit(statement, blocks);
    const head = statement.tokens[0];
    const last = statement.tokens[statement.tokens.length - 1];
    if (head?.kind !== 'name' || last?.text !== ':') continue;
    const kind = head.text === 'async' ? statement.tokens[1]?.text ?? 'async' : head.text;
    const guard = guardOf(statements, k, kind, blocks);
    const outer = blocks[blocks.length - 1];
    blocks.push({ indent: statement.indent, kind, guard, effectiveGuard: guard ?? outer?.effectiveGuard, inDef: kind === 'def' || (outer?.inDef ?? false) });
  }
}

/** The guard a block header puts on its body. */
function guardOf(statements: Statement[], k: number, kind: string, outer: Block[]): Guard | undefined {
  const tokens = statements[k].tokens;
  if (kind === 'try') return tryCatchesImportError(statements, k) ? 'try' : undefined;
  // `with contextlib.suppress(ImportError):` is a try/except ImportError: pass.
  if (kind === 'with') return tokens.some((t) => t.text === 'suppress') && tokens.some((t) => CATCHES_IMPORT_ERROR.has(t.text)) ? 'try' : undefined;
  if (kind === 'except') {
    // The fallback of a try that catches ImportError runs only when the first import failed.
    const owner = findTry(statements, k);
    return owner >= 0 && tryCatchesImportError(statements, owner) ? 'try' : undefined;
  }
  if (kind === 'if' || kind === 'elif') {
    if (tokens.some((t) => t.text === 'TYPE_CHECKING')) return 'type-checking';
    if (isVersionCheck(tokens)) return 'version-check';
    if (kind === 'elif') return chainGuard(statements, k, outer);
    return undefined;
  }
  if (kind === 'else') {
    const owner = findOwner(statements, k, ['if', 'elif']);
    // The else of a version check is the other version's branch; the else of TYPE_CHECKING runs.
    if (owner >= 0 && (isVersionCheck(statements[owner].tokens) || chainGuard(statements, owner, outer) === 'version-check')) return 'version-check';
  }
  return undefined;
}

function chainGuard(statements: Statement[], k: number, outer: Block[]): Guard | undefined {
  const owner = findOwner(statements, k, ['if', 'elif']);
  if (owner < 0) return undefined;
  if (isVersionCheck(statements[owner].tokens)) return 'version-check';
  return statements[owner].tokens[0].text === 'elif' ? chainGuard(statements, owner, outer) : undefined;
}

function isVersionCheck(tokens: Token[]): boolean {
  // Flags such as PY3, PYNAMODB4 or DJANGO_2 (all capitals, ending in a digit) name versions too.
  return tokens.some((t) => t.kind === 'name' && (/version/i.test(t.text) || /^(PY\d*|PYPY|IS_PYPY|PY_\d+|WIN|IS_WINDOWS)$/.test(t.text) || /^[A-Z][A-Z0-9_]*[0-9]$/.test(t.text) || t.text === 'platform' || t.text === 'hexversion'));
}

/** The header at the same indent before statement k whose first word is one of `kinds` (skipping deeper lines and sibling branches). */
function findOwner(statements: Statement[], k: number, kinds: string[]): number {
  const indent = statements[k].indent;
  for (let j = k - 1; j >= 0; j--) {
    const s = statements[j];
    if (s.indent > indent) continue;
    if (s.indent < indent) return -1;
    const word = s.tokens[0]?.text;
    if (kinds.includes(word)) return j;
    if (word !== 'except' && word !== 'elif' && word !== 'else' && word !== 'finally') return -1;
  }
  return -1;
}

function findTry(statements: Statement[], k: number): number {
  return findOwner(statements, k, ['try']);
}

/** Whether one of the try's handlers catches ImportError (or a base of it, or everything). */
function tryCatchesImportError(statements: Statement[], k: number): boolean {
  const indent = statements[k].indent;
  for (let j = k + 1; j < statements.length; j++) {
    const s = statements[j];
    if (s.indent > indent) continue;
    if (s.indent < indent) return false;
    const word = s.tokens[0]?.text;
    if (word !== 'except') return false;
    const caught = s.tokens.slice(1, s.tokens.length - 1).filter((t) => t.kind === 'name');
    if (caught.length === 0 || (caught.length === 1 && caught[0].text === '*')) return true;
    // `except (ImportError, X) as e`, `except builtins.ImportError`, `except* ImportError`.
    if (caught.some((t, n) => CATCHES_IMPORT_ERROR.has(t.text) && caught[n - 1]?.text !== 'as')) return true;
  }
  return false;
}

/** The imports of one statement: `import a.b as c, d` or `from ..a import (x, y as z)`. */
function importsOf(tokens: Token[]): Array<Omit<ImportRef, 'line' | 'inFunction'>> {
  const head = tokens[0];
  if (head?.kind !== 'name') return [];
  if (head.text === 'import') {
    return splitTop(tokens.slice(1), ',').flatMap((part) => {
      const module = dotted(part);
      return module ? [{ module, level: 0, names: null }] : [];
    });
  }
  if (head.text !== 'from') return [];
  const at = tokens.findIndex((t) => t.kind === 'name' && t.text === 'import');
  if (at < 0) return [];
  let level = 0;
  let k = 1;
  for (; k < at && tokens[k].kind === 'op' && (tokens[k].text === '.' || tokens[k].text === '...'); k++) level += tokens[k].text.length;
  const module = k < at ? dotted(tokens.slice(k, at)) : '';
  if (module === undefined) return [];
  const rest = tokens.slice(at + 1).filter((t) => t.text !== '(' && t.text !== ')');
  const names = splitTop(rest, ',')
    .map((part) => part[0])
    .filter((t): t is Token => !!t && (t.kind === 'name' || t.text === '*'))
    .map((t) => t.text);
  return [{ module, level, names }];
}

/** `a . b . c` (optionally followed by `as x`) as "a.b.c"; undefined when it is not a dotted name. */
function dotted(tokens: Token[]): string | undefined {
  const parts: string[] = [];
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k];
    if (t.kind === 'name' && t.text === 'as') break;
    if (k % 2 === 0 ? t.kind !== 'name' : t.text !== '.') return undefined;
    if (k % 2 === 0) parts.push(t.text);
  }
  return parts.length ? parts.join('.') : undefined;
}

/** Splits a token list at a separator outside brackets. */
function splitTop(tokens: Token[], separator: string): Token[][] {
  const out: Token[][] = [[]];
  let depth = 0;
  for (const t of tokens) {
    if (t.kind === 'op' && (t.text === '(' || t.text === '[' || t.text === '{')) depth++;
    if (t.kind === 'op' && (t.text === ')' || t.text === ']' || t.text === '}')) depth--;
    if (depth === 0 && t.kind === 'op' && t.text === separator) out.push([]);
    else out[out.length - 1].push(t);
  }
  return out.filter((p) => p.length);
}

/** The names a module-level statement binds. */
function boundNames(tokens: Token[]): string[] {
  const head = tokens[0];
  if (!head) return [];
  if (head.kind === 'name') {
    if (head.text === 'def' || head.text === 'class') return tokens[1]?.kind === 'name' ? [tokens[1].text] : [];
    if (head.text === 'async' && tokens[1]?.text === 'def') return tokens[2]?.kind === 'name' ? [tokens[2].text] : [];
    if (head.text === 'import') {
      return splitTop(tokens.slice(1), ',').flatMap((part) => {
        const as = part.findIndex((t) => t.text === 'as');
        return as >= 0 ? [part[as + 1]?.text].filter(Boolean) : [part[0]?.text].filter(Boolean);
      }) as string[];
    }
    if (head.text === 'from') {
      const at = tokens.findIndex((t) => t.kind === 'name' && t.text === 'import');
      const rest = tokens.slice(at + 1).filter((t) => t.text !== '(' && t.text !== ')');
      return splitTop(rest, ',').flatMap((part) => {
        const as = part.findIndex((t) => t.text === 'as');
        const t = as >= 0 ? part[as + 1] : part[0];
        return t?.kind === 'name' ? [t.text] : [];
      });
    }
    if (head.text === 'for') return targetNames(tokens.slice(1, tokens.findIndex((t) => t.text === 'in')));
    if (head.text === 'with') return tokens.flatMap((t, k) => (t.text === 'as' ? targetNames(untilComma(tokens.slice(k + 1))) : []));
    if (head.text === '__all__') return assignedAll(tokens);
  }
  return assignmentTargets(tokens);
}

function untilComma(tokens: Token[]): Token[] {
  return splitTop(tokens, ',')[0]?.filter((t) => t.text !== ':') ?? [];
}

/** `a = b = 1`, `a, (b, *c) = x`, `a: int = 1`, `a += 1`: the plain names bound. */
function assignmentTargets(tokens: Token[]): string[] {
  const parts: Token[][] = [[]];
  let depth = 0;
  let annotated = false;
  let augmented = false;
  for (const t of tokens) {
    if (t.kind === 'op' && '([{'.includes(t.text)) depth++;
    if (t.kind === 'op' && ')]}'.includes(t.text)) depth--;
    if (depth === 0 && t.kind === 'op' && t.text === '=') parts.push([]);
    else if (depth === 0 && t.kind === 'op' && /^(\+|-|\*|\/|\/\/|%|\*\*|>>|<<|&|\^|\||@)=$/.test(t.text)) {
      augmented = true;
      parts.push([]);
    } else if (depth === 0 && t.kind === 'op' && t.text === ':' && parts.length === 1) {
      annotated = true;
      parts.push([]);
    } else parts[parts.length - 1].push(t);
  }
  if (parts.length === 1) return [];
  // `x: int` alone binds nothing at runtime; `x: int = 1` binds x.
  if (annotated && !augmented) return parts.length >= 3 ? targetNames(parts[0]) : [];
  return parts.slice(0, -1).flatMap(targetNames);
}

/** Plain names in an assignment target (tuples, lists and starred names included; attributes and subscripts bind nothing here). */
function targetNames(tokens: Token[]): string[] {
  const out: string[] = [];
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k];
    if (t.kind !== 'name') continue;
    const before = tokens[k - 1]?.text;
    const after = tokens[k + 1]?.text;
    if (before === '.') continue;
    if (after === '.' || after === '[' || after === '(') continue;
    out.push(t.text);
  }
  return out;
}

/** `__all__ = ["a", "b"]` or `__all__ += [...]`: the listed names (plus __all__ itself). */
function assignedAll(tokens: Token[]): string[] {
  return ['__all__', ...tokens.filter((t) => t.kind === 'string' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(t.text)).map((t) => t.text)];
}

function usesGlobalsDynamically(tokens: Token[]): boolean {
  return tokens.some(
    (t, k) =>
      (t.kind === 'name' && t.text === 'globals' && tokens[k + 1]?.text === '(') ||
      (t.text === 'modules' && tokens[k - 1]?.text === '.' && tokens[k - 2]?.text === 'sys' && tokens[k + 1]?.text === '[') ||
      (t.kind === 'string' && t.text === '__getattr__'),
  );
}
