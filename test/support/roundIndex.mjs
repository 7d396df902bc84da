// An in-memory index (memoryPypi) whose reads are answered in rounds the test releases, so tests of
// reading ahead count round trips and reads in flight without depending on time.
import { memoryPypi } from './memoryPypi.mjs';

/**
 * A PypiSource whose reads wait until the test releases them: each release answers every read
 * pending at that moment (one round trip for all of them), so `rounds` counts round trips.
 */
export function roundIndex(registry, options) {
  const base = memoryPypi(registry, options);
  const pending = [];
  const stats = { rounds: 0, peak: 0, calls: base.calls };
  const held = (call) => new Promise((resolve, reject) => {
    pending.push(() => call().then(resolve, reject));
    stats.peak = Math.max(stats.peak, pending.length);
  });
  return {
    stats,
    source: { getProject: (name) => held(() => base.getProject(name)), getMetadata: (project, version) => held(() => base.getMetadata(project, version)) },
    /** Answers reads round by round until `done` settles; reads made while a round is answered wait for the next. */
    async drive(done) {
      let finished = false;
      const result = done.finally(() => (finished = true));
      const deadline = Date.now() + 10_000;
      while (!finished && Date.now() < deadline) {
        // Let the solver and the warming react to the last answers before the next round.
        for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
        if (pending.length === 0) continue;
        stats.rounds++;
        for (const answer of pending.splice(0)) answer();
      }
      return result;
    },
    /** Answers whatever warming still has in flight once the solve is done. */
    async settle() {
      for (let k = 0; k < 50; k++) {
        for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
        if (pending.length === 0) return;
        for (const answer of pending.splice(0)) answer();
      }
    },
  };
}
