// The files of a distribution read from its wheel on the index, for the import checks: the central
// directory is the file list (in place of RECORD), and only the members the check needs are read,
// neighbours merged into one range request. Every range is cached as immutable by the HTTP layer;
// the parsed files are kept in the ImportCache under the wheel's URL, so a warm check reads nothing.
// One check is bounded in bytes read from the network and in time: past either, the edge is
// incomplete (ImportBoundError), never a break.

import type { PypiFile } from '../index/simpleIndex';
import type { ByteRange, RangeChunk } from '../index/wheelZip';
import { RemoteWheel } from '../index/wheelZip';
import { modulesFromRecord } from './modules';
import { RegistryError } from '../../http/types';
import { ImportBoundError, ImportReadError, type DistributionFiles, type ImportDistribution } from './check';

/** A release as the index checks see it: its chosen wheel. */
export interface IndexDistribution extends ImportDistribution {
  wheel: PypiFile;
}

/** The part of PypiClient this reads through. */
export interface WheelRangeSource {
  wheelRangeReader(
    file: PypiFile,
    options: { signal?: AbortSignal; deadline?: number; onRead?: (bytes: number, fromNetwork: boolean) => void },
  ): (range: ByteRange, maxBytes?: number) => Promise<RangeChunk>;
}

/** What one check may read from the network: bytes and a deadline on `now`'s clock. */
export interface WheelBudget {
  maxBytes: number;
  /** Bytes read from the network so far (cached answers are free). */
  bytes: number;
  /** Range requests that reached the network. */
  requests: number;
  /** Bytes asked for by reads under way: concurrent reads may not overshoot the bound together. */
  reserved: number;
  deadline: number;
  seconds: number;
  now: () => number;
  signal?: AbortSignal;
  /** Set when a read was refused: which bound it was. */
  stopped?: 'bytes' | 'time';
  /**
   * Whether the index honours Range, once a first answer has shown it: until then reads wait for
   * that one; an index that ignores Range sends whole files, which are read one at a time.
   */
  ranges: 'unknown' | 'honoured' | 'ignored';
  probe?: Promise<void>;
  queue: Promise<void>;
}

export function createWheelBudget(maxBytes: number, seconds: number, now: () => number, signal?: AbortSignal): WheelBudget {
  return { maxBytes, bytes: 0, requests: 0, reserved: 0, deadline: now() + seconds * 1000, seconds, now, signal, ranges: 'unknown', queue: Promise.resolve() };
}

/** Words for the budget that stopped a read. */
export function boundMessage(budget: WheelBudget, what: 'bytes' | 'time'): string {
  return what === 'time'
    ? `the import check's time bound (${budget.seconds} s, pinsight.importChecks.timeoutSeconds) ran out before the wheels were read`
    : `the import check's byte bound (${budget.maxBytes} bytes, pinsight.importChecks.maxBytesPerCheck) was reached before the wheels were read`;
}

/** DistributionFiles over wheels on the index, for one check under one budget. */
export function wheelFiles(source: WheelRangeSource, budget: WheelBudget): DistributionFiles<IndexDistribution> {
  const opened = new Map<string, Promise<RemoteWheel>>();
  const reader = (file: PypiFile) => {
    const read = source.wheelRangeReader(file, {
      signal: budget.signal,
      deadline: budget.deadline,
      onRead: (bytes, fromNetwork) => {
        if (!fromNetwork) return;
        budget.bytes += bytes;
        budget.requests++;
      },
    });
    const stop = (what: 'bytes' | 'time') => {
      budget.stopped ??= what;
      return new ImportBoundError(boundMessage(budget, what));
    };
    // One read within the budget: refused when its range would pass the bound; it may receive at
    // most what is left (a whole file, from an index that ignores Range, stops there).
    const bounded = async (range: ByteRange, size: number): Promise<RangeChunk> => {
      if (budget.now() >= budget.deadline) throw stop('time');
      if (budget.bytes + budget.reserved + size > budget.maxBytes) throw stop('bytes');
      const allowance = budget.maxBytes - budget.bytes - budget.reserved;
      budget.reserved += size;
      try {
        return await read(range, allowance);
      } catch (error) {
        if (budget.now() >= budget.deadline) throw stop('time');
        if (error instanceof RegistryError && error.kind === 'too-large') throw stop('bytes');
        throw error;
      } finally {
        budget.reserved -= size;
      }
    };
    return async (range: ByteRange): Promise<RangeChunk> => {
      const size = 'suffix' in range ? range.suffix : range.end - range.start + 1;
      while (budget.ranges === 'unknown' && budget.probe) await budget.probe;
      if (budget.ranges === 'honoured') return bounded(range, size);
      if (budget.ranges === 'ignored') {
        const turn = budget.queue.then(() => bounded(range, size));
        budget.queue = turn.then(
          () => undefined,
          () => undefined,
        );
        return turn;
      }
      // The first read shows whether Range is honoured (more bytes than asked for: it is not).
      const probe = bounded(range, size);
      budget.probe = probe.then(
        (chunk) => {
          budget.ranges = chunk.bytes.length > size ? 'ignored' : 'honoured';
        },
        () => {
          budget.probe = undefined;
        },
      );
      return probe;
    };
  };
  const wheel = (dist: IndexDistribution): Promise<RemoteWheel> => {
    let found = opened.get(dist.wheel.url);
    if (!found) {
      found = RemoteWheel.open(reader(dist.wheel)).catch((error) => {
        opened.delete(dist.wheel.url);
        throw readError(dist, error);
      });
      opened.set(dist.wheel.url, found);
    }
    return found;
  };
  return {
    // A file on an index never changes under its URL (PyPI refuses re-uploads): the stamp is constant.
    identify: async (dist) => ({ key: dist.wheel.url, stamp: 'wheel' }),
    async modules(dist) {
      const members = (await wheel(dist)).members();
      // Files under <name>.data/purelib (or platlib) install into site-packages beside the others:
      // their modules are named from where they install, and read from where they are in the wheel.
      const moved = new Map<string, string>();
      const entries = members.map((m) => {
        const installed = /^[^/]+\.data\/(?:purelib|platlib)\/(.+)$/.exec(m.name)?.[1];
        if (installed) moved.set(installed, m.name);
        return { path: installed ?? m.name, size: String(m.size) };
      });
      const modules = modulesFromRecord(entries);
      for (const module of modules.modules.values()) if (module.path && moved.has(module.path)) module.path = moved.get(module.path);
      return modules;
    },
    async prefetch(dist, files) {
      try {
        await (await wheel(dist)).prefetch(files);
      } catch (error) {
        throw readError(dist, error);
      }
    },
    async read(dist, file) {
      try {
        return new TextDecoder('utf-8', { fatal: false }).decode(await (await wheel(dist)).member(file));
      } catch (error) {
        throw readError(dist, error);
      }
    },
  };
}

function readError(dist: IndexDistribution, error: unknown): Error {
  if (error instanceof ImportBoundError || error instanceof ImportReadError) return error;
  return new ImportReadError(`${dist.wheel.filename} could not be read: ${error instanceof Error ? error.message : String(error)}`);
}
