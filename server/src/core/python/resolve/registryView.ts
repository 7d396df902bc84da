// Registry reads for the Python provider, shared by every provider made with withRoots: one
// promise per project and per version's metadata, made without the solver's signal so that an
// aborted solve still leaves a warm cache for the next one. The promises never reject: a failure
// is an outcome that says whether the registry lacks the project or failed to answer (and whether
// the check's deadline was what ended it).

import type { CheckDeadline } from '../../ecosystem';
import type { PypiMetadata, PypiProject } from '../index/pypi';
import { RegistryError } from '../../http/types';
import type { ReadPriority } from '../../http/registryHttp';
import type { Marker } from '../versions/markers';
import { normalizeName, parsePep508 } from '../versions/pep508';
import type { PackageFacts } from './candidates';

/** The part of PypiClient the provider uses. */
export interface PypiSource {
  /** `deadline`: clock ms by which the reads must be done (PypiClient passes it to RegistryHttp). */
  /** `priority`: FetchOptions.priority, for reads ahead of the solve (a source may ignore it). */
  getProject(name: string, signal?: AbortSignal, deadline?: number, priority?: ReadPriority): Promise<PypiProject>;
  getMetadata(project: PypiProject, version: string, signal?: AbortSignal, deadline?: number, priority?: ReadPriority): Promise<PypiMetadata>;
  /** Requests sent to the network so far, when the source counts them (warm.ts reads ahead only once one has gone out). */
  requestsSent?(): number | undefined;
}

/** A read that failed: the registry lacks it ('missing') or did not answer usably ('error'; `late` when the deadline ended it). */
export type ReadFailure = { kind: 'missing'; message: string; registry?: string } | { kind: 'error'; message: string; late?: boolean; registry?: string };
export type ProjectOutcome = { kind: 'ok'; project: PypiProject } | ReadFailure;
export type MetadataOutcome = { kind: 'ok'; metadata: PypiMetadata } | Extract<ReadFailure, { kind: 'error' }>;

/** A registry failure in words, telling the check's deadline apart from the registry's own failures. */
export function readFailure(error: unknown, deadline: CheckDeadline | undefined): ReadFailure {
  if (!(error instanceof RegistryError)) return { kind: 'error', message: messageOf(error) };
  const registry = error.registry;
  if (error.kind === 'not-found') return { kind: 'missing', message: error.message, registry };
  if (error.kind === 'deadline' || (error.kind === 'aborted' && deadline?.signal.aborted)) {
    const limit = deadline ? ` within the ${deadline.seconds} s this check allows (raise ${deadline.setting} to wait longer)` : ' before the time limit';
    return { kind: 'error', late: true, message: `${registry} did not answer${limit}.`, registry };
  }
  return { kind: 'error', message: error.message, registry };
}

export interface ParsedRequirement {
  text: string;
  name: string;
  extras: string[];
  specifier: string;
  url?: string;
  marker: string | null;
  markerTree?: Marker;
}

// Requires-Dist lists parsed once for every view: PypiClient shares one metadata object per
// answer, so later checks and other documents find the list they read before (read-only).
const parsedLists = new WeakMap<readonly string[], ParsedRequirement[] | { invalid: string; message: string }>();

// One line of Requires-Dist, parsed once: consecutive releases of a project mostly repeat their
// lines, and sharing the parsed line shares its marker tree, whose value per target the provider
// caches (read-only). Bounded; cleared whole when full, as the lines of one check fit many times.
const parsedLines = new Map<string, ParsedRequirement | { invalid: string; message: string }>();
const MAX_PARSED_LINES = 20_000;

function parseRequiresDistLine(text: string): ParsedRequirement | { invalid: string; message: string } {
  let parsed = parsedLines.get(text);
  if (parsed) return parsed;
  const r = parsePep508(text);
  if (r.ok) {
    const q = r.requirement;
    parsed = { text, name: normalizeName(q.name), extras: q.extras.map(normalizeName), specifier: q.specifier, url: q.url, marker: q.marker, markerTree: q.markerTree };
  } else {
    parsed = { invalid: text, message: r.message };
  }
  if (parsedLines.size >= MAX_PARSED_LINES) parsedLines.clear();
  parsedLines.set(text, parsed);
  return parsed;
}

/** A read the view shares, with the urgency it was made with: a read ahead becomes urgent when a solve asks for it. */
interface SharedRead<T> {
  outcome: Promise<T>;
  priority: ReadPriority;
}

