// Real-editor tests: dist/pinsight.vsix installed into code-server and driven through its UI in
// Chromium. One code-server serves the whole file (its first load dominates the run time); the
// tests share it in order and each leaves the editor as it found it (edits are undone).
// Run with `npm run test:e2e` (installs the tools, packages the extension, then runs this file).
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pollUntil, startCodeServer } from '../support/codeServer.mjs';

/** @type {import('../support/codeServer.mjs').CodeServerSession} */
let session;

// Runs a test body; if it fails, saves a screenshot under its name (so a red run can be read) and
// reverts the active editor so that a half-done edit does not leak into the next test.
function withScreenshot(name, body) {
  return async () => {
    try {
      await body();
    } catch (error) {
      const path = await session?.screenshot(`failure-${name}`).catch(() => null);
      if (path) error.message += `\n(screenshot: ${path})`;
      await session?.runCommand('View: Revert and Close Editor').catch(() => undefined);
      throw error;
    }
  };
}

/** Pinsight's markers, optionally only those of one workspace-relative file. */
const pinsightRows = (rows, file) => rows.filter((r) => r.source === 'pinsight' && (file === undefined || r.file === file));

describe('Pinsight in code-server', { timeout: 240_000 }, () => {
  before(async () => {
    // Registry answers come from the snapshot shipped with the examples: no network, fixed data.
    session = await startCodeServer({
      settings: { 'pinsight.registrySnapshot': 'registry-snapshot.json.gz', 'pinsight.python.version': '3.11', 'pinsight.python.platform': 'linux' },
    });
  }, { timeout: 150_000 });

  after(async () => {
    await session?.close();
  });

  it('selects the pip-requirements language, starts the server and explains a pin on hover', { timeout: 90_000 }, withScreenshot('hover', async () => {
    await session.openFile('seed/requirements.txt');
    assert.equal(await session.languageMode(), 'pip requirements');

    // The server reports each analysed manifest through pinsight/status -> the language status item.
    const status = await session.languageStatus(/Pinsight: [1-9]\d* manifests? checked/);
    assert.match(status, /Pinsight: [1-9]\d* manifests? checked/);

    // The seed conflict: one error on each line that causes it, naming the chain.
    const rows = await session.waitForProblems((all) => pinsightRows(all, 'seed/requirements.txt').filter((r) => r.code === 'conflict').length === 2, {
      file: 'seed/requirements.txt',
      timeout: 60_000,
      message: 'the two conflict errors of the seed example',
    });
    const conflicts = pinsightRows(rows, 'seed/requirements.txt').filter((r) => r.code === 'conflict');
    assert.deepEqual(conflicts.map((r) => [r.line, r.severity]), [[5, 'error'], [7, 'error']]);
    for (const r of conflicts) assert.match(r.message, /websockets==15\.0\.1 conflicts with supabase==2\.15\.3: supabase 2\.15\.3 requires realtime>=2\.4\.0,<2\.5\.0/);
    await session.screenshot('problems-seed-conflict');

    const hover = await session.hoverText('websockets', { expect: 'highest compatible' });
    const text = await hover.innerText();
    assert.match(text, /websockets/);
    assert.match(text, /==15\.0\.1/);
    assert.match(text, /highest compatible 14\.2/);
    assert.match(text, /conflicts with supabase==2\.15\.3/); // the diagnostic, shown in the same hover
    assert.match(text, /Pinned for the \/ws endpoint\. Try 15\.x and the install fails\./);
    const path = await session.screenshot('hover-websockets');
    assert.ok(readFileSync(path).length > 0);
    await session.page.mouse.move(700, 800);
  }));

  it('applies the quick fix: websockets==14.2 clears the conflict, and undo brings it back', { timeout: 90_000 }, withScreenshot('quick-fix', async () => {
    const file = 'seed/requirements.txt';
    await session.openFile(file);
    const original = await session.editorLines();
    const line = original.indexOf('websockets==15.0.1') + 1;
    assert.ok(line > 0);
    await session.waitForProblems((all) => pinsightRows(all, file).some((r) => r.code === 'conflict' && r.line === line), { file, timeout: 60_000, message: 'the conflict on the websockets line' });
    await session.goTo(line, 3);
    // Auto Fix applies the preferred quick fix: the highest compatible version. The verdict is
    // published before its fixes (they need re-solves), so ask again until the fix has arrived.
    await pollUntil(
      async () => {
        await session.runCommand('Auto Fix...');
        return pollUntil(async () => (await session.editorLines())[line - 1] === 'websockets==14.2', { timeout: 3_000, message: 'the fix' }).catch(() => false);
      },
      { timeout: 30_000, interval: 500, message: 'the websockets line to read websockets==14.2' },
    );
    await session.waitForProblems((all) => pinsightRows(all, file).every((r) => r.severity !== 'error'), { file, timeout: 60_000, message: 'no Pinsight error after the fix' });
    await session.screenshot('after-quick-fix');

    await session.undoAll();
    assert.deepEqual(await session.editorLines(), original);
    await session.waitForProblems((all) => pinsightRows(all, file).filter((r) => r.code === 'conflict').length === 2, { file, timeout: 60_000, message: 'the conflicts to return after undo' });
  }));

  it('reports a malformed requirement as an error and clears it on undo', { timeout: 60_000 }, withScreenshot('requirements-diagnostic', async () => {
    const file = 'seed/requirements.txt';
    await session.openFile(file);
    const original = await session.editorLines();
    await session.focusEditor();
    await session.page.keyboard.press('Control+End');
    // The example ends with a newline, so the cursor sits on an empty last line.
    if (original.at(-1) !== '') await session.page.keyboard.press('Enter');
    await session.page.keyboard.type('requests>=>2');
    const line = original.length; // 1-based number of the last (previously empty) line
    // The editor renders typed keys a moment after they are sent: wait for the whole line.
    await pollUntil(async () => (await session.editorLines())[line - 1] === 'requests>=>2', { timeout: 10_000, message: "the typed line 'requests>=>2'" });

    // Diagnostics of the half-typed line may show first; wait for the ones of the finished line.
    const rows = await session.waitForProblems((all) => pinsightRows(all, file).some((r) => r.line === line && r.message.includes("'>=>2'")), {
      file,
      message: `a Pinsight problem about '>=>2' on line ${line}`,
    });
    const [problem, ...others] = pinsightRows(rows, file).filter((r) => r.code !== 'conflict');
    assert.equal(others.length, 0, `expected one Pinsight problem besides the seed conflict, got ${JSON.stringify(pinsightRows(rows, file))}`);
    assert.equal(problem.severity, 'error');
    assert.equal(problem.line, line);
    assert.equal(problem.column, 'requests>='.length + 1); // points at the bad version '>2'
    assert.equal(problem.code, 'invalid-specifier');
    assert.match(problem.message, /'>=>2'/);
    assert.match(problem.message, /not a valid PEP 440 version/);
    // The status bar counts the whole workspace (package.json files the npm extension opens add
    // theirs), so count this file's rows: the malformed line and the two conflict lines.
    const fileRows = await session.waitForProblems((all) => pinsightRows(all, file).filter((r) => r.severity === 'error').length === 3, {
      file,
      message: 'three errors in requirements.txt: the malformed line and the two conflict lines',
    });
    assert.deepEqual(pinsightRows(fileRows, file).map((r) => r.code).sort(), ['conflict', 'conflict', 'invalid-specifier']);
    await session.screenshot('problems-requirements');

    await session.undoAll();
    assert.deepEqual(await session.editorLines(), original);
    await session.waitForProblems((all) => pinsightRows(all, file).every((r) => r.code === 'conflict'), { file, message: 'the malformed-line problem to go away after undo' });
  }));

  it('lists the dependencies in the Outline view', { timeout: 60_000 }, withScreenshot('outline', async () => {
    await session.openFile('seed/requirements.txt');
    const expected = ['fastapi', 'uvicorn', 'supabase', 'websockets'];
    const rows = await pollUntil(
      async () => {
        const all = await session.outline();
        return expected.every((name) => all.some((r) => r.label === name)) ? all : false;
      },
      { timeout: 30_000, message: `the Outline to list ${expected.join(', ')}` },
    );
    const section = rows.find((r) => r.level === 1);
    assert.ok(section, `no section node in ${JSON.stringify(rows)}`);
    assert.match(section.aria, /\(namespace\)/);
    const packages = rows.filter((r) => r.level === 2);
    assert.deepEqual(packages.map((r) => r.label), expected, 'dependencies in source order under their section');
    for (const row of packages) assert.match(row.aria, /\(package\)/);
    await session.screenshot('outline-requirements');
  }));

  it('completion after == offers the highest compatible version first; Update all applies one undoable edit', { timeout: 120_000 }, withScreenshot('completion-update-all', async () => {
    const file = 'seed/requirements.txt';
    await session.openFile(file);
    const original = await session.editorLines();
    const line = original.indexOf('websockets==15.0.1') + 1;
    await session.goTo(line, 'websockets=='.length + 1);
    await session.page.keyboard.press('Shift+End');
    await session.page.keyboard.press('Delete');
    await session.page.keyboard.press('Control+Space');
    const first = session.page.locator('.suggest-widget .monaco-list-row').first();
    await first.waitFor({ timeout: 30_000 });
    await pollUntil(async () => /14\.2/.test(await first.innerText()), { timeout: 30_000, message: 'the first suggestion to be 14.2' });
    assert.match(await first.innerText(), /highest compatible/);
    await session.screenshot('completion-websockets');
    await session.page.keyboard.press('Enter');
    await pollUntil(async () => (await session.editorLines())[line - 1] === 'websockets==14.2', { timeout: 10_000, message: 'the completion inserted' });
    await session.waitForProblems((all) => pinsightRows(all, file).every((r) => r.severity !== 'error'), { file, timeout: 60_000, message: 'no error after the completion' });

    await session.runCommand('Pinsight: Update All to Highest Compatible');
    await pollUntil(async () => (await session.editorLines()).join('\n') !== [...original.slice(0, line - 1), 'websockets==14.2', ...original.slice(line)].join('\n'), { timeout: 30_000, message: 'Update all to change the file' });
    await session.waitForProblems((all) => pinsightRows(all, file).every((r) => r.severity !== 'error'), { file, timeout: 60_000, message: 'no error after Update all' });
    await session.screenshot('after-update-all');
    await session.undoAll();
    assert.deepEqual(await session.editorLines(), original);
  }));

  it('a stale uv.lock: lock-stale on the uvicorn[standard] line, naming websockets, with the uv lock fix', { timeout: 90_000 }, withScreenshot('lock-stale', async () => {
    const file = 'uv-project/pyproject.toml';
    await session.openFile(file);
    const lines = await session.editorLines();
    const line = lines.findIndex((l) => l.includes('uvicorn[standard]>=0.24.0')) + 1;
    assert.ok(line > 0, 'the example asks for uvicorn[standard]');
    const rows = await session.waitForProblems((all) => pinsightRows(all, file).some((r) => r.code === 'lock-stale'), { file, timeout: 60_000, message: 'lock-stale in the uv project' });
    const stale = pinsightRows(rows, file).filter((r) => r.code === 'lock-stale');
    assert.deepEqual(stale.map((r) => [r.line, r.severity]), [[line, 'warning']]);
    assert.match(stale[0].message, /uv\.lock was made for `uvicorn>=0\.24\.0`/);
    assert.match(stale[0].message, /websockets/);
    await session.screenshot('problems-lock-stale');
  }));

  it('team rules: a pinsight.toml turns a set that installs into a conflict citing the rule, shows in the hover, and its own problems are diagnostics', { timeout: 120_000 }, withScreenshot('team-rules', async () => {
    // A workspace folder of its own, written into the session's copy of examples/ (the snapshot has the seed's packages).
    const folder = join(session.dirs.workspace, 'rules-demo');
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'requirements.txt'), 'supabase==2.15.3\nwebsockets==14.2\n');
    writeFileSync(join(folder, 'pinsight.toml'), '[[incompatible]]\npackages = ["realtime>=2.4", "websockets>=14"]\nreason = "realtime 2.4 drops its socket with websockets 14"\n\n[[pin]]\npackage = "websockets"\nreason = "held for the /ws endpoint"\n');
    const file = 'rules-demo/requirements.txt';
    await session.openFile(file);
    const rows = await session.waitForProblems((all) => pinsightRows(all, file).filter((r) => r.code === 'conflict').length === 2, { file, timeout: 60_000, message: 'the conflict the team rule makes' });
    const conflicts = pinsightRows(rows, file).filter((r) => r.code === 'conflict');
    assert.deepEqual(conflicts.map((r) => [r.line, r.severity]), [[1, 'error'], [2, 'error']]);
    for (const r of conflicts) assert.match(r.message, /the team rule in pinsight\.toml:1 says realtime>=2\.4 and websockets>=14 are incompatible \("realtime 2\.4 drops its socket with websockets 14"\)/);
    await session.screenshot('problems-team-rule');

    const hover = await session.hoverText('websockets', { expect: 'Team rules' });
    const text = await hover.innerText();
    assert.match(text, /Pinned on purpose: held for the \/ws endpoint \(pinsight\.toml:5\)/);
    assert.match(text, /realtime>=2\.4 and websockets>=14 cannot be installed together/);
    await session.screenshot('hover-team-rule');
    await session.page.mouse.move(700, 800);

    // An edit that breaks the rule is a problem in pinsight.toml, and the requirements are checked without it.
    const rules = 'rules-demo/pinsight.toml';
    await session.openFile(rules);
    await session.goTo(2, 'packages = ["realtime>=2.4'.length + 1);
    await session.page.keyboard.type('=');
    const broken = await session.waitForProblems((all) => pinsightRows(all, rules).some((r) => r.code === 'invalid-rule'), { file: rules, timeout: 30_000, message: 'invalid-rule in pinsight.toml' });
    const problem = pinsightRows(broken, rules).find((r) => r.code === 'invalid-rule');
    assert.equal(problem.line, 2);
    assert.match(problem.message, /"realtime>=2\.4=" is not a Python requirement|invalid version specifier/);
    await session.waitForProblems((all) => !pinsightRows(all, file).some((r) => r.code === 'conflict'), { file, timeout: 60_000, message: 'no conflict while the rule is invalid' });
    await session.undoAll();
    await session.waitForProblems((all) => pinsightRows(all, file).filter((r) => r.code === 'conflict').length === 2, { file, timeout: 60_000, message: 'the conflict back after undo' });
    await session.runCommand('View: Close All Editors');
    // Leave the workspace as the other tests expect it (rules-demo's pin differs from the seed's).
    rmSync(folder, { recursive: true, force: true });
  }));

  it('npm peer conflict: ERESOLVE on both package.json lines', { timeout: 90_000 }, withScreenshot('peer-conflict', async () => {
    const file = 'npm-peer/package.json';
    await session.openFile(file);
    const rows = await session.waitForProblems((all) => pinsightRows(all, file).filter((r) => r.code === 'peer-conflict').length === 2, { file, timeout: 60_000, message: 'two peer-conflict errors' });
    for (const r of pinsightRows(rows, file).filter((x) => x.code === 'peer-conflict')) {
      assert.equal(r.severity, 'error');
      assert.match(r.message, /react/);
    }
    await session.screenshot('problems-peer-conflict');
  }));

  it('reports a malformed npm specifier in package.json', { timeout: 60_000 }, withScreenshot('package-json-diagnostic', async () => {
    const file = 'npm-peer/package.json';
    await session.openFile(file);
    const original = await session.editorLines();
    // Locate "react": "^19.1.0" in the workspace copy and put the cursor after its version.
    const source = readFileSync(join(session.dirs.workspace, 'npm-peer/package.json'), 'utf8').split('\n');
    const index = source.findIndex((l) => /"react":\s*"\^19\.1\.0"/.test(l));
    assert.ok(index >= 0, 'the example declares "react": "^19.1.0"');
    const column = source[index].indexOf('^19.1.0') + '^19.1.0'.length + 1;
    await session.goTo(index + 1, column);
    await session.page.keyboard.type('.0');
    await pollUntil(async () => /"react": "\^19\.1\.0\.0"/.test((await session.editorLines())[index]), { timeout: 10_000, message: 'the typed version ^19.1.0.0' });

    const rows = await session.waitForProblems((all) => pinsightRows(all, file).some((r) => r.line === index + 1 && r.message.includes('^19.1.0.0')), {
      file,
      message: 'a Pinsight problem about ^19.1.0.0 on the react line',
    });
    const problem = pinsightRows(rows, file).find((r) => r.line === index + 1);
    assert.equal(problem.severity, 'error');
    assert.match(problem.message, /\^19\.1\.0\.0/);
    await session.screenshot('problems-package-json');

    await session.undoAll();
    assert.deepEqual(await session.editorLines(), original);
    await session.waitForProblems((all) => pinsightRows(all, file).every((r) => r.code !== 'invalid-npm-specifier'), { file, message: 'the package.json problem to go away after undo' });
  }));
});

