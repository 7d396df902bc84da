// Workspace trust in a real editor: code-server with trust ON (no --disable-workspace-trust). The
// user answers "No" to the trust dialog: Pinsight still shows the stage-1 problems and its status
// item says why the registry checks are off; granting trust (Manage Workspace Trust -> Trust)
// starts them, and the registry findings appear without a reload.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startCodeServer } from '../support/codeServer.mjs';

/** @type {import('../support/codeServer.mjs').CodeServerSession} */
let session;
const FILE = 'trust/requirements.txt';
const pinsightRows = (rows) => rows.filter((r) => r.source === 'pinsight' && r.file === FILE);

describe('Pinsight in an untrusted workspace', { timeout: 300_000 }, () => {
  before(async () => {
    session = await startCodeServer({
      workspaceTrust: true,
      // User settings (not restricted): the snapshot answers once the workspace is trusted.
      settings: { 'pinsight.registrySnapshot': 'registry-snapshot.json.gz', 'pinsight.python.version': '3.11', 'pinsight.python.platform': 'linux' },
      files: { [FILE]: 'fastapi==\nwebsockets==15.0.1\nsupabase==2.15.3\n' },
    });
  }, { timeout: 150_000 });

  after(async () => {
    await session?.close();
  });

  it('stage 1 only until trust is granted, then the registry checks run', { timeout: 240_000 }, async () => {
    const page = session.page;
    try {
      // VS Code asks on opening the folder; the user declines (Restricted Mode).
      const decline = page.locator('.monaco-dialog-box .monaco-button', { hasText: "No, I don't trust the authors" });
      await decline.waitFor({ timeout: 60_000 });
      await decline.click();
      await page.locator('.monaco-dialog-box').waitFor({ state: 'hidden' });

      await session.openFile(FILE);
      const status = await session.languageStatus(/registry checks off: workspace not trusted/, { timeout: 90_000 });
      assert.match(status, /Registry checks are off because this workspace is not trusted/);
      const untrusted = await session.waitForProblems((all) => pinsightRows(all).some((r) => r.code === 'invalid-specifier'), { file: FILE, timeout: 60_000, message: 'the stage-1 problem' });
      assert.deepEqual(pinsightRows(untrusted).filter((r) => r.code === 'conflict'), []);
      await session.screenshot('trust-restricted');

      // Grant trust through VS Code's own editor for it.
      await session.runCommand('Workspaces: Manage Workspace Trust');
      const trust = page.locator('.workspace-trust-editor .monaco-button', { hasText: /^Trust$/ }).first();
      await trust.waitFor({ timeout: 30_000 });
      await trust.click();

      await session.openFile(FILE);
      const trusted = await session.waitForProblems((all) => pinsightRows(all).filter((r) => r.code === 'conflict').length === 2, { file: FILE, timeout: 90_000, message: 'the conflict found once trusted' });
      assert.ok(pinsightRows(trusted).some((r) => r.code === 'invalid-specifier'));
      // The npm example may be checked too (its peer conflict counts): any conflicts, no untrusted note.
      const after = await session.languageStatus(/Pinsight: [1-9]\d* manifests? checked, [1-9]\d* conflicting requirements?/, { timeout: 90_000 });
      assert.doesNotMatch(after, /not trusted/);
      await session.screenshot('trust-granted');
    } catch (error) {
      const path = await session?.screenshot('failure-trust').catch(() => null);
      if (path) error.message += `\n(screenshot: ${path})`;
      throw error;
    }
  });
});
