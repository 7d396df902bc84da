// Whether two PEP 440 specifier sets could both hold: some version satisfies both. Used across
// manifests (a Docker image's requirements against the developer's), where nothing resolves the
// two together. Without a registry the candidates are the boundaries the sets name and the
// versions just above them, which is where any non-empty intersection of PEP 440 intervals starts.

import { parseSpecifierSet, parseVersion, type SpecifierSet } from '../versions/pep440';

function candidatesOf(set: SpecifierSet): string[] {
  const out: string[] = [];
  for (const spec of set.specifiers) {
    const text = spec.version.replace(/\.\*$/, '');
    const version = parseVersion(text);
    if (!version) continue;
    out.push(text);
    const release = version.release.join('.');
    const epoch = version.epoch ? `${version.epoch}!` : '';
    // Just above: a longer release (1.0 -> 1.0.0.0.1) sorts after 1.0 and every pre/post of it but before 1.0.1.
    out.push(`${epoch}${release}${'.0'.repeat(Math.max(0, 3 - version.release.length))}.0.1`);
    out.push(`${epoch}${version.release.map((n, i) => (i === version.release.length - 1 ? n + 1 : n)).join('.')}`);
  }
  return out;
}

/** False only when no version can satisfy both specifier sets (unparseable or arbitrary sets count as agreeing). */
export function pep440SpecifiersAgree(a: string, b: string): boolean {
  const pa = parseSpecifierSet(a);
  const pb = parseSpecifierSet(b);
  if (!pa.ok || !pb.ok) return true;
  if ([...pa.set.specifiers, ...pb.set.specifiers].some((s) => s.operator === '===')) return true;
  if (pa.set.specifiers.length === 0 || pb.set.specifiers.length === 0) return true;
  const candidates = [...candidatesOf(pa.set), ...candidatesOf(pb.set), '0', '0.0.0.1'];
  return candidates.some((c) => pa.set.contains(c, { prereleases: true }) && pb.set.contains(c, { prereleases: true }));
}
