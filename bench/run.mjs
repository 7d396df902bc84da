// `npm run bench`: prints the benchmark tables that bench/README.md records.
import { benchParse } from './parse.mjs';
import { benchRegistry } from './registry.mjs';
import { benchResolve } from './resolve.mjs';

const ms = (x) => `${x.toFixed(2)} ms`;
const parse = await benchParse();
console.log('## Parsing (warm, median of 200 runs; pip: median of 20)\n');
console.log('| input | Pinsight median | Pinsight p90 | pip 23.2.1 `parse_requirements` median | ratio |');
console.log('|---|---|---|---|---|');
const ratio = parse.pip ? `${(parse.pip.median / parse.ours.median).toFixed(1)}x faster` : 'pip not available';
console.log(`| requirements tree, ${parse.lines} lines in 3 files (-r, -c), ${parse.deps} requirements | ${ms(parse.ours.median)} | ${ms(parse.ours.p90)} | ${parse.pip ? ms(parse.pip.median) : 'n/a'} | ${ratio} |`);
console.log(`| examples/uv-project/pyproject.toml | ${ms(parse.py.median)} | ${ms(parse.py.p90)} | | |`);
console.log(`| examples/npm-peer/package.json | ${ms(parse.pj.median)} | ${ms(parse.pj.p90)} | | |`);
console.log(`| 4 hostile versions of 100,000 characters (test/support/hostileInput.mjs) | ${ms(parse.hostileVersions.median)} | ${ms(parse.hostileVersions.p90)} | ${parse.packagingHostile != null ? ms(parse.packagingHostile) + ' (packaging Version)' : 'n/a'} | |`);
console.log(`| hostile requirements file (~390 KB) and 2,000 exponential \${A} | ${ms(parse.hostileRequirements.median)} | ${ms(parse.hostileRequirements.p90)} | | |`);

const reg = await benchRegistry();
const n = (x) => Math.round(x).toLocaleString('en-US');
const par = (x) => (x > 0 ? `${x.toFixed(1)}x` : '–');
console.log(`\n## Registry (fake PyPI on loopback, ${reg.latencyMs} ms injected per request, ${reg.projects} projects, ${reg.perHost} connections per host)\n`);
console.log('| case | wall | requests | minimum | requests/s | effective parallelism | peak in flight | cache hits | 304s |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const r of reg.rows) {
  const label = r.runs ? `${r.label}, median of ${r.runs} runs` : r.label;
  console.log(`| ${label} | ${n(r.ms)} ms | ${r.requests} | ${r.minimum} | ${r.requests ? n(r.perSecond) : '–'} | ${par(r.parallelism)} | ${r.peak || '–'} | ${r.cacheHits} | ${r.revalidated} |`);
}
const nv = reg.naive;
console.log(`| peer: naive sequential fetch of the cold-latest URLs (global fetch, \`Connection: close\`) | ${n(nv.ms)} ms | ${nv.requests} | ${nv.minimum} | ${n(nv.perSecond)} | ${par(nv.parallelism)} | 1 | – | – |`);
console.log(`\nCold, lists + latest: ${(nv.ms / reg.rows[0].ms).toFixed(1)}x faster than the naive peer; latency floor at ${reg.perHost} in flight: ${n(reg.rows[0].floorMs)} ms (lists + ${reg.fanOut} newest: ${n(reg.rows[2].floorMs)} ms). Requests and cache hits of the median rows: requests summed over all runs, cache hits of one run.`);
const rs = reg.resolve;
console.log('\n### Resolving `supabase==2.15.3 websockets==14.2`, cold, same index\n');
if (rs.error) console.log(`Skipped: ${rs.error}`);
else {
  console.log('| resolver | wall | requests | pages | metadata | files | packages | effective parallelism |');
  console.log('|---|---|---|---|---|---|---|---|');
  console.log(`| pip 23.2.1 \`install --dry-run --report - --no-cache-dir\` | ${n(rs.pip.ms)} ms | ${rs.pip.requests} | ${rs.pip.pages} | ${rs.pip.metadata} | ${rs.pip.files} | ${rs.pip.packages} | – |`);
  console.log(`| Pinsight \`solve\` + \`createPythonProvider\` | ${n(rs.ours.ms)} ms | ${rs.ours.requests} | ${rs.ours.pages} | ${rs.ours.metadata} | ${rs.ours.files} | ${rs.ours.packages} | ${par(rs.ours.parallelism)} |`);
  console.log(`\nSame set of ${rs.ours.packages} packages as pip: ${rs.sameSet ? 'yes' : 'NO'}. pip's start-up alone (\`python3 -m pip --version\`): ${n(rs.pip.startupMs)} ms.`);
}

