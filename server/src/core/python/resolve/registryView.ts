// Registry reads for the Python provider, shared by every provider made with withRoots: one
// promise per project and per version's metadata, made without the solver's signal so that an
// aborted solve still leaves a warm cache for the next one. The promises never reject.

import type { PypiMetadata, PypiProject } from '../index/pypi';
import { RegistryError } from '../../http/types';
import type { Marker } from '../versions/markers';
import { normalizeName, parsePep508 } from '../versions/pep508';
import type { PackageFacts } from './candidates';

/** The part of PypiClient the provider uses. */
export interface PypiSource {
  getProject(name: string, signal?: AbortSignal): Promise<PypiProject>;
  getMetadata(project: PypiProject, version: string, signal?: AbortSignal): Promise<PypiMetadata>;
}

export type ProjectOutcome = { kind: 'ok'; project: PypiProject } | { kind: 'missing'; message: string } | { kind: 'error'; message: string };
export type MetadataOutcome = { kind: 'ok'; metadata: PypiMetadata } | { kind: 'error'; message: string };

export interface ParsedRequirement {
  text: string;
  name: string;
  extras: string[];
  specifier: string;
  url?: string;
  marker: string | null;
  markerTree?: Marker;
}

/** Registry reads shared by providers: promises that never reject, made without a signal so an aborted solve leaves a usable cache. */
export class RegistryView {
  private readonly projects = new Map<string, Promise<ProjectOutcome>>();
  private readonly metadata = new Map<string, Promise<MetadataOutcome>>();
  readonly facts = new Map<string, PackageFacts>();
  private readonly requirements = new Map<string, ParsedRequirement[] | { invalid: string; message: string }>();

  constructor(private readonly pypi: PypiSource) {}

  project(name: string): Promise<ProjectOutcome> {
    let p = this.projects.get(name);
    if (!p) {
      p = this.pypi.getProject(name).then(
        (project): ProjectOutcome => ({ kind: 'ok', project }),
        (error: unknown): ProjectOutcome =>
          error instanceof RegistryError && error.kind === 'not-found' ? { kind: 'missing', message: error.message } : { kind: 'error', message: messageOf(error) },
      );
      this.projects.set(name, p);
    }
    return p;
  }

  /** A version's Requires-Dist, parsed once; the first line pip could not read makes the version unusable. */
  requirementsOf(base: string, version: string, requiresDist: string[]): ParsedRequirement[] | { invalid: string; message: string } {
    const key = `${base}\u0000${version}`;
    let parsed = this.requirements.get(key);
    if (parsed) return parsed;
    const list: ParsedRequirement[] = [];
    for (const text of requiresDist) {
      const r = parsePep508(text);
      if (!r.ok) {
        parsed = { invalid: text, message: r.message };
        break;
      }
      const q = r.requirement;
      list.push({ text, name: normalizeName(q.name), extras: q.extras.map(normalizeName), specifier: q.specifier, url: q.url, marker: q.marker, markerTree: q.markerTree });
    }
    parsed ??= list;
    this.requirements.set(key, parsed);
    return parsed;
  }

  metadataOf(project: PypiProject, version: string): Promise<MetadataOutcome> {
    const key = `${project.normalized}\u0000${version}`;
    let p = this.metadata.get(key);
    if (!p) {
      p = this.pypi.getMetadata(project, version).then(
        (metadata): MetadataOutcome => ({ kind: 'ok', metadata }),
        (error: unknown): MetadataOutcome => ({ kind: 'error', message: messageOf(error) }),
      );
      this.metadata.set(key, p);
    }
    return p;
  }
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

