// Completion in requirement strings: versions after an operator (the highest compatible first,
// then newest first; pre-releases and yanked releases marked) and extras inside `[...]`.

import type { CompletionChoice, CompletionRequest } from '../../ecosystem';
import type { ManifestKind } from '../../model';
import type { PypiClient } from '../index/pypi';
import { compareVersions, isPrerelease, parseVersion, type Version } from '../versions/pep440';
import { normalizeName } from '../versions/pep508';

const NAME = '([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)';
const EXTRA_CONTEXT = new RegExp(`^\\s*${NAME}\\s*\\[(?:[^\\]]*,)?\\s*([A-Za-z0-9._-]*)$`);
const NAME_CONTEXT = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)$/;
const VERSION_CONTEXT = new RegExp(`^\\s*${NAME}\\s*(?:\\[[^\\]]*\\])?\\s*(?:[^;@]*,\\s*)?(?:===|==|~=|!=|>=|<=|>|<)\\s*([0-9A-Za-z.*+!_-]*)$`);

/** The completion a requirement line (or a pyproject string) asks for at the cursor. */
export function pythonCompletionContext(linePrefix: string, kind: ManifestKind): CompletionRequest | null {
  // In pyproject.toml a requirement is a string: complete only inside one.
  let text = linePrefix;
  if (kind === 'pyproject') {
    const quote = Math.max(linePrefix.lastIndexOf('"'), linePrefix.lastIndexOf("'"));
    if (quote < 0 || (linePrefix.slice(0, quote).match(/["']/g)?.length ?? 0) % 2 !== 0) return null;
    text = linePrefix.slice(quote + 1);
  }
  const extra = EXTRA_CONTEXT.exec(text);
  if (extra) return { kind: 'extra', name: normalizeName(extra[1]!), typed: extra[2]! };
  const version = VERSION_CONTEXT.exec(text);
  if (version) return { kind: 'version', name: normalizeName(version[1]!), typed: version[2]! };
  const name = NAME_CONTEXT.exec(text);
  if (name) return { kind: 'name', typed: name[1]! };
  return null;
}

/** Package names this session's registry reads know, that start like what is typed (PEP 503 normalised). */
export function nameCompletions(known: Iterable<string>, typed: string): CompletionChoice[] {
  const prefix = normalizeName(typed);
  return [...new Set(known)].filter((n) => n.startsWith(prefix)).sort().map((n, i) => ({ label: n, detail: 'known to the package index', sortText: String(i).padStart(5, '0') }));
}

/** Choices from the index for a completion request; empty when the index cannot answer. */
export async function pythonCompletions(client: PypiClient, request: Exclude<CompletionRequest, { kind: 'name' }>, preferred: string | undefined, signal?: AbortSignal): Promise<CompletionChoice[]> {
  const project = await client.getProject(request.name, signal).catch(() => undefined);
  if (!project) return [];
  const versions: Array<{ text: string; version: Version; yanked: boolean; reason?: string }> = [];
  for (const [text, info] of project.versions) {
    const version = info.files.length > 0 ? parseVersion(text) : null;
    if (version) versions.push({ text, version, yanked: info.yanked, reason: info.yankedReason });
  }
  versions.sort((a, b) => compareVersions(b.version, a.version));
  if (request.kind === 'extra') {
    const latest = versions.find((v) => !v.yanked && !isPrerelease(v.version));
    const metadata = latest ? await client.getMetadata(project, latest.text, signal).catch(() => undefined) : undefined;
    if (metadata?.kind !== 'known') return [];
    return metadata.providesExtra.map((extra, i) => ({ label: extra, detail: `extra of ${project.name} ${latest!.text}`, sortText: String(i).padStart(4, '0') }));
  }
  return versions.map((v, i) => {
    const first = v.text === preferred;
    const notes = [first ? 'highest compatible' : undefined, isPrerelease(v.version) ? 'pre-release' : undefined, v.yanked ? `yanked${v.reason ? `: ${v.reason}` : ''}` : undefined].filter(Boolean);
    return { label: v.text, detail: notes.join(' · ') || undefined, sortText: `${first ? '0' : '1'}${String(i).padStart(5, '0')}`, deprecated: v.yanked };
  });
}
