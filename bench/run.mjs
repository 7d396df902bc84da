// `npm run bench`: prints the benchmark tables that bench/README.md records.
import { benchParse } from './parse.mjs';

const ms = (x) => `${x.toFixed(2)} ms`;
const parse = await benchParse();
console.log('## Parsing (warm, median of 200 runs; pip: median of 20)\n');
console.log('| input | Pinsight median | Pinsight p90 | pip 23.2.1 `parse_requirements` median | ratio |');
console.log('|---|---|---|---|---|');
const ratio = parse.pip ? `${(parse.pip.median / parse.ours.median).toFixed(1)}x faster` : 'pip not available';
console.log(`| requirements tree, ${parse.lines} lines in 3 files (-r, -c), ${parse.deps} requirements | ${ms(parse.ours.median)} | ${ms(parse.ours.p90)} | ${parse.pip ? ms(parse.pip.median) : 'n/a'} | ${ratio} |`);
console.log(`| examples/uv-project/pyproject.toml | ${ms(parse.py.median)} | ${ms(parse.py.p90)} | | |`);
console.log(`| examples/npm-peer/package.json | ${ms(parse.pj.median)} | ${ms(parse.pj.p90)} | | |`);
