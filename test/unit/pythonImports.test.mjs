// The import-level checks' core: the Python tokenizer and import scanner on tables of real and
// tricky source (strings that look like imports, continuations, one-line compounds, guards), the
// module-level definitions extractor, modules from RECORD, and the edge check over an in-memory
// site-packages with its read cache. test/differential/importBreaks.test.mjs holds the verdicts to
// Python's own import on real venvs.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { tokenizeStatements } from '../../dist/core/python/imports/tokenize.js';
import { scanImports, moduleDefinitions } from '../../dist/core/python/imports/scan.js';
import { modulesFromRecord } from '../../dist/core/python/imports/modules.js';
import { checkImportEdges, createImportCache, LEFT_FOR_NEXT_CHECK } from '../../dist/core/python/imports/check.js';
import { memoryRuntime } from '../support/memoryRuntime.mjs';
import { loadRequirementsTree } from '../../dist/core/python/requirements/requirements.js';
import { inspectPythonEnvironment } from '../../dist/core/python/environment/inspect.js';

/** "line module names guard fn" per import, for compact tables. */
function imports(src) {
  return scanImports(src).map((r) => [r.line, '.'.repeat(r.level) + r.module, r.names ? r.names.join(',') : '-', r.guard ?? '', r.inFunction ? 'fn' : ''].filter((x) => x !== '').join(' '));
}

function defined(src) {
  const d = moduleDefinitions(src);
  return { names: [...d.names].sort(), unknown: d.unknown };
}

describe('tokenizer', () => {
  test('strings, comments and continuations never hide or invent statements', () => {
    const src = [
      's = """',
      'import fake_in_triple',
      '"""',
      "t = 'import nope'  # import comment",
      'u = f"{x!r} {{import y}} {d["k"]}"',
      'v = rb"\\"import raw" ; import real_one',
      'w = (1,',
      '     2)',
      'from a \\',
      '    import b',
      "x = f'''{'''nested'''}'''",
      'import after_all',
    ].join('\n');
    assert.deepEqual(imports(src), ['6 real_one -', '9 a b', '12 after_all -']);
    const statements = tokenizeStatements(src);
    assert.deepEqual(statements.map((s) => s.line), [1, 4, 5, 6, 6, 7, 9, 11, 12]);
  });

  test('one-line compound statements put their body one level deeper', () => {
    const st = tokenizeStatements('if x: import a; import b\nimport c\n');
    assert.deepEqual(st.map((s) => [s.indent, s.tokens.map((t) => t.text).join(' ')]), [[0, 'if x :'], [1, 'import a'], [1, 'import b'], [0, 'import c']]);
  });

  test('a lambda, a slice or a dict in a header is not its colon', () => {
    assert.deepEqual(imports('if (lambda: 1)() and d[1:2] and {1: 2}: import inside\n'), ['1 inside -']);
  });

  test('unterminated strings, CRLF, tabs and an empty file do not throw', () => {
    assert.deepEqual(imports(''), []);
    assert.deepEqual(imports('x = "open\nimport ok\n'), ['2 ok -']);
    assert.deepEqual(imports('try:\r\n\timport a\r\nexcept ImportError:\r\n\tpass\r\n'), ['2 a - try']);
    assert.deepEqual(imports('x = """never closed\nimport hidden\n'), []);
  });
});

