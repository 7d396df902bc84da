// Every ecosystem Pinsight reads, in the order a file name is matched against them. The only file
// that knows the wings by name.

import type { Ecosystem } from '../ecosystem';
import type { EcosystemId, ManifestKind } from '../model';
import { npmEcosystem } from '../npm/ecosystem';
import { pythonEcosystem } from '../python/ecosystem';

export const ECOSYSTEMS: readonly Ecosystem[] = [npmEcosystem, pythonEcosystem];

/** The wing that reads this manifest kind. */
export function ecosystemOf(kind: ManifestKind): Ecosystem {
  const found = ECOSYSTEMS.find((e) => e.kinds.includes(kind));
  if (!found) throw new Error(`no ecosystem reads ${kind}`);
  return found;
}

/** The wing with this id. */
export function ecosystemById(id: EcosystemId): Ecosystem {
  const found = ECOSYSTEMS.find((e) => e.id === id);
  if (!found) throw new Error(`no ecosystem is called ${id}`);
  return found;
}