/** Registry reads shared by providers: promises that never reject, made without a signal so an aborted solve leaves a usable cache. */
export class RegistryView {
  private readonly projects = new Map<string, SharedRead<ProjectOutcome>>();
  private readonly metadata = new Map<string, SharedRead<MetadataOutcome>>();
  readonly facts = new Map<string, PackageFacts>();
  /** Facts computed while warming (warm.ts), kept apart until a solve reads the package: \`facts\` tells what the resolution reached. */
  readonly warmFacts = new Map<string, PackageFacts>();
  /** Releases whose dependencies have been warmed (warm.ts). */
  readonly warmed = new Set<string>();
  /** Why a project could not be read, once its read has failed. */
  readonly failures = new Map<string, ReadFailure>();
  private readonly requirements = new Map<string, ParsedRequirement[] | { invalid: string; message: string }>();

  private readonly sentAtStart: number | undefined;

  constructor(
    private readonly pypi: PypiSource,
    sentAtStart?: number,
  ) {
    this.sentAtStart = sentAtStart ?? pypi.requestsSent?.();
  }

  /**
   * Whether the check's reads have needed the network: reading ahead (warm.ts) pays only when they
   * have. Answered from the caches alone, a read ahead is a read and a parse the solve may never
   * ask for (about 40 entries of a warm seed run). Counted from the check's start, not the view's:
   * a cold check's registry checks read the root pages before the resolution begins, and the
   * resolution must still read ahead from them. A source that does not count says true.
   */
  readsWentOut(): boolean {
    if (this.sentAtStart === undefined) return true;
    return (this.pypi.requestsSent?.() ?? 0) > this.sentAtStart;
  }

  /**
   * The first caller's deadline bounds the read that every later caller shares. `ahead`: read ahead
   * of the solve (warm.ts), which yields its place at the per-host limit until a solve asks for it.
   */
  project(name: string, deadline?: CheckDeadline, ahead = false): Promise<ProjectOutcome> {
    const read =
      this.projects.get(name) ??
      share(this.projects, name, ahead, (priority) =>
        this.pypi.getProject(name, deadline?.signal, deadline?.at, priority).then(
          (project): ProjectOutcome => ({ kind: 'ok', project }),
          (error: unknown): ProjectOutcome => {
            const failure = readFailure(error, deadline);
            this.failures.set(name, failure);
            return failure;
          },
        ),
      );
    // Raising a settled read's urgency changes nothing: only a queued request consults it.
    if (!ahead) read.priority.urgent = true;
    return read.outcome;
  }

  /** A version's Requires-Dist, parsed once; the first line pip could not read makes the version unusable. */
  requirementsOf(base: string, version: string, requiresDist: string[]): ParsedRequirement[] | { invalid: string; message: string } {
    const key = `${base}\u0000${version}`;
    let parsed = this.requirements.get(key) ?? parsedLists.get(requiresDist);
    if (parsed) {
      this.requirements.set(key, parsed);
      return parsed;
    }
    const list: ParsedRequirement[] = [];
    for (const text of requiresDist) {
      const line = parseRequiresDistLine(text);
      if ('invalid' in line) {
        parsed = line;
        break;
      }
      list.push(line);
    }
    parsed ??= list;
    this.requirements.set(key, parsed);
    parsedLists.set(requiresDist, parsed);
    return parsed;
  }

  /** One release's metadata, read once; `ahead` as for project(). */
  metadataOf(project: PypiProject, version: string, deadline?: CheckDeadline, ahead = false): Promise<MetadataOutcome> {
    const key = `${project.normalized}\u0000${version}`;
    const read =
      this.metadata.get(key) ??
      share(this.metadata, key, ahead, (priority) =>
        this.pypi.getMetadata(project, version, deadline?.signal, deadline?.at, priority).then(
          (metadata): MetadataOutcome => ({ kind: 'ok', metadata }),
          (error: unknown): MetadataOutcome => {
            const failure = readFailure(error, deadline);
            // A metadata file that is not there, once the project page listed it, is the index's fault too.
            return failure.kind === 'missing' ? { kind: 'error', message: failure.message } : failure;
          },
        ),
      );
    if (!ahead) read.priority.urgent = true;
    return read.outcome;
  }
}

/** Starts a read with the urgency its first caller gives it and records it under `key`. */
function share<T>(reads: Map<string, SharedRead<T>>, key: string, ahead: boolean, start: (priority: ReadPriority) => Promise<T>): SharedRead<T> {
  const priority: ReadPriority = { urgent: !ahead };
  const read = { outcome: start(priority), priority };
  reads.set(key, read);
  return read;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Resolves with the promise, or rejects as soon as the signal aborts (the promise itself runs on). */
export function withSignal<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(new Error('aborted'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => (signal.removeEventListener('abort', onAbort), resolve(v)),
      (e: unknown) => (signal.removeEventListener('abort', onAbort), reject(e)),
    );
  });
}