describe('import scanner', () => {
  test('the forms of import and from-import', () => {
    const src = ['import a.b as c, d', 'from e.f import (g,', '    h as i,  # note', ')', 'from . import j', 'from ..k.l import m', 'from n import *'].join('\n');
    assert.deepEqual(imports(src), ['1 a.b -', '1 d -', '2 e.f g,h', '5 . j', '6 ..k.l m', '7 n *']);
  });

  test('guards: try/except ImportError (and its handler), TYPE_CHECKING, version checks', () => {
    const src = [
      'try:',
      '    from fast import speedups',
      'except ImportError:',
      '    from slow import speedups',
      'try:',
      '    import needs_key',
      'except KeyError:',
      '    pass',
      'try:',
      '    import broad',
      'except (ValueError, Exception) as e:',
      '    pass',
      'try:',
      '    import bare',
      'except:',
      '    pass',
      'try:',
      '    import mnf',
      'except ModuleNotFoundError:',
      '    pass',
      'else:',
      '    import after_success',
      'if TYPE_CHECKING:',
      '    from typing_only import T',
      'else:',
      '    import runtime_branch',
      'if t.TYPE_CHECKING:',
      '    import te',
      'if sys.version_info >= (3, 11):',
      '    import tomllib',
      'elif PY2:',
      '    import py2',
      'else:',
      '    import tomli',
      'def f():',
      '    import lazy',
      '    try:',
      '        import inner_guarded',
      '    except ImportError:',
      '        return None',
      'class C:',
      '    import in_class',
      'with contextlib.suppress(ImportError):',
      '    import suppressed',
      'with open(x) as f:',
      '    import in_with',
      'if PYNAMODB4:',
      '    import new_api',
      'else:',
      '    import old_api',
    ].join('\n');
    assert.deepEqual(imports(src), [
      '2 fast speedups try',
      '4 slow speedups try',
      '6 needs_key -',
      '10 broad - try',
      '14 bare - try',
      '18 mnf - try',
      '22 after_success -',
      '24 typing_only T type-checking',
      '26 runtime_branch -',
      '28 te - type-checking',
      '30 tomllib - version-check',
      '32 py2 - version-check',
      '34 tomli - version-check',
      '36 lazy - fn',
      '38 inner_guarded - try fn',
      '42 in_class -',
      '44 suppressed - try',
      '46 in_with -',
      '48 new_api - version-check',
      '50 old_api - version-check',
    ]);
  });

  test('a real Flask 2.2.2 signals.py shape: the guarded blinker import', () => {
    const src = 'import typing as t\n\ntry:\n    from blinker import Namespace\n\n    signals_available = True\nexcept ImportError:\n    signals_available = False\n\n    class Namespace:  # type: ignore\n        def signal(self, name): ...\n';
    assert.deepEqual(imports(src), ['1 typing -', '4 blinker Namespace try']);
  });
});

describe('module-level definitions', () => {
  test('def, class, assignments of every shape, import bindings', () => {
    const src = [
      'import os.path',
      'import typing as t',
      'from x import (a, b as c)',
      'def f(): pass',
      'async def g(): pass',
      'class K(Base): pass',
      'p = q = 1',
      'r, (s, *u) = 1, (2, 3)',
      'v: int = 1',
      'annotated_only: int',
      'w += 1',
      'obj.attr = 1',
      'obj[0] = 1',
      'if X:',
      '    in_if = 1',
      'try:',
      '    from ._speed import fast',
      'except ImportError:',
      '    from ._slow import fast as fast',
      'for loop_var in []: pass',
      'with open(x) as (h1, h2), y as h3: pass',
      'def outer():',
      '    local_only = 1',
      'class Holder:',
      '    member = 1',
      "__all__ = ['listed', \"also\"]",
      'eq == 1',
    ].join('\n');
    const d = defined(src);
    assert.equal(d.unknown, undefined);
    assert.deepEqual(d.names, ['Holder', 'outer', 'K', '__all__', 'a', 'also', 'c', 'f', 'fast', 'g', 'h1', 'h2', 'h3', 'in_if', 'listed', 'loop_var', 'os', 'p', 'q', 'r', 's', 't', 'u', 'v', 'w'].sort());
  });

  test('what makes the names unknown', () => {
    assert.match(defined('def __getattr__(name):\n    raise AttributeError(name)\n').unknown, /__getattr__/);
    assert.match(defined('from .impl import *\n').unknown, /imports \* from \.impl/);
    assert.match(defined('lazy_import(globals(), aliases={"X": ".legacy"})\n').unknown, /globals/);
    assert.match(defined('import sys\nsys.modules[__name__].x = 1\n').unknown, /sys\.modules/);
    assert.match(defined('__getattr__ = make_getattr()\n').unknown, /__getattr__/);
    assert.equal(defined('def f():\n    def __getattr__(n): ...\n').unknown, undefined, 'a nested __getattr__ is not the module\'s');
  });

  test('a global declared in a function counts as defined', () => {
    assert.deepEqual(defined('def setup():\n    global late\n    late = 1\n').names, ['late', 'setup']);
  });
});