const res = await benchResolve();
const sec = (x) => (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(1)} ms`);
console.log(`\n## Resolution (fake PyPI on loopback, ${res.latencyMs} ms injected per request, ${res.projects} projects; pip ${res.pipVersion} beside it)\n`);
console.log('| case | Pinsight cold | Pinsight warm (median) | pip cold | pip warm (median) | speed-up warm | requests cold (Pinsight / pip) | requests warm (Pinsight / pip) |');
console.log('|---|---|---|---|---|---|---|---|');
for (const [i, r] of res.rows.entries()) {
  const o = r.ours;
  const p = r.pip;
  const pipCells = p.error ? `${p.error} | – | – ` : `${sec(p.coldMs)} | ${sec(p.warmMs)} | ${res.speedups[i].toFixed(0)}x `;
  const reqs = p.error ? `${o.coldRequests} / – | 0 / –` : `${o.coldRequests} / ${p.coldRequests} | 0 / ${p.warmRequests} (${p.warmConditional} conditional)`;
  console.log(`| ${r.label} | ${sec(o.coldMs)} | ${sec(o.warmMs)} | ${pipCells}| ${reqs} |`);
}
const t = res.targets;
console.log(`\nTargets: warm seed under 50 ms: ${t.seedUnder50 ? 'met' : 'MISSED'} (${sec(t.seedWarmMs)}); at least 20x faster than pip warm in every case: ${t.all20x ? 'met' : 'MISSED'} (${res.speedups.map((s) => (s ? `${s.toFixed(0)}x` : 'n/a')).join(', ')}).`);
console.log(`Pinsight warm: median of ${res.rows[0].ours.warmRuns} runs (fastest: ${res.rows.map((r) => sec(r.ours.warmMin)).join(', ')}); pip warm: median of ${res.rows[0].pip.warmRuns ?? '–'} runs on the cold run's --cache-dir (pip's HTTP cache; pip asks for index pages with \`Cache-Control: max-age=0\`, so it revalidates them).`);
console.log(`Same packages as pip: ${res.rows.filter((r) => r.expect === 'solution').map((r) => `${r.id} ${r.sameSet ? `yes (${r.ours.outcome.set.length})` : 'NO'}`).join(', ')}; the conflict case: both report it (Pinsight: "${res.rows.find((r) => r.id === 'conflict').ours.outcome.summary}").`);
console.log('\n| `pinsight check --isolated --no-cache --format json`, cold, whole CLI | wall | requests | exit | finding codes |');
console.log('|---|---|---|---|---|');
for (const r of res.rows) console.log(r.cli.error ? `| ${r.id} | ${r.cli.error} | | | |` : `| ${r.id} | ${sec(r.cli.ms)} | ${r.cli.requests} | ${r.cli.code} | ${r.cli.codes.join(', ') || '–'} |`);

const { benchDrift } = await import('./drift.mjs');
const drift = await benchDrift();
console.log(`\n## Drift (${drift.manifests} manifests with their lockfiles, one 1,000-distribution .venv, no network)\n`);
console.log('| what | time | findings |');
console.log('|---|---|---|');
console.log(`| in process, runStages for all ${drift.manifests}, cold (empty caches) | ${sec(drift.cold.ms)} | ${drift.cold.findings} |`);
console.log(`| in process, warm (the editor's re-check), median of 10 | ${sec(drift.warm)} | ${drift.findings} |`);
console.log(`| whole CLI \`pinsight check --no-registry\` (new process), median of 5 | ${sec(drift.cli.ms)} | ${drift.cli.findings} |`);
console.log(`| peer: pip 23.2.1 \`pip check\` on the same site-packages | ${sec(drift.pip.ms)} | exit ${drift.pip.code} |`);
console.log(`\nTarget: warm under 200 ms: ${drift.warm < 200 ? 'met' : 'MISSED'}.`);

const { benchEditor } = await import('./editor.mjs');
const ed = await benchEditor();
console.log(`\n## Editor and CLI, what the user waits for (fake PyPI, ${ed.latencyMs} ms per request; pip beside it)\n`);
console.log('| figure | Pinsight | pip 23.2.1, same run | goal |');
console.log('|---|---|---|---|');
if (ed.cli) {
  console.log(`| first verdict, cold registry cache: the conflict on stdout (text), the code cache of an earlier run present | ${sec(ed.cli.coldText.verdictMs)}, ${ed.cli.coldText.verdictRequests} requests by then | | <= 0.6 s |`);
  console.log(`| the same, first run after install (no code cache) | ${sec(ed.cli.firstRun.verdictMs)}, ${ed.cli.firstRun.verdictRequests} requests by then | | |`);
  console.log(`| cold registry cache, whole \`pinsight check\` (JSON, fixes included) | ${sec(ed.cli.cold.ms)}, ${ed.cli.cold.requests} requests | ${sec(ed.cli.pip.cold)}, ${ed.cli.pip.coldRequests} requests | |`);
  console.log(`| whole \`pinsight check\` process, warm disk cache (median of 5) | ${sec(ed.cli.warm.ms)}, ${ed.cli.warm.requests} requests | ${sec(ed.cli.pip.warm)} | >= 20x faster than pip (${(ed.cli.pip.warm / ed.cli.warm.ms).toFixed(1)}x) |`);
}
console.log(`| LSP: open -> first verdict, cold cache | ${sec(ed.zero.first)} | | |`);
console.log(`| LSP, warm, debounce 0: edit -> new verdict (${ed.edits} edits) | p50 ${sec(ed.zero.p50)}, p95 ${sec(ed.zero.p95)} (with fixes: p50 ${sec(ed.zero.completeP50)}, p95 ${sec(ed.zero.completeP95)}) | | p95 <= 30 ms |`);
console.log(`| LSP, warm, default settings: edit -> new verdict | p50 ${sec(ed.standard.p50)}, p95 ${sec(ed.standard.p95)} (with fixes: p50 ${sec(ed.standard.completeP50)}, p95 ${sec(ed.standard.completeP95)}) | | p95 <= 200 ms |`);
console.log(`| server memory: idle / 50 manifests open and checked | ${ed.memory.idle.toFixed(0)} MB / ${ed.memory.open50.toFixed(0)} MB | | < 150 MB |`);
console.log(`| .vsix size | ${ed.vsix ? `${(ed.vsix / 1024).toFixed(0)} KB` : 'not built (npm run package)'} | | < 2 MB |`);
