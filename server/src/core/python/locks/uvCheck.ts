// Whether uv.lock is current for a workspace, by uv's own rule (Lock::satisfies and the checks
// before it in `uv lock --check`): the members, requires-python, the workspace's constraints,
// overrides, build constraints and excludes against [manifest], and per member its version,
// virtual/editable state, requires-dist, provides-extras and dependency groups against
// [package.metadata]. Where uv stops at the first difference, each differing line gets a finding.
// Then the lock against itself: a requirement it records whose locked version or extras disagree.
import { basename, dirname, sep } from 'node:path';
import type { Range } from '../../model';
import { addLocked, emptyLockCheck, listWords, staleFinding, type LockCheck } from './lockCheck';
import { pythonRange, sameRange, sameVersion } from './lockSpecifiers';
import { diffRequirements, type DiffContext, type ExpectedEntry, type ListDiff } from './uvDiff';
import { parseUvLock, type UvLock, type UvLockPackage, type UvLockRequirement } from './uvLock';
import { addedMessage, changedMessage, contradictionMessage, memberPackage, REFRESH, removedMessage, sectionLabel } from './uvMessages';
import { isPackage, readUvMember, type DeclaredRequirement, type UvMember } from './uvProject';
import { lowerRequirement, type LoweringContext } from './uvSources';
import { checkLockConsistency } from './uvConsistency';

/** A pyproject.toml of the workspace: the root first, then the members. */
export interface PyprojectSource {
  path: string;
  text: string;
}

/** Compares uv.lock with the workspace it was made for; `projects[0]` is the pyproject.toml beside it. */
export function checkUvLock(lockText: string, lockPath: string, projects: PyprojectSource[]): LockCheck {
  const out = emptyLockCheck();
  out.sources.push(basename(lockPath));
  const read = parseUvLock(lockText, lockPath);
  if (!read.ok) {
    out.skipped.push(read.reason);
    return out;
  }
  for (const p of read.lock.packages) if (p.version !== undefined) addLocked(out.locked, p.name, p.version);
  const members = projects.map((p) => readUvMember(p.path, p.text));
  const root = members[0];
  if (!root) return out;
  for (const m of members) if (m.unreadable) out.skipped.push(m.unreadable);
  if (root.unreadable) return out;
  if (root.name === null && root.workspace === null) {
    out.skipped.push(`${basename(root.path)} has neither a [project] table nor a [tool.uv.workspace], so uv does not lock it and uv.lock is not compared with it`);
    return out;
  }
  try {
    new UvLockChecker(read.lock, members.filter((m) => !m.unreadable), out, dirname(lockPath)).run();
  } catch (e) {
    // A bug here must not hide the rest of the analysis; say what could not be checked.
    out.skipped.push(`uv.lock could not be compared with pyproject.toml (${e instanceof Error ? e.message : String(e)}); please report this.`);
  }
  return out;
}

class UvLockChecker {
  private readonly root: UvMember;
  private readonly ctx: DiffContext;
  private readonly required = new Map<string, boolean | undefined>();

  constructor(private readonly lock: UvLock, private readonly members: UvMember[], private readonly out: LockCheck, private readonly workspaceRoot: string) {
    this.root = members[0];
    this.ctx = { workspaceRoot, requiresPython: lock.requiresPython };
    for (const m of members) {
      for (const [name, specs] of m.sources) {
        if (name === m.name) continue;
        for (const s of specs) if (s.kind === 'workspace') this.required.set(name, s.editable);
      }
    }
  }

  run(): void {
    this.checkMembers();
    this.checkRequiresPython();
    this.checkWorkspaceTables();
    for (const member of this.members) if (member.name !== null) this.checkMember(member);
  }

  private anchor(member: UvMember, ...keys: string[]): Range {
    for (const key of keys) {
      const range = member.anchors.get(key);
      if (range) return range;
    }
    return member.anchors.get('project') ?? member.anchors.get('file')!;
  }