describe('modules from RECORD', () => {
  test('packages, modules, namespace folders, compiled modules; metadata and scripts left out', () => {
    const record = [
      'pkg/__init__.py,sha256=x,10',
      'pkg/mod.py,,',
      'pkg/sub/deep.py,,',
      'pkg/_speed.cpython-311-x86_64-linux-gnu.so,,',
      'pkg/__pycache__/mod.cpython-311.pyc,,',
      'single.py,,',
      'winmod.cp311-win_amd64.pyd,,',
      'pkg-1.0.dist-info/METADATA,,',
      '../../bin/tool,,',
      'not-a-module/x.py,,',
    ].map((line) => {
      const [path, , size] = line.split(',');
      return { path, size };
    });
    const m = modulesFromRecord(record, 'pkg\nextra_top\n');
    assert.deepEqual([...m.topLevel].sort(), ['extra_top', 'pkg', 'single', 'winmod']);
    assert.deepEqual(Object.fromEntries([...m.modules].map(([k, v]) => [k, v.kind])), {
      pkg: 'source',
      'pkg.mod': 'source',
      'pkg.sub': 'namespace',
      'pkg.sub.deep': 'source',
      'pkg._speed': 'compiled',
      single: 'source',
      winmod: 'compiled',
    });
    assert.equal(m.modules.get('pkg').size, 10);
  });
});

/** A site-packages with distributions { name, version, requires, files: { path: text }, topLevel? }. */
function site(dists) {
  const files = {};
  const root = '/env/lib/python3.11/site-packages';
  const out = [];
  for (const d of dists) {
    const info = `${root}/${d.name}-${d.version}.dist-info`;
    files[`${info}/METADATA`] = `Name: ${d.name}\nVersion: ${d.version}\n\n`;
    files[`${info}/RECORD`] = Object.keys(d.files).map((p) => `${p},,`).concat(`${d.name}-${d.version}.dist-info/RECORD,,`, '').join('\n');
    if (d.topLevel) files[`${info}/top_level.txt`] = d.topLevel;
    for (const [p, text] of Object.entries(d.files)) files[`${root}/${p}`] = text;
    out.push({ name: d.name, normalizedName: d.name, version: d.version, requires: [], path: info, format: 'dist-info' });
  }
  return { runtime: memoryRuntime(files), dists: out };
}

