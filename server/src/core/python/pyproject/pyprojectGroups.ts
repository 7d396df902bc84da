// PEP 735 [dependency-groups]: arrays of PEP 508 strings and `{include-group = "name"}` tables.
// Includes are recorded, not expanded (each group's own requirements are already dependencies),
// but a missing target or a cycle is an error that every installer reports too.
import type { Range } from '../../model';
import { normalizeName } from '../versions/pep508';
import type { PyprojectContext } from './pyprojectContext';
import { getEntry, isString, isTable, toItem, type TomlTable } from '../../toml/tomlTree';

export interface GroupInclude {
  /** The including group, as written. */
  group: string;
  /** The included group, as written. */
  include: string;
  range: Range;
}

interface PendingInclude extends GroupInclude {
  span: [number, number];
}

/** Reads [dependency-groups]; include entries go to meta.dependencyGroupIncludes. */
export function collectDependencyGroups(ctx: PyprojectContext, root: TomlTable): void {
  const entry = getEntry(root, ['dependency-groups']);
  if (!entry) return;
  if (!isTable(entry.item)) {
    ctx.wrongType('[dependency-groups]', entry.item, 'a table of group names to arrays');
    return;
  }
  const names = new Map<string, string>();
  const includes: PendingInclude[] = [];
  for (const [group, groupEntry] of entry.item.entries) {
    const normalized = normalizeName(group);
    const previous = names.get(normalized);
    if (previous !== undefined) {
      ctx.problem('invalid-manifest', `Dependency group "${group}" is the same group as "${previous}" (names are compared after normalisation); merge them.`, [groupEntry.key.range[0], groupEntry.key.range[1]]);
      continue;
    }
    names.set(normalized, group);
    readGroup(ctx, group, groupEntry.item, includes);
  }
  checkIncludes(ctx, names, includes);
  ctx.meta().dependencyGroupIncludes = includes.map(({ group, include, range }) => ({ group, include, range }));
}

function readGroup(ctx: PyprojectContext, group: string, item: ReturnType<typeof toItem>, includes: PendingInclude[]): void {
  const section = `dependency-groups.${group}`;
  if (!('type' in item) || item.type !== 'TOMLArray') {
    ctx.wrongType(section, item, 'an array of requirement strings and {include-group = "..."} tables');
    return;
  }
  const elements = item.elements;
  elements.forEach((element, i) => {
    if (isString(element)) {
      const dep = ctx.requirementFromString(element, section, {}, elements[i + 1]?.range[0]);
      if (dep) ctx.manifest.dependencies.push(dep);
      return;
    }
    const table = toItem(element);
    const target = isTable(table) ? table.entries.get('include-group') : undefined;
    if (!isTable(table) || !target || table.entries.size !== 1) {
      ctx.wrongType(`Each entry of ${section}`, table, 'a requirement string or a table with only include-group = "name"');
      return;
    }
    if (!isString(target.item)) {
      ctx.wrongType(`include-group in ${section}`, target.item, 'a group name string');
      return;
    }
    const span: [number, number] = [target.item.range[0], target.item.range[1]];
    includes.push({ group, include: target.item.value, range: ctx.range(span[0], span[1]), span });
  });
}

function checkIncludes(ctx: PyprojectContext, names: Map<string, string>, includes: PendingInclude[]): void {
  const edges = new Map<string, PendingInclude[]>();
  for (const inc of includes) {
    if (!names.has(normalizeName(inc.include))) {
      ctx.problem('invalid-manifest', `Dependency group "${inc.group}" includes "${inc.include}", but [dependency-groups] has no group by that name.`, inc.span);
      continue;
    }
    const from = normalizeName(inc.group);
    edges.set(from, [...(edges.get(from) ?? []), inc]);
  }
  // Depth-first search; an edge back into the current path closes a cycle, reported at that edge.
  const state = new Map<string, 'active' | 'done'>();
  const path: string[] = [];
  const visit = (node: string): void => {
    state.set(node, 'active');
    path.push(node);
    for (const inc of edges.get(node) ?? []) {
      const to = normalizeName(inc.include);
      if (state.get(to) === 'active') {
        const cycle = [...path.slice(path.indexOf(to)), to].map((n) => names.get(n) ?? n).join(' -> ');
        ctx.problem('include-cycle', `Dependency group "${inc.group}" includes "${inc.include}", which leads back to it (${cycle}); an installer cannot expand these groups.`, inc.span);
      } else if (!state.has(to)) {
        visit(to);
      }
    }
    path.pop();
    state.set(node, 'done');
  };
  for (const name of names.keys()) if (!state.has(name)) visit(name);
}
