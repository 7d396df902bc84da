// Worker side of fuzzRun: feeds inputs to every parser, posts progress so the parent can spot hangs.
import { parentPort, workerData } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { prng, loadCorpus, makeInput } from './fuzzLib.mjs';

const require = createRequire(import.meta.url);
const { parseRequirements } = require('../dist/core/python/requirements/requirements.js');
const { parsePyproject } = require('../dist/core/python/pyproject/pyproject.js');
const { parsePackageJson } = require('../dist/core/npm/manifest/packageJson.js');

const parsers = {
  requirements: (text) => parseRequirements(text, '/fuzz/requirements.txt', { env: { HOME: '/root' } }),
  pyproject: (text) => parsePyproject(text, '/fuzz/pyproject.toml'),
  packageJson: (text) => parsePackageJson(text, '/fuzz/package.json'),
};

const { count, seed } = workerData;
const corpus = loadCorpus();
const start = performance.now();
let inputs = 0;
for (const [name, parse] of Object.entries(parsers)) {
  const random = prng(seed * 7919 + name.length);
  const texts = corpus[name];
  for (let i = 0; i < count; i++) {
    const input = makeInput(random, texts);
    if ((i & 255) === 0) parentPort.postMessage({ kind: 'progress', parser: name, input });
    try {
      const result = parse(input);
      if (!result || !Array.isArray(result.dependencies) || !Array.isArray(result.problems)) throw new Error('parser returned a malformed result');
    } catch (error) {
      parentPort.postMessage({ kind: 'failure', parser: name, input, error: String(error && error.stack ? error.stack : error) });
    }
    inputs++;
  }
}
parentPort.postMessage({ kind: 'done', inputs, ms: performance.now() - start });