describe('edge check', () => {
  const app = {
    name: 'app',
    version: '1.0',
    files: {
      'app/__init__.py': 'from lib.urls import quote, gone\nfrom lib import sub, moved\nimport lib.missing_mod\ntry:\n    from lib import optional\nexcept ImportError:\n    optional = None\nfrom lib.fast import anything\nfrom lib.dyn import whatever\nfrom other_ns.part import thing\n',
      'app/cli.py': 'def main():\n    from lib.urls import later_gone\n',
      'app/tests/test_x.py': 'from lib import only_in_tests\n',
    },
  };
  const lib = {
    name: 'lib',
    version: '3.0',
    files: {
      'lib/__init__.py': 'from .impl import moved as moved\n',
      'lib/impl.py': 'moved = 1\n',
      'lib/urls.py': 'def quote(s): return s\n',
      'lib/sub.py': '',
      'lib/fast.cpython-311-x86_64-linux-gnu.so': '',
      'lib/dyn.py': 'def __getattr__(name): ...\n',
      'other_ns/lib_part.py': '',
    },
  };
  const other = { name: 'other', version: '1.0', files: { 'other_ns/part.py': 'thing = 1\n' } };

  test('breaks, resolved names, unknowns, guarded imports, tests folders, another distribution\'s module', async () => {
    const { runtime, dists } = site([app, lib, other]);
    const [edge] = await checkImportEdges([[dists[0], dists[1]]], dists, runtime);
    assert.deepEqual(
      edge.breaks.map((b) => `${b.file}:${b.line} ${b.module}${b.name ? `.${b.name}` : ''}${b.inFunction ? ' fn' : ''}`),
      ['app/__init__.py:1 lib.urls.gone', 'app/__init__.py:3 lib.missing_mod', 'app/cli.py:2 lib.urls.later_gone fn'],
    );
    // quote, gone, sub, moved, missing_mod, anything (unknown), whatever (unknown), later_gone; other_ns.part belongs to `other`.
    assert.equal(edge.checked, 8);
    assert.equal(edge.unknown, 2);
    assert.equal(edge.guarded, 1);
    assert.equal(edge.incomplete, undefined);
  });

  test('a warm check reads nothing; a reinstalled distribution is read again', async () => {
    const { runtime, dists } = site([app, lib, other]);
    const cache = createImportCache();
    await checkImportEdges([[dists[0], dists[1]]], dists, runtime, cache);
    const cold = cache.reads;
    assert.ok(cold > 0);
    const readsBefore = runtime.calls.readFile;
    const [again] = await checkImportEdges([[dists[0], dists[1]]], dists, runtime, cache);
    assert.equal(runtime.calls.readFile, readsBefore, 'nothing reread');
    assert.equal(cache.reads, cold);
    assert.equal(again.breaks.length, 3);
    // pip rewrites the metadata folder on reinstall: the new urls.py defines gone.
    runtime.write('/env/lib/python3.11/site-packages/lib/urls.py', 'def quote(s): ...\ndef gone(): ...\ndef later_gone(): ...\n');
    runtime.write('/env/lib/python3.11/site-packages/lib-3.0.dist-info/RECORD', runtime.files.get('/env/lib/python3.11/site-packages/lib-3.0.dist-info/RECORD'));
    const [fixed] = await checkImportEdges([[dists[0], dists[1]]], dists, runtime, cache);
    assert.deepEqual(fixed.breaks.map((b) => b.module), ['lib.missing_mod']);
  });

  test('the file bound leaves files unread and says so, never reporting what it did not read', async () => {
    const { runtime, dists } = site([app, lib, other]);
    const [edge] = await checkImportEdges([[dists[0], dists[1]]], dists, runtime, createImportCache(), { maxFilesPerPackage: 1, maxBytesPerPackage: 1e6, maxFilesPerCheck: 100 });
    assert.match(edge.incomplete, /1 of its 2 source files were not read/);
    assert.ok(edge.breaks.every((b) => b.file === 'app/__init__.py'));
  });

  test('the per-check file budget leaves edges for the next check, which goes on from the cache', async () => {
    const lib2 = { name: 'lib2', version: '1.0', files: { 'lib2/__init__.py': 'from lib.urls import gone\n' } };
    const { runtime, dists } = site([app, lib, other, lib2]);
    const cache = createImportCache();
    const limits = { maxFilesPerPackage: 100, maxBytesPerPackage: 1e6, maxFilesPerCheck: 3 };
    const edges = [[dists[0], dists[1]], [dists[3], dists[1]]];
    const rounds = [];
    for (let round = 0; round < 4; round++) {
      const verdicts = await checkImportEdges(edges, dists, runtime, cache, limits);
      rounds.push(verdicts.map((e) => (e.incomplete === LEFT_FOR_NEXT_CHECK ? 'later' : `${e.breaks.length} breaks`)).join(', '));
    }
    // The first check reads app's 2 files and lib2's, then has no budget left for lib's modules; the second finishes from the cache.
    assert.deepEqual(rounds, ['later, later', '3 breaks, 1 breaks', '3 breaks, 1 breaks', '3 breaks, 1 breaks']);
    const complete = await checkImportEdges(edges, dists, runtime, createImportCache(), { ...limits, maxFilesPerCheck: 1000 });
    assert.deepEqual(complete.map((e) => e.breaks.length), [3, 1], 'the same verdict as an unbounded check');
  });

  test('six.moves-style modules made through sys.modules are unknown, never missing', async () => {
    const user = { name: 'user', version: '1.0', files: { 'user/__init__.py': 'from six.moves import urllib\nimport six.moves.queue\nfrom compat.gen import thing\nfrom compat import real_missing\n' } };
    const six = { name: 'six', version: '1.17.0', files: { 'six.py': 'import sys\nsys.modules[__name__ + ".moves"] = object()\n' } };
    const compat = { name: 'compat', version: '1.0', files: { 'compat/__init__.py': 'import sys\nsys.modules["compat.gen"] = sys\n' } };
    const { runtime, dists } = site([user, six, compat]);
    const [toSix, toCompat] = await checkImportEdges([[dists[0], dists[1]], [dists[0], dists[2]]], dists, runtime);
    assert.deepEqual([toSix.breaks, toSix.unknown, toSix.checked], [[], 2, 2]);
    assert.deepEqual([toCompat.breaks, toCompat.unknown, toCompat.checked], [[], 2, 2]);
  });

  test('an editable B (RECORD holds only a .pth; the package lives elsewhere) is unknown, never a break', async () => {
    const editable = { name: 'lib', version: '3.0', topLevel: 'lib\n', files: { '__editable__.lib-3.0.pth': '/src/lib\n' } };
    const { runtime, dists } = site([app, editable]);
    const [edge] = await checkImportEdges([[dists[0], dists[1]]], dists, runtime);
    assert.deepEqual(edge.breaks, []);
    assert.equal(edge.unknown, edge.checked);
    assert.ok(edge.checked > 0);
  });

  test('a distribution without RECORD or with unreadable files yields no verdict and no throw', async () => {
    const { runtime, dists } = site([app, lib]);
    runtime.write('/env/lib/python3.11/site-packages/lib-3.0.dist-info/RECORD', undefined);
    const [edge] = await checkImportEdges([[dists[0], dists[1]]], dists, runtime);
    assert.deepEqual(edge.breaks, []);
    assert.equal(edge.checked, 0);
  });
});

