// "A registry failure is never a verdict": every fault a real index or proxy shows, injected into
// the seed's chain (supabase 2.15.3 -> realtime -> websockets) once for the transitive project
// (realtime) and once for the direct one (supabase). Each must become a registry-unreachable (or
// unknown-package) finding on the supabase line, naming the chain, with no conflict, no fix and a
// verdict marked incomplete. Hangs and drips end at the check's --timeout.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFakePypi } from '../support/fakePypi.mjs';
import { isolatedEnv } from '../support/isolatedEnv.mjs';
import { runProcess } from '../support/runProcess.mjs';

const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const examples = fileURLToPath(new URL('../../examples/', import.meta.url));
const TARGET = ['--isolated', '--python-version', '3.11', '--platform', 'linux', '--no-cache'];
const SUPABASE_LINE = 4;

let dir;

// The baseline, run first: a healthy index gives the seed conflict and a complete verdict. It also
// builds the fixtures' artifacts, which later fake indexes share, so that the short deadlines below
// measure the faults rather than fixture building.
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pinsight-cli-faults-'));
  cpSync(join(examples, 'seed'), join(dir, 'seed'), { recursive: true });
  const pypi = await startFakePypi({ projects: 'all' });
  try {
    const healthy = await check(pypi, 60);
    assert.equal(healthy.code, 1, healthy.stderr);
    const doc = JSON.parse(healthy.stdout);
    assert.equal(doc.complete, true);
    assert.deepEqual(doc.incomplete, []);
    assert.equal(doc.files.flatMap((f) => f.findings).filter((f) => f.code === 'conflict').length, 2);
  } finally {
    await pypi.close();
  }
});

after(() => rmSync(dir, { recursive: true, force: true }));

// Every request for the project: its page, its files and metadata, its JSON API entries.
const everything = (project) => new RegExp(`^/(simple|files|pypi)/${project}(/|$)`);

// `seconds`: the whole check's --timeout. Faults that answer at once get room for every retry, so
// the message is the registry's own; hangs and drips get a short one and must end by it. Short, but
// long enough that the healthy projects are read first on a loaded 2-core machine (at 3 s, with a
// load average of 20, the deadline sometimes came before supabase itself was read).
const HANG_SECONDS = 8;
const FAULTS = [
  { name: 'HTTP 500', faults: (path) => ({ status500: { path } }), says: /answered HTTP 500/ },
  { name: 'HTTP 503', faults: (path) => ({ status503: { path } }), says: /answered HTTP 503/ },
  { name: 'HTTP 429 with Retry-After', faults: (path) => ({ status429: { path, retryAfter: 1 } }), says: /answered HTTP 429/ },
  { name: 'HTTP 403', faults: (path) => ({ status403: { path } }), says: /answered HTTP 403 .*Check the credentials/ },
  { name: 'HTTP 404 of one project', faults: (path, project) => ({ notFound: { names: [project] } }), says: /was not found on http:\/\/127\.0\.0\.1:\d+\/simple/, notFound: true },
  { name: 'connection reset', faults: (path) => ({ reset: { path } }), says: /the connection was reset/ },
  { name: 'truncated body', faults: (path) => ({ truncate: { path } }), says: /could not reach .*connection was reset|cannot read/ },
  { name: 'garbage', faults: (path) => ({ garbage: { path } }), says: /cannot read: it is not UTF-8 text/ },
  { name: 'JSON of the wrong shape', faults: (path) => ({ wrongShape: { path } }), says: /sent a project page for "(realtime|supabase)" that Pinsight cannot read/ },
  { name: 'a 300 MB body', faults: (path) => ({ oversized: { path } }), says: /is larger than \d+ bytes; Pinsight stopped reading it/ },
  { name: 'a redirect loop', faults: (path) => ({ redirectLoop: { path } }), says: /redirected more than 5 times/ },
  { name: 'a redirect to file:', faults: (path) => ({ redirectToFile: { path } }), says: /redirected to a file: URL, which Pinsight does not follow/ },
  { name: 'accept and never answer', faults: (path) => ({ hang: { path } }), says: /did not answer within the 8 s this check allows \(raise --timeout to wait longer\)/, seconds: HANG_SECONDS },
  { name: 'a byte every half second', faults: (path) => ({ slowDrip: { bytesPerChunk: 1, intervalMs: 500, path } }), says: /did not answer within the 8 s this check allows/, seconds: HANG_SECONDS },
];

