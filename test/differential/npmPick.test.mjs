// The real npm CLI is the oracle for which version it installs: for each case, `npm install
// --package-lock-only` against the loopback fake registry, and Pinsight's registry check (the
// source of the deprecated finding and the hover's "resolves to") with this machine's Node and npm
// for `engines`, must name the same version.
import { test, before } from 'node:test';
import { requireOracles } from '../support/oracles.mjs';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkNpmDependencies } from '../../dist/core/npm/checks/registryChecks.js';
import { parsePackageJson } from '../../dist/core/npm/manifest/packageJson.js';
import { NpmClient } from '../../dist/core/npm/registry/npmClient.js';
import { RegistryHttp } from '../../dist/core/http/registryHttp.js';
import { readMachineEngines } from '../../dist/node/engines.js';
import { startFakeNpm } from '../support/fakeNpm.mjs';
import { fetchTransport } from '../support/fetchTransport.mjs';
import { runProcess } from '../support/runProcess.mjs';
import { PICK_CASES, PICK_PACKAGES } from '../support/npmPickPackages.mjs';

// The oracles this file compares with, in the versions it was written against.
before(() => requireOracles('npm'));

test('npm install --package-lock-only and the registry check pick the same version', { timeout: 120_000 }, async (t) => {
  const work = mkdtempSync(join(tmpdir(), 'pinsight-npm-pick-'));
  writeFileSync(join(work, 'npmrc'), '');
  const fake = await startFakeNpm({ packages: [], extra: PICK_PACKAGES });
  const client = new NpmClient(new RegistryHttp({ transport: fetchTransport, clock: { now: () => Date.now(), sleep: async () => {}, random: () => 0 }, retries: 0 }), { defaultRegistry: fake.url, scopes: {} });
  const engines = await readMachineEngines();
  try {
    for (const [label, deps, name, expected] of PICK_CASES) {
      await t.test(label, async () => {
        const dir = mkdtempSync(join(work, 'case-'));
        const text = JSON.stringify({ name: 'case', version: '1.0.0', dependencies: deps }, null, 2);
        writeFileSync(join(dir, 'package.json'), text);
        const args = ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund', '--registry', fake.url, '--cache', join(work, 'cache')];
        const r = await runProcess('npm', args, { cwd: dir, env: { ...process.env, NPM_CONFIG_USERCONFIG: join(work, 'npmrc'), NPM_CONFIG_UPDATE_NOTIFIER: 'false' } });
        assert.equal(r.code, 0, r.stderr);
        const npmPick = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8')).packages[`node_modules/${name}`].version;
        const ours = (await checkNpmDependencies(parsePackageJson(text, join(dir, 'package.json')), client, undefined, engines)).facts.get(name).picked;
        assert.equal(ours, npmPick);
        assert.equal(npmPick, expected, 'the case table says what npm does');
      });
    }
  } finally {
    await fake.close();
    rmSync(work, { recursive: true, force: true });
  }
});
