// `pinsight check` and `pinsight list`: the same core as the language server, for CI and other editors.
import { redact } from './core/redact';
import { statSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, relative, resolve, sep } from 'node:path';
import { analyzeManifest, type Analysis } from './core/project/analyze';
import { runFixStage, runLaterStage, runStages } from './core/project/stages';
import { checkSummaryLines, formatCheckJson, formatListJson, formatListText, mergeFindings, type ListedFile } from './core/insight/report';
import { detectManifestKind } from './core/project/detect';
import { TextProgress } from './core/insight/textProgress';
import { findInconsistentPins, findManifests } from './core/project/workspace';
import { isRuleFile, ruleFileFindings } from './core/project/teamRules';
import type { ManifestKind } from './core/model';
import type { HostEnvironment } from './core/ecosystem';
import type { Runtime } from './core/runtime';
import { cacheDirOf, parseCliArgs, UsageError, USAGE, type CliOptions } from './cliArgs';
import { createHostRegistries, type HostRegistries } from './node/registries';
import { hostPlatform } from './node/host';
import { createNodeRuntime } from './node/runtime';
import { checkDeadline } from './node/clock';
import { machineEngines } from './node/engines';
import { loadSnapshot } from './node/snapshotTransport';
import { defaultSettings } from '../../common/settings';

const VERSION = '0.1.0';

/** An explicitly named file is read whatever its name, by the kind its extension suggests. */
function kindOfNamedFile(path: string): ManifestKind {
  const detected = detectManifestKind(path);
  if (detected) return detected;
  const ext = extname(path).toLowerCase();
  if (ext === '.json') return 'package.json';
  if (ext === '.toml') return 'pyproject';
  return 'requirements';
}

async function collectTargets(paths: string[], runtime: Runtime, ruleFiles: string[] = []): Promise<Array<{ path: string; kind: ManifestKind }>> {
  const targets: Array<{ path: string; kind: ManifestKind }> = [];
  for (const p of paths) {
    const full = resolve(p);
    let stat;
    try {
      stat = statSync(full);
    } catch {
      throw new UsageError(`No such file or folder: ${p}`);
    }
    if (stat.isDirectory()) {
      const found = await findManifests(full, runtime, undefined, ruleFiles);
      for (const f of found.paths) targets.push({ path: f, kind: detectManifestKind(f)! });
      if (found.truncated) process.stderr.write(`pinsight: ${displayPath(full)} holds more manifests than are read at once; only the first ${found.paths.length} are checked.\n`);
    } else if (isRuleFile(full)) {
      // A rule file named on its own is checked on its own: it holds no dependencies.
      ruleFiles.push(full);
    } else {
      targets.push({ path: full, kind: kindOfNamedFile(full) });
    }
  }
  return targets;
}

function displayPath(p: string): string {
  const rel = relative(process.cwd(), p);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel.split(sep).join('/') : p;
}

/** What the command line says of the environment; each wing picks its target from it (the server's rule). */
function hostFor(options: CliOptions): HostEnvironment {
  return {
    pythonVersion: options.pythonVersion ? { version: options.pythonVersion, source: '--python-version' } : undefined,
    platform: options.platform ?? hostPlatform(),
    arch: options.platform ? undefined : process.arch,
    searchRoot: process.cwd(),
    displayPath,
    machine: { platform: hostPlatform(), arch: process.arch },
    engines: machineEngines,
    // One run of the CLI has no next check to go on: it reads what the environment needs.
    importChecks: {
      ...defaultSettings.importChecks,
      enabled: !options.noImportChecks,
      maxFilesPerCheck: 1_000_000,
      ...(options.importTimeoutSeconds !== undefined ? { timeoutSeconds: options.importTimeoutSeconds } : {}),
      ...(options.importMaxBytes !== undefined ? { maxBytesPerCheck: options.importMaxBytes } : {}),
    },
  };
}