describe('import-break findings from inspectPythonEnvironment', () => {
  const SITE = '/w/.venv/lib/python3.11/site-packages';
  const HOST = { platform: 'linux', arch: 'x64', searchRoot: '/w' };
  /** A venv of distributions { name, version, requires, files }, RECORD listing the files. */
  function venv(dists) {
    const files = { '/w/.venv/pyvenv.cfg': 'home = /usr/bin\ninclude-system-site-packages = false\nversion = 3.11.7\n' };
    for (const d of dists) {
      const info = `${d.name.replace(/-/g, '_')}-${d.version}.dist-info`;
      files[`${SITE}/${info}/METADATA`] = ['Metadata-Version: 2.1', `Name: ${d.name}`, `Version: ${d.version}`, ...(d.requires ?? []).map((r) => `Requires-Dist: ${r}`), '', ''].join('\n');
      files[`${SITE}/${info}/RECORD`] = [...Object.keys(d.files), `${info}/METADATA`, `${info}/RECORD`].map((p) => `${p},,`).join('\n') + '\n';
      for (const [p, text] of Object.entries(d.files)) files[`${SITE}/${p}`] = text;
    }
    return memoryRuntime(files);
  }
  const web = { name: 'webapp', version: '2.0', requires: ['toolkit>=1'], files: { 'webapp/__init__.py': 'from toolkit.urls import quote_url\n' } };
  const toolkit = { name: 'toolkit', version: '3.0', files: { 'toolkit/__init__.py': '', 'toolkit/urls.py': 'def iri(x): return x\n' } };
  const oldToolkit = { ...toolkit, version: '2.0', files: { ...toolkit.files, 'toolkit/urls.py': 'def iri(x): return x\ndef quote_url(x): return x\n' } };
  const framework = { name: 'framework', version: '1.0', requires: ['webapp'], files: { 'framework/__init__.py': 'import webapp\n' } };

  async function inspect(requirementsText, dists, host = HOST) {
    const runtime = venv(dists);
    const manifests = await loadRequirementsTree('/w/requirements.txt', async (p) => (p === '/w/requirements.txt' ? requirementsText : undefined), { env: {} });
    return inspectPythonEnvironment(manifests, 'requirements', runtime, host);
  }

  test('on the line of A and on the line of B when B is declared, with the evidence in the hover facts', async () => {
    const state = await inspect('webapp==2.0\ntoolkit==3.0\n', [web, toolkit]);
    const breaks = state.findings.filter((f) => f.code === 'import-break');
    assert.deepEqual(breaks.map((f) => `${f.package}@${f.range.start.line}`), ['webapp@0', 'toolkit@1']);
    const message = 'webapp 2.0 imports `toolkit.urls.quote_url` (webapp/__init__.py:1), which toolkit 3.0 does not define, so `import webapp` fails with ImportError. Install a toolkit version that still has it, or a webapp release that no longer imports it.';
    assert.deepEqual(breaks.map((f) => f.message), [message, message]);
    assert.equal(breaks[0].severity, 'warning');
    assert.deepEqual(state.packages.get('toolkit').imports, [message]);
    assert.deepEqual(state.packages.get('webapp').imports, [message]);
  });

  test('a dependency of a dependency: on the line that brings A in, naming the chain', async () => {
    const state = await inspect('framework\n', [framework, web, toolkit]);
    const [finding] = state.findings.filter((f) => f.code === 'import-break');
    assert.equal(finding.package, 'framework');
    assert.match(finding.message, /^webapp 2\.0 \(which framework brings in: framework → webapp\) imports `toolkit\.urls\.quote_url`/);
  });

  test('no break: the hover says every import resolves; the setting turns the check off', async () => {
    const state = await inspect('webapp==2.0\ntoolkit==2.0\n', [web, oldToolkit]);
    assert.deepEqual(state.findings.filter((f) => f.code === 'import-break'), []);
    assert.deepEqual(state.packages.get('toolkit').imports, ['Every import of toolkit by webapp 2.0 resolves in toolkit 2.0 (1 checked).']);
    const off = await inspect('webapp==2.0\ntoolkit==3.0\n', [web, toolkit], { ...HOST, importChecks: { enabled: false, maxFilesPerPackage: 1000, maxFilesPerCheck: 4000 } });
    assert.deepEqual(off.findings.filter((f) => f.code === 'import-break'), []);
    assert.equal(off.packages.get('toolkit').imports, undefined);
  });

  test('a break only inside a function is information, and module-level breaks are named first', async () => {
    const lazy = { name: 'webapp', version: '2.0', requires: ['toolkit>=1'], files: { 'webapp/__init__.py': 'def never_called():\n    from toolkit.urls import quote_url\n' } };
    const state = await inspect('webapp\n', [lazy, toolkit]);
    const [finding] = state.findings.filter((f) => f.code === 'import-break');
    assert.equal(finding.severity, 'information');
    assert.match(finding.message, /\(webapp\/__init__\.py:2, inside a function\), which toolkit 3\.0 does not define, so the code that holds it fails with ImportError when it runs\./);
    const both = { ...lazy, files: { 'webapp/__init__.py': 'def never_called():\n    from toolkit.urls import quote_url\nfrom toolkit.urls import other_gone\n' } };
    const [second] = (await inspect('webapp\n', [both, toolkit])).findings.filter((f) => f.code === 'import-break');
    assert.equal(second.severity, 'warning');
    assert.match(second.message, /^webapp 2\.0 imports `toolkit\.urls\.other_gone` \(webapp\/__init__\.py:3\), .* It also imports `toolkit\.urls\.quote_url` \(webapp\/__init__\.py:2, inside a function\)/);
  });

  test('an extra-only requirement counts as an edge when its target is installed', async () => {
    const server = { name: 'server', version: '1.0', requires: ['toolkit>=1; extra == "standard"'], files: { 'server/__init__.py': 'from toolkit.urls import quote_url\n' } };
    const state = await inspect('server\n', [server, toolkit]);
    assert.equal(state.findings.filter((f) => f.code === 'import-break').length, 1);
  });
});
