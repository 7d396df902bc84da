// Parser fuzzing shared by `npm run fuzz` (200,000 inputs) and a shorter run in the unit tests.
// Inputs: random text and mutations of real manifests. A parser that throws is a failure; one that
// takes longer than the watchdog allows is reported as a hang by the parent (fuzzRun below).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { prng } from '../test/support/prng.mjs';
export { prng } from '../test/support/prng.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));


function walk(dir, out) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) walk(full, out);
    else out.push(full);
  }
  return out;
}

/** Real manifests from the repository's examples and fixtures, grouped by parser. */
export function loadCorpus() {
  const files = [...walk(join(root, 'examples'), []), ...walk(join(root, 'test/fixtures'), [])];
  const corpus = { requirements: [], pyproject: [], packageJson: [] };
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    if (f.endsWith('package.json')) corpus.packageJson.push(text);
    else if (f.endsWith('.toml')) corpus.pyproject.push(text);
    else if (/\.(txt|in|pip)$/.test(f)) corpus.requirements.push(text);
  }
  // Every real Requires-Dist string we have, as requirement lines.
  const snapshot = join(root, 'test/fixtures/pypi');
  try {
    const lines = [];
    for (const f of readdirSync(snapshot)) {
      if (!f.endsWith('.json')) continue;
      const data = JSON.parse(readFileSync(join(snapshot, f), 'utf8'));
      for (const v of Object.values(data.versions ?? {})) for (const r of v.requires_dist ?? []) lines.push(r);
    }
    for (let i = 0; i < lines.length; i += 40) corpus.requirements.push(lines.slice(i, i + 40).join('\n'));
  } catch {
    // the snapshot fixture is optional for fuzzing
  }
  return corpus;
}

const ALPHABET = ['\\', '#', '[', ']', '(', ')', '"', "'", ';', ',', '@', '=', '<', '>', '~', '!', '*', '^', '{', '}', ':', '\n', '\r', '\r\n', '\t', ' ', '\uFEFF', '${', '${HOME}', '-r ', '-c ', '--hash=', '\uD83D\uDE00', '\uD800', '\u00e9', '.', '-', '+', 'a', '1', '0', 'x', '==', '>=', '===', 'and ', ' or ', 'extra', 'python_version', '\\\n', '"""', "'''", '[[', ']]', '\\u', '\0'];

/** One fuzz input: a mutation of a corpus entry, a splice of two, or random tokens. */
export function makeInput(random, texts) {
  const pick = (arr) => arr[Math.floor(random() * arr.length)];
  const mode = random();
  if (mode < 0.1 || texts.length === 0) {
    let s = '';
    const n = Math.floor(random() * 60);
    for (let i = 0; i < n; i++) s += random() < 0.7 ? pick(ALPHABET) : String.fromCharCode(Math.floor(random() * 0x3000));
    return s;
  }
  let s = pick(texts);
  if (mode < 0.2) {
    const other = pick(texts);
    s = s.slice(0, Math.floor(random() * s.length)) + other.slice(Math.floor(random() * other.length));
  }
  const edits = 1 + Math.floor(random() * 6);
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(random() * (s.length + 1));
    const op = random();
    if (op < 0.35) s = s.slice(0, at) + pick(ALPHABET) + s.slice(at);
    else if (op < 0.6) s = s.slice(0, at) + s.slice(at + 1 + Math.floor(random() * 8));
    else if (op < 0.75) s = s.slice(0, at) + s.slice(at, at + 20).repeat(2 + Math.floor(random() * 3)) + s.slice(at + 20);
    else if (op < 0.9) s = s.slice(0, at) + String.fromCharCode(Math.floor(random() * 0x10000)) + s.slice(at + 1);
    else s = s.slice(0, at);
  }
  return s;
}

/**
 * Runs `count` inputs per parser in a worker; resolves with { inputs, failures, hangs, ms }.
 * A parser call that makes no progress for `hangMs` is a hang: the worker is stopped and the
 * input reported.
 */
export function fuzzRun({ count, seed = 1, hangMs = 5000 }) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./fuzzWorker.mjs', import.meta.url), { workerData: { count, seed } });
    const failures = [];
    let last = { parser: null, input: null };
    let done = false;
    let watchdog;
    const arm = () => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => {
        done = true;
        void worker.terminate();
        resolve({ inputs: null, failures, hangs: [last], ms: null });
      }, hangMs);
    };
    arm();
    worker.on('message', (msg) => {
      if (msg.kind === 'progress') {
        last = msg;
        arm();
      } else if (msg.kind === 'failure') {
        failures.push(msg);
      } else if (msg.kind === 'done') {
        done = true;
        clearTimeout(watchdog);
        resolve({ inputs: msg.inputs, failures, hangs: [], ms: msg.ms });
      }
    });
    worker.on('error', (e) => {
      clearTimeout(watchdog);
      if (!done) reject(e);
    });
  });
}
