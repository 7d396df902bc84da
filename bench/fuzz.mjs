// `npm run fuzz`: 200,000 inputs in all (a third per parser) by default; `node bench/fuzz.mjs N SEED`.
import { fuzzRun } from './fuzzLib.mjs';

const total = Number(process.argv[2] ?? 200_000);
const seed = Number(process.argv[3] ?? 1);
const perParser = Math.ceil(total / 3);
const result = await fuzzRun({ count: perParser, seed, hangMs: 10_000 });
if (result.hangs.length > 0) {
  console.log(`HANG in ${result.hangs[0].parser} near input: ${JSON.stringify(result.hangs[0].input)}`);
  process.exitCode = 1;
}
for (const f of result.failures.slice(0, 10)) console.log(`EXCEPTION in ${f.parser} on ${JSON.stringify(f.input)}\n${f.error}\n`);
if (result.inputs !== null) {
  console.log(`fuzz: ${result.inputs} inputs (${perParser} per parser, seed ${seed}) in ${(result.ms / 1000).toFixed(1)} s: ${result.failures.length} exceptions, ${result.hangs.length} hangs`);
}
if (result.failures.length > 0) process.exitCode = 1;
