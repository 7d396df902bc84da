// Activation time of the packaged extension in a real VS Code (code-server 4.139.1, as the e2e suite
// runs it): the figure VS Code itself reports in Developer: Show Running Extensions. Needs the
// e2e tools (bash test/e2e/setup.sh) and dist/pinsight.vsix (npm run package).
//   node bench/activation.mjs [runs]
import { fileURLToPath } from 'node:url';
import { startCodeServer } from '../test/support/codeServer.mjs';

/** Activation times in ms over `runs` fresh code-server sessions. */
export async function benchActivation(runs = 3) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const session = await startCodeServer({ settings: { 'pinsight.registrySnapshot': 'registry-snapshot.json.gz' } });
    try {
      await session.openFile('seed/requirements.txt');
      await session.languageStatus(/Pinsight: [1-9]\d* manifests? checked/);
      await session.runCommand('Developer: Show Running Extensions');
      const row = session.page.locator('.monaco-list-row', { hasText: 'Pinsight' }).first();
      await row.waitFor({ timeout: 20_000 });
      const match = /Activation: (\d+)ms/.exec(await row.innerText());
      if (!match) throw new Error(`no activation time in: ${await row.innerText()}`);
      times.push(Number(match[1]));
    } finally {
      await session.close();
    }
  }
  return times;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(JSON.stringify(await benchActivation(Number(process.argv[2] ?? 3))));
