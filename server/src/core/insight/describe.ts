import type { Dependency, ParsedManifest } from '../model';

const SOURCE_WORDS: Record<string, string> = {
  registry: 'from the package index',
  url: 'from a direct URL',
  vcs: 'from a version-control URL',
  path: 'from a local path',
  range: 'a semver range from the registry',
  tag: 'a dist-tag from the registry',
  alias: 'an alias of another package',
  git: 'from a git repository',
  github: 'from a hosted git repository',
  file: 'from a local folder or tarball',
  link: 'a symlinked local folder',
  workspace: 'a workspace package',
  remote: 'a tarball URL',
};

/** The description without the comment, and the comment as a quote, for hovers that add between them. */
export function describeDependencyParts(dep: Dependency, manifests: ParsedManifest[]): { head: string; comment?: string } {
  const extras = dep.extras.length > 0 ? `[${dep.extras.join(',')}]` : '';
  const spec = dep.specifier || (dep.ecosystem === 'pypi' && dep.source === 'registry' ? 'any version' : dep.location ?? dep.specifier);
  const lines = [`**${dep.name}${extras}** \`${spec}\``, ''];
  const facts = [`Section: \`${dep.section}\``, `Source: ${SOURCE_WORDS[dep.source] ?? dep.source}`];
  if (dep.marker) facts.push(`Only when: \`${dep.marker}\``);
  if (dep.constraint) facts.push('A constraint: it limits the version if something else requires the package, and installs nothing itself.');
  if (dep.override) facts.push('An override: it replaces the version every other package asks for.');
  if (dep.optional) facts.push('Optional.');
  if (dep.editable) facts.push('Installed in editable mode.');
  if (dep.hashes.length > 0) facts.push(`${dep.hashes.length} hash${dep.hashes.length === 1 ? '' : 'es'} pinned.`);
  const others = manifests.flatMap((m) => m.dependencies.filter((d) => d !== dep && d.normalizedName === dep.normalizedName && d.ecosystem === dep.ecosystem).map((d) => ({ d, m })));
  for (const { d, m } of others) facts.push(`Also ${d.constraint ? 'constrained' : 'required'} as \`${d.raw}\` in \`${d.section}\`${m.path !== manifests[0]?.path ? ` (${m.path})` : ''}.`);
  lines.push(facts.map((f) => `- ${f}`).join('\n'));
  const comment = dep.comment ? ['---', '', ...dep.comment.split('\n').map((l) => `> ${l}`)].join('\n') : undefined;
  return { head: lines.join('\n'), comment };
}
