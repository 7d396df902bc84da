// The one call the Python wing's inspect makes: find the lockfiles that belong to a manifest tree,
// compare each with the manifests by its tool's rule, and merge the results. Findings are kept only
// for the files of this tree (a workspace check also judges the other members, whose own inspect
// reports them); the last few workspace results are remembered, so inspecting every member of a
// large workspace compares the lock once.
import { basename } from 'node:path';
import type { ParsedManifest } from '../../model';
import type { Runtime } from '../../runtime';
import { loadRequirementsTree } from '../requirements/requirements';
import { findPythonLocks, loadUvWorkspace, type PythonLockFile } from './findLocks';
import { addLocked, emptyLockCheck, type LockCheck } from './lockCheck';
import { checkPipTools } from './pipTools';
import { checkPoetryLock } from './poetryLock';
import { checkUvLock } from './uvCheck';

const MEMO_SIZE = 4;
const memo = new Map<string, LockCheck>();

function remembered(key: string, compute: () => LockCheck): LockCheck {
  const hit = memo.get(key);
  if (hit) {
    memo.delete(key);
    memo.set(key, hit);
    return hit;
  }
  const result = compute();
  memo.set(key, result);
  if (memo.size > MEMO_SIZE) memo.delete(memo.keys().next().value!);
  return result;
}

async function checkOne(lock: PythonLockFile, manifests: ParsedManifest[], runtime: Runtime): Promise<LockCheck> {
  const root = manifests[0];
  if (lock.kind === 'uv') {
    const text = await runtime.readFile(lock.path);
    if (text === undefined) return { ...emptyLockCheck(), skipped: [`${lock.path} could not be read`] };
    const workspace = await loadUvWorkspace(lock.workspaceRoot, runtime);
    const key = ['uv', lock.path, text, ...workspace.projects.flatMap((p) => [p.path, p.text])].join('\u0000');
    const result = remembered(key, () => checkUvLock(text, lock.path, workspace.projects));
    return { ...result, skipped: [...workspace.skipped, ...result.skipped] };
  }
  if (lock.kind === 'poetry') {
    const [text, pyproject] = await Promise.all([runtime.readFile(lock.path), runtime.readFile(root.path)]);
    if (text === undefined || pyproject === undefined) return { ...emptyLockCheck(), skipped: [`${lock.path} could not be read`] };
    return checkPoetryLock(root, pyproject, text, lock.path);
  }
  const compiled = await runtime.readFile(lock.compiled);
  if (compiled === undefined) return { ...emptyLockCheck(), skipped: [`${lock.compiled} could not be read`] };
  const sources = root.path === lock.source ? manifests : await loadRequirementsTree(lock.source, (p) => runtime.readFile(p), { env: runtime.env, stat: runtime.stat?.bind(runtime) });
  return checkPipTools(compiled, lock.compiled, sources);
}

/** Lockfile staleness for a Python manifest tree (root first), with the locked versions and pip-compile's `via` lines for the hover. */
export async function inspectPythonLocks(manifests: ParsedManifest[], runtime: Runtime): Promise<LockCheck> {
  const out = emptyLockCheck();
  const root = manifests[0];
  if (!root) return out;
  const paths = new Set(manifests.map((m) => m.path));
  let locks: PythonLockFile[];
  try {
    locks = await findPythonLocks(root.path, runtime);
  } catch (e) {
    return { ...out, skipped: [`lockfiles beside ${basename(root.path)} could not be listed (${e instanceof Error ? e.message : String(e)})`] };
  }
  for (const lock of locks) {
    let result: LockCheck;
    try {
      result = await checkOne(lock, manifests, runtime);
    } catch (e) {
      // A bug must not hide the rest of the analysis; say what could not be checked.
      result = { ...emptyLockCheck(), skipped: [`${basename(lock.kind === 'pip-tools' ? lock.compiled : lock.path)} could not be checked (${e instanceof Error ? e.message : String(e)}); please report this.`] };
    }
    out.findings.push(...result.findings.filter((f) => paths.has(f.path)));
    for (const [name, version] of result.locked) for (const v of version.split(', ')) addLocked(out.locked, name, v);
    if (result.via) {
      out.via ??= new Map();
      for (const [name, via] of result.via) out.via.set(name, [...(out.via.get(name) ?? []), ...via]);
    }
    out.skipped.push(...result.skipped);
    out.sources.push(...result.sources);
  }
  return out;
}
