// Which wheel of a release pip would install for a target: the tags it supports (CPython X.Y on a
// platform and machine), the most specific first. Only what the import checks need: a compatible
// wheel or none (an sdist is never read).

import type { PypiFile } from './simpleIndex';
import type { MarkerEnvironment } from '../versions/markers';

/** What the target supports: its Python X.Y, platform and machine (any machine when unknown). */
export interface WheelTarget {
  minor: number;
  platform?: string;
  machine?: string;
}

/** The wheel target of a marker environment; CPython 3.x is assumed, as pip's tags for the interpreter would be. */
export function wheelTargetOf(environment: MarkerEnvironment): WheelTarget {
  const m = /^3\.(\d+)/.exec(environment.python_version ?? '');
  return { minor: m ? Number(m[1]) : 99, platform: environment.sys_platform, machine: environment.platform_machine || undefined };
}

// Higher is more specific (pip's order: interpreter-specific, then abi3, then generic; platform-specific before any).
function pythonScore(tag: string, abi: string, t: WheelTarget): number {
  const cp = /^cp3(\d+)$/.exec(tag);
  if (cp) {
    const minor = Number(cp[1]);
    if (abi === 'abi3') return minor <= t.minor ? 30 + minor / 100 : -1;
    if (abi === 'none' || /^cp3\d+/.test(abi)) return minor === t.minor ? 40 : -1;
    return -1;
  }
  if (abi !== 'none') return -1;
  if (tag === 'py3') return 10;
  const py = /^py3(\d+)$/.exec(tag);
  if (py) return Number(py[1]) <= t.minor ? 20 : -1;
  return -1;
}

const MACHINES: Record<string, RegExp> = {
  x86_64: /_x86_64$/,
  aarch64: /_aarch64$/,
  AMD64: /^win_amd64$/,
  ARM64: /^win_arm64$/,
  arm64: /_(arm64|universal2)$/,
};

function platformScore(tag: string, t: WheelTarget): number {
  if (tag === 'any') return 0;
  const machine = t.machine ? MACHINES[t.machine] : undefined;
  const fits = (re: RegExp) => re.test(tag) && (!t.machine || (machine ? machine.test(tag) : false));
  if (t.platform === 'linux') return fits(/^(manylinux|musllinux|linux)[_0-9]/) ? 1 : -1;
  if (t.platform === 'darwin') return /^macosx_/.test(tag) && (!t.machine || (machine ? machine.test(tag) : false) || (t.machine === 'x86_64' && /_(intel|universal|universal2)$/.test(tag))) ? 1 : -1;
  if (t.platform === 'win32') return /^win/.test(tag) && (!t.machine || (machine ? machine.test(tag) : false)) ? 1 : -1;
  return -1;
}

/** The wheel pip would pick for the target among a release's files, or undefined when none is compatible. */
export function chooseWheel(files: PypiFile[], target: WheelTarget): PypiFile | undefined {
  let best: { file: PypiFile; score: number } | undefined;
  for (const file of files) {
    if (file.kind !== 'wheel' || !file.tags) continue;
    const [pythons, abis, platforms] = file.tags.split('-').map((p) => p.split('.'));
    if (!pythons || !abis || !platforms) continue;
    let score = -1;
    for (const py of pythons) for (const abi of abis) for (const plat of platforms) {
      const p = pythonScore(py, abi, target);
      const q = platformScore(plat, target);
      if (p >= 0 && q >= 0) score = Math.max(score, q * 100 + p);
    }
    if (score >= 0 && (!best || score > best.score)) best = { file, score };
  }
  return best?.file;
}
