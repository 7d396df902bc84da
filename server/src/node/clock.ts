// The real clock for the registry layer; tests inject a fake one instead.

import { setMaxListeners } from 'node:events';
import type { CheckDeadline } from '../core/ecosystem';
import type { Clock } from '../core/http/types';

/** Wall-clock time, timer-based sleep that clears its timer on abort, Math.random jitter. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(abortReason(signal));
        return;
      }
      const onAbort = () => {
        clearTimeout(timer);
        reject(abortReason(signal));
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, Math.max(0, ms));
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  },
  random: () => Math.random(),
};

function abortReason(signal: AbortSignal | undefined): unknown {
  return signal?.reason ?? new DOMException('The operation was aborted.', 'AbortError');
}

/** A check's time limit from now, on the system clock; its timer never keeps the process alive. */
export function checkDeadline(seconds: number, setting: string): CheckDeadline {
  const ms = Math.round(seconds * 1000);
  const signal = AbortSignal.timeout(ms);
  // Every read in flight listens to it, and prefetching keeps dozens in flight: that is no leak.
  setMaxListeners(0, signal);
  return { signal, at: systemClock.now() + ms, seconds, setting };
}