const ROLES = [
  {
    role: 'transitive',
    project: 'realtime',
    // The finding names the chain from the manifest line to the project that failed (and, should
    // a slow machine make another project late too, that one beside it).
    chain: /^([\w-]+, )*([\w-]+ and )?realtime( and [\w-]+)?, required by supabase 2\.15\.3, (was not found on .*|could not be read) \(supabase 2\.15\.3 -> ([\w-]+, )*realtime(, [\w-]+)*\)/,
  },
  { role: 'direct', project: 'supabase', chain: /^supabase (could not be checked|was not found on)/ },
];

async function check(pypi, seconds, format = 'json') {
  const args = ['check', '--format', format, '--index-url', pypi.indexUrl, '--timeout', String(seconds), ...TARGET, 'seed/requirements.txt'];
  return runProcess(process.execPath, [cli, ...args], { cwd: dir, env: isolatedEnv() });
}

describe('registry faults in the seed chain', { concurrency: 4 }, () => {
  for (const fault of FAULTS) {
    for (const { role, project, chain } of ROLES) {
      test(`${fault.name}, ${role} (${project})`, async () => {
        const pypi = await startFakePypi({ projects: 'all', faults: fault.faults(everything(project), project) });
        try {
          const r = await check(pypi, fault.seconds ?? 60);
          const doc = JSON.parse(r.stdout);
          const findings = doc.files.find((f) => f.path === 'seed/requirements.txt').findings;
          // A project the index does not have is an error (pip fails too); a failing index is not.
          assert.equal(r.code, fault.notFound ? 1 : 0, r.stdout + r.stderr);
          assert.deepEqual(findings.filter((f) => f.code === 'conflict' || f.code === 'possible-conflict'), []);
          assert.deepEqual(findings.flatMap((f) => f.fixes), []);
          const code = fault.notFound ? 'unknown-package' : 'registry-unreachable';
          const said = findings.filter((f) => f.code === code);
          assert.equal(said.length, 1, JSON.stringify(findings, null, 1));
          assert.equal(said[0].range.start.line, SUPABASE_LINE);
          assert.equal(said[0].package, 'supabase');
          assert.match(said[0].message, chain);
          assert.match(said[0].message, fault.says);
          assert.doesNotMatch(said[0].message, /available:/);
          assert.equal(doc.complete, false);
          assert.equal(doc.incomplete.length, 1);
          assert.match(doc.incomplete[0], /^seed\/requirements\.txt: /);
          // A direct project the index lacks is its own finding; the summary says what was left unresolved.
          assert.match(doc.incomplete[0], fault.notFound && role === 'direct' ? /Not resolved: supabase is not on the index/ : fault.says);
        } finally {
          await pypi.close();
        }
      });
    }
  }
});

test('the text summary says the verdict is incomplete', async () => {
  const pypi = await startFakePypi({ projects: 'all', faults: { hang: { path: everything('realtime') } } });
  try {
    const r = await check(pypi, HANG_SECONDS, 'text');
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.match(lines[0], /^seed\/requirements\.txt:5:1: information \[registry-unreachable\] realtime, required by supabase 2\.15\.3, could not be read \(supabase 2\.15\.3 -> realtime\): http:\/\/127\.0\.0\.1:\d+\/simple did not answer within the 8 s/);
    assert.match(r.stdout, /^2 files checked: 0 errors, 0 warnings, 1 note\.$/m);
    assert.match(r.stdout, /^The verdict is incomplete: 1 problem left requirements unchecked or unresolved:$/m);
    assert.doesNotMatch(r.stdout, /conflict|fix:/);
  } finally {
    await pypi.close();
  }
});

test('--timeout takes a positive number of seconds', async () => {
  const r = await runProcess(process.execPath, [cli, 'check', '--timeout', '0', 'seed'], { cwd: dir, env: isolatedEnv() });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--timeout takes a number of seconds greater than 0, such as 120, not '0'\./);
});
