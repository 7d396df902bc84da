// The installed Python environment against the manifests, over an in-memory file system: reading
// METADATA, RECORD and egg-info, finding the environment, pip check's rules, and the three drift
// findings (not-installed, installed-mismatch, installed-conflict) with their ranges and messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { memoryRuntime } from '../support/memoryRuntime.mjs';
import { parseDistMetadata, parseRecord, requiresFromRequiresTxt, parseInstalledRequirement, readDistribution } from '../../dist/core/python/environment/distInfo.js';
import { findPythonEnvironment, parsePyvenvCfg } from '../../dist/core/python/environment/location.js';
import { createEnvironmentCache, readInstalledEnvironment } from '../../dist/core/python/environment/installed.js';
import { checkInstalledSet, describeProblem, installedMarkerEnvironment } from '../../dist/core/python/environment/pipCheck.js';
import { checkInstalled } from '../../dist/core/python/environment/drift.js';
import { inspectPythonEnvironment, installPlanFor, projectNameOf } from '../../dist/core/python/environment/inspect.js';
import { loadRequirementsTree } from '../../dist/core/python/requirements/requirements.js';
import { parsePyproject } from '../../dist/core/python/pyproject/pyproject.js';

const SITE = '/w/.venv/lib/python3.11/site-packages';
const CFG = 'home = /usr/bin\ninclude-system-site-packages = false\nversion = 3.11.7\n';
const HOST = { platform: 'linux', arch: 'x64', searchRoot: '/w' };

/** METADATA text for a distribution. */
function metadata(name, version, requires = [], extra = '') {
  return ['Metadata-Version: 2.1', `Name: ${name}`, `Version: ${version}`, ...requires.map((r) => `Requires-Dist: ${r}`), extra, '', 'Body text.', 'Requires-Dist: not-a-header'].join('\n');
}

/** Files of a dist-info folder, RECORD included. */
function distInfo(name, version, requires = [], site = SITE) {
  const dir = `${site}/${name.replace(/-/g, '_')}-${version}.dist-info`;
  return {
    [`${dir}/METADATA`]: metadata(name, version, requires),
    [`${dir}/RECORD`]: `${name}/__init__.py,sha256=AAAA,10\n${name.replace(/-/g, '_')}-${version}.dist-info/RECORD,,\n`,
  };
}

function venv(dists, extra = {}) {
  return memoryRuntime({ '/w/.venv/pyvenv.cfg': CFG, ...Object.assign({}, ...dists.map((d) => distInfo(...d))), ...extra });
}

async function requirements(text, files = {}) {
  return loadRequirementsTree('/w/requirements.txt', async (p) => (p === '/w/requirements.txt' ? text : files[p]), { env: {} });
}

async function inspect(text, dists, extra = {}) {
  const runtime = venv(dists, extra);
  const manifests = await requirements(text, extra);
  return inspectPythonEnvironment(manifests, 'requirements', runtime, HOST);
}

const codes = (state) => state.findings.map((f) => `${f.code} ${f.package} ${f.range.start.line}:${f.range.start.character}-${f.range.end.character}`);

test('METADATA: folded headers, Requires-Dist with extras and markers, the body is never read', () => {
  const text = 'Metadata-Version: 2.1\r\nName: Foo.Bar\r\nVersion: 1.0\r\nSummary: one\r\n  continued\r\nRequires-Dist: uvicorn[standard] (>=0.30) ;\r\n python_version >= "3.8"\r\nRequires-Dist: idna\r\n\r\nRequires-Dist: body\r\n';
  const meta = parseDistMetadata(text);
  assert.equal(meta.name, 'Foo.Bar');
  assert.equal(meta.version, '1.0');
  assert.deepEqual(meta.requiresDist, ['uvicorn[standard] (>=0.30) ; python_version >= "3.8"', 'idna']);
  const req = parseInstalledRequirement(meta.requiresDist[0]);
  assert.equal(req.normalizedName, 'uvicorn');
  assert.deepEqual(req.extras, ['standard']);
  assert.equal(req.specifier, '>=0.30');
  assert.ok(req.marker);
  assert.ok('error' in parseInstalledRequirement('foo >= '));
  assert.deepEqual(parseDistMetadata('Name: x\n').requiresDist, []);
  assert.equal(parseDistMetadata('not a header\nName: x\n').name, undefined);
});

