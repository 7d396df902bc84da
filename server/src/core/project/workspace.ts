// The workspace as a whole: which manifests it holds, and the same package pinned differently in
// several of them (a Docker image's requirements and the developer's, the package.json files of a
// monorepo), which no resolver sees because nothing resolves them together.

import { dirname, join, relative } from 'node:path';
import type { Dependency, Finding, Fix, RelatedInformation } from '../model';
import type { Runtime } from '../runtime';
import type { Analysis } from './analyze';
import { detectManifestKind, isIgnoredFolder } from './detect';
import { ecosystemById } from './ecosystems';
import { isRuleFile } from './teamRules';

/**
 * Manifests under a folder in a stable order, leaving out installed packages, virtualenvs and VCS
 * metadata; at most `limit`. Rule files (`pinsight.toml`) met on the way go to `ruleFiles` when given.
 */
export async function findManifests(root: string, runtime: Runtime, limit = 5_000, ruleFiles?: string[]): Promise<{ paths: string[]; truncated: boolean }> {
  const paths: string[] = [];
  let truncated = false;
  const walk = async (dir: string): Promise<void> => {
    const entries = await runtime.listDir?.(dir);
    if (!entries) return;
    // A virtualenv's own requirement files are not the project's.
    if (dir !== root && entries.some((e) => e.name === 'pyvenv.cfg' && e.kind === 'file')) return;
    for (const entry of [...entries].sort((a, b) => a.name.localeCompare(b.name))) {
      if (paths.length >= limit) return void (truncated = true);
      const full = join(dir, entry.name);
      if (entry.kind === 'dir' && !isIgnoredFolder(entry.name)) await walk(full);
      else if (entry.kind === 'file' && detectManifestKind(full)) paths.push(full);
      else if (entry.kind === 'file' && ruleFiles && isRuleFile(full)) ruleFiles.push(full);
    }
  };
  await walk(root);
  return { paths, truncated };
}

interface Located {
  dep: Dependency;
  path: string;
}

function comparable(dep: Dependency): boolean {
  if (dep.override || dep.specifier.trim() === '') return false;
  return dep.ecosystem === 'pypi' ? dep.source === 'registry' : dep.source === 'range';
}

/** Every comparable requirement once (an included file belongs to several trees), grouped by ecosystem, package and marker. */
function groups(analyses: Analysis[]): Map<string, Located[]> {
  const seen = new Set<string>();
  const out = new Map<string, Located[]>();
  for (const analysis of analyses) {
    for (const manifest of analysis.manifests) {
      manifest.dependencies.forEach((dep, index) => {
        const id = `${manifest.path}#${index}`;
        if (seen.has(id) || !comparable(dep)) return;
        seen.add(id);
        const key = `${dep.ecosystem}\u0000${dep.normalizedName}\u0000${dep.marker ?? ''}`;
        out.set(key, [...(out.get(key) ?? []), { dep, path: manifest.path }]);
      });
    }
  }
  return out;
}

// package.json's raw text is the JSON property; name@range reads as npm writes it.
const label = (dep: Dependency): string => (dep.ecosystem === 'npm' ? `${dep.name}@${dep.specifier.trim()}` : dep.raw);

const where = (from: Located, to: Located): string => `${relative(dirname(from.path), to.path)} (line ${to.dep.range.start.line + 1})`;

/** One fix per distinct specifier in the group: every line of the package made to read the same. */
function alignFixes(at: Located, group: Located[]): Fix[] {
  if (group.some((g) => !g.dep.specifierRange)) return [];
  const texts = [...new Set(group.map((g) => g.dep.specifier.trim()))].filter((t) => t !== at.dep.specifier.trim());
  return texts.map((text) => {
    const source = group.find((g) => g.dep.specifier.trim() === text)!;
    return {
      title: `Align every requirement of ${at.dep.name} to ${text} (as in ${where(at, source)})`,
      edits: group.filter((g) => g.dep.specifier.trim() !== text).map((g) => ({ path: g.path, range: g.dep.specifierRange!, newText: text })),
    };
  });
}

/**
 * `inconsistent-pin` on each requirement that a requirement on the same package in another manifest
 * contradicts. Files read together (a requirements tree with its includes and constraints, one
 * pyproject's sections) are left out: duplicate-requirement and the resolver already explain those.
 */
export function findInconsistentPins(analyses: Analysis[]): Finding[] {
  // Which trees read each file: two files are read together when some tree reads both.
  const trees = new Map<string, Set<number>>();
  analyses.forEach((a, i) => a.manifests.forEach((m) => trees.set(m.path, (trees.get(m.path) ?? new Set()).add(i))));
  const together = (a: string, b: string): boolean => a === b || [...(trees.get(a) ?? [])].some((i) => trees.get(b)?.has(i));
  const findings: Finding[] = [];
  for (const group of groups(analyses).values()) {
    if (group.length < 2) continue;
    const wing = ecosystemById(group[0]!.dep.ecosystem);
    // Agreement depends only on the specifier text: decide each distinct pair once (workspaces repeat pins).
    const texts = [...new Set(group.map((g) => g.dep.specifier.trim()))];
    if (texts.length < 2) continue;
    const sample = new Map(texts.map((t) => [t, group.find((g) => g.dep.specifier.trim() === t)!.dep]));
    const disagree = new Set<string>();
    for (const a of texts) for (const b of texts) if (a < b && !wing.specifiersAgree(sample.get(a)!, sample.get(b)!)) disagree.add(`${a}\u0000${b}`).add(`${b}\u0000${a}`);
    if (disagree.size === 0) continue;
    for (const at of group) {
      const mine = at.dep.specifier.trim();
      const against = group.filter((o) => disagree.has(`${mine}\u0000${o.dep.specifier.trim()}`) && !together(at.path, o.path));
      if (against.length === 0) continue;
      const others = against.map((o) => `${label(o.dep)} in ${where(at, o)}`).join(', ');
      const related: RelatedInformation[] = against.map((o) => ({ path: o.path, range: o.dep.range, message: `${label(o.dep)} is required here.` }));
      findings.push({
        code: 'inconsistent-pin',
        severity: 'warning',
        package: at.dep.normalizedName,
        path: at.path,
        range: at.dep.specifierRange ?? at.dep.range,
        message: `${label(at.dep)} here and ${others} cannot both hold: no version of ${at.dep.name} satisfies both, so the environments built from these files get different versions.`,
        related,
        fixes: alignFixes(at, group),
      });
    }
  }
  return findings;
}
