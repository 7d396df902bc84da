import type { Analysis } from '../project/analyze';
import type { Dependency, Finding, ManifestKind, Range } from '../model';

export interface FileReport {
  path: string;
  findings: Finding[];
}

/** Merges analyses of several roots: each file once, each finding once (includes overlap). */
export function mergeFindings(analyses: Analysis[], displayPath: (p: string) => string): FileReport[] {
  const files = new Map<string, Map<string, Finding>>();
  for (const analysis of analyses) {
    for (const manifest of analysis.manifests) if (!files.has(manifest.path)) files.set(manifest.path, new Map());
    // A rule file (pinsight.toml) holds no manifest but is a file checked.
    if (analysis.manifests.length === 0 && !files.has(analysis.root)) files.set(analysis.root, new Map());
    for (const finding of analysis.findings) {
      const bucket = files.get(finding.path) ?? new Map<string, Finding>();
      files.set(finding.path, bucket);
      const key = `${finding.code}|${rangeKey(finding.range)}|${finding.message}`;
      if (!bucket.has(key)) bucket.set(key, finding);
    }
  }
  return [...files.entries()]
    .map(([path, findings]) => ({
      path: displayPath(path),
      findings: [...findings.values()]
        .map((f) => relocate(f, displayPath))
        .sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character),
    }))
    .sort((a, b) => a.path.localeCompare(b.path));
}

function relocate(f: Finding, displayPath: (p: string) => string): Finding {
  return {
    ...f,
    path: displayPath(f.path),
    related: f.related.map((r) => ({ ...r, path: displayPath(r.path) })),
    fixes: f.fixes.map((x) => ({ ...x, edits: x.edits.map((e) => ({ ...e, path: displayPath(e.path) })) })),
  };
}

function rangeKey(r: Range): string {
  return `${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character}`;
}

/**
 * The `pinsight check --format json` document (docs/cli.md). `incomplete` lists why the verdict is
 * not complete (a registry failed or ran out of time); `complete` is false when it is not empty.
 */
export function formatCheckJson(files: FileReport[], incomplete: string[] = []): string {
  return JSON.stringify(
    {
      complete: incomplete.length === 0,
      incomplete,
      files: files.map((f) => ({
        path: f.path,
        findings: f.findings.map(({ code, severity, package: pkg, range, message, related, fixes }) => ({ code, severity, package: pkg, range, message, related, fixes })),
      })),
    },
    null,
    2,
  );
}

/** Compiler-style lines (`path:line:col: severity [code] message`) and a summary that says when the verdict is incomplete. */
export function formatCheckText(files: FileReport[], incomplete: string[] = []): string {
  const out: string[] = [];
  for (const file of files) for (const f of file.findings) out.push(...findingLines(file.path, f));
  out.push(...checkSummaryLines(files, incomplete));
  return out.join('\n');
}

/** One finding's lines in the text report: the finding, then its related locations and fixes, indented. */
export function findingLines(path: string, f: Finding): string[] {
  const out = [`${path}:${f.range.start.line + 1}:${f.range.start.character + 1}: ${f.severity} [${f.code}] ${f.message}`];
  for (const r of f.related) out.push(`    ${r.path}:${r.range.start.line + 1}:${r.range.start.character + 1}: ${r.message}`);
  for (const fix of f.fixes) out.push(`    fix: ${fix.title}`);
  return out;
}

/**
 * What a later stage added to a finding already printed (`before`): the sentences appended to its
 * message and the new fixes, under a line that names the finding's place; none when it added nothing.
 */
export function addedFixLines(path: string, before: Finding, after: Finding): string[] {
  const sentence = after.message.startsWith(before.message) ? after.message.slice(before.message.length).trim() : '';
  const had = new Set(before.fixes.map((x) => x.title));
  const fixes = after.fixes.filter((x) => !had.has(x.title));
  if (!sentence && fixes.length === 0) return [];
  const head = `${path}:${after.range.start.line + 1}:${after.range.start.character + 1}: fixes for this [${after.code}]:${sentence ? ` ${sentence}` : ''}`;
  return [head, ...fixes.map((x) => `    fix: ${x.title}`)];
}

/** The text report's last lines: the counts, and why the verdict is incomplete when it is. */
export function checkSummaryLines(files: FileReport[], incomplete: string[] = []): string[] {
  const out: string[] = [];
  const counts = { error: 0, warning: 0, information: 0, hint: 0 };
  for (const file of files) for (const f of file.findings) counts[f.severity]++;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const parts = [plural(counts.error, 'error'), plural(counts.warning, 'warning')];
  if (counts.information + counts.hint > 0) parts.push(plural(counts.information + counts.hint, 'note'));
  out.push(`${plural(files.length, 'file')} checked: ${parts.join(', ')}.`);
  if (incomplete.length > 0) {
    // "0 errors" must not read as a clean bill when some requirements were never checked.
    out.push(`The verdict is incomplete: ${plural(incomplete.length, 'problem')} left requirements unchecked or unresolved:`);
    for (const reason of incomplete) out.push(`  - ${reason}`);
  }
  return out;
}

export interface ListedFile {
  path: string;
  kind: ManifestKind;
  dependencies: Dependency[];
}

/** The `pinsight list --format json` document: what was parsed, for tooling. */
export function formatListJson(files: ListedFile[]): string {
  return JSON.stringify(
    {
      files: files.map((f) => ({
        path: f.path,
        kind: f.kind,
        dependencies: f.dependencies.map((d) => ({
          name: d.name,
          extras: d.extras,
          specifier: d.specifier,
          marker: d.marker,
          section: d.section,
          constraint: d.constraint,
          source: d.source,
          range: d.range,
        })),
      })),
    },
    null,
    2,
  );
}

export function formatListText(files: ListedFile[]): string {
  const out: string[] = [];
  for (const f of files) {
    out.push(`${f.path} (${f.kind})`);
    for (const d of f.dependencies) {
      const extras = d.extras.length ? `[${d.extras.join(',')}]` : '';
      const marker = d.marker ? ` ; ${d.marker}` : '';
      out.push(`  ${String(d.range.start.line + 1).padStart(4)}  ${d.section}: ${d.name}${extras}${d.specifier ? ' ' + d.specifier : ''}${marker}`);
    }
  }
  return out.join('\n');
}