test('RECORD: CSV quoting, empty hash and size, and each kind of malformed row', () => {
  const ok = parseRecord('pkg/a.py,sha256=abc-_,12\n"pkg/with,comma.py",sha256=x,3\n"pkg/""q"".py",,\npkg-1.0.dist-info/RECORD,,\n\n');
  assert.equal(ok.ok, true);
  assert.deepEqual(ok.entries.map((e) => e.path), ['pkg/a.py', 'pkg/with,comma.py', 'pkg/"q".py', 'pkg-1.0.dist-info/RECORD']);
  const bad = (text) => {
    const r = parseRecord(text);
    assert.equal(r.ok, false, text);
    return `${r.line}: ${r.message}`;
  };
  assert.equal(bad('a.py,sha256=x,1\nb.py,sha256=x\n'), '2: it has 2 fields where a RECORD row has 3 (path, hash, size)');
  assert.match(bad('a.py,md5,1\n'), /^1: "md5" is not a hash/);
  assert.match(bad('a.py,sha256=x,12kb\n'), /^1: "12kb" is not a size/);
  assert.match(bad('"a.py,sha256=x,1\n'), /^1: a quoted field is not closed/);
  assert.match(bad(',sha256=x,1\n'), /the path is empty/);
});

test('egg-info requires.txt sections become markers as pip converts them', () => {
  const text = 'requests>=2\n\n[:python_version < "3.8"]\nimportlib-metadata\n[Socks Proxy]\nPySocks\n[security:sys_platform == "win32"]\npywin32\n';
  assert.deepEqual(requiresFromRequiresTxt(text), [
    'requests>=2',
    'importlib-metadata ; python_version < "3.8"',
    'PySocks ; extra == "socks_proxy"',
    'pywin32 ; (sys_platform == "win32") and extra == "security"',
  ]);
});

test('pyvenv.cfg keys; the environment: selected interpreter, else .venv or venv up to the search root', async () => {
  assert.equal(parsePyvenvCfg('Home = /x\nversion_info = 3.12.1.final.0\n').get('home'), '/x');
  const runtime = memoryRuntime({
    '/sel/pyvenv.cfg': 'version = 3.12.1\n', '/sel/lib/python3.12/site-packages/a-1.dist-info/METADATA': metadata('a', '1'),
    '/w/venv/pyvenv.cfg': CFG, '/w/venv/lib/python3.11/site-packages/x': '',
    '/w/app/.venv/pyvenv.cfg': 'version_info = 3.10.4.final.0\n', '/w/app/.venv/lib/python3.10/site-packages/x': '',
    '/base/lib/python3.11/site-packages/b-1.dist-info/METADATA': metadata('b', '1'),
    '/sys/pyvenv.cfg': 'home = /base/bin\ninclude-system-site-packages = true\nversion = 3.11.2\n', '/sys/lib/python3.11/site-packages/x': '',
    '/win/pyvenv.cfg': 'home = C:/Python311\nversion = 3.11.9\n', '/win/Lib/site-packages/x': '', '/win/Scripts/python.exe': '',
  });
  const selected = await findPythonEnvironment('/w/app/requirements.txt', { ...HOST, selectedPython: { version: '3.12.1', path: '/sel/bin/python' } }, runtime);
  assert.deepEqual([selected.prefix, selected.origin, selected.pythonVersion, selected.sitePackages], ['/sel', 'selected', '3.12.1', ['/sel/lib/python3.12/site-packages']]);
  const notVenv = await findPythonEnvironment('/w/app/requirements.txt', { ...HOST, selectedPython: { version: '3.11', path: '/usr/bin/python3' } }, runtime);
  assert.deepEqual([notVenv.prefix, notVenv.display, notVenv.pythonVersion], ['/w/app/.venv', 'app/.venv', '3.10.4']);
  const up = await findPythonEnvironment('/w/lib/requirements.txt', HOST, runtime);
  assert.deepEqual([up.prefix, up.display], ['/w/venv', 'venv']);
  assert.equal(await findPythonEnvironment('/elsewhere/requirements.txt', { ...HOST, searchRoot: '/elsewhere' }, runtime), undefined);
  const withSystem = await findPythonEnvironment('/q/requirements.txt', { ...HOST, selectedPython: { version: '3.11.2', path: '/sys/bin/python' } }, runtime);
  assert.deepEqual(withSystem.sitePackages, ['/sys/lib/python3.11/site-packages', '/base/lib/python3.11/site-packages']);
  const windows = await findPythonEnvironment('/q/requirements.txt', { ...HOST, selectedPython: { version: '3.11.9', path: '/win/Scripts/python.exe' } }, runtime);
  assert.deepEqual(windows.sitePackages, ['/win/Lib/site-packages']);
});