  private report(path: string, range: Range, pkg: string | null, message: string): void {
    this.out.findings.push(staleFinding(path, range, pkg, message));
  }

  private checkMembers(): void {
    const named = this.members.filter((m) => m.name !== null).map((m) => m.name!);
    const expected = named.length === 1 && this.root.name !== null ? [] : [...new Set(named)].sort();
    const actual = [...new Set(this.lock.manifest.members)].sort();
    if (expected.join(',') === actual.join(',')) return;
    const added = expected.filter((n) => !actual.includes(n));
    const gone = actual.filter((n) => !expected.includes(n));
    const parts = [added.length ? `${listWords(added)} ${added.length > 1 ? 'are' : 'is'} new` : '', gone.length ? `${listWords(gone)} ${gone.length > 1 ? 'are' : 'is'} gone` : ''].filter(Boolean);
    const was = actual.length ? `the workspace members ${listWords(actual)}` : 'a single project';
    const now = parts.length ? ` (${parts.join(', ')})` : '';
    this.report(this.root.path, this.anchor(this.root, 'members', 'workspace'), null, `uv.lock was made for ${was}, but the workspace has changed${now}. ${REFRESH}`);
  }

  private checkRequiresPython(): void {
    const declared = this.members.map((m) => m.requiresPython).filter((r): r is NonNullable<typeof r> => r !== null && r.specifier !== '');
    if (declared.length === 0 || this.lock.requiresPython === null) return;
    if (sameRange(pythonRange(declared.map((d) => d.specifier)), pythonRange([this.lock.requiresPython]))) return;
    const own = this.root.requiresPython ?? declared[0];
    const owner = this.members.find((m) => m.requiresPython === own) ?? this.root;
    const asks = declared.length > 1 ? `the workspace's members together ask for ${listWords(declared.map((d) => `\`${d.specifier}\``))}` : `this line asks for \`${own.specifier}\``;
    this.report(owner.path, own.range, null, `uv.lock was made for requires-python \`${this.lock.requiresPython}\`, but ${asks}. ${REFRESH}`);
  }

  // uv discovers each member's workspace from the member's folder up: a member nested inside
  // another member's folder (examples/x inside examples/) stops at that project and is lowered
  // on its own, without the workspace's sources or members.
  private isolated(member: UvMember): boolean {
    return member !== this.root && this.members.some((m) => m !== this.root && m !== member && member.dir.startsWith(m.dir + sep));
  }

  private loweringFor(member: UvMember): LoweringContext {
    const members = new Map<string, { dir: string; isPackage: boolean }>();
    const scope = this.isolated(member) ? [member] : this.members;
    for (const m of scope) if (m.name !== null) members.set(m.name, { dir: m.dir, isPackage: isPackage(m, this.required.has(m.name)) });
    const indexes = this.isolated(member) ? member.indexes : new Map([...this.root.indexes, ...member.indexes]);
    return { workspaceRoot: this.workspaceRoot, projectDir: member.dir, members, indexes, requiresPython: this.lock.requiresPython };
  }

  private expectedOf(member: UvMember, decls: DeclaredRequirement[], lower: boolean): ExpectedEntry[] {
    const lowering = this.loweringFor(member);
    const inherited = this.isolated(member) ? new Map() : this.root.sources;
    return decls.flatMap((decl) => {
      if (!lower) return [{ decl, lowered: { source: { kind: 'registry' as const }, marker: decl.marker, specifier: decl.specifier } }];
      const sources = member.sources.get(decl.name) ?? inherited.get(decl.name);
      return lowerRequirement(decl, decl, sources, lowering).map((lowered) => ({ decl, lowered }));
    });
  }

  /** Reports one list's differences; `anchorFor` says where a removed entry goes. */
  private reportDiff(member: UvMember, expected: ExpectedEntry[], diff: ListDiff, fallback: string, anchorFor: (r: UvLockRequirement) => string[]): void {
    for (const { decl, was } of diff.changed) {
      const forms = expected.filter((e) => e.decl === decl).map((e) => e.lowered);
      const message = was ? changedMessage(this.lock, decl, forms, was, this.workspaceRoot, this.lock.requiresPython) : addedMessage(this.lock, decl, sectionLabel(decl, fallback));
      this.report(decl.path, decl.range, decl.name, message);
    }
    for (const req of diff.removed) {
      const keys = anchorFor(req);
      const extra = keys.find((k) => k.startsWith('extra:'))?.slice(6);
      const group = keys.find((k) => k.startsWith('group:'))?.slice(6);
      const section = sectionLabel(extra !== undefined ? { extra } : group !== undefined ? { group } : null, fallback);
      this.report(member.path, this.anchor(member, ...keys), req.name, removedMessage(req, section, basename(member.path)));
    }
  }

  private compareList(member: UvMember, decls: DeclaredRequirement[], actual: UvLockRequirement[], lower: boolean, fallback: string, anchorFor: (r: UvLockRequirement) => string[]): ListDiff {
    const expected = this.expectedOf(member, decls, lower);
    const diff = diffRequirements(expected, actual, this.ctx);
    this.reportDiff(member, expected, diff, fallback, anchorFor);
    return diff;
  }

  private checkWorkspaceTables(): void {
    const root = this.root;
    const m = this.lock.manifest;
    this.compareList(root, root.constraints, m.constraints, false, 'tool.uv.constraint-dependencies', () => ['constraint-dependencies', 'tool.uv']);
    this.compareList(root, root.overrides, m.overrides, false, 'tool.uv.override-dependencies', () => ['override-dependencies', 'tool.uv']);
    this.compareList(root, root.buildConstraints, m.buildConstraints, false, 'tool.uv.build-constraint-dependencies', () => ['build-constraint-dependencies', 'tool.uv']);
    const excludes = [...new Set(root.excludes)].sort();
    const locked = [...new Set(m.excludes)].sort();
    if (excludes.join(',') !== locked.join(',')) {
      this.report(root.path, this.anchor(root, 'exclude-dependencies', 'tool.uv'), null, `uv.lock was made excluding ${locked.length ? listWords(locked) : 'no packages'}, but tool.uv.exclude-dependencies now lists ${excludes.length ? listWords(excludes) : 'none'}. ${REFRESH}`);
    }
    // A workspace root without [project] keeps its dependency groups in [manifest].
    if (root.name === null) this.compareGroups(root, root.groups, m.dependencyGroups);
  }

  private compareGroups(member: UvMember, expected: Map<string, DeclaredRequirement[]>, actual: Map<string, UvLockRequirement[]>): Map<string, ListDiff> {
    const diffs = new Map<string, ListDiff>();
    const names = new Set([...expected.keys(), ...actual.keys()]);
    for (const group of names) {
      const decls = expected.get(group) ?? [];
      const locked = actual.get(group) ?? [];
      if (decls.length === 0 && locked.length === 0) continue;
      diffs.set(group, this.compareList(member, decls, locked, true, `the \`${group}\` dependency group`, () => [`group:${group}`, 'dev-dependencies', 'dependency-groups']));
    }
    return diffs;
  }

  private checkMember(member: UvMember): void {
    const name = member.name!;
    const pkg = memberPackage(this.lock, name);
    if (!pkg) {
      this.report(member.path, this.anchor(member, 'project'), name, `uv.lock has no entry for the project ${name}, so it was made before the project was added or renamed. ${REFRESH}`);
      return;
    }
    this.checkPackageState(member, pkg);
    const dynamicDeps = member.dynamic.has('dependencies') || member.dynamic.has('optional-dependencies');
    let distDiff: ListDiff | null = null;
    if (dynamicDeps) {
      this.out.skipped.push(`${member.path}: the dependencies of ${name} are dynamic (computed by its build backend), so uv.lock is not compared with them`);
    } else {
      distDiff = this.compareList(member, member.requiresDist, pkg.requiresDist, true, 'project.dependencies', (r) => requiresDistAnchor(r));
      this.checkProvidesExtras(member, pkg);
    }
    const groupDiffs = this.compareGroups(member, member.groups, pkg.requiresDev);
    checkLockConsistency(this.lock, pkg, distDiff, groupDiffs, (decl, what) => this.report(decl.path, decl.range, decl.name, contradictionMessage(decl, what)));
  }

  private checkPackageState(member: UvMember, pkg: UvLockPackage): void {
    const name = member.name!;
    const required = this.required.has(name);
    const virtual = !isPackage(member, required);
    const lockedVirtual = pkg.source?.kind === 'virtual';
    if (virtual !== lockedVirtual) {
      const now = virtual ? 'a virtual project (not built: no [build-system], or tool.uv.package = false)' : 'a package that uv builds and installs';
      this.report(member.path, this.anchor(member, 'build-system', 'project'), name, `uv.lock treats ${name} as ${lockedVirtual ? 'a virtual project' : 'a package it builds'}, but pyproject.toml now makes it ${now}. ${REFRESH}`);
      return;
    }
    const editable = !virtual && (this.required.get(name) ?? true);
    if (!virtual && editable !== (pkg.source?.kind === 'editable')) {
      this.report(member.path, this.anchor(member, 'project'), name, `uv.lock installs ${name} ${editable ? 'non-editable' : 'editable'}, but the workspace now installs it ${editable ? 'editable' : 'non-editable'}. ${REFRESH}`);
    }
    this.checkVersion(member, pkg);
  }

  private checkVersion(member: UvMember, pkg: UvLockPackage): void {
    const name = member.name!;
    const dynamic = member.dynamic.has('version');
    if (dynamic && pkg.version !== undefined) {
      this.report(member.path, this.anchor(member, 'project'), name, `uv.lock records ${name} ${pkg.version}, but its version is now dynamic. ${REFRESH}`);
    } else if (!dynamic && member.version && pkg.version === undefined) {
      this.report(member.path, member.version.range, name, `uv.lock was made while the version of ${name} was dynamic; pyproject.toml now says ${member.version.value}. ${REFRESH}`);
    } else if (member.version && pkg.version !== undefined && !sameVersion(member.version.value, pkg.version)) {
      this.report(member.path, member.version.range, name, `uv.lock records ${name} ${pkg.version}; pyproject.toml now says ${member.version.value}. ${REFRESH}`);
    }
  }

  private checkProvidesExtras(member: UvMember, pkg: UvLockPackage): void {
    if (pkg.providesExtras === null) return;
    const added = member.providesExtras.filter((x) => !pkg.providesExtras!.includes(x));
    const gone = pkg.providesExtras.filter((x) => !member.providesExtras.includes(x));
    const reported = new Set(this.out.findings.map((f) => `${f.path}:${f.range.start.line}`));
    for (const extra of added) {
      const range = this.anchor(member, `extra:${extra}`, 'optional-dependencies');
      if (!reported.has(`${member.path}:${range.start.line}`)) this.report(member.path, range, member.name, `uv.lock was made before the \`${extra}\` extra existed. ${REFRESH}`);
    }
    if (gone.length > 0) {
      const range = this.anchor(member, 'optional-dependencies', 'project');
      this.report(member.path, range, member.name, `uv.lock still provides the ${listWords(gone.map((x) => `\`${x}\``))} extra${gone.length > 1 ? 's' : ''}, which pyproject.toml no longer declares. ${REFRESH}`);
    }
  }
}

function requiresDistAnchor(req: UvLockRequirement): string[] {
  const extra = /extra\s*==\s*['"]([^'"]+)['"]/.exec(req.marker ?? '')?.[1];
  return extra !== undefined ? [`extra:${extra}`, 'optional-dependencies', 'dependencies'] : ['dependencies', 'project'];
}