// Inlay hints are text in the rendered lines, which the tests above compare: they get a session of
// their own with hints on.
describe('Pinsight versions at a glance in code-server', { timeout: 180_000 }, () => {
  /** @type {import('../support/codeServer.mjs').CodeServerSession} */
  let hints;
  before(async () => {
    hints = await startCodeServer({
      settings: { 'pinsight.registrySnapshot': 'registry-snapshot.json.gz', 'pinsight.python.version': '3.11', 'pinsight.python.platform': 'linux', 'editor.inlayHints.enabled': 'on' },
    });
  }, { timeout: 150_000 });

  after(async () => {
    await hints?.close();
  });

  it('shows what each line resolves to, the highest compatible version and the blocked latest', { timeout: 90_000 }, async () => {
    try {
      await hints.openFile('seed/requirements.txt');
      await hints.waitForProblems((all) => pinsightRows(all, 'seed/requirements.txt').some((r) => r.code === 'conflict'), { file: 'seed/requirements.txt', timeout: 60_000, message: 'the seed checked' });
      const lines = await pollUntil(async () => {
        const all = await hints.editorLines();
        return all.some((l) => /^websockets==15\.0\.1\s*compatible 14\.2 · latest \d+(\.\d+)+ \(blocked\)$/.test(l)) ? all : false;
      }, { timeout: 30_000, message: 'the inlay hint on the websockets line' });
      assert.ok(lines.some((l) => /^supabase==2\.15\.3\s*compatible \d/.test(l)), JSON.stringify(lines));
      await hints.screenshot('inlay-hints');
    } catch (error) {
      const path = await hints?.screenshot('failure-inlay-hints').catch(() => null);
      if (path) error.message += `\n(screenshot: ${path})`;
      throw error;
    }
  });
});
