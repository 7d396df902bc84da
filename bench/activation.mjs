// Activation time of the packaged extension in a real VS Code (code-server 4.139.1, as the e2e suite
// runs it): the figure VS Code itself reports in Developer: Show Running Extensions, beside a PEER
// in the same session: bench/activationPeer, an extension that activates on Pinsight's events and
// does nothing. The extension host activates everything at once on this machine's 2 cores, so the
// peer's figure is the floor the host imposes; Pinsight's own cost is what it adds above the peer.
// Needs the e2e tools (bash test/e2e/setup.sh) and dist/pinsight.vsix (npm run package).
//   node bench/activation.mjs [runs]
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { repoRoot, startCodeServer } from '../test/support/codeServer.mjs';

const PEER_NAME = 'Pinsight Activation Peer';

/** Packages the peer with Pinsight's activation events and engines; returns the .vsix path. */
function packagePeer(dir) {
  const pinsight = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
  const manifest = {
    name: 'pinsight-activation-peer',
    displayName: PEER_NAME,
    description: 'Activates on the events Pinsight activates on and does nothing (bench/activation.mjs).',
    version: '0.0.1',
    publisher: 'pinsight-bench',
    license: 'MIT',
    engines: { vscode: pinsight.engines.vscode },
    activationEvents: pinsight.activationEvents,
    main: './extension.js',
  };
  writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
  for (const file of ['extension.js', 'README.md']) copyFileSync(join(repoRoot, 'bench/activationPeer', file), join(dir, file));
  const vsix = join(dir, 'peer.vsix');
  const vsce = join(repoRoot, 'node_modules/.bin/vsce');
  const result = spawnSync(vsce, ['package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '-o', vsix], { cwd: dir, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`vsce could not package the peer: ${result.stderr || result.stdout}`);
  return vsix;
}

async function activationOf(session, name) {
  const row = session.page.locator('.monaco-list-row', { hasText: name }).first();
  await row.waitFor({ timeout: 20_000 });
  const match = /Activation: (\d+)ms/.exec(await row.innerText());
  if (!match) throw new Error(`no activation time for ${name} in: ${await row.innerText()}`);
  return Number(match[1]);
}

/** Activation times in ms over `runs` fresh code-server sessions: Pinsight's and the peer's, run by run. */
export async function benchActivation(runs = 3) {
  const dir = mkdtempSync(join(tmpdir(), 'pinsight-activation-peer-'));
  try {
    const peer = packagePeer(dir);
    const pinsight = [];
    const floor = [];
    for (let i = 0; i < runs; i++) {
      const session = await startCodeServer({ settings: { 'pinsight.registrySnapshot': 'registry-snapshot.json.gz' }, alsoInstall: [peer] });
      try {
        await session.openFile('seed/requirements.txt');
        await session.languageStatus(/Pinsight: [1-9]\d* manifests? checked/);
        // The list renders only the rows in view (built-in extensions fill it): make room for all of them.
        await session.page.setViewportSize({ width: 1280, height: 4000 });
        await session.runCommand('Developer: Show Running Extensions');
        // The peer's row first: "Pinsight" alone would match it too.
        floor.push(await activationOf(session, PEER_NAME));
        const rows = session.page.locator('.monaco-list-row', { hasText: 'Pinsight' });
        const texts = await rows.allInnerTexts();
        const own = texts.find((t) => !t.includes(PEER_NAME));
        const match = own && /Activation: (\d+)ms/.exec(own);
        if (!match) throw new Error(`no activation time for Pinsight in: ${texts.join(' | ')}`);
        pinsight.push(Number(match[1]));
      } finally {
        await session.close();
      }
    }
    return { pinsight, peer: floor, added: pinsight.map((ms, i) => ms - floor[i]) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(JSON.stringify(await benchActivation(Number(process.argv[2] ?? 3))));
