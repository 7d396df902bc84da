// Hover facts for a Python dependency from one check's results: the latest release, what the
// solution chose and who constrains it, the chains that bring it in, the derivation of a conflict
// it is part of, and the highest version the other requirements allow (a re-solve, kept per result).

import type { HoverFacts } from '../../insight/hoverText';
import type { Dependency, Finding } from '../../model';
import { ROOT } from '../../pubgrub/types';
import { highestCompatible, whyIsThisHere } from '../resolve/whatIf';
import { exactPin, type PypiFacts } from './registryChecks';
import type { PythonResolutionResult } from './resolutionFindings';

export interface PythonCheckState {
  findings: Finding[];
  pypiFacts: Map<string, PypiFacts>;
  python?: PythonResolutionResult;
  target: string;
  stale: boolean;
}

/** A hover-facts function over one check's results; highest-compatible answers are shared between hovers. */
export function pythonHoverFacts(state: PythonCheckState): (dep: Dependency, signal?: AbortSignal) => Promise<HoverFacts> {
  const compatible = new Map<string, Promise<string | undefined>>();
  const highest = (name: string, signal?: AbortSignal): Promise<string | undefined> => {
    const python = state.python;
    if (!python) return Promise.resolve(undefined);
    let answer = compatible.get(name);
    if (!answer) {
      answer = highestCompatible(python.provider, name, { signal, timeBudgetMs: 3_000 }).then(
        (r) => (r.kind === 'found' ? r.version : undefined),
        () => undefined,
      );
      compatible.set(name, answer);
      // A cancelled hover must not leave a cancelled answer behind for the next one.
      void answer.then((v) => v === undefined && signal?.aborted && compatible.delete(name));
    }
    return answer;
  };
  return async (dep, signal) => {
    const name = dep.normalizedName;
    const facts: HoverFacts = { latest: state.pypiFacts.get(name)?.latest, pinned: exactPin(dep.specifier)?.version, target: state.target, stale: state.stale };
    const result = state.python?.result;
    if (result?.kind === 'solution') {
      facts.resolved = result.versions.get(name);
      facts.requiredBy = (result.requiredBy.get(name) ?? []).map((r) => ({ by: r.by === ROOT ? 'your requirements' : `${r.by} ${r.byVersion}`, specifier: r.specifier, condition: r.condition }));
      const chains = whyIsThisHere(result, name, 6).filter((c) => c.length > 1);
      facts.chains = chains.map((c) => c.map((s, i) => (i === 0 ? `${s.package} ${s.version}` : `${s.package}${s.specifier}`)).join(' → '));
    }
    if (result?.kind === 'conflict' && state.python?.explanation) {
      const inConflict = state.findings.some((f) => f.package === name && (f.code === 'conflict' || f.code === 'possible-conflict'));
      if (inConflict) facts.explanation = state.python.explanation.lines;
    }
    if (dep.source === 'registry' && !dep.constraint) facts.highestCompatible = await highest(name, signal);
    return facts;
  };
}
