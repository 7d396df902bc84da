// Partial resolution over LSP: an unknown package does not hide the conflict between two other lines,
// and the status item names the requirement the verdict left out.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, fileUri } from '../support/lspClient.mjs';
import { startFakePypi } from '../support/fakePypi.mjs';

let pypi;
let dir;
before(async () => {
  pypi = await startFakePypi({ projects: 'all', faults: { notFound: ['nosuchpkg'] } });
  dir = mkdtempSync(join(tmpdir(), 'pinsight-partial-lsp-'));
});
after(async () => {
  await pypi?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('an unknown package: its own error, the conflict between two other lines, and the status names what was left out', async () => {
  const client = await startServer({
    settings: { enable: true, checkRegistries: true, debounceMs: 0, python: { indexUrl: pypi.indexUrl, version: '3.11', platform: 'linux' } },
    initializationOptions: { cacheDir: join(dir, 'cache') },
  });
  try {
    const text = 'nosuchpkg==1.0\nsupabase==2.15.3\nwebsockets==15.0.1\n';
    mkdirSync(join(dir, 'p'), { recursive: true });
    const path = join(dir, 'p', 'requirements.txt');
    writeFileSync(path, text);
    const uri = fileUri(path);
    client.open(uri, text);
    const { diagnostics } = await client.waitForChecked(uri);
    assert.deepEqual(diagnostics.map((d) => `${d.range.start.line}:${d.code}`).sort(), ['0:unknown-package', '1:conflict', '2:conflict']);
    const status = await client.waitForStatus((s) => s.state === 'error' && s.text === '1 manifest checked, 2 conflicting requirements; check incomplete: 1 problem');
    assert.match(status.detail, /^Not resolved: nosuchpkg is not on the index \(line 1\)\. The other requirements were resolved without it, so a conflict it takes part in is not reported\.$/m);
  } finally {
    await client.close();
  }
});
