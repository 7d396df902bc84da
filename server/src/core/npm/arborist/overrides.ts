// npm `overrides` as arborist's OverrideSet applies them: a tree of rules keyed by `name` or
// `name@range`, where a rule's children apply only below a package that matched the rule, and an
// edge takes the first rule (nearest scope first) whose name matches and whose key range intersects
// the edge's own range.
import * as semver from 'semver';
import { parseRegistrySpec } from './pick';

/** The raw JSON shape of package.json `overrides`. */
export type OverridesJson = string | { [key: string]: OverridesJson };

/** What an override rule needs to know about an edge. */
export interface OverrideEdge {
  name: string;
  rawSpec: string;
}

export class OverrideSet {
  readonly children = new Map<string, OverrideSet>();
  /** Package name of the rule (undefined on the root set). */
  readonly name?: string;
  readonly key?: string;
  /** The range in the key (`foo@^1` -> '^1'), '*' when the key names no range. */
  readonly keySpec?: string;
  /** The spec the rule installs: its "." value, else the key's range. */
  readonly value?: string;

  constructor(overrides: OverridesJson, readonly parent?: OverrideSet, key?: string) {
    const table: { [key: string]: OverridesJson } = typeof overrides === 'string' ? { '.': overrides } : { ...overrides };
    if (table['.'] === '') table['.'] = '*';
    if (parent && key !== undefined) {
      const at = key.indexOf('@', 1);
      this.name = at > 0 ? key.slice(0, at) : key;
      this.key = key;
      const range = at > 0 ? key.slice(at + 1).trim() : '';
      this.keySpec = range === '' ? '*' : range;
      const dot = table['.'];
      this.value = typeof dot === 'string' && dot !== '' ? dot : this.keySpec;
    }
    for (const [childKey, childValue] of Object.entries(table)) {
      if (childKey === '.') continue;
      if (typeof childValue !== 'string' && (typeof childValue !== 'object' || childValue === null)) continue;
      const child = new OverrideSet(childValue, this, childKey);
      this.children.set(childKey, child);
    }
  }

  get isRoot(): boolean {
    return !this.parent;
  }

  *ancestry(): Generator<OverrideSet> {
    for (let set: OverrideSet | undefined = this; set; set = set.parent) yield set;
  }

  /** Rules visible here: own children first, then each ancestor's children, then the rules themselves. */
  get ruleset(): Map<string, OverrideSet> {
    const rules = new Map<string, OverrideSet>();
    for (const set of this.ancestry()) {
      for (const kid of set.children.values()) if (!rules.has(kid.key as string)) rules.set(kid.key as string, kid);
      if (!set.isRoot && !rules.has(set.key as string)) rules.set(set.key as string, set);
    }
    return rules;
  }

  /** The rule an edge falls under, or this set when none matches (arborist's getEdgeRule). */
  getEdgeRule(edge: OverrideEdge): OverrideSet {
    for (const rule of this.ruleset.values()) {
      if (rule.name !== edge.name) continue;
      if (rule.keySpec === '*') return rule;
      const spec = parseRegistrySpec(edge.name, edge.rawSpec);
      if (spec.kind === 'range') {
        if (intersects(spec.range, rule.keySpec as string)) return rule;
        continue;
      }
      // tags and non-registry specs cannot be compared, so the rule applies
      return rule;
    }
    return this;
  }

  isEqual(other: OverrideSet | undefined): boolean {
    if (this === other) return true;
    if (!other) return false;
    if (this.key !== other.key || this.value !== other.value) return false;
    if (!this.childrenAreEqual(other)) return false;
    if (!this.parent) return !other.parent;
    return this.parent.isEqual(other.parent);
  }

  private childrenAreEqual(other: OverrideSet): boolean {
    if (this.children.size !== other.children.size) return false;
    for (const [key, kid] of this.children) {
      const theirs = other.children.get(key);
      if (!theirs || theirs.value !== kid.value || !kid.childrenAreEqual(theirs)) return false;
    }
    return true;
  }
}

function intersects(a: string, b: string): boolean {
  try {
    return semver.intersects(a, b, { loose: true });
  } catch {
    return false;
  }
}

/**
 * The spec an override replaces `rawSpec` with, or undefined. `$name` values refer to the root's own
 * dependency specs (devDependencies, optionalDependencies, dependencies, peerDependencies, in that order).
 */
export function overriddenSpec(rule: OverrideSet | undefined, name: string, lookupRef: (ref: string) => string | undefined): string | undefined {
  if (!rule?.value || rule.value === '*' || rule.name !== name) return undefined;
  if (!rule.value.startsWith('$')) return rule.value;
  return lookupRef(rule.value.slice(1));
}
