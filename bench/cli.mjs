// The `pinsight check` figures of issue 11 alone (bench/editor.mjs measures them with the editor's):
// the whole process on the seed, cold and warm, beside pip 23.2.1 in the same run, with the
// requests each made to the fake PyPI (50 ms before every response).
// The cold run is taken three times, each with an empty registry cache: in the text format, timed
// to the verdict line on stdout (the conflict, printed before the fix search) and to the end, first
// as the first run after install (no code cache of the CLI either) and then with the code cache that
// run wrote; and in JSON (one document at the end).
// Command: node esbuild.mjs && node bench/cli.mjs [runs]   (runs: cold/warm pairs, default 3)
// PINSIGHT_CLI=/copy/of/main/dist/cli.js node bench/cli.mjs: the same figures for another build.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakePypi } from '../test/support/fakePypi.mjs';
import { cliAndPip } from './editor.mjs';

const runs = Number(process.argv[2] ?? 3);
const fake = await startFakePypi({ projects: 'all', faults: { latency: 50 } });
const rows = [];
try {
  for (let i = 0; i < runs; i++) {
    const dir = mkdtempSync(join(tmpdir(), 'pinsight-bench-cli-'));
    try {
      rows.push(await cliAndPip(fake, dir));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
} finally {
  await fake.close();
}
const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x) => (x === undefined ? 'n/a' : `${Math.round(x)} ms`);
for (const [key, title] of [
  ['coldText', 'cold registry cache (the code cache of an earlier run present), text format'],
  ['firstRun', 'first run after install: no code cache either, text format'],
]) {
  console.log(`${title}: the verdict line on stdout (requests by then), the whole process (requests)`);
  console.log('run | verdict | requests | whole | requests');
  for (const [i, r] of rows.entries()) console.log(`${i + 1} | ${ms(r[key].verdictMs)} | ${r[key].verdictRequests ?? 'n/a'} | ${ms(r[key].ms)} | ${r[key].requests}`);
  console.log(`median | ${ms(med(rows.map((r) => r[key].verdictMs ?? Infinity)))} | | ${ms(med(rows.map((r) => r[key].ms)))} |`);
  console.log('');
}
console.log('run | pinsight cold (json) | requests | pinsight warm (median of 5) | pip cold | pip requests | pip warm (median of 3) | pip warm / pinsight warm');
for (const [i, r] of rows.entries()) {
  console.log(`${i + 1} | ${ms(r.cold.ms)} | ${r.cold.requests} | ${ms(r.warm.ms)} | ${ms(r.pip.cold)} | ${r.pip.coldRequests} | ${ms(r.pip.warm)} | ${(r.pip.warm / r.warm.ms).toFixed(1)}x`);
}
console.log(`median | ${ms(med(rows.map((r) => r.cold.ms)))} | | ${ms(med(rows.map((r) => r.warm.ms)))} | ${ms(med(rows.map((r) => r.pip.cold)))} | | ${ms(med(rows.map((r) => r.pip.warm)))} |`);