test('the inventory: names normalised, first found wins, egg-info folders and files, .pth folders', async () => {
  const runtime = venv([['PyYAML', '6.0.2'], ['typing_extensions', '4.12.0']], {
    [`${SITE}/legacy.egg-info/PKG-INFO`]: 'Metadata-Version: 1.1\nName: Legacy.Pkg\nVersion: 0.9\n',
    [`${SITE}/legacy.egg-info/requires.txt`]: 'six\n[fast]\nuvloop\n',
    [`${SITE}/single-1.0-py3.11.egg-info`]: 'Metadata-Version: 1.0\nName: single\nVersion: 1.0\n',
    [`${SITE}/develop.pth`]: '# a comment\nimport os; os.environ\n../../../src\n/nowhere\n',
    '/w/.venv/src/mine.egg-info/PKG-INFO': 'Metadata-Version: 2.1\nName: mine\nVersion: 0.1.dev0\n',
    '/w/.venv/src/pyyaml-5.0.dist-info/METADATA': metadata('pyyaml', '5.0'),
  });
  const location = await findPythonEnvironment('/w/requirements.txt', HOST, runtime);
  const env = await readInstalledEnvironment(location, runtime);
  const inventory = [...env.distributions.values()].map((d) => `${d.normalizedName}=${d.name} ${d.version} ${d.format}`).sort();
  assert.deepEqual(inventory, ['legacy-pkg=Legacy.Pkg 0.9 egg-info', 'mine=mine 0.1.dev0 egg-info', 'pyyaml=PyYAML 6.0.2 dist-info', 'single=single 1.0 egg-info', 'typing-extensions=typing_extensions 4.12.0 dist-info']);
  assert.deepEqual(env.distributions.get('legacy-pkg').requires.map((r) => r.raw), ['six', 'uvloop ; extra == "fast"']);
  assert.deepEqual(env.shadowed.map((d) => d.version), ['5.0']);
  assert.match(env.notes.join('\n'), /PyYAML has a second metadata folder, \.venv\/src\/pyyaml-5\.0\.dist-info \(5\.0\); pip uses \.venv\/lib\/python3\.11\/site-packages\/PyYAML-6\.0\.2\.dist-info \(6\.0\.2\)/);
});

test('malformed metadata becomes a note, never a crash; pip check leaves out a distribution it cannot parse', async () => {
  const runtime = venv([['app', '1.0', ['broken', 'lib>=1']], ['broken', '2.0', ['ok >= ']], ['lib', '1.0']], {
    [`${SITE}/noname-1.0.dist-info/METADATA`]: 'Metadata-Version: 2.1\nVersion: 1.0\n',
    [`${SITE}/noversion-1.0.dist-info/METADATA`]: 'Metadata-Version: 2.1\nName: noversion\n',
    [`${SITE}/empty-1.0.dist-info/RECORD`]: '',
    [`${SITE}/badrecord-1.0.dist-info/METADATA`]: metadata('badrecord', '1.0'),
    [`${SITE}/badrecord-1.0.dist-info/RECORD`]: 'x.py,sha256=a,1\nx.py\n',
    [`${SITE}/norecord-1.0.dist-info/METADATA`]: metadata('norecord', '1.0'),
  });
  const location = await findPythonEnvironment('/w/requirements.txt', HOST, runtime);
  const env = await readInstalledEnvironment(location, runtime);
  const notes = env.notes.join('\n');
  assert.match(notes, /noname-1\.0\.dist-info was skipped because its metadata has no Name header; pip skips it too\./);
  assert.match(notes, /noversion-1\.0\.dist-info was skipped because its metadata has no Version header/);
  assert.match(notes, /empty-1\.0\.dist-info was skipped because it has no METADATA file/);
  assert.match(notes, /badrecord 1\.0 \(.*\): its RECORD is malformed at line 2: it has 1 field where a RECORD row has 3/);
  assert.match(notes, /norecord 1\.0 \(.*\): it has no RECORD file, so pip cannot uninstall or upgrade it cleanly\./);
  assert.match(notes, /broken 2\.0: Requires-Dist "ok >=" is not a valid requirement/);
  const problems = checkInstalledSet(env, installedMarkerEnvironment('3.11.7', 'linux', 'x64')).map(describeProblem);
  assert.deepEqual(problems, ['app 1.0 requires broken, which is not installed.']);
  assert.ok(env.distributions.has('broken'), 'the inventory (pip list) still shows it');
});

