// A transport to the fake PyPI that answers in rounds: requests wait until the test releases them,
// and each round releases every request waiting (at most the per-host limit reaches it). Counting
// rounds counts round trips without timing anything.
import { fetchTransport } from './fetchTransport.mjs';

export function heldTransport() {
  const held = [];
  let outstanding = 0;
  const stats = { requests: 0 };
  const transport = (request) => new Promise((resolve, reject) => {
    stats.requests++;
    held.push(() => {
      outstanding++;
      fetchTransport(request).then(resolve, reject).finally(() => outstanding--);
    });
  });
  /** Releases rounds until `pending` settles; resolves to its value and the number of rounds. */
  const rounds = async (pending, timeoutMs = 30_000) => {
    let done = false;
    const tracked = Promise.resolve(pending).finally(() => (done = true));
    let count = 0;
    const deadline = Date.now() + timeoutMs;
    while (!done && Date.now() < deadline) {
      for (let i = 0; i < 30; i++) await new Promise((r) => setImmediate(r));
      if (outstanding > 0) {
        await new Promise((r) => setTimeout(r, 1));
        continue;
      }
      if (held.length === 0) continue;
      count++;
      for (const go of held.splice(0)) go();
    }
    return { value: await tracked, rounds: count };
  };
  return { transport, stats, rounds };
}
