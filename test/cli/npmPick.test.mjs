// npm's own pick, three ways that must agree: the deprecated check warns exactly when the version npm
// would install is deprecated, the hover's "resolves to" (the JSON `resolved` facts come from the same
// pick) names it, and this machine's Node takes part through `engines` in the CLI as in production.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFakeNpm } from '../support/fakeNpm.mjs';
import { isolatedEnv } from '../support/isolatedEnv.mjs';
import { runProcess } from '../support/runProcess.mjs';
import { PICK_CASES, PICK_PACKAGES } from '../support/npmPickPackages.mjs';
import { checkNpmDependencies } from '../../dist/core/npm/checks/registryChecks.js';
import { parsePackageJson } from '../../dist/core/npm/manifest/packageJson.js';
import { NpmClient } from '../../dist/core/npm/registry/npmClient.js';
import { RegistryHttp } from '../../dist/core/http/registryHttp.js';
import { readMachineEngines } from '../../dist/node/engines.js';
import { fetchTransport } from '../support/fetchTransport.mjs';

const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
let npm;
let dir;
before(async () => {
  npm = await startFakeNpm({ packages: [], extra: PICK_PACKAGES });
  dir = mkdtempSync(join(tmpdir(), 'pinsight-npm-pick-'));
});
after(async () => {
  await npm?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('this machine’s Node and npm are found for the engines rule', async () => {
  const engines = await readMachineEngines();
  assert.equal(engines.nodeVersion, process.version);
  assert.match(engines.npmVersion ?? '', /^\d+\.\d+\.\d+/);
});

for (const [label, deps, name, version, deprecated] of PICK_CASES) {
  test(`${label}: the check and the pick agree (${name}@${deps[name]} -> ${version})`, async () => {
    const project = join(dir, label.replace(/\W+/g, '-'));
    mkdirSync(project);
    const text = JSON.stringify({ name: 'x', version: '1.0.0', dependencies: deps }, null, 2);
    writeFileSync(join(project, 'package.json'), text);
    const r = await runProcess(process.execPath, [cli, 'check', '--isolated', '--no-cache', '--registry', npm.url, '--format', 'json', 'package.json'], { cwd: project, env: isolatedEnv() });
    const findings = JSON.parse(r.stdout).files[0].findings.filter((f) => f.code !== 'not-installed');
    assert.deepEqual(findings.map((f) => f.message), deprecated ? [`${name}@${version} is deprecated: ${PICK_PACKAGES[name].versions[version].deprecated}`] : []);
    // The hover's "resolves to" is the registry check's pick, with the machine's engines as the CLI and server pass them.
    const client = new NpmClient(new RegistryHttp({ transport: fetchTransport, clock: { now: () => Date.now(), sleep: async () => {}, random: () => 0 }, retries: 0 }), { defaultRegistry: npm.url, scopes: {} });
    const checked = await checkNpmDependencies(parsePackageJson(text, join(project, 'package.json')), client, undefined, await readMachineEngines());
    assert.equal(checked.facts.get(name).picked, version);
  });
}