test('mutated METADATA and RECORD never throw', async () => {
  const base = metadata('pkg', '1.0', ['a[x]>=1; python_version < "3.12"', 'b']);
  const record = 'pkg/__init__.py,sha256=AAAA,10\n"q,uoted",,\n';
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
  for (let i = 0; i < 400; i++) {
    const mutate = (s) => {
      const chars = [...s];
      for (let k = 0; k < 1 + (next() % 6); k++) chars.splice(next() % (chars.length + 1), next() % 3, String.fromCharCode(next() % 128));
      return chars.join('');
    };
    const runtime = memoryRuntime({ '/d/pkg-1.0.dist-info/METADATA': mutate(base), '/d/pkg-1.0.dist-info/RECORD': mutate(record) });
    const read = await readDistribution('/d/pkg-1.0.dist-info', 'dir', runtime);
    assert.equal(typeof read.ok, 'boolean');
    parseRecord(mutate(record));
  }
});

test('not-installed: on the line, only when the marker applies; constraints and guessed names are not expected', async () => {
  const text = 'fastapi>=0.100\nidna ; python_version < "3.8"\nwebsockets==14.2 ; sys_platform == "linux"\n-e .\nfoo @ https://x/foo-1.0-py3-none-any.whl\n-c constraints.txt\n';
  const state = await inspect(text, [['fastapi', '0.115.0']], { '/w/constraints.txt': 'anyio<5\n' });
  assert.deepEqual(codes(state), ['not-installed websockets 2:0-42', 'not-installed foo 4:0-40']);
  assert.equal(state.findings[0].message, 'websockets==14.2 is not installed in .venv. Run `pip install -r requirements.txt` to install it.');
  assert.equal(state.findings[0].severity, 'warning');
  assert.deepEqual(state.sources, ['.venv: Python 3.11.7, 1 distribution']);
  assert.equal(state.packages.get('fastapi').installed, '0.115.0');
});

test('installed-mismatch: on the specifier; installed pre-releases count as pip check counts them; constraints too', async () => {
  const text = 'websockets==14.2\nanyio>=4\nrich>=13\n-c constraints.txt\n';
  const state = await inspect(text, [['websockets', '15.0.1'], ['anyio', '4.1.0rc1'], ['rich', '13.7.0'], ['idna', '3.7']], { '/w/constraints.txt': 'idna<3\nsniffio<1\n' });
  assert.deepEqual(codes(state), ['installed-mismatch websockets 0:10-16', 'installed-mismatch idna 0:4-6']);
  assert.equal(state.findings[0].message, '.venv has websockets 15.0.1 installed, which does not satisfy ==14.2. Run `pip install -r requirements.txt` to install a matching version.');
  assert.equal(state.findings[1].path, '/w/constraints.txt');
  assert.match(state.findings[1].message, /which does not satisfy the constraint <3\./);
});

test("extras: a missing requirement of uvicorn[standard] names the extra; a wrong version is a mismatch on [standard]", async () => {
  const uvicorn = ['click>=7.0', 'h11>=0.8', 'websockets>=10.4; extra == "standard"', 'httptools>=0.5.0; extra == "standard"', 'uvloop>=0.14; sys_platform == "win32" and extra == "standard"'];
  const state = await inspect('uvicorn[standard]==0.30.0\n', [['uvicorn', '0.30.0', uvicorn], ['click', '8.1.7'], ['h11', '0.14.0'], ['httptools', '0.4.0']]);
  assert.deepEqual(codes(state).sort(), ['installed-mismatch uvicorn 0:7-17', 'not-installed uvicorn 0:7-17']);
  const missing = state.findings.find((f) => f.code === 'not-installed');
  assert.equal(missing.message, 'websockets is not installed in .venv, but uvicorn 0.30.0 requires websockets>=10.4 for its extra "standard". Run `pip install -r requirements.txt` to install it.');
  const wrong = state.findings.find((f) => f.code === 'installed-mismatch');
  assert.equal(wrong.message, '.venv has httptools 0.4.0 installed, but uvicorn 0.30.0 requires httptools>=0.5.0 for its extra "standard". Run `pip install -r requirements.txt` to install a matching version.');
  assert.deepEqual(state.check.problems, [], 'pip check looks at no extras');
});

