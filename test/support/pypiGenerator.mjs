import { prng } from './prng.mjs';
// Random registries for differential resolver tests: a few projects per case (unique names, so
// many cases share one fake index), each with a handful of versions drawn from a pool that mixes
// finals, post-releases, pre-releases, dev releases and a local version; random yanks and
// Requires-Python values that exclude Python 3.11; dependencies (a DAG) with every specifier
// operator, some naming pre-releases; extras; markers that are true or false on this machine;
// and a requirements file of one to three lines, sometimes with `--pre` or a constraints file.
// Deterministic for a seed.

/** A small seeded PRNG (mulberry32): rng() in [0, 1), rng.int(n) in [0, n). */
export function mulberry32(seed) {
  const next = prng(seed);
  const rng = () => next();
  rng.int = (n) => Math.floor(rng() * n);
  rng.pick = (list) => list[rng.int(list.length)];
  rng.chance = (p) => rng() < p;
  return rng;
}

const POOL = ['0.5', '1.0', '1.1', '1.2', '1.2.post1', '2.0b1', '2.0rc1', '2.0', '2.1', '3.0.dev1', '3.0'];
const PRE = new Set(['2.0b1', '2.0rc1', '3.0.dev1']);
// True or false for CPython 3.11 on x86_64 Linux, both as pip and as our target see it.
const MARKERS = [
  ['python_version < "3.8"', false],
  ['sys_platform == "linux"', true],
  ['platform_machine == "arm64"', false],
  ['python_version >= "3.8" and os_name == "posix"', true],
  ['sys_platform == "win32" or implementation_name == "pypy"', false],
];

function sample(rng, list, count) {
  const copy = [...list];
  const out = [];
  while (out.length < count && copy.length) out.push(copy.splice(rng.int(copy.length), 1)[0]);
  return out;
}

// A specifier over a project's versions (mostly ones it has, sometimes others from the pool).
function specifier(rng, versions, features) {
  const v = () => (rng.chance(0.8) ? rng.pick(versions) : rng.pick(POOL));
  const r = rng();
  let spec;
  if (r < 0.3) spec = '';
  else if (r < 0.38) spec = `>=${v()}`;
  else if (r < 0.5) spec = `<${v()}`;
  else if (r < 0.62) spec = `==${v()}`;
  else if (r < 0.68) spec = `!=${v()}`;
  else if (r < 0.74) spec = `~=${v().replace(/\+.*$/, '')}`;
  else if (r < 0.8) spec = `>${v()}`;
  else if (r < 0.85) spec = `<=${v()}`;
  else if (r < 0.93) {
    const [a, b] = [v(), v()].sort((x, y) => POOL.indexOf(x) - POOL.indexOf(y));
    spec = `>=${a},<${b === a ? '9' : b}`;
  } else spec = rng.chance(0.5) ? `==${rng.pick(['1', '2'])}.*` : `!=${rng.pick(['1', '2'])}.*`;
  if (/(b1|rc1|dev1)/.test(spec)) features.add('prerelease');
  // `~=` needs two release segments and forbids local versions; `>`/`<` with a local one is invalid too.
  if (/^(~=|<|>|<=|>=)[^,]*\+/.test(spec)) spec = spec.replace(/\+[a-z0-9.]+/, '');
  return spec;
}

function marker(rng, features) {
  if (!rng.chance(0.12)) return '';
  features.add('marker');
  return `; ${rng.pick(MARKERS)[0]}`;
}

/** One case: { label, projects (fake index fixtures), requirements, constraints, features }. */
export function generateCase(rng, id) {
  const features = new Set();
  const count = 3 + rng.int(4);
  const names = Array.from({ length: count }, (_, i) => `gen${id}-${String.fromCharCode(97 + i)}`);
  const versionsOf = names.map(() => {
    const vs = sample(rng, POOL, 1 + rng.int(5));
    if (rng.chance(0.05)) vs.push('1.0+local');
    return vs;
  });
  const hasExtra = names.map(() => rng.chance(0.3));
  const target = (j) => {
    const extra = hasExtra[j] && rng.chance(0.4) ? '[fast]' : '';
    if (extra) features.add('extra');
    return `${names[j]}${extra}`;
  };
  const projects = names.map((name, i) => {
    const versions = {};
    for (const version of versionsOf[i]) {
      if (PRE.has(version)) features.add('prerelease');
      const deps = [];
      for (let j = i + 1; j < count; j++) if (rng.chance(0.3)) deps.push(`${target(j)}${specifier(rng, versionsOf[j], features)}${marker(rng, features)}`);
      if (hasExtra[i]) {
        for (let j = i + 1; j < count; j++) if (rng.chance(0.35)) deps.push(`${names[j]}${specifier(rng, versionsOf[j], features)}; extra == "fast"`);
        if (!deps.some((d) => d.includes('extra =='))) deps.push(`gen${id}-helper; extra == "fast"`);
      }
      if (rng.chance(0.015)) deps.push(`gen${id}-missing>=1`);
      const info = { requires_dist: deps };
      if (rng.chance(0.12)) {
        info.yanked = rng.chance(0.5) ? 'broken' : true;
        features.add('yanked');
      }
      const p = rng();
      if (p < 0.07) info.requires_python = '>=3.12';
      else if (p < 0.1) info.requires_python = '<3.11';
      else if (p < 0.25) info.requires_python = '>=3.8';
      if (info.requires_python && info.requires_python !== '>=3.8') features.add('requiresPython');
      versions[version] = info;
    }
    return { name, versions };
  });
  if (hasExtra.some(Boolean)) projects.push({ name: `gen${id}-helper`, versions: { '1.0': { requires_dist: [] } } });
  const requirements = [];
  for (const j of sample(rng, [...names.keys()], 1 + rng.int(3))) {
    const extra = hasExtra[j] && rng.chance(0.3) ? '[fast]' : '';
    if (extra) features.add('extra');
    requirements.push(`${names[j]}${extra}${specifier(rng, versionsOf[j], features)}${marker(rng, features)}`);
  }
  if (rng.chance(0.1)) requirements.unshift('--pre');
  const constraints = rng.chance(0.15) ? sample(rng, [...names.keys()], 1 + rng.int(2)).map((j) => `${names[j]}${specifier(rng, versionsOf[j], features) || '>=0'}`) : [];
  return { label: `case ${id}`, projects, requirements, constraints, features };
}