function makeRegistries(options: CliOptions, runtime: Runtime): HostRegistries {
  return createHostRegistries({
    settings: { indexUrl: options.indexUrl, extraIndexUrls: options.extraIndexUrls, npmRegistry: options.registry, origin: 'cli', isolated: options.isolated },
    cacheDir: cacheDirOf(options, process.env),
    // One run, nothing else on the loop: blocking reads of small entries beat the thread pool's hops.
    blockingCacheReads: true,
    // Nor does a response wait for its disk write: registries.close() waits for them before the exit.
    writeBehindCache: true,
    offline: options.offline,
    snapshot: options.registrySnapshot ? resolve(options.registrySnapshot) : undefined,
    env: options.isolated ? {} : process.env,
    readFile: (p) => runtime.readFile(p),
  });
}

async function runCheck(options: CliOptions, analyses: Analysis[], runtime: Runtime): Promise<number> {
  const explanations: Array<{ path: string; lines: string[] }> = [];
  const resolutions: Array<{ path: string; target?: string; packages: Record<string, string> }> = [];
  const skipped: string[] = [];
  const absent = new Set<string>();
  const incomplete: string[] = [];
  let failed = false;
  const registries = !options.noRegistry && analyses.length > 0 ? makeRegistries(options, runtime) : undefined;
  if (options.noRegistry) skipped.push('registry checks and resolution (--no-registry)');
  // One limit for the whole run: a hanging index must not hold a CI job for minutes per request.
  const deadline = checkDeadline(options.timeoutSeconds, '--timeout');
  // Text goes out as it becomes known: each manifest's verdict first, its fixes when the search ends.
  // JSON is one document, written when everything is known.
  const progress = options.format === 'json' ? undefined : new TextProgress((text) => process.stdout.write(text), displayPath);
  try {
    const host = hostFor(options);
    for (const analysis of analyses) {
      let result = await runStages(analysis, runtime, registries?.project, { host, allowPrereleases: options.pre || undefined, deadline, outdated: options.outdated, stageFixes: progress !== undefined });
      const show = () => progress?.show([{ ...analysis, findings: [...analysis.findings, ...result.findings] }]);
      show();
      if (result.fixes) {
        result = await runFixStage(result);
        show();
      }
      if (result.later) {
        if (process.stderr.isTTY) process.stderr.write(`pinsight: checking the imports of ${displayPath(analysis.root)}'s resolution from the wheels on the index…\n`);
        result = await runLaterStage(result);
        if (result.laterSummary && process.stderr.isTTY) process.stderr.write(`pinsight: ${result.laterSummary}\n`);
        show();
      }
      analysis.findings.push(...result.findings);
      failed ||= result.failures.length > 0;
      // A note that names its folder already says where; the same note for two files of a folder is said once.
      for (const s of result.state?.skipped ?? []) {
        const said = s.includes(displayPath(dirname(analysis.root))) ? s : `${displayPath(analysis.root)}: ${s}`;
        skipped.push(said);
        if (result.state?.absent?.includes(s)) absent.add(said);
      }
      for (const reason of result.incomplete ?? []) incomplete.push(`${displayPath(analysis.root)}: ${reason}`);
      if (result.resolution) resolutions.push({ path: displayPath(analysis.root), target: result.target, packages: result.resolution });
      if (result.explanation) explanations.push({ path: displayPath(analysis.root), lines: [...(result.target ? [`Resolving for ${result.target}:`] : []), ...result.explanation] });
      if (result.stale) process.stderr.write(`pinsight: some registry answers for ${displayPath(analysis.root)} came from the cache and may be out of date.\n`);
    }
  } finally {
    await registries?.close();
  }
  // Located by path: mergeFindings files each finding under its own file whichever analysis carries it.
  if (analyses[0]) analyses[0].findings.push(...findInconsistentPins(analyses));
  const files = mergeFindings(analyses, displayPath);
  const unique = [...new Set(skipped)];
  if (options.format === 'json') {
    const doc = JSON.parse(formatCheckJson(files, incomplete)) as Record<string, unknown>;
    doc.skipped = unique;
    doc.resolutions = resolutions;
    if (options.explain) doc.explanations = explanations;
    process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
  } else {
    progress?.show(analyses);
    process.stdout.write(checkSummaryLines(files, incomplete).join('\n') + '\n');
    for (const s of unique) process.stdout.write(`not checked: ${s}\n`);
    if (options.explain) for (const e of explanations) process.stdout.write(`\n${e.path}: why it cannot be installed\n${e.lines.map((l) => (l ? `  ${l}` : '')).join('\n')}\n`);
  }
  if (files.some((f) => f.findings.some((x) => x.severity === 'error'))) return 1;
  // --strict: nothing skipped in silence, nor passed as clean.
  // No environment to compare is said, but is not a skip: a CI job that checks manifests before
  // installing anything must be able to run --strict.
  const notChecked = unique.filter((s) => !absent.has(s));
  if (options.strict && (notChecked.length > 0 || incomplete.length > 0 || failed)) {
    const what = [notChecked.length > 0 ? `${notChecked.length} not checked` : '', incomplete.length > 0 || failed ? 'the verdict is incomplete' : ''].filter(Boolean).join(', ');
    process.stderr.write(`pinsight: --strict: ${what}; exit status 1.\n`);
    return 1;
  }
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const runtime = createNodeRuntime();
  let options;
  let targets;
  const ruleFiles: string[] = [];
  try {
    options = parseCliArgs(argv);
    if (options === 'help') return process.stdout.write(USAGE), 0;
    if (options === 'version') return process.stdout.write(`pinsight ${VERSION}\n`), 0;
    targets = await collectTargets(options.paths, runtime, ruleFiles);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`pinsight: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  const analyses: Analysis[] = [];
  for (const target of targets) {
    const analysis = await analyzeManifest(target.path, runtime, undefined, target.kind, { rulesRoot: process.cwd() });
    if (analysis) analyses.push(analysis);
    else process.stderr.write(`pinsight: could not read ${displayPath(target.path)}\n`);
  }
  for (const path of ruleFiles) {
    const text = await runtime.readFile(path);
    if (text === undefined) process.stderr.write(`pinsight: could not read ${displayPath(path)}\n`);
    else analyses.push({ root: path, kind: 'pyproject', manifests: [], findings: ruleFileFindings(path, text) });
  }
  if (targets.length === 0 && ruleFiles.length === 0) process.stderr.write(`pinsight: no manifests found in ${options.paths.map((p) => basename(resolve(p))).join(', ')}\n`);

  if (options.command === 'list') {
    const seen = new Map<string, ListedFile>();
    for (const a of analyses) for (const m of a.manifests) if (!seen.has(m.path)) seen.set(m.path, { path: displayPath(m.path), kind: m.kind, dependencies: m.dependencies });
    const files = [...seen.values()];
    process.stdout.write((options.format === 'json' ? formatListJson(files) : formatListText(files)) + '\n');
    return 0;
  }
  if (options.registrySnapshot && !options.noRegistry) {
    try {
      loadSnapshot(resolve(options.registrySnapshot));
    } catch (error) {
      process.stderr.write(`pinsight: ${(error as Error).message}\n`);
      return 2;
    }
  }
  return runCheck(options, analyses, runtime);
}

// Everything the CLI prints goes through the one redaction function: no credential, whichever
// file, variable or URL it came from, reaches the terminal or a JSON consumer.
for (const stream of [process.stdout, process.stderr]) {
  const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
  stream.write = ((chunk: unknown, ...rest: unknown[]) => write(typeof chunk === 'string' ? redact(chunk) : chunk, ...rest)) as typeof stream.write;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`pinsight: internal error: ${String(error instanceof Error ? error.stack : error)}\n`);
    process.exitCode = 3;
  },
);