test('installed-conflict: what pip check reports, on the line that brings the distribution in, with the chain', async () => {
  const text = 'supabase==2.15.3\nwebsockets==15.0.1\n';
  const state = await inspect(text, [
    ['supabase', '2.15.3', ['realtime<2.5.0,>=2.4.0', 'postgrest']],
    ['realtime', '2.4.3', ['websockets<15,>=11', 'aiohttp>=3.11 ; python_version >= "3.9"', 'typing-extensions ; python_version < "3.8"']],
    ['websockets', '15.0.1'],
    ['httpx', '0.28.1', ['httpcore==1.*', 'anyio']],
    ['anyio', '4.0'],
  ]);
  assert.deepEqual(state.check.problems.map(describeProblem).sort(), [
    'httpx 0.28.1 requires httpcore, which is not installed.',
    'realtime 2.4.3 has requirement websockets<15,>=11, but you have websockets 15.0.1.',
    'realtime 2.4.3 requires aiohttp, which is not installed.',
    'supabase 2.15.3 requires postgrest, which is not installed.',
  ]);
  assert.deepEqual(codes(state), ['installed-conflict supabase 0:0-16', 'installed-conflict supabase 0:0-16', 'installed-conflict supabase 0:0-16']);
  const messages = state.findings.map((f) => f.message);
  assert.ok(messages.includes('realtime 2.4.3 (which supabase brings in: supabase → realtime) requires websockets<15,>=11, but .venv has websockets 15.0.1. Run `pip install -r requirements.txt` to install a consistent set.'), messages.join('\n'));
  assert.ok(messages.includes('supabase 2.15.3 requires postgrest, which is not installed in .venv. Run `pip install -r requirements.txt` to install it.'));
  assert.deepEqual(state.check.unplaced.map(describeProblem), ['httpx 0.28.1 requires httpcore, which is not installed.']);
  assert.match(state.skipped.join('\n'), /pip check would report 1 problem in \.venv that no manifest line brings in: httpx 0\.28\.1 requires httpcore/);
});

test("a pyproject project's own installed metadata: its problems go on the dependency line, once", async () => {
  const text = '[project]\nname = "My_App"\nversion = "0.1"\ndependencies = [\n  "rich>=13",\n  "click",\n]\n[dependency-groups]\ndev = ["pytest"]\n';
  const runtime = venv([['my-app', '0.1', ['rich>=13', 'click']], ['rich', '12.0'], ['pytest', '8.0']], { '/w/pyproject.toml': text });
  const manifests = [parsePyproject(text, '/w/pyproject.toml')];
  assert.equal(projectNameOf(text), 'my-app');
  const state = await inspectPythonEnvironment(manifests, 'pyproject', runtime, HOST);
  assert.deepEqual(codes(state), ['installed-mismatch rich 4:7-11', 'not-installed click 5:2-9']);
  assert.match(state.findings[1].message, /Run `pip install -e \.` to install it\./);
  assert.equal(state.check.problems.length, 2);
  assert.equal(state.check.unplaced.length, 0);
});

test('the command: pip -r for requirements, uv sync with uv.lock, poetry install with poetry.lock, else pip install -e', async () => {
  const text = '[project]\nname = "x"\ndependencies = ["a"]\n[project.optional-dependencies]\nextra = ["b"]\n[dependency-groups]\ndev = ["c"]\nlint = ["d"]\n';
  const manifests = [parsePyproject(text, '/w/app/pyproject.toml')];
  const byDep = (plan) => manifests[0].dependencies.filter((d) => plan.installs(d)).map((d) => d.name).join(',');
  const plain = await installPlanFor(manifests, 'pyproject', memoryRuntime({}), { displayPath: (p) => p.replace('/w/', '') });
  assert.deepEqual([plain.command, byDep(plain)], ['pip install -e app', 'a']);
  const uv = await installPlanFor(manifests, 'pyproject', memoryRuntime({ '/w/app/uv.lock': '' }), {});
  assert.deepEqual([uv.command, byDep(uv)], ['uv sync', 'a,c']);
  const poetry = await installPlanFor(manifests, 'pyproject', memoryRuntime({ '/w/app/poetry.lock': '' }), {});
  assert.equal(poetry.command, 'poetry install');
  const reqs = await installPlanFor(await requirements('a\n'), 'requirements', memoryRuntime({}), { displayPath: () => 'my reqs/requirements.txt' });
  assert.equal(reqs.command, 'pip install -r "my reqs/requirements.txt"');
});

