// The layout's import rules (docs/architecture.md, "Invariants"), read from the TypeScript sources
// with TypeScript's own import scanner: the pure core does no I/O and knows no editor, each
// ecosystem's wing stays out of the others, the shared machinery (HTTP, PubGrub, insight) knows no
// wing, and only project/ecosystems.ts names the wings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function sources(dir) {
  return readdirSync(join(root, dir), { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(dir, f).split(sep).join('/'));
}

/** Each file's imports: bare module names as written, relative ones resolved to repository paths. */
function importsOf(files, read = (f) => readFileSync(join(root, f), 'utf8')) {
  const out = new Map();
  for (const file of files) {
    const info = ts.preProcessFile(read(file), true, true);
    out.set(
      file,
      info.importedFiles.map(({ fileName }) =>
        fileName.startsWith('.') ? relative(root, resolve(root, dirname(file), fileName)).split(sep).join('/') : fileName,
      ),
    );
  }
  return out;
}

const NODE_IO = /^(node:)?(fs|fs\/promises|net|http|https|http2|tls|dgram|child_process|worker_threads|zlib|os)$/;
const EDITOR = /^(vscode|vscode-languageserver.*|vscode-languageclient.*|vscode-jsonrpc.*)$/;
const HOST_LIBRARIES = /^(undici)$/;
const WINGS = ['server/src/core/python/', 'server/src/core/npm/'];
const NEUTRAL = ['server/src/core/pubgrub/', 'server/src/core/http/', 'server/src/core/insight/', 'server/src/core/toml/', 'server/src/core/rules/'];

/** A call of `fetch(...)` where no local binding named fetch exists (a method or a parameter called fetch is not the global). */
function callsGlobalFetch(file, text) {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  let declared = false;
  let called = false;
  const visit = (node) => {
    if ((ts.isVariableDeclaration(node) || ts.isParameter(node) || ts.isBindingElement(node) || ts.isFunctionDeclaration(node)) && node.name && ts.isIdentifier(node.name) && node.name.text === 'fetch') declared = true;
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'fetch') called = true;
    ts.forEachChild(node, visit);
  };
  visit(source);
  return called && !declared;
}

/** Every broken rule, as "file imports target: rule". */
function violations(imports, read) {
  const out = [];
  for (const [file, targets] of imports) {
    const text = read(file);
    if (file.startsWith('server/src/core/')) {
      for (const t of targets) {
        if (NODE_IO.test(t)) out.push(`${file} imports ${t}: the core does no I/O (it comes through Runtime)`);
        if (EDITOR.test(t)) out.push(`${file} imports ${t}: the core knows no editor protocol`);
        if (HOST_LIBRARIES.test(t)) out.push(`${file} imports ${t}: transports are injected by the host`);
        if (t.startsWith('server/src/') && !t.startsWith('server/src/core/')) out.push(`${file} imports ${t}: the core imports only the core`);
      }
      if (callsGlobalFetch(file, text)) out.push(`${file} calls the global fetch: the core does no I/O`);
    }
    const wing = WINGS.find((w) => file.startsWith(w));
    for (const t of targets) {
      const targetWing = WINGS.find((w) => t.startsWith(w));
      if (!targetWing) continue;
      if (wing && targetWing !== wing) out.push(`${file} imports ${t}: one wing never imports another`);
      if (NEUTRAL.some((n) => file.startsWith(n))) out.push(`${file} imports ${t}: shared machinery knows no ecosystem`);
      if (!wing && file !== 'server/src/core/project/ecosystems.ts' && file.startsWith('server/src/core/'))
        out.push(`${file} imports ${t}: only project/ecosystems.ts names the wings`);
    }
    if (file.startsWith('client/') && targets.some((t) => t.startsWith('server/'))) out.push(`${file} imports the server: the client imports only common/`);
    if (file.startsWith('common/') && targets.some((t) => t.startsWith('server/') || t.startsWith('client/'))) out.push(`${file} imports a side: common/ stands alone`);
    if (file.startsWith('server/') && targets.some((t) => t.startsWith('client/'))) out.push(`${file} imports the client: the server imports only common/`);
  }
  return out;
}

test('the sources keep the layout rules', () => {
  const files = [...sources('server/src'), ...sources('client/src'), ...sources('common')];
  assert.ok(files.length > 80, `found only ${files.length} source files`);
  const read = (f) => readFileSync(join(root, f), 'utf8');
  assert.deepEqual(violations(importsOf(files, read), read), []);
});

test('every wing implements the ecosystem interface in its own folder', () => {
  for (const wing of WINGS) {
    const text = readFileSync(join(root, wing, 'ecosystem.ts'), 'utf8');
    assert.match(text, /export const \w+Ecosystem: Ecosystem = \{/, `${wing}ecosystem.ts exports an Ecosystem`);
  }
  const registry = readFileSync(join(root, 'server/src/core/project/ecosystems.ts'), 'utf8');
  assert.match(registry, /ECOSYSTEMS: readonly Ecosystem\[\] = \[npmEcosystem, pythonEcosystem\]/);
});

test('the rule checker catches each kind of violation', () => {
  const fake = {
    'server/src/core/python/a.ts': "import { x } from '../npm/b';\nimport { readFile } from 'node:fs/promises';",
    'server/src/core/npm/b.ts': "import type { Y } from '../python/a';",
    'server/src/core/pubgrub/c.ts': "import { z } from '../python/a';",
    'server/src/core/insight/d.ts': "export async function f() { return fetch('https://pypi.org'); }",
    'server/src/core/project/other.ts': "import { p } from '../python/a';",
    'server/src/core/http/e.ts': "import { request } from 'undici';\nimport { Connection } from 'vscode-languageserver/node';\nimport { s } from '../../server';",
    'client/src/f.ts': "import { g } from '../../server/src/core/model';",
    'common/g.ts': "import { h } from '../client/src/f';",
    'server/src/core/http/ok.ts': 'export async function ok(http) { const { fetch } = http; await fetch("y"); return http.fetch("x"); }',
  };
  const read = (f) => fake[f];
  const found = violations(importsOf(Object.keys(fake), read), read);
  const expect = [
    'server/src/core/python/a.ts imports server/src/core/npm/b: one wing never imports another',
    'server/src/core/python/a.ts imports node:fs/promises: the core does no I/O (it comes through Runtime)',
    'server/src/core/npm/b.ts imports server/src/core/python/a: one wing never imports another',
    'server/src/core/pubgrub/c.ts imports server/src/core/python/a: shared machinery knows no ecosystem',
    'server/src/core/insight/d.ts calls the global fetch: the core does no I/O',
    'server/src/core/project/other.ts imports server/src/core/python/a: only project/ecosystems.ts names the wings',
    'server/src/core/http/e.ts imports undici: transports are injected by the host',
    'server/src/core/http/e.ts imports vscode-languageserver/node: the core knows no editor protocol',
    'server/src/core/http/e.ts imports server/src/server: the core imports only the core',
    'client/src/f.ts imports the server: the client imports only common/',
    'common/g.ts imports a side: common/ stands alone',
  ];
  for (const line of expect) assert.ok(found.includes(line), `missed: ${line}\nfound:\n${found.join('\n')}`);
  assert.ok(!found.some((l) => l.startsWith('server/src/core/http/ok.ts')), 'a method named fetch is not the global fetch');
});