test('no environment: no drift findings and a note saying so', async () => {
  const runtime = memoryRuntime({});
  const state = await inspectPythonEnvironment(await requirements('a\n'), 'requirements', runtime, { ...HOST, selectedPython: { version: '3.11', path: '/usr/bin/python3' } });
  assert.deepEqual(state.findings, []);
  assert.deepEqual(state.skipped, ['No Python environment was found (no .venv or venv in . or the folders above it, up to the workspace, and the selected interpreter /usr/bin/python3 is not in a virtual environment), so installed versions are not checked there.']);
});

test('an in-sync environment is silent', async () => {
  const state = await inspect('uvicorn[standard]>=0.30\nclick\n', [
    ['uvicorn', '0.30.0', ['click>=7.0', 'websockets>=10.4; extra == "standard"', 'colorama; sys_platform == "win32"']],
    ['click', '8.1.7'],
    ['websockets', '14.2'],
  ]);
  assert.deepEqual(state.findings, []);
  assert.deepEqual(state.skipped, []);
});

test('credentials in a direct URL never reach the inventory', async () => {
  const runtime = venv([['private', '1.0']], {
    [`${SITE}/private-1.0.dist-info/RECORD`]: 'private-1.0.dist-info/direct_url.json,,\n',
    [`${SITE}/private-1.0.dist-info/direct_url.json`]: '{"url": "https://user:s3cret@git.example/p.git", "dir_info": {"editable": true}}',
  });
  const env = await readInstalledEnvironment(await findPythonEnvironment('/w/requirements.txt', HOST, runtime), runtime);
  const dist = env.distributions.get('private');
  assert.equal(dist.directUrl, 'https://git.example/p.git');
  assert.equal(dist.editable, true);
  const bad = venv([['leaky', '1.0', ['x @ https://tok:s3cret@idx.example/x.whl ; ']]]);
  const state = await inspectPythonEnvironment(await requirements('y @ https://u:s3cret@h.example/y.whl ; platform_release > "5"\n'), 'requirements', bad, HOST);
  assert.ok(state.skipped.length === 2 && !state.skipped.join(' ').includes('s3cret'), state.skipped.join('\n'));
});

test('the cache rereads only metadata folders whose mtime changed, and forgets removed ones', async () => {
  const dists = Array.from({ length: 1000 }, (_, i) => [`pkg${i}`, '1.0', i > 0 ? [`pkg${i - 1}>=1`] : []]);
  const runtime = venv(dists);
  const manifests = await requirements('pkg999\n');
  const cache = createEnvironmentCache();
  const cold = await inspectPythonEnvironment(manifests, 'requirements', runtime, HOST, cache);
  assert.equal(cache.reads, 1000);
  assert.equal(cold.sources[0], '.venv: Python 3.11.7, 1000 distributions');
  const warm = await inspectPythonEnvironment(manifests, 'requirements', runtime, HOST, cache);
  assert.equal(cache.reads, 1000, 'nothing reread');
  assert.deepEqual(warm.findings, []);
  runtime.write(`${SITE}/pkg5-1.0.dist-info/METADATA`, metadata('pkg5', '1.0', ['pkg4>=2']));
  runtime.write(`${SITE}/pkg7-1.0.dist-info/METADATA`, undefined);
  runtime.write(`${SITE}/pkg7-1.0.dist-info/RECORD`, undefined);
  const edited = await inspectPythonEnvironment(manifests, 'requirements', runtime, HOST, cache);
  assert.equal(cache.reads, 1001, 'only the changed folder is read again');
  assert.deepEqual(edited.check.problems.map(describeProblem).sort(), ['pkg5 1.0 has requirement pkg4>=2, but you have pkg4 1.0.', 'pkg8 1.0 requires pkg7, which is not installed.']);
  // pkg7 is gone, so the walk from pkg999 stops at pkg8: pkg5's problem is no line's.
  assert.deepEqual(codes(edited), ['installed-conflict pkg999 0:0-6']);
  assert.deepEqual(edited.check.unplaced.map(describeProblem), ['pkg5 1.0 has requirement pkg4>=2, but you have pkg4 1.0.']);
  assert.equal(cache.folders.get(SITE).size, 999);
});
